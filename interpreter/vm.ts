/**
 * The `Vm`: a register file and a control stack in typed arrays, and the
 * entry points the runtime drives: `callStart` / `callRun` / `callEnd`.
 *
 * Invariants:
 * - One `Vm` per store. Wasm-to-wasm calls push frames on the VM's own
 *   stacks, never on the JS stack; when either stack would pass its limit the
 *   call traps with `TrapCode.StackOverflow` ("call stack exhausted").
 * - Every host→wasm entry (`callStart`) saves the callee-saved state (pc, fp,
 *   control-stack depth, free-register mark, instance); `callEnd` restores it,
 *   after a normal return and after a trap alike. Entries nest LIFO, so a host
 *   function may call back into wasm on the same `Vm`. Between calls (no
 *   entry active) that state is all zero with no instance, so the outermost
 *   entry saves nothing and its `callEnd` restores zeros.
 * - `callRun` never throws for a wasm trap: it returns a `DoneReason`
 *   (`callRunCode` the same as a number, allocating nothing).
 * - With `hostCall` set, `run` calls host functions through it without
 *   returning; whatever it throws unwinds out of `run` (the state was written
 *   back first, so `callEnd` and backtraces work as after an exit).
 * - `callRun`/`callRunCode` run wasm in slices of `sliceSteps` steps (taken
 *   branches, calls, extended ops): the last word of the register file is the
 *   step counter, and at `EXIT_SLICE` they reset it and call `run` again. One
 *   long wasm call is so many short `run` calls, which lets V8 switch `run` to
 *   its non-OSR optimised code as soon as that is ready (see `_dispatch_src.ts`).
 *
 * @module
 */

import { DEFAULT_MAX_WASM_STACK, TrapCode } from "@capstan/environ";
import {
  EXIT_EPOCH,
  EXIT_FUEL,
  EXIT_HOST,
  EXIT_RETURN,
  EXIT_SLICE,
  EXIT_THROW,
  EXIT_TIER,
  EXIT_TRAP,
  run,
  runEpochs,
  runMetered,
  TIER_ENTRY_BIT,
} from "./_dispatch.ts";
/** Runs a builtin function on VM slots (for code of another tier; see `_dispatch_src.ts`). */
export { callBuiltin } from "./_dispatch.ts";
/**
 * `callRunCode` results (see `run`): returned, host call, trap, epoch deadline, out of fuel,
 * uncaught wasm exception.
 */
export {
  EXIT_EPOCH,
  EXIT_FUEL,
  EXIT_HOST,
  EXIT_RETURN,
  EXIT_THROW,
  EXIT_TRAP,
} from "./_dispatch.ts";
/** What `Vm.tierSlice` returns to go on running (a slice end, see `run`). */
export { EXIT_SLICE } from "./_dispatch.ts";
/** The frame-size bit of an `enter_tier` op (see {@link promoteEntry}). */
export { TIER_ENTRY_BIT } from "./_dispatch.ts";
import { unwind } from "./_exceptions.ts";
import { refRegisters } from "./_gc_exec.ts";
import type { V128File } from "./simd_math.ts";
import { v128Registers } from "./simd.ts";
import { type VmException, VmFunc, type VmInstance } from "./vm_objects.ts";
import { Op } from "./_opcodes.ts";
import {
  CONT_BOTTOM,
  continuationReturned,
  type ContLink,
  parentInstanceAt,
  type VmContinuations,
} from "./_continuations.ts";

/** Why `callRun` returned. */
export type DoneReason =
  /** The entry function returned; its results are at the entry base. */
  | { readonly kind: "return" }
  /**
   * Wasm called a host function: `func` (with `func.hostId`). Its arguments
   * are in slots `base, base+1, ...`; write its results from `base` and call
   * `callRun()` again to resume at `resume`.
   */
  | {
    readonly kind: "host";
    readonly func: VmFunc;
    readonly base: number;
    readonly resume: number;
  }
  /** A trap with `code` (see `TrapCode`) at code address `pc`. */
  | { readonly kind: "trap"; readonly code: number; readonly pc: number }
  /**
   * The epoch deadline has passed (a VM with `epochs` checks it on entry and
   * at every taken branch, call and extended op; `pc` is where it goes on). Raise
   * `epochDeadline` and `callRun()` again to go on, or treat it as the trap
   * `TrapCode.Interrupt` (then `callEnd()`).
   */
  | { readonly kind: "epoch"; readonly pc: number }
  /**
   * A `fuel` check needs more than `vm.fuel` (code compiled with
   * `consumeFuel`). Add fuel and `callRun()` again, or treat it as the trap
   * `TrapCode.OutOfFuel`.
   */
  | { readonly kind: "fuel"; readonly pc: number }
  /**
   * A wasm exception left the activation uncaught (`exception`, also in
   * `vm.thrown`), thrown or passing through at code address `pc`.
   */
  | { readonly kind: "throw"; readonly exception: VmException; readonly pc: number };

