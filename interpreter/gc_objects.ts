/**
 * The objects of Wasm GC as the VM holds them, and the run-time type tests on
 * them. Values of the `any` hierarchy live in the VM's reference register
 * file (`Vm.refs`, a plain JS array indexed by absolute slot, like the v128
 * file) and in the reference globals (`Vm.refGlobals`), so the JS garbage
 * collector sees every reference wasm can still reach and frees the rest:
 *
 * - null is `null`;
 * - an `i31ref` is a JS number, the sign-extended 31-bit value (a small
 *   integer V8 keeps unboxed);
 * - a struct is a {@link GcStruct}: its canonical type id and a plain array
 *   of its fields;
 * - an array is a {@link GcArray}: its canonical type id, its length and its
 *   elements in a typed array where the element type allows (i8, i16,
 *   i32/f32 as bits, i64/f64 as bits, v128 as 16 bytes each) or a plain array
 *   of references;
 * - an extern value internalised by `any.convert_extern` is a
 *   {@link HostRef} around the JS value, unless that value is itself a GC
 *   object or an i31 number (then it is that value, so
 *   `any.convert_extern(extern.convert_any(x))` is `x`).
 *
 * Function, extern and exception references stay i32 handles in the numeric
 * slots (what the VM had before GC), converted at `any.convert_extern` /
 * `extern.convert_any`: so `call_indirect`, `call_ref`, funcref tables, the
 * JS tier and every module without GC run exactly the code they ran before,
 * and only values of the `any` hierarchy pay for the second register file.
 * Handles are copied into and out of GC objects as {@link Storage} says. An extern value inside a GC object is kept
 * as its internalised value (`Vm.gcHost.anyOfExtern`), not its store handle,
 * which the store's externref collector may release while only the object
 * holds it.
 *
 * Invariants:
 * - A field or element's storage is decided once per canonical type
 *   ({@link gcLayout}); the stored representation of a value is fixed by its
 *   storage: a number (int32 bits) for {@link Storage.I32}, `I8`, `I16`
 *   (wrapped to the width, unsigned) and function/exception handles; a
 *   BigInt (int64 bits) for `I64`; 16 bytes for `V128`; the value itself for
 *   `Ref` and `Extern`.
 * - Canonical type ids are the engine-wide registry's (`TYPE_REGISTRY`), so
 *   a concrete cast is one display lookup, in any module (`gc_display.ts`).
 *
 * @module
 */

import { HeapType, PackedType, refTop, TYPE_REGISTRY, ValType } from "@capstan/environ";
import { isSubtypeId } from "./gc_display.ts";

/** How a field or array element is stored (see the module doc). */
export const Storage = {
  I32: 0,
  I64: 1,
  V128: 2,
  Ref: 3,
  I8: 4,
  I16: 5,
  Extern: 6,
} as const;

/** A field of {@link Storage}. */
export type Storage = typeof Storage[keyof typeof Storage];

/** The common part of a struct and an array: its canonical type id. */
export class GcObject {
  /** The canonical type id (what casts compare). */
  readonly type: number;

  /** @param type the canonical type id */
  constructor(type: number) {
    this.type = type;
  }
}

/** A struct: its fields in declaration order, each stored as its {@link Storage} says. */
export class GcStruct extends GcObject {
  /** The fields. */
  readonly fields: unknown[];

  /**
   * @param type its canonical type id
   * @param fields its fields
   */
  constructor(type: number, fields: unknown[]) {
    super(type);
    this.fields = fields;
  }
}

/** The element storage of an array (see the module doc). */
export type ArrayData = Uint8Array | Uint16Array | Int32Array | BigInt64Array | unknown[];

/** An array: its length and its elements. */
export class GcArray extends GcObject {
  /** The number of elements. */
  readonly length: number;
  /** The elements (for v128: 16 bytes each). */
  readonly data: ArrayData;

  /**
   * @param type its canonical type id
   * @param length its element count
   * @param data its elements
   */
  constructor(type: number, length: number, data: ArrayData) {
    super(type);
    this.length = length;
    this.data = data;
  }
}

/** An extern value internalised into the `any` hierarchy (see the module doc). */
export class HostRef {
  /** The JS value. */
  readonly value: unknown;

  /** @param value the JS value */
  constructor(value: unknown) {
    this.value = value;
  }
}

/** What the VM knows of a struct or array type. */
export interface GcLayout {
  /** Whether it is an array type (else a struct type). */
  readonly array: boolean;
  /** Each field's storage (an array's one element's). */
  readonly storage: Uint8Array;
}

const LAYOUTS: (GcLayout | undefined)[] = [];

