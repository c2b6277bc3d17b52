/**
 * Tests of the JS tier (`Engine({ strategy: "js" })` and `"auto"`) on tail
 * calls, typed function references and multiple memories: each function
 * runs on the JS tier (`Module.tierOf`) and does what the interpreter does,
 * traps included.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, type EngineConfig, Func, Instance, Module, Store } from "./mod.ts";
import { trapOf } from "./_trap_test_util.ts";

function instantiate(
  config: EngineConfig,
  wat: string,
  imports: (s: Store<unknown>) => Func[] = () => [],
) {
  const engine = new Engine(config);
  const module = new Module(engine, parseWat(wat));
  const store = new Store(engine, undefined);
  return { module, store, instance: new Instance(store, module, imports(store)) };
}

/** Asserts that every defined function of a module runs on the JS tier. */
function assertAllJs(module: Module): void {
  for (let i = 0; i < module.translation.bodies.length; i++) {
    const k = i + module.translation.numImportedFunctions;
    assert.equal(module.tierOf(k), "js", `function ${k} runs on the JS tier`);
  }
}

const TAIL = `(module
  (import "host" "twice" (func $twice (param i64) (result i64)))
  (type $i64 (func (param i64) (result i64)))
  (table funcref (elem $even $odd $twice))
  (table $typed (ref null $i64) (elem $even $odd $twice))
  (func $even (export "even") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0)) (then (i64.const 0))
      (else (return_call_indirect (type $i64) (i64.sub (local.get 0) (i64.const 1))
        (i32.const 0)))))
  (func $f64 (export "f64") (param f64 i32) (result f64 i32)
    (if (result f64 i32) (i32.eqz (local.get 1)) (then (local.get 0) (local.get 1))
      (else (return_call $f64 (local.get 0) (i32.sub (local.get 1) (i32.const 1))))))
  (func (export "plain") (param i64) (result i64) (i64.add (call $even (local.get 0)) (i64.const 10)))
  (func (export "host") (param i64) (result i64) (return_call $twice (local.get 0)))
  (func (export "host_indirect") (param i64) (result i64)
    (return_call_indirect (type $i64) (local.get 0) (i32.const 2)))
  (func (export "by_ref") (param i64) (result i64) (return_call_ref $i64 (local.get 0) (ref.func $even)))
  (func (export "null_ref") (param i64) (result i64)
    (return_call_ref $i64 (local.get 0) (ref.null $i64)))
  (func (export "bad_index") (param i64) (result i64)
    (return_call_indirect (type $i64) (local.get 0) (i32.const 7)))
  (func (export "call_ref") (param i64 i32) (result i64)
    (call_ref $i64 (local.get 0) (table.get $typed (local.get 1))))
  (func (export "call_ref_null") (result i64) (call_ref $i64 (i64.const 1) (ref.null $i64)))
  (elem declare func $even)
)`;

function tailImports(s: Store<unknown>): Func[] {
  return [Func.wrap(s, { params: ["i64"], results: ["i64"] }, (x) => (x as bigint) * 2n)];
}