/** One frame of a wasm backtrace, innermost first. */
export interface VmFrame {
  /** The instance whose code was running. */
  readonly instance: VmInstance;
  /** A code address inside the instruction that was executing (or calling). */
  readonly pc: number;
  /**
   * A marker, not a frame: the stack of a continuation ends above it, and its
   * parent's (the frames below, from the resume op) begins.
   */
  readonly stackBoundary?: boolean;
}

/** The callee-saved state, as saved at a host→wasm entry. */
export interface VmSnapshot {
  /** Program counter. */
  readonly pc: number;
  /** Frame pointer. */
  readonly fp: number;
  /** Control-stack depth (in words). */
  readonly csp: number;
  /** First free register slot. */
  readonly sp: number;
  /** The running instance. */
  readonly inst: VmInstance | null;
}

/**
 * The innermost host→wasm call, taken off the VM's stacks while it waits
 * ({@link Vm.detachEntry}): its registers, v128 registers and control frames
 * with every frame pointer relative to the entry's first slot, so that
 * {@link Vm.attachEntry} can put it back at whatever the top of the stacks is
 * by then.
 */
export interface VmDetachedEntry {
  /** Registers from the entry's base to its first free slot, two words each. */
  readonly regs: Int32Array;
  /** The same slots' v128 registers (16 bytes each), or null when SIMD never ran. */
  readonly v128: Uint8Array | null;
  /** The same slots' reference registers (the `any` hierarchy), or null when GC never ran. */
  readonly refs: unknown[] | null;
  /** Its control frames (three words each; caller frame pointers relative to the base). */
  readonly frames: Int32Array;
  /** Program counter. */
  readonly pc: number;
  /** Frame pointer, relative to the base. */
  readonly fp: number;
  /** First free slot, relative to the base. */
  readonly sp: number;
  /** The running instance. */
  readonly inst: VmInstance | null;
  /** The host function it stopped at, and that call's argument base relative to the base. */
  readonly hostFunc: VmFunc;
  /** See {@link hostFunc}. */
  readonly hostBase: number;
  /** Its running continuations' links (bases relative to its base), or null. */
  readonly links: ContLink[] | null;
}

/** Options of a new `Vm`. */
export interface VmOptions {
  /** Maximum wasm stack in bytes (default 512 KiB): 8 bytes per register slot, 16 per frame. */
  readonly maxWasmStack?: number;
  /**
   * Whether the code it runs is compiled with fuel or epochs (`consumeFuel`,
   * `epochInterruption`): it then runs in `runMetered`, which has the fused fuel
   * ops.
   */
  readonly metered?: boolean;
  /**
   * Whether it checks the epoch deadline (code compiled with
   * `epochInterruption`; implies `metered`): it then runs in `runEpochs`,
   * `runMetered` with a check on entry and at every taken branch, call and
   * extended op.
   */
  readonly epochs?: boolean;
  /** Maximum stack of one continuation in bytes (default: `maxWasmStack`), counted as it. */
  readonly maxContinuationStack?: number;
  /** Maximum bytes all live continuations hold together (default 256 MiB). */
  readonly maxContinuationsTotal?: number;
}

/** Default of {@link VmOptions.maxContinuationsTotal}. */
export const DEFAULT_CONTINUATIONS_TOTAL = 256 * 1024 * 1024;

/**
 * One-step slices still to run in this process, for `run`, `runMetered` and
 * `runEpochs` (see `callRunCode`). V8 allocates a function's feedback vector only after
 * several calls, so a few calls are needed before the slice exit of a
 * dispatch function has type feedback.
 */
const priming = [32, 32, 32];
const RETURNED: DoneReason = Object.freeze({ kind: "return" });
/** Words saved per host→wasm entry: pc, fp, csp, sp, instance id (-1 for none). */
const ENTRY_WORDS = 5;
const SLACK_SLOTS = 65536;

/**
 * Default steps of one `run` slice. Small enough that a new `run` call comes
 * every ~0.1 ms (so V8 tiers `run` up by calls, not by on-stack replacement),
 * large enough that the exit and re-entry (~0.1 µs) cost nothing measurable.
 */
