/**
 * The `WebAssembly` JS-API facade: an object with the shape and behaviour of
 * the global `WebAssembly` (`Module`, `Instance`, `Memory`, `Table`, `Global`,
 * `CompileError`, `LinkError`, `RuntimeError`, `validate`, `compile`,
 * `instantiate`, `compileStreaming`, `instantiateStreaming`), executing on
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
 * @module
 */

import { CompileError as EnvironCompileError, ValType } from "@capstan/environ";
import type { FuncType, GlobalType, MemoryType, TableType } from "@capstan/environ";
import { Engine } from "./engine.ts";
import { numbersInvoke, uniformType } from "./_fast_call.ts";
import type { Extern } from "./extern.ts";
import { Func } from "./func.ts";
import { Global as RtGlobal } from "./global.ts";
import { Instance as RtInstance } from "./instance.ts";
import { LinkError as RtLinkError } from "./link_error.ts";
import { MAX_PAGES, Memory as RtMemory } from "./memory.ts";
import { Module as RtModule } from "./module.ts";
import { Store } from "./store.ts";
import { MAX_TABLE_ELEMENTS, Table as RtTable } from "./table.ts";
import { type FrameInfo, Trap } from "./trap.ts";
import type { Val } from "./val.ts";

/** Thrown for bytes that are not a valid module (the facade's `WebAssembly.CompileError`). */
export class CompileError extends Error {
  /**
   * Creates the error.
   *
   * @param message the reason, naming the byte offset
   * @param options `cause`: the `CompileError` of `@capstan/environ`
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CompileError";
  }
}

/** Thrown when imports do not match a module (the facade's `WebAssembly.LinkError`). */
export class LinkError extends Error {
  /**
   * Creates the error.
   *
   * @param message which import failed and why
   * @param options `cause`: the runtime's error, if any
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LinkError";
  }
}

/** Thrown when execution traps (the facade's `WebAssembly.RuntimeError`). */
export class RuntimeError extends Error {
  /** The trap code (`TrapCode` of `@capstan/environ`), when a Capstan trap caused it. */
  code: number | undefined;
  /** The wasm frames at the trap, innermost first (empty when unknown). */
  backtrace: readonly FrameInfo[];

