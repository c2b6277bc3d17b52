/**
 * {@link Table}: a WebAssembly table of references owned by a {@link Store}.
 *
 * Invariants:
 * - Elements are stored as i32 handles in a {@link StoreVmTable} the VM reads
 *   directly: 0 is null; a funcref handle is the `Func`'s `_handle`; an
 *   externref handle indexes the store's externref table. `get`/`set`
 *   convert between handles and values.
 * - Growth never exceeds the declared maximum, 2^32-1 elements, or what the
 *   store's limiter allows; a refused growth returns -1 and changes nothing.
 *
 * @module
 */

import {
  isRefType,
  isValType,
  MAX_TABLE_ELEMENTS,
  MAX_TABLE_ELEMENTS_ALLOCATABLE,
  refTop,
  type RefType,
  type TableType,
  ValType,
  valTypeName,
  withNullable,
} from "@capstan/environ";
import { VmTable } from "@capstan/interpreter";
import type { Func } from "./func.ts";
import type { Store, Stored } from "./store.ts";
import { toWasm, type Val } from "./val.ts";
import { gcToInternal, gcToJs } from "./_gc_values.ts";

// Part of this package's exports; declared with the other limits in `@capstan/environ`.
export { MAX_TABLE_ELEMENTS };

/**
 * Checks table limits and element type (a function, extern or continuation
 * reference; a continuation table holds only null until continuations run).
 *
 * @param type a table type
 * @throws TypeError / RangeError when invalid
 */
export function checkTableType(type: TableType): void {
  const element = type?.element;
  if (
    typeof element !== "number" || !isValType(element) || !isRefType(element) ||
    (refTop(element) !== ValType.funcref && refTop(element) !== ValType.externref &&
      refTop(element) !== ValType.contref && refTop(element) !== ValType.anyref)
  ) {
    throw new TypeError(`table element type must be a reference type`);
  }
  const { min, max } = type.limits ?? {};
  // a 64-bit table's limits are u64 (numbers, exact up to 2^53)
  const [most, mostName] = type.address64 ? [2 ** 64, "2^64-1"] : [MAX_TABLE_ELEMENTS, "2^32-1"];
  if (!Number.isInteger(min) || min < 0 || min > most) {
    throw new RangeError(`table minimum must be an integer in [0, ${mostName}], found ${min}`);
  }
  if (max !== undefined && (!Number.isInteger(max) || max < min || max > most)) {
    throw new RangeError(`table maximum must be an integer in [${min}, ${mostName}], found ${max}`);
  }
}

/**
 * The VM's view of a store's table: a `VmTable` of i32 handles whose `grow`
 * (called by the `table.grow` instruction) goes through the owning
 * {@link Table}, so the store's limiter applies.
 */
export class StoreVmTable extends VmTable {
  /** The runtime object that owns it. */
  owner: Table | undefined = undefined;

  /**
   * Grows by `delta` elements through the owner.
   *
   * @param delta elements (an unsigned 32-bit value)
   * @param init the new elements' handle (for a GC table, their ref-file value)
   * @returns the old size, or -1
   */
  override grow(delta: number, init: unknown): number {
    return this.owner === undefined ? -1 : this.owner._grow(delta >>> 0, init);
  }

  /**
   * Grows without the limiter (the owner calls this after its checks).
   *
   * @param delta elements
   * @param init the new elements' handle (for a GC table, their ref-file value)
   * @returns the old size, or -1
   * @ignore
   */
  _rawGrow(delta: number, init: unknown): number {
    return super.grow(delta, init);
  }
}

/**
 * Converts a reference value to its handle in a store (0 for null).
 *
 * @param store the store
 * @param type funcref or externref
 * @param v a value already checked by `toWasm`
 * @returns the handle
 */
export function refToHandle(store: Store<unknown>, type: RefType, v: Val): number {
  if (v === null) return 0;
  return refTop(type) === ValType.funcref ? (v as Func)._handle : store._externHandle(v);
}

/**
 * Converts a handle back to the reference value.
 *
 * @param store the store
 * @param type funcref or externref
 * @param h the handle (0 for null)
 * @returns the value
 */
export function handleToRef(store: Store<unknown>, type: RefType, h: number): Val {
  if (h === 0) return null;
  return refTop(type) === ValType.funcref ? store._funcs[h] : store._externs[h];
}

/**
 * A defined table whose type gives an initialiser expression: created with
 * null elements (which a non-nullable type would refuse), for the instance to
 * fill with the initialiser's value before any code or export can see it.
 *
 * @param store the owning store
 * @param type its type (with `init`)
 * @returns the table
 */
export function tableToInitialise(store: Store<unknown>, type: TableType): Table {
  const table = new Table(store, { ...type, element: withNullable(type.element, true) }, null);
  (table as { element: RefType }).element = type.element;
  return table;
}

/**
 * A table of references.
 *
 * @example
 * ```ts
 * import { Engine, Store, Table, ValType } from "@capstan/runtime";
 * const store = new Store(new Engine(), undefined);
 * const type = { element: ValType.externref, limits: { min: 1, max: undefined } } as const;
 * const t = new Table(store, type, "x");
 * if (t.grow(2, null) !== 1 || t.size() !== 3 || t.get(0) !== "x" || t.get(2) !== null) {
 *   throw new Error();
 * }
 * ```
 */
export class Table implements Stored {
  /**
   * A short description for `console.log` / `Deno.inspect` (the VM behind it is large).
   *
   * @returns one line naming the object
   */
  [Symbol.for("Deno.customInspect")](): string {
    return `Table { size: ${this.size()}, max: ${this.maximum} } (store #${this.store.id})`;
  }

