/**
 * The stack-switching operators (typed continuations): `cont.new`,
 * `cont.bind`, `suspend`, `resume`, `resume_throw`, `resume_throw_ref` and
 * `switch`, as the VM's ops of the same names (`interpreter/_continuations.ts`
 * runs them).
 *
 * Invariants:
 * - Values pass as at a call: materialised in consecutive registers from a
 *   base (the operand stack's height once they are popped), and what comes
 *   back lands from that base, so a resumed continuation's stack lies above
 *   every live register of this frame.
 * - A resume's handler clauses are one handler record of depth
 *   `RESUME_HANDLER` covering exactly the resume op: an `(on $tag $label)`
 *   clause has a landing pad, after the op and a jump over the pads, which
 *   the VM enters with the tag's values and the new continuation in
 *   registers from the base and which branches to the label as `br` does;
 *   an `(on $tag switch)` clause has `values` -1 and no pad of its own.
 * - Values of every type cross a switch: the VM carries a register slot's
 *   words, v128 register and reference register together. Only
 *   `resume_throw`'s exception refuses a v128 value, as `throw` does (a
 *   clean CompileError: exceptions carry no v128 values).
 *
 * @module
 */

import {
  CompileError,
  type FuncType,
  HeapType,
  ON_LABEL,
  Op as W,
  type RefType,
  refTypeIndex,
  typeIndexRef,
  ValType,
} from "@capstan/environ";
import { Op, RESUME_HANDLER } from "@capstan/interpreter";
import { branch } from "./_control.ts";
import { chargeFuel } from "./_fuel_placement.ts";
import { isGcRef } from "./_gc_support.ts";
import { FrameKind, type OperatorHandler, type TranslatorCore } from "./_translator_core.ts";
import type { IrCatch } from "./ir.ts";

/** The stack-switching operators' translations, by operator key. */
export const CONTINUATION_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map([
  [W.cont_new, contNew],
  [W.cont_bind, contBind],
  [W.suspend, suspend],
  [W.resume, resume],
  [W.resume_throw, resume],
  [W.resume_throw_ref, resume],
  [W.switch, switchOp],
]);

/** The function type of continuation type `index`. */
function contSig(t: TranslatorCore, index: number): FuncType {
  const types = t.env.module.types;
  return types[types[index].cont!];
}

/** Refuses an exception's values with a v128 among them (exceptions carry none). */
function noV128InException(t: TranslatorCore, values: readonly ValType[]): void {
  if (values.includes(ValType.v128)) {
    throw new CompileError("unsupported: a v128 value in an exception", t.offset);
  }
}

/** Pops `n` values, materialised from the base it returns. */
function popValues(t: TranslatorCore, n: number): number {
  const s = t.stack;
  const base = s.height - n;
  t.materializeRange(base, s.height);
  return base;
}

function contNew(t: TranslatorCore): void {
  chargeFuel(t);
  const type = t.r.index;
  const f = t.reg(t.pop());
  t.emit(Op.cont_new, t.L + t.stack.height, f);
  t.pushTemp(contRef(type));
}

/** `(ref $type)`, the type of a new continuation of `$type`. */
function contRef(type: number): ValType {
  return typeIndexRef(type, false, HeapType.cont);
}

function contBind(t: TranslatorCore): void {
  chargeFuel(t);
  const from = contSig(t, t.r.index);
  const to = contSig(t, t.r.index2);
  const n = from.params.length - to.params.length;
  const c = t.reg(t.pop());
  const base = popValues(t, n);
  t.stack.height = base;
  const d = t.L + base;
  t.emit(Op.cont_bind, d, c, t.L + base, n);
  t.pushTemp(contRef(t.r.index2));
}

function suspend(t: TranslatorCore): void {
  chargeFuel(t);
  const tag = t.env.module.types[t.env.module.tags[t.r.index]];
  const base = popValues(t, tag.params.length);
  t.noteRefs(base);
  t.emit(Op.suspend, t.r.index, t.L + base, tag.params.length);
  t.blockEnd();
  t.stack.height = base;
  for (const ty of tag.results) t.pushTemp(ty);
}

