/**
 * A 64-bit memory (memory64) on the JS tier: effective addresses from an
 * i64 address (a pair, see `_js_i64.ts`), the kinds of the generic access
 * ops (`mem_load`, `mem_store`) and of the memory builtins, whose addresses
 * and sizes are i64 for such a memory.
 *
 * Invariants:
 * - An effective address is computed in doubles: `u64(address) + offset` is
 *   exact below 2^53, and at or past 2^53 it rounds (monotonically) to a
 *   double at or past 2^53, above every memory's length
 *   (`MAX_MEMORY_BYTES` is 2^53 - 1): the bounds check `e + n > ML` traps
 *   exactly when the access is out of bounds.
 * - The JS tier addresses memory 0 only: a generic access to another memory
 *   has no kinds here (its function runs on the interpreter).
 *
 * @module
 */

import { isGcRef } from "./_gc_support.ts";
import { BUILTINS, type ModuleTranslation } from "@capstan/environ";
import { BYTECODE_OPS } from "@capstan/interpreter";
import type { Pair } from "./_js_i64.ts";
import type { RegKind } from "./_js_op_shapes.ts";

/**
 * The statement setting `e` to the effective address `u64(p) + (offHi:offLo)`.
 *
 * @param p the address's halves
 * @param offLo the offset's low 32 bits
 * @param offHi its high 32 bits
 * @returns the statement
 */
export function address64(p: Pair, offLo: number, offHi = 0): string {
  const off = (offHi >>> 0) * 4294967296 + (offLo >>> 0);
  const hi = /^\(?0\)?$/.test(p[1]) ? "" : `(${p[1]} >>> 0) * 4294967296 + `;
  return `e = ${hi}(${p[0]} >>> 0)${off === 0 ? "" : ` + ${off}`};`;
}

/**
 * The statement setting `e` to a 32-bit address plus a 64-bit offset.
 *
 * @param a the address (an int32 expression)
 * @param offLo the offset's low 32 bits
 * @param offHi its high 32 bits
 * @returns the statement
 */
export function address32(a: string, offLo: number, offHi: number): string {
  const off = (offHi >>> 0) * 4294967296 + (offLo >>> 0);
  return `e = (${a} >>> 0)${off === 0 ? "" : ` + ${off}`};`;
}

/** Whether memory `index` of a module has 64-bit addresses. */
export function isMemory64(translation: ModuleTranslation, index: number): boolean {
  return translation.memories[index]?.address64 === true;
}

/**
 * The row kinds of a generic access (`mem_load`, `mem_store`: operands
 * `d/a, a/v, mem, kind, lo, hi`): the kinds of the op it does as (`kind`),
 * its address an i64 for a 64-bit memory; undefined for a memory other than 0.
 *
 * @param translation the module
 * @param operands the instruction's operands
 * @param kindsOf the row kinds of an op, by name
 * @returns the kinds, and the op it does as
 */
export function genericAccessKinds(
  translation: ModuleTranslation,
  operands: readonly (number | number[])[],
  kindsOf: (name: string) => string | undefined,
): { readonly kinds: string; readonly as: string } | undefined {
  if (operands[2] !== 0) return undefined;
  const as = BYTECODE_OPS[operands[3] as number].name;
  const kinds = kindsOf(as);
  if (kinds === undefined) return undefined;
  const toks = kinds.split(" ");
  const at = toks[0].startsWith("=") ? 1 : 0; // a load's address follows its destination
  toks[at] = isMemory64(translation, 0) ? "B" : "I";
  return { kinds: toks.join(" "), as };
}

/**
 * The kinds of a builtin's arguments and results: an address or a size of a
 * 64-bit memory is an i64 (as the interpreter's `callBuiltin` reads them).
 *
 * @param translation the module
 * @param id the builtin
 * @param s0 its first immediate (the memory, the destination of a copy)
 * @param s1 its second (the source memory of a copy)
 * @returns the kinds of its parameters and results
 */
export function builtinKinds(
  translation: ModuleTranslation,
  id: number,
  s0: number,
  s1: number,
): { readonly params: RegKind[]; readonly results: RegKind[] } {
  const b = BUILTINS[id];
  const params: RegKind[] = b.params.map(() => "I");
  const results: RegKind[] = b.results.map(() => "I");
  const m64 = isMemory64(translation, s0);
  switch (b.name) {
    case "memory_grow":
      if (m64) params[0] = results[0] = "B";
      break;
    case "memory_fill":
      if (m64) params[0] = params[2] = "B";
      break;
    case "memory_init":
      if (m64) params[0] = "B";
      break;
    case "memory_copy": {
      const src64 = isMemory64(translation, s1);
      if (m64) params[0] = "B";
      if (src64) params[1] = "B";
      if (m64 && src64) params[2] = "B";
      break;
    }
    // the value a table of the `any` hierarchy grows or fills with: a reference
    case "table_grow":
      if (isGcRef(translation.tables[s0].element)) params[0] = "R";
      break;
    case "table_fill":
      if (isGcRef(translation.tables[s0].element)) params[1] = "R";
      break;
  }
  return { params, results };
}
