/**
 * The call path: how a {@link Func} call runs, synchronously or
 * asynchronously, for host functions and wasm functions, on the store's VM.
 *
 * Invariants:
 * - Arguments arrive already checked against the function's type.
 * - Every `vm.callStart` is paired with exactly one `vm.callEnd` (in a
 *   `finally`), which restores the VM's callee-saved state: after a return, a
 *   trap, or a host exception alike, the next call starts clean.
 * - Whatever a host function throws reaches the caller unchanged, through
 *   any number of wasm and host frames.
 * - A host function returning a Promise in a synchronous call is an error
 *   that says to use `callAsync`; in an async call the VM stays stopped at
 *   that host call (the store counts as suspended, refusing other calls)
 *   until the Promise settles, then resumes where it stopped.
 * - At an epoch deadline a synchronous call traps "interrupt"; an async call
 *   yields to the event loop and extends the deadline when the store says so.
 *
 * @module
 */

import { type FuncType, TrapCode, ValType } from "@capstan/environ";
import {
  EXIT_EPOCH,
  EXIT_FUEL,
  EXIT_HOST,
  EXIT_RETURN,
  type Vm,
  type VmFrame,
} from "@capstan/interpreter";
import { Caller, type Func, hostResults } from "./func.ts";
import type { Instance } from "./instance.ts";
import type { Store } from "./store.ts";
import { type FrameInfo, Trap } from "./trap.ts";
import { bitsFuncType, toWasm, type Val } from "./val.ts";
import { readSlot, writeSlot } from "./_slots.ts";

/**
 * Whether a value is a thenable (what `await` would wait for).
 *
 * @param v any value
 * @returns true when it has a callable `then`
 */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && (typeof v === "object" || typeof v === "function") &&
    typeof (v as { then?: unknown }).then === "function";
}

/**
 * Calls a host function synchronously.
 *
 * @param func a host function
 * @param args checked arguments
 * @param instance the calling instance, if wasm calls it
 * @returns checked results
 */
export function callHostSync(func: Func, args: Val[], instance: Instance | undefined): Val[] {
  const ret = func._host!(new Caller(func.store, instance), ...args);
  if (isThenable(ret)) throw promiseInSyncCall();
  return hostResults(func, ret);
}

function promiseInSyncCall(): Error {
  return new Error(
    "a host function returned a Promise during a synchronous call; " +
      "use Func.callAsync (or Linker.instantiateAsync) to await host Promises",
  );
}

/**
 * The caller a host function called from wasm receives (cached per instance).
 *
 * @param store the store
 * @returns the caller
 */
function callerOf(store: Store<unknown>): Caller<unknown> {
  const inst = callingInstance(store);
  if (inst === undefined) return new Caller(store, undefined);
  return inst._caller ??= new Caller(store, inst);
}

/**
 * Calls a host function for wasm: reads its arguments from the VM's slots
 * at `base` and returns what it returned (maybe a Promise). Plain functions
 * (`Func.wrap`) with up to three parameters are called without an array.
 *
 * @param store the store
 * @param host the host function
 * @param base the slot of its first argument
 * @returns its return value, unchecked
 */
function callHostFromWasm(store: Store<unknown>, host: Func, base: number): unknown {
  const params = host.type.params;
  const w = store._vm.i32;
  const plain = host._plain;
  if (plain !== undefined && host._i32Only) {
    const at = base << 1;
    switch (params.length) {
      case 0:
        return plain();
      case 1:
        return plain(w[at]);
      case 2:
        return plain(w[at], w[at + 2]);
      case 3:
        return plain(w[at], w[at + 2], w[at + 4]);
    }
  }
  if (plain !== undefined && host._f64Only) {
    const d = store._vm.f64;
    switch (params.length) {
      case 0:
        return plain();
      case 1:
        return plain(d[base]);
      case 2:
        return plain(d[base], d[base + 1]);
      case 3:
        return plain(d[base], d[base + 1], d[base + 2]);
    }
  }
  if (plain !== undefined) {
    switch (params.length) {
      case 0:
        return plain();
      case 1:
        return plain(readSlot(store, params[0], w, base));
      case 2:
        return plain(readSlot(store, params[0], w, base), readSlot(store, params[1], w, base + 1));
      case 3:
        return plain(
          readSlot(store, params[0], w, base),
          readSlot(store, params[1], w, base + 1),
          readSlot(store, params[2], w, base + 2),
        );
    }
    return plain(...readValues(store, params, store._vm, base));
  }
  const fn = host._host!;
  switch (params.length) {
    case 0:
      return fn(callerOf(store));
    case 1:
      return fn(callerOf(store), readSlot(store, params[0], w, base));
    case 2:
      return fn(
        callerOf(store),
        readSlot(store, params[0], w, base),
        readSlot(store, params[1], w, base + 1),
      );
  }
  return fn(callerOf(store), ...readValues(store, params, store._vm, base));
}

