/**
 * Validation of function bodies ({@link FuncValidator}), with the spec's
 * algorithm (appendix "Validation Algorithm"): an operand stack of value
 * types with an "unknown" type for the polymorphic stack after `unreachable`,
 * `br`, `br_table` and `return`, and a control stack of blocks.
 *
 * Invariants:
 * - Every instruction with a fixed signature (`sig` in the op table) goes
 *   through one generic path driven by tables derived from `opcodes.ts`;
 *   only structured, polymorphic and index-bearing instructions have cases.
 * - No allocation per instruction: both stacks are typed arrays grown by
 *   doubling, and instructions are read by one reused {@link OperatorReader}.
 * - Errors use the reference interpreter's words; "unknown <space> <index>"
 *   carries the index, as the reference does.
 * - A module may have several memories (multi-memory). Each memory and table
 *   has an address type, i32 or i64 (memory64, table64), which types its
 *   accesses' addresses, its sizes and its bulk operators' operands (a copy's
 *   length between an i32 and an i64 one is i32); a memory's page size is
 *   64 KiB or 1 byte (custom page sizes). A module whose memories are all
 *   32-bit takes the same fixed-signature path as before.
 * - Operand types are compared as numbers first; only when they differ is
 *   the subtyping relation ({@link TypeRelation}) consulted.
 * - A local of a non-defaultable type (a non-nullable reference) may be read
 *   only after a `local.set` or `local.tee` of it in the same or an
 *   enclosing block: each set is recorded on a stack, and leaving a block
 *   (`end`, `else`) unsets the locals set inside it.
 *
 * @module
 */

import { fail } from "./errors.ts";
import {
  BLOCK_EMPTY,
  CATCH_ALL,
  CATCH_ALL_REF,
  CATCH_REF,
  OperatorReader,
  SIMPLE_OPS,
} from "./operators.ts";
import { OPS } from "./opcodes.ts";
import type { ModuleContext } from "./_module_validator.ts";
import { BOTTOM, TypeRelation } from "./_subtyping.ts";
import { type GcOperands, validateGcOp } from "./_gc_validator.ts";
import { type ContValidationHost, validateContOp } from "./_cont_validator.ts";
import {
  isDefaultable,
  isRefType,
  kindCode,
  type RefType,
  type TableType,
  typeIndexRef,
  ValType,
  valTypeName,
  withNullable,
} from "./types.ts";

export type { ModuleContext, ValidatedModule } from "./_module_validator.ts";
export { validateModule } from "./_module_validator.ts";

/** The type given to operands of the polymorphic stack. */
const UNKNOWN = BOTTOM;
const I32 = 0x7f;
const I64 = 0x7e;
const FUNCREF = ValType.funcref;

/** Kinds of control frames. */
const FRAME_BLOCK = 0;
const FRAME_LOOP = 1;
const FRAME_IF = 2;
const FRAME_ELSE = 3;
const FRAME_FUNC = 4;
/** Legacy exception handling: a `try` body, a `catch` arm, a `catch_all` arm. */
const FRAME_TRY = 5;
const FRAME_CATCH = 6;
const FRAME_CATCH_ALL = 7;

/** `(ref exn)`, the type of a caught exception's reference. */
const EXN_NON_NULL = withNullable(ValType.exnref, false);

/** Extra checks a fixed-signature op needs besides its operand types. */
const CHECK_NONE = 0;
const CHECK_MEMARG = 1;
const CHECK_LANE = 2;
const CHECK_MEMARG_LANE = 3;
const CHECK_SHUFFLE = 4;
const CHECK_MEMORY = 5;
/** An atomic access: a memarg whose alignment is exactly natural. */
const CHECK_ATOMIC = 6;

/**
 * Slot of an op in the derived tables: byte ops 0-255, 0xFC ops 256+, 0xFD ops
 * 512+, 0xFE 896+, 0xFB 1024+.
 */
function slotOf(prefix: number, code: number): number {
  return prefix === 0
    ? code
    : prefix === 0xfc
    ? 256 + code
    : prefix === 0xfd
    ? 512 + code
    : prefix === 0xfe
    ? 896 + code
    : 1024 + code;
}

const NUM_SLOTS = 1056;
/** Number of fixed operands, or -1 when the op has no fixed signature. */
const SIG_NPARAMS = new Int8Array(NUM_SLOTS).fill(-1);
/** Fixed operand types packed one byte each, deepest first. */
const SIG_PARAMS = new Int32Array(NUM_SLOTS);
/** The fixed result type, or 0 for none. */
const SIG_RESULT = new Uint8Array(NUM_SLOTS);
/** The second fixed result type of a two-result op (wide arithmetic), or 0. */
const SIG_RESULT2 = new Uint8Array(NUM_SLOTS);
/** Which CHECK_* the op needs. */
const CHECKS = new Uint8Array(NUM_SLOTS);
/** log2 of the natural alignment of memory ops. */
const MAX_ALIGN = new Uint8Array(NUM_SLOTS);
/** Lane count of lane ops. */
const LANES = new Uint8Array(NUM_SLOTS);

function accessBits(name: string): number {
  const m = /\.(?:load|store|rmw|wait)(\d+)(?:x(\d+))?/.exec(name);
  if (m) return Number(m[1]) * (m[2] ? Number(m[2]) : 1);
  const type = name.slice(0, name.indexOf("."));
  return type === "v128" ? 128 : type.endsWith("64") ? 64 : 32;
}

