/**
 * Lane math of every WebAssembly 2.0 SIMD (v128) operation, on 16-byte
 * vectors stored in a {@link V128File}: one buffer viewed through every lane
 * type, vector `k` occupying bytes `16k .. 16k+15` (little-endian lanes).
 * The VM keeps its v128 registers in such a file (`simd.ts`); constant folding
 * or tests may use a small one. Operations are selected by their wasm 0xFD
 * sub-opcode (`environ/opcodes.ts`) and run in place, without allocation.
 *
 * Invariants:
 * - The destination may be the same vector as any operand. Lane-wise ops read
 *   lane `i` of the operands before writing lane `i` of the result; ops that
 *   move data across lanes compute into the file's scratch vector first.
 * - Float results follow the spec's NaN rules: a NaN result is quiet (an
 *   arithmetic NaN), NaN operands propagate (a canonical operand stays
 *   canonical), and sign/bit ops (`abs`, `neg`, `pmin`, `pmax`, lane moves)
 *   keep the exact bits.
 * - Scalars cross as 32-bit words: i32/f32 as one word (f32 as its bits),
 *   i64/f64 as two (low word first), so NaN payloads survive.
 *
 * @module
 */

import { nearest } from "./wasm_math.ts";

/**
 * A buffer of 16-byte vectors viewed through every lane type.
 *
 * @example
 * ```ts
 * import { simdBinary, V128File } from "./simd_math.ts";
 * const f = new V128File(3);
 * f.i32.set([1, 2, 3, 4], 0); // vector 0
 * f.i32.set([10, 20, 30, 40], 4); // vector 1
 * simdBinary(174, f, 2, 0, 1); // i32x4.add: vector 2 = vector 0 + vector 1
 * if (f.i32[8] !== 11 || f.i32[11] !== 44) throw new Error();
 * ```
 */
export class V128File {
  /** The underlying buffer. */
  readonly buffer: ArrayBuffer;
  /** Bytes, unsigned. */
  readonly u8: Uint8Array;
  /** Bytes, signed. */
  readonly i8: Int8Array;
  /** 16-bit lanes, unsigned. */
  readonly u16: Uint16Array;
  /** 16-bit lanes, signed. */
  readonly i16: Int16Array;
  /** 32-bit lanes, signed (also the raw words). */
  readonly i32: Int32Array;
  /** 32-bit lanes, unsigned. */
  readonly u32: Uint32Array;
  /** f32 lanes. */
  readonly f32: Float32Array;
  /** f64 lanes. */
  readonly f64: Float64Array;
  /** Index of the scratch vector (the last one), used by cross-lane ops. */
  readonly scratch: number;

  /**
   * Creates a zeroed file.
   *
   * @param vectors how many vectors callers may use (one more is the scratch)
   */
  constructor(vectors: number) {
    this.buffer = new ArrayBuffer((vectors + 1) * 16);
    this.u8 = new Uint8Array(this.buffer);
    this.i8 = new Int8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i16 = new Int16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.scratch = vectors;
  }
}

/** `simd_un` pseudo sub-opcode (not a wasm op): NaN lanes of an f32x4 become canonical. */
export const SUB_CANON_F32X4 = 0x100;
/** `simd_un` pseudo sub-opcode (not a wasm op): NaN lanes of an f64x2 become canonical. */
export const SUB_CANON_F64X2 = 0x101;

/** Copies vector `s` to vector `d`. */
function copy(f: V128File, d: number, s: number): void {
  const W = f.i32;
  const dw = d << 2;
  const sw = s << 2;
  W[dw] = W[sw];
  W[dw + 1] = W[sw + 1];
  W[dw + 2] = W[sw + 2];
  W[dw + 3] = W[sw + 3];
}

/**
 * Writes a constant to vector `d`.
 *
 * @param f the file
 * @param d destination vector
 * @param w0 bytes 0-3 (little-endian word)
 * @param w1 bytes 4-7
 * @param w2 bytes 8-11
 * @param w3 bytes 12-15
 */
export function simdConst(
  f: V128File,
  d: number,
  w0: number,
  w1: number,
  w2: number,
  w3: number,
): void {
  const W = f.i32;
  const dw = d << 2;
  W[dw] = w0;
  W[dw + 1] = w1;
  W[dw + 2] = w2;
  W[dw + 3] = w3;
}

