/**
 * Stack switching on the VM (typed continuations): `cont.new`, `cont.bind`,
 * `suspend`, `resume`, `resume_throw`, `resume_throw_ref` and `switch`.
 *
 * A continuation is a VM stack of its own: a register window and control
 * frames, a program counter, and the argument buffer of what its resumer
 * passes. While it runs, its stack lies on the VM's stacks above the window
 * base of the op that resumed it (that op's argument base, as a call's
 * frame), under a *link* ({@link ContLink}): the control context naming the
 * parent to return to (its frame, instance and resume op, whose handler
 * clauses the link carries). Its bottom control frame is marked
 * {@link CONT_BOTTOM}: a `return` through it, or an exception unwinding
 * through it, goes on in the parent at the resume op. While it is suspended,
 * its stack is saved off the VM's stacks ({@link VmContinuation}: registers,
 * v128 registers and frames relative to its window base, and the links of
 * the continuations resumed inside it), so suspending and resuming copy the
 * stack between its handler and the suspension point, and an idle
 * continuation costs only its live registers and frames. A register slot
 * moves whole ({@link SavedSlots}: its words, its v128 register and its
 * reference register), so values of every type are saved with a stack,
 * passed with a resume's, suspend's or switch's values, and bound by
 * `cont.bind`.
 *
 * Continuation references are handles, as exception references are: 0 is
 * null, and a handle names a slot of the handle table and the slot's
 * generation (behind {@link VmContinuations.add} / {@link VmContinuations.take},
 * so another reference representation can replace it). No handle is given
 * twice (a slot is retired when its generation runs out): a consumed
 * continuation leaves its slot at once (its stack released), and resuming its
 * handle again traps "continuation already consumed". One that nothing can
 * reach any more is released by {@link VmContinuations.collect} (the store's
 * `gc`, between calls). A suspended continuation keeps its stack object
 * across resumes: a suspend saves into the object of the continuation it
 * runs in (a new handle for the same object), so a generator's round trip
 * allocates nothing once its arrays have their size. At most 2^20
 * continuations live at once (more traps "call stack exhausted"), and a
 * slot serves 2047 handles before it is retired (8 bytes each).
 *
 * Invariants:
 * - The first {@link VmContinuations.count} link records are the running
 *   continuations' links; each holds its resume op's handler record (looked
 *   up once per continuation and resume op) and its register limit, so a
 *   switch neither searches the handler table nor recomputes a limit.
 * - Links are innermost last, each tagged with the host→wasm entry depth it
 *   belongs to: a suspend or switch only finds handlers of the current entry
 *   (a handler beyond a host frame cannot capture it: "unhandled tag"), and
 *   ending an entry (`Vm.callEnd`, after a trap too) drops its links.
 * - Resume handler clauses live in the instance's handler records with depth
 *   {@link RESUME_HANDLER} (which exception unwinding passes over), covering
 *   exactly the resume op; a clause with `values` -1 is an `(on $tag switch)`.
 * - Every stack's register limit is its window base plus the per-continuation
 *   stack size, within the VM's own limit; saved continuations together stay
 *   under the total limit. Either exhausted traps "call stack exhausted".
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import type { Vm } from "./vm.ts";
import { VmException, type VmFunc, type VmInstance } from "./vm_objects.ts";
import { unwind } from "./_exceptions.ts";
import { Op } from "./_opcodes.ts";
import { moveSlotsDown, SavedSlots } from "./_cont_slots.ts";
import { refRegisters } from "./_gc_exec.ts";
import { GcArray, GcObject, GcStruct } from "./gc_objects.ts";

/** The instance-id word of a continuation's bottom control frame. */
export const CONT_BOTTOM = -2;
/** The depth of a handler record that holds a resume op's handler clauses. */
export const RESUME_HANDLER = -1;

/**
 * Bytes a continuation counts against the total limit beyond its saved words:
 * its JS objects (`bench/continuation_bytes.ts` measures about 670 bytes of
 * heap per small idle continuation, objects and words together).
 */
const OBJECT_BYTES = 512;

