/**
 * Engine adapters for the benchmark harness: one small interface over the
 * three engines we compare — native V8 `WebAssembly` (the baseline),
 * Capstan, and polywasm (a wasm→JS translator in pure JavaScript).
 *
 * Invariants:
 * - An adapter that cannot run says so in {@link Engine.unavailable} with a
 *   reason; harnesses then print `n/a` or skip, never a made-up number.
 * - Capstan is reached through its public package (`@capstan/runtime`):
 *   the JS-API facade (named export `WebAssembly`, same shape as the
 *   global) when present, else the runtime's own `Engine`/`Module`/`Store`/
 *   `Instance` API. The import is dynamic so a half-built engine makes
 *   Capstan "unavailable" instead of breaking every benchmark.
 * - `run(n)` results are unsigned 32-bit (`>>> 0`), like `kernels.json`.
 *
 * @module
 */

import { WebAssembly as PolyWasm } from "polywasm";

/** The engines the harness knows, in table order. */
export type EngineName = "native" | "capstan" | "polywasm";

/** The subset of the global `WebAssembly` object the harness uses. */
export interface WasmJsApi {
  /** Synchronous compilation, as `new WebAssembly.Module(bytes)`. */
  Module: new (bytes: Uint8Array) => object;
  /** Synchronous instantiation, as `new WebAssembly.Instance(module, imports)`. */
  Instance: new (module: object, imports?: object) => { exports: Record<string, unknown> };
  /** Asynchronous compilation, as `WebAssembly.compile(bytes)`. */
  compile(bytes: Uint8Array): Promise<object>;
}

/** An instantiated module, ready to call. */
export interface EngineInstance {
  /** The instance's exports (functions are plain JS functions). */
  readonly exports: Record<string, unknown>;
  /**
   * Calls the export `run(n)` of a corpus kernel.
   *
   * @returns the checksum as an unsigned 32-bit integer
   */
  run(n: number): number;
}

/** Capstan runtime settings a benchmark can switch on. */
export interface CapstanConfig {
  /** Fuel metering on, with a budget too large to run out. */
  readonly fuel: boolean;
  /** Epoch-deadline checks on, with a deadline that never passes. */
  readonly epochs: boolean;
}

/** Capstan-only measurement hooks; each is absent when the engine does not provide it. */
export interface CapstanHooks {
  /**
   * Instantiates an import-free module compiled with the VM's instruction
   * counter (`Tunables.countInstructions`), calls `run(n)`, checks its result
   * against `expect`, and returns how many bytecode instructions the VM
   * executed (`Vm.instructions`), read from the counter, never estimated.
   */
  countInstructions?(bytes: Uint8Array, n: number, expect: number): number;
  /**
   * Instantiates an import-free module with fuel metering on, calls `run(n)`,
   * checks its result against `expect`, and returns the fuel it consumed:
   * the number of wasm operators executed, counted by the VM's fuel counter
   * (wasmtime's rule: `nop`, `drop`, `block`, `loop`, `end`, `else` are free).
   */
  countWasmOperators?(bytes: Uint8Array, n: number, expect: number): number;
  /**
   * Instantiates an import-free module through the runtime API
   * (`Engine`/`Module`/`Store`/`Linker`) with the given settings; with both
   * off it is the reference for measuring what they cost.
   */
  instantiateConfigured?(bytes: Uint8Array, config: CapstanConfig): EngineInstance;
  /** Decodes and validates only (`translateModule` of `@capstan/environ`). */
  decodeValidate?(bytes: Uint8Array): unknown;
  /**
   * Decodes, validates and lowers every function to bytecode
   * (`translateModule`, then `compileModule` of `@capstan/codegen`): the
   * whole translation, whatever the runtime defers to instantiation.
   */
  translateAndCompile?(bytes: Uint8Array): unknown;
  /** A compiled-module image of the bytes, every function lowered (`serializeCompiled`). */
  imageOf?(bytes: Uint8Array): Uint8Array;
  /** Loads an image (`deserializeCompiled`): nothing lowered, the bodies not validated again. */
  deserialize?(image: Uint8Array): unknown;
}

/** One engine as the harness sees it. */
export interface Engine {
  /** Which engine this is. */
  readonly name: EngineName;
  /** Why the engine cannot run here, or `null` when it can. */
  readonly unavailable: string | null;
  /** Compiles `bytes` synchronously (decode, validate, translate). */
  compile(bytes: Uint8Array): object;
  /** Compiles `bytes` asynchronously, as `WebAssembly.compile`. */
  compileAsync(bytes: Uint8Array): Promise<object>;
  /** Instantiates a module returned by {@link Engine.compile}. */
  instantiateModule(module: object, imports?: object): EngineInstance;
  /** Compiles and instantiates `bytes` in one step. */
  instantiate(bytes: Uint8Array, imports?: object): EngineInstance;
  /** Capstan's measurement hooks (empty for the other engines). */
  readonly hooks: CapstanHooks;
}

