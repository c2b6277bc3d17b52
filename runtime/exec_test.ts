/**
 * Tests of execution through the runtime: host calls, traps and their
 * backtraces, host exceptions, recursion depth, fuel, epochs, the limiter
 * seen from wasm, cross-instance calls, references, async host calls.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Engine,
  type EngineConfig,
  Func,
  Global,
  type Instance,
  Linker,
  Memory,
  Module,
  PAGE_SIZE,
  startEpochTicker,
  Store,
  StoreLimits,
  Table,
  Trap,
  TrapCode,
  ValType,
} from "./mod.ts";
import { loadModule } from "./_test_util.ts";
import { parseWat } from "@capstan/environ";

interface Exec {
  engine: Engine;
  store: Store<{ log: string[] }>;
  instance: Instance;
  linker: Linker<{ log: string[] }>;
}

function execInstance(
  config: EngineConfig = {},
  fail: () => void = () => {},
  setup: (store: Store<{ log: string[] }>) => void = () => {},
): Exec {
  const engine = new Engine(config);
  const store = new Store(engine, { log: [] as string[] });
  setup(store);
  const linker = new Linker<{ log: string[] }>(engine);
  linker.func("env", "double", { params: ["i32"], results: ["i32"] }, (caller, x) => {
    caller.data.log.push(`double(${x})`);
    return 2 * x;
  });
  linker.funcWrap("env", "fail", { params: [], results: [] }, fail);
  const instance = linker.instantiate(store, loadModule("exec", engine));
  return { engine, store, instance, linker };
}

function fn(instance: Instance, name: string): Func {
  const f = instance.getFunc(name);
  assert.ok(f, `export ${name}`);
  return f;
}

Deno.test("wasm calls a host import and gets its result", () => {
  const { instance, store } = execInstance();
  assert.deepEqual(fn(instance, "via_host").call(20), [41]);
  assert.deepEqual(store.data.log, ["double(20)"]);
});

Deno.test("a host function sees its calling instance's exports through Caller", () => {
  const engine = new Engine();
  const store = new Store(engine, { seen: 0 });
  const linker = new Linker<{ seen: number }>(engine);
  linker.func("env", "double", { params: ["i32"], results: ["i32"] }, (caller, x) => {
    const mem = caller.getExport("mem");
    assert.ok(mem instanceof Memory);
    caller.data.seen = mem.data()[x];
    return x;
  });
  linker.funcWrap("env", "fail", { params: [], results: [] }, () => {});
  const instance = linker.instantiate(store, loadModule("exec", engine));
  instance.getMemory("mem")!.data()[7] = 99;
  assert.deepEqual(fn(instance, "via_host").call(7), [8]);
  assert.equal(store.data.seen, 99);
});

Deno.test("a trap carries its code, the spec's message and a named backtrace", () => {
  const { instance } = execInstance();
  const main = fn(instance, "main");
  let trap: Trap | undefined;
  try {
    main.call(0);
  } catch (e) {
    trap = e as Trap;
  }
  assert.ok(trap instanceof Trap);
  assert.equal(trap.code, TrapCode.IntegerDivisionByZero);
  assert.equal(trap.message, "integer divide by zero");
  assert.deepEqual(
    trap.backtrace.map((f) => [f.moduleName, f.funcName, f.funcIndex]),
    [["exec", "div", 2], ["exec", "main", 3]],
  );
  for (const f of trap.backtrace) assert.equal(typeof f.moduleOffset, "number");
  assert.ok(trap.backtrace[0].moduleOffset! < trap.backtrace[1].moduleOffset!);
  const text = String(trap).split("\n");
  assert.equal(text[0], "wasm trap: integer divide by zero");
  assert.equal(text[1], "wasm backtrace:");
  assert.match(text[2], /^ {4}0: +0x[0-9a-f]+ - exec!div$/);
  assert.match(text[3], /^ {4}1: +0x[0-9a-f]+ - exec!main$/);
  // The store works after the trap.
  assert.deepEqual(main.call(2), [5]);
  assert.deepEqual(fn(instance, "div").call(-7, 2), [-3]);
});

Deno.test("a host exception reaches the caller unchanged and the store works after", () => {
  const err = new Error("host says no");
  const { instance } = execInstance({}, () => {
    throw err;
  });
  assert.throws(() => fn(instance, "call_fail").call(1), (e) => e === err);
  assert.deepEqual(fn(instance, "via_host").call(1), [3]);
  assert.deepEqual(fn(instance, "main").call(5), [2]);
});

Deno.test("a host exception crosses nested wasm→host→wasm frames unchanged", () => {
  const err = new RangeError("deep");
  let inner: Func | undefined = undefined;
  let depth = 0;
  const { instance } = execInstance({}, () => {
    depth++;
    if (depth < 3) inner!.call(0); // re-enter wasm, which calls fail again
    throw err;
  });
  inner = fn(instance, "call_fail");
  assert.throws(() => inner!.call(0), (e) => e === err);
  assert.equal(depth, 3);
  assert.deepEqual(fn(instance, "via_host").call(4), [9]);
});

Deno.test("a trap inside a nested call unwinds every level and the store works after", () => {
  let inner: Func | undefined = undefined;
  const { instance } = execInstance({}, () => {
    inner!.call(0); // traps: divide by zero
  });
  inner = fn(instance, "main");
  let trap: Trap | undefined;
  try {
    fn(instance, "call_fail").call(0);
  } catch (e) {
    trap = e as Trap;
  }
  assert.ok(trap instanceof Trap && trap.code === TrapCode.IntegerDivisionByZero);
  // The backtrace spans the inner call and the outer one that called the host.
  assert.deepEqual(trap.backtrace.map((f) => f.funcName ?? f.funcIndex), ["div", "main", 5]);
  assert.deepEqual(fn(instance, "main").call(1), [10]);
});

Deno.test("endless wasm→host→wasm recursion traps 'call stack exhausted', not a RangeError", () => {
  let callFail: Func | undefined = undefined;
  let depth = 0;
  const { instance } = execInstance({}, () => {
    depth++;
    callFail!.call(0);
  });
  callFail = fn(instance, "call_fail");
  let trap: Trap | undefined;
  try {
    callFail!.call(0);
  } catch (e) {
    trap = e as Trap;
  }
  assert.ok(trap instanceof Trap && trap.code === TrapCode.StackOverflow);
  assert.ok(depth >= 400, `nested ${depth} levels first`);
  assert.equal(trap.backtrace.length, depth, "one wasm frame per level, none repeated");
  assert.deepEqual(fn(instance, "via_host").call(3), [7], "the store works after");
});

Deno.test("1,000,000-deep recursion traps 'call stack exhausted' and the store works after", () => {
  const { instance } = execInstance();
  const deep = fn(instance, "deep");
  assert.throws(
    () => deep.call(1_000_000),
    (e) =>
      e instanceof Trap && e.code === TrapCode.StackOverflow &&
      e.message === "call stack exhausted",
  );
  let trap: Trap | undefined;
  try {
    deep.call(1_000_000);
  } catch (e) {
    trap = e as Trap;
  }
  assert.ok(trap!.backtrace.length > 1000, "every frame is kept");
  assert.ok(trap!.backtrace.every((f) => f.funcName === "deep"));
  const lines = String(trap).split("\n");
  assert.equal(lines.length, 2 + 100 + 1, "the text shows 100 frames and a count");
  assert.match(lines.at(-1)!, /\.\.\. \d+ more frames/);
  assert.deepEqual(deep.call(1000), [1000]);
});

Deno.test("maxWasmStack bounds recursion depth", () => {
  const small = execInstance({ maxWasmStack: 16 * 1024 });
  assert.throws(() => fn(small.instance, "deep").call(5000), (e) => e instanceof Trap);
  assert.deepEqual(fn(small.instance, "deep").call(100), [100]);
});

Deno.test("fuel stops an infinite loop, and refuelling lets the store run again", () => {
  const { instance, store } = execInstance({ consumeFuel: true });
  store.setFuel(10_000);
  assert.throws(
    () => fn(instance, "spin").call(),
    (e) => e instanceof Trap && e.code === TrapCode.OutOfFuel,
  );
  assert.ok(store.getFuel() < 10_000);
  store.setFuel(1_000_000);
  assert.deepEqual(fn(instance, "count").call(100), [100]);
  const left = store.getFuel();
  assert.ok(left < 1_000_000 && left > 0, `fuel was consumed: ${left}`);
});

Deno.test("fuel yield intervals let timers run in async calls and consume the same fuel", async () => {
  const sync = execInstance({ consumeFuel: true });
  sync.store.setFuel(100_000_000);
  assert.deepEqual(fn(sync.instance, "count").call(2_000_000), [2_000_000]);
  const used = 100_000_000 - sync.store.getFuel();

  const { instance, store } = execInstance({ consumeFuel: true });
  store.setFuel(100_000_000);
  store.fuelAsyncYieldInterval(200_000);
  let timerRuns = 0;
  const timer = setInterval(() => timerRuns++, 0);
  try {
    assert.deepEqual(await fn(instance, "count").callAsync(2_000_000), [2_000_000]);
  } finally {
    clearInterval(timer);
  }
  assert.ok(timerRuns > 1, `the call yielded to the event loop repeatedly (${timerRuns})`);
  assert.equal(100_000_000 - store.getFuel(), used, "yielding does not change fuel accounting");
  // Running out of fuel still traps, also across intervals.
  store.setFuel(50_000);
  await assert.rejects(
    fn(instance, "spin").callAsync(),
    (e) => e instanceof Trap && e.code === TrapCode.OutOfFuel,
  );
  assert.ok(store.getFuel() < 50_000);
});

Deno.test("an epoch deadline stops an infinite loop when a worker advances the epoch", () => {
  // Fuel is only a backstop so that a broken epoch check fails the test instead of hanging it.
  const { instance, store, engine } = execInstance({ epochInterruption: true, consumeFuel: true });
  store.setFuel(20_000_000_000);
  store.setEpochDeadline(1);
  // A worker advances the epoch while the synchronous call spins on this thread.
  const stop = startEpochTicker(engine, 50);
  try {
    assert.throws(
      () => fn(instance, "spin").call(),
      (e) => e instanceof Trap && e.code === TrapCode.Interrupt && e.message === "interrupt",
    );
  } finally {
    stop();
  }
  assert.ok(engine.currentEpoch() >= 1);
  store.setEpochDeadline(10);
  assert.deepEqual(fn(instance, "count").call(1000), [1000]);
});

Deno.test("an async call yields at epoch deadlines so timers run, then finishes", async () => {
  const { instance, store, engine } = execInstance({ epochInterruption: true });
  store.setEpochDeadline(1);
  store.epochDeadlineAsyncYieldAndUpdate(1);
  const stop = startEpochTicker(engine, 2);
  try {
    // An infinite loop can only end here if a timer runs while it runs (during a yield)
    // and switches the store back to trapping at the deadline.
    setTimeout(() => store.epochDeadlineTrap(), 30);
    await assert.rejects(
      fn(instance, "spin").callAsync(),
      (e) => e instanceof Trap && e.code === TrapCode.Interrupt,
    );
    // A finite computation that passes deadlines yields and still gives its result.
    store.epochDeadlineAsyncYieldAndUpdate(1);
    store.setEpochDeadline(1);
    assert.deepEqual(await fn(instance, "count").callAsync(5_000_000), [5_000_000]);
  } finally {
    stop();
  }
});

Deno.test("a memory limit makes wasm memory.grow return -1", () => {
  const { instance } = execInstance({}, () => {}, (store) => {
    store.limiter(new StoreLimits({ memorySize: 2 * PAGE_SIZE, tableElements: 3 }));
  });
  const grow = fn(instance, "grow");
  const mem = instance.getMemory("mem")!;
  const before = mem.buffer;
  assert.deepEqual(grow.call(1), [1]);
  assert.equal(before.byteLength, 0, "growth detached the old buffer");
  assert.equal(mem.size(), 2);
  assert.deepEqual(grow.call(1), [-1]);
  assert.equal(mem.size(), 2);
  assert.deepEqual(fn(instance, "table_grow").call(1), [2]);
  assert.deepEqual(fn(instance, "table_grow").call(1), [-1]);
});

Deno.test("memory views read after growth see wasm's writes and vice versa", () => {
  const { instance } = execInstance();
  const mem = instance.getMemory("mem")!;
  assert.deepEqual(fn(instance, "grow").call(1), [1]);
  new DataView(mem.buffer).setInt32(PAGE_SIZE + 4, 0x1234567, true);
  assert.deepEqual(fn(instance, "load").call(PAGE_SIZE + 4), [0x1234567]);
  assert.throws(
    () => fn(instance, "load").call(2 * PAGE_SIZE - 2),
    (e) => e instanceof Trap && e.message === "out of bounds memory access",
  );
  assert.equal(mem.grow(1), 2);
  assert.deepEqual(fn(instance, "load").call(2 * PAGE_SIZE), [0]);
});

Deno.test("call_indirect reaches wasm and host functions through the table", () => {
  const { instance } = execInstance();
  const indirect = fn(instance, "indirect");
  assert.deepEqual(indirect.call(0, 5), [6]);
  assert.equal(instance.getGlobal("counter")!.get(), 1);
  assert.deepEqual(indirect.call(1, 5), [10]);
  assert.throws(
    () => indirect.call(7, 5),
    (e) => e instanceof Trap && e.message === "undefined element",
  );
  const tab = instance.getTable("tab")!;
  assert.equal(tab.get(0), instance._funcs[6], "the element segment put $inc at 0");
  tab.set(0, null);
  assert.throws(
    () => indirect.call(0, 5),
    (e) => e instanceof Trap && e.message === "uninitialized element",
  );
  const wrongType = Func.wrap(instance.store, { params: [], results: [] }, () => {});
  tab.set(0, wrongType);
  assert.throws(
    () => indirect.call(0, 5),
    (e) => e instanceof Trap && e.message === "indirect call type mismatch",
  );
});

Deno.test("multiple values of every numeric type cross both ways", () => {
  const { instance } = execInstance();
  assert.deepEqual(fn(instance, "swap").call(-5, -(2n ** 63n), 1.5, Math.PI), [
    Math.PI,
    1.5,
    -(2n ** 63n),
    -5,
  ]);
});

Deno.test("callBits() keeps NaN payloads exactly, signalling NaNs included", () => {
  const { instance } = execInstance();
  const snan32 = 0x7fa00000;
  assert.deepEqual(fn(instance, "f32_from_bits").callBits(snan32), [snan32]);
  assert.deepEqual(fn(instance, "f32_from_bits").callBits(0xffa00000), [0xffa00000 | 0]);
  const snan64 = 0x7ff4000000000000n;
  assert.deepEqual(fn(instance, "f64_id").callBits(snan64), [snan64]);
  assert.deepEqual(fn(instance, "f64_id").callBits(-1n), [-1n]);
  assert.deepEqual(fn(instance, "f64_id").call(1.5), [1.5]);
  assert.throws(() => fn(instance, "f64_id").callBits(1.5), /expected i64/);
});

Deno.test("nanCanonicalization makes NaN results canonical; without it payloads propagate", () => {
  const payload = 0x7fa00001; // a signalling NaN with a payload
  const plain = execInstance();
  const [r] = fn(plain.instance, "f32_add_bits").callBits(payload, 0x3f800000);
  assert.notEqual(r, 0x7fc00000, "the payload propagates by default");
  const det = execInstance({ nanCanonicalization: true });
  assert.deepEqual(fn(det.instance, "f32_add_bits").callBits(payload, 0x3f800000), [0x7fc00000]);
  assert.deepEqual(fn(det.instance, "f32_add_bits").callBits(0x3f800000, 0x3f800000), [
    0x40000000,
  ]);
});

Deno.test("references keep their identity through wasm", () => {
  const { instance, store } = execInstance();
  const obj = { any: "thing" };
  assert.equal(fn(instance, "id_ref").call(obj)[0], obj);
  assert.equal(fn(instance, "id_ref").call(null)[0], null);
  assert.equal(fn(instance, "id_ref").call(undefined)[0], undefined);
  const f = Func.wrap(store, { params: [], results: [] }, () => {});
  assert.equal(fn(instance, "id_func").call(f)[0], f);
  assert.equal(fn(instance, "id_func").call(null)[0], null);
});

Deno.test("Store.gc() releases externrefs wasm cannot reach and keeps the rest", () => {
  const { instance, store } = execInstance();
  const idRef = fn(instance, "id_ref");
  const kept = { kept: true };
  const table = new Table(store, {
    element: ValType.externref,
    limits: { min: 1, max: undefined },
  });
  table.set(0, kept);
  const global = new Global(store, { type: ValType.externref, mutable: true }, "in a global");
  for (let i = 0; i < 5000; i++) assert.equal(idRef.call({ i })[0].i, i);
  const before = store._externs.length;
  assert.ok(before < 2100, `automatic collection bounded the handle table (${before})`);
  assert.ok(store.gc() > 0);
  const heldObjects = store._externs.filter((v) => typeof v === "object" && v !== null && "i" in v);
  assert.equal(heldObjects.length, 0, "no value passed through and dropped is still held");
  assert.equal(table.get(0), kept);
  assert.equal(global.get(), "in a global");
  // Released handles are reused, and values keep their identity.
  const obj = { again: 1 };
  assert.equal(idRef.call(obj)[0], obj);
  assert.equal(store._externs.length, before, "a freed handle was reused");
  assert.equal(table.get(0), kept);
});

Deno.test("cross-instance imports call straight into the other instance and share state", () => {
  const { instance, store, linker, engine } = execInstance();
  linker.instance(store, "exec", instance);
  const b = linker.instantiate(store, loadModule("cross_b", engine));
  assert.deepEqual(fn(b, "div_twice").call(100, 5), [4]);
  fn(b, "poke").call(64, 99);
  assert.deepEqual(fn(instance, "load").call(64), [99]);
  fn(b, "bump").call();
  assert.equal(instance.getGlobal("counter")!.get(), 100);
  let trap: Trap | undefined;
  try {
    fn(b, "div_twice").call(1, 0);
  } catch (e) {
    trap = e as Trap;
  }
  assert.ok(trap instanceof Trap);
  assert.deepEqual(trap.backtrace.map((f) => `${f.moduleName}!${f.funcName}`), [
    "exec!div",
    "cross_b!div_twice",
  ]);
});

function asyncInstance(fetch: (x: number) => Promise<number>) {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const linker = new Linker(engine);
  linker.funcWrap("env", "fetch", { params: ["i32"], results: ["i32"] }, fetch);
  linker.funcWrap("env", "tick", { params: [], results: [] }, () => {});
  const instance = linker.instantiate(store, loadModule("async", engine));
  return { store, instance };
}

const later = <T>(v: T): Promise<T> => new Promise((r) => setTimeout(() => r(v), 2));

Deno.test("an async import's value reaches wasm after an await", async () => {
  const { instance } = asyncInstance((x) => later(x + 100));
  assert.deepEqual(await fn(instance, "run").callAsync(3), [309]);
});

Deno.test("while an async call is suspended, other calls into the store are refused", async () => {
  const { instance, store } = asyncInstance((x) => later(x));
  const p = fn(instance, "run").callAsync(1);
  assert.throws(() => fn(instance, "spin").call(), /busy in an async call/);
  await assert.rejects(fn(instance, "run").callAsync(1), /busy in an async call/);
  assert.throws(() => Func.wrap(store, { params: [], results: [] }, () => {}).call(), /busy/);
  assert.deepEqual(await p, [3]);
  assert.deepEqual(await fn(instance, "run").callAsync(2), [6], "usable again after");
});

Deno.test("callAsync is refused inside a call into the same store; call() works there", async () => {
  let nested: Promise<unknown> | undefined;
  let syncResult: unknown;
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const linker = new Linker(engine);
  let run: Func | undefined = undefined;
  linker.funcWrap("env", "fetch", { params: ["i32"], results: ["i32"] }, (x) => {
    if (x === 1) {
      nested = run!.callAsync(2).catch((e) => e); // settled later, checked below
      syncResult = run!.call(0)[0]; // re-entering synchronously is fine
    }
    return x;
  });
  linker.funcWrap("env", "tick", { params: [], results: [] }, () => {});
  const instance = linker.instantiate(store, loadModule("async", engine));
  run = fn(instance, "run");
  assert.deepEqual(run.call(1), [3]);
  const refused = await nested!;
  assert.ok(refused instanceof Error && /inside another call/.test(refused.message));
  assert.equal(syncResult, 0);
  assert.deepEqual(await run.callAsync(5), [15]);
});

Deno.test("a trap after an async resume is reported and the store works after", async () => {
  const { instance } = asyncInstance((x) => later(x));
  await assert.rejects(
    fn(instance, "then_trap").callAsync(1),
    (e) => e instanceof Trap && e.code === TrapCode.Unreachable,
  );
  assert.deepEqual(await fn(instance, "run").callAsync(1), [3]);
});

Deno.test("a rejected host Promise reaches the async caller unchanged", async () => {
  const err = new Error("fetch failed");
  const { instance } = asyncInstance(() => Promise.reject(err));
  await assert.rejects(fn(instance, "run").callAsync(1), (e) => e === err);
  const ok = asyncInstance((x) => later(x));
  assert.deepEqual(await fn(ok.instance, "run").callAsync(1), [3]);
});

Deno.test("a host exception thrown after a resume reaches the async caller unchanged", async () => {
  const err = new TypeError("second fetch fails");
  let calls = 0;
  let failSecond = true;
  const { instance } = asyncInstance((x) => {
    calls++;
    if (calls === 2 && failSecond) throw err; // after the first call's resume, synchronously
    return later(x); // suspends, then resumes
  });
  await assert.rejects(fn(instance, "run").callAsync(1), (e) => e === err);
  assert.equal(calls, 2);
  failSecond = false;
  assert.deepEqual(await fn(instance, "run").callAsync(2), [6], "the store works after");
});

Deno.test("a host Promise in a synchronous call is refused clearly", () => {
  const { instance } = asyncInstance((x) => later(x));
  assert.throws(() => fn(instance, "run").call(1), /callAsync/);
  assert.throws(() => fn(instance, "run").call(1), /callAsync/, "and again: the VM was unwound");
});

Deno.test("instantiateAsync awaits an async start function", async () => {
  const engine = new Engine();
  const linker = new Linker(engine);
  linker.funcWrap("env", "init", { params: [], results: ["i32"] }, () => later(42));
  const module = loadModule("start", engine);
  const inst = await linker.instantiateAsync(new Store(engine, undefined), module);
  assert.equal(inst.getGlobal("v")!.get(), 42);
  assert.throws(() => linker.instantiate(new Store(engine, undefined), module), /callAsync/);
});

Deno.test("v128 values cross as 16-byte Uint8Arrays, through host calls and globals", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const linker = new Linker(engine);
  const i32x4 = (...lanes: number[]) => new Uint8Array(Int32Array.from(lanes).buffer);
  linker.funcWrap("env", "mix", { params: ["v128", "i32"], results: ["v128"] }, (v, n) => {
    const lanes = new Int32Array(new Uint8Array(v).buffer);
    return i32x4(lanes[0] * n, lanes[1], lanes[2], lanes[3]);
  });
  const inst = linker.instantiate(store, loadModule("simd", engine));
  assert.deepEqual(fn(inst, "add").call(i32x4(1, 2, 3, 4), i32x4(10, 20, 30, -4)), [
    i32x4(11, 22, 33, 0),
  ]);
  assert.deepEqual(fn(inst, "via_host").call(i32x4(2, 0, 0, 0)), [i32x4(15, 2, 3, 4)]);
  const g = inst.getGlobal("g")!;
  assert.deepEqual(g.get(), i32x4(1, 2, 3, 4));
  g.set(i32x4(0, 0, 0, 100));
  assert.deepEqual(fn(inst, "via_host").call(i32x4(1, 1, 1, 1)), [i32x4(7, 1, 1, 101)]);
  assert.throws(() => fn(inst, "add").call(new Uint8Array(8), i32x4(0, 0, 0, 0)), /expected v128/);
});

/** The memory of the instance behind `get`. */
function memoryOf(get: (name: string) => Func): Memory {
  const mem = get("i1")._instance!.getMemory("mem");
  assert.ok(mem);
  return mem;
}

