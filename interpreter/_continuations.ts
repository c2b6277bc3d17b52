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
 * continuation costs only its live registers and frames. GC values (the
 * reference registers, `vm.refs`) go with the numeric ones: saved with a
 * stack, passed with a resume's, suspend's or switch's values, bound by
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
import { v128Registers } from "./simd.ts";
import { Op } from "./_opcodes.ts";
import { refRegisters } from "./_gc_exec.ts";
import { GcArray, GcObject, GcStruct } from "./gc_objects.ts";

/** The instance-id word of a continuation's bottom control frame. */
export const CONT_BOTTOM = -2;
/** The depth of a handler record that holds a resume op's handler clauses. */
export const RESUME_HANDLER = -1;

/**
 * Bytes a continuation counts against the total limit beyond its saved words:
 * its JS objects (`bench/continuation_bytes.ts` measures about 600 bytes of
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
  /** Words of the arguments bound by `cont.bind` so far (two per value). */
  bound: Int32Array = EMPTY;
  /** Saved registers from the window base, two words per slot (the first {@link regsLen}). */
  regs: Int32Array = EMPTY;
  /** Words of {@link regs} in use. */
  regsLen = 0;
  /** Saved v128 registers (16 bytes per slot), or null when SIMD never ran. */
  v128: Uint8Array | null = null;
  /** Saved reference registers (GC values, one per slot), or null when GC code never ran. */
  refs: unknown[] | null = null;
  /** The GC values among {@link bound} (one per value), or null when none can be. */
  boundRefs: unknown[] | null = null;
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

  /** @param func the function it starts with (null for a captured stack) */
  constructor(func: VmFunc | null) {
    this.func = func;
  }

  /** Bytes it counts against the total limit. */
  get bytes(): number {
    const words = this.bound.length + (this.func !== null ? 0 : this.regsLen + this.framesLen);
    const slots = this.regsLen >> 1;
    return OBJECT_BYTES + 4 * words + (this.v128 === null ? 0 : 16 * slots) +
      (this.refs === null ? 0 : 8 * slots);
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
  /** Running continuations' links, innermost last. */
  readonly links: ContLink[] = [];
  /** Register slots one continuation's stack may use. */
  readonly stackSlots: number;
  /** Bytes all live continuations together may hold. */
  readonly totalBytes: number;
  /** Bytes the live continuations hold now. */
  liveBytes = 0;
  /** The values a resume or switch passes, copied out before the stack they lie on is replaced. */
  args: Int32Array = new Int32Array(16);
  /** Their GC values (one per value), or null when GC code never ran. */
  argRefs: unknown[] | null = null;
  /** The clause {@link findHandler} found: its index in its instance's handlers. */
  clause = 0;
  /** Link records no longer in use, reused by {@link pushLink}. */
  readonly #spare: ContLink[] = [];

  /**
   * @param stackSlots register slots per continuation stack
   * @param totalBytes bytes across live continuations
   */
  constructor(stackSlots: number, totalBytes: number) {
    this.stackSlots = stackSlots;
    this.totalBytes = totalBytes;
  }

  /**
   * Gives a continuation a new handle.
   *
   * @param c the continuation
   * @returns its handle, or 0 when the total limit would be passed
   */
  add(c: VmContinuation): number {
    const bytes = c.bytes;
    if (this.liveBytes + bytes > this.totalBytes) return 0;
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
    this.liveBytes -= c.bytes;
  }

  /**
   * Copies `n` words from `from` into {@link args}, grown as needed, leaving `extra` words free.
   *
   * @param vm the VM (its registers, and its reference registers for GC values)
   * @param from the first word
   * @param n how many words
   * @param extra words to leave room for after them
   */
  copyArgs(vm: Vm, from: number, n: number, extra: number): void {
    if (this.args.length < n + extra) this.args = new Int32Array(2 * (n + extra));
    copyWords(vm.i32, from, this.args, 0, n);
    this.argRefs = vm.refs === null ? null : vm.refs.slice(from >> 1, (from + n) >> 1);
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
  ): ContLink {
    const l = this.#spare.pop();
    if (l === undefined) {
      const link = { regBase, csBase, inst, resumePc, depth, stack };
      this.links.push(link);
      return link;
    }
    l.regBase = regBase;
    l.csBase = csBase;
    l.inst = inst;
    l.resumePc = resumePc;
    l.depth = depth;
    l.stack = stack;
    this.links.push(l);
    return l;
  }

  /**
   * Drops the links from index `n` on (their records become spare).
   *
   * @param n how many links stay
   */
  truncate(n: number): void {
    while (this.links.length > n) this.#spare.push(this.links.pop()!);
  }

  /**
   * Sets the VM's register limit for the innermost running stack.
   *
   * @param vm the VM
   */
  refreshLimit(vm: Vm): void {
    const n = this.links.length;
    const top = n === 0 ? vm.stackLimit : this.links[n - 1].regBase + this.stackSlots;
    vm.regLimit = Math.min(vm.stackLimit, top);
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
    let n = this.links.length;
    while (n > 0 && this.links[n - 1].depth === depth) n--;
    if (n === this.links.length) return null;
    const out = this.links.slice(n).map((l) => ({
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
      this.pushLink(l.regBase + regBase, l.csBase + csBase, l.inst, l.resumePc, depth, l.stack);
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
      for (let k = 0; k < c.regsLen; k++) if (this.has(c.regs[k])) pending.push(c.regs[k]);
      for (const w of c.bound) if (this.has(w)) pending.push(w);
      traceGc(c.refs);
      traceGc(c.boundRefs);
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
    let n = this.links.length;
    while (n > 0 && this.links[n - 1].depth > depth) n--;
    if (n === this.links.length) return;
    this.truncate(n);
    this.refreshLimit(vm);
  }
}

/**
 * Copies `n` words (a loop: the stacks a switch copies are small, and a
 * typed-array `set` of a `subarray` allocates).
 */
function copyWords(from: Int32Array, at: number, to: Int32Array, dst: number, n: number): void {
  for (let k = 0; k < n; k++) to[dst + k] = from[at + k];
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
 * Writes saved GC values to the reference registers from slot `at` (nothing
 * when there are none).
 */
function putRefs(vm: Vm, at: number, refs: unknown[] | null): void {
  if (refs === null) return;
  const R = refRegisters(vm);
  for (let k = 0; k < refs.length; k++) R[at + k] = refs[k];
}

/**
 * The VM's continuations, made on first use.
 *
 * @param vm the VM
 * @returns its continuation state
 */
export function continuationsOf(vm: Vm): VmContinuations {
  return vm.conts ??= new VmContinuations(vm.contStackSlots, vm.contTotalBytes);
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
    const from = (fp + code[pc + 3]) << 1;
    const n = 2 * code[pc + 4];
    if (n > 0) {
      const bound = new Int32Array(c.bound.length + n);
      bound.set(c.bound);
      bound.set(I32.subarray(from, from + n), c.bound.length);
      if (vm.refs !== null) {
        const before = c.boundRefs ?? new Array<unknown>(c.bound.length >> 1).fill(null);
        c.boundRefs = before.concat(vm.refs.slice(from >> 1, (from + n) >> 1));
      }
      c.bound = bound;
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
  const st = continuationsOf(vm);
  const code = inst.code;
  const op = code[pc];
  const I32 = vm.i32;
  const base = fp + code[pc + 2];
  if (op === Op.suspend) {
    // capture up to the nearest handler of the tag, and go on at its pad
    const i = findHandler(vm, st, inst.tags[code[pc + 1]], false);
    if (i < 0) return TrapCode.UnhandledTag;
    const link = st.links[i];
    const handle = capture(vm, st, i, base, pc + 4, fp, csp, inst);
    if (handle === 0) return TrapCode.StackOverflow;
    const h = link.inst.handlers;
    const clause = st.clause;
    const parentFp = vm.cs[link.csBase + 1];
    // (down: the pad's registers are at or below the values, a forward copy is safe)
    copyWords(I32, base << 1, I32, (parentFp + h[clause + 3]) << 1, 2 * code[pc + 3]);
    vm.refs?.copyWithin(parentFp + h[clause + 3], base, base + code[pc + 3]);
    const refDst = (parentFp + h[clause + 1]) << 1;
    I32[refDst] = handle;
    I32[refDst + 1] = 0;
    vm.pc = h[clause + 2];
    vm.fp = parentFp;
    vm.csp = link.csBase;
    vm.inst = link.inst;
    st.truncate(i);
    st.refreshLimit(vm);
    return 0;
  }
  const h = I32[(fp + code[pc + 1]) << 1];
  if (h === 0) return TrapCode.NullContinuationReference;
  if (op === Op.switch) {
    // capture up to the nearest switch handler of the tag, and run `h` under the same link
    if (!st.has(h)) return TrapCode.ContinuationConsumed;
    const i = findHandler(vm, st, inst.tags[code[pc + 4]], true);
    if (i < 0) return TrapCode.UnhandledTag;
    const target = st.take(h)!;
    const n = 2 * code[pc + 3];
    st.copyArgs(vm, base << 1, n, 2);
    const { regBase, csBase, inst: parentInst, resumePc } = st.links[i];
    const handle = capture(vm, st, i, base, pc + 5, fp, csp, inst);
    if (handle === 0) return TrapCode.StackOverflow;
    st.args[n] = handle;
    st.args[n + 1] = 0;
    st.truncate(i);
    const cs = vm.cs;
    return enter(
      vm,
      st,
      target,
      regBase,
      csBase,
      cs[csBase],
      cs[csBase + 1],
      parentInst,
      resumePc,
      n + 2,
    );
  }
  const c = st.take(h);
  if (c === undefined) return TrapCode.ContinuationConsumed;
  if (op === Op.resume) {
    const n = 2 * code[pc + 3];
    st.copyArgs(vm, base << 1, n, 0);
    return enter(vm, st, c, base, csp, pc + 4, fp, inst, pc, n);
  }
  let exn: VmException | undefined;
  if (op === Op.resume_throw) {
    const words = I32.slice(base << 1, (base + code[pc + 3]) << 1);
    exn = new VmException(inst.tags[code[pc + 4]], words);
  } else {
    exn = vm.exns[I32[(fp + code[pc + 3]) << 1]];
    if (exn === undefined) return TrapCode.NullExceptionReference;
  }
  if (c.func !== null) return unwind(vm, exn, pc, fp, csp, inst);
  const retPc = pc + (op === Op.resume_throw ? 5 : 4);
  const trap = enter(vm, st, c, base, csp, retPc, fp, inst, pc, 0);
  if (trap !== 0) return trap;
  return unwind(vm, exn, vm.pc - 1, vm.fp, vm.csp, vm.inst!);
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
  for (let i = st.links.length - 1; i >= 0; i--) {
    const link = st.links[i];
    if (link.depth !== depth) break;
    const h = link.inst.handlers;
    const tags = link.inst.tags;
    const at = link.resumePc;
    for (let k = 0; k < h.length; k += 4 + 5 * h[k + 3]) {
      if (h[k + 2] !== RESUME_HANDLER || at < h[k] || at >= h[k + 1]) continue;
      for (let c = k + 4; c < k + 4 + 5 * h[k + 3]; c += 5) {
        if (tags[h[c]] === tag && (h[c + 4] < 0) === wantSwitch) {
          st.clause = c;
          return i;
        }
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
  c.bound = EMPTY;
  const words = (top - regBase) << 1;
  if (c.regs.length < words) c.regs = new Int32Array(words);
  copyWords(vm.i32, regBase << 1, c.regs, 0, words);
  c.regsLen = words;
  const v = vm.v128File;
  if (v !== null) c.v128 = v.u8.slice(regBase << 4, top << 4);
  c.refs = vm.refs === null ? null : vm.refs.slice(regBase, top);
  const n = csp - link.csBase;
  if (c.frames.length < n) c.frames = new Int32Array(n);
  const frames = c.frames;
  copyWords(vm.cs, link.csBase, frames, 0, n);
  for (let p = 3; p < n; p += 3) frames[p + 1] -= regBase;
  c.framesLen = n;
  c.pc = pc;
  c.fp = fp - regBase;
  c.inst = inst;
  c.argDst = top - regBase;
  c.nested.length = 0;
  for (let k = i + 1; k < st.links.length; k++) {
    const l = st.links[k];
    c.nested.push({ ...l, regBase: l.regBase - regBase, csBase: l.csBase - link.csBase });
  }
  return st.add(c);
}

/**
 * Runs continuation `c` on the stacks from window base `base` and control
 * depth `csp`, under a new link to the parent (`parentFp`, `parentInst`,
 * its resume op at `resumePc`, going on at `retPc`), passing the first `n`
 * words of `st.args`.
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
  n: number,
): number {
  const I32 = vm.i32;
  const cs = vm.cs;
  const f = c.func;
  // (its own stack only: continuations running inside it were within their limits)
  const slots = f !== null
    ? (c.bound.length + n) >> 1
    : c.nested.length > 0
    ? c.nested[0].regBase
    : c.regsLen >> 1;
  const limit = Math.min(vm.stackLimit, base + st.stackSlots);
  const frames = f !== null ? 3 : c.framesLen;
  if (base + slots > limit || csp + frames > vm.csLimit) return TrapCode.StackOverflow;
  const bound = c.bound;
  if (f !== null && f.instance === null) {
    copyWords(bound, 0, I32, base << 1, bound.length);
    copyWords(st.args, 0, I32, (base << 1) + bound.length, n);
    putRefs(vm, base, c.boundRefs);
    putRefs(vm, base + (bound.length >> 1), st.argRefs);
    return callHost(vm, f, base, retPc, parentFp, csp, parentInst);
  }
  const depth = vm.depth;
  st.pushLink(base, csp, parentInst, resumePc, depth, c);
  let dst: number;
  if (f !== null) {
    dst = base << 1;
    vm.pc = f.entry;
    vm.fp = base;
    vm.inst = f.instance;
  } else {
    copyWords(c.regs, 0, I32, base << 1, c.regsLen);
    if (c.v128 !== null) v128Registers(vm).u8.set(c.v128, base << 4);
    putRefs(vm, base, c.refs);
    copyWords(c.frames, 0, cs, csp, frames);
    for (let p = csp + 3; p < csp + frames; p += 3) cs[p + 1] += base;
    for (const l of c.nested) {
      st.pushLink(l.regBase + base, l.csBase + csp, l.inst, l.resumePc, depth, l.stack);
    }
    dst = (base + c.argDst) << 1;
    vm.pc = c.pc;
    vm.fp = base + c.fp;
    vm.inst = c.inst;
  }
  copyWords(bound, 0, I32, dst, bound.length);
  copyWords(st.args, 0, I32, dst + bound.length, n);
  putRefs(vm, dst >> 1, c.boundRefs);
  putRefs(vm, (dst + bound.length) >> 1, st.argRefs);
  c.bound = EMPTY;
  c.boundRefs = null;
  cs[csp] = retPc;
  cs[csp + 1] = parentFp;
  cs[csp + 2] = CONT_BOTTOM;
  vm.csp = csp + frames;
  st.refreshLimit(vm);
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
  const n = st.links.length - 1;
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
  for (const l of vm.conts?.links ?? []) if (l.csBase === csBase) return l.inst;
  return null;
}