/**
 * Copies vector `s` to vector `d` (a v128 move).
 *
 * @param f the file
 * @param d destination vector
 * @param s source vector
 */
export function simdMove(f: V128File, d: number, s: number): void {
  copy(f, d, s);
}

/**
 * `v128.bitselect`: bits of `a` where `c` is 1, of `b` where it is 0.
 *
 * @param f the file
 * @param d destination vector
 * @param a first operand
 * @param b second operand
 * @param c the mask
 */
export function simdBitselect(f: V128File, d: number, a: number, b: number, c: number): void {
  const W = f.i32;
  const dw = d << 2;
  const aw = a << 2;
  const bw = b << 2;
  const cw = c << 2;
  for (let i = 0; i < 4; i++) {
    const m = W[cw + i];
    W[dw + i] = (W[aw + i] & m) | (W[bw + i] & ~m);
  }
}

/**
 * `i8x16.shuffle`: lane `i` of the result is byte `m[i]` of the 32-byte
 * concatenation `a ++ b`; the 16 lane indices come packed four per word.
 *
 * @param f the file
 * @param d destination vector
 * @param a first operand
 * @param b second operand
 * @param m0 lane indices 0-3 (one per byte, lowest first)
 * @param m1 lane indices 4-7
 * @param m2 lane indices 8-11
 * @param m3 lane indices 12-15
 */
export function simdShuffle(
  f: V128File,
  d: number,
  a: number,
  b: number,
  m0: number,
  m1: number,
  m2: number,
  m3: number,
): void {
  const B = f.u8;
  const ab = a << 4;
  const bb = b << 4;
  const sb = f.scratch << 4;
  for (let i = 0; i < 16; i++) {
    const w = i < 4 ? m0 : i < 8 ? m1 : i < 12 ? m2 : m3;
    const m = (w >>> ((i & 3) << 3)) & 0xff;
    B[sb + i] = m < 16 ? B[ab + m] : B[bb + m - 16];
  }
  copy(f, d, f.scratch);
}

/**
 * A splat: every lane of `d` becomes the scalar (`i8x16.splat` .. `f64x2.splat`).
 *
 * @param sub the 0xFD sub-opcode (15-20)
 * @param f the file
 * @param d destination vector
 * @param lo the scalar's low word (i32 value or f32 bits)
 * @param hi its high word (i64 / f64)
 */
export function simdSplat(sub: number, f: V128File, d: number, lo: number, hi: number): void {
  switch (sub) {
    case 15: { // i8x16.splat
      const w = (lo & 0xff) * 0x01010101;
      simdConst(f, d, w, w, w, w);
      return;
    }
    case 16: { // i16x8.splat
      const w = (lo & 0xffff) * 0x10001;
      simdConst(f, d, w, w, w, w);
      return;
    }
    case 17: // i32x4.splat
    case 19: // f32x4.splat
      simdConst(f, d, lo, lo, lo, lo);
      return;
    case 18: // i64x2.splat
    case 20: // f64x2.splat
      simdConst(f, d, lo, hi, lo, hi);
      return;
  }
  throw new RangeError(`not a SIMD splat: ${sub}`);
}

/**
 * An extract_lane: writes lane `lane` of vector `a` as a scalar to
 * `out[at]` (and `out[at + 1]`, the high word: the sign or zero extension
 * for narrow lanes, the high half for 64-bit lanes).
 *
 * @param sub the 0xFD sub-opcode (21, 22, 24, 25, 27, 29, 31, 33)
 * @param f the file
 * @param a source vector
 * @param lane lane index
 * @param out destination words
 * @param at index of the low word in `out`
 */