export const DEFAULT_SLICE_STEPS = 4096;

/** What the GC ops ask of the runtime that owns a VM's store ({@link Vm.gcHost}). */
export interface GcHost {
  /** `any.convert_extern` of externref handle `h` (not 0): its value in the ref file. */
  anyOfExtern(h: number): unknown;
  /** `extern.convert_any` of ref-file value `v` (not null): its externref handle. */
  externOfAny(v: unknown): number;
  /** Whether the function of handle `h` (not 0) has a type under canonical type `id`. */
  funcIsSubtype(h: number, id: number): boolean;
  /** Whether signature id `a` is declared under signature id `b` (`call_indirect`). */
  sigIsSubtype(a: number, b: number): boolean;
}

/** The virtual machine (see the module doc). */
export class Vm {
  /** The register file's buffer. */
  readonly buffer: ArrayBuffer;
  /** i32 / f32-bits view of the registers (two words per slot). */
  readonly i32: Int32Array;
  /** f32 view (same indexing as `i32`). */
  readonly f32: Float32Array;
  /** f64 view (one element per slot). */
  readonly f64: Float64Array;
  /** i64 view (one element per slot). */
  readonly i64: BigInt64Array;
  /** u64 view (one element per slot). */
  readonly u64: BigUint64Array;
  /**
   * Register slots a frame may reach: {@link stackLimit}, or less while a
   * continuation runs (its window base plus its stack size).
   */
  regLimit: number;
  /** Register slots any frame may reach (the wasm stack limit). */
  readonly stackLimit: number;
  /** Register slots one continuation's stack may use (see `_continuations.ts`). */
  readonly contStackSlots: number;
  /** Bytes all live continuations together may hold. */
  readonly contTotalBytes: number;
  /** The continuations (stack switching), made on first use. */
  conts: VmContinuations | null = null;
  /** The control stack: three words per frame (return pc, caller fp, caller instance). */
  readonly cs: Int32Array;
  /** Control-stack limit in words. */
  readonly csLimit: number;
  /** Global storage: two words per global slot. */
  globals: Int32Array = new Int32Array(64);
  /** Global slots allocated so far. */
  globalCount = 0;
  /** Functions by handle; handle 0 is null. */
  readonly funcs: VmFunc[] = [new VmFunc(-1, null, -1, -1, 0)];
  /** Instances by id. */
  readonly instances: VmInstance[] = [];
  /** Program counter (resume point). */
  pc = 0;
  /** Frame pointer (slot). */
  fp = 0;
  /** Control-stack depth (words). */
  csp = 0;
  /** First free register slot for a nested entry. */
  sp = 0;
  /** The running instance. */
  inst: VmInstance | null = null;
  /** Runs code compiled with fuel or epochs (see {@link VmOptions.metered}). */
  readonly metered: boolean;
  /** Checks the epoch deadline (see {@link VmOptions.epochs}). */
  readonly epochs: boolean;
  /** Remaining fuel (only consulted by code compiled with `consumeFuel`). */
  fuel: number = Infinity;
  /** The engine's epoch counter (element 0), shared by the runtime (may be over a SharedArrayBuffer). */
  epochCounter: Int32Array = new Int32Array(1);
  /** Stop when `epochCounter[0] >= epochDeadline` (checked when {@link epochs}). */
  epochDeadline: number = Infinity;
  /** Executed instructions (code compiled with `countInstructions`). */
  instructions = 0;
  /** The v128 register file, allocated by `v128Registers` when SIMD code first runs. */
  v128File: V128File | null = null;
  /** The code of the last trap. */
  trapCode = 0;
  /** Exceptions by reference handle (`exnref`); handle 0 is null. */
  readonly exns: (VmException | undefined)[] = [undefined];
  /** The exception that left the wasm activation (with `EXIT_THROW`). */
  thrown: VmException | null = null;
  /**
   * Set by the runtime: the wasm exception a value thrown by a host function
   * is (a wasm exception passing through, or a host value under the host
   * tag), or null for what wasm may not catch (a trap).
   */
  hostException: ((e: unknown) => VmException | null) | null = null;
  /** The host function of the last host-call exit. */
  hostFunc: VmFunc = this.funcs[0];
  /** The argument base slot of the last host-call exit. */
  hostBase = 0;
  /**
   * Called by `run` at a call of a host function (`f`, arguments from slot
   * `base`) with the VM's state written back, instead of returning
   * `EXIT_HOST`: it returns true when it wrote the results (execution goes
   * on after the call), false to make `run` return `EXIT_HOST` as without
   * it. It may call back into wasm (nested `callStart`) and may throw, which
   * unwinds out of `run`.
   */
  hostCall: ((f: VmFunc, base: number) => boolean) | null = null;
  /**
   * Called by the `lazy` op of a function not lowered yet (`funcIndex` of
   * `inst`'s module): lowers it, gives `inst` (and every instance of the
   * module it meets later) the code array that holds it, and returns its
   * entry, where execution continues. Set by whoever compiles lazily.
   */
  lazyLower: ((inst: VmInstance, funcIndex: number) => number) | null = null;
  /** The callee-saved state of each active entry, `ENTRY_WORDS` words each. */
  #saved = new Int32Array(16 * ENTRY_WORDS);
  #depth = 0;
  /** Steps (taken branches, calls, extended ops) of one `run` slice; see the module doc. */
  sliceSteps: number = DEFAULT_SLICE_STEPS;
  #pendingTrap = 0;
  // (declared last: the entry and run paths read the fields above, which stay in-object)
  /**
   * Runs an entered function on another tier (the runtime's JS tier): called
   * by the first {@link callRunCode} of an entry with the entered function and
   * its argument base, it returns true when it ran the function and wrote its
   * results from `base` (the call then returns `EXIT_RETURN`), false to let
   * the VM run it. It may throw (a trap), which unwinds out of `callRunCode`.
   */
  tierEntry: ((f: VmFunc, base: number) => boolean) | null = null;
  /** The function of the last entry, until its first {@link callRunCode}. */
  #entered: VmFunc | null = null;
  /**
   * Runs a promoted function (one whose `enter` op the runtime replaced with
   * `enter_tier`, see {@link promoteEntry}) on another tier: called when the
   * VM reaches that op, with the VM's state written back (`pc` at the op,
   * `fp` the function's frame, its arguments from slot `fp`), it returns true
   * when it ran the function and wrote its results from `fp` (the VM then
   * returns from that frame), false to let the VM run it as its `enter`
   * would. It may throw: a trap unwinds out of {@link callRunCode}, a wasm
   * exception (what {@link hostException} takes) to its handler.
   */
  tierCall: ((inst: VmInstance, pc: number, fp: number) => boolean) | null = null;
  /**
   * Called at each slice end (every {@link sliceSteps} taken branches, calls
   * and extended ops) with the VM's state written back: where the time goes,
   * sampled at no cost to the dispatch loop (the runtime's promotion counters).
   * It returns `EXIT_SLICE` to go on from the VM's state (which it may have
   * changed: on-stack replacement), or an exit code for {@link callRunCode}
   * to return. Never set with the `"interpreter"` strategy.
   */
  tierSlice: (() => number) | null = null;
  /**
   * The reference register file (values of the `any` hierarchy, see
   * `gc_objects.ts`), indexed by absolute slot like the v128 file; allocated
   * by `refRegisters` when GC code first runs.
   */
  refs: unknown[] | null = null;
  /** Reference globals' values (the `any` hierarchy), by global slot. */
  refGlobals: unknown[] = [];
  /** Set by the runtime: what GC ops ask of the store (externref handles, function types). */
  gcHost: GcHost | null = null;

