/**
 * Copy coalescing for the bytecode lowering: a `mov d, s` (or `mov64`) whose
 * source `s` an earlier instruction of the same straight-line run computed
 * goes away, that instruction writing `d` directly (`s = a + 1; d = s`
 * becomes `d = a + 1`). It is how a `local.set` of a value computed a few
 * instructions earlier, a block result, a call argument computed into a
 * local, or a loop's `i' = i + 1; i = i'` costs no dispatch of its own.
 *
 * Liveness argument, for the producer `p` (writing `s`) at index `i` and the
 * move at `j`, in one run of code without labels, branches or calls between:
 * - Writing `d` at `i` instead of `j` changes `d` only in `(i, j)`: nothing
 *   there reads or may write `d`, and nothing there can leave the run (no
 *   branch, call or throw; a trap ends the frame, whose registers no one
 *   reads again), so no one sees the early value.
 * - `s` no longer receives the value. Its reads in `(i, j)` and after `j`
 *   read `d` instead (equal to it until `d` is written again). Where `s`
 *   may still be read after that (it is live: {@link Liveness}), the pass
 *   either gives up or, when the run ends in a loop's backward conditional
 *   branch whose target does not need `s`, writes `s = d` right after that
 *   branch: on the loop's exit edge only, off the loop.
 * - Liveness is conservative: an op this file does not know reads every
 *   register; a call or a `return` reads its window; nothing but an op's
 *   own first (`d`) operand is taken as killed. Over-estimating liveness
 *   only loses a rewrite.
 *
 * Functions with exception handlers are left alone (a call there may land
 * in a pad that reads locals). The instruction counter (`icount`) of a run
 * whose move goes away, or that receives one, is adjusted. The IR given is
 * not changed: the pass returns a rewritten copy.
 *
 * @module
 */

import { BYTECODE_OPS, Op } from "@capstan/interpreter";
import { LABEL_OPERANDS, REG_OPERANDS, WRITES_FIRST } from "./_op_shapes.ts";
import { type IrFunction, type IrInst, LABEL } from "./ir.ts";

/** What the pass needs to know of an op's register use. */
const enum Shape {
  /** Writes its first operand only, reads its other register operands. */
  Def,
  /** Reads its register operands, writes none, never leaves the run. */
  Read,
  /** A branch that only reads its register operands (and may fall through). */
  Branch,
  /** A branch that reads and may write its register operands (a loop closer's increment). */
  BranchInPlace,
  /** A call-like op: reads its register operands and its window (`base` and up). */
  Window,
  /** Anything else: may read every register and write its operands. */
  Unknown,
}

const COMPARE_BRANCH = /^(fuel_)?br(_(if|unless|table)|_(eq|ne|lt|gt|le|ge)(_[su])?(_i)?)?$/;
/** Branches that also update a register (loop closers). */
const IN_PLACE_BRANCH = /^br_(inc|add)/;
/**
 * Ops whose destination may be a register file other than the scalar one
 * (v128, references): unknown here, so they kill no scalar register.
 */
const OTHER_FILE = /simd|v128|ref|struct|array|i31|extern|any|cont|exn/;

/** Each op's shape (LABEL aside). */
const SHAPES: readonly Shape[] = BYTECODE_OPS.map((op, code) => {
  const labels = op.operands.some((o) => o.kind === "o" || o.kind === "t");
  if (op.operands.some((o) => o.kind === "r" && o.name === "base")) return Shape.Window;
  if (labels) {
    if (COMPARE_BRANCH.test(op.name)) return Shape.Branch;
    return IN_PLACE_BRANCH.test(op.name) ? Shape.BranchInPlace : Shape.Unknown;
  }
  if (OTHER_FILE.test(op.name)) return Shape.Unknown;
  if (WRITES_FIRST[code]) return Shape.Def;
  if (REG_OPERANDS[code].length === 0) {
    // no registers: counters, fuel charges, entry; a trap ends the frame
    return op.name === "return" || op.name === "return_fuel" ? Shape.Unknown : Shape.Read;
  }
  if (/^(store(8|16|32|64)(_x|_r|_a64)?|global_set(64)?)$/.test(op.name)) return Shape.Read;
  return Shape.Unknown;
});

