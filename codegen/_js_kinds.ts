/**
 * The JavaScript representation of every register value of an IR function,
 * for the JS backend. The IR's registers are untyped slots (an operand-stack
 * temporary holds an i32 here and an f64 there, and `mov64`/`load64` move
 * i64 and f64 bits alike), but JavaScript needs one representation per value:
 *
 * - `I`: i32 and references of other hierarchies (handles), a JS int32 number;
 * - `F`: f32, a JS number holding the exact f32 value (a NaN keeps its sign
 *   and payload: see `_js_runtime.ts`);
 * - `D`: f64, a JS number;
 * - `B`: i64, two JS int32 numbers, its low and high halves (`_js_i64.ts`);
 * - `R`: a reference of the `any` hierarchy, the interpreter's own value
 *   (`_js_gc.ts`), null as `null`.
 *
 * The kinds come from unifying values: each definition of a register is a
 * node, and so is each register live into a basic block; a use joins the
 * node that reaches it, a block's live-out nodes join its successors'
 * live-in nodes, and copies (`mov`, `select`) join their operands. Typed ops
 * fix a node's kind; what no op fixes (a loaded value only stored again) is
 * `I` for 32-bit and `B` for 64-bit values, both exact for bits.
 *
 * Invariants:
 * - A register's JS local is named by kind and register (`i5`, `d5`), so two
 *   values of different kinds in one register never share a local.
 * - {@link inferKinds} returns a conflict instead of kinds when one value
 *   would need two kinds; the function then runs on the interpreter.
 *
 * @module
 */

import { type FuncType, type ModuleTranslation, ValType, type VMOffsets } from "@capstan/environ";
import { BYTECODE_OPS } from "@capstan/interpreter";
import { type IrFunction, type IrInst, LABEL } from "./ir.ts";
import { opShape, type RegKind } from "./_js_op_shapes.ts";
import { catchEdges } from "./_js_exceptions.ts";
import { isGcRef } from "./_gc_support.ts";

/** The kind of a register value (see the module doc). */
export type { RegKind };

/** What {@link inferKinds} found: each instruction operand's kind, or why it cannot. */
export interface KindMap {
  /** Kind of register operand `k` of instruction `i`: `kindAt(i, k)`. */
  kindAt(i: number, k: number): RegKind;
  /** The kind of each parameter as the function receives it. */
  readonly paramKinds: readonly RegKind[];
  /** The kind of each result as the function returns it. */
  readonly resultKinds: readonly RegKind[];
  /** The callee type of each call instruction, by instruction index. */
  readonly calls: ReadonlyMap<number, FuncType>;
  /**
   * The registers live into the block that starts at instruction `i` (a
   * label), each with its kind there; undefined when no block starts at `i`.
   */
  liveInAt(i: number): [number, RegKind][] | undefined;
}

/** The kind of a value type. */
export function kindOf(t: ValType): RegKind {
  if (isGcRef(t)) return "R";
  switch (t) {
    case ValType.i64:
      return "B";
    case ValType.f32:
      return "F";
    case ValType.f64:
      return "D";
    default:
      return "I";
  }
}

/**
 * The kind a value of type `t` must have where it crosses a boundary (a
 * parameter, a result, a local, a global, a call): none for an f64, which is
 * kept as i64 bits (`B`) unless f64 arithmetic uses it (`D`), so that an f64
 * that is only moved keeps its NaN bits, and none for a v128, which lives in
 * the v128 file (its JS value, where a call or return names one, is a
 * placeholder); with whether it is 64-bit.
 *
 * @param t a value type
 * @returns its kind (undefined: decided by the ops that use it) and width
 */
export function softKindOf(t: ValType): [RegKind | undefined, boolean] {
  if (t === ValType.f64) return [undefined, true];
  if (t === ValType.v128) return [undefined, false]; // not a JS value: see `_js_simd.ts`
  const k = kindOf(t);
  return [k, k === "B"];
}

/** The module facts the analysis needs: callee and global types. */
export interface KindContext {
  /** The module. */
  readonly translation: ModuleTranslation;
  /** Its vmctx layout (call_import/call_indirect/global operands are vmctx words). */
  readonly offsets: VMOffsets;
}

/**
 * The function type a call instruction calls, or undefined for other ops.
 *
 * @param ctx the module facts
 * @param op the opcode name
 * @param operands the instruction's operands
 * @returns the callee's type
 */
