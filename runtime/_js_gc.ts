/**
 * The GC helpers of JS-tier code (`H.gc`, bound as `G` by a module that uses
 * GC values: see `codegen/_js_gc.ts`). A GC reference on the JS tier is the
 * interpreter's own value (`GcStruct`, `GcArray`, an i31 as a number, a
 * `HostRef`, null), held in a JS local, so values cross tiers unchanged.
 *
 * - The object classes, for allocation and `instanceof` tests in place.
 * - `sub`: whether canonical type `a` is under `b` (the registry's supertype
 *   display: one index and a compare), for casts to a non-final type.
 * - `run`: a bulk or rare GC op (array allocation, fill, copy, segment reads)
 *   run by the interpreter's own handler over scratch slots, so its traps
 *   and limits are the interpreter's exactly; `fixed`: a fixed array from
 *   its values.
 * - The conversions between extern handles and internalised values, and the
 *   tests of function, extern and exception handles.
 *
 * Invariants:
 * - `run` reads its operands from the slots at `base` (the JS tier's free
 *   slots, above its frame) and writes its result there; it returns 0, or
 *   minus the trap code.
 *
 * @module
 */

import { HeapType } from "@capstan/environ";
import {
  GcArray,
  GcObject,
  GcStruct,
  isSubtypeId,
  newArrayData,
  refRegisters,
  runGc,
  type Vm,
  type VmInstance,
} from "@capstan/interpreter";

/** The bottom heap types of the hierarchies of handles (operands): nofunc, noextern, noexn, nocont. */
const HANDLE_BOTTOMS: readonly number[] = [
  -HeapType.nofunc,
  -HeapType.noextern,
  -HeapType.noexn,
  -HeapType.nocont,
];

/** The helpers (see the module doc). */
export const JS_GC_HELPERS = Object.freeze({
  /** The struct class. */
  S: GcStruct,
  /** The array class. */
  A: GcArray,
  /** The common class of structs and arrays. */
  O: GcObject,
  /** Whether canonical type `a` is `b` or under it (the shared supertype display). */
  sub: isSubtypeId,
  /** The VM's reference register file (allocated on first use). */
  refs: (vm: Vm): unknown[] => vm.refs ?? refRegisters(vm),
  /**
   * Runs GC op `code` (registers relative to `base`) on the interpreter's handler.
   *
   * @returns 0, or minus a trap code
   */
  run: (vm: Vm, inst: VmInstance, code: readonly number[], base: number): number => {
    // (the handler only indexes its code: the site's small array serves as it is)
    const r = runGc(vm, inst, code as unknown as Int32Array, 0, base);
    return r < 0 ? r : 0;
  },
  /**
   * `array.new_fixed`: an array of canonical type `type` and element
   * storage `st` (not v128) holding `values`, as stored.
   */
  fixed: (type: number, st: number, values: readonly unknown[]): GcArray => {
    const data = newArrayData(st, values.length);
    for (let k = 0; k < values.length; k++) (data as unknown[])[k] = values[k];
    return new GcArray(type, values.length, data);
  },
  /** `any.convert_extern` of extern handle `h`. */
  anyOf: (vm: Vm, h: number): unknown => h === 0 ? null : vm.gcHost!.anyOfExtern(h),
  /** `extern.convert_any` of a value of the `any` hierarchy: its extern handle. */
  externOf: (vm: Vm, v: unknown): number => v === null ? 0 : vm.gcHost!.externOfAny(v),
  /** Whether handle `h` (func, extern, exn; 0 null) is of heap type `ht` (`nul`: null passes). */
  handleIs: (vm: Vm, h: number, ht: number, nul: number): boolean => {
    if (h === 0) return nul !== 0;
    if (ht < 0) return !HANDLE_BOTTOMS.includes(ht);
    return vm.gcHost!.funcIsSubtype(h, ht);
  },
  /** Whether a function of signature id `a` may be called as signature id `b` (declared subtyping). */
  sigSub: (vm: Vm, a: number, b: number): boolean =>
    vm.gcHost !== null && vm.gcHost.sigIsSubtype(a, b),
});
