/**
 * Threads in the runtime: shared memories (one `SharedArrayBuffer`, growth
 * seen through every copy), the atomics' traps, and modules and
 * memories rebuilt from their shareable forms.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, Linker, Memory, Module, Store, Trap } from "./mod.ts";
import { WebAssembly as Facade } from "./webassembly.ts";

const engine = new Engine();

function instantiate(
  wat: string,
  memory?: Memory,
  store: Store<unknown> = new Store(engine, undefined),
) {
  const linker = new Linker<unknown>(engine);
  if (memory !== undefined) linker.define("env", "memory", memory);
  return linker.instantiate(store, new Module(engine, parseWat(wat)));
}

const SIZE_AND_LOAD = `(module
  (import "env" "memory" (memory 1 4 shared))
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "xadd") (param i32 i32) (result i32) (i32.atomic.rmw.add (local.get 0) (local.get 1))))`;

Deno.test("a shared memory is one SharedArrayBuffer reserved to its maximum, never detached", () => {
  const m = new Memory(new Store(engine, undefined), { limits: { min: 1, max: 4 }, shared: true });
  const buffer = m.buffer;
  assert.ok(buffer instanceof SharedArrayBuffer);
  assert.equal(buffer.byteLength, 4 * 65536);
  assert.equal(m.data().length, 65536);
  assert.equal(m.grow(2), 1);
  assert.equal(m.buffer, buffer);
  assert.equal(m.data().length, 3 * 65536);
  assert.equal(m.grow(2), -1, "past the maximum");
  assert.deepEqual(m.type, {
    limits: { min: 3, max: 4 },
    address64: false,
    pageSizeLog2: 16,
    shared: true,
  });
  assert.throws(
    () =>
      new Memory(new Store(engine, undefined), {
        limits: { min: 1, max: undefined },
        shared: true,
      }),
    RangeError,
  );
});

Deno.test("growth through one copy of a shared memory is seen by wasm using another", () => {
  const a = new Memory(new Store(engine, undefined), { limits: { min: 1, max: 4 }, shared: true });
  const b = Memory.fromShared(new Store(engine, undefined), structuredClone(a.shareable()));
  const ia = instantiate(SIZE_AND_LOAD, a, a.store);
  const ib = instantiate(SIZE_AND_LOAD, b, b.store);
  assert.deepEqual(ia.getFunc("load")!.call(0), [0]); // warm: a's length is cached at 1 page
  assert.deepEqual(ib.getFunc("grow")!.call(1), [1]);
  new Int32Array(b.buffer)[65536 / 4] = 42;
  // a's VM still has one page cached: the access past it reads the length again
  assert.deepEqual(ia.getFunc("load")!.call(65536), [42]);
  assert.deepEqual(ia.getFunc("xadd")!.call(65536, 1), [42]);
  assert.deepEqual(ia.getFunc("size")!.call(), [2]);
  assert.equal(a.size(), 2);
  assert.throws(
    () => ia.getFunc("load")!.call(2 * 65536),
    (e) => e instanceof Trap && e.message === "out of bounds memory access",
  );
});

Deno.test("atomics trap unaligned; a wait on an unshared memory traps, a notify there wakes none", () => {
  const i = instantiate(`(module (memory 1 1)
    (func (export "load") (param i32) (result i64) (i64.atomic.load offset=4 (local.get 0)))
    (func (export "wait") (result i32) (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const 0)))
    (func (export "notify") (result i32) (memory.atomic.notify (i32.const 0) (i32.const 1))))`);
  assert.deepEqual(i.getFunc("load")!.call(4), [0n]);
  assert.throws(
    () => i.getFunc("load")!.call(0),
    (e) => e instanceof Trap && e.message === "unaligned atomic",
  );
  assert.throws(
    () => i.getFunc("load")!.call(65532),
    (e) => e instanceof Trap && e.message === "out of bounds memory access",
  );
  assert.throws(
    () => i.getFunc("wait")!.call(),
    (e) => e instanceof Trap && e.message === "expected shared memory",
  );
  assert.deepEqual(i.getFunc("notify")!.call(), [0]);
});

Deno.test("a narrow compare-exchange compares the expected operand wrapped to its width", () => {
  const i = instantiate(`(module (memory 1 1 shared)
    (func (export "cas8") (param i32 i32) (result i32)
      (i32.atomic.rmw8.cmpxchg_u (i32.const 0) (local.get 0) (local.get 1)))
    (func (export "get") (result i32) (i32.load (i32.const 0))))`);
  assert.deepEqual(i.getFunc("cas8")!.call(0x100, 0x207), [0]); // 0x100 wraps to 0: stores 0x07
  assert.deepEqual(i.getFunc("get")!.call(), [7]);
  assert.deepEqual(i.getFunc("cas8")!.call(0, 9), [7]);
  assert.deepEqual(i.getFunc("get")!.call(), [7]);
});

Deno.test("memory.atomic.wait32 times out with 2 and finds a different value with 1", () => {
  const i = instantiate(`(module (memory 1 1 shared)
    (func (export "wait") (param i32 i64) (result i32) (memory.atomic.wait32 (i32.const 0) (local.get 0) (local.get 1))))`);
  const t0 = performance.now();
  assert.deepEqual(i.getFunc("wait")!.call(0, 20_000_000n), [2]);
  assert.ok(performance.now() - t0 >= 15);
  assert.deepEqual(i.getFunc("wait")!.call(1, -1n), [1]);
});

Deno.test("a module rebuilt from Module.shareable() runs without recompiling", () => {
  const m = new Module(
    engine,
    parseWat(
      `(module (func (export "f") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3))))`,
    ),
  );
  const again = Module.fromShareable(engine, structuredClone(m.shareable()));
  assert.deepEqual(
    new Linker(engine).instantiate(new Store(engine, undefined), again).getFunc("f")!.call(5),
    [15],
  );
  assert.throws(
    () => Module.fromShareable(new Engine({ consumeFuel: true }), m.shareable()),
    /other tunables/,
  );
});

Deno.test("a GC module rebuilt on another thread registers its types there", async () => {
  // the worker's registry gives other canonical ids: the posted module's must be its own there
  const m = new Module(
    engine,
    parseWat(`(module
      (type $a (sub (struct (field i32))))
      (type $b (sub $a (struct (field i32) (field i64))))
      (global $g (ref $a) (struct.new $b (i32.const 1) (i64.const 2)))
      (func $make (export "make") (param i32) (result (ref null $a))
        (if (result (ref null $a)) (local.get 0)
          (then (struct.new $b (i32.const 1) (i64.const 2)))
          (else (struct.new $a (i32.const 1)))))
      (func (export "test") (param i32) (result i32)
        (if (result i32) (i32.eq (local.get 0) (i32.const 2))
          (then (ref.test (ref $b) (global.get $g)))
          (else (ref.test (ref $b) (call $make (local.get 0)))))))`),
  );
  const worker = new Worker(new URL("./testdata/gc_shareable_worker.ts", import.meta.url), {
    type: "module",
  });
  try {
    const answer = new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
    });
    worker.postMessage(m.shareable());
    assert.deepEqual(await answer, [0, 1, 1, 1, 0]);
  } finally {
    worker.terminate();
  }
});

Deno.test("the facade's shared WebAssembly.Memory has a SharedArrayBuffer buffer, as native", () => {
  for (const WA of [Facade, globalThis.WebAssembly]) {
    const m = new WA.Memory({ initial: 1, maximum: 2, shared: true });
    assert.ok(m.buffer instanceof SharedArrayBuffer);
    const before = m.buffer;
    assert.equal(m.grow(1), 1);
    assert.equal(m.buffer.byteLength, 2 * 65536);
    assert.equal(before.byteLength, WA === Facade ? 2 * 65536 : 65536);
    assert.throws(() => new WA.Memory({ initial: 1, shared: true }), TypeError);
  }
});

Deno.test("on the JS tier, a module with a shared memory runs on the interpreter", () => {
  const js = new Engine({ strategy: "js" });
  const m = new Module(js, parseWat(SIZE_AND_LOAD));
  assert.match(m.tierOf(1), /^interpreter: .*shared memory/);
});

Deno.test("wasm-feature-detect's threads probe holds on the facade: the module validates, memories share", () => {
  // its module: (module (memory 1 1 shared) (func i32.const 0 i32.atomic.load drop))
  const bytes = parseWat(
    `(module (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0)))))`,
  );
  assert.ok(Facade.validate(bytes));
  assert.ok(
    new Facade.Memory({ initial: 1, maximum: 1, shared: true }).buffer instanceof SharedArrayBuffer,
  );
});

Deno.test("instantiation writes data segments within another thread's growth of a shared memory", () => {
  const a = new Memory(new Store(engine, undefined), { limits: { min: 1, max: 4 }, shared: true });
  const b = Memory.fromShared(new Store(engine, undefined), a.shareable());
  assert.equal(a.grow(1), 1);
  instantiate(
    `(module (import "env" "memory" (memory 1 4 shared)) (data (i32.const 65536) "\\2a"))`,
    b,
    b.store,
  );
  assert.equal(a.data()[65536], 42);
});
