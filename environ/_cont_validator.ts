/**
 * Validation of the stack-switching instructions (typed continuations):
 * `cont.new`, `cont.bind`, `suspend`, `resume`, `resume_throw`,
 * `resume_throw_ref` and `switch`, with the proposal's typing rules and the
 * reference interpreter's messages.
 *
 * Invariants:
 * - The function validator hands over its operand stack and labels through
 *   {@link ContValidationHost}; this file only reads the reader's immediates
 *   and the module's types.
 * - A continuation type `cont $ft` has no signature of its own: the values
 *   a `resume` of it passes and receives are `$ft`'s ({@link contSig}).
 * - With stack switching off (`ModuleContext.stackSwitching`), every one of
 *   these instructions is refused with {@link STACK_SWITCHING_DISABLED}.
 *
 * @module
 */

import { fail } from "./errors.ts";
import { ON_LABEL, type OperatorReader } from "./operators.ts";
import type { ModuleContext } from "./_module_validator.ts";
import type { TypeRelation } from "./_subtyping.ts";
import {
  type FuncType,
  HeapType,
  isRefType,
  refTypeIndex,
  typeIndexRef,
  ValType,
  valTypeName,
} from "./types.ts";

/** What the function validator lends to the continuation instructions' checks. */
export interface ContValidationHost {
  /** The module being validated. */
  readonly ctx: ModuleContext;
  /** Its subtyping relation. */
  readonly rel: TypeRelation;
  /** The reader, positioned after the instruction (its immediates read). */
  readonly r: OperatorReader;
  /** Pops an operand that must be a subtype of `t`; returns its type. */
  pop(t: number): number;
  /** Pushes an operand type. */
  push(t: number): void;
  /** The control frame a label depth names (fails for an unknown label). */
  labelFrame(depth: number): number;
  /** How many values a branch to the frame passes. */
  labelCount(frame: number): number;
  /** The type of value `i` a branch to the frame passes. */
  labelType(frame: number, i: number): number;
  /** Checks a tag index; returns its type index. */
  checkTag(index: number): number;
}

/** The keys (single-byte opcodes) of the stack-switching instructions. */
export const CONT_NEW = 0xe0;
/** `cont.bind`. */
export const CONT_BIND = 0xe1;
/** `suspend`. */
export const SUSPEND = 0xe2;
/** `resume`. */
export const RESUME = 0xe3;
/** `resume_throw`. */
export const RESUME_THROW = 0xe4;
/** `resume_throw_ref`. */
export const RESUME_THROW_REF = 0xe5;
/** `switch`. */
export const SWITCH = 0xe6;

/** Why a continuation type or instruction is refused when stack switching is off. */
export const STACK_SWITCHING_DISABLED = "stack switching support is not enabled";

/** The function type a continuation type `cont $ft` names (`$ft`). */
function contSig(types: readonly FuncType[], index: number): FuncType {
  return types[types[index].cont!];
}

/** Checks that a type index names a continuation type; returns its function type. */
function contType(h: ContValidationHost, index: number): FuncType {
  const t = h.ctx.types[index];
  if (t === undefined) fail(`unknown type ${index}`, h.r.offset);
  if (t.kind !== "cont") fail(`non-continuation type ${index}`, h.r.offset);
  return contSig(h.ctx.types, index);
}

/** Whether every `a[i] <: b[i]` (same lengths). */
function allSub(rel: TypeRelation, a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!rel.isSubtype(a[i], b[i])) return false;
  return true;
}

/** Pops `types` (last first). */
function popAll(h: ContValidationHost, types: readonly number[], n = types.length): void {
  for (let i = n - 1; i >= 0; i--) h.pop(types[i]);
}

/**
 * Checks the handler clauses of the `resume` just read, for a continuation
 * whose function type returns `results`.
 */
