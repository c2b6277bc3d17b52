/**
 * Exception tags ({@link Tag}) and the wasm exceptions that reach the host
 * ({@link WasmException}).
 *
 * Invariants:
 * - A tag's identity is the tag object: the VM catches an exception by
 *   comparing it with the tags of the catching instance.
 * - A wasm exception that leaves wasm is a {@link WasmException} holding the
 *   VM's exception, so throwing it back into wasm (from a host function)
 *   rethrows the same exception; any other value a host function throws is
 *   caught in wasm only by `catch_all` (or a clause of {@link JS_TAG}).
 * - Traps are never wasm exceptions.
 * - A value of the `any` hierarchy (a struct, an array, an i31, a host
 *   value as anyref) is, in {@link WasmException.values}, its JS value
 *   (`_gc_values.ts`: the same opaque object for the same struct), and in
 *   the VM's exception its ref-file value (`VmException.refs`).
 *
 * @module
 */

import { type FuncType, isRefType, refTop, type ValType, ValType as VT } from "@capstan/environ";
import { readWordSlot, VmException, writeWordSlot } from "@capstan/interpreter";
import { handleToRef, refToHandle } from "./table.ts";
import { gcToInternal, gcToJs } from "./_gc_values.ts";
import type { Store } from "./store.ts";
import { toWasm, type Val } from "./val.ts";

/**
 * An exception tag: the type of the values an exception of it carries.
 *
 * @example
 * ```ts
 * import { Engine, Store, Tag, ValType } from "@capstan/runtime";
 * const tag = new Tag(new Store(new Engine(), undefined), { params: [ValType.i32], results: [] });
 * if (tag.type.params.length !== 1) throw new Error();
 * ```
 */
export class Tag {
  /** The owning store (null for {@link JS_TAG}, which every store shares). */
  readonly store: Store<unknown> | null;
  /**
   * Its type: the parameters an exception or a `suspend` carries, and the
   * results a `suspend` receives back (stack switching).
   */
  readonly type: FuncType;

  /**
   * Creates a tag.
   *
   * @param store the owning store (null: shared by every store)
   * @param type its type
   * @throws TypeError when the type has a v128 value, or results while the
   *   store's engine has stack switching off
   */
  // deno-lint-ignore no-explicit-any
  constructor(store: Store<any> | null, type: FuncType) {
    if (type.results.length !== 0 && store?.engine.config.stackSwitching !== true) {
      throw new TypeError("a tag's type has no results (without stack switching)");
    }
    if (type.params.includes(VT.v128)) {
      throw new TypeError("unsupported: a v128 value in an exception");
    }
    this.store = store as Store<unknown> | null;
    this.type = { params: [...type.params], results: [...type.results], key: type.key };
  }
}

/**
 * The property under which a host object carries the {@link WasmException}
 * it stands for (the facade's `WebAssembly.Exception`), so throwing it into
 * wasm throws that exception.
 */
export const WASM_EXCEPTION: unique symbol = Symbol("WasmException");

/** The tag of values JavaScript throws into wasm (`WebAssembly.JSTag`): one externref. */
export const JS_TAG: Tag = new Tag(null, { params: [VT.externref], results: [] });

/**
 * A wasm exception seen by the host: its tag and its values.
 *
 * @example
 * ```ts
 * import { Engine, Store, Tag, ValType, WasmException } from "@capstan/runtime";
 * const store = new Store(new Engine(), undefined);
 * const tag = new Tag(store, { params: [ValType.i32], results: [] });
 * const e = new WasmException(store, tag, [42]);
 * if (e.tag !== tag || e.values[0] !== 42) throw new Error();
 * ```
 */
export class WasmException extends Error {
  /** Its tag. */
  readonly tag: Tag;
  /** Its values, as the runtime represents them. */
  readonly values: readonly Val[];
  /**
   * The VM's exception.
   *
   * @ignore
   */
  readonly _exn: VmException;