/** One running continuation's link to its parent (see the module doc). */
export interface ContLink {
  /** Its window base (slot). */
  regBase: number;
  /** Its bottom control frame's index in the control stack. */
  csBase: number;
  /** The parent's instance (running the resume op). */
  inst: VmInstance;
  /** The address of the resume op (its handler clauses cover it). */
  resumePc: number;
  /** The host→wasm entry depth it runs in. */
  depth: number;
  /** The continuation running under it: its stack is saved there when it suspends again. */
  stack: VmContinuation;
  /** The parent instance's handler records holding that op's ({@link rec}). */
  handlers: Int32Array;
  /** The offset of the resume op's handler record in {@link handlers}, or -1 for none. */
  rec: number;
  /** The register limit while its continuation is the innermost running one. */
  limit: number;
}

const EMPTY = new Int32Array(0);

/**
 * A handle is a slot index (its low bits) and the slot's generation (the
 * high bits, never 0, so no handle is null): a slot is reused with the next
 * generation, and once its generation is the last the slot is retired, so
 * no handle is ever given twice and a consumed one never matches again.
 */
const SLOT_BITS = 20;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
const MAX_GENERATION = (1 << (31 - SLOT_BITS)) - 1;

/** A continuation: not started (a function) or suspended (a saved stack). */
export class VmContinuation {
  /** The function it starts with, or null once started. */
  func: VmFunc | null;
  /** The arguments bound by `cont.bind` so far (one slot per value), or null for none. */
  bound: SavedSlots | null = null;
  /** Its saved registers from the window base, or null before it first suspends. */
  regs: SavedSlots | null = null;
  /** Saved control frames, frame pointers relative to the window base (frame 0 is the bottom). */
  frames: Int32Array = EMPTY;
  /** Words of {@link frames} in use. */
  framesLen = 0;
  /** Where it goes on. */
  pc = 0;
  /** Its frame pointer, relative to the window base. */
  fp = 0;
  /** The instance it goes on in. */
  inst: VmInstance | null = null;
  /** Where the values its resumer passes go (a slot relative to the window base). */
  argDst = 0;
  /** Links of continuations running inside it when it was suspended (bases relative). */
  nested: ContLink[] = [];
  /** Its handle while it is live (a consumed handle no longer matches). */
  handle = 0;
  /** The bytes {@link VmContinuations.add} counted for it. */
  counted = 0;
  /** The instance of the resume op that last ran it (its handler record cached in {@link rec}). */
  recInst: VmInstance | null = null;
  /** The address of that resume op. */
  recPc = -1;
  /** The handler records {@link rec} is in (`recInst.handlers` when it was looked up). */
  recHandlers: Int32Array = EMPTY;
  /** The offset of that resume op's handler record in {@link recHandlers}, or -1 for none. */
  rec = -1;

  /** @param func the function it starts with (null for a captured stack) */
  constructor(func: VmFunc | null) {
    this.func = func;
  }

  /** Bytes it counts against the total limit. */
  get bytes(): number {
    const stack = this.func !== null || this.regs === null
      ? 0
      : this.regs.bytes + 4 * this.framesLen;
    return OBJECT_BYTES + stack + (this.bound === null ? 0 : this.bound.bytes);
  }
}

/** The continuations of one VM: the handle table, the running links and the limits. */
export class VmContinuations {
  /** Live continuations by slot (a handle's low {@link SLOT_BITS} bits). */
  readonly #slots: (VmContinuation | undefined)[] = [undefined];
  /** Each slot's generation: the high bits of the handle it last gave. */
  readonly #gens: number[] = [0];
  /** Slots free for a new handle. */
  readonly #free: number[] = [];
  /** How many continuations are live. */
  size = 0;
  /**
   * Running continuations' links, innermost last: the first {@link count}
   * (the records after them are spare, reused by {@link pushLink}).
   */
  readonly links: ContLink[] = [];
  /** How many continuations are running (links in use). */
  count = 0;
  /** Register slots one continuation's stack may use. */
  readonly stackSlots: number;
  /** The VM's own register limit (`Vm.stackLimit`). */
  readonly stackLimit: number;
  /** Bytes all live continuations together may hold. */
  readonly totalBytes: number;
  /** Bytes the live continuations hold now. */
  liveBytes = 0;
  /** The values a resume or switch passes, saved before the stack they lie on is replaced. */
  readonly args: SavedSlots = new SavedSlots();
  /** The clause {@link findHandler} found: its index in its instance's handlers. */
  clause = 0;

