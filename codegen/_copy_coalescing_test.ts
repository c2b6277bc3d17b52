/**
 * Tests of copy coalescing (`_copy_coalescing.ts`): a move whose source was
 * computed earlier in the same run goes away; one whose source is still
 * needed stays, or is restored on a loop's exit edge only; and results stay
 * those of native V8.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Op } from "@capstan/interpreter";
import { coalesceCopies } from "./_copy_coalescing.ts";
import type { IrFunction, IrInst } from "./ir.ts";
import { LABEL } from "./ir.ts";
import { bytecodeOpNames, sameAsNative } from "./_test_harness.ts";

/** An IR function over `numRegs` registers with `insts` (i32 locals, no results). */
function ir(
  numRegs: number,
  numLabels: number,
  insts: [number, ...(number | number[])[]][],
): IrFunction {
  return {
    funcIndex: 0,
    params: [],
    results: [],
    locals: [],
    numRegs,
    numLabels,
    insts: insts.map(([op, ...operands]): IrInst => ({ op, operands, wasmOffset: 0 })),
    refSlotsAt: new Map(),
  };
}

// i' = i + 1 (local 2), i = i' (local 1) in the loop; i' is read after the loop
const COUNT = `(module (func (export "f") (param i32) (result i32) (local i32 i32)
  (loop $l
    (local.set 2 (i32.add (local.get 1) (i32.const 1)))
    (local.set 1 (local.get 2))
    (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
  (i32.mul (local.get 2) (i32.const 3))))`;

Deno.test("a loop's i' = i + 1; i = i' writes i; i' is restored on the exit edge only", () => {
  const names = bytecodeOpNames(COUNT);
  const back = names.indexOf("br_lt_u");
  assert.ok(back > 0, names.join(" "));
  assert.deepEqual(names.slice(0, back).filter((n) => n === "mov"), [], names.join(" "));
  assert.equal(names[back + 1], "mov", names.join(" "));
  sameAsNative(COUNT, [[0], [1], [5], [100]]);
});

Deno.test("a value computed, then copied to a local, is computed into that local", () => {
  const wat = `(module (func (export "f") (param i32 i32) (result i32) (local i32 i32)
    (local.set 2 (i32.mul (local.get 0) (local.get 1)))
    (i32.store (i32.const 0) (local.get 0))
    (local.set 3 (local.get 2))
    (i32.add (local.get 3) (local.get 3)))
    (memory 1))`;
  assert.ok(!bytecodeOpNames(wat).includes("mov"), bytecodeOpNames(wat).join(" "));
  sameAsNative(wat, [[3, 4], [-7, 9]]);
});

Deno.test("a move whose destination is read between the producer and the move stays", () => {
  // v1 = v0 + 1; store v2 (reads v2); v2 = v1
  const f = ir(3, 0, [
    [Op.enter, 1, 3, 3],
    [Op.i32_add_i, 1, 0, 1],
    [Op.store32, 2, 2, 0, 0],
    [Op.mov, 2, 1],
    [Op.return],
  ]);
  assert.equal(coalesceCopies(f), f);
});

Deno.test("a move whose source is live at a forward branch's target stays", () => {
  // v1 = v0 + 1; v2 = v1; br_if v0 L0; ...; L0: return reads v1 through v0 = v1
  const f = ir(3, 1, [
    [Op.enter, 1, 3, 3],
    [Op.i32_add_i, 1, 0, 1],
    [Op.mov, 2, 1],
    [Op.br_if, 0, 0],
    [Op.store32, 2, 2, 0, 0],
    [LABEL, 0],
    [Op.mov, 0, 1],
    [Op.return],
  ]);
  const out = coalesceCopies(f);
  assert.deepEqual(out.insts.map((i) => i.op), f.insts.map((i) => i.op));
});

Deno.test("a dead source: the producer is retargeted and the move removed, reads renamed", () => {
  // v1 = v0 + 1; store v1; v2 = v1; store v2; return (v1 dead)
  const f = ir(3, 0, [
    [Op.enter, 1, 3, 3],
    [Op.i32_add_i, 1, 0, 1],
    [Op.store32, 0, 1, 0, 0],
    [Op.mov, 2, 1],
    [Op.store32, 0, 2, 4, 0],
    [Op.return],
  ]);
  const out = coalesceCopies(f);
  assert.deepEqual(out.insts.map((i) => [i.op, ...i.operands]), [
    [Op.enter, 1, 3, 3],
    [Op.i32_add_i, 2, 0, 1],
    [Op.store32, 0, 2, 0, 0],
    [Op.store32, 0, 2, 4, 0],
    [Op.return],
  ]);
  assert.equal(f.insts.length, 6); // the input is not changed
});

Deno.test("a swap through a temporary computes the same as native", () => {
  const wat = `(module (func (export "f") (param i32 i32 i32) (result i32) (local i32)
    (loop $l
      (local.set 3 (i32.add (local.get 0) (local.get 1)))
      (local.set 0 (local.get 1))
      (local.set 1 (local.get 3))
      (br_if $l (local.tee 2 (i32.sub (local.get 2) (i32.const 1)))))
    (i32.xor (local.get 0) (local.get 3))))`;
  sameAsNative(wat, [[0, 1, 10], [3, 5, 1], [1, 1, 30]]);
});
