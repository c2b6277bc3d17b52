/**
 * The VM side of SIMD: the v128 register file and the handlers of the SIMD
 * bytecode ops (`v128_*`, `i8x16_shuffle`, `simd_*` in `ops.ts`), reached from
 * the extended dispatch (`runExt`) through {@link runSimd}.
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
 * - Nothing here allocates per operation; the v128 file is allocated once per
 *   `Vm`, on first use, and lives in `vm.v128File` (it goes with its VM).
 * - `run` sends the SIMD block of ops straight here (not through `runExt`);
 *   the most common lane-wise binary ops are inlined in {@link runSimd} with
 *   the same semantics as `simd_math.ts` (the differential tests run both).
 *
 * @module
 */

import { opByKey, opKey, TrapCode } from "@capstan/environ";
import { Op } from "./_opcodes.ts";
import {
  simdBinary,
  simdBitselect,
  simdConst,
  simdExtractLane,
  simdReplaceLane,
  simdShift,
  simdShuffle,
  simdSplat,
  simdTest,
  simdUnary,
  SUB_CANON_F32X4,
  SUB_CANON_F64X2,
  V128File,
} from "./simd_math.ts";
import type { Vm } from "./vm.ts";
import type { VmInstance } from "./vm_objects.ts";

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

const T_MEM = -TrapCode.MemoryOutOfBounds;

/**
 * The SIMD ops, in opcode order: they are one contiguous block of `ops.ts`,
 * so {@link runSimd} switches on `opcode - FIRST` with literal cases (a jump
 * table). Checked when this module loads.
 */
const SIMD_OP_ORDER = [
  Op.v128_mov,
  Op.v128_select,
  Op.v128_const,
  Op.v128_global_get,
  Op.v128_global_set,
  Op.v128_bitselect,
  Op.i8x16_shuffle,
  Op.simd_un,
  Op.simd_bin,
  Op.simd_shift,
  Op.simd_test,
  Op.simd_splat,
  Op.simd_extract,
  Op.simd_replace,
  Op.simd_load,
  Op.simd_load_lane,
  Op.simd_store,
] as const;
const FIRST = SIMD_OP_ORDER[0];
SIMD_OP_ORDER.forEach((op, i) => {
  if (op !== FIRST + i) throw new Error("interpreter/ops.ts: the SIMD ops must stay contiguous");
});

/**
 * Executes one SIMD op at `pc`.
 *
 * @param vm the VM
 * @param inst the current instance
 * @param code its code
 * @param pc the op's address
 * @param fp the frame pointer
 * @returns the next pc, or minus a trap code
 */
