/**
 * The `WebAssembly` JS-API facade: an object with the shape and behaviour of
 * the global `WebAssembly` (`Module`, `Instance`, `Memory`, `Table`, `Global`,
 * `CompileError`, `LinkError`, `RuntimeError`, `validate`, `compile`,
 * `instantiate`, `compileStreaming`, `instantiateStreaming`; `Tag`,
 * `Exception`, `JSTag`; JSPI's `Suspending`, `promising` and `SuspendError`;
 * type reflection's `Function` and `type()`; the compile options' `js-string`
 * builtins and imported string constants),
 * executing on
 * Capstan's runtime. Code written for the global object runs unchanged when
 * handed {@link WebAssembly} instead.
 *
 * Invariants (the JS-API spec's, kept here):
 * - One facade object has one {@link Engine} and one {@link Store}; every
 *   object it creates lives in that store, so an export of one instance can be
 *   imported by another. {@link createWebAssembly} makes a separate facade
 *   over an engine and store of the caller's choosing (fuel, stack limit,
 *   epochs).
 * - Identity is kept: the same wasm function, memory, table or global always
 *   surfaces as the same JS object (an "exported function" is an ordinary JS
 *   function whose `name` is its function index and `length` its arity).
 * - Values cross as the JS-API says: i32 as a number (ToInt32), i64 as a
 *   BigInt (ToBigInt64; a Number is a TypeError), f32/f64 as numbers, funcref
 *   as `null` or an exported function, externref as any value, v128 never (a
 *   TypeError at the call).
 * - Errors: bad bytes throw {@link CompileError}; import problems
 *   {@link LinkError} (a missing import module object is a `TypeError`, as in
 *   the spec); a trap throws {@link RuntimeError} with the trap's message and
 *   with `code` and `backtrace` kept (`cause` is the runtime `Trap`);
 *   exceptions thrown by imported JS functions pass through unchanged.
 *
 * The classes are written once, at module level (`_facade_module.ts`,
 * `_facade_objects.ts`), over the state of one facade (`_facade.ts`:
 * engine, store, identity maps); {@link createWebAssembly} makes that state
 * and binds each class to it with a subclass whose constructor passes it in.
 * Exported functions of suitable types call wasm through the runtime's fast
 * call path, the one `Func.typed` uses.
 *
 * @module
 */

import { Engine } from "./engine.ts";
import { Store } from "./store.ts";
import { Facade } from "./_facade.ts";
import { CompileError, LinkError, RuntimeError, SuspendError } from "./_facade_errors.ts";
import { promising as promisingOf, Suspending } from "./_facade_jspi.ts";
import { FacadeFunction } from "./_facade_types.ts";
import { FacadeException, FacadeTag, JS_TAG, tagObject } from "./_facade_exceptions.ts";
import {
  compileModule,
  compileResponse,
  FacadeInstance,
  FacadeModule,
  instantiateResponse,
  instantiateSource,
  moduleCustomSections,
  moduleExports,
  moduleImports,
  validateModule,
} from "./_facade_module.ts";
import {
  FacadeGlobal,
  type FacadeGlobalDescriptor,
  FacadeMemory,
  type FacadeMemoryDescriptor,
  FacadeTable,
  type FacadeTableDescriptor,
} from "./_facade_objects.ts";

export { CompileError, LinkError, RuntimeError, SuspendError, Suspending };

/** Options of {@link createWebAssembly}. */
export interface WebAssemblyOptions {
  /** The engine (fuel, stack limit, epochs); a default one when absent. */
  readonly engine?: Engine;
  /** The store every object lives in; a fresh one of `engine` when absent. */
  readonly store?: Store<unknown>;
}

/**
 * Builds a `WebAssembly` namespace object over an engine and a store.
 *
 * @param options the engine and store to run on
 * @returns an object shaped like the global `WebAssembly`
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { createWebAssembly } from "./webassembly.ts";
 * const wa = createWebAssembly({ engine: new Engine({ maxWasmStack: 64 * 1024 }) });
 * const memory = new wa.Memory({ initial: 1, maximum: 2 });
 * if (memory.grow(1) !== 1 || memory.buffer.byteLength !== 131072) throw new Error();
 * ```
 */
