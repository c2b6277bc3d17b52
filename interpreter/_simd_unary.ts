/**
 * SIMD lane math of the unary v128 → v128 operations ({@link simdUnary}):
 * integer and float lane-wise ops, extensions, pairwise additions and
 * conversions, selected by their wasm 0xFD sub-opcode (plus the
 * deterministic-mode NaN canonicalisation pseudo-ops). Float results follow
 * the spec's NaN rules (a NaN result is quiet; `abs`/`neg` keep the bits).
 * Re-exported by `simd_math.ts`.
 *
 * @module
 */

import { nearest } from "./wasm_math.ts";
import { copy, putF32, putF64, type V128File } from "./_simd_file.ts";

/** Saturating f64 → i32 truncation (NaN → 0). */
function satS32(x: number): number {
  if (x !== x) return 0;
  if (x <= -2147483648) return -2147483648;
  if (x >= 2147483647) return 2147483647;
  return Math.trunc(x) | 0;
}

/** Saturating f64 → u32 truncation (NaN → 0), as the word's bits. */
function satU32(x: number): number {
  if (!(x > 0)) return 0;
  if (x >= 4294967295) return -1;
  return Math.trunc(x) | 0;
}

/** Population count of a byte. */
function popcnt8(x: number): number {
  x = x - ((x >>> 1) & 0x55);
  x = (x & 0x33) + ((x >>> 2) & 0x33);
  return (x + (x >>> 4)) & 0x0f;
}

/**
 * A unary v128 → v128 operation.
 *
 * @param sub the 0xFD sub-opcode
 * @param f the file
 * @param d destination vector
 * @param a source vector
 */
