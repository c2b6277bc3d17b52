/**
 * {@link Engine}: the configuration shared by every module and store that
 * use it, the engine-wide registry of function signatures, and the epoch
 * counter.
 *
 * Invariants:
 * - The configuration is frozen at construction; modules compiled with one
 *   engine are only instantiated in stores of the same engine.
 * - Signature ids are canonical: two structurally equal function types get the
 *   same id, so `call_indirect` checks one integer.
 * - The epoch lives in a `SharedArrayBuffer` and is bumped with `Atomics`, so
 *   a worker (or a host function) can advance it while wasm runs; it wraps at
 *   2^31 ticks.
 *
 * @module
 */

import {
  DEFAULT_MAX_WASM_STACK,
  type FuncType,
  funcTypeId,
  funcTypeKeyOf,
  type Tunables,
  tunables as makeTunables,
  type WasmFeatures,
} from "@capstan/environ";
import { DEFAULT_CONTINUATIONS_TOTAL, isSubtypeId } from "@capstan/interpreter";
import { defaultCacheDirectory, ModuleCache } from "./_module_cache.ts";

/**
 * Where wasm functions run: `"interpreter"` (the bytecode interpreter), `"js"`
 * (every function the JS tier can run is compiled to JavaScript when its
 * module is compiled; the others, and async calls, run on the interpreter) or
 * `"auto"` (functions start on the interpreter; one that gets hot is
 * compiled to JavaScript with a few of its callees, and every later call of
 * it runs there; async calls run on the interpreter).
 */
export type Strategy = "interpreter" | "js" | "auto";

/** Options for an {@link Engine}. All are optional. */
export interface EngineConfig {
  /** Where functions run (see {@link Strategy}). Default `"auto"`. */
  readonly strategy?: Strategy;
  /**
   * With the `"auto"` strategy, receives one line per function promoted to
   * the JS tier and per function (or call) kept on the interpreter, with why.
   */
  readonly tierLog?: (line: string) => void;
  /**
   * With the `"auto"` strategy, when a function is hot: after `samples`
   * slice-end samples (default 1), a slice being `sliceSteps` taken branches,
   * calls and extended ops (default 4096). `{ samples: 1, sliceSteps: 0 }`
   * promotes a function at its first call or loop back edge, `samples: 0`
   * every function when its module is first instantiated (both for tests).
   */
  readonly tierUp?: { readonly samples?: number; readonly sliceSteps?: number };
  /** Count fuel: execution traps "out of fuel" when the store's fuel runs out. Default false. */
  readonly consumeFuel?: boolean;
  /** Check the epoch deadline at function entries and loop headers. Default false. */
  readonly epochInterruption?: boolean;
  /** Maximum wasm stack, in bytes; deeper calls trap "call stack exhausted". Default 512 KiB. */
  readonly maxWasmStack?: number;
  /** Canonicalise NaNs produced by float arithmetic (deterministic mode). Default false. */
  readonly nanCanonicalization?: boolean;
  /**
   * Accept and run the stack-switching proposal's modules: continuation types
   * and instructions, and tags with results. Default false, as in wasmtime.
   */
  readonly stackSwitching?: boolean;
  /**
   * Accept the custom-page-sizes proposal's modules: a memory whose limits
   * give its page size (1 byte or 64 KiB). Default false, as in wasmtime
   * (core 3.0 calls the page-size flag malformed).
   */
  readonly customPageSizes?: boolean;
  /**
   * Maximum stack of one continuation, in bytes counted as `maxWasmStack`
   * counts them; deeper calls inside it trap "call stack exhausted". Default 64 KiB.
   */
  readonly maxContinuationStack?: number;
  /**
   * Maximum bytes all live continuations of a store hold together (their
   * saved stacks); a `cont.new`, `cont.bind`, `suspend` or `switch` past it traps
   * "call stack exhausted". Default 256 MiB.
   */
  readonly maxContinuationsTotal?: number;
  /**
   * Code-generation switches (see `Tunables` in `@capstan/environ`);
   * `consumeFuel`, `epochInterruption` and `nanCanonicalization` above take
   * precedence.
   */
  readonly tunables?: Partial<Tunables>;
  /**
   * The compilation cache: compiled modules are kept on disk and loaded
   * instead of compiled again. `true` uses the default directory
   * (`$CAPSTAN_CACHE_DIR`, else `$XDG_CACHE_HOME/capstan` or
   * `~/.cache/capstan`). Default: no cache.
   */
  readonly cache?: boolean | { readonly directory: string };
}

