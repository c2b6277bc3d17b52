/**
 * The memory operators: loads, stores, `memory.size`, and the bulk memory
 * operators (builtin calls). An address computed as `base + k` or
 * `(base << s) + k` just before the access folds into it (the VM adds with
 * 32-bit wrap-around, as wasm does; the `_x` ops take the shifted form).
 *
 * Memory 0 with 32-bit addresses, the only memory of most modules, has its
 * own ops (`load32` ... `store64`, the folded forms and fusions). Any other
 * memory, and every 64-bit memory, goes through `mem_load`/`mem_store`,
 * which name the memory and take a 64-bit offset; the bulk operators name
 * their memories in the builtin's static operands, and the VM reads their
 * operands as i64 for a 64-bit memory.
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
import { BuiltinFunctionIndex as B, Op as W, opByKey, ValType } from "@capstan/environ";
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

/** Memory-0 ops with a form for 64-bit addresses (`_a64`: address `u64(a) + offset`). */
const ADDRESS64 = new Map<number, number>([
  [Op.load32, Op.load32_a64],
  [Op.load8_u, Op.load8_u_a64],
  [Op.load64, Op.load64_a64],
  [Op.store32, Op.store32_a64],
  [Op.store8, Op.store8_a64],
  [Op.store64, Op.store64_a64],
]);

/**
 * The `_a64` op of an access to a 64-bit memory 0 with an offset below 2^32,
 * when `op` has one; else undefined (`mem_load`/`mem_store` then).
 */
function memory0Access64(t: TranslatorCore, op: number): number | undefined {
  return t.r.memIndex === 0 && t.r.memOffsetHi === 0 ? ADDRESS64.get(op) : undefined;
}

/** Memory ops with an indexed form (`_x`: address `(a << s) + k`). */
const INDEXED = new Map<number, number>([
  [Op.load32, Op.load32_x],
  [Op.load8_u, Op.load8_u_x],
  [Op.load64, Op.load64_x],
  [Op.store32, Op.store32_x],
  [Op.store8, Op.store8_x],
  [Op.store64, Op.store64_x],
]);

/** Memory ops with a register-indexed form (`_r`: address `a + (b << s)`, two registers). */
const REGISTER_INDEXED = new Map<number, number>([
  [Op.load32, Op.load32_r],
  [Op.load8_u, Op.load8_u_r],
  [Op.load8_s, Op.load8_s_r],
  [Op.load16_u, Op.load16_u_r],
  [Op.load16_s, Op.load16_s_r],
  [Op.load64, Op.load64_r],
  [Op.store32, Op.store32_r],
  [Op.store8, Op.store8_r],
  [Op.store16, Op.store16_r],
  [Op.store64, Op.store64_r],
]);

/** The memory operators' translations, by operator key. */
export const MEMORY_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map([
  ...LOADS.map(([key, op, type]): [number, OperatorHandler] => [key, (t) => load(t, op, type)]),
  ...STORES.map(([key, op]): [number, OperatorHandler] => [key, (t) => store(t, op)]),
  [W.memory_size, memorySize],
  [W.memory_grow, (t) => t.builtin(B.memory_grow, t.r.index, 0, 1, addressType(t, t.r.index))],
  [W.memory_fill, (t) => t.builtin(B.memory_fill, t.r.index, 0, 3)],
  [W.memory_copy, (t) => t.builtin(B.memory_copy, t.r.index, t.r.index2, 3)],
  [W.memory_init, (t) => t.builtin(B.memory_init, t.r.index2, t.r.index, 3)],
  [W.data_drop, (t) => t.builtin(B.data_drop, t.r.index, 0, 0)],
]);

/** The address type of memory `index`: i64 for a 64-bit memory, else i32. */
function addressType(t: TranslatorCore, index: number): ValType {
  return t.env.module.memories[index].address64 ? ValType.i64 : ValType.i32;
}

/**
 * Whether the access just read goes through `mem_load`/`mem_store`: a
 * memory other than 0, or a 64-bit one.
 */
export function needsGenericAccess(t: TranslatorCore): boolean {
  return t.r.memIndex !== 0 || t.env.module.memories[0].address64 === true;
}

/**
 * Translates a SIMD memory access to a memory other than 0 or to a 64-bit
 * memory (`mem_v128_*`; the SIMD ops address memory 0 with 32-bit addresses
 * only). Other SIMD operators are left to `simd_translate.ts`.
 *
 * @param t the translator, its reader past the operator's immediates
 * @param key the SIMD operator's key
 * @returns whether it translated the operator
 */
