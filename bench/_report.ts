/**
 * Pure formatting for the comparison harness: ratios, geometric means,
 * Markdown tables, the machine description, and rewriting `BENCHMARKS.md`
 * while keeping its "History" section.
 *
 * Invariants:
 * - A missing measurement is `null` and prints as `n/a`; no function here
 *   invents a number for it, and ratios involving it are `null` too.
 * - {@link mergeBenchmarksMd} keeps everything from the `## History` heading
 *   to the end of the old file byte for byte.
 *
 * @module
 */

/** The heading that starts the preserved section of `BENCHMARKS.md`. */
export const HISTORY_HEADING = "## History";

/**
 * `a / b`, or `null` when either is missing or `b` is not positive.
 *
 * @example
 * ```ts
 * import { ratio } from "./_report.ts";
 * if (ratio(6, 3) !== 2 || ratio(null, 3) !== null) throw new Error();
 * ```
 */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !(b > 0) || !(a >= 0)) return null;
  return a / b;
}

/**
 * The geometric mean of the present, positive values.
 *
 * @param values ratios, some possibly `null`
 * @returns the geometric mean and how many values went into it (`null`
 *   mean when none did)
 * @example
 * ```ts
 * import { geomean } from "./_report.ts";
 * const g = geomean([2, 8, null]);
 * if (Math.abs(g.mean! - 4) > 1e-12 || g.count !== 2) throw new Error();
 * ```
 */
export function geomean(values: ReadonlyArray<number | null>): {
  mean: number | null;
  count: number;
} {
  let logSum = 0;
  let count = 0;
  for (const v of values) {
    if (v === null || !(v > 0) || !Number.isFinite(v)) continue;
    logSum += Math.log(v);
    count++;
  }
  return { mean: count === 0 ? null : Math.exp(logSum / count), count };
}

/**
 * Formats a number with a precision that suits its size, or `n/a`.
 *
 * @example
 * ```ts
 * import { fmtNum } from "./_report.ts";
 * if (fmtNum(null) !== "n/a" || fmtNum(12.345) !== "12.3") throw new Error(fmtNum(12.345));
 * ```
 */
export function fmtNum(value: number | null, digits = 3): string {
  if (value === null || !Number.isFinite(value)) return "n/a";
  if (value === 0) return "0";
  const abs = Math.abs(value);
  if (abs >= 10 ** digits) return Math.round(value).toLocaleString("en-US");
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(abs)));
  return value.toFixed(decimals);
}

/** Formats a ratio as `12.3x`, or `n/a`. */
export function fmtRatio(value: number | null): string {
  return value === null ? "n/a" : `${fmtNum(value)}x`;
}

const NUMERIC_CELL = /^(?:[-+]?[\d.,]+(?:x|%)?|n\/a|WRONG)(?: \(\d+\))?$/;

/**
 * Renders a Markdown table. Columns whose non-empty cells are all numbers
 * (or `n/a`) are right-aligned, the others left-aligned.
 *
 * @param headers column headers
 * @param rows cells, already formatted
 * @returns the table, one line per row, ending with a newline
 * @example
 * ```ts
 * import { markdownTable } from "./_report.ts";
 * const t = markdownTable(["a", "b"], [["x", "1"]]);
 * if (!t.startsWith("| a | b |")) throw new Error(t);
 * ```
 */
export function markdownTable(headers: readonly string[], rows: readonly string[][]): string {
  const numeric = headers.map((_, c) => {
    const cells = rows.map((r) => r[c] ?? "").filter((cell) => cell !== "");
    return cells.length > 0 && cells.every((cell) => NUMERIC_CELL.test(cell));
  });
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const rule = headers.map((_, c) => (numeric[c] ? "---:" : "---"));
  return [line(headers), line(rule), ...rows.map(line)].join("\n") + "\n";
}

/** The machine and runtime a report was measured on. */
export interface MachineInfo {
  /** CPU model name from `/proc/cpuinfo` (or `unknown`). */
  readonly cpu: string;
  /** Logical cores. */
  readonly cores: number;
  /** Deno version. */
  readonly deno: string;
  /** V8 version. */
  readonly v8: string;
  /** OS and architecture. */
  readonly os: string;
}

/**
 * Describes this machine: CPU model and logical core count from
 * `/proc/cpuinfo` when readable, and the Deno/V8 versions.
 *
 * @returns the description
 */
export function machineInfo(): MachineInfo {
  let cpu = "unknown";
  let cores = navigator.hardwareConcurrency;
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    const model = text.match(/^model name\s*:\s*(.+)$/m);
    if (model) cpu = model[1].trim();
    const processors = text.match(/^processor\s*:/gm);
    if (processors) cores = processors.length;
  } catch {
    // Not Linux, or no permission: keep the defaults.
  }
  return {
    cpu,
    cores,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    os: `${Deno.build.os} ${Deno.build.arch}`,
  };
}

/**
 * Builds the new `BENCHMARKS.md`: the freshly generated body, then the
 * "History" section of the old file unchanged (or an empty one).
 *
 * @param generated the new text above the history (ends with a newline)
 * @param old the previous file, or `null` if there was none
 * @returns the full file
 * @example
 * ```ts
 * import { mergeBenchmarksMd } from "./_report.ts";
 * const out = mergeBenchmarksMd("# New\n", "# Old\n\n## History\n\n- kept\n");
 * if (!out.endsWith("## History\n\n- kept\n") || !out.startsWith("# New")) throw new Error(out);
 * ```
 */
export function mergeBenchmarksMd(generated: string, old: string | null): string {
  const at = old === null ? -1 : findHistory(old);
  const history = at >= 0 ? old!.slice(at) : `${HISTORY_HEADING}\n\n${HISTORY_INTRO}`;
  return `${generated.trimEnd()}\n\n${history}`;
}

/** The text a new History section starts with. */
export const HISTORY_INTRO =
  "Before/after figures of each performance change, newest last. Whoever makes the change\n" +
  "appends an entry: date, commit, what changed, the command, and the figures before and after\n" +
  "(same machine, same command). `deno task bench:compare --write` keeps this section.\n";

function findHistory(text: string): number {
  const re = new RegExp(`^${HISTORY_HEADING}\\s*$`, "m");
  const m = re.exec(text);
  return m === null ? -1 : m.index;
}