  /**
   * Creates the error.
   *
   * @param message the trap's message, in the spec's words
   * @param options `cause`: the runtime `Trap`, if any
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
    const trap = options?.cause;
    this.code = trap instanceof Trap ? trap.code : undefined;
    this.backtrace = trap instanceof Trap ? trap.backtrace : [];
  }
}

/** Options of {@link createWebAssembly}. */
export interface WebAssemblyOptions {
  /** The engine (fuel, stack limit, epochs); a default one when absent. */
  readonly engine?: Engine;
  /** The store every object lives in; a fresh one of `engine` when absent. */
  readonly store?: Store<unknown>;
}

type ExportedFunction = (...args: unknown[]) => unknown;

const VALUE_TYPES: Record<string, ValType> = {
  i32: ValType.i32,
  i64: ValType.i64,
  f32: ValType.f32,
  f64: ValType.f64,
  v128: ValType.v128,
  externref: ValType.externref,
  anyfunc: ValType.funcref,
  funcref: ValType.funcref,
};

const KIND_NAMES = { func: "function", table: "table", memory: "memory", global: "global" };

function toNumber(v: unknown): number {
  if (typeof v === "bigint") throw new TypeError("Cannot convert a BigInt value to a number");
  return Number(v);
}

function toBigInt(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (typeof v === "number") throw new TypeError(`Cannot convert ${v} to a BigInt`);
  if (v === undefined || v === null || typeof v === "symbol") {
    throw new TypeError(`Cannot convert ${String(v)} to a BigInt`);
  }
  return BigInt(v as string | boolean);
}

/** ToInt32 (a TypeError for a BigInt), with numbers first. */
function toInt32(v: unknown): number {
  return (typeof v === "number" ? v : toNumber(v)) | 0;
}

/**
 * ToWebAssemblyValue for a number type: ToInt32, ToBigInt64, ToNumber then
 * f32 rounding, or ToNumber (each throws a TypeError for the wrong kind).
 */
function toNumberArg(v: unknown, type: ValType): number | bigint {
  switch (type) {
    case ValType.i32:
      return toNumber(v) | 0;
    case ValType.i64:
      return BigInt.asIntN(64, toBigInt(v));
    case ValType.f32:
      return Math.fround(toNumber(v));
    default:
      return toNumber(v);
  }
}

function isBufferSource(bytes: unknown): bytes is BufferSource {
  return bytes instanceof ArrayBuffer || ArrayBuffer.isView(bytes);
}

/** WebIDL [EnforceRange] unsigned long. */
function enforceU32(v: unknown, what: string): number {
  const n = toNumber(v);
  if (!Number.isFinite(n)) throw new TypeError(`${what} must be a finite number, found ${v}`);
  const t = Math.trunc(n);
  if (t < 0 || t > 0xffffffff) throw new TypeError(`${what} must be in [0, 2^32-1], found ${v}`);
  return t;
}

function dictionary(v: unknown, what: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== "object" && typeof v !== "function") {
    throw new TypeError(`${what} must be an object`);
  }
  return v as Record<string, unknown>;
}

function valueType(v: unknown, what: string): ValType {
  const t = VALUE_TYPES[String(v)];
  if (t === undefined) throw new TypeError(`${what}: "${String(v)}" is not a value type`);
  return t;
}

function rethrowCompile(error: unknown): never {
  if (error instanceof EnvironCompileError) throw new CompileError(error.message, { cause: error });
  throw error;
}

/**
 * The two-way link between the facade's objects of one kind (Memory, Table,
 * Global) and the runtime objects they stand for: one facade object per
 * runtime object, so an export keeps its identity wherever it goes.
 */
class Bridge<Rt extends object> {
  readonly #rtOf = new WeakMap<object, Rt>();
  readonly #jsOf = new WeakMap<Rt, object>();

  constructor(readonly kind: string) {}

  /** Links a facade object and its runtime object. */
  link(js: object, rt: Rt): void {
    this.#rtOf.set(js, rt);
    this.#jsOf.set(rt, js);
  }

  /** The runtime object behind `v`, or undefined when `v` is not one of ours. */
  find(v: unknown): Rt | undefined {
    return typeof v === "object" && v !== null ? this.#rtOf.get(v) : undefined;
  }

  /** The runtime object behind `v`; a TypeError when `v` is not one of ours. */
  require(v: unknown): Rt {
    const rt = this.find(v);
    if (rt === undefined) throw new TypeError(`not a WebAssembly.${this.kind}`);
    return rt;
  }

  /** The facade object of `rt`, made from `proto` the first time it is asked for. */
  wrap(rt: Rt, proto: object): object {
    let js = this.#jsOf.get(rt);
    if (js === undefined) {
      js = Object.create(proto) as object;
      this.link(js, rt);
    }
    return js;
  }
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

  // Internal slots, by facade object, and the caches that keep identity.
  const moduleOf = new WeakMap<object, RtModule>();
  const funcOf = new WeakMap<object, Func>();
  const jsOfFunc = new WeakMap<Func, ExportedFunction>();
  const memories = new Bridge<RtMemory>("Memory");
  const tables = new Bridge<RtTable>("Table");
  const globals = new Bridge<RtGlobal>("Global");

  function toWasm(v: unknown, type: ValType): Val {
    switch (type) {
      case ValType.i32:
        return toNumber(v) | 0;
      case ValType.i64:
        return BigInt.asIntN(64, toBigInt(v));
      case ValType.f32:
        return Math.fround(toNumber(v));
      case ValType.f64:
        return toNumber(v);
      case ValType.funcref: {
        if (v === null) return null;
        const func = typeof v === "function" ? funcOf.get(v) : undefined;
        if (func === undefined) {
          throw new TypeError("a funcref must be null or an exported WebAssembly function");
        }
        return func;
      }
      case ValType.externref:
        return v;
    }
    throw new TypeError("v128 values cannot cross into JavaScript");
  }

