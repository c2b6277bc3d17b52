/**
 * Tests of Wasm GC execution through the runtime's API: structs, arrays and
 * i31 values in the reference register file across calls, tail calls, host
 * calls, globals and tables; their JS faces (opaque, frozen, the same object
 * each time); casts and the traps of GC instructions; and that objects wasm
 * no longer reaches are freed by the JS garbage collector.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import {
  Engine,
  Func,
  gcKindOf,
  Global,
  Instance,
  Module,
  Store,
  Trap,
  TrapCode,
  ValType,
} from "./mod.ts";

/** Instantiates `wat` in a new store, with the host functions `imports` makes in that store. */
function instantiate(
  wat: string,
  imports: (store: Store<undefined>) => (Func | Global)[] = () => [],
): { store: Store<undefined>; inst: Instance } {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const inst = new Instance(store, new Module(engine, parseWat(wat)), imports(store));
  return { store, inst };
}

const POINTS = `(module
  (type $point (struct (field $x (mut i32)) (field $y f64) (field $tag i8)))
  (type $bytes (array (mut i8)))
  (type $refs (array (mut anyref)))
  (func (export "make") (param i32 f64) (result (ref $point))
    (struct.new $point (local.get 0) (local.get 1) (i32.const 300)))
  (func (export "x") (param (ref null $point)) (result i32) (struct.get $point $x (local.get 0)))
  (func (export "y") (param (ref $point)) (result f64) (struct.get $point $y (local.get 0)))
  (func (export "tag_s") (param (ref $point)) (result i32)
    (struct.get_s $point $tag (local.get 0)))
  (func (export "tag_u") (param (ref $point)) (result i32)
    (struct.get_u $point $tag (local.get 0)))
  (func (export "same") (param anyref anyref) (result i32)
    (ref.eq (ref.cast eqref (local.get 0)) (ref.cast eqref (local.get 1))))
  (func (export "id") (param anyref) (result anyref) (local.get 0))
  (func (export "is_point") (param anyref) (result i32) (ref.test (ref $point) (local.get 0)))
  ;; a recursion whose every frame keeps a struct in a local across the call below it
  (func $sum (export "sum") (param $n i32) (result i32) (local $p (ref null $point))
    (if (i32.eqz (local.get $n)) (then (return (i32.const 0))))
    (local.set $p (struct.new $point (local.get $n) (f64.const 0) (i32.const 0)))
    (i32.add (call $sum (i32.sub (local.get $n) (i32.const 1)))
      (struct.get $point $x (local.get $p))))
  ;; tail calls carry references in the ref file
  (func $count (param $p (ref $point)) (param $n i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (struct.get $point $x (local.get $p)))))
    (struct.set $point $x (local.get $p) (i32.add (struct.get $point $x (local.get $p)) (i32.const 1)))
    (return_call $count (local.get $p) (i32.sub (local.get $n) (i32.const 1))))
  (func (export "count") (param i32) (result i32)
    (call $count (struct.new_default $point) (local.get 0)))
  (func (export "bytes") (param i32) (result i32) (local $a (ref $bytes))
    (local.set $a (array.new $bytes (i32.const 255) (local.get 0)))
    (array.set $bytes (local.get $a) (i32.const 0) (i32.const 7))
    (i32.add (array.get_s $bytes (local.get $a) (i32.const 1))
      (i32.mul (array.len (local.get $a)) (array.get_u $bytes (local.get $a) (i32.const 0)))))
  (func (export "get_refs") (param i32) (result anyref)
    (array.get $refs (array.new_fixed $refs 3 (ref.i31 (i32.const -5)) (ref.null none)
      (struct.new_default $point)) (local.get 0)))
  (func (export "null_get") (result i32) (struct.get $point $x (ref.null $point)))
  (func (export "oob") (result i32) (array.get_u $bytes (array.new_default $bytes (i32.const 2))
    (i32.const 2)))
  (func (export "bad_cast") (result i32) (struct.get $point $x (ref.cast (ref $point)
    (ref.i31 (i32.const 1)))))
  (func (export "too_large") (result i32) (array.len (array.new_default $refs (i32.const -1))))
)`;