for (const op of OPS) {
  const slot = slotOf(op.prefix, op.code);
  if (op.sig) {
    const [params, results] = op.sig;
    SIG_NPARAMS[slot] = params.length;
    let packed = 0;
    for (let i = 0; i < params.length; i++) packed |= params[i] << (8 * i);
    SIG_PARAMS[slot] = packed;
    SIG_RESULT[slot] = results.length ? results[0] : 0;
    SIG_RESULT2[slot] = results.length > 1 ? results[1] : 0;
  }
  switch (op.imm) {
    case "memarg":
    case "memarg_lane": {
      const bits = accessBits(op.name);
      MAX_ALIGN[slot] = Math.log2(bits / 8);
      if (op.imm === "memarg_lane") {
        CHECKS[slot] = CHECK_MEMARG_LANE;
        LANES[slot] = 128 / bits;
      } else if (op.prefix === 0xfe) {
        CHECKS[slot] = CHECK_ATOMIC;
      } else {
        CHECKS[slot] = CHECK_MEMARG;
      }
      break;
    }
    case "lane":
      CHECKS[slot] = CHECK_LANE;
      LANES[slot] = Number(/x(\d+)\./.exec(op.name)![1]);
      break;
    case "shuffle":
      CHECKS[slot] = CHECK_SHUFFLE;
      break;
    case "memory":
    case "memory_copy":
      CHECKS[slot] = CHECK_MEMORY;
      break;
  }
}

/**
 * Validates function bodies against a module context, one at a time, reusing
 * its stacks across bodies.
 *
 * @example
 * ```ts
 * import { FuncValidator } from "./validator.ts";
 * const ctx = {
 *   types: [{ params: [], results: [0x7f] }], funcs: [0], tables: [], numMemories: 0,
 *   globals: [], numImportedGlobals: 0, elemTypes: [], dataCount: undefined, numDatas: 0,
 *   declaredFuncs: new Uint8Array(1),
 * } as const;
 * const v = new FuncValidator(ctx);
 * // (func (result i32) i32.const 1 end)
 * v.validate(new Uint8Array([0x41, 0x01, 0x0b]), 0, [], 0, 3);
 * ```
 */
export class FuncValidator {
  private readonly ctx: ModuleContext;
  private readonly rel: TypeRelation;
  private readonly r: OperatorReader;
  /** Types of the current function's parameters and locals. */
  private locals = new Int32Array(64);
  private numLocals = 0;
  /** Per local: 1 when it may be read (defaultable, a parameter, or set). */
  private localSet = new Uint8Array(64);
  /** Locals set since they were last unset, innermost block last. */
  private inits = new Int32Array(16);
  private numInits = 0;
  /** Operand stack of value types (UNKNOWN for polymorphic entries). */
  private vals = new Int32Array(256);
  private sp = 0;
  /** Control stack, as parallel arrays. */
  private ctrlKind = new Uint8Array(64);
  private ctrlType = new Int32Array(64);
  private ctrlHeight = new Int32Array(64);
  private ctrlUnreachable = new Uint8Array(64);
  /** Per frame: `numInits` when it was entered. */
  private ctrlInits = new Int32Array(64);
  private csp = 0;
  /** Per frame: the `brStamp` of the last br_table that checked it. */
  private brSeen = new Int32Array(64);
  private brStamp = 0;
  /** Legacy `try` instructions in the body so far. */
  private legacyTries = 0;
  /** See {@link FuncValidator.contHost}. */
  private cont: ContValidationHost | undefined = undefined;
  /** Height and reachability of the innermost frame, cached. */
  private height = 0;
  private unreachable = 0;

  /** The stacks as the GC ops see them. */
  private readonly gc: GcOperands;

  /** @param ctx the module the bodies belong to */
  constructor(ctx: ModuleContext) {
    this.ctx = ctx;
    this.rel = ctx.relation ?? new TypeRelation(ctx.types, 0, ctx.stackSwitching === true);
    this.r = new OperatorReader(new Uint8Array(0));
    this.r.eofReason = "unexpected end of section or function";
    this.r.typeKinds = Uint8Array.from(ctx.types, kindCode);
    this.gc = {
      r: this.r,
      types: ctx.types,
      rel: this.rel,
      push: (t) => this.push(t),
      pop: (t) => this.pop(t),
      popRef: () => this.popRef(),
      labelFrame: (d) => this.labelFrame(d),
      labelCount: (f) => this.labelCount(f),
      labelType: (f, i) => this.labelType(f, i),
      checkData: (i) => this.checkData(i),
      checkElem: (i) => this.checkElem(i),
    };
  }

  /** Checks that a type index names a function type; returns it. */
  private funcType(index: number): number {
    const t = this.ctx.types[index];
    if (t === undefined) fail(`unknown type ${index}`, this.r.offset);
    if (t.kind !== undefined && t.kind !== "func") fail("type mismatch", this.r.offset);
    return index;
  }

  // ---- block types ----------------------------------------------------------
  // A block type is stored as BLOCK_EMPTY, a value type (> 0), or -1 - typeIndex.

  private paramCount(bt: number): number {
    return bt >= 0 ? 0 : this.ctx.types[-1 - bt].params.length;
  }

  private paramType(bt: number, i: number): number {
    return this.ctx.types[-1 - bt].params[i];
  }

  private resultCount(bt: number): number {
    return bt === BLOCK_EMPTY ? 0 : bt > 0 ? 1 : this.ctx.types[-1 - bt].results.length;
  }

  private resultType(bt: number, i: number): number {
    return bt > 0 ? bt : this.ctx.types[-1 - bt].results[i];
  }

