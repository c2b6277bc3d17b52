/**
 * Values as they cross between JavaScript and WebAssembly, and the checks
 * applied at that crossing.
 *
 * A wasm value is represented in JavaScript as:
 * - `i32`: a number, signed, in [-2^31, 2^31) when read back;
 * - `i64`: a BigInt, signed, in [-2^63, 2^63) when read back (any BigInt is
 *   accepted and wrapped modulo 2^64, as the JS API's ToBigInt64);
 * - `f32` / `f64`: a number;
 * - `v128`: a 16-byte `Uint8Array`;
 * - `funcref`: a {@link Func} of the same store, or `null`;
 * - `externref`: any JavaScript value; `null` is the null reference;
 * - the `any` hierarchy (anyref, eqref, i31ref, structs, arrays): an i31ref
 *   is a number, a struct or array an opaque frozen object, an internalised
 *   host value itself (see `_gc_values.ts`).
 *
 * Invariants: {@link toWasm} either returns a value already normalised to the
 * type (i32 wrapped to signed 32 bits, i64 wrapped to signed 64 bits, f32
 * rounded to single precision) or throws a `TypeError` that names the
 * expected type and what was found. It never lets a bad value through.
 *
 * @module
 */

import {
  type FuncType,
  funcTypeId,
  isCanonicalSubtype,
  isNullable,
  isRefType,
  refBottom,
  refTop,
  refTypeIndex,
  type ValType,
  ValType as VT,
  valTypeName,
  withNullable,
  withTypeIndex,
} from "@capstan/environ";
import { Func } from "./func.ts";
import { fitsGcType } from "./_gc_values.ts";
import type { Store } from "./store.ts";

/** A value as the runtime hands it to JavaScript (see the module doc). */
// deno-lint-ignore no-explicit-any
export type Val = any;

/** The text-format names of value types, accepted wherever a type is given. */
export type ValTypeName = "i32" | "i64" | "f32" | "f64" | "v128" | "funcref" | "externref";

/** A function type written with value-type numbers or names. */
export interface FuncTypeInput {
  /** Parameter types. */
  readonly params: readonly (ValType | ValTypeName)[];
  /** Result types. */
  readonly results: readonly (ValType | ValTypeName)[];
}

const NAME_TO_TYPE: Record<string, ValType> = {
  i32: VT.i32,
  i64: VT.i64,
  f32: VT.f32,
  f64: VT.f64,
  v128: VT.v128,
  funcref: VT.funcref,
  externref: VT.externref,
};

/**
 * Turns a value-type name or number into a {@link ValType}.
 *
 * @param t a value type or its text-format name
 * @returns the value type
 * @throws TypeError for anything else
 * @example
 * ```ts
 * import { toValType, ValType } from "@capstan/runtime";
 * if (toValType("f64") !== ValType.f64) throw new Error();
 * if (toValType(ValType.i32) !== ValType.i32) throw new Error();
 * ```
 */
export function toValType(t: ValType | ValTypeName): ValType {
  if (typeof t === "number" && valTypeName(t as ValType)[0] !== "<") return t;
  if (typeof t === "string" && t in NAME_TO_TYPE) return NAME_TO_TYPE[t];
  throw new TypeError(`not a value type: ${String(t)}`);
}

/**
 * Builds a {@link FuncType} from names or numbers.
 *
 * @param params parameter types
 * @param results result types
 * @returns the function type
 * @example
 * ```ts
 * import { funcType } from "@capstan/runtime";
 * const t = funcType(["i32", "i32"], ["i32"]);
 * if (t.params.length !== 2) throw new Error();
 * ```
 */
export function funcType(
  params: readonly (ValType | ValTypeName)[],
  results: readonly (ValType | ValTypeName)[],
): FuncType {
  return { params: params.map(toValType), results: results.map(toValType) };
}

/**
 * Normalises a {@link FuncTypeInput} into a {@link FuncType} (a module's
 * function type, given as it is, keeps its canonical `key`).
 *
 * @param t a function type with names or numbers
 * @returns the same type with numbers
 */
export function toFuncType(t: FuncTypeInput): FuncType {
  if (
    t === null || typeof t !== "object" || !Array.isArray(t.params) || !Array.isArray(t.results)
  ) {
    throw new TypeError("a function type needs `params` and `results` arrays");
  }
  const f = funcType(t.params, t.results);
  // a module's own function type (GC) keeps its canonical key: import matching compares it
  const key = (t as FuncType).key;
  return typeof key === "string" ? { ...f, key } : f;
}