  /**
   * Creates a VM.
   *
   * @param options stack size
   */
  constructor(options: VmOptions = {}) {
    const bytes = options.maxWasmStack ?? DEFAULT_MAX_WASM_STACK;
    this.epochs = options.epochs === true;
    this.metered = options.metered === true || this.epochs;
    this.regLimit = this.stackLimit = Math.max(64, Math.floor(bytes / 8));
    this.contStackSlots = Math.max(64, Math.floor((options.maxContinuationStack ?? bytes) / 8));
    this.contTotalBytes = options.maxContinuationsTotal ?? DEFAULT_CONTINUATIONS_TOTAL;
    const frames = Math.max(16, Math.floor(bytes / 16));
    this.csLimit = frames * 3;
    this.cs = new Int32Array(this.csLimit + 3);
    // one more slot at the end: its high word is the slice counter of `run`
    this.buffer = new ArrayBuffer((this.regLimit + SLACK_SLOTS + 1) * 8);
    this.i32 = new Int32Array(this.buffer);
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.i64 = new BigInt64Array(this.buffer);
    this.u64 = new BigUint64Array(this.buffer);
  }

  /**
   * Registers an instance context; sets its `id`.
   *
   * @param inst the instance context
   * @returns its id
   */
  addInstance(inst: VmInstance): number {
    inst.id = this.instances.length;
    this.instances.push(inst);
    return inst.id;
  }