for (const strategy of ["js", "auto"] as const) {
  const config: EngineConfig = strategy === "js"
    ? { strategy }
    : { strategy, tierUp: { samples: 1, sliceSteps: 0 } };
  Deno.test(`${strategy}: a mutual tail recursion of 10^6 calls runs in bounded JS stack`, () => {
    const { instance, module } = instantiate(config, TAIL, tailImports);
    assert.deepEqual(instance.getFunc("even")!.call(1_000_000n), [1n]);
    assert.deepEqual(instance.getFunc("odd")!.call(1_000_001n), [1n]);
    assert.deepEqual(instance.getFunc("plain")!.call(999_999n), [10n]);
    assert.deepEqual(instance.getFunc("f64")!.call(1.25, 100_000), [1.25, 0]);
    if (strategy === "js") assertAllJs(module);
  });

  Deno.test(`${strategy}: a tail call of a host function or a reference, and call_ref`, () => {
    const { instance } = instantiate(config, TAIL, tailImports);
    assert.deepEqual(instance.getFunc("host")!.call(21n), [42n]);
    assert.deepEqual(instance.getFunc("host_indirect")!.call(4n), [8n]);
    assert.deepEqual(instance.getFunc("by_ref")!.call(10_001n), [0n]);
    assert.deepEqual(instance.getFunc("call_ref")!.call(7n, 1), [1n]);
    assert.deepEqual(instance.getFunc("call_ref")!.call(7n, 2), [14n]);
    assert.equal(
      trapOf(() => instance.getFunc("null_ref")!.call(1n)).message,
      "null function reference",
    );
    assert.equal(
      trapOf(() => instance.getFunc("call_ref_null")!.call()).message,
      "null function reference",
    );
    assert.equal(
      trapOf(() => instance.getFunc("bad_index")!.call(1n)).message,
      "undefined element",
    );
  });
}

Deno.test("a trap after tail calls has the interpreter's backtrace (the callers replaced)", () => {
  const wat = `(module
    (func $a (export "a") (param i32) (result i32) (return_call $b (local.get 0)))
    (func $b (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
    (func (export "outer") (param i32) (result i32) (i32.add (call $a (local.get 0)) (i32.const 1))))`;
  const trace = (config: EngineConfig) => {
    const t = trapOf(() => instantiate(config, wat).instance.getFunc("outer")!.call(0));
    return [t.message, t.backtrace.map((f) => [f.funcIndex, f.moduleOffset])];
  };
  assert.deepEqual(trace({ strategy: "js" }), trace({}));
});

const MEMORIES = `(module
  (memory $a 1)
  (memory $b 2 3)
  (data (memory $b) (i32.const 70000) "\\01\\02\\03\\04")
  (func (export "load_b") (param i32) (result i32) (i32.load $b (local.get 0)))
  (func (export "load8_b") (param i32) (result i64) (i64.load8_s $b offset=3 (local.get 0)))
  (func (export "store_b") (param i32 f64) (f64.store $b (local.get 0) (local.get 1)))
  (func (export "load_f64_b") (param i32) (result f64) (f64.load $b (local.get 0)))
  (func (export "size") (result i32 i32) (memory.size $a) (memory.size $b))
  (func (export "grow_b") (param i32) (result i32) (memory.grow $b (local.get 0)))
  (func (export "copy") (param i32 i32 i32) (memory.copy $a $b (local.get 0) (local.get 1)
    (local.get 2)))
  (func (export "load_a") (param i32) (result i32) (i32.load $a (local.get 0)))
)`;

Deno.test("multiple memories: accesses, sizes, growth and copies between memories on the JS tier", () => {
  const { instance: js, module } = instantiate({ strategy: "js" }, MEMORIES);
  const { instance: vm } = instantiate({}, MEMORIES);
  assertAllJs(module);
  for (const i of [js, vm]) {
    const f = (name: string, ...args: unknown[]) => i.getFunc(name)!.call(...args);
    assert.deepEqual(f("load_b", 70000), [0x04030201]);
    assert.deepEqual(f("load8_b", 70000), [4n]);
    assert.deepEqual(f("size"), [1, 2]);
    assert.equal(trapOf(() => f("load_b", 131069)).message, "out of bounds memory access");
    assert.deepEqual(f("grow_b", 1), [2]);
    assert.deepEqual(f("load_b", 131069), [0]);
    f("store_b", 196600, -2.5);
    assert.deepEqual(f("load_f64_b", 196600), [-2.5]);
    assert.equal(trapOf(() => f("store_b", 196601, 1)).message, "out of bounds memory access");
    assert.deepEqual(f("grow_b", 1), [-1]);
    f("copy", 16, 70000, 4);
    assert.deepEqual(f("load_a", 16), [0x04030201]);
    assert.deepEqual(f("size"), [1, 3]);
  }
});
