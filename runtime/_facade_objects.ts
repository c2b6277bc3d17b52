/**
 * The facade's `WebAssembly.Memory`, `WebAssembly.Table` and
 * `WebAssembly.Global`: module-level classes over the runtime's
 * {@link RtMemory}, {@link RtTable} and {@link RtGlobal}. Each facade
 * object binds them to its state with a subclass whose constructor passes
 * the facade in; objects that surface as exports get the same prototype.
 *
 * Invariants:
 * - A facade object's internal slot ({@link memorySlots}, {@link tableSlots},
 *   {@link globalSlots}) names its runtime object and the facade that made
 *   it; methods and accessors find both there, and throw a `TypeError` for a
 *   `this` that is not such an object.
 * - Descriptors are read as WebIDL dictionaries; sizes as `[EnforceRange]
 *   unsigned long`, or for `address: "i64"` (memory64, table64) as
 *   `[EnforceRange] unsigned long long` BigInts, which such a memory's or
 *   table's sizes and indices also are in results; values convert as
 *   ToWebAssemblyValue (`Facade.toWasm`).
 *
 * @module
 */

import {
  type GlobalType,
  isRefType,
  type MemoryType,
  type TableType,
  ValType,
} from "@capstan/environ";
import { Global as RtGlobal } from "./global.ts";
import { MAX_TABLE_ELEMENTS, MAX_TABLE_ELEMENTS_ALLOCATABLE, maxPages } from "@capstan/environ";
import { Memory as RtMemory } from "./memory.ts";
import { Table as RtTable } from "./table.ts";
import type { Facade } from "./_facade.ts";
import { globalTypeObject, memoryTypeObject, tableTypeObject } from "./_facade_types.ts";
import { InternalSlots } from "./_facade_slots.ts";
import {
  addressIs64,
  defaultValue,
  dictionary,
  enforceU32,
  enforceU64,
  valueType,
} from "./_facade_values.ts";

/** Reads a size or index: a u32 Number, or for a 64-bit memory or table a u64 BigInt. */
function readSize(v: unknown, what: string, is64: boolean): number {
  return is64 ? enforceU64(v, what) : enforceU32(v, what);
}

/** A size or index as JavaScript sees it: a BigInt for a 64-bit memory or table. */
function sizeToJs(n: number, is64: boolean): number | bigint {
  return is64 ? BigInt(n) : n;
}

/** The internal slots of the facade's memories. */
export const memorySlots: InternalSlots<RtMemory> = new InternalSlots<RtMemory>("Memory");
/**
 * The bytes of a Capstan memory (the runtime's `Memory` or a facade's
 * `WebAssembly.Memory`) without asking for its `buffer`: a view of exactly
 * its size (see `memory.ts`: reading `buffer` may move the bytes to an exact
 * buffer, which a host reading memory on every call should not pay for).
 *
 * @param memory any value
 * @returns the view (re-read it after anything that may grow the memory), or
 *   undefined for anything else (a native memory) and for a shared memory
 * @example
 * ```ts
 * import { memoryBytes, WebAssembly } from "@capstan/runtime";
 * const memory = new WebAssembly.Memory({ initial: 1 });
 * if (memoryBytes(memory)?.length !== 65536) throw new Error();
 * ```
 */
export function memoryBytes(memory: unknown): Uint8Array | undefined {
  const rt = memory instanceof RtMemory
    ? memory
    : typeof memory === "object" && memory !== null
    ? memorySlots.get(memory)
    : undefined;
  return rt === undefined || rt.shared ? undefined : rt.data();
}

/** The internal slots of the facade's tables. */
export const tableSlots: InternalSlots<RtTable> = new InternalSlots<RtTable>("Table");
/** The internal slots of the facade's globals. */
export const globalSlots: InternalSlots<RtGlobal> = new InternalSlots<RtGlobal>("Global");

/**
 * A descriptor's initial size: `initial`, or `minimum` as type reflection
 * names it (exactly one of them).
 *
 * @param d the descriptor
 * @param what the constructor, for errors
 * @returns the size as given
 */
function initialSize(d: Record<string, unknown>, what: string): unknown {
  if (d.initial !== undefined && d.minimum !== undefined) {
    throw new TypeError(`${what}: give either initial or minimum, not both`);
  }
  const initial = d.initial ?? d.minimum;
  if (initial === undefined) throw new TypeError(`${what}: the descriptor needs an initial size`);
  return initial;
}

