/**
 * The JS tier at run time: a module's functions compiled to JavaScript
 * (`compileJsModule` of `@capstan/codegen`) are loaded with `new Function`
 * once per module (or written ahead of time as an ES module's code, `aot.ts`), bound to each
 * instance, and entered from the host through
 * the VM's `tierEntry` hook; calls cross tiers through one convention (JS
 * values in, the first result out, the others in `RV`).
 *
 * Invariants:
 * - Host → JS: every synchronous entry (`Func.call`, typed calls, the
 *   facade) reaches `Vm.callRunCode`, whose first run asks the hook; a
 *   function with JS code runs there, its arguments read from and results
 *   written to the entry's slots. An async entry (`callAsync`) and a function
 *   without JS code run on the interpreter.
 * - JS → host, JS → interpreter: arguments go to VM slots above the JS
 *   tier's stack mark (`S.sp`), the call runs as the VM runs it, and a trap
 *   unwinding through it gets the JS frames of its caller appended.
 * - The shadow stack (`S.fr`, `S.off`, depth `S.d`) names each JS frame's
 *   function (an id into the store's `S.frames`) and its current call's wasm
 *   offset, in typed arrays of `JS_DEPTH_BUDGET + 1` entries (a JS frame's
 *   depth never exceeds the budget); an entry restores `S.d`, `S.sp` and
 *   `S.base` however it ends, so a store stays usable after a trap.
 * - A tail call leaves its request in `S.th` for the nearest non-tail caller,
 *   which runs it (`C.tail`, a trampoline over entry adapters, the
 *   interpreter and the host): the JS stack does not grow with tail calls.
 * - A wasm exception thrown by JS code is a `JsTierThrow`; it reaches the
 *   host as the interpreter's exception would (`hostValueOfExn`), the VM as
 *   its own exception, and JS code with handlers takes any catchable value
 *   (`C.caught`: not a trap, not the JS stack's end).
 * - The wasm stack is counted in interpreter slots against the VM's limit;
 *   past `JS_DEPTH_BUDGET` JS frames, a call continues on the interpreter
 *   (whose stack does not use the JS stack), and a JS `RangeError` for stack
 *   exhaustion becomes the trap "call stack exhausted".
 *
 * @module
 */

import { MAX_RESULTS, TrapCode } from "@capstan/environ";
import { compileJsModule } from "@capstan/codegen";
import {
  callBuiltin,
  EXIT_RETURN,
  exnHandle,
  refRegisters,
  type Vm,
  VmException,
  type VmFunc,
} from "@capstan/interpreter";
import type { Instance } from "./instance.ts";
import type { Module } from "./module.ts";
import type { Store } from "./store.ts";
import type { FrameInfo } from "./trap.ts";
import { JS_HELPERS } from "./_js_values.ts";
import { refuel, serveExits } from "./_exits.ts";
import {
  awaitsResult,
  callHostFromWasm,
  hostCallState,
  installHostCall,
  promiseInSyncCall,
  writeHostResults,
} from "./_host_calls.ts";
import { appendWasmFrames, wasmTrap } from "./_traps.ts";
import { MAX_NESTED_ENTRIES } from "./_entry.ts";
import { hostValueOfExn, JsTierThrow } from "./_js_throw.ts";
import { hostThrowToWasm } from "./tag.ts";
import { Trap } from "./trap.ts";
import type { AotCode } from "./_aot_code.ts";

/**
 * JS frames at most on the JS stack at once; a deeper call runs on the
 * interpreter (its frames live in the VM's register file, not on the JS stack).
 */
export const JS_DEPTH_BUDGET = 1000;

type JsFn = (...args: (number | bigint)[]) => number | bigint | undefined;

/**
 * What a module's factory returns: by defined function index, its JS
 * function, its entry adapter and its adapter for calls through a table or
 * a reference (`ix<k>`, see `JsTierState.ix`; absent in code written ahead
 * of time before there were any).
 */
interface JsFunctions {
  readonly fns: (JsFn | undefined)[];
  readonly entries: (JsEntryAdapter | undefined)[];
  readonly ixs?: (JsFn | undefined)[];
  /** Entry adapter by VM function (for host entries). */
  readonly byFunc: Map<VmFunc, JsEntryAdapter>;
}

/**
 * An entry adapter: arguments from VM slots at `base`, results written back
 * there; with `tail`, a tail call it ends with is left pending (`S.th`).
 */
export type JsEntryAdapter = (base: number, tail?: boolean) => void;

/** A module's JS code, loaded: the factory and where each function runs. */
export class JsTierModule {
  /** The defined functions that run on the interpreter, with why. */
  readonly routed: ReadonlyMap<number, string>;
  /** The factory: `(X, S, H, C) => functions by defined index` (undefined: routed). */
  readonly factory: (x: unknown, s: unknown, h: unknown, c: unknown) => JsFunctions;
  readonly #numImported: number;
  readonly #numFunctions: number;