  /**
   * @param stackSlots register slots per continuation stack
   * @param totalBytes bytes across live continuations
   * @param stackLimit the VM's own register limit
   */
  constructor(stackSlots: number, totalBytes: number, stackLimit: number) {
    this.stackSlots = stackSlots;
    this.stackLimit = stackLimit;
    this.totalBytes = totalBytes;
  }

  /**
   * Gives a continuation a new handle.
   *
   * @param c the continuation
   * @param bytes what it counts against the total limit (its {@link VmContinuation.bytes})
   * @returns its handle, or 0 when the total limit would be passed
   */
  add(c: VmContinuation, bytes: number = c.bytes): number {
    if (this.liveBytes + bytes > this.totalBytes) return 0;
    c.counted = bytes;
    let slot = this.#free.pop();
    if (slot === undefined) {
      slot = this.#slots.length;
      if (slot > SLOT_MASK) return 0; // every slot is live or retired
      this.#slots.push(undefined);
      this.#gens.push(0);
    }
    const gen = ++this.#gens[slot];
    const h = (gen << SLOT_BITS) | slot;
    this.#slots[slot] = c;
    c.handle = h;
    this.size++;
    this.liveBytes += bytes;
    return h;
  }

  /**
   * Consumes the continuation of a handle.
   *
   * @param h a non-null handle
   * @returns it, or undefined when it was consumed already
   */
  take(h: number): VmContinuation | undefined {
    const slot = h & SLOT_MASK;
    const c = this.#slots[slot];
    if (c === undefined || c.handle !== h) return undefined;
    this.#release(slot, c);
    return c;
  }

  /**
   * Whether a handle is live.
   *
   * @param h a handle
   * @returns true when its continuation is not consumed
   */
  has(h: number): boolean {
    const c = this.#slots[h & SLOT_MASK];
    return c !== undefined && c.handle === h;
  }

  /** Frees a slot (retired for good once its generation is at the last). */
  #release(slot: number, c: VmContinuation): void {
    this.#slots[slot] = undefined;
    if (this.#gens[slot] < MAX_GENERATION) this.#free.push(slot);
    this.size--;
    this.liveBytes -= c.counted;
  }

  /**
   * Pushes a link (a record reused when one is spare).
   *
   * @returns the link
   */
  pushLink(
    regBase: number,
    csBase: number,
    inst: VmInstance,
    resumePc: number,
    depth: number,
    stack: VmContinuation,
    handlers: Int32Array,
    rec: number,
    limit: number = this.limitAt(regBase),
  ): ContLink {
    const l = this.links[this.count++];
    if (l === undefined) {
      const link = { regBase, csBase, inst, resumePc, depth, stack, handlers, rec, limit };
      this.links.push(link);
      return link;
    }
    l.regBase = regBase;
    l.csBase = csBase;
    l.inst = inst;
    l.resumePc = resumePc;
    l.depth = depth;
    l.stack = stack;
    l.handlers = handlers;
    l.rec = rec;
    l.limit = limit;
    return l;
  }

  /**
   * The register limit of a continuation whose window base is `regBase`.
   *
   * @param regBase the window base (slot)
   * @returns its base plus the per-continuation stack size, within the VM's limit
   */
  limitAt(regBase: number): number {
    return Math.min(this.stackLimit, regBase + this.stackSlots);
  }

  /**
   * Drops the links from index `n` on (their records become spare: a spare
   * record may hold a continuation object until it is reused, no handle).
   *
   * @param n how many links stay
   */
  truncate(n: number): void {
    this.count = n;
  }

  /**
   * Sets the VM's register limit for the innermost running stack.
   *
   * @param vm the VM
   */
  refreshLimit(vm: Vm): void {
    const n = this.count;
    vm.regLimit = n === 0 ? this.stackLimit : this.links[n - 1].limit;
  }

