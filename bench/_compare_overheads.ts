/**
 * The "Overheads" section of `compare.ts`: the cost of a host call from wasm
 * and of a wasm call from JS on every engine, and what fuel metering and
 * epoch checks cost Capstan on the `loop` and `fib` kernels (each against the
 * same kernel through the runtime API with both off).
 *
 * @module
 */

import { loadKernels } from "./_kernels.ts";
import { loadMicro, microImports } from "./_micro.ts";
import type { Comparison } from "./_comparison.ts";
import { outcomeMs, outcomeText, perCallText } from "./_compare_outcome.ts";
import { fmtNum, markdownTable, ratio } from "./_report.ts";

/** A call microkernel: its file stem, how it is timed, its row label and failure name. */
interface CallKernel {
  readonly name: string;
  readonly mode: "run" | "jscall";
  readonly label: string;
  readonly what: string;
  readonly imports?: () => object;
}

/** The call microkernels, in table order. */
const CALL_KERNELS: readonly CallKernel[] = [
  {
    name: "host_call",
    mode: "run",
    label: "host call from wasm (ns/call)",
    what: "host call",
    imports: microImports,
  },
  {
    name: "js_call",
    mode: "jscall",
    label: "wasm call from JS (ns/call)",
    what: "wasm call from JS",
  },
];

/** The rows of the fuel and epoch overheads on one kernel. */
function checkOverheadRows(run: Comparison, kernelName: string): string[][] {
  const { quick } = run.options;
  const kernel = loadKernels().find((k) => k.name === kernelName)!;
  const n = quick ? kernel.quickN : kernel.benchN;
  const expect = run.native.instantiate(kernel.bytes).run(n);
  const variant = (setting: "off" | "fuel" | "epochs") =>
    run.timeCell({
      engine: `capstan+${setting}`,
      target: `corpus:${kernel.name}`,
      mode: "run",
      n,
      warmN: kernel.quickN,
    }, expect);
  const off = variant("off");
  run.note(run.capstan, `fuel/epochs off on ${kernel.name}`, off);
  return (["fuel", "epochs"] as const).map((what) => {
    const on = variant(what);
    run.note(run.capstan, `${what} on ${kernel.name}`, on);
    const overhead = ratio(outcomeMs(on), outcomeMs(off));
    return [
      `Capstan ${what} on/off, ${kernel.name} n=${n}`,
      "",
      overhead === null
        ? "n/a"
        : `${fmtNum((overhead - 1) * 100)}% (${outcomeText(on)} vs ${outcomeText(off)} ms)`,
      "",
    ];
  });
}

/**
 * Measures call overheads, fuel and epochs, and writes their table.
 *
 * @param run the comparison run
 * @returns the section's Markdown
 */
export function overheadsSection(run: Comparison): string {
  const rows: string[][] = [];
  for (const call of CALL_KERNELS) {
    const micro = loadMicro(call.name, "");
    const expect = run.native.instantiate(micro.bytes, call.imports?.()).run(micro.n);
    const cells = run.timeEngines(
      { target: `micro:${call.name}`, mode: call.mode, n: micro.n, warmN: 1000 },
      expect,
      call.what,
    );
    rows.push([call.label, ...perCallText(cells, micro.n)]);
  }
  for (const kernelName of ["loop_wat", "fib_wat"]) {
    rows.push(...checkOverheadRows(run, kernelName));
  }
  return "## Overheads\n\n" +
    markdownTable(["what", "native", "Capstan", "polywasm"], rows);
}