function checkHandlers(h: ContValidationHost, results: readonly number[]): void {
  const r = h.r;
  const types = h.ctx.types;
  for (let i = 0; i < r.catchCount; i++) {
    const tag = types[h.checkTag(r.catchTags[i])];
    if (r.catchKinds[i] !== ON_LABEL) {
      // (on $tag switch): the tag is [] -> [t2*], the continuation's results.
      if (tag.params.length !== 0 || !allSub(h.rel, tag.results, results)) {
        fail("type mismatch", r.offset);
      }
      continue;
    }
    const frame = h.labelFrame(r.catchLabels[i]);
    const n = h.labelCount(frame);
    const last = n > 0 ? h.labelType(frame, n - 1) : ValType.i32;
    const index = isRefType(last) ? refTypeIndex(last) : -1;
    if (index >= 0 && !h.rel.isCont(index)) fail(`non-continuation type ${index}`, r.offset);
    if (index < 0) {
      const have: string[] = [];
      for (let k = 0; k < n; k++) have.push(valTypeName(h.labelType(frame, k)));
      fail(
        "type mismatch: instruction requires concrete continuation reference type " +
          `but label has [${have.join(" ")}]`,
        r.offset,
      );
    }
    if (n !== tag.params.length + 1) fail("type mismatch", r.offset);
    for (let k = 0; k < n - 1; k++) {
      if (!h.rel.isSubtype(tag.params[k], h.labelType(frame, k))) fail("type mismatch", r.offset);
    }
    // The handler receives a continuation of type [te2*] -> [t2*].
    const target = contSig(types, index);
    if (!allSub(h.rel, target.params, tag.results) || !allSub(h.rel, results, target.results)) {
      fail("type mismatch", r.offset);
    }
  }
}

/**
 * Validates one stack-switching instruction just read.
 *
 * @param h the function validator's stacks and context
 * @param key the instruction's key (0xE0-0xE6)
 * @throws {CompileError} if it does not type-check
 */
export function validateContOp(h: ContValidationHost, key: number): void {
  const r = h.r;
  const ctx = h.ctx;
  if (ctx.stackSwitching !== true) fail(STACK_SWITCHING_DISABLED, r.offset);
  switch (key) {
    case CONT_NEW: {
      contType(h, r.index);
      h.pop(typeIndexRef(ctx.types[r.index].cont!, true));
      h.push(typeIndexRef(r.index, false, HeapType.cont));
      return;
    }
    case CONT_BIND: {
      const from = contType(h, r.index);
      const to = contType(h, r.index2);
      const n = from.params.length - to.params.length;
      if (n < 0) fail("type mismatch", r.offset);
      const rest = from.params.slice(n);
      if (!allSub(h.rel, to.params, rest) || !allSub(h.rel, from.results, to.results)) {
        fail("type mismatch", r.offset);
      }
      h.pop(typeIndexRef(r.index, true, HeapType.cont));
      popAll(h, from.params, n);
      h.push(typeIndexRef(r.index2, false, HeapType.cont));
      return;
    }
    case SUSPEND: {
      const tag = ctx.types[h.checkTag(r.index)];
      popAll(h, tag.params);
      for (const t of tag.results) h.push(t);
      return;
    }
    case RESUME:
    case RESUME_THROW_REF:
    case RESUME_THROW: {
      const ct = contType(h, r.index);
      checkHandlers(h, ct.results);
      h.pop(typeIndexRef(r.index, true, HeapType.cont));
      if (key === RESUME) popAll(h, ct.params);
      else if (key === RESUME_THROW_REF) h.pop(ValType.exnref);
      else {
        const exn = ctx.types[h.checkTag(r.index2)];
        if (exn.results.length !== 0) fail("type mismatch", r.offset);
        popAll(h, exn.params);
      }
      for (const t of ct.results) h.push(t);
      return;
    }
    case SWITCH: {
      const ct = contType(h, r.index);
      const tag = ctx.types[h.checkTag(r.index2)];
      const n = ct.params.length;
      const last = n > 0 ? ct.params[n - 1] : 0;
      const index = n > 0 && isRefType(last) ? refTypeIndex(last) : -1;
      if (index < 0 || !h.rel.isCont(index)) fail("type mismatch", r.offset);
      const other = contSig(ctx.types, index);
      if (
        tag.params.length !== 0 || !allSub(h.rel, ct.results, tag.results) ||
        !allSub(h.rel, other.results, tag.results)
      ) {
        fail("type mismatch in switch tag", r.offset);
      }
      h.pop(typeIndexRef(r.index, true, HeapType.cont));
      popAll(h, ct.params, n - 1);
      for (const t of other.params) h.push(t);
      return;
    }
  }
}
