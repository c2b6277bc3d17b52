/**
 * The control operators: blocks, loops, ifs, branches, returns, calls and
 * `unreachable`. Compare-then-branch pairs become one `br_<cmp>` op (and a
 * loop's increment joins them: `LOOP_CLOSERS` in `_fusion_rules.ts`).
 *
 * Invariants:
 * - At every label, all entries that a branch may carry are temporaries in
 *   their registers, and no entry refers to a local (entries referring to a
 *   local are materialised at block entry and before that local is written).
 * - Fuel counted so far is charged before every control transfer (calls and
 *   returns charge it themselves), after the moves that precede a branch
 *   (they cannot trap), so the charge fuses into the branch.
 *
 * @module
 */

import { COMPARES } from "./_op_shapes.ts";
import { Operand } from "./_operand_stack.ts";
import { chargeFuel } from "./_fuel_placement.ts";
import { fuseLoopCloser } from "./_fusion_rules.ts";
import {
  type Frame,
  FrameKind,
  type OperatorHandler,
  resultReg,
  type TranslatorCore,
} from "./_translator_core.ts";
import {
  CompileError,
  type FuncType,
  isNullable,
  Op as W,
  TrapCode,
  ValType,
  withNullable,
} from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import { is64 } from "./func_environ.ts";
import { isGcRef } from "./_gc_support.ts";
import { emitRefTest, heapOperand } from "./_gc.ts";
import { narrowTableIndex } from "./_references.ts";
import { DELEGATE, type IrCatch } from "./ir.ts";

/** The control operators' translations, by operator key. */
export const CONTROL_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map([
  [W.unreachable, unreachable],
  [W.nop, () => {}],
  [W.block, (t) => void t.frames.push(enterBlock(t, FrameKind.Block))],
  [W.loop, loop],
  [W.if, ifOp],
  [W.else, elseBranch],
  [W.end, endBlock],
  [W.br, br],
  [W.br_if, brIf],
  [W.br_table, brTable],
  [W.return, returnOp],
  [W.call, call],
  [W.call_indirect, callIndirect],
  [W.return_call, returnCall],
  [W.return_call_indirect, returnCallIndirect],
  [W.call_ref, callRef],
  [W.return_call_ref, returnCallRef],
  [W.br_on_null, brOnNull],
  [W.br_on_non_null, brOnNonNull],
  [W.br_on_cast, (t) => brOnCast(t, false)],
  [W.br_on_cast_fail, (t) => brOnCast(t, true)],
  [W.try_table, tryTable],
  [W.try, legacyTry],
  [W.catch, legacyCatch],
  [W.catch_all, legacyCatch],
  [W.delegate, legacyDelegate],
  [W.rethrow, legacyRethrow],
  [W.throw, throwOp],
  [W.throw_ref, throwRef],
]);

/** `(ref exn)`: what a `_ref` catch clause passes after the tag's values. */
const EXN_NON_NULL = withNullable(ValType.exnref, false);

/**
 * `try_table`: a block whose code is protected by its catch clauses (an
 * exception handler recorded when the block ends, see {@link catchPads}).
 */
function tryTable(t: TranslatorCore): void {
  const r = t.r;
  const catches = [];
  for (let i = 0; i < r.catchCount; i++) {
    catches.push({ kind: r.catchKinds[i], tag: r.catchTags[i], depth: r.catchLabels[i] });
  }
  const f = enterBlock(t, FrameKind.Block);
  f.catches = catches;
  f.start = t.newLabel();
  t.label(f.start);
  t.frames.push(f);
}

/**
 * A legacy `try`: a block whose body its `catch` / `catch_all` arms protect
 * (a handler recorded when the block ends, {@link legacyEnd}), or which
 * `delegate` ends.
 */
function legacyTry(t: TranslatorCore): void {
  const f = enterBlock(t, FrameKind.Block);
  f.legacy = { exnReg: t.nextTryLocal++, bodyEnd: -1, clauses: [], rethrown: false };
  f.start = t.newLabel();
  t.label(f.start);
  t.frames.push(f);
}

/**
 * `catch x` / `catch_all`: ends the body or the previous arm (as `else`
 * ends a then-arm) and starts an arm, entered from its landing pad with the
 * tag's values in registers from the block's base and the exception's
 * reference in the try's hidden local.
 *
 * @param t the translator
 * @param key the operator (`catch` or `catch_all`)
 */
