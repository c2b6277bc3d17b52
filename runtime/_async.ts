/**
 * Async calls (`Func.callAsync`, `Linker.instantiateAsync`): a wasm call
 * that awaits the Promises its host functions return and yields to the
 * event loop at epoch deadlines and between fuel intervals.
 *
 * Invariants:
 * - While a call awaits, the VM stays stopped where it was (at the host
 *   call, the deadline or the fuel check) and the store counts as suspended,
 *   refusing other calls; when the Promise settles the call resumes there.
 * - With a fuel yield interval, the VM holds one interval's worth of fuel at
 *   a time and the rest waits in the store's reserve; at the end everything
 *   left returns to the VM.
 * - At an epoch deadline the call traps "interrupt" unless the store's
 *   deadline action is to yield, which extends the deadline by its delta.
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import { EXIT_EPOCH, EXIT_FUEL, EXIT_HOST, EXIT_RETURN, EXIT_THROW } from "@capstan/interpreter";
import { Caller, type Func, hostResults } from "./func.ts";
import type { Store } from "./store.ts";
import type { Val } from "./val.ts";
import { enter } from "./_entry.ts";
import { refuel, thrownOut } from "./_exits.ts";
import { awaitsResult, callHostFromWasm, hostCallState, writeHostResults } from "./_host_calls.ts";
import { readRegisters, writeRegisters } from "./_slots.ts";
import { extendBacktrace, trapHere } from "./_traps.ts";

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * How a running async call waits: in place, the store refusing other calls
 * meanwhile (`Func.callAsync`), or taken off the VM's stacks so that other
 * calls run meanwhile and waiting calls resume in any order (JSPI's
 * `promising`).
 */
interface Waiting {
  readonly store: Store<unknown>;
  /** Whether the call leaves the stacks while it waits. */
  readonly detach: boolean;
  /** The host-call state's async depth outside this call, given back while it waits. */
  readonly outerAsyncDepth: number;
  /** The call's first slot (where its results come back): it moves when a detached call comes back. */
  base: number;
}

/**
 * Waits for a Promise with the store counting as suspended (refusing other
 * calls) meanwhile.
 *
 * @param store the store
 * @param p what it waits for
 * @returns the Promise's value
 */
async function waitInPlace<R>(store: Store<unknown>, p: PromiseLike<R>): Promise<R> {
  store._suspended++;
  try {
    return await p;
  } finally {
    store._suspended--;
  }
}

/**
 * Waits for a Promise as the call's {@link Waiting} says.
 *
 * @param w how the call waits
 * @param p what it waits for
 * @returns the Promise's value
 */
async function wait<R>(w: Waiting, p: PromiseLike<R>): Promise<R> {
  const store = w.store;
  if (!w.detach) return await waitInPlace(store, p);
  const vm = store._vm;
  const state = hostCallState(vm);
  const entry = vm.detachEntry();
  state.asyncDepth = w.outerAsyncDepth;
  try {
    return await p;
  } finally {
    w.base = vm.attachEntry(entry);
    state.asyncDepth = vm.depth;
  }
}

/**
 * Runs a wasm function, awaiting host Promises and yielding at epoch
 * deadlines when the store asks for it.
 *
 * @param func a wasm function
 * @param args checked arguments
 * @param detach whether the call leaves the VM's stacks while it waits (see {@link Waiting})
 * @returns its results
 */
async function callWasmAsync(func: Func, args: Val[], detach: boolean): Promise<Val[]> {
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
  const state = hostCallState(vm);
  const waiting: Waiting = { store, detach, outerAsyncDepth: state.asyncDepth, base };
  state.asyncDepth = vm.depth;
  try {
    writeRegisters(store, func.type.params, base, args);
    for (let exit = vm.callRunCode(); exit !== EXIT_RETURN; exit = vm.callRunCode()) {
      switch (exit) {
        case EXIT_HOST: {
          const host = store._funcs[vm.hostFunc.hostId]!;
          // The hook already called the host when it left a Promise behind.
          const pending = state.pending;
          state.pending = undefined;
          try {
            let ret = pending ?? callHostFromWasm(store, host, vm.hostBase);
            if (awaitsResult(host, ret)) ret = await wait(waiting, ret);
            // (read after the wait: a detached call may come back elsewhere on the stacks)
            writeHostResults(store, host, vm.hostBase, ret);
          } catch (e) {
            // a wasm exception (or a host value) thrown into wasm: to its handler, or out
            if (vm.hostException?.(e) == null) {
              extendBacktrace(store, e);
              throw e;
            }
            if (vm.catchHostThrow(e) === EXIT_THROW) throw thrownOut(store);
          }
          break;
        }
        case EXIT_THROW:
          throw thrownOut(store);
        case EXIT_EPOCH: {
          const action = store.epochDeadlineAction;
          if (action.kind !== "yield") throw trapHere(store, TrapCode.Interrupt);
          await wait(waiting, yieldToEventLoop());
          vm.epochDeadline = (store.engine.currentEpoch() + action.delta) | 0;
          break;
        }
        case EXIT_FUEL: {
          if (store._fuelReserve <= 0) throw trapHere(store, TrapCode.OutOfFuel);
          // A check that an interval's worth cannot satisfy gets the whole reserve.
          // (It is stuck when it stops again at the same check having spent nothing.)
          const stuck = vm.pc === lastFuelPc && vm.fuel === fuelAfterRefuel;
          if (!stuck) await wait(waiting, yieldToEventLoop());
          refuel(store, stuck);
          lastFuelPc = vm.pc;
          fuelAfterRefuel = vm.fuel;
          break;
        }
        default:
          throw trapHere(store, vm.trapCode);
      }
    }
    return readRegisters(store, func.type.results, waiting.base);
  } finally {
    state.asyncDepth = waiting.outerAsyncDepth;
    state.pending = undefined;
    vm.callEnd();
    if (interval !== undefined) {
      vm.fuel += store._fuelReserve;
      store._fuelReserve = 0;
    }
  }
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
    if (awaitsResult(func, ret)) ret = await waitInPlace(store, ret);
    return hostResults(func, ret);
  }
  return await callWasmAsync(func, args, false);
}

/**
 * Calls a wasm function as JSPI's `promising` does: host Promises are
 * awaited with the call taken off the VM's stacks, so the store stays usable
 * meanwhile (other calls, other waiting calls resuming in any order).
 *
 * @param func a wasm function
 * @param args checked arguments
 * @returns a Promise of checked results
 */
export async function invokeDetaching(func: Func, args: Val[]): Promise<Val[]> {
  func.store.checkNotBusy("calling a function");
  return await callWasmAsync(func, args, true);
}
