import assert from "node:assert/strict";
import { ValType } from "@capstan/environ";
import { Operand, OperandStack } from "./_operand_stack.ts";

Deno.test("OperandStack names each kind's fields: local index, constant words, deferred base, shift and addend", () => {
  const s = new OperandStack();
  s.pushLocal(3, ValType.i64);
  s.pushConst(ValType.i64, -1, 0x7fffffff);
  s.pushAddImm(2, 40);
  s.pushShl(5, 3, -8);
  s.pushTemp(ValType.f32);
  assert.equal(s.height, 5);
  assert.deepEqual([0, 1, 2, 3, 4].map((p) => s.kind(p)), [
    Operand.Local,
    Operand.Const,
    Operand.AddImm,
    Operand.Shl,
    Operand.Temp,
  ]);
  assert.equal(s.localIndex(0), 3);
  assert.equal(s.type(0), ValType.i64);
  assert.deepEqual([s.constLo(1), s.constHi(1)], [-1, 0x7fffffff]);
  assert.deepEqual([s.base(2), s.addend(2), s.type(2)], [2, 40, ValType.i32]);
  assert.deepEqual([s.base(3), s.shift(3), s.addend(3)], [5, 3, -8]);
  assert.ok(s.reads(0, 3) && s.reads(2, 2) && s.reads(3, 5));
  assert.ok(!s.reads(1, -1) && !s.reads(4, 0) && !s.reads(3, 3));
  assert.ok(s.isDeferredRead(0) && s.isDeferredRead(3) && !s.isDeferredRead(1));
});

Deno.test("OperandStack.pop keeps the entry readable and unpop restores it unchanged", () => {
  const s = new OperandStack();
  s.pushShl(4, 2, 12);
  const pos = s.pop();
  assert.equal(s.height, 0);
  s.unpop();
  assert.equal(s.height, 1);
  assert.deepEqual([s.kind(pos), s.base(pos), s.shift(pos), s.addend(pos)], [
    Operand.Shl,
    4,
    2,
    12,
  ]);
  s.setTemp(pos);
  assert.equal(s.kind(pos), Operand.Temp);
  assert.equal(s.maxHeight, 1);
  s.reset();
  assert.deepEqual([s.height, s.maxHeight], [0, 0]);
});
