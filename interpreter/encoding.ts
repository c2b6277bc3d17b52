/**
 * Encoder and decoder of Capstan bytecode, driven by the op table
 * (`ops.ts`): nothing here knows any particular op.
 *
 * Invariants: an encoded instruction is its opcode word followed by exactly
 * the operand words its table entry describes (a branch table is its count
 * then that many offsets); `decodeInstruction(encode(x))` gives back `x`.
 *
 * @module
 */

import { BYTECODE_OPS, type BytecodeOpInfo } from "./ops.ts";

/** A decoded instruction. */
export interface DecodedInstruction {
  /** The op. */
  readonly op: BytecodeOpInfo;
  /** Its address. */
  readonly pc: number;
  /** Its length in words. */
  readonly length: number;
  /** Operand values in table order; a branch table is an array of offsets. */
  readonly operands: readonly (number | readonly number[])[];
}

/** Appends instructions to a growable `Int32Array`. */
export class BytecodeEncoder {
  #code = new Int32Array(256);
  #len = 0;

  /** The address of the next instruction. */
  get pos(): number {
    return this.#len;
  }

  /**
   * Appends one instruction, checking its operand count against the table.
   *
   * @param opcode the op's code
   * @param operands operand words (a branch table as an array of offsets)
   * @returns the instruction's address
   * @example
   * ```ts
   * import { BytecodeEncoder, Op } from "./mod.ts";
   * const e = new BytecodeEncoder();
   * e.emit(Op.i32_add, 0, 1, 2);
   * if (e.finish().length !== 4) throw new Error();
   * ```
   */
  emit(opcode: number, ...operands: (number | readonly number[])[]): number {
    const op = BYTECODE_OPS[opcode];
    if (op === undefined) throw new RangeError(`bad opcode ${opcode}`);
    if (operands.length !== op.operands.length) {
      throw new RangeError(`${op.name} takes ${op.operands.length} operands`);
    }
    const at = this.#len;
    this.#push(opcode);
    for (let i = 0; i < operands.length; i++) {
      const v = operands[i];
      if (op.operands[i].kind === "t") {
        if (typeof v === "number") throw new TypeError(`${op.name}: table operand expected`);
        this.#push(v.length);
        for (const x of v) this.#push(x);
      } else {
        if (typeof v !== "number") throw new TypeError(`${op.name}: number operand expected`);
        this.#push(v);
      }
    }
    return at;
  }

  /**
   * Overwrites one word (to fix a branch offset or a call target).
   *
   * @param at the word's address
   * @param value its new value
   */
  patch(at: number, value: number): void {
    this.#code[at] = value;
  }

  /**
   * Reads one word back.
   *
   * @param at the word's address
   * @returns its value
   */
  word(at: number): number {
    return this.#code[at];
  }

  /**
   * The code so far, without copying: a view of the encoder's buffer as long
   * as the code. A later `emit` may move the code to a new buffer; `patch`
   * writes through.
   *
   * @returns the view
   */
  view(): Int32Array {
    return this.#code.subarray(0, this.#len);
  }

  /**
   * Appends words as they are (code another encoder wrote, e.g. a
   * compiled-module image's), to go on emitting after them.
   *
   * @param words the words
   */
  append(words: Int32Array): void {
    for (let i = 0; i < words.length; i++) this.#push(words[i]);
  }

  /**
   * The encoder's buffer itself: the code, then unused words. It stays the
   * same array (seeing every later `emit` and `patch`) until an `emit`
   * needs a bigger one.
   *
   * @returns the buffer
   */
  buffer(): Int32Array {
    return this.#code;
  }

  /**
   * The code so far.
   *
   * @returns a copy, exactly as long as the code
   */
  finish(): Int32Array {
    return this.#code.slice(0, this.#len);
  }

  #push(v: number): void {
    if (this.#len === this.#code.length) {
      const c = new Int32Array(this.#code.length * 2);
      c.set(this.#code);
      this.#code = c;
    }
    this.#code[this.#len++] = v;
  }
}

/**
 * Decodes the instruction at `pc`.
 *
 * @param code the code
 * @param pc an instruction's address
 * @returns the instruction
 * @example
 * ```ts
 * import { BytecodeEncoder, decodeInstruction, Op } from "./mod.ts";
 * const e = new BytecodeEncoder();
 * e.emit(Op.br_table, 3, [4, 8]);
 * if (decodeInstruction(e.finish(), 0).op.name !== "br_table") throw new Error();
 * ```
 */
export function decodeInstruction(code: Int32Array, pc: number): DecodedInstruction {
  const op = BYTECODE_OPS[code[pc]];
  if (op === undefined) throw new RangeError(`bad opcode ${code[pc]} at ${pc}`);
  const operands: (number | readonly number[])[] = [];
  let p = pc + 1;
  for (const o of op.operands) {
    if (o.kind === "t") {
      const n = code[p++];
      operands.push(Array.from(code.subarray(p, p + n)));
      p += n;
    } else {
      operands.push(code[p++]);
    }
  }
  if (p > code.length) throw new RangeError(`truncated ${op.name} at ${pc}`);
  return { op, pc, length: p - pc, operands };
}