/**
 * Checks what a host function returned and writes it to the VM's slots.
 *
 * @param store the store
 * @param host the host function
 * @param base the slot of its first result
 * @param ret its return value (not a Promise)
 */
function writeHostResults(store: Store<unknown>, host: Func, base: number, ret: unknown): void {
  const results = host.type.results;
  if (results.length === 0) return;
  const w = store._vm.i32;
  if (results.length === 1) {
    writeSlot(store, results[0], w, base, toWasm(store, results[0], ret, "host function result"));
    return;
  }
  writeValues(store, results, store._vm, base, hostResults(host, ret));
}

/**
 * Calls a wasm function synchronously, checking the arguments as they are
 * written to the VM (nothing runs before all are checked).
 *
 * @param func a wasm function
 * @param args unchecked arguments
 * @param type the type to check against and convert by (`bitsFuncType` for `callBits`)
 * @returns its results
 */
export function callWasmChecking(
  func: Func,
  args: readonly unknown[],
  type: FuncType = func.type,
): Val[] {
  const params = type.params;
  if (args.length !== params.length) func._checkArgs(args); // throws the count error
  const store = func.store;
  const vm = store._vm;
  if (store._externs.length >= GC_MIN_HANDLES) store._maybeGc();
  const base = enter(store, func);
  try {
    const w = vm.i32;
    for (let i = 0; i < params.length; i++) {
      const t = params[i];
      const v = args[i];
      if (t === ValType.i32 && typeof v === "number" && (v | 0) === v) {
        const at = (base + i) << 1; // the common case, checked and written inline
        w[at] = v;
        w[at + 1] = 0;
      } else {
        writeSlot(store, t, w, base + i, toWasm(store, t, v, argumentName(i)));
      }
    }
    runEntered(store);
    const results = type.results;
    if (results.length === 1 && results[0] === ValType.i32) return [w[base << 1]];
    return readValues(store, results, vm, base);
  } finally {
    vm.callEnd();
  }
}

/**
 * Begins a synchronous call of a wasm function for a caller that writes the
 * arguments itself (converted beforehand: nothing may run in between): checks
 * the store is not busy, enters the VM. The caller must then write the
 * arguments to `store._vm` from the returned slot, call {@link runEntered},
 * read the results from the same slot, and in every case (`finally`) call
 * `store._vm.callEnd()`. Nothing is allocated on this path.
 *
 * @param func a wasm function
 * @returns the slot of argument 0 and result 0
 */
export function enterWasm(func: Func): number {
  const store = func.store;
  store.checkNotBusy("calling a function");
  if (store._externs.length >= GC_MIN_HANDLES) store._maybeGc(); // it does nothing below that
  return enter(store, func);
}

/** `Store._maybeGc` collects only once this many externref handles are in use. */
const GC_MIN_HANDLES = 1024;

/**
 * Calls a wasm function whose parameters (up to three) are all i32, with an
 * i32 result or none; the arguments are already int32 numbers. Nothing is
 * allocated.
 *
 * @param func a wasm function of such a type
 * @param n its parameter count
 * @param x0 argument 0 (ignored when `n < 1`)
 * @param x1 argument 1 (ignored when `n < 2`)
 * @param x2 argument 2 (ignored when `n < 3`)
 * @returns the i32 result (meaningless when there is none)
 * @throws as {@link runEntered}, and the errors of {@link enterWasm}
 */
export function callWasmI32(func: Func, n: number, x0: number, x1: number, x2: number): number {
  const vm = func.store._vm;
  const base = enterFast(func);
  try {
    const w = vm.i32;
    const at = base << 1;
    if (n > 0) {
      w[at] = x0;
      w[at + 1] = 0;
      if (n > 1) {
        w[at + 2] = x1;
        w[at + 3] = 0;
        if (n > 2) {
          w[at + 4] = x2;
          w[at + 5] = 0;
        }
      }
    }
    const exit = vm.callRunCode();
    if (exit !== EXIT_RETURN) serveExits(func.store, exit);
    return w[at];
  } finally {
    vm.callEnd();
  }
}

