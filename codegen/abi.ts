/**
 * Calling conventions, by name.
 *
 * - `Wasm` (internal, wasm→wasm): the caller places arguments in consecutive
 *   registers starting at a base register; the callee's frame starts there, so
 *   its parameters are its registers `0..n-1`; results come back in the
 *   callee's registers `0..m-1`, i.e. the caller's `base..base+m-1` (multi-value
 *   needs nothing more). Return address, caller frame pointer and caller
 *   instance go on the VM's control stack.
 * - `ArrayCall` (host↔wasm): an array of raw 8-byte values — argument `i` in
 *   slot `base + i`, result `i` written back to slot `base + i` — where `base`
 *   is what `Vm.callStart` returns (host→wasm) or the `base` of a host-call
 *   `DoneReason` (wasm→host). Its length is {@link arrayCallSlots}.
 *
 * @module
 */

import type { FuncType } from "@capstan/environ";

/** The named calling conventions. */
export const CallConv: { readonly Wasm: "wasm"; readonly ArrayCall: "array-call" } = Object.freeze(
  {
    /** Internal wasm→wasm convention. */
    Wasm: "wasm",
    /** Host↔wasm convention over an array of raw values. */
    ArrayCall: "array-call",
  } as const,
);

/** A calling convention's name. */
export type CallConv = typeof CallConv[keyof typeof CallConv];

/**
 * The number of 8-byte slots an array call of `sig` uses: max(params, results).
 *
 * @param sig a function type
 * @returns the slot count (the `VmFunc.arity` of a function of that type)
 * @example
 * ```ts
 * import { arrayCallSlots } from "./abi.ts";
 * if (arrayCallSlots({ params: [0x7f], results: [0x7f, 0x7f] }) !== 2) throw new Error();
 * ```
 */
export function arrayCallSlots(sig: FuncType): number {
  return Math.max(sig.params.length, sig.results.length);
}
