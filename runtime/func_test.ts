/**
 * Unit tests of host Funcs: argument and result checks, typed calls, exceptions, Promises.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, Func, Linker, Module, Store, Trap, TrapCode } from "./mod.ts";

function newStore<T = undefined>(data?: T, engine = new Engine()): Store<T> {
  return new Store(engine, data as T);
}

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

/** A wasm module of small number functions for the `typed()` and `callBits()` fast paths. */
function numberFuncs(s: Store<undefined>) {
  const module = new Module(
    s.engine,
    parseWat(`(module
      (func (export "sub") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
      (func (export "sum3") (param i32 i32 i32) (result i32)
        (i32.add (i32.add (local.get 0) (local.get 1)) (local.get 2)))
      (func (export "seven") (result i32) (i32.const 7))
      (global $g (mut i32) (i32.const 0))
      (func (export "set") (param i32) (global.set $g (local.get 0)))
      (func (export "get") (result i32) (global.get $g))
      (func (export "i64add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
      (func (export "f32id") (param f32) (result f32) (local.get 0))
      (func (export "f64mix") (param f64 i32 f32) (result f64)
        (f64.add (f64.add (local.get 0) (f64.convert_i32_s (local.get 1)))
          (f64.promote_f32 (local.get 2))))
      (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
      (func (export "hyp") (param f64 f64 f64) (result f64)
        (f64.sqrt (f64.add (f64.add (f64.mul (local.get 0) (local.get 0))
          (f64.mul (local.get 1) (local.get 1))) (f64.mul (local.get 2) (local.get 2)))))
      (func (export "pi") (result f64) (f64.const 3.14159)))`),
  );
  const instance = new Linker(s.engine).instantiate(s, module);
  return (name: string) => instance.getFunc(name)!;
}

Deno.test("typed() of an i32 wasm function checks arguments as call() does", () => {
  const s = newStore();
  const get = numberFuncs(s);
  const sub = get("sub").typed<[number, number], number>();
  assert.equal(sub(5, 7), -2);
  assert.equal(sub(0xffffffff, 0), -1, "unsigned 32-bit numbers are accepted and wrap");
  for (const bad of [1.5, 2 ** 32, "1", 1n, undefined, null, NaN]) {
    assert.throws(() => sub(bad as number, 1), TypeError, `argument ${String(bad)}`);
    assert.throws(() => get("sub").call(bad as number, 1), TypeError);
  }
  assert.throws(() => sub(1, 2 ** 40), /argument 1: expected i32/);
  assert.throws(() => (sub as (...a: number[]) => number)(1), /expects 2 argument\(s\), found 1/);
  assert.throws(() => (sub as (...a: number[]) => number)(1, 2, 3), /found 3/);
  assert.equal(get("sum3").typed<[number, number, number], number>()(1, 2, 3), 6);
  assert.equal(get("seven").typed<[], number>()(), 7);
  assert.throws(() => (get("seven").typed() as (...a: number[]) => number)(1), /found 1/);
  const set = get("set").typed<[number], undefined>();
  assert.equal(set(-9), undefined, "no result is undefined");
  assert.equal(get("get").typed<[], number>()(), -9);
});

Deno.test("typed() of a number wasm function: i64 as BigInt, f32 rounding, traps", () => {
  const s = newStore();
  const get = numberFuncs(s);
  const add = get("i64add").typed<[bigint, bigint], bigint>();
  assert.equal(add(2n ** 63n - 1n, 1n), -(2n ** 63n), "i64 wraps to signed 64 bits");
  assert.equal(add(2n ** 64n + 5n, 0n), 5n, "BigInt arguments wrap as call() wraps them");
  assert.throws(() => add(1 as unknown as bigint, 1n), /argument 0: expected i64/);
  const f32 = get("f32id").typed<[number], number>();
  assert.equal(f32(0.1), Math.fround(0.1));
  assert.ok(Number.isNaN(f32(NaN)));
  assert.equal(f32(1e40), Infinity);
  assert.throws(() => f32(1n as unknown as number), /expected f32/);
  const mix = get("f64mix").typed<[number, number, number], number>();
  assert.equal(mix(0.5, -2, 0.1), 0.5 - 2 + Math.fround(0.1));
  const div = get("div").typed<[number, number], number>();
  assert.throws(
    () => div(1, 0),
    (e) => e instanceof Trap && e.code === TrapCode.IntegerDivisionByZero,
  );
  assert.equal(div(7, 2), 3, "the store works after a trap");
});

Deno.test("callBits() of a wasm function passes float bits exactly", () => {
  const s = newStore();
  const get = numberFuncs(s);
  const snan32 = 0x7fa00001;
  assert.deepEqual(get("f32id").callBits(snan32), [snan32]);
  assert.deepEqual(get("f32id").callBits(0xffc00000), [0xffc00000 | 0]);
  assert.deepEqual(get("f64mix").callBits(0x3ff0000000000000n, 2, 0x3f800000), [
    0x4010000000000000n, // 1 + 2 + 1 = 4
  ]);
  assert.deepEqual(get("sub").callBits(3, 1), [2]);
  assert.throws(() => get("f32id").callBits(1.5), /argument 0: expected i32/);
  assert.throws(() => get("f32id").callBits(), /expects 1 argument\(s\), found 0/);
});

Deno.test("typed() of an f64 wasm function takes any number and checks the rest", () => {
  const s = newStore();
  const get = numberFuncs(s);
  const hyp = get("hyp").typed<[number, number, number], number>();
  assert.equal(hyp(2, 3, 6), 7);
  assert.equal(hyp(-0.5, 0, 1.2), Math.sqrt(0.25 + 1.44));
  assert.ok(Number.isNaN(hyp(NaN, 1, 1)));
  assert.equal(hyp(Infinity, 0, 0), Infinity);
  for (const bad of [1n, "1", undefined, null, {}]) {
    assert.throws(() => hyp(1, bad as number, 1), /argument 1: expected f64/, String(bad));
  }
  assert.throws(
    () => (hyp as (...a: number[]) => number)(1, 2),
    /expects 3 argument\(s\), found 2/,
  );
  assert.equal(get("pi").typed<[], number>()(), 3.14159);
});
