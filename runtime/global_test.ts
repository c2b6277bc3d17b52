/**
 * Unit tests of Global: typed values, mutability.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, Global, Store, ValType } from "./mod.ts";

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