/** A module calling host imports of several shapes, for the in-`run` host calls. */
function hostShapes(
  engine: Engine,
  store: Store<undefined>,
  define: (linker: Linker<undefined>) => void,
): (name: string) => Func {
  const linker = new Linker<undefined>(engine);
  define(linker);
  const module = new Module(
    engine,
    parseWat(`(module
      (import "h" "i1" (func $i1 (param i32) (result i32)))
      (import "h" "i3" (func $i3 (param i32 i32 i32) (result i32)))
      (import "h" "v" (func $v (param i32)))
      (import "h" "grow" (func $grow (result i32)))
      (import "h" "again" (func $again (param i32) (result i32)))
      (memory (export "mem") 1)
      (func (export "i1") (param i32) (result i32) (call $i1 (local.get 0)))
      (func (export "i3") (param i32 i32 i32) (result i32)
        (call $i3 (local.get 0) (local.get 1) (local.get 2)))
      (func (export "v") (param i32) (result i32) (call $v (local.get 0)) (i32.const 5))
      (func (export "grow_then_load") (result i32)
        (drop (call $grow)) (i32.load (i32.const 65540)))
      (func (export "again") (param i32) (result i32)
        (i32.add (call $again (local.get 0)) (i32.const 1)))
      (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))`),
  );
  const instance = linker.instantiate(store, module);
  return (name) => fn(instance, name);
}