  function toJs(v: Val, type: ValType): unknown {
    switch (type) {
      case ValType.i32:
        return v | 0;
      case ValType.i64:
        return BigInt.asIntN(64, v as bigint);
      case ValType.f32:
      case ValType.f64:
        return v;
      case ValType.funcref:
        return v === null ? null : exportedFunction(v as Func, undefined);
      case ValType.externref:
        return v;
    }
    throw new TypeError("v128 values cannot cross into JavaScript");
  }

  function defaultValue(type: ValType): Val {
    switch (type) {
      case ValType.i64:
        return 0n;
      case ValType.funcref:
        return null;
      case ValType.externref:
        return undefined;
      default:
        return 0;
    }
  }

  function wrapError(error: unknown): unknown {
    if (error instanceof Trap) return new RuntimeError(error.message, { cause: error });
    if (error instanceof RtLinkError) return new LinkError(error.message, { cause: error });
    if (error instanceof EnvironCompileError) {
      return new CompileError(error.message, { cause: error });
    }
    return error;
  }

  function hasV128(type: FuncType): boolean {
    return type.params.includes(ValType.v128) || type.results.includes(ValType.v128);
  }

  function exportedFunction(func: Func, index: number | undefined): ExportedFunction {
    const cached = jsOfFunc.get(func);
    if (cached !== undefined) return cached;
    const call = numbersCall(func) ?? generalCall(func);
    Object.defineProperty(call, "name", {
      value: String(index ?? (func._index >= 0 ? func._index : 0)),
    });
    Object.defineProperty(call, "length", { value: func.type.params.length });
    jsOfFunc.set(func, call);
    funcOf.set(call, func);
    return call;
  }

  /** An exported function's body for any type: arguments and results through arrays. */
  function generalCall(func: Func): ExportedFunction {
    const { params, results } = func.type;
    const v128 = hasV128(func.type);
    const n = params.length;
    // Numbers need no help from toWasm: `x | 0` is ToInt32(ToNumber(x)) and `+x`
    // is ToNumber(x), both throwing a TypeError for a BigInt as the JS-API says.
    const allI32 = params.every((t) => t === ValType.i32);
    const result = results.length === 1 ? results[0] : undefined;
    return (...args: unknown[]): unknown => {
      if (v128) throw new TypeError("type incompatibility: v128 at the JS boundary");
      const wasmArgs = new Array(n);
      if (allI32) { for (let i = 0; i < n; i++) wasmArgs[i] = (args[i] as number) | 0; }
      else for (let i = 0; i < n; i++) wasmArgs[i] = toWasm(args[i], params[i]);
      let out: Val[];
      try {
        out = func.call(...wasmArgs);
      } catch (error) {
        throw wrapError(error);
      }
      if (result !== undefined) return result === ValType.i32 ? out[0] | 0 : toJs(out[0], result);
      if (results.length === 0) return undefined;
      return results.map((t, i) => toJs(out[i], t));
    };
  }

