/**
 * {@link Global}: a WebAssembly global owned by a {@link Store}.
 *
 * Invariants: the value lives in slot `_slot` of the store VM's global
 * storage (`Vm.globals`, two words per slot), where compiled code reads and
 * writes it; references are stored as handles. `set` refuses immutable
 * globals and wrong types.
 *
 * @module
 */

import { type GlobalType, isRefType, refTop, ValType, valTypeName } from "@capstan/environ";
import { wordSlotsOf } from "@capstan/interpreter";
import type { Store, Stored } from "./store.ts";
import { toValType, toWasm, type Val } from "./val.ts";
import { readWords, writeWords } from "./_slots.ts";

/**
 * A global variable.
 *
 * @example
 * ```ts
 * import { Engine, Global, Store, ValType } from "@capstan/runtime";
 * const store = new Store(new Engine(), undefined);
 * const g = new Global(store, { type: ValType.i64, mutable: true }, 1n);
 * g.set(2n ** 64n - 1n); // wraps to -1n
 * if (g.get() !== -1n) throw new Error();
 * ```
 */
export class Global implements Stored {
  /**
   * A short description for `console.log` / `Deno.inspect` (the VM behind it is large).
   *
   * @returns one line naming the object
   */
  [Symbol.for("Deno.customInspect")](): string {
    return `Global ${this.type.mutable ? "mut " : ""}${
      valTypeName(this.type.type)
    } (store #${this.store.id})`;
  }

  /** The owning store. */
  readonly store: Store<unknown>;
  /** The global's type. */
  readonly type: GlobalType;
  /**
   * The slot in the store's global storage.
   *
   * @ignore
   */
  readonly _slot: number;

  /**
   * Creates a global.
   *
   * @param store the owning store
   * @param type its value type and mutability
   * @param value its initial value
   * @throws TypeError when the value does not fit the type
   */
  // deno-lint-ignore no-explicit-any
  constructor(store: Store<any>, type: GlobalType, value: Val) {
    const s = store as Store<unknown>;
    const t = toValType(type?.type);
    this.store = s;
    this.type = { type: t, mutable: !!type.mutable };
    const v = toWasm(s, t, value, "global initial value");
    this._slot = s._vm.allocGlobal();
    for (let i = 1; i < wordSlotsOf(t); i++) s._vm.allocGlobal(); // v128 takes two consecutive slots
    writeWords(s, t, s._vm.globals, this._slot, v);
    if (isRefType(t) && refTop(t) === ValType.externref) s._externGlobals.push(this);
    else if (isRefType(t) && refTop(t) === ValType.contref) s._contGlobalSlots.push(this._slot);
  }

  /**
   * Reads the value.
   *
   * @returns the current value
   */
  get(): Val {
    return readWords(this.store, this.type.type, this.store._vm.globals, this._slot);
  }

  /**
   * Writes the value.
   *
   * @param value a value of the global's type
   * @throws TypeError for an immutable global or a wrong value
   */
  set(value: Val): void {
    if (!this.type.mutable) {
      throw new TypeError(`cannot set an immutable ${valTypeName(this.type.type)} global`);
    }
    const v = toWasm(this.store, this.type.type, value, "global value");
    writeWords(this.store, this.type.type, this.store._vm.globals, this._slot, v);
  }
}
