/**
 * Tests of JSPI on the facade (`WebAssembly.Suspending`, `promising`,
 * `SuspendError`). Each behaviour is checked on the facade and, with the same
 * code, on the host's native `WebAssembly` (which has JSPI): the native run
 * proves the expectation, the facade run that Capstan meets it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine } from "./engine.ts";
import { createWebAssembly } from "./webassembly.ts";

// deno-lint-ignore no-explicit-any
type WA = any;

function both(name: string, fn: (wa: WA) => Promise<void>): void {
  Deno.test(`${name} (capstan)`, () => fn(createWebAssembly()));
  Deno.test(`${name} (capstan, JS tier)`, () =>
    fn(createWebAssembly({ engine: new Engine({ strategy: "js" }) })));
  Deno.test(`${name} (native)`, () => fn(globalThis.WebAssembly));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// sum of get(i) for i < n, plus sync(): every call of get may suspend
const SUMMER = parseWat(`(module
  (import "m" "get" (func $get (param i32) (result i32)))
  (import "m" "sync" (func $sync (result i32)))
  (func (export "sum") (param $n i32) (result i32)
    (local $s i32) (local $i i32)
    (block $done
      (br_if $done (i32.eqz (local.get $n)))
      (loop $l
        (local.set $s (i32.add (local.get $s) (call $get (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $l (i32.lt_u (local.get $i) (local.get $n)))))
    (i32.add (local.get $s) (call $sync)))
  (func (export "getOne") (result i32) (call $get (i32.const 7)))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))`);

async function summer(wa: WA, sync: (exports: WA) => number) {
  const self: { exports?: WA } = {};
  const { instance } = await wa.instantiate(SUMMER, {
    m: {
      get: new wa.Suspending(async (x: number) => {
        await sleep((x * 7) % 4);
        return x * 10;
      }),
      sync: () => sync(self.exports),
    },
  });
  self.exports = instance.exports;
  return instance.exports;
}

both("promising calls suspend at a Suspending import and resume in any order", async (wa) => {
  // while calls are suspended, JS calls another export synchronously
  const exports = await summer(wa, (e) => e.add(1, 2));
  const sum = wa.promising(exports.sum);
  assert.equal(typeof sum, "function");
  assert.equal(sum.length, 1);
  const p = sum(5);
  assert.ok(p instanceof Promise);
  assert.deepEqual(await Promise.all([p, sum(3), sum(8), sum(0), sum(1)]), [
    103,
    33,
    283,
    3,
    3,
  ]);
});

both("a Suspending import called outside promising throws a SuspendError", async (wa) => {
  const exports = await summer(wa, () => 0);
  assert.throws(() => exports.getOne(), (e: Error) => {
    assert.ok(e instanceof wa.SuspendError);
    assert.equal(e.name, "SuspendError");
    assert.match(e.message, /promising/);
    return true;
  });
  // the instance stays usable
  assert.equal(await wa.promising(exports.getOne)(), 70);
});

both("a Suspending import reached through JS frames throws a SuspendError", async (wa) => {
  // sum → sync (a JS function) → getOne → get: a JS frame lies between
  const exports = await summer(wa, (e) => e.getOne());
  await assert.rejects(wa.promising(exports.sum)(2), (e: Error) => e instanceof wa.SuspendError);
});

both("a plain value from a Suspending function returns without suspending", async (wa) => {
  const { instance } = await wa.instantiate(SUMMER, {
    m: { get: new wa.Suspending((x: number) => x + 1), sync: () => 5 },
  });
  assert.equal(await wa.promising(instance.exports.sum)(4), 15);
});

const CATCHER = parseWat(`(module
  (import "m" "get" (func $get (result i32)))
  (func (export "caught") (result i32)
    (block $h
      (try_table (catch_all $h) (return (call $get))))
    (i32.const -1))
  (func (export "uncaught") (result i32) (call $get))
  (func (export "trapAfter") (result i32) (drop (call $get)) (unreachable)))`);

both("a rejected Promise is thrown into wasm at the suspended call", async (wa) => {
  const reason = new Error("no data");
  const { instance } = await wa.instantiate(CATCHER, {
    m: {
      get: new wa.Suspending(async () => {
        await sleep(1);
        throw reason;
      }),
    },
  });
  assert.equal(await wa.promising(instance.exports.caught)(), -1);
  await assert.rejects(wa.promising(instance.exports.uncaught)(), (e) => e === reason);
});

both("a trap after resuming rejects with a RuntimeError", async (wa) => {
  const { instance } = await wa.instantiate(CATCHER, {
    m: { get: new wa.Suspending(() => sleep(1).then(() => 1)) },
  });
  await assert.rejects(
    wa.promising(instance.exports.trapAfter)(),
    (e) => e instanceof wa.RuntimeError && /unreachable/.test((e as Error).message),
  );
});

both("promising and Suspending check their arguments", async (wa) => {
  assert.throws(() => wa.promising(() => 1), TypeError);
  assert.throws(() => wa.promising(1), TypeError);
  assert.throws(() => new wa.Suspending(1), TypeError);
  const exports = await summer(wa, () => 0);
  assert.equal(await wa.promising(exports.add)(40, 2), 42);
});

Deno.test("a promising function rejects when its arguments do not convert (capstan)", async () => {
  // The JSPI spec converts the arguments inside AsyncFunctionStart, so a
  // failure rejects the Promise; V8 throws synchronously instead.
  const wa: WA = createWebAssembly();
  const exports = await summer(wa, () => 0);
  let promise: Promise<unknown> | undefined;
  assert.doesNotThrow(() => promise = wa.promising(exports.add)(1n, 2));
  await assert.rejects(promise!, TypeError);
});

both("a plain import's Promise is an externref, not awaited", async (wa) => {
  const bytes = parseWat(`(module
    (import "m" "f" (func $f (result externref)))
    (func (export "g") (result externref) (call $f)))`);
  const promise = Promise.resolve(1);
  const { instance } = await wa.instantiate(bytes, { m: { f: () => promise } });
  assert.equal(instance.exports.g(), promise);
});

both("a GC reference live across a suspension is the call's own when it resumes", async (wa) => {
  // two calls suspend with a struct each in the same register slot; the one resumed
  // first runs where the other was, so each must find its own struct again
  const { instance } = await wa.instantiate(
    parseWat(`(module
      (type $s (struct (field i32)))
      (import "m" "wait" (func $wait (param i32)))
      (func (export "keep") (param i32) (result i32) (local (ref null $s))
        (local.set 1 (struct.new $s (local.get 0)))
        (call $wait (local.get 0))
        (struct.get $s 0 (local.get 1))))`),
    {
      m: {
        wait: new wa.Suspending((x: number) => sleep(x === 41 ? 30 : 5)),
      },
    },
  );
  const keep = wa.promising(instance.exports.keep);
  const first = keep(41);
  const second = keep(99);
  assert.deepEqual(await Promise.all([first, second]), [41, 99]);
});
