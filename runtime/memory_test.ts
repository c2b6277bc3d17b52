/**
 * Unit tests of Memory: growth (within capacity and by moving), limits, the limiter,
 * buffer detachment, and bounds at the size on both tiers.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import {
  Engine,
  Func,
  Instance,
  Memory,
  memoryBytes,
  Module,
  PAGE_SIZE,
  Store,
  StoreLimits,
  WebAssembly,
} from "./mod.ts";

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

Deno.test("growing a page at a time moves the bytes a logarithmic number of times", () => {
  const mem = new Memory(newStore(), { limits: { min: 1, max: undefined } });
  const buffers = new Set<ArrayBufferLike>([mem._vm.buffer]);
  mem.data()[5] = 7;
  for (let i = 1; i < 200; i++) {
    assert.equal(mem.grow(1), i);
    buffers.add(mem._vm.buffer);
    assert.equal(mem.dataSize(), (i + 1) * PAGE_SIZE);
    assert.equal(mem.data().length, (i + 1) * PAGE_SIZE, "data() is exactly the size");
    assert.equal(mem.data()[i * PAGE_SIZE], 0, "new pages are zero");
    mem.data()[i * PAGE_SIZE + 1] = i & 0xff;
  }
  assert.ok(buffers.size <= 16, `${buffers.size} moves`);
  for (let i = 1; i < 200; i++) assert.equal(mem.data()[i * PAGE_SIZE + 1], i & 0xff);
  assert.equal(mem.data()[5], 7);
  assert.equal(mem.buffer.byteLength, 200 * PAGE_SIZE, "buffer is exactly the size");
});

Deno.test("buffer is exact and stable until a growth, which detaches it even by 0 pages", () => {
  const mem = new Memory(newStore(), { limits: { min: 1, max: 10 } });
  assert.equal(mem.grow(1), 1); // the bytes now have capacity past the size
  mem.data()[PAGE_SIZE + 3] = 9;
  const b = mem.buffer;
  assert.equal(b.byteLength, 2 * PAGE_SIZE);
  assert.equal(mem.buffer, b, "the same object until the memory grows");
  assert.equal(new Uint8Array(b)[PAGE_SIZE + 3], 9);
  assert.equal(mem.grow(0), 2);
  assert.equal(b.byteLength, 0, "grow(0) detaches it");
  const c = mem.buffer;
  assert.notEqual(c, b);
  assert.equal(mem.grow(3), 2);
  assert.equal(c.byteLength, 0);
  assert.equal(mem.buffer.byteLength, 5 * PAGE_SIZE);
  assert.equal(mem.data()[PAGE_SIZE + 3], 9);
  assert.equal(mem.grow(6), -1, "past the maximum: refused, nothing detached");
  assert.equal(mem.buffer.byteLength, 5 * PAGE_SIZE);
});

Deno.test("memoryBytes: a Capstan memory's bytes without an exact buffer", () => {
  const mem = new Memory(newStore(), { limits: { min: 1, max: undefined } });
  mem.grow(1);
  const bytes = memoryBytes(mem)!;
  assert.equal(bytes.length, 2 * PAGE_SIZE);
  assert.equal(memoryBytes(mem), bytes, "the same view until the memory grows");
  assert.ok(mem._vm.buffer.byteLength > 2 * PAGE_SIZE, "no move to an exact buffer");
  const facade = new WebAssembly.Memory({ initial: 2 });
  assert.equal(memoryBytes(facade)?.length, 2 * PAGE_SIZE);
  assert.equal(memoryBytes(new globalThis.WebAssembly.Memory({ initial: 1 })), undefined);
  assert.equal(memoryBytes({}), undefined);
  const shared = new Memory(newStore(), { limits: { min: 1, max: 2 }, shared: true });
  assert.equal(memoryBytes(shared), undefined);
});

for (const strategy of ["interpreter", "js"] as const) {
  Deno.test(`${strategy}: accesses are bounded by the size, not by the capacity past it`, () => {
    const wat = `(module (memory (export "m") 1)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "size") (result i32) (memory.size))
      (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
      (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))`;
    const store = new Store(new Engine({ strategy }), undefined);
    const instance = new Instance(store, new Module(store.engine, parseWat(wat)), []);
    const call = (name: string, ...args: number[]) => instance.getFunc(name)!.call(...args);
    assert.deepEqual(call("grow", 1), [1]);
    const mem = instance.getMemory("m")!;
    assert.ok(mem._vm.buffer.byteLength > 2 * PAGE_SIZE, "capacity past the size");
    assert.deepEqual(call("size"), [2]);
    call("store", 2 * PAGE_SIZE - 1, 5);
    assert.deepEqual(call("load", 2 * PAGE_SIZE - 1), [5]);
    assert.throws(() => call("load", 2 * PAGE_SIZE), /out of bounds/);
    assert.throws(() => call("store", 2 * PAGE_SIZE, 1), /out of bounds/);
    assert.deepEqual(call("grow", 1), [2]);
    assert.deepEqual(call("load", 2 * PAGE_SIZE), [0]);
    const exact = mem.buffer;
    assert.equal(exact.byteLength, 3 * PAGE_SIZE);
    call("store", 3, 4); // the VM runs over the exact buffer now
    assert.equal(new Uint8Array(exact)[3], 4);
    assert.deepEqual(call("grow", 0), [3]);
    assert.equal(exact.byteLength, 0, "memory.grow detaches the buffer handed out");
    assert.deepEqual(call("load", 3), [4]);
  });

  Deno.test(`${strategy}: a host function reading buffer mid-run (moving the bytes) is seen`, () => {
    const wat = `(module (import "h" "touch" (func $touch)) (memory (export "m") 1)
      (func (export "f") (result i32)
        (i32.store8 (i32.const 10) (i32.const 1))
        (drop (memory.grow (i32.const 1)))
        (call $touch)
        (i32.store8 (i32.const 11) (i32.const 2))
        (i32.add (i32.load8_u (i32.const 10)) (i32.load8_u (i32.const 11)))))`;
    const store = new Store(new Engine({ strategy }), undefined);
    const module = new Module(store.engine, parseWat(wat));
    let seen: ArrayBuffer | undefined;
    const touch = Func.wrap(store, { params: [], results: [] }, () => {
      seen = instance.getMemory("m")!.buffer as ArrayBuffer;
    });
    const instance = new Instance(store, module, [touch]);
    assert.deepEqual(instance.getFunc("f")!.call(), [3]);
    assert.equal(seen!.byteLength, 2 * PAGE_SIZE, "exact, and not detached: no growth since");
    assert.deepEqual(
      [...new Uint8Array(seen!, 10, 2)],
      [1, 2],
      "the store after the call wrote it",
    );
  });
}