export function callType(
  ctx: KindContext,
  op: string,
  operands: readonly (number | number[])[],
): FuncType | undefined {
  const t = ctx.translation;
  switch (op) {
    case "call":
    case "call_fuel":
    case "return_call":
      return t.types[t.functions[operands[0] as number]];
    case "call_import":
    case "return_call_import":
      return t.types[t.functions[(operands[0] as number) - ctx.offsets.functionWord(0)]];
    case "call_indirect":
    case "return_call_indirect":
      return t.types[(operands[1] as number) - ctx.offsets.signatureWord(0)];
    case "call_ref":
    case "return_call_ref":
      return t.types[operands[0] as number];
  }
  return undefined;
}

/**
 * The type of the global a `global_*` op names by its vmctx word.
 *
 * @param ctx the module facts
 * @param word the vmctx word
 * @returns its value type
 */
export function globalType(ctx: KindContext, word: number): ValType {
  return ctx.translation.globals[word - ctx.offsets.globalWord(0)].type;
}

/** One bit per kind, for {@link Nodes.wants}. */
const WANT: Readonly<Record<RegKind, number>> = { I: 1, F: 2, D: 4, B: 8, R: 16 };

/** A union-find over value nodes, each with a kind constraint. */
class Nodes {
  parent: number[] = [];
  kind: (RegKind | undefined)[] = [];
  wide: boolean[] = [];
  /** The kinds the value is read as ({@link WANT} bits; a read converts when they differ). */
  wants: number[] = [];
  /** Some use sees the value's bits (a copy, store, return, call argument): keep it `B`. */
  observed: boolean[] = [];
  /**
   * Some definition may give it a signalling NaN (a load, a parameter, a global, a call
   * result, an f64 constant): a `D` number cannot hold one (V8 quiets it).
   */
  mayBeSignalling: boolean[] = [];

  conflict: string | undefined;
  /** Where the analysis is, for the conflict's message. */
  where = "";

  add(wide: boolean): number {
    this.parent.push(this.parent.length);
    this.kind.push(undefined);
    this.wide.push(wide);
    this.wants.push(0);
    this.observed.push(false);
    this.mayBeSignalling.push(false);
    return this.parent.length - 1;
  }

  find(n: number): number {
    const p = this.parent;
    while (p[n] !== n) {
      p[n] = p[p[n]];
      n = p[n];
    }
    return n;
  }

  fix(n: number, k: RegKind): void {
    const r = this.find(n);
    const have = this.kind[r];
    if (have === undefined) this.kind[r] = k;
    else if (have !== k) this.conflict ??= `a value is both ${have} and ${k}${this.where}`;
  }

  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return;
    this.parent[rb] = ra;
    this.wide[ra] ||= this.wide[rb];
    this.wants[ra] |= this.wants[rb];
    this.observed[ra] ||= this.observed[rb];
    this.mayBeSignalling[ra] ||= this.mayBeSignalling[rb];
    const kb = this.kind[rb];
    if (kb !== undefined) this.fix(ra, kb);
  }

  resolve(n: number): RegKind {
    const r = this.find(n);
    return this.kind[r] ?? (this.wide[r] ? "B" : "I");
  }
}

/** Whether an instruction is a 64-bit constant that is not an f64 signalling NaN. */
function isQuietConst(ins: IrInst): boolean {
  if (BYTECODE_OPS[ins.op].name !== "const64") return false;
  const hi = ins.operands[2] as number;
  const lo = ins.operands[1] as number;
  const nan = (hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) !== 0 || lo !== 0);
  return !nan || (hi & 0x80000) !== 0;
}

function isReturn(op: number): boolean {
  const name = BYTECODE_OPS[op].name;
  return name === "return" || name === "return_fuel";
}

/** Whether a value of kind `k` may live in a node of that width. */
function fits(k: RegKind, wide: boolean): boolean {
  return (k === "B" || k === "D") === wide;
}

/** Basic blocks of an IR function: instruction ranges and successors. */
interface Blocks {
  starts: number[];
  ends: number[];
  succ: number[][];
  /** Each label's block. */
  labelBlock: Int32Array;
}

function isTerminator(op: string): boolean {
  return op === "br" || op === "br_table" || op === "return" || op === "trap" ||
    op === "return_fuel" || op === "return_call" || op === "throw" || op === "throw_gc" ||
    op === "throw_ref";
}

