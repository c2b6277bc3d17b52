/**
 * {@link Module}: a WebAssembly module decoded, validated and compiled once
 * for an {@link Engine}, then instantiated any number of times in stores of
 * that engine.
 *
 * Invariants:
 * - Construction either yields a fully validated module or throws the
 *   `CompileError` from `environ` (naming the byte offset and the reason).
 * - The module keeps a private copy of its bytes; later changes to the
 *   caller's buffer do not affect it.
 * - `_sigIds[t]` is the engine's canonical signature id of type index `t`.
 * - {@link Module.shareable} is the compiled module as plain data (the
 *   translation and the bytecode, structured-cloneable); a thread rebuilds the
 *   module from it with {@link Module.fromShareable} without decoding,
 *   validating or lowering again, for an engine with the same tunables.
 *
 * @module
 */

import {
  type CompiledFunction,
  CompiledModule,
  compileModule,
  deserializeCompiled,
  relocateTypes,
  serializeCompiled,
  type SerializeOptions,
  typeRelocsAsIndices,
} from "@capstan/codegen";
import { ModuleCache } from "./_module_cache.ts";
import {
  type FuncType,
  type GlobalType,
  isNullable,
  isRefType,
  type ModuleTranslation,
  refTypeIndex,
  restoreTranslation,
  snapshotTranslation,
  type TableType,
  translateModule,
  type TranslationSnapshot,
  type Tunables,
  typeIndexRef,
  type ValType,
  VMOffsets,
  type VMOffsetsCounts,
  withTypeIndex,
} from "@capstan/environ";
import type { Engine } from "./engine.ts";
import type { ExportType, ExternType, ImportType } from "./extern_type.ts";
import { JsTierModule } from "./_js_tier.ts";
import { AutoTierModule } from "./_auto_tier.ts";
import { offeredAotCode } from "./_aot_code.ts";

/**
 * A compiled module as plain data, to post to a `Worker` (see
 * {@link Module.shareable}).
 */
export interface ShareableModule {
  /** The module's bytes. */
  readonly bytes: Uint8Array;
  /**
   * The decoded, validated module, as plain data (its types are registered
   * again on the receiving thread, whose type registry is its own).
   */
  readonly translation: TranslationSnapshot;
  /** The tunables its code was compiled with. */
  readonly tunables: Tunables;
  /** Its vmctx layout's counts. */
  readonly counts: VMOffsetsCounts;
  /** All defined functions' code. */
  readonly code: Int32Array;
  /** The defined functions, with their maps. */
  readonly functions: readonly CompiledFunction[];
}

/**
 * Copies a `BufferSource` into a fresh `Uint8Array`.
 *
 * @param bytes an ArrayBuffer, a typed array or a DataView
 * @returns a copy of the bytes
 * @throws TypeError for anything else
 */
export function copyBytes(bytes: ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (bytes instanceof ArrayBuffer || bytes instanceof SharedArrayBuffer) {
    return new Uint8Array(bytes.slice(0));
  }
  if (ArrayBuffer.isView(bytes)) {
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
  }
  throw new TypeError("module bytes must be an ArrayBuffer or an ArrayBuffer view");
}

/**
 * A compiled module: decoded and validated by `@capstan/environ`, each
 * function lowered to bytecode by `@capstan/codegen`.
 *
 * @example
 * ```ts
 * import { Engine, Module } from "@capstan/runtime";
 * // (module (func (export "f") (param i32) (result i32) local.get 0))
 * const bytes = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0,
 *   7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 32, 0, 11,
 * ]);
 * const module = new Module(new Engine(), bytes);
 * const [e] = module.exports();
 * if (e.name !== "f" || e.type.kind !== "func") throw new Error();
 * ```
 */
export class Module {
  /** The engine it was compiled for. */
  readonly engine: Engine;
  /** The decoded, validated module. */
  readonly translation: ModuleTranslation;
  /**
   * Canonical signature id of each type index.
   *
   * @ignore
   */
  readonly _sigIds: Int32Array;
  /**
   * The bytecode of every defined function, with its maps.
   *
   * @ignore
   */
  readonly _compiled: CompiledModule;

  /**
   * Decodes, validates and compiles a module; with an engine that has a
   * compilation cache, loads the compiled code from it when it holds this
   * module's (and stores it there when not).
   *
   * @param engine the engine
   * @param bytes the binary module
   * @param _compiled its compiled code, already made (by {@link Module.deserialize},
   *   {@link Module.fromShareable})
   * @throws CompileError when the bytes are malformed or invalid
   */
  constructor(
    engine: Engine,
    bytes: ArrayBufferLike | ArrayBufferView,
    _compiled?: CompiledModule,
  ) {
    this.engine = engine;
    const aot = offeredAotCode(engine); // an ahead-of-time module's code (`aot.ts`)
    let compiled = _compiled ?? aot?.compiled;
    if (compiled === undefined) {
      const wasm = copyBytes(bytes);
      const cache = engine._cache;
      compiled = cache?.get(wasm);
      if (compiled !== undefined) {
        cache!.track(wasm, this, ModuleCache.loweredCount(compiled));
      } else {
        // each function is lowered on its first call; the cache's entry is written
        // (and rewritten) with what is lowered when it flushes
        const translation = translateModule(wasm, engine._features);
        compiled = compileModule(translation, engine.config.tunables, { lazy: true });
        cache?.track(wasm, this, -1);
      }
    }
    this.translation = compiled.translation;
    this._sigIds = Int32Array.from(this.translation.types, (t) => engine.signatureId(t));
    this._compiled = compiled;
    this._js = engine.config.strategy === "js" ? new JsTierModule(this, aot) : undefined;
    this._auto = engine.config.strategy === "auto" ? new AutoTierModule(this) : undefined;
  }

