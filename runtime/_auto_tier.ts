/**
 * The `"auto"` strategy: functions start on the interpreter and move to the
 * JS tier when hot (the seed's `patch_local_function`).
 *
 * - Counting: the VM ends a `run` slice every `sliceSteps` taken branches,
 *   calls and extended ops (every loop back edge and every call counts); at
 *   each slice end its `tierSlice` hook charges one sample to the function
 *   running then. The dispatch loop itself counts nothing more, and with the
 *   `"interpreter"` strategy the hook is not set.
 * - Calls from JS code to a function still interpreted (a group's stub) are
 *   timed and charged to it (`chargeCrossCall`; one that entered JS code in
 *   turn, its steps): a slice's worth of time interpreted is one sample.
 *   Slice ends miss such a callee when its calls take few steps each
 *   (straight-line code: a call from JS starts no slice and takes no step),
 *   however long they run.
 * - Promotion: at `EngineConfig.tierUp.samples` samples a function is lowered to JS
 *   with a small group of its direct callees (`JsGroupLowering`), and each
 *   member's `enter` op becomes `enter_tier` (`promoteEntry`): from then on
 *   every call of it, from the interpreter (any call op), from JS code and
 *   from the host, runs its JS code.
 * - On-stack replacement: a promoted
 *   function still running on the interpreter (a long loop in a call that began before its promotion,
 *   `_start`'s main loop) moves to JS at a slice end that lands on one of
 *   its loop headers (right after the back edge; while one is awaited the
 *   slices are one step long): its JS variant entered there
 *   (`JsGroupLowering.lowerOsr`) reads the locals from the frame, runs the
 *   call to its end and the VM returns from the frame. With fuel on, the
 *   variant is entered only where its code charges what the bytecode from
 *   the header would (`bytecodeEntryFuel`, `irEntryFuel`), so fuel stays exact.
 * - A cross-tier call does not restart the slice in progress (in either
 *   direction), so an interpreted loop that calls JS code is sampled (and
 *   promoted) too, and so is a function JS code calls often for short calls;
 *   a call from the interpreter into JS code counts as `CROSSING_STEPS` steps.
 * - Calls across tiers: interpreter → JS through the VM's `tierCall` hook
 *   (the group is bound to the instance on first use); JS → interpreter
 *   through `C.callSlots` and the groups' stubs.
 * - What stays on the interpreter, and why, is decided per call: a call in
 *   a running async call (`callAsync`: it may suspend), a call past the JS
 *   depth budget; and per function: what the JS tier cannot lower.
 *   `EngineConfig.tierLog` receives one line per promotion and per function
 *   kept on the interpreter (with its reason).
 *
 * Invariants:
 * - A promotion is module-wide (the code is shared by the module's
 *   instances); each instance binds the module's groups in order, lazily.
 * - Traps, fuel, epochs, the stack limit and backtraces keep their meaning:
 *   a trap from JS code entered from the interpreter gets the interpreter's
 *   frames below it appended, as a host call's would.
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import {
  bytecodeEntryFuel,
  bytecodeLoopHeads,
  CompiledModule,
  type JsGroup,
  JsGroupLowering,
} from "@capstan/codegen";
import {
  DEFAULT_SLICE_STEPS,
  EXIT_SLICE,
  Op,
  promoteEntry,
  TIER_ENTRY_BIT,
} from "@capstan/interpreter";
import type { Instance } from "./instance.ts";
import type { Module } from "./module.ts";
import type { Store } from "./store.ts";
import { JS_HELPERS } from "./_js_values.ts";
import { hostCallState, installHostCall } from "./_host_calls.ts";
import { appendWasmFrames, backtraceOf, wasmTrap } from "./_traps.ts";
import {
  isJsStackOverflow,
  type JsEntryAdapter,
  jsHelpersOf,
  registerJsEntries,
  stateOf,
} from "./_js_tier.ts";

/** Functions at most in one promoted group. */
const GROUP_MAX = 16;
/**
 * A direct callee this small (body bytes) joins its caller's group even if
 * never sampled, or never run: a function promoted at its entry (before its
 * loop ran) would otherwise call its small helpers through the interpreter,
 * and a helper whose calls from JS are each shorter than a slice is never
 * sampled (shootout-ctype's main loop: 7 s instead of 0.3).
 */