/** Wraps an instance's exports as an {@link EngineInstance}. */
export function wrapExports(exports: Record<string, unknown>): EngineInstance {
  const run = exports.run as ((n: number) => number) | undefined;
  return {
    exports,
    run(n: number): number {
      if (typeof run !== "function") throw new TypeError("module has no exported function run");
      return run(n) >>> 0;
    },
  };
}

/**
 * Builds an adapter over any object shaped like the global `WebAssembly`.
 *
 * @param name which engine it is
 * @param api the `WebAssembly`-shaped object
 * @param hooks Capstan-only hooks, if any
 * @returns an available engine
 * @example
 * ```ts
 * import { fromJsApi } from "./_engines.ts";
 * const native = fromJsApi("native", WebAssembly);
 * const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
 * if (native.instantiate(empty).exports === undefined) throw new Error();
 * ```
 */
export function fromJsApi(name: EngineName, api: WasmJsApi, hooks: CapstanHooks = {}): Engine {
  const instantiateModule = (module: object, imports: object = {}): EngineInstance =>
    wrapExports(new api.Instance(module, imports).exports);
  return {
    name,
    unavailable: null,
    compile: (bytes) => new api.Module(bytes),
    compileAsync: (bytes) => api.compile(bytes),
    instantiateModule,
    instantiate: (bytes, imports = {}) => instantiateModule(new api.Module(bytes), imports),
    hooks,
  };
}

/**
 * An adapter that cannot run: every method throws with the reason.
 *
 * @param name which engine it is
 * @param reason why it is unavailable (shown in tables and bench names)
 * @param hooks hooks that work even so (e.g. Capstan's decode+validate stage)
 * @returns an engine whose `unavailable` is `reason`
 */
export function unavailableEngine(
  name: EngineName,
  reason: string,
  hooks: CapstanHooks = {},
): Engine {
  const fail = (): never => {
    throw new Error(`${name} is unavailable: ${reason}`);
  };
  return {
    name,
    unavailable: reason,
    compile: fail,
    compileAsync: () => Promise.reject(new Error(`${name} is unavailable: ${reason}`)),
    instantiateModule: fail,
    instantiate: fail,
    hooks,
  };
}

/** Native V8 `WebAssembly`, the baseline. */
export function nativeEngine(): Engine {
  return fromJsApi("native", WebAssembly as unknown as WasmJsApi);
}

/** polywasm 0.2.0 (npm), a pure-JS engine that translates wasm to JS functions. */
export function polywasmEngine(): Engine {
  return fromJsApi("polywasm", PolyWasm as unknown as WasmJsApi);
}

/** The specifier of Capstan's runtime package; a variable so the import stays dynamic. */
const CAPSTAN_RUNTIME = "@capstan/runtime";

/** The smallest module there is: checks that an engine can compile and instantiate. */
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/** `(func (export "run") (param i32) (result i32) local.get 0 i32.const 1 i32.add)` */
// deno-fmt-ignore
const PROBE_MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // header
  0x01, 0x06, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f, // type (i32) -> i32
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x07, 0x07, 0x01, 0x03, 0x72, 0x75, 0x6e, 0x00, 0x00, // export "run"
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b, // body
]);

/**
 * Checks an engine on the probe module (`run(n) = n + 1`).
 *
 * @returns `null` when it works, else what went wrong
 */
export function probeEngine(engine: Engine): string | null {
  try {
    engine.instantiate(EMPTY_MODULE);
    const got = engine.instantiate(PROBE_MODULE).run(41);
    return got === 42 ? null : `probe run(41) returned ${got}, expected 42`;
  } catch (e) {
    return firstLine(e);
  }
}

function firstLine(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.split("\n")[0];
}

/** The parts of `@capstan/runtime`'s embedding API the hooks use. */
interface RuntimeApi {
  Engine: new (config: {
    consumeFuel?: boolean;
    epochInterruption?: boolean;
    tunables?: Record<string, unknown>;
  }) => object;
  Module: new (engine: object, bytes: Uint8Array) => object;
  Store: new (engine: object, data: undefined) => {
    setFuel(fuel: number): void;
    getFuel(): number;
    setEpochDeadline(ticks: number): void;
    /** The store's VM (runtime-internal; read here only for its counter). */
    readonly _vm?: { instructions: number };
  };
  Linker: new (engine: object) => {
    instantiate(store: object, module: object): {
      getFunc(name: string): { typed(): (...args: unknown[]) => unknown } | undefined;
    };
  };
}

/** The specifiers of the translation stages; variables so the imports stay dynamic. */
const CAPSTAN_ENVIRON = "@capstan/environ";
const CAPSTAN_CODEGEN = "@capstan/codegen";

