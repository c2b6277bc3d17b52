/**
 * The SIMD dispatch function {@link runSimd}, as written by hand: the
 * handlers of the ops the op table (`ops.ts`) marks `runSimd`. This file is the
 * source of `_dispatch_simd.ts`, which `_gen.ts` derives from it by replacing
 * each `Op.<name>` with its literal opcode, so V8 compiles the switch to a jump
 * table. Edit this file, then run `deno run -A interpreter/_gen.ts`.
 *
 * Invariants:
 * - A v128 value in register `r` of a frame lives in the VM's v128 file
 *   (`simd.ts` `v128Registers`) at vector index `fp + r`; scalars (splat
 *   inputs, extract outputs, shift counts, addresses) are in the main register
 *   file, as usual. A v128 global takes two consecutive global slots.
 * - `run` sends every opcode from the first to the last SIMD op straight here
 *   (not through `runExt`); {@link runSimd} then keeps going until an op it
 *   does not run, returning that op's pc (on a trap it sets `vm.pc` to the
 *   trapping op).
 * - Nothing here allocates per operation or changes the memory's size.
 * - The most common lane-wise ops (the SIMD ops of their own and the hot
 *   `sub`s of `simd_un`/`simd_bin`/`simd_shift`/`simd_test`/`simd_splat`) are
 *   inlined here, word-wise where possible, with the same semantics as
 *   `simd_math.ts` (the differential tests check both against native V8).
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import { Op } from "./_opcodes.ts";
import {
  simdBinary,
  simdBitselect,
  simdConst,
  simdExtractLane,
  simdReplaceLane,
  simdShift,
  simdSplat,
  simdTest,
  simdUnary,
  SUB_CANON_F32X4,
} from "./simd_math.ts";
import { v128Registers } from "./simd.ts";
import { simdLoad, simdLoadLane, simdStore } from "./_simd_memory.ts";
import type { Vm } from "./vm.ts";
import type { VmInstance } from "./vm_objects.ts";

const T_MEM = -TrapCode.MemoryOutOfBounds;

/** `i8x16.bitmask` of one word: its four bytes' top bits, byte k to bit k. */
function bitmask4(w: number): number {
  // the top bits move to bits 0, 8, 16, 24; the product gathers them in bits 28..31
  // (the other partial products land on distinct bits, so nothing carries into them)
  return Math.imul((w >>> 7) & 0x01010101, 0x10204080) >>> 28;
}

/**
 * One word of an `i8x16.shuffle` result: bytes `m & 0xff`, `(m >>> 8) & 0xff`,
 * ... (lane indices below 32) of the concatenation whose first half starts
 * at byte `ab` of `B` and second half at byte `bb + 16`.
 */
function shuffleWord(B: Uint8Array, ab: number, bb: number, m: number): number {
  const x0 = m & 0xff;
  const x1 = (m >>> 8) & 0xff;
  const x2 = (m >>> 16) & 0xff;
  const x3 = m >>> 24;
  return B[(x0 < 16 ? ab : bb) + x0] | (B[(x1 < 16 ? ab : bb) + x1] << 8) |
    (B[(x2 < 16 ? ab : bb) + x2] << 16) | (B[(x3 < 16 ? ab : bb) + x3] << 24);
}

/**
 * `i8x16.eq` of one word, given `x` = the xor of the operands' words: 0xff
 * where a byte of `x` is 0, else 0. (The add may pass 2^31; the `|`
 * truncates it, so V8 keeps int32 arithmetic.)
 */
function eq8(x: number): number {
  const nz = (((x & 0x7f7f7f7f) + 0x7f7f7f7f) | x) & 0x80808080; // top bit: byte != 0
  return ~Math.imul(nz >>> 7, 0xff); // spread each top bit over its byte
}

/** `i16x8.extadd_pairwise_i8x16_s` of one word: two signed byte-pair sums. */
function pairS8(w: number): number {
  const lo = ((w << 24) >> 24) + ((w << 16) >> 24);
  const hi = ((w << 8) >> 24) + (w >> 24);
  return (lo & 0xffff) | (hi << 16);
}

