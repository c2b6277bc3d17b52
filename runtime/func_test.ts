/**
 * Unit tests of host Funcs: argument and result checks, typed calls, exceptions, Promises.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, Func, Store } from "./mod.ts";

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
