/**
 * Super-instruction fusion, as rules: each rule names where it applies (a
 * {@link Site} and the op the translator would emit there unfused), the
 * fused bytecode op, and a short function that checks the instructions just
 * emitted and the operand entries (the pattern) and emits the fused op. One
 * matcher, {@link fuse}, tries the rules of a site and op in table order.
 * Loop closers (an increment and the branch that closes the loop) are plain
 * data ({@link LOOP_CLOSERS}, {@link SECOND_INCREMENTS}), applied at emit
 * time and again by an IR pass ({@link fuseLoopClosers}) where a fuel charge
 * sits between the two.
 *
 * What is not here: folds that are how an operand is translated stay with
 * their family: a compare into the branch that tests it (`br_<cmp>`,
 * `_control.ts`), a deferred add into a call's last argument (`call_add_i`,
 * `_control.ts`) or into an address, a deferred shift into an indexed access
 * (`_memory.ts`), a constant into an immediate form (`_numeric.ts`), and a
 * `local.set` retargeting the instruction that computed its value.
 *
 * Invariants:
 * - Rules apply only with `Tunables.superInstructions` on.
 * - A rule that returns false has changed nothing; one that returns true has
 *   emitted the whole fused computation (and pushed its result, if any).
 * - A rule takes back only instructions of the current block that nothing
 *   else reads, and the fused op traps where the first taken-back
 *   instruction would have.
 *
 * @module
 */

import { Operand } from "./_operand_stack.ts";
import type { TranslatorCore } from "./_translator_core.ts";
import { ValType } from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import { type IrInst, LABEL } from "./ir.ts";

/** Where in the translation a rule is tried, and what its four arguments are. */
export const enum Site {
  /** A binary numeric operator: (a, b) the operand positions. */
  Binary,
  /** An operator with a constant operand (an `_i`/`_k` form): (src position, imm, imm2). */
  Immediate,
  /** A memory store: (base register, folded constant, offset, stored entry position). */
  Store,
  /** A deferred `base + addend` entry written out: (destination register, entry position). */
  Consume,
}

/** One fusion rule. */
export interface FusionRule {
  /** Where it is tried. */
  readonly site: Site;
  /** The op the translator would emit there unfused. */
  readonly on: number;
  /** The fused op. */
  readonly emits: number;
  /** The pattern, in one line. */
  readonly doc: string;
  /** Checks the pattern and, when it holds, emits the fused op. */
  readonly apply: (t: TranslatorCore, x: number, y: number, z: number, w: number) => boolean;
}

/** The fusion rules, tried in this order for the same site and op. */
// deno-fmt-ignore
export const FUSION_RULES: readonly FusionRule[] = [
  { site: Site.Consume, on: Op.i32_add_i, emits: Op.i32_mul_add_i, apply: mulAddImm, doc: "x * k + c: a deferred add of a product by a constant just computed" },
  { site: Site.Binary, on: Op.f64_add, emits: Op.f64_mul_add, apply: mulAdd, doc: "a * b + c: f64.add of a product just computed" },
  { site: Site.Binary, on: Op.f64_add, emits: Op.f64_mul_add, apply: mulLoadAdd, doc: "a * b + load: the load moves before the product" },
  { site: Site.Binary, on: Op.i64_add, emits: Op.i64_mul_k_add, apply: mulKAdd, doc: "x * K + c (i64), with the load of x when it was just loaded (load64_mul_k_add)" },
  { site: Site.Binary, on: Op.i32_sub, emits: Op.i32_sbit_and_i, apply: negBit, doc: "0 - (x & 1): the low bit as all ones or zero" },
  { site: Site.Binary, on: Op.i32_xor, emits: Op.i32_xor_shr_u_i, apply: xorShr, doc: "y ^ (x >>> s), the shift just computed" },
  { site: Site.Binary, on: Op.f64_sub, emits: Op.load64_f64_sub, apply: loadSub, doc: "y - load64(...), the load just computed" },
  { site: Site.Immediate, on: Op.i64_mul_k, emits: Op.i64_rotl_mul_k, apply: rotlMulK, doc: "rotl(x, s) * K, and a whole hash round after a load64_mul_k_add" },
  { site: Site.Immediate, on: Op.i32_shr_s_i, emits: Op.i32_sbit_and_i, apply: signBit, doc: "(x << s) >> 31: bit 31 - s of x as all ones or zero" },
  { site: Site.Immediate, on: Op.i32_and_i, emits: Op.i32_sbit_and_i, apply: signBitAnd, doc: "sbit_and(x, s, k) & m narrows the mask" },
  { site: Site.Immediate, on: Op.i32_and_i, emits: Op.i32_shr_u_and_i, apply: shrAnd, doc: "(x >>> s) & m, the shift just computed" },
  { site: Site.Store, on: Op.store64, emits: Op.store64_madd, apply: storeMadd, doc: "mem[p] = mem[p] ± a * b (f64), and store64_madd_m when b was just loaded" },
];

