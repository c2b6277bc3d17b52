/**
 * The state of one `WebAssembly` facade object ({@link Facade}): its engine
 * and store, and the maps that keep identity between its JS objects and the
 * runtime's; and {@link InternalSlots}, the internal slot of one kind of
 * facade object. Every facade class and function receives the facade it
 * works for explicitly.
 *
 * Invariants:
 * - Everything a facade creates lives in its one store.
 * - Identity is kept per facade: the same wasm function, memory, table or
 *   global always surfaces as the same JS object of that facade (an exported
 *   function is an ordinary JS function whose `name` is its function index
 *   and `length` its arity).
 * - A JS value stands for a runtime object in a facade only when that facade
 *   made it ({@link InternalSlots.find}, {@link Facade.funcOf}): objects of
 *   another facade are foreign there, as objects of another realm.
 *
 * @module
 */

import {
  isNullable,
  isRefType,
  refBottom,
  refTop,
  refTypeIndex,
  ValType,
  valTypeName,
} from "@capstan/environ";
import { fitsGcType } from "./_gc_values.ts";
import type { Engine } from "./engine.ts";
import type { Func } from "./func.ts";
import type { Store } from "./store.ts";
import { isFuncOfType, type Val } from "./val.ts";
import type { FacadeInstance, FacadeModule } from "./_facade_module.ts";
import { generalCall, numbersCall } from "./_facade_functions.ts";
import { toNumberArg } from "./_facade_values.ts";
import { registerExported } from "./_facade_types.ts";

/** An exported function as JavaScript sees it. */
export type ExportedFunction = (...args: unknown[]) => unknown;

/**
 * The facade's classes: `new` makes its modules and instances, and exported
 * memories, tables and globals get their prototypes.
 */
export interface FacadeClasses {
  /** `WebAssembly.Module` of the facade. */
  readonly Module: new (bytes: BufferSource, options?: unknown) => FacadeModule;
  /** `WebAssembly.Instance` of the facade. */
  readonly Instance: new (
    module: FacadeModule,
    importObject?: Record<string, unknown>,
  ) => FacadeInstance;
  /** `WebAssembly.Memory` of the facade. */
  readonly Memory: { readonly prototype: object };
  /** `WebAssembly.Table` of the facade. */
  readonly Table: { readonly prototype: object };
  /** `WebAssembly.Global` of the facade. */
  readonly Global: { readonly prototype: object };
  /** `WebAssembly.Tag` of the facade. */
  readonly Tag: { readonly prototype: object };
  /** `WebAssembly.Exception` of the facade. */
  readonly Exception: { readonly prototype: object };
  /** `WebAssembly.Function` of the facade (the prototype of its exported functions). */
  readonly Function: { readonly prototype: object };
}

export { type InternalSlot, InternalSlots } from "./_facade_slots.ts";
import type { InternalSlots } from "./_facade_slots.ts";

/** The state of one facade object, and the conversions that depend on it. */
export class Facade {
  /** The engine every module is compiled for. */
  readonly engine: Engine;
  /** The store every object lives in. */
  readonly store: Store<unknown>;
  /** The facade's classes (their prototypes go to exported objects). */
  readonly classes: FacadeClasses;
  readonly #funcOf = new WeakMap<object, Func>();
  readonly #jsOfFunc = new WeakMap<Func, ExportedFunction>();
  readonly #jsOf = new WeakMap<object, object>();

  /**
   * Creates the state of a facade.
   *
   * @param engine its engine
   * @param store its store, of that engine
   * @param classes its classes
   */
  constructor(engine: Engine, store: Store<unknown>, classes: FacadeClasses) {
    this.engine = engine;
    this.store = store;
    this.classes = classes;
  }

  /**
   * The wasm function behind an exported function of this facade.
   *
   * @param v any value
   * @returns the function, or undefined
   */
  funcOf(v: unknown): Func | undefined {
    return typeof v === "function" ? this.#funcOf.get(v) : undefined;
  }

