/**
 * SIMD lane math of the binary v128 x v128 → v128 operations
 * ({@link simdBinary}): integer and float lane-wise arithmetic, comparisons,
 * narrowing, swizzle, extended and dot products (the relaxed i8 dot product
 * too, as its deterministic profile computes it), selected by their wasm 0xFD
 * sub-opcode. Float results follow the spec's NaN rules (a NaN result is
 * quiet; `pmin`/`pmax` keep the exact bits). Re-exported by `simd_math.ts`.
 *
 * @module
 */

import { copy, putF32, putF64, type V128File } from "./_simd_file.ts";

/** Low word of the last {@link umul} / {@link smul} product. */
let mulLo = 0;
/** High word of the last {@link umul} / {@link smul} product. */
let mulHi = 0;

/** Unsigned 32x32 → 64-bit product of two words into `mulLo`/`mulHi`. */
function umul(a: number, b: number): void {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  mulLo = (mid << 16) | (p00 & 0xffff);
  mulHi = (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** Signed 32x32 → 64-bit product into `mulLo`/`mulHi`. */
function smul(a: number, b: number): void {
  umul(a, b);
  mulHi = (mulHi - (a < 0 ? b : 0) - (b < 0 ? a : 0)) | 0;
}

/** wasm `fmin`: NaN-propagating, -0 below +0. */
function fmin(x: number, y: number): number {
  if (x !== x) return x;
  if (y !== y) return y;
  if (x === 0 && y === 0) return 1 / x < 0 ? x : y;
  return x < y ? x : y;
}

/** wasm `fmax`: NaN-propagating, +0 above -0. */
function fmax(x: number, y: number): number {
  if (x !== x) return x;
  if (y !== y) return y;
  if (x === 0 && y === 0) return 1 / x > 0 ? x : y;
  return x > y ? x : y;
}

/**
 * A binary v128 x v128 → v128 operation.
 *
 * @param sub the 0xFD sub-opcode
 * @param f the file
 * @param d destination vector
 * @param a first operand
 * @param b second operand
 */
export function simdBinary(sub: number, f: V128File, d: number, a: number, b: number): void {
  if (sub <= 64) {
    if (sub >= 35) integerCompare(sub, f, d, a, b);
    else if (sub === 14) swizzle(f, d, a, b);
    else throw new RangeError(`not a binary SIMD op: ${sub}`);
    return;
  }
  const db = d << 4;
  const ab = a << 4;
  const bb = b << 4;
  const dh = d << 3;
  const ah = a << 3;
  const bh = b << 3;
  const dw = d << 2;
  const aw = a << 2;
  const bw = b << 2;
  const dq = d << 1;
  const aq = a << 1;
  const bq = b << 1;
  const W = f.i32;
  switch (sub) {
    // float compares
    case 65: // f32x4.eq
    case 66: // f32x4.ne
    case 67: // f32x4.lt
    case 68: // f32x4.gt
    case 69: // f32x4.le
    case 70: { // f32x4.ge
      const F = f.f32;
      for (let i = 0; i < 4; i++) {
        const x = F[aw + i];
        const y = F[bw + i];
        const r = sub === 65
          ? x === y
          : sub === 66
          ? x !== y
          : sub === 67
          ? x < y
          : sub === 68
          ? x > y
          : sub === 69
          ? x <= y
          : x >= y;
        W[dw + i] = r ? -1 : 0;
      }
      return;
    }
    case 71: // f64x2.eq
    case 72: // f64x2.ne
    case 73: // f64x2.lt
    case 74: // f64x2.gt
    case 75: // f64x2.le
    case 76: { // f64x2.ge
      const F = f.f64;
      for (let i = 0; i < 2; i++) {
        const x = F[aq + i];
        const y = F[bq + i];
        const r = sub === 71
          ? x === y
          : sub === 72
          ? x !== y
          : sub === 73
          ? x < y
          : sub === 74
          ? x > y
          : sub === 75
          ? x <= y
          : x >= y;
        W[dw + 2 * i] = W[dw + 2 * i + 1] = r ? -1 : 0;
      }
      return;
    }
    // bitwise
    case 78: // v128.and
      for (let i = 0; i < 4; i++) W[dw + i] = W[aw + i] & W[bw + i];
      return;
    case 79: // v128.andnot
      for (let i = 0; i < 4; i++) W[dw + i] = W[aw + i] & ~W[bw + i];
      return;
    case 80: // v128.or
      for (let i = 0; i < 4; i++) W[dw + i] = W[aw + i] | W[bw + i];
      return;
    case 81: // v128.xor
      for (let i = 0; i < 4; i++) W[dw + i] = W[aw + i] ^ W[bw + i];
      return;
    // narrow (cross-lane)
    case 101: // i8x16.narrow_i16x8_s
    case 102: { // i8x16.narrow_i16x8_u
      const H = f.i16;
      const S = f.u8;
      const sb = f.scratch << 4;
      const lo = sub === 101 ? -128 : 0;
      const hi = sub === 101 ? 127 : 255;
      for (let i = 0; i < 16; i++) {
        const x = H[i < 8 ? ah + i : bh + i - 8];
        S[sb + i] = x < lo ? lo : x > hi ? hi : x;
      }
      copy(f, d, f.scratch);
      return;
    }
    case 133: // i16x8.narrow_i32x4_s
    case 134: { // i16x8.narrow_i32x4_u
      const S = f.u16;
      const sh = f.scratch << 3;
      const lo = sub === 133 ? -32768 : 0;
      const hi = sub === 133 ? 32767 : 65535;
      for (let i = 0; i < 8; i++) {
        const x = W[i < 4 ? aw + i : bw + i - 4];
        S[sh + i] = x < lo ? lo : x > hi ? hi : x;
      }
      copy(f, d, f.scratch);
      return;
    }
    // i8x16 arithmetic
    case 110: // i8x16.add
    case 113: { // i8x16.sub
      const B = f.i8;
      if (sub === 110) { for (let i = 0; i < 16; i++) B[db + i] = B[ab + i] + B[bb + i]; }
      else for (let i = 0; i < 16; i++) B[db + i] = B[ab + i] - B[bb + i];
      return;
    }
    case 111: // i8x16.add_sat_s
    case 114: { // i8x16.sub_sat_s
      const B = f.i8;
      for (let i = 0; i < 16; i++) {
        const r = sub === 111 ? B[ab + i] + B[bb + i] : B[ab + i] - B[bb + i];
        B[db + i] = r < -128 ? -128 : r > 127 ? 127 : r;
      }
      return;
    }
    case 112: // i8x16.add_sat_u
    case 115: { // i8x16.sub_sat_u
      const B = f.u8;
      for (let i = 0; i < 16; i++) {
        const r = sub === 112 ? B[ab + i] + B[bb + i] : B[ab + i] - B[bb + i];
        B[db + i] = r < 0 ? 0 : r > 255 ? 255 : r;
      }
      return;
    }
    case 118: // i8x16.min_s
    case 120: { // i8x16.max_s
      const B = f.i8;
      for (let i = 0; i < 16; i++) {
        const x = B[ab + i];
        const y = B[bb + i];
        B[db + i] = (sub === 118 ? x < y : x > y) ? x : y;
      }
      return;
    }
    case 119: // i8x16.min_u
    case 121: { // i8x16.max_u
      const B = f.u8;
      for (let i = 0; i < 16; i++) {
        const x = B[ab + i];
        const y = B[bb + i];
        B[db + i] = (sub === 119 ? x < y : x > y) ? x : y;
      }
      return;
    }
    case 123: { // i8x16.avgr_u
      const B = f.u8;
      for (let i = 0; i < 16; i++) B[db + i] = (B[ab + i] + B[bb + i] + 1) >>> 1;
      return;
    }
    // i16x8 arithmetic
    case 130: { // i16x8.q15mulr_sat_s
      const H = f.i16;
      for (let i = 0; i < 8; i++) {
        const r = (H[ah + i] * H[bh + i] + 0x4000) >> 15;
        H[dh + i] = r > 32767 ? 32767 : r;
      }
      return;
    }
    case 142: // i16x8.add
    case 145: { // i16x8.sub
      const H = f.i16;
      if (sub === 142) { for (let i = 0; i < 8; i++) H[dh + i] = H[ah + i] + H[bh + i]; }
      else for (let i = 0; i < 8; i++) H[dh + i] = H[ah + i] - H[bh + i];
      return;
    }
    case 143: // i16x8.add_sat_s
    case 146: { // i16x8.sub_sat_s
      const H = f.i16;
      for (let i = 0; i < 8; i++) {
        const r = sub === 143 ? H[ah + i] + H[bh + i] : H[ah + i] - H[bh + i];
        H[dh + i] = r < -32768 ? -32768 : r > 32767 ? 32767 : r;
      }
      return;
    }
    case 144: // i16x8.add_sat_u
    case 147: { // i16x8.sub_sat_u
      const H = f.u16;
      for (let i = 0; i < 8; i++) {
        const r = sub === 144 ? H[ah + i] + H[bh + i] : H[ah + i] - H[bh + i];
        H[dh + i] = r < 0 ? 0 : r > 65535 ? 65535 : r;
      }
      return;
    }
    case 149: { // i16x8.mul
      const H = f.i16;
      for (let i = 0; i < 8; i++) H[dh + i] = Math.imul(H[ah + i], H[bh + i]);
      return;
    }
    case 150: // i16x8.min_s
    case 152: { // i16x8.max_s
      const H = f.i16;
      for (let i = 0; i < 8; i++) {
        const x = H[ah + i];
        const y = H[bh + i];
        H[dh + i] = (sub === 150 ? x < y : x > y) ? x : y;
      }
      return;
    }
    case 151: // i16x8.min_u
    case 153: { // i16x8.max_u
      const H = f.u16;
      for (let i = 0; i < 8; i++) {
        const x = H[ah + i];
        const y = H[bh + i];
        H[dh + i] = (sub === 151 ? x < y : x > y) ? x : y;
      }
      return;
    }
    case 155: { // i16x8.avgr_u
      const H = f.u16;
      for (let i = 0; i < 8; i++) H[dh + i] = (H[ah + i] + H[bh + i] + 1) >>> 1;
      return;
    }
    case 156: // i16x8.extmul_low_i8x16_s
    case 157: // i16x8.extmul_high_i8x16_s
    case 158: // i16x8.extmul_low_i8x16_u
    case 159: { // i16x8.extmul_high_i8x16_u
      const B = sub === 156 || sub === 157 ? f.i8 : f.u8;
      const o = sub === 157 || sub === 159 ? 8 : 0;
      const sh = f.scratch << 3;
      for (let i = 0; i < 8; i++) f.i16[sh + i] = B[ab + o + i] * B[bb + o + i];
      copy(f, d, f.scratch);
      return;
    }
    // i32x4 arithmetic
    case 174: // i32x4.add
      for (let i = 0; i < 4; i++) W[dw + i] = W[aw + i] + W[bw + i];
      return;
    case 177: // i32x4.sub
      for (let i = 0; i < 4; i++) W[dw + i] = W[aw + i] - W[bw + i];
      return;
    case 181: // i32x4.mul
      for (let i = 0; i < 4; i++) W[dw + i] = Math.imul(W[aw + i], W[bw + i]);
      return;
    case 182: // i32x4.min_s
      for (let i = 0; i < 4; i++) {
        const x = W[aw + i];
        const y = W[bw + i];
        W[dw + i] = x < y ? x : y;
      }
      return;
    case 184: // i32x4.max_s
      for (let i = 0; i < 4; i++) {
        const x = W[aw + i];
        const y = W[bw + i];
        W[dw + i] = x > y ? x : y;
      }
      return;
    case 183: // i32x4.min_u
    case 185: { // i32x4.max_u
      const U = f.u32;
      for (let i = 0; i < 4; i++) {
        const x = U[aw + i];
        const y = U[bw + i];
        U[dw + i] = (sub === 183 ? x < y : x > y) ? x : y;
      }
      return;
    }
    case 186: { // i32x4.dot_i16x8_s
      const H = f.i16;
      const sw = f.scratch << 2;
      for (let i = 0; i < 4; i++) {
        W[sw + i] = (H[ah + 2 * i] * H[bh + 2 * i] + H[ah + 2 * i + 1] * H[bh + 2 * i + 1]) | 0;
      }
      copy(f, d, f.scratch);
      return;
    }
    case 0x112: { // i16x8.relaxed_dot_i8x16_i7x16_s: signed lanes, pair sums saturated
      const B = f.i8;
      const sh = f.scratch << 3;
      const S = f.i16;
      for (let i = 0; i < 8; i++) {
        const r = B[ab + 2 * i] * B[bb + 2 * i] + B[ab + 2 * i + 1] * B[bb + 2 * i + 1];
        S[sh + i] = r > 32767 ? 32767 : r;
      }
      copy(f, d, f.scratch);
      return;
    }
    case 188: // i32x4.extmul_low_i16x8_s
    case 189: // i32x4.extmul_high_i16x8_s
    case 190: // i32x4.extmul_low_i16x8_u
    case 191: { // i32x4.extmul_high_i16x8_u
      const H = sub === 188 || sub === 189 ? f.i16 : f.u16;
      const o = sub === 189 || sub === 191 ? 4 : 0;
      const sw = f.scratch << 2;
      for (let i = 0; i < 4; i++) W[sw + i] = (H[ah + o + i] * H[bh + o + i]) | 0;
      copy(f, d, f.scratch);
      return;
    }
    // i64x2 arithmetic
    case 206: // i64x2.add
      for (let k = 0; k < 4; k += 2) {
        const al = W[aw + k];
        const bl = W[bw + k];
        const lo = (al + bl) | 0;
        const carry = (lo >>> 0) < (al >>> 0) ? 1 : 0;
        W[dw + k + 1] = (W[aw + k + 1] + W[bw + k + 1] + carry) | 0;
        W[dw + k] = lo;
      }
      return;
    case 209: // i64x2.sub
      for (let k = 0; k < 4; k += 2) {
        const al = W[aw + k];
        const bl = W[bw + k];
        const borrow = (al >>> 0) < (bl >>> 0) ? 1 : 0;
        W[dw + k + 1] = (W[aw + k + 1] - W[bw + k + 1] - borrow) | 0;
        W[dw + k] = (al - bl) | 0;
      }
      return;
    case 213: // i64x2.mul
      for (let k = 0; k < 4; k += 2) {
        const al = W[aw + k];
        const ah2 = W[aw + k + 1];
        const bl = W[bw + k];
        const bh2 = W[bw + k + 1];
        umul(al, bl);
        W[dw + k] = mulLo;
        W[dw + k + 1] = (mulHi + Math.imul(al, bh2) + Math.imul(ah2, bl)) | 0;
      }
      return;
    case 214: // i64x2.eq
    case 215: // i64x2.ne
    case 216: // i64x2.lt_s
    case 217: // i64x2.gt_s
    case 218: // i64x2.le_s
    case 219: // i64x2.ge_s
      for (let k = 0; k < 4; k += 2) {
        const al = W[aw + k] >>> 0;
        const ahi = W[aw + k + 1];
        const bl = W[bw + k] >>> 0;
        const bhi = W[bw + k + 1];
        const lt = ahi < bhi || (ahi === bhi && al < bl);
        const eq = ahi === bhi && al === bl;
        const r = sub === 214
          ? eq
          : sub === 215
          ? !eq
          : sub === 216
          ? lt
          : sub === 217
          ? !lt && !eq
          : sub === 218
          ? lt || eq
          : !lt;
        W[dw + k] = W[dw + k + 1] = r ? -1 : 0;
      }
      return;
    case 220: // i64x2.extmul_low_i32x4_s
    case 221: // i64x2.extmul_high_i32x4_s
    case 222: // i64x2.extmul_low_i32x4_u
    case 223: { // i64x2.extmul_high_i32x4_u
      const o = sub === 221 || sub === 223 ? 2 : 0;
      const signed = sub === 220 || sub === 221;
      const x0 = W[aw + o];
      const x1 = W[aw + o + 1];
      const y0 = W[bw + o];
      const y1 = W[bw + o + 1];
      if (signed) smul(x0, y0);
      else umul(x0, y0);
      W[dw] = mulLo;
      W[dw + 1] = mulHi;
      if (signed) smul(x1, y1);
      else umul(x1, y1);
      W[dw + 2] = mulLo;
      W[dw + 3] = mulHi;
      return;
    }
    // f32x4 arithmetic
    case 228: { // f32x4.add
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, F[aw + i] + F[bw + i]);
      return;
    }
    case 229: { // f32x4.sub
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, F[aw + i] - F[bw + i]);
      return;
    }
    case 230: { // f32x4.mul
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, F[aw + i] * F[bw + i]);
      return;
    }
    case 231: { // f32x4.div
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, F[aw + i] / F[bw + i]);
      return;
    }
    case 232: { // f32x4.min
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, fmin(F[aw + i], F[bw + i]));
      return;
    }
    case 233: { // f32x4.max
      const F = f.f32;
      for (let i = 0; i < 4; i++) putF32(F, W, dw + i, fmax(F[aw + i], F[bw + i]));
      return;
    }
    case 234: // f32x4.pmin
    case 235: { // f32x4.pmax
      const F = f.f32;
      for (let i = 0; i < 4; i++) {
        const x = F[aw + i];
        const y = F[bw + i];
        W[dw + i] = (sub === 234 ? y < x : x < y) ? W[bw + i] : W[aw + i];
      }
      return;
    }
    case 240: { // f64x2.add
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, F[aq + i] + F[bq + i]);
      return;
    }
    case 241: { // f64x2.sub
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, F[aq + i] - F[bq + i]);
      return;
    }
    case 242: { // f64x2.mul
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, F[aq + i] * F[bq + i]);
      return;
    }
    case 243: { // f64x2.div
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, F[aq + i] / F[bq + i]);
      return;
    }
    case 244: { // f64x2.min
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, fmin(F[aq + i], F[bq + i]));
      return;
    }
    case 245: { // f64x2.max
      const F = f.f64;
      for (let i = 0; i < 2; i++) putF64(F, W, dq + i, fmax(F[aq + i], F[bq + i]));
      return;
    }
    case 246: // f64x2.pmin
    case 247: { // f64x2.pmax
      const F = f.f64;
      for (let i = 0; i < 2; i++) {
        const x = F[aq + i];
        const y = F[bq + i];
        const s = (sub === 246 ? y < x : x < y) ? bw : aw;
        W[dw + 2 * i] = W[s + 2 * i];
        W[dw + 2 * i + 1] = W[s + 2 * i + 1];
      }
      return;
    }
  }
  throw new RangeError(`not a binary SIMD op: ${sub}`);
}

