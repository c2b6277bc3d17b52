/**
 * Tests of the `js-string` builtins and imported string constants on the
 * facade (the JS-API compile options). Each behaviour is checked on the
 * facade and, with the same code, on the host's native `WebAssembly` (V8
 * has them), except where V8 departs from the proposal (named below).
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { createWebAssembly } from "./webassembly.ts";

// deno-lint-ignore no-explicit-any
type WA = any;

function both(name: string, fn: (wa: WA) => void | Promise<void>): void {
  Deno.test(`${name} (capstan)`, () => fn(createWebAssembly()));
  Deno.test(`${name} (native)`, () => fn(globalThis.WebAssembly));
}

const OPTIONS = { builtins: ["js-string"], importedStringConstants: "'" };

const STRINGS = parseWat(`(module
  (import "wasm:js-string" "cast" (func $cast (param externref) (result (ref extern))))
  (import "wasm:js-string" "test" (func $test (param externref) (result i32)))
  (import "wasm:js-string" "fromCharCode" (func $fcc (param i32) (result (ref extern))))
  (import "wasm:js-string" "fromCodePoint" (func $fcp (param i32) (result (ref extern))))
  (import "wasm:js-string" "charCodeAt" (func $cca (param externref i32) (result i32)))
  (import "wasm:js-string" "codePointAt" (func $cpa (param externref i32) (result i32)))
  (import "wasm:js-string" "length" (func $len (param externref) (result i32)))
  (import "wasm:js-string" "concat"
    (func $concat (param externref externref) (result (ref extern))))
  (import "wasm:js-string" "substring"
    (func $sub (param externref i32 i32) (result (ref extern))))
  (import "wasm:js-string" "equals" (func $eq (param externref externref) (result i32)))
  (import "wasm:js-string" "compare" (func $cmp (param externref externref) (result i32)))
  (import "wasm:js-string" "log" (func $log (param externref)))
  (import "'" "hello" (global $hello (ref extern)))
  (import "'" "world" (global $world externref))
  (func (export "cast") (param externref) (result externref) (call $cast (local.get 0)))
  (func (export "test") (param externref) (result i32) (call $test (local.get 0)))
  (func (export "fromCharCode") (param i32) (result externref) (call $fcc (local.get 0)))
  (func (export "fromCodePoint") (param i32) (result externref) (call $fcp (local.get 0)))
  (func (export "charCodeAt") (param externref i32) (result i32)
    (call $cca (local.get 0) (local.get 1)))
  (func (export "codePointAt") (param externref i32) (result i32)
    (call $cpa (local.get 0) (local.get 1)))
  (func (export "length") (param externref) (result i32) (call $len (local.get 0)))
  (func (export "concat") (param externref externref) (result externref)
    (call $concat (local.get 0) (local.get 1)))
  (func (export "substring") (param externref i32 i32) (result externref)
    (call $sub (local.get 0) (local.get 1) (local.get 2)))
  (func (export "equals") (param externref externref) (result i32)
    (call $eq (local.get 0) (local.get 1)))
  (func (export "compare") (param externref externref) (result i32)
    (call $cmp (local.get 0) (local.get 1)))
  (func (export "greeting") (result externref)
    (call $log (global.get $hello))
    (call $concat (call $concat (global.get $hello) (call $fcc (i32.const 32))) (global.get $world)))
  (func (export "castCaught") (result i32)
    (block $h (try_table (catch_all $h) (drop (call $cast (ref.null extern)))))
    (i32.const 1)))`);

function strings(wa: WA, logged: unknown[] = []) {
  const module = new wa.Module(STRINGS, OPTIONS);
  return {
    module,
    exports: new wa.Instance(module, { "wasm:js-string": { log: (s: unknown) => logged.push(s) } })
      .exports,
  };
}

both("js-string builtins compute as String's methods do", (wa) => {
  const logged: unknown[] = [];
  const { exports: e } = strings(wa, logged);
  assert.equal(e.cast("abc"), "abc");
  assert.equal(e.test("abc"), 1);
  assert.equal(e.test(1), 0);
  assert.equal(e.test(null), 0);
  assert.equal(e.fromCharCode(0x10041), "A");
  assert.equal(e.fromCodePoint(0x1f600), "\u{1f600}");
  assert.equal(e.charCodeAt("héllo", 1), 0xe9);
  assert.equal(e.codePointAt("a\u{1f600}", 1), 0x1f600);
  assert.equal(e.length("\u{1f600}"), 2);
  assert.equal(e.concat("ab", "cd"), "abcd");
  assert.equal(e.substring("hello", 1, 3), "el");
  assert.equal(e.substring("hello", 3, 1), "");
  assert.equal(e.substring("hello", 1, 30), "ello");
  assert.equal(e.substring("hello", -1, 3), "");
  assert.equal(e.equals("a", "a"), 1);
  assert.equal(e.equals(null, null), 1);
  assert.equal(e.equals("a", null), 0);
  assert.equal(e.compare("a", "b"), -1);
  assert.equal(e.compare("b", "a"), 1);
  assert.equal(e.compare("a", "a"), 0);
  // string constants are the import names, and an unknown name is an ordinary import
  assert.equal(e.greeting(), "hello world");
  assert.deepEqual(logged, ["hello"]);
});

both("js-string builtins trap on non-strings and out-of-range values", (wa) => {
  const { exports: e } = strings(wa);
  const traps = (f: () => unknown, message: RegExp) =>
    assert.throws(f, (x: Error) => x instanceof wa.RuntimeError && message.test(x.message));
  traps(() => e.cast(1), /illegal cast/);
  traps(() => e.length({}), /illegal cast/);
  traps(() => e.concat("a", 2), /illegal cast/);
  traps(() => e.equals("a", 2), /illegal cast/);
  traps(() => e.compare(null, "a"), /illegal cast/);
  traps(() => e.charCodeAt("ab", 2), /string offset out of bounds/);
  traps(() => e.codePointAt("ab", -1), /string offset out of bounds/);
  traps(() => e.fromCodePoint(0x110000), /code point/i);
  // a trap, so no wasm handler catches it
  traps(() => e.castCaught(), /illegal cast/);
});

both("Module.imports leaves out builtins and string constants", (wa) => {
  const { module } = strings(wa);
  assert.deepEqual(wa.Module.imports(module), [
    { module: "wasm:js-string", name: "log", kind: "function" },
  ]);
  // without the options, they are ordinary imports
  assert.equal(wa.Module.imports(new wa.Module(STRINGS)).length, 14);
});

both("a builtin or string constant import of the wrong type does not compile", (wa) => {
  const wrongBuiltin = parseWat(`(module
    (import "wasm:js-string" "cast" (func (param externref) (result i32))))`);
  assert.throws(() => new wa.Module(wrongBuiltin, OPTIONS), wa.CompileError);
  assert.equal(wa.validate(wrongBuiltin, OPTIONS), false);
  assert.equal(wa.validate(wrongBuiltin), true);
  const wrongConstant = parseWat(`(module (import "'" "x" (global i32)))`);
  assert.throws(() => new wa.Module(wrongConstant, OPTIONS), wa.CompileError);
  const mutableConstant = parseWat(`(module (import "'" "x" (global (mut externref))))`);
  assert.throws(() => new wa.Module(mutableConstant, OPTIONS), wa.CompileError);
});

both("compile options reach compile, instantiate and the streaming functions", async (wa) => {
  const imports = { "wasm:js-string": { log: () => {} } };
  const module = await wa.compile(STRINGS, OPTIONS);
  assert.equal(new wa.Instance(module, imports).exports.length("abc"), 3);
  const { instance } = await wa.instantiate(STRINGS, imports, OPTIONS);
  assert.equal(instance.exports.test("x"), 1);
  const response = () => new Response(STRINGS, { headers: { "content-type": "application/wasm" } });
  assert.equal((await wa.compileStreaming(response(), OPTIONS)) instanceof wa.Module, true);
  const streamed = await wa.instantiateStreaming(response(), imports, OPTIONS);
  assert.equal(streamed.instance.exports.concat("a", "b"), "ab");
});

Deno.test("a builtin set named twice is a CompileError (capstan)", () => {
  // The proposal's "validate builtin set names"; V8 accepts the duplicate.
  const wa: WA = createWebAssembly();
  assert.throws(
    () => new wa.Module(parseWat(`(module)`), { builtins: ["js-string", "js-string"] }),
    wa.CompileError,
  );
});

const ARRAYS = parseWat(`(module
  (type $chars (array (mut i16)))
  (import "wasm:js-string" "fromCharCodeArray"
    (func $from (param (ref null $chars) i32 i32) (result (ref extern))))
  (import "wasm:js-string" "intoCharCodeArray"
    (func $into (param externref (ref null $chars) i32) (result i32)))
  (import "wasm:js-string" "length" (func $len (param externref) (result i32)))
  ;; the string's char codes copied into a new array at 2, then read back from [2, 2 + length)
  (func (export "roundTrip") (param $s externref) (result externref)
    (local $a (ref $chars))
    (local.set $a (array.new_default $chars (i32.add (call $len (local.get $s)) (i32.const 4))))
    (drop (call $into (local.get $s) (local.get $a) (i32.const 2)))
    (call $from (local.get $a) (i32.const 2) (i32.add (i32.const 2) (call $len (local.get $s)))))
  (func (export "from") (param $n i32) (param $start i32) (param $end i32) (result externref)
    (call $from (array.new $chars (i32.const 0x41) (local.get $n)) (local.get $start) (local.get $end)))
  (func (export "fromNull") (result externref)
    (call $from (ref.null $chars) (i32.const 0) (i32.const 0)))
  (func (export "into") (param $s externref) (param $n i32) (param $at i32) (result i32)
    (call $into (local.get $s) (array.new_default $chars (local.get $n)) (local.get $at))))`);

both(
  "fromCharCodeArray and intoCharCodeArray copy char codes between strings and i16 arrays",
  (wa) => {
    const e = new wa.Instance(new wa.Module(ARRAYS, OPTIONS), {}).exports;
    // lone surrogates and NULs survive: char codes, not UTF-8 or UTF-16 decoding
    for (const s of ["", "hello", "a\u0000b", "\ud800x\udfff", "é😀", "x".repeat(20_000)]) {
      assert.equal(e.roundTrip(s), s);
    }
    assert.equal(e.from(5, 1, 4), "AAA");
    assert.equal(e.from(5, 5, 5), "");
    assert.equal(e.into("abc", 3, 0), 3);
    assert.equal(e.into("", 0, 0), 0);
    const traps = (f: () => unknown, message: RegExp) =>
      assert.throws(f, (x: Error) => x instanceof wa.RuntimeError && message.test(x.message));
    traps(() => e.from(5, 4, 6), /out of bounds/);
    traps(() => e.from(5, 3, 2), /out of bounds/);
    traps(() => e.from(5, -1, 2), /out of bounds/);
    traps(() => e.into("abc", 3, 1), /out of bounds/);
    traps(() => e.into("abc", 3, -1), /out of bounds/);
    traps(() => e.into(7, 3, 0), /illegal cast/);
    traps(() => e.fromNull(), /null/);
  },
);

both("an array builtin imported with another array type does not compile", (wa) => {
  const wrong = parseWat(`(module (type $bytes (array (mut i8)))
    (import "wasm:js-string" "fromCharCodeArray"
      (func (param (ref null $bytes) i32 i32) (result (ref extern)))))`);
  assert.throws(() => new wa.Module(wrong, OPTIONS), wa.CompileError);
  assert.equal(wa.validate(wrong, OPTIONS), false);
});
