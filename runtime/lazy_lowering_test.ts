/**
 * Tests of lazy lowering as the runtime uses it (a `Module` without a
 * compilation cache lowers each function on its first call): only what runs
 * is lowered; results, traps, backtraces and fuel are those of eager
 * compilation; calls reach unlowered functions directly, by tail call,
 * through tables and from other instances and stores.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { compileModule } from "@capstan/codegen";
import { Engine, Instance, Linker, Module, Store, Trap } from "./mod.ts";

const WAT = `(module
  (type $bin (func (param i32 i32) (result i32)))
  (table 3 funcref)
  (elem (i32.const 0) $add $never $div)
  (func $add (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $never (type $bin) (unreachable))
  (func $div (type $bin) (i32.div_s (local.get 0) (local.get 1)))
  (func $sum (param $n i32) (param $acc i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n)) (then (local.get $acc))
      (else (return_call $sum (i32.sub (local.get $n) (i32.const 1))
        (call $add (local.get $acc) (local.get $n))))))
  (func (export "sum") (param i32) (result i32) (call $sum (local.get 0) (i32.const 0)))
  (func (export "indirect") (param i32 i32 i32) (result i32)
    (call_indirect (type $bin) (local.get 1) (local.get 2) (local.get 0)))
  (func $divides (export "divides") (param i32) (result i32) (call $div (i32.const 100) (local.get 0))))`;

function instance(bytes: Uint8Array, engine = new Engine()): Instance {
  return new Instance(new Store(engine, undefined), new Module(engine, bytes), []);
}

Deno.test("only the functions that run are lowered", () => {
  const bytes = parseWat(WAT, { names: true });
  const inst = instance(bytes);
  const cm = inst.module._compiled;
  const lowered = () => [0, 1, 2, 3, 4, 5, 6].filter((i) => cm.isLowered(i));
  assert.deepEqual(lowered(), []);
  assert.equal(inst.getFunc("sum")!.call(100)[0], 5050);
  assert.deepEqual(lowered(), [0, 3, 4]); // $add, $sum (tail-recursive), the export
  assert.equal(inst.getFunc("indirect")!.call(2, 84, 2)[0], 42); // $div through the table
  assert.deepEqual(lowered(), [0, 2, 3, 4, 5]);
  assert.equal(cm.isLowered(1), false, "$never never ran");
});

Deno.test("traps and backtraces in lazily lowered code are those of eager code", () => {
  const bytes = parseWat(WAT, { names: true });
  const inst = instance(bytes);
  const trap = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof Trap, String(e));
      return e.backtrace.map((fr) => `${fr.funcName}@${fr.moduleOffset}`).join(" ");
    }
    assert.fail("no trap");
  };
  const lazy = trap(() => inst.getFunc("divides")!.call(0));
  assert.match(lazy, /^div@\d+ divides@\d+$/);
  // the same offsets as an engine whose module was lowered eagerly (through an image)
  const engine = new Engine();
  const eager = new Instance(
    new Store(engine, undefined),
    Module.deserialize(engine, new Module(engine, bytes).serialize({ all: true })),
    [],
  );
  assert.equal(trap(() => eager.getFunc("divides")!.call(0)), lazy);
  assert.throws(() => inst.getFunc("indirect")!.call(1, 1, 1), /unreachable/);
  assert.throws(() => inst.getFunc("indirect")!.call(3, 1, 1), /undefined element/);
});

Deno.test("lazily lowered kernels consume exactly the fuel of eager code", () => {
  const engine = new Engine({ consumeFuel: true });
  for (const name of ["fib", "sieve", "qsort", "interp"]) {
    const bytes = Deno.readFileSync(new URL(`../bench/corpus/wasm/${name}.wasm`, import.meta.url));
    const lazy = new Module(engine, bytes);
    const eager = Module.deserialize(engine, new Module(engine, bytes).serialize({ all: true }));
    assert.equal(lazy._compiled.isLowered(lazy.translation.numImportedFunctions), false);
    const fuelOf = (m: Module) => {
      const store = new Store(engine, undefined);
      store.setFuel(1e12);
      const r = new Linker(engine).instantiate(store, m).getFunc("run")!.call(3)[0];
      return [r, 1e12 - store.getFuel()];
    };
    assert.deepEqual(fuelOf(lazy), fuelOf(eager), name);
    // and again, now that the lazy module's calls go straight to the code
    assert.deepEqual(fuelOf(lazy), fuelOf(eager), `${name}, second run`);
  }
});

Deno.test("instances in other stores meet the code another instance lowered", () => {
  const engine = new Engine();
  const module = new Module(engine, parseWat(WAT));
  const a = new Instance(new Store(engine, undefined), module, []);
  const b = new Instance(new Store(engine, undefined), module, []);
  const c = new Instance(new Store(engine, undefined), module, []);
  assert.equal(a.getFunc("sum")!.call(10)[0], 55); // lowers $sum, $add: b's array is stale
  assert.equal(b.getFunc("sum")!.call(20)[0], 210);
  assert.equal(c.getFunc("indirect")!.call(0, 40, 2)[0], 42);
  assert.equal(b.getFunc("indirect")!.call(2, 40, 2)[0], 20);
  assert.equal(a.getFunc("divides")!.call(5)[0], 20);
});

Deno.test("a lazily compiled module starts as one stub per function", () => {
  const t = new Module(new Engine(), parseWat(WAT)).translation;
  const cm = compileModule(t, undefined, { lazy: true });
  assert.equal(cm.code.length, 6 * t.bodies.length);
  cm.lowerAll();
  assert.ok(cm.code.length > 6 * t.bodies.length);
  assert.ok(t.bodies.every((b) => cm.isLowered(b.funcIndex)));
});

Deno.test("an instance whose code buffer was outgrown still runs (it meets stubs)", () => {
  const engine = new Engine({ strategy: "interpreter" }); // every function lowered to bytecode
  const bytes = Deno.readFileSync(new URL("../bench/corpus/wasm/interp.wasm", import.meta.url));
  const module = new Module(engine, bytes);
  const run = (inst: Instance) => inst.getFunc("run")!.call(2)[0];
  const a = new Linker(engine).instantiate(new Store(engine, undefined), module);
  const b = new Linker(engine).instantiate(new Store(engine, undefined), module);
  const before = b._vmInstance.code;
  const want = run(a);
  assert.notEqual(a._vmInstance.code, before, "lowering outgrew the first buffer");
  assert.equal(b._vmInstance.code, before);
  assert.equal(run(b), want);
  assert.equal(b._vmInstance.code, a._vmInstance.code);
});

Deno.test("exception handlers of lazily lowered functions catch, in every instance and image", () => {
  const bytes = parseWat(`(module
    (tag $e (param i32))
    (func $thrower (param i32) (throw $e (local.get 0)))
    (func $catcher (export "catch") (param i32) (result i32)
      (block $h (result i32)
        (try_table (catch $e $h) (call $thrower (local.get 0)))
        (i32.const -1)))
    (func (export "legacy") (param i32) (result i32)
      (try (result i32) (do (call $thrower (local.get 0)) (i32.const -1))
        (catch $e (i32.add (i32.const 1000))))))`);
  const engine = new Engine();
  const module = new Module(engine, bytes);
  const a = new Instance(new Store(engine, undefined), module, []);
  const b = new Instance(new Store(engine, undefined), module, []);
  assert.equal(a.getFunc("catch")!.call(7)[0], 7);
  assert.equal(b.getFunc("catch")!.call(8)[0], 8); // b meets code a lowered
  assert.equal(b.getFunc("legacy")!.call(9)[0], 1009);
  assert.equal(a.getFunc("legacy")!.call(1)[0], 1001);
  const loaded = Module.deserialize(engine, module.serialize());
  const c = new Instance(new Store(engine, undefined), loaded, []);
  assert.equal(c.getFunc("legacy")!.call(2)[0], 1002);
  assert.equal(c.getFunc("catch")!.call(3)[0], 3);
  // a partial image with nothing lowered: the legacy try's count comes from the image
  const none = Module.deserialize(engine, new Module(engine, bytes).serialize());
  const d = new Instance(new Store(engine, undefined), none, []);
  assert.equal(d.getFunc("legacy")!.call(4)[0], 1004);
});