  /**
   * An exported function's body when its type has up to three parameters
   * and at most one result, all number types: every argument is converted
   * (ToInt32, ToBigInt64, ToNumber; each may run user code) into a local
   * before the call starts, then written straight into the VM's registers;
   * the result is read straight out. Nothing is allocated.
   */
  function numbersCall(func: Func): ExportedFunction | undefined {
    const invoke = numbersInvoke(func, wrapError);
    if (invoke === undefined) return undefined;
    const [p0, p1, p2] = func.type.params;
    const n = func.type.params.length;
    const uniform = uniformType(func.type);
    if (uniform !== undefined) {
      const f64 = uniform === ValType.f64;
      // ToInt32 or ToNumber, numbers first
      const conv = (v: unknown) => f64 ? (typeof v === "number" ? v : toNumber(v)) : toInt32(v);
      switch (n) {
        case 0:
          return () => invoke(0, 0, 0);
        case 1:
          return (a: unknown) => invoke(conv(a), 0, 0);
        case 2:
          return (a: unknown, b: unknown) => invoke(conv(a), conv(b), 0);
        default:
          return (a: unknown, b: unknown, c: unknown) => invoke(conv(a), conv(b), conv(c));
      }
    }
    switch (n) {
      case 0:
        return () => invoke(0, 0, 0);
      case 1:
        return (a: unknown) => invoke(toNumberArg(a, p0), 0, 0);
      case 2:
        return (a: unknown, b: unknown) => invoke(toNumberArg(a, p0), toNumberArg(b, p1), 0);
      default:
        return (a: unknown, b: unknown, c: unknown) =>
          invoke(toNumberArg(a, p0), toNumberArg(b, p1), toNumberArg(c, p2));
    }
  }

  function hostFunction(fn: (...args: unknown[]) => unknown, type: FuncType): Func {
    const { params, results } = type;
    const v128 = hasV128(type);
    const i32Result = results.length === 1 && results[0] === ValType.i32;
    const fromJs = (ret: unknown): Val => {
      if (i32Result) return (typeof ret === "number" ? ret : toNumber(ret)) | 0;
      if (results.length === 0) return undefined;
      if (results.length === 1) return toWasm(ret, results[0]);
      if (ret === null || typeof ret !== "object" || !(Symbol.iterator in ret)) {
        throw new TypeError("a function with several results must return an iterable");
      }
      const list = [...(ret as Iterable<unknown>)];
      if (list.length !== results.length) {
        throw new TypeError(`expected ${results.length} results, found ${list.length}`);
      }
      return results.map((t, i) => toWasm(list[i], t));
    };
    // Number types and externrefs reach JS as the runtime reads them (ToJSValue
    // is the identity on those), so up to three such arguments pass straight on.
    if (!v128 && params.length <= 3 && params.every((t) => t !== ValType.funcref)) {
      switch (params.length) {
        case 0:
          return Func.wrap(store, type, () => fromJs(fn()));
        case 1:
          return Func.wrap(store, type, (a) => fromJs(fn(a)));
        case 2:
          return Func.wrap(store, type, (a, b) => fromJs(fn(a, b)));
        default:
          return Func.wrap(store, type, (a, b, c) => fromJs(fn(a, b, c)));
      }
    }
    return Func.wrap(store, type, (...args: Val[]) => {
      if (v128) throw new TypeError("type incompatibility: v128 at the JS boundary");
      return fromJs(fn(...args.map((a, i) => toJs(a, params[i]))));
    });
  }

  function compileBytes(bytes: unknown): RtModule {
    if (!isBufferSource(bytes)) {
      throw new TypeError("WebAssembly.Module(): argument must be an ArrayBuffer or a view");
    }
    try {
      return new RtModule(engine, bytes);
    } catch (error) {
      rethrowCompile(error);
    }
  }

  function requireModule(m: unknown, what: string): RtModule {
    const rt = typeof m === "object" && m !== null ? moduleOf.get(m) : undefined;
    if (rt === undefined) throw new TypeError(`${what}: argument must be a WebAssembly.Module`);
    return rt;
  }

  class Module {
    /**
     * @param bytes a binary module
     */
    constructor(bytes: BufferSource) {
      moduleOf.set(this, compileBytes(bytes));
    }

    static exports(module: Module): { name: string; kind: string }[] {
      return requireModule(module, "WebAssembly.Module.exports()").translation.exports.map((e) => ({
        name: e.name,
        kind: KIND_NAMES[e.kind],
      }));
    }

    static imports(module: Module): { module: string; name: string; kind: string }[] {
      return requireModule(module, "WebAssembly.Module.imports()").translation.imports.map((i) => ({
        module: i.module,
        name: i.name,
        kind: KIND_NAMES[i.desc.kind],
      }));
    }

