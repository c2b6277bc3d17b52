/**
 * `@capstan/runtime`: the embedding API of Capstan, shaped like wasmtime's.
 *
 * - {@link Engine}: configuration (fuel, epochs, wasm stack limit, NaN
 *   canonicalisation), the signature registry and the epoch counter.
 * - {@link Module}: decode + validate + compile once; `imports()`/`exports()`.
 * - {@link Store}: owns instances and their objects, the embedder's data,
 *   fuel, the epoch deadline and a {@link ResourceLimiter}.
 * - {@link Linker}: define imports by name (objects, host functions, whole
 *   instances) and instantiate, synchronously or async.
 * - {@link Instance}, {@link Func}, {@link Memory}, {@link Table},
 *   {@link Global}: the runtime objects. Values never cross stores.
 * - {@link Trap} (with `code` and a wasm backtrace) and {@link LinkError}.
 *
 * Values: i32 is a number, i64 a BigInt, f32/f64 numbers, funcref a `Func`
 * or `null`, externref any JavaScript value (`null` is null). `Func.callBits`
 * passes floats as bit patterns instead, so NaN payloads survive exactly.
 * Externref values wasm can no longer reach are released by `store.gc()`
 * (also run automatically as they accumulate).
 *
 * Execution control: fuel (`Engine({ consumeFuel })`, `store.setFuel`, and
 * `store.fuelAsyncYieldInterval` to yield to the event loop in async calls),
 * epochs (`Engine({ epochInterruption })`, `store.setEpochDeadline`,
 * `engine.incrementEpoch()`, or {@link startEpochTicker} to advance them from
 * a worker so even synchronous calls are interrupted), the wasm stack limit
 * (`Engine({ maxWasmStack })`), and a {@link ResourceLimiter}. Host functions
 * may return Promises when called through `Func.callAsync` or
 * `Linker.instantiateAsync`; while such a call is suspended the store refuses
 * other calls, and `callAsync` cannot start inside another call into the
 * same store (use `call` there).
 *
 * @example
 * ```ts
 * import { Engine, Linker, Module, Store } from "@capstan/runtime";
 * // (module (import "env" "double" (func $d (param i32) (result i32)))
 * //   (func (export "run") (param i32) (result i32) local.get 0 call $d))
 * const bytes = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 2, 14, 1, 3, 101, 110, 118, 6,
 *   100, 111, 117, 98, 108, 101, 0, 0, 3, 2, 1, 0, 7, 7, 1, 3, 114, 117, 110, 0, 1, 10, 8, 1,
 *   6, 0, 32, 0, 16, 0, 11,
 * ]);
 * const engine = new Engine();
 * const module = new Module(engine, bytes);
 * const linker = new Linker(engine);
 * linker.funcWrap("env", "double", { params: ["i32"], results: ["i32"] }, (x) => 2 * x);
 * const store = new Store(engine, undefined);
 * const instance = linker.instantiate(store, module);
 * const run = instance.getFunc("run")!.typed<[number], number>();
 * if (run(21) !== 42) throw new Error();
 * ```
 *
 * @module
 */

export { DEFAULT_MAX_WASM_STACK, Engine } from "./engine.ts";
export { startEpochTicker } from "./epoch_ticker.ts";
export type { EngineConfig, ResolvedEngineConfig, Strategy } from "./engine.ts";
export { Module, type ShareableModule } from "./module.ts";
export { Store } from "./store.ts";
export type { EpochDeadlineAction, Stored } from "./store.ts";
export { StoreLimits } from "./limits.ts";
export type { ResourceLimiter, StoreLimitsConfig } from "./limits.ts";
export { Linker } from "./linker.ts";
export { Instance } from "./instance.ts";
export type { InstanceExport } from "./instance.ts";
export { Caller, Func } from "./func.ts";
export type { HostFunc, HostFuncWrap } from "./func.ts";
export { MAX_PAGES, Memory, PAGE_SIZE, type SharedMemoryHandle } from "./memory.ts";
export { MAX_TABLE_ELEMENTS, Table } from "./table.ts";
export { Global } from "./global.ts";
export { JS_TAG, Tag, WasmException } from "./tag.ts";
export { externType, isExtern } from "./extern.ts";
export type { Extern } from "./extern.ts";
export { formatExternType, matchExternType } from "./extern_type.ts";
export type { ExportType, ExternType, ImportType } from "./extern_type.ts";
export { formatFuncType, funcType, toValType } from "./val.ts";
export { gcKindOf } from "./_gc_values.ts";
export type { FuncTypeInput, Val, ValTypeName } from "./val.ts";
export { BACKTRACE_DISPLAY_LIMIT, formatBacktrace, Trap } from "./trap.ts";
export type { FrameInfo } from "./trap.ts";
export { LinkError } from "./link_error.ts";
export { type AotModuleCode, type AotOptions, instantiateAot } from "./aot.ts";
export { CompileError, TrapCode, ValType } from "@capstan/environ";
export { ImageError } from "@capstan/codegen";
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
  TRAP_CODE_TABLE,
  TrapCodeName,
  Tunables,
} from "@capstan/environ";
export { WebAssembly } from "./webassembly.ts";
export { memoryBytes } from "./_facade_objects.ts";
