/**
 * Helpers shared by the `*_bench.ts` files: iteration budgets for slow
 * engines, quick-mode settings, and registering a bench that reports an
 * engine's unavailability or wrong result instead of timing it.
 *
 * Invariants:
 * - A bench whose engine is unavailable is registered with `ignore: true` and
 *   the reason in its name (and printed once to stderr, since `deno bench`
 *   hides ignored cases): it never shows up as a time.
 * - A bench whose engine computes a wrong checksum, traps or throws is
 *   registered so that it throws: `deno bench` fails, because a fast wrong
 *   answer is a bug. An error that says the feature is unsupported
 *   ({@link isUnsupported}) is reported like an unavailable engine.
 *
 * @module
 */

import { QUICK } from "./_kernels.ts";
import type { Engine } from "./_engines.ts";

/** Settings for `Deno.bench` that bound the wall time of one bench case. */
export interface IterationSettings {
  /** Iterations to measure (undefined: let `deno bench` decide). */
  n?: number;
  /** Warm-up iterations. */
  warmup?: number;
}

/**
 * Chooses iteration counts so a case whose single run takes `sampleMs`
 * costs about `budgetMs` in total; fast cases are left to `deno bench`.
 *
 * @param sampleMs time of one run, measured once before registering
 * @param budgetMs wall-time budget for the case
 * @returns the `n`/`warmup` options to spread into `Deno.bench`
 * @example
 * ```ts
 * import { iterationsFor } from "./_bench_util.ts";
 * const s = iterationsFor(400, 2000);
 * if (s.n !== 5) throw new Error(String(s.n));
 * ```
 */
export function iterationsFor(sampleMs: number, budgetMs = 2000): IterationSettings {
  if (QUICK) return { n: 1, warmup: 1 };
  if (sampleMs < 20) return {};
  return { n: Math.max(3, Math.round(budgetMs / sampleMs)), warmup: 1 };
}

/**
 * Times one call of `fn` in milliseconds.
 *
 * @returns the elapsed time and the value `fn` returned
 */
export function timeOnce<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

/**
 * Whether an error says a feature is not supported ("unsupported", "not yet
 * supported", "not implemented") rather than that something went wrong: such
 * cases are reported as unavailable, not failed.
 *
 * @example
 * ```ts
 * import { isUnsupported } from "./_bench_util.ts";
 * if (!isUnsupported(new Error("unsupported operator v128.const"))) throw new Error();
 * if (isUnsupported(new Error("checksum 1, expected 2"))) throw new Error();
 * ```
 */
export function isUnsupported(e: unknown): boolean {
  const text = e instanceof Error ? e.message : String(e);
  return /\bunsupported\b|\bnot (yet )?supported\b|\bnot implemented\b/i.test(text);
}

/** The first line of an error, for bench names and tables. */
export function describeError(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.split("\n")[0].slice(0, 160);
}

const announced = new Set<string>();

/**
 * Registers a bench case that cannot be timed: ignored when the engine is
 * unavailable, failing when it ran but went wrong.
 *
 * @param group the bench group
 * @param engine the engine that could not be measured
 * @param problem what went wrong (an unavailability reason or an error)
 * @param failed true when the engine ran and produced an error or a wrong result
 */
export function registerProblem(
  group: string,
  engine: Engine,
  problem: string,
  failed: boolean,
): void {
  if (!failed) {
    const key = `${engine.name}\n${problem}`;
    if (!announced.has(key)) {
      announced.add(key);
      console.error(`note: ${engine.name} cannot run (${problem}); those benches are ignored`);
    }
    Deno.bench({
      name: `${engine.name} [unavailable: ${problem}]`,
      group,
      ignore: true,
      fn() {},
    });
    return;
  }
  Deno.bench({
    name: `${engine.name} [FAILED]`,
    group,
    n: 1,
    warmup: 0,
    fn() {
      throw new Error(`${engine.name} in ${group}: ${problem}`);
    },
  });
}

/**
 * Registers one `run(n)` bench per engine in `group`, native as the baseline:
 * each engine is instantiated and its `run(n)` checked once against `expect`
 * (a wrong checksum or an error registers a failing case, an unsupported
 * feature an ignored one), and every timed iteration checks it again.
 *
 * @param group the bench group
 * @param engines the engines, native first
 * @param bytes the module
 * @param n the argument of `run`
 * @param expect native's `run(n)`
 * @param imports the module's imports, if any
 */
export function registerRunBenches(
  group: string,
  engines: readonly Engine[],
  bytes: Uint8Array,
  n: number,
  expect: number,
  imports?: object,
): void {
  for (const engine of engines) {
    if (engine.unavailable !== null) {
      registerProblem(group, engine, engine.unavailable, false);
      continue;
    }
    let run: (n: number) => number;
    let sampleMs: number;
    try {
      run = engine.instantiate(bytes, imports).run;
      const sample = timeOnce(() => run(n));
      if (sample.value !== expect) {
        registerProblem(group, engine, `checksum ${sample.value}, native ${expect}`, true);
        continue;
      }
      sampleMs = sample.ms;
    } catch (e) {
      registerProblem(group, engine, describeError(e), !isUnsupported(e));
      continue;
    }
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
