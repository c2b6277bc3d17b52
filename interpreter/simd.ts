/**
 * The VM side of SIMD: the v128 register file, and the names of SIMD ops'
 * `sub` operands for the disassembler. The handlers of the SIMD bytecode ops
 * are `runSimd` (`_dispatch_simd_src.ts`), which the dispatch loop `run`
 * calls at the first op of a SIMD sequence.
 *
 * Invariants:
 * - A v128 value in register `r` of a frame lives in the VM's v128 file
 *   ({@link v128Registers}) at vector index `fp + r`, the same absolute slot
 *   numbering as the main register file (whose slot is then unused). So
 *   calls, returns and host-call bases need nothing special; only moves of
 *   v128 values use `v128_mov` / `v128_select`.
 * - A v128 global takes two consecutive global slots: words
 *   `vm.globals[2*slot .. 2*slot+3]`, little-endian.
 * - Scalars (splat inputs, extract outputs, shift counts, addresses) are in
 *   the main register file, as usual.
 * - The v128 file is allocated once per `Vm`, on first use, and lives in
 *   `vm.v128File` (it goes with its VM).
 *
 * @module
 */

import { opByKey, opKey } from "@capstan/environ";
import { SUB_CANON_F32X4, SUB_CANON_F64X2, V128File } from "./simd_math.ts";
import type { Vm } from "./vm.ts";

/**
 * The v128 register file of a VM: vector `s` holds the v128 value of absolute
 * register slot `s` (words `i32[4*s .. 4*s+3]`). Allocated on first use.
 *
 * @param vm the VM
 * @returns its v128 file
 * @example
 * ```ts
 * import { v128Registers, Vm } from "@capstan/interpreter";
 * const vm = new Vm();
 * const file = v128Registers(vm);
 * file.i32[4 * 10] = 7; // low word of the v128 in slot 10
 * if (v128Registers(vm) !== file) throw new Error();
 * ```
 */
export function v128Registers(vm: Vm): V128File {
  return vm.v128File ??= new V128File(vm.i32.length >> 1);
}

/**
 * The name of a SIMD op's `sub` operand, for the disassembler: the wasm
 * instruction name of that 0xFD sub-opcode, or the deterministic-mode
 * pseudo-op.
 *
 * @param sub a `sub` operand
 * @returns e.g. `"i32x4.add"`
 * @example
 * ```ts
 * import { simdOpName } from "./simd.ts";
 * if (simdOpName(174) !== "i32x4.add") throw new Error();
 * ```
 */
export function simdOpName(sub: number): string {
  if (sub === SUB_CANON_F32X4) return "f32x4.canonicalize_nan";
  if (sub === SUB_CANON_F64X2) return "f64x2.canonicalize_nan";
  return opByKey(opKey(0xfd, sub))?.name ?? `simd#${sub}`;
}