/** The descriptor of `new WebAssembly.Memory`. */
export interface FacadeMemoryDescriptor {
  /** The initial size, in 64 KiB pages (a BigInt for `address: "i64"`). */
  initial?: number | bigint;
  /** The same as `initial`, as `type()` names it (type reflection); give one of the two. */
  minimum?: number | bigint;
  /** The maximum size, in pages. */
  maximum?: number | bigint;
  /** Whether threads may share it (then `maximum` is required and `buffer` is a `SharedArrayBuffer`). */
  shared?: boolean;
  /** `"i32"` (the default) or `"i64"` (memory64). */
  address?: "i32" | "i64";
}

/** The descriptor of `new WebAssembly.Table`. */
export interface FacadeTableDescriptor {
  /** `"anyfunc"`/`"funcref"` or `"externref"`. */
  element: string;
  /** The initial size, in elements (a BigInt for `address: "i64"`). */
  initial?: number | bigint;
  /** The same as `initial`, as `type()` names it (type reflection); give one of the two. */
  minimum?: number | bigint;
  /** The maximum size, in elements. */
  maximum?: number | bigint;
  /** `"i32"` (the default) or `"i64"` (table64). */
  address?: "i32" | "i64";
}

/** The descriptor of `new WebAssembly.Global`. */
export interface FacadeGlobalDescriptor {
  /** The value type's name. */
  value: string;
  /** Whether it is mutable. */
  mutable?: boolean;
}

/** `WebAssembly.Memory` (each facade's class extends it). */
export class FacadeMemory {
  /**
   * Creates a memory in the facade's store.
   *
   * @param facade the facade
   * @param descriptor `initial` and optional `maximum`, in 64 KiB pages
   */
  constructor(facade: Facade, descriptor: FacadeMemoryDescriptor) {
    const d = dictionary(descriptor, "WebAssembly.Memory(): the descriptor");
    const initial = initialSize(d, "WebAssembly.Memory()");
    const is64 = addressIs64(d.address, "WebAssembly.Memory()");
    const min = readSize(initial, "initial", is64);
    const max = d.maximum === undefined ? undefined : readSize(d.maximum, "maximum", is64);
    const shared = Boolean(d.shared);
    if (shared && max === undefined) {
      throw new TypeError("WebAssembly.Memory(): a shared memory needs a maximum");
    }
    const most = maxPages({ address64: is64 });
    if (min > most) throw new RangeError(`initial ${min} exceeds ${most} pages`);
    if (max !== undefined && max > most) {
      throw new RangeError(`maximum ${max} exceeds ${most} pages`);
    }
    if (max !== undefined && max < min) {
      throw new RangeError(`maximum ${max} is below initial ${min}`);
    }
    const type: MemoryType = {
      limits: { min, max },
      ...(is64 ? { address64: true } : {}),
      ...(shared ? { shared } : {}),
    };
    facade.link(this, memorySlots, new RtMemory(facade.store, type));
  }

  /**
   * The memory's type now (type reflection).
   *
   * @returns `{ minimum, maximum?, shared, address? }`
   */
  type(): Record<string, unknown> {
    return memoryTypeObject(memorySlots.require(this).rt);
  }

  /** The memory's bytes (detached and replaced when it grows; one `SharedArrayBuffer` when shared). */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return memorySlots.require(this).rt.buffer;
  }

  /**
   * Grows the memory.
   *
   * @param delta pages to add
   * @returns the previous size in pages
   */
  grow(delta: number | bigint): number | bigint {
    const rt = memorySlots.require(this).rt;
    const old = rt.grow(readSize(delta, "delta", rt.address64));
    if (old < 0) throw new RangeError("WebAssembly.Memory.grow(): maximum memory size exceeded");
    return sizeToJs(old, rt.address64);
  }

  /** `"WebAssembly.Memory"`. */
  get [Symbol.toStringTag](): string {
    return "WebAssembly.Memory";
  }
}

/** `WebAssembly.Table` (each facade's class extends it). */
export class FacadeTable {
  /**
   * Creates a table in the facade's store.
   *
   * @param facade the facade
   * @param descriptor `element` ("anyfunc"/"funcref" or "externref"), `initial`, `maximum`
   * @param value the initial value of every element (the type's default when undefined)
   */
  constructor(facade: Facade, descriptor: FacadeTableDescriptor, value: unknown) {
    const d = dictionary(descriptor, "WebAssembly.Table(): the descriptor");
    const element = valueType(d.element, "WebAssembly.Table(): element");
    if (!isRefType(element)) {
      throw new TypeError(`WebAssembly.Table(): element must be a reference type`);
    }
    const initial = initialSize(d, "WebAssembly.Table()");
    const is64 = addressIs64(d.address, "WebAssembly.Table()");
    const min = readSize(initial, "initial", is64);
    const max = d.maximum === undefined ? undefined : readSize(d.maximum, "maximum", is64);
    if (max !== undefined && max < min) {
      throw new RangeError(`maximum ${max} is below initial ${min}`);
    }
    if (min > MAX_TABLE_ELEMENTS_ALLOCATABLE) throw new RangeError(`initial ${min} is too large`);
    const init = value === undefined ? defaultValue(element) : facade.toWasm(value, element);
    const type: TableType = is64
      ? { element, limits: { min, max }, address64: true }
      : { element, limits: { min, max } };
    facade.link(this, tableSlots, new RtTable(facade.store, type, init));
  }