  /**
   * The module's promotion state, with an engine of strategy `"auto"`.
   *
   * @ignore
   */
  readonly _auto: AutoTierModule | undefined;

  /**
   * The compiled module as plain data: post it to a `Worker` and make the
   * same module there with {@link Module.fromShareable}, with no decoding,
   * validation or compilation.
   *
   * @returns the module's translation and code
   * @example
   * ```ts
   * import { Engine, Module } from "@capstan/runtime";
   * // (module (func (export "f") (param i32) (result i32) local.get 0))
   * const bytes = new Uint8Array([
   *   0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0,
   *   7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 32, 0, 11,
   * ]);
   * const posted = structuredClone(new Module(new Engine(), bytes).shareable());
   * const again = Module.fromShareable(new Engine(), posted);
   * if (again.exports()[0].name !== "f") throw new Error();
   * ```
   */
  shareable(): ShareableModule {
    const c = this._compiled.lowerAll(); // another thread gets every function's code
    return {
      bytes: this.translation.bytes,
      translation: snapshotTranslation(this.translation),
      tunables: c.tunables,
      counts: c.offsets.counts,
      code: c.code,
      functions: typeRelocsAsIndices(c.functions, this.translation.typeIds),
    };
  }

  /**
   * The module another thread compiled, from its {@link Module.shareable}.
   *
   * @param engine this thread's engine: its tunables must be the ones the code was compiled with
   * @param shared what `shareable()` returned there, posted here
   * @returns the module
   * @throws Error when the engine's tunables differ
   */
  static fromShareable(engine: Engine, shared: ShareableModule): Module {
    if (JSON.stringify(engine.config.tunables) !== JSON.stringify(shared.tunables)) {
      throw new Error("the module was compiled for an engine with other tunables");
    }
    const translation = restoreTranslation(shared.translation, shared.bytes);
    const compiled = new CompiledModule(
      translation,
      new VMOffsets(shared.counts),
      shared.tunables,
      shared.code,
      relocateTypes(shared.code, shared.functions, translation.typeIds),
    );
    return new Module(engine, shared.bytes, compiled);
  }

  /**
   * The module's JS code, with an engine of strategy `"js"`.
   *
   * @ignore
   */
  readonly _js: JsTierModule | undefined;

  /**
   * Where a function runs: `"js"`, or `"interpreter: <reason>"` (an engine of
   * strategy `"interpreter"`, a function the JS tier does not run, an import;
   * with `"auto"`, a function not promoted yet). Async calls (`callAsync`)
   * run on the interpreter whatever this says.
   *
   * @param funcIndex a function index
   * @returns the tier, with the reason for the interpreter
   */
  tierOf(funcIndex: number): string {
    if (funcIndex < this.translation.numImportedFunctions) return "interpreter: an import";
    if (this._auto !== undefined) return this._auto.tierOf(funcIndex);
    if (this._js === undefined) return "interpreter: the engine's strategy";
    return this._js.tierOf(funcIndex);
  }

  /**
   * The module compiled, as bytes that {@link Module.deserialize} loads
   * without compiling again (wasmtime's `Module::serialize`): the module's
   * bytes, the code of every function lowered so far (of every function
   * with `{ all: true }`; the others are lowered on their first call after
   * loading), and a digest of the Capstan version and engine configuration
   * the code is for.
   *
   * @param options `all`: lower every function first
   * @returns the image
   */
  serialize(options: SerializeOptions = {}): Uint8Array {
    return serializeCompiled(this._forImage(), this.translation.bytes, options);
  }

  /**
   * The compiled module an image holds: the code as it was before any
   * function was promoted to the JS tier (`enter_tier` is this process's
   * business).
   *
   * @returns the compiled module, or a copy of it with its own code
   * @ignore
   */
  _forImage(): CompiledModule {
    return this._auto?.unpromoted() ?? this._compiled;
  }

  /**
   * Loads a module from an image {@link Module.serialize} wrote, without
   * compiling it (wasmtime's `Module::deserialize`). The image must come
   * from the same Capstan version and an engine with the same code
   * configuration (fuel, epochs, instruction counting, NaN canonicalisation).
   *
   * @param engine the engine
   * @param image the image
   * @returns the module
   * @throws ImageError (of `@capstan/codegen`) when the image is corrupt or
   *   for another version or configuration, naming which
   */
  static deserialize(engine: Engine, image: ArrayBufferLike | ArrayBufferView): Module {
    const compiled = deserializeCompiled(copyBytes(image), engine.config.tunables, {
      ...engine._features,
    });
    return new Module(engine, compiled.translation.bytes, compiled);
  }

