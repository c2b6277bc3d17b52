/**
 * Return paths: a peephole pass over one function's final IR (registers
 * placed) that shortens the way out of a function.
 *
 * 1. Tail duplication: a `br` to a label whose code is only moves and a
 *    return (`return` or `return_fuel`) becomes a copy of those moves and
 *    that return (the common `if ... else ... end` at a function's end); a
 *    `br` to a short straight block ending in a `br_table` (an interpreter's
 *    dispatch head, the `br` closing each handler) becomes a copy of that
 *    block, saving the jump.
 * 2. Exit moves: the moves right before a return are simulated as one
 *    parallel copy into the result registers `0..m-1` (every other register
 *    is dead after a return), so copies through a temporary and copies of a
 *    register onto itself disappear.
 * 3. Producer retargeting: when a remaining exit move copies the register
 *    that the instruction just before it wrote, that instruction writes the
 *    result register directly.
 *
 * Invariants:
 * - Only moves and unreferenced labels are removed (an exception handler's
 *   labels count as referenced), and only instructions
 *   that cannot branch, call or trap are rewritten, so trap sites, fuel
 *   charges and call sites are unchanged; call sites' stack maps follow
 *   their instructions to their new indices. A replaced `br`'s metering
 *   prefix (`fuel_br`) becomes the plain `fuel` it fused.
 * - A label is skipped only when no branch names it (after duplication), so
 *   straight-line reasoning across it is sound.
 *
 * @module
 */

import { LABEL_OPERANDS, WRITES_FIRST } from "./_op_shapes.ts";
import { Op } from "@capstan/interpreter";
import { type IrInst, LABEL } from "./ir.ts";

/** Longest move sequence before a return that tail duplication copies. */
const MAX_TAIL_MOVES = 4;

/** Longest dispatch head (ending in `br_table`) that a `br` to it is replaced by. */
const MAX_HEAD = 10;

/**
 * Ops a copied dispatch head may not contain: calls keep stack maps (and,
 * like throws, may raise an exception, which a copy outside its `try_table`'s
 * protected range would not have caught), others end blocks, and an
 * instruction counter's block charge (`icount`) also counted the `br` that
 * the copy removes.
 */
const NOT_COPIED = new Set<number>([
  Op.icount,
  Op.enter,
  Op.call,
  Op.call_fuel,
  Op.call_add_i,
  Op.call_add_i_fuel,
  Op.call_import,
  Op.call_indirect,
  Op.return_call,
  Op.return_call_import,
  Op.return_call_indirect,
  Op.call_ref,
  Op.return_call_ref,
  Op.throw,
  Op.throw_gc,
  Op.throw_ref,
  Op.builtin,
  Op.br,
  Op.return,
  Op.return_fuel,
  Op.trap,
]);

/**
 * When the last instruction of `list` is the fuel prefix of the `br` being
 * replaced (`fuel_br n`, whose case falls through into the `br` that
 * follows), turns it into the stand-alone charge it stands for: `fuel n`.
 */
function unfusePrefix(list: IrInst[]): void {
  const prefix = list.at(-1);
  if (prefix === undefined || prefix.op !== Op.fuel_br) return;
  list[list.length - 1] = { op: Op.fuel, operands: prefix.operands, wasmOffset: prefix.wasmOffset };
}

/** One exit move: `dst ← src`, 32 or 64 bits. */
interface Move {
  dst: number;
  src: number;
  wide: boolean;
  wasmOffset: number;
}

/** The simplified function: its instructions and its call sites' stack maps. */
export interface ReturnPathsResult {
  /** The new instruction list. */
  readonly insts: IrInst[];
  /** Stack maps re-keyed to the new instruction indices. */
  readonly refSlotsAt: Map<number, readonly number[]>;
}

function isReturn(op: number): boolean {
  return op === Op.return || op === Op.return_fuel;
}

function isMove(op: number): boolean {
  return op === Op.mov || op === Op.mov64;
}

/** Label ids named by some branch operand. */
function referencedLabels(insts: readonly IrInst[]): Set<number> {
  const used = new Set<number>();
  for (const ins of insts) {
    if (ins.op === LABEL) continue;
    for (const k of LABEL_OPERANDS[ins.op]) {
      const v = ins.operands[k];
      if (typeof v === "number") used.add(v);
      else for (const l of v) used.add(l);
    }
  }
  return used;
}

/** Whether `op` only computes a value into its first operand `d` (no branch, call or v128). */
function isRetargetable(op: number): boolean {
  return op >= 0 && !(op >= Op.v128_mov && op <= Op.simd_store) && WRITES_FIRST[op];
}

/**
 * The exit moves of a run of moves, as a parallel copy into the results:
 * `undefined` when the run mixes widths along a chain.
 */
function exitMoves(run: readonly IrInst[], numResults: number): Move[] | undefined {
  const vals = new Map<number, Move>();
  for (const ins of run) {
    const [d, s] = ins.operands as number[];
    const wide = ins.op === Op.mov64;
    const cur = vals.get(s);
    if (cur !== undefined && cur.wide !== wide) return undefined;
    vals.set(d, { dst: d, src: cur === undefined ? s : cur.src, wide, wasmOffset: ins.wasmOffset });
  }
  const moves: Move[] = [];
  for (let i = 0; i < numResults; i++) {
    const m = vals.get(i);
    if (m !== undefined && m.src !== i) moves.push(m);
  }
  return moves;
}

