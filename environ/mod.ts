/**
 * `@capstan/environ`: the front end of Capstan. It decodes and validates
 * WebAssembly 2.0 binaries into a {@link ModuleTranslation} (types, imports,
 * exports, segments, and function bodies kept as validated byte ranges), and
 * holds the tables the rest of the engine shares: the instruction set
 * ({@link OPS}, {@link Op}), compile errors, and module metadata.
 *
 * Nothing here imports any other Capstan package.
 *
 * @module
 */

export * from "./types.ts";
export * from "./opcodes.ts";