  /**
   * Creates an exception to throw into wasm, or wraps one that left it.
   *
   * @param store the store its references belong to
   * @param tag its tag
   * @param values its values (checked against the tag's type)
   * @param exn the VM's exception, when wasm threw it
   * @throws TypeError when the values do not fit the tag's type
   */
  // deno-lint-ignore no-explicit-any
  constructor(store: Store<any>, tag: Tag, values: readonly unknown[], exn?: VmException) {
    super("wasm exception");
    this.name = "WasmException";
    const s = store as Store<unknown>;
    const params = tag.type.params;
    if (exn === undefined) {
      if (values.length !== params.length) {
        throw new TypeError(`expected ${params.length} values, found ${values.length}`);
      }
      const checked = params.map((t, i) => toWasm(s, t, values[i], `value ${i}`));
      const words = new Int32Array(2 * params.length);
      const refs = params.some(isGcValue) ? new Array<unknown>(params.length).fill(null) : null;
      for (let i = 0; i < params.length; i++) {
        if (isGcValue(params[i])) refs![i] = checked[i] === null ? null : gcToInternal(checked[i]);
        else writeWordSlot(words, i, params[i], toSlot(s, params[i], checked[i]));
      }
      this.values = checked;
      this._exn = new VmException(tag, words, undefined, refs);
    } else {
      this.values = tag === JS_TAG
        ? [exn.host as Val]
        : params.map((t, i) =>
          isGcValue(t)
            ? gcValueOf(exn.refs?.[i] ?? null)
            : fromSlot(s, t, readWordSlot(exn.words, i, t))
        );
      this._exn = exn;
    }
    this.tag = tag;
    seen.set(this._exn, this);
  }
}

/** The host's object for each VM exception that has had one. */
const seen = new WeakMap<VmException, WasmException>();

/**
 * The host's object for a VM exception that left wasm: the one it had
 * before (so an exception the host threw in comes back out as itself), or a
 * new {@link WasmException}.
 *
 * @param store the store
 * @param exn the VM's exception
 * @returns the host's object
 */
export function wasmExceptionFor(store: Store<unknown>, exn: VmException): WasmException {
  return seen.get(exn) ?? new WasmException(store, exn.tag as Tag, [], exn);
}

/** Whether a value type is of the `any` hierarchy (held in `VmException.refs`). */
function isGcValue(type: ValType): boolean {
  return isRefType(type) && refTop(type) === VT.anyref;
}

/** The JS value of a ref-file value (null stays null). */
function gcValueOf(v: unknown): Val {
  return v === null ? null : gcToJs(v);
}

function toSlot(store: Store<unknown>, type: ValType, v: Val): number | bigint | Uint8Array {
  return isRefType(type) ? refToHandle(store, refTop(type), v) : v as number | bigint;
}

function fromSlot(store: Store<unknown>, type: ValType, raw: unknown): Val {
  return isRefType(type) ? handleToRef(store, refTop(type), raw as number) : raw as Val;
}

/**
 * The wasm exception a value thrown by a host function is in wasm: a
 * {@link WasmException}'s own, or the value under {@link JS_TAG}; null for a
 * value wasm may not catch (a trap).
 *
 * @param store the store
 * @param e what the host threw
 * @param isTrap whether it is a trap
 * @returns the VM's exception, or null
 */
export function hostThrowToWasm(
  store: Store<unknown>,
  e: unknown,
  isTrap: boolean,
): VmException | null {
  if (isTrap) return null;
  if (e instanceof WasmException) return e._exn;
  const inner = typeof e === "object" && e !== null
    ? (e as { [WASM_EXCEPTION]?: WasmException })[WASM_EXCEPTION]
    : undefined;
  if (inner instanceof WasmException) return inner._exn;
  const words = new Int32Array(2); // one externref
  words[0] = store._externHandle(e);
  return new VmException(JS_TAG, words, e);
}
