/**
 * The GC operators: `struct.*`, `array.*`, `ref.i31`, `i31.get_s/u`,
 * `ref.eq`, `ref.test`, `ref.cast` and the extern conversions (the branches
 * `br_on_cast(_fail)` are control flow, in `_control.ts`, over
 * {@link emitRefTest}). Each becomes one `_gc_exec.ts` op of the
 * interpreter; struct and array types are named by their canonical ids
 * (the engine-wide registry's, the same in every module).
 *
 * Invariants:
 * - A value of the `any` hierarchy is in the ref file at its register
 *   ({@link isGcRef}); the ops read and write that file, and the numeric slot
 *   for i32/i64/f32/f64/v128 fields and for function, extern and exception
 *   handles.
 * - A result overwrites the register of the first operand it consumed (the
 *   ops read every operand before they write).
 *
 * @module
 */

import {
  CompileError,
  HeapType,
  isNullable,
  Op as W,
  refTypeIndex,
  typeIndexRef,
  unpacked,
  ValType,
  withNullable,
} from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import { chargeFuel } from "./_fuel_placement.ts";
import { Operand } from "./_operand_stack.ts";
import { isGcRef } from "./_gc_support.ts";
import type { OperatorHandler, TranslatorCore } from "./_translator_core.ts";

/** The canonical id of type index `x` of the module being translated. */
function canon(t: TranslatorCore, x: number): number {
  const ids = t.env.module.typeIds;
  if (ids === undefined) {
    throw new CompileError("unsupported: GC types without a registry", t.offset);
  }
  return ids[x];
}

/**
 * The heap-type operand of a test or cast to reference type `rt`: its
 * canonical id, or minus its abstract heap type's code.
 *
 * @param t the translator
 * @param rt the target reference type
 * @returns the operand
 */
export function heapOperand(t: TranslatorCore, rt: number): number {
  const x = refTypeIndex(rt);
  return x >= 0 ? canon(t, x) : -(rt & 0xff);
}

/**
 * Emits `d = (the reference in register ra, of type `from`) is of reference type `to``.
 *
 * @param t the translator
 * @param d the i32 result register
 * @param ra the reference's register
 * @param from the reference's static type (its hierarchy picks the op)
 * @param to the target reference type
 */
export function emitRefTest(
  t: TranslatorCore,
  d: number,
  ra: number,
  from: number,
  to: number,
): void {
  const op = isGcRef(from) ? Op.ref_test : Op.ref_test_func;
  t.emit(op, d, ra, heapOperand(t, to), isNullable(to) ? 1 : 0);
}

/** A non-null reference to type index `x`. */
function refTo(t: TranslatorCore, x: number): number {
  const kind = t.env.module.types[x].kind === "array" ? HeapType.array : HeapType.struct;
  return typeIndexRef(x, false, kind);
}

/** The value type a field of type `x` reads as. */
function fieldType(t: TranslatorCore, x: number, field: number): ValType {
  return unpacked(t.env.module.types[x].fields![field].type);
}

/** Pops `n` operands (the top last) and gives their registers. */
function popRegs(t: TranslatorCore, n: number): number[] {
  const pos: number[] = [];
  for (let k = 0; k < n; k++) pos.unshift(t.pop());
  return pos.map((p) => t.reg(p));
}

/** Allocates from the `n` operands on top (materialised in place); pushes the reference. */
function newFrom(t: TranslatorCore, op: number, x: number, n: number, extra: number[]): void {
  chargeFuel(t);
  const s = t.stack;
  const base = s.height - n;
  t.materializeRange(base, s.height);
  s.height = base;
  const d = t.pushTemp(refTo(t, x));
  t.emit(op, d, canon(t, x), t.L + base, ...extra);
}

function structGet(t: TranslatorCore, key: number): void {
  chargeFuel(t);
  const [x, field] = [t.r.index, t.r.index2];
  const [ra] = popRegs(t, 1);
  const d = t.pushTemp(fieldType(t, x, field));
  t.emit(Op.struct_get, d, ra, canon(t, x), field, key === W.struct_get_s ? 1 : 0);
}

function arrayGet(t: TranslatorCore, key: number): void {
  chargeFuel(t);
  const x = t.r.index;
  const [ra, ri] = popRegs(t, 2);
  const d = t.pushTemp(fieldType(t, x, 0));
  t.emit(Op.array_get, d, ra, ri, canon(t, x), key === W.array_get_s ? 1 : 0);
}

/** An op with operands popped from the stack and an optional typed result. */
function simple(
  n: number,
  op: number,
  result: ((t: TranslatorCore) => ValType) | null,
  tail: (t: TranslatorCore) => number[],
): OperatorHandler {
  return (t) => {
    chargeFuel(t);
    const tailOps = tail(t);
    const regs = popRegs(t, n);
    if (result === null) t.emit(op, ...regs, ...tailOps);
    else t.emit(op, t.pushTemp(result(t)), ...regs, ...tailOps);
  };
}