  /**
   * The exported function of a wasm function, made the first time it is asked for.
   *
   * @param func the function
   * @param index its function index, for `name` (its own index when undefined)
   * @returns the JS function
   */
  exportedFunction(func: Func, index: number | undefined): ExportedFunction {
    const cached = this.#jsOfFunc.get(func);
    if (cached !== undefined) return cached;
    const call = numbersCall(this, func) ?? generalCall(this, func);
    Object.defineProperty(call, "name", {
      value: String(index ?? (func._index >= 0 ? func._index : 0)),
    });
    Object.defineProperty(call, "length", { value: func.type.params.length });
    Object.setPrototypeOf(call, this.classes.Function.prototype);
    registerExported(call, func.type);
    this.#jsOfFunc.set(func, call);
    this.#funcOf.set(call, func);
    return call;
  }

  /**
   * The facade object of an exported memory, table or global, made from
   * `proto` and linked in `slots` the first time it is asked for.
   *
   * @param rt the runtime object
   * @param slots the internal slots of its kind
   * @param proto the prototype of its facade class
   * @returns the facade object
   */
  wrap<Rt extends object>(rt: Rt, slots: InternalSlots<Rt>, proto: object): object {
    let js = this.#jsOf.get(rt);
    if (js === undefined) {
      js = Object.create(proto) as object;
      slots.link(js, this, rt);
      this.#jsOf.set(rt, js);
    }
    return js;
  }

  /**
   * Records the facade object made for a runtime object by its constructor.
   *
   * @param js the facade object
   * @param slots the internal slots of its kind
   * @param rt the runtime object
   */
  link<Rt extends object>(js: object, slots: InternalSlots<Rt>, rt: Rt): void {
    slots.link(js, this, rt);
    this.#jsOf.set(rt, js);
  }

  /**
   * ToWebAssemblyValue: a JS value as a value of a wasm type.
   *
   * @param v any value
   * @param type the wasm type
   * @returns the value
   * @throws TypeError when it does not convert (v128 never does)
   */
  toWasm(v: unknown, type: ValType): Val {
    if (isRefType(type) && v === null) {
      if (!isNullable(type)) {
        throw new TypeError("null is not a value of a non-nullable reference type");
      }
      return null;
    }
    if (isRefType(type) && (type & 0xff) === refBottom(type)) {
      throw new TypeError("only null is a value of a bottom reference type");
    }
    switch (isRefType(type) ? refTop(type) : type) {
      case ValType.funcref: {
        const func = this.funcOf(v);
        if (func === undefined) {
          throw new TypeError("a funcref must be null or an exported WebAssembly function");
        }
        // a concrete type's index is the type's canonical id (the runtime keeps it so)
        if (refTypeIndex(type) >= 0 && !isFuncOfType(func.type, type)) {
          throw new TypeError("the function is not of the reference's type");
        }
        return func;
      }
      case ValType.externref:
        return v;
      case ValType.anyref:
        // an integer in i31 range is an i31ref; another value a host value (anyref only),
        // or a struct or array that left wasm (see `_gc_values.ts`)
        if (!fitsGcType(type, v)) {
          throw new TypeError(`the value is not of type ${valTypeName(type)}`);
        }
        return v;
      case ValType.exnref:
        throw new TypeError("an exnref cannot cross into WebAssembly from JavaScript");
      case ValType.v128:
        break;
      default:
        return toNumberArg(v, type);
    }
    throw new TypeError("v128 values cannot cross into JavaScript");
  }

  /**
   * ToJSValue: a wasm value as JavaScript sees it.
   *
   * @param v the value
   * @param type its wasm type
   * @returns the JS value
   * @throws TypeError for v128
   */
  toJs(v: Val, type: ValType): unknown {
    switch (isRefType(type) ? refTop(type) : type) {
      case ValType.i32:
        return v | 0;
      case ValType.i64:
        return BigInt.asIntN(64, v as bigint);
      case ValType.f32:
      case ValType.f64:
        return v;
      case ValType.funcref:
        return v === null ? null : this.exportedFunction(v as Func, undefined);
      case ValType.externref:
      case ValType.anyref: // (the runtime's value is already the JS one, `_gc_values.ts`)
        return v;
      case ValType.exnref:
        throw new TypeError("an exnref cannot cross into JavaScript");
    }
    throw new TypeError("v128 values cannot cross into JavaScript");
  }
}
