/**
 * Tests of Module metadata, globals shared between wasm and the host, and
 * instance exports.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, Func, Global, Instance, Module, Store, ValType } from "./mod.ts";
import { fixture, loadModule } from "./_test_util.ts";

Deno.test("Module reports its name and custom sections", () => {
  const m = loadModule("misc");
  assert.equal(m.name, "misc");
  const [names] = m.customSections("name");
  assert.ok(names instanceof Uint8Array && names.length > 0);
  assert.deepEqual(m.customSections("absent"), []);
  assert.equal(loadModule("oob_elem").name, undefined);
});

Deno.test("globals of every type read and write the same storage as wasm", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const inst = new Instance(store, new Module(engine, fixture("misc")), []);
  const g = (name: string) => inst.getGlobal(name)!;
  assert.equal(g("i32").get(), -1);
  assert.equal(g("i64").get(), -2n);
  assert.equal(g("f32").get(), 1.5);
  assert.equal(g("f64").get(), -0.25);
  assert.equal(g("fr").get(), inst.getFunc("get_i64"));
  assert.equal(g("er").get(), null);
  g("i64").set(2n ** 62n);
  assert.deepEqual(inst.getFunc("get_i64")!.call(), [2n ** 62n]);
  const token = Symbol("token");
  inst.getFunc("set_er")!.call(token);
  assert.equal(g("er").get(), token);
  g("er").set("from host");
  assert.deepEqual(inst.getFunc("get_er")!.call(), ["from host"]);
  g("fr").set(null);
  assert.equal(g("fr").get(), null);
  assert.throws(() => g("fr").set(42), /expected funcref/);
  assert.deepEqual(g("f32").type, { type: ValType.f32, mutable: true });
});

Deno.test("Instance lists exports in module order, and typed getters filter by kind", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const inst = new Instance(store, new Module(engine, fixture("misc")), []);
  assert.deepEqual(inst.exports().map((e) => e.name), [
    "i32",
    "i64",
    "f32",
    "f64",
    "fr",
    "er",
    "get_i64",
    "set_er",
    "get_er",
  ]);
  assert.ok(inst.getGlobal("i32") instanceof Global);
  assert.equal(inst.getFunc("i32"), undefined);
  assert.ok(inst.getFunc("get_i64") instanceof Func);
  assert.equal(inst.getMemory("get_i64"), undefined);
  assert.equal(inst.getTable("nothing"), undefined);
  assert.equal(inst.getExport("nothing"), undefined);
});

Deno.test("Instance.getTypedFunc() returns a plain function and checks name and type", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const inst = new Instance(store, new Module(engine, fixture("misc")), []);
  const get = inst.getTypedFunc<[], bigint>("get_i64", { params: [], results: ["i64"] });
  assert.equal(get(), -2n);
  assert.throws(() => inst.getTypedFunc("nope"), /no function export named "nope"/);
  assert.throws(() => inst.getTypedFunc("i32"), TypeError);
  assert.throws(() => inst.getTypedFunc("get_i64", { params: [], results: ["i32"] }), /mismatch/);
});
