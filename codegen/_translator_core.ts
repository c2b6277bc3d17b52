/**
 * The state every operator family of the translator shares
 * ({@link TranslatorCore}): the operand stack, the control frames, the IR
 * being built and how to emit into it, retract from it, and turn operand
 * entries into registers.
 *
 * Register allocation is decided here, wasmi-style: wasm locals are
 * registers `0..L-1` (parameters first); the operand-stack entry at height
 * `h` lives, when it must live somewhere, in register `L + h`. A hoisted
 * constant's register is a placeholder `-1 - index` and result register `i`
 * at a return is {@link resultReg}`(i)` until {@link TranslatorCore.placeConstants}
 * makes them final.
 *
 * Invariants:
 * - `lastDef` is the index of the last instruction when it is the last
 *   definition of straight-line code that a later instruction may take back
 *   or retarget (else -1 or an older index); {@link TranslatorCore.emit}
 *   sets it and a label or {@link TranslatorCore.retract} clears it.
 * - With instruction counting on, the current block's `icount` counts every
 *   instruction emitted into it and not retracted.
 *
 * @module
 */

import { REG_OPERANDS, WRITES_FIRST } from "./_op_shapes.ts";
import { Operand, OperandStack } from "./_operand_stack.ts";
import { isGcRef } from "./_gc_support.ts";
import { fuse, Site } from "./_fusion_rules.ts";
import {
  BLOCK_EMPTY,
  BLOCK_TYPE_INDEX,
  type FunctionBody,
  kindCode,
  OperatorReader,
  ValType,
} from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import { type FuncEnvironment, is64 } from "./func_environ.ts";
import { type IrCatch, type IrHandler, type IrInst, LABEL } from "./ir.ts";
import type { SimdTranslatorHost } from "./simd_translate.ts";

/**
 * The translation of one wasm operator (the reader holds its immediates).
 *
 * @param t the translator state
 * @param key the operator's key (`opKey(prefix, code)`)
 */
export type OperatorHandler = (t: TranslatorCore, key: number) => void;

/** The kinds of control frame. */
export const enum FrameKind {
  Func,
  Block,
  Loop,
  If,
  Else,
}

/** A control frame: one enclosing block, loop, if or the function. */
export interface Frame {
  kind: FrameKind;
  /** Branch target: the end label (blocks, ifs) or the start label (loops). */
  label: number;
  /** The label of the else branch (ifs). */
  elseLabel: number;
  /** Stack height below the block's parameters. */
  base: number;
  params: readonly ValType[];
  results: readonly ValType[];
  /** Code after an unconditional transfer: skip to the end. */
  unreachable: boolean;
  /** Whether some branch targets the end label. */
  targeted: boolean;
  /**
   * A `try_table`'s catch clauses (kind, tag, label depth outside it) and
   * the label at the start of its protected code; absent for other frames.
   */
  catches?: { readonly kind: number; readonly tag: number; readonly depth: number }[];
  /** The label at the start of a `try_table`'s or `try`'s protected code. */
  start?: number;
  /**
   * A legacy `try`: the local register that holds the exception its arms
   * caught (for `rethrow`), the label past its body (once an arm starts,
   * else -1), and its arms' clauses.
   */
  legacy?: {
    readonly exnReg: number;
    bodyEnd: number;
    readonly clauses: IrCatch[];
    /** Whether a `rethrow` names it (else its arms need no reference). */
    rethrown: boolean;
  };
}

/**
 * Placeholder for result register `i` (registers `0..m-1` at a return, fixed
 * by the ABI whatever the frame layout): `RESULT_BASE - i`.
 */
const RESULT_BASE = -0x40000000;

/**
 * The placeholder of result register `i`.
 *
 * @param i a result index
 * @returns its placeholder
 */
export function resultReg(i: number): number {
  return RESULT_BASE - i;
}

/** The key of a hoisted constant: its bits, a number for a 32-bit one (no string to build). */
function constKey(type: ValType, lo: number, hi: number): string | number {
  return is64(type) ? `${lo}:${hi}` : lo;
}

