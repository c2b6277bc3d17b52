/**
 * Which values live in the interpreter's reference register file, and what
 * of GC code generation does not run yet. A value of the `any` hierarchy
 * (anyref, eqref, i31ref, structref, arrayref, nullref and references to
 * struct and array types) is held in the ref file (`Vm.refs`) at its
 * register's slot, its numeric slot unused ({@link isGcRef}); moves, selects,
 * globals and null tests of such values use the `ref_*` ops. Function,
 * extern and exception references stay i32 handles in the numeric slots.
 *
 * An exception whose tag carries values of the `any` hierarchy is thrown by
 * `throw_gc`, which takes their ref-file entries along (`VmException.refs`).
 * Not executed yet, refused with a CompileError "unsupported ...": such an
 * exception thrown into a continuation by `resume_throw` (its op takes the
 * numeric words only).
 *
 * Invariants:
 * - A module that uses no value of the `any` hierarchy (every 2.0 module, and
 *   every module of typed function references and exceptions) compiles
 *   exactly as before.
 *
 * @module
 */

import { CompileError, isRefType, refTop, ValType, valTypeName } from "@capstan/environ";

/**
 * Whether a value type is held in the ref file: a reference of the `any` hierarchy.
 *
 * @param type a value type
 * @returns true for anyref, eqref, ..., and references to struct and array types
 * @example
 * ```ts
 * import { ValType } from "@capstan/environ";
 * import { isGcRef } from "./_gc_support.ts";
 * if (!isGcRef(ValType.anyref) || isGcRef(ValType.funcref)) throw new Error();
 * ```
 */
export function isGcRef(type: ValType): boolean {
  return isRefType(type) && refTop(type) === ValType.anyref;
}

/**
 * Refuses a value type of the `any` hierarchy where it cannot run yet.
 *
 * @param type a value type
 * @param offset the code offset to name
 * @param where what holds it, for the message
 * @throws {CompileError} for a reference of the `any` hierarchy
 */
export function refuseGcValue(type: ValType, offset: number, where: string): void {
  if (isGcRef(type)) {
    throw new CompileError(`unsupported GC value type ${valTypeName(type)} in ${where}`, offset);
  }
}