/**
 * {@link callWasmI32} for f64: up to three f64 parameters, an f64 result or none.
 *
 * @param func a wasm function of such a type
 * @param n its parameter count
 * @param x0 argument 0 (ignored when `n < 1`)
 * @param x1 argument 1 (ignored when `n < 2`)
 * @param x2 argument 2 (ignored when `n < 3`)
 * @returns the f64 result (meaningless when there is none)
 * @throws as {@link runEntered}, and the errors of {@link enterWasm}
 */
export function callWasmF64(func: Func, n: number, x0: number, x1: number, x2: number): number {
  const vm = func.store._vm;
  const base = enterFast(func);
  try {
    const d = vm.f64;
    if (n > 0) d[base] = x0;
    if (n > 1) d[base + 1] = x1;
    if (n > 2) d[base + 2] = x2;
    const exit = vm.callRunCode();
    if (exit !== EXIT_RETURN) serveExits(func.store, exit);
    return d[base];
  } finally {
    vm.callEnd();
  }
}

/**
 * {@link enterWasm} with its common case inlined (the hottest entry).
 *
 * @param func a wasm function
 * @returns the slot of argument 0 and result 0
 */
function enterFast(func: Func): number {
  const store = func.store;
  const vm = store._vm;
  if (store._suspended > 0) store.checkNotBusy("calling a function");
  if (store._externs.length >= GC_MIN_HANDLES) store._maybeGc();
  return vm.depth < MAX_NESTED_ENTRIES && vm.hostCall !== null
    ? vm.callStart(func._handle)
    : enter(store, func);
}

/**
 * The type a wasm function's signature uses throughout, for
 * {@link callWasmI32} and {@link callWasmF64}: i32 or f64 when up to three parameters and at most
 * one result all have it.
 *
 * @param type a function type
 * @returns `ValType.i32`, `ValType.f64`, or undefined
 */
export function uniformType(type: FuncType): ValType | undefined {
  if (type.params.length > 3 || type.results.length > 1) return undefined;
  for (const t of [ValType.i32, ValType.f64]) {
    if (type.params.every((p) => p === t) && type.results.every((r) => r === t)) return t;
  }
  return undefined;
}

/**
 * Whether a value type is a number type (i32, i64, f32, f64): those that
 * {@link writeNumber} and {@link readNumber} handle.
 *
 * @param t a value type
 * @returns true for the four number types
 */
export function isNumberType(t: ValType): boolean {
  return t === ValType.i32 || t === ValType.i64 || t === ValType.f32 || t === ValType.f64;
}

/**
 * Writes a number-type value, already converted for its type (an int32
 * number, a signed 64-bit BigInt, an f32-rounded or any number), to a VM
 * register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param type a number type
 * @param v the value
 */
export function writeNumber(vm: Vm, slot: number, type: ValType, v: number | bigint): void {
  switch (type) {
    case ValType.i32: {
      const at = slot << 1;
      vm.i32[at] = v as number;
      vm.i32[at + 1] = 0;
      return;
    }
    case ValType.f64:
      vm.f64[slot] = v as number;
      return;
    case ValType.f32: {
      const at = slot << 1;
      vm.f32[at] = v as number;
      vm.i32[at + 1] = 0;
      return;
    }
    case ValType.i64:
      vm.i64[slot] = v as bigint;
      return;
  }
  throw new TypeError(`not a number type: ${type}`);
}

/**
 * Reads a number-type value from a VM register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param type a number type
 * @returns the value (a BigInt for i64)
 */
export function readNumber(vm: Vm, slot: number, type: ValType): number | bigint {
  switch (type) {
    case ValType.i32:
      return vm.i32[slot << 1];
    case ValType.f64:
      return vm.f64[slot];
    case ValType.f32:
      return vm.f32[slot << 1];
    case ValType.i64:
      return vm.i64[slot];
  }
  throw new TypeError(`not a number type: ${type}`);
}

const ARGUMENT_NAMES = Array.from({ length: 16 }, (_, i) => `argument ${i}`);

/**
 * The name of argument `i` for error messages (no string built per call).
 *
 * @param i the argument's index
 * @returns `"argument i"`
 */
export function argumentName(i: number): string {
  return ARGUMENT_NAMES[i] ?? `argument ${i}`;
}

function writeValues(
  store: Store<unknown>,
  types: FuncType["params"],
  vm: Vm,
  base: number,
  vals: Val[],
): void {
  const words = vm.i32;
  for (let i = 0; i < types.length; i++) writeSlot(store, types[i], words, base + i, vals[i]);
}

