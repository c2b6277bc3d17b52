/**
 * The threads proposal's operators (the `0xFE` prefix): each becomes one
 * bytecode op naming the wasm sub-opcode, its memory and its 64-bit offset —
 * `atomic` for the operators with a result (loads, read-modify-writes,
 * compare-exchanges, wait, notify), `atomic_store` for stores and the fence.
 * The interpreter's `atomics.ts` runs them.
 *
 * Invariants:
 * - Operands are read in wasm order (address first); an operand the
 *   operator does not have is register 0, which the op never reads.
 *
 * @module
 */

import type { OperatorHandler, TranslatorCore } from "./_translator_core.ts";
import { OPS, type ValType } from "@capstan/environ";
import { Op } from "@capstan/interpreter";

/** The threads operators' translations, by operator key. */
export const ATOMIC_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map(
  OPS.filter((op) => op.prefix === 0xfe).map((op): [number, OperatorHandler] => [
    (op.prefix << 16) | op.code,
    (t) => atomic(t, op.code, op.sig![0].length, op.sig![1][0]),
  ]),
);

function atomic(
  t: TranslatorCore,
  sub: number,
  operands: number,
  result: ValType | undefined,
): void {
  const pos: number[] = [];
  for (let i = 0; i < operands; i++) pos.unshift(t.pop());
  const regs = pos.map((p) => t.reg(p));
  const [a = 0, b = 0, c = 0] = regs;
  const { memIndex: mem, memOffset: lo, memOffsetHi: hi } = t.r;
  if (result === undefined) {
    t.emit(Op.atomic_store, sub, a, b, mem, lo | 0, hi | 0);
    return;
  }
  const d = t.pushTemp(result);
  t.emit(Op.atomic, d, sub, a, b, c, mem, lo | 0, hi | 0);
}
