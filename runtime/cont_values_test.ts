/**
 * Continuation references at the runtime's boundaries, before continuations
 * run: a module with continuation types, globals and tables instantiates,
 * and only null crosses between the host and a continuation-typed place (a
 * function is no continuation); without `Engine({ stackSwitching: true })`
 * such modules, and tags with results, are refused.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, Linker, Module, Store, Tag } from "./mod.ts";
import { CompileError, parseWat, ValType } from "@capstan/environ";

const WAT = `(module
  (type $ft (func))
  (type $ct (cont $ft))
  (global (export "g") (mut (ref null $ct)) (ref.null $ct))
  (global (export "h") (mut contref) (ref.null nocont))
  (table (export "t") 2 (ref null cont))
  (table (export "u") 2 (ref null $ct))
  (func (export "is_null") (param (ref null $ct)) (result i32) (ref.is_null (local.get 0)))
  (func (export "local") (result i32) (local contref) (ref.is_null (local.get 0))))`;

Deno.test("continuation-typed globals, tables and parameters hold null, never a function", () => {
  const engine = new Engine({ stackSwitching: true });
  const store = new Store(engine, null);
  const instance = new Linker<null>(engine).instantiate(store, new Module(engine, parseWat(WAT)));
  const f = instance.getFunc("is_null")!;
  assert.deepEqual(f.call(null), [1]);
  assert.throws(() => f.call(f), TypeError);
  assert.deepEqual(instance.getFunc("local")!.call(), [1]);
  for (const name of ["g", "h"]) {
    const g = instance.getGlobal(name)!;
    assert.equal(g.get(), null);
    assert.throws(() => g.set(f), TypeError);
  }
  for (const name of ["t", "u"]) {
    const t = instance.getTable(name)!;
    assert.equal(t.get(0), null);
    assert.throws(() => t.set(1, f), TypeError);
  }
});

Deno.test("stack switching is off by default: modules with continuation types and tags with results are refused", () => {
  const engine = new Engine();
  assert.equal(engine.config.stackSwitching, false);
  assert.throws(
    () => new Module(engine, parseWat(WAT)),
    (e) => e instanceof CompileError && e.reason === "stack switching support is not enabled",
  );
  assert.throws(() => Module.validate(engine, parseWat(WAT)), CompileError);
  const tagged = parseWat(`(module (tag (param i32) (result i32)))`);
  assert.throws(
    () => new Module(engine, tagged),
    (e) => e instanceof CompileError && e.reason === "non-empty tag result type",
  );
  const on = new Engine({ stackSwitching: true });
  Module.validate(on, tagged);
  new Module(on, tagged);
  const type = { params: [ValType.i32], results: [ValType.i32] };
  assert.throws(() => new Tag(new Store(engine, null), type), TypeError);
  assert.deepEqual(new Tag(new Store(on, null), type).type.results, [ValType.i32]);
});
