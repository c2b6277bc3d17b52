/**
 * The dispatch microkernels of `bench/kernels/`: small hand-written `.wat`
 * loops, each stressing one kind of instruction, built to `.wasm` by
 * `bench/kernels/build.sh` (wabt's `wat2wasm`).
 *
 * Invariants:
 * - Every kernel exports `run(n: i32) -> i32`, runs its loop body exactly `n`
 *   times, and returns a checksum; the reference checksum is a native run.
 * - `host_call` imports `env.step`; {@link microImports} supplies it, computing
 *   the same function as `js_call`'s exported `step`.
 *
 * @module
 */

import { QUICK } from "./_kernels.ts";

/** One microkernel. */
export interface MicroKernel {
  /** File stem under `bench/kernels/` (`"i32_alu"`). */
  readonly name: string;
  /** What one loop iteration does. */
  readonly what: string;
  /** The module's bytes. */
  readonly bytes: Uint8Array;
  /** Loop iterations per timed run (tiny in quick mode). */
  readonly n: number;
}

/** Directory of the microkernels (`bench/kernels/`). */
export const MICRO_DIR: string = new URL("./kernels/", import.meta.url).pathname;

const MICRO: ReadonlyArray<readonly [name: string, what: string]> = [
  ["empty_loop", "counter add + compare + br_if"],
  ["i32_alu", "dependent i32 chain: mul, add, rotl, xor, shr_u, sub, shl, or, and"],
  ["call_direct", "one direct call to a 4-op leaf function"],
  ["call_indirect", "one call_indirect through a 4-entry table"],
  ["br_table", "one 8-way br_table on a pseudo-random value"],
  ["mem", "2 i32.load, 1 i32.store, 1 i32.load8_u, 1 i32.store8"],
  ["i64_alu", "dependent i64 chain: mul, add, extend, xor, shr_u, rotl"],
  ["f64_alu", "f64 mul, add, div, sqrt, convert_i32_u"],
  ["tail_call", "one return_call between two mutually recursive functions"],
];

/** Iterations per timed run outside quick mode (native: about 1-15 ms). */
const BENCH_ITERATIONS = 1_000_000;

/** Iterations per run in quick mode. */
const QUICK_ITERATIONS = 1_000;

/**
 * Loads the dispatch microkernels (not `host_call`/`js_call`, which measure
 * call overheads).
 *
 * @returns the kernels in a fixed order
 * @example
 * ```ts
 * import { loadMicroKernels } from "./_micro.ts";
 * if (loadMicroKernels().length !== 8) throw new Error();
 * ```
 */
export function loadMicroKernels(): MicroKernel[] {
  return MICRO.map(([name, what]) => loadMicro(name, what));
}

/**
 * Loads one module of `bench/kernels/` by name.
 *
 * @param name file stem (`"host_call"`)
 * @param what a description
 * @returns the kernel with its bytes and iteration count
 */
export function loadMicro(name: string, what: string): MicroKernel {
  return {
    name,
    what,
    bytes: Deno.readFileSync(`${MICRO_DIR}${name}.wasm`),
    n: QUICK ? QUICK_ITERATIONS : BENCH_ITERATIONS,
  };
}

/**
 * The host function `env.step(x, i)` imported by `host_call.wasm`:
 * `((x ^ i) * 3 + 1) mod 2^32`, the same as `js_call`'s exported `step`.
 */
export function hostStep(x: number, i: number): number {
  return (Math.imul(x ^ i, 3) + 1) | 0;
}

/** The imports the microkernels need. */
export function microImports(): { env: { step: (x: number, i: number) => number } } {
  return { env: { step: hostStep } };
}