export function simdUnary(sub: number, f: V128File, d: number, a: number): void {
  const db = d << 4;
  const ab = a << 4;
  const dh = d << 3;
  const ah = a << 3;
  const dw = d << 2;
  const aw = a << 2;
  const dq = d << 1;
  const aq = a << 1;
  const W = f.i32;
  switch (sub) {
    case 77: // v128.not
      for (let i = 0; i < 4; i++) W[dw + i] = ~W[aw + i];
      return;
    case 96: { // i8x16.abs
      const B = f.i8;
      for (let i = 0; i < 16; i++) B[db + i] = Math.abs(B[ab + i]);
      return;
    }
    case 97: { // i8x16.neg
      const B = f.i8;
      for (let i = 0; i < 16; i++) B[db + i] = -B[ab + i];
      return;
    }
    case 98: { // i8x16.popcnt
      const B = f.u8;
      for (let i = 0; i < 16; i++) B[db + i] = popcnt8(B[ab + i]);
      return;
    }
    case 128: { // i16x8.abs
      const H = f.i16;
      for (let i = 0; i < 8; i++) H[dh + i] = Math.abs(H[ah + i]);
      return;
    }
    case 129: { // i16x8.neg
      const H = f.i16;
      for (let i = 0; i < 8; i++) H[dh + i] = -H[ah + i];
      return;
    }
    case 160: // i32x4.abs
      for (let i = 0; i < 4; i++) W[dw + i] = Math.abs(W[aw + i]);
      return;
    case 161: // i32x4.neg
      for (let i = 0; i < 4; i++) W[dw + i] = -W[aw + i];
      return;
    case 192: // i64x2.abs
    case 193: // i64x2.neg
      for (let k = 0; k < 4; k += 2) {
        const lo = W[aw + k];
        const hi = W[aw + k + 1];
        if (sub === 193 || hi < 0) {
          W[dw + k] = -lo;
          W[dw + k + 1] = ~hi + (lo === 0 ? 1 : 0);
        } else {
          W[dw + k] = lo;
          W[dw + k + 1] = hi;
        }
      }
      return;
    // extend / extadd_pairwise (cross-lane: via scratch)
    case 135: // i16x8.extend_low_i8x16_s
    case 136: // i16x8.extend_high_i8x16_s
    case 137: // i16x8.extend_low_i8x16_u
    case 138: { // i16x8.extend_high_i8x16_u
      const B = sub === 135 || sub === 136 ? f.i8 : f.u8;
      const from = ab + (sub === 136 || sub === 138 ? 8 : 0);
      const sh = f.scratch << 3;
      for (let i = 0; i < 8; i++) f.i16[sh + i] = B[from + i];
      copy(f, d, f.scratch);
      return;
    }
    case 167: // i32x4.extend_low_i16x8_s
    case 168: // i32x4.extend_high_i16x8_s
    case 169: // i32x4.extend_low_i16x8_u
    case 170: { // i32x4.extend_high_i16x8_u
      const H = sub === 167 || sub === 168 ? f.i16 : f.u16;
      const from = ah + (sub === 168 || sub === 170 ? 4 : 0);
      const sw = f.scratch << 2;
      for (let i = 0; i < 4; i++) W[sw + i] = H[from + i];
      copy(f, d, f.scratch);
      return;
    }
    case 199: // i64x2.extend_low_i32x4_s
    case 200: // i64x2.extend_high_i32x4_s
    case 201: // i64x2.extend_low_i32x4_u
    case 202: { // i64x2.extend_high_i32x4_u
      const from = aw + (sub === 200 || sub === 202 ? 2 : 0);
      const signed = sub === 199 || sub === 200;
      const x = W[from];
      const y = W[from + 1];
      W[dw] = x;
      W[dw + 1] = signed ? x >> 31 : 0;
      W[dw + 2] = y;
      W[dw + 3] = signed ? y >> 31 : 0;
      return;
    }
    case 124: // i16x8.extadd_pairwise_i8x16_s
    case 125: { // i16x8.extadd_pairwise_i8x16_u
      const B = sub === 124 ? f.i8 : f.u8;
      const sh = f.scratch << 3;
      for (let i = 0; i < 8; i++) f.i16[sh + i] = B[ab + 2 * i] + B[ab + 2 * i + 1];
      copy(f, d, f.scratch);
      return;
    }
    case 126: // i32x4.extadd_pairwise_i16x8_s
    case 127: { // i32x4.extadd_pairwise_i16x8_u
      const H = sub === 126 ? f.i16 : f.u16;
      const sw = f.scratch << 2;
      for (let i = 0; i < 4; i++) W[sw + i] = H[ah + 2 * i] + H[ah + 2 * i + 1];
      copy(f, d, f.scratch);
      return;
    }
    // f32x4
    case 224: // f32x4.abs
      for (let i = 0; i < 4; i++) W[dw + i] = W[aw + i] & 0x7fffffff;
      return;
    case 225: // f32x4.neg
      for (let i = 0; i < 4; i++) W[dw + i] = W[aw + i] ^ -0x80000000;
      return;
    case 227: { // f32x4.sqrt
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, Math.sqrt(F[aw + i]));
      return;
    }
    case 103: { // f32x4.ceil
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, Math.ceil(F[aw + i]));
      return;
    }
    case 104: { // f32x4.floor
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, Math.floor(F[aw + i]));
      return;
    }
    case 105: { // f32x4.trunc
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, Math.trunc(F[aw + i]));
      return;
    }
    case 106: { // f32x4.nearest
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, nearest(F[aw + i]));
      return;
    }
    // f64x2
    case 236: // f64x2.abs
      W[dw] = W[aw];
      W[dw + 1] = W[aw + 1] & 0x7fffffff;
      W[dw + 2] = W[aw + 2];
      W[dw + 3] = W[aw + 3] & 0x7fffffff;
      return;
    case 237: // f64x2.neg
      W[dw] = W[aw];
      W[dw + 1] = W[aw + 1] ^ -0x80000000;
      W[dw + 2] = W[aw + 2];
      W[dw + 3] = W[aw + 3] ^ -0x80000000;
      return;
    case 239: { // f64x2.sqrt
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, Math.sqrt(F[aq + i]));
      return;
    }
    case 116: { // f64x2.ceil
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, Math.ceil(F[aq + i]));
      return;
    }
    case 117: { // f64x2.floor
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, Math.floor(F[aq + i]));
      return;
    }
    case 122: { // f64x2.trunc
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, Math.trunc(F[aq + i]));
      return;
    }
    case 148: { // f64x2.nearest
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, nearest(F[aq + i]));
      return;
    }
    // conversions
    case 94: { // f32x4.demote_f64x2_zero
      const x = f.f64[aq];
      const y = f.f64[aq + 1];
      putF32(f.f32, W, dw, x);
      putF32(f.f32, W, dw + 1, y);
      W[dw + 2] = 0;
      W[dw + 3] = 0;
      return;
    }
    case 95: { // f64x2.promote_low_f32x4
      const x = f.f32[aw];
      const y = f.f32[aw + 1];
      putF64(f.f64, W, dq, x);
      putF64(f.f64, W, dq + 1, y);
      return;
    }
    case 248: // i32x4.trunc_sat_f32x4_s
      for (let i = 0; i < 4; i++) W[dw + i] = satS32(f.f32[aw + i]);
      return;
    case 249: // i32x4.trunc_sat_f32x4_u
      for (let i = 0; i < 4; i++) W[dw + i] = satU32(f.f32[aw + i]);
      return;
    case 250: // f32x4.convert_i32x4_s
      for (let i = 0; i < 4; i++) f.f32[dw + i] = W[aw + i];
      return;
    case 251: // f32x4.convert_i32x4_u
      for (let i = 0; i < 4; i++) f.f32[dw + i] = f.u32[aw + i];
      return;
    case 252: // i32x4.trunc_sat_f64x2_s_zero
    case 253: { // i32x4.trunc_sat_f64x2_u_zero
      const x = f.f64[aq];
      const y = f.f64[aq + 1];
      W[dw] = sub === 252 ? satS32(x) : satU32(x);
      W[dw + 1] = sub === 252 ? satS32(y) : satU32(y);
      W[dw + 2] = 0;
      W[dw + 3] = 0;
      return;
    }
    case 254: // f64x2.convert_low_i32x4_s
    case 255: { // f64x2.convert_low_i32x4_u
      const x = W[aw];
      const y = W[aw + 1];
      f.f64[dq] = sub === 254 ? x : x >>> 0;
      f.f64[dq + 1] = sub === 254 ? y : y >>> 0;
      return;
    }
    case 0x100: // SUB_CANON_F32X4 (deterministic mode)
      for (let i = 0; i < 4; i++) {
        if ((W[aw + i] & 0x7f800000) === 0x7f800000 && (W[aw + i] & 0x7fffff) !== 0) {
          W[dw + i] = 0x7fc00000;
        } else W[dw + i] = W[aw + i];
      }
      return;
    case 0x101: // SUB_CANON_F64X2 (deterministic mode)
      for (let i = 0; i < 2; i++) {
        const x = f.f64[aq + i];
        if (x !== x) {
          W[dw + 2 * i] = 0;
          W[dw + 2 * i + 1] = 0x7ff80000;
        } else {
          W[dw + 2 * i] = W[aw + 2 * i];
          W[dw + 2 * i + 1] = W[aw + 2 * i + 1];
        }
      }
      return;
  }
  throw new RangeError(`not a unary SIMD op: ${sub}`);
}