Deno.test("host results of i32 imports are checked: wrong types throw, unsigned wraps", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  let out: unknown = 0;
  const seen: number[][] = [];
  const get = hostShapes(engine, store, (l) => {
    l.funcWrap("h", "i1", { params: ["i32"], results: ["i32"] }, () => out);
    l.funcWrap("h", "i3", { params: ["i32", "i32", "i32"], results: ["i32"] }, (a, b, c) => {
      seen.push([a as number, b as number, c as number]);
      return (a as number) - (b as number) - (c as number);
    });
    l.funcWrap("h", "v", { params: ["i32"], results: [] }, () => 99);
    l.funcWrap("h", "grow", { params: [], results: ["i32"] }, () => 0);
    l.funcWrap("h", "again", { params: ["i32"], results: ["i32"] }, (x) => x);
  });
  for (const [ret, want] of [[7, 7], [0xffffffff, -1], [-0x80000000, -0x80000000]]) {
    out = ret;
    assert.deepEqual(get("i1").call(0), [want]);
  }
  for (const bad of [1.5, 2 ** 32, "3", 3n, undefined, null, NaN]) {
    out = bad;
    assert.throws(() => get("i1").call(0), /host function result: expected i32/, String(bad));
  }
  out = 1;
  assert.deepEqual(get("i1").call(0), [1], "the store works after");
  assert.deepEqual(get("i3").call(10, -3, 0x7fffffff), [10 + 3 - 0x7fffffff]);
  assert.deepEqual(seen, [[10, -3, 0x7fffffff]]);
  assert.deepEqual(get("v").call(1), [5], "a result-less host function's return value is ignored");
});

