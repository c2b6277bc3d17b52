/**
 * One pure function per WebAssembly operation whose semantics are subtle
 * (rounding, float-to-int conversion, 64-bit division helpers), shared by the
 * VM's extended ops and by anything that folds constants.
 *
 * Invariants: inputs and outputs are plain JS numbers holding exactly the
 * value of the wasm operand (f32 values are already rounded to f32); 64-bit
 * integers are passed as (lo, hi) signed 32-bit halves.
 *
 * @module
 */

const TWO32 = 4294967296;

/**
 * Round to nearest, ties to even (`f32.nearest`, `f64.nearest`).
 *
 * @param x a float
 * @returns the nearest integral value, keeping the sign of zero
 * @example
 * ```ts
 * import { nearest } from "./wasm_math.ts";
 * if (nearest(2.5) !== 2 || nearest(3.5) !== 4) throw new Error();
 * ```
 */
export function nearest(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const r = Math.round(x);
  if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
  return r === 0 && x < 0 ? -0 : r;
}

/**
 * The f32 nearest to an unsigned 64-bit integer, rounded once.
 *
 * @param lo low 32 bits
 * @param hi high 32 bits
 * @returns the value as a float rounded to f32
 */
export function f32FromU64(lo: number, hi: number): number {
  const h = hi >>> 0;
  let l = lo >>> 0;
  if (h >= 0x200000) {
    // More than 53 significant bits: keep bits 11 and up (still exact in a
    // double) and fold the lower ones into a sticky bit, so that the double
    // rounding to f32 equals a single rounding.
    if ((l & 0x7ff) !== 0) l = (l & ~0x7ff) | 0x800;
    else l = l & ~0x7ff;
    l = l >>> 0;
  }
  return Math.fround(h * TWO32 + l);
}

/**
 * The f32 nearest to a signed 64-bit integer, rounded once.
 *
 * @param lo low 32 bits
 * @param hi high 32 bits
 * @returns the value as a float rounded to f32
 * @example
 * ```ts
 * import { f32FromI64 } from "./wasm_math.ts";
 * if (f32FromI64(-1, -1) !== -1) throw new Error();
 * ```
 */
export function f32FromI64(lo: number, hi: number): number {
  if (hi >= 0) return f32FromU64(lo, hi);
  // negate the 64-bit value
  const nlo = (~lo + 1) | 0;
  const nhi = (~hi + (nlo === 0 ? 1 : 0)) | 0;
  return -f32FromU64(nlo, nhi);
}

/**
 * Writes an integral number (already range-checked) as two i64 halves.
 *
 * @param out the register file
 * @param at index of the low half
 * @param t an integral value in [-2^63, 2^64)
 */
export function writeI64(out: Int32Array, at: number, t: number): void {
  const hi = Math.floor(t / TWO32);
  out[at] = t - hi * TWO32;
  out[at + 1] = hi;
}

/**
 * Whether a float truncates to a value representable in the given integer
 * type (`i32`/`u32`/`i64`/`u64` as `32s`, `32u`, `64s`, `64u`).
 *
 * @param x the float (not NaN)
 * @param kind the target type
 * @returns true when `trunc(x)` fits
 */
export function truncFits(x: number, kind: "32s" | "32u" | "64s" | "64u"): boolean {
  switch (kind) {
    case "32s":
      return x > -2147483649 && x < 2147483648;
    case "32u":
      return x > -1 && x < 4294967296;
    case "64s":
      return x >= -9223372036854775808 && x < 9223372036854775808;
    case "64u":
      return x > -1 && x < 18446744073709551616;
  }
}

/**
 * Saturating truncation to a signed or unsigned 32-bit integer.
 *
 * @param x a float
 * @param signed whether the target is signed
 * @returns the truncated, clamped value (NaN gives 0)
 */
export function truncSat32(x: number, signed: boolean): number {
  if (x !== x) return 0;
  if (signed) {
    if (x <= -2147483648) return -2147483648;
    if (x >= 2147483647) return 2147483647;
    return Math.trunc(x) | 0;
  }
  if (x <= 0) return 0;
  if (x >= 4294967295) return -1;
  return Math.trunc(x) | 0;
}

