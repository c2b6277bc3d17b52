/**
 * The sinks lowering writes into besides the code: where each instruction
 * may trap and with what code (`TrapSink`), which operand words refer to other
 * functions, builtins or imports (`RelocSink`), which registers hold
 * references at each call (`StackMapSink`), and which wasm offset each
 * instruction came from (`AddressMapSink`).
 *
 * Invariants: entries are appended in increasing code-address order, so each
 * sink is sorted and can be searched by binary search.
 *
 * @module
 */

/** A code address that may trap, and the trap it raises. */
export interface TrapEntry {
  /** Code address of the instruction. */
  readonly pc: number;
  /** Its (primary) trap code. */
  readonly code: number;
}

/** What a relocation refers to. */
export type RelocKind = "func" | "import" | "builtin" | "type";

/** An operand word to be resolved against something outside the function. */
export interface Reloc {
  /** Address of the operand word. */
  readonly pc: number;
  /** What it refers to. */
  readonly kind: RelocKind;
  /**
   * Function index (`func`), vmctx word (`import`), builtin index, or
   * canonical type id in this process's type registry (`type`: an operand
   * of kind `c`, which code moved to another process must be patched for).
   */
  readonly index: number;
}

/** Reference-holding registers at a call. */
export interface StackMap {
  /** Code address of the call instruction. */
  readonly pc: number;
  /** Frame-relative registers holding references. */
  readonly slots: readonly number[];
}

/** Collects trap sites. */
export class TrapSink {
  /** The entries, by address. */
  readonly entries: TrapEntry[] = [];

  /**
   * Records a trap site.
   *
   * @param pc code address
   * @param code trap code
   */
  add(pc: number, code: number): void {
    this.entries.push({ pc, code });
  }
}

/** Collects relocations. */
export class RelocSink {
  /** The entries, by address. */
  readonly entries: Reloc[] = [];

  /**
   * Records a relocation.
   *
   * @param pc address of the operand word
   * @param kind what it refers to
   * @param index which one
   */
  add(pc: number, kind: RelocKind, index: number): void {
    this.entries.push({ pc, kind, index });
  }
}

/** Collects stack maps. */
export class StackMapSink {
  /** The entries, by address. */
  readonly entries: StackMap[] = [];

  /**
   * Records the reference registers live at a call.
   *
   * @param pc the call's address
   * @param slots registers holding references
   */
  add(pc: number, slots: readonly number[]): void {
    this.entries.push({ pc, slots });
  }
}

/** Collects (code address, wasm offset) pairs. */
export class AddressMapSink {
  #pairs: number[] = [];

  /**
   * Records that the instruction at `pc` came from wasm offset `wasmOffset`.
   *
   * @param pc code address
   * @param wasmOffset module-relative byte offset
   */
  add(pc: number, wasmOffset: number): void {
    const p = this.#pairs;
    if (p.length >= 2 && p[p.length - 1] === wasmOffset) return;
    p.push(pc, wasmOffset);
  }

  /**
   * The map as pairs.
   *
   * @returns `[pc0, off0, pc1, off1, ...]`, sorted by pc
   */
  finish(): Int32Array {
    return Int32Array.from(this.#pairs);
  }
}

/**
 * Looks up the wasm offset of a code address in an address map.
 *
 * @param map pairs from {@link AddressMapSink.finish}
 * @param pc a code address
 * @returns the offset of the last entry at or before `pc`, or -1
 * @example
 * ```ts
 * import { lookupAddress } from "./sinks.ts";
 * if (lookupAddress(Int32Array.of(0, 10, 5, 12), 7) !== 12) throw new Error();
 * ```
 */
export function lookupAddress(map: Int32Array, pc: number): number {
  let lo = 0;
  let hi = map.length / 2 - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (map[2 * mid] <= pc) {
      found = map[2 * mid + 1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
