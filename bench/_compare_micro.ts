/**
 * The "Dispatch microkernels" section of `compare.ts`: ns per loop iteration
 * of each `bench/kernels/*.wat` microkernel, and per executed instruction,
 * counted two ways from Capstan: wasm operators (its fuel counter) and VM
 * instructions (its instruction counter).
 *
 * Invariants:
 * - Both counts are counted by a run at the timed `n`, never estimated; a
 *   count that cannot be taken shows `n/a`.
 *
 * @module
 */

import { loadMicroKernels, microImports } from "./_micro.ts";
import { describeError } from "./_bench_util.ts";
import type { Comparison } from "./_comparison.ts";
import { outcomeMs } from "./_compare_outcome.ts";
import { fmtNum, fmtRatio, markdownTable, ratio } from "./_report.ts";

/** A counting hook of Capstan's engine: runs `run(n)` and returns what it counted. */
type CountingHook = (bytes: Uint8Array, n: number, expect: number) => number;

/** Runs one of Capstan's counting hooks; `null` (with a note) when it is absent or fails. */
function countWith(
  run: Comparison,
  hook: CountingHook | undefined,
  bytes: Uint8Array,
  n: number,
  expect: number,
): number | null {
  if (run.capstan.unavailable !== null || hook === undefined) return null;
  try {
    return hook(bytes, n, expect);
  } catch (e) {
    console.error(`note: counting run failed: ${describeError(e)}`);
    return null;
  }
}

/** Nanoseconds per unit: `t` ms over `k` units. */
function nsPer(t: number | null, k: number | null): number | null {
  return t === null || k === null ? null : (t * 1e6) / k;
}

/**
 * Measures the dispatch microkernels and writes their table.
 *
 * @param run the comparison run
 * @returns the section's Markdown
 */
export function microSection(run: Comparison): string {
  const { hooks } = run.capstan;
  const rows: string[][] = [];
  for (const micro of loadMicroKernels()) {
    const n = micro.n;
    const expect = run.native.instantiate(micro.bytes, microImports()).run(n);
    const cells = run.timeEngines(
      { target: `micro:${micro.name}`, mode: "run", n, warmN: 1000 },
      expect,
      `dispatch ${micro.name}`,
    );
    const count = countWith(run, hooks.countInstructions, micro.bytes, n, expect);
    const ops = countWith(run, hooks.countWasmOperators, micro.bytes, n, expect);
    const [tn, tc, tp] = cells.map(outcomeMs);
    rows.push([
      micro.name,
      fmtNum(nsPer(tn, n)),
      fmtNum(nsPer(tc, n)),
      fmtNum(nsPer(tp, n)),
      ops === null ? "n/a" : fmtNum(ops / n),
      fmtNum(nsPer(tn, ops)),
      fmtNum(nsPer(tc, ops)),
      count === null ? "n/a" : fmtNum(count / n),
      fmtNum(nsPer(tc, count)),
      fmtRatio(ratio(tc, tn)),
      micro.what,
    ]);
  }
  return "## Dispatch microkernels (`bench/kernels/*.wat`)\n\n" +
    "ns per loop iteration, and per executed instruction. Wasm ops/iter is what one iteration " +
    "executes in wasm operators, read from Capstan's fuel counter (wasmtime's rule: `nop`, " +
    "`drop`, `block`, `loop`, `end`, `else` are free); VM instrs/iter is what Capstan's " +
    "bytecode executes for them, read from its instruction counter (super-instructions make " +
    "it smaller). Both are counted, never estimated.\n\n" +
    markdownTable(
      [
        "kernel",
        "native ns/iter",
        "Capstan ns/iter",
        "polywasm ns/iter",
        "wasm ops/iter",
        "native ns/wasm op",
        "Capstan ns/wasm op",
        "VM instrs/iter",
        "Capstan ns/VM instr",
        "Capstan/native",
        "loop body",
      ],
      rows,
    );
}
