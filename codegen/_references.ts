/**
 * The reference and table operators: `ref.null`, `ref.is_null`,
 * `ref.func`, `ref.as_non_null`, `table.get/set/size`, and the bulk table operators (builtin
 * calls). A null reference is the constant 0; a function reference is its
 * handle, loaded from the vmctx.
 *
 * A 64-bit table's (table64) indices and lengths are narrowed to i32 by
 * `table_index64` before the table ops, which then run as for a 32-bit
 * table: an index of 2^32 or more becomes 0xffffffff, past every table the
 * runtime can allocate, so it traps (or fails to grow) as the i64 would.
 * Sizes come back widened to i64.
 *
 * @module
 */

import { unop } from "./_numeric.ts";
import { isGcRef } from "./_gc_support.ts";
import type { OperatorHandler, TranslatorCore } from "./_translator_core.ts";
import { chargeFuel } from "./_fuel_placement.ts";
import { BuiltinFunctionIndex as B, Op as W, TrapCode, ValType } from "@capstan/environ";
import { Op } from "@capstan/interpreter";

/** The reference and table operators' translations, by operator key. */
export const REFERENCE_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map([
  [W.ref_null, (t) => t.stack.pushConst(t.r.refType as ValType, 0, 0)],
  [W.ref_is_null, refIsNull],
  [W.ref_func, refFunc],
  [W.ref_as_non_null, refAsNonNull],
  [W.table_get, tableGet],
  [W.table_set, tableSet],
  [W.table_size, tableSize],
  [W.table_grow, tableGrow],
  [W.table_fill, (t) => tableBuiltin(t, B.table_fill, t.r.index, 0, [t.r.index, -1, t.r.index])],
  [W.table_copy, tableCopy],
  [W.table_init, (t) => tableBuiltin(t, B.table_init, t.r.index2, t.r.index, [t.r.index2, -1, -1])],
  [W.elem_drop, (t) => t.builtin(B.elem_drop, t.r.index, 0, 0)],
]);

/** `ref.is_null`: a test of the numeric handle, or of the ref file for the `any` hierarchy. */
function refIsNull(t: TranslatorCore): void {
  const s = t.stack;
  if (!isGcRef(s.type(s.height - 1))) {
    unop(t, Op.i32_eqz, ValType.i32);
    return;
  }
  const r = t.reg(t.pop());
  t.emit(Op.ref_is_null_any, t.pushTemp(ValType.i32), r);
}

function refFunc(t: TranslatorCore): void {
  const d = t.pushTemp(ValType.funcref);
  t.emit(Op.vmctx_load, d, t.env.funcHandleWord(t.r.index));
}

/** `ref.as_non_null`: traps on a null reference, else leaves it on the stack. */
function refAsNonNull(t: TranslatorCore): void {
  chargeFuel(t);
  const gc = isGcRef(t.stack.type(t.stack.height - 1));
  const r = t.reg(t.stack.height - 1);
  const skip = t.newLabel();
  t.emit(gc ? Op.br_ref_nonnull : Op.br_if, r, skip);
  t.emit(Op.trap, TrapCode.NullReference);
  t.blockEnd();
  t.label(skip);
}

/** Whether table `index` is a 64-bit table. */
function isTable64(t: TranslatorCore, index: number): boolean {
  return t.env.module.tables[index].address64 === true;
}

/**
 * The register holding stack entry `pos`'s value (in register `reg`) as a
 * 32-bit table index or length: `reg` itself for a 32-bit table, else its
 * narrowing into the entry's own slot (`pos` must be popped or materialised,
 * its slot free to overwrite).
 *
 * @param t the translator
 * @param table the table index
 * @param pos the operand's stack position
 * @param reg the operand's register
 * @returns the register to read
 */
export function narrowTableIndex(
  t: TranslatorCore,
  table: number,
  pos: number,
  reg: number,
): number {
  if (!isTable64(t, table)) return reg;
  t.emit(Op.table_index64, t.L + pos, reg);
  return t.L + pos;
}

/**
 * Calls a table builtin whose operands are on the stack; `tables[i]` names
 * the table whose address type operand `i` has (-1: always i32).
 */
function tableBuiltin(
  t: TranslatorCore,
  id: number,
  s0: number,
  s1: number,
  tables: readonly number[],
  result?: ValType,
): void {
  const base = t.stack.height - tables.length;
  t.materializeRange(base, t.stack.height);
  for (let i = 0; i < tables.length; i++) {
    if (tables[i] >= 0) narrowTableIndex(t, tables[i], base + i, t.L + base + i);
  }
  t.builtin(id, s0, s1, tables.length, result);
}

function tableGrow(t: TranslatorCore): void {
  const table = t.r.index;
  tableBuiltin(t, B.table_grow, table, 0, [-1, table], ValType.i32);
  // the old size, or -1: sign-extended to i64 for a 64-bit table
  if (isTable64(t, table)) widen(t, Op.i64_extend_i32_s);
}

function tableCopy(t: TranslatorCore): void {
  const [dst, src] = [t.r.index, t.r.index2];
  // the length is i64 only when both tables are 64-bit
  const n = isTable64(t, dst) && isTable64(t, src) ? dst : -1;
  tableBuiltin(t, B.table_copy, dst, src, [dst, src, n]);
}

/** Replaces the i32 on top of the stack with its extension `op` to i64. */
function widen(t: TranslatorCore, op: number): void {
  const r = t.reg(t.pop());
  const d = t.pushTemp(ValType.i64);
  t.emit(op, d, r);
}

function tableGet(t: TranslatorCore): void {
  const pos = t.pop();
  const i = narrowTableIndex(t, t.r.index, pos, t.reg(pos));
  const d = t.pushTemp(t.env.module.tables[t.r.index].element);
  t.emit(Op.table_get, d, t.r.index, i);
}

function tableSet(t: TranslatorCore): void {
  const v = t.pop();
  const i = t.pop();
  const rv = t.reg(v);
  const ri = narrowTableIndex(t, t.r.index, i, t.reg(i));
  t.emit(Op.table_set, t.r.index, ri, rv);
}

function tableSize(t: TranslatorCore): void {
  const d = t.pushTemp(ValType.i32);
  t.emit(Op.table_size, d, t.r.index);
  if (isTable64(t, t.r.index)) widen(t, Op.i64_extend_i32_u);
}
