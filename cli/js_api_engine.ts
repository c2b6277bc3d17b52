/**
 * A {@link WastEngine} over any object shaped like the global `WebAssembly`:
 * the native one (for differential testing) or Capstan's facade.
 *
 * Invariants:
 * - Values cross the JS-API boundary as the JS-API converts them: i32 as a
 *   number, i64 as a BigInt, floats as JS numbers (so an f32 NaN payload may
 *   change on the way, as it may in any JS-API host), references as JS values.
 * - v128 cannot cross the JS-API boundary (it is a TypeError there): such
 *   calls are classified `unsupported` and the runner skips them.
 * - Imports are looked up export by export in `spectest` and the registered
 *   instances; an import module name that is known nowhere still yields an
 *   (empty) module object, so a missing import is a `LinkError`, as the spec
 *   scripts expect, and not a `TypeError`.
 *
 * @module
 */

import { spectestImports } from "./spectest.ts";
import type { ClassifiedError, WastEngine, WastFeatures, WastSession } from "./wast_engine.ts";
import { type ExternRefs, fromJsValue, toJsValue, type WastValue } from "./wast_values.ts";

/** The parts of a `WebAssembly`-shaped object the engine uses. */
export type WebAssemblyLike = typeof WebAssembly;

/** Options of {@link jsApiEngine}. */
export interface JsApiEngineOptions {
  /** The engine's name in reports. */
  readonly name: string;
  /** Whether error messages follow the spec's wording (see {@link WastEngine}). */
  readonly checksMessages: boolean;
  /** Where `spectest.print*` writes; discarded when absent. */
  readonly print?: (line: string) => void;
}

function toJs(value: WastValue): unknown {
  if (value.type === "v128") throw new UnsupportedError("v128 cannot cross the JS-API boundary");
  return toJsValue(value);
}

/** The result types of the `any` hierarchy (a script's GC patterns name their kind). */
const ANY_TYPES: readonly string[] = ["anyref", "eqref", "i31ref", "structref", "arrayref"];

function fromJs(type: string, value: unknown): WastValue {
  // a GC value crosses as itself: an i31 a number, a struct or array an opaque object
  if (ANY_TYPES.includes(type)) return fromJsValue("anyref", value);
  if (type === "v128" || !["i32", "i64", "f32", "f64", "funcref", "externref"].includes(type)) {
    throw new UnsupportedError(`${type} cannot cross the JS-API boundary`);
  }
  return fromJsValue(type as WastValue["type"], value);
}

/** Thrown for what the JS-API cannot express; classified `unsupported`. */
class UnsupportedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedError";
  }
}

function exportsOf(instance: unknown): Record<string, unknown> {
  return (instance as WebAssembly.Instance).exports as Record<string, unknown>;
}

class JsApiSession implements WastSession {
  #wa: WebAssemblyLike;
  #registry = new Map<string, Record<string, unknown>>();

  constructor(wa: WebAssemblyLike, print: (line: string) => void) {
    this.#wa = wa;
    this.#registry.set("spectest", spectestImports(wa, print));
  }

  compile(bytes: Uint8Array): unknown {
    return new this.#wa.Module(bytes as Uint8Array<ArrayBuffer>);
  }

  instantiate(module: unknown): unknown {
    const imports: Record<string, Record<string, unknown>> = {};
    for (
      const { module: name, name: field } of this.#wa.Module.imports(module as WebAssembly.Module)
    ) {
      const namespace = (imports[name] ??= {});
      const source = this.#registry.get(name);
      if (source !== undefined && Object.hasOwn(source, field)) namespace[field] = source[field];
    }
    return new this.#wa.Instance(
      module as WebAssembly.Module,
      imports as WebAssembly.Imports,
    );
  }

  register(name: string, instance: unknown): void {
    this.#registry.set(name, exportsOf(instance));
  }

  invoke(
    instance: unknown,
    field: string,
    args: readonly WastValue[],
    resultTypes: readonly string[],
  ): WastValue[] {
    const func = exportsOf(instance)[field];
    if (typeof func !== "function") throw new Error(`no exported function "${field}"`);
    if (resultTypes.includes("v128")) {
      throw new UnsupportedError("v128 cannot cross the JS-API boundary");
    }
    const result = func(...args.map(toJs));
    if (resultTypes.length === 0) return [];
    if (resultTypes.length === 1) return [fromJs(resultTypes[0], result)];
    const list = [...(result as Iterable<unknown>)];
    return resultTypes.map((type, i) => fromJs(type, list[i]));
  }

  get(instance: unknown, field: string, type: string): WastValue {
    const global = exportsOf(instance)[field];
    if (!(global instanceof this.#wa.Global)) throw new Error(`no exported global "${field}"`);
    if (type === "v128") throw new UnsupportedError("v128 cannot cross the JS-API boundary");
    return fromJs(type, global.value);
  }
}

/**
 * Builds an engine over a `WebAssembly`-shaped object.
 *
 * @param source the global `WebAssembly` or an object with its shape, or a
 *   function making a fresh one for each script (an error is classified by the
 *   classes of the first one made and of the latest script's)
 * @param options name, message checking and print sink
 * @returns an engine for the spec-script runner
 * @example
 * ```ts
 * import { jsApiEngine } from "./js_api_engine.ts";
 * const engine = jsApiEngine(WebAssembly, { name: "native", checksMessages: false });
 * if (engine.classify(new WebAssembly.LinkError("x")).kind !== "link") throw new Error();
 * ```
 */
export function jsApiEngine(
  source: WebAssemblyLike | ((features: WastFeatures) => WebAssemblyLike),
  options: JsApiEngineOptions,
): WastEngine {
  const print = options.print ?? (() => {});
  const fresh = typeof source === "function" ? source : () => source;
  const wa = fresh({});
  // the error classes of the latest session's object (a script's errors come from its session)
  let current = wa;
  return {
    name: options.name,
    checksMessages: options.checksMessages,
    newSession: (_externs: ExternRefs, features: WastFeatures = {}) =>
      new JsApiSession(current = fresh(features), print),
    classify(error: unknown): ClassifiedError {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof UnsupportedError) return { kind: "unsupported", message };
      const all = [wa, current];
      if (all.some((w) => error instanceof w.CompileError)) return { kind: "compile", message };
      if (all.some((w) => error instanceof w.LinkError)) return { kind: "link", message };
      const isException = all.some((w) => {
        const exception = (w as { Exception?: new (...a: never[]) => unknown }).Exception;
        return exception !== undefined && error instanceof exception;
      });
      if (isException) return { kind: "exception", message };
      if (all.some((w) => error instanceof w.RuntimeError)) {
        if (message === "unhandled tag") return { kind: "suspension", message };
        return {
          kind: message.includes("call stack exhausted") ? "exhaustion" : "trap",
          message,
        };
      }
      if (error instanceof RangeError && /call stack size/i.test(message)) {
        return { kind: "exhaustion", message };
      }
      if (error instanceof TypeError && /type incompatibility|v128/i.test(message)) {
        return { kind: "unsupported", message };
      }
      return {
        kind: "other",
        message: error instanceof Error ? `${error.name}: ${message}` : message,
      };
    },
  };
}
