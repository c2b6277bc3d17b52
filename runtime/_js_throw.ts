/**
 * A wasm exception in flight through JS-tier frames: the JS value the JS
 * tier throws for `throw` and `throw_ref` (a plain object, no stack trace
 * captured), caught by the JS `try/catch` of a function with handlers.
 *
 * Invariants:
 * - It never reaches the host: where JS code returns to the host (the VM's
 *   `tierEntry`) it becomes the value the interpreter would have thrown
 *   ({@link hostValueOfExn}); where it unwinds into interpreter frames, the
 *   VM takes its exception (`hostThrowToWasm`).
 * - The exception object is the VM's own (`VmException`), so an `exnref`
 *   to it and a rethrow keep its identity across tiers.
 *
 * @module
 */

import type { VmException } from "@capstan/interpreter";
import type { Store } from "./store.ts";
import { JS_TAG, wasmExceptionFor } from "./tag.ts";

/** A wasm exception thrown by JS-tier code (see the module doc). */
export class JsTierThrow {
  /** The exception. */
  readonly exn: VmException;

  /**
   * @param exn the exception thrown
   */
  constructor(exn: VmException) {
    this.exn = exn;
  }
}

/**
 * What the host sees of a wasm exception leaving wasm: the value a host
 * function threw (an exception of the JS tag), or its `WasmException`.
 *
 * @param store the store
 * @param exn the exception
 * @returns the value to throw to the host
 */
export function hostValueOfExn(store: Store<unknown>, exn: VmException): unknown {
  if (exn.tag === JS_TAG) return exn.host;
  return wasmExceptionFor(store, exn);
}
