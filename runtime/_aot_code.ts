/**
 * The precompiled code of an ahead-of-time module (`runtime/aot.ts`) on its
 * way into the {@link Module} being made from it: `aot.ts` offers it for one
 * synchronous module construction ({@link withAotCode}), and the module's
 * constructor takes it ({@link offeredAotCode}) instead of compiling: the
 * bytecode from the embedded image, the JS code from the ES module's factory.
 *
 * Invariants:
 * - The code is offered only during one call of `make`, and only to a module
 *   of the engine it was offered for; any other module compiles as usual.
 * - The compiled module and the factory were written together from the
 *   same translation and tunables (`writeJsModule` of `@capstan/codegen`).
 *
 * @module
 */

import type { CompiledModule } from "@capstan/codegen";
import type { Engine } from "./engine.ts";

/** The factory of a module's JS code: `(X, S, H, C) => { fns, entries }` (see `_js_tier.ts`). */
export type JsCodeFactory = (x: unknown, s: unknown, h: unknown, c: unknown) => unknown;

/** A module's code made ahead of time. */
export interface AotCode {
  /** The module compiled: the routed functions' bytecode (others lower on demand). */
  readonly compiled: CompiledModule;
  /** The defined functions the JS code leaves to the interpreter, with why. */
  readonly routed: ReadonlyMap<number, string>;
  /** The JS code's factory. */
  readonly factory: JsCodeFactory;
}

let offered: { readonly engine: Engine; readonly code: AotCode } | undefined;

/**
 * Runs `make` with `code` offered to the module of `engine` it constructs.
 *
 * @param engine the engine the module is made for
 * @param code the precompiled code
 * @param make constructs the module (synchronously)
 * @returns what `make` returns
 */
export function withAotCode<T>(engine: Engine, code: AotCode, make: () => T): T {
  const outer = offered;
  offered = { engine, code };
  try {
    return make();
  } finally {
    offered = outer;
  }
}

/**
 * The precompiled code offered to a module of `engine` now, if any.
 *
 * @param engine the engine of the module being constructed
 * @returns the code, or undefined
 */
export function offeredAotCode(engine: Engine): AotCode | undefined {
  return offered?.engine === engine ? offered.code : undefined;
}