  /**
   * Takes the links of the entry at `depth` (the innermost) off, their bases
   * made relative to the entry's (see `Vm.detachEntry`).
   *
   * @param depth the entry's depth
   * @param regBase the entry's first slot
   * @param csBase the entry's first control-stack index
   * @returns the links, or null for none
   */
  detach(depth: number, regBase: number, csBase: number): ContLink[] | null {
    let n = this.count;
    while (n > 0 && this.links[n - 1].depth === depth) n--;
    if (n === this.count) return null;
    const out = this.links.slice(n, this.count).map((l) => ({
      ...l,
      regBase: l.regBase - regBase,
      csBase: l.csBase - csBase,
    }));
    this.truncate(n);
    return out;
  }

  /**
   * Puts links taken off by {@link detach} back for the entry at `depth`
   * (see `Vm.attachEntry`).
   *
   * @param vm the VM
   * @param links the links
   * @param depth the entry's depth now
   * @param regBase the entry's first slot now
   * @param csBase the entry's first control-stack index now
   */
  attach(vm: Vm, links: readonly ContLink[], depth: number, regBase: number, csBase: number): void {
    for (const l of links) {
      this.pushLink(
        l.regBase + regBase,
        l.csBase + csBase,
        l.inst,
        l.resumePc,
        depth,
        l.stack,
        l.handlers,
        l.rec,
      );
    }
    this.refreshLimit(vm);
  }

  /**
   * Releases the continuations that nothing reaches, between calls (no
   * register is live then): reachable are the handles in `roots` (the
   * store's continuation tables and globals) and in the exceptions' values
   * (their words, and the objects of their `refs`), and, conservatively, every word of a reachable continuation's saved
   * registers and bound arguments that is a live handle.
   *
   * @param roots handles
   * @param exns the VM's exceptions (their values may hold handles)
   * @param gcRoots lists of GC values wasm can reach (the reference globals,
   *   each GC table's elements): a handle in a field or element of an object
   *   they reach, read conservatively as any number there, is reachable too
   * @returns how many were released
   */
  collect(
    roots: readonly number[],
    exns: readonly (VmException | undefined)[],
    gcRoots: readonly (readonly unknown[])[] = [],
  ): number {
    const marked = new Set<number>();
    const pending = [...roots];
    for (const e of exns) if (e !== undefined) pending.push(...e.words);
    const seen = new Set<object>();
    const traceGc = (values: readonly unknown[] | null) => {
      if (values !== null) { for (const v of values) gcHandles(v, seen, pending); }
    };
    for (const values of gcRoots) traceGc(values);
    for (const e of exns) if (e !== undefined) traceGc(e.refs); // objects the exceptions carry
    while (pending.length > 0) {
      const h = pending.pop()!;
      if (!this.has(h) || marked.has(h)) continue;
      marked.add(h);
      const c = this.#slots[h & SLOT_MASK]!;
      for (const saved of [c.regs, c.bound]) {
        if (saved === null) continue;
        const words = saved.words;
        for (let k = 0; k < 2 * saved.length; k++) if (this.has(words[k])) pending.push(words[k]);
        traceGc(saved.refs);
      }
    }
    let released = 0;
    for (let slot = 1; slot < this.#slots.length; slot++) {
      const c = this.#slots[slot];
      if (c === undefined || marked.has(c.handle)) continue;
      this.#release(slot, c);
      released++;
    }
    return released;
  }

  /**
   * Drops the links of host→wasm entries deeper than `depth` (they ended).
   *
   * @param vm the VM
   * @param depth the entry depth now
   */
  endEntry(vm: Vm, depth: number): void {
    let n = this.count;
    while (n > 0 && this.links[n - 1].depth > depth) n--;
    if (n === this.count) return;
    this.truncate(n);
    this.refreshLimit(vm);
  }
}

/**
 * Pushes every number held by the GC objects `v` reaches (struct fields,
 * array elements of 32-bit or reference storage) to `out`: the handles
 * among them (continuations are held in objects by handle) are found
 * conservatively. Objects already in `seen` are skipped.
 */