export function legacyCatch(t: TranslatorCore, key: number): void {
  const f = t.frames[t.frames.length - 1];
  const legacy = f.legacy!;
  if (!f.unreachable) {
    fallthroughMoves(t, f);
    f.targeted = true;
    chargeFuel(t);
    t.emit(Op.br, f.label);
    t.blockEnd();
  } else chargeFuel(t);
  if (legacy.bodyEnd < 0) {
    legacy.bodyEnd = t.newLabel();
    t.label(legacy.bodyEnd);
  }
  const tag = key === W.catch ? t.r.index : -1;
  const values = tag >= 0 ? tagParams(t, tag) : [];
  const pad = t.newLabel();
  t.label(pad);
  t.stack.height = f.base;
  for (const ty of values) t.pushTemp(ty);
  legacy.clauses.push({
    tag,
    refDst: legacy.exnReg,
    pad,
    dst: t.L + f.base,
    values: values.length,
  });
  f.unreachable = false;
}

/** At a legacy `try`'s end: the handler of its body, when it has arms. */
function legacyEnd(t: TranslatorCore, f: Frame): void {
  const legacy = f.legacy!;
  if (legacy.clauses.length === 0) return;
  // without a rethrow, the arms need no reference (and the VM allocates no handle)
  if (!legacy.rethrown) { for (const c of legacy.clauses) c.refDst = -1; }
  t.handlers.push({
    start: f.start!,
    end: legacy.bodyEnd,
    depth: t.frames.length,
    clauses: legacy.clauses,
  });
}

/**
 * `delegate l`: ends a `try` without arms; an exception from its body goes
 * on to the handlers of the frame `l` labels (counted outside the try) and
 * of the frames outside it, skipping those in between.
 *
 * @param t the translator
 */
export function legacyDelegate(t: TranslatorCore): void {
  const f = t.frames[t.frames.length - 1];
  const end = t.newLabel();
  t.label(end);
  const target = t.frames.length - 2 - t.r.index;
  const clause = { tag: DELEGATE, refDst: -1, pad: target, dst: 0, values: 0 };
  t.handlers.push({ start: f.start!, end, depth: t.frames.length - 1, clauses: [clause] });
  endBlock(t);
}

/** `rethrow l`: throws again the exception the arm of the `try` at label l caught. */
function legacyRethrow(t: TranslatorCore): void {
  chargeFuel(t);
  const legacy = t.frame(t.r.index).legacy!;
  legacy.rethrown = true;
  t.emit(Op.throw_ref, legacy.exnReg);
  t.blockEnd();
  t.setUnreachable();
}

/** The value types tag `x` carries. */
function tagParams(t: TranslatorCore, x: number): readonly ValType[] {
  const params = t.env.module.types[t.env.module.tags[x]].params;
  if (params.includes(ValType.v128)) {
    throw new CompileError("unsupported: a v128 value in an exception", t.offset);
  }
  return params;
}

/**
 * `throw x`: the tag's values, materialised from `base`, become the
 * exception's. A tag with values of the `any` hierarchy throws with
 * `throw_gc`, which takes the ref-file entries of those registers too; the
 * entries of its other values are nulled first, so the exception holds no
 * stale reference.
 */
function throwOp(t: TranslatorCore): void {
  const s = t.stack;
  chargeFuel(t);
  const params = tagParams(t, t.r.index);
  const n = params.length;
  const base = s.height - n;
  t.materializeRange(base, s.height);
  if (params.some(isGcRef)) {
    params.forEach((ty, i) => {
      if (!isGcRef(ty)) t.emit(Op.ref_null, t.L + base + i);
    });
    t.emit(Op.throw_gc, t.r.index, t.L + base, n);
  } else t.emit(Op.throw, t.r.index, t.L + base, n);
  t.blockEnd();
  t.setUnreachable();
}

function throwRef(t: TranslatorCore): void {
  chargeFuel(t);
  const r = t.reg(t.pop());
  t.emit(Op.throw_ref, r);
  t.blockEnd();
  t.setUnreachable();
}

/**
 * At a `try_table`'s end (its frame popped, its fall-through moves made):
 * closes its protected code, then writes one landing pad per catch clause,
 * which the VM enters with the clause's values in registers from the
 * block's base, and which branches to the clause's label as `br` would.
 */