const SMALL_BODY = 256;
/**
 * About what one step (a taken branch, a call) of interpreted code takes, in
 * ms: a slice of `sliceSteps` steps is worth this many times as much time
 * interpreted in a call from JS code ({@link AutoTierModule.chargeCrossCall}).
 */
const STEP_MS = 25e-6;
/**
 * A share (about a quarter) of what lowering a function to JS costs, in ms
 * per byte of its body: calls from JS code promote a function once their
 * interpreted time is past this much ({@link AutoTierModule.chargeCrossCall}).
 */
const LOWER_MS_PER_BYTE = 5e-3;
/**
 * The steps a call from the interpreter into JS code counts for in the slice
 * in progress (about what the crossing costs): a caller whose own steps are
 * few between its calls of promoted functions is sampled all the same.
 */
const CROSSING_STEPS = 32;

/**
 * Entries from the interpreter into JS code in this process (a call from JS
 * code into the interpreter during which this grew ran JS code too).
 */
let jsEntries = 0;
/** On-stack-replacement entries compiled in this process (each source is numbered). */
let osrCompiles = 0;

type JsFn = (...args: unknown[]) => unknown;
/** What a group's factory returns for one instance. */
interface GroupFunctions {
  readonly fns: JsFn[];
  readonly entries: JsEntryAdapter[];
  readonly stubs: JsFn[];
  /** The members' adapters for calls through a table or a reference (`JsTierState.ix`). */
  readonly ixs: (JsFn | undefined)[];
}
type GroupFactory = (x: unknown, s: unknown, h: unknown, c: unknown, p: unknown) => GroupFunctions;
/** An on-stack-replacement entry's factory: its function runs from a frame's base slot. */
type OsrFactory = (x: unknown, s: unknown, h: unknown, c: unknown, p: unknown) => JsEntryAdapter;

/** Where a defined function stands. */
const enum Status {
  Interpreted = 0,
  Promoted = 1,
  Kept = 2,
}

/** A module's promotion state under the `"auto"` strategy. */
export class AutoTierModule {
  readonly #module: Module;
  #lowering: JsGroupLowering | undefined;
  /** Samples by defined function. */
  readonly #samples: Int32Array;
  /** Time (ms) charged by calls from JS code, and those calls, by defined function. */
  readonly #crossMs: Float64Array;
  readonly #crossCalls: Int32Array;
  readonly #status: Uint8Array;
  readonly #reasons = new Map<number, string>();
  /** The groups lowered so far, in order, with their loaded factories. */
  readonly groups: { readonly group: JsGroup; readonly factory: GroupFactory }[] = [];

  /**
   * Starts a module on the interpreter.
   *
   * @param module the module
   */
  constructor(module: Module) {
    this.#module = module;
    const n = module.translation.bodies.length;
    this.#samples = new Int32Array(n);
    this.#crossMs = new Float64Array(n);
    this.#crossCalls = new Int32Array(n);
    this.#status = new Uint8Array(n);
  }

  /**
   * The function whose entry is at `pc`.
   *
   * @param pc a code address
   * @returns its function index, or undefined
   */
  funcAtEntry(pc: number): number | undefined {
    const f = this.#module._compiled.funcAt(pc);
    return f !== undefined && f.entry === pc ? f.funcIndex : undefined;
  }

  /**
   * Where a defined function runs now.
   *
   * @param funcIndex a defined function's index
   * @returns `"js"` or `"interpreter: <reason>"`
   */
  tierOf(funcIndex: number): string {
    const i = funcIndex - this.#module.translation.numImportedFunctions;
    switch (this.#status[i]) {
      case Status.Promoted:
        return "js";
      case Status.Kept:
        return `interpreter: ${this.#reasons.get(funcIndex)}`;
      default:
        return "interpreter: not hot (yet)";
    }
  }