    static customSections(module: Module, sectionName: string): ArrayBuffer[] {
      const rt = requireModule(module, "WebAssembly.Module.customSections()");
      if (arguments.length < 2) {
        throw new TypeError("WebAssembly.Module.customSections(): a section name is required");
      }
      return rt.customSections(String(sectionName)).map((b) => b.slice().buffer);
    }

    get [Symbol.toStringTag](): string {
      return "WebAssembly.Module";
    }
  }

  function readImports(module: RtModule, importObject: unknown): Extern[] {
    const imports = module.imports();
    if (imports.length > 0 && importObject === undefined) {
      throw new TypeError("WebAssembly.Instance(): the module has imports but no import object");
    }
    if (
      importObject !== undefined &&
      (importObject === null ||
        (typeof importObject !== "object" && typeof importObject !== "function"))
    ) {
      throw new TypeError("WebAssembly.Instance(): the import object must be an object");
    }
    return imports.map(({ module: mod, name, type }) => {
      const ns = (importObject as Record<string, unknown>)[mod];
      if (ns === null || (typeof ns !== "object" && typeof ns !== "function")) {
        throw new TypeError(`import \`${mod}::${name}\`: module "${mod}" is not an object`);
      }
      const v = (ns as Record<string, unknown>)[name];
      if (v === undefined && type.kind !== "global") {
        throw new LinkError(`unknown import: \`${mod}::${name}\` has not been defined`);
      }
      const mismatch = (why: string) =>
        new LinkError(`incompatible import type for \`${mod}::${name}\`: ${why}`);
      switch (type.kind) {
        case "func": {
          if (typeof v !== "function") throw mismatch("function import requires a callable");
          return funcOf.get(v) ?? hostFunction(v as (...a: unknown[]) => unknown, type.type);
        }
        case "global": {
          const g = globals.find(v);
          if (g !== undefined) return g;
          const gt = type.type;
          if (typeof v === "number" || typeof v === "bigint") {
            if (gt.type === ValType.i64 && typeof v === "number") {
              throw mismatch("an i64 global import requires a BigInt");
            }
            if (gt.type !== ValType.i64 && typeof v === "bigint") {
              throw mismatch("a BigInt can only be imported as an i64 global");
            }
            if (gt.type === ValType.v128) throw mismatch("a v128 global cannot be given from JS");
            if (gt.mutable) throw mismatch("a mutable global import requires a WebAssembly.Global");
            return new RtGlobal(store, gt, toWasm(v, gt.type));
          }
          if (v === undefined) {
            throw new LinkError(`unknown import: \`${mod}::${name}\` has not been defined`);
          }
          throw mismatch("a global import requires a number, a BigInt or a WebAssembly.Global");
        }
        case "memory": {
          const m = memories.find(v);
          if (m === undefined) throw mismatch("a memory import requires a WebAssembly.Memory");
          return m;
        }
        case "table": {
          const t = tables.find(v);
          if (t === undefined) throw mismatch("a table import requires a WebAssembly.Table");
          return t;
        }
      }
    });
  }

  function exportsObject(instance: RtInstance): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null);
    for (const e of instance.module.translation.exports) {
      const value = instance.getExport(e.name)!;
      let js: unknown;
      if (value instanceof Func) js = exportedFunction(value, e.index);
      else if (value instanceof RtMemory) js = memories.wrap(value, Memory.prototype);
      else if (value instanceof RtTable) js = tables.wrap(value, Table.prototype);
      else js = globals.wrap(value as RtGlobal, Global.prototype);
      Object.defineProperty(out, e.name, { value: js, enumerable: true, writable: false });
    }
    return Object.freeze(out);
  }

  const exportsOf = new WeakMap<object, Record<string, unknown>>();

  class Instance {
    /**
     * @param module a compiled module
     * @param importObject the imports, by module name then field name
     */
    constructor(module: Module, importObject?: Record<string, unknown>) {
      const rt = requireModule(module, "WebAssembly.Instance()");
      const externs = readImports(rt, importObject);
      let instance: RtInstance;
      try {
        instance = new RtInstance(store, rt, externs);
      } catch (error) {
        throw wrapError(error);
      }
      exportsOf.set(this, exportsObject(instance));
    }

