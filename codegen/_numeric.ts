/**
 * The numeric operators: constants, every unary or binary operator with a
 * bytecode op of the same name (`i32.add` → `i32_add`), and the
 * wide-arithmetic operators (two i64 results from one op). A constant
 * costs nothing until used; an operator with a constant operand takes its
 * immediate form (`i32_add_i`, `i64_mul_k`), and an `i32.add`/`i32.shl` by a
 * constant is deferred on the operand stack (a memory access or call folds
 * it). Fused forms are rules in `_fusion_rules.ts`.
 *
 * Invariants:
 * - A deferred entry's base register stays unchanged while the entry lives:
 *   a local (a `local.set` materialises it first) or the entry's own register.
 * - In deterministic mode a float result that may be a host-computed NaN is
 *   canonicalised right after it is computed.
 *
 * @module
 */

import { opCode, SWAPPED_CONDITION } from "./_op_shapes.ts";
import { Operand } from "./_operand_stack.ts";
import { fuse, Site } from "./_fusion_rules.ts";
import type { OperatorHandler, TranslatorCore } from "./_translator_core.ts";
import { CompileError, Op as W, opByKey, ValType } from "@capstan/environ";
import { BYTECODE_OPS, Op } from "@capstan/interpreter";

/** The constants' translations, by operator key. */
export const CONSTANT_OPERATORS: ReadonlyMap<number, OperatorHandler> = new Map([
  [W.i32_const, (t) => t.stack.pushConst(ValType.i32, t.r.i32, 0)],
  [W.i64_const, (t) => t.stack.pushConst(ValType.i64, t.r.lo, t.r.hi)],
  [W.f32_const, (t) => t.stack.pushConst(ValType.f32, t.r.f32Bits, 0)],
  [W.f64_const, (t) => t.stack.pushConst(ValType.f64, t.r.lo, t.r.hi)],
]);

/** Float ops whose result may be a NaN computed by the host (deterministic mode canonicalises it). */
const NAN_PRODUCING = new Set(
  ["add", "sub", "mul", "div", "sqrt", "min", "max", "ceil", "floor", "trunc", "nearest"]
    .flatMap((o) => [`f32_${o}`, `f64_${o}`]).concat(["f32_demote_f64", "f64_promote_f32"]),
);

const COMMUTATIVE = new Set(["i32_add", "i32_mul", "i32_and", "i32_or", "i32_xor", "i64_add"]);

/** Wasm operators whose bytecode op has another name (a move of the bits). */
const RENAME: Record<string, string> = {
  "i32.wrap_i64": "mov",
  "i32.reinterpret_f32": "mov",
  "f32.reinterpret_i32": "mov",
  "i64.reinterpret_f64": "mov64",
  "f64.reinterpret_i64": "mov64",
};

/** The bytecode name and op of each numeric wasm operator (by operator key), once computed. */
const NUMERIC_OPS = new Map<number, { readonly name: string; readonly code: number }>();

/** The bytecode name and op (-1: none) of the numeric wasm operator `key` named `wasmName`. */
function numericOp(
  key: number,
  wasmName: string,
): { readonly name: string; readonly code: number } {
  let op = NUMERIC_OPS.get(key);
  if (op === undefined) {
    const name = RENAME[wasmName] ?? wasmName.replace(".", "_");
    op = { name, code: opCode(name) };
    NUMERIC_OPS.set(key, op);
  }
  return op;
}

/** The `_i` form of each op that has one (`i32_add` → `i32_add_i`), else -1. */
const IMM_FORM: readonly number[] = BYTECODE_OPS.map((op) => opCode(`${op.name}_i`));

/**
 * Translates a numeric operator (one result, one or two operands).
 *
 * @param t the translator state
 * @param key the operator's key
 * @throws {CompileError} for an operator without a bytecode op
 */
