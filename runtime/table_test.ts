/**
 * Unit tests of Table: get/set/grow, bounds, element types, the limiter.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, Func, Store, StoreLimits, Table, ValType } from "./mod.ts";

function newStore<T = undefined>(data?: T, engine = new Engine()): Store<T> {
  return new Store(engine, data as T);
}

Deno.test("Table get/set/grow check bounds, types, and the limiter", () => {
  const s = newStore();
  const t = new Table(s, { element: ValType.funcref, limits: { min: 2, max: 4 } });
  const f = Func.wrap(s, { params: [], results: [] }, () => {});
  assert.equal(t.get(0), null);
  t.set(1, f);
  assert.equal(t.get(1), f);
  assert.throws(() => t.set(0, "not a func"), TypeError);
  assert.throws(() => t.get(2), RangeError);
  assert.equal(t.grow(2, f), 2);
  assert.equal(t.get(3), f);
  assert.equal(t.grow(1), -1);
  const s2 = newStore();
  s2.limiter(new StoreLimits({ tableElements: 3 }));
  const t2 = new Table(s2, { element: ValType.externref, limits: { min: 1, max: undefined } });
  assert.equal(t2.grow(2, { x: 1 }), 1);
  assert.equal(t2.grow(1), -1);
  assert.deepEqual(t2.get(2), { x: 1 });
});

Deno.test("Table keeps an explicit undefined externref, and an omitted init is null", () => {
  const store = new Store(new Engine(), undefined);
  const type = { element: ValType.externref, limits: { min: 2, max: undefined } } as const;
  const given = new Table(store, type, undefined);
  assert.equal(given.get(0), undefined);
  assert.equal(given.grow(1, undefined), 2);
  assert.equal(given.get(2), undefined);
  const omitted = new Table(store, type);
  assert.equal(omitted.get(1), null);
  assert.equal(omitted.grow(1), 2);
  assert.equal(omitted.get(2), null);
});
