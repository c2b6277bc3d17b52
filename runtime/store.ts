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

import { readWordSlot, Vm } from "@capstan/interpreter";
import { gcHostOf } from "./_gc_values.ts";
import type { Engine } from "./engine.ts";
import type { Func } from "./func.ts";
import type { Instance } from "./instance.ts";
import type { ResourceLimiter } from "./limits.ts";
import type { Global } from "./global.ts";
import type { Table } from "./table.ts";
import { refTop, ValType } from "@capstan/environ";

/** Marks a released externref handle (distinct from every user value). */
const FREE: unique symbol = Symbol("free externref handle");

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
 * import { Engine, Store } from "@capstan/runtime";
 * const store = new Store(new Engine({ consumeFuel: true }), { calls: 0 });
 * store.setFuel(1000);
 * if (store.getFuel() !== 1000 || store.data.calls !== 0) throw new Error();
 * ```
 */
export class Store<T = undefined> {
  /**
   * A short description for `console.log` / `Deno.inspect` (the VM behind it is large).
   *
   * @returns one line naming the object
   */
  [Symbol.for("Deno.customInspect")](): string {
    return `Store #${this.id}`;
  }

  /** The engine this store runs on. */
  readonly engine: Engine;
  /** The embedder's data, reachable from host functions through their `Caller`. */
  data: T;
  /** A number identifying the store in error messages. */
  readonly id: number;
  /** The resource limiter, if any. */
  #limiter: ResourceLimiter | undefined;
  #epochAction: EpochDeadlineAction = { kind: "trap" };
  /**
   * How many instances, memories and tables the store holds (for the limiter).
   *
   * @ignore
   */
  readonly _counts: { instances: number; memories: number; tables: number } = {
    instances: 0,
    memories: 0,
    tables: 0,
  };
  /**
   * Fuel set aside while an async call runs in yield intervals (part of `getFuel()`).
   *
   * @ignore
   */
  _fuelReserve = 0;
  /**
   * Fuel units between yields in async calls, if set.
   *
   * @ignore
   */
  _fuelYieldInterval: number | undefined = undefined;
  /**
   * How many async calls are suspended awaiting a host Promise.
   *
   * @ignore
   */
  _suspended = 0;
  /**
   * The store's virtual machine: registers, stacks, functions by handle, global storage.
   *
   * @ignore
   */
  readonly _vm: Vm;
  /**
   * Functions by handle (parallel to `_vm.funcs`); index 0 is the null reference.
   *
   * @ignore
   */
  readonly _funcs: (Func | undefined)[] = [undefined];
  /**
   * Instances by VM instance id.
   *
   * @ignore
   */
  readonly _instances: Instance[] = [];
  /**
   * Externref values by handle; index 0 is the null reference.
   *
   * @ignore
   */
  readonly _externs: unknown[] = [null];
  readonly #externHandles = new Map<unknown, number>();
  readonly #freeExterns: number[] = [];
  #externsAtLastGc = 0;
  /**
   * Every externref table of the store (roots for {@link gc}).
   *
   * @ignore
   */
  readonly _externTables: Table[] = [];
  /**
   * Every externref global of the store (roots for {@link gc}).
   *
   * @ignore
   */
  readonly _externGlobals: Global[] = [];
  /**
   * Every continuation table of the store (roots for {@link gc}).
   *
   * @ignore
   */
  readonly _contRoots: { readonly elems: Int32Array; readonly size: number }[] = [];
  /**
   * The global slots of every continuation global of the store (roots for {@link gc}).
   *
   * @ignore
   */
  readonly _contGlobalSlots: number[] = [];
  #contsAtLastGc = 0;

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
    const t = engine.config.tunables;
    this._vm = new Vm({
      maxWasmStack: engine.config.maxWasmStack,
      metered: t.consumeFuel || t.epochInterruption,
      epochs: t.epochInterruption,
      maxContinuationStack: engine.config.maxContinuationStack,
      maxContinuationsTotal: engine.config.maxContinuationsTotal,
    });
    this._vm.epochCounter = engine.epochCounter;
    // with epochs, a deadline must be set before running (as in wasmtime); without, none applies
    this._vm.epochDeadline = t.epochInterruption ? 0 : Infinity;
    this._vm.fuel = 0;
    this._vm.gcHost = gcHostOf(this);
  }

  /**
   * The handle of an externref value (0 for null), registering it on first use.
   *
   * @param v any JavaScript value
   * @returns its handle
   * @ignore
   */
  _externHandle(v: unknown): number {
    if (v === null) return 0;
    let h = this.#externHandles.get(v);
    if (h === undefined) {
      const free = this.#freeExterns.pop();
      if (free !== undefined) {
        h = free;
        this._externs[h] = v;
      } else {
        h = this._externs.length;
        this._externs.push(v);
      }
      this.#externHandles.set(v, h);
    }
    return h;
  }

  /**
   * Releases the externref values wasm can no longer reach, so the store
   * does not keep every value ever passed in alive, and the continuations
   * wasm can no longer resume. Roots are the externref and continuation
   * tables and globals, the element segments, and the exceptions' values;
   * while a call is running (or suspended) registers may hold handles too,
   * so then nothing is released.
   * The runtime also runs this on its own when the handle table has grown.
   *
   * @returns how many values were released
   */
  gc(): number {
    if (this._vm.depth > 0) return 0;
    const externs = this._externs;
    const live = new Uint8Array(externs.length);
    for (const t of this._externTables) {
      const { elems, size } = t._vm;
      for (let i = 0; i < size; i++) live[elems[i]] = 1;
    }
    const words = this._vm.globals;
    for (const g of this._externGlobals) {
      live[readWordSlot(words, g._slot, ValType.externref) as number] = 1;
    }
    for (const inst of this._instances) {
      const segs = inst.module.translation.elements;
      for (let i = 0; i < segs.length; i++) {
        if (refTop(segs[i].type) !== ValType.externref) continue;
        for (const h of inst._elems[i] ?? []) live[h] = 1; // absent if instantiation failed
      }
    }
    let released = 0;
    for (let h = 1; h < externs.length; h++) {
      if (live[h] || externs[h] === FREE) continue;
      this.#externHandles.delete(externs[h]);
      externs[h] = FREE;
      this.#freeExterns.push(h);
      released++;
    }
    this.#externsAtLastGc = externs.length - this.#freeExterns.length;
    return released + this.#collectContinuations();
  }

  /** Releases the continuations no root reaches (see `VmContinuations.collect`). */
  #collectContinuations(): number {
    const conts = this._vm.conts;
    if (conts === null) return 0;
    const roots: number[] = [];
    for (const { elems, size } of this._contRoots) {
      for (let i = 0; i < size; i++) if (elems[i] !== 0) roots.push(elems[i]);
    }
    for (const slot of this._contGlobalSlots) roots.push(this._vm.globals[2 * slot]);
    // GC values wasm can reach (objects may hold continuations by handle)
    // (lists, not spread into one: a table may hold more values than a call takes arguments)
    const gcRoots: unknown[][] = [this._vm.refGlobals];
    for (const inst of this._instances) {
      for (const t of inst._tables) if (t._vm.refs !== null) gcRoots.push(t._vm.refs);
    }
    const released = conts.collect(roots, this._vm.exns, gcRoots);
    this.#contsAtLastGc = conts.size;
    return released;
  }

  /**
   * Runs {@link gc} when the live handle count has doubled since the last one.
   *
   * @ignore
   */
  _maybeGc(): void {
    const inUse = this._externs.length - this.#freeExterns.length;
    const conts = this._vm.conts?.size ?? 0;
    const due = (inUse >= 1024 && inUse >= 2 * this.#externsAtLastGc) ||
      (conts >= 1024 && conts >= 2 * this.#contsAtLastGc);
    if (due && this._vm.depth === 0) this.gc();
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
    this._vm.fuel = fuel;
    this._fuelReserve = 0;
  }

  /**
   * The fuel left.
   *
   * @returns units of fuel
   * @throws Error when the engine does not consume fuel
   */
  getFuel(): number {
    this.#requireFuel();
    return this._vm.fuel + this._fuelReserve;
  }

  /**
   * In async calls, yields to the event loop every `interval` units of fuel
   * and then goes on, until the fuel set with {@link setFuel} runs out (as
   * wasmtime's `fuel_async_yield_interval`). Synchronous calls never yield.
   *
   * @param interval fuel units between yields, or `undefined` to never yield
   * @throws Error when the engine does not consume fuel
   */
  fuelAsyncYieldInterval(interval: number | undefined): void {
    this.#requireFuel();
    if (interval !== undefined && (!Number.isSafeInteger(interval) || interval <= 0)) {
      throw new RangeError(`the yield interval must be a positive integer, found ${interval}`);
    }
    this._fuelYieldInterval = interval;
  }

  #requireFuel(): void {
    if (!this.engine.config.consumeFuel) {
      throw new Error("fuel is not configured in this store: create the Engine with consumeFuel");
    }
  }

  /**
   * Sets the epoch deadline to `ticks` beyond the engine's current epoch. It
   * has no effect unless the engine has `epochInterruption` (as in wasmtime).
   *
   * @param ticks how many epoch increments execution may run for
   */
  setEpochDeadline(ticks: number): void {
    if (!Number.isSafeInteger(ticks) || ticks < 0) {
      throw new RangeError(`epoch deadline must be a non-negative integer, found ${ticks}`);
    }
    if (!this.engine.config.tunables.epochInterruption) return;
    this._vm.epochDeadline = (this.engine.currentEpoch() + ticks) | 0;
  }

  /**
   * The absolute epoch at which execution is interrupted. With
   * `epochInterruption` it starts at 0, so a store must set a deadline before
   * running wasm (as in wasmtime); without, it is `Infinity`.
   */
  get epochDeadline(): number {
    return this._vm.epochDeadline;
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
   * Throws unless the store can start an async call: none may be suspended,
   * and none may start inside another call into the store (its VM frames
   * would not unwind in order).
   *
   * @param what the operation attempted
   */
  checkCanStartAsync(what: string): void {
    this.checkNotBusy(what);
    if (this._vm.depth > 0) {
      throw new Error(
        `${what} with callAsync inside another call into store #${this.id} is not supported; ` +
          `use the synchronous call() from host functions`,
      );
    }
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
    if (this._suspended > 0) {
      throw new Error(
        `store #${this.id} is busy in an async call (suspended awaiting a host Promise); ` +
          `${what} must wait until that call finishes`,
      );
    }
  }
}
