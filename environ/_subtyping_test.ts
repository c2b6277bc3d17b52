/**
 * Tests of value types as packed numbers and of their subtyping: the layout
 * keeps the 2.0 types' numbers, concrete references name their type index,
 * the hierarchies (func, extern, exn) have their bottoms, and equivalent type
 * indices (same structure) are interchangeable.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError } from "./errors.ts";
import { isCanonicalSubtype, TypeRelation } from "./_subtyping.ts";
import {
  funcTypeKey,
  HeapType,
  isDefaultable,
  isNullable,
  isRefType,
  isValType,
  refBottom,
  refTop,
  refType,
  refTypeIndex,
  typeIndexRef,
  ValType,
  valTypeName,
  withNullable,
} from "./types.ts";

Deno.test("value types keep the 2.0 numbers and pack (ref null? ht) in one integer", () => {
  assert.equal(ValType.i32, 0x7f);
  assert.equal(refType(HeapType.func, true), ValType.funcref);
  assert.equal(refType(HeapType.extern, true), ValType.externref);
  const t = typeIndexRef(7, false);
  assert.ok(Number.isInteger(t) && t > 0 && t < 2 ** 31, "a small non-negative integer");
  assert.ok(isValType(t) && isRefType(t) && !isNullable(t) && !isDefaultable(t));
  assert.equal(refTypeIndex(t), 7);
  assert.equal(refTypeIndex(ValType.funcref), -1);
  assert.equal(withNullable(t, true), typeIndexRef(7, true));
  assert.equal(refTop(t), ValType.funcref);
  assert.equal(refTop(ValType.nullexternref), ValType.externref);
  assert.equal(refBottom(ValType.exnref), ValType.nullexnref);
  assert.equal(valTypeName(t), "(ref 7)");
  assert.equal(valTypeName(withNullable(ValType.funcref, false)), "(ref func)");
  assert.equal(valTypeName(ValType.nullfuncref), "nullfuncref");
  for (const n of [ValType.i32, ValType.i64, ValType.f32, ValType.f64, ValType.v128]) {
    assert.ok(isValType(n) && !isRefType(n) && isDefaultable(n));
  }
  assert.ok(!isValType(0x40) && !isValType(0x67) && !isValType(-1), "no block type, no stray code");
  assert.ok(isValType(ValType.anyref) && refTop(ValType.i31ref) === ValType.anyref);
  assert.equal(refBottom(typeIndexRef(2, true, HeapType.struct)), ValType.nullref);
});

Deno.test("TypeRelation: nullability, bottoms, func above concrete types, equivalent indices", () => {
  const i32 = ValType.i32;
  const rel = new TypeRelation([
    { params: [i32], results: [] }, // 0
    { params: [i32], results: [] }, // 1: equivalent to 0
    { params: [], results: [i32] }, // 2
    { params: [typeIndexRef(0, false)], results: [] }, // 3
    { params: [typeIndexRef(1, false)], results: [] }, // 4: equivalent to 3
  ], 0);
  const ref = (i: number, n = false) => typeIndexRef(i, n);
  const nonNullFunc = withNullable(ValType.funcref, false);
  assert.ok(rel.isSubtype(ref(0), ref(0, true)), "(ref $t) <: (ref null $t)");
  assert.ok(!rel.isSubtype(ref(0, true), ref(0)), "not the other way");
  assert.ok(rel.isSubtype(ref(0), nonNullFunc) && rel.isSubtype(ref(0, true), ValType.funcref));
  assert.ok(!rel.isSubtype(ref(0, true), nonNullFunc));
  assert.ok(rel.isSubtype(ref(0), ref(1)) && rel.isSubtype(ref(3), ref(4)), "equivalent types");
  assert.ok(!rel.isSubtype(ref(0), ref(2)));
  assert.ok(rel.isSubtype(ValType.nullfuncref, ref(2, true)), "nofunc is under every func type");
  assert.ok(!rel.isSubtype(ValType.nullfuncref, ValType.externref));
  assert.ok(rel.isSubtype(ValType.nullexternref, ValType.externref));
  assert.ok(!rel.isSubtype(ValType.funcref, ValType.externref));
  assert.ok(!rel.isSubtype(ValType.i32, ValType.i64) && rel.isSubtype(0, ValType.i64), "bottom");
  assert.equal(rel.types[3].key, rel.types[4].key);
  assert.equal(rel.types[0].key, undefined, "no key without a type index");
});

Deno.test("TypeRelation refuses a type naming a later type; a type may name itself", () => {
  const self = { params: [typeIndexRef(0, true)], results: [] };
  const rel = new TypeRelation([self], 0);
  assert.equal(rel.types[0].key, `#${rel.canon[0]}`, "keyed by its canonical id");
  assert.throws(
    () => new TypeRelation([{ params: [typeIndexRef(1, true)], results: [] }, self], 8),
    (e: unknown) => e instanceof CompileError && /unknown type 1/.test(e.message),
  );
});

Deno.test("funcTypeKey() of a type without type indices is its numbers", () => {
  const t = { params: [ValType.i32, ValType.externref], results: [ValType.f64] };
  assert.equal(funcTypeKey([t], 0, []), "127,111>124");
});

Deno.test("isCanonicalSubtype() relates canonical ids by the registry", () => {
  const rel = new TypeRelation([
    { params: [], results: [], kind: "struct", fields: [], final: false },
    {
      params: [],
      results: [],
      kind: "struct",
      fields: [{ type: ValType.i32, mutable: false }],
      supertype: 0,
    },
  ], 0);
  const [a, b] = rel.canon;
  const s = (i: number, n = false) => typeIndexRef(i, n, HeapType.struct);
  assert.ok(isCanonicalSubtype(s(b), s(a, true)), "declared subtype");
  assert.ok(!isCanonicalSubtype(s(a), s(b)));
  assert.ok(
    isCanonicalSubtype(s(a), ValType.structref) && isCanonicalSubtype(s(a), ValType.anyref),
  );
  assert.ok(!isCanonicalSubtype(s(a), ValType.funcref));
  assert.ok(!isCanonicalSubtype(ValType.structref, s(a, true)));
  assert.ok(isCanonicalSubtype(ValType.nullref, s(a, true)));
});

Deno.test("TypeRelation: GC abstract hierarchy, recursion groups and declared subtypes", () => {
  const i31 = ValType.i31ref;
  const rel = new TypeRelation([], 0);
  assert.ok(rel.isSubtype(i31, ValType.eqref) && rel.isSubtype(ValType.eqref, ValType.anyref));
  assert.ok(rel.isSubtype(ValType.arrayref, ValType.eqref) && !rel.isSubtype(ValType.anyref, i31));
  assert.ok(
    rel.isSubtype(ValType.nullref, i31) && !rel.isSubtype(ValType.nullref, ValType.funcref),
  );
  const group = (t: number) => ({
    params: [],
    results: [],
    kind: "struct" as const,
    fields: [{ type: t, mutable: false }],
    rec: { start: 0, size: 2 },
  });
  // Two modules' identical recursion groups get the same canonical ids.
  const x = new TypeRelation(
    [group(typeIndexRef(1, true, HeapType.struct)), group(ValType.i32)],
    0,
  );
  const y = new TypeRelation(
    [group(typeIndexRef(1, true, HeapType.struct)), group(ValType.i32)],
    0,
  );
  assert.deepEqual([...x.canon], [...y.canon]);
  assert.throws(
    () =>
      new TypeRelation([
        { params: [], results: [], kind: "struct", fields: [] },
        { params: [], results: [], kind: "struct", fields: [], supertype: 0 },
      ], 8),
    (e: unknown) => e instanceof CompileError && /sub type/.test(e.message),
    "a final type cannot be a supertype",
  );
});
