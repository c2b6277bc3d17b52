/**
 * Validation of the GC instructions (the `0xFB` ops and `ref.eq`), as the
 * spec types them, on the operand and control stacks of a
 * {@link FuncValidator} (seen through {@link GcOperands}).
 *
 * Invariants:
 * - A type index immediate is checked against the type section and its kind
 *   ("unknown type", then "type mismatch" for a struct op on an array type
 *   and the like); a field index against the struct ("unknown field").
 * - Packed fields are read only with `_s`/`_u`, unpacked ones only without
 *   ("type mismatch"); writes need a mutable field ("immutable field",
 *   "immutable array").
 * - `ref.test`, `ref.cast` and `br_on_cast*` take an operand of the top of
 *   the target's hierarchy; a cast's target must be a subtype of its source.
 *   Continuations (stack switching) cannot be cast: a cast type in the
 *   `cont` hierarchy is an "invalid cast".
 *
 * @module
 */

import { fail } from "./errors.ts";
import { MAX_ARRAY_NEW_FIXED } from "./limits.ts";
import type { OperatorReader } from "./operators.ts";
import type { TypeRelation } from "./_subtyping.ts";
import {
  type FieldType,
  type FuncType,
  HeapType,
  isDefaultable,
  isNullable,
  PackedType,
  refTop,
  type RefType,
  refType,
  typeIndexRef,
  unpacked,
  ValType,
  withNullable,
} from "./types.ts";

/** The validator's stacks and context, as the GC ops use them. */
export interface GcOperands {
  /** The reader, positioned after the op (its immediates decoded). */
  readonly r: OperatorReader;
  /** The module's types. */
  readonly types: readonly FuncType[];
  /** Subtyping over them. */
  readonly rel: TypeRelation;
  /** Pushes an operand type. */
  push(t: number): void;
  /** Pops an operand of a subtype of `t`; returns its type (0 when unknown). */
  pop(t: number): number;
  /** Pops a reference operand; returns its type (0 when unknown). */
  popRef(): number;
  /** The control frame of a label. */
  labelFrame(depth: number): number;
  /** How many values a frame's label takes. */
  labelCount(frame: number): number;
  /** The type of a frame's label's value `i`. */
  labelType(frame: number, i: number): number;
  /** Checks a data segment index. */
  checkData(index: number): void;
  /** Checks an element segment index; returns its element type. */
  checkElem(index: number): RefType;
}

const I32 = ValType.i32;

/** Whether a storage type is packed. */
function isPacked(t: number): boolean {
  return t === PackedType.i8 || t === PackedType.i16;
}

/** The defined type at a type index, checked to be of `kind`. */
function typeOf(v: GcOperands, index: number, kind: "struct" | "array"): FuncType {
  const t = v.types[index];
  if (t === undefined) fail(`unknown type ${index}`, v.r.offset);
  if (t.kind !== kind) fail("type mismatch", v.r.offset);
  return t;
}

/** `(ref null? $x)` for a struct or array type index. */
function refTo(v: GcOperands, index: number, nullable: boolean): RefType {
  const kind = v.types[index].kind === "struct" ? HeapType.struct : HeapType.array;
  return typeIndexRef(index, nullable, kind);
}

/** A struct's field, checked. */
function fieldOf(v: GcOperands, t: FuncType, index: number): FieldType {
  const f = t.fields![index];
  if (f === undefined) fail(`unknown field ${index}`, v.r.offset);
  return f;
}

/** Checks a read of field `f` by a plain op or (`extended`) an `_s`/`_u` one. */
function checkRead(v: GcOperands, f: FieldType, extended: boolean): void {
  if (isPacked(f.type) !== extended) fail("type mismatch", v.r.offset);
}

/** The element of an array type, checked mutable when `write`. */
function elemOf(v: GcOperands, index: number, write: boolean): FieldType {
  const f = typeOf(v, index, "array").fields![0];
  if (write && !f.mutable) fail("immutable array", v.r.offset);
  return f;
}

