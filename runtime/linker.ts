/**
 * {@link Linker}: resolves a module's imports by name — from definitions
 * (functions, tables, memories, globals), host functions, and whole
 * instances — and instantiates it.
 *
 * Invariants:
 * - Names are two-level (`module`, `name`); defining a name twice is an error
 *   unless shadowing is allowed.
 * - Host functions defined with {@link Linker.func} are not tied to a store:
 *   each store gets its own `Func` for them, made once and reused.
 * - A missing import is a `LinkError` "unknown import: `m::n` has not been
 *   defined"; a mismatched one is "incompatible import type for `m::n`: ...".
 *
 * @module
 */

import type { Engine } from "./engine.ts";
import type { Extern } from "./extern.ts";
import { isExtern } from "./extern.ts";
import { Func, type HostFunc, type HostFuncWrap } from "./func.ts";
import { Instance } from "./instance.ts";
import { LinkError } from "./link_error.ts";
import type { Module } from "./module.ts";
import type { Store } from "./store.ts";
import { type FuncTypeInput, toFuncType } from "./val.ts";
import { type FuncType, TrapCode } from "@capstan/environ";
import { Trap } from "./trap.ts";

type Definition =
  | { readonly kind: "extern"; readonly item: Extern }
  | {
    readonly kind: "host";
    readonly type: FuncType;
    readonly fn: HostFunc;
    readonly plain: HostFuncWrap | undefined;
    readonly perStore: WeakMap<object, Func>;
  };

/**
 * Links modules by import names.
 *
 * @typeParam T the data type of the stores it instantiates into
 * @example
 * ```ts
 * import { Engine, Func, Linker, Store } from "@capstan/runtime";
 * const engine = new Engine();
 * const linker = new Linker<{ log: number[] }>(engine);
 * linker.func("env", "log", { params: ["i32"], results: [] }, (caller, x) => {
 *   caller.data.log.push(x);
 * });
 * const store = new Store(engine, { log: [] as number[] });
 * const log = linker.get(store, "env", "log");
 * if (!(log instanceof Func)) throw new Error("defined as a Func");
 * log.call(7);
 * if (store.data.log[0] !== 7) throw new Error();
 * ```
 */
export class Linker<T = undefined> {
  /** The engine whose modules it links. */
  readonly engine: Engine;
  readonly #defs = new Map<string, Definition>();
  #shadowing = false;

  /**
   * Creates an empty linker.
   *
   * @param engine the engine
   */
  constructor(engine: Engine) {
    this.engine = engine;
  }

  /**
   * Lets later definitions replace earlier ones of the same name.
   *
   * @param allow whether to allow it
   * @returns this linker
   */
  allowShadowing(allow: boolean): this {
    this.#shadowing = allow;
    return this;
  }