function catchPads(t: TranslatorCore, f: Frame, fallthrough: boolean): void {
  if (fallthrough) {
    f.targeted = true;
    t.emit(Op.br, f.label);
    t.blockEnd();
  }
  const end = t.newLabel();
  t.label(end);
  const clauses: IrCatch[] = [];
  for (const c of f.catches!) {
    const pad = t.newLabel();
    t.label(pad);
    t.stack.height = f.base;
    const values = c.kind < 2 ? tagParams(t, c.tag) : [];
    for (const ty of values) t.pushTemp(ty);
    const dst = t.L + f.base;
    const ref = c.kind === 1 || c.kind === 3;
    if (ref) t.pushTemp(EXN_NON_NULL);
    clauses.push({
      tag: c.kind < 2 ? c.tag : -1,
      refDst: ref ? dst + values.length : -1,
      pad,
      dst,
      values: values.length,
    });
    branch(t, c.depth);
  }
  t.handlers.push({ start: f.start!, end, depth: t.frames.length, clauses });
}

function unreachable(t: TranslatorCore): void {
  chargeFuel(t);
  t.emit(Op.trap, TrapCode.Unreachable);
  t.blockEnd();
  t.setUnreachable();
}

function loop(t: TranslatorCore): void {
  const f = enterBlock(t, FrameKind.Loop);
  t.loopDepth++;
  t.label(f.label);
  t.frames.push(f);
}

function ifOp(t: TranslatorCore): void {
  const s = t.stack;
  const [params, results] = t.blockType();
  chargeFuel(t);
  // The condition is on top; materialise below it first, then branch.
  const condPos = s.height - 1;
  const lastDef = t.lastDef;
  const lastLen = t.insts.length;
  const condKind = s.kind(condPos);
  s.pop();
  const lastIns = t.insts[lastLen - 1];
  const fusible = condKind === Operand.Temp && lastDef === lastLen - 1 && lastDef > 0 &&
    (COMPARES.has(lastIns.op) || TESTS.has(lastIns.op)) &&
    lastIns.operands[0] === t.L + condPos;
  // take the compare back so the moves go before it, then put it back and fuse
  const saved = fusible ? t.retract() : undefined;
  t.materializeLocals();
  t.materializeRange(s.height - params.length, s.height);
  const f: Frame = {
    kind: FrameKind.If,
    label: t.newLabel(),
    elseLabel: t.newLabel(),
    base: s.height - params.length,
    params,
    results,
    unreachable: false,
    targeted: false,
  };
  if (saved !== undefined) t.reinsert(saved);
  s.unpop();
  condJump(t, f.elseLabel, true);
  t.frames.push(f);
}

function br(t: TranslatorCore): void {
  branch(t, t.r.index); // charges the pending fuel
  t.setUnreachable();
}

function brIf(t: TranslatorCore): void {
  const s = t.stack;
  const depth = t.r.index;
  const f = t.frame(depth);
  // condition on top; the branch values are below it
  s.height--;
  const moves = needsMoves(t, f);
  s.height++;
  chargeFuel(t);
  if (!moves) {
    if (f.kind !== FrameKind.Loop) f.targeted = true;
    condJump(t, f.label, false);
  } else {
    const skip = t.newLabel();
    condJump(t, skip, true);
    branch(t, depth);
    t.label(skip);
  }
}

function brTable(t: TranslatorCore): void {
  const r = t.r;
  chargeFuel(t);
  const n = r.targetCount;
  const depths = [...r.targets.subarray(0, n), r.index];
  const ri = t.reg(t.pop());
  const labels: number[] = [];
  const stubs = new Map<number, number>();
  for (const d of depths) {
    const f = t.frame(d);
    if (!needsMoves(t, f)) {
      if (f.kind !== FrameKind.Loop) f.targeted = true;
      labels.push(f.label);
    } else {
      let s = stubs.get(d);
      if (s === undefined) {
        s = t.newLabel();
        stubs.set(d, s);
      }
      labels.push(s);
    }
  }
  t.emit(Op.br_table, ri, labels);
  t.blockEnd();
  for (const [d, s] of stubs) {
    t.label(s);
    branch(t, d);
  }
  t.setUnreachable();
}

function returnOp(t: TranslatorCore): void {
  returnFrom(t); // charges the pending fuel
  t.setUnreachable();
}

