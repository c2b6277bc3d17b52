/**
 * {@link Memory}: a WebAssembly linear memory owned by a {@link Store}.
 *
 * Invariants:
 * - An unshared memory's bytes live in one `ArrayBuffer` of at least
 *   `size() * pageSize` bytes (64 KiB pages, or 1-byte pages with custom page
 *   sizes), held by a {@link StoreVmMemory} that the VM reads directly. The
 *   size is the VM memory's `byteLength`, never the buffer's length: every
 *   bounds check (the interpreter's, the JS tier's, bulk operations, WASI,
 *   data segments), `size()`, `memory.size` and `data()` use it. Past it the
 *   buffer is capacity, zeroed, which growth takes without moving anything;
 *   growth past it moves the bytes (`ArrayBuffer.prototype.transfer`) to a
 *   buffer with half as much again as capacity, so a program growing a page
 *   at a time moves its memory a logarithmic number of times, not once per
 *   growth.
 * - `buffer` is exactly the memory's size, as the JS API requires: reading
 *   it when the buffer has capacity moves the bytes to an exact buffer (one
 *   copy), which the next growth (of any delta, even 0) detaches; the growth
 *   after a read reserves no capacity, so a host reading `buffer` after every
 *   growth pays one move per growth. `data()` is a view of exactly the
 *   current size, the same object until the memory grows or `buffer` moves
 *   it: read it again after anything that may grow the memory or read
 *   `buffer`. The VM reloads its views after every builtin and host call.
 * - A shared memory (`type.shared`, threads) keeps one `SharedArrayBuffer`
 *   of its maximum size (up to 4 GiB, reserved: the host commits pages only
 *   when touched) for its life: growth raises its length, a word every
 *   thread's copy shares, under a lock they share; nothing is detached.
 *   `buffer` is that whole `SharedArrayBuffer` (so its `byteLength` is the
 *   maximum; a growable one would follow the size, but V8 runs accesses
 *   through it many times slower and does not scale them across threads);
 *   `data()` and `size()` are the current size. {@link Memory.shareable}
 *   gives what another thread needs to make its own `Memory` over the same
 *   bytes ({@link Memory.fromShared}).
 * - Growth never exceeds the declared maximum, the address space (4 GiB for a
 *   32-bit memory, 2^64 bytes for a 64-bit one), or what the store's limiter
 *   allows; past that, the host's `ArrayBuffer` limit applies: a refused or
 *   failed growth returns -1 and leaves the memory unchanged. The
 *   `memory.grow` instruction takes the same path.
 *
 * @module
 */

import {
  MAX_MEMORY_BYTES,
  MAX_PAGES,
  maxPages,
  type MemoryType,
  PAGE_SIZE,
} from "@capstan/environ";
import { type SharedMemoryBuffers, VmMemory } from "@capstan/interpreter";
import type { Store, Stored } from "./store.ts";

// Part of this package's exports; declared with the other limits in `@capstan/environ`.
export { MAX_PAGES, PAGE_SIZE };

/**
 * Checks memory limits: min ≤ max ≤ the address space's pages (65536 for a
 * 32-bit memory of 64 KiB pages), and the page size (64 KiB or 1 byte).
 *
 * @param type a memory type
 * @throws RangeError when invalid
 */
export function checkMemoryType(type: MemoryType): void {
  const { min, max } = type?.limits ?? {};
  if (type?.shared && max === undefined) throw new RangeError("a shared memory needs a maximum");
  const log2 = type?.pageSizeLog2 ?? 16;
  if (log2 !== 16 && log2 !== 0) {
    throw new RangeError(`memory page size must be 65536 or 1 bytes, found 2^${log2}`);
  }
  const most = maxPages(type);
  if (!Number.isInteger(min) || min < 0 || min > most) {
    throw new RangeError(`memory minimum must be an integer in [0, ${most}], found ${min}`);
  }
  if (max !== undefined && (!Number.isInteger(max) || max < min || max > most)) {
    throw new RangeError(`memory maximum must be an integer in [${min}, ${most}], found ${max}`);
  }
}

/**
 * What another thread needs to use a shared memory (see
 * {@link Memory.shareable}): structured-cloneable, to post to a `Worker`.
 */
export interface SharedMemoryHandle extends SharedMemoryBuffers {
  /** The memory's type (its size when the handle was made as the minimum). */
  readonly type: MemoryType;
}