/** The translator state shared by the operator families, and the operations on it. */
export class TranslatorCore implements SimdTranslatorHost {
  /** The module's environment. */
  readonly env: FuncEnvironment;
  /** The reader positioned at the current operator (its immediates decoded). */
  readonly r: OperatorReader;
  /** `Tunables.superInstructions`: fuse operators into super-instructions. */
  readonly superInstructions: boolean;
  /** `Tunables.consumeFuel`. */
  readonly consumeFuel: boolean;
  /** Keep a move onto itself (see `FuncTranslator`'s constructor): the JS backend's IR. */
  readonly keepSelfMoves: boolean;
  /** `Tunables.countInstructions`. */
  readonly countInstructions: boolean;
  /** With fuel on, whether charges are fused (see `CompileOptions.fuseFuelCharges`). */
  readonly fuseFuelCharges: boolean;
  /** Deterministic mode (`Tunables.nanCanonicalization`). */
  readonly canonicalizeNaN: boolean;
  /** The operand stack. */
  readonly stack: OperandStack = new OperandStack(() => this.offset);
  /** The number of locals (parameters included): the first operand-stack register. */
  L = 0;
  /** The type of each local. */
  localTypes: ValType[] = [];
  /** The function's result types. */
  results: readonly ValType[] = [];
  /** The IR built so far. */
  insts: IrInst[] = [];
  /** Labels allocated so far. */
  numLabels = 0;
  /** The wasm offset of the current operator. */
  offset = 0;
  /** See the module doc. */
  lastDef = -1;
  /** Operators counted for fuel since the last charge. */
  fuel = 0;
  /** The current block's instruction counter (instruction counting on). */
  icount: IrInst | null = null;
  /** Reference registers live at each call, by instruction index. */
  refSlots: Map<number, readonly number[]> = new Map();
  /** The exception handlers so far, innermost first. */
  handlers: IrHandler[] = [];
  /** The hidden local of the next legacy `try`. */
  nextTryLocal = 0;
  /** The control frames, innermost last. */
  frames: Frame[] = [];
  /** Per local: 1 while it still holds the zero `enter` gave it (straight-line code only). */
  knownZero: Uint8Array = new Uint8Array(0);
  /** Loops enclosing the current instruction. */
  loopDepth = 0;
  /** Hoisted constants: key → index; their registers are placeholders `-1 - index` until the end. */
  #constIndex = new Map<string | number, number>();
  #constList: { type: ValType; lo: number; hi: number }[] = [];
  /** Whether the module declares struct or array types (then every call gets a stack map). */
  readonly #gcModule: boolean;

  /**
   * Creates the state for the functions of one module.
   *
   * @param env the module's environment
   * @param fuseFuelCharges with fuel on, fuse charges (see `CompileOptions.fuseFuelCharges`)
   */
  constructor(env: FuncEnvironment, fuseFuelCharges: boolean, keepSelfMoves = false) {
    this.env = env;
    this.keepSelfMoves = keepSelfMoves;
    this.r = new OperatorReader(env.module.bytes);
    // a concrete reference type read from code carries its type's kind (GC: struct or array)
    this.r.typeKinds = Uint8Array.from(env.module.types, kindCode);
    this.#gcModule = env.module.types.some((t) => t.kind === "struct" || t.kind === "array");
    this.superInstructions = env.tunables.superInstructions;
    this.consumeFuel = env.tunables.consumeFuel;
    this.countInstructions = env.tunables.countInstructions;
    this.fuseFuelCharges = fuseFuelCharges;
    this.canonicalizeNaN = env.tunables.nanCanonicalization;
  }

  /**
   * Resets the state for `body`, positions the reader at its first operator
   * and emits the function's entry.
   *
   * @param body a validated function body
   */
  start(body: FunctionBody): void {
    const sig = this.env.funcType(body.funcIndex);
    // one hidden exnref local per legacy `try`: the exception its arms caught
    const hidden = new Array<ValType>(body.legacyTries ?? 0).fill(ValType.exnref);
    this.localTypes = [...sig.params, ...body.locals, ...hidden];
    this.nextTryLocal = sig.params.length + body.locals.length;
    this.L = this.localTypes.length;
    this.results = sig.results;
    this.insts = [];
    this.numLabels = 0;
    this.lastDef = -1;
    this.fuel = 0;
    this.icount = null;
    this.refSlots = new Map();
    this.handlers = [];
    this.stack.reset();
    this.frames = [];
    this.loopDepth = 0;
    this.knownZero = new Uint8Array(this.L);
    for (let i = sig.params.length; i < this.L; i++) {
      if (this.localTypes[i] !== ValType.v128) this.knownZero[i] = 1;
    }
    this.#constIndex = new Map();
    this.#constList = [];
    const r = this.r;
    r.pos = body.codeStart;
    r.end = body.codeEnd;
    this.offset = body.codeStart;
    this.emit(Op.enter, sig.params.length, this.L, 0);
    for (let i = sig.params.length; i < this.L; i++) {
      if (this.localTypes[i] === ValType.v128) this.emit(Op.v128_const, i, 0, 0, 0, 0);
      else if (isGcRef(this.localTypes[i])) this.emit(Op.ref_null, i); // (knownZero: null)
    }
    this.frames.push({
      kind: FrameKind.Func,
      label: -1,
      elseLabel: -1,
      base: 0,
      params: [],
      results: sig.results,
      unreachable: false,
      targeted: false,
    });
  }