/**
 * The storage of a field type.
 *
 * @param type a storage type (a value type or a packed type)
 * @returns how it is stored
 * @example
 * ```ts
 * import { PackedType, ValType } from "@capstan/environ";
 * import { Storage, storageOf } from "./gc_objects.ts";
 * if (storageOf(PackedType.i8) !== Storage.I8 || storageOf(ValType.f64) !== Storage.I64) {
 *   throw new Error();
 * }
 * ```
 */
export function storageOf(type: number): Storage {
  switch (type) {
    case PackedType.i8:
      return Storage.I8;
    case PackedType.i16:
      return Storage.I16;
    case ValType.i32:
    case ValType.f32:
      return Storage.I32;
    case ValType.i64:
    case ValType.f64:
      return Storage.I64;
    case ValType.v128:
      return Storage.V128;
  }
  const top = refTop(type);
  if (top === ValType.anyref) return Storage.Ref;
  if (top === ValType.externref) return Storage.Extern;
  return Storage.I32;
}

/**
 * The layout of a struct or array type, computed once per canonical id.
 *
 * @param id a canonical type id of a struct or array type
 * @returns its layout
 */
export function gcLayout(id: number): GcLayout {
  let l = LAYOUTS[id];
  if (l === undefined) {
    const t = TYPE_REGISTRY.type(id);
    const fields = t.fields ?? [];
    l = {
      array: t.kind === "array",
      storage: Uint8Array.from(fields.map((f) => storageOf(f.type))),
    };
    LAYOUTS[id] = l;
  }
  return l;
}

/**
 * Fresh element storage for an array of `n` elements of a storage kind, all
 * zero (or null).
 *
 * @param storage the element storage
 * @param n the length
 * @returns the storage
 */
export function newArrayData(storage: number, n: number): ArrayData {
  switch (storage) {
    case Storage.I8:
      return new Uint8Array(n);
    case Storage.I16:
      return new Uint16Array(n);
    case Storage.I32:
      return new Int32Array(n);
    case Storage.I64:
      return new BigInt64Array(n);
    case Storage.V128:
      return new Uint8Array(n * 16);
    default:
      return new Array<unknown>(n).fill(null);
  }
}

/**
 * The default (zero) value of a storage kind, as stored.
 *
 * @param storage a storage kind
 * @returns 0, 0n, 16 zero bytes or null
 */
export function defaultStored(storage: number): unknown {
  switch (storage) {
    case Storage.I64:
      return 0n;
    case Storage.V128:
      return new Uint8Array(16);
    case Storage.Ref:
    case Storage.Extern:
      return null;
    default:
      return 0;
  }
}

/** The heap-type operand of a cast naming abstract heap type `code`: `-code`. */
export function abstractHeapOperand(code: number): number {
  return -code;
}

/**
 * Whether a non-null value of the `any` hierarchy is of a heap type.
 *
 * @param v a value of the ref file, not null
 * @param ht the heap type: a canonical type id (>= 0), or minus an abstract
 *   heap type's code
 * @returns whether `v` is in it
 * @example
 * ```ts
 * import { HeapType } from "@capstan/environ";
 * import { isOfHeapType } from "./gc_objects.ts";
 * if (!isOfHeapType(5, -HeapType.i31) || isOfHeapType(5, -HeapType.struct)) throw new Error();
 * ```
 */
export function isOfHeapType(v: unknown, ht: number): boolean {
  if (ht >= 0) return v instanceof GcObject && isSubtypeId(v.type, ht);
  switch (-ht) {
    case HeapType.any:
      return true;
    case HeapType.eq:
      return typeof v === "number" || v instanceof GcObject;
    case HeapType.i31:
      return typeof v === "number";
    case HeapType.struct:
      return v instanceof GcStruct;
    case HeapType.array:
      return v instanceof GcArray;
    default: // none and the bottoms of other hierarchies: only null
      return false;
  }
}

/**
 * `any.convert_extern` of a JS value: null, a GC value (an i31 number in
 * range, a struct, an array) as itself, anything else wrapped.
 *
 * @param v an extern value (null for null)
 * @returns its value in the `any` hierarchy
 * @example
 * ```ts
 * import { externalize, internalize } from "./gc_objects.ts";
 * const o = {};
 * if (externalize(internalize(o)) !== o || internalize(7) !== 7) throw new Error();
 * ```
 */
export function internalize(v: unknown): unknown {
  if (v === null) return null;
  if (v instanceof GcObject) return v;
  if (typeof v === "number" && Number.isInteger(v) && v >= -0x40000000 && v < 0x40000000) {
    return Object.is(v, -0) ? new HostRef(v) : v;
  }
  return new HostRef(v);
}

/**
 * `extern.convert_any`: the JS value a value of the `any` hierarchy is outside.
 *
 * @param v a value of the ref file
 * @returns the extern value (null for null)
 */
export function externalize(v: unknown): unknown {
  return v instanceof HostRef ? v.value : v;
}