/**
 * A loop closer: `x += step; if (x <cond> limit) br` (the increment right
 * before the branch) becomes one op doing both.
 */
export interface LoopCloser {
  /** The branch op the translator would emit (its compare already fused). */
  readonly branch: number;
  /** The increment: `i32_add_i x, x, k` or `i32_add x, x, s` (s a register). */
  readonly step: number;
  /** The fused op: operands (x, step, limit, label). */
  readonly emits: number;
  /** The limit: the branch's immediate, a register, or zero (`br_if`: x != 0). */
  readonly limit: "imm" | "reg" | "zero";
  /** Whether the compare reads (limit, x) rather than (x, limit): `limit >u x` is `x <u limit`. */
  readonly swapped: boolean;
  /** Whether the IR pass fuses it also when a fuel charge sits between increment and branch. */
  readonly acrossCharge: boolean;
}

/** The loop closers, by branch op. */
// deno-fmt-ignore
export const LOOP_CLOSERS: ReadonlyMap<number, LoopCloser> = new Map(
  ([
    // branch      step          emits              limit   swapped acrossCharge
    [Op.br_if,     Op.i32_add_i, Op.br_inc_ne_i,    "zero", false, true],
    [Op.br_ne_i,   Op.i32_add_i, Op.br_inc_ne_i,    "imm",  false, true],
    [Op.br_lt_u_i, Op.i32_add_i, Op.br_inc_lt_u_i,  "imm",  false, true],
    [Op.br_lt_s_i, Op.i32_add_i, Op.br_inc_lt_s_i,  "imm",  false, true],
    [Op.br_gt_u_i, Op.i32_add_i, Op.br_inc_gt_u_i,  "imm",  false, true],
    [Op.br_lt_u,   Op.i32_add_i, Op.br_inc_lt_u_r,  "reg",  false, true],
    [Op.br_gt_u,   Op.i32_add_i, Op.br_inc_lt_u_r,  "reg",  true,  false],
    [Op.br_le_u,   Op.i32_add,   Op.br_add_le_u,    "reg",  false, false],
    [Op.br_ge_u,   Op.i32_add,   Op.br_add_le_u,    "reg",  true,  false],
  ] as const).map(([branch, step, emits, limit, swapped, acrossCharge]) =>
    [branch, { branch, step, emits, limit, swapped, acrossCharge }]
  ),
);

/**
 * A closer right after another register's increment `i32_add_i p, p, k` (a
 * loop with two induction variables; a fuel charge may sit between) becomes
 * one op doing both increments: closer op → fused op, operands (closer's..., p, k).
 */
export const SECOND_INCREMENTS: ReadonlyMap<number, number> = new Map([
  [Op.br_inc_ne_i, Op.br_inc2_ne_i],
  [Op.br_inc_lt_u_i, Op.br_inc2_lt_u_i],
]);

/** The rules of each site, indexed by op. */
const BY_SITE: (FusionRule[] | undefined)[][] = [[], [], [], []];
for (const rule of FUSION_RULES) (BY_SITE[rule.site][rule.on] ??= []).push(rule);

/**
 * Tries the rules for `on` at `site` in table order.
 *
 * @returns whether one fused
 */
export function fuse(
  t: TranslatorCore,
  site: Site,
  on: number,
  x: number,
  y: number,
  z: number,
  w: number,
): boolean {
  if (!t.superInstructions) return false;
  const rules = BY_SITE[site][on];
  if (rules === undefined) return false;
  for (let i = 0; i < rules.length; i++) if (rules[i].apply(t, x, y, z, w)) return true;
  return false;
}

