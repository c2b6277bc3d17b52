/**
 * Values of the `any` hierarchy (anyref, eqref, i31ref, structref, arrayref,
 * nullref, references to struct and array types) at the JS boundary, as the
 * JS API's ToJSValue / ToWebAssemblyValue say:
 *
 * - an i31ref is a JS number;
 * - a struct or array is an opaque frozen object ({@link gcToJs}) with no
 *   properties and a null prototype; the same object comes back for the same
 *   struct every time, and passing it back to wasm gives that struct;
 * - any other JS value passed as anyref is an internalised host value, which
 *   leaves wasm as itself; a number that is an integer in i31 range passed
 *   as anyref, eqref or i31ref becomes an i31ref.
 *
 * So the runtime's `Val` of an `any` type is the JS-side value (a number, an
 * opaque object, a host value or null); the VM's ref file holds the
 * interpreter's objects (`gc_objects.ts`), and {@link gcToInternal} /
 * {@link gcToJs} convert at the slot codec. Also here: the store's
 * {@link GcHost} (the VM's view of extern handles and function types) and the
 * GC instructions of constant expressions.
 *
 * Invariants:
 * - `gcToInternal(gcToJs(v)) === v` for every ref-file value `v`, and
 *   `gcToJs(gcToInternal(x)) === x` for every JS value `x` allowed as anyref
 *   (except `-0`, which is a host value and comes back as `-0`).
 * - The maps from objects to their JS faces are weak: neither side keeps the
 *   other alive beyond its own reachability.
 *
 * @module
 */

import {
  type ConstGc,
  funcTypeId,
  type ModuleTranslation,
  PackedType,
  refTop,
  refTypeIndex,
  TYPE_REGISTRY,
  type ValType,
  ValType as VT,
} from "@capstan/environ";
import {
  defaultStored,
  externalize,
  GcArray,
  type GcHost,
  gcLayout,
  GcObject,
  GcStruct,
  internalize,
  isOfHeapType,
  newArrayData,
  Storage,
} from "@capstan/interpreter";
import type { Store } from "./store.ts";
import { refToHandle } from "./table.ts";
import type { Val } from "./val.ts";

const FACE = new WeakMap<GcObject, object>();
const OBJECT = new WeakMap<object, GcObject>();

/**
 * The JS value of a ref-file value (see the module doc).
 *
 * @param v a value of the ref file
 * @returns its JS face
 */
export function gcToJs(v: unknown): Val {
  if (!(v instanceof GcObject)) return externalize(v);
  const known = FACE.get(v);
  if (known !== undefined) return known;
  const face: object = Object.freeze(Object.create(null));
  FACE.set(v, face);
  OBJECT.set(face, v);
  return face;
}

/**
 * The ref-file value of a JS value allowed as anyref (see the module doc).
 *
 * @param v a JS value
 * @returns the struct or array it is the face of, an i31 number, or an internalised value
 */
export function gcToInternal(v: Val): unknown {
  if (v !== null && typeof v === "object") {
    const o = OBJECT.get(v);
    if (o !== undefined) return o;
  }
  return internalize(v);
}

/**
 * Checks a JS value for a type of the `any` hierarchy (its non-null part;
 * null is checked by the caller).
 *
 * @param type the expected reference type (a concrete index is a canonical id)
 * @param v a JS value, not null
 * @returns whether it fits
 */
export function fitsGcType(type: ValType, v: Val): boolean {
  const internal = gcToInternal(v);
  const x = refTypeIndex(type);
  return isOfHeapType(internal, x >= 0 ? x : -(type & 0xff));
}

/**
 * The VM's view of a store ({@link GcHost}): extern handles and function types.
 *
 * @param store the store
 * @returns its host for GC ops
 */
