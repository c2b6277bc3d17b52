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
 * import { OperatorReader, Op, translateModule } from "@capstan/environ";
 * declare const bytes: Uint8Array;
 * const t = translateModule(bytes);
 * for (const body of t.bodies) {
 *   const r = new OperatorReader(t.bytes, body.codeStart, body.codeEnd);
 *   while (!r.atEnd()) {
 *     if (r.read() === Op.i32_const) console.log(r.i32);
 *   }
 * }
 * ```
 *
 * Nothing here imports any other Capstan package.
 *
 * @module
 */

export * from "./types.ts";
export * from "./opcodes.ts";
export { CompileError } from "./errors.ts";
export { BLOCK_EMPTY, BLOCK_TYPE_INDEX, OperatorReader } from "./operators.ts";
export { BinaryReader } from "./reader.ts";
export { translateModule, validate } from "./translate.ts";