export function createWebAssembly(options: WebAssemblyOptions = {}): typeof globalThis.WebAssembly {
  const engine = options.engine ?? options.store?.engine ?? new Engine();
  const store: Store<unknown> = options.store ?? new Store<unknown>(engine, undefined);
  if (store.engine !== engine) throw new TypeError("the store belongs to a different engine");

  // The facade's classes: the module-level ones, bound to this facade's state.
  class Module extends FacadeModule {
    constructor(bytes: BufferSource, options?: unknown) {
      super(facade, bytes, options);
    }

    static exports(module: Module): { name: string; kind: string }[] {
      return moduleExports(facade, module);
    }

    static imports(module: Module): { module: string; name: string; kind: string }[] {
      return moduleImports(facade, module);
    }

    static customSections(module: Module, sectionName: string): ArrayBuffer[] {
      return moduleCustomSections(facade, module, sectionName, arguments.length);
    }
  }
  class Instance extends FacadeInstance {
    constructor(module: FacadeModule, importObject?: Record<string, unknown>) {
      super(facade, module, importObject);
    }
  }
  class Memory extends FacadeMemory {
    constructor(descriptor: FacadeMemoryDescriptor) {
      super(facade, descriptor);
    }
  }
  class Table extends FacadeTable {
    constructor(descriptor: FacadeTableDescriptor, value?: unknown) {
      super(facade, descriptor, value);
    }
  }
  class Global extends FacadeGlobal {
    constructor(descriptor: FacadeGlobalDescriptor, v?: unknown) {
      super(facade, descriptor, v);
    }
  }
  class Tag extends FacadeTag {
    constructor(descriptor: { parameters: readonly string[] }) {
      super(facade, descriptor);
    }
  }
  class Exception extends FacadeException {
    constructor(tag: Tag, payload: readonly unknown[], options?: { traceStack?: boolean }) {
      super(facade, tag, payload, options);
    }
  }
  // (not named Function: that would hide the global one in this scope)
  class WasmFunction extends FacadeFunction {
    constructor(type: unknown, fn: unknown) {
      super(facade, type, fn);
    }
  }
  Object.defineProperty(WasmFunction, "name", { value: "Function" });
  const facade = new Facade(engine, store, {
    Module,
    Instance,
    Memory,
    Table,
    Global,
    Tag,
    Exception,
    Function: WasmFunction,
  });
  const JSTag = tagObject(facade, JS_TAG, Tag.prototype);

  function validate(bytes: BufferSource, options?: unknown): boolean {
    return validateModule(facade, bytes, options);
  }

  function compile(bytes: BufferSource, options?: unknown): Promise<FacadeModule> {
    return compileModule(facade, bytes, options);
  }

  function instantiate(
    source: BufferSource | FacadeModule,
    importObject?: Record<string, unknown>,
    options?: unknown,
  ): Promise<unknown> {
    return instantiateSource(facade, source, importObject, options);
  }

  async function compileStreaming(
    source: Response | PromiseLike<Response>,
    options?: unknown,
  ): Promise<FacadeModule> {
    return await compileResponse(facade, source, options);
  }

  async function instantiateStreaming(
    source: Response | PromiseLike<Response>,
    importObject?: Record<string, unknown>,
    options?: unknown,
  ): Promise<{ module: FacadeModule; instance: FacadeInstance }> {
    return await instantiateResponse(facade, source, importObject, options);
  }

  function promising(wasmFunc: unknown): (...args: unknown[]) => Promise<unknown> {
    return promisingOf(facade, wasmFunc);
  }

  const namespace = {
    Module,
    Instance,
    Memory,
    Table,
    Global,
    Tag,
    Exception,
    JSTag,
    Function: WasmFunction,
    CompileError,
    LinkError,
    RuntimeError,
    SuspendError,
    Suspending,
    promising,
    validate,
    compile,
    instantiate,
    compileStreaming,
    instantiateStreaming,
  };
  Object.defineProperty(namespace, Symbol.toStringTag, { value: "WebAssembly" });
  return namespace as unknown as typeof globalThis.WebAssembly;
}

/**
 * Capstan's `WebAssembly`: the JS-API, executing on Capstan, on a default
 * engine and one store shared by everything it creates.
 *
 * @example
 * ```ts
 * import { WebAssembly } from "./webassembly.ts";
 * // (module (func (export "add") (param i32 i32) (result i32)
 * //   local.get 0 local.get 1 i32.add))
 * const bytes = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 1, 7, 1, 96, 2, 127, 127, 1, 127, 3, 2, 1, 0,
 *   7, 7, 1, 3, 97, 100, 100, 0, 0, 10, 9, 1, 7, 0, 32, 0, 32, 1, 106, 11,
 * ]);
 * if (!WebAssembly.validate(bytes)) throw new Error();
 * const [e] = WebAssembly.Module.exports(new WebAssembly.Module(bytes));
 * if (e.name !== "add" || e.kind !== "function") throw new Error();
 * ```
 */
export const WebAssembly: typeof globalThis.WebAssembly = createWebAssembly();
