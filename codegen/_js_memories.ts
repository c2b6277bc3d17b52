/**
 * Memories other than memory 0 on the JS tier (multiple memories).
 *
 * Memory 0 is read through the function's cached view (`M`, length `ML`,
 * re-derived after anything that may grow it); any other memory `m` through
 * `X.memories[m]` at each access, whose view and length the runtime keeps
 * current, so nothing is cached and nothing needs re-deriving. An access to
 * memory `m` (`mem_load`/`mem_store`) is the memory-0 op its `kind` operand
 * names, on the same registers, written with `M`/`ML` standing for memory
 * `m`'s; `memory_size` names its memory the same way.
 *
 * Invariants:
 * - Only 32-bit, unshared memories of 64 KiB pages are addressed here (see
 *   {@link jsAddressableMemories}); an offset of 2^32 or more (`hi` not 0)
 *   is past every such memory, so it traps as the interpreter's bounds check
 *   does.
 *
 * @module
 */

import type { ModuleTranslation } from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import type { IrInst } from "./ir.ts";

/** A `mem_load`/`mem_store` as the memory-0 op it runs, and the memory it runs on. */
export interface MemoryAccess {
  /** The memory-0 op (its `k` operand 0, its offset the access's low offset word). */
  readonly ins: IrInst;
  /** The memory index. */
  readonly memory: number;
  /** Whether the offset is 2^32 or more (the access always traps). */
  readonly pastEnd: boolean;
}

/**
 * The memory-0 form of an access to any memory (`mem_load`, `mem_store`).
 *
 * @param ins an IR instruction
 * @returns its memory-0 form, or undefined for any other op
 */
export function memoryAccess(ins: IrInst): MemoryAccess | undefined {
  if (ins.op !== Op.mem_load && ins.op !== Op.mem_store) return undefined;
  // mem_load d a mem kind lo hi / mem_store a v mem kind lo hi → kind d|a a|v 0 lo
  const [r0, r1, memory, kind, lo, hi] = ins.operands as number[];
  return {
    ins: { op: kind, operands: [r0, r1, 0, lo], wasmOffset: ins.wasmOffset },
    memory,
    pastEnd: hi !== 0,
  };
}

/**
 * JS written for memory 0 (`M`, `ML`) as JS for memory `m`.
 *
 * @param text statements of a memory-0 template
 * @param m the memory index
 * @returns the statements on memory `m`
 */
export function onMemory(text: string, m: number): string {
  if (m === 0) return text;
  return text.replace(/\bML\b/g, `X.memories[${m}].byteLength`)
    .replace(/\bM\./g, `X.memories[${m}].view.`);
}

/**
 * The memory index an instruction names when it is one of the ops that
 * name one by an immediate (`memory_size`, `mem_load`, `mem_store`).
 *
 * @param ins an IR instruction
 * @returns the memory index, or undefined
 */
export function memoryNamed(ins: IrInst): number | undefined {
  if (ins.op === Op.memory_size) return ins.operands[1] as number;
  return memoryAccess(ins)?.memory;
}

/**
 * Whether the JS tier can address every memory of a module: each 32-bit,
 * of 64 KiB pages and unshared (a cached length cannot see another
 * thread's growth).
 *
 * @param translation the module
 * @returns true when it can
 */
export function jsAddressableMemories(translation: ModuleTranslation): boolean {
  return translation.memories.every((m) =>
    !m.address64 && (m.pageSizeLog2 ?? 16) === 16 && !m.shared
  );
}