  // ---- emission ----

  /**
   * Appends one instruction (counted by the block's `icount`) and makes it
   * the last definition.
   *
   * @param op a bytecode op
   * @param operands its operands
   * @returns the instruction
   */
  emit(op: number, ...operands: (number | number[])[]): IrInst {
    if (this.countInstructions && op !== Op.enter) {
      if (this.icount === null) {
        this.icount = { op: Op.icount, operands: [0], wasmOffset: this.offset };
        this.insts.push(this.icount);
      }
      (this.icount.operands as number[])[0]++;
    }
    const ins: IrInst = { op, operands, wasmOffset: this.offset };
    this.insts.push(ins);
    this.lastDef = this.insts.length - 1;
    return ins;
  }

  /**
   * Takes back an instruction of the current block (the last one unless
   * `at` says otherwise) so a fused one can replace it: uncounts it and
   * clears the last definition.
   *
   * @param at its index
   * @returns the instruction
   */
  retract(at: number = this.insts.length - 1): IrInst {
    const ins = at === this.insts.length - 1
      ? this.insts.pop() as IrInst
      : this.insts.splice(at, 1)[0];
    if (this.icount !== null) (this.icount.operands as number[])[0]--;
    this.lastDef = -1;
    return ins;
  }

  /**
   * Appends an instruction {@link retract} took back, as the last definition again.
   *
   * @param ins the instruction
   */
  reinsert(ins: IrInst): void {
    this.insts.push(ins);
    if (this.icount !== null) (this.icount.operands as number[])[0]++;
    this.lastDef = this.insts.length - 1;
  }

  /**
   * Whether the last instruction is `op` and wrote temporary entry `pos`
   * (so it may be taken back and fused into a later instruction).
   */
  lastWrote(op: number, pos: number): boolean {
    const n = this.insts.length;
    return n > 0 && this.lastDef === n - 1 && this.stack.kind(pos) === Operand.Temp &&
      this.insts[n - 1].op === op && this.insts[n - 1].operands[0] === this.L + pos;
  }

  /** The last instruction when it is the last definition (see {@link lastDef}), else undefined. */
  lastDefinition(): IrInst | undefined {
    const n = this.insts.length;
    return this.lastDef === n - 1 ? this.insts[n - 1] : undefined;
  }

  /** Ends a basic block for the instruction counter. */
  blockEnd(): void {
    this.icount = null;
  }

  /** A fresh label. */
  newLabel(): number {
    return this.numLabels++;
  }

  /**
   * Places label `id` here: a merge point, so straight-line facts are dropped.
   *
   * @param id a label
   */
  label(id: number): void {
    this.insts.push({ op: LABEL, operands: [id], wasmOffset: this.offset });
    this.lastDef = -1;
    this.icount = null;
    this.knownZero.fill(0); // a merge point: forget what straight-line code knew
  }

  // ---- operand stack ----

  /** Pops the top entry; returns its position. */
  pop(): number {
    return this.stack.pop();
  }

  /** Pushes a temporary; returns its register. */
  pushTemp(type: ValType): number {
    const h = this.stack.height;
    this.stack.pushTemp(type);
    return this.L + h;
  }

