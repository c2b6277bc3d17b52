/**
 * Functions crossing the facade's JS boundary: the body of an exported
 * function (JS calling wasm) and the host function made for an imported JS
 * function (wasm calling JS), with the JS-API's conversions on the way.
 *
 * Invariants:
 * - Every argument is converted (ToInt32, ToBigInt64, ToNumber, ...; each may
 *   run user code) before the call starts.
 * - A v128 parameter or result makes the call a `TypeError`, when it is made.
 * - Runtime errors leave an exported function as the facade's errors
 *   (`wrapError`); a JS function's own exceptions pass through unchanged.
 *
 * @module
 */

import { type FuncType, isRefType, refTop, ValType } from "@capstan/environ";
import { Func } from "./func.ts";
import type { Val } from "./val.ts";
import type { ExportedFunction, Facade } from "./_facade.ts";
import { facadeError } from "./_facade_exceptions.ts";
import { suspendingCall } from "./_facade_jspi.ts";
import { isThenable } from "./_host_calls.ts";
import { toInt32, toNumber, toNumberArg } from "./_facade_values.ts";
import { numbersInvoke, uniformType } from "./_fast_call.ts";

/**
 * An exported function's body for any type: arguments and results through arrays.
 *
 * @param facade the facade
 * @param func the wasm function
 * @returns the body
 */
export function generalCall(facade: Facade, func: Func): ExportedFunction {
  const { params, results } = func.type;
  const v128 = hasV128(func.type);
  const n = params.length;
  // Numbers need no help from toWasm: `x | 0` is ToInt32(ToNumber(x)) and `+x`
  // is ToNumber(x), both throwing a TypeError for a BigInt as the JS-API says.
  const allI32 = params.every((t) => t === ValType.i32);
  const result = results.length === 1 ? results[0] : undefined;
  return (...args: unknown[]): unknown => {
    if (v128) throw new TypeError("type incompatibility: v128 at the JS boundary");
    const wasmArgs = new Array(n);
    if (allI32) { for (let i = 0; i < n; i++) wasmArgs[i] = (args[i] as number) | 0; }
    else for (let i = 0; i < n; i++) wasmArgs[i] = facade.toWasm(args[i], params[i]);
    let out: Val[];
    try {
      out = func.call(...wasmArgs);
    } catch (error) {
      throw facadeError(facade, error);
    }
    if (result !== undefined) {
      return result === ValType.i32 ? out[0] | 0 : facade.toJs(out[0], result);
    }
    if (results.length === 0) return undefined;
    return results.map((t, i) => facade.toJs(out[i], t));
  };
}

/**
 * An exported function's body when its type has up to three parameters
 * and at most one result, all number types: every argument is converted
 * (ToInt32, ToBigInt64, ToNumber; each may run user code) into a local
 * before the call starts, then handed to the runtime's fast call path
 * (`numbersInvoke`), which writes it straight into the VM's registers and
 * reads the result straight out. Nothing is allocated.
 *
 * @param facade the facade
 * @param func the wasm function
 * @returns the body, or undefined when the type does not qualify
 */
export function numbersCall(facade: Facade, func: Func): ExportedFunction | undefined {
  const invoke = numbersInvoke(func, (e) => facadeError(facade, e));
  if (invoke === undefined) return undefined;
  const [p0, p1, p2] = func.type.params;
  const n = func.type.params.length;
  const uniform = uniformType(func.type);
  if (uniform !== undefined) {
    const f64 = uniform === ValType.f64;
    // ToInt32 or ToNumber, numbers first
    const conv = (v: unknown) => f64 ? (typeof v === "number" ? v : toNumber(v)) : toInt32(v);
    switch (n) {
      case 0:
        return () => invoke(0, 0, 0);
      case 1:
        return (a: unknown) => invoke(conv(a), 0, 0);
      case 2:
        return (a: unknown, b: unknown) => invoke(conv(a), conv(b), 0);
      default:
        return (a: unknown, b: unknown, c: unknown) => invoke(conv(a), conv(b), conv(c));
    }
  }
  switch (n) {
    case 0:
      return () => invoke(0, 0, 0);
    case 1:
      return (a: unknown) => invoke(toNumberArg(a, p0), 0, 0);
    case 2:
      return (a: unknown, b: unknown) => invoke(toNumberArg(a, p0), toNumberArg(b, p1), 0);
    default:
      return (a: unknown, b: unknown, c: unknown) =>
        invoke(toNumberArg(a, p0), toNumberArg(b, p1), toNumberArg(c, p2));
  }
}

/**
 * The host function for an imported JS function: arguments reach it as
 * ToJSValue gives them, its return value is converted back (an iterable of
 * values for several results).
 *
 * @param facade the facade
 * @param jsFn the JS function
 * @param type the import's function type
 * @param suspending whether it is a JSPI suspending import (`WebAssembly.Suspending`)
 * @returns the host function, in the facade's store
 */
export function hostFunction(
  facade: Facade,
  jsFn: (...args: unknown[]) => unknown,
  type: FuncType,
  suspending = false,
): Func {
  const { params, results } = type;
  const store = facade.store;
  const v128 = hasV128(type);
  const i32Result = results.length === 1 && results[0] === ValType.i32;
  const convert = (ret: unknown): Val => {
    if (i32Result) return (typeof ret === "number" ? ret : toNumber(ret)) | 0;
    if (results.length === 0) return undefined;
    if (results.length === 1) return facade.toWasm(ret, results[0]);
    if (ret === null || typeof ret !== "object" || !(Symbol.iterator in ret)) {
      throw new TypeError("a function with several results must return an iterable");
    }
    const list = [...(ret as Iterable<unknown>)];
    if (list.length !== results.length) {
      throw new TypeError(`expected ${results.length} results, found ${list.length}`);
    }
    return results.map((t, i) => facade.toWasm(list[i], t));
  };
  // A suspending import (JSPI) checks that it may suspend, and its Promise is
  // awaited (the results converted when it settles); any other import's
  // Promise is an externref like any value.
  const fn = suspending ? suspendingCall(facade, jsFn) : jsFn;
  const fromJs = suspending
    ? (ret: unknown): Val | PromiseLike<Val> =>
      isThenable(ret) ? Promise.resolve(ret).then(convert) : convert(ret)
    : convert;
  const func = wrapJs();
  func._awaits = suspending;
  return func;

  function wrapJs(): Func {
    // Number types and externrefs reach JS as the runtime reads them (ToJSValue
    // is the identity on those), so up to three such arguments pass straight on.
    if (
      !v128 && params.length <= 3 &&
      params.every((t) => !isRefType(t) || refTop(t) === ValType.externref)
    ) {
      switch (params.length) {
        case 0:
          return Func.wrap(store, type, () => fromJs(fn()));
        case 1:
          return Func.wrap(store, type, (a) => fromJs(fn(a)));
        case 2:
          return Func.wrap(store, type, (a, b) => fromJs(fn(a, b)));
        default:
          return Func.wrap(store, type, (a, b, c) => fromJs(fn(a, b, c)));
      }
    }
    return Func.wrap(store, type, (...args: Val[]) => {
      if (v128) throw new TypeError("type incompatibility: v128 at the JS boundary");
      return fromJs(fn(...args.map((a, i) => facade.toJs(a, params[i]))));
    });
  }
}

/**
 * Whether a function type has a v128 parameter or result (such a function
 * cannot be called across the JS boundary).
 *
 * @param type a function type
 * @returns true when v128 appears in it
 */
function hasV128(type: FuncType): boolean {
  return type.params.includes(ValType.v128) || type.results.includes(ValType.v128);
}
