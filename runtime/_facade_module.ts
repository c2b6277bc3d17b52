/**
 * The facade's `WebAssembly.Module` and `WebAssembly.Instance` (module-level
 * classes each facade binds to its state with a subclass), the resolution of
 * an import object into the runtime's externs, the exports object, and the
 * namespace functions that compile and instantiate (`validate`, `compile`,
 * `instantiate`, `compileStreaming`, `instantiateStreaming`).
 *
 * Invariants:
 * - A module or instance is known only to the facade that made it: another
 *   facade's `Module` is not a module there (as across realms).
 * - Imports are read in the module's import order; a missing import module
 *   object is a `TypeError`, a missing or mismatched field a `LinkError`,
 *   both before anything is instantiated.
 * - An instance's exports object is frozen, has a null prototype, and keeps
 *   identity: the same export is the same JS object wherever it appears.
 * - The Promise-returning functions never throw: errors reject the Promise.
 *
 * @module
 */

import type { ImportType } from "./extern_type.ts";
import { CompileError as EnvironCompileError, ValType } from "@capstan/environ";
import type { Extern } from "./extern.ts";
import { Func } from "./func.ts";
import { Global as RtGlobal } from "./global.ts";
import { Instance as RtInstance } from "./instance.ts";
import { Memory as RtMemory } from "./memory.ts";
import { Module as RtModule } from "./module.ts";
import { Table as RtTable } from "./table.ts";
import type { Facade } from "./_facade.ts";
import { InternalSlots } from "./_facade_slots.ts";
import { CompileError, LinkError, rethrowCompile } from "./_facade_errors.ts";
import {
  checkCompileOptions,
  type CompileOptions,
  isSuppliedImport,
  NO_COMPILE_OPTIONS,
  readCompileOptions,
  suppliedImport,
} from "./_facade_js_string.ts";
import { hostFunction } from "./_facade_functions.ts";
import { suspendingTarget } from "./_facade_jspi.ts";
import { globalSlots, memorySlots, tableSlots } from "./_facade_objects.ts";
import { facadeError, tagObject, tagSlots } from "./_facade_exceptions.ts";
import { Tag as RtTag } from "./tag.ts";
import { isBufferSource } from "./_facade_values.ts";

const KIND_NAMES = {
  func: "function",
  table: "table",
  memory: "memory",
  global: "global",
  tag: "tag",
};

/** The internal slots of the facade's modules. */
const moduleSlots = new InternalSlots<RtModule>("Module");
/** Each facade module's compile options (builtins, string constants). */
const moduleOptions = new WeakMap<RtModule, CompileOptions>();
/** The internal slots of the facade's instances: their exports objects. */
const instanceSlots = new InternalSlots<Record<string, unknown>>("Instance");

function compileBytes(facade: Facade, bytes: unknown): RtModule {
  if (!isBufferSource(bytes)) {
    throw new TypeError("WebAssembly.Module(): argument must be an ArrayBuffer or a view");
  }
  try {
    return new RtModule(facade.engine, bytes);
  } catch (error) {
    rethrowCompile(error);
  }
}

function requireModule(facade: Facade, m: unknown, what: string): RtModule {
  const rt = moduleSlots.find(facade, m);
  if (rt === undefined) throw new TypeError(`${what}: argument must be a WebAssembly.Module`);
  return rt;
}

/** `WebAssembly.Module` (each facade's class extends it and adds the static functions). */
export class FacadeModule {
  /**
   * Compiles a module for the facade's engine.
   *
   * @param facade the facade
   * @param bytes a binary module
   * @param options `builtins` and `importedStringConstants` (see `_facade_js_string.ts`)
   */
  constructor(facade: Facade, bytes: BufferSource, options?: unknown) {
    const opts = readCompileOptions(options);
    const rt = compileBytes(facade, bytes);
    checkCompileOptions(rt._importTypes, opts, (t) => rt._canonType(t));
    moduleOptions.set(rt, opts);
    moduleSlots.link(this, facade, rt);
  }

  /** `"WebAssembly.Module"`. */
  get [Symbol.toStringTag](): string {
    return "WebAssembly.Module";
  }
}

/**
 * `WebAssembly.Module.exports`.
 *
 * @param facade the facade
 * @param module one of its modules
 * @returns the exports' names and kinds
 */
