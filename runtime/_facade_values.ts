/**
 * The JS-API's conversions that need no facade state: ToNumber, ToBigInt64,
 * ToInt32 and the WebIDL checks of descriptors (`[EnforceRange] unsigned
 * long`, dictionaries, value-type names), and each value type's default.
 *
 * Invariants: each conversion throws a `TypeError` for a value of the wrong
 * kind (a BigInt where a number is wanted and the reverse), as the JS-API
 * says; a conversion may run user code (`valueOf`), so callers convert every
 * argument before a call starts.
 *
 * @module
 */

import { isRefType, refTop, ValType } from "@capstan/environ";
import type { Val } from "./val.ts";

const VALUE_TYPES: Record<string, ValType> = {
  i32: ValType.i32,
  i64: ValType.i64,
  f32: ValType.f32,
  f64: ValType.f64,
  v128: ValType.v128,
  externref: ValType.externref,
  anyref: ValType.anyref,
  eqref: ValType.eqref,
  i31ref: ValType.i31ref,
  structref: ValType.structref,
  arrayref: ValType.arrayref,
  anyfunc: ValType.funcref,
  funcref: ValType.funcref,
};

/**
 * ToNumber, a TypeError for a BigInt.
 *
 * @param v any value
 * @returns the number
 */
export function toNumber(v: unknown): number {
  if (typeof v === "bigint") throw new TypeError("Cannot convert a BigInt value to a number");
  return Number(v);
}

/**
 * ToBigInt, a TypeError for a number, undefined, null or a symbol.
 *
 * @param v any value
 * @returns the BigInt
 */
export function toBigInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") throw new TypeError(`Cannot convert ${v} to a BigInt`);
  if (v === undefined || v === null || typeof v === "symbol") {
    throw new TypeError(`Cannot convert ${String(v)} to a BigInt`);
  }
  return BigInt(v as string | boolean);
}

/**
 * ToInt32 (a TypeError for a BigInt), with numbers first.
 *
 * @param v any value
 * @returns the int32 number
 */
export function toInt32(v: unknown): number {
  return (typeof v === "number" ? v : toNumber(v)) | 0;
}

/**
 * ToWebAssemblyValue for a number type: ToInt32, ToBigInt64, ToNumber then
 * f32 rounding, or ToNumber (each throws a TypeError for the wrong kind).
 *
 * @param v any value
 * @param type a number type
 * @returns the value, normalised to the type
 */
export function toNumberArg(v: unknown, type: ValType): number | bigint {
  switch (type) {
    case ValType.i32:
      return toNumber(v) | 0;
    case ValType.i64:
      return BigInt.asIntN(64, toBigInt(v));
    case ValType.f32:
      return Math.fround(toNumber(v));
    default:
      return toNumber(v);
  }
}

/**
 * Whether a value is a BufferSource (an ArrayBuffer or a view of one).
 *
 * @param bytes any value
 * @returns true for an ArrayBuffer or an ArrayBuffer view
 */
export function isBufferSource(bytes: unknown): bytes is BufferSource {
  return bytes instanceof ArrayBuffer || ArrayBuffer.isView(bytes);
}

/**
 * WebIDL `[EnforceRange] unsigned long`.
 *
 * @param v any value
 * @param what its name, for errors
 * @returns the integer in [0, 2^32-1]
 */
export function enforceU32(v: unknown, what: string): number {
  const n = toNumber(v);
  if (!Number.isFinite(n)) throw new TypeError(`${what} must be a finite number, found ${v}`);
  const t = Math.trunc(n);
  if (t < 0 || t > 0xffffffff) throw new TypeError(`${what} must be in [0, 2^32-1], found ${v}`);
  return t;
}

/**
 * WebIDL `[EnforceRange] unsigned long long` read from a BigInt, as the JS
 * API reads a 64-bit memory's or table's sizes and indices (ToBigInt: a
 * Number is a `TypeError`).
 *
 * @param v the argument
 * @param what its name, for errors
 * @returns its value as a number (exact up to 2^53; above, past every limit)
 * @example
 * ```ts
 * import { enforceU64 } from "./_facade_values.ts";
 * if (enforceU64(5n, "initial") !== 5) throw new Error();
 * ```
 */
export function enforceU64(v: unknown, what: string): number {
  if (typeof v === "number" || typeof v === "symbol" || v === undefined || v === null) {
    throw new TypeError(`${what}: cannot convert ${String(v)} to a BigInt`);
  }
  let b: bigint;
  try {
    b = BigInt(v as bigint | string | boolean);
  } catch {
    throw new TypeError(`${what}: cannot convert ${String(v)} to a BigInt`);
  }
  if (b < 0n || b >= 1n << 64n) throw new TypeError(`${what} must be in [0, 2^64-1], found ${b}`);
  return Number(b);
}

/**
 * The address type named by a memory or table descriptor's `address`:
 * whether it is `"i64"` (`"i32"` or absent: false).
 *
 * @param v the descriptor's `address` member
 * @param what the constructor's name, for errors
 * @returns true for i64
 */
export function addressIs64(v: unknown, what: string): boolean {
  if (v === undefined) return false;
  const s = String(v);
  if (s !== "i32" && s !== "i64") {
    throw new TypeError(`${what}: address must be "i32" or "i64", found ${s}`);
  }
  return s === "i64";
}

/**
 * A WebIDL dictionary argument: undefined and null read as an empty one.
 *
 * @param v any value
 * @param what its name, for errors
 * @returns the object to read members from
 */
export function dictionary(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" && typeof v !== "function") {
    throw new TypeError(`${what} must be an object`);
  }
  return v as Record<string, unknown>;
}

/**
 * A value type named as the JS-API names them (`"i32"`, ..., `"anyfunc"`).
 *
 * @param v the name
 * @param what where it was given, for errors
 * @returns the value type
 */
export function valueType(v: unknown, what: string): ValType {
  const t = VALUE_TYPES[String(v)];
  if (t === undefined) throw new TypeError(`${what}: "${String(v)}" is not a value type`);
  return t;
}

/**
 * The default value of a type (DefaultValue: zero, or a null reference,
 * `undefined` for externref).
 *
 * @param type a value type
 * @returns its default value
 */
export function defaultValue(type: ValType): Val {
  switch (isRefType(type) ? refTop(type) : type) {
    case ValType.i64:
      return 0n;
    case ValType.funcref:
    case ValType.anyref:
      return null;
    case ValType.externref:
      return undefined;
    default:
      return 0;
  }
}
