/**
 * `deno task bench:compare`: runs every corpus kernel once per engine
 * (native V8, Capstan, polywasm) at the manifest's `n`, checks each checksum
 * against `kernels.json`, and prints times and ratios with geometric means;
 * then the SIMD kernels (time, ratio, checksum checked against native), the
 * dispatch microkernels (ns per iteration, per wasm operator from Capstan's
 * fuel counter, per VM instruction from its instruction counter), translation
 * speed (MB/s) and call overheads.
 *
 * Flags:
 * - `--quick` (or `CAPSTAN_BENCH_QUICK=1`): tiny `n`, checksums checked against
 *   a native run; finishes in seconds (for CI; its times mean nothing).
 * - `--write`: rewrites `BENCHMARKS.md` (tables, machine, Deno/V8, date,
 *   command), keeping its "History" section.
 * - `--repeat N`: time N runs per cell and keep the fastest (default 1).
 * - `--kernels a,b`: only these kernels; `--no-extras`: kernels table only.
 * - `--processes N`: run each isolated cell in N child processes and keep
 *   the median of their times (default 1).
 * - `--wall`: time with the wall clock instead of the process's CPU time
 *   (the default, far less disturbed by other load on a shared machine).
 * - `--in-process`: time every cell in this process instead of one child
 *   process (fresh isolate) per cell; quick mode always runs in-process.
 *
 * Invariants:
 * - A cell is a measured time, `n/a` (engine unavailable) or `WRONG` (ran but
 *   trapped, threw or computed a wrong checksum); a `WRONG` cell of native or
 *   Capstan makes the exit code 1 (polywasm's are only reported).
 * - Before the timed run each engine is warmed up on a tiny `n`, so native
 *   V8 has tiered up to optimised code and Capstan's dispatch loop is
 *   optimised by V8.
 * - Each table section is one file (`_compare_kernels.ts`, `_compare_simd.ts`,
 *   `_compare_micro.ts`, `_compare_translation.ts`, `_compare_overheads.ts`,
 *   `_compare_profile.ts`), a function of the run's {@link Comparison}; this
 *   file parses the flags, runs the sections in order and writes the report.
 *   Nothing runs on import: {@link main} runs only when this is the main module.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { loadEngines } from "./_engines.ts";
import { QUICK } from "./_kernels.ts";
import { DEFAULT_CLOCK } from "./_cell.ts";
import { type CompareOptions, Comparison } from "./_comparison.ts";
import { kernelsSection } from "./_compare_kernels.ts";
import { simdSection } from "./_compare_simd.ts";
import { microSection } from "./_compare_micro.ts";
import { translationSection } from "./_compare_translation.ts";
import { overheadsSection } from "./_compare_overheads.ts";
import { profileSection } from "./_compare_profile.ts";
import { benchmarksHeader, codeVersion, loadAverage } from "./_compare_header.ts";
import { machineInfo, mergeBenchmarksMd } from "./_report.ts";

/** One table section: measures, then returns its Markdown. */
type Section = (run: Comparison) => string | Promise<string>;

/** The sections after the corpus kernels' table, in report order (skipped by `--no-extras`). */
const EXTRA_SECTIONS: readonly Section[] = [
  simdSection,
  microSection,
  translationSection,
  overheadsSection,
  profileSection,
];

const USAGE = "usage: deno task bench:compare [--quick] [--write] [--repeat N] [--kernels a,b] " +
  "[--no-extras] [--in-process] [--wall] [--processes N]";

/**
 * Parses the command line.
 *
 * @param argv the arguments
 * @returns the run's settings, or `"help"` for `--help`
 */
export function parseCompareArgs(argv: string[]): CompareOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      write: { type: "boolean", default: false },
      repeat: { type: "string", default: "1" },
      kernels: { type: "string" },
      "no-extras": { type: "boolean", default: false },
      "in-process": { type: "boolean", default: false },
      wall: { type: "boolean", default: false },
      processes: { type: "string", default: "1" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const quick = values.quick || QUICK;
  return {
    quick,
    write: values.write,
    repeat: Math.max(1, Number.parseInt(values.repeat ?? "1", 10) || 1),
    processes: Math.max(1, Number.parseInt(values.processes ?? "1", 10) || 1),
    clock: values.wall ? "wall" : DEFAULT_CLOCK,
    isolate: !quick && !values["in-process"],
    only: values.kernels?.split(",").map((s) => s.trim()).filter(Boolean),
    extras: !values["no-extras"],
  };
}

/** Rewrites `BENCHMARKS.md` with `generated` above its kept History section, formatted. */
function writeBenchmarksMd(generated: string): void {
  const path = new URL("../BENCHMARKS.md", import.meta.url).pathname;
  let old: string | null = null;
  try {
    old = Deno.readTextFileSync(path);
  } catch {
    old = null;
  }
  Deno.writeTextFileSync(path, mergeBenchmarksMd(generated, old));
  // Keep the file as `deno fmt --check` wants it (CI checks formatting).
  const fmt = new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path] }).outputSync();
  if (!fmt.success) console.error(`warning: deno fmt ${path} failed`);
  console.log(`wrote ${path}`);
}

/**
 * Runs the comparison: every section in order, printed as it completes, then
 * the header and, with `--write`, `BENCHMARKS.md`.
 *
 * @param argv the command-line arguments
 * @returns the exit code: 1 when a measurement of native V8 or Capstan failed
 */
export async function main(argv: string[] = Deno.args): Promise<number> {
  const options = parseCompareArgs(argv);
  if (options === "help") {
    console.log(USAGE);
    return 0;
  }
  const loadAtStart = loadAverage();
  const engines = await loadEngines();
  for (const e of engines) {
    if (e.unavailable !== null) console.error(`note: ${e.name} unavailable: ${e.unavailable}`);
  }
  const run = new Comparison(options, engines);
  const sections: Section[] = [kernelsSection, ...(options.extras ? EXTRA_SECTIONS : [])];
  const texts: string[] = [];
  for (const section of sections) {
    const text = await section(run);
    console.log(text);
    texts.push(text);
  }

  const m = machineInfo();
  const pinnedCommit = Deno.env.get("CAPSTAN_BENCH_COMMIT");
  const command =
    (pinnedCommit ? `bench/compare_commit.sh ${pinnedCommit}` : "deno task bench:compare") +
    (argv.length ? " " + argv.join(" ") : "");
  const capstan = run.capstan.unavailable;
  const capstanStatus = capstan === null
    ? "runnable"
    : `**not runnable** (${capstan.replaceAll("`", "'")})`;
  const header = benchmarksHeader({
    command,
    when: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
    code: codeVersion(),
    machine: m,
    load: [loadAtStart, loadAverage()],
    capstanStatus,
    clock: options.clock,
  });
  console.log(
    `\n${m.cpu} x${m.cores}, Deno ${m.deno}, V8 ${m.v8}; ${codeVersion()}; Capstan ${capstanStatus}`,
  );
  if (options.write) writeBenchmarksMd(header + "\n" + texts.join("\n"));
  if (run.failures > 0) {
    console.error(`${run.failures} failed measurement(s)`);
    return 1;
  }
  return 0;
}

if (import.meta.main) {
  const code = await main();
  if (code !== 0) Deno.exit(code);
}
