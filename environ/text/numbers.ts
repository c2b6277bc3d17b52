/**
 * Numeric literals of the WebAssembly text format: integers (decimal and
 * hexadecimal, with signs and `_` separators) and floats (decimal, hexadecimal,
 * `inf`, `nan`, `nan:0x...`), converted to the bits the binary format stores.
 *
 * Invariants:
 * - Float literals round to nearest, ties to even, exactly (no double
 *   rounding): values are kept as exact rationals of `bigint`s until the one
 *   final rounding into the target format. A literal that rounds to infinity is
 *   out of range, as the spec says.
 * - Every function returns `undefined` for text that is not a literal of its
 *   kind and throws {@link RangeError}-free: out-of-range literals are reported
 *   by returning `"range"`, so the caller can name the spec's error.
 *
 * @module
 */

/** The result of parsing a literal: its value, `undefined` if malformed, `"range"` if too big. */
export type Parsed<T> = T | undefined | "range";

/** Removes the `_` separators of a digit string; undefined if one is misplaced. */
function digits(s: string, hex: boolean): string | undefined {
  if (s.length === 0) return undefined;
  let out = "";
  let prevDigit = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5f) {
      if (!prevDigit) return undefined;
      prevDigit = false;
      continue;
    }
    const isDigit = (c >= 0x30 && c <= 0x39) ||
      (hex && ((c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)));
    if (!isDigit) return undefined;
    out += s[i];
    prevDigit = true;
  }
  return prevDigit ? out : undefined;
}

/** Parses an unsigned integer magnitude (`123`, `0x7f`, with `_`). */
function magnitude(s: string): bigint | undefined {
  if (s.startsWith("0x")) {
    const d = digits(s.slice(2), true);
    return d === undefined ? undefined : BigInt("0x" + d);
  }
  const d = digits(s, false);
  return d === undefined ? undefined : BigInt(d);
}

/**
 * Parses an unsigned integer literal (no sign) that must fit in `bits` bits,
 * as used for indices, alignments and offsets.
 *
 * @param text the token text
 * @param bits 32 or 64
 * @returns the value, `undefined` if not an unsigned literal, `"range"` if too big
 * @example
 * ```ts
 * import { parseUnsigned } from "./numbers.ts";
 * if (parseUnsigned("0x1_0", 32) !== 16n) throw new Error();
 * ```
 */
export function parseUnsigned(text: string, bits: 32 | 64): Parsed<bigint> {
  const c = text.charCodeAt(0);
  if (!(c >= 0x30 && c <= 0x39)) return undefined;
  const v = magnitude(text);
  if (v === undefined) return undefined;
  return v >> BigInt(bits) === 0n ? v : "range";
}

/**
 * Parses an integer literal for an `iN` constant: signed or unsigned, in
 * `[-2^(N-1), 2^N)`, returned as the signed value with those bits.
 *
 * @param text the token text
 * @param bits 8, 16, 32 or 64
 * @returns the value as a signed `bigint`, `undefined` if malformed, `"range"` if too big
 * @example
 * ```ts
 * import { parseInteger } from "./numbers.ts";
 * if (parseInteger("0xffff_ffff", 32) !== -1n) throw new Error();
 * if (parseInteger("-0x8000_0001", 32) !== "range") throw new Error();
 * ```
 */
export function parseInteger(text: string, bits: number): Parsed<bigint> {
  let s = text;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  const c = s.charCodeAt(0);
  if (!(c >= 0x30 && c <= 0x39)) return undefined;
  const v = magnitude(s);
  if (v === undefined) return undefined;
  const b = BigInt(bits);
  if (neg) {
    if (v > 1n << (b - 1n)) return "range";
    return BigInt.asIntN(bits, -v);
  }
  if (v >> b !== 0n) return "range";
  return BigInt.asIntN(bits, v);
}

/** The shape of a binary floating-point format. */
interface FloatFormat {
  /** Bits of the stored significand (23 or 52). */
  readonly mant: number;
  /** Bits of the exponent (8 or 11). */
  readonly exp: number;
}

const F32: FloatFormat = { mant: 23, exp: 8 };
const F64: FloatFormat = { mant: 52, exp: 11 };

/** A float literal, decoded but not yet rounded. */
type FloatValue =
  | { kind: "inf"; neg: boolean }
  | { kind: "nan"; neg: boolean; payload: bigint | undefined }
  | { kind: "num"; neg: boolean; mant: bigint; base: 2 | 10; exp: number };

