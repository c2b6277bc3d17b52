/**
 * Type reflection on the facade (the JS-API type-reflection proposal): the
 * types of memories, tables, globals, tags and functions as plain JS objects
 * (`type()` on each class), and `WebAssembly.Function`, the class of exported
 * functions, whose constructor makes one from a JS function and a type.
 *
 * Invariants:
 * - Type objects are fresh plain objects, in the shape the facade's
 *   constructors accept back (`minimum`/`maximum`, `element`, `value`/
 *   `mutable`, `parameters`/`results`): `new WebAssembly.Memory(m.type())`
 *   makes a memory of the same type.
 * - A memory's or table's `minimum` is its current size (the type of the
 *   object now), a BigInt for `address: "i64"` as its sizes are elsewhere;
 *   value types are named as the JS API names them (`"funcref"`,
 *   `"externref"`), other reference types by their text-format name.
 * - Every exported function of a facade, and every function its
 *   `WebAssembly.Function` makes, has that facade's `WebAssembly.Function.prototype`
 *   (which inherits from `Function.prototype`) and a `type()` there; the
 *   functions `WebAssembly.Function` makes are exported functions of host
 *   functions, so they import without a wrapper and go into tables.
 *
 * @module
 */

import { type FuncType, valTypeName } from "@capstan/environ";
import type { Facade } from "./_facade.ts";
import { hostFunction } from "./_facade_functions.ts";
import { dictionary, valueType } from "./_facade_values.ts";
import type { Global } from "./global.ts";
import type { Memory } from "./memory.ts";
import type { Table } from "./table.ts";

/** The type of a function (`WebAssembly.Function.prototype.type()`, a tag's `parameters`). */
export interface FunctionTypeObject {
  /** Parameter types. */
  parameters: string[];
  /** Result types. */
  results: string[];
}

/**
 * A function type as a JS object.
 *
 * @param t the type
 * @returns `{ parameters, results }`
 */
export function functionTypeObject(t: FuncType): FunctionTypeObject {
  return { parameters: t.params.map(valTypeName), results: t.results.map(valTypeName) };
}

/**
 * A memory's type now, as a JS object.
 *
 * @param rt the memory
 * @returns `{ minimum, maximum?, shared, address? }`
 */
export function memoryTypeObject(rt: Memory): Record<string, unknown> {
  const { limits, address64, shared } = rt.type;
  return {
    minimum: size(limits.min, address64),
    ...(limits.max === undefined ? {} : { maximum: size(limits.max, address64) }),
    shared: shared === true,
    ...(address64 === true ? { address: "i64" } : {}),
  };
}

/**
 * A table's type now, as a JS object.
 *
 * @param rt the table
 * @returns `{ element, minimum, maximum?, address? }`
 */
export function tableTypeObject(rt: Table): Record<string, unknown> {
  const { element, limits, address64 } = rt.type;
  return {
    element: valTypeName(element),
    minimum: size(limits.min, address64),
    ...(limits.max === undefined ? {} : { maximum: size(limits.max, address64) }),
    ...(address64 === true ? { address: "i64" } : {}),
  };
}

/**
 * A global's type, as a JS object.
 *
 * @param rt the global
 * @returns `{ value, mutable }`
 */
export function globalTypeObject(rt: Global): { value: string; mutable: boolean } {
  return { value: valTypeName(rt.type.type), mutable: rt.type.mutable };
}

function size(n: number, address64: boolean | undefined): number | bigint {
  return address64 === true ? BigInt(n) : n;
}

/**
 * Reads a `FunctionType` dictionary (`{ parameters, results }`).
 *
 * @param v the argument
 * @returns the function type
 * @throws TypeError when it is not one
 */
function functionType(v: unknown): FuncType {
  const d = dictionary(v, "WebAssembly.Function(): the type");
  const list = (name: "parameters" | "results") => {
    const l = d[name];
    if (l === null || typeof l !== "object" || !(Symbol.iterator in l)) {
      throw new TypeError(`WebAssembly.Function(): ${name} must be a sequence of value types`);
    }
    return [...(l as Iterable<unknown>)].map((t) =>
      valueType(t, `WebAssembly.Function(): ${name}`)
    );
  };
  return { params: list("parameters"), results: list("results") };
}

/** The wasm type of each exported function, for `type()` (filled by {@link registerExported}). */
const exportedTypes = new WeakMap<object, FuncType>();

/**
 * Records an exported function's type, for `type()`.
 *
 * @param js the exported function
 * @param type its wasm type
 */
export function registerExported(js: object, type: FuncType): void {
  exportedTypes.set(js, type);
}

/**
 * `WebAssembly.Function` (each facade's class extends it): its constructor
 * returns an exported function (so `this` is a function), made from a JS
 * function and a function type.
 */
export class FacadeFunction {
  /**
   * Makes an exported function of a new host function.
   *
   * @param facade the facade
   * @param type `{ parameters, results }`
   * @param fn the JS function to call
   */
  constructor(facade: Facade, type: unknown, fn: unknown) {
    const t = functionType(type);
    if (typeof fn !== "function") {
      throw new TypeError("WebAssembly.Function(): the second argument must be callable");
    }
    const func = hostFunction(facade, fn as (...args: unknown[]) => unknown, t);
    // a constructor returning an object: `new` gives that function
    return facade.exportedFunction(func, undefined) as unknown as FacadeFunction;
  }

  /**
   * The function's type.
   *
   * @returns `{ parameters, results }`
   */
  type(): FunctionTypeObject {
    const t = exportedTypes.get(this);
    if (t === undefined) {
      throw new TypeError("WebAssembly.Function.prototype.type: not an exported function");
    }
    return functionTypeObject(t);
  }
}
Object.setPrototypeOf(FacadeFunction.prototype, Function.prototype);