function splitBlocks(f: IrFunction): Blocks {
  const starts: number[] = [0];
  const labelBlock = new Int32Array(f.numLabels).fill(-1);
  for (let i = 0; i < f.insts.length; i++) {
    const ins = f.insts[i];
    if (ins.op === LABEL) {
      if (i !== starts[starts.length - 1]) starts.push(i);
      labelBlock[ins.operands[0] as number] = starts.length - 1;
    } else if (i + 1 < f.insts.length && f.insts[i + 1].op !== LABEL) {
      const name = BYTECODE_OPS[ins.op].name;
      if (isTerminator(name) || hasLabel(ins.op)) starts.push(i + 1);
    }
  }
  const ends = starts.map((_, b) => b + 1 < starts.length ? starts[b + 1] : f.insts.length);
  const succ = starts.map((s, b) => {
    const out: number[] = [];
    const e = ends[b];
    if (e === s) {
      if (b + 1 < starts.length) out.push(b + 1);
      return out;
    }
    const last = f.insts[e - 1];
    if (last.op === LABEL) {
      if (b + 1 < starts.length) out.push(b + 1);
      return out;
    }
    const info = BYTECODE_OPS[last.op];
    info.operands.forEach((o, k) => {
      const v = last.operands[k];
      if (o.kind === "o") out.push(labelBlock[v as number]);
      if (o.kind === "t") { for (const l of v as number[]) out.push(labelBlock[l]); }
    });
    if (!isTerminator(info.name) && b + 1 < starts.length) out.push(b + 1);
    return out;
  });
  return { starts, ends, succ, labelBlock };
}

/** Whether an op may throw a wasm exception (a call, a tail call of a host function, a throw). */
function mayThrow(op: number): boolean {
  if (op === LABEL) return false;
  const name = BYTECODE_OPS[op].name;
  return name.startsWith("call") || name.startsWith("return_call") || name.startsWith("throw");
}

function hasLabel(op: number): boolean {
  return BYTECODE_OPS[op].operands.some((o) => o.kind === "o" || o.kind === "t");
}

/**
 * Infers the kind of every register operand of a function.
 *
 * @param f the IR function
 * @param ctx the module facts
 * @returns the kinds, or a string saying why the function cannot be typed
 */
