/**
 * The "SIMD kernels" section of `compare.ts`: the SIMD kernels of
 * `bench/kernels/simd_*.wat` (also `simd_bench.ts`'s), timed as the corpus
 * kernels are, with each engine's result checked against native's checksum
 * for the same `n`.
 *
 * @module
 */

import type { Engine } from "./_engines.ts";
import { loadMicro } from "./_micro.ts";
import { type Comparison, RUN_TABLE_HEADERS } from "./_comparison.ts";
import { type Outcome, outcomeMs, outcomeText } from "./_compare_outcome.ts";
import { fmtRatio, markdownTable, ratio } from "./_report.ts";

/** The SIMD kernels: file stem, what one pass does, passes per timed run (native: a few ms). */
const SIMD_KERNELS: ReadonlyArray<readonly [name: string, what: string, n: number]> = [
  ["simd_dot", "1024 x (2 v128.load, f32x4.mul/add, i32x4.trunc_sat/add)", 5000],
  [
    "simd_bytecount",
    "8 x 1024 x (load, eq, and, 2 extadd_pairwise, add, shl, shuffle, bitmask)",
    200,
  ],
];

/** Passes per SIMD run in quick mode, and the warm-up size. */
const SIMD_QUICK_N = 1;

/** A SIMD cell's text: polywasm's `n/a` says why (it has no SIMD). */
function simdCellText(engine: Engine, c: Outcome): string {
  if (c.kind === "na" && engine.name === "polywasm") return "n/a (no SIMD)";
  return outcomeText(c);
}

/**
 * Measures the SIMD kernels and writes their table.
 *
 * @param run the comparison run
 * @returns the section's Markdown
 */
export function simdSection(run: Comparison): string {
  const { quick } = run.options;
  const rows: string[][] = [];
  for (const [name, what, fullN] of SIMD_KERNELS) {
    const n = quick ? SIMD_QUICK_N : fullN;
    const expect = run.native.instantiate(loadMicro(name, "").bytes).run(n);
    const cells = run.timeEngines(
      { target: `micro:${name}`, mode: "run", n, warmN: SIMD_QUICK_N },
      expect,
      `simd ${name}`,
    );
    const [tn, tc] = cells.map(outcomeMs);
    rows.push([
      name,
      String(n),
      ...cells.map((c, i) => simdCellText(run.engines[i], c)),
      fmtRatio(ratio(tc, tn)),
      String(expect >>> 0),
      what,
    ]);
    run.logCells(name, cells);
  }
  return "## SIMD kernels (`bench/kernels/simd_*.wat`)\n\n" +
    run.runTimeCaption() +
    "each engine's result checked against native's checksum for the same n" +
    (quick ? " (quick mode, tiny n)" : "") +
    ". polywasm has no SIMD support.\n\n" +
    markdownTable(
      [
        ...RUN_TABLE_HEADERS,
        "checksum",
        "one pass of run(n)",
      ],
      rows,
    );
}