export function numeric(t: TranslatorCore, key: number): void {
  const r = t.r;
  const info = opByKey(key);
  if (info?.sig !== undefined && info.sig[1].length === 2) {
    wide(t, info.name, info.sig[0].length);
    return;
  }
  if (info === undefined || info.sig === undefined || info.sig[1].length !== 1) {
    throw new CompileError(`unsupported operator ${info?.name ?? key}`, r.offset);
  }
  const { name, code } = numericOp(key, info.name);
  if (code < 0) throw new CompileError(`unsupported operator ${info.name}`, r.offset);
  if (info.sig[0].length === 1) unop(t, code, info.sig[1][0]);
  else binop(t, name, code, info.sig[1][0]);
  if (t.canonicalizeNaN && NAN_PRODUCING.has(name)) {
    const ty = info.sig[1][0];
    t.emit(ty === ValType.f32 ? Op.f32_canon : Op.f64_canon, t.L + t.stack.height - 1);
  }
}

/**
 * Translates a wide-arithmetic operator (`i64.add128`, `i64.sub128`,
 * `i64.mul_wide_s/u`): `n` i64 operands, two i64 results (low, then high)
 * computed by one op whose operands are the two result registers, then the
 * operand registers in push order.
 */
function wide(t: TranslatorCore, wasmName: string, n: number): void {
  const code = opCode(wasmName.replace(".", "_"));
  const positions: number[] = [];
  for (let i = 0; i < n; i++) positions.unshift(t.pop());
  const regs = positions.map((p) => t.reg(p));
  const lo = t.pushTemp(ValType.i64);
  const hi = t.pushTemp(ValType.i64);
  t.emit(code, lo, hi, ...regs);
}

/**
 * Translates a unary operator into bytecode op `code`.
 *
 * @param t the translator state
 * @param code the op
 * @param result its result type
 */
export function unop(t: TranslatorCore, code: number, result: ValType): void {
  const a = t.reg(t.pop());
  const d = t.pushTemp(result);
  // a wrap or reinterpretation in place moves nothing (kept where the JS backend changes
  // the value's representation there)
  if ((code === Op.mov || code === Op.mov64) && a === d && !t.keepSelfMoves) return;
  t.emit(code, d, a);
}

function binop(t: TranslatorCore, name: string, code: number, result: ValType): void {
  const b = t.pop();
  const a = t.pop();
  if (t.superInstructions) {
    if (fuse(t, Site.Binary, code, a, b, 0, 0)) return;
    const imm64 = immForm64(t, name, a, b);
    if (imm64 !== undefined) {
      const [op, src, ...imms] = imm64;
      if (fuse(t, Site.Immediate, op, src, imms[0], imms[1] ?? 0, 0)) return;
      const ra = t.reg(src);
      const d = t.pushTemp(result);
      t.emit(op, d, ra, ...imms);
      return;
    }
    const imm = immForm(t, name, code, a, b);
    if (imm !== undefined) {
      const [op, src, value] = imm;
      if (op === Op.i32_add_i && deferAdd(t, src, a, value)) return;
      if (op === Op.i32_shl_i && deferShl(t, src, a, value)) return;
      if (fuse(t, Site.Immediate, op, src, value, 0, 0)) return;
      const ra = t.reg(src);
      const d = t.pushTemp(result);
      t.emit(op, d, ra, value);
      return;
    }
  }
  const ra = t.reg(a);
  const rb = t.reg(b);
  const d = t.pushTemp(result);
  t.emit(code, d, ra, rb);
}

/**
 * Pushes `src + value` as a deferred {@link Operand.AddImm} entry at
 * position `at` when that is safe: its base register must stay unchanged
 * while the entry lives (a local, which local.set protects, or the entry's
 * own slot). A deferred shift takes the addend into its own.
 */
function deferAdd(t: TranslatorCore, src: number, at: number, value: number): boolean {
  const s = t.stack;
  const kind = s.kind(src);
  let reg: number;
  let imm = value;
  if (kind === Operand.Local) reg = s.localIndex(src);
  else if (kind === Operand.Temp && src === at) reg = t.L + at;
  else if (kind === Operand.AddImm && (s.base(src) < t.L || s.base(src) === t.L + at)) {
    reg = s.base(src);
    imm = (s.addend(src) + value) | 0;
  } else if (kind === Operand.Shl && (s.base(src) < t.L || s.base(src) === t.L + at)) {
    s.pushShl(s.base(src), s.shift(src), (s.addend(src) + value) | 0);
    return true;
  } else return false;
  s.pushAddImm(reg, imm);
  return true;
}