  private labelCount(frame: number): number {
    const bt = this.ctrlType[frame];
    return this.ctrlKind[frame] === FRAME_LOOP ? this.paramCount(bt) : this.resultCount(bt);
  }

  private labelType(frame: number, i: number): number {
    const bt = this.ctrlType[frame];
    return this.ctrlKind[frame] === FRAME_LOOP ? this.paramType(bt, i) : this.resultType(bt, i);
  }

  // ---- operand stack ----------------------------------------------------------

  private push(t: number): void {
    if (this.sp === this.vals.length) {
      const bigger = new Int32Array(this.vals.length * 2);
      bigger.set(this.vals);
      this.vals = bigger;
    }
    this.vals[this.sp++] = t;
  }

  /** Pops any operand; UNKNOWN when the stack is polymorphic here. */
  private popAny(): number {
    if (this.sp === this.height) {
      if (this.unreachable) return UNKNOWN;
      fail("type mismatch", this.r.offset);
    }
    return this.vals[--this.sp];
  }

  /** Pops an operand that must have type `t`. */
  private pop(t: number): number {
    const sp = this.sp;
    if (sp > this.height) {
      const a = this.vals[sp - 1];
      this.sp = sp - 1;
      if (a === t || a === UNKNOWN || this.rel.isSubtype(a, t)) return a;
      fail("type mismatch", this.r.offset);
    }
    if (this.unreachable) return UNKNOWN;
    return fail("type mismatch", this.r.offset);
  }

  /** Pops a reference operand; UNKNOWN when the stack is polymorphic here. */
  private popRef(): number {
    const t = this.popAny();
    if (t !== UNKNOWN && !isRefType(t)) fail("type mismatch", this.r.offset);
    return t;
  }

  /** Marks local `i` set, to be unset when the current block ends. */
  private setLocal(i: number): void {
    if (this.localSet[i] === 1) return;
    this.localSet[i] = 1;
    if (this.numInits === this.inits.length) {
      const bigger = new Int32Array(this.inits.length * 2);
      bigger.set(this.inits);
      this.inits = bigger;
    }
    this.inits[this.numInits++] = i;
  }

  /** Unsets the locals set since frame `c` was entered. */
  private resetLocals(c: number): void {
    const base = this.ctrlInits[c];
    for (let k = base; k < this.numInits; k++) this.localSet[this.inits[k]] = 0;
    this.numInits = base;
  }

  private setUnreachable(): void {
    this.sp = this.height;
    this.unreachable = 1;
    this.ctrlUnreachable[this.csp - 1] = 1;
  }

  // ---- control stack ----------------------------------------------------------

  /** Checks a block type read by the reader and returns its stored form. */
  private blockType(): number {
    const r = this.r;
    const bt = r.blockType;
    if (bt >= 0) return this.rel.check(bt, r.offset);
    return -1 - this.funcType(r.index);
  }

  /** Enters a block: pops its parameters, then pushes its frame. */
  private pushCtrl(kind: number, bt: number): void {
    if (bt < 0) {
      // Pop the parameters; pushFrame pushes them back inside the block.
      const n = this.paramCount(bt);
      for (let i = n - 1; i >= 0; i--) this.pop(this.paramType(bt, i));
    }
    this.pushFrame(kind, bt);
  }

  /** Pushes a control frame at the current height, then its parameters. */
  private pushFrame(kind: number, bt: number): void {
    const c = this.csp;
    if (c === this.ctrlKind.length) this.growCtrl();
    this.ctrlKind[c] = kind;
    this.ctrlType[c] = bt;
    this.ctrlHeight[c] = this.sp;
    this.ctrlUnreachable[c] = 0;
    this.ctrlInits[c] = this.numInits;
    this.csp = c + 1;
    this.height = this.sp;
    this.unreachable = 0;
    if (bt < 0) {
      const n = this.paramCount(bt);
      for (let i = 0; i < n; i++) this.push(this.paramType(bt, i));
    }
  }

  private growCtrl(): void {
    const n = this.ctrlKind.length * 2;
    const kind = new Uint8Array(n);
    kind.set(this.ctrlKind);
    const type = new Int32Array(n);
    type.set(this.ctrlType);
    const height = new Int32Array(n);
    height.set(this.ctrlHeight);
    const unr = new Uint8Array(n);
    unr.set(this.ctrlUnreachable);
    this.ctrlKind = kind;
    this.ctrlType = type;
    this.ctrlHeight = height;
    this.ctrlUnreachable = unr;
    const seen = new Int32Array(n);
    seen.set(this.brSeen);
    this.brSeen = seen;
    const inits = new Int32Array(n);
    inits.set(this.ctrlInits);
    this.ctrlInits = inits;
  }

  /** Pops the innermost frame after checking its results; returns its index. */
  private popCtrl(): number {
    const c = this.csp - 1;
    const bt = this.ctrlType[c];
    const sp = this.sp;
    if (bt !== BLOCK_EMPTY) {
      const n = this.resultCount(bt);
      if (!this.popsFit(bt, n)) this.mismatch("instruction", bt, n, sp);
    }
    if (this.sp !== this.height) this.mismatch("block", bt, this.resultCount(bt), sp);
    this.resetLocals(c);
    this.csp = c;
    if (c > 0) {
      this.height = this.ctrlHeight[c - 1];
      this.unreachable = this.ctrlUnreachable[c - 1];
    }
    return c;
  }

