/**
 * `FuncEnvironment`: what translating one function needs to know about its
 * module, and the module-dependent lowering decisions: a global is a vmctx
 * word naming its storage slot, a function handle (for `ref.func` and calls to
 * imports) is a vmctx word, `memory.grow` and the bulk memory and table ops are
 * builtin calls, and a signature check compares against a vmctx word.
 *
 * @module
 */

import {
  DEFAULT_TUNABLES,
  type FuncType,
  type ModuleTranslation,
  type Tunables,
  ValType,
  VMOffsets,
} from "@capstan/environ";

/** Module-level facts and lowering decisions for {@link FuncTranslator}. */
export class FuncEnvironment {
  /** The module. */
  readonly module: ModuleTranslation;
  /** Its vmctx layout. */
  readonly offsets: VMOffsets;
  /** Code-shaping switches. */
  readonly tunables: Tunables;

  /**
   * Creates the environment of a module.
   *
   * @param module the module translation
   * @param tunables code-shaping switches
   */
  constructor(module: ModuleTranslation, tunables: Tunables = DEFAULT_TUNABLES) {
    this.module = module;
    this.offsets = VMOffsets.forModule(module);
    this.tunables = tunables;
  }

  /**
   * The signature of function `i`.
   *
   * @param i a function index
   * @returns its type
   */
  funcType(i: number): FuncType {
    return this.module.types[this.module.functions[i]];
  }

  /**
   * Whether function `i` is imported (called through its vmctx handle).
   *
   * @param i a function index
   * @returns true for imports
   */
  isImported(i: number): boolean {
    return i < this.module.numImportedFunctions;
  }

  /**
   * The vmctx word holding function `i`'s handle.
   *
   * @param i a function index
   * @returns the word index
   */
  funcHandleWord(i: number): number {
    return this.offsets.functionWord(i);
  }

  /**
   * The vmctx word holding global `i`'s storage slot.
   *
   * @param i a global index
   * @returns the word index
   */
  globalWord(i: number): number {
    return this.offsets.globalWord(i);
  }

  /**
   * The type of global `i`.
   *
   * @param i a global index
   * @returns its value type
   */
  globalType(i: number): ValType {
    return this.module.globals[i].type;
  }

  /**
   * The vmctx word holding the canonical signature id of type `t`.
   *
   * @param t a type index
   * @returns the word index
   */
  signatureWord(t: number): number {
    return this.offsets.signatureWord(t);
  }
}

/**
 * Whether a value type occupies a whole 64-bit slot (i64, f64) rather than
 * its low 32 bits.
 *
 * @param t a value type
 * @returns true for i64 and f64
 */
export function is64(t: ValType): boolean {
  return t === ValType.i64 || t === ValType.f64;
}
