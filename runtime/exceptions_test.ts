/**
 * Tests of wasm exceptions through the runtime: a throw caught ten frames
 * up, `catch_all_ref` and `throw_ref`, legacy `try`/`catch`/`rethrow`/
 * `delegate`, exceptions crossing a function without handlers, an uncaught
 * exception reaching the host as a `WasmException` (tag and values), a host
 * error caught by `catch_all`, a trap not caught, on the interpreter and under strategy "js" (functions with
 * handlers run on the interpreter there), with fuel on too.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Engine,
  type EngineConfig,
  type Instance,
  Linker,
  Module,
  Store,
  Tag,
  Trap,
  ValType,
  WasmException,
} from "./mod.ts";
import { parseWat } from "@capstan/environ";

const WAT = `(module
  (import "env" "host" (func $host (param i32)))
  (tag $e (export "e") (param i32 i64))
  (func $down (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (throw $e (i32.const 7) (i64.const 70))))
    (i32.add (call $down (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))
  ;; catches the exception thrown n frames down: (value + n)
  (func (export "deep") (param i32) (result i32)
    (block $h (result i32 i64)
      (try_table (catch $e $h) (return (call $down (local.get 0))))
      (unreachable))
    (drop)
    (i32.add (local.get 0)))
  (func (export "uncaught") (param i32) (result i32) (call $down (local.get 0)))
  ;; catch_all_ref, then throw_ref outside: the same exception, caught again by value
  (func (export "rethrow") (result i64) (local $v i64)
    (block $outer (result i32 i64)
      (try_table (catch $e $outer)
        (block $r (result exnref)
          (try_table (catch_all_ref $r) (drop (call $down (i32.const 3))))
          (ref.null exn))
        (throw_ref))
      (unreachable))
    (local.set $v)
    (drop)
    (local.get $v))
  (func (export "fromHost") (param i32) (result i32)
    (block $all (try_table (catch_all $all) (call $host (local.get 0))) (return (i32.const 0)))
    (i32.const 1))
  ;; through a function without handlers (on the JS tier under strategy js)
  (func $mid (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (call $host (i32.const 1))))
    (i32.add (call $down (local.get 0)) (i32.const 100)))
  (func (export "throughMid") (param i32) (result i32)
    (block $all
      (block $h (result i32 i64)
        (try_table (catch $e $h) (catch_all $all) (return (call $mid (local.get 0))))
        (unreachable))
      (drop)
      (return))
    (i32.const -1))
  ;; legacy: catch gives the values, rethrow the same exception, delegate skips a try
  (func (export "legacy") (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (try (result i32)
              (do (call $down (local.get 0)))
              (delegate 1)))
          (catch $e (drop) (drop) (i32.const -1))))
      (catch $e (drop) (i32.const 1000) (i32.add))))
  (func (export "legacyRethrow") (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do (call $down (i32.const 2)))
          (catch_all (rethrow 0))))
      (catch $e (drop))))
  (func (export "trap") (result i32)
    (block $all (try_table (catch_all $all) (unreachable)))
    (i32.const 1)))`;

function instantiate(config: EngineConfig): Instance {
  const engine = new Engine(config);
  const store = new Store(engine, null);
  if (config.consumeFuel) store.setFuel(1e9);
  const linker = new Linker<null>(engine);
  linker.funcWrap("env", "host", { params: ["i32"], results: [] }, (x) => {
    if (x !== 0) throw new Error("host failure");
  });
  return linker.instantiate(store, new Module(engine, parseWat(WAT)));
}

function call(instance: Instance, name: string, ...args: (number | bigint)[]): unknown {
  return instance.getFunc(name)!.call(...args)[0];
}

const CONFIGS: [string, EngineConfig][] = [
  ["interpreter", {}],
  ["js", { strategy: "js" }],
  ["fuel", { consumeFuel: true }],
];

for (const [name, config] of CONFIGS) {
  Deno.test(`a throw is caught ten frames up, and 10^4 frames up (${name})`, () => {
    const instance = instantiate(config);
    assert.equal(call(instance, "deep", 10), 17);
    assert.equal(call(instance, "deep", 10_000), 10_007);
  });

  Deno.test(`an uncaught exception reaches the host with its tag and values (${name})`, () => {
    const instance = instantiate(config);
    const tag = instance.getExport("e");
    assert.ok(tag instanceof Tag);
    assert.deepEqual(tag.type.params, [ValType.i32, ValType.i64]);
    assert.throws(() => call(instance, "uncaught", 10), (e: unknown) => {
      return e instanceof WasmException && e.tag === tag && e.values[0] === 7 &&
        e.values[1] === 70n;
    });
  });

  Deno.test(`catch_all_ref and throw_ref rethrow the same exception (${name})`, () => {
    const instance = instantiate(config);
    assert.equal(call(instance, "rethrow"), 70n);
  });

  Deno.test(`exceptions cross a function without handlers (${name})`, () => {
    const instance = instantiate(config);
    assert.equal(call(instance, "throughMid", 3), 7, "a wasm exception from $down");
    assert.equal(call(instance, "throughMid", 0), -1, "a host error from $host");
  });

  Deno.test(`legacy try, catch, rethrow and delegate (${name})`, () => {
    const instance = instantiate(config);
    assert.equal(call(instance, "legacy", 4), 1007, "delegate 1 skips the middle try");
    assert.equal(call(instance, "legacyRethrow"), 7);
  });

  Deno.test(`a host error is caught by catch_all, a trap is not (${name})`, () => {
    const instance = instantiate(config);
    assert.equal(call(instance, "fromHost", 0), 0);
    assert.equal(call(instance, "fromHost", 1), 1);
    assert.throws(() => call(instance, "trap"), Trap);
  });
}
