/**
 * The reference and table operators: `ref.null`, `ref.is_null`,
 * `ref.func`, `table.get/set/size`, and the bulk table operators (builtin
 * calls). A null reference is the constant 0; a function reference is its
 * handle, loaded from the vmctx.
 *
 * @module
 */

import { unop } from "./_numeric.ts";
import type { OperatorHandler, TranslatorCore } from "./_translator_core.ts";
import { BuiltinFunctionIndex as B, Op as W, ValType } from "@capstan/environ";
import { Op } from "@capstan/interpreter";

/** The reference and table operators' translations, by operator key. */
export const REFERENCE_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map([
  [W.ref_null, (t) => t.stack.pushConst(t.r.refType as ValType, 0, 0)],
  [W.ref_is_null, (t) => unop(t, Op.i32_eqz, ValType.i32)],
  [W.ref_func, refFunc],
  [W.table_get, tableGet],
  [W.table_set, tableSet],
  [W.table_size, tableSize],
  [W.table_grow, (t) => t.builtin(B.table_grow, t.r.index, 0, 2, ValType.i32)],
  [W.table_fill, (t) => t.builtin(B.table_fill, t.r.index, 0, 3)],
  [W.table_copy, (t) => t.builtin(B.table_copy, t.r.index, t.r.index2, 3)],
  [W.table_init, (t) => t.builtin(B.table_init, t.r.index2, t.r.index, 3)],
  [W.elem_drop, (t) => t.builtin(B.elem_drop, t.r.index, 0, 0)],
]);

function refFunc(t: TranslatorCore): void {
  const d = t.pushTemp(ValType.funcref);
  t.emit(Op.vmctx_load, d, t.env.funcHandleWord(t.r.index));
}

function tableGet(t: TranslatorCore): void {
  const i = t.reg(t.pop());
  const d = t.pushTemp(t.env.module.tables[t.r.index].element);
  t.emit(Op.table_get, d, t.r.index, i);
}

function tableSet(t: TranslatorCore): void {
  const v = t.pop();
  const i = t.pop();
  const rv = t.reg(v);
  t.emit(Op.table_set, t.r.index, t.reg(i), rv);
}

function tableSize(t: TranslatorCore): void {
  const d = t.pushTemp(ValType.i32);
  t.emit(Op.table_size, d, t.r.index);
}
