/**
 * Per-op facts derived once from the bytecode op table: operand positions,
 * for the passes that walk every instruction's operands (constant placement,
 * label use, lowering), an array lookup instead of a scan of operand kinds;
 * and the i32 compares with the branch ops that fuse them.
 *
 * @module
 */

import { BYTECODE_OPS, bytecodeOpByName } from "@capstan/interpreter";

/** For each op, the positions of its register (`r`) operands. */
export const REG_OPERANDS: readonly (readonly number[])[] = BYTECODE_OPS.map((op) =>
  op.operands.flatMap((o, k) => (o.kind === "r" ? [k] : []))
);

/** For each op, whether its first operand is the register it computes its value into (`d`). */
export const WRITES_FIRST: readonly boolean[] = BYTECODE_OPS.map((op) =>
  op.operands.length > 0 && op.operands[0].name === "d" && op.operands[0].kind === "r"
);

/** For each op, the positions of its branch operands: offsets (`o`) and tables (`t`). */
export const LABEL_OPERANDS: readonly (readonly number[])[] = BYTECODE_OPS.map((op) =>
  op.operands.flatMap((o, k) => (o.kind === "o" || o.kind === "t" ? [k] : []))
);

/** An i32 compare op's condition, and the branch op that tests it (or its negation) directly. */
export interface CompareShape {
  /** The condition's name ("eq", "lt_s", ...). */
  readonly cond: string;
  /** Whether the compare's second operand is an immediate (`i32_<cond>_i`). */
  readonly imm: boolean;
  /** `br_<cond>[_i]`: taken when the condition holds. */
  readonly branch: number;
  /** The branch taken when the condition does not hold. */
  readonly negatedBranch: number;
}

/** Negation of each i32 compare condition. */
const NEGATE: Record<string, string> = {
  eq: "ne",
  ne: "eq",
  lt_s: "ge_s",
  ge_s: "lt_s",
  lt_u: "ge_u",
  ge_u: "lt_u",
  gt_s: "le_s",
  le_s: "gt_s",
  gt_u: "le_u",
  le_u: "gt_u",
};

/** Each i32 compare condition with its operands swapped (`a < b` is `b > a`). */
export const SWAPPED_CONDITION: Readonly<Record<string, string>> = {
  eq: "eq",
  ne: "ne",
  lt_s: "gt_s",
  gt_s: "lt_s",
  lt_u: "gt_u",
  gt_u: "lt_u",
  le_s: "ge_s",
  ge_s: "le_s",
  le_u: "ge_u",
  ge_u: "le_u",
};

/**
 * The code of the bytecode op named `name`.
 *
 * @param name an op name
 * @returns its code, or -1 when there is none
 */
export function opCode(name: string): number {
  const info = bytecodeOpByName(name);
  return info === undefined ? -1 : info.code;
}

/** For each i32 compare op code (`i32_<cond>`, `i32_<cond>_i`): its shape. */
export const COMPARES: ReadonlyMap<number, CompareShape> = new Map(
  Object.keys(NEGATE).flatMap((cond) =>
    [false, true].map((imm): [number, CompareShape] => {
      const i = imm ? "_i" : "";
      const shape = {
        cond,
        imm,
        branch: opCode(`br_${cond}${i}`),
        negatedBranch: opCode(`br_${NEGATE[cond]}${i}`),
      };
      return [opCode(`i32_${cond}${i}`), shape];
    })
  ),
);