  /**
   * Pops block type `bt`'s `n` results when the stack has them; returns
   * false (the stack partly popped) when it does not.
   */
  private popsFit(bt: number, n: number): boolean {
    for (let i = n - 1; i >= 0; i--) {
      const t = this.resultType(bt, i);
      if (this.sp > this.height) {
        const a = this.vals[this.sp - 1];
        if (a !== t && a !== UNKNOWN && !this.rel.isSubtype(a, t)) return false;
        this.sp--;
      } else if (!this.unreachable) return false;
    }
    return true;
  }

  /**
   * Fails with the reference's detailed words: "type mismatch: instruction
   * requires [...] but stack has [...]" (the values the frame had, from
   * `height` to `sp`).
   */
  private mismatch(what: string, bt: number, n: number, sp: number): never {
    const want: string[] = [];
    for (let i = 0; i < n; i++) want.push(valTypeName(this.resultType(bt, i)));
    return this.mismatchOf(what, want, sp);
  }

  private mismatchOf(what: string, want: readonly string[], sp: number): never {
    const have: string[] = [];
    for (let p = this.height; p < sp; p++) {
      have.push(this.vals[p] === UNKNOWN ? "_" : valTypeName(this.vals[p]));
    }
    return fail(
      `type mismatch: ${what} requires [${want.join(" ")}] but stack has [${have.join(" ")}]`,
      this.r.offset,
    );
  }

  private pushResults(bt: number): void {
    if (bt === BLOCK_EMPTY) return;
    if (bt > 0) {
      this.push(bt);
      return;
    }
    const n = this.resultCount(bt);
    for (let i = 0; i < n; i++) this.push(this.resultType(bt, i));
  }

  /** Pops the types of label `depth` (counted from the innermost frame). */
  private popLabel(frame: number): void {
    const n = this.labelCount(frame);
    for (let i = n - 1; i >= 0; i--) this.pop(this.labelType(frame, i));
  }

  private labelFrame(depth: number): number {
    if (depth >= this.csp) fail(`unknown label`, this.r.offset);
    return this.csp - 1 - depth;
  }

  // ---- per-op helpers -----------------------------------------------------------

  /** The stacks and context lent to the continuation instructions' checks (made once). */
  private contHost(): ContValidationHost {
    return this.cont ??= {
      ctx: this.ctx,
      rel: this.rel,
      r: this.r,
      pop: (t) => this.pop(t),
      push: (t) => this.push(t),
      labelFrame: (d) => this.labelFrame(d),
      labelCount: (f) => this.labelCount(f),
      labelType: (f, i) => this.labelType(f, i),
      checkTag: (i) => this.checkTag(i),
    };
  }

  /** Checks a memory index; returns its address type (i32 or i64). */
  private checkMemory(index: number): number {
    if (index >= this.ctx.numMemories) fail(`unknown memory ${index}`, this.r.offset);
    return this.ctx.memories?.[index].address64 ? I64 : I32;
  }

  /** The address type of a table (i32 or i64). */
  private tableAddress(t: TableType): number {
    return t.address64 ? I64 : I32;
  }

  /**
   * Pops the operands of a memory access whose address type is `at` and
   * pushes its result: its fixed signature, with the address (its first
   * operand) of type `at`.
   */
  private applyAccess(slot: number, at: number): void {
    if (at === I32) {
      this.applySig(slot);
      return;
    }
    const np = SIG_NPARAMS[slot];
    const packed = SIG_PARAMS[slot];
    for (let i = np - 1; i >= 1; i--) this.pop((packed >> (8 * i)) & 0xff);
    this.pop(at);
    if (SIG_RESULT[slot] !== 0) this.push(SIG_RESULT[slot]);
  }

  /** memory.size, memory.grow, memory.fill, memory.copy: operands by address type. */
  private memoryOp(key: number): void {
    const r = this.r;
    const at = this.checkMemory(r.index);
    switch (key) {
      case 0x3f: // memory.size
        this.push(at);
        break;
      case 0x40: // memory.grow
        this.pop(at);
        this.push(at);
        break;
      case 0xfc000b: // memory.fill
        this.pop(at);
        this.pop(I32);
        this.pop(at);
        break;
      default: { // memory.copy
        const src = this.checkMemory(r.index2);
        this.pop(at === I64 && src === I64 ? I64 : I32);
        this.pop(src);
        this.pop(at);
      }
    }
  }

  private checkTable(index: number): TableType {
    const t = this.ctx.tables[index];
    if (t === undefined) fail(`unknown table ${index}`, this.r.offset);
    return t;
  }

  private checkData(index: number): void {
    const n = this.ctx.dataCount;
    if (index >= (n ?? this.ctx.numDatas)) fail(`unknown data segment ${index}`, this.r.offset);
    if (n === undefined) fail("data count section required", this.r.offset);
  }

  private checkElem(index: number): RefType {
    const t = this.ctx.elemTypes[index];
    if (t === undefined) fail(`unknown elem segment ${index}`, this.r.offset);
    return t;
  }

  /** Checks a tag index; returns its type index. */
  private checkTag(index: number): number {
    const t = this.ctx.tags?.[index];
    if (t === undefined) fail(`unknown tag ${index}`, this.r.offset);
    return t;
  }

  /** Checks the index of a tag thrown or caught (an exception tag: no results). */
  private checkExceptionTag(index: number): number {
    const t = this.checkTag(index);
    if (this.ctx.types[t].results.length !== 0) fail("non-empty tag result type", this.r.offset);
    return t;
  }

