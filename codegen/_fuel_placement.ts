/**
 * Fuel placement: where a function's fuel charges go. While translating,
 * {@link chargeFuel} places a `fuel n` charge for the operators counted since
 * the last charge before each control transfer (calls and returns charge
 * the pending fuel themselves). With fused charges
 * (`CompileOptions.fuseFuelCharges`), a pass over the IR
 * ({@link fuseFuelCharges}) then merges charges into the ops around them:
 * a charge right before a branch becomes the branch's `fuel_<br>` prefix,
 * and the common part of the charges on every way into a join is charged
 * once after it.
 *
 * Invariants:
 * - Every path pays exactly the operators it runs (wasmtime's accounting:
 *   `nop`, `drop`, `block`, `loop`, `end`, `else` are free), at the latest
 *   at the next control transfer, and never after an operator that may trap.
 * - A charge is moved only across instructions that cannot trap, branch or
 *   call; removed instructions become unreferenced labels, so instruction
 *   indices (which `refSlotsAt` is keyed by) stay put.
 *
 * @module
 */

import { COMPARES, opCode } from "./_op_shapes.ts";
import type { TranslatorCore } from "./_translator_core.ts";
import { BYTECODE_OPS, Op } from "@capstan/interpreter";
import { type IrInst, LABEL } from "./ir.ts";

/**
 * Branch op → its `fuel_<br>` prefix op, which charges a block's fuel and
 * then runs the branch right after it in one dispatch.
 */
const FUEL_PREFIX = new Map<number, number>(
  BYTECODE_OPS.filter((o) => o.name.startsWith("fuel_br")).map((o) => [
    opCode(o.name.slice(5)),
    o.code,
  ]),
);

/** The `fuel_<br>` prefix ops. */
const FUEL_OPS = new Set<number>(FUEL_PREFIX.values());

/** Ops after which control never falls through to the next instruction. */
const TERMINATORS = new Set<number>([
  Op.br,
  Op.br_table,
  Op.return,
  Op.return_fuel,
  Op.return_call,
  Op.trap,
]);

/**
 * Whether an op transfers control or charges fuel (what a fuel charge may not
 * be moved across): a branch, call, return, trap, or charge.
 */
function isControl(op: number): boolean {
  if (op === LABEL) return true;
  const info = BYTECODE_OPS[op];
  return info.operands.some((o) => o.kind === "o" || o.kind === "t" || o.kind === "f") ||
    TERMINATORS.has(op) || op === Op.call_import || op === Op.call_indirect ||
    op === Op.return_call_import || op === Op.return_call_indirect ||
    op === Op.fuel || FUEL_OPS.has(op);
}

/**
 * Charges the fuel counted since the last charge (before control flow).
 * When the last instruction is a compare of this block (it cannot trap),
 * the charge goes before it (earlier in the same block, so never a later
 * trap) and it stays the last definition, so a compare still fuses into
 * the branch that follows. A charge right after another (no label between)
 * is added to it.
 *
 * @param t the translator state
 */
export function chargeFuel(t: TranslatorCore): void {
  if (t.fuel > 0 && t.consumeFuel) {
    const insts = t.insts;
    const last = t.lastDef;
    const op = last > 0 && last === insts.length - 1 ? insts[last].op : -1;
    const before = COMPARES.has(op) || op === Op.i32_eqz;
    const at = before ? last : insts.length;
    const prev = insts[at - 1];
    if (prev.op === Op.fuel) {
      // straight-line code since that charge: one charge for both
      (prev.operands as number[])[0] += t.fuel;
    } else {
      const fuel: IrInst = { op: Op.fuel, operands: [t.fuel], wasmOffset: t.offset };
      insts.splice(at, 0, fuel);
    }
    t.lastDef = before ? at + (prev.op === Op.fuel ? 0 : 1) : -1;
  }
  t.fuel = 0;
}

/**
 * The pass of fused charges: {@link prefixBranches}, then {@link shareJoinCharges}.
 *
 * @param insts the function's IR, charges placed by {@link chargeFuel}
 * @param labels allocates the labels that take removed instructions' places
 */
export function fuseFuelCharges(insts: IrInst[], labels: { newLabel(): number }): void {
  prefixBranches(insts);
  shareJoinCharges(insts, labels);
}

/**
 * A `fuel` charge directly followed by a branch (no label between, so always
 * run together) becomes that branch's `fuel_<br>` prefix op: one dispatch for
 * both. A function's entry charge stays a `fuel` op, which a `call_fuel` from
 * this module pays with its own charge and skips (`compileModule` adds the two).
 */