function readValues(store: Store<unknown>, types: FuncType["params"], vm: Vm, base: number): Val[] {
  const words = vm.i32;
  const out = new Array(types.length);
  for (let i = 0; i < types.length; i++) out[i] = readSlot(store, types[i], words, base + i);
  return out;
}

/**
 * Turns the VM's frames into backtrace entries (function index, name,
 * module offset).
 *
 * @param store the store
 * @param frames the VM's frames, innermost first
 * @returns the backtrace
 */
export function backtraceOf(store: Store<unknown>, frames: readonly VmFrame[]): FrameInfo[] {
  return frames.map(({ instance, pc }) => {
    const inst = store._instances[instance.id];
    const cm = inst.module._compiled;
    const names = inst.module.translation.names;
    const funcIndex = cm.funcAt(pc)?.funcIndex ?? -1;
    const offset = cm.wasmOffsetAt(pc);
    return {
      funcIndex,
      funcName: names.functions.get(funcIndex),
      moduleName: names.module,
      moduleOffset: offset < 0 ? undefined : offset,
    };
  });
}

/** Traps the runtime raised for wasm execution (their backtraces grow as they unwind). */
const wasmTraps = new WeakSet<Trap>();

/**
 * The most host→wasm entries that may be active at once (wasm calling a host
 * function that calls wasm ...). Each level uses the JavaScript stack, which
 * would overflow with a raw RangeError near 1,300 levels; past this limit
 * the call traps "call stack exhausted" instead.
 */
export const MAX_NESTED_ENTRIES = 500;

function enter(store: Store<unknown>, func: Func): number {
  const vm = store._vm;
  if (vm.depth >= MAX_NESTED_ENTRIES) {
    // No frames of its own: each host call it unwinds through adds its wasm frames.
    const trap = new Trap(TrapCode.StackOverflow);
    wasmTraps.add(trap);
    throw trap;
  }
  if (vm.hostCall === null) installHostCall(store);
  return vm.callStart(func._handle);
}

/**
 * The deepest entry whose host calls the hook serves inside `run`; deeper
 * ones exit `run` first, so that `MAX_NESTED_ENTRIES` levels of wasm→host→wasm
 * fit in the JS stack (a `run` frame is large).
 */
const HOOK_MAX_DEPTH = 64;

/** Per-VM state of the host-call hook. */
interface HostCallState {
  /** The entry depth of the running async call (0 when none): its host calls may return Promises. */
  asyncDepth: number;
  /** The Promise a host function returned in that async call, left for it to await. */
  pending: PromiseLike<unknown> | undefined;
}

const hostCallStates = new WeakMap<Vm, HostCallState>();

/**
 * Installs the store's host-call hook on its VM: `run` calls host functions
 * through it without leaving the dispatch loop. A Promise returned in the
 * running async call is left in the state for that call to await (the hook
 * then asks `run` to exit); in a synchronous call it is an error.
 *
 * @param store the store
 */
function installHostCall(store: Store<unknown>): void {
  const vm = store._vm;
  const state: HostCallState = { asyncDepth: 0, pending: undefined };
  hostCallStates.set(vm, state);
  vm.hostCall = (f, base) => {
    // Deep in nested entries, leave `run` first: its frames would overflow the JS stack.
    if (vm.depth > HOOK_MAX_DEPTH) return false;
    const host = store._funcs[f.hostId]!;
    try {
      const ret = callHostFromWasm(store, host, base);
      if (host._i32Only && typeof ret === "number" && (ret | 0) === ret) {
        // An i32 result, or none (then the value is ignored, as writeHostResults does).
        if (host.type.results.length !== 0) {
          const at = base << 1;
          vm.i32[at] = ret;
          vm.i32[at + 1] = 0;
        }
        return true;
      }
      if (host._f64Only && typeof ret === "number") {
        if (host.type.results.length !== 0) vm.f64[base] = ret;
        return true;
      }
      if (isThenable(ret)) {
        if (vm.depth !== state.asyncDepth) throw promiseInSyncCall();
        state.pending = ret;
        return false;
      }
      writeHostResults(store, host, base, ret);
      return true;
    } catch (e) {
      extendBacktrace(store, e);
      throw e;
    }
  };
}

function trapHere(store: Store<unknown>, code: number): Trap {
  const trap = new Trap(code, backtraceOf(store, store._vm.backtrace()));
  wasmTraps.add(trap);
  return trap;
}