export function moduleExports(facade: Facade, module: unknown): { name: string; kind: string }[] {
  return requireModule(facade, module, "WebAssembly.Module.exports()").translation.exports.map(
    (e) => ({ name: e.name, kind: KIND_NAMES[e.kind] }),
  );
}

/**
 * `WebAssembly.Module.imports`.
 *
 * @param facade the facade
 * @param module one of its modules
 * @returns the imports' module names, names and kinds
 */
export function moduleImports(
  facade: Facade,
  module: unknown,
): { module: string; name: string; kind: string }[] {
  const rt = requireModule(facade, module, "WebAssembly.Module.imports()");
  const opts = moduleOptions.get(rt) ?? NO_COMPILE_OPTIONS;
  const types = rt._importTypes;
  return rt.translation.imports.filter((_, k) => !isSuppliedImport(opts, types[k])).map(
    (i) => ({ module: i.module, name: i.name, kind: KIND_NAMES[i.desc.kind] }),
  );
}

/**
 * `WebAssembly.Module.customSections`.
 *
 * @param facade the facade
 * @param module one of its modules
 * @param sectionName the custom sections' name
 * @param argumentCount how many arguments the call had (the name is required)
 * @returns a copy of each section's bytes
 */
export function moduleCustomSections(
  facade: Facade,
  module: unknown,
  sectionName: string,
  argumentCount: number,
): ArrayBuffer[] {
  const rt = requireModule(facade, module, "WebAssembly.Module.customSections()");
  if (argumentCount < 2) {
    throw new TypeError("WebAssembly.Module.customSections(): a section name is required");
  }
  return rt.customSections(String(sectionName)).map((b) => b.slice().buffer);
}

function readImports(facade: Facade, module: RtModule, importObject: unknown): Extern[] {
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
  const opts = moduleOptions.get(module) ?? NO_COMPILE_OPTIONS;
  const decls = module.translation.imports;
  return imports.map((given, k) => {
    // a function import's type with its GC types canonical (what values are checked against)
    const d = decls[k].desc;
    const imp: ImportType = d.kind === "func"
      ? { ...given, type: { kind: "func", type: module._canonFuncType(d.typeIndex) } }
      : given;
    const supplied = suppliedImport(facade, opts, imp);
    if (supplied !== undefined) return supplied;
    const { module: mod, name, type } = imp;
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
        const suspending = suspendingTarget(v);
        if (suspending !== undefined) return hostFunction(facade, suspending, type.type, true);
        if (typeof v !== "function") throw mismatch("function import requires a callable");
        return facade.funcOf(v) ??
          hostFunction(facade, v as (...a: unknown[]) => unknown, type.type);
      }
      case "global": {
        const g = globalSlots.find(facade, v);
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
          return new RtGlobal(facade.store, gt, facade.toWasm(v, gt.type));
        }
        if (v === undefined) {
          throw new LinkError(`unknown import: \`${mod}::${name}\` has not been defined`);
        }
        throw mismatch("a global import requires a number, a BigInt or a WebAssembly.Global");
      }
      case "memory": {
        const m = memorySlots.find(facade, v);
        if (m === undefined) throw mismatch("a memory import requires a WebAssembly.Memory");
        return m;
      }
      case "table": {
        const t = tableSlots.find(facade, v);
        if (t === undefined) throw mismatch("a table import requires a WebAssembly.Table");
        return t;
      }
      case "tag": {
        const t = tagSlots.find(facade, v);
        if (t === undefined) throw mismatch("a tag import requires a WebAssembly.Tag");
        return t;
      }
    }
  });
}

function exportsObject(facade: Facade, instance: RtInstance): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null);
  const { Memory, Table, Global } = facade.classes;
  for (const e of instance.module.translation.exports) {
    const value = instance.getExport(e.name)!;
    let js: unknown;
    if (value instanceof Func) js = facade.exportedFunction(value, e.index);
    else if (value instanceof RtMemory) js = facade.wrap(value, memorySlots, Memory.prototype);
    else if (value instanceof RtTable) js = facade.wrap(value, tableSlots, Table.prototype);
    else if (value instanceof RtTag) js = tagObject(facade, value, facade.classes.Tag.prototype);
    else js = facade.wrap(value as RtGlobal, globalSlots, Global.prototype);
    Object.defineProperty(out, e.name, { value: js, enumerable: true, writable: false });
  }
  return Object.freeze(out);
}

