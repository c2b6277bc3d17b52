/**
 * Tests of the on-stack-replacement pieces of the JS lowering: loop headers
 * of the bytecode, the IR block each maps to, and the refusal of a source
 * form the rewrite does not know.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_TUNABLES, parseWat, translateModule } from "@capstan/environ";
import { bytecodeLoopHeads, compileModule, JsGroupLowering } from "./mod.ts";
import { osrVariant } from "./_js_osr.ts";

const WAT = `(module (memory 1)
  (func (param i32) (result i32) (local i32)
    (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 3)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (param i32) (result i32)
    (i32.const 5)
    (loop $l (param i32) (result i32)
      (br_if $l (i32.add (i32.const 1)) (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))`;

Deno.test("bytecodeLoopHeads() finds the back-edge targets; lowerOsr() the IR block there", () => {
  const t = translateModule(parseWat(WAT));
  const cm = compileModule(t, DEFAULT_TUNABLES);
  const f = cm.functions[0];
  const heads = bytecodeLoopHeads(cm.code, f.entry, f.end);
  assert.equal(heads.length, 1);
  const lowering = new JsGroupLowering(t);
  const out = lowering.lowerOsr(0, cm.wasmOffsetAt(heads[0]));
  assert.ok(typeof out !== "string", String(out));
  assert.match(out.source, /function os0\(base\) \{/);
  assert.match(out.source, /return oe0;$/);
  assert.match(lowering.lowerOsr(0, 0) as string, /^no block of the JS code starts at/);
  // a loop with a parameter: its value is not a local
  const g = cm.functions[1];
  const [gh] = bytecodeLoopHeads(cm.code, g.entry, g.end);
  assert.match(
    lowering.lowerOsr(1, cm.wasmOffsetAt(gh)) as string,
    /a value other than a local is live into the loop/,
  );
});

Deno.test("osrVariant() refuses a source form it does not rewrite", () => {
  assert.throws(
    () => osrVariant("function fn0(i0) { return i0; }", 0, [], ["I"]),
    /not the one on-stack replacement rewrites/,
  );
});

Deno.test("lowerOsr() of a group's member reuses its blocks: the same source as lowered afresh", () => {
  const wat = `(module (memory 1)
    (func $sum (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1) (call $sq (local.get 0))))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (local.get 1))
    (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0))))`;
  const t = translateModule(parseWat(wat));
  const cm = compileModule(t, DEFAULT_TUNABLES);
  const f = cm.functions[0];
  const at = cm.wasmOffsetAt(bytecodeLoopHeads(cm.code, f.entry, f.end)[0]);
  const grouped = new JsGroupLowering(t);
  assert.deepEqual(grouped.lowerGroup([0]).members, [0]);
  const reused = grouped.lowerOsr(0, at);
  const fresh = new JsGroupLowering(t).lowerOsr(0, at);
  assert.ok(typeof reused !== "string", String(reused));
  assert.deepEqual(reused, fresh);
  assert.match(reused.source, /fn1\(/, "the callee through its trampoline");
});
