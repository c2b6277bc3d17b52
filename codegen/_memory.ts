/**
 * The memory operators: loads, stores, `memory.size`, and the bulk memory
 * operators (builtin calls). An address computed as `base + k` or
 * `(base << s) + k` just before the access folds into it (the VM adds with
 * 32-bit wrap-around, as wasm does; the `_x` ops take the shifted form).
 *
 * Invariants:
 * - A folded address's base register is unchanged until the access: a
 *   local, or the address entry's own register.
 *
 * @module
 */

import { Operand } from "./_operand_stack.ts";
import { fuse, Site } from "./_fusion_rules.ts";
import type { OperatorHandler, TranslatorCore } from "./_translator_core.ts";
import { BuiltinFunctionIndex as B, Op as W, ValType } from "@capstan/environ";
import { Op } from "@capstan/interpreter";

/** Loads: wasm op key → [bytecode op, result type]. */
const LOADS: readonly (readonly [number, number, ValType])[] = [
  [W.i32_load, Op.load32, ValType.i32],
  [W.f32_load, Op.load32, ValType.f32],
  [W.i64_load, Op.load64, ValType.i64],
  [W.f64_load, Op.load64, ValType.f64],
  [W.i32_load8_s, Op.load8_s, ValType.i32],
  [W.i32_load8_u, Op.load8_u, ValType.i32],
  [W.i32_load16_s, Op.load16_s, ValType.i32],
  [W.i32_load16_u, Op.load16_u, ValType.i32],
  [W.i64_load8_s, Op.load64_8_s, ValType.i64],
  [W.i64_load8_u, Op.load64_8_u, ValType.i64],
  [W.i64_load16_s, Op.load64_16_s, ValType.i64],
  [W.i64_load16_u, Op.load64_16_u, ValType.i64],
  [W.i64_load32_s, Op.load64_32_s, ValType.i64],
  [W.i64_load32_u, Op.load64_32_u, ValType.i64],
];

/** Stores: wasm op key → bytecode op. */
const STORES: readonly (readonly [number, number])[] = [
  [W.i32_store, Op.store32],
  [W.f32_store, Op.store32],
  [W.i64_store, Op.store64],
  [W.f64_store, Op.store64],
  [W.i32_store8, Op.store8],
  [W.i64_store8, Op.store8],
  [W.i32_store16, Op.store16],
  [W.i64_store16, Op.store16],
  [W.i64_store32, Op.store32],
];

/** Memory ops with an indexed form (`_x`: address `(a << s) + k`). */
const INDEXED = new Map<number, number>([
  [Op.load32, Op.load32_x],
  [Op.load8_u, Op.load8_u_x],
  [Op.load64, Op.load64_x],
  [Op.store32, Op.store32_x],
  [Op.store8, Op.store8_x],
  [Op.store64, Op.store64_x],
]);

/** The memory operators' translations, by operator key. */
export const MEMORY_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map([
  ...LOADS.map(([key, op, type]): [number, OperatorHandler] => [key, (t) => load(t, op, type)]),
  ...STORES.map(([key, op]): [number, OperatorHandler] => [key, (t) => store(t, op)]),
  [W.memory_size, memorySize],
  [W.memory_grow, (t) => t.builtin(B.memory_grow, 0, 0, 1, ValType.i32)],
  [W.memory_fill, (t) => t.builtin(B.memory_fill, 0, 0, 3)],
  [W.memory_copy, (t) => t.builtin(B.memory_copy, 0, 0, 3)],
  [W.memory_init, (t) => t.builtin(B.memory_init, 0, t.r.index, 3)],
  [W.data_drop, (t) => t.builtin(B.data_drop, t.r.index, 0, 0)],
]);

function memorySize(t: TranslatorCore): void {
  const d = t.pushTemp(ValType.i32);
  t.emit(Op.memory_size, d, 0);
}

function load(t: TranslatorCore, op: number, type: ValType): void {
  const s = t.stack;
  const offset = t.r.memOffset | 0;
  const ap = t.pop();
  const indexed = INDEXED.get(op);
  if (indexed !== undefined && s.kind(ap) === Operand.Shl) {
    const [base, shift, k] = [s.base(ap), s.shift(ap), s.addend(ap)];
    const d = t.pushTemp(type);
    t.emit(indexed, d, base, shift, k, offset);
    return;
  }
  const [a, k] = address(t, ap);
  const d = t.pushTemp(type);
  t.emit(op, d, a, k, offset);
}

function store(t: TranslatorCore, op: number): void {
  const s = t.stack;
  const offset = t.r.memOffset | 0;
  const v = t.pop();
  const ap = t.pop();
  const indexed = INDEXED.get(op);
  if (indexed !== undefined && s.kind(ap) === Operand.Shl) {
    const [base, shift, k] = [s.base(ap), s.shift(ap), s.addend(ap)];
    const rv = t.reg(v);
    t.emit(indexed, base, rv, shift, k, offset);
    return;
  }
  const [a, k] = address(t, ap);
  if (fuse(t, Site.Store, op, a, k, offset, v)) return;
  const rv = t.reg(v);
  t.emit(op, a, rv, k, offset);
}

/**
 * The base register and constant addend of a memory access whose address
 * is entry `pos`: an `i32.add` of a constant that just computed it folds
 * into the access.
 */
function address(t: TranslatorCore, pos: number): [number, number] {
  const s = t.stack;
  if (s.kind(pos) === Operand.AddImm) return [s.base(pos), s.addend(pos)];
  if (s.kind(pos) === Operand.Const && t.superInstructions) {
    return [t.constReg(ValType.i32, 0, 0), s.constLo(pos)];
  }
  const last = t.insts[t.insts.length - 1];
  if (
    t.superInstructions && s.kind(pos) === Operand.Temp &&
    t.lastDef === t.insts.length - 1 && last.op === Op.i32_add_i &&
    last.operands[0] === t.L + pos &&
    // its source must survive until the access: a local, or this entry's own register
    ((last.operands[1] as number) < t.L || last.operands[1] === t.L + pos)
  ) {
    t.retract();
    return [last.operands[1] as number, last.operands[2] as number];
  }
  return [t.reg(pos), 0];
}