/** An {@link EngineConfig} with every option filled in. */
export interface ResolvedEngineConfig {
  /** See {@link EngineConfig.strategy}. */
  readonly strategy: Strategy;
  /** See {@link EngineConfig.tierLog}. */
  readonly tierLog: ((line: string) => void) | undefined;
  /** See {@link EngineConfig.tierUp}. */
  readonly tierUp: { readonly samples: number; readonly sliceSteps: number | undefined };
  /** See {@link EngineConfig.consumeFuel}. */
  readonly consumeFuel: boolean;
  /** See {@link EngineConfig.epochInterruption}. */
  readonly epochInterruption: boolean;
  /** See {@link EngineConfig.maxWasmStack}. */
  readonly maxWasmStack: number;
  /** See {@link EngineConfig.nanCanonicalization}. */
  readonly nanCanonicalization: boolean;
  /** See {@link EngineConfig.stackSwitching}. */
  readonly stackSwitching: boolean;
  /** See {@link EngineConfig.customPageSizes}. */
  readonly customPageSizes: boolean;
  /** See {@link EngineConfig.maxContinuationStack}. */
  readonly maxContinuationStack: number;
  /** See {@link EngineConfig.maxContinuationsTotal}. */
  readonly maxContinuationsTotal: number;
  /** The code-generation switches every module of the engine is compiled with. */
  readonly tunables: Tunables;
  /** The compilation cache's directory, or `undefined` for none. */
  readonly cacheDirectory: string | undefined;
}

export { DEFAULT_MAX_WASM_STACK };
export { DEFAULT_CONTINUATIONS_TOTAL };

/** Default of {@link EngineConfig.maxContinuationStack}: 64 KiB. */
export const DEFAULT_MAX_CONTINUATION_STACK = 64 * 1024;

/** `value` when it is a positive safe integer; else a RangeError naming `name`. */
function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new RangeError(`${name} must be a positive integer, found ${value}`);
  }
  return value;
}

/** Slice-end samples a function collects under `"auto"` before it is promoted (default). */
export const PROMOTE_SAMPLES = 1;

/**
 * A compilation and execution environment.
 *
 * @example
 * ```ts
 * import { Engine } from "@capstan/runtime";
 * const engine = new Engine({ epochInterruption: true });
 * engine.incrementEpoch();
 * if (engine.currentEpoch() !== 1) throw new Error();
 * ```
 */
export class Engine {
  /** The configuration, with defaults filled in. */
  readonly config: ResolvedEngineConfig;
  /**
   * The epoch counter: one `Int32Array` element over a `SharedArrayBuffer`.
   * Post `epochCounter.buffer` to a worker and `Atomics.add(view, 0, 1)` there
   * to interrupt a running synchronous call.
   */
  readonly epochCounter: Int32Array;
  /**
   * The compilation cache, when the engine has one.
   *
   * @ignore
   */
  readonly _cache: ModuleCache | undefined;

  /**
   * The proposals the engine's modules may use, as `translateModule` takes
   * them (every translation of the engine passes these).
   *
   * @ignore
   */
  get _features(): WasmFeatures {
    return {
      stackSwitching: this.config.stackSwitching,
      customPageSizes: this.config.customPageSizes,
    };
  }

  /**
   * Writes the compilation cache's entries of the modules this engine
   * compiled or loaded whose functions lowered since (each function is
   * lowered on its first call, so an entry holds what the runs needed).
   * Done when the process unloads; call it to write sooner. Without a cache,
   * nothing happens.
   */
  flushCache(): void {
    this._cache?.flush();
  }
  readonly #sigIds = new Map<string, number>();
  readonly #sigTypes: FuncType[] = [];
  /** Per signature id: the canonical id of a type with GC subtyping, else -1. */
  readonly #sigCanon: number[] = [];