/**
 * Fuses a loop closer ({@link LOOP_CLOSERS}) for `branch a, b, label`, the
 * last instruction being its increment.
 *
 * @returns whether it did
 */
export function fuseLoopCloser(
  t: TranslatorCore,
  branch: number,
  a: number,
  b: number,
  label: number,
): boolean {
  const c = LOOP_CLOSERS.get(branch);
  const n = t.insts.length;
  if (!t.superInstructions || c === undefined || n === 0) return false;
  const add = t.insts[n - 1];
  const [x, p, q] = add.operands as number[];
  if (c.limit !== "reg") {
    if (add.op !== Op.i32_add_i || x !== a || p !== a) return false;
    t.retract();
    t.emit(c.emits, a, q, b, label);
    return true;
  }
  let step: number;
  if (c.step === Op.i32_add_i && add.op === Op.i32_add_i && p === x) step = q;
  else if (c.step === Op.i32_add && add.op === Op.i32_add && (p === x) !== (q === x)) {
    step = p === x ? q : p;
  } else return false;
  const limit = c.swapped ? (b === x ? a : -1) : (a === x ? b : -1);
  if (limit === -1 || limit === x) return false;
  t.retract();
  t.emit(c.emits, x, step, limit, label);
  return true;
}

/**
 * The IR pass for loop closers separated from their increment by a fuel
 * charge: with `acrossCharges`, `add; charge; br` becomes `charge; br_inc_<cond>`
 * for the {@link LOOP_CLOSERS} marked so (the add cannot trap, so running it
 * after the checks changes nothing observable); then {@link SECOND_INCREMENTS}.
 * Replaced instructions become unreferenced labels, so instruction indices
 * (which `refSlotsAt` is keyed by) stay put.
 *
 * @param insts the function's IR
 * @param labels allocates the labels that take removed instructions' places
 * @param acrossCharges whether fuel charges were placed (fuel on, fused charges)
 */
export function fuseLoopClosers(
  insts: IrInst[],
  labels: { newLabel(): number },
  acrossCharges: boolean,
): void {
  if (acrossCharges) {
    for (let i = 2; i < insts.length; i++) {
      const br = insts[i];
      const s = beforeCharge(insts, i);
      const add = insts[s];
      const a = add.operands[0];
      if (s === i - 1 || add.op !== Op.i32_add_i || add.operands[1] !== a) continue;
      if (br.operands[0] !== a) continue;
      const c = LOOP_CLOSERS.get(br.op);
      if (c === undefined || !c.acrossCharge) continue;
      const b = c.limit === "zero" ? 0 : br.operands[1];
      if (c.limit === "reg" && b === a) continue;
      const label = br.operands[br.operands.length - 1];
      fuseIncrementInto(insts, labels, s, i, {
        op: c.emits,
        operands: [a, add.operands[2], b, label],
        wasmOffset: br.wasmOffset,
      });
    }
  }
  for (let i = 1; i < insts.length; i++) {
    const br = insts[i];
    const op = SECOND_INCREMENTS.get(br.op);
    if (op === undefined) continue;
    const s = beforeCharge(insts, i);
    const add = insts[s];
    const p = add.operands[0];
    if (add.op !== Op.i32_add_i || add.operands[1] !== p || p === br.operands[0]) continue;
    fuseIncrementInto(insts, labels, s, i, {
      op,
      operands: [...br.operands, p, add.operands[2]],
      wasmOffset: br.wasmOffset,
    });
  }
}

/** The index of the instruction before `i`, past a fuel charge right before it (at most one). */
function beforeCharge(insts: readonly IrInst[], i: number): number {
  return i > 1 && insts[i - 1].op === Op.fuel ? i - 2 : i - 1;
}

/**
 * Replaces increment `s` and branch `i` by `fused`: it goes at `i - 1`, a
 * charge between them moves up one, and `i` becomes an unreferenced label.
 */
function fuseIncrementInto(
  insts: IrInst[],
  labels: { newLabel(): number },
  s: number,
  i: number,
  fused: IrInst,
): void {
  const br = insts[i];
  for (let k = s; k < i - 1; k++) insts[k] = insts[k + 1];
  insts[i - 1] = fused;
  insts[i] = { op: LABEL, operands: [labels.newLabel()], wasmOffset: br.wasmOffset };
}