/**
 * The VM's view of a store's memory: the `VmMemory` the VM reads, whose
 * `grow` (called by the `memory.grow` instruction) goes through the owning
 * {@link Memory}, so the store's limiter and buffer detachment apply.
 */
export class StoreVmMemory extends VmMemory {
  /** The runtime object that owns it (undefined for an instance without memory). */
  owner: Memory | undefined = undefined;

  /**
   * Grows by `delta` pages through the owner.
   *
   * @param delta pages (a non-negative integer)
   * @returns the old size in pages, or -1
   */
  override grow(delta: number): number {
    return this.owner === undefined ? -1 : this.owner._grow(delta);
  }
}

/**
 * A linear memory.
 *
 * @example
 * ```ts
 * import { Engine, Memory, Store } from "@capstan/runtime";
 * const store = new Store(new Engine(), undefined);
 * const mem = new Memory(store, { limits: { min: 1, max: 2 } });
 * mem.data()[0] = 42;
 * if (mem.grow(1) !== 1 || mem.size() !== 2 || mem.data()[0] !== 42) throw new Error();
 * if (mem.grow(1) !== -1) throw new Error("past the maximum");
 * ```
 */
export class Memory implements Stored {
  /**
   * A short description for `console.log` / `Deno.inspect` (the VM behind it is large).
   *
   * @returns one line naming the object
   */
  [Symbol.for("Deno.customInspect")](): string {
    return `Memory { pages: ${this.size()}, max: ${this.maximum} } (store #${this.store.id})`;
  }

  /** The owning store. */
  readonly store: Store<unknown>;
  /** The declared maximum in pages, if any. */
  readonly maximum: number | undefined;
  /** Whether it is addressed by i64 (memory64). */
  readonly address64: boolean;
  /** log2 of its page size in bytes (16, or 0 for 1-byte pages). */
  readonly pageSizeLog2: number;
  /** Whether threads may share it (its bytes are a `SharedArrayBuffer`). */
  readonly shared: boolean;
  /**
   * The bytes, shared with the VM.
   *
   * @ignore
   */
  readonly _vm: StoreVmMemory;
  /**
   * Incremented on every successful growth.
   *
   * @ignore
   */
  _generation = 0;

  /**
   * Creates a memory of `type.limits.min` zeroed pages.
   *
   * @param store the owning store
   * @param type its limits in pages
   * @param sharedWith for a shared memory: the buffers of a memory another thread made
   *   (see {@link Memory.fromShared}); `type.limits.min` is then not allocated
   * @throws RangeError for invalid limits; Error when the limiter refuses it
   */
  // deno-lint-ignore no-explicit-any
  constructor(store: Store<any>, type: MemoryType, sharedWith?: SharedMemoryBuffers) {
    checkMemoryType(type);
    store.checkNotBusy("creating a memory");
    const s = store as Store<unknown>;
    const limiter = s.resourceLimiter;
    const { min, max } = type.limits;
    const pageSizeLog2 = type.pageSizeLog2 ?? 16;
    const pageSize = 2 ** pageSizeLog2;
    if (limiter) {
      if (s._counts.memories + 1 > (limiter.memories ?? Infinity)) {
        throw new Error(
          `resource limit exceeded: memory count too high at ${s._counts.memories + 1}`,
        );
      }
      if (
        !limiter.memoryGrowing(0, min * pageSize, max === undefined ? undefined : max * pageSize)
      ) {
        throw new Error(`memory minimum size of ${min} pages exceeds memory limits`);
      }
    }
    if (min * pageSize > MAX_MEMORY_BYTES) {
      throw new Error(`memory minimum size of ${min} pages exceeds what this runtime can allocate`);
    }
    this.store = s;
    this.maximum = max;
    this.address64 = type.address64 === true;
    this.pageSizeLog2 = pageSizeLog2;
    this.shared = type.shared === true;
    try {
      const shared = this.shared ? sharedWith ?? true : false;
      this._vm = new StoreVmMemory(min, max, pageSizeLog2, this.address64, shared);
    } catch {
      throw new Error(`memory minimum size of ${min} pages could not be allocated`);
    }
    this._vm.owner = this;
    s._counts.memories++;
  }

