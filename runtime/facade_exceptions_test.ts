/**
 * Tests of exception handling through the `WebAssembly` facade:
 * `WebAssembly.Tag`, `WebAssembly.Exception` (`getArg`, `is`),
 * `WebAssembly.JSTag`, exceptions crossing between JavaScript and wasm in
 * both directions; and exceptions carrying values of the `any` hierarchy
 * (structs, arrays, i31, anyref): `throw`, `try_table` with `catch`,
 * `catch_ref` and `catch_all_ref`, `throw_ref`, the legacy `try`/`catch`/`rethrow`, through
 * frames of the JS tier, out to JavaScript (`getArg` gives the same opaque
 * object) and back in, their references kept while a host function runs
 * between the catch and their use (the catching frame's stack maps). Each
 * behaviour is checked on the facade and, with the same code, on the host's
 * native `WebAssembly`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { createWebAssembly } from "./webassembly.ts";
import { Engine } from "./engine.ts";

// deno-lint-ignore no-explicit-any
type WA = any;

function both(name: string, fn: (wa: WA) => void): void {
  Deno.test(`${name} (capstan)`, () => fn(createWebAssembly()));
  Deno.test(
    `${name} (capstan, JS tier)`,
    () => fn(createWebAssembly({ engine: new Engine({ strategy: "js" }) })),
  );
  Deno.test(`${name} (native)`, () => fn(globalThis.WebAssembly));
}

const WAT = `(module
  (import "js" "tag" (tag $imported (param i32)))
  (import "js" "jstag" (tag $js (param externref)))
  (import "js" "call" (func $call (param i32)))
  (tag $own (export "own") (param i32 i64))
  (func (export "throwOwn") (param i32 i64) (throw $own (local.get 0) (local.get 1)))
  (func (export "throwImported") (param i32) (throw $imported (local.get 0)))
  ;; calls JS, which may throw: 1 = caught by the imported tag, 2 = by JSTag, 3 = catch_all
  (func (export "catchFromJs") (param i32) (result i32)
    (block $all
      (block $jstag (result externref)
        (return (block $tag (result i32)
          (try_table (catch $imported $tag) (catch $js $jstag) (catch_all $all)
            (call $call (local.get 0)))
          (i32.const 0))))
      (drop)
      (return (i32.const 2)))
    (i32.const 3))
  ;; a trap is never caught
  (func (export "trapInside") (result i32)
    (block (try_table (catch_all 0) (unreachable)))
    (i32.const 1)))`;

function instantiate(wa: WA, call: (x: number) => void) {
  const tag = new wa.Tag({ parameters: ["i32"] });
  const module = new wa.Module(parseWat(WAT));
  const instance = new wa.Instance(module, { js: { tag, jstag: wa.JSTag, call } });
  return { tag, exports: instance.exports };
}

both("a wasm exception reaching JS is a WebAssembly.Exception with its tag and values", (wa) => {
  const { tag, exports } = instantiate(wa, () => {});
  try {
    exports.throwOwn(7, 8n);
    assert.fail("no exception");
  } catch (error) {
    const e = error as WA;
    assert.ok(e instanceof wa.Exception);
    assert.ok(e.is(exports.own) && !e.is(tag));
    assert.equal(e.getArg(exports.own, 0), 7);
    assert.equal(e.getArg(exports.own, 1), 8n);
    assert.throws(() => e.getArg(tag, 0), TypeError);
  }
  assert.throws(() => exports.throwImported(5), (e: WA) => e.is(tag) && e.getArg(tag, 0) === 5);
});

both("exceptions thrown by JS are caught in wasm by tag, by JSTag and by catch_all", (wa) => {
  let thrown: unknown;
  const { tag, exports } = instantiate(wa, (x) => {
    throw thrown = x === 1 ? new wa.Exception(tag, [41]) : new Error("from JS");
  });
  assert.equal(exports.catchFromJs(1), 41, "the imported tag's value");
  assert.equal(exports.catchFromJs(2), 2, "a JS error, by JSTag");
  assert.ok(thrown instanceof Error);
});

both("a JS exception passing through wasm uncaught reaches JS unchanged", (wa) => {
  const err = new Error("through");
  const { tag, exports } = instantiate(wa, () => {});
  // throwImported calls no JS: use a module that calls JS without catching
  const passthrough = new wa.Instance(
    new wa.Module(parseWat(`(module (import "js" "f" (func $f)) (func (export "g") (call $f)))`)),
    {
      js: {
        f: () => {
          throw err;
        },
      },
    },
  ).exports;
  assert.throws(() => passthrough.g(), (e: unknown) => e === err);
  const exn = new wa.Exception(tag, [3]);
  const rethrow = new wa.Instance(
    new wa.Module(parseWat(`(module (import "js" "f" (func $f)) (func (export "g") (call $f)))`)),
    {
      js: {
        f: () => {
          throw exn;
        },
      },
    },
  ).exports;
  assert.throws(() => rethrow.g(), (e: unknown) => e === exn, "the same Exception object");
  assert.equal(typeof exports.trapInside, "function");
});

both("a trap is not caught by catch_all", (wa) => {
  const { exports } = instantiate(wa, () => {});
  assert.throws(() => exports.trapInside(), wa.RuntimeError);
});

both("WebAssembly.Tag and WebAssembly.Exception check their arguments", (wa) => {
  const tag = new wa.Tag({ parameters: ["i32", "f64"] });
  assert.throws(() => new wa.Exception(tag, [1]), TypeError);
  assert.throws(() => new wa.Exception({}, []), TypeError);
  assert.throws(() => new wa.Tag({ parameters: ["nope"] }), TypeError);
  const e = new wa.Exception(tag, [1, 2.5]);
  assert.equal(e.getArg(tag, 1), 2.5);
  assert.throws(() => e.getArg(tag, 2), RangeError);
  assert.ok(wa.JSTag instanceof wa.Tag);
});

/** Exceptions carrying values of the `any` hierarchy (the tests below). */
const GC_WAT = `(module
  (type $s (struct (field i32) (field (ref null $s))))
  (type $a (array (mut i64)))
  (import "js" "call" (func $call))
  (import "js" "any" (tag $any (param anyref)))
  (tag $e (export "e") (param i32 (ref null $s) i64 anyref (ref $a)))
  (func $make (param $n i32) (result (ref $s))
    (struct.new $s (local.get $n) (struct.new $s (i32.add (local.get $n) (i32.const 1)) (ref.null $s))))
  (func $throw (export "throw") (param $n i32)
    (throw $e (local.get $n) (call $make (local.get $n)) (i64.const 77)
      (ref.i31 (i32.const -5)) (array.new $a (i64.const 9) (i32.const 3))))
  ;; a frame without GC values between the thrower and the catcher (the JS tier runs it)
  (func $middle (param $n i32) (call $throw (local.get $n)))
  ;; the sum of the payload's numbers: n + n + (n + 1) + 77 - 5 + 9 * 3 = 3n + 100
  (func $sum (param $n i32) (param $s (ref null $s)) (param $x i64) (param $i anyref)
      (param $arr (ref $a)) (result i32)
    (i32.add (i32.add (local.get $n) (struct.get $s 0 (local.get $s)))
      (i32.add (struct.get $s 0 (ref.as_non_null (struct.get $s 1 (local.get $s))))
        (i32.add (i32.wrap_i64 (local.get $x))
          (i32.add (i31.get_s (ref.cast (ref i31) (local.get $i)))
            (i32.wrap_i64 (i64.add (array.get $a (local.get $arr) (i32.const 0))
              (i64.add (array.get $a (local.get $arr) (i32.const 1))
                (array.get $a (local.get $arr) (i32.const 2))))))))))
  (func (export "catch") (param $n i32) (result i32)
    (block $h (result i32 (ref null $s) i64 anyref (ref $a))
      (try_table (catch $e $h) (call $middle (local.get $n)))
      (unreachable))
    ;; a host call while the payload is only in this frame's registers
    (call $call)
    (call $sum))
  ;; catch_all_ref, then throw_ref: the same exception, caught again outside
  (func (export "rethrowRef") (param $n i32) (result i32)
    (block $h (result i32 (ref null $s) i64 anyref (ref $a))
      (try_table (catch $e $h)
        (block $r (result exnref)
          (try_table (catch_all_ref $r) (call $throw (local.get $n)))
          (unreachable))
        (throw_ref))
      (unreachable))
    (call $sum))
  ;; catch_ref: the values and the exception; the struct read here, the exception thrown again
  (func (export "catchRef") (param $n i32) (result i32)
    (local $x exnref) (local $s (ref null $s))
    (block $h (result i32 (ref null $s) i64 anyref (ref $a))
      (try_table (catch $e $h)
        (block $r (result i32 (ref null $s) i64 anyref (ref $a) exnref)
          (try_table (catch_ref $e $r) (call $throw (local.get $n)))
          (unreachable))
        (local.set $x) (drop) (drop) (drop) (local.set $s) (drop)
        (throw_ref (local.get $x)))
      (unreachable))
    (call $sum)
    (i32.add (struct.get $s 0 (local.get $s))))
  ;; reads a struct JavaScript got out of an exception
  (func (export "field") (param (ref null $s)) (result i32) (struct.get $s 0 (local.get 0)))
  ;; calls JS, which throws an exception of $e or of the imported tag, then catches it
  (func (export "catchFromJs") (result i32)
    (block $any (result anyref)
      (block $h (result i32 (ref null $s) i64 anyref (ref $a))
        (try_table (catch $e $h) (catch $any $any) (call $call))
        (return (i32.const -1)))
      (return (call $sum)))
    (i31.get_u (ref.cast (ref i31))))
  ;; makes a payload for JavaScript
  (func (export "make") (param i32) (result (ref $s)) (call $make (local.get 0)))
  (func (export "arr") (result (ref $a)) (array.new $a (i64.const 9) (i32.const 3))))`;