  /**
   * Creates an engine.
   *
   * @param config options; see {@link EngineConfig}
   */
  constructor(config: EngineConfig = {}) {
    const maxWasmStack = config.maxWasmStack ?? DEFAULT_MAX_WASM_STACK;
    if (!Number.isSafeInteger(maxWasmStack) || maxWasmStack <= 0) {
      throw new RangeError(`maxWasmStack must be a positive integer, found ${maxWasmStack}`);
    }
    const maxContinuationStack = positive(
      "maxContinuationStack",
      config.maxContinuationStack ?? DEFAULT_MAX_CONTINUATION_STACK,
    );
    const maxContinuationsTotal = positive(
      "maxContinuationsTotal",
      config.maxContinuationsTotal ?? DEFAULT_CONTINUATIONS_TOTAL,
    );
    const nan = config.nanCanonicalization ?? false;
    const strategy = config.strategy ?? "auto";
    if (strategy !== "interpreter" && strategy !== "js" && strategy !== "auto") {
      throw new RangeError(`strategy must be "interpreter", "js" or "auto", found ${strategy}`);
    }
    const cache = config.cache ?? false;
    const cacheDirectory = cache === false
      ? undefined
      : cache === true
      ? defaultCacheDirectory()
      : typeof cache?.directory === "string" && cache.directory !== ""
      ? cache.directory
      : (() => {
        throw new TypeError("cache must be a boolean or { directory: string }");
      })();
    this.config = Object.freeze({
      strategy,
      tierLog: config.tierLog,
      tierUp: Object.freeze({
        samples: config.tierUp?.samples ?? PROMOTE_SAMPLES,
        sliceSteps: config.tierUp?.sliceSteps,
      }),
      consumeFuel: config.consumeFuel ?? false,
      epochInterruption: config.epochInterruption ?? false,
      maxWasmStack,
      nanCanonicalization: config.nanCanonicalization ?? false,
      stackSwitching: config.stackSwitching ?? false,
      customPageSizes: config.customPageSizes ?? false,
      maxContinuationStack,
      maxContinuationsTotal,
      tunables: makeTunables({
        ...(config.tunables ?? {}),
        consumeFuel: config.consumeFuel ?? false,
        epochInterruption: config.epochInterruption ?? false,
        nanCanonicalization: nan,
      }),
      cacheDirectory,
    });
    this._cache = cacheDirectory === undefined
      ? undefined
      : new ModuleCache(cacheDirectory, this.config.tunables, this._features);
    // Hosts without SharedArrayBuffer (browsers without cross-origin isolation) get a plain
    // buffer: epochs then advance only from this thread (host functions, async yields).
    this.epochCounter = new Int32Array(
      typeof SharedArrayBuffer === "function" ? new SharedArrayBuffer(4) : new ArrayBuffer(4),
    );
  }

  /** Advances the epoch by one tick. Safe to call from anywhere, at any time. */
  incrementEpoch(): void {
    Atomics.add(this.epochCounter, 0, 1);
  }

  /**
   * The current epoch.
   *
   * @returns the number of ticks so far
   */
  currentEpoch(): number {
    return Atomics.load(this.epochCounter, 0);
  }

  /**
   * The canonical id of a function type, registering it on first use.
   *
   * @param type a function type
   * @returns an id equal for, and only for, structurally equal types
   */
  signatureId(type: FuncType): number {
    const key = funcTypeKeyOf(type);
    let id = this.#sigIds.get(key);
    if (id === undefined) {
      id = this.#sigTypes.length;
      this.#sigIds.set(key, id);
      this.#sigTypes.push({ params: [...type.params], results: [...type.results] });
      this.#sigCanon.push(type.key === undefined ? -1 : funcTypeId(type));
    }
    return id;
  }

  /**
   * Whether the function type of signature `a` is declared (transitively)
   * under that of signature `b` (GC subtyping; both named by a canonical id).
   *
   * @param a a signature id
   * @param b another
   * @returns true when `a <: b` by declaration (false for equal ids)
   * @ignore
   */
  _signatureIsSubtype(a: number, b: number): boolean {
    const ca = this.#sigCanon[a];
    const cb = this.#sigCanon[b];
    return ca >= 0 && cb >= 0 && isSubtypeId(ca, cb);
  }

  /**
   * The function type of a signature id.
   *
   * @param id an id from {@link signatureId}
   * @returns its function type
   */
  signatureType(id: number): FuncType {
    const t = this.#sigTypes[id];
    if (t === undefined) throw new RangeError(`unknown signature id ${id}`);
    return t;
  }
}
