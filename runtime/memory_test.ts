/**
 * Unit tests of Memory: growth, limits, the limiter, buffer detachment.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, Memory, PAGE_SIZE, Store, StoreLimits } from "./mod.ts";

function newStore<T = undefined>(data?: T, engine = new Engine()): Store<T> {
  return new Store(engine, data as T);
}

Deno.test("Memory grows within its maximum, keeps its bytes, and detaches the old buffer", () => {
  const mem = new Memory(newStore(), { limits: { min: 1, max: 3 } });
  assert.equal(mem.size(), 1);
  assert.equal(mem.dataSize(), PAGE_SIZE);
  mem.data()[PAGE_SIZE - 1] = 0xab;
  const old = mem.buffer;
  assert.equal(mem.grow(2), 1);
  assert.equal(old.byteLength, 0, "the old buffer is detached");
  assert.equal(mem.size(), 3);
  assert.equal(mem.data()[PAGE_SIZE - 1], 0xab);
  assert.equal(mem.data()[PAGE_SIZE], 0);
  assert.equal(mem.grow(1), -1);
  assert.equal(mem.size(), 3);
  assert.deepEqual(mem.type, { limits: { min: 3, max: 3 } });
});

Deno.test("Memory rejects invalid limits", () => {
  const s = newStore();
  assert.throws(() => new Memory(s, { limits: { min: 2, max: 1 } }), RangeError);
  assert.throws(() => new Memory(s, { limits: { min: 65537, max: undefined } }), RangeError);
  assert.throws(() => new Memory(s, { limits: { min: 0, max: undefined } }).grow(-1), RangeError);
});

Deno.test("a StoreLimits memory cap makes Memory.grow return -1 and refuses creation", () => {
  const s = newStore();
  s.limiter(new StoreLimits({ memorySize: 2 * PAGE_SIZE, memories: 2 }));
  const mem = new Memory(s, { limits: { min: 1, max: undefined } });
  assert.equal(mem.grow(1), 1);
  assert.equal(mem.grow(1), -1);
  assert.equal(mem.size(), 2);
  assert.throws(
    () => new Memory(s, { limits: { min: 3, max: undefined } }),
    /exceeds memory limits/,
  );
  new Memory(s, { limits: { min: 0, max: undefined } });
  assert.throws(
    () => new Memory(s, { limits: { min: 0, max: undefined } }),
    /memory count too high/,
  );
});
