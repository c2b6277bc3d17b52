/**
 * Wasm GC allocation: `bench/gc/binary_trees.wat` (build and walk complete
 * binary trees of depth 12, 8191 structs each) on native V8 (baseline) and
 * Capstan. `run(1221)` makes 1221 trees, 10^7 structs, each tree garbage
 * once walked (`CAPSTAN_BENCH_QUICK=1`: one tree). polywasm has no GC, so it
 * is left out.
 *
 * Invariants:
 * - The node count is checked against a native run before timing and on
 *   every iteration; a wrong count fails the run.
 *
 * Run: `deno bench -A bench/gc_bench.ts`
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { loadEngines } from "./_engines.ts";
import { QUICK } from "./_kernels.ts";
import { registerRunBenches } from "./_bench_util.ts";

const engines = (await loadEngines()).filter((e) => e.name !== "polywasm");
const bytes = parseWat(Deno.readTextFileSync(new URL("./gc/binary_trees.wat", import.meta.url)));
const n = QUICK ? 1 : 1221;
const expect = engines[0].instantiate(bytes).run(n);
registerRunBenches(`gc binary trees (n=${n} trees of 8191 structs)`, engines, bytes, n, expect);