  /**
   * Charges a sample to the function at `pc`, promoting it when hot.
   *
   * @param pc a code address in this module's code
   */
  sample(pc: number): number | undefined {
    const f = this.#module._compiled.funcAt(pc);
    if (f === undefined) return undefined;
    const i = f.funcIndex - this.#module.translation.numImportedFunctions;
    if (this.#status[i] === Status.Interpreted) {
      const samples = this.#module.engine.config.tierUp.samples;
      if (++this.#samples[i] >= samples) this.promote(f.funcIndex);
    }
    return this.#status[i] === Status.Promoted ? f.funcIndex : undefined;
  }

  /**
   * Whether calls from JS code to a function are timed for its promotion
   * (it is still on the interpreter, and not kept there).
   *
   * @param funcIndex a defined function's index
   */
  timesCrossCalls(funcIndex: number): boolean {
    return this.#status[funcIndex - this.#module.translation.numImportedFunctions] ===
      Status.Interpreted;
  }

  /**
   * Charges a call from JS code to a function still on the interpreter with
   * the time it took there (its callees' included; a call that entered JS
   * code again is charged its steps, {@link STEP_MS} each, instead): a
   * slice's worth of time is one sample, from its second call on (see
   * `#crossMsToPromote` for the least time that promotes it). So a
   * function that promoted callers call is promoted however few slice ends
   * land in it: a short callee, or straight-line code (a long call of few
   * steps).
   *
   * @param funcIndex a defined function's index
   * @param ms the call's time, in ms
   * @param sliceSteps the steps of a slice
   * @returns whether this promoted it
   */
  chargeCrossCall(funcIndex: number, ms: number, sliceSteps: number): boolean {
    const i = funcIndex - this.#module.translation.numImportedFunctions;
    if (this.#status[i] !== Status.Interpreted) return false;
    // the first call is not charged: it may have lowered the function's bytecode, and a
    // function that runs once (at start-up, long with its callees) has no later call the
    // JS code would serve
    const n = ++this.#crossCalls[i];
    if (n === 1 && sliceSteps !== 0) return false;
    const total = (this.#crossMs[i] += ms);
    const samples = this.#module.engine.config.tierUp.samples;
    if (n < 2 || total < this.#crossMsToPromote(i, sliceSteps, samples)) return false;
    this.promote(funcIndex, `after ${n} call${n === 1 ? "" : "s"} from JS code`);
    return (this.#status[i] as Status) === Status.Promoted;
  }

  /**
   * The interpreted time of calls from JS code that promotes defined
   * function `i`: a slice's worth a sample, and at least a share of what
   * lowering it would cost ({@link LOWER_MS_PER_BYTE} a byte of its body),
   * so that a function called now and then, or a huge one whose calls are
   * few, does not cost more to lower than it ever runs (none with slices of
   * no step: promotion at once).
   */
  #crossMsToPromote(i: number, sliceSteps: number, samples: number): number {
    if (sliceSteps === 0) return 0;
    const body = this.#module.translation.bodies[i];
    return Math.max(
      sliceSteps * STEP_MS * Math.max(samples, 1),
      (body.codeEnd - body.codeStart) * LOWER_MS_PER_BYTE,
    );
  }

  /**
   * The on-stack-replacement entry of a promoted function at bytecode
   * address `pc`, when `pc` is one of its loop headers and the JS tier can
   * enter there (lowered once per header; a refusal is logged once).
   *
   * @param funcIndex a promoted function
   * @param pc a code address in it
   * @returns the entry's factory, `undefined` when `pc` is not a loop header
   *   it can enter at, `null` when the function has none
   */
  osrFactory(funcIndex: number, pc: number): OsrFactory | undefined | null {
    const cm = this.#module._compiled;
    const f = cm.functions[funcIndex - this.#module.translation.numImportedFunctions];
    let heads = this.#heads.get(funcIndex);
    if (heads === undefined) {
      this.#heads.set(funcIndex, heads = bytecodeLoopHeads(cm.code, f.entry, f.end));
    }
    if (heads.length === 0 || this.#noOsr.has(funcIndex)) return null;
    if (!heads.includes(pc)) return undefined;
    let made = this.#osr.get(pc);
    if (made === undefined) {
      const at = cm.wasmOffsetAt(pc);
      let out = this.#lowering!.lowerOsr(funcIndex, at);
      // with fuel, the JS code entered must charge what the bytecode from there would
      const fuel = typeof out === "string" ? 0 : bytecodeEntryFuel(cm.code, pc);
      if (
        this.#module.engine.config.consumeFuel && typeof out !== "string" && out.entryFuel !== fuel
      ) {
        out =
          `it would charge ${out.entryFuel} units of fuel where the interpreter charges ${fuel}`;
      }
      if (typeof out === "string") {
        // refused at one header: not tried at the others (no single-step wait for them)
        made = out;
        this.#noOsr.add(funcIndex);
        this.#log(`${this.#name(funcIndex)}: no on-stack replacement at wasm offset ${at}: ${out}`);
        return null;
      } else {
        // a source of its own (numbered): V8 would take an earlier compile of the same source
        // (the same function of another module of the same bytes) from its cache, and the code
        // it then replaces this call's frame with runs at half speed (the kernel loop: 230
        // against 115 ms CPU for 10^8 iterations)
        const numbered = `${out.source}\n// on-stack replacement ${osrCompiles++}`;
        made = new Function("X", "S", "H", "C", "P", numbered) as OsrFactory;
        this.#log(`${this.#name(funcIndex)}: on-stack replacement at wasm offset ${at}`);
      }
      this.#osr.set(pc, made);
    }
    return typeof made === "string" ? undefined : made;
  }
  readonly #heads = new Map<number, number[]>();
  readonly #noOsr = new Set<number>();
  readonly #osr = new Map<number, OsrFactory | string>();

  /**
   * The module's compiled code as it was before any promotion (for an image:
   * `enter_tier` is this process's business).
   *
   * @returns the compiled module, with a copy of its code when some function was promoted
   */
  unpromoted(): CompiledModule {
    const cm = this.#module._compiled;
    if (this.groups.length === 0) return cm;
    const code = cm.code.slice();
    for (const f of cm.functions) {
      if (code[f.entry] !== Op.enter_tier) continue;
      code[f.entry] = Op.enter;
      code[f.entry + 3] &= ~TIER_ENTRY_BIT;
    }
    return cm.isLazy
      ? CompiledModule.resumeLazy(cm.translation, cm.tunables, code, cm.functions)
      : new CompiledModule(cm.translation, cm.offsets, cm.tunables, code, cm.functions);
  }

  /** Promotes every function still on the interpreter (`tierUp.samples` 0), one group each. */
  promoteAll(): void {
    const imported = this.#module.translation.numImportedFunctions;
    for (let i = 0; i < this.#status.length; i++) {
      if (this.#status[i] === Status.Interpreted) this.promote(i + imported);
    }
  }

  /**
   * Lowers a function (with a small group of its direct callees) to JS and
   * sends every later call of them there.
   *
   * @param funcIndex a defined function's index
   * @param why what made it hot, for the log (default: its samples)
   */
  promote(funcIndex: number, why?: string): void {
    const t = this.#module.translation;
    const imported = t.numImportedFunctions;
    const lowering = this.#lowering ??= new JsGroupLowering(
      t,
      this.#module.engine.config.tunables,
    );
    const cm = this.#module._compiled;
    const wanted = [funcIndex];
    for (const k of lowering.directCallees(funcIndex)) {
      if (wanted.length >= GROUP_MAX) break;
      const i = k - imported;
      const body = t.bodies[i];
      const small = body.codeEnd - body.codeStart <= SMALL_BODY;
      if (this.#status[i] === Status.Interpreted && (this.#samples[i] > 0 || small)) wanted.push(k);
    }
    const group = lowering.lowerGroup(wanted);
    for (const [k, why] of group.routed) {
      this.#status[k - imported] = Status.Kept;
      this.#reasons.set(k, why);
      this.#log(`${this.#name(k)} stays on the interpreter: ${why}`);
    }
    if (group.members.length === 0) return;
    const factory = new Function("X", "S", "H", "C", "P", group.source) as GroupFactory;
    this.groups.push({ group, factory });
    for (const m of group.members) {
      this.#status[m - imported] = Status.Promoted;
      // lowered first (a module is lowered lazily): the entry promoted is its code's
      const f = cm.lower(m);
      promoteEntry(cm.code, f.entry);
    }
    const others = group.members.slice(1).map((m) => this.#name(m));
    const samples = this.#samples[funcIndex - imported];
    this.#log(
      `promoted ${this.#name(funcIndex)}` +
        (why !== undefined
          ? ` ${why}`
          : samples > 0
          ? ` after ${samples} sample${samples === 1 ? "" : "s"}`
          : "") +
        (others.length > 0 ? ` with ${others.join(", ")}` : ""),
    );
  }

  /**
   * Notes that a promoted function runs on the interpreter for one call, and why.
   *
   * @param funcIndex the function
   * @param why the reason
   */
  logInterpreted(funcIndex: number, why: string): void {
    const key = `${funcIndex}:${why}`;
    if (this.#logged.has(key)) return;
    this.#logged.add(key);
    this.#log(`${this.#name(funcIndex)} runs on the interpreter: ${why}`);
  }
  readonly #logged = new Set<string>();

  #name(k: number): string {
    const name = this.#module.translation.names.functions.get(k);
    return name === undefined ? `func ${k}` : `func ${k} (${name})`;
  }

  #log(line: string): void {
    this.#module.engine.config.tierLog?.(line);
  }
}

/** An instance's JS code under `"auto"`: the module's groups bound so far. */
interface Binding {
  /** Each function's JS code (or its stub), by function index. */
  readonly P: (JsFn | undefined)[];
  /** Entry adapters by function index. */
  readonly entries: (JsEntryAdapter | undefined)[];
  bound: number;
}

const bindings = new WeakMap<Instance, Binding>();

/** An instance's binding, with every group of its module bound. */
function bindingOf(instance: Instance, auto: AutoTierModule): Binding {
  let b = bindings.get(instance);
  if (b === undefined) {
    bindings.set(instance, b = { P: [], entries: [], bound: 0 });
    countCrossCalls(instance, auto);
  }
  if (b.bound === auto.groups.length) return b;
  const s = stateOf(instance.store);
  const C = jsHelpersOf(instance);
  while (b.bound < auto.groups.length) {
    const { group, factory } = auto.groups[b.bound++];
    const made = factory(instance._vmInstance, s, JS_HELPERS, C, b.P);
    group.stubs.forEach((k, j) => b.P[k] ??= made.stubs[j]);
    group.members.forEach((m, j) => {
      b.P[m] = made.fns[j];
      b.entries[m] = made.entries[j];
    });
    registerJsEntries(instance, group.members, made.entries, made.ixs as never);
  }
  return b;
}

/** The part of an instance's JS helpers (`C`) whose calls into the interpreter are counted. */
interface CallHelpers {
  callSlots: (h: number, base: number, onVm?: boolean) => void;
}

/**
 * Charges each call that an instance's JS code makes to one of its own
 * functions still on the interpreter (a group's stub: `C.callSlots`) to that
 * function ({@link AutoTierModule.chargeCrossCall}); one it promotes is bound
 * at once, so the caller's next call runs its JS code.
 */
function countCrossCalls(instance: Instance, auto: AutoTierModule): void {
  const C = jsHelpersOf(instance) as CallHelpers;
  const s = stateOf(instance.store);
  const imported = instance.module.translation.numImportedFunctions;
  const byHandle = new Map<number, number>();
  for (let k = imported; k < instance._funcs.length; k++) {
    byHandle.set(instance._funcs[k]._handle, k);
  }
  const configured = instance.store.engine.config.tierUp.sliceSteps ?? DEFAULT_SLICE_STEPS;
  const callSlots = C.callSlots;
  const vm = instance.store._vm;
  C.callSlots = (h, base, onVm = false) => {
    const k = onVm || s.entries[h] !== undefined ? undefined : byHandle.get(h);
    if (k === undefined || !auto.timesCrossCalls(k)) return callSlots(h, base, onVm);
    const entered = jsEntries;
    // the slice goes on across the call: its count drops by the steps taken (reset to
    // `configured` at each slice end in it)
    const before = vm.i32[vm.i32.length - 1];
    const t0 = performance.now();
    callSlots(h, base);
    let ms = performance.now() - t0;
    if (jsEntries !== entered) {
      // it ran JS code too (promoted callees): its time is not all interpreted, its steps are
      const after = vm.i32[vm.i32.length - 1];
      ms = STEP_MS * (after <= before ? before - after : Math.max(before, 0) + configured - after);
    }
    if (auto.chargeCrossCall(k, ms, configured)) bindingOf(instance, auto);
  };
}

const hooked = new WeakSet<Store<unknown>>();

/**
 * Sets an instance up for the `"auto"` strategy (when its module has it):
 * installs the store's sampling and tier-call hooks on its VM.
 *
 * @param instance the instance
 */
export function attachAutoTier(instance: Instance): void {
  const auto = instance.module._auto;
  if (auto === undefined) return;
  const store = instance.store;
  if (store.engine.config.tierUp.samples === 0) auto.promoteAll();
  if (hooked.has(store)) return;
  hooked.add(store);
  const vm = store._vm;
  const s = stateOf(store);
  const steps = store.engine.config.tierUp.sliceSteps;
  if (steps !== undefined) vm.sliceSteps = steps;
  /** Why a promoted function must run on the interpreter now, if it must. */
  const mustInterpret = (): string | undefined => {
    if (vm.hostCall === null) installHostCall(store);
    const asyncDepth = hostCallState(vm).asyncDepth;
    if (asyncDepth !== 0 && vm.depth === asyncDepth) return "in an async call (it may suspend)";
    // past the JS depth budget (as the JS code's own check): not logged, it is per call
    return s.d + 1 > s.jsMax ? "" : undefined;
  };
  /** Runs JS code for function `k`'s frame at `fp` (its results go there). */
  const runJs = (instance: Instance, k: number, fp: number, code: JsEntryAdapter) => {
    jsEntries++;
    const { d, sp, base } = s;
    s.base = d;
    s.sp = Math.max(sp, fp + vm.funcs[instance._funcs[k]._handle].arity);
    try {
      code(fp);
    } catch (e) {
      const err = isJsStackOverflow(e) ? wasmTrap(TrapCode.StackOverflow, []) : e;
      // the interpreter's frames below (its first frame is this function's, already in the trap)
      appendWasmFrames(err, backtraceOf(store, vm.backtrace().slice(1)));
      throw err;
    } finally {
      s.d = d;
      s.sp = sp;
      s.base = base;
    }
  };
  const configuredSteps = vm.sliceSteps;
  vm.tierSlice = () => {
    vm.sliceSteps = configuredSteps;
    const inst = vm.inst;
    if (inst === null) return EXIT_SLICE;
    const instance = store._instances[inst.id];
    const auto = instance.module._auto;
    const k = auto?.sample(vm.pc);
    if (auto === undefined || k === undefined || mustInterpret() !== undefined) return EXIT_SLICE;
    // a promoted function still running here: on to JS at its next loop header
    const factory = auto.osrFactory(k, vm.pc);
    if (factory === null) return EXIT_SLICE;
    if (factory === undefined) {
      vm.sliceSteps = 0; // stop again at the next taken branch (a back edge, soon)
      return EXIT_SLICE;
    }
    runJs(instance, k, vm.fp, osrEntryOf(instance, auto, factory));
    return vm.returnFromFrame();
  };
  vm.tierCall = (inst, pc, fp) => {
    const instance = store._instances[inst.id];
    const auto = instance.module._auto;
    const k = auto?.funcAtEntry(pc);
    if (auto === undefined || k === undefined) return false;
    const why = mustInterpret();
    if (why !== undefined) {
      if (why !== "") auto.logInterpreted(k, why);
      return false;
    }
    const entry = bindingOf(instance, auto).entries[k];
    if (entry === undefined) return false;
    // the crossing counts as steps of the slice in progress (not below zero: that is a slice
    // end's mark), so an interpreted caller that calls JS code often is sampled for it
    const i32 = vm.i32;
    i32[i32.length - 1] = Math.max(0, i32[i32.length - 1] - CROSSING_STEPS);
    runJs(instance, k, fp, entry);
    return true;
  };
}

const osrEntries = new WeakMap<Instance, Map<OsrFactory, JsEntryAdapter>>();

/** An instance's on-stack-replacement entry from a factory, made once. */
function osrEntryOf(instance: Instance, auto: AutoTierModule, factory: OsrFactory) {
  let m = osrEntries.get(instance);
  if (m === undefined) osrEntries.set(instance, m = new Map());
  let entry = m.get(factory);
  if (entry === undefined) {
    const b = bindingOf(instance, auto);
    const s = stateOf(instance.store);
    entry = factory(instance._vmInstance, s, JS_HELPERS, jsHelpersOf(instance), b.P);
    m.set(factory, entry);
  }
  return entry;
}
