/**
 * Unit tests of Store: fuel, epoch deadlines, and the rule that values never cross stores.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, Func, Store, Table, ValType } from "./mod.ts";

function newStore<T = undefined>(data?: T, engine = new Engine()): Store<T> {
  return new Store(engine, data as T);
}

Deno.test("Store fuel needs consumeFuel, and setFuel/getFuel round-trip", () => {
  assert.throws(() => newStore().setFuel(10), /consumeFuel/);
  const s = newStore(undefined, new Engine({ consumeFuel: true }));
  s.setFuel(12345);
  assert.equal(s.getFuel(), 12345);
  assert.throws(() => s.setFuel(-1), RangeError);
});

Deno.test("Store.setEpochDeadline() is relative to the engine's current epoch", () => {
  const engine = new Engine({ epochInterruption: true });
  engine.incrementEpoch();
  engine.incrementEpoch();
  const s = newStore(undefined, engine);
  s.setEpochDeadline(5);
  assert.equal(s.epochDeadline, 7);
  assert.deepEqual(s.epochDeadlineAction, { kind: "trap" });
  s.epochDeadlineAsyncYieldAndUpdate(3);
  assert.deepEqual(s.epochDeadlineAction, { kind: "yield", delta: 3 });
});

Deno.test("values never cross stores: a TypeError names both stores", () => {
  const a = newStore();
  const b = newStore();
  const f = Func.wrap(a, { params: [], results: [] }, () => {});
  const t = new Table(b, { element: ValType.funcref, limits: { min: 1, max: undefined } });
  assert.throws(
    () => t.set(0, f),
    (e: Error) =>
      e instanceof TypeError && e.message.includes(`store #${a.id}`) &&
      e.message.includes(`store #${b.id}`),
  );
  const g = Func.wrap(b, { params: ["funcref"], results: [] }, () => {});
  assert.throws(() => g.call(f), TypeError);
});