/** `i8x16.swizzle`: lane `i` = byte `b[i]` of `a`, or 0 when `b[i]` ≥ 16. */
function swizzle(f: V128File, d: number, a: number, b: number): void {
  const B = f.u8;
  const ab = a << 4;
  const bb = b << 4;
  const sb = f.scratch << 4;
  for (let i = 0; i < 16; i++) {
    const m = B[bb + i];
    B[sb + i] = m < 16 ? B[ab + m] : 0;
  }
  copy(f, d, f.scratch);
}

/** Integer lane comparisons (sub-opcodes 35-64): all ones where true. */
function integerCompare(sub: number, f: V128File, d: number, a: number, b: number): void {
  // shape: 0 = i8x16, 1 = i16x8, 2 = i32x4; cond: eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u
  const shape = sub < 45 ? 0 : sub < 55 ? 1 : 2;
  const cond = sub - (shape === 0 ? 35 : shape === 1 ? 45 : 55);
  const unsigned = cond >= 2 && (cond & 1) === 1;
  const S = shape === 0
    ? (unsigned ? f.u8 : f.i8)
    : shape === 1
    ? (unsigned ? f.u16 : f.i16)
    : (unsigned ? f.u32 : f.i32);
  const n = 16 >> shape;
  const db = d * n;
  const ab = a * n;
  const bb = b * n;
  for (let i = 0; i < n; i++) {
    const x = S[ab + i];
    const y = S[bb + i];
    let r: boolean;
    switch (cond) {
      case 0:
        r = x === y;
        break;
      case 1:
        r = x !== y;
        break;
      case 2:
      case 3:
        r = x < y;
        break;
      case 4:
      case 5:
        r = x > y;
        break;
      case 6:
      case 7:
        r = x <= y;
        break;
      default:
        r = x >= y;
    }
    S[db + i] = r ? -1 : 0;
  }
}