/** How far back from a move its producer is looked for (bounds the pass's time on long runs). */
const SCAN_LIMIT = 64;

/** Ops after which control never falls through. */
const NO_FALLTHROUGH = new Set<number>([Op.br, Op.br_table]);

/** The position of a window op's `base` operand. */
const BASE_OPERAND: readonly number[] = BYTECODE_OPS.map((op) =>
  op.operands.findIndex((o) => o.kind === "r" && o.name === "base")
);

/** Whether op `code` is a plain register copy this pass removes. */
function isMove(code: number): boolean {
  return code === Op.mov || code === Op.mov64;
}

/** The labels an instruction may branch to. */
function targets(ins: IrInst): number[] {
  const out: number[] = [];
  const ops = BYTECODE_OPS[ins.op].operands;
  for (let k = 0; k < ops.length; k++) {
    if (ops[k].kind === "o") out.push(ins.operands[k] as number);
    else if (ops[k].kind === "t") out.push(...(ins.operands[k] as number[]));
  }
  return out;
}

/** Whether instruction `ins` (not a label) may read register `r`. */
function mayRead(f: IrFunction, ins: IrInst, r: number): boolean {
  const shape = SHAPES[ins.op];
  if (shape === Shape.Unknown) {
    if (ins.op === Op.return || ins.op === Op.return_fuel) return r < f.results.length;
    return true;
  }
  const regs = REG_OPERANDS[ins.op];
  for (let k = shape === Shape.Def ? 1 : 0; k < regs.length; k++) {
    if (ins.operands[regs[k]] === r) return true;
  }
  return shape === Shape.Window && r >= (ins.operands[BASE_OPERAND[ins.op]] as number);
}

/** Whether instruction `ins` surely writes register `r` (kills its old value). */
function kills(ins: IrInst, r: number): boolean {
  return SHAPES[ins.op] === Shape.Def && ins.operands[0] === r && !mayReadOwnOperand(ins, r);
}

/** Whether a `Def` instruction also reads its destination register. */
function mayReadOwnOperand(ins: IrInst, r: number): boolean {
  const regs = REG_OPERANDS[ins.op];
  for (let k = 1; k < regs.length; k++) if (ins.operands[regs[k]] === r) return true;
  return false;
}

/**
 * Liveness of a few tracked registers (the moves' sources): at labels by the
 * usual backward dataflow over basic blocks, before any instruction by a
 * forward scan to the next access. An untracked register counts as live.
 */
class Liveness {
  readonly #f: IrFunction;
  /** Per register: its bit among the tracked ones, or -1. */
  readonly #bit: Int32Array;
  readonly #words: number;
  /** Per label: the tracked registers live at it. */
  readonly #in: Uint32Array;
  readonly #labelAt: Int32Array;
  /** The tracked registers. */
  readonly #tracked: readonly number[];

