/**
 * Tests of exception handling through the `WebAssembly` facade:
 * `WebAssembly.Tag`, `WebAssembly.Exception` (`getArg`, `is`),
 * `WebAssembly.JSTag`, exceptions crossing between JavaScript and wasm in
 * both directions. Each behaviour is checked on the facade and, with the same
 * code, on the host's native `WebAssembly`.
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