  /**
   * Checks catch clause `i` of the `try_table` just read: the values it
   * passes (the tag's, then for the `_ref` kinds the exception's reference)
   * must match its label, resolved outside the `try_table`.
   */
  private checkCatch(i: number): void {
    const r = this.r;
    const kind = r.catchKinds[i];
    const frame = this.labelFrame(r.catchLabels[i]);
    const values: number[] = kind < CATCH_ALL
      ? [...this.ctx.types[this.checkExceptionTag(r.catchTags[i])].params]
      : [];
    if (kind === CATCH_REF || kind === CATCH_ALL_REF) values.push(EXN_NON_NULL);
    const n = this.labelCount(frame);
    if (n !== values.length) fail("type mismatch", r.offset);
    for (let k = 0; k < n; k++) {
      if (!this.rel.isSubtype(values[k], this.labelType(frame, k))) fail("type mismatch", r.offset);
    }
  }

  private callType(typeIndex: number): void {
    const t = this.ctx.types[typeIndex];
    const params = t.params;
    for (let i = params.length - 1; i >= 0; i--) this.pop(params[i]);
    const results = t.results;
    for (let i = 0; i < results.length; i++) this.push(results[i]);
  }

  /**
   * A tail call: the callee's results must be the function's own results; its
   * parameters are popped and the rest of the block is unreachable.
   */
  private tailCallType(typeIndex: number): void {
    const t = this.ctx.types[typeIndex];
    const own = this.ctrlType[0];
    const n = this.resultCount(own);
    if (t.results.length !== n) fail("type mismatch", this.r.offset);
    for (let i = 0; i < n; i++) {
      if (!this.rel.isSubtype(t.results[i], this.resultType(own, i))) {
        fail("type mismatch", this.r.offset);
      }
    }
    const params = t.params;
    for (let i = params.length - 1; i >= 0; i--) this.pop(params[i]);
    this.setUnreachable();
  }

  /** Checks a memarg: its memory, alignment and offset; returns the address type. */
  private checkMemarg(slot: number): number {
    const r = this.r;
    const at = this.checkMemory(r.memIndex);
    if (r.memAlign > MAX_ALIGN[slot]) {
      fail("alignment must not be larger than natural", r.offset);
    }
    if (at === I32 && r.memOffsetHi !== 0) fail("offset out of range", r.offset);
    return at;
  }

  /**
   * Checks extra rules of a fixed-signature op (memory, alignment, lanes) and
   * pops its operands and pushes its results.
   */
  private extraChecks(check: number, slot: number): void {
    const r = this.r;
    switch (check) {
      case CHECK_MEMARG:
        this.applyAccess(slot, this.checkMemarg(slot));
        return;
      case CHECK_MEMARG_LANE: {
        const at = this.checkMemarg(slot);
        if (r.lane >= LANES[slot]) fail("invalid lane index", r.offset);
        this.applyAccess(slot, at);
        return;
      }
      case CHECK_LANE:
        if (r.lane >= LANES[slot]) fail("invalid lane index", r.offset);
        break;
      case CHECK_SHUFFLE:
        for (let i = 0; i < 16; i++) {
          if (r.v128[i] >= 32) fail("invalid lane index", r.offset);
        }
        break;
      case CHECK_MEMORY:
        this.memoryOp(r.key);
        return;
      case CHECK_ATOMIC: {
        const at = this.checkMemory(r.memIndex);
        if (r.memAlign !== MAX_ALIGN[slot]) fail("atomic alignment must be natural", r.offset);
        if (at === I32 && r.memOffsetHi !== 0) fail("offset out of range", r.offset);
        this.applyAccess(slot, at);
        return;
      }
    }
    this.applySig(slot);
  }