/** `i16x8.extadd_pairwise_i8x16_u` of one word: two unsigned byte-pair sums (no carry out). */
function pairU8(w: number): number {
  return (w & 0x00ff00ff) + ((w >>> 8) & 0x00ff00ff);
}

/** `i32x4.extadd_pairwise_i16x8_s` of one word. */
function pairS16(w: number): number {
  return ((w << 16) >> 16) + (w >> 16);
}

/** `i32x4.extadd_pairwise_i16x8_u` of one word. */
function pairU16(w: number): number {
  return (w & 0xffff) + (w >>> 16);
}

/**
 * One word of an `i8x16_shuffle1` result: bytes `m & 0xff`, `(m >>> 8) &
 * 0xff`, ... (each below 16) of the vector at byte `ab` of `B`.
 */
function pickWord(B: Uint8Array, ab: number, m: number): number {
  return B[ab + (m & 0xff)] | (B[ab + ((m >>> 8) & 0xff)] << 8) |
    (B[ab + ((m >>> 16) & 0xff)] << 16) | (B[ab + (m >>> 24)] << 24);
}

/** An f32 lane's bits, or the canonical NaN's if they are a NaN's. */
function canonF32(w: number): number {
  return (w & 0x7fffffff) > 0x7f800000 ? 0x7fc00000 : w;
}

/** Saturating f32 → i32 truncation of one lane (NaN → 0). */
function satS32(x: number): number {
  if (x > -2147483649 && x < 2147483648) return x | 0; // in range (truncates toward zero)
  return x !== x ? 0 : x < 0 ? -2147483648 : 2147483647;
}

/**
 * Executes the SIMD ops from `pc` on, up to the first op that is neither a
 * SIMD op nor one of the few scalar ops run here too (`i32_add`,
 * `i32_add_i`, `br_inc_ne_i`, `br_inc_lt_u_i`, `br_inc_lt_s_i`, `br_inc2_ne_i`,
 * `br_inc2_lt_u_i`: what closes
 * a counted SIMD loop), so one call runs a whole straight-line SIMD sequence,
 * or a whole counted loop of them. None of these ops calls, traps other than
 * out of bounds, or changes the memory's size; a metered loop still goes
 * back to `run` at its `fuel` op, and with epochs every loop once the
 * deadline has passed.
 *
 * @param vm the VM
 * @param inst the current instance
 * @param code its code
 * @param pc the address of a SIMD op
 * @param fp the frame pointer
 * @returns the address of the first non-SIMD op after it, or minus a trap
 *   code (then `vm.pc` is the trapping op)
 */
