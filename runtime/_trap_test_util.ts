/**
 * A test helper: the trap a call raises.
 *
 * @module
 */

import { Trap } from "./trap.ts";

/**
 * Runs `f` and returns the trap it throws.
 *
 * @param f the call
 * @returns its trap
 * @throws Error when it returns, and whatever else it throws
 */
export function trapOf(f: () => unknown): Trap {
  try {
    f();
  } catch (e) {
    if (e instanceof Trap) return e;
    throw e;
  }
  throw new Error("no trap");
}