Deno.test("host functions with a Caller get their arguments and the calling instance", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const calls: string[] = [];
  const get = hostShapes(engine, store, (l) => {
    l.func("h", "i1", { params: ["i32"], results: ["i32"] }, (caller, x) => {
      calls.push(`i1 ${x} ${caller.getExport("mem") !== undefined}`);
      return (x as number) * 3;
    });
    l.func("h", "i3", { params: ["i32", "i32", "i32"], results: ["i32"] }, (_c, a, b, c) => {
      calls.push(`i3 ${a} ${b} ${c}`);
      return 0;
    });
    l.func("h", "v", { params: ["i32"], results: [] }, (_c, x) => void calls.push(`v ${x}`));
    l.func("h", "grow", { params: [], results: ["i32"] }, () => 0);
    l.func("h", "again", { params: ["i32"], results: ["i32"] }, (_c, x) => x);
  });
  assert.deepEqual(get("i1").call(-4), [-12]);
  assert.deepEqual(get("i3").call(1, 2, 3), [0]);
  assert.deepEqual(get("v").call(8), [5]);
  assert.deepEqual(calls, ["i1 -4 true", "i3 1 2 3", "v 8"]);
});

Deno.test("wasm sees memory a host function grew and wrote during its call", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  let mem: Memory | undefined = undefined;
  const get = hostShapes(engine, store, (l) => {
    l.funcWrap("h", "i1", { params: ["i32"], results: ["i32"] }, (x) => x);
    l.funcWrap("h", "i3", { params: ["i32", "i32", "i32"], results: ["i32"] }, () => 0);
    l.funcWrap("h", "v", { params: ["i32"], results: [] }, () => {});
    l.funcWrap("h", "grow", { params: [], results: ["i32"] }, () => {
      const old = mem!.grow(1);
      new DataView(mem!.buffer).setInt32(PAGE_SIZE + 4, 0x5eed, true);
      return old;
    });
    l.funcWrap("h", "again", { params: ["i32"], results: ["i32"] }, (x) => x);
  });
  mem = memoryOf(get);
  assert.deepEqual(get("grow_then_load").call(), [0x5eed]);
});