export function runSimd(
  vm: Vm,
  inst: VmInstance,
  code: Int32Array,
  pc: number,
  fp: number,
): number {
  const V = vm.v128File ?? v128Registers(vm);
  const W = V.i32;
  const F = V.f32;
  const I32 = vm.i32;
  const mem = inst.memory;
  const dv = mem.view; // no op run here changes the memory
  const memLen = mem.byteLength;
  const epochs = vm.epochs;
  for (;;) {
    switch (code[pc]) {
      case Op.v128_mov: {
        const d = (fp + code[pc + 1]) << 2;
        const s = (fp + code[pc + 2]) << 2;
        W[d] = W[s];
        W[d + 1] = W[s + 1];
        W[d + 2] = W[s + 2];
        W[d + 3] = W[s + 3];
        pc += 3;
        break;
      }
      case Op.v128_select: {
        const d = (fp + code[pc + 1]) << 2;
        const s = (fp + (I32[(fp + code[pc + 2]) << 1] !== 0 ? code[pc + 3] : code[pc + 4])) << 2;
        W[d] = W[s];
        W[d + 1] = W[s + 1];
        W[d + 2] = W[s + 2];
        W[d + 3] = W[s + 3];
        pc += 5;
        break;
      }
      case Op.v128_const: {
        const d = (fp + code[pc + 1]) << 2;
        W[d] = code[pc + 2];
        W[d + 1] = code[pc + 3];
        W[d + 2] = code[pc + 4];
        W[d + 3] = code[pc + 5];
        pc += 6;
        break;
      }
      case Op.v128_global_get: {
        const G = vm.globals;
        const g = inst.vmctx[code[pc + 2]] << 1;
        simdConst(V, fp + code[pc + 1], G[g], G[g + 1], G[g + 2], G[g + 3]);
        pc += 3;
        break;
      }
      case Op.v128_global_set: {
        const G = vm.globals;
        const g = inst.vmctx[code[pc + 1]] << 1;
        const s = (fp + code[pc + 2]) << 2;
        G[g] = W[s];
        G[g + 1] = W[s + 1];
        G[g + 2] = W[s + 2];
        G[g + 3] = W[s + 3];
        pc += 3;
        break;
      }
      case Op.v128_bitselect:
        simdBitselect(
          V,
          fp + code[pc + 1],
          fp + code[pc + 2],
          fp + code[pc + 3],
          fp + code[pc + 4],
        );
        pc += 5;
        break;
      case Op.i8x16_shuffle: { // all four words read before any is written (d may be a or b)
        const B = V.u8;
        const ab = (fp + code[pc + 2]) << 4;
        const bb = ((fp + code[pc + 3]) << 4) - 16;
        const w0 = shuffleWord(B, ab, bb, code[pc + 4]);
        const w1 = shuffleWord(B, ab, bb, code[pc + 5]);
        const w2 = shuffleWord(B, ab, bb, code[pc + 6]);
        const w3 = shuffleWord(B, ab, bb, code[pc + 7]);
        const d = (fp + code[pc + 1]) << 2;
        W[d] = w0;
        W[d + 1] = w1;
        W[d + 2] = w2;
        W[d + 3] = w3;
        pc += 8;
        break;
      }
      case Op.simd_un: { // the common ones inline, word by word (same semantics as simdUnary)
        const sub = code[pc + 2];
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 3]) << 2;
        switch (sub) {
          case 124: // i16x8.extadd_pairwise_i8x16_s
            W[d] = pairS8(W[a]);
            W[d + 1] = pairS8(W[a + 1]);
            W[d + 2] = pairS8(W[a + 2]);
            W[d + 3] = pairS8(W[a + 3]);
            break;
          case 125: // i16x8.extadd_pairwise_i8x16_u
            W[d] = pairU8(W[a]);
            W[d + 1] = pairU8(W[a + 1]);
            W[d + 2] = pairU8(W[a + 2]);
            W[d + 3] = pairU8(W[a + 3]);
            break;
          case 126: // i32x4.extadd_pairwise_i16x8_s
            W[d] = pairS16(W[a]);
            W[d + 1] = pairS16(W[a + 1]);
            W[d + 2] = pairS16(W[a + 2]);
            W[d + 3] = pairS16(W[a + 3]);
            break;
          case 127: // i32x4.extadd_pairwise_i16x8_u
            W[d] = pairU16(W[a]);
            W[d + 1] = pairU16(W[a + 1]);
            W[d + 2] = pairU16(W[a + 2]);
            W[d + 3] = pairU16(W[a + 3]);
            break;
          case SUB_CANON_F32X4: // deterministic mode: NaN lanes become the canonical NaN
            W[d] = canonF32(W[a]);
            W[d + 1] = canonF32(W[a + 1]);
            W[d + 2] = canonF32(W[a + 2]);
            W[d + 3] = canonF32(W[a + 3]);
            break;
          default:
            simdUnary(sub, V, d >> 2, a >> 2);
        }
        pc += 4;
        break;
      }
      case Op.simd_bin: { // the common ones inline (same semantics as simdBinary)
        const sub = code[pc + 2];
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 3]) << 2;
        const b = (fp + code[pc + 4]) << 2;
        if (sub === 35) { // i8x16.eq: a byte of a ^ b is zero where the lanes are equal
          W[d] = eq8(W[a] ^ W[b]);
          W[d + 1] = eq8(W[a + 1] ^ W[b + 1]);
          W[d + 2] = eq8(W[a + 2] ^ W[b + 2]);
          W[d + 3] = eq8(W[a + 3] ^ W[b + 3]);
        } else simdBinary(sub, V, d >> 2, a >> 2, b >> 2);
        pc += 5;
        break;
      }
      case Op.simd_shift: { // the common ones inline (same semantics as simdShift)
        const sub = code[pc + 2];
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 3]) << 2;
        const count = I32[(fp + code[pc + 4]) << 1];
        switch (sub) {
          case 107: { // i8x16.shl
            const c = count & 7;
            const m = Math.imul((0xff << c) & 0xff, 0x01010101);
            W[d] = (W[a] << c) & m;
            W[d + 1] = (W[a + 1] << c) & m;
            W[d + 2] = (W[a + 2] << c) & m;
            W[d + 3] = (W[a + 3] << c) & m;
            break;
          }
          case 109: { // i8x16.shr_u
            const c = count & 7;
            const m = Math.imul(0xff >>> c, 0x01010101);
            W[d] = (W[a] >>> c) & m;
            W[d + 1] = (W[a + 1] >>> c) & m;
            W[d + 2] = (W[a + 2] >>> c) & m;
            W[d + 3] = (W[a + 3] >>> c) & m;
            break;
          }
          case 171: // i32x4.shl
            W[d] = W[a] << count;
            W[d + 1] = W[a + 1] << count;
            W[d + 2] = W[a + 2] << count;
            W[d + 3] = W[a + 3] << count;
            break;
          case 172: // i32x4.shr_s
            W[d] = W[a] >> count;
            W[d + 1] = W[a + 1] >> count;
            W[d + 2] = W[a + 2] >> count;
            W[d + 3] = W[a + 3] >> count;
            break;
          case 173: // i32x4.shr_u
            W[d] = W[a] >>> count;
            W[d + 1] = W[a + 1] >>> count;
            W[d + 2] = W[a + 2] >>> count;
            W[d + 3] = W[a + 3] >>> count;
            break;
          default:
            simdShift(sub, V, d >> 2, a >> 2, count);
        }
        pc += 5;
        break;
      }
      case Op.simd_test: {
        const sub = code[pc + 2];
        const a = (fp + code[pc + 3]) << 2;
        let r: number;
        if (sub === 100) { // i8x16.bitmask
          r = bitmask4(W[a]) | (bitmask4(W[a + 1]) << 4) | (bitmask4(W[a + 2]) << 8) |
            (bitmask4(W[a + 3]) << 12);
        } else if (sub === 83) { // v128.any_true
          r = (W[a] | W[a + 1] | W[a + 2] | W[a + 3]) !== 0 ? 1 : 0;
        } else r = simdTest(sub, V, a >> 2);
        I32[(fp + code[pc + 1]) << 1] = r;
        pc += 4;
        break;
      }
      case Op.simd_splat: {
        const sub = code[pc + 2];
        const s = (fp + code[pc + 3]) << 1;
        const lo = I32[s];
        if (sub === 15 || sub === 17 || sub === 19) { // i8x16 / i32x4 / f32x4
          const w = sub === 15 ? Math.imul(lo & 0xff, 0x01010101) : lo;
          const d = (fp + code[pc + 1]) << 2;
          W[d] = w;
          W[d + 1] = w;
          W[d + 2] = w;
          W[d + 3] = w;
        } else simdSplat(sub, V, fp + code[pc + 1], lo, I32[s + 1]);
        pc += 4;
        break;
      }
      case Op.simd_extract:
        simdExtractLane(
          code[pc + 2],
          V,
          fp + code[pc + 3],
          code[pc + 4],
          I32,
          (fp + code[pc + 1]) << 1,
        );
        pc += 5;
        break;
      case Op.simd_replace: {
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
        pc += 6;
        break;
      }
      case Op.simd_load: { // every kind; the plain one is usually simd_load128
        const ea = (I32[(fp + code[pc + 3]) << 1] >>> 0) + (code[pc + 4] >>> 0);
        if (!simdLoad(V, mem, code[pc + 2], fp + code[pc + 1], ea)) return trapAt(vm, pc);
        pc += 5;
        break;
      }
      case Op.simd_load_lane: {
        const ea = (I32[(fp + code[pc + 3]) << 1] >>> 0) + (code[pc + 5] >>> 0);
        const d = fp + code[pc + 1];
        if (!simdLoadLane(V, mem, code[pc + 2], d, fp + code[pc + 4], ea, code[pc + 6])) {
          return trapAt(vm, pc);
        }
        pc += 7;
        break;
      }
      case Op.simd_store: { // every kind; the plain one is usually simd_store128
        const ea = (I32[(fp + code[pc + 2]) << 1] >>> 0) + (code[pc + 4] >>> 0);
        if (!simdStore(V, mem, code[pc + 1], fp + code[pc + 3], ea, code[pc + 5])) {
          return trapAt(vm, pc);
        }
        pc += 6;
        break;
      }
      case Op.simd_load128: {
        const ea = (I32[(fp + code[pc + 2]) << 1] >>> 0) + (code[pc + 3] >>> 0);
        if (ea + 16 > memLen) return trapAt(vm, pc);
        const d = (fp + code[pc + 1]) << 2;
        W[d] = dv.getInt32(ea, true);
        W[d + 1] = dv.getInt32(ea + 4, true);
        W[d + 2] = dv.getInt32(ea + 8, true);
        W[d + 3] = dv.getInt32(ea + 12, true);
        pc += 4;
        break;
      }
      case Op.simd_store128: {
        const ea = (I32[(fp + code[pc + 1]) << 1] >>> 0) + (code[pc + 3] >>> 0);
        if (ea + 16 > memLen) return trapAt(vm, pc);
        const s = (fp + code[pc + 2]) << 2;
        dv.setInt32(ea, W[s], true);
        dv.setInt32(ea + 4, W[s + 1], true);
        dv.setInt32(ea + 8, W[s + 2], true);
        dv.setInt32(ea + 12, W[s + 3], true);
        pc += 4;
        break;
      }
      case Op.v128_and: {
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        const b = (fp + code[pc + 3]) << 2;
        W[d] = W[a] & W[b];
        W[d + 1] = W[a + 1] & W[b + 1];
        W[d + 2] = W[a + 2] & W[b + 2];
        W[d + 3] = W[a + 3] & W[b + 3];
        pc += 4;
        break;
      }
      case Op.v128_or: {
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        const b = (fp + code[pc + 3]) << 2;
        W[d] = W[a] | W[b];
        W[d + 1] = W[a + 1] | W[b + 1];
        W[d + 2] = W[a + 2] | W[b + 2];
        W[d + 3] = W[a + 3] | W[b + 3];
        pc += 4;
        break;
      }
      case Op.v128_xor: {
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        const b = (fp + code[pc + 3]) << 2;
        W[d] = W[a] ^ W[b];
        W[d + 1] = W[a + 1] ^ W[b + 1];
        W[d + 2] = W[a + 2] ^ W[b + 2];
        W[d + 3] = W[a + 3] ^ W[b + 3];
        pc += 4;
        break;
      }
      case Op.i32x4_add: {
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        const b = (fp + code[pc + 3]) << 2;
        W[d] = (W[a] + W[b]) | 0;
        W[d + 1] = (W[a + 1] + W[b + 1]) | 0;
        W[d + 2] = (W[a + 2] + W[b + 2]) | 0;
        W[d + 3] = (W[a + 3] + W[b + 3]) | 0;
        pc += 4;
        break;
      }
      case Op.i32x4_sub: {
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        const b = (fp + code[pc + 3]) << 2;
        W[d] = (W[a] - W[b]) | 0;
        W[d + 1] = (W[a + 1] - W[b + 1]) | 0;
        W[d + 2] = (W[a + 2] - W[b + 2]) | 0;
        W[d + 3] = (W[a + 3] - W[b + 3]) | 0;
        pc += 4;
        break;
      }
      case Op.i32x4_mul: {
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        const b = (fp + code[pc + 3]) << 2;
        W[d] = Math.imul(W[a], W[b]);
        W[d + 1] = Math.imul(W[a + 1], W[b + 1]);
        W[d + 2] = Math.imul(W[a + 2], W[b + 2]);
        W[d + 3] = Math.imul(W[a + 3], W[b + 3]);
        pc += 4;
        break;
      }
      case Op.f32x4_add: { // a NaN lane is made quiet: the host may return a signalling operand
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        const b = (fp + code[pc + 3]) << 2;
        const r0 = F[a] + F[b];
        F[d] = r0;
        if (r0 !== r0) W[d] |= 0x400000;
        const r1 = F[a + 1] + F[b + 1];
        F[d + 1] = r1;
        if (r1 !== r1) W[d + 1] |= 0x400000;
        const r2 = F[a + 2] + F[b + 2];
        F[d + 2] = r2;
        if (r2 !== r2) W[d + 2] |= 0x400000;
        const r3 = F[a + 3] + F[b + 3];
        F[d + 3] = r3;
        if (r3 !== r3) W[d + 3] |= 0x400000;
        pc += 4;
        break;
      }
      case Op.f32x4_sub: {
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        const b = (fp + code[pc + 3]) << 2;
        const r0 = F[a] - F[b];
        F[d] = r0;
        if (r0 !== r0) W[d] |= 0x400000;
        const r1 = F[a + 1] - F[b + 1];
        F[d + 1] = r1;
        if (r1 !== r1) W[d + 1] |= 0x400000;
        const r2 = F[a + 2] - F[b + 2];
        F[d + 2] = r2;
        if (r2 !== r2) W[d + 2] |= 0x400000;
        const r3 = F[a + 3] - F[b + 3];
        F[d + 3] = r3;
        if (r3 !== r3) W[d + 3] |= 0x400000;
        pc += 4;
        break;
      }
      case Op.f32x4_mul: {
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        const b = (fp + code[pc + 3]) << 2;
        const r0 = F[a] * F[b];
        F[d] = r0;
        if (r0 !== r0) W[d] |= 0x400000;
        const r1 = F[a + 1] * F[b + 1];
        F[d + 1] = r1;
        if (r1 !== r1) W[d + 1] |= 0x400000;
        const r2 = F[a + 2] * F[b + 2];
        F[d + 2] = r2;
        if (r2 !== r2) W[d + 2] |= 0x400000;
        const r3 = F[a + 3] * F[b + 3];
        F[d + 3] = r3;
        if (r3 !== r3) W[d + 3] |= 0x400000;
        pc += 4;
        break;
      }
      case Op.f64x2_add: {
        const D = V.f64;
        const d = (fp + code[pc + 1]) << 1;
        const a = (fp + code[pc + 2]) << 1;
        const b = (fp + code[pc + 3]) << 1;
        const r0 = D[a] + D[b];
        D[d] = r0;
        if (r0 !== r0) W[(d << 1) + 1] |= 0x80000;
        const r1 = D[a + 1] + D[b + 1];
        D[d + 1] = r1;
        if (r1 !== r1) W[(d << 1) + 3] |= 0x80000;
        pc += 4;
        break;
      }
      case Op.f64x2_sub: {
        const D = V.f64;
        const d = (fp + code[pc + 1]) << 1;
        const a = (fp + code[pc + 2]) << 1;
        const b = (fp + code[pc + 3]) << 1;
        const r0 = D[a] - D[b];
        D[d] = r0;
        if (r0 !== r0) W[(d << 1) + 1] |= 0x80000;
        const r1 = D[a + 1] - D[b + 1];
        D[d + 1] = r1;
        if (r1 !== r1) W[(d << 1) + 3] |= 0x80000;
        pc += 4;
        break;
      }
      case Op.f64x2_mul: {
        const D = V.f64;
        const d = (fp + code[pc + 1]) << 1;
        const a = (fp + code[pc + 2]) << 1;
        const b = (fp + code[pc + 3]) << 1;
        const r0 = D[a] * D[b];
        D[d] = r0;
        if (r0 !== r0) W[(d << 1) + 1] |= 0x80000;
        const r1 = D[a + 1] * D[b + 1];
        D[d + 1] = r1;
        if (r1 !== r1) W[(d << 1) + 3] |= 0x80000;
        pc += 4;
        break;
      }
      case Op.i32x4_trunc_sat_f32x4_s: {
        const d = (fp + code[pc + 1]) << 2;
        const a = (fp + code[pc + 2]) << 2;
        W[d] = satS32(F[a]);
        W[d + 1] = satS32(F[a + 1]);
        W[d + 2] = satS32(F[a + 2]);
        W[d + 3] = satS32(F[a + 3]);
        pc += 3;
        break;
      }
      case Op.i8x16_shuffle1: { // every lane index below 16, into a alone
        const B = V.u8;
        const ab = (fp + code[pc + 2]) << 4;
        const w0 = pickWord(B, ab, code[pc + 3]);
        const w1 = pickWord(B, ab, code[pc + 4]);
        const w2 = pickWord(B, ab, code[pc + 5]);
        const w3 = pickWord(B, ab, code[pc + 6]);
        const d = (fp + code[pc + 1]) << 2;
        W[d] = w0;
        W[d + 1] = w1;
        W[d + 2] = w2;
        W[d + 3] = w3;
        pc += 7;
        break;
      }
      default: {
        // A few scalar ops that close or feed SIMD loops run here too (same semantics as in
        // `run`), so a counted SIMD loop never leaves runSimd; any other op goes back to `run`.
        // (A metered loop still returns: its `fuel` ops are not among these; with epochs, a
        // taken closer checks the deadline as `runEpochs`'s branches do and goes back to it,
        // which then stops, once it has passed.)
        const op = code[pc];
        if (op === Op.br_inc_ne_i) {
          const a = (fp + code[pc + 1]) << 1;
          const v = (I32[a] + code[pc + 2]) | 0;
          I32[a] = v;
          if (v !== code[pc + 3]) {
            pc += code[pc + 4];
            if (epochs && vm.epochCounter[0] >= vm.epochDeadline) return pc;
          } else pc += 5;
        } else if (op === Op.i32_add) {
          I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] +
            I32[(fp + code[pc + 3]) << 1]) | 0;
          pc += 4;
        } else if (op === Op.i32_add_i) {
          I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) | 0;
          pc += 4;
        } else if (op === Op.br_inc_lt_u_i) {
          const a = (fp + code[pc + 1]) << 1;
          const v = (I32[a] + code[pc + 2]) | 0;
          I32[a] = v;
          if ((v >>> 0) < (code[pc + 3] >>> 0)) {
            pc += code[pc + 4];
            if (epochs && vm.epochCounter[0] >= vm.epochDeadline) return pc;
          } else pc += 5;
        } else if (op === Op.br_inc2_ne_i || op === Op.br_inc2_lt_u_i) {
          const p = (fp + code[pc + 5]) << 1;
          I32[p] = (I32[p] + code[pc + 6]) | 0;
          const a = (fp + code[pc + 1]) << 1;
          const v = (I32[a] + code[pc + 2]) | 0;
          I32[a] = v;
          const taken = op === Op.br_inc2_ne_i
            ? v !== code[pc + 3]
            : (v >>> 0) < (code[pc + 3] >>> 0);
          if (taken) {
            pc += code[pc + 4];
            if (epochs && vm.epochCounter[0] >= vm.epochDeadline) return pc;
          } else pc += 7;
        } else if (op === Op.br_inc_lt_s_i) {
          const a = (fp + code[pc + 1]) << 1;
          const v = (I32[a] + code[pc + 2]) | 0;
          I32[a] = v;
          if (v < code[pc + 3]) {
            pc += code[pc + 4];
            if (epochs && vm.epochCounter[0] >= vm.epochDeadline) return pc;
          } else pc += 5;
        } else return pc;
        break;
      }
    }
  }
}

/** Records `pc` as the trapping op and returns minus the memory trap code. */
function trapAt(vm: Vm, pc: number): number {
  vm.pc = pc;
  return T_MEM;
}
