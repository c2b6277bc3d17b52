/**
 * Tests of typed function references through the runtime: `call_ref` and
 * `return_call_ref` (to wasm and to host functions, in constant stack), their
 * traps ("null function reference", "null reference"), `br_on_null`, a table
 * with an initialiser expression, typed globals shared between modules, and
 * where such functions run on an engine of strategy "js".
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, type EngineConfig, type Instance, Linker, Module, Store, Trap } from "./mod.ts";
import { parseWat } from "@capstan/environ";

const WAT = `(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (type $ii (func (param i32) (result i32)))
  (type $lii (func (param i64 i64) (result i64)))
  (func $sq (type $ii) (i32.mul (local.get 0) (local.get 0)))
  (table $t 2 (ref $ii) (ref.func $sq))
  (global $g (ref null $ii) (ref.func $twice))
  (elem declare func $sq $count)
  (func (export "apply") (param i32 i32) (result i32)
    (call_ref $ii (local.get 1) (table.get $t (local.get 0))))
  (func (export "host") (param i32) (result i32)
    (call_ref $ii (local.get 0) (ref.as_non_null (global.get $g))))
  (func (export "null") (result i32)
    (call_ref $ii (i32.const 1) (ref.null $ii)))
  (func (export "as_non_null") (param funcref) (result funcref)
    (ref.as_non_null (local.get 0)))
  (func (export "is_null") (param (ref null $ii)) (result i32)
    (block (br_on_null 0 (local.get 0)) (return (i32.const 0)))
    (i32.const 1))
  ;; counts down by tail calls through a reference: constant VM stack
  (func $count (type $lii)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call_ref $lii (i64.sub (local.get 0) (i64.const 1))
        (i64.add (local.get 1) (i64.const 2)) (ref.func $count)))))
  (func (export "count") (param i64) (result i64)
    (return_call_ref $lii (local.get 0) (i64.const 0) (ref.func $count)))
  (func (export "tail_host") (param i32) (result i32)
    (return_call_ref $ii (local.get 0) (ref.as_non_null (global.get $g)))))`;

function instantiate(config: EngineConfig = {}): { module: Module; instance: Instance } {
  const engine = new Engine(config);
  const store = new Store(engine, null);
  const linker = new Linker<null>(engine);
  linker.funcWrap("env", "twice", { params: ["i32"], results: ["i32"] }, (x) => 2 * (x as number));
  const module = new Module(engine, parseWat(WAT));
  return { module, instance: linker.instantiate(store, module) };
}

function call(instance: Instance, name: string, ...args: unknown[]): unknown {
  const f = instance.getFunc(name);
  assert.ok(f, `export ${name}`);
  return f.call(...(args as number[]))[0];
}

for (const strategy of ["interpreter", "js"] as const) {
  Deno.test(`call_ref calls wasm and host functions (strategy ${strategy})`, () => {
    const { instance } = instantiate({ strategy });
    assert.equal(call(instance, "apply", 1, 7), 49, "the table's initial value");
    assert.equal(call(instance, "host", 21), 42);
    assert.equal(call(instance, "tail_host", 4), 8);
    assert.equal(call(instance, "count", 1_000_000n), 2_000_000n, "constant stack");
  });

  Deno.test(`null references trap with the spec's messages (strategy ${strategy})`, () => {
    const { instance } = instantiate({ strategy });
    assert.throws(
      () => call(instance, "null"),
      (e: unknown) => e instanceof Trap && e.message.startsWith("null function reference"),
    );
    assert.throws(
      () => call(instance, "as_non_null", null),
      (e: unknown) => e instanceof Trap && e.message.startsWith("null reference"),
    );
    assert.equal(call(instance, "is_null", null), 1);
  });
}

Deno.test("functions using call_ref and return_call_ref run on the JS tier under strategy js", () => {
  const { module } = instantiate({ strategy: "js" });
  // 0 the import, 1 $sq, 2 apply, 3 host, 4 null, 5 as_non_null, 6 is_null, 7 $count
  for (const f of [2, 3, 4, 7]) assert.equal(module.tierOf(f), "js", `function ${f}: call_ref`);
  assert.equal(module.tierOf(5), "js", "ref.as_non_null is a branch and a trap");
  assert.equal(module.tierOf(6), "js", "br_on_null is a branch");
});

Deno.test("typed globals match imports by subtyping across modules", () => {
  const engine = new Engine();
  const store = new Store(engine, null);
  const linker = new Linker<null>(engine);
  const a = linker.instantiate(
    store,
    new Module(
      engine,
      parseWat(`(module (type $t (func)) (func $f (type $t)) (elem declare func $f)
        (global (export "g") (ref $t) (ref.func $f)))`),
    ),
  );
  linker.instance(store, "a", a);
  const ok = (type: string) => {
    try {
      const wat = `(module (type $u (func)) (type $v (func (param i32)))
        (global (import "a" "g") ${type}))`;
      linker.instantiate(store, new Module(engine, parseWat(wat)));
      return true;
    } catch {
      return false;
    }
  };
  assert.ok(ok("(ref $u)"), "an equivalent type in another module");
  assert.ok(ok("funcref") && ok("(ref func)") && ok("(ref null $u)"));
  assert.ok(!ok("externref") && !ok("(ref $v)") && !ok("nullfuncref"));
});

Deno.test("a function passed for a (ref $t) parameter must be of that type", () => {
  const engine = new Engine();
  const store = new Store(engine, null);
  const wat = `(module
    (type $ii (func (param i32) (result i32)))
    (func $sq (export "sq") (type $ii) (i32.mul (local.get 0) (local.get 0)))
    (func (export "other") (param i64))
    (func (export "apply") (param (ref $ii) i32) (result i32)
      (call_ref $ii (local.get 1) (local.get 0))))`;
  const a = new Linker<null>(engine).instantiate(store, new Module(engine, parseWat(wat)));
  const b = new Linker<null>(engine).instantiate(store, new Module(engine, parseWat(wat)));
  const apply = a.getFunc("apply")!;
  assert.equal(apply.call(b.getFunc("sq")!, 6)[0], 36, "an equivalent type of another module");
  assert.throws(() => apply.call(a.getFunc("other")!, 6), TypeError);
  assert.throws(() => apply.call(null, 6), TypeError, "null for a non-nullable reference");
});