/**
 * Adds the frames of the call stopped at a host call to a wasm trap that
 * unwinds through that host call, so the backtrace spans every wasm frame.
 *
 * @param store the store
 * @param e what the host call threw
 */
function extendBacktrace(store: Store<unknown>, e: unknown): void {
  if (!(e instanceof Trap) || !wasmTraps.has(e)) return;
  // The innermost frame stopped after its call instruction: point inside it.
  const frames = store._vm.backtrace().map((f, i) => i === 0 ? { ...f, pc: f.pc - 1 } : f);
  e._appendFrames(backtraceOf(store, frames));
}

function callingInstance(store: Store<unknown>): Instance | undefined {
  const inst = store._vm.inst;
  return inst === null ? undefined : store._instances[inst.id];
}

/**
 * Runs a wasm function to completion on the store's VM.
 *
 * @param func a wasm function
 * @param args checked arguments
 * @param type its type as seen by the caller (bit-pattern types for `callBits`)
 * @returns its results
 */
function callWasmSync(func: Func, args: Val[], type: FuncType): Val[] {
  const vm = func.store._vm;
  const base = enter(func.store, func);
  try {
    writeValues(func.store, type.params, vm, base, args);
    runEntered(func.store);
    return readValues(func.store, type.results, vm, base);
  } finally {
    vm.callEnd();
  }
}

/**
 * Runs an entered synchronous wasm call until its entry function returns
 * (host calls are served by the hook inside `run`); the results are then in
 * the entry's slots. The caller owns the `callStart`/`callEnd` pair.
 *
 * @param store the store
 * @throws Trap when execution traps, and whatever a host function throws
 */
export function runEntered(store: Store<unknown>): void {
  const exit = store._vm.callRunCode();
  if (exit !== EXIT_RETURN) serveExits(store, exit);
}

/**
 * Serves exits of a synchronous call until its entry function returns.
 *
 * @param store the store
 * @param exit the first exit, not `EXIT_RETURN`
 */
function serveExits(store: Store<unknown>, exit: number): void {
  const vm = store._vm;
  for (; exit !== EXIT_RETURN; exit = vm.callRunCode()) serveExit(store, exit);
}

/**
 * Serves an exit of a synchronous call other than its return, so that it
 * can resume, or throws the trap it means.
 *
 * @param store the store
 * @param exit the `EXIT_*` code `callRunCode` returned
 */
function serveExit(store: Store<unknown>, exit: number): void {
  const vm = store._vm;
  switch (exit) {
    case EXIT_HOST: {
      // Only without the hook (or a hook that declined): call the host here.
      const host = store._funcs[vm.hostFunc.hostId]!;
      const base = vm.hostBase;
      try {
        const ret = callHostFromWasm(store, host, base);
        if (isThenable(ret)) throw promiseInSyncCall();
        writeHostResults(store, host, base, ret);
      } catch (e) {
        extendBacktrace(store, e);
        throw e;
      }
      return;
    }
    case EXIT_EPOCH:
      throw trapHere(store, TrapCode.Interrupt);
    case EXIT_FUEL:
      if (!refuel(store, false)) throw trapHere(store, TrapCode.OutOfFuel);
      return;
    default:
      throw trapHere(store, vm.trapCode);
  }
}

/**
 * Moves fuel from the store's reserve (set aside by an async call running in
 * yield intervals) into the VM.
 *
 * @param store the store
 * @param all move everything (the interval's worth was not enough for one check)
 * @returns false when there is no reserve left (the fuel is really gone)
 */
