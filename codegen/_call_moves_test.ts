/**
 * Tests of the lowering's call fusion (`lower.ts`): the one or two moves
 * right before a direct `call` fuse into it (`call_mov1`, `call_mov2`), the
 * results stay those of native V8, a stack overflow in a fused call still
 * traps, and the instruction counter counts a fused call once.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseWat, TrapCode, tunables } from "@capstan/environ";
import { bytecodeOpNames, sameAsNative, TestInstance, TestTrap } from "./_test_harness.ts";

// locals passed as arguments: two moves into the callee's window, then the call
const TWO = `(module
  (func $g (param i32 i64) (result i64) (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
  (func (export "f") (param i32) (result i32) (local i64)
    (local.set 1 (i64.const 0x100000000))
    (local.set 1 (call $g (local.get 0) (local.get 1)))
    (local.set 1 (call $g (local.get 0) (local.get 1)))
    (i32.wrap_i64 (i64.shr_u (local.get 1) (i64.const 1)))))`;

Deno.test("two moves before a call fuse into call_mov2; i32 and i64 arguments arrive whole", () => {
  const names = bytecodeOpNames(TWO, 1);
  assert.ok(names.includes("call_mov2"), names.join(" "));
  assert.ok(!names.includes("call"), names.join(" "));
  sameAsNative(TWO, [[0], [1], [-1], [0x7fffffff], [-0x80000000]]);
});

Deno.test("one move before a call fuses into call_mov1", () => {
  const wat = `(module
    (func $g (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
    (func (export "f") (param i32) (result i32)
      (call $g (i32.mul (local.get 0) (i32.const 3)) (local.get 0))))`;
  const names = bytecodeOpNames(wat, 1);
  assert.ok(names.includes("call_mov1"), names.join(" "));
  sameAsNative(wat, [[0], [7], [-5]]);
});

Deno.test("endless recursion through a fused call traps with a stack overflow", () => {
  const wat = `(module
    (func $r (export "f") (param i32 i32) (result i32)
      (call $r (local.get 1) (local.get 0))))`;
  assert.ok(bytecodeOpNames(wat).includes("call_mov2"), bytecodeOpNames(wat).join(" "));
  const t = new TestInstance(parseWat(wat), {}, { maxWasmStack: 64 * 1024 });
  assert.throws(() => t.call("f", 1, 2), (e: unknown) => {
    assert.ok(e instanceof TestTrap);
    assert.equal(e.code, TrapCode.StackOverflow);
    return true;
  });
});

Deno.test("the instruction counter counts a fused call once", () => {
  const counted = tunables({ countInstructions: true });
  // (the counters count what follows a function's `enter`, themselves aside)
  const counts = (n: string) => n !== "icount" && n !== "enter";
  const g = bytecodeOpNames(TWO, 0, counted).filter(counts);
  const f = bytecodeOpNames(TWO, 1, counted).filter(counts);
  assert.ok(f.includes("call_mov2"), f.join(" "));
  // both functions are straight-line: f runs each of its instructions once, g twice
  const t = new TestInstance(parseWat(TWO), {}, { tunables: counted });
  t.call("f", 5);
  assert.equal(t.vm.instructions, f.length + 2 * g.length);
});