/**
 * Saturating truncation to a signed or unsigned 64-bit integer, written as halves.
 *
 * @param out the register file
 * @param at index of the low half
 * @param x a float
 * @param signed whether the target is signed
 */
export function truncSat64(out: Int32Array, at: number, x: number, signed: boolean): void {
  if (x !== x) {
    out[at] = 0;
    out[at + 1] = 0;
  } else if (signed && x < -9223372036854775808) {
    out[at] = 0;
    out[at + 1] = -2147483648;
  } else if (signed && x >= 9223372036854775808) {
    out[at] = -1;
    out[at + 1] = 0x7fffffff;
  } else if (!signed && x <= -1) {
    out[at] = 0;
    out[at + 1] = 0;
  } else if (!signed && x >= 18446744073709551616) {
    out[at] = -1;
    out[at + 1] = -1;
  } else {
    writeI64(out, at, Math.trunc(x) + 0);
  }
}

/**
 * Population count of a 32-bit value.
 *
 * @param x a 32-bit integer
 * @returns the number of one bits
 */
export function popcnt32(x: number): number {
  x = x - ((x >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Count trailing zeros of a 32-bit value.
 *
 * @param x a 32-bit integer
 * @returns 0..32
 */
export function ctz32(x: number): number {
  return x === 0 ? 32 : 31 - Math.clz32(x & -x);
}

/** The (high, low) i64 pair of a 128-bit integer, as one unsigned BigInt below 2^128. */
function u128(lo: bigint, hi: bigint): bigint {
  return (BigInt.asUintN(64, hi) << 64n) | BigInt.asUintN(64, lo);
}

/**
 * `i64.add128`: the sum of two 128-bit integers given as (low, high) i64
 * pairs, wrapping at 128 bits.
 *
 * @param alo low 64 bits of the first operand
 * @param ahi high 64 bits of the first operand
 * @param blo low 64 bits of the second operand
 * @param bhi high 64 bits of the second operand
 * @returns the sum as an unsigned BigInt below 2^128 (low i64 = its low 64 bits)
 * @example
 * ```ts
 * import { add128 } from "./wasm_math.ts";
 * if (add128(-1n, 0n, 1n, 0n) !== 1n << 64n) throw new Error("the carry reaches the high half");
 * ```
 */
export function add128(alo: bigint, ahi: bigint, blo: bigint, bhi: bigint): bigint {
  return BigInt.asUintN(128, u128(alo, ahi) + u128(blo, bhi));
}

/**
 * `i64.sub128`: the difference of two 128-bit integers given as (low, high)
 * i64 pairs, wrapping at 128 bits.
 *
 * @param alo low 64 bits of the minuend
 * @param ahi high 64 bits of the minuend
 * @param blo low 64 bits of the subtrahend
 * @param bhi high 64 bits of the subtrahend
 * @returns the difference as an unsigned BigInt below 2^128
 * @example
 * ```ts
 * import { sub128 } from "./wasm_math.ts";
 * if (sub128(0n, 0n, 1n, 0n) !== (1n << 128n) - 1n) throw new Error("0 - 1 borrows through");
 * ```
 */
export function sub128(alo: bigint, ahi: bigint, blo: bigint, bhi: bigint): bigint {
  return BigInt.asUintN(128, u128(alo, ahi) - u128(blo, bhi));
}

/**
 * `i64.mul_wide_s` / `i64.mul_wide_u`: the full 128-bit product of two i64.
 *
 * @param a the first operand
 * @param b the second operand
 * @param signed whether both are read as signed (`mul_wide_s`) or unsigned
 * @returns the product as an unsigned BigInt below 2^128 (its two's complement when negative)
 * @example
 * ```ts
 * import { mulWide } from "./wasm_math.ts";
 * if (mulWide(-1n, 1n, true) !== (1n << 128n) - 1n) throw new Error("-1 signed");
 * if (mulWide(-1n, 1n, false) !== (1n << 64n) - 1n) throw new Error("2^64 - 1 unsigned");
 * ```
 */
export function mulWide(a: bigint, b: bigint, signed: boolean): bigint {
  const x = signed ? BigInt.asIntN(64, a) : BigInt.asUintN(64, a);
  const y = signed ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b);
  return BigInt.asUintN(128, x * y);
}