function call(t: TranslatorCore): void {
  const env = t.env;
  const s = t.stack;
  const f = t.r.index;
  // with fuel on, a call to this module charges the pending fuel itself
  const own = t.consumeFuel && !env.isImported(f);
  const fuel = own ? t.fuel : 0;
  if (own) t.fuel = 0;
  else chargeFuel(t);
  const sig = env.funcType(f);
  const base = s.height - sig.params.length;
  const last = s.height - 1;
  // a last argument `x + v` not yet computed is computed by the call itself
  // (with fuel on too: then it also charges as call_fuel does)
  const addArg = !env.isImported(f) && base <= last && s.kind(last) === Operand.AddImm &&
    t.superInstructions;
  t.materializeRange(base, addArg ? last : s.height);
  t.noteRefs(base);
  if (env.isImported(f)) t.emit(Op.call_import, env.funcHandleWord(f), t.L + base);
  else if (addArg) {
    const [a, v] = [s.base(last), s.addend(last)];
    if (own) t.emit(Op.call_add_i_fuel, f, t.L + base, t.L + last, a, v, fuel);
    else t.emit(Op.call_add_i, f, t.L + base, t.L + last, a, v);
  } else {
    // with fuel on, the call also does the callee's entry charge
    if (own) t.emit(Op.call_fuel, f, t.L + base, fuel);
    else t.emit(Op.call, f, t.L + base);
  }
  t.blockEnd();
  s.height = base;
  for (const ty of sig.results) t.pushTemp(ty);
}

function callIndirect(t: TranslatorCore): void {
  const { typeIndex, sig, base, ri } = indirectOperands(t);
  t.emit(Op.call_indirect, t.r.index2, t.env.signatureWord(typeIndex), t.L + base, ri);
  t.blockEnd();
  t.stack.height = base;
  for (const ty of sig.results) t.pushTemp(ty);
}

/**
 * Charges the pending fuel and pops an indirect call's operands: the
 * arguments, materialised from `base`, and the table index's register.
 */
function indirectOperands(
  t: TranslatorCore,
): { typeIndex: number; sig: FuncType; base: number; ri: number } {
  const s = t.stack;
  chargeFuel(t);
  const typeIndex = t.r.index;
  const sig = t.env.module.types[typeIndex];
  const ipos = t.pop();
  const base = s.height - sig.params.length;
  t.materializeRange(base, s.height);
  const ri = narrowTableIndex(t, t.r.index2, ipos, t.reg(ipos));
  t.noteRefs(base);
  return { typeIndex, sig, base, ri };
}

/**
 * Charges the pending fuel and pops a `call_ref`'s operands: the arguments,
 * materialised from `base`, and the function reference's register.
 */
function refOperands(t: TranslatorCore): { sig: FuncType; base: number; rf: number } {
  const s = t.stack;
  chargeFuel(t);
  const sig = t.env.module.types[t.r.index];
  const fpos = t.pop();
  const base = s.height - sig.params.length;
  t.materializeRange(base, s.height);
  const rf = t.reg(fpos);
  t.noteRefs(base);
  return { sig, base, rf };
}

function callRef(t: TranslatorCore): void {
  const { sig, base, rf } = refOperands(t);
  t.emit(Op.call_ref, t.r.index, t.env.signatureWord(t.r.index), t.L + base, rf);
  t.blockEnd();
  t.stack.height = base;
  for (const ty of sig.results) t.pushTemp(ty);
}

function returnCallRef(t: TranslatorCore): void {
  const { sig, base, rf } = refOperands(t);
  tailCallRefArgs(t, base, sig.params);
  t.emit(Op.return_call_ref, t.r.index, t.env.signatureWord(t.r.index), t.L + base, rf);
  returnHostResults(t, base, sig.results);
  t.setUnreachable();
}

/**
 * `br_on_null`: branches to the label (with the values below the reference)
 * when the reference on top is null; otherwise leaves it there.
 */
function brOnNull(t: TranslatorCore): void {
  const s = t.stack;
  const depth = t.r.index;
  const f = t.frame(depth);
  const gc = isGcRef(s.type(s.height - 1));
  const r = t.reg(s.height - 1);
  s.height--; // the branch does not carry the reference
  const moves = needsMoves(t, f);
  chargeFuel(t);
  branchOn(
    t,
    depth,
    moves,
    [r],
    gc ? Op.br_ref_null : Op.br_unless,
    gc ? Op.br_ref_nonnull : Op.br_if,
  );
  s.height++;
}