  /**
   * Validates one function body.
   *
   * @param bytes the module bytes
   * @param typeIndex the function's type index
   * @param locals the declared locals (parameters excluded)
   * @param codeStart offset of the first instruction
   * @param codeEnd one past the body's last byte
   * @returns how many legacy `try` instructions it has
   * @throws {CompileError} if the body is malformed or invalid
   */
  validate(
    bytes: Uint8Array,
    typeIndex: number,
    locals: readonly number[],
    codeStart: number,
    codeEnd: number,
  ): number {
    const ctx = this.ctx;
    this.legacyTries = 0;
    const type = ctx.types[typeIndex];
    const numLocals = type.params.length + locals.length;
    if (numLocals > this.locals.length) {
      this.locals = new Int32Array(numLocals * 2);
      this.localSet = new Uint8Array(numLocals * 2);
    }
    const localTypes = this.locals;
    const localSet = this.localSet;
    let n = 0;
    for (const t of type.params) {
      localSet[n] = 1;
      localTypes[n++] = t;
    }
    for (const t of locals) {
      localSet[n] = isDefaultable(t) ? 1 : 0;
      localTypes[n++] = this.rel.check(t, codeStart);
    }
    this.numLocals = numLocals;
    this.numInits = 0;

    const r = this.r;
    r.bytes = bytes;
    r.pos = codeStart;
    r.end = codeEnd;
    this.sp = 0;
    this.csp = 0;
    // The function's frame: its parameters are locals, not operands.
    this.ctrlKind[0] = FRAME_FUNC;
    this.ctrlType[0] = -1 - typeIndex;
    this.ctrlHeight[0] = 0;
    this.ctrlUnreachable[0] = 0;
    this.ctrlInits[0] = 0;
    this.csp = 1;
    this.height = 0;
    this.unreachable = 0;

    while (this.csp > 0) {
      if (r.pos >= codeEnd) this.missingEnd(bytes, codeEnd);
      // Ops without immediates are taken here, without a call.
      const at = r.pos;
      const b = bytes[at];
      let key: number;
      if (SIMPLE_OPS[b] === 1) {
        r.offset = at;
        r.pos = at + 1;
        r.key = b;
        key = b;
      } else if (
        ((b >= 0x20 && b <= 0x24) || b === 0x41 || b === 0x42) && at + 1 < codeEnd &&
        bytes[at + 1] < 0x80
      ) {
        // local.get/set/tee, global.get/set and small i32/i64 constants: the
        // most frequent ops with an immediate, decoded here without a call.
        const x = bytes[at + 1];
        r.offset = at;
        r.pos = at + 2;
        r.key = b;
        if (b === 0x41) r.i32 = (x << 25) >> 25;
        else if (b === 0x42) {
          r.lo = (x << 25) >> 25;
          r.hi = r.lo >> 31;
        } else r.index = x;
        key = b;
      } else {
        key = r.read();
      }
      switch (key) {
        case 0x00: // unreachable
          this.setUnreachable();
          break;
        case 0x01: // nop
          break;
        case 0x02: // block
          this.pushCtrl(FRAME_BLOCK, this.blockType());
          break;
        case 0x03: // loop
          this.pushCtrl(FRAME_LOOP, this.blockType());
          break;
        case 0x04: { // if
          const bt = this.blockType();
          this.pop(I32);
          this.pushCtrl(FRAME_IF, bt);
          break;
        }
        case 0x05: { // else
          if (this.ctrlKind[this.csp - 1] !== FRAME_IF) fail("END opcode expected", r.offset);
          const c = this.popCtrl();
          this.pushFrame(FRAME_ELSE, this.ctrlType[c]);
          break;
        }
        case 0x0b: { // end
          const c = this.popCtrl();
          const bt = this.ctrlType[c];
          if (this.ctrlKind[c] === FRAME_IF && bt !== BLOCK_EMPTY) {
            // An `if` without `else` must leave its parameters as its results.
            const np = this.paramCount(bt);
            const nr = this.resultCount(bt);
            let same = np === nr;
            for (let i = 0; same && i < np; i++) {
              same = this.rel.isSubtype(this.paramType(bt, i), this.resultType(bt, i));
            }
            if (!same) fail("type mismatch", r.offset);
          }
          if (c > 0) this.pushResults(bt);
          break;
        }
        case 0x0c: { // br
          this.popLabel(this.labelFrame(r.index));
          this.setUnreachable();
          break;
        }
        case 0x0d: { // br_if
          const frame = this.labelFrame(r.index);
          this.pop(I32);
          this.popLabel(frame);
          const n = this.labelCount(frame);
          for (let i = 0; i < n; i++) this.push(this.labelType(frame, i));
          break;
        }
        case 0x0e: // br_table
          this.brTable();
          break;
        case 0x0f: // return
          this.popLabel(0);
          this.setUnreachable();
          break;
        case 0x10: // call
        case 0x12: { // return_call
          const f = r.index;
          if (f >= ctx.funcs.length) fail(`unknown function ${f}`, r.offset);
          if (key === 0x10) this.callType(ctx.funcs[f]);
          else this.tailCallType(ctx.funcs[f]);
          break;
        }
        case 0x11: // call_indirect
        case 0x13: { // return_call_indirect
          const table = this.checkTable(r.index2);
          this.funcType(r.index);
          if (!this.rel.isSubtype(table.element, FUNCREF)) fail("type mismatch", r.offset);
          this.pop(this.tableAddress(table));
          if (key === 0x11) this.callType(r.index);
          else this.tailCallType(r.index);
          break;
        }
        case 0x1a: // drop
          this.popAny();
          break;
        case 0x1b: { // select
          this.pop(I32);
          const t1 = this.popAny();
          const t2 = this.popAny();
          if ((t1 !== UNKNOWN && isRefType(t1)) || (t2 !== UNKNOWN && isRefType(t2))) {
            fail("type mismatch", r.offset);
          }
          if (t1 !== t2 && t1 !== UNKNOWN && t2 !== UNKNOWN) fail("type mismatch", r.offset);
          this.push(t1 === UNKNOWN ? t2 : t1);
          break;
        }
        case 0x1c: { // select_t
          if (r.selectCount !== 1) fail("invalid result arity", r.offset);
          const t = this.rel.check(r.selectType, r.offset);
          this.pop(I32);
          this.pop(t);
          this.pop(t);
          this.push(t);
          break;
        }
        case 0x20: { // local.get
          const i = r.index;
          if (i >= this.numLocals) fail(`unknown local ${i}`, r.offset);
          if (localSet[i] === 0) fail("uninitialized local", r.offset);
          this.push(localTypes[i]);
          break;
        }
        case 0x21: { // local.set
          const i = r.index;
          if (i >= this.numLocals) fail(`unknown local ${i}`, r.offset);
          this.pop(localTypes[i]);
          if (localSet[i] === 0) this.setLocal(i);
          break;
        }
        case 0x22: { // local.tee
          const i = r.index;
          if (i >= this.numLocals) fail(`unknown local ${i}`, r.offset);
          const t = localTypes[i];
          this.pop(t);
          if (localSet[i] === 0) this.setLocal(i);
          this.push(t);
          break;
        }
        case 0x23: { // global.get
          const g = ctx.globals[r.index];
          if (g === undefined) fail(`unknown global ${r.index}`, r.offset);
          this.push(g.type);
          break;
        }
        case 0x24: { // global.set
          const g = ctx.globals[r.index];
          if (g === undefined) fail(`unknown global ${r.index}`, r.offset);
          if (!g.mutable) fail("immutable global", r.offset);
          this.pop(g.type);
          break;
        }
        case 0x25: { // table.get
          const t = this.checkTable(r.index);
          this.pop(this.tableAddress(t));
          this.push(t.element);
          break;
        }
        case 0x26: { // table.set
          const t = this.checkTable(r.index);
          this.pop(t.element);
          this.pop(this.tableAddress(t));
          break;
        }
        default:
          if (key < 256 && SIG_NPARAMS[key] >= 0) {
            // Single-byte fixed-signature ops; loads, stores and memory.size/grow need a memory.
            const check = CHECKS[key];
            if (check !== CHECK_NONE) this.extraChecks(check, key);
            else this.applySig(key);
          } else {
            this.otherOp(key);
          }
      }
    }
    if (r.pos !== codeEnd) fail("section size mismatch", r.pos);
    return this.legacyTries;
  }

