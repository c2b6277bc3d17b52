/**
 * {@link Store}: the owner of all runtime objects — instances, functions,
 * memories, tables, globals — plus the embedder's data, fuel, the epoch
 * deadline and the resource limiter.
 *
 * Invariants:
 * - Every runtime object belongs to exactly one store; using it with another
 *   store throws a `TypeError` naming both stores ({@link Store.checkOwns}).
 * - While an async call is suspended (awaiting a host Promise), any other call
 *   into the store is refused with an `Error` saying the store is busy.
 * - Fuel is only available when the engine was configured with `consumeFuel`.
 *
 * @module
 */

import type { Engine } from "./engine.ts";
import type { ResourceLimiter } from "./limits.ts";

let nextStoreId = 1;

/** What to do when the epoch deadline is reached. */
export type EpochDeadlineAction =
  | { readonly kind: "trap" }
  | { readonly kind: "yield"; readonly delta: number };

/** Anything owned by a store. */
export interface Stored {
  /** The owning store. */
  readonly store: Store<unknown>;
}

/**
 * A collection of instances and their objects, with the embedder's data.
 *
 * @typeParam T the type of the embedder's data
 * @example
 * ```ts
 * import { Engine } from "./engine.ts";
 * import { Store } from "./store.ts";
 * const store = new Store(new Engine({ consumeFuel: true }), { calls: 0 });
 * store.setFuel(1000);
 * if (store.getFuel() !== 1000 || store.data.calls !== 0) throw new Error();
 * ```
 */
export class Store<T = undefined> {
  /** The engine this store runs on. */
  readonly engine: Engine;
  /** The embedder's data, reachable from host functions through their `Caller`. */
  data: T;
  /** A number identifying the store in error messages. */
  readonly id: number;
  /** The resource limiter, if any. */
  #limiter: ResourceLimiter | undefined;
  #fuel = 0;
  #epochDeadline = 0;
  #epochAction: EpochDeadlineAction = { kind: "trap" };
  /** How many instances, memories and tables the store holds (for the limiter). */
  readonly _counts: { instances: number; memories: number; tables: number } = {
    instances: 0,
    memories: 0,
    tables: 0,
  };
  /** True while an async call is suspended awaiting a host Promise. */
  _suspended = false;
  /** Per-store state of the execution layer (the VM and its bookkeeping), created on first use. */
  _exec: unknown = undefined;

  /**
   * Creates a store.
   *
   * @param engine the engine
   * @param data the embedder's data
   */
  constructor(engine: Engine, data: T) {
    this.engine = engine;
    this.data = data;
    this.id = nextStoreId++;
  }

  /**
   * Sets the resource limiter consulted before growth and creation.
   *
   * @param limiter the limiter, or `undefined` for none
   */
  limiter(limiter: ResourceLimiter | undefined): void {
    this.#limiter = limiter;
  }

  /** The resource limiter, if one is set. */
  get resourceLimiter(): ResourceLimiter | undefined {
    return this.#limiter;
  }

  /**
   * Sets the fuel left for execution.
   *
   * @param fuel units of fuel (a non-negative safe integer)
   * @throws Error when the engine does not consume fuel
   */
  setFuel(fuel: number): void {
    this.#requireFuel();
    if (!Number.isSafeInteger(fuel) || fuel < 0) {
      throw new RangeError(`fuel must be a non-negative safe integer, found ${fuel}`);
    }
    this.#fuel = fuel;
  }

  /**
   * The fuel left.
   *
   * @returns units of fuel
   * @throws Error when the engine does not consume fuel
   */
  getFuel(): number {
    this.#requireFuel();
    return this.#fuel;
  }

  /** Reads fuel without the configuration check (for the execution layer). */
  get _fuel(): number {
    return this.#fuel;
  }

  /** Writes fuel without the configuration check (for the execution layer). */
  set _fuel(v: number) {
    this.#fuel = v;
  }

  #requireFuel(): void {
    if (!this.engine.config.consumeFuel) {
      throw new Error("fuel is not configured in this store: create the Engine with consumeFuel");
    }
  }

  /**
   * Sets the epoch deadline to `ticks` beyond the engine's current epoch.
   *
   * @param ticks how many epoch increments execution may run for
   */
  setEpochDeadline(ticks: number): void {
    if (!Number.isSafeInteger(ticks) || ticks < 0) {
      throw new RangeError(`epoch deadline must be a non-negative integer, found ${ticks}`);
    }
    this.#epochDeadline = (this.engine.currentEpoch() + ticks) | 0;
  }

  /** The absolute epoch at which execution is interrupted. */
  get epochDeadline(): number {
    return this.#epochDeadline;
  }

  /** Sets the absolute epoch deadline (for the execution layer). */
  set _epochDeadline(v: number) {
    this.#epochDeadline = v | 0;
  }

  /** Reaching the epoch deadline traps with "interrupt" (the default). */
  epochDeadlineTrap(): void {
    this.#epochAction = { kind: "trap" };
  }

  /**
   * Reaching the epoch deadline, inside `callAsync`, yields to the event loop
   * and then extends the deadline by `delta` ticks; in synchronous calls it
   * still traps.
   *
   * @param delta ticks to add to the deadline after each yield
   */
  epochDeadlineAsyncYieldAndUpdate(delta: number): void {
    if (!Number.isSafeInteger(delta) || delta <= 0) {
      throw new RangeError(`delta must be a positive integer, found ${delta}`);
    }
    this.#epochAction = { kind: "yield", delta };
  }

  /** What happens at the epoch deadline. */
  get epochDeadlineAction(): EpochDeadlineAction {
    return this.#epochAction;
  }

  /**
   * Throws a `TypeError` unless `obj` belongs to this store.
   *
   * @param obj a runtime object
   * @param what what it is used as, for the message
   */
  checkOwns(obj: Stored, what: string): void {
    if (obj.store !== (this as Store<unknown>)) {
      const kind = (obj as { constructor?: { name?: string } }).constructor?.name ?? "object";
      throw new TypeError(
        `${what}: this ${kind} belongs to store #${obj.store.id}, ` +
          `but is used with store #${this.id}; values never cross stores`,
      );
    }
  }

  /**
   * Throws when an async call is suspended in this store.
   *
   * @param what the operation attempted
   */
  checkNotBusy(what: string): void {
    if (this._suspended) {
      throw new Error(
        `store #${this.id} is busy in an async call (suspended awaiting a host Promise); ` +
          `${what} must wait until that call finishes`,
      );
    }
  }
}
