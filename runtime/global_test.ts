/**
 * Unit tests of Global: typed values, mutability, exact initial bits.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, Global, Instance, Module, Store, ValType } from "./mod.ts";

function newStore<T = undefined>(data?: T, engine = new Engine()): Store<T> {
  return new Store(engine, data as T);
}

Deno.test("Global get/set normalise values and refuse immutable or mistyped writes", () => {
  const s = newStore();
  const i32 = new Global(s, { type: ValType.i32, mutable: true }, 0xffffffff);
  assert.equal(i32.get(), -1);
  i32.set(0x80000000);
  assert.equal(i32.get(), -0x80000000);
  assert.throws(() => i32.set(1n), /expected i32, found 1n/);
  assert.throws(() => i32.set(1.5), TypeError);
  const f32 = new Global(s, { type: ValType.f32, mutable: false }, 0.1);
  assert.equal(f32.get(), Math.fround(0.1));
  assert.throws(() => f32.set(1), /immutable/);
  const i64 = new Global(s, { type: ValType.i64, mutable: false }, -1n);
  assert.equal(i64.get(), -1n);
  assert.throws(() => new Global(s, { type: ValType.i64, mutable: false }, 1), TypeError);
});

Deno.test("a float global's initialiser keeps its exact bits, signalling NaNs included", () => {
  const bytes = parseWat(`(module
    (global $a f32 (f32.const nan:0x123))
    (global $b f64 (f64.const -nan:0x5a5a))
    (global $c (mut f32) (global.get $a))
    (func (export "a") (result i32) (i32.reinterpret_f32 (global.get $a)))
    (func (export "b") (result i64) (i64.reinterpret_f64 (global.get $b)))
    (func (export "c") (result i32) (i32.reinterpret_f32 (global.get $c))))`);
  for (const strategy of ["interpreter", "js"] as const) {
    const e = new Engine({ strategy });
    const inst = new Instance(new Store(e, undefined), new Module(e, bytes), []);
    assert.equal(inst.getFunc("a")!.call()[0], 0x7f800123, strategy);
    assert.equal(inst.getFunc("b")!.call()[0], -0x000fffffffffa5a6n, strategy);
    assert.equal(inst.getFunc("c")!.call()[0], 0x7f800123, strategy);
  }
});
