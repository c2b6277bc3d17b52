/**
 * Tests of calls through a table or a reference on the JS tier: a callee
 * with JS code is called through its adapter of its type's kinds (`ix<k>`,
 * `codegen/js_backend.ts`), so arguments and results of every kind (an f64
 * computed or only moved, NaN payloads, an i64, several results) cross it
 * bit for bit; traps inside such a callee have the interpreter's backtrace;
 * a callee in another instance, on the interpreter or on the host is still
 * reached; the shadow stack survives traps at the JS depth budget.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, type EngineConfig, Func, Instance, Module, Store, type Table } from "./mod.ts";
import { trapOf } from "./_trap_test_util.ts";
import { stateOf } from "./_js_tier.ts";
import { EDGE_F32_BITS, EDGE_F64_BITS } from "./_test_util.ts";

const INDIRECT = `(module
  (import "env" "host" (func $host (param f64 i64) (result i64 f64)))
  (type $dd (func (param f64 f64) (result f64)))
  (type $d (func (param f64) (result f64)))
  (type $f (func (param f32) (result f32)))
  (type $mix (func (param f64 i64) (result i64 f64)))
  (type $multi (func (param i32 f64) (result f64 i64 f32 i32)))
  (type $i (func (param i32) (result i32)))
  (memory 1)
  (table $t 16 funcref)
  (elem (table $t) (i32.const 0) func $add $keep $fkeep $swap $multi $div $host $atomic)
  (func $add (type $dd) (f64.add (local.get 0) (local.get 1)))
  (func $keep (type $d) (local.get 0))
  (func $fkeep (type $f) (local.get 0))
  (func $swap (type $mix) (i64.add (local.get 1) (i64.const 1)) (f64.mul (local.get 0) (f64.const 2)))
  (func $multi (type $multi)
    (local.get 1) (i64.extend_i32_s (local.get 0)) (f32.const -1.5) (i32.const 7))
  (func $div (type $i) (i32.div_u (i32.const 1) (local.get 0)))
  (func $atomic (type $i) (i32.add (i32.atomic.load (i32.const 0)) (local.get 0)))
  (func (export "add") (param f64 f64 i32) (result f64)
    (call_indirect (type $dd) (local.get 0) (local.get 1) (local.get 2)))
  ;; the argument is only moved (its NaN bits kept), the result too
  (func (export "keep") (param f64 i32) (result f64)
    (call_indirect (type $d) (local.get 0) (local.get 1)))
  ;; the argument is computed with: the caller has it as an f64 number
  (func (export "keep_neg") (param f64 i32) (result f64)
    (f64.neg (call_indirect (type $d) (f64.neg (local.get 0)) (local.get 1))))
  (func (export "fkeep") (param f32 i32) (result f32)
    (call_indirect (type $f) (local.get 0) (local.get 1)))
  (func (export "swap") (param f64 i64 i32) (result i64 f64)
    (call_indirect (type $mix) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "multi") (param i32 f64 i32) (result f64 i64 f32 i32)
    (call_indirect (type $multi) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "multi_sum") (param i32 f64 i32) (result f64)
    (local i64 f32 i32)
    (call_indirect (type $multi) (local.get 0) (local.get 1) (local.get 2))
    (local.set 5) (local.set 4) (local.set 3)
    (f64.add (f64.convert_i64_s (local.get 3)) (f64.promote_f32 (local.get 4)))
    (f64.add (f64.convert_i32_s (local.get 5)))
    (f64.add))
  (func (export "int") (param i32 i32) (result i32)
    (call_indirect (type $i) (local.get 0) (local.get 1)))
  (func (export "ref") (param f64 f64) (result f64)
    (call_ref $dd (local.get 0) (local.get 1) (ref.func $add)))
  (elem declare func $add)
)`;

const F64S = EDGE_F64_BITS.slice(0, 7);
const F32S = EDGE_F32_BITS.slice(0, 7);

function instantiate(config: EngineConfig, wat: string) {
  const engine = new Engine(config);
  const module = new Module(engine, parseWat(wat));
  const store = new Store(engine, undefined);
  const host = Func.wrap(
    store,
    { params: ["f64", "i64"], results: ["i64", "f64"] },
    (d, i) => [(i as bigint) - 1n, (d as number) + 1],
  );
  return { module, store, instance: new Instance(store, module, [host]) };
}

function outcome(run: () => unknown[]): string {
  try {
    return run().map(String).join(",");
  } catch (e) {
    return `trap ${(e as Error).message}`;
  }
}

Deno.test("call_indirect on the JS tier passes every kind bit for bit through ix adapters", () => {
  const interp = instantiate({}, INDIRECT).instance;
  const { instance: js, store, module } = instantiate({ strategy: "js" }, INDIRECT);
  assert.match(module.tierOf(7), /^interpreter: /, "the function with an atomic access is routed");
  const s = stateOf(store as Store<unknown>);
  assert.ok(s.ix.some((f) => f !== undefined), "callees with JS code have an ix adapter");
  const cases: [string, unknown[]][] = [];
  for (const a of F64S) {
    for (const b of F64S.slice(0, 4)) cases.push(["add", [a, b, 0]]);
    cases.push(["keep", [a, 1]], ["keep_neg", [a, 1]], ["keep", [a, 0]]);
    cases.push(["swap", [a, -1n, 3], ["swap", [a, 0x7fffffffffffffffn, 6]]] as never);
    cases.push(["multi", [-5, a, 4]], ["multi_sum", [3, a, 4]], ["ref", [a, a]]);
  }
  for (const f of F32S) cases.push(["fkeep", [f, 2]], ["fkeep", [f, 0]]);
  for (const [i, k] of [[1, 5], [0, 5], [3, 7], [3, 9], [3, 12], [3, -1], [3, 0]]) {
    cases.push(["int", [i, k]]);
  }
  for (const [name, args] of cases) {
    const want = outcome(() => interp.getFunc(name)!.callBits(...(args as never[])));
    const got = outcome(() => js.getFunc(name)!.callBits(...(args as never[])));
    assert.equal(got, want, `${name}(${args.join(", ")})`);
  }
});

Deno.test("a trap in a callee reached through a table has the interpreter's backtrace", () => {
  const want = trapOf(() => instantiate({}, INDIRECT).instance.getFunc("int")!.call(0, 5));
  const js = instantiate({ strategy: "js" }, INDIRECT).instance;
  const got = trapOf(() => js.getFunc("int")!.call(0, 5));
  assert.equal(got.message, want.message);
  assert.deepEqual(got.backtrace, want.backtrace);
  assert.deepEqual(js.getFunc("int")!.call(1, 5), [1], "usable after the trap");
});

const CALLEE = `(module
  (type $i (func (param i32) (result i32)))
  (table (export "t") 4 funcref)
  (elem (i32.const 0) $div $rec)
  (func $div (type $i) (i32.div_u (i32.const 1) (local.get 0)))
  ;; recursion through the table: deeper than the JS depth budget
  (func $rec (type $i)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1)
        (call_indirect (type $i) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1))))))
)`;

const CALLER = `(module
  (type $i (func (param i32) (result i32)))
  (import "m" "t" (table 4 funcref))
  (func (export "call") (param i32 i32) (result i32)
    (call_indirect (type $i) (local.get 0) (local.get 1)))
)`;

Deno.test("call_indirect into another instance's JS code: results, traps, deep recursion", () => {
  const run = (config: EngineConfig) => {
    const engine = new Engine(config);
    const store = new Store(engine, undefined);
    const callee = new Instance(store, new Module(engine, parseWat(CALLEE)), []);
    const table = callee.getExport("t") as Table;
    const caller = new Instance(store, new Module(engine, parseWat(CALLER)), [table]);
    const call = caller.getFunc("call")!;
    return {
      ok: call.call(5000, 1),
      trap: trapOf(() => call.call(0, 0)),
      deep: outcome(() => call.call(10_000_000, 1)),
      after: call.call(1, 0),
    };
  };
  const want = run({ maxWasmStack: 1024 * 1024 });
  const got = run({ strategy: "js", maxWasmStack: 1024 * 1024 });
  assert.deepEqual(got.ok, [5000]);
  assert.deepEqual(got.ok, want.ok);
  assert.equal(got.trap.message, want.trap.message);
  assert.deepEqual(got.trap.backtrace, want.trap.backtrace);
  assert.match(got.deep, /call stack exhausted/);
  assert.equal(got.deep, want.deep);
  assert.deepEqual(got.after, want.after);
});

Deno.test("under auto, promoted callees are reached through a table the same way", () => {
  const want = instantiate({}, INDIRECT).instance;
  const got = instantiate({ strategy: "auto" }, INDIRECT).instance;
  for (let n = 0; n < 3000; n++) {
    const a = BigInt(n) * 0x100000001n;
    for (const name of ["swap", "multi_sum"]) {
      const args = name === "swap" ? [a, a, 3] : [n, a, 4];
      assert.equal(
        outcome(() => got.getFunc(name)!.callBits(...(args as never[]))),
        outcome(() => want.getFunc(name)!.callBits(...(args as never[]))),
      );
    }
  }
});

const LEAVES = `(module
  (memory 1)
  (type $i (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $load)
  ;; leaves: no calls, so no shadow-stack frame of their own on the JS tier
  (func $load (export "load") (type $i) (i32.load (local.get 0)))
  (func $loop (export "loop") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.div_s (i32.const 100) (i32.sub (local.get 0) (i32.const 1)))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func $mid (param i32) (result i32)
    (i32.add (call $load (local.get 0)) (call_indirect (type $i) (local.get 0) (i32.const 0))))
  (func (export "outer") (param i32 i32) (result i32)
    (if (result i32) (local.get 1)
      (then (call $loop (local.get 0)))
      (else (call $mid (local.get 0)))))
  ;; recursion that ends in a leaf at every level: exhausts the stack at a leaf's entry too
  (func $rec (export "rec") (param i32) (result i32)
    (i32.add (call $load (i32.const 0)) (call $rec (i32.add (local.get 0) (i32.const 1)))))
)`;

Deno.test("a leaf's traps name its frame as the interpreter does, however it was entered", () => {
  const run = (config: EngineConfig) => {
    const { instance } = instantiate(
      config,
      LEAVES.replace(
        "(module",
        '(module (import "env" "host" (func (param f64 i64) (result i64 f64)))',
      ),
    );
    const f = (name: string) => instance.getFunc(name)!;
    return [
      trapOf(() => f("load").call(65533)),
      trapOf(() => f("loop").call(3)),
      trapOf(() => f("outer").call(65534, 0)),
      trapOf(() => f("outer").call(4, 1)),
      trapOf(() => f("rec").call(0)),
      // (the innermost frames: a stack overflow's full backtrace is shorter on the JS tier)
    ].map((t) => ({ message: t.message, backtrace: t.backtrace.slice(0, 8) }));
  };
  assert.deepEqual(run({ strategy: "js" }), run({}));
});
