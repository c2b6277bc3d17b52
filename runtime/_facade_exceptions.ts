/**
 * The facade's exception handling: `WebAssembly.Tag`, `WebAssembly.Exception`
 * (`getArg`, `is`) and `WebAssembly.JSTag`, over the runtime's {@link Tag}
 * and {@link WasmException}.
 *
 * Invariants:
 * - An exception JavaScript makes and throws into wasm, if it comes back out
 *   uncaught (or rethrown), is the same JS object ({@link exceptionObject}).
 * - `JSTag` stands for the runtime's {@link JS_TAG}, shared by every store.
 *
 * @module
 */

import { functionTypeObject } from "./_facade_types.ts";
import type { Facade } from "./_facade.ts";
import { InternalSlots } from "./_facade_slots.ts";
import { dictionary, valueType } from "./_facade_values.ts";
import { wrapError } from "./_facade_errors.ts";
import { JS_TAG, Tag as RtTag, WASM_EXCEPTION, WasmException } from "./tag.ts";

/** The internal slots of the facade's tags. */
export const tagSlots: InternalSlots<RtTag> = new InternalSlots<RtTag>("Tag");
/** The internal slots of the facade's exceptions. */
const exceptionSlots = new InternalSlots<WasmException>("Exception");
/** The facade object of each runtime exception that has one. */
const facadeObjects = new WeakMap<WasmException, object>();

/** `WebAssembly.Tag` (each facade's class extends it). */
export class FacadeTag {
  /**
   * Creates a tag in the facade's store.
   *
   * @param facade the facade
   * @param descriptor `parameters`: the value types of its exceptions' values
   * @param rt the runtime tag to stand for, instead of a new one
   */
  constructor(facade: Facade, descriptor: { parameters: readonly string[] }, rt?: RtTag) {
    if (rt === undefined) {
      const d = dictionary(descriptor, "WebAssembly.Tag(): the descriptor");
      const list = d.parameters;
      if (list === null || typeof list !== "object" || !(Symbol.iterator in list)) {
        throw new TypeError("WebAssembly.Tag(): parameters must be a sequence of value types");
      }
      const params = [...(list as Iterable<unknown>)].map((p) =>
        valueType(p, "WebAssembly.Tag(): parameters")
      );
      rt = new RtTag(facade.store, { params, results: [] });
    }
    tagSlots.link(this, facade, rt);
  }

  /**
   * The tag's type (type reflection).
   *
   * @returns `{ parameters }`
   */
  type(): { parameters: string[] } {
    return { parameters: functionTypeObject(tagSlots.require(this).rt.type).parameters };
  }

  /** `"WebAssembly.Tag"`. */
  get [Symbol.toStringTag](): string {
    return "WebAssembly.Tag";
  }
}

/** `WebAssembly.Exception` (each facade's class extends it). */
export class FacadeException {
  /**
   * Creates an exception JavaScript may throw into wasm.
   *
   * @param facade the facade
   * @param tag one of its tags
   * @param payload the values, one per parameter of the tag
   * @param options `traceStack`: record a stack trace in `stack`
   */
  constructor(facade: Facade, tag: unknown, payload: unknown, options?: unknown) {
    const rt = tagSlots.find(facade, tag);
    if (rt === undefined) throw new TypeError("WebAssembly.Exception(): not a WebAssembly.Tag");
    if (payload === null || typeof payload !== "object" || !(Symbol.iterator in payload)) {
      throw new TypeError("WebAssembly.Exception(): the payload must be a sequence");
    }
    const values = [...(payload as Iterable<unknown>)];
    const params = rt.type.params;
    if (values.length !== params.length) {
      throw new TypeError(
        `WebAssembly.Exception(): expected ${params.length} values, found ${values.length}`,
      );
    }
    const converted = values.map((v, i) => facade.toWasm(v, params[i]));
    const exn = new WasmException(facade.store, rt, converted);
    exceptionSlots.link(this, facade, exn);
    facadeObjects.set(exn, this);
    Object.defineProperty(this, WASM_EXCEPTION, { value: exn });
    const trace = (options as { traceStack?: unknown } | undefined)?.traceStack;
    if (trace === true) {
      Object.defineProperty(this, "stack", { value: new Error().stack, writable: true });
    }
  }

  /**
   * One of the exception's values.
   *
   * @param tag its tag
   * @param index the value's index
   * @returns the value, as JavaScript sees it
   * @throws TypeError when `tag` is not its tag; RangeError for an index out of range
   */
  getArg(tag: unknown, index: number): unknown {
    const { facade, rt } = exceptionSlots.require(this);
    if (tagSlots.find(facade, tag) !== rt.tag) {
      throw new TypeError("WebAssembly.Exception.getArg(): not the exception's tag");
    }
    const i = Number(index);
    if (!Number.isInteger(i) || i < 0 || i >= rt.values.length) {
      throw new RangeError(`WebAssembly.Exception.getArg(): no value ${index}`);
    }
    return facade.toJs(rt.values[i], rt.tag.type.params[i]);
  }

  /**
   * Whether the exception has a tag.
   *
   * @param tag a tag
   * @returns true when it is the exception's
   */
  is(tag: unknown): boolean {
    const { facade, rt } = exceptionSlots.require(this);
    const t = tagSlots.find(facade, tag);
    if (t === undefined) throw new TypeError("WebAssembly.Exception.is(): not a WebAssembly.Tag");
    return t === rt.tag;
  }

  /** `"WebAssembly.Exception"`. */
  get [Symbol.toStringTag](): string {
    return "WebAssembly.Exception";
  }
}

/**
 * The JS object for a wasm exception that left wasm: the one JavaScript
 * made, or a new `WebAssembly.Exception` of the facade.
 *
 * @param facade the facade
 * @param exn the runtime exception
 * @param proto the facade's `Exception.prototype`
 * @returns the object to throw
 */
export function exceptionObject(facade: Facade, exn: WasmException, proto: object): object {
  const known = facadeObjects.get(exn);
  if (known !== undefined) return known;
  const js = Object.create(proto) as object;
  exceptionSlots.link(js, facade, exn);
  facadeObjects.set(exn, js);
  Object.defineProperty(js, WASM_EXCEPTION, { value: exn });
  return js;
}

/**
 * What the facade throws for an error of the runtime: a wasm exception as
 * a `WebAssembly.Exception` ({@link exceptionObject}), the rest as
 * `wrapError` makes it.
 *
 * @param facade the facade
 * @param error what the runtime threw
 * @returns what to throw
 */
export function facadeError(facade: Facade, error: unknown): unknown {
  if (error instanceof WasmException) {
    return exceptionObject(facade, error, facade.classes.Exception.prototype);
  }
  return wrapError(error);
}

/**
 * The facade object of a runtime tag (made on first use).
 *
 * @param facade the facade
 * @param rt the runtime tag
 * @param proto the facade's `Tag.prototype`
 * @returns the facade's tag
 */
export function tagObject(facade: Facade, rt: RtTag, proto: object): object {
  return facade.wrap(rt, tagSlots, proto);
}

export { JS_TAG };
