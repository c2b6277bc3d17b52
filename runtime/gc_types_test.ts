/**
 * Tests of GC types through the runtime: function imports match declared
 * supertypes across modules (iso-recursive canonical types), a `(ref $t)`
 * value accepts a function of a declared subtype, and values of the `any`
 * hierarchy run on every strategy (the JS tier routes GC code to the
 * interpreter), in exceptions too; thrown into a continuation by
 * `resume_throw`, they are refused with a clean CompileError "unsupported ...".
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError, parseWat } from "@capstan/environ";
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

  Deno.test(`resume_throw of values of the any hierarchy is refused cleanly (strategy ${strategy})`, () => {
    const engine = new Engine({ strategy, stackSwitching: true });
    assert.throws(
      () => {
        const module = new Module(
          engine,
          parseWat(`(module (type $f (func)) (type $c (cont $f)) (tag $e (param anyref))
            (func $k) (elem declare func $k)
            (func (export "f") (resume_throw $c $e (ref.null any) (cont.new $c (ref.func $k)))))`),
        );
        const instance = new Linker<null>(engine).instantiate(new Store(engine, null), module);
        instance.getFunc("f")!.call(); // functions are lowered on their first call
      },
      (e) => e instanceof CompileError && /unsupported GC value type anyref/.test(e.message),
    );
  });
}