  /** Writes entry `pos` into register `dst` (no-op when it is already there). */
  moveTo(dst: number, pos: number): void {
    const s = this.stack;
    const kind = s.kind(pos);
    if (s.type(pos) === ValType.v128) { // never Const
      const src = kind === Operand.Local ? s.localIndex(pos) : this.L + pos;
      if (src !== dst) this.emit(Op.v128_mov, dst, src);
      return;
    }
    if (isGcRef(s.type(pos))) { // a constant is null
      if (kind === Operand.Const) this.emit(Op.ref_null, dst);
      else {
        const src = kind === Operand.Local ? s.localIndex(pos) : this.L + pos;
        if (src !== dst) this.emit(Op.ref_mov, dst, src);
      }
      return;
    }
    const wide = is64(s.type(pos));
    if (kind === Operand.AddImm) {
      this.emit(Op.i32_add_i, dst, s.base(pos), s.addend(pos));
      return;
    }
    if (kind === Operand.Shl) {
      this.emit(Op.i32_shl_i, dst, s.base(pos), s.shift(pos));
      if (s.addend(pos) !== 0) this.emit(Op.i32_add_i, dst, dst, s.addend(pos));
      return;
    }
    if (kind === Operand.Const) {
      if (wide) this.emit(Op.const64, dst, s.constLo(pos), s.constHi(pos));
      else this.emit(Op.const32, dst, s.constLo(pos));
      return;
    }
    const src = kind === Operand.Local ? s.localIndex(pos) : this.L + pos;
    if (src !== dst) this.emit(wide ? Op.mov64 : Op.mov, dst, src);
  }

  /**
   * Writes entry `pos` into register `dst`, consuming it: a deferred add may
   * fuse with the instruction before it (rules at {@link Site.Consume}).
   */
  consumeInto(dst: number, pos: number): void {
    if (!fuse(this, Site.Consume, Op.i32_add_i, dst, pos, 0, 0)) this.moveTo(dst, pos);
  }

  /** Makes entry `pos` a temporary in its own register. */
  materialize(pos: number): void {
    if (this.stack.kind(pos) === Operand.Temp) return;
    this.consumeInto(this.L + pos, pos);
    this.stack.setTemp(pos);
  }

  /** The register holding entry `pos` (materialising a constant or a deferred entry). */
  reg(pos: number): number {
    const s = this.stack;
    const kind = s.kind(pos);
    if (kind === Operand.Local) return s.localIndex(pos);
    if (
      kind === Operand.Const && this.superInstructions && !isGcRef(s.type(pos)) &&
      (this.loopDepth > 0 || this.#isHoisted(s.type(pos), s.constLo(pos), s.constHi(pos)))
    ) {
      // inside a loop a constant operand reads a register set once at entry; so does one
      // outside loops that some loop already hoisted (it costs nothing more)
      return this.constReg(s.type(pos), s.constLo(pos), s.constHi(pos));
    }
    if (kind !== Operand.Temp) this.materialize(pos);
    return this.L + pos;
  }

  /** Materialises every entry that reads a local (before a label or a write to locals). */
  materializeLocals(): void {
    for (let p = 0; p < this.stack.height; p++) {
      if (this.stack.isDeferredRead(p)) this.materialize(p);
    }
  }

  /** Materialises entries `from..to-1`. */
  materializeRange(from: number, to: number): void {
    for (let p = from; p < to; p++) this.materialize(p);
  }

  /**
   * When the last instruction computed temporary entry `pos` (and nothing
   * else has happened since), makes it write register `dst` instead.
   *
   * @returns whether it did
   */
  retargetLast(pos: number, dst: number): boolean {
    if (
      this.stack.kind(pos) !== Operand.Temp || this.lastDef !== this.insts.length - 1 ||
      this.lastDef <= 0
    ) {
      return false;
    }
    const last = this.insts[this.lastDef];
    if (last.op < 0 || !WRITES_FIRST[last.op] || last.operands[0] !== this.L + pos) {
      return false;
    }
    last.operands[0] = dst;
    return true;
  }

  // ---- constants ----

  /** Whether a constant already has a hoisted register. */
  #isHoisted(type: ValType, lo: number, hi: number): boolean {
    return this.#constIndex.has(constKey(type, lo, hi));
  }

  /** The (placeholder) register of a hoisted constant. */
  constReg(type: ValType, lo: number, hi: number): number {
    const key = constKey(type, lo, hi);
    let k = this.#constIndex.get(key);
    if (k === undefined) {
      k = this.#constList.length;
      this.#constList.push({ type, lo, hi });
      this.#constIndex.set(key, k);
    }
    return -1 - k;
  }