  /** The owning store. */
  readonly store: Store<unknown>;
  /** The element type. */
  readonly element: RefType;
  /** The declared maximum, if any. */
  readonly maximum: number | undefined;
  /** Whether it is indexed by i64 (table64). */
  readonly address64: boolean;
  /**
   * The elements as handles, shared with the VM.
   *
   * @ignore
   */
  readonly _vm: StoreVmTable;

  /**
   * Creates a table of `type.limits.min` elements, each `init`.
   *
   * @param store the owning store
   * @param type element type and limits
   * @param init the initial value of every element: null when omitted (an
   *   explicit `undefined` is the externref `undefined`)
   * @throws TypeError / RangeError for an invalid type or value; Error when the limiter refuses it
   */
  // deno-lint-ignore no-explicit-any
  constructor(store: Store<any>, type: TableType, init?: Val) {
    checkTableType(type);
    store.checkNotBusy("creating a table");
    const s = store as Store<unknown>;
    const given = arguments.length < 3 ? null : init;
    const value = toWasm(s, type.element, given, "table initial value");
    const limiter = s.resourceLimiter;
    const { min, max } = type.limits;
    if (limiter) {
      if (s._counts.tables + 1 > (limiter.tables ?? Infinity)) {
        throw new Error(`resource limit exceeded: table count too high at ${s._counts.tables + 1}`);
      }
      if (!limiter.tableGrowing(0, min, max)) {
        throw new Error(`table minimum size of ${min} elements exceeds table limits`);
      }
    }
    if (min > MAX_TABLE_ELEMENTS_ALLOCATABLE) {
      // A valid module can ask for this: not API misuse, so a plain Error (as the limiter's).
      throw new Error(`table minimum size of ${min} elements exceeds what this runtime allocates`);
    }
    this.store = s;
    this.element = type.element;
    this.maximum = max;
    this.address64 = type.address64 === true;
    // the VM never grows past MAX_TABLE_ELEMENTS (2^32-1), whatever a 64-bit table declares
    const vmMax = max === undefined ? undefined : Math.min(max, MAX_TABLE_ELEMENTS);
    const gc = refTop(type.element) === ValType.anyref;
    this._vm = new StoreVmTable(min, vmMax, gc ? 0 : refToHandle(s, type.element, value));
    // a table of the any hierarchy holds its values (see `_gc_values.ts`), not handles
    if (gc) this._vm.refs = new Array<unknown>(min).fill(gcToInternal(value));
    this._vm.owner = this;
    s._counts.tables++;
    if (refTop(type.element) === ValType.externref) s._externTables.push(this);
    else if (refTop(type.element) === ValType.contref) s._contRoots.push(this._vm);
  }

  /** The table's type, with its current size as the minimum. */
  get type(): TableType {
    const limits = { min: this._vm.size, max: this.maximum };
    return this.address64
      ? { element: this.element, limits, address64: true }
      : { element: this.element, limits };
  }

  /**
   * The number of elements.
   *
   * @returns the size
   */
  size(): number {
    return this._vm.size;
  }

  /**
   * Reads an element.
   *
   * @param index the element's index
   * @returns its value
   * @throws RangeError when out of bounds
   */
  get(index: number): Val {
    this.#checkIndex(index);
    const refs = this._vm.refs;
    if (refs !== null) return refs[index] === null ? null : gcToJs(refs[index]);
    return handleToRef(this.store, this.element, this._vm.elems[index]);
  }

  /**
   * Writes an element.
   *
   * @param index the element's index
   * @param value a value of the element type
   * @throws RangeError when out of bounds; TypeError for a wrong value
   */
  set(index: number, value: Val): void {
    this.#checkIndex(index);
    const v = toWasm(this.store, this.element, value, `table element ${index}`);
    if (this._vm.refs !== null) this._vm.refs[index] = gcToInternal(v);
    else this._vm.elems[index] = refToHandle(this.store, this.element, v);
  }

  /**
   * Grows the table by `delta` elements, each `init`.
   *
   * @param delta elements to add
   * @param init the value of the new elements: null when omitted (an explicit
   *   `undefined` is the externref `undefined`)
   * @returns the previous size, or -1 when the growth is refused
   */
  grow(delta: number, init?: Val): number {
    if (!Number.isInteger(delta) || delta < 0) {
      throw new RangeError(`table growth must be a non-negative integer, found ${delta}`);
    }
    const given = arguments.length < 2 ? null : init;
    const value = toWasm(this.store, this.element, given, "table growth value");
    const gc = this._vm.refs !== null;
    return this._grow(
      delta,
      gc ? gcToInternal(value) : refToHandle(this.store, this.element, value),
    );
  }

  /**
   * Grows with a handle (the `table.grow` instruction's path).
   *
   * @param delta elements to add (an unsigned 32-bit count)
   * @param handle the new elements' handle (for a GC table, their ref-file value)
   * @returns the previous size, or -1
   * @ignore
   */
  _grow(delta: number, handle: unknown): number {
    const old = this._vm.size;
    const desired = old + delta;
    const max = Math.min(this.maximum ?? MAX_TABLE_ELEMENTS, MAX_TABLE_ELEMENTS);
    if (desired > max || desired > MAX_TABLE_ELEMENTS_ALLOCATABLE) return -1;
    const limiter = this.store.resourceLimiter;
    if (limiter && !limiter.tableGrowing(old, desired, this.maximum)) return -1;
    return this._vm._rawGrow(delta, handle);
  }

  #checkIndex(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this._vm.size) {
      throw new RangeError(
        `table index ${index} out of bounds for a ${valTypeName(this.element)} table ` +
          `of ${this._vm.size} elements`,
      );
    }
  }
}
