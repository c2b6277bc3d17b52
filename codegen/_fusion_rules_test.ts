import assert from "node:assert/strict";
import { BYTECODE_OPS } from "@capstan/interpreter";
import { FUSION_RULES, LOOP_CLOSERS, SECOND_INCREMENTS } from "./_fusion_rules.ts";

/** Whether `op` is an op of the bytecode table. */
function isOp(op: number): boolean {
  return Number.isInteger(op) && op >= 0 && op < BYTECODE_OPS.length;
}

Deno.test("every fusion rule names bytecode ops, fuses into another op, and says what it matches", () => {
  for (const rule of FUSION_RULES) {
    assert.ok(isOp(rule.on) && isOp(rule.emits), rule.doc);
    assert.notEqual(rule.on, rule.emits, rule.doc);
    assert.ok(rule.doc.length > 0);
  }
});

Deno.test("every loop closer fuses a branch and its increment into an op with (x, step, limit, label)", () => {
  for (const [branch, c] of LOOP_CLOSERS) {
    assert.equal(c.branch, branch);
    assert.ok(isOp(branch) && isOp(c.step) && isOp(c.emits));
    const names = BYTECODE_OPS[c.emits].operands.map((o) => o.kind);
    assert.equal(names.length, 4, BYTECODE_OPS[c.emits].name);
    assert.equal(names[3], "o", BYTECODE_OPS[c.emits].name);
  }
  for (const [closer, fused] of SECOND_INCREMENTS) {
    assert.ok(isOp(closer) && isOp(fused));
    const n = BYTECODE_OPS[closer].operands.length;
    assert.equal(BYTECODE_OPS[fused].operands.length, n + 2, BYTECODE_OPS[fused].name);
  }
});
