/**
 * `FuncTranslator`: turns one validated wasm function body into IR.
 *
 * Register allocation is decided here, wasmi-style: wasm locals are
 * registers `0..L-1` (parameters first); the operand-stack entry at height
 * `h` lives, when it must live somewhere, in register `L + h`. The operand
 * stack is tracked lazily: an entry is a temporary (in its register), a
 * reference to a local, or a constant, so `local.get` and constants mostly
 * cost nothing (constants fold into `_i` ops) and a `local.set` right after
 * the instruction that computed its value retargets that instruction.
 * Compare-then-branch pairs become one `br_<cmp>` op.
 *
 * Invariants:
 * - Only validated bodies are translated; stack types are not re-checked.
 * - At every label, all entries that a branch may carry are temporaries in
 *   their registers, and no entry refers to a local (entries referring to a
 *   local are materialised at block entry and before that local is written).
 * - Code after an unconditional transfer is skipped up to its block's end.
 *
 * @module
 */

import { REG_OPERANDS, WRITES_FIRST } from "./_op_shapes.ts";
import {
  BLOCK_EMPTY,
  BLOCK_TYPE_INDEX,
  BuiltinFunctionIndex as B,
  CompileError,
  type FunctionBody,
  Op as W,
  opByKey,
  OperatorReader,
  TrapCode,
  ValType,
} from "@capstan/environ";
import { BYTECODE_OPS, bytecodeOpByName, Op } from "@capstan/interpreter";
import { type FuncEnvironment, is64 } from "./func_environ.ts";
import { type IrFunction, type IrInst, LABEL } from "./ir.ts";
import { simplifyReturnPaths } from "./_return_paths.ts";
import { isSimdKey, type SimdTranslatorHost, translateSimd } from "./simd_translate.ts";

const TEMP = 0;
const LOCAL = 1;
const CONST = 2;
/** `val + hi` (i32, wrapping) where `val` is a register: an `i32.add` of a constant, not yet emitted. */
const ADDI = 3;
/**
 * `(val << hi) + k` (i32, wrapping) where `val` is a register: an `i32.shl` by a
 * constant (plus a constant), not yet emitted; indexed memory accesses fold it.
 */
const SHL = 4;

/** Memory ops with an indexed form (`_x`: address `(a << s) + k`). */
const INDEXED = new Map<number, number>([
  [Op.load32, Op.load32_x],
  [Op.load8_u, Op.load8_u_x],
  [Op.load64, Op.load64_x],
  [Op.store32, Op.store32_x],
  [Op.store8, Op.store8_x],
  [Op.store64, Op.store64_x],
]);

const enum FrameKind {
  Func,
  Block,
  Loop,
  If,
  Else,
}

interface Frame {
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
}

/** Negation of each i32 compare-and-branch op. */
const NEGATE: Record<string, string> = {
  eq: "ne",
  ne: "eq",
  lt_s: "ge_s",
  ge_s: "lt_s",
  lt_u: "ge_u",
  ge_u: "lt_u",
  gt_s: "le_s",
  le_s: "gt_s",
  gt_u: "le_u",
  le_u: "gt_u",
};

/** Compare with its operands swapped. */
const SWAP: Record<string, string> = {
  eq: "eq",
  ne: "ne",
  lt_s: "gt_s",
  gt_s: "lt_s",
  lt_u: "gt_u",
  gt_u: "lt_u",
  le_s: "ge_s",
  ge_s: "le_s",
  le_u: "ge_u",
  ge_u: "le_u",
};

/** Float ops whose result may be a NaN computed by the host (deterministic mode canonicalises it). */
const NAN_PRODUCING = new Set(
  ["add", "sub", "mul", "div", "sqrt", "min", "max", "ceil", "floor", "trunc", "nearest"]
    .flatMap((o) => [`f32_${o}`, `f64_${o}`]).concat(["f32_demote_f64", "f64_promote_f32"]),
);

/** f64 ops that neither trap nor touch memory (they may stay between fused ones). */
const PURE_F64 = new Set<number>([
  Op.f64_add,
  Op.f64_sub,
  Op.f64_mul,
  Op.f64_div,
  Op.f64_mul_add,
  Op.f64_sqrt,
]);

const COMMUTATIVE = new Set(["i32_add", "i32_mul", "i32_and", "i32_or", "i32_xor", "i64_add"]);

const RENAME: Record<string, string> = {
  "i32.wrap_i64": "mov",
  "i32.reinterpret_f32": "mov",
  "f32.reinterpret_i32": "mov",
  "i64.reinterpret_f64": "mov64",
  "f64.reinterpret_i64": "mov64",
};

/** Bytecode op codes by name, for the generic numeric ops. */
function opCode(name: string): number {
  const info = bytecodeOpByName(name);
  return info === undefined ? -1 : info.code;
}

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

/** For each i32 compare op code: its condition name ("eq", "lt_s", ...) and whether imm. */
const COMPARE_OF = new Map<number, { cond: string; imm: boolean }>();
for (const cond of Object.keys(NEGATE)) {
  COMPARE_OF.set(opCode(`i32_${cond}`), { cond, imm: false });
  COMPARE_OF.set(opCode(`i32_${cond}_i`), { cond, imm: true });
}

/** Loads: wasm op key → [bytecode op, result type]. */
const LOADS = new Map<number, [number, ValType]>([
  [W.i32_load, [Op.load32, ValType.i32]],
  [W.f32_load, [Op.load32, ValType.f32]],
  [W.i64_load, [Op.load64, ValType.i64]],
  [W.f64_load, [Op.load64, ValType.f64]],
  [W.i32_load8_s, [Op.load8_s, ValType.i32]],
  [W.i32_load8_u, [Op.load8_u, ValType.i32]],
  [W.i32_load16_s, [Op.load16_s, ValType.i32]],
  [W.i32_load16_u, [Op.load16_u, ValType.i32]],
  [W.i64_load8_s, [Op.load64_8_s, ValType.i64]],
  [W.i64_load8_u, [Op.load64_8_u, ValType.i64]],
  [W.i64_load16_s, [Op.load64_16_s, ValType.i64]],
  [W.i64_load16_u, [Op.load64_16_u, ValType.i64]],
  [W.i64_load32_s, [Op.load64_32_s, ValType.i64]],
  [W.i64_load32_u, [Op.load64_32_u, ValType.i64]],
]);

/** Stores: wasm op key → bytecode op. */
const STORES = new Map<number, number>([
  [W.i32_store, Op.store32],
  [W.f32_store, Op.store32],
  [W.i64_store, Op.store64],
  [W.f64_store, Op.store64],
  [W.i32_store8, Op.store8],
  [W.i64_store8, Op.store8],
  [W.i32_store16, Op.store16],
  [W.i64_store16, Op.store16],
  [W.i64_store32, Op.store32],
]);

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
function resultReg(i: number): number {
  return RESULT_BASE - i;
}

/**
 * Fuel (session 2): branch op → its `fuel_<br>` prefix op, which charges a
 * block's fuel and then runs the branch right after it in one dispatch.
 */
const FUEL_PREFIX = new Map<number, number>(
  BYTECODE_OPS.filter((o) => o.name.startsWith("fuel_br")).map((o) => [
    opCode(o.name.slice(5)),
    o.code,
  ]),
);

/** The `fuel_<br>` prefix ops (fuel session 2). */
const FUEL_OPS = new Set<number>(FUEL_PREFIX.values());

/** Ops after which control never falls through to the next instruction. */
const TERMINATORS = new Set<number>([Op.br, Op.br_table, Op.return, Op.return_fuel, Op.trap]);

/**
 * Whether an op transfers control or charges fuel (what a fuel charge may not
 * be moved across): a branch, call, return, trap, or charge.
 */
function isControl(op: number): boolean {
  if (op === LABEL) return true;
  const info = BYTECODE_OPS[op];
  return info.operands.some((o) => o.kind === "o" || o.kind === "t" || o.kind === "f") ||
    TERMINATORS.has(op) || op === Op.call_import || op === Op.call_indirect ||
    op === Op.fuel || FUEL_OPS.has(op);
}

/** Wasm operators that cost no fuel (as wasmtime). */
const FREE = new Set<number>([W.nop, W.drop, W.block, W.loop, W.end, W.else]);

/** Translates validated function bodies of one module into IR. */
export class FuncTranslator {
  readonly #env: FuncEnvironment;
  readonly #r: OperatorReader;
  /** The operand-stack view given to the SIMD translator (`simd_translate.ts`). */
  readonly #simd: SimdTranslatorHost;
  /** With fuel on, whether charges are fused (see `CompileOptions.fuseFuelCharges`). */
  readonly #fuseFuelCharges: boolean;
  // function state
  #L = 0;
  #localTypes: ValType[] = [];
  #results: readonly ValType[] = [];
  #insts: IrInst[] = [];
  #numLabels = 0;
  #offset = 0;
  #lastDef = -1;
  #fuel = 0;
  #icount: IrInst | null = null;
  #refSlots = new Map<number, readonly number[]>();
  // operand stack
  #kind: number[] = [];
  #val: number[] = [];
  #hi: number[] = [];
  /** The addend of a {@link SHL} entry. */
  #k: number[] = [];
  #type: ValType[] = [];
  #h = 0;
  #maxH = 0;
  #frames: Frame[] = [];
  /** Per local: 1 while it still holds the zero `enter` gave it (straight-line code only). */
  #knownZero: Uint8Array = new Uint8Array(0);
  /** Loops enclosing the current instruction. */
  #loopDepth = 0;
  /** Hoisted constants: key → index; their registers are placeholders `-1 - index` until the end. */
  #constIndex = new Map<string | number, number>();
  #constList: { type: ValType; lo: number; hi: number }[] = [];