  /**
   * Compiles a module's functions to JS and loads the code, or takes the
   * code written ahead of time (`aot.ts`).
   *
   * @param module the module
   * @param aot its code made ahead of time, if it was
   */
  constructor(module: Module, aot?: AotCode) {
    const t = module.translation;
    this.#numImported = t.numImportedFunctions;
    this.#numFunctions = t.functions.length;
    if (aot !== undefined) {
      this.routed = aot.routed;
      this.factory = aot.factory as never;
      return;
    }
    const lowered = compileJsModule(t, module.engine.config.tunables);
    this.routed = new Map(
      lowered.functions.flatMap((f) => f.routed === undefined ? [] : [[f.funcIndex, f.routed]]),
    );
    this.factory = new Function("X", "S", "H", "C", lowered.source) as never;
  }

  /**
   * Where a defined function runs, and why when on the interpreter.
   *
   * @param funcIndex a defined function's index
   * @returns `"js"`, or `"interpreter: <reason>"`
   */
  tierOf(funcIndex: number): string {
    if (funcIndex < this.#numImported || funcIndex >= this.#numFunctions) {
      return "interpreter: not a defined function";
    }
    const why = this.routed.get(funcIndex);
    return why === undefined ? "js" : `interpreter: ${why}`;
  }
}

/** A store's JS tier state (`S` in generated code). */
export interface JsTierState {
  readonly vm: Vm;
  readonly epoch: Int32Array;
  /** Results after the first of a JS call, by kind (typed arrays keep NaN bits). */
  readonly rvI: Int32Array;
  readonly rvD: Float64Array;
  /** i64 results as halves: result `j > 0` at `2j`, `2j + 1`; the first's high half at 1. */
  readonly rvB: Int32Array;
  /** Reference results (of the `any` hierarchy) after the first. */
  readonly rvR: unknown[];
  /** Shadow stack: depth, frames (ids into `frames`) and their call offsets. */
  d: number;
  base: number;
  readonly fr: Int32Array;
  readonly off: Int32Array;
  /** The functions of the store's instances with JS code, by frame id (`C.frame` holds the ids). */
  readonly frames: FrameInfo[];
  /** Wasm stack mark (slots) and limit. */
  sp: number;
  readonly lim: number;
  readonly jsMax: number;
  /** Entry adapter by store handle. */
  readonly entries: (JsEntryAdapter | undefined)[];
  /**
   * By store handle, the function's JS code taking and returning values of
   * its type's kinds (an f64 as its bits: `ix<k>` of `js_backend.ts`), for
   * calls through a table or a reference; undefined: call through `entries`.
   */
  readonly ix: (JsFn | undefined)[];
  /** Entry adapter by VM function (for host entries). */
  readonly byFunc: Map<VmFunc, JsEntryAdapter>;
  /** The next entry runs on the VM (a call the JS tier hands to the interpreter). */
  forceVm: boolean;
  /**
   * A pending tail call: the callee's handle (0: none), its arguments in the
   * slots from `sp` (see `codegen/_js_tail_calls.ts`).
   */
  th: number;
}

const states = new WeakMap<Store<unknown>, JsTierState>();

/**
 * A store's JS tier state, made (and its VM's `tierEntry` hook installed) on first use.
 *
 * @param store the store
 * @returns its state
 */
export function stateOf(store: Store<unknown>): JsTierState {
  let s = states.get(store);
  if (s !== undefined) return s;
  const vm = store._vm;
  s = {
    vm,
    epoch: store.engine.epochCounter,
    rvI: new Int32Array(MAX_RESULTS),
    rvD: new Float64Array(MAX_RESULTS),
    rvB: new Int32Array(2 * MAX_RESULTS),
    rvR: new Array<unknown>(MAX_RESULTS).fill(null),
    d: 0,
    base: 0,
    fr: new Int32Array(JS_DEPTH_BUDGET + 1),
    off: new Int32Array(JS_DEPTH_BUDGET + 1),
    frames: [],
    sp: 0,
    lim: vm.regLimit,
    jsMax: JS_DEPTH_BUDGET,
    entries: [],
    ix: [],
    byFunc: new Map(),
    forceVm: false,
    th: 0,
  };
  states.set(store, s);
  installTierEntry(store, s);
  return s;
}

/**
 * The JS frames of the running entry, innermost first, the innermost at `innerOff`.
 *
 * @param s the store's JS tier state
 * @param innerOff the innermost frame's wasm offset
 * @returns the frames
 */
export function jsFrames(s: JsTierState, innerOff: number): FrameInfo[] {
  const frames: FrameInfo[] = [];
  for (let i = s.d; i > s.base; i--) {
    frames.push({ ...s.frames[s.fr[i]], moduleOffset: i === s.d ? innerOff : s.off[i] });
  }
  return frames;
}