export function runSimd(
  vm: Vm,
  inst: VmInstance,
  code: Int32Array,
  pc: number,
  fp: number,
): number {
  const V = v128Registers(vm);
  const I32 = vm.i32;
  switch (code[pc] - FIRST) {
    case 0: { // v128_mov
      const W = V.i32;
      const d = (fp + code[pc + 1]) << 2;
      const s = (fp + code[pc + 2]) << 2;
      W[d] = W[s];
      W[d + 1] = W[s + 1];
      W[d + 2] = W[s + 2];
      W[d + 3] = W[s + 3];
      return pc + 3;
    }
    case 1: { // v128_select
      const W = V.i32;
      const d = (fp + code[pc + 1]) << 2;
      const s = (fp + (I32[(fp + code[pc + 2]) << 1] !== 0 ? code[pc + 3] : code[pc + 4])) << 2;
      W[d] = W[s];
      W[d + 1] = W[s + 1];
      W[d + 2] = W[s + 2];
      W[d + 3] = W[s + 3];
      return pc + 5;
    }
    case 2: // v128_const
      simdConst(V, fp + code[pc + 1], code[pc + 2], code[pc + 3], code[pc + 4], code[pc + 5]);
      return pc + 6;
    case 3: { // v128_global_get
      const G = vm.globals;
      const g = inst.vmctx[code[pc + 2]] << 1;
      simdConst(V, fp + code[pc + 1], G[g], G[g + 1], G[g + 2], G[g + 3]);
      return pc + 3;
    }
    case 4: { // v128_global_set
      const G = vm.globals;
      const W = V.i32;
      const g = inst.vmctx[code[pc + 1]] << 1;
      const s = (fp + code[pc + 2]) << 2;
      G[g] = W[s];
      G[g + 1] = W[s + 1];
      G[g + 2] = W[s + 2];
      G[g + 3] = W[s + 3];
      return pc + 3;
    }
    case 5: // v128_bitselect
      simdBitselect(V, fp + code[pc + 1], fp + code[pc + 2], fp + code[pc + 3], fp + code[pc + 4]);
      return pc + 5;
    case 6: // i8x16_shuffle
      simdShuffle(
        V,
        fp + code[pc + 1],
        fp + code[pc + 2],
        fp + code[pc + 3],
        code[pc + 4],
        code[pc + 5],
        code[pc + 6],
        code[pc + 7],
      );
      return pc + 8;
    case 7: // simd_un
      simdUnary(code[pc + 2], V, fp + code[pc + 1], fp + code[pc + 3]);
      return pc + 4;
    case 8: { // simd_bin
      // the most common lane-wise ops inline (measured: ~15% on the SIMD kernels); the rest,
      // and the identical semantics, in simd_math.ts
      const sub = code[pc + 2];
      const d = (fp + code[pc + 1]) << 2;
      const a = (fp + code[pc + 3]) << 2;
      const b = (fp + code[pc + 4]) << 2;
      const W = V.i32;
      switch (sub) {
        case 78: // v128.and
          for (let i = 0; i < 4; i++) W[d + i] = W[a + i] & W[b + i];
          return pc + 5;
        case 80: // v128.or
          for (let i = 0; i < 4; i++) W[d + i] = W[a + i] | W[b + i];
          return pc + 5;
        case 81: // v128.xor
          for (let i = 0; i < 4; i++) W[d + i] = W[a + i] ^ W[b + i];
          return pc + 5;
        case 174: // i32x4.add
          for (let i = 0; i < 4; i++) W[d + i] = W[a + i] + W[b + i];
          return pc + 5;
        case 177: // i32x4.sub
          for (let i = 0; i < 4; i++) W[d + i] = W[a + i] - W[b + i];
          return pc + 5;
        case 181: // i32x4.mul
          for (let i = 0; i < 4; i++) W[d + i] = Math.imul(W[a + i], W[b + i]);
          return pc + 5;
        case 228: { // f32x4.add
          const F = V.f32;
          for (let i = 0; i < 4; i++) {
            const r = F[a + i] + F[b + i];
            F[d + i] = r;
            if (r !== r) W[d + i] |= 0x400000;
          }
          return pc + 5;
        }
        case 229: { // f32x4.sub
          const F = V.f32;
          for (let i = 0; i < 4; i++) {
            const r = F[a + i] - F[b + i];
            F[d + i] = r;
            if (r !== r) W[d + i] |= 0x400000;
          }
          return pc + 5;
        }
        case 230: { // f32x4.mul
          const F = V.f32;
          for (let i = 0; i < 4; i++) {
            const r = F[a + i] * F[b + i];
            F[d + i] = r;
            if (r !== r) W[d + i] |= 0x400000;
          }
          return pc + 5;
        }
        case 240: // f64x2.add
        case 242: { // f64x2.mul
          const F = V.f64;
          for (let i = 0; i < 2; i++) {
            const x = F[(a >> 1) + i];
            const y = F[(b >> 1) + i];
            const r = sub === 240 ? x + y : x * y;
            F[(d >> 1) + i] = r;
            if (r !== r) W[d + 2 * i + 1] |= 0x80000;
          }
          return pc + 5;
        }
      }
      simdBinary(sub, V, d >> 2, a >> 2, b >> 2);
      return pc + 5;
    }
    case 9: // simd_shift
      simdShift(
        code[pc + 2],
        V,
        fp + code[pc + 1],
        fp + code[pc + 3],
        I32[(fp + code[pc + 4]) << 1],
      );
      return pc + 5;
    case 10: // simd_test
      I32[(fp + code[pc + 1]) << 1] = simdTest(code[pc + 2], V, fp + code[pc + 3]);
      return pc + 4;
    case 11: { // simd_splat
      const s = (fp + code[pc + 3]) << 1;
      simdSplat(code[pc + 2], V, fp + code[pc + 1], I32[s], I32[s + 1]);
      return pc + 4;
    }
    case 12: // simd_extract
      simdExtractLane(
        code[pc + 2],
        V,
        fp + code[pc + 3],
        code[pc + 4],
        I32,
        (fp + code[pc + 1]) << 1,
      );
      return pc + 5;
    case 13: { // simd_replace
      const s = (fp + code[pc + 4]) << 1;
      simdReplaceLane(
        code[pc + 2],
        V,
        fp + code[pc + 1],
        fp + code[pc + 3],
        code[pc + 5],
        I32[s],
        I32[s + 1],
      );
      return pc + 6;
    }
    case 14: { // simd_load
      if (code[pc + 2] === 0) {
        const ea = (I32[(fp + code[pc + 3]) << 1] >>> 0) + (code[pc + 4] >>> 0);
        const mem = inst.memory;
        if (ea + 16 > mem.byteLength) return T_MEM;
        const dv = mem.view;
        const W = V.i32;
        const dw = (fp + code[pc + 1]) << 2;
        W[dw] = dv.getInt32(ea, true);
        W[dw + 1] = dv.getInt32(ea + 4, true);
        W[dw + 2] = dv.getInt32(ea + 8, true);
        W[dw + 3] = dv.getInt32(ea + 12, true);
        return pc + 5;
      }
      return load(V, inst, code[pc + 2], fp + code[pc + 1], effectiveAddress(I32, code, pc, fp))
        ? pc + 5
        : T_MEM;
    }
    case 15: { // simd_load_lane
      const ea = (I32[(fp + code[pc + 3]) << 1] >>> 0) + (code[pc + 5] >>> 0);
      const sub = code[pc + 2];
      const size = 1 << (sub - 84);
      const mem = inst.memory;
      if (ea + size > mem.byteLength) return T_MEM;
      const d = fp + code[pc + 1];
      const W = V.i32;
      const s = (fp + code[pc + 4]) << 2;
      const dw = d << 2;
      W[dw] = W[s];
      W[dw + 1] = W[s + 1];
      W[dw + 2] = W[s + 2];
      W[dw + 3] = W[s + 3];
      const lane = code[pc + 6];
      const dv = mem.view;
      if (sub === 84) V.u8[(d << 4) + lane] = dv.getUint8(ea);
      else if (sub === 85) V.u16[(d << 3) + lane] = dv.getUint16(ea, true);
      else if (sub === 86) W[dw + lane] = dv.getInt32(ea, true);
      else {
        W[dw + 2 * lane] = dv.getInt32(ea, true);
        W[dw + 2 * lane + 1] = dv.getInt32(ea + 4, true);
      }
      return pc + 7;
    }
    case 16: { // simd_store
      const ea = (I32[(fp + code[pc + 2]) << 1] >>> 0) + (code[pc + 4] >>> 0);
      const sub = code[pc + 1];
      const size = sub === 11 ? 16 : 1 << (sub - 88);
      const mem = inst.memory;
      if (ea + size > mem.byteLength) return T_MEM;
      const s = fp + code[pc + 3];
      const W = V.i32;
      const sw = s << 2;
      const dv = mem.view;
      const lane = code[pc + 5];
      if (sub === 11) {
        dv.setInt32(ea, W[sw], true);
        dv.setInt32(ea + 4, W[sw + 1], true);
        dv.setInt32(ea + 8, W[sw + 2], true);
        dv.setInt32(ea + 12, W[sw + 3], true);
      } else if (sub === 88) dv.setUint8(ea, V.u8[(s << 4) + lane]);
      else if (sub === 89) dv.setUint16(ea, V.u16[(s << 3) + lane], true);
      else if (sub === 90) dv.setInt32(ea, W[sw + lane], true);
      else {
        dv.setInt32(ea, W[sw + 2 * lane], true);
        dv.setInt32(ea + 4, W[sw + 2 * lane + 1], true);
      }
      return pc + 6;
    }
  }
  throw new RangeError(`not a SIMD op: ${code[pc]} at ${pc}`);
}