  /**
   * Registers a function; its handle is its funcref value.
   *
   * @param f the function record
   * @returns its handle (≥ 1)
   */
  addFunc(f: VmFunc): number {
    this.funcs.push(f);
    return this.funcs.length - 1;
  }

  /**
   * Allocates a global slot (zeroed).
   *
   * @returns the slot; its value is at `globals[2*slot]` (and `+1` for the high half)
   */
  allocGlobal(): number {
    const slot = this.globalCount++;
    if (2 * this.globalCount > this.globals.length) {
      const g = new Int32Array(this.globals.length * 2);
      g.set(this.globals);
      this.globals = g;
    }
    return slot;
  }

  /**
   * Begins a host→wasm call of the wasm function with handle `handle`: saves
   * the callee-saved state and sets up the entry frame.
   *
   * @param handle a wasm function's handle
   * @returns the slot where argument 0 goes (and result 0 comes back)
   */
  callStart(handle: number): number {
    const f = this.funcs[handle];
    if (f === undefined || f.instance === null) {
      throw new TypeError(`callStart: ${handle} is not a wasm function`);
    }
    // Save the callee-saved state as five words (no object per entry); an
    // outermost entry saves nothing: between calls the state is all zero.
    const depth = this.#depth++;
    if (depth !== 0) this.#saveEntry(depth);
    const base = this.sp;
    if (base + f.arity > this.regLimit || this.csp >= this.csLimit) {
      this.#pendingTrap = TrapCode.StackOverflow;
      return Math.min(base, this.regLimit);
    }
    const cs = this.cs;
    cs[this.csp] = -1;
    cs[this.csp + 1] = this.fp;
    cs[this.csp + 2] = -1;
    this.csp += 3;
    this.fp = base;
    this.pc = f.entry;
    this.inst = f.instance;
    if (this.tierEntry !== null) this.#entered = f;
    return base;
  }

  /**
   * Runs (or resumes) until the entry function returns, a host function is
   * called, or a trap.
   *
   * @returns why it stopped
   */
  callRun(): DoneReason {
    const exit = this.callRunCode();
    if (exit === EXIT_RETURN) return RETURNED;
    if (exit === EXIT_HOST) {
      return { kind: "host", func: this.hostFunc, base: this.hostBase, resume: this.pc };
    }
    if (exit === EXIT_EPOCH) return { kind: "epoch", pc: this.pc };
    if (exit === EXIT_FUEL) return { kind: "fuel", pc: this.pc };
    if (exit === EXIT_THROW) return { kind: "throw", exception: this.thrown!, pc: this.pc };
    return { kind: "trap", code: this.trapCode, pc: this.pc };
  }

  /**
   * Turns a value a host function threw (inside `run`, whose state was
   * written back before the call) into a wasm exception at the call site
   * and unwinds to its handler: execution then resumes there. A value that
   * {@link hostException} does not take (a trap) is thrown on.
   *
   * @param e what the host threw
   * @returns `EXIT_SLICE` to resume at the handler, or `EXIT_THROW`
   * @throws e when it is not a wasm exception
   */
  catchHostThrow(e: unknown): number {
    const exn = this.hostException?.(e);
    const inst = this.inst;
    if (exn === undefined || exn === null || inst === null) throw e;
    return this.throwFromHostCall(exn);
  }

  /**
   * Throws a wasm exception at the host call the VM stopped at (its state is
   * that call's: `pc` just past the call op).
   *
   * @param exn the exception
   * @returns `EXIT_SLICE` when a handler caught it (resume with `run`), or
   *   `EXIT_THROW` when it leaves the activation (`thrown`)
   */
  throwFromHostCall(exn: VmException): number {
    return unwind(this, exn, this.pc - 1, this.fp, this.csp, this.inst!) === 0
      ? EXIT_SLICE
      : EXIT_THROW;
  }