/**
 * Branches to the label of frame `depth` when branch op `taken` on operands
 * `r` (a register, or a reference's register and a type test's operands)
 * jumps (else falls through); when the branch needs result moves (`moves`),
 * `notTaken` (its negation) skips them instead.
 */
function branchOn(
  t: TranslatorCore,
  depth: number,
  moves: boolean,
  r: readonly number[],
  taken: number,
  notTaken: number,
): void {
  const f = t.frame(depth);
  if (!moves) {
    if (f.kind !== FrameKind.Loop) f.targeted = true;
    t.emit(taken, ...r, f.label);
  } else {
    const skip = t.newLabel();
    t.emit(notTaken, ...r, skip);
    branch(t, depth);
    t.label(skip);
  }
}

/**
 * `br_on_non_null`: branches to the label, carrying the reference on top
 * as its last value, when the reference is not null; otherwise drops it.
 */
function brOnNonNull(t: TranslatorCore): void {
  const s = t.stack;
  const depth = t.r.index;
  const f = t.frame(depth);
  const moves = needsMoves(t, f);
  chargeFuel(t);
  const gc = isGcRef(s.type(s.height - 1));
  const r = t.reg(s.height - 1);
  branchOn(
    t,
    depth,
    moves,
    [r],
    gc ? Op.br_ref_nonnull : Op.br_if,
    gc ? Op.br_ref_null : Op.br_unless,
  );
  t.pop();
}

/**
 * `br_on_cast` (`br_on_cast_fail`): branches to the label, carrying the
 * reference on top, when it is (is not) of the target type; otherwise leaves
 * it. The test goes to a scratch register just above the stack.
 */
function brOnCast(t: TranslatorCore, fail: boolean): void {
  const s = t.stack;
  const depth = t.r.index;
  const f = t.frame(depth);
  const moves = needsMoves(t, f);
  chargeFuel(t);
  const from = s.type(s.height - 1);
  const r = t.reg(s.height - 1);
  const to = t.r.refType2;
  if (isGcRef(from)) {
    // one op tests and branches
    const test = [r, heapOperand(t, to), isNullable(to) ? 1 : 0];
    const [yes, no] = fail
      ? [Op.br_ref_test_fail, Op.br_ref_test]
      : [Op.br_ref_test, Op.br_ref_test_fail];
    branchOn(t, depth, moves, test, yes, no);
    return;
  }
  const c = t.pushTemp(ValType.i32);
  emitRefTest(t, c, r, from, to);
  t.pop();
  branchOn(t, depth, moves, [c], fail ? Op.br_unless : Op.br_if, fail ? Op.br_if : Op.br_unless);
}

/**
 * A tail call: the callee takes over this function's frame and returns to
 * its caller. The VM does that for a wasm callee; a host callee (possible
 * through an import or a table) is called as a plain call, and the code after
 * the op returns its results.
 */
function returnCall(t: TranslatorCore): void {
  const env = t.env;
  const s = t.stack;
  const f = t.r.index;
  chargeFuel(t);
  const sig = env.funcType(f);
  const base = s.height - sig.params.length;
  t.materializeRange(base, s.height);
  t.noteRefs(base);
  if (env.isImported(f)) {
    t.emit(Op.return_call_import, env.funcHandleWord(f), t.L + base);
    returnHostResults(t, base, sig.results);
  } else {
    tailCallRefArgs(t, base, sig.params);
    t.emit(Op.return_call, f, t.L + base);
    t.blockEnd();
  }
  t.setUnreachable();
}

function returnCallIndirect(t: TranslatorCore): void {
  const { typeIndex, sig, base, ri } = indirectOperands(t);
  tailCallRefArgs(t, base, sig.params);
  t.emit(Op.return_call_indirect, t.r.index2, t.env.signatureWord(typeIndex), t.L + base, ri);
  returnHostResults(t, base, sig.results);
  t.setUnreachable();
}

/** After a tail call that may reach a host function: its results, at `base`, are returned. */
function returnHostResults(t: TranslatorCore, base: number, results: readonly ValType[]): void {
  t.blockEnd();
  t.stack.height = base;
  for (const ty of results) t.pushTemp(ty);
  returnFrom(t);
}