export function inferKinds(f: IrFunction, ctx: KindContext): KindMap | string {
  const n = f.numRegs;
  const insts = f.insts;
  const shapes = insts.map((ins) => ins.op === LABEL ? undefined : opShape(ins, ctx, f.results));
  for (let i = 0; i < shapes.length; i++) {
    const s = shapes[i];
    if (typeof s === "string") return s;
  }
  const blocks = splitBlocks(f);
  const nb = blocks.starts.length;
  const words = (n + 31) >>> 5;
  // exceptional edges: a covered block may continue at a pad, whose caught values it does not define
  const caught = f.handlers === undefined
    ? undefined
    : catchEdges(f, ctx, blocks.starts, blocks.ends, blocks.labelBlock);
  const caughtMask = new Uint32Array(nb * words);
  for (const [b, pads] of caught?.edges ?? []) {
    for (const p of pads) if (!blocks.succ[b].includes(p)) blocks.succ[b].push(p);
  }
  for (const [pad, regs] of caught?.defs ?? []) {
    for (const r of regs.keys()) caughtMask[pad * words + (r >>> 5)] |= 1 << (r & 31);
  }
  // liveness: use-before-def and def sets per block, then live-in by iteration
  const use = new Uint32Array(nb * words);
  const def = new Uint32Array(nb * words);
  for (let b = 0; b < nb; b++) {
    for (let i = blocks.starts[b]; i < blocks.ends[b]; i++) {
      const s = shapes[i];
      if (s === undefined || typeof s === "string") continue;
      // where an exception may come from, a pad may read any local
      const locals = caught?.edges.has(b) && mayThrow(insts[i].op) ? f.locals.length : 0;
      for (
        const reg of [
          ...s.uses.map((u) => u[0]),
          ...Array.from({ length: locals }, (_, r) => r),
        ]
      ) {
        const w = b * words + (reg >>> 5);
        const bit = 1 << (reg & 31);
        if (!(def[w] & bit)) use[w] |= bit;
      }
      for (const [reg] of s.defs) def[b * words + (reg >>> 5)] |= 1 << (reg & 31);
    }
  }
  const liveIn = new Uint32Array(nb * words);
  for (let changed = true; changed;) {
    changed = false;
    for (let b = nb - 1; b >= 0; b--) {
      for (let w = 0; w < words; w++) {
        let out = 0;
        for (const s of blocks.succ[b]) out |= liveIn[s * words + w] & ~caughtMask[s * words + w];
        const v = (use[b * words + w] | (out & ~def[b * words + w])) >>> 0;
        if (v !== liveIn[b * words + w]) {
          liveIn[b * words + w] = v;
          changed = true;
        }
      }
    }
  }
  const isLive = (b: number, r: number) => (liveIn[b * words + (r >>> 5)] & (1 << (r & 31))) !== 0;
  const nodes = new Nodes();
  // entry nodes: params and locals, typed
  const entryNode = new Int32Array(n).fill(-1);
  for (let r = 0; r < f.locals.length; r++) {
    const [k, wide] = softKindOf(f.locals[r]);
    entryNode[r] = nodes.add(wide);
    if (k !== undefined) nodes.fix(entryNode[r], k);
    else if (r < f.params.length) nodes.mayBeSignalling[entryNode[r]] = true;
  }
  // block live-in nodes
  const inNode: Int32Array[] = [];
  for (let b = 0; b < nb; b++) {
    const row = new Int32Array(n).fill(-1);
    for (let r = 0; r < n; r++) if (isLive(b, r)) row[r] = nodes.add(false);
    // a pad's caught values have their tag's types
    for (const [r, t] of caught?.defs.get(b) ?? []) {
      if (row[r] < 0) continue;
      const [k, wide] = softKindOf(t);
      nodes.wide[row[r]] = wide;
      if (k !== undefined) nodes.fix(row[r], k);
      else nodes.mayBeSignalling[row[r]] = true;
    }
    inNode.push(row);
  }
  // operand nodes, by instruction: node of each register operand (index into operands)
  const opNode: number[][] = [];
  const soft: number[] = [];
  const outNode: Int32Array[] = [];
  for (let b = 0; b < nb; b++) {
    const cur = b === 0 ? Int32Array.from(entryNode) : new Int32Array(n).fill(-1);
    const row = inNode[b];
    for (let r = 0; r < n; r++) {
      if (row[r] < 0) continue;
      if (cur[r] >= 0) nodes.union(cur[r], row[r]);
      else cur[r] = row[r];
    }
    for (let i = blocks.starts[b]; i < blocks.ends[b]; i++) {
      const s = shapes[i];
      const nodesOf: number[] = [];
      if (insts[i].op !== LABEL) {
        nodes.where = ` (${BYTECODE_OPS[insts[i].op].name} at wasm offset ${insts[i].wasmOffset})`;
      }
      opNode[i] = nodesOf;
      if (s === undefined || typeof s === "string") continue;
      for (const [reg, k, slot, wide, converts] of s.uses) {
        let nd = cur[reg];
        if (nd < 0) nd = cur[reg] = nodes.add(wide); // read before any write: a dead value
        if (wide) nodes.wide[nodes.find(nd)] = true;
        // an f64 op's operand may be converted from bits where it is read, and an
        // i32 op's operand from an i64 (a wrap the translator folded away)
        if (converts && k !== undefined) nodes.wants[nodes.find(nd)] |= WANT[k];
        else if (k !== undefined) nodes.fix(nd, k);
        else if (wide) nodes.observed[nodes.find(nd)] = true;
        nodesOf[slot] = nd;
      }
      // an exception from here reaches the pads with the locals as they are now
      const pads = mayThrow(insts[i].op) ? caught?.edges.get(b) : undefined;
      for (const p of pads ?? []) {
        for (let r = 0; r < f.locals.length; r++) {
          if (inNode[p][r] < 0 || caught!.defs.get(p)?.has(r)) continue;
          if (cur[r] < 0) cur[r] = nodes.add(nodes.wide[nodes.find(inNode[p][r])]);
          nodes.union(cur[r], inNode[p][r]);
        }
      }
      for (const [reg, k, slot, wide] of s.defs) {
        const nd = nodes.add(wide);
        if (k !== undefined) nodes.fix(nd, k);
        else if (wide && !isQuietConst(insts[i])) nodes.mayBeSignalling[nd] = true;
        cur[reg] = nd;
        nodesOf[slot] = nd;
      }
      for (const group of s.same) {
        for (let g = 1; g < group.length; g++) nodes.union(nodesOf[group[0]], nodesOf[group[g]]);
      }
      for (const [a, b] of s.soft) soft.push(nodesOf[a], nodesOf[b]);
    }
    outNode.push(cur);
  }
  for (let b = 0; b < nb; b++) {
    for (const s of blocks.succ[b]) {
      const row = inNode[s];
      const defined = caught?.defs.get(s);
      for (let r = 0; r < n; r++) {
        if (defined?.has(r)) continue;
        if (row[r] >= 0 && outNode[b][r] >= 0) nodes.union(outNode[b][r], row[r]);
      }
    }
  }
  if (nodes.conflict !== undefined) return nodes.conflict;
  // a value copied to one whose bits are seen has its bits seen too
  for (let changed = true; changed;) {
    changed = false;
    for (let j = 0; j < soft.length; j += 2) {
      const a = nodes.find(soft[j]);
      const b = nodes.find(soft[j + 1]);
      if (nodes.observed[a] && !nodes.observed[b]) {
        nodes.observed[b] = true;
        changed = true;
      }
    }
  }
  // a value takes the kind it is read as: an f64 only computed with is a number, one
  // whose bits are seen stays bits; a 32-bit value is an f32 when only f32 ops read it
  for (let n = 0; n < nodes.parent.length; n++) {
    if (nodes.find(n) !== n || nodes.kind[n] !== undefined) continue;
    const w = nodes.wants[n];
    if (nodes.wide[n]) {
      if (w & WANT.D && !nodes.observed[n]) nodes.kind[n] = "D";
      else if (w & WANT.B) nodes.kind[n] = "B";
    } else if (w & WANT.F && !(w & WANT.I)) nodes.kind[n] = "F";
    else if (w & WANT.I) nodes.kind[n] = "I";
  }
  // copies: a value nothing fixes takes the kind of the value it is copied from or to
  for (let changed = true; changed;) {
    changed = false;
    for (let j = 0; j < soft.length; j += 2) {
      const a = nodes.find(soft[j]);
      const b = nodes.find(soft[j + 1]);
      const ka = nodes.kind[a];
      const kb = nodes.kind[b];
      if (ka !== undefined && kb === undefined && fits(ka, nodes.wide[b])) {
        nodes.kind[b] = ka;
        changed = true;
      } else if (kb !== undefined && ka === undefined && fits(kb, nodes.wide[a])) {
        nodes.kind[a] = kb;
        changed = true;
      }
    }
  }
  // a value computed as an f64 number whose bits are seen must not also carry a
  // signalling NaN from elsewhere: the number would hold it quieted
  for (let n = 0; n < nodes.parent.length; n++) {
    if (nodes.find(n) !== n || nodes.kind[n] !== "D") continue;
    if (nodes.observed[n] && nodes.mayBeSignalling[n]) {
      return "an f64 value is both computed and moved bit-exactly (a signalling NaN would be quieted)";
    }
  }
  const calls = new Map<number, FuncType>();
  for (let i = 0; i < insts.length; i++) {
    const s = shapes[i];
    if (s !== undefined && typeof s !== "string" && s.call !== undefined) calls.set(i, s.call);
  }
  const kindAt = (i: number, k: number) => nodes.resolve(opNode[i][k]);

  // an f64 result is returned as D when some return site computes it, else as bits
  const resultKinds = f.results.map((t, j) => {
    if (t !== ValType.f64) return kindOf(t);
    for (let i = 0; i < insts.length; i++) {
      const s = shapes[i];
      if (s !== undefined && typeof s !== "string" && isReturn(insts[i].op)) {
        if (kindAt(i, 100 + j) === "D") return "D";
      }
    }
    return "B";
  });
  const blockAt = new Map<number, number>();
  for (let b = 0; b < nb; b++) blockAt.set(blocks.starts[b], b);
  const liveInAt = (i: number): [number, RegKind][] | undefined => {
    const b = blockAt.get(i);
    if (b === undefined) return undefined;
    const live: [number, RegKind][] = [];
    for (let r = 0; r < n; r++) if (inNode[b][r] >= 0) live.push([r, nodes.resolve(inNode[b][r])]);
    return live;
  };
  return {
    kindAt,
    paramKinds: f.params.map((_, r) => nodes.resolve(entryNode[r])),
    resultKinds,
    calls,
    liveInAt,
  };
}