/**
 * Whether an error is V8's JS stack overflow.
 *
 * @param e what was thrown
 * @returns true for a `RangeError` of a full call stack
 */
export function isJsStackOverflow(e: unknown): boolean {
  return e instanceof RangeError && /call stack/i.test(e.message);
}

function installTierEntry(store: Store<unknown>, s: JsTierState): void {
  const vm = store._vm;
  vm.tierEntry = (f, base) => {
    const entry = s.byFunc.get(f);
    if (entry === undefined) return false;
    if (s.forceVm) {
      s.forceVm = false;
      return false;
    }
    if (vm.hostCall === null) installHostCall(store);
    const asyncDepth = hostCallState(vm).asyncDepth;
    if (asyncDepth !== 0 && vm.depth === asyncDepth) return false; // may suspend: interpreter
    const { d, sp, base: oldBase } = s;
    s.base = d;
    s.sp = Math.max(sp, base + f.arity);
    try {
      entry(base);
      return true;
    } catch (e) {
      if (isJsStackOverflow(e)) throw wasmTrap(TrapCode.StackOverflow, []);
      if (e instanceof JsTierThrow) throw hostValueOfExn(store, e.exn);
      throw e;
    } finally {
      s.d = d;
      s.sp = sp;
      s.base = oldBase;
      s.th = 0;
    }
  };
}

/**
 * Binds an instance's JS code (when its module has some) and registers its
 * functions' entry points. Call after the instance's functions exist.
 *
 * @param instance the instance
 */
export function attachJsTier(instance: Instance): void {
  const jsm = instance.module._js;
  if (jsm === undefined) return;
  const s = stateOf(instance.store);
  const made = jsm.factory(instance._vmInstance, s, JS_HELPERS, jsHelpersOf(instance));
  const t = instance.module.translation;
  registerJsEntries(
    instance,
    made.entries.map((_, k) => k + t.numImportedFunctions),
    made.entries,
    made.ixs,
  );
}

/**
 * Registers JS entry adapters of an instance's functions: host entries
 * (`Vm.tierEntry`) and JS → JS calls through slots (`C.callSlots`) use them;
 * and their adapters for calls through a table or a reference (`S.ix`).
 *
 * @param instance the instance
 * @param funcIndices function indices
 * @param entries their entry adapters, in the same order (undefined: none)
 * @param ixs their `ix<k>` adapters, in the same order (absent or undefined: none)
 */
export function registerJsEntries(
  instance: Instance,
  funcIndices: readonly number[],
  entries: readonly (JsEntryAdapter | undefined)[],
  ixs?: readonly (JsFn | undefined)[],
): void {
  const s = stateOf(instance.store);
  const vm = instance.store._vm;
  for (let k = 0; k < funcIndices.length; k++) {
    const entry = entries[k];
    if (entry === undefined) continue;
    const h = instance._funcs[funcIndices[k]]._handle;
    s.entries[h] = entry;
    s.ix[h] = ixs?.[k];
    s.byFunc.set(vm.funcs[h], entry);
  }
}

const helpersOf = new WeakMap<Instance, unknown>();

/**
 * The call and trap helpers (`C` in generated code) of an instance, made once.
 *
 * @param instance the instance
 * @returns its helpers
 */
export function jsHelpersOf(instance: Instance): unknown {
  let C = helpersOf.get(instance);
  if (C === undefined) helpersOf.set(instance, C = makeHelpers(instance));
  return C;
}

