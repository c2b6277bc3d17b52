/**
 * The objects the VM executes against, built by the runtime: linear memories,
 * tables, functions (by store handle) and instance contexts.
 *
 * Invariants:
 * - A reference value is an i32 handle: 0 is null; a funcref handle indexes
 *   `Vm.funcs`; an externref handle is the runtime's business.
 * - An unshared `VmMemory`'s `bytes`/`view` always cover exactly
 *   `byteLength` bytes of the current buffer; `grow` replaces them (the VM
 *   reloads them after any builtin or host call).
 * - A shared memory's buffer is one `SharedArrayBuffer` of its maximum size
 *   (capped at 4 GiB), reserved when it is made (the host commits pages only
 *   when touched) and seen by every thread; `bytes`/`view` cover all of it.
 *   Its current length is a word all copies share; `byteLength` is this
 *   thread's last reading of it: another thread's growth shows after
 *   {@link VmMemory.refresh} (the VM refreshes and retries an access that was
 *   out of bounds only by a stale length, and at `memory.size`). Growth is
 *   serialised by a lock word all copies share. (Not a growable
 *   `SharedArrayBuffer`: V8 runs every access through a view of one 15-30x
 *   slower than through a fixed one, and two threads no faster than one.)
 * - `VmTable.elems` may be longer than `size`; entries past `size` are 0.
 *
 * @module
 */

import {
  MAX_MEMORY_BYTES,
  MAX_TABLE_ELEMENTS,
  MAX_TABLE_ELEMENTS_ALLOCATABLE,
  maxPages,
  PAGE_SIZE,
} from "@capstan/environ";

// Part of this package's exports; declared with the other limits in `@capstan/environ`.
export { MAX_MEMORY_BYTES, PAGE_SIZE };

/**
 * What threads share of a shared memory: its buffer and its control words
 * (structured-cloneable: post it to a worker).
 */
export interface SharedMemoryBuffers {
  /** The memory's bytes, reserved to its maximum size. */
  readonly buffer: SharedArrayBuffer;
  /**
   * 16 bytes: an Int32 lock word at 0 (1 while a thread grows the memory,
   * else 0) and the current length in bytes as a BigInt64 at 8.
   */
  readonly control: SharedArrayBuffer;
}

/** The largest a shared memory may grow (its reservation): 4 GiB. */
const MAX_SHARED_BYTES = 2 ** 32;

/** A linear memory. */
export class VmMemory {
  /** The current buffer (when shared: one `SharedArrayBuffer`, reserved to the maximum size). */
  buffer: ArrayBuffer | SharedArrayBuffer;
  /** A byte view of the whole buffer. */
  bytes: Uint8Array;
  /** A DataView of the whole buffer. */
  view: DataView;
  /** The size in bytes. */
  byteLength: number;
  /** The maximum size in pages (the address space's when undeclared). */
  readonly maxPages: number;
  /** Bytes per page (65536, or 1 with custom page sizes). */
  readonly pageSize: number;
  /** Whether addresses are i64 (memory64): the VM reads them from both halves of a slot. */
  readonly address64: boolean;
  /** A shared memory's buffers (undefined when unshared). */
  readonly shared: SharedMemoryBuffers | undefined;
  /** A shared memory's lock word. */
  readonly #lock: Int32Array | undefined;
  /** A shared memory's current length word. */
  readonly #length: BigInt64Array | undefined;

  /**
   * Creates a memory of `pages` pages.
   *
   * @param pages initial size in pages
   * @param max maximum size in pages, if declared
   * @param pageSizeLog2 log2 of the page size in bytes (16 or 0)
   * @param address64 whether it is a 64-bit memory
   * @param shared for a shared memory: true to create its buffers, or the
   *   buffers of a memory another thread created (then `pages` is ignored)
   */
  constructor(
    pages: number,
    max?: number,
    pageSizeLog2 = 16,
    address64 = false,
    shared: boolean | SharedMemoryBuffers = false,
  ) {
    this.address64 = address64;
    this.pageSize = 2 ** pageSizeLog2;
    this.maxPages = Math.min(max ?? Infinity, maxPages({ address64, pageSizeLog2 }));
    if (shared === true) {
      const reserved = Math.min(this.maxPages * this.pageSize, MAX_SHARED_BYTES);
      if (pages * this.pageSize > reserved) throw new RangeError("shared memory too large");
      shared = { buffer: new SharedArrayBuffer(reserved), control: new SharedArrayBuffer(16) };
      new BigInt64Array(shared.control, 8, 1)[0] = BigInt(pages * this.pageSize);
    }
    this.shared = shared === false ? undefined : shared;
    this.#lock = this.shared && new Int32Array(this.shared.control, 0, 1);
    this.#length = this.shared && new BigInt64Array(this.shared.control, 8, 1);
    this.buffer = this.shared?.buffer ?? new ArrayBuffer(pages * this.pageSize);
    this.bytes = new Uint8Array(this.buffer);
    this.view = new DataView(this.buffer);
    this.byteLength = this.#length ? Number(Atomics.load(this.#length, 0)) : this.buffer.byteLength;
  }