export function simdExtractLane(
  sub: number,
  f: V128File,
  a: number,
  lane: number,
  out: Int32Array,
  at: number,
): void {
  let v: number;
  switch (sub) {
    case 21: // i8x16.extract_lane_s
      v = f.i8[(a << 4) + lane];
      break;
    case 22: // i8x16.extract_lane_u
      v = f.u8[(a << 4) + lane];
      break;
    case 24: // i16x8.extract_lane_s
      v = f.i16[(a << 3) + lane];
      break;
    case 25: // i16x8.extract_lane_u
      v = f.u16[(a << 3) + lane];
      break;
    case 27: // i32x4.extract_lane
    case 31: // f32x4.extract_lane
      v = f.i32[(a << 2) + lane];
      break;
    case 29: // i64x2.extract_lane
    case 33: // f64x2.extract_lane
      out[at] = f.i32[(a << 2) + 2 * lane];
      out[at + 1] = f.i32[(a << 2) + 2 * lane + 1];
      return;
    default:
      throw new RangeError(`not a SIMD extract_lane: ${sub}`);
  }
  out[at] = v;
  out[at + 1] = 0;
}

/**
 * A replace_lane: `d` = `a` with lane `lane` replaced by the scalar.
 *
 * @param sub the 0xFD sub-opcode (23, 26, 28, 30, 32, 34)
 * @param f the file
 * @param d destination vector
 * @param a source vector
 * @param lane lane index
 * @param lo the scalar's low word
 * @param hi its high word (64-bit lanes)
 */
export function simdReplaceLane(
  sub: number,
  f: V128File,
  d: number,
  a: number,
  lane: number,
  lo: number,
  hi: number,
): void {
  copy(f, d, a);
  switch (sub) {
    case 23: // i8x16.replace_lane
      f.i8[(d << 4) + lane] = lo;
      return;
    case 26: // i16x8.replace_lane
      f.i16[(d << 3) + lane] = lo;
      return;
    case 28: // i32x4.replace_lane
    case 32: // f32x4.replace_lane
      f.i32[(d << 2) + lane] = lo;
      return;
    case 30: // i64x2.replace_lane
    case 34: // f64x2.replace_lane
      f.i32[(d << 2) + 2 * lane] = lo;
      f.i32[(d << 2) + 2 * lane + 1] = hi;
      return;
  }
  throw new RangeError(`not a SIMD replace_lane: ${sub}`);
}

/**
 * A v128 → i32 test: `v128.any_true`, `*.all_true`, `*.bitmask`.
 *
 * @param sub the 0xFD sub-opcode (83, 99, 100, 131, 132, 163, 164, 195, 196)
 * @param f the file
 * @param a source vector
 * @returns the i32 result
 */
export function simdTest(sub: number, f: V128File, a: number): number {
  switch (sub) {
    case 83: { // v128.any_true
      const W = f.i32;
      const aw = a << 2;
      return (W[aw] | W[aw + 1] | W[aw + 2] | W[aw + 3]) !== 0 ? 1 : 0;
    }
    case 99: { // i8x16.all_true
      const B = f.u8;
      for (let i = a << 4, e = i + 16; i < e; i++) if (B[i] === 0) return 0;
      return 1;
    }
    case 131: { // i16x8.all_true
      const H = f.u16;
      for (let i = a << 3, e = i + 8; i < e; i++) if (H[i] === 0) return 0;
      return 1;
    }
    case 163: { // i32x4.all_true
      const W = f.i32;
      for (let i = a << 2, e = i + 4; i < e; i++) if (W[i] === 0) return 0;
      return 1;
    }
    case 195: { // i64x2.all_true
      const W = f.i32;
      const aw = a << 2;
      return (W[aw] | W[aw + 1]) !== 0 && (W[aw + 2] | W[aw + 3]) !== 0 ? 1 : 0;
    }
    case 100: { // i8x16.bitmask
      const B = f.u8;
      let m = 0;
      for (let i = 0, b = a << 4; i < 16; i++) m |= (B[b + i] >>> 7) << i;
      return m;
    }
    case 132: { // i16x8.bitmask
      const H = f.u16;
      let m = 0;
      for (let i = 0, b = a << 3; i < 8; i++) m |= (H[b + i] >>> 15) << i;
      return m;
    }
    case 164: { // i32x4.bitmask
      const W = f.i32;
      let m = 0;
      for (let i = 0, b = a << 2; i < 4; i++) m |= (W[b + i] >>> 31) << i;
      return m;
    }
    case 196: { // i64x2.bitmask
      const W = f.i32;
      const aw = a << 2;
      return (W[aw + 1] >>> 31) | ((W[aw + 3] >>> 31) << 1);
    }
  }
  throw new RangeError(`not a SIMD test: ${sub}`);
}