/** The legacy form (a module may not mix it with try_table): try / catch / rethrow. */
const GC_LEGACY = `(module
  (type $s (struct (field i32)))
  (tag $e (param i32 (ref null $s) i64))
  (func $throw (param $n i32)
    (throw $e (local.get $n) (struct.new $s (i32.mul (local.get $n) (i32.const 2))) (i64.const 5)))
  (func (export "legacy") (param $n i32) (result i32)
    (local $s (ref null $s))
    (try (result i32)
      (do
        (try
          (do (call $throw (local.get $n)))
          (catch $e (drop) (local.set $s) (drop) (rethrow 0)))
        (unreachable))
      (catch $e
        (drop) (struct.get $s 0) (i32.add))))
  (func (export "legacyAll") (param $n i32) (result i32)
    (try (result i32)
      (do
        (try
          (do (call $throw (local.get $n)))
          (catch_all (rethrow 0)))
        (unreachable))
      (catch $e
        (drop) (struct.get $s 0) (i32.add)))))`;

function instantiateGc(wa: WA, call: () => void) {
  const any = new wa.Tag({ parameters: ["anyref"] });
  const module = new wa.Module(parseWat(GC_WAT));
  const instance = new wa.Instance(module, { js: { call, any } });
  return { any, exports: instance.exports };
}

