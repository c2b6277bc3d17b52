/**
 * Tests of GC types and instructions in environ: the text format of
 * recursion groups, subtypes, structs and arrays (bytes as the binary format
 * writes them), their decoding, iso-recursive canonicalisation across
 * modules, and validation of the GC instructions and constant expressions
 * with the spec's messages. Native V8 (which has GC) checks that what we
 * accept it accepts.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "./text/wat.ts";
import { translateModule, validate } from "./translate.ts";
import { CompileError } from "./errors.ts";
import { HeapType, PackedType, refTypeIndex, ValType } from "./types.ts";

/** Parses and translates a text module. */
function translate(wat: string) {
  return translateModule(parseWat(wat));
}

/** The `CompileError` message of a text module that must not validate. */
function invalid(wat: string): string {
  try {
    translate(wat);
  } catch (e) {
    if (e instanceof CompileError) return e.message;
    throw e;
  }
  throw new Error("expected a CompileError");
}

Deno.test("GC types: rec, sub, struct and array encode as the binary format writes them", () => {
  const bytes = parseWat(`(module
    (rec (type $a (sub (struct (field $x (mut i8)) (field i64))))
         (type $b (sub final $a (struct (field (mut i8)) (field i64) (field (ref null $b))))))
    (type $v (array (mut i16))))`);
  // type section: 2 groups; rec of 2: sub 0 struct[..], sub final 1 super 0 struct[..]; array
  const section = [
    0x01,
    0x1a,
    0x02,
    0x4e,
    0x02,
    0x50,
    0x00,
    0x5f,
    0x02,
    0x78,
    0x01,
    0x7e,
    0x00,
    0x4f,
    0x01,
    0x00,
    0x5f,
    0x03,
    0x78,
    0x01,
    0x7e,
    0x00,
    0x63,
    0x01,
    0x00,
    0x5e,
    0x77,
    0x01,
  ];
  assert.deepEqual([...bytes.subarray(8)], section);
  assert.ok(WebAssembly.validate(bytes), "V8 accepts it");
  const t = translateModule(bytes);
  assert.equal(t.types.length, 3);
  assert.equal(t.types[0].kind, "struct");
  assert.deepEqual(t.types[0].fields, [
    { type: PackedType.i8, mutable: true },
    { type: ValType.i64, mutable: false },
  ]);
  assert.equal(t.types[0].final, false);
  assert.equal(t.types[1].supertype, 0);
  assert.deepEqual(t.types[1].rec, { start: 0, size: 2 });
  const self = t.types[1].fields![2].type;
  assert.equal(refTypeIndex(self), 1);
  assert.equal(self & 0xff, HeapType.struct, "a reference to a struct type carries its kind");
  assert.equal(t.types[2].kind, "array");
});

Deno.test("GC types: identical recursion groups of two modules share canonical ids", () => {
  const group =
    `(rec (type $l (struct (field (ref null $r)))) (type $r (struct (field (ref null $l)))))`;
  const a = translate(`(module (type (func)) ${group})`);
  const b = translate(`(module ${group} (type (array i8)))`);
  assert.deepEqual([...a.typeIds!.subarray(1)], [...b.typeIds!.subarray(0, 2)]);
  const c = translate(`(module (rec (type (struct (field (ref null 1)))) (type (struct))))`);
  assert.notEqual(c.typeIds![0], a.typeIds![1], "a different group is a different type");
});

Deno.test("GC validation: declared subtyping and the spec's messages", () => {
  assert.match(invalid(`(module (type $t (struct)) (type (sub $t (struct))))`), /sub type/);
  assert.match(
    invalid(`(module (type $t (sub (struct (field i32)))) (type (sub $t (struct (field i64)))))`),
    /sub type/,
  );
  assert.match(invalid(`(module (type (struct (field (ref 1)))))`), /unknown type/);
  assert.match(
    invalid(`(module (type $s (struct (field i64)))
      (func (param (ref $s)) (struct.set $s 0 (local.get 0) (i64.const 1))))`),
    /immutable field/,
  );
  assert.match(
    invalid(`(module (type $a (array i8)) (func (param (ref $a)) (result i32)
      (array.get $a (local.get 0) (i32.const 0))))`),
    /type mismatch/,
    "a packed element needs get_s or get_u",
  );
  assert.match(
    invalid(`(module (type $a (array (mut anyref))) (data "")
      (func (drop (array.new_data $a 0 (i32.const 0) (i32.const 0)))))`),
    /array type is not numeric or vector/,
  );
  assert.match(
    invalid(`(module (type $d (array (mut i8))) (type $s (array i8))
      (func (param (ref $s) (ref $d))
        (array.copy $s $d (local.get 0) (i32.const 0) (local.get 1) (i32.const 0) (i32.const 0))))`),
    /immutable array/,
  );
});