function gcHandles(v: unknown, seen: Set<object>, out: number[]): void {
  const stack = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (typeof x === "number") {
      if (x > 0) out.push(x);
      continue;
    }
    if (!(x instanceof GcObject) || seen.has(x)) continue;
    seen.add(x);
    if (x instanceof GcStruct) {
      for (const f of x.fields) stack.push(f);
    } else if (x instanceof GcArray) {
      const d = x.data;
      if (Array.isArray(d)) { for (const e of d) stack.push(e); }
      else if (d instanceof Int32Array) { for (const e of d) if (e > 0) out.push(e); }
    }
  }
}

/**
 * The VM's continuations, made on first use.
 *
 * @param vm the VM
 * @returns its continuation state
 */
export function continuationsOf(vm: Vm): VmContinuations {
  return vm.conts ??= new VmContinuations(vm.contStackSlots, vm.contTotalBytes, vm.stackLimit);
}

/**
 * Runs `cont.new` or `cont.bind` (extended ops) at `pc`.
 *
 * @param vm the VM
 * @param code the code
 * @param pc the op's address
 * @param fp the frame pointer
 * @returns the next pc, or minus a trap code
 */
export function contCreate(vm: Vm, code: Int32Array, pc: number, fp: number): number {
  const I32 = vm.i32;
  const st = continuationsOf(vm);
  const d = (fp + code[pc + 1]) << 1;
  const h = I32[(fp + code[pc + 2]) << 1];
  let c: VmContinuation | undefined;
  if (code[pc] === Op.cont_new) {
    if (h === 0) return -TrapCode.NullFunctionReference;
    c = new VmContinuation(vm.funcs[h]);
  } else {
    if (h === 0) return -TrapCode.NullContinuationReference;
    c = st.take(h);
    if (c === undefined) return -TrapCode.ContinuationConsumed;
    const n = code[pc + 4];
    if (n > 0) {
      const bound = c.bound ??= new SavedSlots();
      bound.save(vm, fp + code[pc + 3], n, bound.length);
    }
  }
  const handle = st.add(c);
  if (handle === 0) return -TrapCode.StackOverflow;
  I32[d] = handle;
  I32[d + 1] = 0;
  return pc + (code[pc] === Op.cont_new ? 3 : 5);
}

/**
 * Runs a stack-switching op of `run` at `pc`: `suspend`, `resume`,
 * `resume_throw`, `resume_throw_ref` or `switch`.
 *
 * @param vm the VM
 * @param pc the op's address
 * @param fp the frame pointer
 * @param csp the control-stack depth
 * @param inst the running instance
 * @returns 0 to go on from the VM's state (`pc`, `fp`, `csp`, `inst`), -1
 *   when a wasm exception left the activation (`vm.thrown`), or a trap code
 */
export function switchStacks(
  vm: Vm,
  pc: number,
  fp: number,
  csp: number,
  inst: VmInstance,
): number {
  const op = inst.code[pc];
  if (op === Op.suspend) return suspendOp(vm, pc, fp, csp, inst);
  if (op === Op.resume) return resumeOp(vm, pc, fp, csp, inst);
  if (op === Op.switch) return switchOp(vm, pc, fp, csp, inst);
  return resumeThrowOp(vm, pc, fp, csp, inst);
}

/** `suspend`: captures up to the nearest handler of the tag, and goes on at its pad. */
function suspendOp(vm: Vm, pc: number, fp: number, csp: number, inst: VmInstance): number {
  const st = vm.conts;
  if (st === null) return TrapCode.UnhandledTag;
  const code = inst.code;
  const base = fp + code[pc + 2];
  const i = findHandler(vm, st, inst.tags[code[pc + 1]], false);
  if (i < 0) return TrapCode.UnhandledTag;
  const link = st.links[i];
  const handle = capture(vm, st, i, base, pc + 4, fp, csp, inst);
  if (handle === 0) return TrapCode.StackOverflow;
  const h = link.handlers;
  const clause = st.clause;
  const parentFp = vm.cs[link.csBase + 1];
  // (down: the pad's registers are at or below the values, a forward copy is safe)
  moveSlotsDown(vm, base, parentFp + h[clause + 3], code[pc + 3]);
  const refDst = (parentFp + h[clause + 1]) << 1;
  vm.i32[refDst] = handle;
  vm.i32[refDst + 1] = 0;
  vm.pc = h[clause + 2];
  vm.fp = parentFp;
  vm.csp = link.csBase;
  vm.inst = link.inst;
  st.truncate(i);
  st.refreshLimit(vm);
  return 0;
}

