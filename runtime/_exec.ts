/**
 * The call path: how a {@link Func} call runs, synchronously or
 * asynchronously, for host functions and wasm functions.
 *
 * Invariants:
 * - Arguments arrive already checked against the function's type.
 * - Whatever a host function throws reaches the caller unchanged.
 * - A host function returning a Promise in a synchronous call is an error
 *   that says to use `callAsync`.
 *
 * @module
 */

import { Caller, type Func, hostResults } from "./func.ts";
import type { Instance } from "./instance.ts";
import type { Val } from "./val.ts";

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
  if (isThenable(ret)) {
    throw new Error(
      "a host function returned a Promise during a synchronous call; " +
        "use Func.callAsync (or Linker.instantiateAsync) to await host Promises",
    );
  }
  return hostResults(func, ret);
}

/** Runs wasm functions; installed by the execution layer. */
export interface WasmRunner {
  /** Runs a wasm function to completion. */
  callSync(func: Func, args: Val[]): Val[];
  /** Runs a wasm function, awaiting host Promises. */
  callAsync(func: Func, args: Val[]): Promise<Val[]>;
}

let runner: WasmRunner | undefined;

/**
 * Installs the wasm execution layer.
 *
 * @param r the runner
 */
export function setWasmRunner(r: WasmRunner): void {
  runner = r;
}

function wasmRunner(): WasmRunner {
  if (runner === undefined) throw new Error("wasm execution is not available in this build");
  return runner;
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
  return wasmRunner().callSync(func, args);
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
    if (isThenable(ret)) {
      store._suspended = true;
      try {
        ret = await ret;
      } finally {
        store._suspended = false;
      }
    }
    return hostResults(func, ret);
  }
  return await wasmRunner().callAsync(func, args);
}
