/**
 * The real programs of wasmtime's sightglass suite (`../shared/bench/sightglass`,
 * beside the checkout) on native `WebAssembly`, on Capstan's interpreter and
 * on Capstan's JS tier (strategy `js`, or `auto`: the interpreter first, hot
 * functions promoted): each program run as a WASI command through the
 * `WebAssembly` API (native, or Capstan's facade with an engine of the given
 * strategy), its working directory preopened as `.`, timed from its
 * `bench.start` to its `bench.end` import (sightglass's convention: the
 * measured region, without start-up), its stdout checked against the
 * program's `.stdout.expected`. Each run is its own child process. With
 * `--measure total` the time is from compiling the module to the end of the
 * run instead (start-up included: what `auto` and `js` differ in most).
 *
 * Run: `deno run -A bench/sightglass.ts [--engines native,interpreter,js,auto] [--only NAME,...]
 * [--timeout SECONDS] [--measure region|total] [--clock wall|cpu]` (a run past the timeout,
 * default 120 s, is killed and reported; `--clock cpu` times with the process's CPU time, user
 * and system, all threads, instead of the wall clock: far less disturbed by other load on a
 * shared machine)
 * Prints a Markdown table: ms per engine and ratios to native, with the
 * geomean over the programs every engine ran correctly.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Clock, clockMs } from "./_cell.ts";

const DIR = new URL("../../shared/bench/sightglass/", import.meta.url).pathname;

/** One program: its wasm, its working directory, its expected stdout. */
interface Program {
  readonly name: string;
  readonly wasm: string;
  readonly cwd: string;
  readonly expected: string | undefined;
}

function programs(): Program[] {
  const out: Program[] = [];
  for (const d of [...Deno.readDirSync(DIR)].filter((e) => e.isDirectory).map((e) => e.name)) {
    for (const f of [...Deno.readDirSync(DIR + d)].map((e) => e.name).sort()) {
      if (!f.endsWith(".wasm")) continue;
      const stem = f.slice(0, -5);
      const name = stem === "benchmark" ? d : stem;
      const exp = [`${stem}.stdout.expected`, "default.stdout.expected"]
        .map((e) => `${DIR}${d}/${e}`).find((p) => {
          try {
            return Deno.statSync(p).isFile;
          } catch {
            return false;
          }
        });
      out.push({
        name,
        wasm: `${DIR}${d}/${f}`,
        cwd: `${DIR}${d}`,
        expected: exp === undefined ? undefined : Deno.readTextFileSync(exp),
      });
    }
  }
  return out.sort((a, b) => a.name < b.name ? -1 : 1);
}

/** Runs one program on one engine in this process; prints `{ ms, ok, error? }` as JSON. */
async function child(wasmPath: string, cwd: string, engine: string, clock: Clock): Promise<void> {
  const { Wasi } = await import("@capstan/wasi");
  let api: typeof WebAssembly = WebAssembly;
  if (engine !== "native") {
    const { createWebAssembly } = await import("@capstan/runtime/webassembly");
    const { Engine } = await import("@capstan/runtime");
    api = createWebAssembly({
      engine: new Engine({ strategy: engine as "js" | "interpreter" | "auto" }),
    }) as unknown as typeof WebAssembly;
  }
  const chunks: Uint8Array[] = [];
  const stdout = { writeSync: (p: Uint8Array) => (chunks.push(p.slice()), p.length) };
  Deno.chdir(cwd);
  const wasi = new Wasi({ args: ["benchmark.wasm"], preopens: { ".": cwd }, stdout });
  const now = () => clockMs(clock);
  let t0 = 0, t1 = 0;
  const bench = {
    start: () => void (t0 = now()),
    end: () => void (t1 = now()),
  };
  const bytes = Deno.readFileSync(wasmPath);
  const begin = now();
  const module = new api.Module(bytes);
  const instance = new api.Instance(module, {
    bench,
    wasi_snapshot_preview1: wasi.imports,
  } as unknown as WebAssembly.Imports);
  const code = wasi.start(instance as unknown as Parameters<typeof wasi.start>[0]);
  const total = now() - begin;
  const text = new TextDecoder().decode(
    chunks.reduce((a, b) => {
      const c = new Uint8Array(a.length + b.length);
      c.set(a);
      c.set(b, a.length);
      return c;
    }, new Uint8Array(0)),
  );
  console.log(JSON.stringify({ ms: t1 - t0, total, code, stdout: text }));
}

async function runChild(
  p: Program,
  engine: string,
  seconds: number,
  measure: string,
  clock: string,
): Promise<{ ms?: number; error?: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--child", p.wasm, p.cwd, engine, clock],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), seconds * 1000);
  const out = await child.output();
  clearTimeout(timer);
  if (out.signal === "SIGKILL") return { error: `over ${seconds} s` };
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  try {
    const r = JSON.parse(lines.at(-1) ?? "") as {
      ms: number;
      total: number;
      code: number;
      stdout: string;
    };
    if (p.expected !== undefined && r.stdout !== p.expected) return { error: "wrong output" };
    if (r.code !== 0) return { error: `exit ${r.code}` };
    return { ms: measure === "total" ? r.total : r.ms };
  } catch {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n")[0] ?? "";
    return { error: err.slice(0, 80) || "no result" };
  }
}

async function main(): Promise<void> {
  const args = parseArgs({
    options: {
      child: { type: "boolean" },
      engines: { type: "string", default: "native,interpreter,js" },
      only: { type: "string" },
      timeout: { type: "string", default: "120" },
      measure: { type: "string", default: "region" },
      clock: { type: "string", default: "wall" },
    },
    allowPositionals: true,
  });
  if (args.values.child) {
    const [wasm, cwd, engine, clock] = args.positionals;
    await child(wasm, cwd, engine, clock === "cpu" ? "cpu" : "wall");
    return;
  }
  const engines = args.values.engines!.split(",");
  const rows: string[] = [];
  const logs: number[][] = engines.slice(1).map(() => []);
  for (const p of programs()) {
    const only = args.values.only?.split(",");
    if (only !== undefined && !only.some((o) => p.name.includes(o))) continue;
    const res: { ms?: number; error?: string }[] = [];
    for (const e of engines) {
      res.push(
        await runChild(p, e, Number(args.values.timeout), args.values.measure!, args.values.clock!),
      );
    }
    const base = res[0].ms;
    const cells = res.map((r) => r.ms !== undefined ? r.ms.toFixed(1) : r.error!);
    const ratios = res.slice(1).map((r, i) => {
      if (r.ms === undefined || base === undefined) return "n/a";
      if (res.every((x) => x.ms !== undefined)) logs[i].push(Math.log(r.ms / base));
      return `${(r.ms / base).toFixed(1)}x`;
    });
    rows.push(`| ${p.name} | ${cells.join(" | ")} | ${ratios.join(" | ")} |`);
    console.error(rows.at(-1));
  }
  const head = `| program | ${engines.map((e) => `${e} ms`).join(" | ")} | ${
    engines.slice(1).map((e) => `${e}/${engines[0]}`).join(" | ")
  } |`;
  console.log(head);
  console.log(`| --- |${" ---: |".repeat(engines.length * 2 - 1)}`);
  for (const r of rows) console.log(r);
  const gm = logs.map((l) =>
    l.length ? `${Math.exp(l.reduce((a, b) => a + b, 0) / l.length).toFixed(1)}x` : "n/a"
  );
  console.log(
    `| **geomean** (${logs[0]?.length ?? 0} programs) |${" |".repeat(engines.length)} ${
      gm.join(" | ")
    } |`,
  );
}

if (import.meta.main) await main();