/** Opens a block or loop frame (its label not yet placed), materialising what a label needs. */
function enterBlock(t: TranslatorCore, kind: FrameKind): Frame {
  const s = t.stack;
  const [params, results] = t.blockType();
  chargeFuel(t);
  t.materializeLocals();
  t.materializeRange(s.height - params.length, s.height);
  return {
    kind,
    label: t.newLabel(),
    elseLabel: -1,
    base: s.height - params.length,
    params,
    results,
    unreachable: false,
    targeted: false,
  };
}

/** The number of values a branch to `f` carries. */
function arity(f: Frame): number {
  return f.kind === FrameKind.Loop ? f.params.length : f.results.length;
}

/** Whether branching to `f` needs moves (the values are not already in its slots). */
function needsMoves(t: TranslatorCore, f: Frame): boolean {
  if (f.kind === FrameKind.Func) return true;
  const n = arity(f);
  if (n === 0) return false;
  const h = t.stack.height;
  if (h - n !== f.base) return true;
  for (let p = h - n; p < h; p++) if (t.stack.kind(p) !== Operand.Temp) return true;
  return false;
}

/**
 * Emits the moves and jump of an unconditional branch to frame `depth`.
 *
 * @param t the translator, the branch's values on top of its stack
 * @param depth the label's depth
 */
export function branch(t: TranslatorCore, depth: number): void {
  const f = t.frame(depth);
  if (f.kind === FrameKind.Func) {
    returnFrom(t);
    return;
  }
  const n = arity(f);
  const h = t.stack.height;
  for (let i = 0; i < n; i++) t.moveTo(t.L + f.base + i, h - n + i);
  if (f.kind !== FrameKind.Loop) f.targeted = true;
  chargeFuel(t); // after the moves (they cannot trap): it fuses into the br
  t.emit(Op.br, f.label);
  t.blockEnd();
}

/** Emits a return that charges `fuel` (the fuel still uncharged) itself. */
function emitReturn(t: TranslatorCore, fuel: number): void {
  if (fuel > 0) t.emit(Op.return_fuel, fuel);
  else t.emit(Op.return);
  t.blockEnd();
}

/**
 * Emits the result moves and the return. Fuel still uncharged is charged by
 * the return itself (`return_fuel`): only moves, which cannot trap, run
 * between where it was counted and there.
 */
function returnFrom(t: TranslatorCore): void {
  const s = t.stack;
  const fuel = t.consumeFuel ? t.fuel : 0;
  t.fuel = 0;
  const m = t.results.length;
  const from = s.height - m;
  if (m === 1 && t.retargetLast(from, resultReg(0))) {
    emitReturn(t, fuel);
    return;
  }
  if (m === 1 && s.kind(from) !== Operand.Temp && s.type(from) !== ValType.v128) {
    t.moveTo(resultReg(0), from); // one result: nothing it could overwrite
    emitReturn(t, fuel);
    return;
  }
  // Copy every result into its own stack register first (without changing
  // the entries: other paths may still see them as they were), then down to
  // registers 0.. in ascending order, which never overwrites a pending source.
  for (let p = from; p < s.height; p++) {
    if (s.kind(p) !== Operand.Temp) t.moveTo(t.L + p, p);
  }
  for (let i = 0; i < m; i++) {
    // (a move onto itself is dropped once registers are final: placeConstants)
    const src = t.L + from + i;
    const ty = s.type(from + i);
    t.emit(moveOp(ty), resultReg(i), src);
  }
  emitReturn(t, fuel);
}

/** The move of a value type: `mov`, `mov64`, `v128_mov` or `ref_mov`. */
function moveOp(ty: ValType): number {
  return ty === ValType.v128
    ? Op.v128_mov
    : isGcRef(ty)
    ? Op.ref_mov
    : is64(ty)
    ? Op.mov64
    : Op.mov;
}

/**
 * Copies the arguments of a tail call that the ref file holds down to the
 * callee's registers 0.. (the VM's tail calls copy numeric slots only). Copies
 * in ascending order never overwrite a pending source: argument `i` moves
 * from `base + i`, above `i`.
 */
function tailCallRefArgs(t: TranslatorCore, base: number, params: readonly ValType[]): void {
  params.forEach((ty, i) => {
    if (isGcRef(ty)) t.emit(Op.ref_mov, i, t.L + base + i);
  });
}

/** The tests other than compares that a branch on their result fuses with (see {@link condJump}). */
const TESTS: ReadonlySet<number> = new Set([Op.i32_eqz, Op.ref_is_null_any, Op.ref_test]);

