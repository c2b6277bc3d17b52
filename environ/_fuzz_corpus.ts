/**
 * The fuzzer's seed corpus: the bench kernels (`bench/corpus/wasm/`) and
 * every binary module of the WebAssembly test suite's scripts, but for the
 * scripts waiting for a feature environ does not decode yet
 * (`tests/testsuite_status.ts`), in a fixed order so a seed always picks the
 * same modules.
 *
 * Invariants:
 * - Entries are sorted by name (`bench/wasm/<file>` or `testsuite/<script>:<line>`),
 *   so the order does not depend on the file system.
 * - The test suite is found as every test finds it (`tests/inputs.ts`); when
 *   it is missing, loading fails with the line that says how to get it.
 *
 * @module
 */

import { parseWast } from "./text/wast.ts";
import { testsuiteDir, wastFiles } from "../tests/inputs.ts";
import { type Feature, WAITS_FOR } from "../tests/testsuite_status.ts";

/**
 * Features a failing file may wait for whose modules environ already decodes
 * and validates in full (what the file waits for is execution): its modules
 * are seeds. Files waiting for anything else are left out.
 */
const DECODED: ReadonlySet<Feature> = new Set<Feature>(["threads"]);

/** The bench kernels' folder. */
const BENCH_WASM = new URL("../bench/corpus/wasm/", import.meta.url);

/** One corpus module. */
export interface CorpusEntry {
  /** Its name, e.g. `bench/wasm/qsort.wasm` or `testsuite/binary.wast:123`. */
  readonly name: string;
  /** Its bytes. */
  readonly bytes: Uint8Array;
  /** Whether native `WebAssembly.validate` accepts it (mutants start mostly from these). */
  readonly valid: boolean;
}

function entry(name: string, bytes: Uint8Array): CorpusEntry {
  return { name, bytes, valid: WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>) };
}

/**
 * Loads the whole seed corpus.
 *
 * @returns the modules, sorted by name
 */
export function loadCorpus(): CorpusEntry[] {
  const out: CorpusEntry[] = [];
  for (const e of Deno.readDirSync(BENCH_WASM)) {
    if (e.name.endsWith(".wasm")) {
      out.push(entry(`bench/wasm/${e.name}`, Deno.readFileSync(new URL(e.name, BENCH_WASM))));
    }
  }
  const dir = testsuiteDir();
  for (const file of wastFiles(dir)) {
    if (WAITS_FOR[file]?.some((f) => !DECODED.has(f))) continue;
    const script = parseWast(Deno.readTextFileSync(`${dir}/${file}`), file, { keepGoing: true });
    for (const c of script.commands) {
      if ("bytes" in c && c.bytes !== undefined) {
        out.push(entry(`testsuite/${file}:${c.line}`, c.bytes));
      }
    }
  }
  return out.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
