/**
 * The value helpers of JS-tier code (`H` in the generated source; see
 * `@capstan/codegen`'s `js_backend.ts`), and the conversions between the JS
 * tier's values and the VM's slots.
 *
 * Representations (the kinds of `codegen/_js_kinds.ts`): an i32 or a
 * reference is an int32 number, an i64 a BigInt in the signed range, an f64
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
const i64 = new BigInt64Array(f64.buffer);
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

/** The value helpers, bound as `H` in generated code. */
export const JS_HELPERS = Object.freeze({
  /** The v128 file and lane functions of SIMD code (`runtime/_js_simd.ts`). */
  simd: JS_SIMD_HELPERS,
  f32b,
  bf32,
  f64b,
  quiet,
  quietF,
  /** The bits of an f64 as an i64. */
  dbits: (x: number): bigint => {
    f64[0] = x;
    return i64[0];
  },
  /** The f64 of i64 bits (a NaN made quiet). */
  bitsd: (b: bigint): number => {
    i64[0] = b;
    return quiet(f64[0]);
  },
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
  truncSat64: (x: number, signed: boolean): bigint => {
    truncSat64(w, 0, x, signed);
    return i64[0];
  },
  f32FromI64: (b: bigint) => f32FromI64(Number(BigInt.asIntN(32, b)), Number(b >> 32n)),
  f32FromU64: (b: bigint) => f32FromU64(Number(BigInt.asIntN(32, b)), Number(b >> 32n)),
  rotl64: (a: bigint, n: bigint): bigint => {
    const k = BigInt.asUintN(6, n);
    if (k === 0n) return a;
    const u = BigInt.asUintN(64, a);
    return BigInt.asIntN(64, (u << k) | (u >> (64n - k)));
  },
  clz64: (a: bigint): bigint => {
    const hi = Number(a >> 32n) | 0;
    return BigInt(hi !== 0 ? Math.clz32(hi) : 32 + Math.clz32(Number(BigInt.asIntN(32, a))));
  },
  ctz64: (a: bigint): bigint => {
    const lo = Number(BigInt.asIntN(32, a));
    return BigInt(lo !== 0 ? ctz32(lo) : 32 + ctz32(Number(a >> 32n) | 0));
  },
  popcnt64: (a: bigint): bigint =>
    BigInt(popcnt32(Number(BigInt.asIntN(32, a))) + popcnt32(Number(a >> 32n) | 0)),
  getGlobalI: (g: Int32Array, s: number) => g[s << 1],
  getGlobalF: (g: Int32Array, s: number) => f32b(g[s << 1]),
  getGlobalD: (g: Int32Array, s: number) => {
    w[0] = g[s << 1];
    w[1] = g[(s << 1) + 1];
    return quiet(f64[0]);
  },
  getGlobalB: (g: Int32Array, s: number) => {
    w[0] = g[s << 1];
    w[1] = g[(s << 1) + 1];
    return i64[0];
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
  setGlobalB: (g: Int32Array, s: number, v: bigint) => {
    i64[0] = v;
    g[s << 1] = w[0];
    g[(s << 1) + 1] = w[1];
  },
});
