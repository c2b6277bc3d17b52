/**
 * Canonical type ids in code that moves between processes or threads.
 *
 * GC ops name types by canonical id (operand kind `c` in the op table), and
 * canonical ids are given by a process's type registry: another process, or
 * another thread (a worker has its own registry), may give the same type
 * another id. The lowering records each such operand as a `type`
 * relocation whose index is the id. Code leaving its process (an image, a
 * shareable module) carries those relocations as module type indices
 * instead ({@link typeRelocsAsIndices}); code arriving is patched with the
 * ids its module's types have here ({@link relocateTypes}). JavaScript
 * written ahead of time cannot be patched: a function whose IR names a
 * canonical id ({@link namesCanonicalTypes}) runs there on the interpreter.
 *
 * @module
 */

import { BYTECODE_OPS } from "@capstan/interpreter";
import type { CompiledFunction } from "./compile.ts";
import type { IrFunction } from "./ir.ts";
import type { Reloc } from "./sinks.ts";

/**
 * The functions with their `type` relocations naming module type indices.
 *
 * @param functions compiled functions, their `type` relocations canonical ids
 * @param typeIds the module's canonical id of every type index (this process's)
 * @returns the functions, changed only where they have `type` relocations
 * @throws {Error} when a relocation names an id none of the module's types has
 */
export function typeRelocsAsIndices(
  functions: readonly CompiledFunction[],
  typeIds: Int32Array | undefined,
): CompiledFunction[] {
  let indexOf: Map<number, number> | undefined;
  return functions.map((f) => {
    if (!f.relocs.some((r) => r.kind === "type")) return f;
    if (indexOf === undefined) {
      indexOf = new Map();
      const ids = typeIds ?? new Int32Array(0);
      for (let i = ids.length - 1; i >= 0; i--) indexOf.set(ids[i], i); // the first index wins
    }
    const map = indexOf;
    const relocs = f.relocs.map((r): Reloc => {
      if (r.kind !== "type") return r;
      const index = map.get(r.index);
      if (index === undefined) throw new Error(`code names type ${r.index}, not its module's`);
      return { pc: r.pc, kind: "type", index };
    });
    return { ...f, relocs };
  });
}

/**
 * Patches code whose `type` relocations name module type indices with the
 * canonical ids those types have in this process, and gives the functions
 * with their relocations naming those ids.
 *
 * @param code the module's code (patched in place where an id differs)
 * @param functions its functions, their `type` relocations module type indices
 * @param typeIds the module's canonical id of every type index, here
 * @returns the functions, their `type` relocations canonical ids
 * @throws {RangeError} when a relocation names no type of the module or lies outside the code
 */
export function relocateTypes(
  code: Int32Array,
  functions: readonly CompiledFunction[],
  typeIds: Int32Array | undefined,
): CompiledFunction[] {
  return functions.map((f) => {
    if (!f.relocs.some((r) => r.kind === "type")) return f;
    const relocs = f.relocs.map((r): Reloc => {
      if (r.kind !== "type") return r;
      const id = typeIds?.[r.index];
      if (id === undefined || !(r.pc >= f.entry && r.pc < f.end && r.pc < code.length)) {
        throw new RangeError(
          `a type relocation at ${r.pc} names no type of its module (${r.index})`,
        );
      }
      if (code[r.pc] !== id) code[r.pc] = id;
      return { pc: r.pc, kind: "type", index: id };
    });
    return { ...f, relocs };
  });
}

/**
 * Whether a function's IR names a canonical type id (an operand of kind `c`
 * naming a concrete type), which code for another process must not hold
 * as a constant.
 *
 * @param ir the function's IR
 * @returns true when some instruction does
 */
export function namesCanonicalTypes(ir: IrFunction): boolean {
  for (const ins of ir.insts) {
    const operands = BYTECODE_OPS[ins.op]?.operands;
    if (operands === undefined) continue; // a label
    for (let k = 0; k < operands.length; k++) {
      if (operands[k].kind === "c" && (ins.operands[k] as number) >= 0) return true;
    }
  }
  return false;
}
