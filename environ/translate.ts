/**
 * The front door of `environ`: {@link translateModule} decodes and validates a
 * WebAssembly 2.0 binary into a {@link ModuleTranslation}; {@link validate}
 * answers yes or no.
 *
 * Invariants:
 * - Bad input raises {@link CompileError} and nothing else: any other
 *   exception thrown while reading hostile bytes is turned into one.
 * - Every function body in the result has been validated.
 * - Malformed outranks invalid, as in the spec (decoding is a phase that
 *   finishes before validation): when validation fails, the rest of the
 *   module's bodies are still decoded, and a malformed error found there is
 *   reported instead. This costs nothing on the valid path. The error's
 *   `kind` says which of the two it is.
 *
 * @module
 */

import { checkBodySyntax, type DecodedModule, decodeModule } from "./decoder.ts";
import { CompileError } from "./errors.ts";
import { FuncValidator } from "./validator.ts";
import { type ValidatedModule, validateModule } from "./_module_validator.ts";
import type { ModuleTranslation } from "./types.ts";

/**
 * Decodes and validates a module.
 *
 * @param bytes the module's binary
 * @returns everything the rest of the engine needs to know about it
 * @throws {CompileError} if the module is malformed or invalid
 * @throws {TypeError} if `bytes` is not a Uint8Array (API misuse, not bad input)
 * @example
 * ```ts
 * import { CompileError, parseWat, translateModule } from "@capstan/environ";
 * const wat = '(module (func (export "f") (param i32) (result i32) local.get 0))';
 * const t = translateModule(parseWat(wat));
 * if (t.exports[0].name !== "f" || t.types[0].params.length !== 1) throw new Error();
 * if (t.bodies.length !== 1) throw new Error();
 * try {
 *   translateModule(parseWat("(module (func (result i32) i64.const 1))"));
 *   throw new Error("expected a CompileError");
 * } catch (e) {
 *   if (!(e instanceof CompileError) || e.reason !== "type mismatch") throw e;
 * }
 * ```
 */
export function translateModule(
  bytes: Uint8Array,
  options: TranslateOptions = {},
): ModuleTranslation {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("translateModule() expects a Uint8Array");
  try {
    return translate(bytes, options);
  } catch (e) {
    if (e instanceof CompileError) throw e;
    // A bug or a resource limit met while reading hostile input: still a CompileError.
    const reason = e instanceof RangeError ? "module too large" : "malformed module";
    const err = new CompileError(`${reason}: ${e instanceof Error ? e.message : String(e)}`, 0);
    throw err;
  }
}

/**
 * Whether a module is valid WebAssembly 2.0.
 *
 * @param bytes the module's binary
 * @returns true if {@link translateModule} would accept it
 * @example
 * ```ts
 * import { validate } from "@capstan/environ";
 * const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
 * if (!validate(empty)) throw new Error("the empty module is valid");
 * if (validate(new Uint8Array([1, 2, 3]))) throw new Error("bad magic");
 * ```
 */
export function validate(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("validate() expects a Uint8Array");
  try {
    translate(bytes, {});
    return true;
  } catch {
    return false;
  }
}

/** Options of {@link translateModule}. */
export interface TranslateOptions {
  /**
   * Validate every function body (default true). Only a caller that knows
   * the bytes were validated before (a compiled-module image whose checksum
   * matched) may turn it off; the rest of the module is validated anyway.
   */
  readonly validateBodies?: boolean;
  /**
   * Accept the stack-switching proposal (default false, as in wasmtime):
   * continuation types and instructions, and tags with results. Off, they
   * are refused ("stack switching support is not enabled", and core 3.0's
   * "non-empty tag result type").
   */
  readonly stackSwitching?: boolean;
  /**
   * Accept the custom-page-sizes proposal (default false, as in wasmtime):
   * a memory's limits may give its page size (flag 0x08), which core 3.0
   * calls "malformed limits flags".
   */
  readonly customPageSizes?: boolean;
}

/** The proposals beyond core 3.0 a translation may accept (each off by default). */
export type WasmFeatures = Pick<TranslateOptions, "stackSwitching" | "customPageSizes">;

function translate(bytes: Uint8Array, options: TranslateOptions): ModuleTranslation {
  const validateBodies = options.validateBodies ?? true;
  const stackSwitching = options.stackSwitching ?? false;
  let m: DecodedModule;
  try {
    m = decodeModule(bytes, options.customPageSizes ?? false);
  } catch (e) {
    if (e instanceof CompileError) marked(e, "malformed");
    throw e;
  }
  let v: ValidatedModule;
  try {
    v = validateModule(m, stackSwitching);
    if (validateBodies) {
      const validator = new FuncValidator(v.context);
      for (let i = 0; i < m.bodies.length; i++) {
        const b = m.bodies[i];
        const tries = validator.validate(bytes, b.typeIndex, b.locals, b.codeStart, b.codeEnd);
        if (tries > 0) m.bodies[i] = { ...b, legacyTries: tries };
      }
    }
  } catch (e) {
    if (e instanceof CompileError) throw preferMalformed(m, e);
    throw e;
  }
  return {
    bytes,
    types: v.types,
    typeIds: v.context.relation!.canon,
    imports: m.imports.map(({ module, name, desc }) => ({ module, name, desc })),
    functions: v.funcs,
    tables: v.tables,
    memories: v.memories,
    globals: v.globals,
    globalInits: v.globalInits,
    numImportedFunctions: v.numImportedFunctions,
    numImportedTables: v.numImportedTables,
    numImportedMemories: v.numImportedMemories,
    numImportedGlobals: v.numImportedGlobals,
    tags: v.tags,
    numImportedTags: v.numImportedTags,
    exports: m.exports.map(({ name, kind, index }) => ({ name, kind, index })),
    start: m.start,
    elements: v.elements,
    datas: v.datas,
    dataCount: m.dataCount,
    bodies: m.bodies,
    customSections: m.customSections,
    names: m.names,
    features: { stackSwitching, customPageSizes: options.customPageSizes ?? false },
  };
}

/**
 * The error to report for a module that decoded but failed validation with
 * `invalid`. In the spec, decoding is a phase of its own that finishes before
 * validation starts, so a malformed function body anywhere in the module
 * outranks an earlier validation error. The validator decodes bodies as it
 * checks them, and so stops at the first fault in stream order; this finishes
 * the decoding phase (the section structure is already decoded) by checking
 * the syntax of every body, and returns its first malformed error, else
 * `invalid` itself. Runs on the error path only.
 */
function preferMalformed(m: DecodedModule, invalid: CompileError): CompileError {
  try {
    for (const b of m.bodies) checkBodySyntax(m.bytes, b.codeStart, b.codeEnd);
  } catch (e) {
    if (e instanceof CompileError) return marked(e, "malformed");
    throw e;
  }
  // Every body decodes: the validator's error stands. It may still be one the
  // spec calls malformed but which needs the module's context to check, such
  // as "data count section required"; the syntax pass leaves those to it.
  return marked(invalid, MALFORMED_IN_VALIDATOR.has(invalid.reason) ? "malformed" : "invalid");
}

/**
 * The reasons the validator gives for faults the spec finds while decoding,
 * which {@link checkBodySyntax} does not look for.
 */
const MALFORMED_IN_VALIDATOR: ReadonlySet<string> = new Set(["data count section required"]);

/** Records which phase rejected the module on `e`, and returns it. */
function marked(e: CompileError, kind: "malformed" | "invalid"): CompileError {
  e.kind = kind;
  return e;
}
