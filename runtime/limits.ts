/**
 * Resource limits for a {@link Store}: the {@link ResourceLimiter} interface
 * the store consults before memories and tables grow (or are created) and
 * before instances, memories and tables are added, and {@link StoreLimits},
 * a ready-made limiter with fixed caps.
 *
 * Invariants: a limiter that refuses growth makes `memory.grow`/`table.grow`
 * return -1 (the wasm instructions and the API methods alike); a refused
 * creation makes instantiation fail with an `Error` that names the limit.
 *
 * @module
 */

/** Decides whether memories and tables may grow, and caps entity counts. */
export interface ResourceLimiter {
  /**
   * Asked before a memory grows (or is created, with `currentBytes` 0).
   *
   * @param currentBytes its size now
   * @param desiredBytes the size it would have
   * @param maximumBytes its declared maximum, if any
   * @returns true to allow the growth
   */
  memoryGrowing(
    currentBytes: number,
    desiredBytes: number,
    maximumBytes: number | undefined,
  ): boolean;
  /**
   * Asked before a table grows (or is created, with `current` 0).
   *
   * @param current its element count now
   * @param desired the count it would have
   * @param maximum its declared maximum, if any
   * @returns true to allow the growth
   */
  tableGrowing(current: number, desired: number, maximum: number | undefined): boolean;
  /** The most instances the store may hold. */
  readonly instances?: number;
  /** The most tables the store may hold. */
  readonly tables?: number;
  /** The most memories the store may hold. */
  readonly memories?: number;
}

/** Caps for {@link StoreLimits}; absent means unlimited. */
export interface StoreLimitsConfig {
  /** The largest size any one memory may reach, in bytes. */
  readonly memorySize?: number;
  /** The largest element count any one table may reach. */
  readonly tableElements?: number;
  /** The most instances. */
  readonly instances?: number;
  /** The most tables. */
  readonly tables?: number;
  /** The most memories. */
  readonly memories?: number;
}

/**
 * A limiter with fixed caps, like wasmtime's `StoreLimits`.
 *
 * @example
 * ```ts
 * import { StoreLimits } from "@capstan/runtime";
 * const limits = new StoreLimits({ memorySize: 65536 });
 * if (limits.memoryGrowing(65536, 131072, undefined)) throw new Error();
 * ```
 */
export class StoreLimits implements ResourceLimiter {
  /** The largest size any one memory may reach, in bytes. */
  readonly memorySize: number;
  /** The largest element count any one table may reach. */
  readonly tableElements: number;
  /** The most instances. */
  readonly instances: number;
  /** The most tables. */
  readonly tables: number;
  /** The most memories. */
  readonly memories: number;

  /**
   * Creates a limiter.
   *
   * @param config the caps; see {@link StoreLimitsConfig}
   */
  constructor(config: StoreLimitsConfig = {}) {
    this.memorySize = config.memorySize ?? Infinity;
    this.tableElements = config.tableElements ?? Infinity;
    this.instances = config.instances ?? Infinity;
    this.tables = config.tables ?? Infinity;
    this.memories = config.memories ?? Infinity;
  }

  /**
   * Allows growth up to {@link memorySize}.
   *
   * @param _current the memory's size now, in bytes (unused)
   * @param desired the size it would grow to, in bytes
   * @param _maximum its declared maximum in bytes, if any (unused)
   * @returns whether `desired` is within {@link memorySize}
   */
  memoryGrowing(_current: number, desired: number, _maximum: number | undefined): boolean {
    return desired <= this.memorySize;
  }

  /**
   * Allows growth up to {@link tableElements}.
   *
   * @param _current the table's element count now (unused)
   * @param desired the count it would grow to
   * @param _maximum its declared maximum, if any (unused)
   * @returns whether `desired` is within {@link tableElements}
   */
  tableGrowing(_current: number, desired: number, _maximum: number | undefined): boolean {
    return desired <= this.tableElements;
  }
}