function switchOp(t: TranslatorCore): void {
  chargeFuel(t);
  const ct = contSig(t, t.r.index);
  const n = ct.params.length - 1;
  const other = contSig(t, refTypeIndex(ct.params[n] as RefType));
  const c = t.reg(t.pop());
  const base = popValues(t, n);
  t.noteRefs(base);
  t.emit(Op.switch, c, t.L + base, n, t.r.index2);
  t.blockEnd();
  t.stack.height = base;
  for (const ty of other.params) t.pushTemp(ty);
}

/**
 * Whether an `(on $tag $label)` clause needs no landing pad: the label is a
 * block's (a forward branch: a loop's back edge keeps its pad and the
 * branch's time-slice count) whose results start at the resume's base, so
 * the values and the continuation land in them and the branch would move
 * nothing; and no fuel is counted (a pad charges its own).
 */
function padless(t: TranslatorCore, label: number, base: number): boolean {
  const f = t.frame(label);
  return !t.consumeFuel && f.kind !== FrameKind.Loop && f.kind !== FrameKind.Func &&
    f.base === base;
}

/** `resume`, `resume_throw` and `resume_throw_ref`, with their handler clauses. */
function resume(t: TranslatorCore, key: number): void {
  const r = t.r;
  chargeFuel(t);
  const type = r.index;
  const ct = contSig(t, type);
  const clauses: { kind: number; tag: number; label: number }[] = [];
  for (let i = 0; i < r.catchCount; i++) {
    clauses.push({ kind: r.catchKinds[i], tag: r.catchTags[i], label: r.catchLabels[i] });
  }
  const c = t.reg(t.pop());
  let base: number;
  const start = t.newLabel();
  if (key === W.resume_throw_ref) {
    const e = t.reg(t.pop());
    base = t.stack.height;
    t.noteRefs(base);
    t.label(start);
    t.emit(Op.resume_throw_ref, c, t.L + base, e);
  } else if (key === W.resume_throw) {
    const exn = t.env.module.types[t.env.module.tags[r.index2]];
    noV128InException(t, exn.params);
    base = popValues(t, exn.params.length);
    // values of the `any` hierarchy go with the exception (as `throw_gc`), the others' entries nulled
    const gc = exn.params.some(isGcRef);
    if (gc) {
      exn.params.forEach((ty, i) => {
        if (!isGcRef(ty)) t.emit(Op.ref_null, t.L + base + i);
      });
    }
    t.noteRefs(base);
    t.label(start);
    t.emit(gc ? Op.resume_throw_gc : Op.resume_throw, c, t.L + base, exn.params.length, r.index2);
  } else {
    base = popValues(t, ct.params.length);
    t.noteRefs(base);
    t.label(start);
    t.emit(Op.resume, c, t.L + base, ct.params.length);
  }
  t.blockEnd();
  const end = t.newLabel();
  t.label(end);
  const out: IrCatch[] = [];
  const pads = clauses.some((h) => h.kind === ON_LABEL && !padless(t, h.label, base));
  const over = t.newLabel();
  if (pads) {
    t.emit(Op.br, over);
    t.blockEnd();
  }
  for (const h of clauses) {
    const tag = t.env.module.types[t.env.module.tags[h.tag]];
    if (h.kind !== ON_LABEL) {
      out.push({ tag: h.tag, refDst: -1, pad: end, dst: 0, values: -1 });
      continue;
    }
    const values = tag.params.length;
    if (padless(t, h.label, base)) {
      // the values land where the block's results live: the VM goes on at its end directly
      const f = t.frame(h.label);
      f.targeted = true;
      out.push({ tag: h.tag, refDst: t.L + base + values, pad: f.label, dst: t.L + base, values });
      continue;
    }
    const pad = t.newLabel();
    t.label(pad);
    t.stack.height = base;
    const f = t.frame(h.label);
    const labelTypes = f.kind === FrameKind.Loop ? f.params : f.results;
    for (const ty of labelTypes) t.pushTemp(ty);
    const dst = t.L + base;
    out.push({ tag: h.tag, refDst: dst + values, pad, dst, values });
    branch(t, h.label);
  }
  if (pads) t.label(over);
  t.handlers.push({ start, end, depth: RESUME_HANDLER, clauses: out });
  t.stack.height = base;
  for (const ty of ct.results) t.pushTemp(ty);
}
