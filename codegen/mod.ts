/**
 * `@capstan/codegen`: wasm function bodies → IR → Capstan bytecode.
 * {@link compileModule} compiles a translated module into a
 * {@link CompiledModule} (one code array, per-function trap tables,
 * relocations, stack maps and address maps); {@link printModuleIr} and
 * {@link disassembleModule} print it.
 *
 * @module
 */

export type {
  CompositeKind,
  ConstExpr,
  CustomSection,
  DataMode,
  DataSegment,
  ElementMode,
  ElementSegment,
  Export,
  ExternKind,
  FieldType,
  FunctionBody,
  FuncType,
  GlobalType,
  Import,
  ImportDesc,
  Limits,
  MemoryType,
  ModuleTranslation,
  NameSection,
  RefType,
  TableType,
  Tunables,
  ValType,
  VMOffsets,
  VMOffsetsCounts,
} from "@capstan/environ";
export * from "./compile.ts";
export * from "./ir.ts";
export * from "./abi.ts";
export * from "./sinks.ts";
export { FuncEnvironment } from "./func_environ.ts";
export { FuncTranslator } from "./func_translator.ts";
export { type LoweredFunction, lowerFunction } from "./lower.ts";
export type { Backend, FunctionLowering } from "./backend.ts";
export {
  compileJsModule,
  JS_BACKEND,
  type JsLoweredFunction,
  JsLowering,
  type JsLoweringOptions,
  type JsModule,
} from "./js_backend.ts";
export type { KindContext, KindMap, RegKind } from "./_js_kinds.ts";
export { type JsGroup, JsGroupLowering } from "./js_groups.ts";
export { bytecodeEntryFuel, bytecodeLoopHeads } from "./_js_osr.ts";
export { setSplitSizes } from "./_js_split.ts";
export {
  JS_MODULE_FORMAT,
  type JsModuleWriterOptions,
  writeJsModule,
  type WrittenJsModule,
} from "./js_module_writer.ts";
export {
  deserializeCompiled,
  type DeserializeOptions,
  type DetachedWasm,
  IMAGE_FORMAT,
  imageConfigDigest,
  ImageError,
  isImage,
  serializeCompiled,
  type SerializeOptions,
} from "./serialize.ts";
export { relocateTypes, typeRelocsAsIndices } from "./type_relocation.ts";
