/**
 * Unit tests of the runtime objects that need no module: Engine, Store,
 * Memory, Table, Global, host Funcs, StoreLimits, Trap formatting.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Engine,
  Func,
  Global,
  Linker,
  Memory,
  PAGE_SIZE,
  Store,
  StoreLimits,
  Table,
  Trap,
  TrapCode,
  ValType,
} from "./mod.ts";

function newStore<T = undefined>(data?: T, engine = new Engine()): Store<T> {
  return new Store(engine, data as T);
}

Deno.test("Engine.signatureId() is equal for, and only for, equal function types", () => {
  const e = new Engine();
  const a = e.signatureId({ params: [ValType.i32], results: [] });
  const b = e.signatureId({ params: [ValType.i32], results: [] });
  const c = e.signatureId({ params: [], results: [ValType.i32] });
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.deepEqual(e.signatureType(c), { params: [], results: [ValType.i32] });
});

Deno.test("Engine.incrementEpoch() advances the shared epoch counter", () => {
  const e = new Engine({ epochInterruption: true });
  assert.equal(e.currentEpoch(), 0);
  e.incrementEpoch();
  Atomics.add(e.epochCounter, 0, 2); // as a worker would
  assert.equal(e.currentEpoch(), 3);
  assert.ok(e.epochCounter.buffer instanceof SharedArrayBuffer);
});

Deno.test("Engine passes fuel, epoch and NaN switches to the code generator", () => {
  const e = new Engine({
    consumeFuel: true,
    nanCanonicalization: true,
    tunables: { superInstructions: false },
  });
  assert.equal(e.config.tunables.consumeFuel, true);
  assert.equal(e.config.tunables.nanCanonicalization, true);
  assert.equal(e.config.tunables.epochInterruption, false);
  assert.equal(e.config.tunables.superInstructions, false);
});

Deno.test("Engine rejects a non-positive maxWasmStack", () => {
  assert.throws(() => new Engine({ maxWasmStack: 0 }), RangeError);
});

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

Deno.test("Func.call() checks argument types and counts and wraps results", () => {
  const s = newStore();
  const f = Func.wrap(
    s,
    { params: ["i32", "i64", "f32", "f64"], results: ["i64", "f32"] },
    (a, b, c, d) => [BigInt(a) + b, c + d],
  );
  const [x, y] = f.call(-1, 2n ** 63n, 1.5, 0.25);
  assert.equal(x, 2n ** 63n - 1n, "i64 arguments and results wrap to signed 64 bits");
  assert.equal(y, 1.75);
  assert.throws(() => f.call(1, 2, 3, 4), /argument 1: expected i64/);
  assert.throws(() => f.call(1), /expects 4 argument/);
  const bad = Func.wrap(s, { params: [], results: ["i32", "i32"] }, () => 1);
  assert.throws(() => bad.call(), /array of 2 values/);
});

Deno.test("Func.typed() returns plain results and checks a given type", () => {
  const s = newStore();
  const f = Func.wrap(s, { params: ["i32"], results: ["i32"] }, (a) => a * 2);
  assert.equal(f.typed<[number], number>()(21), 42);
  assert.throws(() => f.typed({ params: ["i64"], results: ["i32"] }), /type mismatch/);
  const none = Func.wrap(s, { params: [], results: [] }, () => 5);
  assert.equal(none.typed()(), undefined);
});

Deno.test("a host function's exception reaches the caller unchanged", () => {
  const s = newStore();
  const err = new Error("boom");
  const f = Func.wrap(s, { params: [], results: [] }, () => {
    throw err;
  });
  assert.throws(() => f.call(), (e) => e === err);
});

Deno.test("a host Promise needs callAsync, which awaits it", async () => {
  const s = newStore();
  const f = Func.wrap(
    s,
    { params: ["i32"], results: ["i32"] },
    (x) => new Promise((r) => setTimeout(() => r(x + 1), 1)),
  );
  assert.throws(() => f.call(1), /callAsync/);
  const p = f.callAsync(41);
  assert.throws(() => f.call(1), /busy in an async call/);
  assert.deepEqual(await p, [42]);
  assert.deepEqual(await f.callAsync(1), [2], "the store is usable again");
});

Deno.test("Linker.func() gives host functions their Caller and the store's data", () => {
  const engine = new Engine();
  const linker = new Linker<{ sum: number }>(engine);
  linker.func("env", "add", { params: ["i32"], results: [] }, (caller, x) => {
    caller.data.sum += x;
  });
  const s = new Store(engine, { sum: 1 });
  const f = linker.get(s, "env", "add") as Func;
  assert.equal(linker.get(s, "env", "add"), f, "one Func per store");
  f.call(41);
  assert.equal(s.data.sum, 42);
  assert.throws(() => linker.func("env", "add", { params: [], results: [] }, () => {}), /twice/);
  linker.allowShadowing(true).funcWrap("env", "add", { params: [], results: [] }, () => {});
});

Deno.test("Trap formats its backtrace as wasmtime does", () => {
  const t = new Trap(TrapCode.IntegerDivisionByZero, [
    { funcIndex: 1, funcName: "div", moduleName: undefined, moduleOffset: 0x2a },
    { funcIndex: 2, funcName: "main", moduleName: "mymod", moduleOffset: 0x40 },
    { funcIndex: 3, funcName: undefined, moduleName: "mymod", moduleOffset: 0x123 },
  ]);
  assert.equal(t.message, "integer divide by zero");
  assert.equal(t.code, TrapCode.IntegerDivisionByZero);
  assert.ok(t instanceof Error);
  assert.equal(
    String(t),
    [
      "wasm trap: integer divide by zero",
      "wasm backtrace:",
      "    0:   0x2a - <unknown>!div",
      "    1:   0x40 - mymod!main",
      "    2:  0x123 - mymod!<wasm function 3>",
    ].join("\n"),
  );
  assert.match(
    t.stack!,
    /^Trap: integer divide by zero\nwasm backtrace:\n {4}0: {3}0x2a - <unknown>!div\n/,
  );
});
