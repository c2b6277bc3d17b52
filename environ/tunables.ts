/**
 * Tunables: the compile-time switches that shape generated code. Anything
 * that is off here costs nothing at run time, because codegen emits no
 * instruction for it (as wasmtime's `Tunables`).
 *
 * @module
 */

/** Switches that change the code codegen emits. */
export interface Tunables {
  /** Emit fuel accounting (one unit per wasm operator) checked at blocks and loop headers. */
  readonly consumeFuel: boolean;
  /**
   * Check the epoch deadline: on entry, at every taken branch (so every loop's
   * back edge, stopping at its header) and at every call (stopping at the
   * callee's entry). The VM does the checks (its `epochs` dispatch loop); the
   * code is the same as without.
   */
  readonly epochInterruption: boolean;
  /** Emit an executed-bytecode-instruction counter (for dispatch benchmarks). */
  readonly countInstructions: boolean;
  /** Fuse frequent instruction pairs into super-instructions. */
  readonly superInstructions: boolean;
  /** Deterministic mode: every float result that is a NaN becomes the canonical NaN. */
  readonly nanCanonicalization: boolean;
}

/** The defaults: no fuel, no epochs, no counter, super-instructions on, NaNs as computed. */
export const DEFAULT_TUNABLES: Tunables = Object.freeze({
  consumeFuel: false,
  epochInterruption: false,
  countInstructions: false,
  superInstructions: true,
  nanCanonicalization: false,
});

/**
 * Tunables with some fields overridden.
 *
 * @param overrides the fields to change
 * @returns a complete, frozen {@link Tunables}
 * @example
 * ```ts
 * import { tunables } from "@capstan/environ";
 * if (!tunables({ consumeFuel: true }).consumeFuel) throw new Error();
 * ```
 */
export function tunables(overrides: Partial<Tunables> = {}): Tunables {
  return Object.freeze({ ...DEFAULT_TUNABLES, ...overrides });
}