/** `resume`: runs the continuation under a new link. */
function resumeOp(vm: Vm, pc: number, fp: number, csp: number, inst: VmInstance): number {
  const code = inst.code;
  const h = vm.i32[(fp + code[pc + 1]) << 1];
  if (h === 0) return TrapCode.NullContinuationReference;
  const st = continuationsOf(vm);
  const c = st.take(h);
  if (c === undefined) return TrapCode.ContinuationConsumed;
  const base = fp + code[pc + 2];
  st.args.save(vm, base, code[pc + 3], 0);
  return enter(vm, st, c, base, csp, pc + 4, fp, inst, pc, null);
}

/** `switch`: captures up to the nearest switch handler of the tag, and runs the target under the same link. */
function switchOp(vm: Vm, pc: number, fp: number, csp: number, inst: VmInstance): number {
  const code = inst.code;
  const h = vm.i32[(fp + code[pc + 1]) << 1];
  if (h === 0) return TrapCode.NullContinuationReference;
  const st = continuationsOf(vm);
  if (!st.has(h)) return TrapCode.ContinuationConsumed;
  const i = findHandler(vm, st, inst.tags[code[pc + 4]], true);
  if (i < 0) return TrapCode.UnhandledTag;
  const target = st.take(h)!;
  const base = fp + code[pc + 2];
  st.args.save(vm, base, code[pc + 3], 0);
  const link = st.links[i];
  const handle = capture(vm, st, i, base, pc + 5, fp, csp, inst);
  if (handle === 0) return TrapCode.StackOverflow;
  st.args.push(handle);
  st.truncate(i + 1); // the target runs under the same link
  const { regBase, csBase } = link;
  const cs = vm.cs;
  return enter(vm, st, target, regBase, csBase, cs[csBase], cs[csBase + 1], link.inst, -1, link);
}

/**
 * `resume_throw` (`resume_throw_gc` for a tag with values of the `any`
 * hierarchy) and `resume_throw_ref`: raises the exception in the
 * continuation (where it was suspended; a continuation not started yet
 * raises it at the resume op).
 */
function resumeThrowOp(vm: Vm, pc: number, fp: number, csp: number, inst: VmInstance): number {
  const code = inst.code;
  const op = code[pc];
  const I32 = vm.i32;
  const h = I32[(fp + code[pc + 1]) << 1];
  if (h === 0) return TrapCode.NullContinuationReference;
  const st = continuationsOf(vm);
  const c = st.take(h);
  if (c === undefined) return TrapCode.ContinuationConsumed;
  const base = fp + code[pc + 2];
  let exn: VmException | undefined;
  if (op !== Op.resume_throw_ref) {
    const n = code[pc + 3];
    const words = I32.slice(base << 1, (base + n) << 1);
    const refs = op === Op.resume_throw_gc ? refRegisters(vm).slice(base, base + n) : null;
    exn = new VmException(inst.tags[code[pc + 4]], words, undefined, refs);
  } else {
    exn = vm.exns[I32[(fp + code[pc + 3]) << 1]];
    if (exn === undefined) return TrapCode.NullExceptionReference;
  }
  if (c.func !== null) return unwind(vm, exn, pc, fp, csp, inst);
  const retPc = pc + (op === Op.resume_throw_ref ? 4 : 5);
  st.args.clear();
  const trap = enter(vm, st, c, base, csp, retPc, fp, inst, pc, null);
  if (trap !== 0) return trap;
  return unwind(vm, exn, vm.pc - 1, vm.fp, vm.csp, vm.inst!);
}

/**
 * The offset of the handler record of the resume op at `pc` in `handlers`
 * (records are only appended, so an offset stays valid).
 *
 * @returns the offset, or -1 when the op has none
 */