// ---- the rules' patterns ----

/**
 * A deferred `t + c` of a product by a constant that the last instruction
 * just computed into the entry's own register (`x * k + c`, an LCG step)
 * becomes one `i32_mul_add_i` writing `dst`. Only for an entry being
 * consumed or materialised in place: nothing else reads the product.
 */
function mulAddImm(t: TranslatorCore, dst: number, pos: number): boolean {
  const s = t.stack;
  const last = t.lastDefinition();
  if (
    s.kind(pos) !== Operand.AddImm || s.base(pos) !== t.L + pos || last === undefined ||
    last.op !== Op.i32_mul_i || last.operands[0] !== t.L + pos
  ) {
    return false;
  }
  last.op = Op.i32_mul_add_i;
  last.operands = [dst, last.operands[1], last.operands[2], s.addend(pos)];
  return true;
}

/** Whether entry `pos` is a temporary or a local (already in a register). */
function inRegister(t: TranslatorCore, pos: number): boolean {
  const k = t.stack.kind(pos);
  return k === Operand.Temp || k === Operand.Local;
}

/**
 * When the last instruction is `op` and computed temporary `a` or `b`, and
 * the other operand is already in a register: that other operand's position
 * (the product's partner in a fused multiply-add); else -1.
 */
function addendOfProduct(t: TranslatorCore, op: number, a: number, b: number): number {
  const last = t.lastDefinition();
  if (last === undefined || last.op !== op) return -1;
  let other: number;
  if (t.stack.kind(a) === Operand.Temp && last.operands[0] === t.L + a) other = b;
  else if (t.stack.kind(b) === Operand.Temp && last.operands[0] === t.L + b) other = a;
  else return -1;
  return inRegister(t, other) ? other : -1;
}

/**
 * `f64.add` of a product just computed by the last instruction becomes one
 * `f64_mul_add` (JS rounds the product and the sum separately, exactly as
 * wasm does). The other addend must already be in a register.
 */
function mulAdd(t: TranslatorCore, a: number, b: number): boolean {
  const other = addendOfProduct(t, Op.f64_mul, a, b);
  if (other < 0) return false;
  const rc = t.reg(other);
  const last = t.retract();
  const d = t.pushTemp(ValType.f64);
  t.emit(Op.f64_mul_add, d, last.operands[1], last.operands[2], rc);
  return true;
}

/**
 * `f64.add` of a product computed two instructions ago and a value just
 * loaded (`c[j] += a * b[j]`): the load moves before the product, into the
 * product's register, and the pair becomes one `f64_mul_add` (the load has
 * no dependence on the product, and the product's operands are not that
 * register, so the order does not matter; a trapping load still traps
 * before anything visible happens).
 */
function mulLoadAdd(t: TranslatorCore, a: number, b: number): boolean {
  const n = t.insts.length;
  if (n < 2 || t.lastDef !== n - 1) return false;
  const load = t.insts[n - 1];
  const mul = t.insts[n - 2];
  if (mul.op !== Op.f64_mul || (load.op !== Op.load64 && load.op !== Op.load64_x)) return false;
  if (t.stack.kind(a) !== Operand.Temp || t.stack.kind(b) !== Operand.Temp) return false;
  const ra = t.L + a;
  if (mul.operands[0] !== ra || load.operands[0] !== t.L + b) return false;
  if (mul.operands[1] === ra || mul.operands[2] === ra) return false;
  load.operands[0] = ra;
  t.retract(n - 2);
  const d = t.pushTemp(ValType.f64);
  t.emit(Op.f64_mul_add, d, mul.operands[1], mul.operands[2], ra);
  return true;
}

/**
 * `i64.add` of a product by a constant that the last instruction just
 * computed (`i64_mul_k`) becomes one `i64_mul_k_add`, or `load64_mul_k_add`
 * when the multiplicand was just loaded into a temporary that only this
 * product read. The other addend must already be in a register.
 */
