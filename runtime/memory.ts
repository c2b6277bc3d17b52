/**
 * {@link Memory}: a WebAssembly linear memory owned by a {@link Store}.
 *
 * Invariants:
 * - The bytes live in one `ArrayBuffer` of exactly `size() * 65536` bytes.
 *   Growing moves them to a new buffer with `ArrayBuffer.prototype.transfer`,
 *   which detaches the old one (as the JS API requires); `buffer` and
 *   `data()` always return views of the current buffer, so read them again
 *   after anything that may grow the memory.
 * - Growth never exceeds the declared maximum, 65536 pages, or what the
 *   store's limiter allows; a refused or failed growth returns -1 and leaves
 *   the memory unchanged.
 *
 * @module
 */

import type { MemoryType } from "@capstan/environ";
import type { Store, Stored } from "./store.ts";

/** Bytes in a wasm page. */
export const PAGE_SIZE = 65536;
/** The most pages a 32-bit memory may have. */
export const MAX_PAGES = 65536;

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
 * A linear memory.
 *
 * @example
 * ```ts
 * import { Engine, Memory, Store } from "./mod.ts";
 * const store = new Store(new Engine(), undefined);
 * const mem = new Memory(store, { limits: { min: 1, max: 2 } });
 * mem.data()[0] = 42;
 * if (mem.grow(1) !== 1 || mem.size() !== 2 || mem.data()[0] !== 42) throw new Error();
 * if (mem.grow(1) !== -1) throw new Error("past the maximum");
 * ```
 */
export class Memory implements Stored {
  /** The owning store. */
  readonly store: Store<unknown>;
  /** The declared maximum in pages, if any. */
  readonly maximum: number | undefined;
  /** The current bytes. Replaced (and the old buffer detached) on growth. */
  _buffer: ArrayBuffer;
  /** Incremented on every successful growth; views cached elsewhere compare it. */
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
    const max = type.limits.max;
    if (limiter) {
      if (s._counts.memories + 1 > (limiter.memories ?? Infinity)) {
        throw new Error(
          `resource limit exceeded: memory count too high at ${s._counts.memories + 1}`,
        );
      }
      const bytes = type.limits.min * PAGE_SIZE;
      if (!limiter.memoryGrowing(0, bytes, max === undefined ? undefined : max * PAGE_SIZE)) {
        throw new Error(
          `memory minimum size of ${type.limits.min} pages exceeds memory limits`,
        );
      }
    }
    this.store = s;
    this.maximum = max;
    this._buffer = new ArrayBuffer(type.limits.min * PAGE_SIZE);
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
    return this._buffer.byteLength / PAGE_SIZE;
  }

  /**
   * The size in bytes.
   *
   * @returns bytes
   */
  dataSize(): number {
    return this._buffer.byteLength;
  }

  /** The current buffer (detached by the next growth). */
  get buffer(): ArrayBuffer {
    return this._buffer;
  }

  /**
   * A byte view of the current buffer.
   *
   * @returns a `Uint8Array` over all of the memory
   */
  data(): Uint8Array {
    return new Uint8Array(this._buffer);
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
    const old = this.size();
    const desired = old + delta;
    const max = Math.min(this.maximum ?? MAX_PAGES, MAX_PAGES);
    if (desired > max) return -1;
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
    try {
      this._buffer = this._buffer.transfer(desired * PAGE_SIZE);
    } catch {
      return -1; // the host could not allocate it
    }
    this._generation++;
    return old;
  }
}
