/**
 * The "Execution: corpus kernels" section of `compare.ts`: every corpus
 * kernel once per engine at the manifest's `n` (a tiny `n` in quick mode),
 * times, ratios between the engines and their geometric means.
 *
 * Invariants:
 * - Each checksum is checked against `kernels.json` (against a native run at
 *   the tiny `n` in quick mode).
 * - A geomean covers the kernels where both engines produced a checked
 *   result; their count is shown when fewer than all.
 *
 * @module
 */

import { loadKernels } from "./_kernels.ts";
import { type Comparison, RUN_TABLE_HEADERS } from "./_comparison.ts";
import { outcomeMs, outcomeText, rangeText } from "./_compare_outcome.ts";
import { fmtRatio, geomean, markdownTable, ratio } from "./_report.ts";

/**
 * Measures the corpus kernels and writes their table.
 *
 * @param run the comparison run
 * @returns the section's Markdown
 */
export function kernelsSection(run: Comparison): string {
  const { quick, only, processes, isolate } = run.options;
  const showRange = processes > 1 && isolate;
  const kernels = loadKernels().filter((k) => only === undefined || only.includes(k.name));
  const rows: string[][] = [];
  const cn: (number | null)[] = [];
  const cp: (number | null)[] = [];
  const pn: (number | null)[] = [];
  for (const kernel of kernels) {
    const n = quick ? kernel.quickN : kernel.n;
    const expect = quick ? run.native.instantiate(kernel.bytes).run(n) : kernel.expect;
    const target = `corpus:${kernel.name}`;
    const cells = run.timeEngines(
      { target, mode: "run", n, warmN: kernel.quickN },
      expect,
      kernel.name,
    );
    const [tn, tc, tp] = cells.map(outcomeMs);
    const r = [ratio(tc, tn), ratio(tc, tp), ratio(tp, tn)];
    cn.push(r[0]);
    cp.push(r[1]);
    pn.push(r[2]);
    const row = [kernel.name, String(n), ...cells.map((c) => outcomeText(c)), ...r.map(fmtRatio)];
    if (showRange) row.push(rangeText(cells[1]));
    rows.push(row);
    run.logCells(kernel.name, cells);
  }
  const means = [geomean(cn), geomean(cp), geomean(pn)];
  rows.push([
    "**geomean**",
    "",
    "",
    "",
    "",
    ...means.map((g) => `${fmtRatio(g.mean)}${g.count < kernels.length ? ` (${g.count})` : ""}`),
    ...(showRange ? [""] : []),
  ]);
  return "## Execution: corpus kernels\n\n" +
    run.runTimeCaption() +
    "checksum checked " +
    (quick ? "against native (quick mode, tiny n).\n\n" : "against `kernels.json`.\n\n") +
    markdownTable(
      [
        ...RUN_TABLE_HEADERS,
        "Capstan/polywasm",
        "polywasm/native",
        ...(showRange ? ["Capstan range ms"] : []),
      ],
      rows,
    ) +
    (showRange
      ? "\nCapstan range: the fastest and slowest of its processes' times (repeatability).\n"
      : "");
}