/** `WebAssembly.Instance` (each facade's class extends it). */
export class FacadeInstance {
  /**
   * Instantiates a module in the facade's store.
   *
   * @param facade the facade
   * @param module one of its modules
   * @param importObject the imports, by module name then field name
   */
  constructor(facade: Facade, module: unknown, importObject: unknown) {
    const rt = requireModule(facade, module, "WebAssembly.Instance()");
    const externs = readImports(facade, rt, importObject);
    let instance: RtInstance;
    try {
      instance = new RtInstance(facade.store, rt, externs);
    } catch (error) {
      throw facadeError(facade, error);
    }
    instanceSlots.link(this, facade, exportsObject(facade, instance));
  }

  /** The exports object. */
  get exports(): Record<string, unknown> {
    return instanceSlots.require(this).rt;
  }

  /** `"WebAssembly.Instance"`. */
  get [Symbol.toStringTag](): string {
    return "WebAssembly.Instance";
  }
}

/**
 * `WebAssembly.validate`.
 *
 * @param facade the facade
 * @param bytes a binary module
 * @param options compile options (builtins, string constants)
 * @returns whether it is a valid module (for those options)
 */
export function validateModule(facade: Facade, bytes: BufferSource, options?: unknown): boolean {
  if (!isBufferSource(bytes)) {
    throw new TypeError("WebAssembly.validate(): argument must be an ArrayBuffer or a view");
  }
  const opts = readCompileOptions(options);
  try {
    if (opts === NO_COMPILE_OPTIONS) RtModule.validate(facade.engine, bytes);
    else {
      const rt = new RtModule(facade.engine, bytes);
      checkCompileOptions(rt._importTypes, opts, (t) => rt._canonType(t));
    }
    return true;
  } catch (error) {
    if (error instanceof EnvironCompileError || error instanceof CompileError) return false;
    throw error;
  }
}

/**
 * `WebAssembly.compile`.
 *
 * @param facade the facade
 * @param bytes a binary module
 * @param options compile options (builtins, string constants)
 * @returns a Promise of the facade's `Module`
 */
export function compileModule(
  facade: Facade,
  bytes: BufferSource,
  options?: unknown,
): Promise<FacadeModule> {
  return new Promise((resolve) => resolve(new facade.classes.Module(bytes, options)));
}

/**
 * `WebAssembly.instantiate`: of a module, the instance; of bytes, the
 * module and the instance.
 *
 * @param facade the facade
 * @param source one of its modules, or a binary module
 * @param importObject the imports
 * @param options compile options, for bytes (builtins, string constants)
 * @returns a Promise of the instance, or of `{ module, instance }`
 */
export function instantiateSource(
  facade: Facade,
  source: unknown,
  importObject: Record<string, unknown> | undefined,
  options?: unknown,
): Promise<unknown> {
  const { Module, Instance } = facade.classes;
  return new Promise((resolve) => {
    if (moduleSlots.find(facade, source) !== undefined) {
      resolve(new Instance(source as FacadeModule, importObject));
      return;
    }
    const module = new Module(source as BufferSource, options);
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

/**
 * `WebAssembly.compileStreaming`.
 *
 * @param facade the facade
 * @param source a Response (or a Promise of one) of MIME type `application/wasm`
 * @param options compile options (builtins, string constants)
 * @returns a Promise of the facade's `Module`
 */
export async function compileResponse(
  facade: Facade,
  source: unknown,
  options?: unknown,
): Promise<FacadeModule> {
  return new facade.classes.Module(await responseBytes(source), options);
}

/**
 * `WebAssembly.instantiateStreaming`.
 *
 * @param facade the facade
 * @param source a Response (or a Promise of one) of MIME type `application/wasm`
 * @param importObject the imports
 * @param options compile options (builtins, string constants)
 * @returns a Promise of `{ module, instance }`
 */
export async function instantiateResponse(
  facade: Facade,
  source: unknown,
  importObject: Record<string, unknown> | undefined,
  options?: unknown,
): Promise<{ module: FacadeModule; instance: FacadeInstance }> {
  const { Module, Instance } = facade.classes;
  const module = new Module(await responseBytes(source), options);
  return { module, instance: new Instance(module, importObject) };
}