Deno.test("wasm→host→wasm→host nesting through i32 host calls keeps every level's state", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  let get: ((name: string) => Func) | undefined = undefined;
  const err = new RangeError("deep");
  get = hostShapes(engine, store, (l) => {
    l.funcWrap("h", "i1", { params: ["i32"], results: ["i32"] }, (x) => x);
    l.funcWrap("h", "i3", { params: ["i32", "i32", "i32"], results: ["i32"] }, () => 0);
    l.funcWrap("h", "v", { params: ["i32"], results: [] }, () => {});
    l.funcWrap("h", "grow", { params: [], results: ["i32"] }, () => 0);
    l.funcWrap("h", "again", { params: ["i32"], results: ["i32"] }, (x) => {
      const n = x as number;
      if (n === 100) throw err;
      // each level adds 1 on the way back out
      return n <= 0 ? get!("inc").call(n)[0] : get!("again").call(n - 1)[0];
    });
  });
  assert.deepEqual(get("again").call(3), [1 + 4]);
  assert.deepEqual(get("again").call(80), [1 + 81], "deeper than the in-run limit too");
  assert.throws(() => get!("again").call(100), (e) => e === err);
  assert.deepEqual(get("again").call(0), [2], "the store works after");
});

Deno.test("in an async call, a host Promise met inside a nested synchronous call is refused", async () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  let get: ((name: string) => Func) | undefined = undefined;
  let inner: unknown;
  get = hostShapes(engine, store, (l) => {
    l.funcWrap("h", "i1", { params: ["i32"], results: ["i32"] }, (x) => later(x));
    l.funcWrap("h", "i3", { params: ["i32", "i32", "i32"], results: ["i32"] }, () => 0);
    l.funcWrap("h", "v", { params: ["i32"], results: [] }, () => {});
    l.funcWrap("h", "grow", { params: [], results: ["i32"] }, () => 0);
    l.funcWrap("h", "again", { params: ["i32"], results: ["i32"] }, (x) => {
      try {
        get!("i1").call(1); // synchronous: its host Promise cannot be awaited
      } catch (e) {
        inner = e;
      }
      return later(x as number);
    });
  });
  assert.deepEqual(await get("again").callAsync(4), [5]);
  assert.ok(inner instanceof Error && /callAsync/.test(inner.message));
  assert.deepEqual(await get("i1").callAsync(6), [6]);
});

