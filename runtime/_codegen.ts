/**
 * The runtime's access to code generation. Until `@capstan/codegen` exports
 * `compileModule`, this file holds its contract (BOUNDARY.md §1) and a
 * placeholder that compiles modules without functions and refuses the rest
 * with a clear error, so the rest of the runtime (and the packages built on
 * it) load and run. When codegen lands, this file becomes a re-export.
 *
 * @module
 */

import { type ModuleTranslation, type Tunables, VMOffsets } from "@capstan/environ";

/** One compiled function (the fields the runtime uses). */
export interface CompiledFunction {
  /** Its index in the function index space. */
  readonly funcIndex: number;
  /** The code address of its entry (`VmFunc.entry`). */
  readonly entry: number;
}

/** A compiled module (the fields the runtime uses). */
export interface CompiledModule {
  /** The vmctx layout. */
  readonly offsets: VMOffsets;
  /** Every defined function's bytecode, concatenated. */
  readonly code: Int32Array;
  /** Defined functions: index = funcIndex - numImportedFunctions. */
  readonly functions: readonly CompiledFunction[];
  /** The function containing code address `pc`. */
  funcAt(pc: number): CompiledFunction | undefined;
  /** The module-relative wasm offset of the instruction at `pc`, or -1. */
  wasmOffsetAt(pc: number): number;
}

/**
 * Compiles a translated module (placeholder: only modules without defined
 * functions).
 *
 * @param t the translation
 * @param _tunables code-generation switches
 * @returns the compiled module
 */
export function compileModule(t: ModuleTranslation, _tunables?: Tunables): CompiledModule {
  if (t.bodies.length > 0) {
    throw new Error("wasm execution is not available yet: @capstan/codegen has not landed");
  }
  return {
    offsets: VMOffsets.forModule(t),
    code: new Int32Array(1),
    functions: [],
    funcAt: () => undefined,
    wasmOffsetAt: () => -1,
  };
}
