/**
 * The translator's operand stack: wasm's value stack at translation time,
 * tracked lazily (wasmi's `Operand { Local, Temp, Immediate }`, plus two
 * deferred i32 computations). Each entry has a kind, a value type and up to
 * three integer fields whose meaning depends on the kind:
 *
 * | kind                  | value                              | fields                 |
 * | --------------------- | ---------------------------------- | ---------------------- |
 * | {@link Operand.Temp}  | in its own register (`L + height`) | —                      |
 * | {@link Operand.Local} | local `index`'s current value      | index                  |
 * | {@link Operand.Const} | a constant                         | lo, hi (64-bit only)   |
 * | {@link Operand.AddImm}| `base + addend` (i32, wrapping)    | base, addend           |
 * | {@link Operand.Shl}   | `(base << shift) + addend` (i32)   | base, shift, addend    |
 *
 * `base` is a register: a local, or the entry's own register. A deferred
 * entry (`AddImm`, `Shl`) is an `i32.add`/`i32.shl` by a constant not yet
 * emitted: a memory access folds it into its address, a call into its last
 * argument; any other use emits it ({@link Operand}).
 *
 * Invariants:
 * - Allocation-free on the hot path: the fields live in arrays that grow to
 *   the deepest stack once per translator and are reused.
 * - Only this file knows which field holds what; callers use the accessors.
 *
 * @module
 */

import { ValType } from "@capstan/environ";

/** The kinds of operand-stack entry (see the module doc for their fields). */
export const enum Operand {
  /** A value computed into the entry's own register. */
  Temp = 0,
  /** A reference to a local's current value (nothing emitted yet). */
  Local = 1,
  /** A constant (nothing emitted yet). */
  Const = 2,
  /** `base + addend`, an `i32.add` of a constant not yet emitted. */
  AddImm = 3,
  /** `(base << shift) + addend`, an `i32.shl` by a constant (plus a constant) not yet emitted. */
  Shl = 4,
}

/** The operand stack of one function being translated. */
export class OperandStack {
  readonly #kind: Operand[] = [];
  readonly #type: ValType[] = [];
  /** Local: index; Const: lo; AddImm, Shl: base register. */
  readonly #a: number[] = [];
  /** Const: hi; AddImm: addend; Shl: shift. */
  readonly #b: number[] = [];
  /** Shl: addend. */
  readonly #c: number[] = [];
  /** The number of entries. */
  height = 0;
  /** The greatest height reached since {@link reset}. */
  maxHeight = 0;

  /** @param offset gives the code offset to name in an error */
  constructor(private readonly offset: () => number = () => 0) {}

  /** Empties the stack for the next function. */
  reset(): void {
    this.height = 0;
    this.maxHeight = 0;
  }

  #push(kind: Operand, type: ValType, a: number, b: number, c: number): void {
    const h = this.height++;
    this.#kind[h] = kind;
    this.#type[h] = type;
    this.#a[h] = a;
    this.#b[h] = b;
    this.#c[h] = c;
    if (this.height > this.maxHeight) this.maxHeight = this.height;
  }

  /**
   * Pushes a temporary (its value will be in its own register).
   *
   * @param type its value type
   */
  pushTemp(type: ValType): void {
    this.#push(Operand.Temp, type, 0, 0, 0);
  }

  /**
   * Pushes a reference to a local.
   *
   * @param index the local
   * @param type its type
   */
  pushLocal(index: number, type: ValType): void {
    this.#push(Operand.Local, type, index, 0, 0);
  }

  /**
   * Pushes a constant.
   *
   * @param type its type
   * @param lo its bits (the low word of a 64-bit one)
   * @param hi the high word of a 64-bit one (else 0)
   */
  pushConst(type: ValType, lo: number, hi: number): void {
    this.#push(Operand.Const, type, lo, hi, 0);
  }

  /**
   * Pushes a deferred i32 `base + addend`.
   *
   * @param base a register that stays unchanged while the entry lives
   * @param addend the constant
   */
  pushAddImm(base: number, addend: number): void {
    this.#push(Operand.AddImm, ValType.i32, base, addend, 0);
  }

  /**
   * Pushes a deferred i32 `(base << shift) + addend`.
   *
   * @param base a register that stays unchanged while the entry lives
   * @param shift the shift count
   * @param addend the constant added after the shift
   */
  pushShl(base: number, shift: number, addend: number): void {
    this.#push(Operand.Shl, ValType.i32, base, shift, addend);
  }

  /**
   * Pops the top entry; its fields stay readable until the next push.
   *
   * @returns its position
   */
  pop(): number {
    return --this.height;
  }

  /** Pushes back the entry {@link pop} just removed, unchanged. */
  unpop(): void {
    this.height++;
  }

  /**
   * Marks entry `pos` as computed into its own register.
   *
   * @param pos a position
   */
  setTemp(pos: number): void {
    this.#kind[pos] = Operand.Temp;
  }

  /** The kind of entry `pos`. */
  kind(pos: number): Operand {
    return this.#kind[pos];
  }

  /** The value type of entry `pos`. */
  type(pos: number): ValType {
    return this.#type[pos];
  }

  /** The local a {@link Operand.Local} entry refers to. */
  localIndex(pos: number): number {
    return this.#a[pos];
  }

  /** The bits (the low word of a 64-bit one) of a {@link Operand.Const} entry. */
  constLo(pos: number): number {
    return this.#a[pos];
  }

  /** The high word of a 64-bit {@link Operand.Const} entry (0 for a 32-bit one). */
  constHi(pos: number): number {
    return this.#b[pos];
  }

  /** The base register of a deferred ({@link Operand.AddImm} or {@link Operand.Shl}) entry. */
  base(pos: number): number {
    return this.#a[pos];
  }

  /** The constant added by an {@link Operand.AddImm} or {@link Operand.Shl} entry. */
  addend(pos: number): number {
    return this.#kind[pos] === Operand.Shl ? this.#c[pos] : this.#b[pos];
  }

  /** The shift count of an {@link Operand.Shl} entry. */
  shift(pos: number): number {
    return this.#b[pos];
  }

  /**
   * Whether entry `pos` reads a register that a write to local `x` would
   * change (a local reference or a deferred entry based on it).
   */
  reads(pos: number, x: number): boolean {
    const k = this.#kind[pos];
    return (k === Operand.Local || k === Operand.AddImm || k === Operand.Shl) && this.#a[pos] === x;
  }

  /** Whether entry `pos` is not yet a temporary but must become one before a label (see `materializeLocals`). */
  isDeferredRead(pos: number): boolean {
    const k = this.#kind[pos];
    return k === Operand.Local || k === Operand.AddImm || k === Operand.Shl;
  }
}