  /**
   * Creates a translator for the functions of one module.
   *
   * @param env the module's environment
   * @param fuseFuelCharges with fuel on, fuse charges into branch prefixes and share join
   *   charges (false: one `fuel` charge per block)
   */
  constructor(env: FuncEnvironment, fuseFuelCharges = true) {
    this.#env = env;
    this.#fuseFuelCharges = fuseFuelCharges;
    this.#r = new OperatorReader(env.module.bytes);
    this.#simd = {
      pop: () => this.#pop(),
      reg: (pos) => this.#reg(pos),
      pushTemp: (t) => this.#pushTemp(t),
      emit: (op, ...operands) => void this.#emit(op, ...operands),
      canonicalizeNaN: env.tunables.nanCanonicalization,
    };
  }

  /**
   * Translates one body.
   *
   * @param body a validated function body of the environment's module
   * @returns its IR
   */
  translate(body: FunctionBody): IrFunction {
    const env = this.#env;
    const sig = env.funcType(body.funcIndex);
    this.#localTypes = [...sig.params, ...body.locals];
    this.#L = this.#localTypes.length;
    this.#results = sig.results;
    this.#insts = [];
    this.#numLabels = 0;
    this.#lastDef = -1;
    this.#fuel = 0;
    this.#icount = null;
    this.#refSlots = new Map();
    this.#h = 0;
    this.#maxH = 0;
    this.#frames = [];
    this.#loopDepth = 0;
    this.#knownZero = new Uint8Array(this.#L);
    for (let i = sig.params.length; i < this.#L; i++) {
      if (this.#localTypes[i] !== ValType.v128) this.#knownZero[i] = 1;
    }
    this.#constIndex = new Map();
    this.#constList = [];
    const r = this.#r;
    r.pos = body.codeStart;
    r.end = body.codeEnd;
    this.#offset = body.codeStart;
    this.#emit(Op.enter, sig.params.length, this.#L, 0);
    for (let i = sig.params.length; i < this.#L; i++) {
      if (this.#localTypes[i] === ValType.v128) this.#emit(Op.v128_const, i, 0, 0, 0, 0);
    }
    this.#frames.push({
      kind: FrameKind.Func,
      label: -1,
      elseLabel: -1,
      base: 0,
      params: [],
      results: sig.results,
      unreachable: false,
      targeted: false,
    });
    let skip = 0;
    while (this.#frames.length > 0) {
      const key = r.read();
      this.#offset = r.offset;
      const top = this.#frames[this.#frames.length - 1];
      if (top.unreachable) {
        if (key === W.block || key === W.loop || key === W.if) skip++;
        else if (key === W.end) {
          if (skip > 0) skip--;
          else this.#end();
        } else if (key === W.else && skip === 0) this.#else();
        continue;
      }
      if (!FREE.has(key)) this.#fuel++;
      this.#operator(key);
    }
    // (epochs need nothing here: the VM checks them at taken branches and calls)
    if (env.tunables.consumeFuel && this.#fuseFuelCharges) this.#refuseIncrements();
    this.#fuseSecondIncrement();
    if (env.tunables.consumeFuel && this.#fuseFuelCharges) {
      this.#fuseCharges();
      this.#shareJoinCharges();
    }
    const numRegs = this.#placeConstants();
    if (env.tunables.superInstructions) {
      const simple = simplifyReturnPaths(this.#insts, this.#refSlots, sig.results.length);
      this.#insts = simple.insts;
      this.#refSlots = simple.refSlotsAt;
    }
    (this.#insts[0].operands as number[])[2] = numRegs;
    return {
      funcIndex: body.funcIndex,
      params: sig.params,
      results: sig.results,
      locals: this.#localTypes,
      numRegs,
      numLabels: this.#numLabels,
      insts: this.#insts,
      refSlotsAt: this.#refSlots,
    };
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
  #placeConstants(): number {
    const L = this.#L;
    const n = this.#constList.length;
    for (const ins of this.#insts) {
      if (ins.op < 0) continue;
      for (const k of REG_OPERANDS[ins.op]) {
        const v = ins.operands[k] as number;
        if (v <= RESULT_BASE) ins.operands[k] = RESULT_BASE - v;
        else if (v < 0) ins.operands[k] = L - 1 - v;
        else if (v >= L) ins.operands[k] = v + n;
      }
      const isMove = ins.op === Op.mov || ins.op === Op.mov64 || ins.op === Op.v128_mov;
      if (isMove && ins.operands[0] === ins.operands[1]) {
        // a move onto itself: turn it into an (unreferenced) label, which emits no code
        ins.op = LABEL;
        ins.operands = [this.#numLabels++];
      }
    }
    if (n === 0) return L + this.#maxH + 1;
    const init: IrInst[] = this.#constList.map((c, k) => ({
      op: is64(c.type) ? Op.const64 : Op.const32,
      operands: is64(c.type) ? [L + k, c.lo, c.hi] : [L + k, c.lo],
      wasmOffset: this.#insts[0].wasmOffset,
    }));
    this.#insts.splice(1, 0, ...init);
    const shifted = new Map<number, readonly number[]>();
    for (const [i, slots] of this.#refSlots) {
      shifted.set(i + n, slots.map((r) => (r >= L ? r + n : r)));
    }
    this.#refSlots = shifted;
    return L + n + this.#maxH + 1;
  }

  /** Whether a constant already has a hoisted register. */
  #isHoisted(type: ValType, lo: number, hi: number): boolean {
    return this.#constIndex.has(constKey(type, lo, hi));
  }

  /** The (placeholder) register of a hoisted constant. */
  #constReg(type: ValType, lo: number, hi: number): number {
    const key = constKey(type, lo, hi);
    let k = this.#constIndex.get(key);
    if (k === undefined) {
      k = this.#constList.length;
      this.#constList.push({ type, lo, hi });
      this.#constIndex.set(key, k);
    }
    return -1 - k;
  }

  // ---- emission ----

  #emit(op: number, ...operands: (number | number[])[]): IrInst {
    if (this.#env.tunables.countInstructions && op !== Op.enter) {
      if (this.#icount === null) {
        this.#icount = { op: Op.icount, operands: [0], wasmOffset: this.#offset };
        this.#insts.push(this.#icount);
      }
      (this.#icount.operands as number[])[0]++;
    }
    const ins: IrInst = { op, operands, wasmOffset: this.#offset };
    this.#insts.push(ins);
    this.#lastDef = this.#insts.length - 1;
    return ins;
  }

  /** Ends a basic block for the instruction counter. */
  #blockEnd(): void {
    this.#icount = null;
  }

  #newLabel(): number {
    return this.#numLabels++;
  }

  #label(id: number): void {
    this.#insts.push({ op: LABEL, operands: [id], wasmOffset: this.#offset });
    this.#lastDef = -1;
    this.#icount = null;
    this.#knownZero.fill(0); // a merge point: forget what straight-line code knew
  }

  /**
   * Charges the fuel counted since the last charge (before control flow).
   * When the last instruction is a compare of this block (it cannot trap),
   * the charge goes before it (earlier in the same block, so never a later
   * trap) and it stays the last definition, so a compare still fuses into
   * the branch that follows. A charge right after another (no label between)
   * is added to it.
   */
  #flushFuel(): void {
    if (this.#fuel > 0 && this.#env.tunables.consumeFuel) {
      const insts = this.#insts;
      const last = this.#lastDef;
      const op = last > 0 && last === insts.length - 1 ? insts[last].op : -1;
      const before = COMPARE_OF.has(op) || op === Op.i32_eqz;
      const at = before ? last : insts.length;
      const prev = insts[at - 1];
      if (prev.op === Op.fuel) {
        // straight-line code since that charge: one charge for both
        (prev.operands as number[])[0] += this.#fuel;
      } else {
        const fuel: IrInst = { op: Op.fuel, operands: [this.#fuel], wasmOffset: this.#offset };
        insts.splice(at, 0, fuel);
      }
      this.#lastDef = before ? at + (prev.op === Op.fuel ? 0 : 1) : -1;
    }
    this.#fuel = 0;
  }

  /**
   * Fuel (session 2): a `fuel` charge directly followed by a branch (no label
   * between, so always run together) becomes that branch's `fuel_<br>` prefix
   * op: one dispatch for both. A function's entry charge stays a `fuel` op,
   * which a `call_fuel` from this module pays with its own charge and skips
   * (`compileModule` adds the two).
   */
  #fuseCharges(): void {
    const insts = this.#insts;
    for (let i = 1; i < insts.length - 1; i++) {
      if (insts[i].op !== Op.fuel || insts[i - 1].op === Op.enter) continue;
      const prefix = FUEL_PREFIX.get(insts[i + 1].op);
      if (prefix !== undefined) insts[i].op = prefix;
    }
  }

  /**
   * Fuel (session 2): a loop-closing `i32_add_i a, a, k` that a
   * fuel charge (placed before the compare) kept from
   * fusing with `br_<if|ne_i|lt_u_i|lt_s_i|gt_u_i> a ...` or `br_lt_u a, b`
   * fuses as without them: `add; checks; br` becomes `checks; br_inc_<cond>`
   * (the add cannot trap, so running it after the checks changes nothing
   * observable).
   */
  #refuseIncrements(): void {
    const t = this.#env.tunables;
    if (!t.superInstructions || t.countInstructions) return;
    const insts = this.#insts;
    for (let i = 2; i < insts.length; i++) {
      const br = insts[i];
      const s = this.#beforeCharge(i);
      const add = insts[s];
      const a = add.operands[0];
      if (s === i - 1 || add.op !== Op.i32_add_i || add.operands[1] !== a) continue;
      if (br.operands[0] !== a) continue;
      const fused = br.op === Op.br_if
        ? { op: Op.br_inc_ne_i, b: 0 }
        : br.op === Op.br_ne_i
        ? { op: Op.br_inc_ne_i, b: br.operands[1] }
        : br.op === Op.br_lt_u_i
        ? { op: Op.br_inc_lt_u_i, b: br.operands[1] }
        : br.op === Op.br_lt_s_i
        ? { op: Op.br_inc_lt_s_i, b: br.operands[1] }
        : br.op === Op.br_gt_u_i
        ? { op: Op.br_inc_gt_u_i, b: br.operands[1] }
        : br.op === Op.br_lt_u && br.operands[1] !== a
        ? { op: Op.br_inc_lt_u_r, b: br.operands[1] }
        : undefined;
      if (fused === undefined) continue;
      const label = br.operands[br.operands.length - 1];
      this.#fuseIncrementInto(s, i, {
        op: fused.op,
        operands: [a, add.operands[2], fused.b, label],
        wasmOffset: br.wasmOffset,
      });
    }
  }

  /**
   * Session 3: a loop closer `br_inc_ne_i`/`br_inc_lt_u_i` on `a` right after
   * another register's increment `i32_add_i p, p, k` (a loop with two
   * induction variables, e.g. a pointer and a count; a fuel charge may
   * sit between) becomes one `br_inc2_<cond>` doing both increments. The
   * increment moves after the checks, as in {@link #refuseIncrements}.
   */
  #fuseSecondIncrement(): void {
    const t = this.#env.tunables;
    if (!t.superInstructions || t.countInstructions) return;
    const insts = this.#insts;
    for (let i = 1; i < insts.length; i++) {
      const br = insts[i];
      const op = br.op === Op.br_inc_ne_i
        ? Op.br_inc2_ne_i
        : br.op === Op.br_inc_lt_u_i
        ? Op.br_inc2_lt_u_i
        : -1;
      if (op < 0) continue;
      const s = this.#beforeCharge(i);
      const add = insts[s];
      const p = add.operands[0];
      if (add.op !== Op.i32_add_i || add.operands[1] !== p || p === br.operands[0]) continue;
      this.#fuseIncrementInto(s, i, {
        op,
        operands: [...br.operands, p, add.operands[2]],
        wasmOffset: br.wasmOffset,
      });
    }
  }

  /** The index of the instruction before `i`, past a fuel charge right before it (at most one). */
  #beforeCharge(i: number): number {
    return i > 1 && this.#insts[i - 1].op === Op.fuel ? i - 2 : i - 1;
  }

  /**
   * Replaces increment `s` and branch `i` by `fused`: it goes at `i - 1`, a
   * charge between them moves up one, and `i` becomes an unreferenced label
   * (instruction indices stay put: `refSlotsAt` is keyed by them).
   */
  #fuseIncrementInto(s: number, i: number, fused: IrInst): void {
    const insts = this.#insts;
    const br = insts[i];
    for (let k = s; k < i - 1; k++) insts[k] = insts[k + 1];
    insts[i - 1] = fused;
    insts[i] = this.#deadLabel(br);
  }

  /**
   * The first control instruction after `at` when it is reached only from
   * `at` (no label between) and can take a charge (`fuel`, `fuel_<br>`,
   * `call_fuel`, `return_fuel`, `return`); else undefined.
   */
  #chargeAfter(at: number): IrInst | undefined {
    const insts = this.#insts;
    let k = at + 1;
    while (k < insts.length && insts[k].op !== LABEL && !isControl(insts[k].op)) k++;
    const next = insts[k];
    if (next === undefined) return undefined;
    const op = next.op;
    const takes = op === Op.return || op === Op.call_fuel || op === Op.fuel ||
      op === Op.return_fuel || FUEL_OPS.has(op);
    return takes ? next : undefined;
  }

  /** Adds `m` to the charge of `c` (a {@link #chargeAfter} result); a `return` becomes `return_fuel`. */
  #addCharge(c: IrInst, m: number): void {
    if (c.op === Op.return) {
      c.op = Op.return_fuel;
      c.operands = [m];
    } else if (c.op === Op.call_fuel) (c.operands as number[])[2] += m;
    else (c.operands as number[])[0] += m;
  }

  /** An unreferenced label in place of a removed instruction (it emits no code). */
  #deadLabel(at: IrInst): IrInst {
    return { op: LABEL, operands: [this.#numLabels++], wasmOffset: at.wasmOffset };
  }

  /**
   * Fuel (session 2): where every way into a label is charged right before it
   * (each `br` to it by a `fuel_br` prefix, the fall-through by a `fuel`), the
   * common part `m` of those charges is charged once after the label instead:
   * added to the first control instruction after it when that is a charge
   * (`fuel`, `fuel_<br>`, `call_fuel`, `return_fuel`) or a plain `return`
   * (which becomes `return_fuel`). Each path still pays exactly its
   * operators, and no control transfer lies between the label and the charge
   * (so no path skips it); the join's arms are charged one block later. A
   * charge left at zero is removed: e.g. an if/else whose arms each end with
   * one charged operator then needs no charge op on either arm.
   */
  #shareJoinCharges(): void {
    const insts = this.#insts;
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
          const after = this.#chargeAfter(i);
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
      const next = this.#chargeAfter(j);
      // (a charge on a way into the label cannot also be one after it)
      if (next === undefined || [next, ...fallthroughs].some((c) => charges.includes(c))) continue;
      if (fallthroughs.includes(next)) continue;
      for (const c of [next, ...fallthroughs]) this.#addCharge(c, m);
      for (const c of charges) (c.operands as number[])[0] -= m;
      removed.push(j);
    }
    if (removed.length === 0) return;
    for (let i = 0; i < insts.length; i++) {
      const ins = insts[i];
      if ((ins.op === Op.fuel || FUEL_OPS.has(ins.op)) && ins.operands[0] === 0) {
        insts[i] = this.#deadLabel(ins);
      }
    }
  }

  // ---- operand stack ----

  #push(kind: number, val: number, hi: number, type: ValType): void {
    const h = this.#h++;
    this.#kind[h] = kind;
    this.#val[h] = val;
    this.#hi[h] = hi;
    this.#k[h] = 0;
    this.#type[h] = type;
    if (this.#h > this.#maxH) this.#maxH = this.#h;
  }

  /** Pushes a temporary; returns its register. */
  #pushTemp(type: ValType): number {
    const h = this.#h;
    this.#push(TEMP, 0, 0, type);
    return this.#L + h;
  }

  #pop(): number {
    return --this.#h;
  }

  #isConst(pos: number): boolean {
    return this.#kind[pos] === CONST;
  }

  /** Writes entry `pos` into register `dst` (no-op when it is already there). */
  #moveTo(dst: number, pos: number): void {
    const kind = this.#kind[pos];
    if (this.#type[pos] === ValType.v128) { // never CONST
      const src = kind === LOCAL ? this.#val[pos] : this.#L + pos;
      if (src !== dst) this.#emit(Op.v128_mov, dst, src);
      return;
    }
    const wide = is64(this.#type[pos]);
    if (kind === ADDI) {
      this.#emit(Op.i32_add_i, dst, this.#val[pos], this.#hi[pos]);
      return;
    }
    if (kind === SHL) {
      this.#emit(Op.i32_shl_i, dst, this.#val[pos], this.#hi[pos]);
      if (this.#k[pos] !== 0) this.#emit(Op.i32_add_i, dst, dst, this.#k[pos]);
      return;
    }
    if (kind === CONST) {
      if (wide) this.#emit(Op.const64, dst, this.#val[pos], this.#hi[pos]);
      else this.#emit(Op.const32, dst, this.#val[pos]);
      return;
    }
    const src = kind === LOCAL ? this.#val[pos] : this.#L + pos;
    if (src !== dst) this.#emit(wide ? Op.mov64 : Op.mov, dst, src);
  }

  /** Makes entry `pos` a temporary in its own register. */
  #materialize(pos: number): void {
    if (this.#kind[pos] === TEMP) return;
    if (!this.#fuseMulAddI(this.#L + pos, pos)) this.#moveTo(this.#L + pos, pos);
    this.#kind[pos] = TEMP;
  }

  /**
   * A deferred `t + c` ({@link ADDI}) of a product by a constant that the
   * last instruction just computed into the entry's own register (`x * k + c`,
   * an LCG step) becomes one `i32_mul_add_i` writing `dst`. Only for an entry
   * being consumed or materialised in place: nothing else reads the product.
   */
  #fuseMulAddI(dst: number, pos: number): boolean {
    const n = this.#insts.length;
    const last = this.#insts[n - 1];
    if (
      !this.#env.tunables.superInstructions || this.#kind[pos] !== ADDI ||
      this.#val[pos] !== this.#L + pos || this.#lastDef !== n - 1 || last.op !== Op.i32_mul_i ||
      last.operands[0] !== this.#L + pos
    ) {
      return false;
    }
    last.op = Op.i32_mul_add_i;
    last.operands = [dst, last.operands[1], last.operands[2], this.#hi[pos]];
    return true;
  }

  /** The register holding entry `pos` (materialising a constant). */
  #reg(pos: number): number {
    const kind = this.#kind[pos];
    if (kind === LOCAL) return this.#val[pos];
    if (
      kind === CONST && this.#env.tunables.superInstructions &&
      (this.#loopDepth > 0 || this.#isHoisted(this.#type[pos], this.#val[pos], this.#hi[pos]))
    ) {
      // inside a loop a constant operand reads a register set once at entry; so does one
      // outside loops that some loop already hoisted (it costs nothing more)
      return this.#constReg(this.#type[pos], this.#val[pos], this.#hi[pos]);
    }
    if (kind === CONST || kind === ADDI || kind === SHL) this.#materialize(pos);
    return this.#L + pos;
  }

  #materializeLocals(): void {
    for (let p = 0; p < this.#h; p++) {
      const k = this.#kind[p];
      if (k === LOCAL || k === ADDI || k === SHL) this.#materialize(p);
    }
  }

  #materializeRange(from: number, to: number): void {
    for (let p = from; p < to; p++) this.#materialize(p);
  }

  // ---- control ----

  #blockType(): [readonly ValType[], readonly ValType[]] {
    const r = this.#r;
    if (r.blockType === BLOCK_EMPTY) return [[], []];
    if (r.blockType === BLOCK_TYPE_INDEX) {
      const t = this.#env.module.types[r.index];
      return [t.params, t.results];
    }
    return [[], [r.blockType as ValType]];
  }

  #frame(depth: number): Frame {
    return this.#frames[this.#frames.length - 1 - depth];
  }

  #arity(f: Frame): number {
    return f.kind === FrameKind.Loop ? f.params.length : f.results.length;
  }

  /** Whether branching to `f` needs moves (the values are not already in its slots). */
  #needsMoves(f: Frame): boolean {
    if (f.kind === FrameKind.Func) return true;
    const n = this.#arity(f);
    if (n === 0) return false;
    if (this.#h - n !== f.base) return true;
    for (let p = this.#h - n; p < this.#h; p++) if (this.#kind[p] !== TEMP) return true;
    return false;
  }

  /** Emits the moves and jump of an unconditional branch to frame `depth`. */
  #branch(depth: number): void {
    const f = this.#frame(depth);
    if (f.kind === FrameKind.Func) {
      this.#return();
      return;
    }
    const n = this.#arity(f);
    for (let i = 0; i < n; i++) this.#moveTo(this.#L + f.base + i, this.#h - n + i);
    if (f.kind !== FrameKind.Loop) f.targeted = true;
    this.#flushFuel(); // after the moves (they cannot trap): it fuses into the br
    this.#emit(Op.br, f.label);
    this.#blockEnd();
  }

  /**
   * Emits the result moves and the return. Fuel still uncharged is charged by
   * the return itself (`return_fuel`): only moves, which cannot trap, run
   * between where it was counted and there.
   */
  #return(): void {
    const fuel = this.#env.tunables.consumeFuel ? this.#fuel : 0;
    this.#fuel = 0;
    const ret = (): void => {
      if (fuel > 0) this.#emit(Op.return_fuel, fuel);
      else this.#emit(Op.return);
      this.#blockEnd();
    };
    const m = this.#results.length;
    const from = this.#h - m;
    if (m === 1 && this.#retargetLast(from, resultReg(0))) {
      ret();
      return;
    }
    if (m === 1 && this.#kind[from] !== TEMP && this.#type[from] !== ValType.v128) {
      this.#moveTo(resultReg(0), from); // one result: nothing it could overwrite
      ret();
      return;
    }
    // Copy every result into its own stack register first (without changing
    // the entries: other paths may still see them as they were), then down to
    // registers 0.. in ascending order, which never overwrites a pending source.
    for (let p = from; p < this.#h; p++) {
      if (this.#kind[p] !== TEMP) this.#moveTo(this.#L + p, p);
    }
    for (let i = 0; i < m; i++) {
      // (a move onto itself is dropped once registers are final: #placeConstants)
      const src = this.#L + from + i;
      const t = this.#type[from + i];
      this.#emit(t === ValType.v128 ? Op.v128_mov : is64(t) ? Op.mov64 : Op.mov, resultReg(i), src);
    }
    ret();
  }

  #setUnreachable(): void {
    this.#frames[this.#frames.length - 1].unreachable = true;
  }

  /**
   * Pops an i32 condition and emits a branch to `label` taken when the
   * condition is non-zero (or zero, with `negate`), fusing a preceding compare.
   */
  #condJump(label: number, negate: boolean): void {
    const pos = this.#pop();
    const last = this.#insts[this.#lastDef];
    if (
      this.#env.tunables.superInstructions && this.#kind[pos] === TEMP &&
      this.#lastDef === this.#insts.length - 1 && last !== undefined &&
      last.operands[0] === this.#L + pos
    ) {
      const cmp = COMPARE_OF.get(last.op);
      if (cmp !== undefined) {
        this.#insts.pop();
        this.#dropFromIcount();
        const cond = negate ? NEGATE[cmp.cond] : cmp.cond;
        if (cmp.imm && this.#fuseIncBranch(cond, last.operands[1], last.operands[2], label)) return;
        if (
          !cmp.imm && this.#fuseRegisterCloser(cond, last.operands[1], last.operands[2], label)
        ) {
          return;
        }
        const name = `br_${cond}${cmp.imm ? "_i" : ""}`;
        this.#emit(opCode(name), last.operands[1], last.operands[2], label);
        return;
      }
      if (last.op === Op.i32_eqz) {
        this.#insts.pop();
        this.#dropFromIcount();
        this.#emit(negate ? Op.br_if : Op.br_unless, last.operands[1], label);
        return;
      }
    }
    if (this.#kind[pos] === CONST) {
      const taken = (this.#val[pos] !== 0) !== negate;
      if (taken) this.#emit(Op.br, label);
      return;
    }
    const r = this.#reg(pos);
    if (!negate && this.#env.tunables.superInstructions && this.#fuseIncBranch("ne", r, 0, label)) {
      return;
    }
    this.#emit(negate ? Op.br_unless : Op.br_if, r, label);
  }

  /**
   * A loop-closing `a += inc; if (a <cond> b) br` (the last instruction being
   * `i32_add_i a, a, inc`, right before the branch) becomes one `br_inc_<cond>_i`.
   *
   * @returns whether it did
   */
  #fuseIncBranch(cond: string, a: number | number[], b: number | number[], label: number): boolean {
    const op = cond === "ne"
      ? Op.br_inc_ne_i
      : cond === "lt_u"
      ? Op.br_inc_lt_u_i
      : cond === "lt_s"
      ? Op.br_inc_lt_s_i
      : cond === "gt_u"
      ? Op.br_inc_gt_u_i
      : -1;
    const n = this.#insts.length;
    if (op < 0 || n === 0) return false;
    const add = this.#insts[n - 1];
    if (add.op !== Op.i32_add_i || add.operands[0] !== a || add.operands[1] !== a) return false;
    this.#insts.pop();
    this.#dropFromIcount();
    this.#lastDef = -1;
    this.#emit(op, a, add.operands[2], b, label);
    return true;
  }

  /**
   * A loop closer against a register, right after its counter's increment,
   * becomes one op: `x += k; if (x <u y) br` (or `y >u x`) a `br_inc_lt_u_r`;
   * session 3: `x += s; if (x <=u y) br` (or `y >=u x`), `s` a register, a
   * `br_add_le_u` (a strided loop).
   *
   * @returns whether it did
   */
  #fuseRegisterCloser(
    cond: string,
    a: number | number[],
    b: number | number[],
    label: number,
  ): boolean {
    const add = this.#insts[this.#insts.length - 1];
    if (add === undefined) return false;
    const [x, p, q] = add.operands as number[];
    let op: number;
    let step: number;
    let below: string;
    let above: string;
    if (add.op === Op.i32_add_i && p === x) {
      [op, step, below, above] = [Op.br_inc_lt_u_r, q, "lt_u", "gt_u"];
    } else if (add.op === Op.i32_add && (p === x) !== (q === x)) {
      [op, step, below, above] = [Op.br_add_le_u, p === x ? q : p, "le_u", "ge_u"];
    } else return false;
    const limit = cond === below && a === x ? b : cond === above && b === x ? a : -1;
    if (limit === -1 || limit === x) return false;
    this.#takeLast();
    this.#emit(op, x, step, limit, label);
    return true;
  }

  #dropFromIcount(): void {
    if (this.#icount !== null) (this.#icount.operands as number[])[0]--;
  }

  #enterBlock(kind: FrameKind): Frame {
    const [params, results] = this.#blockType();
    this.#flushFuel();
    this.#materializeLocals();
    this.#materializeRange(this.#h - params.length, this.#h);
    const f: Frame = {
      kind,
      label: this.#newLabel(),
      elseLabel: -1,
      base: this.#h - params.length,
      params,
      results,
      unreachable: false,
      targeted: false,
    };
    return f;
  }

  #else(): void {
    const f = this.#frames[this.#frames.length - 1];
    if (!f.unreachable) {
      this.#fallthroughMoves(f);
      f.targeted = true;
      this.#flushFuel(); // after the moves (they cannot trap): it fuses into the br
      this.#emit(Op.br, f.label);
      this.#blockEnd();
    } else this.#flushFuel();
    this.#label(f.elseLabel);
    f.kind = FrameKind.Else;
    f.unreachable = false;
    this.#h = f.base;
    for (const t of f.params) this.#pushTemp(t);
  }

  #fallthroughMoves(f: Frame): void {
    const n = f.results.length;
    for (let i = 0; i < n; i++) this.#moveTo(this.#L + f.base + i, this.#h - n + i);
  }

  #end(): void {
    const f = this.#frames.pop() as Frame;
    if (f.kind === FrameKind.Loop) this.#loopDepth--;
    if (f.kind === FrameKind.Func) {
      if (!f.unreachable) this.#return(); // charges the pending fuel
      else this.#flushFuel();
      return;
    }
    this.#flushFuel();
    const fallthrough = !f.unreachable;
    if (fallthrough) this.#fallthroughMoves(f);
    let reachable = fallthrough;
    if (f.kind === FrameKind.If) {
      this.#label(f.elseLabel);
      reachable = true;
    }
    if (f.kind !== FrameKind.Loop) {
      this.#label(f.label);
      if (f.targeted) reachable = true;
    } else {
      this.#blockEnd();
    }
    this.#h = f.base;
    for (const t of f.results) this.#pushTemp(t);
    if (!reachable) this.#setUnreachable();
  }

  // ---- operators ----

  #operator(key: number): void {
    const r = this.#r;
    const env = this.#env;
    switch (key) {
      case W.unreachable:
        this.#flushFuel();
        this.#emit(Op.trap, TrapCode.Unreachable);
        this.#blockEnd();
        this.#setUnreachable();
        return;
      case W.nop:
        return;
      case W.block:
        this.#frames.push(this.#enterBlock(FrameKind.Block));
        return;
      case W.loop: {
        const f = this.#enterBlock(FrameKind.Loop);
        this.#loopDepth++;
        this.#label(f.label);
        this.#frames.push(f);
        return;
      }
      case W.if: {
        const [params, results] = this.#blockType();
        this.#flushFuel();
        // The condition is on top; materialise below it first, then branch.
        const condPos = this.#h - 1;
        const cond = {
          kind: this.#kind[condPos],
          val: this.#val[condPos],
          hi: this.#hi[condPos],
          type: this.#type[condPos],
        };
        const lastDef = this.#lastDef;
        const lastLen = this.#insts.length;
        this.#h--;
        const lastIns = this.#insts[lastLen - 1];
        const fusible = cond.kind === TEMP && lastDef === lastLen - 1 && lastDef > 0 &&
          (COMPARE_OF.has(lastIns.op) || lastIns.op === Op.i32_eqz) &&
          lastIns.operands[0] === this.#L + condPos;
        const saved = fusible ? this.#insts.pop() : undefined;
        if (saved !== undefined) this.#dropFromIcount();
        this.#materializeLocals();
        this.#materializeRange(this.#h - params.length, this.#h);
        const f: Frame = {
          kind: FrameKind.If,
          label: this.#newLabel(),
          elseLabel: this.#newLabel(),
          base: this.#h - params.length,
          params,
          results,
          unreachable: false,
          targeted: false,
        };
        // re-push the condition and its defining instruction, then fuse
        if (saved !== undefined) {
          this.#insts.push(saved);
          if (this.#icount !== null) (this.#icount.operands as number[])[0]++;
          this.#lastDef = this.#insts.length - 1;
        }
        this.#push(cond.kind, cond.val, cond.hi, cond.type);
        this.#condJump(f.elseLabel, true);
        this.#frames.push(f);
        return;
      }
      case W.else:
        this.#else();
        return;
      case W.end:
        this.#end();
        return;
      case W.br:
        this.#branch(r.index); // charges the pending fuel
        this.#setUnreachable();
        return;
      case W.br_if: {
        const f = this.#frame(r.index);
        // condition on top; the branch values are below it
        const condPos = this.#h - 1;
        this.#h--;
        const moves = this.#needsMoves(f);
        this.#h++;
        this.#flushFuel();
        if (!moves) {
          if (f.kind !== FrameKind.Loop) f.targeted = true;
          this.#condJump(f.label, false);
        } else {
          const skip = this.#newLabel();
          this.#condJump(skip, true);
          void condPos;
          this.#branch(r.index);
          this.#label(skip);
        }
        return;
      }
      case W.br_table: {
        this.#flushFuel();
        const n = r.targetCount;
        const depths = [...r.targets.subarray(0, n), r.index];
        const ipos = this.#pop();
        const ri = this.#reg(ipos);
        const labels: number[] = [];
        const stubs = new Map<number, number>();
        for (const d of depths) {
          const f = this.#frame(d);
          if (!this.#needsMoves(f)) {
            if (f.kind !== FrameKind.Loop) f.targeted = true;
            labels.push(f.label);
          } else {
            let s = stubs.get(d);
            if (s === undefined) {
              s = this.#newLabel();
              stubs.set(d, s);
            }
            labels.push(s);
          }
        }
        this.#emit(Op.br_table, ri, labels);
        this.#blockEnd();
        for (const [d, s] of stubs) {
          this.#label(s);
          this.#branch(d);
        }
        this.#setUnreachable();
        return;
      }
      case W.return:
        this.#return(); // charges the pending fuel
        this.#setUnreachable();
        return;
      case W.call: {
        // with fuel on, a call to this module charges the pending fuel itself
        const own = env.tunables.consumeFuel && !env.isImported(r.index);
        const fuel = own ? this.#fuel : 0;
        if (own) this.#fuel = 0;
        else this.#flushFuel();
        const f = r.index;
        const sig = env.funcType(f);
        const base = this.#h - sig.params.length;
        const last = this.#h - 1;
        // a last argument `x + v` not yet computed is computed by the call itself
        // (with fuel on too: then it also charges as call_fuel does)
        const addArg = !env.isImported(f) && base <= last && this.#kind[last] === ADDI &&
          env.tunables.superInstructions;
        this.#materializeRange(base, addArg ? last : this.#h);
        this.#noteRefs(base);
        if (env.isImported(f)) this.#emit(Op.call_import, env.funcHandleWord(f), this.#L + base);
        else if (addArg) {
          const [a, v] = [this.#val[last], this.#hi[last]];
          if (own) this.#emit(Op.call_add_i_fuel, f, this.#L + base, this.#L + last, a, v, fuel);
          else this.#emit(Op.call_add_i, f, this.#L + base, this.#L + last, a, v);
        } else {
          // with fuel on, the call also does the callee's entry charge
          if (own) this.#emit(Op.call_fuel, f, this.#L + base, fuel);
          else this.#emit(Op.call, f, this.#L + base);
        }
        this.#blockEnd();
        this.#h = base;
        for (const t of sig.results) this.#pushTemp(t);
        return;
      }
      case W.call_indirect: {
        this.#flushFuel();
        const typeIndex = r.index;
        const table = r.index2;
        const sig = env.module.types[typeIndex];
        const ipos = this.#pop();
        const base = this.#h - sig.params.length;
        this.#materializeRange(base, this.#h);
        const ri = this.#reg(ipos);
        this.#noteRefs(base);
        this.#emit(Op.call_indirect, table, env.signatureWord(typeIndex), this.#L + base, ri);
        this.#blockEnd();
        this.#h = base;
        for (const t of sig.results) this.#pushTemp(t);
        return;
      }
      case W.drop:
        this.#pop();
        return;
      case W.select:
      case W.select_t: {
        const c = this.#pop();
        const b = this.#pop();
        const a = this.#pop();
        const type = this.#type[a];
        const rc = this.#reg(c);
        const rb = this.#reg(b);
        const ra = this.#reg(a);
        const d = this.#pushTemp(type);
        const op = type === ValType.v128 ? Op.v128_select : is64(type) ? Op.select64 : Op.select;
        this.#emit(op, d, rc, ra, rb);
        return;
      }
      case W.local_get:
        this.#push(LOCAL, r.index, 0, this.#localTypes[r.index]);
        return;
      case W.local_set:
        this.#localSet(r.index);
        return;
      case W.local_tee:
        this.#localSet(r.index);
        this.#push(LOCAL, r.index, 0, this.#localTypes[r.index]);
        return;
      case W.global_get: {
        const t = env.globalType(r.index);
        const d = this.#pushTemp(t);
        const op = t === ValType.v128
          ? Op.v128_global_get
          : is64(t)
          ? Op.global_get64
          : Op.global_get;
        this.#emit(op, d, env.globalWord(r.index));
        return;
      }
      case W.global_set: {
        const t = env.globalType(r.index);
        const v = this.#reg(this.#pop());
        const op = t === ValType.v128
          ? Op.v128_global_set
          : is64(t)
          ? Op.global_set64
          : Op.global_set;
        this.#emit(op, env.globalWord(r.index), v);
        return;
      }
      case W.table_get: {
        const i = this.#reg(this.#pop());
        const d = this.#pushTemp(env.module.tables[r.index].element);
        this.#emit(Op.table_get, d, r.index, i);
        return;
      }
      case W.table_set: {
        const v = this.#pop();
        const i = this.#pop();
        const rv = this.#reg(v);
        this.#emit(Op.table_set, r.index, this.#reg(i), rv);
        return;
      }
      case W.table_size: {
        const d = this.#pushTemp(ValType.i32);
        this.#emit(Op.table_size, d, r.index);
        return;
      }
      case W.table_grow:
        this.#builtin(B.table_grow, r.index, 0, 2, ValType.i32);
        return;
      case W.table_fill:
        this.#builtin(B.table_fill, r.index, 0, 3);
        return;
      case W.table_copy:
        this.#builtin(B.table_copy, r.index, r.index2, 3);
        return;
      case W.table_init:
        this.#builtin(B.table_init, r.index2, r.index, 3);
        return;
      case W.elem_drop:
        this.#builtin(B.elem_drop, r.index, 0, 0);
        return;
      case W.memory_size: {
        const d = this.#pushTemp(ValType.i32);
        this.#emit(Op.memory_size, d, 0);
        return;
      }
      case W.memory_grow:
        this.#builtin(B.memory_grow, 0, 0, 1, ValType.i32);
        return;
      case W.memory_fill:
        this.#builtin(B.memory_fill, 0, 0, 3);
        return;
      case W.memory_copy:
        this.#builtin(B.memory_copy, 0, 0, 3);
        return;
      case W.memory_init:
        this.#builtin(B.memory_init, 0, r.index, 3);
        return;
      case W.data_drop:
        this.#builtin(B.data_drop, r.index, 0, 0);
        return;
      case W.i32_const:
        this.#push(CONST, r.i32, 0, ValType.i32);
        return;
      case W.i64_const:
        this.#push(CONST, r.lo, r.hi, ValType.i64);
        return;
      case W.f32_const:
        this.#push(CONST, r.f32Bits, 0, ValType.f32);
        return;
      case W.f64_const:
        this.#push(CONST, r.lo, r.hi, ValType.f64);
        return;
      case W.ref_null:
        this.#push(CONST, 0, 0, r.refType as ValType);
        return;
      case W.ref_is_null:
        this.#unop(Op.i32_eqz, ValType.i32);
        return;
      case W.ref_func: {
        const d = this.#pushTemp(ValType.funcref);
        this.#emit(Op.vmctx_load, d, env.funcHandleWord(r.index));
        return;
      }
    }
    if (isSimdKey(key)) {
      translateSimd(this.#simd, key, r);
      return;
    }
    const load = LOADS.get(key);
    if (load !== undefined) {
      const ap = this.#pop();
      const indexed = INDEXED.get(load[0]);
      if (indexed !== undefined && this.#kind[ap] === SHL) {
        const [base, shift, k] = [this.#val[ap], this.#hi[ap], this.#k[ap]];
        const d = this.#pushTemp(load[1]);
        this.#emit(indexed, d, base, shift, k, r.memOffset | 0);
        return;
      }
      const [a, k] = this.#address(ap);
      const d = this.#pushTemp(load[1]);
      this.#emit(load[0], d, a, k, r.memOffset | 0);
      return;
    }
    const store = STORES.get(key);
    if (store !== undefined) {
      const v = this.#pop();
      const ap = this.#pop();
      const indexed = INDEXED.get(store);
      if (indexed !== undefined && this.#kind[ap] === SHL) {
        const [base, shift, k] = [this.#val[ap], this.#hi[ap], this.#k[ap]];
        const rv = this.#reg(v);
        this.#emit(indexed, base, rv, shift, k, r.memOffset | 0);
        return;
      }
      const [a, k] = this.#address(ap);
      if (store === Op.store64 && this.#fuseStoreMadd(a, k, r.memOffset | 0, v)) return;
      const rv = this.#reg(v);
      this.#emit(store, a, rv, k, r.memOffset | 0);
      return;
    }
    const info = opByKey(key);
    if (info === undefined || info.sig === undefined || info.sig[1].length !== 1) {
      throw new CompileError(`unsupported operator ${info?.name ?? key}`, r.offset);
    }
    const { name, code } = numericOp(key, info.name);
    if (code < 0) throw new CompileError(`unsupported operator ${info.name}`, r.offset);
    if (info.sig[0].length === 1) this.#unop(code, info.sig[1][0]);
    else this.#binop(name, code, info.sig[1][0]);
    if (env.tunables.nanCanonicalization && NAN_PRODUCING.has(name)) {
      const t = info.sig[1][0];
      this.#emit(t === ValType.f32 ? Op.f32_canon : Op.f64_canon, this.#L + this.#h - 1);
    }
  }

  /**
   * The base register and constant addend of a memory access whose address
   * is entry `pos`: an `i32.add` of a constant that just computed it folds
   * into the access (the VM adds it with 32-bit wrap-around, as wasm does).
   */
  #address(pos: number): [number, number] {
    if (this.#kind[pos] === ADDI) return [this.#val[pos], this.#hi[pos]];
    if (this.#kind[pos] === CONST && this.#env.tunables.superInstructions) {
      return [this.#constReg(ValType.i32, 0, 0), this.#val[pos]];
    }
    const last = this.#insts[this.#insts.length - 1];
    if (
      this.#env.tunables.superInstructions && this.#kind[pos] === TEMP &&
      this.#lastDef === this.#insts.length - 1 && last.op === Op.i32_add_i &&
      last.operands[0] === this.#L + pos &&
      // its source must survive until the access: a local, or this entry's own register
      ((last.operands[1] as number) < this.#L || last.operands[1] === this.#L + pos)
    ) {
      this.#insts.pop();
      this.#dropFromIcount();
      this.#lastDef = -1;
      return [last.operands[1] as number, last.operands[2] as number];
    }
    return [this.#reg(pos), 0];
  }

  #unop(code: number, result: ValType): void {
    const a = this.#reg(this.#pop());
    const d = this.#pushTemp(result);
    if ((code === Op.mov || code === Op.mov64) && a === d) return;
    this.#emit(code, d, a);
  }

  #binop(name: string, code: number, result: ValType): void {
    const b = this.#pop();
    const a = this.#pop();
    if (this.#env.tunables.superInstructions) {
      if (name === "f64_add" && (this.#fuseMulAdd(a, b) || this.#fuseMulLoadAdd(a, b))) return;
      if (name === "i64_add" && this.#fuseMulKAdd(a, b)) return;
      if (name === "i32_sub" && this.#fuseNegBit(a, b)) return;
      if (name === "i32_xor" && this.#fuseXorShr(a, b)) return;
      if (name === "f64_sub" && this.#fuseLoadSub(a, b)) return;
      const imm64 = this.#immForm64(name, a, b);
      if (imm64 !== undefined) {
        const [op, src, ...imms] = imm64;
        if (op === Op.i64_mul_k && this.#fuseRotlMulK(src, imms[0], imms[1])) return;
        const ra = this.#reg(src);
        const d = this.#pushTemp(result);
        this.#emit(op, d, ra, ...imms);
        return;
      }
      const imm = this.#immForm(name, code, a, b);
      if (imm !== undefined) {
        const [op, src, value] = imm;
        if (op === Op.i32_add_i && this.#deferAdd(src, a, value)) return;
        if (op === Op.i32_shl_i && this.#deferShl(src, a, value)) return;
        if (op === Op.i32_shr_s_i && value === 31 && this.#fuseSignBit(src)) return;
        if (op === Op.i32_and_i && this.#fuseSignBitAnd(src, value)) return;
        if (op === Op.i32_and_i && this.#fuseShrAnd(src, value)) return;
        const ra = this.#reg(src);
        const d = this.#pushTemp(result);
        this.#emit(op, d, ra, value);
        return;
      }
    }
    const ra = this.#reg(a);
    const rb = this.#reg(b);
    const d = this.#pushTemp(result);
    this.#emit(code, d, ra, rb);
  }

  /**
   * `f64.add` of a product just computed by the last instruction becomes one
   * `f64_mul_add` (JS rounds the product and the sum separately, exactly as
   * wasm does). The other addend must already be in a register.
   */
  #fuseMulAdd(a: number, b: number): boolean {
    const last = this.#insts[this.#insts.length - 1];
    if (this.#lastDef !== this.#insts.length - 1 || last.op !== Op.f64_mul) return false;
    let prod: number;
    let other: number;
    if (this.#kind[a] === TEMP && last.operands[0] === this.#L + a) [prod, other] = [a, b];
    else if (this.#kind[b] === TEMP && last.operands[0] === this.#L + b) [prod, other] = [b, a];
    else return false;
    void prod;
    const k = this.#kind[other];
    if (k !== TEMP && k !== LOCAL) return false;
    const rc = this.#reg(other);
    this.#insts.pop();
    this.#dropFromIcount();
    const d = this.#pushTemp(ValType.f64);
    this.#emit(Op.f64_mul_add, d, last.operands[1], last.operands[2], rc);
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
  #fuseMulLoadAdd(a: number, b: number): boolean {
    const n = this.#insts.length;
    if (n < 2 || this.#lastDef !== n - 1) return false;
    const load = this.#insts[n - 1];
    const mul = this.#insts[n - 2];
    if (mul.op !== Op.f64_mul || (load.op !== Op.load64 && load.op !== Op.load64_x)) return false;
    if (this.#kind[a] !== TEMP || this.#kind[b] !== TEMP) return false;
    const ra = this.#L + a;
    if (mul.operands[0] !== ra || load.operands[0] !== this.#L + b) return false;
    if (mul.operands[1] === ra || mul.operands[2] === ra) return false;
    load.operands[0] = ra;
    this.#insts.splice(n - 2, 1);
    this.#dropFromIcount();
    const d = this.#pushTemp(ValType.f64);
    this.#emit(Op.f64_mul_add, d, mul.operands[1], mul.operands[2], ra);
    return true;
  }

  /**
   * `i64.add` of a product by a constant that the last instruction just
   * computed (`i64_mul_k`) becomes one `i64_mul_k_add`. The other addend must
   * already be in a register.
   */
  #fuseMulKAdd(a: number, b: number): boolean {
    const last = this.#insts[this.#insts.length - 1];
    if (this.#lastDef !== this.#insts.length - 1 || last.op !== Op.i64_mul_k) return false;
    let other: number;
    if (this.#kind[a] === TEMP && last.operands[0] === this.#L + a) other = b;
    else if (this.#kind[b] === TEMP && last.operands[0] === this.#L + b) other = a;
    else return false;
    const k = this.#kind[other];
    if (k !== TEMP && k !== LOCAL) return false;
    const rc = this.#reg(other);
    this.#insts.pop();
    this.#dropFromIcount();
    const [, ra, lo, hi] = last.operands;
    // the multiplicand was just loaded into a temporary that only this product read
    const ld = this.#insts[this.#insts.length - 1];
    const d = this.#pushTemp(ValType.i64);
    if (
      ld !== undefined && ld.op === Op.load64 && ld.operands[0] === ra && (ra as number) >= this.#L
    ) {
      this.#insts.pop();
      this.#dropFromIcount();
      const [, base, k, offset] = ld.operands;
      this.#emit(Op.load64_mul_k_add, d, base, k, offset, rc, lo, hi).wasmOffset = ld.wasmOffset;
      return true;
    }
    this.#emit(Op.i64_mul_k_add, d, ra, rc, lo, hi);
    return true;
  }

  /**
   * `i64.mul` by a constant of a rotate the last instruction just computed
   * (`i64_rotl_i`, into a temporary or, through `local.tee`, a local) becomes
   * one `i64_rotl_mul_k`, which still writes the rotate's register.
   */
  #fuseRotlMulK(src: number, lo: number, hi: number): boolean {
    const last = this.#insts[this.#insts.length - 1];
    if (this.#lastDef !== this.#insts.length - 1 || last.op !== Op.i64_rotl_i) return false;
    const t = last.operands[0];
    const k = this.#kind[src];
    if (!(k === TEMP && t === this.#L + src) && !(k === LOCAL && this.#val[src] === t)) {
      return false;
    }
    this.#insts.pop();
    this.#dropFromIcount();
    const d = this.#pushTemp(ValType.i64);
    // the rotated value was just computed into a temporary by a load64_mul_k_add (right before:
    // no label between): one op for the whole round
    const prev = this.#insts[this.#insts.length - 1];
    const a = last.operands[1] as number;
    if (
      prev !== undefined && prev.op === Op.load64_mul_k_add && prev.operands[0] === a &&
      a >= this.#L
    ) {
      this.#insts.pop();
      this.#dropFromIcount();
      const [, base, k, offset, c, klo, khi] = prev.operands;
      this.#emit(
        Op.load64_mul_k_add_rotl_mul_k,
        d,
        t,
        base,
        k,
        offset,
        c,
        last.operands[2],
        klo,
        khi,
        lo,
        hi,
      ).wasmOffset = prev.wasmOffset;
      return true;
    }
    this.#emit(Op.i64_rotl_mul_k, d, t, last.operands[1], last.operands[2], lo, hi);
    return true;
  }

  /**
   * Whether the last instruction is `op` and wrote temporary entry `pos`
   * (so it may be taken back and fused into a later instruction).
   */
  #lastWrote(op: number, pos: number): boolean {
    const n = this.#insts.length;
    return n > 0 && this.#lastDef === n - 1 && this.#kind[pos] === TEMP &&
      this.#insts[n - 1].op === op && this.#insts[n - 1].operands[0] === this.#L + pos;
  }

  /** Takes back the last instruction (see {@link #lastWrote}). */
  #takeLast(): IrInst {
    this.#dropFromIcount();
    this.#lastDef = -1;
    return this.#insts.pop() as IrInst;
  }

  /**
   * `(x << s) >> 31` (an i32 shift by a constant, deferred or just emitted,
   * then an arithmetic shift right by 31: bit 31 - s of x as all ones or
   * zero) becomes one `i32_sbit_and_i` with mask -1.
   */
  #fuseSignBit(src: number): boolean {
    let x: number;
    let s: number;
    if (this.#kind[src] === SHL && this.#k[src] === 0) [x, s] = [this.#val[src], this.#hi[src]];
    else if (this.#lastWrote(Op.i32_shl_i, src)) {
      const shl = this.#takeLast();
      [x, s] = [shl.operands[1] as number, shl.operands[2] as number];
    } else return false;
    const d = this.#pushTemp(ValType.i32);
    this.#emit(Op.i32_sbit_and_i, d, x, s, -1);
    return true;
  }

  /** An `i32.and` by a constant of an `i32_sbit_and_i` just computed narrows its mask. */
  #fuseSignBitAnd(src: number, mask: number): boolean {
    if (!this.#lastWrote(Op.i32_sbit_and_i, src)) return false;
    const [, x, s, k] = this.#takeLast().operands as number[];
    const d = this.#pushTemp(ValType.i32);
    this.#emit(Op.i32_sbit_and_i, d, x, s, k & mask);
    return true;
  }

  /**
   * `y - load64(...)` (the load just computed, `y` already in a register)
   * becomes one `load64_f64_sub`, which traps where the load would.
   */
  #fuseLoadSub(a: number, b: number): boolean {
    if (!this.#lastWrote(Op.load64, b)) return false;
    const k = this.#kind[a];
    if (k !== TEMP && k !== LOCAL) return false;
    const y = this.#reg(a);
    const ld = this.#insts[this.#insts.length - 1];
    if (ld.operands[0] === y) return false;
    this.#takeLast();
    const [, base, kk, offset] = ld.operands as number[];
    const d = this.#pushTemp(ValType.f64);
    this.#emit(Op.load64_f64_sub, d, base, kk, offset, y).wasmOffset = ld.wasmOffset;
    return true;
  }

  /** `(x >>> s) & m` (the shift just computed) becomes one `i32_shr_u_and_i`. */
  #fuseShrAnd(src: number, mask: number): boolean {
    if (!this.#lastWrote(Op.i32_shr_u_i, src)) return false;
    const [, x, s] = this.#takeLast().operands as number[];
    const d = this.#pushTemp(ValType.i32);
    this.#emit(Op.i32_shr_u_and_i, d, x, s, mask);
    return true;
  }

  /**
   * `y ^ (x >>> s)` (either operand the shift just computed, the other
   * already in a register) becomes one `i32_xor_shr_u_i`.
   */
  #fuseXorShr(a: number, b: number): boolean {
    let other: number;
    if (this.#lastWrote(Op.i32_shr_u_i, b)) other = a;
    else if (this.#lastWrote(Op.i32_shr_u_i, a)) other = b;
    else return false;
    const k = this.#kind[other];
    if (k !== TEMP && k !== LOCAL && k !== ADDI) return false;
    // (an ADDI operand is computed after the shift, into its own register, which the
    // shift does not read)
    const [, x, s] = this.#takeLast().operands as number[];
    const ry = this.#reg(other);
    const d = this.#pushTemp(ValType.i32);
    this.#emit(Op.i32_xor_shr_u_i, d, ry, x, s);
    return true;
  }

  /** `0 - (x & 1)` (the low bit of x as all ones or zero) becomes one `i32_sbit_and_i`. */
  #fuseNegBit(a: number, b: number): boolean {
    if (this.#kind[a] !== CONST || this.#val[a] !== 0 || !this.#lastWrote(Op.i32_and_i, b)) {
      return false;
    }
    const and = this.#insts[this.#insts.length - 1];
    if (and.operands[2] !== 1) return false;
    this.#takeLast();
    const d = this.#pushTemp(ValType.i32);
    this.#emit(Op.i32_sbit_and_i, d, and.operands[1], 31, -1);
    return true;
  }

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
  #fuseStoreMadd(a: number, k: number, offset: number, v: number): boolean {
    const insts = this.#insts;
    const n = insts.length;
    const L = this.#L;
    if (!this.#env.tunables.superInstructions || !this.#lastWrote(insts[n - 1]?.op, v)) {
      return false;
    }
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
    const mem = op === Op.store64_madd ? this.#productLoad(prod, loadAt, mulAt) : undefined;
    const wasmOffset = mem === undefined ? ld.wasmOffset : insts[mem.at].wasmOffset;
    this.#takeLast();
    for (const at of [loadAt, mulAt, mem?.at ?? -1].sort((i, j) => j - i)) {
      if (at < 0) continue;
      insts.splice(at, 1);
      this.#dropFromIcount();
    }
    if (mem !== undefined) {
      const [, base, kb, offb] = mem.load.operands as number[];
      this.#emit(Op.store64_madd_m, a, k, offset, mem.other, base, kb, offb).wasmOffset =
        wasmOffset;
    } else this.#emit(op, a, k, offset, prod[0], prod[1]).wasmOffset = wasmOffset;
    return true;
  }

  /**
   * For {@link #fuseStoreMadd}: a factor of the product that a `load64`
   * before the load of the stored-to address just loaded (`a * b[j]`), which
   * the fused op can load itself (`store64_madd_m`, checking that address
   * first, as the earlier load would have). Nothing between may write its
   * base or read or write the loaded register, and only pure f64 ops and the
   * fused instructions may lie between.
   *
   * @returns the load, its index and the other factor's register
   */
  #productLoad(
    prod: number[],
    loadAt: number,
    mulAt: number,
  ): { load: IrInst; at: number; other: number } | undefined {
    const insts = this.#insts;
    const n = insts.length;
    if (prod[0] === prod[1]) return undefined;
    const readAt = mulAt >= 0 ? mulAt : n - 1;
    for (const [q, other] of [[prod[1], prod[0]], [prod[0], prod[1]]]) {
      if (q < this.#L) continue;
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

  /**
   * Pushes `src + value` as a deferred {@link ADDI} entry at position `at`
   * when that is safe: its source register must stay unchanged while the
   * entry lives (a local, which local.set protects, or the entry's own slot).
   * A memory access then folds it; any other use emits the add.
   */
  #deferAdd(src: number, at: number, value: number): boolean {
    const kind = this.#kind[src];
    let reg: number;
    let imm = value;
    if (kind === LOCAL) reg = this.#val[src];
    else if (kind === TEMP && src === at) reg = this.#L + at;
    else if (kind === ADDI && (this.#val[src] < this.#L || this.#val[src] === this.#L + at)) {
      reg = this.#val[src];
      imm = (this.#hi[src] + value) | 0;
    } else if (kind === SHL && (this.#val[src] < this.#L || this.#val[src] === this.#L + at)) {
      const shift = this.#hi[src];
      const k = (this.#k[src] + value) | 0;
      this.#push(SHL, this.#val[src], shift, ValType.i32);
      this.#k[at] = k;
      return true;
    } else return false;
    this.#push(ADDI, reg, imm, ValType.i32);
    return true;
  }

  /** Pushes `src << shift` as a deferred {@link SHL} entry at `at` when safe (as {@link #deferAdd}). */
  #deferShl(src: number, at: number, shift: number): boolean {
    const kind = this.#kind[src];
    let reg: number;
    if (kind === LOCAL) reg = this.#val[src];
    else if (kind === TEMP && src === at) reg = this.#L + at;
    else return false;
    this.#push(SHL, reg, shift, ValType.i32);
    return true;
  }

  /**
   * An immediate form of the i64 op `name` with a constant operand:
   * [op, register operand, ...immediates].
   */
  #immForm64(name: string, a: number, b: number): number[] | undefined {
    const ca = this.#isConst(a);
    const cb = this.#isConst(b);
    if (ca === cb) return undefined;
    const c = cb ? b : a;
    const r = cb ? a : b;
    const lo = this.#val[c];
    const hi = this.#hi[c];
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
  #immForm(name: string, code: number, a: number, b: number): [number, number, number] | undefined {
    const ca = this.#isConst(a);
    const cb = this.#isConst(b);
    if (ca === cb) return undefined;
    if (name.startsWith("i64")) return undefined; // see #immForm64
    if (!name.startsWith("i32")) return undefined;
    if (cb) {
      const v = this.#val[b];
      if (name === "i32_sub") return [Op.i32_add_i, a, (-v) | 0];
      const op = IMM_FORM[code];
      if (op < 0) return undefined;
      if (name === "i32_shl" || name === "i32_shr_s" || name === "i32_shr_u") {
        return [op, a, v & 31];
      }
      return [op, a, v];
    }
    // constant on the left
    const v = this.#val[a];
    if (COMMUTATIVE.has(name)) {
      const op = IMM_FORM[code];
      return op < 0 ? undefined : [op, b, v];
    }
    const cond = name.slice(4);
    const swapped = SWAP[cond];
    if (swapped === undefined) return undefined;
    const op = opCode(`i32_${swapped}_i`);
    return op < 0 ? undefined : [op, b, v];
  }

  #localSet(x: number): void {
    const pos = this.#pop();
    if (this.#knownZero[x] === 1) {
      // `enter` zeroed it and nothing wrote it since: storing a zero changes nothing
      if (this.#kind[pos] === CONST && this.#val[pos] === 0 && this.#hi[pos] === 0) return;
      this.#knownZero[x] = 0;
    }
    // entries still on the stack that read local x must keep its old value
    for (let p = 0; p < this.#h; p++) {
      const k = this.#kind[p];
      if ((k === LOCAL || k === ADDI || k === SHL) && this.#val[p] === x) {
        this.#materialize(p);
      }
    }
    const kind = this.#kind[pos];
    if (this.#retargetLast(pos, x)) return;
    if (kind === LOCAL && this.#val[pos] === x) return;
    if (this.#fuseMulAddI(x, pos)) return;
    this.#moveTo(x, pos);
  }

  /**
   * When the last instruction computed temporary entry `pos` (and nothing
   * else has happened since), makes it write register `dst` instead.
   *
   * @returns whether it did
   */
  #retargetLast(pos: number, dst: number): boolean {
    if (
      this.#kind[pos] !== TEMP || this.#lastDef !== this.#insts.length - 1 || this.#lastDef <= 0
    ) {
      return false;
    }
    const last = this.#insts[this.#lastDef];
    if (last.op < 0 || !WRITES_FIRST[last.op] || last.operands[0] !== this.#L + pos) {
      return false;
    }
    last.operands[0] = dst;
    return true;
  }

  /** Calls builtin `id` with `nargs` operands from the stack (materialised in place). */
  #builtin(id: number, s0: number, s1: number, nargs: number, result?: ValType): void {
    const base = this.#h - nargs;
    this.#materializeRange(base, this.#h);
    this.#emit(Op.builtin, id, s0, s1, this.#L + base);
    this.#h = base;
    if (result !== undefined) this.#pushTemp(result);
  }

  /** Records the reference-typed registers live across a call at the next instruction. */
  #noteRefs(base: number): void {
    const slots: number[] = [];
    for (let i = 0; i < this.#L; i++) {
      const t = this.#localTypes[i];
      if (t === ValType.funcref || t === ValType.externref) slots.push(i);
    }
    for (let p = 0; p < base; p++) {
      const t = this.#type[p];
      if ((t === ValType.funcref || t === ValType.externref) && this.#kind[p] === TEMP) {
        slots.push(this.#L + p);
      }
    }
    if (slots.length > 0) this.#refSlots.set(this.#insts.length, slots);
  }
}

/** The key of a hoisted constant: its bits, a number for a 32-bit one (no string to build). */
function constKey(type: ValType, lo: number, hi: number): string | number {
  return is64(type) ? `${lo}:${hi}` : lo;
}