function mulKAdd(t: TranslatorCore, a: number, b: number): boolean {
  const other = addendOfProduct(t, Op.i64_mul_k, a, b);
  if (other < 0) return false;
  const rc = t.reg(other);
  const [, ra, lo, hi] = t.retract().operands;
  const ld = t.insts[t.insts.length - 1];
  const d = t.pushTemp(ValType.i64);
  if (ld !== undefined && ld.op === Op.load64 && ld.operands[0] === ra && (ra as number) >= t.L) {
    t.retract();
    const [, base, k, offset] = ld.operands;
    t.emit(Op.load64_mul_k_add, d, base, k, offset, rc, lo, hi).wasmOffset = ld.wasmOffset;
    return true;
  }
  t.emit(Op.i64_mul_k_add, d, ra, rc, lo, hi);
  return true;
}

/**
 * `i64.mul` by a constant of a rotate the last instruction just computed
 * (`i64_rotl_i`, into a temporary or, through `local.tee`, a local) becomes
 * one `i64_rotl_mul_k`, which still writes the rotate's register; after a
 * `load64_mul_k_add` that computed the rotated value (no label between), one
 * op for the whole round.
 */
function rotlMulK(t: TranslatorCore, src: number, lo: number, hi: number): boolean {
  const last = t.lastDefinition();
  if (last === undefined || last.op !== Op.i64_rotl_i) return false;
  const r = last.operands[0];
  const k = t.stack.kind(src);
  if (
    !(k === Operand.Temp && r === t.L + src) &&
    !(k === Operand.Local && t.stack.localIndex(src) === r)
  ) {
    return false;
  }
  t.retract();
  const d = t.pushTemp(ValType.i64);
  const prev = t.insts[t.insts.length - 1];
  const a = last.operands[1] as number;
  if (
    prev !== undefined && prev.op === Op.load64_mul_k_add && prev.operands[0] === a && a >= t.L
  ) {
    t.retract();
    const [, base, kk, offset, c, klo, khi] = prev.operands;
    const s = last.operands[2];
    t.emit(Op.load64_mul_k_add_rotl_mul_k, d, r, base, kk, offset, c, s, klo, khi, lo, hi)
      .wasmOffset = prev.wasmOffset;
    return true;
  }
  t.emit(Op.i64_rotl_mul_k, d, r, last.operands[1], last.operands[2], lo, hi);
  return true;
}

/**
 * `(x << s) >> 31` (an i32 shift by a constant, deferred or just emitted,
 * then an arithmetic shift right by 31: bit 31 - s of x as all ones or
 * zero) becomes one `i32_sbit_and_i` with mask -1.
 */
function signBit(t: TranslatorCore, src: number, by: number): boolean {
  if (by !== 31) return false;
  const s = t.stack;
  let x: number;
  let sh: number;
  if (s.kind(src) === Operand.Shl && s.addend(src) === 0) [x, sh] = [s.base(src), s.shift(src)];
  else if (t.lastWrote(Op.i32_shl_i, src)) {
    const shl = t.retract();
    [x, sh] = [shl.operands[1] as number, shl.operands[2] as number];
  } else return false;
  const d = t.pushTemp(ValType.i32);
  t.emit(Op.i32_sbit_and_i, d, x, sh, -1);
  return true;
}

/** An `i32.and` by a constant of an `i32_sbit_and_i` just computed narrows its mask. */
function signBitAnd(t: TranslatorCore, src: number, mask: number): boolean {
  if (!t.lastWrote(Op.i32_sbit_and_i, src)) return false;
  const [, x, s, k] = t.retract().operands as number[];
  const d = t.pushTemp(ValType.i32);
  t.emit(Op.i32_sbit_and_i, d, x, s, k & mask);
  return true;
}

/** `(x >>> s) & m` (the shift just computed) becomes one `i32_shr_u_and_i`. */
function shrAnd(t: TranslatorCore, src: number, mask: number): boolean {
  if (!t.lastWrote(Op.i32_shr_u_i, src)) return false;
  const [, x, s] = t.retract().operands as number[];
  const d = t.pushTemp(ValType.i32);
  t.emit(Op.i32_shr_u_and_i, d, x, s, mask);
  return true;
}

/**
 * `y - load64(...)` (the load just computed, `y` already in a register)
 * becomes one `load64_f64_sub`, which traps where the load would.
 */