/**
 * Formats a function type as wasmtime does: `(i32, i64) -> (f32)`.
 *
 * @param t a function type
 * @returns its text
 * @example
 * ```ts
 * import { formatFuncType, funcType } from "@capstan/runtime";
 * const text = formatFuncType(funcType(["i32", "i64"], ["f32"]));
 * if (text !== "(i32, i64) -> (f32)") throw new Error();
 * ```
 */
export function formatFuncType(t: FuncType): string {
  return `(${t.params.map(valTypeName).join(", ")}) -> (${t.results.map(valTypeName).join(", ")})`;
}

/**
 * Whether a function of type `t` is a value of the concrete reference type
 * `ref` (whose index is a canonical id, as the runtime keeps it).
 *
 * @param t the function's type
 * @param ref a concrete function reference type
 * @returns true when `t` is the referenced type or declared under it
 */
export function isFuncOfType(t: FuncType, ref: ValType): boolean {
  return isCanonicalSubtype(withNullable(withTypeIndex(ref, funcTypeId(t)), false), ref);
}

/**
 * Whether two function types are the same. A type that names a type index
 * or has GC subtyping carries a key, and is compared by canonical id.
 *
 * @param a a function type
 * @param b another
 * @returns true when parameters and results are equal, in order
 */
export function funcTypeEquals(a: FuncType, b: FuncType): boolean {
  if (a.key !== undefined || b.key !== undefined) return funcTypeId(a) === funcTypeId(b);
  if (a.params.length !== b.params.length || a.results.length !== b.results.length) return false;
  for (let i = 0; i < a.params.length; i++) if (a.params[i] !== b.params[i]) return false;
  for (let i = 0; i < a.results.length; i++) if (a.results[i] !== b.results[i]) return false;
  return true;
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (typeof v === "bigint") return `${v}n (bigint)`;
  if (typeof v === "number") return `${v} (number)`;
  if (typeof v === "string") return `a string`;
  if (typeof v === "object" || typeof v === "function") {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    return name ? `a ${name}` : `an object`;
  }
  return String(v);
}

/**
 * Checks and normalises a JavaScript value for a wasm value type.
 *
 * @param store the store the value is used in (funcrefs must belong to it)
 * @param type the expected wasm type
 * @param v the JavaScript value
 * @param what a description for errors, e.g. `"argument 0"`
 * @returns the value normalised to the type
 * @throws TypeError when the value does not fit the type
 */
export function toWasm(store: Store<unknown>, type: ValType, v: unknown, what: string): Val {
  if (isRefType(type)) {
    // null fits a nullable type; a bottom type holds nothing else
    if (v === null && isNullable(type)) return null;
    if (v === null || (type & 0xff) === refBottom(type)) {
      throw new TypeError(`${what}: expected ${valTypeName(type)}, found ${describe(v)}`);
    }
  }
  switch (isRefType(type) ? refTop(type) : type) {
    case VT.i32:
      if (typeof v === "number" && Number.isInteger(v) && v >= -0x80000000 && v <= 0xffffffff) {
        return v | 0;
      }
      break;
    case VT.i64:
      if (typeof v === "bigint") return BigInt.asIntN(64, v);
      break;
    case VT.f32:
      if (typeof v === "number") return Math.fround(v);
      break;
    case VT.f64:
      if (typeof v === "number") return v;
      break;
    case VT.v128:
      if (v instanceof Uint8Array && v.length === 16) return v.slice();
      break;
    case VT.funcref:
      if (v instanceof Func) {
        store.checkOwns(v, what);
        // a concrete type's index is the type's canonical id (the runtime keeps it so)
        if (refTypeIndex(type) >= 0 && !isFuncOfType(v.type, type)) break;
        return v;
      }
      break;
    case VT.externref:
      return v;
    case VT.anyref:
      // a number in i31 range is an i31ref; anything else is a host value (anyref only)
      if (fitsGcType(type, v)) return v;
      break;
  }
  throw new TypeError(`${what}: expected ${valTypeName(type)}, found ${describe(v)}`);
}

/**
 * The type used for a value in "bits" calls: f32 travels as its i32 bit
 * pattern, f64 as its i64 bit pattern; other types are unchanged.
 *
 * @param type a value type
 * @returns the type of its bit-pattern representation
 */
export function bitsType(type: ValType): ValType {
  return type === VT.f32 ? VT.i32 : type === VT.f64 ? VT.i64 : type;
}

/**
 * A function type with floats replaced by their bit-pattern types.
 *
 * @param t a function type
 * @returns the type used by `Func.callBits`
 */
export function bitsFuncType(t: FuncType): FuncType {
  return { params: t.params.map(bitsType), results: t.results.map(bitsType) };
}
