/**
 * JavaScript Promise Integration (JSPI) on the facade: `WebAssembly.Suspending`
 * marks an imported JS function whose Promise suspends the wasm that called
 * it, and `WebAssembly.promising` turns an exported function into one that
 * returns a Promise of its results. Built on the runtime's async calls, so it
 * runs wherever Capstan runs, native JSPI or not.
 *
 * Invariants (the JSPI spec's, kept here):
 * - A suspending import may suspend only when the wasm calling it was entered
 *   by a `promising` call with nothing but wasm frames in between; otherwise
 *   it throws a {@link SuspendError} (into wasm, as any exception of an
 *   import) before calling the JS function.
 * - It suspends only when the JS function returns a thenable (as V8 does; a
 *   plain value is returned at once); when that settles the wasm resumes with
 *   the value converted to the import's results, or with the rejection thrown
 *   at the call.
 * - A suspended call is taken off the VM's stacks (`Vm.detachEntry`): while
 *   it waits, other exports may be called, other `promising` calls may start
 *   and suspend, and suspended calls resume in whatever order their Promises
 *   settle.
 * - A `promising` function always returns a Promise: argument conversion
 *   errors, traps (as `RuntimeError`) and wasm exceptions reject it.
 *
 * @module
 */

import type { Facade } from "./_facade.ts";
import { SuspendError } from "./_facade_errors.ts";
import { facadeError } from "./_facade_exceptions.ts";
import { invokeAsync, invokeDetaching } from "./_async.ts";
import { hostCallState } from "./_host_calls.ts";
import type { Val } from "./val.ts";

/** The JS function each {@link Suspending} wraps. */
const wrappedFunctions = new WeakMap<object, (...args: unknown[]) => unknown>();

/** `WebAssembly.Suspending`: a marker around a JS function to import as a suspending function. */
export class Suspending {
  /**
   * Wraps a function.
   *
   * @param jsFun the JS function (usually async)
   * @throws TypeError when it is not callable
   */
  constructor(jsFun: unknown) {
    if (typeof jsFun !== "function") {
      throw new TypeError("WebAssembly.Suspending: the argument must be callable");
    }
    wrappedFunctions.set(this, jsFun as (...args: unknown[]) => unknown);
  }
}
Object.defineProperty(Suspending.prototype, Symbol.toStringTag, {
  value: "WebAssembly.Suspending",
  configurable: true,
});

/**
 * The JS function a {@link Suspending} marker wraps.
 *
 * @param v an import value
 * @returns its function, or undefined when `v` is not a marker
 */
export function suspendingTarget(v: unknown): ((...args: unknown[]) => unknown) | undefined {
  return typeof v === "object" && v !== null ? wrappedFunctions.get(v) : undefined;
}

/**
 * A suspending import's JS function behind the check that it may suspend.
 *
 * @param facade the facade
 * @param fn the wrapped JS function
 * @returns the checked function
 */
export function suspendingCall(
  facade: Facade,
  fn: (...args: unknown[]) => unknown,
): (...args: unknown[]) => unknown {
  const vm = facade.store._vm;
  return (...args) => {
    const asyncDepth = hostCallState(vm)?.asyncDepth ?? 0;
    if (asyncDepth === 0) {
      throw new SuspendError("trying to suspend without WebAssembly.promising");
    }
    if (vm.depth !== asyncDepth) throw new SuspendError("trying to suspend JS frames");
    return fn(...args);
  };
}

/**
 * `WebAssembly.promising(wasmFunc)`: a function that calls the exported
 * function and returns a Promise of its results.
 *
 * @param facade the facade
 * @param wasmFunc an exported WebAssembly function of this facade
 * @returns the promising function
 * @throws TypeError when `wasmFunc` is not an exported WebAssembly function
 */
export function promising(
  facade: Facade,
  wasmFunc: unknown,
): (...args: unknown[]) => Promise<unknown> {
  if (typeof wasmFunc !== "function") {
    throw new TypeError("WebAssembly.promising: the argument must be callable");
  }
  const func = facade.funcOf(wasmFunc);
  if (func === undefined) {
    throw new TypeError(
      "WebAssembly.promising: the argument must be an exported WebAssembly function",
    );
  }
  const { params, results } = func.type;
  const run = async (args: unknown[]): Promise<unknown> => {
    const wasmArgs: Val[] = params.map((t, i) => facade.toWasm(args[i], t));
    let out: Val[];
    try {
      out = func.isHost ? await invokeAsync(func, wasmArgs) : await invokeDetaching(func, wasmArgs);
    } catch (error) {
      throw facadeError(facade, error);
    }
    if (results.length === 0) return undefined;
    if (results.length === 1) return facade.toJs(out[0], results[0]);
    return results.map((t, i) => facade.toJs(out[i], t));
  };
  const promisingFunction = function (...args: unknown[]): Promise<unknown> {
    return run(args);
  };
  Object.defineProperty(promisingFunction, "name", { value: "" });
  Object.defineProperty(promisingFunction, "length", { value: 1 });
  return promisingFunction;
}
