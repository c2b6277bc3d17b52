/**
 * Per-op operand positions derived once from the bytecode op table, for the
 * passes that walk every instruction's operands (constant placement, label
 * use, lowering): an array lookup instead of a scan of operand kinds.
 *
 * @module
 */

import { BYTECODE_OPS } from "@capstan/interpreter";

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