/** Checks that an array's element type is a number or vector type (for data segments). */
function checkNumeric(v: GcOperands, f: FieldType): void {
  if (!isPacked(f.type) && (f.type < ValType.v128 || f.type > ValType.i32)) {
    fail("array type is not numeric or vector", v.r.offset);
  }
}

/** Checks a reference type immediate's index; returns it. */
function checkRef(v: GcOperands, t: RefType): RefType {
  return v.rel.check(t, v.r.offset);
}

/** Checks a cast's reference type immediate: defined, and not a continuation; returns it. */
function castRef(v: GcOperands, t: RefType): RefType {
  checkRef(v, t);
  if ((refTop(t) & 0xff) === HeapType.cont) fail("invalid cast", v.r.offset);
  return t;
}

/**
 * The type `rt1 \ rt2` a failed cast leaves: `rt1`, without null when the
 * target `rt2` includes null.
 */
function castDiff(rt1: RefType, rt2: RefType): RefType {
  return isNullable(rt2) ? withNullable(rt1, false) : rt1;
}

/**
 * Pops a `br_on_cast*`'s operand and checks its label: the label's last
 * type must take `sent`; the others are popped and pushed back.
 */
function branchOnCast(v: GcOperands, rt1: RefType, sent: RefType): void {
  const r = v.r;
  const frame = v.labelFrame(r.index);
  const n = v.labelCount(frame);
  if (n === 0) fail("type mismatch", r.offset);
  v.pop(rt1);
  if (!v.rel.isSubtype(sent, v.labelType(frame, n - 1))) fail("type mismatch", r.offset);
  for (let i = n - 2; i >= 0; i--) v.pop(v.labelType(frame, i));
  for (let i = 0; i < n - 1; i++) v.push(v.labelType(frame, i));
}

/**
 * Validates one GC instruction just read by `v.r`.
 *
 * @param v the validator's stacks
 * @param key the op's key
 * @returns false when `key` is no GC op (nothing done)
 */
