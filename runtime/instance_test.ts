/**
 * Tests of Module and instantiation: import/export types, import matching
 * and its LinkErrors, segments and their traps, limits, and the Linker.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  CompileError,
  Engine,
  Func,
  Global,
  Instance,
  Linker,
  LinkError,
  Memory,
  Module,
  Store,
  StoreLimits,
  Table,
  Trap,
  TrapCode,
  ValType,
} from "./mod.ts";
import { parseWat } from "@capstan/environ";
import { fixture, loadModule } from "./_test_util.ts";

Deno.test("Module reports imports and exports with their types", () => {
  const m = loadModule("imports");
  assert.deepEqual(m.imports().map((i) => [i.module, i.name, i.type.kind]), [
    ["env", "f", "func"],
    ["env", "tab", "table"],
    ["env", "mem", "memory"],
    ["env", "g", "global"],
  ]);
  assert.deepEqual(m.imports()[0].type, {
    kind: "func",
    type: { params: [ValType.i32], results: [ValType.i32] },
  });
  assert.deepEqual(m.imports()[2].type, { kind: "memory", type: { limits: { min: 1, max: 2 } } });
  assert.deepEqual(m.exports().map((e) => [e.name, e.type.kind]), [["tab", "table"], [
    "mem",
    "memory",
  ]]);
});

Deno.test("Module rejects malformed bytes with a CompileError, and validate() agrees", () => {
  const engine = new Engine();
  const bad = new Uint8Array([0, 97, 115, 109, 1, 0, 0]);
  assert.throws(() => new Module(engine, bad), CompileError);
  assert.throws(() => Module.validate(engine, bad), CompileError);
  Module.validate(engine, fixture("segments"));
});

Deno.test("Module keeps its own copy of the bytes", () => {
  const bytes = fixture("segments");
  const m = new Module(new Engine(), bytes);
  bytes.fill(0);
  assert.equal(m.exports().length, 5);
});

function importsFor(store: Store<unknown>) {
  return {
    f: Func.wrap(store, { params: ["i32"], results: ["i32"] }, (x) => x),
    tab: new Table(store, { element: ValType.funcref, limits: { min: 1, max: 10 } }),
    mem: new Memory(store, { limits: { min: 1, max: 2 } }),
    g: new Global(store, { type: ValType.i64, mutable: true }, 0n),
  };
}

Deno.test("instantiation shares imported memories and tables with the importer", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const i = importsFor(store);
  const inst = new Instance(store, loadModule("imports", engine), [i.f, i.tab, i.mem, i.g]);
  assert.equal(inst.getMemory("mem"), i.mem);
  assert.equal(inst.getTable("tab"), i.tab);
  assert.equal(inst.getFunc("mem"), undefined);
  assert.deepEqual(inst.exports().map((e) => e.name), ["tab", "mem"]);
});

Deno.test("import matching accepts subtypes of limits and rejects the rest with a LinkError", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const m = loadModule("imports", engine);
  const i = importsFor(store);
  // A larger memory with a smaller maximum matches (min 2 ≥ 1, max 2 ≤ 2).
  const mem2 = new Memory(store, { limits: { min: 2, max: 2 } });
  new Instance(store, m, [i.f, i.tab, mem2, i.g]);
  const cases: [unknown[], RegExp][] = [
    [[i.f, i.tab, new Memory(store, { limits: { min: 1, max: undefined } }), i.g], /env::mem/],
    [[i.f, i.tab, new Memory(store, { limits: { min: 1, max: 3 } }), i.g], /memory/],
    [
      [Func.wrap(store, { params: ["i64"], results: ["i32"] }, () => 0), i.tab, i.mem, i.g],
      /env::f.*expected func \(i32\) -> \(i32\), found func \(i64\) -> \(i32\)/,
    ],
    [[i.f, i.tab, i.mem, new Global(store, { type: ValType.i64, mutable: false }, 0n)], /global/],
    [[
      i.f,
      new Table(store, { element: ValType.externref, limits: { min: 1, max: 10 } }),
      i.mem,
      i.g,
    ], /table/],
    [[i.f, i.mem, i.tab, i.g], /incompatible import type for `env::tab`/],
    [[i.f, i.tab, i.mem], /expected 4 imports, found 3/],
  ];
  for (const [imports, re] of cases) {
    assert.throws(
      () => new Instance(store, m, imports as never),
      (e: Error) => e instanceof LinkError && re.test(e.message),
    );
  }
});

Deno.test("imports from another store are refused with a TypeError naming both stores", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const other = new Store(engine, undefined);
  const i = importsFor(store);
  const foreign = new Memory(other, { limits: { min: 1, max: 2 } });
  assert.throws(
    () => new Instance(store, loadModule("imports", engine), [i.f, i.tab, foreign, i.g]),
    (e: Error) => e instanceof TypeError && e.message.includes(`store #${other.id}`),
  );
});

Deno.test("extended constant expressions initialise globals, offsets and element items", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const base = new Global(store, { type: ValType.i32, mutable: false }, 10);
  const wat = `(module
    (import "env" "base" (global $base i32))
    (global $two i32 (i32.add (global.get $base) (i32.const -8)))
    (global $scaled i32 (i32.mul (global.get $two) (i32.sub (i32.const 10) (global.get $base))))
    (global $wide (export "wide") i64
      (i64.mul (i64.add (i64.const 0x7fffffffffffffff) (i64.const 1)) (i64.const 3)))
    (global $k (export "k") i32 (i32.sub (i32.mul (global.get $base) (global.get $two)) (i32.const 1)))
    (global $f funcref (ref.func $f))
    (memory (export "mem") 1)
    (table (export "tab") 8 funcref)
    (func $f (export "f"))
    (data (i32.add (global.get $base) (i32.mul (global.get $two) (i32.const 3))) "hi")
    (elem (i32.sub (global.get $k) (i32.const 16)) funcref (ref.func $f) (global.get $f)))`;
  const inst = new Instance(store, new Module(engine, parseWat(wat)), [base]);
  assert.equal(inst.getGlobal("k")!.get(), 19);
  assert.equal(inst.getGlobal("wide")!.get(), -(1n << 63n));
  assert.equal(new TextDecoder().decode(inst.getMemory("mem")!.data().subarray(16, 18)), "hi");
  const tab = inst.getTable("tab")!;
  assert.equal(tab.get(2), null);
  assert.equal(tab.get(3), inst.getFunc("f"));
  assert.equal(tab.get(4), inst.getFunc("f"));
  assert.equal(
    inst.evalConst([{ op: "i32.const", value: 6 }, { op: "i32.const", value: 7 }, {
      op: "i32.mul",
    }]),
    42,
  );
});

Deno.test("instantiation writes active segments, evaluates globals, and keeps passive ones", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const base = new Global(store, { type: ValType.i32, mutable: false }, 77);
  const inst = new Instance(store, loadModule("segments", engine), [base]);
  const mem = inst.getMemory("mem")!;
  assert.equal(new TextDecoder().decode(mem.data().subarray(16, 21)), "hello");
  const tab = inst.getTable("tab")!;
  const f = inst.getFunc("f")!;
  assert.equal(tab.get(0), null);
  assert.equal(tab.get(1), f);
  assert.equal(tab.get(2), f);
  assert.equal(inst.getGlobal("g")!.get(), 77);
  assert.equal(inst.getGlobal("gf")!.get(), f);
  assert.equal(inst._elems[0].length, 0, "active element segments are dropped");
  assert.equal(inst._elems[1].length, 1, "passive element segments stay");
  assert.equal(inst._datas[0].length, 0, "active data segments are dropped");
  assert.equal(new TextDecoder().decode(inst._datas[1]), "passive");
});

Deno.test("an out-of-bounds data segment traps, keeping earlier segments' writes", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const mem = new Memory(store, { limits: { min: 1, max: undefined } });
  assert.throws(
    () => new Instance(store, loadModule("oob_segments", engine), [mem]),
    (e: Error) =>
      e instanceof Trap && e.code === TrapCode.MemoryOutOfBounds &&
      e.message === "out of bounds memory access",
  );
  assert.equal(new TextDecoder().decode(mem.data().subarray(0, 2)), "ok");
  assert.equal(mem.data()[65535], 0, "the failing segment wrote nothing");
});

Deno.test("an out-of-bounds element segment traps, keeping earlier segments' writes", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const tab = new Table(store, { element: ValType.funcref, limits: { min: 2, max: undefined } });
  assert.throws(
    () => new Instance(store, loadModule("oob_elem", engine), [tab]),
    (e: Error) => e instanceof Trap && e.message === "out of bounds table access",
  );
  assert.ok(tab.get(0) instanceof Func);
  assert.equal(tab.get(1), null);
});

Deno.test("the store's instance limit makes instantiation fail clearly", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  store.limiter(new StoreLimits({ instances: 1 }));
  const m = loadModule("segments", engine);
  const base = new Global(store, { type: ValType.i32, mutable: false }, 1);
  new Instance(store, m, [base]);
  assert.throws(() => new Instance(store, m, [base]), /instance count too high at 2/);
});

Deno.test("a memory limit refuses a module whose memory minimum is too large", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  store.limiter(new StoreLimits({ memorySize: 0 }));
  const base = new Global(store, { type: ValType.i32, mutable: false }, 1);
  assert.throws(
    () => new Instance(store, loadModule("segments", engine), [base]),
    /exceeds memory limits/,
  );
});

Deno.test("Linker resolves imports by name, links instances, and names unknown imports", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const linker = new Linker(engine);
  const i = importsFor(store as Store<unknown>);
  linker.funcWrap("env", "f", { params: ["i32"], results: ["i32"] }, (x) => x + 1);
  linker.define("env", "tab", i.tab);
  const m = loadModule("imports", engine);
  assert.throws(
    () => linker.instantiate(store, m),
    (e: Error) =>
      e instanceof LinkError && e.message === "unknown import: `env::mem` has not been defined",
  );
  linker.define("env", "mem", i.mem).define("env", "g", i.g);
  const inst = linker.instantiate(store, m);
  // Re-export the first instance's memory and table to a second one, by instance name.
  const linker2 = new Linker(engine);
  linker2.instance("env", inst); // also accepted: linker2.instance(store, "env", inst)
  assert.throws(
    () => new Linker(engine).instance(new Store(engine, undefined), "env", inst),
    TypeError,
  );
  linker2.define("env", "f", linker.get(store, "env", "f")!).define("env", "g", i.g);
  const inst2 = linker2.instantiate(store, m);
  assert.equal(inst2.getMemory("mem"), i.mem);
});

Deno.test("a module compiled for another engine is refused", () => {
  const store = new Store(new Engine(), undefined);
  const m = loadModule("segments", new Engine());
  assert.throws(() => new Instance(store, m, []), /different Engine/);
});

Deno.test("Linker.defineUnknownImportsAsTraps() lets a module link; calling such an import traps", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const linker = new Linker(engine);
  const m = loadModule("exec", engine);
  linker.funcWrap("env", "double", { params: ["i32"], results: ["i32"] }, (x) => 2 * x);
  linker.defineUnknownImportsAsTraps(m);
  const inst = linker.instantiate(store, m);
  assert.deepEqual(inst.getFunc("via_host")!.call(2), [5], "the defined import is kept");
  assert.throws(
    () => inst.getFunc("call_fail")!.call(1),
    (e: Error) =>
      e instanceof Trap && /unknown import: `env::fail` has not been defined/.test(e.message),
  );
});

Deno.test("a valid module asking for more than the runtime allocates fails with a clear Error", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  assert.throws(
    () => new Instance(store, loadModule("big_table", engine), []),
    (e: Error) =>
      e.constructor === Error && /table minimum size of 100000000 elements exceeds/.test(e.message),
  );
});