  /** The size in pages. */
  get pages(): number {
    return this.byteLength / this.pageSize;
  }

  /**
   * Grows the memory by `delta` pages (zero-filled).
   *
   * @param delta pages to add (a non-negative integer, up to 2^64 for a 64-bit memory)
   * @returns the old size in pages, or -1 when the maximum (or the host's limit) would be passed
   * @example
   * ```ts
   * import { VmMemory } from "./vm_objects.ts";
   * const m = new VmMemory(1, 2);
   * if (m.grow(1) !== 1 || m.grow(1) !== -1) throw new Error();
   * ```
   */
  grow(delta: number): number {
    if (this.shared !== undefined) return this.growShared(delta);
    const old = this.pages;
    const want = old + delta;
    if (want > this.maxPages || want * this.pageSize > MAX_MEMORY_BYTES) return -1;
    if (delta === 0) return old;
    let buffer: ArrayBuffer;
    try {
      buffer = new ArrayBuffer(want * this.pageSize);
    } catch {
      return -1;
    }
    const bytes = new Uint8Array(buffer);
    bytes.set(this.bytes);
    this.buffer = buffer;
    this.bytes = bytes;
    this.view = new DataView(buffer);
    this.byteLength = buffer.byteLength;
    return old;
  }

  /**
   * Reads a shared memory's length again (another thread may have grown it).
   *
   * @returns whether it changed
   */
  refresh(): boolean {
    const n = Number(Atomics.load(this.#length!, 0));
    if (n === this.byteLength) return false;
    this.byteLength = n;
    return true;
  }

  /**
   * Grows a shared memory by `delta` pages, holding its lock so that two
   * threads growing at once each get their own old size.
   *
   * @param delta pages to add
   * @param allow called with the old and new size in pages once the lock is
   *   held: false refuses the growth (a store's limiter)
   * @returns the old size in pages, or -1
   */
  growShared(delta: number, allow?: (oldPages: number, newPages: number) => boolean): number {
    const word = this.#lock!;
    while (Atomics.compareExchange(word, 0, 0, 1) !== 0) Atomics.wait(word, 0, 1, 1);
    try {
      this.refresh();
      const old = this.pages;
      const want = old + delta;
      if (want > this.maxPages || want * this.pageSize > this.buffer.byteLength) return -1;
      if (allow !== undefined && !allow(old, want)) return -1;
      this.byteLength = want * this.pageSize; // the reservation is zeroed already
      Atomics.store(this.#length!, 0, BigInt(this.byteLength));
      return old;
    } finally {
      Atomics.store(word, 0, 0);
      Atomics.notify(word, 0, 1);
    }
  }
}

/**
 * A table of references: i32 handles (0 = null) in `elems`, or for a table
 * of the `any` hierarchy (GC) the values themselves in `refs` (as the ref
 * file holds them, see `gc_objects.ts`; `elems` then unused).
 */
export class VmTable {
  /** Storage; `elems.length >= size`. */
  elems: Int32Array;
  /** A GC table's elements (`refs.length === size`); null for a table of handles. */
  refs: unknown[] | null = null;
  /** The current size in elements. */
  size: number;
  /** The maximum size (2^32 - 1 when undeclared). */
  readonly max: number;

  /**
   * Creates a table of `size` elements, all `init`.
   *
   * @param size initial size
   * @param max maximum size, if declared
   * @param init initial element (handle)
   */
  constructor(size: number, max?: number, init = 0) {
    this.elems = new Int32Array(Math.max(size, 1));
    if (init !== 0) this.elems.fill(init, 0, size);
    this.size = size;
    this.max = max ?? MAX_TABLE_ELEMENTS;
  }

  /**
   * Grows the table by `delta` elements set to `init`.
   *
   * @param delta elements to add (unsigned)
   * @param init the new elements' value (a handle, or for a GC table a ref-file value)
   * @returns the old size, or -1 when the maximum would be passed
   */
  grow(delta: number, init: unknown): number {
    const old = this.size;
    const want = old + (delta >>> 0);
    if (want > this.max || want > MAX_TABLE_ELEMENTS_ALLOCATABLE) return -1;
    if (this.refs !== null) {
      for (let i = old; i < want; i++) this.refs.push(init);
      this.size = want;
      return old;
    }
    if (want > this.elems.length) {
      const elems = new Int32Array(Math.max(want, this.elems.length * 2));
      elems.set(this.elems.subarray(0, old));
      this.elems = elems;
    }
    this.elems.fill(init as number, old, want);
    this.size = want;
    return old;
  }
}

/**
 * A function as the VM sees it, registered in `Vm.funcs` under its handle:
 * either compiled wasm code in an instance, or a host function the runtime
 * runs when the VM exits with a host call.
 */
export class VmFunc {
  /** The canonical signature id (compared by `call_indirect`). */
  readonly sigId: number;
  /** The instance whose code holds it, or null for a host function. */
  readonly instance: VmInstance | null;
  /** The code address of its `enter` instruction (wasm functions). */
  entry: number;
  /** The runtime's id for a host function (-1 for wasm functions). */
  readonly hostId: number;
  /** max(params, results) in slots: the register space a host call uses. */
  readonly arity: number;

  /**
   * Creates a function record.
   *
   * @param sigId canonical signature id
   * @param instance the instance of a wasm function, or null
   * @param entry code address of a wasm function's entry
   * @param hostId a host function's id, or -1
   * @param arity max(params, results)
   */
  constructor(
    sigId: number,
    instance: VmInstance | null,
    entry: number,
    hostId: number,
    arity: number,
  ) {
    this.sigId = sigId;
    this.instance = instance;
    this.entry = entry;
    this.hostId = hostId;
    this.arity = arity;
  }
}

/**
 * A wasm exception: its tag (an identity shared with `VmInstance.tags`) and
 * its values as raw register words (two per value), or a host value thrown
 * into wasm (then the tag is the host tag and `host` holds the value).
 */
export class VmException {
  /** The tag. */
  readonly tag: object;
  /** The values' raw words, two per value (a register's 8 bytes). */
  readonly words: Int32Array;
  /** A value thrown by the host, which its tag's single externref value is. */
  readonly host: unknown;
  /**
   * The values of the `any` hierarchy (references to structs, arrays, i31,
   * anyref...), for a tag that has any: one entry per value of the tag, the
   * value as the ref file holds it (`gc_objects.ts`) where the tag's type is
   * of that hierarchy, null elsewhere (those values are in {@link words},
   * whose words for these values mean nothing). Null for a tag without such
   * values. The exception holds them, so the JS garbage collector keeps
   * them while it is in flight or held by an `exnref`.
   */
  readonly refs: readonly unknown[] | null;

  /**
   * @param tag the tag
   * @param words the values' raw words
   * @param host the host value, for an exception from the host
   * @param refs the values of the `any` hierarchy (see {@link VmException.refs})
   */
  constructor(
    tag: object,
    words: Int32Array,
    host?: unknown,
    refs: readonly unknown[] | null = null,
  ) {
    this.tag = tag;
    this.words = words;
    this.host = host;
    this.refs = refs;
  }
}

/**
 * An instance's context: what the VM reads while running its code. The
 * runtime builds one per instance.
 */
export class VmInstance {
  /** Index in `Vm.instances` (set by `Vm.addInstance`). */
  id: number = -1;
  /**
   * The module's code (every function, concatenated). A module lowered
   * lazily replaces it with a longer array as functions are lowered; the
   * old array stays valid (code is only appended, and patched from a call
   * of a function's stub to a call of its code).
   */
  code: Int32Array;
  /** The numeric vmctx, laid out by `VMOffsets`. */
  readonly vmctx: Int32Array;
  /** Memory 0 (an empty memory when the module has none). */
  memory: VmMemory;
  /** Every memory by module index (`memories[0]` is `memory` when there is one). */
  readonly memories: VmMemory[];
  /** Tables by module index. */
  readonly tables: VmTable[];
  /** Data segments by index (emptied by data.drop and after active init). */
  readonly datas: Uint8Array[];
  /** Element segments (function handles) by index (emptied by elem.drop). */
  readonly elems: Int32Array[];
  /**
   * Element segments of the `any` hierarchy (GC) by index, their items as
   * ref-file values (emptied by elem.drop); an empty array for the others.
   */
  refElems: unknown[][] = [];
  /**
   * Every exception tag by module index: an object whose identity is the
   * tag's (an exception is caught by a clause of the same object).
   */
  tags: readonly object[] = [];
  /**
   * The module's exception handlers, as records `[start, end, depth, n,
   * (tag, refDst, pad, dst, values) × n]` (code addresses absolute; `tag` -1
   * catches every exception, -2 delegates to the handlers of frame depth
   * `pad` and below; `refDst` -1 takes no reference), innermost first within
   * each function.
   */
  get handlers(): Int32Array {
    return this.handlerSource.handlers;
  }
  /**
   * Where {@link VmInstance.handlers} are read: the compiled module, whose
   * handlers grow as its functions are lowered lazily.
   */
  handlerSource: { readonly handlers: Int32Array } = { handlers: new Int32Array(0) };

  /**
   * Creates an instance context.
   *
   * @param code the module's code
   * @param vmctx the numeric vmctx
   * @param memory memory 0, or an empty memory
   * @param tables the tables
   * @param datas the data segments
   * @param elems the element segments, resolved to handles
   * @param memories every memory by index (default: `[memory]`)
   */
  constructor(
    code: Int32Array,
    vmctx: Int32Array,
    memory: VmMemory,
    tables: VmTable[],
    datas: Uint8Array[],
    elems: Int32Array[],
    memories: VmMemory[] = [memory],
  ) {
    this.code = code;
    this.vmctx = vmctx;
    this.memory = memory;
    this.memories = memories;
    this.tables = tables;
    this.datas = datas;
    this.elems = elems;
  }
}