/**
 * Orders a parallel copy so no move overwrites a register another still
 * reads; `undefined` when the moves form a cycle.
 */
function sequence(moves: Move[]): Move[] | undefined {
  const out: Move[] = [];
  let pending = moves.slice();
  while (pending.length > 0) {
    const ready = pending.filter((m) => !pending.some((o) => o !== m && o.src === m.dst));
    if (ready.length === 0) return undefined;
    out.push(...ready);
    pending = pending.filter((m) => !ready.includes(m));
  }
  return out;
}

/**
 * Runs the pass.
 *
 * @param insts the function's instructions (registers final)
 * @param refSlotsAt call sites' stack maps by instruction index
 * @param numResults how many results the function returns (registers `0..`)
 * @param kept labels to keep though no branch names them (exception handlers' bounds and pads)
 * @returns the new instructions and stack maps
 */
export function simplifyReturnPaths(
  insts: readonly IrInst[],
  refSlotsAt: ReadonlyMap<number, readonly number[]>,
  numResults: number,
  kept: ReadonlySet<number> = new Set(),
): ReturnPathsResult {
  // 1. tail duplication
  const labelAt = new Map<number, number>();
  insts.forEach((ins, i) => {
    if (ins.op === LABEL) labelAt.set(ins.operands[0] as number, i);
  });
  const tailOf = (label: number): IrInst[] | undefined => {
    const at = labelAt.get(label);
    if (at === undefined) return undefined;
    const tail: IrInst[] = [];
    for (let i = at + 1; i < insts.length; i++) {
      const ins = insts[i];
      if (ins.op === LABEL) continue;
      if (isMove(ins.op) && tail.length < MAX_TAIL_MOVES) tail.push(ins);
      else if (isReturn(ins.op)) return [...tail, ins];
      else return undefined;
    }
    return undefined;
  };
  const dispatchHeadOf = (label: number): IrInst[] | undefined => {
    const at = labelAt.get(label);
    if (at === undefined) return undefined;
    const head: IrInst[] = [];
    for (let i = at + 1; i < insts.length && head.length < MAX_HEAD; i++) {
      const ins = insts[i];
      if (ins.op === LABEL) continue;
      if (NOT_COPIED.has(ins.op)) return undefined;
      head.push(ins);
      if (ins.op === Op.br_table) return head;
    }
    return undefined;
  };
  let list: IrInst[] = [];
  const refs = new Map<number, readonly number[]>();
  insts.forEach((ins, i) => {
    const target = ins.op === Op.br ? ins.operands[0] as number : -1;
    const tail = target < 0 ? undefined : tailOf(target) ?? dispatchHeadOf(target);
    if (tail === undefined) {
      const slots = refSlotsAt.get(i);
      if (slots !== undefined) refs.set(list.length, slots);
      list.push(ins);
      return;
    }
    unfusePrefix(list);
    for (const t of tail) {
      const operands = t.operands.map((o) => Array.isArray(o) ? o.slice() : o);
      list.push({ op: t.op, operands, wasmOffset: t.wasmOffset });
    }
  });
  // drop the labels nothing names any more
  const used = referencedLabels(list);
  for (const l of kept) used.add(l);
  const keptInsts: IrInst[] = [];
  const keptRefs = new Map<number, readonly number[]>();
  list.forEach((ins, i) => {
    if (ins.op === LABEL && !used.has(ins.operands[0] as number)) return;
    const slots = refs.get(i);
    if (slots !== undefined) keptRefs.set(keptInsts.length, slots);
    keptInsts.push(ins);
  });
  list = keptInsts;
  // 2 and 3: exit moves, then retarget their producer (back to front: indices stay valid)
  const out = list;
  let refsNow = keptRefs;
  for (let r = out.length - 1; r >= 0; r--) {
    if (!isReturn(out[r].op)) continue;
    let from = r;
    while (from > 0 && isMove(out[from - 1].op)) from--;
    if (from === r) continue;
    const run = out.slice(from, r);
    const parallel = exitMoves(run, numResults);
    let moves = parallel === undefined ? undefined : sequence(parallel);
    if (moves === undefined) continue;
    const producer = from > 0 ? out[from - 1] : undefined;
    if (producer !== undefined && isRetargetable(producer.op)) {
      const d = producer.operands[0] as number;
      const m = moves.find((x) => x.src === d);
      if (
        m !== undefined && d >= numResults &&
        !moves.some((o) => o !== m && (o.src === d || o.src === m.dst))
      ) {
        producer.operands[0] = m.dst;
        moves = moves.filter((x) => x !== m);
      }
    }
    const replacement: IrInst[] = moves.map((m) => ({
      op: m.wide ? Op.mov64 : Op.mov,
      operands: [m.dst, m.src],
      wasmOffset: m.wasmOffset,
    }));
    out.splice(from, r - from, ...replacement);
    const shift = replacement.length - (r - from);
    if (shift !== 0) {
      // (no call lies among the replaced moves, so no two keys meet)
      const moved = new Map<number, readonly number[]>();
      for (const [i, slots] of refsNow) moved.set(i >= r ? i + shift : i, slots);
      refsNow = moved;
    }
    r = from; // continue before this run
  }
  return { insts: out, refSlotsAt: refsNow };
}