  /**
   * The table's type now (type reflection).
   *
   * @returns `{ element, minimum, maximum?, address? }`
   */
  type(): Record<string, unknown> {
    return tableTypeObject(tableSlots.require(this).rt);
  }

  /** The number of elements. */
  get length(): number | bigint {
    const rt = tableSlots.require(this).rt;
    return sizeToJs(rt.size(), rt.address64);
  }

  /**
   * Reads an element.
   *
   * @param index the element's index
   * @returns its value, as JavaScript sees it
   */
  get(index: number | bigint): unknown {
    const { facade, rt } = tableSlots.require(this);
    const i = readSize(index, "index", rt.address64);
    if (i >= rt.size()) throw new RangeError(`table index ${i} out of bounds`);
    return facade.toJs(rt.get(i), rt.element);
  }

  /**
   * Writes an element.
   *
   * @param index the element's index
   * @param value its value (the type's default when absent)
   */
  set(index: number | bigint, value?: unknown): void {
    const { facade, rt } = tableSlots.require(this);
    const i = readSize(index, "index", rt.address64);
    if (i >= rt.size()) throw new RangeError(`table index ${i} out of bounds`);
    rt.set(i, arguments.length < 2 ? defaultValue(rt.element) : facade.toWasm(value, rt.element));
  }

  /**
   * Grows the table.
   *
   * @param delta elements to add
   * @param value their value (the type's default when absent)
   * @returns the previous size
   */
  grow(delta: number | bigint, value?: unknown): number | bigint {
    const { facade, rt } = tableSlots.require(this);
    const n = readSize(delta, "delta", rt.address64);
    const init = arguments.length < 2 ? defaultValue(rt.element) : facade.toWasm(value, rt.element);
    const old = n > MAX_TABLE_ELEMENTS ? -1 : rt.grow(n, init);
    if (old < 0) throw new RangeError("WebAssembly.Table.grow(): failed to grow the table");
    return sizeToJs(old, rt.address64);
  }

  /** `"WebAssembly.Table"`. */
  get [Symbol.toStringTag](): string {
    return "WebAssembly.Table";
  }
}

/** `WebAssembly.Global` (each facade's class extends it). */
export class FacadeGlobal {
  /**
   * Creates a global in the facade's store.
   *
   * @param facade the facade
   * @param descriptor `value` (the value type) and `mutable`
   * @param v the initial value; the type's default when undefined
   */
  constructor(facade: Facade, descriptor: FacadeGlobalDescriptor, v: unknown) {
    const d = dictionary(descriptor, "WebAssembly.Global(): the descriptor");
    const type = valueType(d.value, "WebAssembly.Global(): value");
    if (type === ValType.v128) throw new TypeError("WebAssembly.Global(): v128 is not allowed");
    const gt: GlobalType = { type, mutable: Boolean(d.mutable) };
    const init = v === undefined ? defaultValue(type) : facade.toWasm(v, type);
    facade.link(this, globalSlots, new RtGlobal(facade.store, gt, init));
  }

  /**
   * The global's type (type reflection).
   *
   * @returns `{ value, mutable }`
   */
  type(): { value: string; mutable: boolean } {
    return globalTypeObject(globalSlots.require(this).rt);
  }

  /** The value, as JavaScript sees it (settable when the global is mutable). */
  get value(): unknown {
    const { facade, rt } = globalSlots.require(this);
    return facade.toJs(rt.get(), rt.type.type);
  }

  set value(v: unknown) {
    const { facade, rt } = globalSlots.require(this);
    if (!rt.type.mutable) {
      throw new TypeError("WebAssembly.Global: cannot set an immutable global");
    }
    rt.set(facade.toWasm(v, rt.type.type));
  }

  /**
   * The value.
   *
   * @returns the value, as JavaScript sees it
   */
  valueOf(): unknown {
    return this.value;
  }

  /** `"WebAssembly.Global"`. */
  get [Symbol.toStringTag](): string {
    return "WebAssembly.Global";
  }
}