Deno.test("structs keep their fields, packed fields extend as asked, and leave as opaque objects", () => {
  const { inst } = instantiate(POINTS);
  const p = inst.getFunc("make")!.call(41, 2.5)[0];
  assert.equal(gcKindOf(p), "struct");
  assert.ok(Object.isFrozen(p) && Object.getPrototypeOf(p) === null && Object.keys(p).length === 0);
  assert.deepEqual(inst.getFunc("x")!.call(p), [41]);
  assert.deepEqual(inst.getFunc("y")!.call(p), [2.5]);
  assert.deepEqual(inst.getFunc("tag_s")!.call(p), [44]); // 300 wrapped to i8: 0x2c
  assert.deepEqual(inst.getFunc("tag_u")!.call(p), [44]);
  // the same struct comes back as the same object, and wasm sees it as the same struct
  assert.equal(inst.getFunc("id")!.call(p)[0], p);
  assert.deepEqual(inst.getFunc("same")!.call(p, p), [1]);
  assert.deepEqual(inst.getFunc("same")!.call(p, inst.getFunc("make")!.call(41, 2.5)[0]), [0]);
  assert.deepEqual(inst.getFunc("is_point")!.call(p), [1]);
  assert.deepEqual(inst.getFunc("is_point")!.call(7), [0]);
});

Deno.test("i31 values and host values cross as anyref", () => {
  const { inst } = instantiate(POINTS);
  const id = inst.getFunc("id")!;
  assert.deepEqual(id.call(5), [5]);
  assert.deepEqual(inst.getFunc("same")!.call(5, 5), [1]);
  const host = { any: "thing" };
  assert.equal(id.call(host)[0], host);
  assert.equal(id.call(2 ** 40)[0], 2 ** 40);
  assert.equal(gcKindOf(id.call(host)[0]), "host");
  assert.deepEqual(inst.getFunc("get_refs")!.call(0), [-5]);
  assert.deepEqual(inst.getFunc("get_refs")!.call(1), [null]);
  assert.equal(gcKindOf(inst.getFunc("get_refs")!.call(2)[0]), "struct");
});

Deno.test("references in the ref file line up across calls and tail calls", () => {
  const { inst } = instantiate(POINTS);
  assert.deepEqual(inst.getFunc("sum")!.call(1000), [500500]);
  assert.deepEqual(inst.getFunc("count")!.call(10000), [10000]);
  assert.deepEqual(inst.getFunc("bytes")!.call(3), [-1 + 3 * 7]);
});

Deno.test("GC instructions trap with the spec's messages", () => {
  const { inst } = instantiate(POINTS);
  const trapOf = (name: string) => {
    try {
      inst.getFunc(name)!.call();
    } catch (e) {
      assert.ok(e instanceof Trap);
      return e.code;
    }
    assert.fail(`${name} did not trap`);
  };
  assert.equal(trapOf("null_get"), TrapCode.NullStructReference);
  assert.equal(trapOf("oob"), TrapCode.ArrayOutOfBounds);
  assert.equal(trapOf("bad_cast"), TrapCode.CastFailure);
  assert.equal(trapOf("too_large"), TrapCode.AllocationFailure);
  assert.throws(() => inst.getFunc("x")!.call(null), /null structure reference/);
});

