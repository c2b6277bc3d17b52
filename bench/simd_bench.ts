/**
 * SIMD execution (engineer G): the SIMD kernels of `bench/kernels/`
 * (`simd_dot`: an f32x4 dot product with an i32x4 side sum over 2 x 4096
 * floats; `simd_bytecount`: a byte histogram with i8x16.eq, extadd_pairwise,
 * shuffle and bitmask over 16 KiB), each `run(n)` on native V8 (baseline),
 * Capstan and polywasm (which reports SIMD as unsupported).
 *
 * Invariants:
 * - Checksums are checked against a native run before timing and on every
 *   iteration; a wrong checksum fails the run.
 * - v128 never crosses the JS boundary: the kernels take and return i32.
 *
 * Run: `deno bench -A bench/simd_bench.ts`
 *
 * @module
 */

import { loadEngines } from "./_engines.ts";
import { QUICK } from "./_kernels.ts";
import { MICRO_DIR } from "./_micro.ts";
import { registerRunBenches } from "./_bench_util.ts";

/** The SIMD kernels: file stem, what one pass does, passes per timed run. */
const KERNELS: ReadonlyArray<readonly [name: string, what: string, n: number]> = [
  ["simd_dot", "1024 x (2 v128.load, f32x4.mul/add, i32x4.trunc_sat/add)", 200],
  [
    "simd_bytecount",
    "8 x 1024 x (load, eq, and, 2 extadd_pairwise, add, shl, shuffle, bitmask)",
    10,
  ],
];

const engines = await loadEngines();
const native = engines[0];

for (const [name, what, fullN] of KERNELS) {
  const bytes = Deno.readFileSync(`${MICRO_DIR}${name}.wasm`);
  const n = QUICK ? 1 : fullN;
  const expect = native.instantiate(bytes).run(n);
  const group = `simd ${name} (n=${n}: ${what})`;
  registerRunBenches(group, engines, bytes, n, expect);
}
