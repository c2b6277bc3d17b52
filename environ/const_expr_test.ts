/**
 * Tests of {@link evaluateConstExpr}: extended-constant arithmetic wraps as
 * i32/i64 arithmetic does, and a lone non-integer value passes through.
 *
 * @module
 */
import assert from "node:assert/strict";
import { evaluateConstExpr, isConstArith } from "./const_expr.ts";
import type { ConstExpr, ConstLeaf } from "./types.ts";

/** Leaves as the runtime reads them: integers as they are, globals from a list. */
function leaf(globals: (number | bigint)[]) {
  return (i: ConstLeaf): number | bigint | string => {
    switch (i.op) {
      case "i32.const":
      case "i64.const":
        return i.value;
      case "global.get":
        return globals[i.index];
      default:
        return i.op; // the caller's own representation passes through
    }
  };
}

Deno.test("evaluateConstExpr() computes i32 add/sub/mul, wrapping at 32 bits", () => {
  const e: ConstExpr = [
    { op: "i32.const", value: 0x7fffffff },
    { op: "i32.const", value: 1 },
    { op: "i32.add" },
    { op: "global.get", index: 0 },
    { op: "i32.mul" },
    { op: "i32.const", value: 5 },
    { op: "i32.sub" },
  ];
  assert.equal(evaluateConstExpr(e, { leaf: leaf([3]) }), (Math.imul(-0x80000000, 3) - 5) | 0);
  assert.equal(
    evaluateConstExpr([{ op: "i32.const", value: 0x10000 }, { op: "i32.const", value: 0x10000 }, {
      op: "i32.mul",
    }], { leaf: leaf([]) }),
    0,
  );
});

Deno.test("evaluateConstExpr() computes i64 add/sub/mul, wrapping at 64 bits", () => {
  const max = (1n << 63n) - 1n;
  const e: ConstExpr = [
    { op: "global.get", index: 1 },
    { op: "i64.const", value: 1n },
    { op: "i64.add" },
  ];
  assert.equal(evaluateConstExpr(e, { leaf: leaf([0, max]) }), -(1n << 63n));
  assert.equal(
    evaluateConstExpr([
      { op: "i64.const", value: 0n },
      { op: "i64.const", value: 1n },
      {
        op: "i64.sub",
      },
      { op: "i64.const", value: 1n << 62n },
      { op: "i64.mul" },
    ], { leaf: leaf([]) }),
    -(1n << 62n),
  );
});

Deno.test("evaluateConstExpr() passes a single non-integer instruction's value through", () => {
  assert.equal(evaluateConstExpr([{ op: "ref.func", index: 3 }], { leaf: leaf([]) }), "ref.func");
  assert.equal(evaluateConstExpr([{ op: "f32.const", bits: 0 }], { leaf: leaf([]) }), "f32.const");
  assert.ok(isConstArith({ op: "i32.sub" }) && !isConstArith({ op: "global.get", index: 0 }));
});
