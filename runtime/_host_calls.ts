/**
 * Host calls: calling a host function from JavaScript, and from wasm — its
 * arguments read from the VM's registers, its results checked and written
 * back — through the hook the VM's dispatch loop calls without leaving `run`.
 *
 * Invariants:
 * - Whatever a host function throws reaches the caller unchanged; a wasm
 *   trap unwinding through the host call gets the frames of the wasm call
 *   stopped there appended to its backtrace.
 * - A host function returning a Promise in a synchronous call is an error
 *   that says to use `callAsync`. In the running async call, the hook leaves
 *   the Promise in the VM's {@link HostCallState} and makes `run` exit, for
 *   that call to await.
 * - Plain functions (`Func.wrap`) of up to three parameters are called
 *   without an argument array; all-i32 and all-f64 ones have their values
 *   read and written inline.
 *
 * @module
 */

import {
  readF64Slot,
  readI32Slot,
  type Vm,
  writeF64Slot,
  writeI32Slot,
} from "@capstan/interpreter";
import { Caller, type Func, hostResults } from "./func.ts";
import type { Instance } from "./instance.ts";
import type { Store } from "./store.ts";
import { extendBacktrace } from "./_traps.ts";
import { clearDeadRefs } from "./_stack_maps.ts";
import { hostThrowToWasm } from "./tag.ts";
import { JsTierThrow } from "./_js_throw.ts";
import { Trap } from "./trap.ts";
import { toWasm, type Val } from "./val.ts";
import { readRegister, readRegisters, writeRegister, writeRegisters } from "./_slots.ts";

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
 * Whether a host function's result is a Promise to await (a thenable from a
 * function whose thenables are awaited, see `Func._awaits`), rather than a
 * value.
 *
 * @param func the host function
 * @param ret what it returned
 * @returns true when the caller must await it (or refuse it in a synchronous call)
 */
export function awaitsResult(func: Func, ret: unknown): ret is PromiseLike<unknown> {
  return func._awaits && isThenable(ret);
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
  if (awaitsResult(func, ret)) throw promiseInSyncCall();
  return hostResults(func, ret);
}

/**
 * The error of a host function that returned a Promise in a synchronous call.
 *
 * @returns the error, to throw
 */
export function promiseInSyncCall(): Error {
  return new Error(
    "a host function returned a Promise during a synchronous call; " +
      "use Func.callAsync (or Linker.instantiateAsync) to await host Promises",
  );
}

