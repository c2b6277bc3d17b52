/**
 * Evaluation of constant expressions (global initialisers, segment offsets,
 * element items): one pure function, {@link evaluateConstExpr}, shared by
 * instantiation and by anything else that needs a constant's value.
 *
 * Invariants:
 * - The expression has been validated: every arithmetic instruction finds two
 *   operands of its type below it, and exactly one value remains.
 * - Integer values are plain JS values: an i32 a number (signed 32-bit), an
 *   i64 a bigint (signed 64-bit). Every other value (floats, v128,
 *   references) is whatever the caller's {@link ConstEnv} makes of the
 *   instruction that produced it; it passes through untouched, since only
 *   integers take part in arithmetic.
 *
 * @module
 */

import type { ConstArith, ConstExpr, ConstGc, ConstInstr, ConstLeaf } from "./types.ts";

/** What {@link evaluateConstExpr} asks of its caller. */
export interface ConstEnv<V> {
  /**
   * The value of one non-arithmetic instruction. An i32 must be a number
   * and an i64 a bigint (as {@link evaluateConstExpr} computes with them);
   * other types are the caller's representation.
   */
  leaf(instr: ConstLeaf): V | number | bigint;
  /**
   * The value of a GC instruction (allocation, `ref.i31`, conversion): it
   * pops its own operands from `stack` (the values below it, last on top).
   * Absent: expressions holding one are refused with a `RangeError`.
   */
  gc?(instr: ConstGc, stack: (V | number | bigint)[]): V | number | bigint;
}

/**
 * The value of a validated constant expression.
 *
 * @typeParam V the caller's representation of non-integer values
 * @param expr the expression
 * @param env gives the value of each constant, `ref.*` and `global.get`
 * @returns the one value the expression leaves
 * @example
 * ```ts
 * import { evaluateConstExpr } from "@capstan/environ";
 * const v = evaluateConstExpr(
 *   [{ op: "i32.const", value: 6 }, { op: "global.get", index: 0 }, { op: "i32.mul" }],
 *   { leaf: (i) => (i.op === "i32.const" ? i.value : 7) },
 * );
 * if (v !== 42) throw new Error();
 * ```
 */
export function evaluateConstExpr<V>(expr: ConstExpr, env: ConstEnv<V>): V | number | bigint {
  if (expr.length === 1 && !isConstGc(expr[0])) return env.leaf(expr[0] as ConstLeaf);
  const stack: (V | number | bigint)[] = [];
  for (const instr of expr) {
    if (isConstGc(instr)) {
      if (env.gc === undefined) throw new RangeError(`unsupported constant ${instr.op}`);
      stack.push(env.gc(instr, stack));
      continue;
    }
    if (!isConstArith(instr)) {
      stack.push(env.leaf(instr));
      continue;
    }
    const b = stack.pop()!;
    const a = stack.pop()!;
    stack.push(arith(instr.op, a as number | bigint, b as number | bigint));
  }
  return stack[stack.length - 1];
}

/** The extended-constant arithmetic instructions. */
const ARITH: ReadonlySet<string> = new Set<ConstArith["op"]>([
  "i32.add",
  "i32.sub",
  "i32.mul",
  "i64.add",
  "i64.sub",
  "i64.mul",
]);

/**
 * Whether an instruction is extended-constant arithmetic.
 *
 * @param instr an instruction of a constant expression
 * @returns true for `i32/i64.add/sub/mul`
 * @example
 * ```ts
 * import { isConstArith } from "@capstan/environ";
 * if (!isConstArith({ op: "i64.mul" }) || isConstArith({ op: "ref.func", index: 0 })) {
 *   throw new Error();
 * }
 * ```
 */
export function isConstArith(instr: ConstInstr): instr is ConstArith {
  return ARITH.has(instr.op);
}

/** The GC instructions of constant expressions. */
const GC: ReadonlySet<string> = new Set<ConstGc["op"]>([
  "struct.new",
  "struct.new_default",
  "array.new",
  "array.new_default",
  "array.new_fixed",
  "ref.i31",
  "any.convert_extern",
  "extern.convert_any",
]);

/**
 * Whether an instruction is a GC instruction of a constant expression.
 *
 * @param instr an instruction of a constant expression
 * @returns true for the allocations, `ref.i31` and the conversions
 * @example
 * ```ts
 * import { isConstGc } from "@capstan/environ";
 * if (!isConstGc({ op: "ref.i31", type: -1, count: 0 })) throw new Error();
 * ```
 */
export function isConstGc(instr: ConstInstr): instr is ConstGc {
  return GC.has(instr.op);
}

/** One arithmetic instruction on two integers of its type, wrapping. */
function arith(op: ConstArith["op"], a: number | bigint, b: number | bigint): number | bigint {
  switch (op) {
    case "i32.add":
      return ((a as number) + (b as number)) | 0;
    case "i32.sub":
      return ((a as number) - (b as number)) | 0;
    case "i32.mul":
      return Math.imul(a as number, b as number);
    case "i64.add":
      return BigInt.asIntN(64, (a as bigint) + (b as bigint));
    case "i64.sub":
      return BigInt.asIntN(64, (a as bigint) - (b as bigint));
    case "i64.mul":
      return BigInt.asIntN(64, (a as bigint) * (b as bigint));
  }
}
