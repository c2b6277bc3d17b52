/**
 * `WasiExit`: the exception `proc_exit` throws to unwind the guest.
 *
 * It passes unchanged through wasm frames in any engine that propagates host exceptions (native
 * V8 and Capstan both do); {@linkcode Wasi.start} catches it and returns its code.
 *
 * @module
 */

/**
 * Thrown by `proc_exit(code)`; carries the guest's exit code.
 *
 * @example
 * ```ts
 * import { WasiExit } from "@capstan/wasi";
 * import assert from "node:assert/strict";
 * const e = new WasiExit(3);
 * assert.equal(e.code, 3);
 * assert.ok(e instanceof Error);
 * ```
 */
export class WasiExit extends Error {
  /** The exit code passed to `proc_exit` (an unsigned 32-bit value). */
  readonly code: number;

  /**
   * Makes the exception for `proc_exit(code)`.
   *
   * @param code the exit code
   */
  constructor(code: number) {
    super(`wasi: proc_exit(${code})`);
    this.name = "WasiExit";
    this.code = code;
  }
}
