/**
 * How far code generation goes with GC: environ decodes and validates GC
 * modules in full, but values of the `any` hierarchy (anyref, eqref,
 * i31ref, structref, arrayref, nullref and references to struct and array
 * types) are not executed yet. A function that would hold one, and a module
 * whose globals, tables or segments would, is refused here with a clean
 * CompileError "unsupported ...", so no GC module ever runs with a wrong
 * representation.
 *
 * Invariants:
 * - A module that uses no value of the `any` hierarchy (every 2.0 module, and
 *   every module of typed function references and exceptions) passes both
 *   checks untouched and compiles exactly as before.
 *
 * @module
 */

import {
  CompileError,
  type ConstExpr,
  isConstGc,
  isRefType,
  type ModuleTranslation,
  refTop,
  ValType,
  valTypeName,
} from "@capstan/environ";

/**
 * Refuses a value type of the `any` hierarchy.
 *
 * @param type a value type
 * @param offset the code offset to name
 * @throws {CompileError} for a reference of the `any` hierarchy
 */
export function refuseGcValue(type: ValType, offset: number): void {
  if (isRefType(type) && refTop(type) === ValType.anyref) {
    throw new CompileError(`unsupported GC value type ${valTypeName(type)}`, offset);
  }
}

/** Refuses a constant expression holding a GC instruction. */
function refuseGcConst(expr: ConstExpr | undefined): void {
  for (const instr of expr ?? []) {
    if (isConstGc(instr)) throw new CompileError(`unsupported GC constant ${instr.op}`, 8);
  }
}

/**
 * Refuses a module whose globals, tables or element segments hold values of
 * the `any` hierarchy or are initialised by GC instructions.
 *
 * @param t the module
 * @throws {CompileError} naming the first such type or instruction
 */
export function refuseGcModule(t: ModuleTranslation): void {
  for (const g of t.globals) refuseGcValue(g.type, 8);
  for (const init of t.globalInits) refuseGcConst(init);
  for (const table of t.tables) {
    refuseGcValue(table.element, 8);
    refuseGcConst(table.init);
  }
  for (const seg of t.elements) {
    refuseGcValue(seg.type, 8);
    for (const item of seg.items) refuseGcConst(item);
  }
}
