/**
 * The "Capstan dynamic opcode profile" section of `compare.ts`: for each
 * corpus kernel at its tiny `n`, the bytecode ops and adjacent pairs Capstan
 * executes most (`opcode_profile.ts`), and their shares averaged over the
 * kernels: the candidates for super-instructions.
 *
 * Invariants:
 * - Counts are exact: each straight-line segment is counted by its own run
 *   with the VM's instruction counter, and the per-segment counts must add up
 *   to the whole run's count (a mismatch shows in the table).
 * - A kernel the profiler fails on is a failure of the run.
 *
 * @module
 */

import { loadKernels } from "./_kernels.ts";
import { describeError } from "./_bench_util.ts";
import type { Comparison } from "./_comparison.ts";
import type { OpcodeProfile } from "./opcode_profile.ts";
import { fmtNum, markdownTable } from "./_report.ts";

/** `@capstan/runtime`, a variable so the profiler's import stays dynamic. */
const CAPSTAN_RUNTIME_SPECIFIER = "@capstan/runtime";

/** The profile tables, or `n/a` with the reason the profiler failed. */
async function profileTables(run: Comparison): Promise<string> {
  const { only } = run.options;
  try {
    const profiler = await import("./opcode_profile.ts");
    const runtime = await import(CAPSTAN_RUNTIME_SPECIFIER);
    const profiles: OpcodeProfile[] = [];
    const rows: string[][] = [];
    for (const kernel of loadKernels().filter((k) => only === undefined || only.includes(k.name))) {
      const n = kernel.quickN;
      const expect = run.native.instantiate(kernel.bytes).run(n);
      try {
        const p = profiler.profileKernel(runtime, kernel.bytes, n, expect);
        profiles.push(p);
        const head = profiler.topEntries(p.ops, 4)
          .map(([k, c]) => `${k} ${fmtNum((100 * c) / p.total)}%`).join(", ");
        const pairs = profiler.topEntries(p.pairs, 3)
          .map(([k, c]) => `${k} ${fmtNum((100 * c) / p.total)}%`).join(", ");
        const check = p.reconstructed === p.total ? "exact" : `MISMATCH (${p.reconstructed})`;
        rows.push([kernel.name, String(n), fmtNum(p.total), check, head, pairs]);
      } catch (e) {
        run.fail(`profile ${kernel.name}: ${describeError(e)}`);
        rows.push([kernel.name, String(n), "n/a", "WRONG", describeError(e), ""]);
      }
    }
    const share = (pick: "ops" | "pairs") =>
      markdownTable(
        [pick === "ops" ? "op" : "pair", "mean share %"],
        profiler.meanShares(profiles, pick).slice(0, 25).map((
          [k, v],
        ) => [`\`${k}\``, fmtNum(100 * v)]),
      );
    const headers = ["kernel", "n", "VM instrs", "segments check", "top ops", "top pairs"];
    return markdownTable(headers, rows) +
      `\nTop ops:\n\n${share("ops")}\nTop adjacent pairs:\n\n${share("pairs")}`;
  } catch (e) {
    return `n/a: profiler failed: ${describeError(e)}\n`;
  }
}

/**
 * Profiles Capstan's execution of the corpus kernels and writes the tables.
 *
 * @param run the comparison run
 * @returns the section's Markdown
 */
export async function profileSection(run: Comparison): Promise<string> {
  const text = run.capstan.unavailable !== null
    ? "n/a: Capstan cannot run here.\n"
    : await profileTables(run);
  return "## Capstan dynamic opcode profile (super-instruction candidates)\n\n" +
    "From `bench/opcode_profile.ts`: each kernel at its tiny n, compiled with the VM's " +
    "instruction counter; per-segment execution counts come from the counter (one run per " +
    "straight-line segment with only that segment counted), so the counts are exact. Shares " +
    "are averaged over kernels (each kernel weighs the same). Pairs are adjacent bytecode " +
    "ops inside a segment; pairs across a taken branch are not seen.\n\n" + text;
}