function loadSub(t: TranslatorCore, a: number, b: number): boolean {
  if (!t.lastWrote(Op.load64, b) || !inRegister(t, a)) return false;
  const y = t.reg(a);
  const ld = t.insts[t.insts.length - 1];
  if (ld.operands[0] === y) return false;
  t.retract();
  const [, base, kk, offset] = ld.operands as number[];
  const d = t.pushTemp(ValType.f64);
  t.emit(Op.load64_f64_sub, d, base, kk, offset, y).wasmOffset = ld.wasmOffset;
  return true;
}

/**
 * `y ^ (x >>> s)` (either operand the shift just computed, the other
 * already in a register or a deferred add) becomes one `i32_xor_shr_u_i`.
 */
function xorShr(t: TranslatorCore, a: number, b: number): boolean {
  let other: number;
  if (t.lastWrote(Op.i32_shr_u_i, b)) other = a;
  else if (t.lastWrote(Op.i32_shr_u_i, a)) other = b;
  else return false;
  // (a deferred add is computed after the shift, into its own register, which the
  // shift does not read)
  if (!inRegister(t, other) && t.stack.kind(other) !== Operand.AddImm) return false;
  const [, x, s] = t.retract().operands as number[];
  const ry = t.reg(other);
  const d = t.pushTemp(ValType.i32);
  t.emit(Op.i32_xor_shr_u_i, d, ry, x, s);
  return true;
}

/** `0 - (x & 1)` (the low bit of x as all ones or zero) becomes one `i32_sbit_and_i`. */
function negBit(t: TranslatorCore, a: number, b: number): boolean {
  const s = t.stack;
  if (s.kind(a) !== Operand.Const || s.constLo(a) !== 0 || !t.lastWrote(Op.i32_and_i, b)) {
    return false;
  }
  const and = t.insts[t.insts.length - 1];
  if (and.operands[2] !== 1) return false;
  t.retract();
  const d = t.pushTemp(ValType.i32);
  t.emit(Op.i32_sbit_and_i, d, and.operands[1], 31, -1);
  return true;
}

/** f64 ops that neither trap nor touch memory (they may stay between fused ones). */
const PURE_F64 = new Set<number>([
  Op.f64_add,
  Op.f64_sub,
  Op.f64_mul,
  Op.f64_div,
  Op.f64_mul_add,
  Op.f64_sqrt,
]);

/**
 * An f64 store of `mem + a * b` (or `mem - a * b`) to the address `mem`
 * was just loaded from (`c[j] += a * b[j]`) becomes one `store64_madd`
 * (`store64_msub`). The load, the product (`f64_mul`, or the `f64_mul_add`
 * that already holds both) and the sum are taken back; up to three pure f64
 * ops between them that touch none of their registers stay in place. The
 * fused op reads memory and `a`, `b` where the store was, which gives the
 * same values: nothing in between writes memory, the base or `a`, `b`, and
 * the fused op traps exactly where the load would have (the store has the
 * same address and width, so it could not trap after a load that did not).
 *
 * @param a the store's base register
 * @param k the store's folded constant
 * @param offset the store's offset
 * @param v the stored entry
 * @returns whether it fused
 */
