/**
 * Execution speed: one group per corpus kernel, `run(n)` on native V8
 * (baseline), Capstan and polywasm, at a per-kernel `n` where one native
 * iteration takes about 1-10 ms (`CAPSTAN_BENCH_QUICK=1`: tiny `n`).
 *
 * Invariants:
 * - Each engine's checksum at that `n` is checked against a native run before
 *   timing and again on every iteration; a mismatch fails the bench.
 * - Instantiation happens once, outside the timed function.
 *
 * Run: `deno bench -A bench/execute_bench.ts`
 *
 * @module
 */

import { loadEngines } from "./_engines.ts";
import { loadKernels, QUICK } from "./_kernels.ts";
import { registerRunBenches } from "./_bench_util.ts";

const engines = await loadEngines();
const native = engines[0];

for (const kernel of loadKernels()) {
  const n = QUICK ? kernel.quickN : kernel.benchN;
  const group = `execute ${kernel.name} (n=${n})`;
  const expect = native.instantiate(kernel.bytes).run(n);
  registerRunBenches(group, engines, kernel.bytes, n, expect);
}
