/**
 * Exits of a synchronous wasm call: what `Vm.callRunCode` returns other than
 * `EXIT_RETURN`, served so the call can resume — a host call, more fuel from
 * the store's reserve — or turned into the trap it means.
 *
 * Invariants:
 * - At an epoch deadline a synchronous call traps "interrupt" (only an async
 *   call can yield there).
 * - Out of fuel traps "all fuel consumed" once the store's reserve (fuel an
 *   async call holds back between yields) is empty too.
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import { EXIT_EPOCH, EXIT_FUEL, EXIT_HOST, EXIT_RETURN, EXIT_THROW } from "@capstan/interpreter";
import type { Store } from "./store.ts";
import { serveHostExit } from "./_host_calls.ts";
import { trapHere } from "./_traps.ts";
import { hostValueOfExn } from "./_js_throw.ts";

/**
 * Serves exits of a synchronous call until its entry function returns.
 *
 * @param store the store
 * @param exit the first exit, not `EXIT_RETURN`
 * @throws Trap when execution traps, and whatever a host function throws
 */
export function serveExits(store: Store<unknown>, exit: number): void {
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
  switch (exit) {
    case EXIT_HOST:
      // Only without the hook (or a hook that declined): call the host here.
      try {
        serveHostExit(store);
      } catch (e) {
        // a wasm exception (or a host value) thrown into wasm: to its handler, or out
        if (store._vm.catchHostThrow(e) === EXIT_THROW) throw thrownOut(store);
      }
      return;
    case EXIT_THROW:
      throw thrownOut(store);
    case EXIT_EPOCH:
      throw trapHere(store, TrapCode.Interrupt);
    case EXIT_FUEL:
      if (!refuel(store, false)) throw trapHere(store, TrapCode.OutOfFuel);
      return;
    default:
      throw trapHere(store, store._vm.trapCode);
  }
}

/**
 * What the host sees of the wasm exception that left the activation: the
 * value a host function threw, or a `WasmException`.
 *
 * @param store the store
 * @returns the value to throw
 */
export function thrownOut(store: Store<unknown>): unknown {
  const exn = store._vm.thrown!;
  store._vm.thrown = null;
  return hostValueOfExn(store, exn);
}

/**
 * Moves fuel from the store's reserve (set aside by an async call running in
 * yield intervals) into the VM.
 *
 * @param store the store
 * @param all move everything (the interval's worth was not enough for one check)
 * @returns false when there is no reserve left (the fuel is really gone)
 */
export function refuel(store: Store<unknown>, all: boolean): boolean {
  const reserve = store._fuelReserve;
  if (reserve <= 0) return false;
  const take = all ? reserve : Math.min(reserve, store._fuelYieldInterval ?? reserve);
  store._vm.fuel += take;
  store._fuelReserve = reserve - take;
  return true;
}