  /**
   * A memory in `store` over the bytes of a shared memory of another thread
   * (or store): what {@link Memory.shareable} gave there, posted here.
   *
   * @param store the owning store
   * @param shareable the other memory's {@link Memory.shareable}
   * @returns the memory
   * @example
   * ```ts
   * import { Engine, Memory, Store } from "@capstan/runtime";
   * const engine = new Engine();
   * const a = new Memory(new Store(engine, undefined), { limits: { min: 1, max: 4 }, shared: true });
   * // in a worker: Memory.fromShared(store, e.data) after postMessage(a.shareable())
   * const b = Memory.fromShared(new Store(engine, undefined), a.shareable());
   * b.data()[7] = 42;
   * if (a.data()[7] !== 42 || b.grow(1) !== 1 || a.size() !== 2) throw new Error();
   * ```
   */
  // deno-lint-ignore no-explicit-any
  static fromShared(store: Store<any>, shareable: SharedMemoryHandle): Memory {
    return new Memory(store, shareable.type, shareable);
  }

  /**
   * What another thread needs to use this shared memory: its type and
   * buffers, a structured-cloneable object to post to a `Worker` and pass to
   * {@link Memory.fromShared} there.
   *
   * @returns the handle
   * @throws TypeError when the memory is not shared
   */
  shareable(): SharedMemoryHandle {
    const shared = this._vm.shared;
    if (shared === undefined) throw new TypeError("only a shared memory can be shared");
    return { type: this.type, buffer: shared.buffer, control: shared.control };
  }

  /** The memory's type, with its current size as the minimum. */
  get type(): MemoryType {
    const limits = { min: this.size(), max: this.maximum };
    if (this.shared) {
      return { limits, address64: this.address64, pageSizeLog2: this.pageSizeLog2, shared: true };
    }
    if (!this.address64 && this.pageSizeLog2 === 16) return { limits };
    return { limits, address64: this.address64, pageSizeLog2: this.pageSizeLog2 };
  }

  /**
   * The size in pages.
   *
   * @returns pages
   */
  size(): number {
    if (this.shared) this._vm.refresh();
    return this._vm.byteLength / this._vm.pageSize;
  }

  /**
   * The size in bytes.
   *
   * @returns bytes
   */
  dataSize(): number {
    if (this.shared) this._vm.refresh();
    return this._vm.byteLength;
  }

  /**
   * The memory's bytes as an `ArrayBuffer` of exactly its size (detached by
   * the next growth; reading it may move the bytes, see the module doc); for
   * a shared memory, its one `SharedArrayBuffer`, reserved to the maximum size.
   */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    return this._vm.exactBuffer();
  }

  /**
   * A byte view of the memory, exactly its size (the same object until the
   * memory grows or reading `buffer` moves its bytes: see the module doc).
   *
   * @returns a `Uint8Array` over all of the memory
   */
  data(): Uint8Array {
    if (this.shared) return this._vm.bytes.subarray(0, this.dataSize());
    return this._vm.data();
  }

  /**
   * Grows the memory by `delta` pages, zero-filled.
   *
   * @param delta pages to add (a non-negative integer)
   * @returns the previous size in pages, or -1 when the growth is refused
   */
  grow(delta: number): number {
    if (!Number.isInteger(delta) || delta < 0) {
      throw new RangeError(`memory growth must be a non-negative integer, found ${delta}`);
    }
    return this._grow(delta);
  }

  /**
   * Grows without argument checks (the `memory.grow` instruction's path).
   *
   * @param delta pages to add
   * @returns the previous size in pages, or -1
   * @ignore
   */
  _grow(delta: number): number {
    const vm = this._vm;
    const pageSize = vm.pageSize;
    const limiter = this.store.resourceLimiter;
    if (this.shared) {
      const allow = limiter &&
        ((old: number, want: number) =>
          limiter.memoryGrowing(old * pageSize, want * pageSize, this.maximum! * pageSize));
      const old = vm.growShared(delta, allow || undefined);
      if (old >= 0) this._generation++;
      return old;
    }
    const old = vm.byteLength / pageSize;
    const desired = old + delta;
    if (desired > vm.maxPages || desired * pageSize > MAX_MEMORY_BYTES) return -1;
    if (
      limiter &&
      !limiter.memoryGrowing(
        old * pageSize,
        desired * pageSize,
        this.maximum === undefined ? undefined : this.maximum * pageSize,
      )
    ) {
      return -1;
    }
    if (!vm.growUnshared(desired * pageSize)) return -1; // the host could not allocate it
    this._generation++;
    return old;
  }
}