function storeMadd(t: TranslatorCore, a: number, k: number, offset: number, v: number): boolean {
  const insts = t.insts;
  const n = insts.length;
  const L = t.L;
  if (!t.lastWrote(insts[n - 1]?.op, v)) return false;
  const sum = insts[n - 1];
  let op: number;
  let c: number;
  let p = -1; // the product's register (f64_add, f64_sub)
  let prod: number[] | undefined; // [a, b] of the product
  const [x, y] = [sum.operands[1] as number, sum.operands[2] as number];
  if (sum.op === Op.f64_mul_add) {
    [op, c, prod] = [Op.store64_madd, sum.operands[3] as number, [x, y]];
  } else if (sum.op === Op.f64_sub) [op, c, p] = [Op.store64_msub, x, y];
  else if (sum.op === Op.f64_add) [op, c, p] = [Op.store64_madd, x, y];
  else return false;
  // find the load of c and the product p, walking back over kept pure f64 ops
  let loadAt = -1;
  let mulAt = -1;
  for (let i = n - 2; i > 0 && i >= n - 6; i--) {
    const ins = insts[i];
    const d = ins.operands[0];
    if (sum.op === Op.f64_add && loadAt < 0 && mulAt < 0 && (d === c || d === p)) {
      // the later of the two decides which addend is the loaded one
      if ((ins.op === Op.load64) === (d === p)) [c, p] = [p, c];
    }
    if (d === c && loadAt < 0) {
      if (ins.op !== Op.load64) return false;
      loadAt = i;
    } else if (p >= 0 && d === p && mulAt < 0) {
      if (ins.op !== Op.f64_mul) return false;
      mulAt = i;
      prod = [ins.operands[1] as number, ins.operands[2] as number];
    } else if (!PURE_F64.has(ins.op)) return false;
    if (loadAt >= 0 && (p < 0 || mulAt >= 0)) break;
  }
  if (loadAt < 0 || prod === undefined || (p >= 0 && mulAt < 0)) return false;
  const ld = insts[loadAt];
  if (ld.operands[1] !== a || ld.operands[2] !== k || ld.operands[3] !== offset) return false;
  // the dropped registers are dead temporaries; the fused op reads a, b and the base as late
  // as the store, so what runs after the load / product must not change them or read c / p
  if (c < L || (p >= 0 && p < L) || c === p || a === c || a === p) return false;
  if (prod.includes(c) && (mulAt < 0 || mulAt > loadAt)) return false; // it read the loaded c
  for (let i = Math.min(loadAt, mulAt < 0 ? loadAt : mulAt) + 1; i < n - 1; i++) {
    if (i === loadAt || i === mulAt) continue;
    const ops = insts[i].operands as number[];
    const reads = ops.slice(1);
    if (i > loadAt && (ops[0] === a || reads.includes(c))) return false;
    if (mulAt >= 0 && i > mulAt && (prod.includes(ops[0]) || reads.includes(p))) return false;
  }
  const mem = op === Op.store64_madd ? productLoad(t, prod, loadAt, mulAt) : undefined;
  const wasmOffset = mem === undefined ? ld.wasmOffset : insts[mem.at].wasmOffset;
  t.retract();
  for (const at of [loadAt, mulAt, mem?.at ?? -1].sort((i, j) => j - i)) {
    if (at >= 0) t.retract(at);
  }
  if (mem !== undefined) {
    const [, base, kb, offb] = mem.load.operands as number[];
    t.emit(Op.store64_madd_m, a, k, offset, mem.other, base, kb, offb).wasmOffset = wasmOffset;
  } else t.emit(op, a, k, offset, prod[0], prod[1]).wasmOffset = wasmOffset;
  return true;
}

/**
 * For {@link storeMadd}: a factor of the product that a `load64` before the
 * load of the stored-to address just loaded (`a * b[j]`), which the fused op
 * can load itself (`store64_madd_m`, checking that address first, as the
 * earlier load would have). Nothing between may write its base or read or
 * write the loaded register, and only pure f64 ops and the fused
 * instructions may lie between.
 *
 * @returns the load, its index and the other factor's register
 */
function productLoad(
  t: TranslatorCore,
  prod: number[],
  loadAt: number,
  mulAt: number,
): { load: IrInst; at: number; other: number } | undefined {
  const insts = t.insts;
  const n = insts.length;
  if (prod[0] === prod[1]) return undefined;
  const readAt = mulAt >= 0 ? mulAt : n - 1;
  for (const [q, other] of [[prod[1], prod[0]], [prod[0], prod[1]]]) {
    if (q < t.L) continue;
    let at = -1;
    for (let i = readAt - 1; i > 0 && i >= n - 10; i--) {
      const ins = insts[i];
      if (i === loadAt || i === mulAt) continue;
      if (ins.op === Op.load64 && ins.operands[0] === q) {
        at = i;
        break;
      }
      if (!PURE_F64.has(ins.op) || ins.operands[0] === q) break;
    }
    if (at < 0 || at > loadAt) continue;
    const load = insts[at];
    const base = load.operands[1] as number;
    let ok = base !== q;
    for (let i = at + 1; ok && i < n - 1; i++) {
      if (i === loadAt || i === mulAt) continue;
      const ops = insts[i].operands as number[];
      if (ops[0] === base || ops[0] === q || ops.slice(1).includes(q)) ok = false;
    }
    if (ok) return { load, at, other };
  }
  return undefined;
}
