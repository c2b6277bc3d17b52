/**
 * The value helpers of JS-tier code (`H` in the generated source; see
 * `@capstan/codegen`'s `js_backend.ts`), and the conversions between the JS
 * tier's values and the VM's slots.
 *
 * Representations (the kinds of `codegen/_js_kinds.ts`): an i32 or a
 * reference is an int32 number, an i64 two int32 numbers (its halves, see
 * `codegen/_js_i64.ts`; a helper giving an i64 leaves its halves in
 * {@link PAIR_OUT}, `HP` in generated code), an f64
 * a number, and an f32 a number holding the f32's value, a NaN encoded as
 * {@link f32b} says so that a signalling f32 NaN that is only loaded, moved
 * and stored keeps its bits (`Math.fround` and a `Float32Array` read would
 * quiet it).
 *
 * Invariants:
 * - `f32b(bf32(x))` is `x` for every f32 value `x`, NaNs included, and
 *   `bf32(f32b(b)) === b` for every 32-bit pattern `b`.
 * - No JS-tier value is a signalling f64 NaN (V8 may quiet those as it
 *   moves them): f32 NaNs are encoded (`f32b`), and an f64 read from bits is
 *   made quiet (`quiet`); codegen keeps f64 values that are only moved as
 *   i64 bits, so their NaN payloads survive exactly.
 *
 * @module
 */

import { JS_GC_HELPERS } from "./_js_gc.ts";
import {
  ctz32,
  f32FromI64,
  f32FromU64,
  nearest,
  popcnt32,
  truncFits,
  truncSat32,
  truncSat64,
} from "@capstan/interpreter";
import { JS_SIMD_HELPERS } from "./_js_simd.ts";

const f64 = new Float64Array(1);
const w = new Int32Array(f64.buffer);
const f32 = new Float32Array(1);
const w32 = new Int32Array(f32.buffer);

/**
 * The JS-tier value of an f32 bit pattern. A NaN becomes a quiet f64 NaN with
 * the same sign and the f32 payload below its quiet bit shifted up 29 bits
 * (as a widening conversion puts it), and bit 0 set when the f32 NaN was
 * signalling: never a signalling f64 NaN, which V8 may quiet on its own.
 *
 * @param b the bits
 * @returns the f32 value
 */
function f32b(b: number): number {
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) {
    w[1] = (b & -2147483648) | 0x7ff80000 | ((b & 0x3fffff) >>> 3);
    w[0] = (b << 29) | ((b & 0x400000) === 0 ? 1 : 0);
    return f64[0];
  }
  w32[0] = b;
  return f32[0];
}

/**
 * The bit pattern of a JS-tier f32 value (see {@link f32b}); a NaN computed
 * by f64 arithmetic or `Math.fround` is quiet.
 *
 * @param x the value
 * @returns its 32 bits
 */
function bf32(x: number): number {
  if (x !== x) {
    f64[0] = x;
    const hi = w[1];
    const lo = w[0];
    const quietBit = (lo & 1) === 0 ? 0x400000 : 0;
    return (hi & -2147483648) | 0x7f800000 | quietBit | ((hi & 0x7ffff) << 3) | (lo >>> 29);
  }
  f32[0] = x;
  return w32[0];
}

/**
 * An f64 from its halves (for NaN constants), made quiet.
 *
 * @param lo low 32 bits
 * @param hi high 32 bits
 * @returns the f64
 */
function f64b(lo: number, hi: number): number {
  w[0] = lo;
  w[1] = hi | 0x80000;
  return f64[0];
}

/** An f64 NaN made quiet (its payload kept), other values unchanged. */
function quiet(x: number): number {
  if (x === x) return x;
  f64[0] = x;
  w[1] |= 0x80000;
  return f64[0];
}

/** A JS-tier f32 NaN made quiet (see {@link f32b}), other values unchanged. */
function quietF(x: number): number {
  if (x === x) return x;
  f64[0] = x;
  w[0] &= ~0x1fffffff;
  w[1] |= 0x80000;
  return f64[0];
}

/** `x` with its sign bit set to `s` (0 or -2^31): NaNs keep their payload. */
function withSign(x: number, s: number): number {
  f64[0] = x;
  w[1] = (w[1] & 0x7fffffff) | s;
  return f64[0];
}

function signOf(x: number): number {
  f64[0] = x;
  return w[1] & -2147483648;
}

/** Where a helper leaves the halves of the i64s it gives: low, high (then a second i64). */
export const PAIR_OUT: Int32Array = new Int32Array(4);

const TWO32 = 4294967296;
const big = (lo: number, hi: number) => (BigInt(hi) << 32n) | BigInt(lo >>> 0);
const ubig = (lo: number, hi: number) => BigInt.asUintN(64, big(lo, hi));

/** Writes a BigInt's low 64 bits to {@link PAIR_OUT} at `at`. */
function outBig(v: bigint, at = 0): void {
  PAIR_OUT[at] = Number(BigInt.asIntN(32, v));
  PAIR_OUT[at + 1] = Number(BigInt.asIntN(32, v >> 32n));
}

/** Writes an integral double in the i64 (or u64) range to {@link PAIR_OUT}. */
function outNumber(q: number): void {
  PAIR_OUT[0] = q | 0; // ToInt32 is the value modulo 2^32
  PAIR_OUT[1] = Math.floor(q / TWO32) | 0;
}

/**
 * Division and remainder of i64s given by halves, the result's halves in
 * {@link PAIR_OUT} (`op`: 0 div_s, 1 rem_s, 2 div_u, 3 rem_u). In doubles when
 * that is exact: a quotient of operands of 32 bits (signed or not), a
 * remainder of operands of at most 53 bits (`%` on doubles is exact); through
 * BigInt otherwise. The caller has checked the traps (a zero divisor, `MIN / -1`).
 */