    get exports(): Record<string, unknown> {
      const e = exportsOf.get(this);
      if (e === undefined) throw new TypeError("not a WebAssembly.Instance");
      return e;
    }

    get [Symbol.toStringTag](): string {
      return "WebAssembly.Instance";
    }
  }

  class Memory {
    /**
     * @param descriptor `initial` and optional `maximum`, in 64 KiB pages
     */
    constructor(descriptor: { initial: number; maximum?: number; shared?: boolean }) {
      const d = dictionary(descriptor, "WebAssembly.Memory(): the descriptor");
      if (d.initial === undefined) {
        throw new TypeError("WebAssembly.Memory(): the descriptor needs an initial size");
      }
      const min = enforceU32(d.initial, "initial");
      const max = d.maximum === undefined ? undefined : enforceU32(d.maximum, "maximum");
      if (d.shared) throw new TypeError("WebAssembly.Memory(): shared memories are not supported");
      if (min > MAX_PAGES) throw new RangeError(`initial ${min} exceeds ${MAX_PAGES} pages`);
      if (max !== undefined && max > MAX_PAGES) {
        throw new RangeError(`maximum ${max} exceeds ${MAX_PAGES} pages`);
      }
      if (max !== undefined && max < min) {
        throw new RangeError(`maximum ${max} is below initial ${min}`);
      }
      const type: MemoryType = { limits: { min, max } };
      const rt = new RtMemory(store, type);
      memories.link(this, rt);
    }

    get buffer(): ArrayBuffer {
      return memories.require(this).buffer;
    }

    grow(delta: number): number {
      const rt = memories.require(this);
      const old = rt.grow(enforceU32(delta, "delta"));
      if (old < 0) throw new RangeError("WebAssembly.Memory.grow(): maximum memory size exceeded");
      return old;
    }

    get [Symbol.toStringTag](): string {
      return "WebAssembly.Memory";
    }
  }

  class Table {
    /**
     * @param descriptor `element` ("anyfunc"/"funcref" or "externref"), `initial`, `maximum`
     * @param value the initial value of every element
     */
    constructor(
      descriptor: { element: string; initial: number; maximum?: number },
      value?: unknown,
    ) {
      const d = dictionary(descriptor, "WebAssembly.Table(): the descriptor");
      const element = valueType(d.element, "WebAssembly.Table(): element");
      if (element !== ValType.funcref && element !== ValType.externref) {
        throw new TypeError(`WebAssembly.Table(): element must be a reference type`);
      }
      if (d.initial === undefined) {
        throw new TypeError("WebAssembly.Table(): the descriptor needs an initial size");
      }
      const min = enforceU32(d.initial, "initial");
      const max = d.maximum === undefined ? undefined : enforceU32(d.maximum, "maximum");
      if (max !== undefined && max < min) {
        throw new RangeError(`maximum ${max} is below initial ${min}`);
      }
      if (min > 10_000_000) throw new RangeError(`initial ${min} is too large`);
      const init = arguments.length < 2 || value === undefined
        ? defaultValue(element)
        : toWasm(value, element);
      const type: TableType = { element, limits: { min, max } };
      const rt = new RtTable(store, type, init);
      tables.link(this, rt);
    }

    get length(): number {
      return tables.require(this).size();
    }

    get(index: number): unknown {
      const rt = tables.require(this);
      const i = enforceU32(index, "index");
      if (i >= rt.size()) throw new RangeError(`table index ${i} out of bounds`);
      return toJs(rt.get(i), rt.element);
    }

    set(index: number, value?: unknown): void {
      const rt = tables.require(this);
      const i = enforceU32(index, "index");
      if (i >= rt.size()) throw new RangeError(`table index ${i} out of bounds`);
      rt.set(i, arguments.length < 2 ? defaultValue(rt.element) : toWasm(value, rt.element));
    }