/** The effective address of a `simd_load` (operands `d sub a offset`). */
function effectiveAddress(I32: Int32Array, code: Int32Array, pc: number, fp: number): number {
  return (I32[(fp + code[pc + 3]) << 1] >>> 0) + (code[pc + 4] >>> 0);
}

/**
 * The loads of `simd_load`: v128.load, the extending, splat and zero loads.
 *
 * @returns false when out of bounds (nothing written)
 */
function load(V: V128File, inst: VmInstance, sub: number, d: number, ea: number): boolean {
  const mem = inst.memory;
  const size = sub === 0
    ? 16
    : sub <= 6 || sub === 10 || sub === 93
    ? 8
    : sub === 7
    ? 1
    : sub === 8
    ? 2
    : 4;
  if (ea + size > mem.byteLength) return false;
  const dv = mem.view;
  const W = V.i32;
  const dw = d << 2;
  switch (sub) {
    case 0: // v128.load
      W[dw] = dv.getInt32(ea, true);
      W[dw + 1] = dv.getInt32(ea + 4, true);
      W[dw + 2] = dv.getInt32(ea + 8, true);
      W[dw + 3] = dv.getInt32(ea + 12, true);
      return true;
    case 1: // v128.load8x8_s
      for (let i = 0; i < 8; i++) V.i16[(d << 3) + i] = dv.getInt8(ea + i);
      return true;
    case 2: // v128.load8x8_u
      for (let i = 0; i < 8; i++) V.i16[(d << 3) + i] = dv.getUint8(ea + i);
      return true;
    case 3: // v128.load16x4_s
      for (let i = 0; i < 4; i++) W[dw + i] = dv.getInt16(ea + 2 * i, true);
      return true;
    case 4: // v128.load16x4_u
      for (let i = 0; i < 4; i++) W[dw + i] = dv.getUint16(ea + 2 * i, true);
      return true;
    case 5: // v128.load32x2_s
    case 6: { // v128.load32x2_u
      const x = dv.getInt32(ea, true);
      const y = dv.getInt32(ea + 4, true);
      W[dw] = x;
      W[dw + 1] = sub === 5 ? x >> 31 : 0;
      W[dw + 2] = y;
      W[dw + 3] = sub === 5 ? y >> 31 : 0;
      return true;
    }
    case 7: // v128.load8_splat
      simdSplat(15, V, d, dv.getInt8(ea), 0);
      return true;
    case 8: // v128.load16_splat
      simdSplat(16, V, d, dv.getInt16(ea, true), 0);
      return true;
    case 9: // v128.load32_splat
      simdSplat(17, V, d, dv.getInt32(ea, true), 0);
      return true;
    case 10: // v128.load64_splat
      simdSplat(18, V, d, dv.getInt32(ea, true), dv.getInt32(ea + 4, true));
      return true;
    case 92: // v128.load32_zero
      simdConst(V, d, dv.getInt32(ea, true), 0, 0, 0);
      return true;
    case 93: // v128.load64_zero
      simdConst(V, d, dv.getInt32(ea, true), dv.getInt32(ea + 4, true), 0, 0);
      return true;
  }
  throw new RangeError(`not a SIMD load: ${sub}`);
}