  #key(module: string, name: string): string {
    return JSON.stringify([module, name]);
  }

  #insert(module: string, name: string, def: Definition): this {
    if (typeof module !== "string" || typeof name !== "string") {
      throw new TypeError("import module and field names must be strings");
    }
    const key = this.#key(module, name);
    if (!this.#shadowing && this.#defs.has(key)) {
      throw new Error(`import of \`${module}::${name}\` defined twice`);
    }
    this.#defs.set(key, def);
    return this;
  }

  /**
   * Defines a name as a runtime object (of some store).
   *
   * @param module the import module name
   * @param name the import field name
   * @param item a Func, Table, Memory or Global
   * @returns this linker
   */
  define(module: string, name: string, item: Extern): this {
    if (!isExtern(item)) throw new TypeError("define() needs a Func, Table, Memory or Global");
    return this.#insert(module, name, { kind: "extern", item });
  }

  /**
   * Defines a host function that receives its `Caller` first.
   *
   * @param module the import module name
   * @param name the import field name
   * @param type its type (value types by number or name)
   * @param fn the implementation; may return a Promise for async use
   * @returns this linker
   */
  func(module: string, name: string, type: FuncTypeInput, fn: HostFunc<T>): this {
    if (typeof fn !== "function") throw new TypeError("a host function must be a function");
    return this.#insert(module, name, {
      kind: "host",
      type: toFuncType(type),
      fn: fn as HostFunc,
      plain: undefined,
      perStore: new WeakMap(),
    });
  }

  /**
   * Defines a host function from a plain JavaScript function (no caller).
   *
   * @param module the import module name
   * @param name the import field name
   * @param type its type (value types by number or name)
   * @param fn the implementation
   * @returns this linker
   */
  funcWrap(module: string, name: string, type: FuncTypeInput, fn: HostFuncWrap): this {
    if (typeof fn !== "function") throw new TypeError("a host function must be a function");
    return this.#insert(module, name, {
      kind: "host",
      type: toFuncType(type),
      fn: (_caller, ...args) => fn(...args),
      plain: fn,
      perStore: new WeakMap(),
    });
  }

  /**
   * Defines every export of an instance under a module name. The store
   * argument (wasmtime's order) is optional; when given, the instance must
   * belong to it.
   *
   * @param storeOrName the instance's store, or directly the module name
   * @param nameOrInstance the module name, or the instance
   * @param maybeInstance the instance, when a store was given
   * @returns this linker
   */
  instance(
    storeOrName: Store<T> | string,
    nameOrInstance: string | Instance,
    maybeInstance?: Instance,
  ): this {
    let moduleName: string;
    let instance: Instance;
    if (typeof storeOrName === "string") {
      moduleName = storeOrName;
      instance = nameOrInstance as Instance;
    } else {
      moduleName = nameOrInstance as string;
      instance = maybeInstance as Instance;
      storeOrName.checkOwns(instance, "Linker.instance");
    }
    if (!(instance instanceof Instance)) throw new TypeError("Linker.instance needs an Instance");
    for (const { name, value } of instance.exports()) this.define(moduleName, name, value);
    return this;
  }

  /**
   * Defines every function import of `module` that is not yet defined as a
   * host function that traps when called (other kinds stay undefined), so
   * modules with optional imports can run as long as they do not call them.
   *
   * @param module the module whose imports to cover
   * @returns this linker
   */
  defineUnknownImportsAsTraps(module: Module): this {
    for (const imp of module.imports()) {
      if (imp.type.kind !== "func" || this.#defs.has(this.#key(imp.module, imp.name))) continue;
      const what = `\`${imp.module}::${imp.name}\``;
      this.func(imp.module, imp.name, imp.type.type, () => {
        throw new Trap(TrapCode.Unreachable, [], `unknown import: ${what} has not been defined`);
      });
    }
    return this;
  }

  /**
   * The object a name resolves to in a store.
   *
   * @param store the store
   * @param module the import module name
   * @param name the import field name
   * @returns the object, or `undefined` when not defined
   */
  get(store: Store<T>, module: string, name: string): Extern | undefined {
    const def = this.#defs.get(this.#key(module, name));
    if (def === undefined) return undefined;
    if (def.kind === "extern") return def.item;
    let f = def.perStore.get(store);
    if (f === undefined) {
      f = def.plain !== undefined
        ? Func.wrap(store, def.type, def.plain)
        : Func.fromHost(store, def.type, def.fn);
      def.perStore.set(store, f);
    }
    return f;
  }

  /**
   * Resolves a module's imports in a store.
   *
   * @param store the store
   * @param module the module
   * @returns one object per import, in order
   * @throws LinkError for an import that is not defined
   */
  resolveImports(store: Store<T>, module: Module): Extern[] {
    return module._importTypes.map((imp) => {
      const item = this.get(store, imp.module, imp.name);
      if (item === undefined) {
        throw new LinkError(`unknown import: \`${imp.module}::${imp.name}\` has not been defined`);
      }
      return item;
    });
  }

  /**
   * Instantiates a module, resolving its imports by name.
   *
   * @param store the store
   * @param module the module
   * @returns the instance
   * @throws LinkError, `Trap` as `new Instance`
   */
  instantiate(store: Store<T>, module: Module): Instance {
    return new Instance(store, module, this.resolveImports(store, module));
  }

  /**
   * Instantiates a module, awaiting host Promises in its start function.
   *
   * @param store the store
   * @param module the module
   * @returns a Promise of the instance
   */
  async instantiateAsync(store: Store<T>, module: Module): Promise<Instance> {
    return await Instance.newAsync(store, module, this.resolveImports(store, module));
  }
}