Deno.test("globals and tables of the any hierarchy hold references; constant expressions allocate", () => {
  const { inst } = instantiate(`(module
    (type $box (struct (field i64)))
    (global $g (export "g") (mut anyref) (struct.new $box (i64.const -3)))
    (global $i (export "i") i31ref (ref.i31 (i32.const 1073741823)))
    (table $t (export "t") 2 eqref)
    (elem (table $t) (i32.const 0) eqref (ref.i31 (i32.const 9)))
    (func (export "unbox") (result i64)
      (struct.get $box 0 (ref.cast (ref $box) (global.get $g))))
    (func (export "swap")
      (table.set $t (i32.const 1) (ref.cast eqref (global.get $g)))
      (global.set $g (table.get $t (i32.const 0)))))`);
  assert.deepEqual(inst.getFunc("unbox")!.call(), [-3n]);
  assert.equal(inst.getGlobal("i")!.get(), 1073741823);
  const t = inst.getTable("t")!;
  assert.equal(t.get(0), 9);
  const box = inst.getGlobal("g")!.get();
  assert.equal(gcKindOf(box), "struct");
  inst.getFunc("swap")!.call();
  assert.equal(t.get(1), box);
  assert.equal(inst.getGlobal("g")!.get(), 9);
  t.set(0, box);
  assert.equal(t.get(0), box);
  assert.throws(() => t.set(0, { not: "eq" }), TypeError);
  assert.equal(t.grow(1, 4), 2);
  assert.equal(t.get(2), 4);
});

Deno.test("a host function takes and returns references of the any hierarchy", () => {
  const seen: unknown[] = [];
  const { inst } = instantiate(
    `(module
      (type $s (struct (field i32)))
      (import "h" "f" (func $f (param anyref) (result anyref)))
      (func (export "run") (result i32)
        (struct.get $s 0 (ref.cast (ref $s) (call $f (struct.new $s (i32.const 77)))))))`,
    (store) => [
      Func.wrap(store, { params: [ValType.anyref], results: [ValType.anyref] }, (v) => {
        seen.push(v);
        return v;
      }),
    ],
  );
  assert.deepEqual(inst.getFunc("run")!.call(), [77]);
  assert.equal(gcKindOf(seen[0]), "struct");
});

Deno.test("a host call clears the calling frame's dead references (its stack map), not its live ones", async () => {
  // %CollectGarbage needs --allow-natives-syntax (as `deno task test` runs)
  let collect: () => void;
  try {
    collect = new Function("%CollectGarbage('all')") as () => void;
  } catch {
    return; // run without the flag: nothing to observe
  }
  let weak: WeakRef<object> | undefined;
  const { inst } = instantiate(
    `(module
        (type $s (struct (field i32)))
        (import "h" "see" (func $see (param anyref)))
        (import "h" "probe" (func $probe (result i32)))
        ;; the struct passes through register 1 (the call's base), dead once the call is made
        (func (export "stash") (param i32) (call $see (struct.new $s (local.get 0))))
        ;; register 1 now holds a number below the host call's base (register 2): its ref-file
        ;; entry is stale, and the stack map at the call does not list it
        (func (export "poke") (param i32) (result i32)
          (i32.add (i32.mul (local.get 0) (local.get 0)) (call $probe)))
        ;; a struct live in a local across the host call survives it
        (func (export "keep") (param i32) (result i32) (local $k (ref null $s))
          (local.set $k (struct.new $s (local.get 0)))
          (drop (call $probe))
          (struct.get $s 0 (local.get $k))))`,
    (store) => [
      Func.wrap(store, { params: [ValType.anyref], results: [] }, (v) => {
        weak = new WeakRef(v as object);
      }),
      Func.wrap(store, { params: [], results: [ValType.i32] }, () => 1),
    ],
  );
  inst.getFunc("stash")!.call(5);
  await new Promise((r) => setTimeout(r, 0)); // (a WeakRef keeps its target until the job ends)
  collect();
  assert.notEqual(weak!.deref(), undefined, "the ref file still holds the dead struct");
  assert.deepEqual(inst.getFunc("poke")!.call(3), [10]);
  await new Promise((r) => setTimeout(r, 0));
  collect();
  assert.equal(weak!.deref(), undefined, "the host call cleared it: the JS collector freed it");
  assert.deepEqual(inst.getFunc("keep")!.call(42), [42]);
});