Deno.test("f64 host imports get and return f64 values; a non-number result is a TypeError", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const linker = new Linker<undefined>(engine);
  let out: unknown = 0;
  const seen: number[][] = [];
  linker.funcWrap("h", "f", { params: ["f64", "f64"], results: ["f64"] }, (a, b) => {
    seen.push([a as number, b as number]);
    return out;
  });
  linker.funcWrap("h", "g", { params: ["f64"], results: [] }, (a) => {
    seen.push([a as number]);
    return "ignored";
  });
  const module = new Module(
    engine,
    parseWat(`(module
      (import "h" "f" (func $f (param f64 f64) (result f64)))
      (import "h" "g" (func $g (param f64)))
      (func (export "f") (param f64 f64) (result f64) (call $f (local.get 0) (local.get 1)))
      (func (export "g") (param f64) (result i32) (call $g (local.get 0)) (i32.const 1)))`),
  );
  const instance = linker.instantiate(store, module);
  for (const v of [1.25, -0, Infinity, 2 ** 60 + 0.5]) {
    out = v;
    assert.deepEqual(fn(instance, "f").call(0.1, -3), [v]);
  }
  assert.deepEqual(seen[0], [0.1, -3]);
  assert.ok(Object.is(fn(instance, "f").call(0, 0)[0], 2 ** 60 + 0.5));
  out = NaN;
  assert.ok(Number.isNaN(fn(instance, "f").call(0, 0)[0]));
  for (const bad of ["1", 1n, undefined, null]) {
    out = bad;
    assert.throws(() => fn(instance, "f").call(0, 0), /host function result: expected f64/);
  }
  assert.deepEqual(fn(instance, "g").call(7.5), [1], "a result-less host's return is ignored");
  assert.deepEqual(seen.at(-1), [7.5]);
});