  /**
   * Gives the hoisted constants their registers, right after the locals (a
   * callee's frame overlaps the caller's operand stack from the call's base
   * up, so nothing that must survive a call may live above the stack), moves
   * the operand stack up to make room, rewrites the placeholders, and
   * initialises the constants right after `enter`.
   *
   * @returns the frame size
   */
  placeConstants(): number {
    const L = this.L;
    const n = this.#constList.length;
    for (const ins of this.insts) {
      if (ins.op < 0) continue;
      for (const k of REG_OPERANDS[ins.op]) {
        const v = ins.operands[k] as number;
        if (v <= RESULT_BASE) ins.operands[k] = RESULT_BASE - v;
        else if (v < 0) ins.operands[k] = L - 1 - v;
        else if (v >= L) ins.operands[k] = v + n;
      }
      const isMove = ins.op === Op.mov || ins.op === Op.mov64 || ins.op === Op.v128_mov ||
        ins.op === Op.ref_mov;
      if (isMove && ins.operands[0] === ins.operands[1] && !this.keepSelfMoves) {
        // a move onto itself: turn it into an (unreferenced) label, which emits no code
        ins.op = LABEL;
        ins.operands = [this.numLabels++];
      }
    }
    const maxH = this.stack.maxHeight;
    if (n === 0) return L + maxH + 1;
    const init: IrInst[] = this.#constList.map((c, k) => ({
      op: is64(c.type) ? Op.const64 : Op.const32,
      operands: is64(c.type) ? [L + k, c.lo, c.hi] : [L + k, c.lo],
      wasmOffset: this.insts[0].wasmOffset,
    }));
    this.insts.splice(1, 0, ...init);
    const shifted = new Map<number, readonly number[]>();
    for (const [i, slots] of this.refSlots) {
      shifted.set(i + n, slots.map((r) => (r >= L ? r + n : r)));
    }
    this.refSlots = shifted;
    for (const h of this.handlers) {
      for (const c of h.clauses) {
        if (c.dst >= L) c.dst += n;
        if (c.refDst >= L) c.refDst += n;
      }
    }
    return L + n + maxH + 1;
  }

  // ---- frames ----

  /** The block type of the current `block`/`loop`/`if`: [params, results]. */
  blockType(): [readonly ValType[], readonly ValType[]] {
    const r = this.r;
    if (r.blockType === BLOCK_EMPTY) return [[], []];
    if (r.blockType === BLOCK_TYPE_INDEX) {
      const t = this.env.module.types[r.index];
      return [t.params, t.results];
    }
    return [[], [r.blockType as ValType]];
  }

  /** The frame `depth` levels out (0: the innermost). */
  frame(depth: number): Frame {
    return this.frames[this.frames.length - 1 - depth];
  }

  /** Marks the rest of the innermost frame unreachable. */
  setUnreachable(): void {
    this.frames[this.frames.length - 1].unreachable = true;
  }

  // ---- calls ----

  /** Calls builtin `id` with `nargs` operands from the stack (materialised in place). */
  builtin(id: number, s0: number, s1: number, nargs: number, result?: ValType): void {
    const base = this.stack.height - nargs;
    this.materializeRange(base, this.stack.height);
    this.emit(Op.builtin, id, s0, s1, this.L + base);
    this.stack.height = base;
    if (result !== undefined) this.pushTemp(result);
  }

  /**
   * Records the ref-file registers (values of the `any` hierarchy) live
   * across a call at the next instruction: the GC locals and the GC
   * temporaries below the call's base (the stack map; see `StackMapSink`).
   */
  noteRefs(base: number): void {
    const slots: number[] = [];
    for (let i = 0; i < this.L; i++) {
      const t = this.localTypes[i];
      if (isGcRef(t)) slots.push(i);
    }
    for (let p = 0; p < base; p++) {
      const t = this.stack.type(p);
      if (isGcRef(t) && this.stack.kind(p) === Operand.Temp) {
        slots.push(this.L + p);
      }
    }
    // in a module with GC types every call has its map, empty or not (the runtime trusts only
    // a call's own map: see `runtime/_stack_maps.ts`)
    if (slots.length > 0 || this.#gcModule) this.refSlots.set(this.insts.length, slots);
  }
}
