/**
 * What the runtime does with the code's stack maps (`StackMapSink`: the
 * ref-file registers live at each call): before a host function runs, the
 * calling frame's ref-file entries that are not live at that call are
 * cleared, so values that only a dead temporary (or a slot since reused for a
 * number) still pointed to can be freed by the JS garbage collector while the
 * host runs.
 *
 * Invariants:
 * - Only an exact stack map of the calling instruction is trusted: the call
 *   ends at the VM's resume pc (a 3-word `call_import` / `return_call_import`
 *   or a 5-word indirect or reference call). Without one (a store that never
 *   ran GC code, or a module without struct or array types, whose calls
 *   with no live reference have no map), nothing is cleared.
 * - The cleared range is the caller's frame below the call's argument base:
 *   the arguments and everything above belong to the callee.
 *
 * @module
 */

import type { Store } from "./store.ts";

/**
 * Clears the calling frame's dead ref-file entries before a host call (see
 * the module doc).
 *
 * @param store the store
 * @param base the host call's argument base (absolute slot)
 */
export function clearDeadRefs(store: Store<unknown>, base: number): void {
  const vm = store._vm;
  const refs = vm.refs;
  if (refs === null || vm.inst === null) return;
  const instance = store._instances[vm.inst.id];
  if (instance === undefined) return;
  // the calling function (lowered, so its maps are known), and the map of its call that ends at pc
  const f = instance.module._compiled.funcAt(vm.pc - 1);
  const map = f?.stackMaps.find((m) => m.pc === vm.pc - 3 || m.pc === vm.pc - 5);
  if (map === undefined) return;
  const live = map.slots;
  const fp = vm.fp;
  for (let s = fp; s < base && s < refs.length; s++) {
    if (refs[s] !== null && !live.includes(s - fp)) refs[s] = null;
  }
}