  /**
   * {@link callRun} without allocating: why it stopped as a number, with the
   * details in fields — `EXIT_RETURN`; `EXIT_HOST` (`hostFunc`, `hostBase`,
   * resume at `pc`); `EXIT_TRAP` (`trapCode` at `pc`); `EXIT_EPOCH` or
   * `EXIT_FUEL` (at `pc`).
   *
   * @returns one of the `EXIT_*` codes
   */
  callRunCode(): number {
    if (this.#pendingTrap !== 0) {
      this.trapCode = this.#pendingTrap;
      this.#pendingTrap = 0;
      return EXIT_TRAP;
    }
    if (this.#entered !== null && this.#runOnOtherTier()) return EXIT_RETURN;
    const i32 = this.i32;
    const counter = i32.length - 1;
    const which = this.epochs ? 2 : this.metered ? 1 : 0;
    let exit: number;
    // with a tier hook, an entry goes on with the slice in progress (a call from JS code into
    // the interpreter is counted with the others, so short calls of a function add up to samples)
    let newSlice = this.tierSlice === null || i32[counter] < 0;
    do {
      // The first slices of each dispatch function in the process are one step
      // each, so that its slice exit has type feedback before V8 optimises it
      // for a long first call (else that code deopts at every slice exit).
      if (newSlice) {
        if (priming[which] > 0) {
          priming[which]--;
          i32[counter] = 0;
        } else i32[counter] = this.sliceSteps;
      }
      try {
        exit = which === 0 ? run(this) : which === 1 ? runMetered(this) : runEpochs(this);
      } catch (e) {
        exit = this.catchHostThrow(e);
      }
      newSlice = exit === EXIT_SLICE;
      if (newSlice) {
        if (this.tierSlice !== null && (this.conts === null || this.conts.count === 0)) {
          exit = this.#onOtherTier(this.tierSlice);
          // it finished the call (on-stack replacement): the count must not stay below zero,
          // where a `run` this entry returns into would take its next exit for a slice end
          if (exit !== EXIT_SLICE) i32[counter] = 0;
        }
      } else if (exit === EXIT_TIER) exit = this.#onOtherTier(this.#enterTier);
    } while (
      exit === EXIT_SLICE || (exit === EXIT_TRAP && this.#sharedMemoryGrew()) ||
      (exit === EXIT_RETURN && this.#continuationReturned())
    );
    return exit;
  }

  /**
   * Runs code of the other tier for the current frame (`pc` in it, or at its
   * entry): a wasm exception that code throws unwinds from there, to a
   * handler of this frame's callers (the frame itself has none: a function
   * with handlers is entered at its start, where none covers it).
   *
   * @param run {@link tierSlice} or {@link #enterTier}
   * @returns what `run` returns, or as {@link throwFromHostCall} after a throw
   */
  #onOtherTier(run: () => number): number {
    const { pc, fp, csp } = this;
    const inst = this.inst;
    try {
      return run.call(this);
    } catch (e) {
      const exn = this.hostException?.(e);
      if (exn === undefined || exn === null || inst === null) throw e;
      return unwind(this, exn, pc, fp, csp, inst) === 0 ? EXIT_SLICE : EXIT_THROW;
    }
  }

  /**
   * At an `enter_tier` op: the function runs on the other tier
   * ({@link tierCall}) and its frame returns, or it runs here, entered as its
   * `enter` op would.
   *
   * @returns `EXIT_SLICE` to go on, `EXIT_RETURN` when the entry frame returned, or `EXIT_TRAP`
   */
  #enterTier(): number {
    const pc = this.pc;
    const fp = this.fp;
    const inst = this.inst!;
    // (not in a continuation: a stack of the other tier could not be switched)
    const inCont = this.conts !== null && this.conts.count > 0;
    if (this.tierCall !== null && !inCont && this.tierCall(inst, pc, fp)) {
      return this.returnFromFrame();
    }
    const code = inst.code;
    if (fp + (code[pc + 3] & (TIER_ENTRY_BIT - 1)) > this.regLimit) {
      this.trapCode = TrapCode.StackOverflow;
      return EXIT_TRAP;
    }
    this.i32.fill(0, (fp + code[pc + 1]) << 1, (fp + code[pc + 2]) << 1);
    this.pc = pc + 4;
    return EXIT_SLICE;
  }

  /**
   * After a trap: whether it was out of bounds of memory and a shared memory
   * of the trapping instance has grown since this thread last read its
   * length (it reads it again: the trapping op, `pc`, then runs again).
   */
  #sharedMemoryGrew(): boolean {
    if (this.trapCode !== TrapCode.MemoryOutOfBounds || this.inst === null) return false;
    let grew = false;
    for (const m of this.inst.memories) if (m.shared !== undefined && m.refresh()) grew = true;
    return grew;
  }