/** Adds the translation-stage hooks when environ and codegen export them. */
async function addStageHooks(hooks: CapstanHooks): Promise<void> {
  try {
    const environ = await import(CAPSTAN_ENVIRON) as Record<string, unknown>;
    const translate = environ.translateModule as ((b: Uint8Array) => unknown) | undefined;
    if (typeof translate !== "function") return;
    hooks.decodeValidate = (bytes) => translate(bytes);
    const codegen = await import(CAPSTAN_CODEGEN) as Record<string, unknown>;
    const compile = codegen.compileModule as ((t: unknown) => unknown) | undefined;
    if (typeof compile !== "function") return;
    hooks.translateAndCompile = (bytes) => compile(translate(bytes));
    const serialize = codegen.serializeCompiled as
      | ((cm: unknown, wasm: Uint8Array) => Uint8Array)
      | undefined;
    const deserialize = codegen.deserializeCompiled as
      | ((image: Uint8Array, tunables: unknown) => unknown)
      | undefined;
    if (typeof serialize !== "function" || typeof deserialize !== "function") return;
    hooks.imageOf = (bytes) => serialize(compile(translate(bytes)), bytes);
    hooks.deserialize = (image) => deserialize(image, environ.DEFAULT_TUNABLES);
  } catch {
    // A stage that does not load is simply not offered.
  }
}

/** Builds the Capstan hooks the runtime module supports. */
function capstanHooks(mod: Record<string, unknown>): CapstanHooks {
  const hooks: CapstanHooks = {};
  const api = mod as unknown as RuntimeApi;
  if (
    typeof api.Engine === "function" && typeof api.Module === "function" &&
    typeof api.Store === "function" && typeof api.Linker === "function"
  ) {
    /** A store and its `run` export for `bytes`, compiled by an engine with `config`. */
    const instantiateRun = (
      bytes: Uint8Array,
      config: ConstructorParameters<typeof api.Engine>[0],
    ) => {
      const engine = new api.Engine(config);
      const module = new api.Module(engine, bytes);
      const store = new api.Store(engine, undefined);
      const run = new api.Linker(engine).instantiate(store, module).getFunc("run")?.typed();
      return { store, run };
    };
    /** Calls `run(n)` and checks its result. */
    const checkedRun = (run: ((n: number) => unknown) | undefined, n: number, expect: number) => {
      if (run === undefined) throw new TypeError("module has no exported function run");
      const got = (run(n) as number) >>> 0;
      if (got !== expect) throw new Error(`counted run returned ${got}, expected ${expect}`);
    };
    hooks.instantiateConfigured = (bytes, config) => {
      const { store, run } = instantiateRun(bytes, {
        consumeFuel: config.fuel,
        epochInterruption: config.epochs,
      });
      if (config.fuel) store.setFuel(Number.MAX_SAFE_INTEGER);
      if (config.epochs) store.setEpochDeadline(2 ** 30);
      return wrapExports(run === undefined ? {} : { run });
    };
    hooks.countInstructions = (bytes, n, expect) => {
      const { store, run } = instantiateRun(bytes, { tunables: { countInstructions: true } });
      const vm = store._vm;
      if (vm === undefined || typeof vm.instructions !== "number") {
        throw new Error("the store exposes no VM instruction counter");
      }
      const before = vm.instructions;
      checkedRun(run, n, expect);
      const executed = vm.instructions - before;
      if (!(executed > 0)) throw new Error("the instruction counter did not move");
      return executed;
    };
    hooks.countWasmOperators = (bytes, n, expect) => {
      const { store, run } = instantiateRun(bytes, { consumeFuel: true });
      store.setFuel(Number.MAX_SAFE_INTEGER);
      checkedRun(run, n, expect);
      const consumed = Number.MAX_SAFE_INTEGER - store.getFuel();
      if (!(consumed > 0)) throw new Error("the fuel counter did not move");
      return consumed;
    };
  }
  return hooks;
}

/**
 * Loads Capstan through `@capstan/runtime`: the `WebAssembly` facade when
 * exported, else unavailable with the reason (missing package, missing
 * export, or failing the probe module). The translation-stage hooks are
 * offered whenever environ/codegen provide them, even when the facade cannot
 * run.
 *
 * @returns the Capstan adapter, possibly unavailable
 */
export async function capstanEngine(): Promise<Engine> {
  const stages: CapstanHooks = {};
  await addStageHooks(stages);
  let mod: Record<string, unknown>;
  try {
    mod = await import(CAPSTAN_RUNTIME) as Record<string, unknown>;
  } catch (e) {
    return unavailableEngine("capstan", `cannot load ${CAPSTAN_RUNTIME}: ${firstLine(e)}`, stages);
  }
  const facade = mod.WebAssembly as WasmJsApi | undefined;
  if (facade === undefined || typeof facade.Module !== "function") {
    return unavailableEngine(
      "capstan",
      `${CAPSTAN_RUNTIME} has no WebAssembly facade export`,
      stages,
    );
  }
  const engine = fromJsApi("capstan", facade, { ...capstanHooks(mod), ...stages });
  const problem = probeEngine(engine);
  return problem === null
    ? engine
    : unavailableEngine("capstan", `probe failed: ${problem}`, stages);
}

/**
 * All three engines, in table order: native, Capstan, polywasm.
 *
 * @returns the adapters; Capstan may be unavailable
 */
export async function loadEngines(): Promise<Engine[]> {
  return [nativeEngine(), await capstanEngine(), polywasmEngine()];
}
