/**
 * Child process of `compare.ts`: times one corpus kernel on one engine in a
 * fresh V8 isolate, so no other kernel's JIT feedback (type feedback,
 * deoptimisations of Capstan's dispatch loop) or garbage colours the figure.
 * Prints one JSON line: `{ "ms": <fastest>, "got": <checksum> }` or
 * `{ "error": "...", "unsupported": <bool> }`.
 *
 * Usage: `deno run -A bench/_cell.ts ENGINE KERNEL N REPEAT`
 *
 * Invariants: the warm-up and timing are the same as in-process
 * (`measureRun`): a warm-up on the kernel's tiny n, then the fastest of up to
 * REPEAT runs of `run(N)`, stopping early after 5 s.
 *
 * @module
 */

import { type EngineName, loadEngines } from "./_engines.ts";
import { loadKernels } from "./_kernels.ts";
import { describeError, isUnsupported } from "./_bench_util.ts";

/** Total time after which further repeats of one cell are skipped, in ms. */
export const REPEAT_BUDGET_MS = 5000;

/**
 * Calls `warm` until JIT tiers settle (at least 3 calls and 30 ms, at most
 * 50 calls), then returns the fastest of up to `repeat` runs of `fn`
 * (stopping once the runs took {@link REPEAT_BUDGET_MS} in all).
 *
 * @param warm a cheap call of the same code
 * @param fn the call to time
 * @param repeat how many timed runs at most
 * @returns the fastest run, in ms
 */
export function measureRun(warm: () => unknown, fn: () => unknown, repeat: number): number {
  const t0 = performance.now();
  for (let calls = 0; calls < 50; calls++) {
    warm();
    if (calls >= 2 && performance.now() - t0 > 30) break;
  }
  let best = Infinity;
  let spent = 0;
  for (let r = 0; r < repeat && (r === 0 || spent < REPEAT_BUDGET_MS); r++) {
    const t = performance.now();
    fn();
    const ms = performance.now() - t;
    spent += ms;
    best = Math.min(best, ms);
  }
  return best;
}

if (import.meta.main) {
  const [engineName, kernelName, nArg, repeatArg] = Deno.args;
  try {
    const engine = (await loadEngines()).find((e) => e.name === (engineName as EngineName));
    const kernel = loadKernels().find((k) => k.name === kernelName);
    if (engine === undefined || kernel === undefined) {
      throw new Error(`unknown engine ${engineName} or kernel ${kernelName}`);
    }
    if (engine.unavailable !== null) throw new Error(`unavailable: ${engine.unavailable}`);
    const n = Number(nArg);
    const instance = engine.instantiate(kernel.bytes);
    let got = -1;
    const ms = measureRun(
      () => instance.run(kernel.quickN),
      () => (got = instance.run(n)),
      Math.max(1, Number(repeatArg) || 1),
    );
    console.log(JSON.stringify({ ms, got }));
  } catch (e) {
    console.log(JSON.stringify({ error: describeError(e), unsupported: isUnsupported(e) }));
  }
}