  /**
   * After a return to the host: whether it was a continuation's bottom frame
   * instead (its link is dropped, and execution goes on in the parent).
   */
  #continuationReturned(): boolean {
    if (this.conts === null || this.cs[this.csp + 2] !== CONT_BOTTOM) return false;
    continuationReturned(this);
    return true;
  }

  /** Offers the entered function to {@link tierEntry} (out of line: entries without a hook skip it). */
  #runOnOtherTier(): boolean {
    const entered = this.#entered!;
    this.#entered = null;
    return this.tierEntry !== null && this.tierEntry(entered, this.fp);
  }

  /**
   * Returns from the current frame as the `return` op does, for a function
   * that another tier finished (its results are from `fp`): from
   * {@link tierCall}, or after on-stack replacement from {@link tierSlice}.
   *
   * @returns `EXIT_RETURN` when it was the entry frame, else `EXIT_SLICE` (go on)
   */
  returnFromFrame(): number {
    const csp = this.csp -= 3;
    const id = this.cs[csp + 2];
    this.pc = this.cs[csp];
    this.fp = this.cs[csp + 1];
    if (id < 0) return EXIT_RETURN;
    this.inst = this.instances[id];
    return EXIT_SLICE;
  }

  /** Ends the innermost host→wasm call (returned or trapped): restores the saved state. */
  callEnd(): void {
    if (this.#depth === 0) throw new Error("callEnd without callStart");
    const depth = --this.#depth;
    this.#pendingTrap = 0;
    this.conts?.endEntry(this, depth);
    if (this.tierEntry !== null) this.#entered = null;
    if (depth === 0) {
      this.pc = 0;
      this.fp = 0;
      this.csp = 0;
      this.sp = 0;
      this.inst = null;
      return;
    }
    this.#restoreEntry(depth);
  }

  /** Saves the callee-saved state of a nested entry at `depth` (five words, no object). */
  #saveEntry(depth: number): void {
    let saved = this.#saved;
    const at = depth * ENTRY_WORDS;
    if (at + ENTRY_WORDS > saved.length) {
      saved = new Int32Array(saved.length * 2);
      saved.set(this.#saved);
      this.#saved = saved;
    }
    saved[at] = this.pc;
    saved[at + 1] = this.fp;
    saved[at + 2] = this.csp;
    saved[at + 3] = this.sp;
    saved[at + 4] = this.inst === null ? -1 : this.inst.id;
  }

  /** Restores the callee-saved state a nested entry at `depth` saved. */
  #restoreEntry(depth: number): void {
    const at = depth * ENTRY_WORDS;
    const saved = this.#saved;
    this.pc = saved[at];
    this.fp = saved[at + 1];
    this.csp = saved[at + 2];
    this.sp = saved[at + 3];
    const id = saved[at + 4];
    this.inst = id < 0 ? null : this.instances[id];
  }

  /**
   * The current callee-saved state.
   *
   * @returns a snapshot
   */
  snapshot(): VmSnapshot {
    return { pc: this.pc, fp: this.fp, csp: this.csp, sp: this.sp, inst: this.inst };
  }

  /**
   * Restores a snapshot taken by {@link snapshot}.
   *
   * @param s the snapshot
   */
  restore(s: VmSnapshot): void {
    this.pc = s.pc;
    this.fp = s.fp;
    this.csp = s.csp;
    this.sp = s.sp;
    this.inst = s.inst;
    this.#pendingTrap = 0;
  }

  /**
   * Takes the innermost host→wasm call off the stacks while it waits for the
   * host (stopped at a host-call exit, a fuel or an epoch exit), leaving the
   * VM as that call's `callStart` found it: other calls may run meanwhile,
   * and waiting calls may resume in any order (each is put back on top of the
   * stacks by {@link attachEntry}). A call waiting this way has only wasm
   * frames (no nested entry) by construction of its caller.
   *
   * @returns the call, to give to {@link attachEntry}
   */
  detachEntry(): VmDetachedEntry {
    if (this.#depth === 0) throw new Error("detachEntry without callStart");
    const depth = this.#depth - 1;
    const outer = depth * ENTRY_WORDS;
    const regBase = depth === 0 ? 0 : this.#saved[outer + 3];
    const csBase = depth === 0 ? 0 : this.#saved[outer + 2];
    const frames = this.cs.slice(csBase, this.csp);
    frames[1] = 0;
    for (let p = 3; p < frames.length; p += 3) frames[p + 1] -= regBase;
    const v = this.v128File;
    const entry: VmDetachedEntry = {
      regs: this.i32.slice(regBase << 1, this.sp << 1),
      v128: v === null ? null : v.u8.slice(regBase << 4, this.sp << 4),
      refs: this.#takeRefs(regBase, this.sp),
      frames,
      pc: this.pc,
      fp: this.fp - regBase,
      sp: this.sp - regBase,
      inst: this.inst,
      hostFunc: this.hostFunc,
      hostBase: this.hostBase - regBase,
      links: this.conts === null ? null : this.conts.detach(depth + 1, regBase, csBase),
    };
    this.callEnd();
    return entry;
  }

  /**
   * The reference registers of slots `[from, to)`, taken out of the file
   * (their slots nulled, so that the file holds no object for a call that is
   * off the stacks), or null when GC code never ran.
   */
  #takeRefs(from: number, to: number): unknown[] | null {
    const R = this.refs;
    if (R === null) return null;
    const out = R.slice(from, to);
    R.fill(null, from, to);
    return out;
  }

  /**
   * Puts a call taken off by {@link detachEntry} back on top of the stacks,
   * as the innermost entry (end it with `callEnd` as any other); execution
   * goes on where it stopped. When it no longer fits under the stack limit,
   * the next `callRunCode` traps "call stack exhausted".
   *
   * @param entry the detached call
   * @returns its first slot now (where its results will come back)
   */
  attachEntry(entry: VmDetachedEntry): number {
    const depth = this.#depth++;
    if (depth !== 0) this.#saveEntry(depth);
    const base = this.sp;
    if (base + entry.sp > this.regLimit || this.csp + entry.frames.length > this.csLimit) {
      this.#pendingTrap = TrapCode.StackOverflow;
      return base;
    }
    this.i32.set(entry.regs, base << 1);
    if (entry.v128 !== null) v128Registers(this).u8.set(entry.v128, base << 4);
    if (entry.refs !== null) {
      const R = this.refs ?? refRegisters(this);
      for (let k = 0; k < entry.refs.length; k++) R[base + k] = entry.refs[k];
    }
    const cs = this.cs;
    const csBase = this.csp;
    cs.set(entry.frames, csBase);
    cs[csBase + 1] = this.fp;
    for (let p = csBase + 3; p < csBase + entry.frames.length; p += 3) cs[p + 1] += base;
    this.csp = csBase + entry.frames.length;
    this.pc = entry.pc;
    this.fp = base + entry.fp;
    this.sp = base + entry.sp;
    this.inst = entry.inst;
    this.hostFunc = entry.hostFunc;
    this.hostBase = base + entry.hostBase;
    if (entry.links !== null) this.conts!.attach(this, entry.links, depth + 1, base, csBase);
    if (this.tierEntry !== null) this.#entered = null;
    return base;
  }

  /** How many host→wasm calls are active. */
  get depth(): number {
    return this.#depth;
  }

  /**
   * The wasm frames of the innermost host→wasm call, innermost first: the
   * current pc, then each caller's call instruction. Call it after a trap or
   * at a host-call exit, before `callEnd`.
   *
   * @returns the frames
   */
  backtrace(): VmFrame[] {
    const frames: VmFrame[] = [];
    if (this.inst === null) return frames;
    frames.push({ instance: this.inst, pc: this.pc });
    for (let p = this.csp - 3; p >= 0; p -= 3) {
      let id = this.cs[p + 2];
      if (id === CONT_BOTTOM) {
        // a continuation's bottom frame: its parent's stack goes on below a marker
        const parent = parentInstanceAt(this, p);
        if (parent === null) break;
        frames.push({ instance: parent, pc: -1, stackBoundary: true });
        id = parent.id;
      }
      if (id < 0) break;
      frames.push({ instance: this.instances[id], pc: this.cs[p] - 1 });
    }
    return frames;
  }
}

/**
 * Promotes a function: writes `enter_tier` over its `enter` op (the frame
 * size gets {@link TIER_ENTRY_BIT}), so that every later call of it, by any
 * call op and from any instance of its code, reaches {@link Vm.tierCall}.
 * The code is shared by the module's instances: the promotion is module-wide.
 *
 * @param code a module's code
 * @param entry the address of a function's `enter` op
 * @returns false when it was promoted already
 * @example
 * ```ts
 * import { Op, promoteEntry } from "@capstan/interpreter";
 * const code = Int32Array.of(Op.enter, 1, 3, 5, Op.return);
 * if (!promoteEntry(code, 0) || code[0] !== Op.enter_tier || promoteEntry(code, 0)) {
 *   throw new Error();
 * }
 * ```
 */
export function promoteEntry(code: Int32Array, entry: number): boolean {
  if (code[entry] === Op.enter_tier) return false;
  if (code[entry] !== Op.enter) throw new RangeError(`no enter op at ${entry}`);
  code[entry + 3] |= TIER_ENTRY_BIT;
  code[entry] = Op.enter_tier;
  return true;
}