function resumeRecord(handlers: Int32Array, pc: number): number {
  for (let k = 0; k < handlers.length; k += 4 + 5 * handlers[k + 3]) {
    if (handlers[k + 2] === RESUME_HANDLER && pc >= handlers[k] && pc < handlers[k + 1]) return k;
  }
  return -1;
}

/**
 * The innermost link of the current entry whose resume has a clause for
 * `tag` (a switch clause or not); the clause's index in its instance's
 * handlers goes to `st.clause`.
 *
 * @returns the link's index, or -1 for none
 */
function findHandler(vm: Vm, st: VmContinuations, tag: object, wantSwitch: boolean): number {
  const depth = vm.depth;
  const links = st.links;
  for (let i = st.count - 1; i >= 0; i--) {
    const link = links[i];
    if (link.depth !== depth) break;
    const k = link.rec;
    if (k < 0) continue;
    const h = link.handlers;
    const tags = link.inst.tags;
    const end = k + 4 + 5 * h[k + 3];
    for (let c = k + 4; c < end; c += 5) {
      if (tags[h[c]] === tag && (h[c + 4] < 0) === wantSwitch) {
        st.clause = c;
        return i;
      }
    }
  }
  return -1;
}

/**
 * Saves the stacks from link `i`'s window base up to slot `top` (the
 * suspending op's argument base) into the continuation running under it,
 * which goes on at `pc` with its resumer's values at `top`.
 *
 * @returns its new handle, or 0 when the total limit would be passed
 */
function capture(
  vm: Vm,
  st: VmContinuations,
  i: number,
  top: number,
  pc: number,
  fp: number,
  csp: number,
  inst: VmInstance,
): number {
  const link = st.links[i];
  const regBase = link.regBase;
  const c = link.stack;
  c.func = null;
  c.bound = null;
  (c.regs ??= new SavedSlots()).save(vm, regBase, top - regBase, 0);
  const n = csp - link.csBase;
  if (c.frames.length < n) c.frames = new Int32Array(n);
  const frames = c.frames;
  const cs = vm.cs;
  const csBase = link.csBase;
  frames[0] = cs[csBase];
  frames[1] = cs[csBase + 1];
  frames[2] = cs[csBase + 2];
  for (let p = 3; p < n; p += 3) {
    frames[p] = cs[csBase + p];
    frames[p + 1] = cs[csBase + p + 1] - regBase;
    frames[p + 2] = cs[csBase + p + 2];
  }
  c.framesLen = n;
  c.pc = pc;
  c.fp = fp - regBase;
  c.inst = inst;
  c.argDst = top - regBase;
  if (c.nested.length > 0) c.nested = [];
  for (let k = i + 1; k < st.count; k++) {
    const l = st.links[k];
    c.nested.push({ ...l, regBase: l.regBase - regBase, csBase: l.csBase - link.csBase });
  }
  return st.add(c, OBJECT_BYTES + c.regs.bytes + 4 * n); // (c.bytes: nothing bound)
}

/**
 * Runs continuation `c` on the stacks from window base `base` and control
 * depth `csp`, under a new link to the parent (`parentFp`, `parentInst`,
 * its resume op at `resumePc`; going on at `retPc`), or under `link`, the
 * innermost link, which it takes over (a switch), passing `st.args`.
 *
 * @returns 0, or a trap code
 */