export function validateGcOp(v: GcOperands, key: number): boolean {
  const r = v.r;
  switch (key) {
    case 0xd3: // ref.eq
      v.pop(ValType.eqref);
      v.pop(ValType.eqref);
      v.push(I32);
      return true;
    case 0xfb0000: // struct.new
    case 0xfb0001: { // struct.new_default
      const t = typeOf(v, r.index, "struct");
      const fields = t.fields!;
      if (key === 0xfb0000) {
        for (let i = fields.length - 1; i >= 0; i--) v.pop(unpacked(fields[i].type));
      } else if (!fields.every((f) => isDefaultable(f.type))) {
        fail("type mismatch", r.offset);
      }
      v.push(refTo(v, r.index, false));
      return true;
    }
    case 0xfb0002: // struct.get
    case 0xfb0003: // struct.get_s
    case 0xfb0004: { // struct.get_u
      const f = fieldOf(v, typeOf(v, r.index, "struct"), r.index2);
      checkRead(v, f, key !== 0xfb0002);
      v.pop(refTo(v, r.index, true));
      v.push(unpacked(f.type));
      return true;
    }
    case 0xfb0005: { // struct.set
      const f = fieldOf(v, typeOf(v, r.index, "struct"), r.index2);
      if (!f.mutable) fail("immutable field", r.offset);
      v.pop(unpacked(f.type));
      v.pop(refTo(v, r.index, true));
      return true;
    }
    case 0xfb0006: // array.new
    case 0xfb0007: { // array.new_default
      const f = elemOf(v, r.index, false);
      v.pop(I32);
      if (key === 0xfb0006) v.pop(unpacked(f.type));
      else if (!isDefaultable(f.type)) fail("type mismatch", r.offset);
      v.push(refTo(v, r.index, false));
      return true;
    }
    case 0xfb0008: { // array.new_fixed
      const f = elemOf(v, r.index, false);
      if (r.index2 > MAX_ARRAY_NEW_FIXED) fail("too many array.new_fixed operands", r.offset);
      for (let i = 0; i < r.index2; i++) v.pop(unpacked(f.type));
      v.push(refTo(v, r.index, false));
      return true;
    }
    case 0xfb0009: // array.new_data
    case 0xfb0012: { // array.init_data
      const f = elemOf(v, r.index, key === 0xfb0012);
      checkNumeric(v, f);
      v.checkData(r.index2);
      v.pop(I32);
      v.pop(I32);
      if (key === 0xfb0012) {
        v.pop(I32);
        v.pop(refTo(v, r.index, true));
      } else v.push(refTo(v, r.index, false));
      return true;
    }
    case 0xfb000a: // array.new_elem
    case 0xfb0013: { // array.init_elem
      const f = elemOf(v, r.index, key === 0xfb0013);
      const e = v.checkElem(r.index2);
      if (!v.rel.isSubtype(e, f.type)) fail("type mismatch", r.offset);
      v.pop(I32);
      v.pop(I32);
      if (key === 0xfb0013) {
        v.pop(I32);
        v.pop(refTo(v, r.index, true));
      } else v.push(refTo(v, r.index, false));
      return true;
    }
    case 0xfb000b: // array.get
    case 0xfb000c: // array.get_s
    case 0xfb000d: { // array.get_u
      const f = elemOf(v, r.index, false);
      checkRead(v, f, key !== 0xfb000b);
      v.pop(I32);
      v.pop(refTo(v, r.index, true));
      v.push(unpacked(f.type));
      return true;
    }
    case 0xfb000e: { // array.set
      const f = elemOf(v, r.index, true);
      v.pop(unpacked(f.type));
      v.pop(I32);
      v.pop(refTo(v, r.index, true));
      return true;
    }
    case 0xfb000f: // array.len
      v.pop(ValType.arrayref);
      v.push(I32);
      return true;
    case 0xfb0010: { // array.fill
      const f = elemOf(v, r.index, true);
      v.pop(I32);
      v.pop(unpacked(f.type));
      v.pop(I32);
      v.pop(refTo(v, r.index, true));
      return true;
    }
    case 0xfb0011: { // array.copy
      const dst = elemOf(v, r.index, true);
      const src = elemOf(v, r.index2, false);
      const ok = isPacked(dst.type) || isPacked(src.type)
        ? dst.type === src.type
        : v.rel.isSubtype(src.type, dst.type);
      if (!ok) fail("array types do not match", r.offset);
      v.pop(I32);
      v.pop(I32);
      v.pop(refTo(v, r.index2, true));
      v.pop(I32);
      v.pop(refTo(v, r.index, true));
      return true;
    }
    case 0xfb0014: // ref.test
    case 0xfb0015: // ref.test_null
    case 0xfb0016: // ref.cast
    case 0xfb0017: { // ref.cast_null
      const rt = castRef(v, r.refType);
      v.pop(refTop(rt));
      v.push(key <= 0xfb0015 ? I32 : rt);
      return true;
    }
    case 0xfb0018: // br_on_cast
    case 0xfb0019: { // br_on_cast_fail
      const rt1 = castRef(v, r.refType);
      const rt2 = castRef(v, r.refType2);
      if (!v.rel.isSubtype(rt2, rt1)) fail("type mismatch", r.offset);
      const diff = castDiff(rt1, rt2);
      branchOnCast(v, rt1, key === 0xfb0018 ? rt2 : diff);
      v.push(key === 0xfb0018 ? diff : rt2);
      return true;
    }
    case 0xfb001a: // any.convert_extern
    case 0xfb001b: { // extern.convert_any
      const toAny = key === 0xfb001a;
      const t = v.pop(toAny ? ValType.externref : ValType.anyref);
      const heap = toAny ? HeapType.any : HeapType.extern;
      v.push(refType(heap, t === 0 || isNullable(t)));
      return true;
    }
    case 0xfb001c: // ref.i31
      v.pop(I32);
      v.push(withNullable(ValType.i31ref, false));
      return true;
    case 0xfb001d: // i31.get_s
    case 0xfb001e: // i31.get_u
      v.pop(ValType.i31ref);
      v.push(I32);
      return true;
  }
  return false;
}