/** `ref.test` and `ref.test_null`. */
function refTest(t: TranslatorCore): void {
  chargeFuel(t);
  const s = t.stack;
  const from = s.type(s.height - 1);
  const [ra] = popRegs(t, 1);
  emitRefTest(t, t.pushTemp(ValType.i32), ra, from, t.r.refType);
}

/**
 * `ref.cast` and `ref.cast_null`: checks the top entry in place, then
 * retypes it. A local's value is checked in the local's register and stays
 * a read of that local (the cast leaves the value as it is), so no copy is made.
 */
function refCast(t: TranslatorCore): void {
  chargeFuel(t);
  const s = t.stack;
  const pos = s.height - 1;
  const from = s.type(pos);
  const to = t.r.refType;
  const op = isGcRef(from) ? Op.ref_cast : Op.ref_cast_func;
  const nul = isNullable(to) ? 1 : 0;
  if (s.kind(pos) === Operand.Local) {
    const x = s.localIndex(pos);
    t.emit(op, t.reg(pos), heapOperand(t, to), nul);
    t.pop();
    s.pushLocal(x, to);
    return;
  }
  t.materialize(pos);
  t.emit(op, t.L + pos, heapOperand(t, to), nul);
  t.pop();
  t.pushTemp(to);
}

/** The GC operators' translations, by operator key. */
export const GC_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map<number, OperatorHandler>([
  [W.ref_eq, simple(2, Op.ref_eq, () => ValType.i32, () => [])],
  [W.struct_new, (t) => {
    const x = t.r.index;
    newFrom(t, Op.struct_new, x, t.env.module.types[x].fields!.length, []);
  }],
  [W.struct_new_default, (t) => {
    chargeFuel(t);
    const x = t.r.index;
    t.emit(Op.struct_new_default, t.pushTemp(refTo(t, x)), canon(t, x));
  }],
  [W.struct_get, structGet],
  [W.struct_get_s, structGet],
  [W.struct_get_u, structGet],
  [W.struct_set, (t) => {
    chargeFuel(t);
    const [ra, rv] = popRegs(t, 2);
    t.emit(Op.struct_set, ra, canon(t, t.r.index), t.r.index2, rv);
  }],
  [W.array_new, (t) => {
    chargeFuel(t);
    const x = t.r.index;
    const [rv, rn] = popRegs(t, 2);
    t.emit(Op.array_new, t.pushTemp(refTo(t, x)), canon(t, x), rv, rn);
  }],
  [W.array_new_default, (t) => {
    chargeFuel(t);
    const x = t.r.index;
    const [rn] = popRegs(t, 1);
    t.emit(Op.array_new_default, t.pushTemp(refTo(t, x)), canon(t, x), rn);
  }],
  [W.array_new_fixed, (t) => newFrom(t, Op.array_new_fixed, t.r.index, t.r.index2, [t.r.index2])],
  [W.array_new_data, (t) => {
    chargeFuel(t);
    const [x, seg] = [t.r.index, t.r.index2];
    const [rs, rn] = popRegs(t, 2);
    t.emit(Op.array_new_data, t.pushTemp(refTo(t, x)), canon(t, x), seg, rs, rn);
  }],
  [W.array_new_elem, (t) => {
    chargeFuel(t);
    const [x, seg] = [t.r.index, t.r.index2];
    const [rs, rn] = popRegs(t, 2);
    t.emit(Op.array_new_elem, t.pushTemp(refTo(t, x)), canon(t, x), seg, rs, rn);
  }],
  [W.array_get, arrayGet],
  [W.array_get_s, arrayGet],
  [W.array_get_u, arrayGet],
  [W.array_set, simple(3, Op.array_set, null, (t) => [canon(t, t.r.index)])],
  [W.array_len, simple(1, Op.array_len, () => ValType.i32, () => [])],
  [W.array_fill, simple(4, Op.array_fill, null, (t) => [canon(t, t.r.index)])],
  [W.array_copy, simple(5, Op.array_copy, null, (t) => [canon(t, t.r.index)])],
  [
    W.array_init_data,
    simple(4, Op.array_init_data, null, (t) => [canon(t, t.r.index), t.r.index2]),
  ],
  [
    W.array_init_elem,
    simple(4, Op.array_init_elem, null, (t) => [canon(t, t.r.index), t.r.index2]),
  ],
  [W.ref_i31, simple(1, Op.ref_i31, () => withNullable(ValType.i31ref, false), () => [])],
  [W.i31_get_s, simple(1, Op.i31_get, () => ValType.i32, () => [1])],
  [W.i31_get_u, simple(1, Op.i31_get, () => ValType.i32, () => [0])],
  [W.ref_test, refTest],
  [W.ref_test_null, refTest],
  [W.ref_cast, refCast],
  [W.ref_cast_null, refCast],
  [W.any_convert_extern, simple(1, Op.any_convert_extern, () => ValType.anyref, () => [])],
  [W.extern_convert_any, simple(1, Op.extern_convert_any, () => ValType.externref, () => [])],
]);