/**
 * Pops an i32 condition and emits a branch to `label` taken when the
 * condition is non-zero (or zero, with `negate`), fusing a preceding compare
 * or test ({@link TESTS}: `i32_eqz`, and the null test and type test of a
 * reference of the `any` hierarchy, which become `br_ref_null`/`nonnull` and
 * `br_ref_test(_fail)`).
 */
function condJump(t: TranslatorCore, label: number, negate: boolean): void {
  const s = t.stack;
  const pos = t.pop();
  const last = t.insts[t.lastDef];
  if (
    t.superInstructions && s.kind(pos) === Operand.Temp &&
    t.lastDef === t.insts.length - 1 && last !== undefined && last.operands[0] === t.L + pos
  ) {
    const cmp = COMPARES.get(last.op);
    if (cmp !== undefined) {
      t.retract();
      const br = negate ? cmp.negatedBranch : cmp.branch;
      const a = last.operands[1] as number;
      const b = last.operands[2] as number;
      if (fuseLoopCloser(t, br, a, b, label)) return;
      t.emit(br, a, b, label);
      return;
    }
    if (last.op === Op.i32_eqz) {
      t.retract();
      t.emit(negate ? Op.br_if : Op.br_unless, last.operands[1], label);
      return;
    }
    if (last.op === Op.ref_is_null_any) {
      t.retract();
      t.emit(negate ? Op.br_ref_nonnull : Op.br_ref_null, last.operands[1], label);
      return;
    }
    if (last.op === Op.ref_test) {
      t.retract();
      const [, a, ht, nul] = last.operands as number[];
      t.emit(negate ? Op.br_ref_test_fail : Op.br_ref_test, a, ht, nul, label);
      return;
    }
  }
  if (s.kind(pos) === Operand.Const) {
    const taken = (s.constLo(pos) !== 0) !== negate;
    if (taken) t.emit(Op.br, label);
    return;
  }
  const r = t.reg(pos);
  if (!negate && fuseLoopCloser(t, Op.br_if, r, 0, label)) return;
  t.emit(negate ? Op.br_unless : Op.br_if, r, label);
}

/** The moves of a block's results into its slots when control falls through its end. */
function fallthroughMoves(t: TranslatorCore, f: Frame): void {
  const n = f.results.length;
  const h = t.stack.height;
  for (let i = 0; i < n; i++) t.moveTo(t.L + f.base + i, h - n + i);
}

/**
 * `else`: ends the then-arm (a branch to the end) and starts the else-arm
 * with the if's parameters.
 *
 * @param t the translator state
 */
export function elseBranch(t: TranslatorCore): void {
  const f = t.frames[t.frames.length - 1];
  if (!f.unreachable) {
    fallthroughMoves(t, f);
    f.targeted = true;
    chargeFuel(t); // after the moves (they cannot trap): it fuses into the br
    t.emit(Op.br, f.label);
    t.blockEnd();
  } else chargeFuel(t);
  t.label(f.elseLabel);
  f.kind = FrameKind.Else;
  f.unreachable = false;
  t.stack.height = f.base;
  for (const ty of f.params) t.pushTemp(ty);
}

/**
 * `end`: closes the innermost frame (the function's: its return), placing
 * its labels and pushing its results.
 *
 * @param t the translator state
 */
export function endBlock(t: TranslatorCore): void {
  const f = t.frames.pop() as Frame;
  if (f.kind === FrameKind.Loop) t.loopDepth--;
  if (f.kind === FrameKind.Func) {
    if (!f.unreachable) returnFrom(t); // charges the pending fuel
    else chargeFuel(t);
    return;
  }
  chargeFuel(t);
  const fallthrough = !f.unreachable;
  if (fallthrough) fallthroughMoves(t, f);
  if (f.catches !== undefined) catchPads(t, f, fallthrough);
  if (f.legacy !== undefined) legacyEnd(t, f);
  let reachable = fallthrough;
  if (f.kind === FrameKind.If) {
    t.label(f.elseLabel);
    reachable = true;
  }
  if (f.kind !== FrameKind.Loop) {
    t.label(f.label);
    if (f.targeted) reachable = true;
  } else {
    t.blockEnd();
  }
  t.stack.height = f.base;
  for (const ty of f.results) t.pushTemp(ty);
  if (!reachable) t.setUnreachable();
}