Deno.test("a host function called from metered wasm reads and sets the fuel the loop is using", () => {
  const engine = new Engine({ consumeFuel: true });
  const store = new Store(engine, { seen: [] as number[] });
  const linker = new Linker<{ seen: number[] }>(engine);
  linker.func("env", "tick", { params: ["i32"], results: [] }, (caller, i) => {
    caller.data.seen.push(caller.store.getFuel());
    if (i === 5) caller.store.setFuel(0);
  });
  const wat = `(module (import "env" "tick" (func $tick (param i32)))
    (func (export "loop") (param $n i32) (local $i i32)
      (loop $top
        (call $tick (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $top (i32.lt_u (local.get $i) (local.get $n))))))`;
  const instance = linker.instantiate(store, new Module(engine, parseWat(wat)));
  store.setFuel(1_000_000);
  assert.throws(
    () => fn(instance, "loop").call(100),
    (e) => e instanceof Trap && e.code === TrapCode.OutOfFuel,
  );
  const seen = store.data.seen;
  assert.equal(seen.length, 6, "the fuel set to 0 in the 6th call stops the loop right after it");
  for (let i = 1; i < seen.length; i++) {
    assert.ok(seen[i] < seen[i - 1], `the host sees the fuel going down: ${seen}`);
  }
  assert.ok(seen[0] < 1_000_000 && seen[0] > 1_000_000 - 20);
  assert.equal(store.getFuel(), 0);
});
