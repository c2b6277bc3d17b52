/**
 * Tests of tail calls (`return_call`, `return_call_indirect`) through the
 * runtime: constant VM stack for mutual tail recursion, tail calls that reach
 * a host function (through an import or a table) or another instance, the
 * backtrace of a trap after tail calls (the frames that remain), fuel and
 * epochs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, type EngineConfig, type Instance, Linker, Module, Store, Trap } from "./mod.ts";
import { parseWat } from "@capstan/environ";

const WAT = `(module
  (import "env" "host_add" (func $host_add (param i32 i32) (result i32)))
  (type $ii_i (func (param i32 i32) (result i32)))
  (table 3 funcref)
  (elem (i32.const 0) $host_add $add $loop_indirect)
  ;; even/odd by mutual tail recursion
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (export "odd") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
  ;; the same through the table: count down n, then add the accumulator to k
  (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $loop_indirect (export "loop_indirect") (param $n i32) (param $acc i32) (result i32)
    (if (result i32) (i32.eqz (local.get $n))
      (then (local.get $acc))
      (else (return_call_indirect (type $ii_i)
        (i32.sub (local.get $n) (i32.const 1)) (i32.add (local.get $acc) (i32.const 2))
        (i32.const 2)))))
  ;; tail calls that reach the host: by import, and through the table
  (func (export "to_host") (param i32 i32) (result i32)
    (return_call $host_add (local.get 0) (local.get 1)))
  (func (export "to_host_indirect") (param i32 i32 i32) (result i32)
    (return_call_indirect (type $ii_i) (local.get 0) (local.get 1) (local.get 2)))
  ;; a trap after a tail call: the caller of the replaced frame remains
  (func $boom (param i32) (result i32) (unreachable))
  (func $middle (param i32) (result i32) (return_call $boom (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32)
    (i32.add (call $middle (local.get 0)) (i32.const 1)))
  ;; not a tail call: the stack limit applies
  (func $deep (export "deep") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 0))
      (else (i64.add (i64.const 1) (call $deep (i64.sub (local.get 0) (i64.const 1))))))))`;

function instantiate(config: EngineConfig = {}): { store: Store<null>; instance: Instance } {
  const engine = new Engine(config);
  const store = new Store(engine, null);
  const linker = new Linker<null>(engine);
  linker.funcWrap(
    "env",
    "host_add",
    { params: ["i32", "i32"], results: ["i32"] },
    (a, b) => (a as number) + (b as number),
  );
  const instance = linker.instantiate(store, new Module(engine, parseWat(WAT, { names: true })));
  return { store, instance };
}

function call(instance: Instance, name: string, ...args: (number | bigint)[]): unknown {
  const f = instance.getFunc(name);
  assert.ok(f, `export ${name}`);
  return f.call(...args)[0];
}

Deno.test("10^8 mutual tail calls run in constant VM stack", () => {
  const { instance } = instantiate();
  assert.equal(call(instance, "even", 100_000_000n), 1);
  assert.equal(call(instance, "odd", 10_000_001n), 1);
  // the same depth without tail calls exhausts the stack
  assert.throws(() => call(instance, "deep", 10_000_000n), (e: unknown) => {
    return e instanceof Trap && e.message === "call stack exhausted";
  });
});

Deno.test("return_call_indirect loops in constant VM stack", () => {
  const { instance } = instantiate();
  assert.equal(call(instance, "loop_indirect", 1_000_000, 5), 2_000_005);
});

Deno.test("a tail call to a host function returns its results to the caller", () => {
  const { instance } = instantiate();
  assert.equal(call(instance, "to_host", 40, 2), 42);
  assert.equal(call(instance, "to_host_indirect", 40, 2, 0), 42, "through the table: the host");
  assert.equal(call(instance, "to_host_indirect", 40, 2, 1), 42, "through the table: wasm");
  assert.throws(() => call(instance, "to_host_indirect", 1, 2, 7), /undefined element/);
});

Deno.test("a tail call into another instance replaces the frame there too", () => {
  const engine = new Engine();
  const store = new Store(engine, null);
  const linker = new Linker<null>(engine);
  linker.funcWrap("env", "host_add", { params: ["i32", "i32"], results: ["i32"] }, () => 0);
  const a = linker.instantiate(store, new Module(engine, parseWat(WAT, { names: true })));
  linker.instance(store, "a", a);
  const b = linker.instantiate(
    store,
    new Module(
      engine,
      parseWat(`(module
        (import "a" "odd" (func $odd (param i64) (result i32)))
        (func (export "even") (param i64) (result i32)
          (if (result i32) (i64.eqz (local.get 0))
            (then (i32.const 1))
            (else (return_call $odd (i64.sub (local.get 0) (i64.const 1)))))))`),
    ),
  );
  assert.equal(call(b, "even", 1_000_000n), 1);
});

Deno.test("a trap after a tail call shows the frames that remain", () => {
  const { instance } = instantiate();
  try {
    call(instance, "outer", 1);
    assert.fail("no trap");
  } catch (e) {
    assert.ok(e instanceof Trap);
    assert.equal(e.message, "unreachable");
    // $middle's frame was taken over by $boom; $outer called $middle
    assert.deepEqual(e.backtrace.map((f) => f.funcName), ["boom", "outer"]);
  }
});

Deno.test("tail calls consume fuel and stop when it runs out", () => {
  const { store, instance } = instantiate({ consumeFuel: true });
  store.setFuel(1_000_000);
  assert.equal(call(instance, "even", 1000n), 1);
  const used = 1_000_000 - store.getFuel();
  store.setFuel(1_000_000);
  assert.equal(call(instance, "even", 2000n), 1);
  const used2 = 1_000_000 - store.getFuel();
  assert.ok(used > 1000 && used2 > used, `fuel used: ${used}, ${used2}`);
  store.setFuel(100);
  assert.throws(() => call(instance, "even", 1_000_000n), /all fuel consumed/);
});

Deno.test("an epoch deadline stops an endless tail-call loop", () => {
  const { store, instance } = instantiate({ epochInterruption: true });
  store.setEpochDeadline(1);
  store.engine.incrementEpoch();
  assert.throws(() => call(instance, "even", 1_000_000n), /interrupt/);
});

Deno.test("10^6 mutual tail calls through return_call_indirect to a subtype run in constant VM stack", () => {
  // the table's functions are of $sub, declared under the expected $super
  const wat = `(module
    (type $super (sub (func (param i32) (result i32))))
    (type $sub (sub $super (func (param i32) (result i32))))
    (table 2 funcref)
    (elem (i32.const 0) $ping $pong)
    (func $ping (export "ping") (type $sub) (param $n i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n))
        (then (i32.const 7))
        (else (return_call_indirect (type $super) (i32.sub (local.get $n) (i32.const 1))
          (i32.const 1)))))
    (func $pong (type $sub) (param $n i32) (result i32)
      (if (result i32) (i32.eqz (local.get $n))
        (then (i32.const 9))
        (else (return_call_indirect (type $super) (i32.sub (local.get $n) (i32.const 1))
          (i32.const 0))))))`;
  // a stack of 64 KiB: a call followed by a return would exhaust it long before 10^6
  const engine = new Engine({ maxWasmStack: 64 * 1024 });
  const store = new Store(engine, null);
  const instance = new Linker<null>(engine).instantiate(store, new Module(engine, parseWat(wat)));
  assert.equal(call(instance, "ping", 1_000_000), 7);
  assert.equal(call(instance, "ping", 1_000_001), 9);
});
