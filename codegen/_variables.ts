/**
 * The variable and parametric operators: `local.get/set/tee`,
 * `global.get/set`, `drop`, `select`. A `local.get` costs nothing (the entry
 * refers to the local), and a `local.set` right after the instruction that
 * computed its value retargets that instruction.
 *
 * Invariants:
 * - Before local `x` is written, every entry still on the stack that reads
 *   it is materialised, so it keeps the value it had when pushed.
 * - A local `enter` zeroed and nothing has written since (straight-line
 *   code only) needs no store of a zero.
 *
 * @module
 */

import { Operand } from "./_operand_stack.ts";
import type { OperatorHandler, TranslatorCore } from "./_translator_core.ts";
import { Op as W, ValType } from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import { isGcRef } from "./_gc_support.ts";
import { is64 } from "./func_environ.ts";

/** The variable and parametric operators' translations, by operator key. */
export const VARIABLE_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map([
  [W.drop, (t) => void t.pop()],
  [W.select, select],
  [W.select_t, select],
  [W.local_get, (t) => t.stack.pushLocal(t.r.index, t.localTypes[t.r.index])],
  [W.local_set, (t) => localSet(t, t.r.index)],
  [W.local_tee, localTee],
  [W.global_get, globalGet],
  [W.global_set, globalSet],
]);

function select(t: TranslatorCore): void {
  const c = t.pop();
  const b = t.pop();
  const a = t.pop();
  const type = t.stack.type(a);
  const rc = t.reg(c);
  const rb = t.reg(b);
  const ra = t.reg(a);
  const d = t.pushTemp(type);
  const op = type === ValType.v128
    ? Op.v128_select
    : isGcRef(type)
    ? Op.ref_select
    : is64(type)
    ? Op.select64
    : Op.select;
  t.emit(op, d, rc, ra, rb);
}

function localTee(t: TranslatorCore): void {
  const x = t.r.index;
  localSet(t, x);
  t.stack.pushLocal(x, t.localTypes[x]);
}

function globalGet(t: TranslatorCore): void {
  const env = t.env;
  const ty = env.globalType(t.r.index);
  const d = t.pushTemp(ty);
  const op = ty === ValType.v128
    ? Op.v128_global_get
    : isGcRef(ty)
    ? Op.ref_global_get
    : is64(ty)
    ? Op.global_get64
    : Op.global_get;
  t.emit(op, d, env.globalWord(t.r.index));
}

function globalSet(t: TranslatorCore): void {
  const env = t.env;
  const ty = env.globalType(t.r.index);
  const v = t.reg(t.pop());
  const op = ty === ValType.v128
    ? Op.v128_global_set
    : isGcRef(ty)
    ? Op.ref_global_set
    : is64(ty)
    ? Op.global_set64
    : Op.global_set;
  t.emit(op, env.globalWord(t.r.index), v);
}

/** Pops the top entry into local `x`. */
function localSet(t: TranslatorCore, x: number): void {
  const s = t.stack;
  const pos = t.pop();
  if (t.knownZero[x] === 1) {
    // `enter` zeroed it and nothing wrote it since: storing a zero changes nothing
    if (s.kind(pos) === Operand.Const && s.constLo(pos) === 0 && s.constHi(pos) === 0) return;
    t.knownZero[x] = 0;
  }
  // entries still on the stack that read local x must keep its old value
  for (let p = 0; p < s.height; p++) {
    if (s.reads(p, x)) t.materialize(p);
  }
  if (t.retargetLast(pos, x)) return;
  if (s.kind(pos) === Operand.Local && s.localIndex(pos) === x) return;
  t.consumeInto(x, pos);
}