Deno.test("an externref array made from an element segment holds the segment's values", () => {
  const host = { from: "the host" };
  const { inst } = instantiate(
    `(module
      (type $a (array (mut externref)))
      (import "h" "g" (global $g externref))
      (elem $e externref (global.get $g) (ref.null extern))
      (func (export "get") (param i32) (result externref)
        (array.get $a (array.new_elem $a $e (i32.const 0) (i32.const 2)) (local.get 0))))`,
    (store) => [new Global(store, { type: ValType.externref, mutable: false }, host)],
  );
  assert.equal(inst.getFunc("get")!.call(0)[0], host);
  assert.equal(inst.getFunc("get")!.call(1)[0], null);
});

Deno.test("ref.cast of a local checks the local in place: the value read is the local's at the cast", () => {
  const { inst } = instantiate(`(module
    (type $s (struct (field i32)))
    (func (export "f") (param $a anyref) (result i32)
      ;; the cast entry is still a read of $a when $a is set: it keeps the old value
      (local.get $a) (ref.cast (ref $s)) (ref.null any) (local.set $a)
      (struct.get $s 0)
      (i32.add (ref.is_null (local.get $a))))
    (func (export "make") (result anyref) (struct.new $s (i32.const 41))))`);
  const s = inst.getFunc("make")!.call()[0];
  assert.deepEqual(inst.getFunc("f")!.call(s), [42]);
  assert.throws(() => inst.getFunc("f")!.call(5), (e) => e instanceof Trap);
  assert.throws(() => inst.getFunc("f")!.call(null), (e) => e instanceof Trap);
});

Deno.test("type and null tests fused with their branches agree with native V8", async () => {
  const wat = `(module
    (type $a (sub (struct (field i32))))
    (type $b (sub $a (struct (field i32) (field i32))))
    (type $c (sub final $b (struct (field i32) (field i32) (field i32))))
    (type $arr (array i8))
    (func (export "make") (param i32) (result anyref)
      (block $k3 (block $k2 (block $k1 (block $k0
        (br_table $k0 $k1 $k2 $k3 (local.get 0)))
        (return (ref.null any)))
        (return (struct.new $a (i32.const 1))))
        (return (struct.new $c (i32.const 1) (i32.const 2) (i32.const 3))))
      (if (result anyref) (i32.eq (local.get 0) (i32.const 3))
        (then (array.new_default $arr (i32.const 2)))
        (else (ref.i31 (local.get 0)))))
    (func (export "tests") (param $v anyref) (result i32)
      (local $n i32)
      (if (ref.test (ref $b) (local.get $v)) (then (local.set $n (i32.const 1))))
      (if (ref.test (ref null $a) (local.get $v)) (then (local.set $n (i32.add (local.get $n) (i32.const 2)))))
      (if (i32.eqz (ref.test eqref (local.get $v))) (then (local.set $n (i32.add (local.get $n) (i32.const 4)))))
      (if (ref.is_null (local.get $v)) (then (local.set $n (i32.add (local.get $n) (i32.const 8)))))
      (block $t (br_if $t (ref.test i31ref (local.get $v)))
        (local.set $n (i32.add (local.get $n) (i32.const 16))))
      (local.get $n))
    (func (export "casts") (param $v anyref) (result i32)
      (block $isC (result (ref null $c))
        (block $notA (result anyref)
          (br_on_cast_fail $notA anyref (ref null $a) (local.get $v))
          (br_on_cast $isC (ref null $a) (ref null $c))
          (drop) (return (i32.const 100)))
        (drop) (return (i32.const 200)))
      (if (result i32) (ref.is_null) (then (i32.const 300)) (else (i32.const 400)))))`;
  const bytes = parseWat(wat);
  const { inst } = instantiate(wat);
  const native = (await WebAssembly.instantiate(bytes)).instance.exports as Record<
    string,
    (x: unknown) => unknown
  >;
  for (let k = 0; k < 6; k++) {
    const mine = inst.getFunc("make")!.call(k)[0];
    const theirs = native.make(k);
    for (const f of ["tests", "casts"]) {
      assert.equal(inst.getFunc(f)!.call(mine)[0], native[f](theirs), `${f}(make(${k}))`);
    }
  }
});
