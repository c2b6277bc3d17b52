/**
 * V8 natives syntax for the tests that check how V8 optimises the dispatch
 * loop (`dispatch_opt_test.ts`, `tier_test.ts`). The natives exist only when
 * Deno runs with `--v8-flags=--allow-natives-syntax`; without it each is
 * `undefined`, and those tests are reported as ignored, not passed.
 *
 * @module
 */

/**
 * A function running `body` with natives syntax, its argument named `f`.
 *
 * @param body a function body, e.g. `"return %GetOptimizationStatus(f)"`
 * @returns the function, or undefined without the flag
 */
export function native(body: string): ((f?: unknown) => number) | undefined {
  try {
    return new Function("f", body) as (f?: unknown) => number;
  } catch {
    return undefined;
  }
}

/** `%GetOptimizationStatus(f)`, or undefined without the flag. */
export const optimizationStatus = native("return %GetOptimizationStatus(f)");

/**
 * The status bits of a function TurboFan has compiled, measured on a probe
 * (the bit layout of `%GetOptimizationStatus` changes between V8 versions).
 * Call it only when {@link optimizationStatus} exists.
 *
 * @returns the probe's status
 */
export function turbofanBits(): number {
  const probe = new Function("x", "return x * 2 + 1") as (x: number) => number;
  native("%PrepareFunctionForOptimization(f)")!(probe);
  probe(1);
  probe(2);
  native("%OptimizeFunctionOnNextCall(f)")!(probe);
  probe(3);
  return optimizationStatus!(probe);
}