function prefixBranches(insts: IrInst[]): void {
  for (let i = 1; i < insts.length - 1; i++) {
    if (insts[i].op !== Op.fuel || insts[i - 1].op === Op.enter) continue;
    const prefix = FUEL_PREFIX.get(insts[i + 1].op);
    if (prefix !== undefined) insts[i].op = prefix;
  }
}

/**
 * The first control instruction after `at` when it is reached only from
 * `at` (no label between) and can take a charge (`fuel`, `fuel_<br>`,
 * `call_fuel`, `return_fuel`, `return`); else undefined.
 */
function chargeAfter(insts: readonly IrInst[], at: number): IrInst | undefined {
  let k = at + 1;
  while (k < insts.length && insts[k].op !== LABEL && !isControl(insts[k].op)) k++;
  const next = insts[k];
  if (next === undefined) return undefined;
  const op = next.op;
  const takes = op === Op.return || op === Op.call_fuel || op === Op.fuel ||
    op === Op.return_fuel || FUEL_OPS.has(op);
  return takes ? next : undefined;
}

/** Adds `m` to the charge of `c` (a {@link chargeAfter} result); a `return` becomes `return_fuel`. */
function addCharge(c: IrInst, m: number): void {
  if (c.op === Op.return) {
    c.op = Op.return_fuel;
    c.operands = [m];
  } else if (c.op === Op.call_fuel) (c.operands as number[])[2] += m;
  else (c.operands as number[])[0] += m;
}

/**
 * Where every way into a label is charged right before it (each `br` to it
 * by a `fuel_br` prefix, the fall-through by a `fuel`), the common part `m`
 * of those charges is charged once after the label instead: added to the
 * first control instruction after it when that is a charge (`fuel`,
 * `fuel_<br>`, `call_fuel`, `return_fuel`) or a plain `return` (which becomes
 * `return_fuel`). Each path still pays exactly its operators, and no control
 * transfer lies between the label and the charge (so no path skips it); the
 * join's arms are charged one block later. A charge left at zero is removed:
 * e.g. an if/else whose arms each end with one charged operator then needs
 * no charge op on either arm.
 */
function shareJoinCharges(insts: IrInst[], labels: { newLabel(): number }): void {
  const uses = new Map<number, number[]>();
  const spoiled = new Set<number>();
  for (let i = 0; i < insts.length; i++) {
    const ins = insts[i];
    if (ins.op === LABEL) continue;
    const kinds = BYTECODE_OPS[ins.op].operands;
    for (let k = 0; k < kinds.length; k++) {
      if (kinds[k].kind === "t") { for (const l of ins.operands[k] as number[]) spoiled.add(l); }
      if (kinds[k].kind !== "o") continue;
      const l = ins.operands[k] as number;
      const at = uses.get(l);
      if (at === undefined) uses.set(l, [i]);
      else at.push(i);
    }
  }
  const removed: number[] = [];
  for (let j = 1; j < insts.length; j++) {
    if (insts[j].op !== LABEL) continue;
    const label = insts[j].operands[0] as number;
    if (spoiled.has(label)) continue;
    const charges: IrInst[] = [];
    const fallthroughs: IrInst[] = []; // the charge after each conditional branch to it
    let ok = true;
    for (const i of uses.get(label) ?? []) {
      const charge = insts[i - 1];
      if (insts[i].op === Op.br && charge.op === Op.fuel_br) charges.push(charge);
      else if (FUEL_OPS.has(charge.op) && insts[i].op !== Op.br) {
        // a conditional branch: its way on (not taken) must then pay m itself
        const after = chargeAfter(insts, i);
        if (after === undefined) ok = false;
        else (charges.push(charge), fallthroughs.push(after));
      } else ok = false;
    }
    const prev = insts[j - 1];
    if (prev.op === Op.fuel) charges.push(prev);
    else if (!TERMINATORS.has(prev.op)) ok = false; // an uncharged fall-through
    if (!ok || charges.length === 0) continue;
    let m = Infinity;
    for (const c of charges) m = Math.min(m, c.operands[0] as number);
    if (!(m > 0)) continue;
    const next = chargeAfter(insts, j);
    // (a charge on a way into the label cannot also be one after it)
    if (next === undefined || [next, ...fallthroughs].some((c) => charges.includes(c))) continue;
    if (fallthroughs.includes(next)) continue;
    for (const c of [next, ...fallthroughs]) addCharge(c, m);
    for (const c of charges) (c.operands as number[])[0] -= m;
    removed.push(j);
  }
  if (removed.length === 0) return;
  for (let i = 0; i < insts.length; i++) {
    const ins = insts[i];
    if ((ins.op === Op.fuel || FUEL_OPS.has(ins.op)) && ins.operands[0] === 0) {
      insts[i] = { op: LABEL, operands: [labels.newLabel()], wasmOffset: ins.wasmOffset };
    }
  }
}
