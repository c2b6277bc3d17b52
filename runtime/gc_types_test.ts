/**
 * Tests of GC types through the runtime: function imports match declared
 * supertypes across modules (iso-recursive canonical types), a `(ref $t)`
 * value accepts a function of a declared subtype, and values of the `any`
 * hierarchy run on every strategy, in exceptions too, thrown into a
 * continuation by `resume_throw` as well.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, Linker, Module, Store } from "./mod.ts";

const TYPES = `(type $t0 (sub (func (result funcref))))
  (rec (type $t1 (sub $t0 (func (result (ref null $t1))))))
  (rec (type $t2 (sub $t1 (func (result (ref null $t2))))))`;

Deno.test("function imports match declared supertypes across modules", () => {
  const engine = new Engine();
  const store = new Store(engine, null);
  const linker = new Linker<null>(engine);
  const m = linker.instantiate(
    store,
    new Module(
      engine,
      parseWat(`(module ${TYPES}
        (func (export "f1") (type $t1) (ref.null $t1))
        (func (export "f2") (type $t2) (ref.null $t2))
        (global (export "g2") (ref null $t2) (ref.func $f2x))
        (func $f2x (type $t2) (ref.null $t2)))`),
    ),
  );
  linker.instance(store, "M", m);
  const links = (field: string, type: string, kind = "func") => {
    try {
      const imp = kind === "func"
        ? `(func (import "M" "${field}") (type ${type}))`
        : `(global (import "M" "${field}") ${type})`;
      linker.instantiate(store, new Module(engine, parseWat(`(module ${TYPES} ${imp})`)));
      return true;
    } catch {
      return false;
    }
  };
  assert.ok(links("f2", "$t2") && links("f2", "$t1") && links("f2", "$t0"), "f2 is under t1, t0");
  assert.ok(links("f1", "$t0") && !links("f1", "$t2"), "f1 is not under t2");
  assert.ok(links("g2", "(ref null $t1)", "global"), "an immutable global is covariant");
  assert.ok(!links("g2", "(mut (ref null $t2))", "global"), "not a mutable one");
});

for (const strategy of ["interpreter", "js", "auto"] as const) {
  Deno.test(`values of the any hierarchy run (strategy ${strategy}: GC code on the interpreter)`, () => {
    const engine = new Engine({ strategy });
    const instance = new Linker<null>(engine).instantiate(
      new Store(engine, null),
      new Module(
        engine,
        parseWat(`(module
          (type $s (struct (field (mut i32))))
          (global $g (mut anyref) (struct.new $s (i32.const 5)))
          (table 1 eqref)
          (func (export "f") (param i31ref) (result i32)
            (i32.add (i31.get_s (local.get 0))
              (struct.get $s 0 (ref.cast (ref $s) (global.get $g)))))
          (func (export "pass") (param anyref) (result anyref) (local.get 0))
          (func (export "sum") (param i32) (result i32) (local $r i32)
            (loop $l (local.set $r (i32.add (local.get $r) (local.get 0)))
              (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
            (local.get $r)))`),
      ),
    );
    for (let i = 0; i < 3; i++) {
      assert.deepEqual(instance.getFunc("f")!.call(-3), [2]);
      const host = { h: i };
      assert.equal(instance.getFunc("pass")!.call(host)[0], host);
      assert.deepEqual(instance.getFunc("sum")!.call(100), [5050]);
    }
  });

  Deno.test(`an exception carrying values of the any hierarchy runs (strategy ${strategy})`, () => {
    const engine = new Engine({ strategy });
    const module = new Module(
      engine,
      parseWat(`(module (type $s (struct (field i32))) (tag $e (param anyref i32 (ref $s)))
        (func $f (throw $e (ref.i31 (i32.const 6)) (i32.const 7) (struct.new $s (i32.const 8))))
        (func (export "g") (result i32) (local $s (ref null $s)) (local $n i32)
          (block $h (result anyref i32 (ref $s))
            (try_table (catch $e $h) (call $f)) (unreachable))
          (local.set $s) (local.set $n)
          (i31.get_s (ref.cast (ref i31)))
          (i32.add (local.get $n) (struct.get $s 0 (local.get $s))) (i32.add)))`),
    );
    const instance = new Linker<null>(engine).instantiate(new Store(engine, null), module);
    assert.deepEqual(instance.getFunc("g")!.call(), [21]);
  });

  Deno.test(`resume_throw carries values of the any hierarchy into a continuation (strategy ${strategy})`, () => {
    const engine = new Engine({ strategy, stackSwitching: true });
    const module = new Module(
      engine,
      parseWat(`(module
        (type $s (struct (field i32)))
        (type $f (func (result i32)))
        (type $c (cont $f))
        (tag $yield)
        (tag $e (param (ref $s) i32))
        (func $k (result i32) (local $n i32)
          (block $h (result (ref $s) i32)
            (try_table (catch $e $h) (suspend $yield))
            (return (i32.const -1)))
          (local.set $n)
          (i32.add (struct.get $s 0) (local.get $n)))
        (elem declare func $k)
        (func (export "started") (result i32) (local $k (ref null $c))
          (block $on (result (ref $c))
            (drop (resume $c (on $yield $on) (cont.new $c (ref.func $k))))
            (return (i32.const -2)))
          (local.set $k)
          (resume_throw $c $e (struct.new $s (i32.const 40)) (i32.const 2) (local.get $k)))
        (func (export "fresh") (result i32) (local $n i32)
          (block $h (result (ref $s) i32)
            (return (try_table (result i32) (catch $e $h)
              (resume_throw $c $e (struct.new $s (i32.const 7)) (i32.const 3)
                (cont.new $c (ref.func $k))))))
          (local.set $n)
          (i32.mul (struct.get $s 0) (local.get $n))))`),
    );
    const instance = new Linker<null>(engine).instantiate(new Store(engine, null), module);
    // raised where the continuation is suspended, caught inside it
    assert.deepEqual(instance.getFunc("started")!.call(), [42]);
    // a continuation not started raises it at the resume_throw, caught by the resumer
    assert.deepEqual(instance.getFunc("fresh")!.call(), [21]);
  });
}
