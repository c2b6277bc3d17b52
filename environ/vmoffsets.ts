/**
 * `VMOffsets`: where each field of an instance's vmctx lives, computed per
 * module. In Capstan the numeric part of a vmctx is an `Int32Array` that the
 * runtime builds at instantiation and the VM reads by word index; the word
 * indices are baked into bytecode by codegen, so codegen and the runtime must
 * agree on them through this class alone.
 *
 * Layout (all fields are 4-byte, 4-aligned words):
 *
 * | region | words | holds |
 * | --- | --- | --- |
 * | header | 2 | magic, number of functions |
 * | functions | one per function (imported first) | the function's store handle (funcref value, ≥ 1) |
 * | globals | one per global (imported first) | the global's slot in the store's global storage |
 * | signatures | one per type index | the canonical signature id of that type |
 *
 * Memories, tables, and data/element segments are JS objects held beside the
 * vmctx by the instance context, indexed by their module index.
 *
 * @module
 */

import type { ModuleTranslation } from "./types.ts";

/** The value of the vmctx's first word, to catch a mismatched context. */
export const VMCTX_MAGIC = 0x63617073; // "caps"

/** The counts of a module's entities, which decide the layout. */
export interface VMOffsetsCounts {
  /** Functions, imported and defined. */
  readonly functions: number;
  /** Globals, imported and defined. */
  readonly globals: number;
  /** Entries of the type section. */
  readonly types: number;
}

/**
 * Per-module layout of an instance's vmctx.
 *
 * @example
 * ```ts
 * import { VMCTX_MAGIC, VMOffsets } from "@capstan/environ";
 * // 2 functions, 1 global, 1 type: header (2 words), then 2 + 1 + 1 words.
 * const o = new VMOffsets({ functions: 2, globals: 1, types: 1 });
 * const vmctx = new Int32Array(o.words);
 * vmctx[o.magic >> 2] = VMCTX_MAGIC;
 * if (o.words !== 6 || o.functionWord(1) !== 3) throw new Error();
 * if (o.globalWord(0) !== 4 || o.signatureWord(0) !== 5) throw new Error();
 * ```
 */
export class VMOffsets {
  /** Size of one field in bytes. */
  static readonly FIELD_SIZE = 4;
  /** The counts the layout was computed from. */
  readonly counts: VMOffsetsCounts;
  /** Byte offset of the magic word. */
  readonly magic = 0;
  /** Byte offset of the function count word. */
  readonly numFunctions = 4;
  /** Byte offset of the functions region. */
  readonly functionsBegin: number;
  /** Byte offset of the globals region. */
  readonly globalsBegin: number;
  /** Byte offset of the signatures region. */
  readonly signaturesBegin: number;
  /** Total size in bytes. */
  readonly size: number;

  /**
   * Computes the layout for the given counts.
   *
   * @param counts entity counts of the module
   */
  constructor(counts: VMOffsetsCounts) {
    this.counts = counts;
    const w = VMOffsets.FIELD_SIZE;
    this.functionsBegin = 2 * w;
    this.globalsBegin = this.functionsBegin + counts.functions * w;
    this.signaturesBegin = this.globalsBegin + counts.globals * w;
    this.size = this.signaturesBegin + counts.types * w;
  }

  /**
   * The layout of a translated module.
   *
   * @param t the module translation
   * @returns its offsets
   * @example
   * ```ts
   * import { parseWat, translateModule, VMOffsets } from "@capstan/environ";
   * const t = translateModule(parseWat("(module (global i32 (i32.const 0)) (func) (func))"));
   * const o = VMOffsets.forModule(t);
   * if (o.counts.functions !== 2 || o.globalWord(0) !== 4) throw new Error();
   * ```
   */
  static forModule(t: ModuleTranslation): VMOffsets {
    return new VMOffsets({
      functions: t.functions.length,
      globals: t.globals.length,
      types: t.types.length,
    });
  }

  /** Number of 32-bit words of the vmctx. */
  get words(): number {
    return this.size / VMOffsets.FIELD_SIZE;
  }

  /**
   * Word index of function `i`'s store handle.
   *
   * @param i a function index
   * @returns an index into the vmctx `Int32Array`
   */
  functionWord(i: number): number {
    return (this.functionsBegin >> 2) + i;
  }

  /**
   * Word index of global `i`'s storage slot.
   *
   * @param i a global index
   * @returns an index into the vmctx `Int32Array`
   */
  globalWord(i: number): number {
    return (this.globalsBegin >> 2) + i;
  }

  /**
   * Word index of type `i`'s canonical signature id.
   *
   * @param i a type index
   * @returns an index into the vmctx `Int32Array`
   */
  signatureWord(i: number): number {
    return (this.signaturesBegin >> 2) + i;
  }

  /**
   * A human-readable account of the regions and their sizes.
   *
   * @returns one line per region
   */
  describe(): string {
    const c = this.counts;
    return [
      `header      @0   8 bytes`,
      `functions   @${this.functionsBegin} ${c.functions} x 4 bytes`,
      `globals     @${this.globalsBegin} ${c.globals} x 4 bytes`,
      `signatures  @${this.signaturesBegin} ${c.types} x 4 bytes`,
      `total       ${this.size} bytes`,
    ].join("\n");
  }
}
