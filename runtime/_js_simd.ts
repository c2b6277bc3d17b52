/**
 * The SIMD helpers of JS-tier code (`H.simd` in the generated source; see
 * `@capstan/codegen`'s `_js_simd.ts`): the VM's v128 file, where JS-tier
 * frames keep their v128 registers as the interpreter's frames do, and the
 * interpreter's own lane functions for the ops the JS backend does not
 * write out, so those give the interpreter's results by construction.
 *
 * Invariants:
 * - `q32`/`qf`/`qd` are one scratch buffer shared by all generated code: an
 *   op writes it and reads it back within its own statements, calling
 *   nothing that uses it in between.
 * - `file(vm)` is the VM's one v128 file (allocated on first use, then
 *   never replaced), so views bound from it stay valid.
 * - Every function takes vector indices of that file (`sp + r`) and the
 *   instance's memory, exactly as `runSimd` calls it.
 *
 * @module
 */

import {
  simdBinary,
  simdLoad,
  simdLoadLane,
  simdShift,
  simdStore,
  simdTest,
  simdUnary,
  type V128File,
  v128Registers,
  type Vm,
} from "@capstan/interpreter";

/** The scratch words float lanes pass through (`Q32`, with `QF` and `QD` over them). */
const Q32 = new Int32Array(8);

/** The helpers, bound as `H.simd` in generated code. */
export const JS_SIMD_HELPERS = Object.freeze({
  /** Scratch words (8) for float lane arithmetic: written, computed on, read within one op. */
  q32: Q32,
  /** The scratch words' f32 view. */
  qf: new Float32Array(Q32.buffer),
  /** The scratch words' f64 view. */
  qd: new Float64Array(Q32.buffer),
  /** The VM's v128 file. */
  file: (vm: Vm): V128File => vm.v128File ?? v128Registers(vm),
  /** `simd_un`: a unary lane op by sub-opcode. */
  un: simdUnary,
  /** `simd_bin`: a binary lane op by sub-opcode. */
  bin: simdBinary,
  /** `simd_shift`: a shift by sub-opcode. */
  shift: simdShift,
  /** `simd_test`: any_true / all_true / bitmask by sub-opcode. */
  test: simdTest,
  /** `simd_load`: false when out of bounds. */
  load: simdLoad,
  /** `simd_load_lane`: false when out of bounds. */
  loadLane: simdLoadLane,
  /** `simd_store`: false when out of bounds. */
  store: simdStore,
});