function callingInstance(store: Store<unknown>): Instance | undefined {
  const inst = store._vm.inst;
  return inst === null ? undefined : store._instances[inst.id];
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
export function callHostFromWasm(store: Store<unknown>, host: Func, base: number): unknown {
  const params = host.type.params;
  const vm = store._vm;
  const plain = host._plain;
  if (plain !== undefined && host._i32Only) {
    switch (params.length) {
      case 0:
        return plain();
      case 1:
        return plain(readI32Slot(vm, base));
      case 2:
        return plain(readI32Slot(vm, base), readI32Slot(vm, base + 1));
      case 3:
        return plain(readI32Slot(vm, base), readI32Slot(vm, base + 1), readI32Slot(vm, base + 2));
    }
  }
  if (plain !== undefined && host._f64Only) {
    switch (params.length) {
      case 0:
        return plain();
      case 1:
        return plain(readF64Slot(vm, base));
      case 2:
        return plain(readF64Slot(vm, base), readF64Slot(vm, base + 1));
      case 3:
        return plain(readF64Slot(vm, base), readF64Slot(vm, base + 1), readF64Slot(vm, base + 2));
    }
  }
  if (plain !== undefined) {
    switch (params.length) {
      case 0:
        return plain();
      case 1:
        return plain(readRegister(store, params[0], base));
      case 2:
        return plain(
          readRegister(store, params[0], base),
          readRegister(store, params[1], base + 1),
        );
      case 3:
        return plain(
          readRegister(store, params[0], base),
          readRegister(store, params[1], base + 1),
          readRegister(store, params[2], base + 2),
        );
    }
    return plain(...readRegisters(store, params, base));
  }
  const fn = host._host!;
  switch (params.length) {
    case 0:
      return fn(callerOf(store));
    case 1:
      return fn(callerOf(store), readRegister(store, params[0], base));
    case 2:
      return fn(
        callerOf(store),
        readRegister(store, params[0], base),
        readRegister(store, params[1], base + 1),
      );
  }
  return fn(callerOf(store), ...readRegisters(store, params, base));
}

/**
 * Checks what a host function returned and writes it to the VM's slots.
 *
 * @param store the store
 * @param host the host function
 * @param base the slot of its first result
 * @param ret its return value (not a Promise)
 */
export function writeHostResults(
  store: Store<unknown>,
  host: Func,
  base: number,
  ret: unknown,
): void {
  const results = host.type.results;
  if (results.length === 0) return;
  if (results.length === 1) {
    writeRegister(store, results[0], base, toWasm(store, results[0], ret, "host function result"));
    return;
  }
  writeRegisters(store, results, base, hostResults(host, ret));
}

/**
 * Serves the host call a synchronous call stopped at (`EXIT_HOST`: no hook,
 * or a hook that declined): calls the host function, writes its results.
 *
 * @param store the store
 */
export function serveHostExit(store: Store<unknown>): void {
  const vm = store._vm;
  const host = store._funcs[vm.hostFunc.hostId]!;
  const base = vm.hostBase;
  try {
    const ret = callHostFromWasm(store, host, base);
    if (awaitsResult(host, ret)) throw promiseInSyncCall();
    writeHostResults(store, host, base, ret);
  } catch (e) {
    extendBacktrace(store, e);
    throw e;
  }
}

/**
 * The deepest entry whose host calls the hook serves inside `run`; deeper
 * ones exit `run` first, so that `MAX_NESTED_ENTRIES` levels of wasm→host→wasm
 * fit in the JS stack (a `run` frame is large).
 */
const HOOK_MAX_DEPTH = 64;

/** Per-VM state of the host-call hook. */
export interface HostCallState {
  /** The entry depth of the running async call (0 when none): its host calls may return Promises. */
  asyncDepth: number;
  /** The Promise a host function returned in that async call, left for it to await. */
  pending: PromiseLike<unknown> | undefined;
}

const hostCallStates = new WeakMap<Vm, HostCallState>();

/**
 * The state of a VM's host-call hook.
 *
 * @param vm a VM whose hook is installed ({@link installHostCall})
 * @returns its state
 */
export function hostCallState(vm: Vm): HostCallState {
  return hostCallStates.get(vm)!;
}

/**
 * Installs the store's host-call hook on its VM: `run` calls host functions
 * through it without leaving the dispatch loop. A Promise returned in the
 * running async call is left in the state for that call to await (the hook
 * then asks `run` to exit); in a synchronous call it is an error.
 *
 * @param store the store
 */
export function installHostCall(store: Store<unknown>): void {
  const vm = store._vm;
  const state: HostCallState = { asyncDepth: 0, pending: undefined };
  hostCallStates.set(vm, state);
  // a JS-tier throw carries the VM's exception itself
  vm.hostException = (e) =>
    e instanceof JsTierThrow ? e.exn : hostThrowToWasm(store, e, e instanceof Trap);
  vm.hostCall = (f, base) => {
    // Deep in nested entries, leave `run` first: its frames would overflow the JS stack.
    if (vm.depth > HOOK_MAX_DEPTH) return false;
    const host = store._funcs[f.hostId]!;
    // the calling frame's dead references may be freed while the host runs
    if (vm.refs !== null) clearDeadRefs(store, base);
    try {
      const ret = callHostFromWasm(store, host, base);
      if (host._i32Only && typeof ret === "number" && (ret | 0) === ret) {
        // An i32 result, or none (then the value is ignored, as writeHostResults does).
        if (host.type.results.length !== 0) writeI32Slot(vm, base, ret);
        return true;
      }
      if (host._f64Only && typeof ret === "number") {
        if (host.type.results.length !== 0) writeF64Slot(vm, base, ret);
        return true;
      }
      if (awaitsResult(host, ret)) {
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