function divRem(op: number, al: number, ah: number, bl: number, bh: number): void {
  const signed = op < 2;
  const fits = (op & 1) === 0
    ? (signed ? ah === al >> 31 && bh === bl >> 31 : ah === 0 && bh === 0)
    : (signed
      ? ah >= -0x200000 && ah < 0x200000 && bh >= -0x200000 && bh < 0x200000
      : ah >>> 0 < 0x200000 && bh >>> 0 < 0x200000);
  if (fits) {
    const a = signed ? ah * TWO32 + (al >>> 0) : (ah >>> 0) * TWO32 + (al >>> 0);
    const b = signed ? bh * TWO32 + (bl >>> 0) : (bh >>> 0) * TWO32 + (bl >>> 0);
    outNumber((op & 1) === 0 ? Math.trunc(a / b) : a % b);
    return;
  }
  const a = signed ? big(al, ah) : ubig(al, ah);
  const b = signed ? big(bl, bh) : ubig(bl, bh);
  outBig((op & 1) === 0 ? a / b : a % b);
}

/** `(hi:lo) = a ± b` over 128 bits, the halves of each 64-bit word given, into {@link PAIR_OUT}. */
function addSub128(
  sign: bigint,
  al: number,
  ah: number,
  bl: number,
  bh: number,
  cl: number,
  ch: number,
  dl: number,
  dh: number,
): void {
  const a = (ubig(bl, bh) << 64n) | ubig(al, ah);
  const b = (ubig(dl, dh) << 64n) | ubig(cl, ch);
  const r = BigInt.asUintN(128, sign > 0n ? a + b : a - b);
  outBig(r, 0);
  outBig(r >> 64n, 2);
}

/** The value helpers, bound as `H` in generated code. */
export const JS_HELPERS = Object.freeze({
  /** The v128 file and lane functions of SIMD code (`runtime/_js_simd.ts`). */
  simd: JS_SIMD_HELPERS,
  /** The GC helpers of code that holds GC values (`runtime/_js_gc.ts`). */
  gc: JS_GC_HELPERS,
  f32b,
  bf32,
  f64b,
  quiet,
  quietF,
  abs: (x: number) => x === x ? Math.abs(x) : withSign(x, 0),
  neg: (x: number) => x === x ? -x : withSign(x, signOf(x) ^ -2147483648),
  copysign: (a: number, b: number) => withSign(a, signOf(b)),
  fmin: (a: number, b: number) => {
    const r = Math.min(a, b);
    return r === r ? r : NaN;
  },
  fmax: (a: number, b: number) => {
    const r = Math.max(a, b);
    return r === r ? r : NaN;
  },
  nearest,
  ctz32,
  popcnt32,
  truncFits,
  truncSat32,
  /** The i64 halves' scratch ({@link PAIR_OUT}). */
  P: PAIR_OUT,
  /** A saturating truncation to i64, its halves into `P`. */
  truncSat64: (x: number, signed: boolean): void => truncSat64(PAIR_OUT, 0, x, signed),
  f32FromI64,
  f32FromU64,
  /** i64 `div_s` of halves into `P`. */
  divS: (al: number, ah: number, bl: number, bh: number) => divRem(0, al, ah, bl, bh),
  /** i64 `rem_s` of halves into `P`. */
  remS: (al: number, ah: number, bl: number, bh: number) => divRem(1, al, ah, bl, bh),
  /** i64 `div_u` of halves into `P`. */
  divU: (al: number, ah: number, bl: number, bh: number) => divRem(2, al, ah, bl, bh),
  /** i64 `rem_u` of halves into `P`. */
  remU: (al: number, ah: number, bl: number, bh: number) => divRem(3, al, ah, bl, bh),
  /** `i64.add128` of (a, b) and (c, d) as halves: the result's two words into `P`. */
  add128: (...h: [number, number, number, number, number, number, number, number]) =>
    addSub128(1n, ...h),
  /** `i64.sub128`, as `add128`. */
  sub128: (...h: [number, number, number, number, number, number, number, number]) =>
    addSub128(-1n, ...h),
  /** `i64.mul_wide_s` of two i64s as halves: the 128-bit product's two words into `P`. */
  mulWideS: (al: number, ah: number, bl: number, bh: number) => {
    const r = big(al, ah) * big(bl, bh);
    outBig(r, 0);
    outBig(r >> 64n, 2);
  },
  /** `i64.mul_wide_u`, as `mulWideS` on unsigned operands. */
  mulWideU: (al: number, ah: number, bl: number, bh: number) => {
    const r = ubig(al, ah) * ubig(bl, bh);
    outBig(r, 0);
    outBig(r >> 64n, 2);
  },
  getGlobalI: (g: Int32Array, s: number) => g[s << 1],
  getGlobalF: (g: Int32Array, s: number) => f32b(g[s << 1]),
  getGlobalD: (g: Int32Array, s: number) => {
    w[0] = g[s << 1];
    w[1] = g[(s << 1) + 1];
    return quiet(f64[0]);
  },
  setGlobalI: (g: Int32Array, s: number, v: number) => {
    g[s << 1] = v;
  },
  setGlobalF: (g: Int32Array, s: number, v: number) => {
    g[s << 1] = bf32(v);
  },
  setGlobalD: (g: Int32Array, s: number, v: number) => {
    f64[0] = v;
    g[s << 1] = w[0];
    g[(s << 1) + 1] = w[1];
  },
});