export function gcHostOf(store: Store<unknown>): GcHost {
  return {
    anyOfExtern: (h) => gcToInternal(store._externs[h]),
    externOfAny: (v) => store._externHandle(gcToJs(v)),
    funcIsSubtype: (h, id) => TYPE_REGISTRY.isSubtype(funcTypeId(store._funcs[h]!.type), id),
    sigIsSubtype: (a, b) => store.engine._signatureIsSubtype(a, b),
  };
}

const scratch = new ArrayBuffer(8);
const sI32 = new Int32Array(scratch);
const sF32 = new Float32Array(scratch);
const sF64 = new Float64Array(scratch);
const sI64 = new BigInt64Array(scratch);

/** A checked value of storage type `type` as a GC object stores it. */
function storedOf(store: Store<unknown>, type: number, v: Val): unknown {
  switch (type) {
    case PackedType.i8:
      return v & 0xff;
    case PackedType.i16:
      return v & 0xffff;
    case VT.i32:
      return v | 0;
    case VT.f32:
      sF32[0] = v;
      return sI32[0];
    case VT.i64:
      return v;
    case VT.f64:
      sF64[0] = v;
      return sI64[0];
    case VT.v128:
      return (v as Uint8Array).slice();
  }
  const top = refTop(type);
  if (top === VT.anyref || top === VT.externref) return v === null ? null : gcToInternal(v);
  return refToHandle(store, type, v);
}

/**
 * Evaluates a GC instruction of a constant expression (`ConstEnv.gc`): pops
 * its operands (JS values) from `stack` and gives its value.
 *
 * @param store the store
 * @param t the module (for its canonical type ids)
 * @param instr the instruction
 * @param stack the values below it
 * @returns its value, a JS value
 */
export function constGc(
  store: Store<unknown>,
  t: ModuleTranslation,
  instr: ConstGc,
  stack: Val[],
): Val {
  switch (instr.op) {
    case "ref.i31":
      return ((stack.pop() as number) << 1) >> 1;
    case "any.convert_extern":
    case "extern.convert_any":
      return stack.pop(); // the JS value is the same on both sides
  }
  const id = t.typeIds![instr.type];
  const fields = TYPE_REGISTRY.type(id).fields!;
  const layout = gcLayout(id);
  if (instr.op === "struct.new" || instr.op === "struct.new_default") {
    const values = instr.op === "struct.new"
      ? stack.splice(stack.length - fields.length).map((v, k) => storedOf(store, fields[k].type, v))
      : Array.from(layout.storage, (st) => defaultStored(st));
    return gcToJs(new GcStruct(id, values));
  }
  const elem = fields[0].type;
  const st = layout.storage[0];
  let values: unknown[];
  if (instr.op === "array.new_fixed") values = stack.splice(stack.length - instr.count);
  else {
    const n = (stack.pop() as number) >>> 0;
    const v = instr.op === "array.new" ? stack.pop() : undefined;
    values = new Array(n).fill(v);
  }
  const data = newArrayData(st, values.length);
  for (let k = 0; k < values.length; k++) {
    const stored = values[k] === undefined ? defaultStored(st) : storedOf(store, elem, values[k]);
    if (st === Storage.V128) (data as Uint8Array).set(stored as Uint8Array, k << 4);
    else (data as unknown[])[k] = stored;
  }
  return gcToJs(new GcArray(id, values.length, data));
}

/**
 * What a JS value of the `any` hierarchy is, as the runtime sees it.
 *
 * @param v a value a function returned or a global holds as anyref
 * @returns `"i31"`, `"struct"`, `"array"`, `"host"`, or null for null
 * @example
 * ```ts
 * import { gcKindOf } from "./_gc_values.ts";
 * if (gcKindOf(5) !== "i31" || gcKindOf({}) !== "host" || gcKindOf(null) !== null) {
 *   throw new Error();
 * }
 * ```
 */
export function gcKindOf(v: Val): "i31" | "struct" | "array" | "host" | null {
  if (v === null) return null;
  const internal = gcToInternal(v);
  if (typeof internal === "number") return "i31";
  return internal instanceof GcStruct ? "struct" : internal instanceof GcArray ? "array" : "host";
}