function decodeFloat(text: string): FloatValue | undefined {
  let s = text;
  let neg = false;
  if (s[0] === "+" || s[0] === "-") {
    neg = s[0] === "-";
    s = s.slice(1);
  }
  if (s === "inf") return { kind: "inf", neg };
  if (s === "nan") return { kind: "nan", neg, payload: undefined };
  if (s.startsWith("nan:0x")) {
    const d = digits(s.slice(6), true);
    if (d === undefined) return undefined;
    return { kind: "nan", neg, payload: BigInt("0x" + d) };
  }
  const hex = s.startsWith("0x");
  if (hex) s = s.slice(2);
  const c = s.charCodeAt(0);
  const firstOk = (c >= 0x30 && c <= 0x39) ||
    (hex && ((c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)));
  if (!firstOk) return undefined;
  // Split off the exponent.
  let expPart: string | undefined;
  const eIdx = hex ? s.search(/[pP]/) : s.search(/[eE]/);
  if (eIdx >= 0) {
    expPart = s.slice(eIdx + 1);
    s = s.slice(0, eIdx);
  }
  let intPart = s;
  let fracPart = "";
  const dot = s.indexOf(".");
  if (dot >= 0) {
    intPart = s.slice(0, dot);
    fracPart = s.slice(dot + 1);
  }
  const intDigits = digits(intPart, hex);
  if (intDigits === undefined) return undefined;
  let fracDigits = "";
  if (fracPart.length > 0) {
    const f = digits(fracPart, hex);
    if (f === undefined) return undefined;
    fracDigits = f;
  }
  let exp = 0;
  if (expPart !== undefined) {
    let e = expPart;
    let eneg = false;
    if (e[0] === "+" || e[0] === "-") {
      eneg = e[0] === "-";
      e = e.slice(1);
    }
    const ed = digits(e, false);
    if (ed === undefined) return undefined;
    // Clamp absurd exponents; anything this large saturates either way.
    const ev = ed.length > 9 ? 1e9 : Number(ed);
    exp = eneg ? -ev : ev;
  }
  const all = intDigits + fracDigits;
  const mant = BigInt((hex ? "0x" : "") + all);
  if (hex) return { kind: "num", neg, mant, base: 2, exp: exp - 4 * fracDigits.length };
  return { kind: "num", neg, mant, base: 10, exp: exp - fracDigits.length };
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length;
}

/**
 * Rounds the positive rational `num / den` to the nearest value of `fmt`
 * (ties to even), returning the magnitude bits or `undefined` on overflow.
 */
function roundRational(num: bigint, den: bigint, fmt: FloatFormat): bigint | undefined {
  const bias = (1 << (fmt.exp - 1)) - 1;
  const emin = 1 - bias;
  let e = bitLength(num) - bitLength(den);
  const below = e >= 0 ? num < den << BigInt(e) : num << BigInt(-e) < den;
  if (below) e--;
  if (e < emin) e = emin;
  const shift = fmt.mant - e;
  let n2 = num;
  let d2 = den;
  if (shift >= 0) n2 <<= BigInt(shift);
  else d2 <<= BigInt(-shift);
  let q = n2 / d2;
  const r2 = (n2 - q * d2) * 2n;
  if (r2 > d2 || (r2 === d2 && (q & 1n) === 1n)) q++;
  if (q === 1n << BigInt(fmt.mant + 1)) {
    q >>= 1n;
    e++;
  }
  if (e + bias >= (1 << fmt.exp) - 1) return undefined;
  return (BigInt(e + bias - 1) << BigInt(fmt.mant)) + q;
}

const F32_SPECIAL = new Map<string, bigint>([
  ["inf", 0x7f800000n],
  ["+inf", 0x7f800000n],
  ["-inf", 0xff800000n],
  ["nan", 0x7fc00000n],
  ["+nan", 0x7fc00000n],
  ["-nan", 0xffc00000n],
]);
const F64_SPECIAL = new Map<string, bigint>([
  ["inf", 0x7ff0000000000000n],
  ["+inf", 0x7ff0000000000000n],
  ["-inf", 0xfff0000000000000n],
  ["nan", 0x7ff8000000000000n],
  ["+nan", 0x7ff8000000000000n],
  ["-nan", 0xfff8000000000000n],
]);

const PLAIN_DECIMAL = /^[+-]?[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?$/;
const PLAIN_HEX = /^([+-]?)0x([0-9a-fA-F]+)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]{1,4}))?$/;

/**
 * The common literals, without bigint arithmetic: plain decimals through the
 * correctly rounded string-to-double conversion, and hex literals whose
 * significand fits a double exactly. Undefined when the slow path is needed.
 */
function fastFloatBits(text: string, fmt: FloatFormat): bigint | undefined {
  let d: number;
  if (PLAIN_DECIMAL.test(text)) {
    d = Number(text);
    if (fmt === F32) {
      if (d === 0 || !Number.isFinite(d)) return undefined;
      const mag = f32FromDouble(text);
      return mag === undefined ? undefined : (d < 0 ? 0x80000000n : 0n) | mag;
    }
  } else {
    const m = PLAIN_HEX.exec(text);
    if (m === null) return undefined;
    const frac = m[3] ?? "";
    let sig = (m[2] + frac).replace(/^0+/, "");
    let e = Number(m[4] ?? "0") - 4 * frac.length;
    let sticky = 0;
    if (sig.length > 13) {
      // f32 needs 26 bits to round; the 52 leading bits plus a sticky bit for
      // the rest round the same as the exact value. f64 takes the slow path.
      if (fmt !== F32) return undefined;
      sticky = /^0*$/.test(sig.slice(13)) ? 0 : 1;
      e += 4 * (sig.length - 13);
      sig = sig.slice(0, 13);
    }
    if (e < -1000 || e > 900) return undefined;
    const base = sig.length === 0 ? 0 : parseInt(sig, 16);
    d = (base % 2 === 0 ? base + sticky : base) * 2 ** e;
    if (m[1] === "-") d = -d;
    if (fmt === F32) {
      const f = Math.fround(d);
      if (!Number.isFinite(f)) return undefined;
      F32_BUF.setFloat32(0, f);
      return BigInt(F32_BUF.getUint32(0));
    }
  }
  if (!Number.isFinite(d)) return undefined;
  return f64ToBits(d);
}

