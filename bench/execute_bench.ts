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
import {
  describeError,
  isUnsupported,
  iterationsFor,
  registerProblem,
  timeOnce,
} from "./_bench_util.ts";

const engines = await loadEngines();
const native = engines[0];

for (const kernel of loadKernels()) {
  const n = QUICK ? kernel.quickN : kernel.benchN;
  const group = `execute ${kernel.name} (n=${n})`;
  const expect = native.instantiate(kernel.bytes).run(n);
  for (const engine of engines) {
    if (engine.unavailable !== null) {
      registerProblem(group, engine, engine.unavailable, false);
      continue;
    }
    let sampleMs: number;
    let instance;
    try {
      instance = engine.instantiate(kernel.bytes);
      const sample = timeOnce(() => instance!.run(n));
      if (sample.value !== expect) {
        registerProblem(group, engine, `checksum ${sample.value}, native ${expect}`, true);
        continue;
      }
      sampleMs = sample.ms;
    } catch (e) {
      registerProblem(group, engine, describeError(e), !isUnsupported(e));
      continue;
    }
    const run = instance.run;
    Deno.bench({
      name: engine.name,
      group,
      baseline: engine.name === "native",
      ...iterationsFor(sampleMs),
      fn() {
        const got = run(n);
        if (got !== expect) throw new Error(`${engine.name}: checksum ${got}, native ${expect}`);
      },
    });
  }
}