    grow(delta: number, value?: unknown): number {
      const rt = tables.require(this);
      const n = enforceU32(delta, "delta");
      const init = arguments.length < 2 ? defaultValue(rt.element) : toWasm(value, rt.element);
      const old = n > MAX_TABLE_ELEMENTS ? -1 : rt.grow(n, init);
      if (old < 0) throw new RangeError("WebAssembly.Table.grow(): failed to grow the table");
      return old;
    }

    get [Symbol.toStringTag](): string {
      return "WebAssembly.Table";
    }
  }

  class Global {
    /**
     * @param descriptor `value` (the value type) and `mutable`
     * @param v the initial value; the type's default when absent
     */
    constructor(descriptor: { value: string; mutable?: boolean }, v?: unknown) {
      const d = dictionary(descriptor, "WebAssembly.Global(): the descriptor");
      const type = valueType(d.value, "WebAssembly.Global(): value");
      if (type === ValType.v128) throw new TypeError("WebAssembly.Global(): v128 is not allowed");
      const gt: GlobalType = { type, mutable: Boolean(d.mutable) };
      const rt = new RtGlobal(store, gt, v === undefined ? defaultValue(type) : toWasm(v, type));
      globals.link(this, rt);
    }

    get value(): unknown {
      const rt = globals.require(this);
      return toJs(rt.get(), rt.type.type);
    }

    set value(v: unknown) {
      const rt = globals.require(this);
      if (!rt.type.mutable) {
        throw new TypeError("WebAssembly.Global: cannot set an immutable global");
      }
      rt.set(toWasm(v, rt.type.type));
    }

    valueOf(): unknown {
      return this.value;
    }

    get [Symbol.toStringTag](): string {
      return "WebAssembly.Global";
    }
  }

  function validate(bytes: BufferSource): boolean {
    if (!isBufferSource(bytes)) {
      throw new TypeError("WebAssembly.validate(): argument must be an ArrayBuffer or a view");
    }
    try {
      RtModule.validate(engine, bytes);
      return true;
    } catch (error) {
      if (error instanceof EnvironCompileError) return false;
      throw error;
    }
  }

  function compile(bytes: BufferSource): Promise<Module> {
    return new Promise((resolve) => resolve(new Module(bytes)));
  }

  function instantiate(
    source: BufferSource | Module,
    importObject?: Record<string, unknown>,
  ): Promise<unknown> {
    return new Promise((resolve) => {
      if (typeof source === "object" && source !== null && moduleOf.has(source)) {
        resolve(new Instance(source as Module, importObject));
        return;
      }
      const module = new Module(source as BufferSource);
      resolve({ module, instance: new Instance(module, importObject) });
    });
  }

  async function responseBytes(source: unknown): Promise<ArrayBuffer> {
    const response = await source;
    if (!(response instanceof Response)) {
      throw new TypeError("WebAssembly streaming: the argument must be a Response");
    }
    const mime = response.headers.get("content-type");
    if (mime === null || mime.split(";")[0].trim().toLowerCase() !== "application/wasm") {
      throw new TypeError(
        `WebAssembly streaming: the Response's MIME type must be application/wasm, found ${mime}`,
      );
    }
    if (!response.ok) {
      throw new TypeError(`WebAssembly streaming: the Response failed with ${response.status}`);
    }
    return await response.arrayBuffer();
  }

  async function compileStreaming(source: Response | PromiseLike<Response>): Promise<Module> {
    return new Module(await responseBytes(source));
  }

  async function instantiateStreaming(
    source: Response | PromiseLike<Response>,
    importObject?: Record<string, unknown>,
  ): Promise<{ module: Module; instance: Instance }> {
    const module = new Module(await responseBytes(source));
    return { module, instance: new Instance(module, importObject) };
  }

  const namespace = {
    Module,
    Instance,
    Memory,
    Table,
    Global,
    CompileError,
    LinkError,
    RuntimeError,
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