function floatBits(text: string, fmt: FloatFormat): Parsed<bigint> {
  const special = (fmt === F32 ? F32_SPECIAL : F64_SPECIAL).get(text);
  if (special !== undefined) return special;
  const fast = fastFloatBits(text, fmt);
  if (fast !== undefined) return fast;
  const v = decodeFloat(text);
  if (v === undefined) return undefined;
  const signBit = BigInt(fmt.mant + fmt.exp);
  const sign = v.neg ? 1n << signBit : 0n;
  const expAll = ((1n << BigInt(fmt.exp)) - 1n) << BigInt(fmt.mant);
  if (v.kind === "inf") return sign | expAll;
  if (v.kind === "nan") {
    const p = v.payload ?? 1n << BigInt(fmt.mant - 1);
    if (p === 0n || p >> BigInt(fmt.mant) !== 0n) return "range";
    return sign | expAll | p;
  }
  if (v.mant === 0n) return sign;
  let mag: bigint | undefined;
  if (v.base === 10) {
    const size = v.mant.toString().length + v.exp;
    if (size > 400) return "range";
    if (size < -400) return sign;
    if (fmt === F64) {
      // The JS engine's string-to-double conversion is correctly rounded.
      const d = Number(text.replaceAll("_", "").replace(/^[+-]/, ""));
      if (!Number.isFinite(d)) return "range";
      return sign | f64ToBits(d);
    }
    const fast = f32FromDouble(text);
    if (fast !== undefined) return sign | fast;
    mag = v.exp >= 0
      ? roundRational(v.mant * 10n ** BigInt(v.exp), 1n, fmt)
      : roundRational(v.mant, 10n ** BigInt(-v.exp), fmt);
  } else {
    const size = bitLength(v.mant) + v.exp;
    if (size > 1100) return "range";
    if (size < -1200) return sign;
    mag = v.exp >= 0
      ? roundRational(v.mant << BigInt(v.exp), 1n, fmt)
      : roundRational(v.mant, 1n << BigInt(-v.exp), fmt);
  }
  if (mag === undefined) return "range";
  return sign | mag;
}

const F32_BUF = new DataView(new ArrayBuffer(4));

/**
 * The f32 magnitude bits of a decimal literal through the (correctly rounded)
 * double, when that is safe: rounding the double to f32 gives the same result
 * as rounding the exact value unless the double lies exactly on an f32
 * midpoint (every midpoint is a double). Returns undefined when unsure.
 */
function f32FromDouble(text: string): bigint | undefined {
  const d = Math.abs(Number(text.replaceAll("_", "")));
  const f = Math.fround(d);
  if (!Number.isFinite(f) || f === 0) return undefined;
  F32_BUF.setFloat32(0, f);
  const bits = F32_BUF.getUint32(0);
  if (f !== d) {
    F32_BUF.setUint32(0, f < d ? bits + 1 : bits - 1);
    const other = F32_BUF.getFloat32(0);
    if ((f + other) / 2 === d) return undefined;
  }
  return BigInt(bits);
}

const F64_BUF = new DataView(new ArrayBuffer(8));

function f64ToBits(d: number): bigint {
  F64_BUF.setFloat64(0, d);
  return F64_BUF.getBigUint64(0);
}

/**
 * Parses an `f32` literal into its IEEE-754 bits.
 *
 * @param text the token text, e.g. `"0x1.8p-1"`, `"-inf"`, `"nan:0x200000"`
 * @returns the bits as an unsigned 32-bit number, `undefined` if malformed,
 *   `"range"` if it rounds to infinity or has a bad NaN payload
 * @example
 * ```ts
 * import { parseF32 } from "./numbers.ts";
 * if (parseF32("1.5") !== 0x3fc00000) throw new Error();
 * ```
 */
export function parseF32(text: string): Parsed<number> {
  const b = floatBits(text, F32);
  return typeof b === "bigint" ? Number(b) : b;
}

/**
 * Parses an `f64` literal into its IEEE-754 bits.
 *
 * @param text the token text
 * @returns the bits as an unsigned 64-bit `bigint`, `undefined` if malformed,
 *   `"range"` if it rounds to infinity or has a bad NaN payload
 * @example
 * ```ts
 * import { parseF64 } from "./numbers.ts";
 * if (parseF64("-0x1p-1") !== 0xbfe0000000000000n) throw new Error();
 * ```
 */
export function parseF64(text: string): Parsed<bigint> {
  return floatBits(text, F64);
}