/**
 * A shift by a scalar count, taken modulo the lane width.
 *
 * @param sub the 0xFD sub-opcode (107-109, 139-141, 171-173, 203-205)
 * @param f the file
 * @param d destination vector
 * @param a source vector
 * @param count the i32 shift count
 */
export function simdShift(sub: number, f: V128File, d: number, a: number, count: number): void {
  switch (sub) {
    case 107: { // i8x16.shl
      const c = count & 7;
      const B = f.i8;
      for (let i = 0, db = d << 4, ab = a << 4; i < 16; i++) B[db + i] = B[ab + i] << c;
      return;
    }
    case 108: { // i8x16.shr_s
      const c = count & 7;
      const B = f.i8;
      for (let i = 0, db = d << 4, ab = a << 4; i < 16; i++) B[db + i] = B[ab + i] >> c;
      return;
    }
    case 109: { // i8x16.shr_u
      const c = count & 7;
      const B = f.u8;
      for (let i = 0, db = d << 4, ab = a << 4; i < 16; i++) B[db + i] = B[ab + i] >>> c;
      return;
    }
    case 139: { // i16x8.shl
      const c = count & 15;
      const H = f.i16;
      for (let i = 0, dh = d << 3, ah = a << 3; i < 8; i++) H[dh + i] = H[ah + i] << c;
      return;
    }
    case 140: { // i16x8.shr_s
      const c = count & 15;
      const H = f.i16;
      for (let i = 0, dh = d << 3, ah = a << 3; i < 8; i++) H[dh + i] = H[ah + i] >> c;
      return;
    }
    case 141: { // i16x8.shr_u
      const c = count & 15;
      const H = f.u16;
      for (let i = 0, dh = d << 3, ah = a << 3; i < 8; i++) H[dh + i] = H[ah + i] >>> c;
      return;
    }
    case 171: { // i32x4.shl
      const W = f.i32;
      for (let i = 0, dw = d << 2, aw = a << 2; i < 4; i++) W[dw + i] = W[aw + i] << count;
      return;
    }
    case 172: { // i32x4.shr_s
      const W = f.i32;
      for (let i = 0, dw = d << 2, aw = a << 2; i < 4; i++) W[dw + i] = W[aw + i] >> count;
      return;
    }
    case 173: { // i32x4.shr_u
      const W = f.i32;
      for (let i = 0, dw = d << 2, aw = a << 2; i < 4; i++) W[dw + i] = W[aw + i] >>> count;
      return;
    }
    case 203: // i64x2.shl
    case 204: // i64x2.shr_s
    case 205: { // i64x2.shr_u
      const W = f.i32;
      const c = count & 63;
      for (let k = 0; k < 4; k += 2) {
        const lo = W[(a << 2) + k];
        const hi = W[(a << 2) + k + 1];
        let rl: number;
        let rh: number;
        if (c === 0) {
          rl = lo;
          rh = hi;
        } else if (sub === 203) {
          if (c < 32) {
            rh = (hi << c) | (lo >>> (32 - c));
            rl = lo << c;
          } else {
            rh = lo << (c - 32);
            rl = 0;
          }
        } else if (c < 32) {
          rl = (lo >>> c) | (hi << (32 - c));
          rh = sub === 204 ? hi >> c : hi >>> c;
        } else {
          rl = sub === 204 ? hi >> (c - 32) : hi >>> (c - 32);
          rh = sub === 204 ? hi >> 31 : 0;
        }
        W[(d << 2) + k] = rl;
        W[(d << 2) + k + 1] = rh;
      }
      return;
    }
  }
  throw new RangeError(`not a SIMD shift: ${sub}`);
}

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

/** A NaN made quiet, other values unchanged, written to f32 lane `i`. */
function putF32(F: Float32Array, W: Int32Array, i: number, x: number): void {
  F[i] = x;
  if (x !== x) W[i] |= 0x400000;
}

/** A NaN made quiet, other values unchanged, written to f64 lane `i`. */
function putF64(F: Float64Array, W: Int32Array, i: number, x: number): void {
  F[i] = x;
  if (x !== x) W[(i << 1) + 1] |= 0x80000;
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