function makeHelpers(instance: Instance): unknown {
  const store = instance.store;
  const s = stateOf(store);
  const vm = store._vm;
  const t = instance.module.translation;
  const names = t.names;
  const X = instance._vmInstance;
  // the ids of the instance's functions in the store's frame registry (`S.fr` holds ids)
  const frame: number[] = [];
  for (let i = 0; i < t.functions.length; i++) {
    frame.push(s.frames.length);
    s.frames.push({
      funcIndex: i,
      funcName: names.functions.get(i),
      moduleName: names.module,
      moduleOffset: undefined,
    });
  }
  const C = {
    frame,
    trap: (code: number, off: number) => wasmTrap(code, jsFrames(s, off)),
    stackTrap: () => wasmTrap(TrapCode.StackOverflow, jsFrames(s, s.off[s.d])),
    /** A trap in a leaf (a function without a shadow-stack frame: `js_backend.ts`), frame `fr`. */
    leafTrap: (code: number, off: number, fr: number) =>
      wasmTrap(code, [{ ...s.frames[fr], moduleOffset: off }, ...jsFrames(s, s.off[s.d])]),
    epoch: (off: number) => {
      throw wasmTrap(TrapCode.Interrupt, jsFrames(s, off));
    },
    fuel: (n: number, off: number) => {
      while (vm.fuel < n) {
        if (!refuel(store, false)) throw wasmTrap(TrapCode.OutOfFuel, jsFrames(s, off));
      }
    },
    builtin: (id: number, s0: number, s1: number, off: number, ...args: number[]) => {
      const base = s.sp;
      for (let i = 0; i < args.length; i++) vm.i32[(base + i) << 1] = args[i];
      const r = callBuiltin(vm, X, id, s0, s1, base);
      if (r !== 0) throw wasmTrap(r, jsFrames(s, off));
      return vm.i32[base << 1];
    },
    /** Calls function `h` with its arguments in slots from `base`; its results go there. */
    callSlots: (h: number, base: number, onVm = false) => {
      const entry = onVm ? undefined : s.entries[h];
      if (entry !== undefined) return entry(base);
      const f = vm.funcs[h];
      if (f.instance === null) callHost(f, base);
      else callVm(h, base);
    },
    /**
     * Runs the pending tail calls (`S.th`) with their arguments at `S.sp`
     * until one returns, then moves its `n` results to slot `to`.
     */
    tail: (to: number, n: number) => {
      const base = s.sp;
      while (s.th !== 0) {
        const h = s.th;
        s.th = 0;
        const entry = s.entries[h];
        if (entry !== undefined) entry(base, true);
        else {
          const f = vm.funcs[h];
          if (f.instance === null) callHost(f, base);
          else callVm(h, base);
        }
      }
      if (to !== base) {
        vm.i32.copyWithin(to << 1, base << 1, (base + n) << 1);
        vm.refs?.copyWithin(to, base, base + n);
      }
    },
    /** A throw of tag `tag` (of this instance) with the `n` values in the slots from `base`. */
    exn: (tag: number, base: number, n: number) =>
      new JsTierThrow(new VmException(X.tags[tag], vm.i32.slice(base << 1, (base + n) << 1))),
    /**
     * A throw of tag `tag` whose values include references of the `any`
     * hierarchy: the slots' words and ref-file entries from `base`.
     */
    exnGc: (tag: number, base: number, n: number) =>
      new JsTierThrow(
        new VmException(
          X.tags[tag],
          vm.i32.slice(base << 1, (base + n) << 1),
          undefined,
          (vm.refs ?? refRegisters(vm)).slice(base, base + n),
        ),
      ),
    /** A throw of the exception `h` refers to (not null). */
    rethrow: (h: number) => new JsTierThrow(vm.exns[h]!),
    /**
     * The wasm exception a JS value thrown into a JS frame with handlers
     * is, or null when wasm may not catch it (a trap, the JS stack's end).
     */
    caught: (e: unknown): VmException | null =>
      e instanceof JsTierThrow
        ? e.exn
        : isJsStackOverflow(e)
        ? null
        : hostThrowToWasm(store, e, e instanceof Trap),
    /** A reference to an exception (an `exnref` handle). */
    exnRef: (exn: VmException) => exnHandle(vm, exn),
  };
  const callHost = (f: VmFunc, base: number) => {
    const host = store._funcs[f.hostId]!;
    const { sp, inst } = vm;
    vm.sp = base + f.arity;
    vm.inst = X;
    const d = s.d;
    const b = s.base;
    try {
      const ret = callHostFromWasm(store, host, base);
      if (awaitsResult(host, ret)) throw promiseInSyncCall();
      writeHostResults(store, host, base, ret);
    } catch (e) {
      appendWasmFrames(e, framesBetween(s, d, b));
      throw e;
    } finally {
      vm.sp = sp;
      vm.inst = inst;
    }
  };
  const callVm = (h: number, base: number) => {
    if (vm.depth >= MAX_NESTED_ENTRIES) {
      throw wasmTrap(TrapCode.StackOverflow, jsFrames(s, s.off[s.d]));
    }
    const d = s.d;
    const b = s.base;
    const sp = vm.sp;
    vm.sp = base;
    vm.callStart(h); // its entry frame is at `base`, where the arguments are
    try {
      s.forceVm = true;
      const exit = vm.callRunCode();
      s.forceVm = false;
      if (exit !== EXIT_RETURN) serveExits(store, exit);
    } catch (e) {
      appendWasmFrames(e, framesBetween(s, d, b));
      throw e;
    } finally {
      s.forceVm = false;
      vm.callEnd();
      vm.sp = sp;
    }
  };
  return C;
}

/** The JS frames from depth `d` down to (not including) `base`, each at its call offset. */
function framesBetween(s: JsTierState, d: number, base: number): FrameInfo[] {
  const frames: FrameInfo[] = [];
  for (let i = d; i > base; i--) {
    frames.push({ ...s.frames[s.fr[i]], moduleOffset: s.off[i] });
  }
  return frames;
}
