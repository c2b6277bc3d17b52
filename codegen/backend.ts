/**
 * The interface between the IR and a code generator. Capstan lowers one IR
 * to more than one kind of code, as wasmtime lowers Cranelift IR to x86-64
 * or to Pulley bytecode: the bytecode backend (`lower.ts`, for the
 * interpreter) implements it, and so does the JavaScript backend.
 *
 * Invariants:
 * - A lowering belongs to one module: its functions are lowered in function
 *   order, each once, and a lowered function may refer to code the lowering
 *   placed before it (the bytecode backend appends to one code array).
 * - A backend reads the IR and never changes it.
 *
 * @module
 */

import type { IrFunction } from "./ir.ts";

/** Lowers the functions of one module to one kind of code. */
export interface FunctionLowering<Lowered> {
  /**
   * Lowers one function (in function order).
   *
   * @param f its IR
   * @returns its code and side tables
   */
  lower(f: IrFunction): Lowered;
}

/** A code generator from the IR: makes one {@link FunctionLowering} per module. */
export interface Backend<Lowering extends FunctionLowering<unknown>> {
  /** What it generates, for listings and errors ("bytecode", "js"). */
  readonly name: string;
  /**
   * Starts lowering one module.
   *
   * @returns a lowering that takes the module's functions in order
   */
  newLowering(): Lowering;
}