  constructor(f: IrFunction, tracked: readonly number[]) {
    this.#f = f;
    this.#tracked = tracked;
    this.#bit = new Int32Array(f.numRegs).fill(-1);
    let n = 0;
    for (const r of tracked) if (this.#bit[r] < 0) this.#bit[r] = n++;
    const W = this.#words = (n + 31) >>> 5;
    this.#labelAt = new Int32Array(f.numLabels).fill(-1);
    // basic blocks: from a label or after a branch to the next ones
    const starts: number[] = [];
    const insts = f.insts;
    for (let i = 0; i < insts.length; i++) {
      const ins = insts[i];
      if (ins.op === LABEL) this.#labelAt[ins.operands[0] as number] = i;
      if (i === 0 || ins.op === LABEL || isBranch(insts[i - 1])) {
        if (starts.length === 0 || starts[starts.length - 1] !== i) starts.push(i);
      }
    }
    const nb = starts.length;
    const blockOf = new Int32Array(insts.length + 1).fill(nb);
    for (let b = 0; b < nb; b++) {
      const e = b + 1 < nb ? starts[b + 1] : insts.length;
      for (let i = starts[b]; i < e; i++) blockOf[i] = b;
    }
    const gen = new Uint32Array(nb * W);
    const kill = new Uint32Array(nb * W);
    const succ: number[][] = [];
    for (let b = 0; b < nb; b++) {
      const s = starts[b];
      const e = b + 1 < nb ? starts[b + 1] : insts.length;
      for (let k = e - 1; k >= s; k--) this.#local(insts[k], gen, kill, b * W);
      const last = insts[e - 1];
      const next: number[] = [];
      if (last.op !== LABEL) {
        for (const l of targets(last)) next.push(blockOf[this.#labelAt[l]]);
      }
      if (e < insts.length && (last.op === LABEL || !NO_FALLTHROUGH.has(last.op))) next.push(b + 1);
      succ.push(next);
    }
    const liveIn = new Uint32Array(nb * W);
    for (let changed = true; changed;) {
      changed = false;
      for (let b = nb - 1; b >= 0; b--) {
        for (let w = 0; w < W; w++) {
          let out = 0;
          for (const t of succ[b]) if (t < nb) out |= liveIn[t * W + w];
          const v = (gen[b * W + w] | (out & ~kill[b * W + w])) >>> 0;
          if (v !== liveIn[b * W + w]) {
            liveIn[b * W + w] = v;
            changed = true;
          }
        }
      }
    }
    this.#in = new Uint32Array(Math.max(1, f.numLabels) * W);
    for (let l = 0; l < f.numLabels; l++) {
      const at = this.#labelAt[l];
      if (at < 0) continue;
      const b = blockOf[at];
      for (let w = 0; w < W; w++) this.#in[l * W + w] = liveIn[b * W + w];
    }
  }

  /** Folds `ins` into a block's gen and kill sets (walking the block backward). */
  #local(ins: IrInst, gen: Uint32Array, kill: Uint32Array, at: number): void {
    if (ins.op === LABEL) return;
    const shape = SHAPES[ins.op];
    const W = this.#words;
    if (shape === Shape.Unknown && ins.op !== Op.return && ins.op !== Op.return_fuel) {
      for (let w = 0; w < W; w++) gen[at + w] = 0xffffffff;
      return;
    }
    if (shape === Shape.Def && !mayReadOwnOperand(ins, ins.operands[0] as number)) {
      const b = this.#bit[ins.operands[0] as number];
      if (b >= 0) {
        kill[at + (b >>> 5)] |= 1 << (b & 31);
        gen[at + (b >>> 5)] &= ~(1 << (b & 31));
      }
    }
    const regs = REG_OPERANDS[ins.op];
    for (let k = shape === Shape.Def ? 1 : 0; k < regs.length; k++) {
      const b = this.#bit[ins.operands[regs[k]] as number];
      if (b >= 0) gen[at + (b >>> 5)] |= 1 << (b & 31);
    }
    if (shape === Shape.Window) {
      const base = ins.operands[BASE_OPERAND[ins.op]] as number;
      for (const r of this.#tracked) {
        const b = this.#bit[r];
        if (r >= base) gen[at + (b >>> 5)] |= 1 << (b & 31);
      }
    }
    if (ins.op === Op.return || ins.op === Op.return_fuel) {
      for (let r = 0; r < this.#f.results.length; r++) {
        const b = this.#bit[r];
        if (b >= 0) gen[at + (b >>> 5)] |= 1 << (b & 31);
      }
    }
  }

  /** Whether register `r` is live at label `label`. */
  atLabel(label: number, r: number): boolean {
    const b = this.#bit[r];
    if (b < 0 || this.#labelAt[label] < 0) return true;
    return (this.#in[label * this.#words + (b >>> 5)] & (1 << (b & 31))) !== 0;
  }

  /** Whether register `r` is live right before instruction `k` of `insts` (the function's, or a rewrite with the same labels). */
  before(insts: readonly IrInst[], k: number, r: number): boolean {
    for (; k < insts.length; k++) {
      const ins = insts[k];
      if (ins.op === LABEL) return this.atLabel(ins.operands[0] as number, r);
      if (mayRead(this.#f, ins, r)) return true;
      const shape = SHAPES[ins.op];
      if (shape === Shape.Branch || shape === Shape.BranchInPlace || shape === Shape.Unknown) {
        for (const l of targets(ins)) if (this.atLabel(l, r)) return true;
        if (NO_FALLTHROUGH.has(ins.op)) return false;
      }
      if (kills(ins, r)) return false;
    }
    return false;
  }

  /** The instruction index of label `label`. */
  labelIndex(label: number): number {
    return this.#labelAt[label];
  }
}

/** Whether `ins` may branch (ends a basic block). */
function isBranch(ins: IrInst): boolean {
  return ins.op !== LABEL && LABEL_OPERANDS[ins.op].length > 0;
}

/** Whether instruction `ins` may write register `r`. */
function mayWrite(ins: IrInst, r: number): boolean {
  const shape = SHAPES[ins.op];
  if (shape === Shape.Def) return ins.operands[0] === r;
  if (shape === Shape.Read || shape === Shape.Branch) return false;
  if (shape === Shape.Window) return true;
  const regs = REG_OPERANDS[ins.op];
  for (const k of regs) if (ins.operands[k] === r) return true;
  return false;
}

/** Whether one of the register operands of `ins` is `r`. */
function readsOperand(ins: IrInst, r: number): boolean {
  for (const k of REG_OPERANDS[ins.op]) if (ins.operands[k] === r) return true;
  return false;
}

/** Replaces the register operands of `ins` it reads that equal `from` by `to` (a copy when it changes). */
function renameReads(ins: IrInst, from: number, to: number): IrInst {
  const regs = REG_OPERANDS[ins.op];
  let out = ins;
  for (let k = SHAPES[ins.op] === Shape.Def ? 1 : 0; k < regs.length; k++) {
    if (ins.operands[regs[k]] !== from) continue;
    if (out === ins) out = { ...ins, operands: [...ins.operands] };
    out.operands[regs[k]] = to;
  }
  return out;
}

/**
 * Removes the moves whose source was computed earlier in the same run of
 * code (see the module doc).
 *
 * @param f a function's IR, registers final
 * @returns the rewritten function (`f` itself when nothing changed)
 */
export function coalesceCopies(f: IrFunction): IrFunction {
  if (f.handlers !== undefined && f.handlers.length > 0) return f;
  if (!f.insts.some((ins) => isMove(ins.op))) return f;
  const candidate = new Uint8Array(f.insts.length);
  const tracked = movesWithProducers(f, candidate);
  if (tracked.length === 0) return f;
  const insts: (IrInst | null)[] = f.insts.slice();
  /** Moves to insert after instruction index (the `s = d` restores). */
  const after = new Map<number, IrInst[]>();
  let liveness: Liveness | undefined;
  const live = () => liveness ??= new Liveness(f, tracked);
  let changed = false;
  for (let j = 0; j < insts.length; j++) {
    const mv = insts[j];
    if (candidate[j] === 0 || mv === null) continue;
    const d = mv.operands[0] as number;
    const s = mv.operands[1] as number;
    if (d === s) continue;
    // the producer of s: back through the run, past instructions that touch neither d nor s
    let i = j - 1;
    const readers: number[] = [];
    for (; i >= 0; i--) {
      if (i < j - SCAN_LIMIT) {
        i = -1;
        break;
      }
      const ins = insts[i];
      if (ins === null) continue;
      if (ins.op === LABEL) break;
      const shape = SHAPES[ins.op];
      if (shape !== Shape.Def && shape !== Shape.Read) break;
      if (shape === Shape.Def && ins.operands[0] === s) break;
      if (mayWrite(ins, d) || mayRead(f, ins, d)) {
        i = -1;
        break;
      }
      if (mayRead(f, ins, s)) readers.push(i);
    }
    if (i < 0) continue;
    const p = insts[i]!;
    if (p.op === LABEL || SHAPES[p.op] !== Shape.Def || p.operands[0] !== s) continue;
    // after j: reads of s read d until s is written, d written, or the run ends
    const later: number[] = [];
    let restoreAt = -1;
    let ok = false;
    for (let k = j + 1; k < insts.length; k++) {
      const ins = insts[k];
      if (ins === null) continue;
      if (ins.op === LABEL) {
        ok = !live().atLabel(ins.operands[0] as number, s);
        break;
      }
      const shape = SHAPES[ins.op];
      if (shape === Shape.Def || shape === Shape.Read) {
        if (mayRead(f, ins, s)) later.push(k);
        if (mayWrite(ins, s)) {
          ok = true;
          break;
        }
        if (mayWrite(ins, d)) {
          // d changes here: s must not be needed past this point
          ok = !live().before(f.insts, k + 1, s);
          break;
        }
        continue;
      }
      if (shape === Shape.Branch || shape === Shape.BranchInPlace) {
        if (mayWrite(ins, d) || mayWrite(ins, s)) break;
        if (mayRead(f, ins, s)) later.push(k);
        const ls = targets(ins);
        if (ls.some((l) => live().atLabel(l, s))) break;
        if (NO_FALLTHROUGH.has(ins.op)) {
          ok = true;
          break;
        }
        if (!live().before(f.insts, k + 1, s)) {
          ok = true;
          break;
        }
        if (after.has(k)) break;
        // s is needed past the loop's exit only: restore it there
        const back = ls.length === 1 && live().labelIndex(ls[0]) >= 0 &&
          live().labelIndex(ls[0]) < k;
        if (back) {
          restoreAt = k;
          ok = true;
        }
        break;
      }
      if (ins.op === Op.return || ins.op === Op.return_fuel) {
        ok = s >= f.results.length;
        break;
      }
      if (shape === Shape.Window) {
        // a call below whose window both live reads and writes neither
        const base = ins.operands[BASE_OPERAND[ins.op]] as number;
        if (s < base && d < base && !mayRead(f, ins, s) && !readsOperand(ins, d)) continue;
      }
      break; // an unknown op: s may be read there
    }
    if (!ok) continue;
    insts[i] = { ...p, operands: [d, ...p.operands.slice(1)] };
    for (const k of readers) insts[k] = renameReads(insts[k]!, s, d);
    for (const k of later) insts[k] = renameReads(insts[k]!, s, d);
    insts[j] = null;
    if (restoreAt >= 0) {
      after.set(restoreAt, [{ op: mv.op, operands: [s, d], wasmOffset: mv.wasmOffset }]);
    }
    changed = true;
  }
  if (!changed) return f;
  return rebuild(f, insts, after);
}

/**
 * The sources of the moves whose source an earlier instruction of the same
 * run computes; those moves are marked in `candidate` (by index).
 */
function movesWithProducers(f: IrFunction, candidate: Uint8Array): number[] {
  const out: number[] = [];
  let start = 0; // the run's first instruction
  for (let j = 0; j < f.insts.length; j++) {
    const mv = f.insts[j];
    if (mv.op === LABEL || (SHAPES[mv.op] !== Shape.Def && SHAPES[mv.op] !== Shape.Read)) {
      start = j + 1;
      continue;
    }
    if (!isMove(mv.op)) continue;
    const s = mv.operands[1] as number;
    for (let i = j - 1; i >= Math.max(start, j - SCAN_LIMIT); i--) {
      const p = f.insts[i];
      if (SHAPES[p.op] === Shape.Def && p.operands[0] === s) {
        if (s !== mv.operands[0]) {
          out.push(s);
          candidate[j] = 1;
        }
        break;
      }
    }
  }
  return out;
}

/** The function with `insts` (null: removed) and the moves `after` inserted, side tables remapped. */
function rebuild(
  f: IrFunction,
  insts: readonly (IrInst | null)[],
  after: ReadonlyMap<number, IrInst[]>,
): IrFunction {
  const out: IrInst[] = [];
  const newIndex = new Int32Array(insts.length);
  let count: IrInst | null = null; // the current run's instruction counter
  for (let k = 0; k < insts.length; k++) {
    const ins = insts[k];
    newIndex[k] = out.length;
    if (ins === null) {
      if (count !== null) (count.operands as number[])[0]--;
      continue;
    }
    if (ins.op === Op.icount) {
      count = { ...ins, operands: [...ins.operands] };
      out.push(count);
    } else out.push(ins);
    if (ins.op === LABEL) count = null;
    const extra = after.get(k);
    if (extra !== undefined) {
      const next = insts[k + 1];
      if (next !== null && next !== undefined && next.op === Op.icount) {
        // the moves join the next run, after its counter
        count = { ...next, operands: [(next.operands[0] as number) + extra.length] };
        out.push(count);
        newIndex[k + 1] = out.length - 1;
        out.push(...extra);
        k++;
      } else out.push(...extra);
    }
  }
  const refSlotsAt = new Map<number, readonly number[]>();
  for (const [k, slots] of f.refSlotsAt) refSlotsAt.set(newIndex[k], slots);
  return { ...f, insts: out, refSlotsAt };
}
