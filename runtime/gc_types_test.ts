/**
 * Tests of GC types through the runtime: function imports match declared
 * supertypes across modules (iso-recursive canonical types), a `(ref $t)`
 * value accepts a function of a declared subtype, and a module or function
 * that would hold a value of the `any` hierarchy (not executed yet) is a
 * clean CompileError "unsupported ...", on both strategies.
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

for (const strategy of ["interpreter", "js"] as const) {
  Deno.test(`values of the any hierarchy are refused cleanly (strategy ${strategy})`, () => {
    const engine = new Engine({ strategy });
    const compiles = (wat: string) => {
      try {
        const module = new Module(engine, parseWat(wat));
        const instance = new Linker<null>(engine).instantiate(new Store(engine, null), module);
        // functions are lowered on their first call
        instance.getFunc("f")?.call(...(wat.includes("param") ? [null] : []));
        return "ok";
      } catch (e) {
        assert.ok(e instanceof CompileError, String(e));
        assert.match(e.message, /unsupported GC/);
        return "refused";
      }
    };
    assert.equal(compiles(`(module (global anyref (ref.null any)))`), "refused");
    assert.equal(compiles(`(module (table 1 eqref))`), "refused");
    assert.equal(
      compiles(`(module (type $s (struct)) (global (ref $s) (struct.new $s)))`),
      "refused",
    );
    assert.equal(compiles(`(module (func (export "f") (param i31ref)))`), "refused");
    assert.equal(
      compiles(`(module (func (export "f") (drop (ref.null none))))`),
      "refused",
      "a body's value",
    );
    assert.equal(compiles(`(module (func (export "f") (result i32) (i32.const 1)))`), "ok");
  });
}