export function translateSimdAccess(t: TranslatorCore, key: number): boolean {
  const imm = opByKey(key)?.imm;
  if ((imm !== "memarg" && imm !== "memarg_lane") || !needsGenericAccess(t)) return false;
  const sub = key & 0xffff;
  const { memIndex: mem, memOffset: lo, memOffsetHi: hi, lane } = t.r;
  if (sub === 11 || (sub >= 88 && sub <= 91)) { // v128.store, lane stores
    const v = t.pop();
    const a = t.pop();
    const ra = t.reg(a);
    t.emit(Op.mem_v128_store, sub, ra, t.reg(v), mem, lo | 0, hi | 0, lane);
  } else if (sub >= 84 && sub <= 87) { // lane loads
    const v = t.pop();
    const a = t.pop();
    const ra = t.reg(a);
    const rv = t.reg(v);
    const d = t.pushTemp(ValType.v128);
    t.emit(Op.mem_v128_load_lane, d, sub, ra, rv, mem, lo | 0, hi | 0, lane);
  } else {
    const ra = t.reg(t.pop());
    const d = t.pushTemp(ValType.v128);
    t.emit(Op.mem_v128_load, d, sub, ra, mem, lo | 0, hi | 0);
  }
  return true;
}

function memorySize(t: TranslatorCore): void {
  const d = t.pushTemp(addressType(t, t.r.index));
  t.emit(Op.memory_size, d, t.r.index);
}

function load(t: TranslatorCore, op: number, type: ValType): void {
  if (needsGenericAccess(t)) {
    const a = t.reg(t.pop());
    const d = t.pushTemp(type);
    const fast = memory0Access64(t, op);
    if (fast !== undefined) t.emit(fast, d, a, t.r.memOffset | 0);
    else t.emit(Op.mem_load, d, a, t.r.memIndex, op, t.r.memOffset | 0, t.r.memOffsetHi | 0);
    return;
  }
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
  const rx = REGISTER_INDEXED.get(op);
  const sum = rx === undefined ? undefined : registerSum(t, ap, false);
  if (sum !== undefined) {
    const d = t.pushTemp(type);
    t.emit(rx!, d, sum[0], sum[1], sum[2], offset);
    return;
  }
  const [a, k] = address(t, ap);
  const d = t.pushTemp(type);
  t.emit(op, d, a, k, offset);
}

function store(t: TranslatorCore, op: number): void {
  if (needsGenericAccess(t)) {
    const v = t.pop();
    const a = t.pop();
    const ra = t.reg(a);
    const fast = memory0Access64(t, op);
    if (fast !== undefined) t.emit(fast, ra, t.reg(v), t.r.memOffset | 0);
    else {
      t.emit(Op.mem_store, ra, t.reg(v), t.r.memIndex, op, t.r.memOffset | 0, t.r.memOffsetHi | 0);
    }
    return;
  }
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
  const rx = REGISTER_INDEXED.get(op);
  const sum = rx === undefined ? undefined : registerSum(t, ap, s.kind(v) !== Operand.Local);
  if (sum !== undefined) {
    const rv = t.reg(v);
    t.emit(rx!, sum[0], sum[1], rv, sum[2], offset);
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

/**
 * The registers and shift of a memory access whose address is entry `pos`
 * when the instruction just emitted computed it as an `i32.add` of two
 * registers, one of them possibly an `i32.shl` by a constant emitted just
 * before (and read by nothing else): `[a, b, s]` for address `a + (b << s)`,
 * with both instructions taken back; else undefined.
 *
 * @param t the translator
 * @param pos the address entry (just popped)
 * @param valueMayWrite whether the access still materialises an operand into
 *   the register above `pos` (a store's value): then no source may be there
 */
function registerSum(
  t: TranslatorCore,
  pos: number,
  valueMayWrite: boolean,
): [number, number, number] | undefined {
  const n = t.insts.length;
  const add = t.insts[n - 1];
  const own = t.L + pos;
  if (
    !t.superInstructions || t.stack.kind(pos) !== Operand.Temp || t.lastDef !== n - 1 ||
    add.op !== Op.i32_add || add.operands[0] !== own
  ) return undefined;
  let sum: [number, number, number] = [add.operands[1] as number, add.operands[2] as number, 0];
  let taken = 1;
  const prev = n >= 2 ? t.insts[n - 2] : undefined;
  if (prev !== undefined && prev.op === Op.i32_shl_i && sum[0] !== sum[1]) {
    // the shift's result must be dead after the add: the add's own register, or a temporary
    // above it (nothing lies between the two instructions)
    const r = prev.operands[0] as number;
    if (r >= own && (r === sum[0] || r === sum[1])) {
      sum = [
        r === sum[0] ? sum[1] : sum[0],
        prev.operands[1] as number,
        prev.operands[2] as number,
      ];
      taken = 2;
    }
  }
  if (valueMayWrite && (sum[0] > own || sum[1] > own)) return undefined;
  for (let i = 0; i < taken; i++) t.retract();
  return sum;
}
