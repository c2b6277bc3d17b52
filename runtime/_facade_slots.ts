/**
 * {@link InternalSlots}: the internal slot of one kind of facade object,
 * mapping each JS object to the runtime object it stands for and the facade
 * that made it. A file of its own so that every facade file can hold its
 * slots at module level without an import cycle through `_facade.ts`.
 *
 * @module
 */

import type { Facade } from "./_facade.ts";

/** What an internal slot holds: the runtime object, and the facade that made the JS object. */
export interface InternalSlot<Rt> {
  /** The facade that made the JS object. */
  readonly facade: Facade;
  /** The runtime object (or record) it stands for. */
  readonly rt: Rt;
}

/**
 * The internal slot of one kind of facade object (Module, Instance, Memory,
 * Table, Global): which runtime object each JS object stands for, and which
 * facade made it.
 */
export class InternalSlots<Rt> {
  readonly #slots = new WeakMap<object, InternalSlot<Rt>>();

  /**
   * Creates the slots of a kind of object.
   *
   * @param kind the class name after `WebAssembly.`, for errors
   */
  constructor(readonly kind: string) {}

  /**
   * Links a JS object to its runtime object.
   *
   * @param js the facade object
   * @param facade the facade that made it
   * @param rt the runtime object
   */
  link(js: object, facade: Facade, rt: Rt): void {
    this.#slots.set(js, { facade, rt });
  }

  /**
   * The runtime object behind `v`, when `facade` made it.
   *
   * @param facade the facade asking
   * @param v any value
   * @returns the runtime object, or undefined
   */
  find(facade: Facade, v: unknown): Rt | undefined {
    const slot = typeof v === "object" && v !== null ? this.#slots.get(v) : undefined;
    return slot !== undefined && slot.facade === facade ? slot.rt : undefined;
  }

  /**
   * The runtime object behind `v`, whichever facade made it.
   *
   * @param v an object
   * @returns the runtime object, or undefined
   */
  get(v: object): Rt | undefined {
    return this.#slots.get(v)?.rt;
  }

  /**
   * The slot of `v` (the `this` of a method), whichever facade made it.
   *
   * @param v any value
   * @returns its slot
   * @throws TypeError when `v` is not an object of this kind
   */
  require(v: unknown): InternalSlot<Rt> {
    const slot = typeof v === "object" && v !== null ? this.#slots.get(v) : undefined;
    if (slot === undefined) throw new TypeError(`not a WebAssembly.${this.kind}`);
    return slot;
  }
}
