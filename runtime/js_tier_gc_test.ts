/**
 * Tests of Wasm GC on the JS tier: functions holding references of the `any`
 * hierarchy run as JS (none routed but by design), give the interpreter's
 * results and traps (messages and backtraces) for every kind of field and
 * element (packed, f32/f64 bits, i64, extern, references), casts, `i31`,
 * GC tables and globals, `call_indirect` to a declared subtype, exceptions
 * carrying GC values (thrown and caught on either tier), and GC values cross
 * between the tiers unchanged in both directions.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, type EngineConfig, Instance, Module, Store } from "./mod.ts";
import { trapOf } from "./_trap_test_util.ts";

const GC = `(module
  (type $pt (sub (struct (field $x (mut i32)) (field $y (mut f64)))))
  (type $pt3 (sub $pt (struct (field $x (mut i32)) (field $y (mut f64)) (field $z (mut i64)))))
  (type $pk (struct (field (mut i8)) (field (mut i16)) (field (mut f32)) (field (mut externref))
    (field (mut anyref))))
  (type $ai (array (mut i32)))
  (type $a8 (array (mut i8)))
  (type $v (struct (field (mut v128))))
  (type $fi (sub (func (param i32) (result i32))))
  (type $fi2 (sub $fi (func (param i32) (result i32))))
  (table $t 4 funcref)
  (elem (table $t) (i32.const 0) func $sq $id)
  (table $g 4 anyref)
  (global $gp (mut (ref null $pt)) (ref.null $pt))
  (data $d "\\01\\02\\03\\04\\05\\06\\07\\f8")
  (func $sq (type $fi2) (i32.mul (local.get 0) (local.get 0)))
  (func $id (type $fi) (local.get 0))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect $t (type $fi) (local.get 0) (local.get 1)))
  (func $mk (param i32 f64) (result (ref $pt)) (struct.new $pt (local.get 0) (local.get 1)))
  (func (export "point") (param i32 f64) (result f64)
    (local $p (ref null $pt))
    (local.set $p (call $mk (local.get 0) (local.get 1)))
    (struct.set $pt $x (local.get $p) (i32.add (struct.get $pt $x (local.get $p)) (i32.const 1)))
    (global.set $gp (local.get $p))
    (f64.add (f64.convert_i32_s (struct.get $pt $x (global.get $gp)))
      (struct.get $pt $y (local.get $p))))
  (func (export "f64bits") (param i64) (result i64)
    (i64.reinterpret_f64 (struct.get $pt $y
      (struct.new $pt (i32.const 0) (f64.reinterpret_i64 (local.get 0))))))
  (func (export "i64field") (param i64) (result i64)
    (struct.get $pt3 2 (struct.new $pt3 (i32.const 1) (f64.const 2) (local.get 0))))
  (func (export "packed") (param i32) (result i32 i32 i32 i32)
    (local $s (ref null $pk))
    (local.set $s (struct.new_default $pk))
    (struct.set $pk 0 (local.get $s) (local.get 0))
    (struct.set $pk 1 (local.get $s) (local.get 0))
    (struct.get_s $pk 0 (local.get $s)) (struct.get_u $pk 0 (local.get $s))
    (struct.get_s $pk 1 (local.get $s)) (struct.get_u $pk 1 (local.get $s)))
  (func (export "f32field") (param f32) (result f32)
    (local $s (ref null $pk))
    (local.set $s (struct.new_default $pk))
    (struct.set $pk 2 (local.get $s) (local.get 0))
    (struct.get $pk 2 (local.get $s)))
  (func (export "externfield") (param externref) (result externref)
    (local $s (ref null $pk))
    (local.set $s (struct.new_default $pk))
    (struct.set $pk 3 (local.get $s) (local.get 0))
    (struct.get $pk 3 (local.get $s)))
  (func (export "arrays") (param i32 i32) (result i32)
    (local $a (ref null $ai)) (local $b (ref null $ai)) (local $i i32) (local $s i32)
    (local.set $a (array.new $ai (i32.const 3) (local.get 0)))
    (local.set $b (array.new_default $ai (local.get 0)))
    (array.fill $ai (local.get $a) (i32.const 1) (i32.const 5) (i32.const 2))
    (array.copy $ai $ai (local.get $b) (i32.const 0) (local.get $a) (i32.const 0) (local.get 0))
    (array.set $ai (local.get $b) (local.get 1) (i32.const 100))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $i) (array.len (local.get $b))))
      (local.set $s (i32.add (local.get $s) (array.get $ai (local.get $b) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l)))
    (local.get $s))
  (func (export "bytes") (param i32 i32) (result i32)
    (local $a (ref null $a8))
    (local.set $a (array.new_data $a8 $d (local.get 0) (local.get 1)))
    (array.init_data $a8 $d (local.get $a) (i32.const 0) (i32.const 6) (i32.const 1))
    (i32.add (array.get_s $a8 (local.get $a) (i32.const 0))
      (array.get_u $a8 (local.get $a) (i32.sub (local.get 1) (i32.const 1)))))
  (func (export "fixed") (param i32) (result i32)
    (array.get $ai (array.new_fixed $ai 3 (i32.const 10) (i32.const 20) (local.get 0))
      (i32.const 2)))
  (func $kind (param anyref) (result i32)
    (if (ref.test (ref $pt3) (local.get 0)) (then (return (i32.const 3))))
    (if (ref.test (ref $pt) (local.get 0)) (then (return (i32.const 2))))
    (if (ref.test (ref i31) (local.get 0)) (then (return (i32.const 31))))
    (if (ref.test (ref array) (local.get 0)) (then (return (i32.const 4))))
    (if (ref.test (ref struct) (local.get 0)) (then (return (i32.const 5))))
    (if (ref.test (ref eq) (local.get 0)) (then (return (i32.const 6))))
    (if (ref.test nullref (local.get 0)) (then (return (i32.const 0))))
    (i32.const -1))
  (func (export "kinds") (result i32 i32 i32 i32 i32 i32 i32)
    (call $kind (struct.new $pt3 (i32.const 1) (f64.const 2) (i64.const 3)))
    (call $kind (struct.new $pt (i32.const 1) (f64.const 2)))
    (call $kind (ref.i31 (i32.const -5)))
    (call $kind (array.new_default $ai (i32.const 1)))
    (call $kind (struct.new_default $pk))
    (call $kind (ref.null any))
    (call $kind (any.convert_extern (extern.convert_any (ref.i31 (i32.const 2))))))
  (func (export "cast") (param i32) (result i32)
    (struct.get $pt3 0 (ref.cast (ref $pt3) (if (result anyref) (local.get 0)
      (then (struct.new $pt3 (i32.const 9) (f64.const 0) (i64.const 0)))
      (else (struct.new $pt (i32.const 8) (f64.const 0)))))))
  (func (export "i31") (param i32) (result i32 i32)
    (i31.get_s (ref.i31 (local.get 0))) (i31.get_u (ref.i31 (local.get 0))))
  (func (export "null_get") (result i32) (struct.get $pt 0 (ref.null $pt)))
  (func (export "null_i31") (result i32) (i31.get_s (ref.null i31)))
  (func (export "eq") (param i32) (result i32)
    (local $p (ref null $pt))
    (local.set $p (struct.new $pt (i32.const 1) (f64.const 0)))
    (ref.eq (local.get $p) (if (result eqref) (local.get 0) (then (local.get $p))
      (else (struct.new $pt (i32.const 1) (f64.const 0))))))
  (func (export "table") (param i32) (result i32)
    (table.set $g (local.get 0) (ref.i31 (i32.const 42)))
    (drop (table.grow $g (ref.i31 (i32.const 7)) (i32.const 2)))
    (table.fill $g (i32.const 4) (ref.i31 (i32.const 9)) (i32.const 2))
    (i32.add (i31.get_s (ref.cast (ref i31) (table.get $g (local.get 0))))
      (i31.get_s (ref.cast (ref i31) (table.get $g (i32.const 5))))))
  (func (export "br_cast") (param i32) (result i32)
    (block $is (result (ref $pt))
      (br_on_cast $is anyref (ref $pt) (if (result anyref) (local.get 0)
        (then (struct.new $pt (i32.const 7) (f64.const 0))) (else (ref.i31 (i32.const 1)))))
      (drop) (return (i32.const -1)))
    (struct.get $pt 0))
  ;; a v128 field: these run on the interpreter, and take or make structs of the JS tier
  (func $onVm (param (ref $pt)) (result i32)
    (drop (struct.new_default $v))
    (struct.get $pt 0 (local.get 0)))
  (func $makeOnVm (result (ref $pt))
    (drop (struct.new_default $v))
    (struct.new $pt (i32.const 5) (f64.const 1.5)))
  (func (export "cross") (param i32) (result i32)
    (call $onVm (struct.new $pt (local.get 0) (f64.const 0))))
  (func (export "back") (result f64) (struct.get $pt 1 (call $makeOnVm)))
)`;

function instantiate(config: EngineConfig) {
  const engine = new Engine(config);
  const module = new Module(engine, parseWat(GC));
  return { module, instance: new Instance(new Store(engine, undefined), module, []) };
}

function outcome(run: () => unknown[]): string {
  try {
    return run().map(String).join(",");
  } catch (e) {
    return `trap ${(e as Error).message}`;
  }
}

const CASES: [string, unknown[]][] = [
  ["indirect", [5, 0]],
  ["indirect", [5, 1]],
  ["indirect", [5, 2]],
  ["indirect", [5, 9]],
  ["point", [3, 0x3fd0000000000000n]],
  ["f64bits", [0x7ff0000000000001n]],
  ["f64bits", [-0x0008000000000001n]],
  ["i64field", [-0x123456789abcdefn]],
  ["packed", [0x18f80]],
  ["packed", [-1]],
  ["f32field", [-1.5]],
  ["arrays", [4, 2]],
  ["arrays", [4, 4]],
  ["arrays", [0x7fffffff, 0]],
  ["bytes", [1, 6]],
  ["bytes", [3, 6]],
  ["bytes", [1, 0]],
  ["fixed", [33]],
  ["kinds", []],
  ["cast", [1]],
  ["cast", [0]],
  ["i31", [-1]],
  ["i31", [0x40000000]],
  ["null_get", []],
  ["null_i31", []],
  ["eq", [1]],
  ["eq", [0]],
  ["table", [1]],
  ["table", [5]],
  ["table", [9]],
  ["br_cast", [1]],
  ["br_cast", [0]],
  ["cross", [12]],
  ["back", []],
];

Deno.test("GC code runs on the JS tier, only the functions with a v128 field on the interpreter", () => {
  const { module } = instantiate({ strategy: "js" });
  const routed: number[] = [];
  for (let f = 0; f < module.translation.functions.length; f++) {
    if (module.tierOf(f) !== "js") routed.push(f);
  }
  assert.equal(routed.length, 2, routed.map((f) => module.tierOf(f)).join("; "));
  for (const f of routed) assert.match(module.tierOf(f), /v128/);
});

Deno.test("GC code on the JS tier and on auto gives the interpreter's results and traps", () => {
  const interp = instantiate({}).instance;
  const js = instantiate({ strategy: "js" }).instance;
  const auto = instantiate({ strategy: "auto", tierUp: { samples: 0 } }).instance;
  for (const [name, args] of CASES) {
    const want = outcome(() => interp.getFunc(name)!.callBits(...(args as never[])));
    for (const [tier, inst] of [["js", js], ["auto", auto]] as const) {
      const got = outcome(() => inst.getFunc(name)!.callBits(...(args as never[])));
      assert.equal(got, want, `${tier}: ${name}(${args.join(", ")})`);
    }
  }
  assert.equal(outcome(() => js.getFunc("kinds")!.call()), "3,2,31,4,5,0,31");
  assert.equal(outcome(() => js.getFunc("null_get")!.call()), "trap null structure reference");
  assert.equal(outcome(() => js.getFunc("cast")!.call(0)), "trap cast failure");
});

Deno.test("a GC trap on the JS tier has the interpreter's backtrace", () => {
  for (const [name, args] of [["null_get", []], ["cast", [0]], ["arrays", [4, 4]]] as const) {
    const want = trapOf(() => instantiate({}).instance.getFunc(name)!.call(...args));
    const got = trapOf(() => instantiate({ strategy: "js" }).instance.getFunc(name)!.call(...args));
    assert.equal(got.message, want.message);
    assert.deepEqual(got.backtrace, want.backtrace);
  }
});

Deno.test("an extern value stored in a struct on the JS tier comes back as itself", () => {
  const js = instantiate({ strategy: "js" }).instance;
  const o = { tag: "host" };
  assert.equal(js.getFunc("externfield")!.call(o)[0], o);
  assert.equal(js.getFunc("externfield")!.call(null)[0], null);
});

const EXN = `(module
  (type $pt (sub (struct (field i32))))
  (type $v (struct (field (mut v128))))
  (tag $e (param i32 (ref $pt) f64 anyref))
  (func $throw (param i32)
    (throw $e (local.get 0) (struct.new $pt (i32.mul (local.get 0) (i32.const 3)))
      (f64.const 2.5) (ref.i31 (local.get 0))))
  (func $throwOnVm (param i32)
    (drop (struct.new_default $v))
    (call $throw (local.get 0)))
  ;; caught on the JS tier: thrown here, or on the interpreter below
  (func (export "catch") (param i32 i32) (result i32)
    (local $p (ref null $pt)) (local $a anyref) (local $x i32) (local $d f64)
    (block $h (result i32 (ref $pt) f64 anyref)
      (try_table (catch $e $h)
        (if (local.get 1) (then (call $throwOnVm (local.get 0))) (else (call $throw (local.get 0)))))
      (return (i32.const -1)))
    (local.set $a) (local.set $d) (local.set $p) (local.set $x)
    (i32.add (i32.add (local.get $x) (struct.get $pt 0 (local.get $p)))
      (i31.get_s (ref.cast (ref i31) (local.get $a)))))
  ;; caught on the interpreter, thrown on the JS tier
  (func (export "catchOnVm") (param i32) (result i32)
    (drop (struct.new_default $v))
    (block $h (result i32 (ref $pt) f64 anyref)
      (try_table (catch $e $h) (call $throw (local.get 0)))
      (return (i32.const -1)))
    (drop) (drop) (struct.get $pt 0) (i32.add))
  ;; a cast branch (one op on both tiers)
  (func (export "branch") (param anyref) (result i32)
    (block $no (result anyref)
      (br_on_cast_fail $no anyref (ref $pt) (local.get 0))
      (return (struct.get $pt 0)))
    (drop) (i32.const -7))
  (func (export "make") (param i32) (result anyref) (struct.new $pt (local.get 0)))
)`;

Deno.test("exceptions carrying GC values cross the JS tier and the interpreter both ways", () => {
  const run = (config: EngineConfig) => {
    const engine = new Engine(config);
    const module = new Module(engine, parseWat(EXN));
    const instance = new Instance(new Store(engine, undefined), module, []);
    const f = (name: string, ...args: unknown[]) => instance.getFunc(name)!.call(...args)[0];
    const made = f("make", 11);
    return {
      module,
      results: [
        f("catch", 5, 0),
        f("catch", 5, 1),
        f("catchOnVm", 4),
        f("branch", made),
        f("branch", null),
      ],
    };
  };
  const want = run({}).results;
  assert.deepEqual(want, [25, 25, 16, 11, -7]);
  const js = run({ strategy: "js" });
  assert.deepEqual(js.results, want);
  assert.equal(js.module.tierOf(2), "js", "the catching function runs on the JS tier");
  assert.equal(js.module.tierOf(0), "js", "the throwing function runs on the JS tier");
  assert.deepEqual(run({ strategy: "auto", tierUp: { samples: 0 } }).results, want);
});

Deno.test("a fixed array of thousands of values is made in place on the JS tier", () => {
  const values = Array.from({ length: 3000 }, (_, k) => `(i32.const ${k * 7})`).join(" ");
  const wat = `(module (type $a (array i32))
    (func (export "f") (param i32) (result i32 i32)
      (local $x (ref $a))
      (local.set $x (array.new_fixed $a 3000 ${values}))
      (array.len (local.get $x)) (array.get $a (local.get $x) (local.get 0))))`;
  const run = (config: EngineConfig, i: number) => {
    const engine = new Engine(config);
    const module = new Module(engine, parseWat(wat));
    return outcome(() =>
      new Instance(new Store(engine, undefined), module, []).getFunc("f")!.call(i)
    );
  };
  for (const i of [0, 2999, 3000]) assert.equal(run({ strategy: "js" }, i), run({}, i));
  assert.equal(run({ strategy: "js" }, 2999), "3000,20993");
});