/** Pushes `src << shift` as a deferred {@link Operand.Shl} entry at `at` when safe (as {@link deferAdd}). */
function deferShl(t: TranslatorCore, src: number, at: number, shift: number): boolean {
  const s = t.stack;
  const kind = s.kind(src);
  let reg: number;
  if (kind === Operand.Local) reg = s.localIndex(src);
  else if (kind === Operand.Temp && src === at) reg = t.L + at;
  else return false;
  s.pushShl(reg, shift, 0);
  return true;
}

/**
 * An immediate form of the i64 op `name` with a constant operand:
 * [op, register operand, ...immediates].
 */
function immForm64(t: TranslatorCore, name: string, a: number, b: number): number[] | undefined {
  const s = t.stack;
  const ca = s.kind(a) === Operand.Const;
  const cb = s.kind(b) === Operand.Const;
  if (ca === cb) return undefined;
  const c = cb ? b : a;
  const r = cb ? a : b;
  const lo = s.constLo(c);
  const hi = s.constHi(c);
  const small = hi === lo >> 31;
  switch (name) {
    case "i64_add":
      return small ? [Op.i64_add_i, r, lo] : [Op.i64_add_k, r, lo, hi];
    case "i64_mul":
      return [Op.i64_mul_k, r, lo, hi];
    case "i64_and":
      return [Op.i64_and_k, r, lo, hi];
    case "i64_or":
      return [Op.i64_or_k, r, lo, hi];
    case "i64_xor":
      return [Op.i64_xor_k, r, lo, hi];
  }
  if (!cb) return undefined;
  switch (name) {
    case "i64_sub": {
      const neg = BigInt.asIntN(64, -((BigInt(hi) << 32n) | BigInt(lo >>> 0)));
      const nlo = Number(BigInt.asIntN(32, neg));
      const nhi = Number(BigInt.asIntN(32, neg >> 32n));
      return nhi === nlo >> 31 ? [Op.i64_add_i, a, nlo] : [Op.i64_add_k, a, nlo, nhi];
    }
    case "i64_shl":
      return [Op.i64_shl_i, a, lo & 63];
    case "i64_shr_s":
      return [Op.i64_shr_s_i, a, lo & 63];
    case "i64_shr_u":
      return [Op.i64_shr_u_i, a, lo & 63];
    case "i64_rotl":
      return [Op.i64_rotl_i, a, lo & 63];
    case "i64_rotr":
      return [Op.i64_rotl_i, a, (64 - (lo & 63)) & 63];
  }
  return undefined;
}

/** An `_i` form for `a op b` with a constant operand: [op, register operand, immediate]. */
function immForm(
  t: TranslatorCore,
  name: string,
  code: number,
  a: number,
  b: number,
): [number, number, number] | undefined {
  const s = t.stack;
  const ca = s.kind(a) === Operand.Const;
  const cb = s.kind(b) === Operand.Const;
  if (ca === cb) return undefined;
  if (name.startsWith("i64")) return undefined; // see immForm64
  if (!name.startsWith("i32")) return undefined;
  if (cb) {
    const v = s.constLo(b);
    if (name === "i32_sub") return [Op.i32_add_i, a, (-v) | 0];
    if (name === "i32_rotl") return [Op.i32_rotl_i, a, v & 31];
    if (name === "i32_rotr") return [Op.i32_rotl_i, a, (32 - (v & 31)) & 31];
    const op = IMM_FORM[code];
    if (op < 0) return undefined;
    if (name === "i32_shl" || name === "i32_shr_s" || name === "i32_shr_u") {
      return [op, a, v & 31];
    }
    return [op, a, v];
  }
  // constant on the left
  const v = s.constLo(a);
  if (COMMUTATIVE.has(name)) {
    const op = IMM_FORM[code];
    return op < 0 ? undefined : [op, b, v];
  }
  const cond = name.slice(4);
  const swapped = SWAPPED_CONDITION[cond];
  if (swapped === undefined) return undefined;
  const op = opCode(`i32_${swapped}_i`);
  return op < 0 ? undefined : [op, b, v];
}