both("an exception with GC values is caught with its values (try_table, catch)", (wa) => {
  let calls = 0;
  const { exports } = instantiateGc(wa, () => calls++);
  for (const n of [0, 5, 1000]) assert.equal(exports.catch(n), 3 * n + 100);
  assert.equal(calls, 3);
});

both("catch_all_ref and throw_ref carry the GC values along", (wa) => {
  const { exports } = instantiateGc(wa, () => {});
  assert.equal(exports.rethrowRef(10), 130);
});

both("catch_ref gives the GC values and the exception, which throw_ref throws again", (wa) => {
  const { exports } = instantiateGc(wa, () => {});
  assert.equal(exports.catchRef(10), 130 + 10);
});

both("the legacy try, catch, catch_all and rethrow carry the GC values along", (wa) => {
  const { exports } = new wa.Instance(new wa.Module(parseWat(GC_LEGACY)), {});
  assert.equal(exports.legacy(20), 60);
  assert.equal(exports.legacyAll(7), 21);
});

both("an exception with GC values reaching JS gives them by getArg", (wa) => {
  const { exports } = instantiateGc(wa, () => {});
  let caught: WA;
  try {
    exports.throw(4);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof wa.Exception);
  assert.ok(caught.is(exports.e));
  assert.equal(caught.getArg(exports.e, 0), 4);
  const s = caught.getArg(exports.e, 1);
  assert.equal(typeof s, "object");
  assert.equal(caught.getArg(exports.e, 1), s, "the same opaque object every time");
  assert.equal(exports.field(s), 4, "the same struct back in wasm");
  assert.equal(caught.getArg(exports.e, 2), 77n);
  assert.equal(caught.getArg(exports.e, 3), -5);
  assert.equal(typeof caught.getArg(exports.e, 4), "object");
});

both("an exception JavaScript makes with GC values is caught by wasm", (wa) => {
  let next: () => never = () => {
    throw new Error("unset");
  };
  const { any, exports } = instantiateGc(wa, () => next());
  const s = exports.make(30);
  const made = new wa.Exception(exports.e, [30, s, 77n, -5, exports.arr()]);
  next = () => {
    throw made;
  };
  assert.equal(exports.catchFromJs(), 190);
  assert.equal(made.getArg(exports.e, 1), s);
  // an anyref payload of an i31 from JavaScript
  next = () => {
    throw new wa.Exception(any, [12]);
  };
  assert.equal(exports.catchFromJs(), 12);
  // of a tag wasm does not catch, it comes back out as itself, its struct too
  const tag = new wa.Tag({ parameters: ["structref", "i32"] });
  const other = new wa.Exception(tag, [s, 3]);
  next = () => {
    throw other;
  };
  assert.throws(() => exports.catchFromJs(), (e) => e === other && other.getArg(tag, 0) === s);
});

both("a wasm exception with GC values passing through JS is caught again in wasm", (wa) => {
  const inner: { exports?: WA } = {};
  const { exports } = instantiateGc(wa, () => {
    try {
      inner.exports.throw(7);
    } catch (e) {
      throw e; // on its way out again, the payload only in the exception
    }
  });
  inner.exports = exports;
  assert.equal(exports.catchFromJs(), 121);
});
