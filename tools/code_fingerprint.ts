/**
 * Fingerprints of the code Capstan emits: every module of a corpus compiled
 * under each code-shaping configuration, hashed (bytecode, frame sizes, trap
 * sites, relocations, stack maps, address maps). A refactoring of codegen or
 * the op table that must not change the emitted code proves it by comparing
 * the fingerprints before and after.
 *
 * Run:
 * - `deno run -A tools/code_fingerprint.ts --write FILE` records them;
 * - `deno run -A tools/code_fingerprint.ts --check FILE` compares with a
 *   record and lists every module and configuration whose code changed
 *   (exit 1 when any did).
 *
 * The corpus: the bench kernels and microkernels of this repository, and,
 * when `../shared` is beside the checkout, the sightglass programs and every
 * module of the 2.0 spec corpus (`spec/json`) that compiles.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { translateModule, type Tunables, tunables } from "@capstan/environ";
import { compileModule, type CompileOptions } from "@capstan/codegen";

const ROOT = new URL("../", import.meta.url);
const SHARED = new URL("../../shared/", import.meta.url);

/** One code-shaping configuration. */
interface Config {
  readonly name: string;
  readonly tunables: Tunables;
  readonly options: CompileOptions;
}

/** The configurations every module is compiled under. */
export const CONFIGS: readonly Config[] = [
  { name: "default", tunables: tunables(), options: {} },
  { name: "fuel", tunables: tunables({ consumeFuel: true }), options: {} },
  {
    name: "fuel-plain",
    tunables: tunables({ consumeFuel: true }),
    options: { fuseFuelCharges: false } as CompileOptions,
  },
  { name: "epochs", tunables: tunables({ epochInterruption: true }), options: {} },
  {
    name: "fuel-epochs",
    tunables: tunables({ consumeFuel: true, epochInterruption: true }),
    options: {},
  },
  { name: "count", tunables: tunables({ countInstructions: true }), options: {} },
  { name: "nosuper", tunables: tunables({ superInstructions: false }), options: {} },
  { name: "nan", tunables: tunables({ nanCanonicalization: true }), options: {} },
];

function listWasm(dir: URL, out: URL[]): void {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return;
  }
  for (const e of entries.sort((a, b) => a.name < b.name ? -1 : 1)) {
    if (e.isDirectory) listWasm(new URL(`${e.name}/`, dir), out);
    else if (e.name.endsWith(".wasm")) out.push(new URL(e.name, dir));
  }
}

/**
 * The corpus's module files, sorted.
 *
 * @returns their URLs
 */
export function corpusFiles(): URL[] {
  const out: URL[] = [];
  listWasm(new URL("bench/corpus/", ROOT), out);
  listWasm(new URL("bench/kernels/", ROOT), out);
  listWasm(new URL("bench/sightglass/", SHARED), out);
  listWasm(new URL("spec/json/", SHARED), out);
  return out;
}

async function sha256(data: Uint8Array): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", data as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(d)].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 16);
}

/**
 * The fingerprint of one module under one configuration, or `error: ...`
 * when it does not compile.
 *
 * @param bytes the module
 * @param config the configuration
 * @returns a short hex hash or an error line
 */
export async function fingerprint(bytes: Uint8Array, config: Config): Promise<string> {
  let text: string;
  let code: Int32Array;
  try {
    const cm = compileModule(translateModule(bytes), config.tunables, config.options);
    code = cm.code;
    text = JSON.stringify(cm.functions.map((f) => [
      f.funcIndex,
      f.entry,
      f.end,
      f.frameSize,
      f.traps,
      f.relocs,
      f.stackMaps,
      [...f.addressMap],
    ]));
  } catch (e) {
    return `error: ${(e as Error).message.split("\n")[0]}`;
  }
  const meta = new TextEncoder().encode(text);
  const all = new Uint8Array(code.byteLength + meta.byteLength);
  all.set(new Uint8Array(code.buffer, code.byteOffset, code.byteLength));
  all.set(meta, code.byteLength);
  return await sha256(all);
}

/**
 * Every corpus module's fingerprints, one line each:
 * `path config fingerprint`.
 *
 * @returns the lines
 */
export async function fingerprintCorpus(): Promise<string[]> {
  const lines: string[] = [];
  for (const url of corpusFiles()) {
    const bytes = Deno.readFileSync(url);
    const rel = url.href.startsWith(ROOT.href)
      ? url.href.slice(ROOT.href.length)
      : "shared/" + url.href.slice(SHARED.href.length);
    for (const config of CONFIGS) {
      lines.push(`${rel} ${config.name} ${await fingerprint(bytes, config)}`);
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const args = parseArgs({ options: { write: { type: "string" }, check: { type: "string" } } });
  const lines = await fingerprintCorpus();
  if (args.values.write) {
    Deno.writeTextFileSync(args.values.write, lines.join("\n") + "\n");
    console.log(`${lines.length} fingerprints written to ${args.values.write}`);
    return;
  }
  if (!args.values.check) {
    console.log(lines.join("\n"));
    return;
  }
  const keyOf = (l: string) => l.slice(0, l.indexOf(" ", l.indexOf(" ") + 1));
  const before = new Map(
    Deno.readTextFileSync(args.values.check).trim().split("\n").map((l) => [keyOf(l), l] as const),
  );
  let changed = 0;
  for (const l of lines) {
    const key = keyOf(l);
    const old = before.get(key);
    if (old !== l) {
      changed++;
      if (changed <= 50) console.log(`changed: ${old ?? "(new)"} -> ${l.slice(key.length)}`);
    }
  }
  console.log(`${lines.length} fingerprints, ${changed} changed`);
  if (changed > 0) Deno.exit(1);
}

if (import.meta.main) await main();