  /**
   * Checks that bytes are a valid module, without compiling them.
   *
   * @param _engine the engine (its features decide validity)
   * @param bytes the binary module
   * @throws CompileError when the bytes are malformed or invalid
   */
  static validate(engine: Engine, bytes: ArrayBufferLike | ArrayBufferView): void {
    translateModule(copyBytes(bytes), engine._features);
  }

  /** The module's name from the `name` section, if any. */
  get name(): string | undefined {
    return this.translation.names.module;
  }

  /**
   * The type of function `index` (imported or defined).
   *
   * @param index a function index
   * @returns the extern type
   * @ignore
   */
  _funcExternType(index: number): ExternType {
    const t = this.translation;
    return { kind: "func", type: t.types[t.functions[index]] };
  }

  /**
   * The imports, in order, with their types.
   *
   * @returns one entry per import
   */
  imports(): ImportType[] {
    return [...this._importTypes];
  }

  /**
   * The imports with their types, computed once (do not modify).
   *
   * @ignore
   */
  get _importTypes(): readonly ImportType[] {
    return this.#imports ??= this.#computeImports();
  }
  #imports: readonly ImportType[] | undefined;

  #computeImports(): ImportType[] {
    const t = this.translation;
    return t.imports.map((imp) => {
      const d = imp.desc;
      const type: ExternType = d.kind === "func"
        ? { kind: "func", type: t.types[d.typeIndex] }
        : d.kind === "table"
        ? { kind: "table", type: this._canonTable(d.type) }
        : d.kind === "global"
        ? { kind: "global", type: this._canonGlobal(d.type) }
        : d.kind === "tag"
        ? { kind: "tag", type: this._canonFuncType(d.typeIndex) }
        : d as ExternType;
      return { module: imp.module, name: imp.name, type };
    });
  }

  /**
   * A value type as the runtime keeps it: a type index in it replaced by the
   * type's canonical id in environ's type registry (the engine's signature
   * id in a translation without them), so types from different modules
   * compare as numbers and subtype by `isCanonicalSubtype`.
   *
   * @param type a value type of this module
   * @returns the canonical value type
   * @ignore
   */
  _canonType(type: ValType): ValType {
    const index = isRefType(type) ? refTypeIndex(type) : -1;
    if (index < 0) return type;
    const ids = this.translation.typeIds;
    return ids === undefined
      ? typeIndexRef(this._sigIds[index], isNullable(type))
      : withTypeIndex(type, ids[index]);
  }

  /**
   * A function type with its value types canonical ({@link Module._canonType}),
   * as the runtime's functions of this module carry it.
   *
   * @param typeIndex a type index of this module
   * @returns its type as the runtime keeps it
   * @ignore
   */
  _canonFuncType(typeIndex: number): FuncType {
    const t = this.translation.types[typeIndex];
    if (t.key === undefined) return t;
    return {
      params: t.params.map((v) => this._canonType(v)),
      results: t.results.map((v) => this._canonType(v)),
      key: t.key,
    };
  }

  /**
   * A table type with its element type canonical ({@link Module._canonType}).
   *
   * @param type a table type of this module
   * @returns the same type as the runtime keeps it
   * @ignore
   */
  _canonTable(type: TableType): TableType {
    const element = this._canonType(type.element);
    return element === type.element ? type : { ...type, element };
  }

  /**
   * A global type with its value type canonical ({@link Module._canonType}).
   *
   * @param type a global type of this module
   * @returns the same type as the runtime keeps it
   * @ignore
   */
  _canonGlobal(type: GlobalType): GlobalType {
    const t = this._canonType(type.type);
    return t === type.type ? type : { type: t, mutable: type.mutable };
  }

  /**
   * The exports, in order, with their types.
   *
   * @returns one entry per export
   */
  exports(): ExportType[] {
    const t = this.translation;
    return t.exports.map((e) => {
      let type: ExternType;
      switch (e.kind) {
        case "func":
          type = this._funcExternType(e.index);
          break;
        case "table":
          type = { kind: "table", type: this._canonTable(t.tables[e.index]) };
          break;
        case "memory":
          type = { kind: "memory", type: t.memories[e.index] };
          break;
        case "global":
          type = { kind: "global", type: this._canonGlobal(t.globals[e.index]) };
          break;
        case "tag":
          type = { kind: "tag", type: this._canonFuncType(t.tags[e.index]) };
          break;
      }
      return { name: e.name, type };
    });
  }

  /**
   * The payloads of the custom sections with a name, in module order.
   *
   * @param name the section name
   * @returns copies of their payloads
   */
  customSections(name: string): Uint8Array[] {
    return this.translation.customSections.filter((s) => s.name === name).map((s) =>
      s.data.slice()
    );
  }
}