function enter(
  vm: Vm,
  st: VmContinuations,
  c: VmContinuation,
  base: number,
  csp: number,
  retPc: number,
  parentFp: number,
  parentInst: VmInstance,
  resumePc: number,
  link: ContLink | null,
): number {
  const cs = vm.cs;
  const f = c.func;
  const args = st.args;
  const bound = c.bound;
  const nb = bound === null ? 0 : bound.length;
  const regs = c.regs;
  // (its own stack only: continuations running inside it were within their limits)
  const slots = f !== null || regs === null
    ? nb + args.length
    : c.nested.length > 0
    ? c.nested[0].regBase
    : regs.length;
  const limit = st.limitAt(base);
  const frames = f !== null ? 3 : c.framesLen;
  if (base + slots > limit || csp + frames > vm.csLimit) return TrapCode.StackOverflow;
  c.bound = null;
  if (f !== null && f.instance === null) {
    if (link !== null) {
      st.truncate(st.count - 1);
      st.refreshLimit(vm);
    }
    bound?.restore(vm, base, 0, nb);
    args.restore(vm, base + nb, 0, args.length);
    return callHost(vm, f, base, retPc, parentFp, csp, parentInst);
  }
  const depth = vm.depth;
  if (link === null) {
    if (c.recInst !== parentInst || c.recPc !== resumePc) {
      c.recHandlers = parentInst.handlers;
      c.rec = resumeRecord(c.recHandlers, resumePc);
      c.recInst = parentInst;
      c.recPc = resumePc;
    }
    link = st.pushLink(base, csp, parentInst, resumePc, depth, c, c.recHandlers, c.rec, limit);
  } else {
    link.stack = c;
  }
  let dst: number;
  if (f !== null || regs === null) {
    dst = base;
    vm.pc = f!.entry;
    vm.fp = base;
    vm.inst = f!.instance;
  } else {
    regs.restore(vm, base, 0, regs.length);
    const saved = c.frames;
    for (let p = 3; p < frames; p += 3) {
      cs[csp + p] = saved[p];
      cs[csp + p + 1] = saved[p + 1] + base;
      cs[csp + p + 2] = saved[p + 2];
    }
    const nested = c.nested;
    for (let k = 0; k < nested.length; k++) {
      const { regBase, csBase, inst, resumePc, stack, handlers, rec } = nested[k];
      link = st.pushLink(regBase + base, csBase + csp, inst, resumePc, depth, stack, handlers, rec);
    }
    dst = base + c.argDst;
    vm.pc = c.pc;
    vm.fp = base + c.fp;
    vm.inst = c.inst;
  }
  if (nb > 0) bound!.restore(vm, dst, 0, nb);
  if (args.length > 0) args.restore(vm, dst + nb, 0, args.length);
  cs[csp] = retPc;
  cs[csp + 1] = parentFp;
  cs[csp + 2] = CONT_BOTTOM;
  vm.csp = csp + frames;
  vm.regLimit = link.limit; // the innermost running stack's
  return 0;
}

/**
 * Runs a continuation whose function is a host function, its arguments from
 * `base`: a call of it from the resume op (it cannot suspend: it has no wasm
 * stack to capture).
 *
 * @returns 0, or a trap code
 */
function callHost(
  vm: Vm,
  f: VmFunc,
  base: number,
  retPc: number,
  parentFp: number,
  csp: number,
  parentInst: VmInstance,
): number {
  vm.pc = retPc;
  vm.fp = parentFp;
  vm.csp = csp;
  vm.inst = parentInst;
  vm.sp = base + f.arity;
  if (vm.hostCall === null || !vm.hostCall(f, base)) return TrapCode.HostError;
  return 0;
}

/**
 * After a `return` through a continuation's bottom frame (the VM's state is
 * the parent's, at the resume op's successor, with the results from the
 * window base): drops its link and goes on in the parent's instance.
 *
 * @param vm the VM
 */
export function continuationReturned(vm: Vm): void {
  vm.inst = continuationUnwound(vm);
}

/**
 * An exception unwinding through a continuation's bottom frame: drops its link.
 *
 * @param vm the VM
 * @returns the parent's instance
 */
export function continuationUnwound(vm: Vm): VmInstance {
  const st = vm.conts!;
  const n = st.count - 1;
  const inst = st.links[n].inst;
  st.truncate(n);
  st.refreshLimit(vm);
  return inst;
}

/**
 * The parent's instance of the running continuation whose bottom frame is at
 * control-stack index `csBase` (for backtraces).
 *
 * @param vm the VM
 * @param csBase the bottom frame's index
 * @returns the instance, or null when no link has that frame
 */
export function parentInstanceAt(vm: Vm, csBase: number): VmInstance | null {
  const st = vm.conts;
  if (st === null) return null;
  for (let k = 0; k < st.count; k++) if (st.links[k].csBase === csBase) return st.links[k].inst;
  return null;
}
