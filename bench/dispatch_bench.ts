/**
 * Dispatch cost: one group per microkernel of `bench/kernels/` (empty loop,
 * dependent i32 ALU chain, direct and indirect calls, br_table, loads and
 * stores, i64 and f64 arithmetic), each `run(n)` on native V8 (baseline),
 * Capstan and polywasm.
 *
 * Invariants:
 * - Checksums are checked against a native run before timing and on every
 *   iteration.
 * - The group name carries what one Capstan `run(n)` executes, read from its
 *   counters (never estimated): wasm operators (the fuel counter, wasmtime's
 *   rule) and VM instructions; ns per instruction = time / that count.
 *   `deno task bench:compare` prints those divisions as a table.
 *
 * Run: `deno bench -A bench/dispatch_bench.ts`
 *
 * @module
 */

import { loadEngines } from "./_engines.ts";
import { loadMicroKernels, microImports } from "./_micro.ts";
import { describeError, registerRunBenches } from "./_bench_util.ts";

const engines = await loadEngines();
const native = engines[0];
const capstan = engines.find((e) => e.name === "capstan")!;

/**
 * What one Capstan `run(n)` executes, read from its counters: wasm operators
 * (fuel) and VM instructions; or a note why unknown.
 */
function countLabel(bytes: Uint8Array, n: number, expect: number): string {
  const { countWasmOperators, countInstructions } = capstan.hooks;
  if (capstan.unavailable !== null || countInstructions === undefined) return "counts n/a";
  try {
    const ops = countWasmOperators === undefined ? "n/a" : countWasmOperators(bytes, n, expect);
    return `${ops} wasm ops, ${countInstructions(bytes, n, expect)} VM instrs`;
  } catch (e) {
    return `count failed: ${describeError(e)}`;
  }
}

for (const kernel of loadMicroKernels()) {
  const n = kernel.n;
  const expect = native.instantiate(kernel.bytes, microImports()).run(n);
  const group = `dispatch ${kernel.name} (n=${n}, ${countLabel(kernel.bytes, n, expect)})`;
  registerRunBenches(group, engines, kernel.bytes, n, expect, microImports());
}