  /**
   * Validates the ops outside the dense single-byte range of the main switch:
   * reference ops, the 0xFC specials, and fixed-signature ops that need extra
   * checks (memory, lanes).
   */
  private otherOp(key: number): void {
    const ctx = this.ctx;
    const r = this.r;
    switch (key) {
      case 0xd0: // ref.null
        this.push(this.rel.check(r.refType, r.offset));
        break;
      case 0xd1: // ref.is_null
        this.popRef();
        this.push(I32);
        break;
      case 0xd2: { // ref.func
        const f = r.index;
        if (f >= ctx.funcs.length) fail(`unknown function ${f}`, r.offset);
        if (!ctx.declaredFuncs[f]) fail("undeclared function reference", r.offset);
        this.push(typeIndexRef(ctx.funcs[f], false));
        break;
      }
      case 0xd4: { // ref.as_non_null
        const t = this.popRef();
        this.push(t === UNKNOWN ? UNKNOWN : withNullable(t, false));
        break;
      }
      case 0xd5: { // br_on_null
        const frame = this.labelFrame(r.index);
        const t = this.popRef();
        this.popLabel(frame);
        const n = this.labelCount(frame);
        for (let i = 0; i < n; i++) this.push(this.labelType(frame, i));
        this.push(t === UNKNOWN ? UNKNOWN : withNullable(t, false));
        break;
      }
      case 0xd6: { // br_on_non_null
        const frame = this.labelFrame(r.index);
        const n = this.labelCount(frame);
        if (n === 0) fail("type mismatch", r.offset);
        const last = this.labelType(frame, n - 1);
        const t = this.popRef();
        if (t !== UNKNOWN && !this.rel.isSubtype(withNullable(t, false), last)) {
          fail("type mismatch", r.offset);
        }
        for (let i = n - 2; i >= 0; i--) this.pop(this.labelType(frame, i));
        for (let i = 0; i < n - 1; i++) this.push(this.labelType(frame, i));
        break;
      }
      case 0x08: { // throw
        const params = ctx.types[this.checkExceptionTag(r.index)].params;
        const sp = this.sp;
        for (let i = params.length - 1; i >= 0; i--) {
          const a = this.sp > this.height ? this.vals[this.sp - 1] : UNKNOWN;
          if (this.sp <= this.height && !this.unreachable) {
            this.mismatchOf("instruction", params.map(valTypeName), sp);
          }
          if (a !== params[i] && a !== UNKNOWN && !this.rel.isSubtype(a, params[i])) {
            this.mismatchOf("instruction", params.map(valTypeName), sp);
          }
          if (this.sp > this.height) this.sp--;
        }
        this.setUnreachable();
        break;
      }
      case 0x0a: // throw_ref
        this.pop(ValType.exnref);
        this.setUnreachable();
        break;
      case 0x1f: { // try_table
        const bt = this.blockType();
        for (let i = 0; i < r.catchCount; i++) this.checkCatch(i);
        this.pushCtrl(FRAME_BLOCK, bt);
        break;
      }
      case 0x06: // try
        this.legacyTries++;
        this.pushCtrl(FRAME_TRY, this.blockType());
        break;
      case 0x07: // catch
      case 0x19: { // catch_all
        const kind = this.ctrlKind[this.csp - 1];
        if (kind !== FRAME_TRY && kind !== FRAME_CATCH) {
          fail(
            kind === FRAME_CATCH_ALL ? "catch after catch_all" : "END opcode expected",
            r.offset,
          );
        }
        const tag = key === 0x07 ? this.checkExceptionTag(r.index) : -1;
        const c = this.popCtrl();
        this.pushFrame(key === 0x07 ? FRAME_CATCH : FRAME_CATCH_ALL, this.ctrlType[c]);
        if (tag >= 0) {
          const params = ctx.types[tag].params;
          for (let i = 0; i < params.length; i++) this.push(params[i]);
        }
        break;
      }
      case 0x18: { // delegate
        if (this.ctrlKind[this.csp - 1] !== FRAME_TRY) fail("END opcode expected", r.offset);
        const c = this.popCtrl();
        this.labelFrame(r.index);
        this.pushResults(this.ctrlType[c]);
        break;
      }
      case 0x09: { // rethrow
        const kind = this.ctrlKind[this.labelFrame(r.index)];
        if (kind !== FRAME_CATCH && kind !== FRAME_CATCH_ALL) {
          fail("invalid rethrow label", r.offset);
        }
        this.setUnreachable();
        break;
      }
      case 0x14: // call_ref
      case 0x15: { // return_call_ref
        const x = this.funcType(r.index);
        this.pop(typeIndexRef(x, true));
        if (key === 0x14) this.callType(x);
        else this.tailCallType(x);
        break;
      }
      case 0xfc0008: { // memory.init
        const at = this.checkMemory(r.index2);
        this.checkData(r.index);
        this.pop(I32);
        this.pop(I32);
        this.pop(at);
        break;
      }
      case 0xfc0009: // data.drop
        this.checkData(r.index);
        break;
      case 0xfc000c: { // table.init
        const t = this.checkTable(r.index2);
        const e = this.checkElem(r.index);
        if (!this.rel.isSubtype(e, t.element)) fail("type mismatch", r.offset);
        this.pop(I32);
        this.pop(I32);
        this.pop(this.tableAddress(t));
        break;
      }
      case 0xfc000d: // elem.drop
        this.checkElem(r.index);
        break;
      case 0xfc000e: { // table.copy
        const dst = this.checkTable(r.index);
        const src = this.checkTable(r.index2);
        if (!this.rel.isSubtype(src.element, dst.element)) fail("type mismatch", r.offset);
        const [da, sa] = [this.tableAddress(dst), this.tableAddress(src)];
        this.pop(da === I64 && sa === I64 ? I64 : I32);
        this.pop(sa);
        this.pop(da);
        break;
      }
      case 0xfc000f: { // table.grow
        const t = this.checkTable(r.index);
        this.pop(this.tableAddress(t));
        this.pop(t.element);
        this.push(this.tableAddress(t));
        break;
      }
      case 0xfc0010: // table.size
        this.push(this.tableAddress(this.checkTable(r.index)));
        break;
      case 0xfc0011: { // table.fill
        const t = this.checkTable(r.index);
        this.pop(this.tableAddress(t));
        this.pop(t.element);
        this.pop(this.tableAddress(t));
        break;
      }
      case 0xe0: // cont.new
      case 0xe1: // cont.bind
      case 0xe2: // suspend
      case 0xe3: // resume
      case 0xe4: // resume_throw
      case 0xe5: // resume_throw_ref
      case 0xe6: // switch
        validateContOp(this.contHost(), key);
        break;
      default: {
        if (validateGcOp(this.gc, key)) return;
        const slot = key < 256 ? key : slotOf(key >> 16, key & 0xffff);
        const check = CHECKS[slot];
        if (check !== CHECK_NONE) this.extraChecks(check, slot);
        else this.applySig(slot);
      }
    }
  }

