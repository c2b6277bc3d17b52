/**
 * The outcome of one measured cell of `compare.ts` and how a table shows it.
 *
 * Invariants:
 * - An outcome is a measured time (`ok`), `n/a` (`na`: the engine is
 *   unavailable or lacks a feature) or `WRONG` (`bad`: the engine ran but
 *   trapped, threw or computed a wrong checksum).
 * - Nothing here measures or reports: these are pure functions of outcomes.
 *
 * @module
 */

import { describeError, isUnsupported } from "./_bench_util.ts";
import { fmtNum } from "./_report.ts";

/** One measured cell: a time, or why there is none. */
export type Outcome =
  | { kind: "ok"; ms: number; range?: readonly [min: number, max: number] }
  | { kind: "na"; why: string }
  | { kind: "bad"; why: string };

/**
 * The outcome for an error: `n/a` when the feature is unsupported, else a failure.
 *
 * @param e what was thrown
 * @returns an `na` or `bad` outcome carrying the error's description
 */
export function errorOutcome(e: unknown): Outcome {
  return isUnsupported(e)
    ? { kind: "na", why: describeError(e) }
    : { kind: "bad", why: describeError(e) };
}

/**
 * The time of an outcome.
 *
 * @param c an outcome
 * @returns its time in ms, or `null` when it has none
 */
export function outcomeMs(c: Outcome): number | null {
  return c.kind === "ok" ? c.ms : null;
}

/**
 * An outcome as a table cell.
 *
 * @param c an outcome
 * @param digits significant digits of a time
 * @returns the time, `n/a` or `WRONG`
 * @example
 * ```ts
 * import { outcomeText } from "./_compare_outcome.ts";
 * if (outcomeText({ kind: "na", why: "no SIMD" }) !== "n/a") throw new Error();
 * ```
 */
export function outcomeText(c: Outcome, digits = 3): string {
  if (c.kind === "ok") return fmtNum(c.ms, digits);
  if (c.kind === "na") return "n/a";
  return "WRONG";
}

/**
 * The min–max of an outcome's per-process times.
 *
 * @param c an outcome
 * @returns `min–max`, or an empty string when it has no range
 */
export function rangeText(c: Outcome): string {
  if (c.kind !== "ok" || c.range === undefined) return "";
  return `${fmtNum(c.range[0], 3)}–${fmtNum(c.range[1], 3)}`;
}

/**
 * Nanoseconds per call of each outcome.
 *
 * @param cells outcomes of `n` calls each
 * @param n the calls each outcome timed
 * @returns one table cell per outcome (`n/a` without a time)
 */
export function perCallText(cells: readonly Outcome[], n: number): string[] {
  return cells.map((c) => fmtNum(c.kind === "ok" ? (c.ms * 1e6) / n : null));
}

/**
 * The median of a non-empty list (the lower middle for an even count).
 *
 * @param values the numbers
 * @returns their median
 * @example
 * ```ts
 * import { median } from "./_compare_outcome.ts";
 * if (median([3, 1, 2, 4]) !== 2) throw new Error();
 * ```
 */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}
