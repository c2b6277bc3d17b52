/**
 * Register slots saved off the VM's stacks for stack switching: a
 * continuation's saved register window, the arguments `cont.bind` bound,
 * and the values a `resume` or `switch` passes while the stack they lie on
 * is replaced. A slot is what a VM register is: two 32-bit words (the
 * numeric value, or a handle), its v128 register (four words, once the VM
 * has a v128 file: SIMD code ran) and its reference register (a GC value,
 * once the VM has reference registers: GC code ran), so every value type
 * crosses a switch the same way.
 *
 * Invariants:
 * - The first {@link SavedSlots.length} slots are the saved ones; the arrays
 *   only grow (a generator's buffers reach their size once, and a round trip
 *   then allocates nothing).
 * - `v128` and `refs` are null until a save finds the VM's file of that kind;
 *   the entries of `refs` from `length` on are null (no stale GC value is
 *   kept alive or traced; the array itself is never shortened, which would
 *   make V8 reallocate it on the next save).
 *
 * @module
 */

import type { Vm } from "./vm.ts";
import { v128Registers } from "./simd.ts";
import { refRegisters } from "./_gc_exec.ts";

const EMPTY = new Int32Array(0);

/**
 * Copies `n` words (a loop: the ranges a switch copies are small, and a
 * typed-array `set` of a `subarray` allocates).
 *
 * @param from the source
 * @param at the first source word
 * @param to the destination
 * @param dst the first destination word
 * @param n how many words
 */
export function copyWords(
  from: Int32Array,
  at: number,
  to: Int32Array,
  dst: number,
  n: number,
): void {
  for (let k = 0; k < n; k++) to[dst + k] = from[at + k];
}

/** `a` when it holds `n` words, else a larger array starting with its first `keep` words. */
function grown(a: Int32Array, n: number, keep: number): Int32Array {
  if (a.length >= n) return a;
  const b = new Int32Array(Math.max(n, 2 * a.length));
  copyWords(a, 0, b, 0, Math.min(keep, a.length));
  return b;
}

/** Register slots saved off the VM (see the module doc). */
export class SavedSlots {
  /** Two words per slot. */
  words: Int32Array = EMPTY;
  /** Four words per slot (the v128 registers), or null while the VM has no v128 file. */
  v128: Int32Array | null = null;
  /** One GC value per slot, or null while the VM has no reference registers. */
  refs: unknown[] | null = null;
  /** How many slots are saved. */
  length = 0;
  /** How many entries of {@link refs} may be non-null. */
  #refsUsed = 0;

  /**
   * Saves `n` slots of the VM's registers from slot `from` after the first
   * `at` saved ones (`length` becomes `at + n`).
   *
   * @param vm the VM
   * @param from the first register slot
   * @param n how many slots
   * @param at how many saved slots stay before them
   */
  save(vm: Vm, from: number, n: number, at: number): void {
    if (n === 0 && at === 0) {
      this.clear();
      return;
    }
    const end = at + n;
    this.words = grown(this.words, 2 * end, 2 * at);
    copyWords(vm.i32, from << 1, this.words, at << 1, n << 1);
    const v = vm.v128File;
    if (v !== null) {
      this.v128 = grown(this.v128 ?? EMPTY, 4 * end, 4 * at);
      copyWords(v.i32, from << 2, this.v128, at << 2, n << 2);
    }
    const r = vm.refs;
    if (r !== null) {
      const refs = this.refs ??= new Array<unknown>(at).fill(null);
      for (let k = 0; k < n; k++) refs[at + k] = r[from + k];
      for (let k = end; k < this.#refsUsed; k++) refs[k] = null;
      this.#refsUsed = end;
    }
    this.length = end;
  }

  /**
   * Writes `n` saved slots from saved slot `from` to the VM's registers from slot `to`.
   *
   * @param vm the VM
   * @param to the first register slot
   * @param from the first saved slot
   * @param n how many slots
   */
  restore(vm: Vm, to: number, from: number, n: number): void {
    copyWords(this.words, from << 1, vm.i32, to << 1, n << 1);
    if (this.v128 !== null) copyWords(this.v128, from << 2, v128Registers(vm).i32, to << 2, n << 2);
    const refs = this.refs;
    if (refs !== null) {
      const R = refRegisters(vm);
      for (let k = 0; k < n; k++) R[to + k] = refs[from + k];
    }
  }

  /**
   * Appends a slot holding `word` (a handle) and no v128 or GC value.
   *
   * @param word the slot's low word (its high word is 0)
   */
  push(word: number): void {
    const n = this.length;
    this.words = grown(this.words, 2 * n + 2, 2 * n);
    this.words[2 * n] = word;
    this.words[2 * n + 1] = 0;
    if (this.v128 !== null) this.v128 = grown(this.v128, 4 * n + 4, 4 * n);
    if (this.refs !== null) {
      this.refs[n] = null;
      this.#refsUsed = n + 1;
    }
    this.length = n + 1;
  }

  /** Forgets the saved slots (their GC values too). */
  clear(): void {
    this.length = 0;
    const refs = this.refs;
    if (refs !== null) {
      for (let k = 0; k < this.#refsUsed; k++) refs[k] = null;
      this.#refsUsed = 0;
    }
  }

  /** Bytes the saved slots take (what the continuation limits count). */
  get bytes(): number {
    return this.length * (8 + (this.v128 === null ? 0 : 16) + (this.refs === null ? 0 : 8));
  }
}

/**
 * Moves `n` slots of the VM's registers from slot `from` down to slot `to`
 * (at or below `from`): their words, v128 registers and GC values.
 *
 * @param vm the VM
 * @param from the first source slot
 * @param to the first destination slot
 * @param n how many slots
 */
export function moveSlotsDown(vm: Vm, from: number, to: number, n: number): void {
  copyWords(vm.i32, from << 1, vm.i32, to << 1, n << 1);
  const v = vm.v128File;
  if (v !== null) copyWords(v.i32, from << 2, v.i32, to << 2, n << 2);
  vm.refs?.copyWithin(to, from, from + n);
}