  /** Pops the fixed operands of the op in `slot` and pushes its result. */
  private applySig(slot: number): void {
    const np = SIG_NPARAMS[slot];
    const packed = SIG_PARAMS[slot];
    const result = SIG_RESULT[slot];
    const vals = this.vals;
    const base = this.sp - np;
    // Fast path: the operands are all there, with exactly the right types.
    if (
      SIG_RESULT2[slot] === 0 && base >= this.height && base + 1 < vals.length &&
      (np === 0 ||
        (np === 1 && vals[base] === packed) ||
        (np === 2 && vals[base] === (packed & 0xff) && vals[base + 1] === packed >> 8) ||
        (np === 3 && vals[base] === (packed & 0xff) && vals[base + 1] === ((packed >> 8) & 0xff) &&
          vals[base + 2] === packed >> 16))
    ) {
      if (result !== 0) {
        vals[base] = result;
        this.sp = base + 1;
      } else {
        this.sp = base;
      }
      return;
    }
    for (let i = np - 1; i >= 0; i--) this.pop((packed >> (8 * i)) & 0xff);
    if (result !== 0) this.push(result);
    if (SIG_RESULT2[slot] !== 0) this.push(SIG_RESULT2[slot]);
  }

  /** Fails for a body that ends before its final `end`, as the spec words it. */
  private missingEnd(bytes: Uint8Array, codeEnd: number): never {
    // The reference decoder reads on past the body: an `end` there makes the
    // body too long for its size, anything else is a missing `end`.
    if (codeEnd >= bytes.length) fail("unexpected end of section or function", codeEnd);
    if (bytes[codeEnd] === 0x0b) fail("section size mismatch", codeEnd);
    return fail("END opcode expected", codeEnd);
  }

  private brTable(): void {
    const r = this.r;
    this.pop(I32);
    const def = this.labelFrame(r.index);
    const arity = this.labelCount(def);
    const targets = r.targets;
    // Each distinct label is checked once, so hostile tables stay linear.
    const stamp = this.brStamp = (this.brStamp + 1) & 0x3fffffff;
    const seen = this.brSeen;
    for (let t = 0; t < r.targetCount; t++) {
      const frame = this.labelFrame(targets[t]);
      if (seen[frame] === stamp) continue;
      seen[frame] = stamp;
      if (this.labelCount(frame) !== arity) fail("type mismatch", r.offset);
      // Check the label's types against the stack without popping.
      for (let i = 0; i < arity; i++) {
        const p = this.sp - 1 - i;
        const expected = this.labelType(frame, arity - 1 - i);
        if (p < this.height) {
          if (!this.unreachable) fail("type mismatch", r.offset);
          continue;
        }
        const actual = this.vals[p];
        if (actual !== expected && !this.rel.isSubtype(actual, expected)) {
          fail("type mismatch", r.offset);
        }
      }
    }
    this.popLabel(def);
    this.setUnreachable();
  }
}
