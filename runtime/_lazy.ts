/**
 * The VM's `lazyLower` hook for a store: a function of a module compiled
 * lazily (`compileModule(..., { lazy: true })`) is lowered on its first call.
 *
 * Invariants:
 * - The instance that met the stub gets the module's current code buffer, and
 *   its function's `VmFunc.entry` points at the code from then on (calls
 *   from the host and through tables skip the stub). Other instances of the
 *   module keep their array until they meet a stub themselves.
 * - Lowering cannot reject the module (validation covered every function);
 *   an internal failure propagates out of the call like a host exception.
 *
 * @module
 */

import { Op, type VmInstance } from "@capstan/interpreter";
import type { Store } from "./store.ts";

/**
 * Installs the store's `lazyLower` hook on its VM (once).
 *
 * @param store the store
 */
export function installLazyLowering(store: Store<unknown>): void {
  const vm = store._vm;
  if (vm.lazyLower !== null) return;
  vm.lazyLower = (inst: VmInstance, funcIndex: number) => {
    const cm = store._instances[inst.id].module._compiled;
    const f = cm.lower(funcIndex);
    inst.code = cm.executable;
    if (inst.code[f.entry + 4] === Op.lazy) {
      // only an image's code could hold a stub without a lowering behind it
      throw new Error(`function ${funcIndex} has no code (a damaged compiled-module image?)`);
    }
    vm.funcs[inst.vmctx[cm.offsets.functionWord(funcIndex)]].entry = f.entry;
    return f.entry;
  };
}
