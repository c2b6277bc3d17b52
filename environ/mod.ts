/**
 * `@capstan/environ`: the front end of Capstan. It decodes and validates
 * WebAssembly 2.0 binaries into a {@link ModuleTranslation} (types, imports,
 * exports, segments, and function bodies kept as validated byte ranges), and
 * holds the tables the rest of the engine shares: the instruction set
 * ({@link OPS}, {@link Op}), compile errors, and module metadata.
 *
 * Entry points: {@link translateModule} (decode + validate, throws
 * {@link CompileError}) and {@link validate} (a boolean). Code generators read
 * validated bodies with {@link OperatorReader}, one instruction at a time:
 *
 * ```ts
 * import { Op, OperatorReader, translateModule } from "@capstan/environ";
 * // (module (func (result i32) i32.const 7))
 * const bytes = new Uint8Array([
 *   0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7f, 3, 2, 1, 0,
 *   10, 6, 1, 4, 0, 0x41, 7, 0x0b,
 * ]);
 * const t = translateModule(bytes);
 * const consts: number[] = [];
 * for (const body of t.bodies) {
 *   const r = new OperatorReader(t.bytes, body.codeStart, body.codeEnd);
 *   while (!r.atEnd()) {
 *     if (r.read() === Op.i32_const) consts.push(r.i32);
 *   }
 * }
 * if (consts[0] !== 7) throw new Error();
 * ```
 *
 * Nothing here imports any other Capstan package.
 *
 * @module
 */

export * from "./types.ts";
export * from "./opcodes.ts";
export { CompileError } from "./errors.ts";
export {
  BLOCK_EMPTY,
  BLOCK_TYPE_INDEX,
  ON_LABEL,
  OperatorReader,
  SIMPLE_OPS,
} from "./operators.ts";
export { BinaryReader } from "./reader.ts";
export { translateModule, validate } from "./translate.ts";
export type { TranslateOptions, WasmFeatures } from "./translate.ts";
export {
  restoreTranslation,
  sameFeatures,
  snapshotTranslation,
  type TranslationSnapshot,
} from "./translation_snapshot.ts";
export { funcTypeId, isCanonicalSubtype, isFuncTypeSubtype } from "./_subtyping.ts";
export { TYPE_REGISTRY, TypeRegistry } from "./_type_registry.ts";
export * from "./trap_codes.ts";
export * from "./builtins.ts";
export * from "./vmoffsets.ts";
export * from "./tunables.ts";
export * from "./limits.ts";
export * from "./text/mod.ts";
export { type ConstEnv, evaluateConstExpr, isConstArith, isConstGc } from "./const_expr.ts";
export { dataSegment, dataSegmentOffset } from "./data_segments.ts";