function refuel(store: Store<unknown>, all: boolean): boolean {
  const reserve = store._fuelReserve;
  if (reserve <= 0) return false;
  const take = all ? reserve : Math.min(reserve, store._fuelYieldInterval ?? reserve);
  store._vm.fuel += take;
  store._fuelReserve = reserve - take;
  return true;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

async function suspend<R>(store: Store<unknown>, p: PromiseLike<R>): Promise<R> {
  store._suspended++;
  try {
    return await p;
  } finally {
    store._suspended--;
  }
}

/**
 * Runs a wasm function, awaiting host Promises and yielding at epoch
 * deadlines when the store asks for it.
 *
 * @param func a wasm function
 * @param args checked arguments
 * @returns its results
 */
async function callWasmAsync(func: Func, args: Val[]): Promise<Val[]> {
  const store = func.store;
  const vm = store._vm;
  store._maybeGc();
  const interval = store.engine.config.consumeFuel ? store._fuelYieldInterval : undefined;
  if (interval !== undefined) {
    // Hand the VM one interval's worth of fuel at a time; the rest waits in the reserve.
    const total = vm.fuel + store._fuelReserve;
    vm.fuel = Math.min(total, interval);
    store._fuelReserve = total - vm.fuel;
  }
  let lastFuelPc = -1;
  let fuelAfterRefuel = -1;
  const base = enter(store, func);
  const state = hostCallStates.get(vm)!;
  state.asyncDepth = vm.depth;
  try {
    writeValues(store, func.type.params, vm, base, args);
    for (let exit = vm.callRunCode(); exit !== EXIT_RETURN; exit = vm.callRunCode()) {
      switch (exit) {
        case EXIT_HOST: {
          const host = store._funcs[vm.hostFunc.hostId]!;
          const hostBase = vm.hostBase;
          // The hook already called the host when it left a Promise behind.
          const pending = state.pending;
          state.pending = undefined;
          try {
            let ret = pending ?? callHostFromWasm(store, host, hostBase);
            if (isThenable(ret)) ret = await suspend(store, ret);
            writeHostResults(store, host, hostBase, ret);
          } catch (e) {
            extendBacktrace(store, e);
            throw e;
          }
          break;
        }
        case EXIT_EPOCH: {
          const action = store.epochDeadlineAction;
          if (action.kind !== "yield") throw trapHere(store, TrapCode.Interrupt);
          await suspend(store, yieldToEventLoop());
          vm.epochDeadline = (store.engine.currentEpoch() + action.delta) | 0;
          break;
        }
        case EXIT_FUEL: {
          if (store._fuelReserve <= 0) throw trapHere(store, TrapCode.OutOfFuel);
          // A check that an interval's worth cannot satisfy gets the whole reserve.
          // (It is stuck when it stops again at the same check having spent nothing.)
          const stuck = vm.pc === lastFuelPc && vm.fuel === fuelAfterRefuel;
          if (!stuck) await suspend(store, yieldToEventLoop());
          refuel(store, stuck);
          lastFuelPc = vm.pc;
          fuelAfterRefuel = vm.fuel;
          break;
        }
        default:
          throw trapHere(store, vm.trapCode);
      }
    }
    return readValues(store, func.type.results, vm, base);
  } finally {
    state.asyncDepth = 0;
    state.pending = undefined;
    vm.callEnd();
    if (interval !== undefined) {
      vm.fuel += store._fuelReserve;
      store._fuelReserve = 0;
    }
  }
}

/**
 * Calls a function synchronously.
 *
 * @param func the function
 * @param args checked arguments
 * @returns checked results
 */
export function invokeSync(func: Func, args: Val[]): Val[] {
  if (func._host !== undefined) return callHostSync(func, args, undefined);
  return callWasmSync(func, args, func.type);
}

const bitsScratch = new Int32Array(2);

function convertBits(
  store: Store<unknown>,
  from: FuncType["params"],
  to: FuncType["params"],
  vals: Val[],
): Val[] {
  // Round-trip through a slot: written as one type, read as the other.
  return vals.map((v, i) => {
    writeSlot(store, from[i], bitsScratch, 0, v);
    return readSlot(store, to[i], bitsScratch, 0);
  });
}

/**
 * Calls a function synchronously with floats as bit patterns (f32 as an
 * i32 number, f64 as an i64 BigInt), so NaN payloads survive exactly.
 *
 * @param func the function
 * @param args checked arguments, of `bitsFuncType(func.type)`
 * @returns results, of `bitsFuncType(func.type)`
 */
export function invokeSyncBits(func: Func, args: Val[]): Val[] {
  const bits = bitsFuncType(func.type);
  if (func._host !== undefined) {
    const store = func.store;
    const results = callHostSync(
      func,
      convertBits(store, bits.params, func.type.params, args),
      undefined,
    );
    return convertBits(store, func.type.results, bits.results, results);
  }
  return callWasmSync(func, args, bits);
}

/**
 * Calls a function, awaiting host Promises.
 *
 * @param func the function
 * @param args checked arguments
 * @returns a Promise of checked results
 */
export async function invokeAsync(func: Func, args: Val[]): Promise<Val[]> {
  if (func._host !== undefined) {
    const store = func.store;
    let ret = func._host(new Caller(store, undefined), ...args);
    if (isThenable(ret)) ret = await suspend(store, ret);
    return hostResults(func, ret);
  }
  return await callWasmAsync(func, args);
}
