/**
 * Instantiating a module written ahead of time as an ES module
 * (`capstan compile --emit=js`, `writeJsModule` of `@capstan/codegen`):
 * {@link instantiateAot} is what the written module's `instantiate` calls.
 * No code is generated from strings on this path (the functions' JS code is
 * the ES module's own), so it runs where `eval` and `new Function` are
 * forbidden (`--disallow-code-generation-from-strings`, a strict CSP).
 *
 * - The module is made from the embedded compiled-module image (no
 *   lowering; the wasm bytes in it are decoded again as `Module.deserialize`
 *   does) for an engine of strategy `"js"` with the tunables the code was
 *   written for; its JS code is the ES module's factory (`_aot_code.ts`).
 * - It is instantiated through the JS-API facade (`createWebAssembly`), so
 *   imports and exports are the facade's: exported functions, memories,
 *   tables and globals as `WebAssembly.Instance.exports` gives them, traps
 *   as `RuntimeError` (with `code`, `backtrace` and the runtime `Trap` as
 *   `cause`).
 * - Modules written for the same configuration share one engine and store
 *   per configuration (as the global `WebAssembly`'s objects share one), so
 *   one module's exports can be imported by another; each written module is
 *   made once.
 *
 * Invariants:
 * - Code written by another Capstan version (another {@link JS_MODULE_FORMAT}
 *   or image digest) is refused with an `Error` saying so, never run.
 * - Traps, backtraces, fuel and epochs mean what they mean on the JS tier:
 *   the code is the JS tier's, bound by the same runtime helpers.
 *
 * @module
 */

import {
  type CompiledModule,
  deserializeCompiled,
  ImageError,
  JS_MODULE_FORMAT,
} from "@capstan/codegen";
import type { Tunables } from "@capstan/environ";
import { Engine } from "./engine.ts";
import { Store } from "./store.ts";
import { createWebAssembly } from "./webassembly.ts";
import { withAotCode } from "./_aot_code.ts";

/** What a written ES module hands to {@link instantiateAot}. */
export interface AotModuleCode {
  /** The contract's version ({@link JS_MODULE_FORMAT} when written). */
  readonly format: number;
  /** The tunables the code was written for. */
  readonly tunables: Tunables;
  /** The defined functions left to the interpreter, by index, with why. */
  readonly routed: Readonly<Record<string, string>>;
  /** The functions' JS code: `(X, S, H, C) => { fns, entries }`. */
  readonly factory: (x: unknown, s: unknown, h: unknown, c: unknown) => unknown;
  /** The compiled-module image (base64): the wasm bytes and the routed functions' bytecode. */
  readonly image: string;
}

/** Options of {@link instantiateAot} (a written module's `instantiate`). */
export interface AotOptions {
  /** The wasm stack limit in bytes ("call stack exhausted" beyond it); the engine's default when absent. */
  readonly maxWasmStack?: number;
  /**
   * Called with the store before the module is instantiated (its start
   * function runs then): set fuel (`setFuel`, for code written with
   * `--consume-fuel`), an epoch deadline (`setEpochDeadline`, with
   * `--epoch-interruption`; `store.engine.incrementEpoch()` interrupts), a
   * resource limiter.
   */
  readonly setup?: (store: Store<unknown>) => void;
}

interface Runner {
  readonly wa: typeof globalThis.WebAssembly;
  readonly store: Store<unknown>;
  readonly modules: WeakMap<AotModuleCode, WebAssembly.Module>;
}

/** One engine, store and facade per configuration. */
const runners = new Map<string, Runner>();

/**
 * Instantiates a module written ahead of time.
 *
 * @param code what the written module holds
 * @param imports the import object (module name → name → value), as the JS-API takes it
 * @param options the stack limit and the store's setup
 * @returns the instance's exports, as the JS-API facade's `Instance.exports`
 * @throws Error when the code was written by another Capstan version;
 *   `LinkError`, `RuntimeError` of the facade as `WebAssembly.instantiate` throws them
 */
export async function instantiateAot(
  code: AotModuleCode,
  imports: Record<string, unknown> = {},
  options: AotOptions = {},
): Promise<Record<string, unknown>> {
  if (code?.format !== JS_MODULE_FORMAT) {
    throw new Error(
      `this module was written for another Capstan (format ${code?.format}, ` +
        `this runtime reads format ${JS_MODULE_FORMAT}): write it again`,
    );
  }
  const runner = runnerFor(code.tunables, options.maxWasmStack);
  let module = runner.modules.get(code);
  if (module === undefined) {
    const compiled = loadImage(code, runner.store.engine);
    const routed = new Map(Object.entries(code.routed).map(([k, why]) => [Number(k), why]));
    module = withAotCode(
      runner.store.engine,
      { compiled, routed, factory: code.factory },
      () => new runner.wa.Module(compiled.translation.bytes as Uint8Array<ArrayBuffer>),
    );
    runner.modules.set(code, module);
  }
  options.setup?.(runner.store);
  const instance = await runner.wa.instantiate(module, imports as WebAssembly.Imports);
  return instance.exports as Record<string, unknown>;
}

function runnerFor(tunables: Tunables, maxWasmStack: number | undefined): Runner {
  const key = JSON.stringify([tunables, maxWasmStack]);
  let runner = runners.get(key);
  if (runner === undefined) {
    const engine = new Engine({
      strategy: "js",
      consumeFuel: tunables.consumeFuel,
      epochInterruption: tunables.epochInterruption,
      nanCanonicalization: tunables.nanCanonicalization,
      tunables,
      maxWasmStack,
    });
    const store = new Store<unknown>(engine, undefined);
    runner = { wa: createWebAssembly({ engine, store }), store, modules: new WeakMap() };
    runners.set(key, runner);
  }
  return runner;
}

function loadImage(code: AotModuleCode, engine: Engine): CompiledModule {
  const text = atob(code.image);
  const image = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) image[i] = text.charCodeAt(i);
  try {
    return deserializeCompiled(image, engine.config.tunables, {
      ...engine._features,
    });
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    throw new Error(`this module's code cannot be loaded: ${error.message}: write it again`);
  }
}
