/**
 * {@link Memory}: a WebAssembly linear memory owned by a {@link Store}.
 *
 * Invariants:
 * - The bytes live in one `ArrayBuffer` of exactly `size() * 65536` bytes,
 *   held by a {@link StoreVmMemory} that the VM reads directly.
 *   Growing moves them to a new buffer with `ArrayBuffer.prototype.transfer`,
 *   which detaches the old one (as the JS API requires); `buffer` and
 *   `data()` always return views of the current buffer, so read them again
 *   after anything that may grow the memory.
 * - Growth never exceeds the declared maximum, 65536 pages, or what the
 *   store's limiter allows (nor 32768 pages, 2 GiB, the most an `ArrayBuffer`
 *   holds here); a refused or failed growth returns -1 and leaves the memory
 *   unchanged. The `memory.grow` instruction takes the same path.
 *
 * @module
 */

import { MAX_PAGES, MAX_PAGES_ALLOCATABLE, type MemoryType, PAGE_SIZE } from "@capstan/environ";
import { VmMemory } from "@capstan/interpreter";
import type { Store, Stored } from "./store.ts";

// Part of this package's exports; declared with the other limits in `@capstan/environ`.
export { MAX_PAGES, PAGE_SIZE };

/**
 * Checks memory limits: min ≤ max ≤ 65536 pages.
 *
 * @param type a memory type
 * @throws RangeError when invalid
 */
export function checkMemoryType(type: MemoryType): void {
  const { min, max } = type?.limits ?? {};
  if (!Number.isInteger(min) || min < 0 || min > MAX_PAGES) {
    throw new RangeError(`memory minimum must be an integer in [0, ${MAX_PAGES}], found ${min}`);
  }
  if (max !== undefined && (!Number.isInteger(max) || max < min || max > MAX_PAGES)) {
    throw new RangeError(
      `memory maximum must be an integer in [${min}, ${MAX_PAGES}], found ${max}`,
    );
  }
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
   * @param delta pages (an unsigned 32-bit value)
   * @returns the old size in pages, or -1
   */
  override grow(delta: number): number {
    return this.owner === undefined ? -1 : this.owner._grow(delta >>> 0);
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
   * @throws RangeError for invalid limits; Error when the limiter refuses it
   */
  // deno-lint-ignore no-explicit-any
  constructor(store: Store<any>, type: MemoryType) {
    checkMemoryType(type);
    store.checkNotBusy("creating a memory");
    const s = store as Store<unknown>;
    const limiter = s.resourceLimiter;
    const { min, max } = type.limits;
    if (limiter) {
      if (s._counts.memories + 1 > (limiter.memories ?? Infinity)) {
        throw new Error(
          `resource limit exceeded: memory count too high at ${s._counts.memories + 1}`,
        );
      }
      if (
        !limiter.memoryGrowing(0, min * PAGE_SIZE, max === undefined ? undefined : max * PAGE_SIZE)
      ) {
        throw new Error(`memory minimum size of ${min} pages exceeds memory limits`);
      }
    }
    if (min > MAX_PAGES_ALLOCATABLE) {
      throw new Error(`memory minimum size of ${min} pages exceeds what this runtime can allocate`);
    }
    this.store = s;
    this.maximum = max;
    try {
      this._vm = new StoreVmMemory(min, max);
    } catch {
      throw new Error(`memory minimum size of ${min} pages could not be allocated`);
    }
    this._vm.owner = this;
    s._counts.memories++;
  }

  /** The memory's type, with its current size as the minimum. */
  get type(): MemoryType {
    return { limits: { min: this.size(), max: this.maximum } };
  }

  /**
   * The size in pages.
   *
   * @returns pages
   */
  size(): number {
    return this._vm.byteLength / PAGE_SIZE;
  }

  /**
   * The size in bytes.
   *
   * @returns bytes
   */
  dataSize(): number {
    return this._vm.byteLength;
  }

  /** The current buffer (detached by the next growth). */
  get buffer(): ArrayBuffer {
    return this._vm.buffer;
  }

  /**
   * A byte view of the current buffer.
   *
   * @returns a `Uint8Array` over all of the memory
   */
  data(): Uint8Array {
    return this._vm.bytes;
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
    const old = vm.byteLength / PAGE_SIZE;
    const desired = old + delta;
    const max = Math.min(this.maximum ?? MAX_PAGES, MAX_PAGES);
    if (desired > max || desired > MAX_PAGES_ALLOCATABLE) return -1;
    const limiter = this.store.resourceLimiter;
    if (
      limiter &&
      !limiter.memoryGrowing(
        old * PAGE_SIZE,
        desired * PAGE_SIZE,
        this.maximum === undefined ? undefined : this.maximum * PAGE_SIZE,
      )
    ) {
      return -1;
    }
    let buffer: ArrayBuffer;
    try {
      buffer = vm.buffer.transfer(desired * PAGE_SIZE);
    } catch {
      return -1; // the host could not allocate it
    }
    vm.buffer = buffer;
    vm.bytes = new Uint8Array(buffer);
    vm.view = new DataView(buffer);
    vm.byteLength = buffer.byteLength;
    this._generation++;
    return old;
  }
}