Deno.test("GC validation: every instruction of a valid body, as V8 agrees", () => {
  const bytes = parseWat(`(module
    (type $p (sub (struct (field $x (mut i32)))))
    (type $q (sub $p (struct (field (mut i32)) (field i16))))
    (type $a (array (mut f64)))
    (type $e (array (mut funcref)))
    (data $d "\\00\\00\\00\\00\\00\\00\\00\\00")
    (elem $f func $f)
    (global $g (ref $q) (struct.new $q (i32.const 1) (i32.const 2)))
    (global $h (ref $a) (array.new_fixed $a 2 (f64.const 1) (f64.const 2)))
    (global $i (ref i31) (ref.i31 (i32.const 5)))
    (func $f (param $x anyref) (param $y externref) (result i32)
      (local $s (ref null $p)) (local $arr (ref null $a))
      (local.set $s (struct.new_default $q))
      (struct.set $p $x (local.get $s) (struct.get_s $q 1 (global.get $g)))
      (local.set $arr (array.new $a (f64.const 0) (i32.const 4)))
      (array.set $a (local.get $arr) (i32.const 0) (array.get $a (global.get $h) (i32.const 1)))
      (array.fill $a (local.get $arr) (i32.const 1) (f64.const 3) (i32.const 2))
      (array.copy $a $a (local.get $arr) (i32.const 0) (global.get $h) (i32.const 0) (i32.const 1))
      (array.init_data $a $d (local.get $arr) (i32.const 0) (i32.const 0) (i32.const 1))
      (drop (array.new_data $a $d (i32.const 0) (i32.const 1)))
      (drop (array.new_elem $e $f (i32.const 0) (i32.const 1)))
      (array.init_elem $e $f (array.new_default $e (i32.const 1)) (i32.const 0) (i32.const 0) (i32.const 1))
      (drop (ref.test (ref $q) (local.get $x)))
      (drop (ref.cast (ref null $p) (local.get $s)))
      (drop (block $l (result (ref $q))
        (br_on_cast $l (ref null $p) (ref $q) (local.get $s))
        (drop) (global.get $g)))
      (drop (block $m (result (ref null $p))
        (br_on_cast_fail $m (ref null $p) (ref $q) (local.get $s))))
      (drop (extern.convert_any (any.convert_extern (local.get $y))))
      (drop (ref.eq (global.get $i) (local.get $s)))
      (drop (i31.get_u (global.get $i)))
      (i32.add (array.len (local.get $arr)) (i31.get_s (global.get $i)))))`);
  assert.ok(WebAssembly.validate(bytes), "V8 accepts it");
  assert.ok(validate(bytes), "environ accepts it");
});

Deno.test("GC limits: struct fields, array.new_fixed operands, subtyping depth", () => {
  assert.match(
    invalid(`(module (type (struct ${"(field i32)".repeat(10001)})))`),
    /too many struct fields/,
  );
  assert.match(
    invalid(`(module (type $a (array i32))
      (global (ref $a) (array.new_fixed $a 10001 ${"(i32.const 0) ".repeat(10001)})))`),
    /too many array.new_fixed operands/,
  );
  const chain = (n: number) => {
    let types = `(type $t0 (sub (struct)))`;
    for (let i = 1; i <= n; i++) types += `(type $t${i} (sub $t${i - 1} (struct)))`;
    return `(module ${types})`;
  };
  translate(chain(63));
  assert.match(invalid(chain(64)), /subtyping depth too large/);
});

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % n);
  };
}

/** A random type section: recursion groups of random subtypes naming each other. */
function randomTypeSection(next: (n: number) => number): number[] {
  const numGroups = 1 + next(4);
  const total = numGroups * 3; // indices a type may name (some past the end: invalid)
  const valType = (field: boolean): number[] => {
    const pick = next(field ? 14 : 12);
    const abstract = [0x7f, 0x7e, 0x7d, 0x6e, 0x6d, 0x6c, 0x6b, 0x6a, 0x71, 0x70];
    if (pick < abstract.length) return [abstract[pick]];
    if (pick < 12) return [next(2) ? 0x63 : 0x64, next(total)];
    return [pick === 12 ? 0x78 : 0x77];
  };
  const field = () => [...valType(true), next(2)];
  let index = 0;
  const groups: number[][] = [];
  for (let g = 0; g < numGroups; g++) {
    const size = 1 + next(3);
    const types: number[] = [];
    for (let k = 0; k < size; k++, index++) {
      const form = next(3);
      const head = next(3); // plain, sub, sub final
      if (head > 0) {
        types.push(head === 1 ? 0x50 : 0x4f);
        if (index > 0 && next(3) > 0) types.push(1, next(index));
        else types.push(0);
      }
      if (form === 0) {
        const n = next(3);
        types.push(0x5f, n);
        for (let f = 0; f < n; f++) types.push(...field());
      } else if (form === 1) {
        types.push(0x5e, ...field());
      } else {
        const np = next(2);
        types.push(0x60, np);
        for (let p = 0; p < np; p++) types.push(...valType(false));
        types.push(1, ...valType(false));
      }
    }
    groups.push(size > 1 || next(2) ? [0x4e, size, ...types] : types);
  }
  const body = [groups.length, ...groups.flat()];
  return [1, body.length, ...body]; // (sizes stay below 128 bytes: one-byte LEBs)
}

// GC_SEED and GC_N run other and more sections (seeds 1-3 at 30,000 each agreed).
Deno.test("GC types: environ and V8 agree on 3,000 random type sections", () => {
  const next = rng(Number(Deno.env.get("GC_SEED") ?? 16));
  let valid = 0;
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (let i = 0; i < Number(Deno.env.get("GC_N") ?? 3000); i++) {
    const section = randomTypeSection(next);
    if (section[1] >= 128) continue;
    const bytes = new Uint8Array([...header, ...section]);
    const native = WebAssembly.validate(bytes);
    assert.equal(validate(bytes), native, `module ${i}: ${[...bytes].join(",")}`);
    if (native) valid++;
  }
  assert.ok(valid > 300, `enough valid modules (${valid})`);
});
