/**
 * SIMD lane math for the operations that are not lane-wise arithmetic:
 * constants, moves, bit select, shuffle, splat, lane extract and replace, the
 * v128 → i32 tests (any/all true, bitmask) and shifts by a scalar count.
 * Operations are selected by their wasm 0xFD sub-opcode and run in place on a
 * {@link V128File}, without allocation; the destination may be any operand
 * (cross-lane results go through the file's scratch vector). Re-exported by
 * `simd_math.ts`.
 *
 * @module
 */

import { copy, type V128File } from "./_simd_file.ts";

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
