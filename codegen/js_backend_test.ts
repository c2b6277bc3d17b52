/**
 * Tests of the JS backend's lowering (`compileJsModule`): the kinds chosen
 * for values (an f64 only moved stays i64 bits, one computed with is a
 * number, a wrap in place converts), direct calls between lowered functions,
 * what is routed to the interpreter, and constants' literals.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_TUNABLES, parseWat, translateModule } from "@capstan/environ";
import { compileJsModule, JS_BACKEND } from "./js_backend.ts";
import { FuncEnvironment } from "./func_environ.ts";
import { FuncTranslator } from "./func_translator.ts";
import { LABEL } from "./ir.ts";
import { inferKinds } from "./_js_kinds.ts";
import { jsConst32, jsConst64 } from "./_js_literals.ts";

function lower(wat: string) {
  return compileJsModule(translateModule(parseWat(wat)));
}

function sourceOf(wat: string, funcIndex: number): string {
  const f = lower(wat).functions.find((x) => x.funcIndex === funcIndex)!;
  assert.equal(f.routed, undefined, `function ${funcIndex} is lowered`);
  return f.source!;
}

Deno.test("an f64 that is only moved stays i64 bits; one computed with is a number", () => {
  const copy = sourceOf(`(module (func (param f64) (result f64) (local.get 0)))`, 0);
  assert.match(copy, /function fn0\(b0, h0\)/);
  const add = sourceOf(
    `(module (func (param f64) (result f64) (f64.add (local.get 0) (local.get 0))))`,
    0,
  );
  assert.match(add, /function fn0\(d0\)/);
  // read by arithmetic and also returned as it is: kept as bits, converted where computed with
  const both = sourceOf(
    `(module (func (param f64) (result f64)
      (select (f64.neg (local.get 0)) (local.get 0) (f64.lt (local.get 0) (f64.const 0)))))`,
    0,
  );
  assert.match(both, /function fn0\(b0, h0\)/);
  assert.match(both, /T32\[0\] = b0, T32\[1\] = h0/);
});

Deno.test("a wrap in place reads the low half of an i64", () => {
  const src = sourceOf(
    `(module (func (param i64) (result i32) (i32.wrap_i64 (i64.add (local.get 0) (i64.const 1)))))`,
    0,
  );
  assert.match(src, /i\d+ = b\d+;/);
});

Deno.test("calls between lowered functions are direct; atomics are routed; a tail caller has a wrapper", () => {
  const m = lower(`(module (memory 1)
    (func $a (param i32) (result i32) (call $b (local.get 0)))
    (func $b (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func $c (param i32) (result i32) (i32.atomic.load (local.get 0)))
    (func $d (param i32) (result i32) (return_call $b (local.get 0)))
    (func $e (param i32) (result i32) (call $c (local.get 0))))`);
  const [a, , c, d, e] = m.functions;
  assert.match(a.source!, /= fn1\(/);
  assert.match(c.routed!, /op /);
  // the body leaves a tail-call request; the wrapper fn3 runs the trampoline
  assert.match(d.source!, /function tb3\(/);
  assert.match(d.source!, /S\.th = V\[\d+\]; S\.d = d - 1; S\.sp = sp; return;/);
  assert.match(
    d.source!,
    /function fn3\(p0\) \{\nconst r = tb3\(p0\);\nif \(S\.th === 0\) return r;/,
  );
  assert.match(
    e.source!,
    /C\.callSlots\(V\[\d+\], cb\)/,
    "a routed callee is called through slots",
  );
  assert.doesNotThrow(() => new Function("X", "S", "H", "C", m.source));
});

Deno.test("constants: exact literals, NaNs through the bit decoders", () => {
  assert.equal(jsConst32(0x80000000 | 0, "F"), "-0");
  assert.equal(jsConst32(0x7fa00000, "F"), "H.f32b(2141192192)");
  assert.equal(jsConst32(-5, "I"), "-5");
  assert.equal(jsConst64(0, 0x3ff00000, "D"), "1");
  assert.equal(jsConst64(0, 0x7ff00000, "D"), "Infinity");
  assert.equal(jsConst64(1, 0x7ff00000, "D"), "H.f64b(1, 2146435072)");
  assert.equal(jsConst64(-1, 0x7fffffff, "B"), "9223372036854775807n");
  assert.equal(jsConst64(7, -1, "I"), "7", "only the low half, read as 32 bits");
});

Deno.test("control flow is structured: loops and blocks, no dispatcher unless asked for", () => {
  const wat = `(module (func (param i32) (result i32) (local i32)
    (block $out (loop $top
      (br_if $out (i32.eqz (local.get 0)))
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br $top)))
    (local.get 1)))`;
  const structured = lower(wat).functions[0].source!;
  assert.match(structured, /L\d+: for \(;;\) \{/);
  assert.match(structured, /continue L\d+;/);
  assert.doesNotMatch(structured, /switch \(L\)/);
  const m = compileJsModule(translateModule(parseWat(wat)), undefined, "dispatcher");
  assert.match(m.functions[0].source!, /loop: for \(;;\) switch \(L\)/);
  assert.doesNotThrow(() => new Function("X", "S", "H", "C", m.source));
});

Deno.test("the memory's view is re-derived after a call only when the callee may grow memory", () => {
  const m = lower(`(module
    (import "env" "h" (func $h))
    (memory 1)
    (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func $grow (result i32) (drop (memory.grow (i32.const 1))) (i32.load (i32.const 65536)))
    (func $calls_grow (result i32) (call $grow))
    (func $calls_host (call $h))
    (func (export "f") (result i32)
      (drop (call $leaf (i32.load (i32.const 0))))
      (drop (call $calls_grow))
      (call $calls_host)
      (i32.load (i32.const 65536))))`);
  const f = m.functions.find((x) => x.funcIndex === 5)!.source!;
  const after = (callee: string) =>
    f.slice(f.indexOf(`${callee}(`)).split("\n")[1].startsWith("M = X.memory.view;");
  assert.equal(after("fn1"), false, "a leaf call keeps the view");
  assert.equal(after("fn3"), true, "a call of a function that grows memory re-derives it");
  assert.equal(after("fn4"), true, "a call of a function that calls the host re-derives it");
  assert.match(m.functions[1].source!, /C\.builtin\(0,[^\n]*\nM = X\.memory\.view;/);
});

Deno.test("a constant read only as an operand is its literal, never stored to a local", () => {
  const src = sourceOf(
    `(module (memory 1) (func (param i32 i64) (result i64)
      (i32.store offset=8 (local.get 0) (i32.const 7))
      (i64.rotl (i64.add (local.get 1) (i64.const -3)) (i64.const 65))))`,
    0,
  );
  assert.match(src, /e = \(i0 >>> 0\) \+ 8;/);
  assert.match(src, /M\.setInt32\(e, 7, true\)/);
  assert.match(src, /b\d+ \+ \(-3\)/);
  assert.match(src, /h\d+ \+ \(-1\)/);
  assert.match(src, /<< 1\) \| \(h\d+ >>> 31\)/, "the rotate amount folded to 65 & 63");
  assert.doesNotMatch(src, /= (7|-3|-1|65);/);
});

Deno.test("a function can be written entered at a loop header, structured or as a dispatcher", () => {
  const wat = `(module (func (param i32) (result i32) (local i32)
    (loop $top
      (local.set 1 (i32.add (local.get 1) (local.get 0)))
      (br_if $top (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1)))`;
  const translation = translateModule(parseWat(wat));
  const env = new FuncEnvironment(translation, { ...DEFAULT_TUNABLES, superInstructions: false });
  const ir = new FuncTranslator(env, false, true).translate(translation.bodies[0]);
  const head = ir.insts.find((x) => x.op === LABEL)!.operands[0] as number;
  const ctx = { translation, offsets: env.offsets };
  const kinds = inferKinds(ir, ctx);
  assert.ok(typeof kinds !== "string");
  const lowering = (entryLabel?: number, controlFlow?: "dispatcher") =>
    JS_BACKEND.newLoweringFor(ctx, {
      epochs: false,
      lowered: new Set([0]),
      functionWord0: 0,
      kindsOf: () => kinds,
      entryLabel,
      controlFlow,
    }).lower(ir);
  assert.doesNotMatch(lowering().source!, /switch \(L\)/);
  // structured as seen from the loop's header: the loop comes first, with no dispatcher
  const entered = lowering(head).source!;
  assert.doesNotMatch(entered, /switch \(L\)/);
  assert.match(entered, /L\d+: for \(;;\) \{/);
  assert.doesNotThrow(() => new Function("X", "S", "H", "C", entered));
  const dispatched = lowering(head, "dispatcher").source!;
  assert.match(dispatched, /let L = [1-9]\d*;\nloop: for \(;;\) switch \(L\)/);
  assert.doesNotThrow(() => new Function("X", "S", "H", "C", dispatched));
  assert.match(lowering(12345).routed!, /no label 12345/);
});
