/**
 * Capstan's IR: one function is a list of instructions over virtual
 * registers, with explicit labels and branches. Instructions are named after
 * the bytecode ops they mean (the op table of `@capstan/interpreter` is also
 * the IR's vocabulary, one semantic each), but operands are symbolic: a
 * branch names a label, a call names a function index. Nothing here depends
 * on the bytecode encoding, so another backend (e.g. JS source) can consume it.
 *
 * Invariants:
 * - A label instruction (`op === LABEL`) starts a basic block; a block ends
 *   at the next label or after a branch, call-return or trap.
 * - Register operands are virtual registers: 0.. params, then the other
 *   locals, then operand-stack temporaries; `numRegs` bounds them.
 * - Operands follow the op table's order; a `t` operand is an array of labels
 *   (the last is the default).
 *
 * @module
 */

import { BYTECODE_OPS, simdOpName } from "@capstan/interpreter";
import type { ValType } from "@capstan/environ";
import { valTypeName } from "@capstan/environ";

/** The pseudo-opcode of a label. */
export const LABEL: -1 = -1;

/** One IR instruction. */
export interface IrInst {
  /** A bytecode op's code, or {@link LABEL}. */
  op: number;
  /** Operands (a label's single operand is its id). */
  operands: (number | number[])[];
  /** The wasm byte offset (module-relative) it came from. */
  wasmOffset: number;
}

/** {@link IrCatch.tag} of a legacy `delegate`. */
export const DELEGATE = -2;

/**
 * One catch clause of an exception handler: what it catches and where its
 * landing pad takes over.
 */
export interface IrCatch {
  /**
   * The tag index it catches, -1 for every exception (`catch_all`), or
   * {@link DELEGATE}: no pad, the search goes on among the handlers of the
   * frames at index `pad` and outside it.
   */
  readonly tag: number;
  /** The register that receives the exception's reference, or -1. */
  refDst: number;
  /** The label of its landing pad (for {@link DELEGATE}, the frame index). */
  readonly pad: number;
  /** The register of the first value the pad receives (the values are consecutive). */
  dst: number;
  /** How many tag values it receives (0 for `catch_all`). */
  readonly values: number;
}

/**
 * An exception handler: the code between two labels is protected, and an
 * exception thrown there (or unwinding out of a call there) goes to the
 * first clause that catches it. A function's handlers are listed innermost
 * first.
 */
export interface IrHandler {
  /** The label at the start of the protected code. */
  readonly start: number;
  /** The index of its block among the function's control frames (the function's is 0). */
  readonly depth: number;
  /** The label just past it. */
  readonly end: number;
  /** The clauses, in order. */
  readonly clauses: readonly IrCatch[];
}

/** One function in IR form. */
export interface IrFunction {
  /** Its index in the function index space. */
  readonly funcIndex: number;
  /** Parameter types (registers 0..). */
  readonly params: readonly ValType[];
  /** Result types (returned in registers 0..). */
  readonly results: readonly ValType[];
  /** Types of all locals, parameters included (registers 0..). */
  readonly locals: readonly ValType[];
  /** Virtual registers used (the frame size). */
  readonly numRegs: number;
  /** Labels allocated. */
  readonly numLabels: number;
  /** The instructions. */
  readonly insts: readonly IrInst[];
  /** Call sites' live reference registers, by instruction index. */
  readonly refSlotsAt: ReadonlyMap<number, readonly number[]>;
  /** Exception handlers, innermost first (absent: none). */
  readonly handlers?: readonly IrHandler[];
}

/**
 * Where a function's labels are, and which are loop headers (labels some
 * branch at or after them jumps back to).
 *
 * @param f the IR function
 * @returns each label's instruction index, and the loop headers' labels
 */
export function irLoopHeads(
  f: IrFunction,
): { readonly labelAt: ReadonlyMap<number, number>; readonly loopHeads: ReadonlySet<number> } {
  const labelAt = new Map<number, number>();
  f.insts.forEach((ins, i) => {
    if (ins.op === LABEL) labelAt.set(ins.operands[0] as number, i);
  });
  const loopHeads = new Set<number>();
  f.insts.forEach((ins, i) => {
    if (ins.op === LABEL) return;
    BYTECODE_OPS[ins.op].operands.forEach((o, k) => {
      const v = ins.operands[k];
      const ls = o.kind === "o" ? [v as number] : o.kind === "t" ? v as number[] : [];
      for (const l of ls) if ((labelAt.get(l) ?? -1) < i) loopHeads.add(l);
    });
  });
  return { labelAt, loopHeads };
}

/**
 * Prints a function's IR.
 *
 * @param f the function
 * @param name a display name
 * @returns text, one instruction per line
 * @example
 * ```ts
 * import { printIr, LABEL } from "./ir.ts";
 * const text = printIr({ funcIndex: 0, params: [], results: [], locals: [], numRegs: 0,
 *   numLabels: 1, insts: [{ op: LABEL, operands: [0], wasmOffset: 0 }], refSlotsAt: new Map() });
 * if (!text.includes("L0:")) throw new Error();
 * ```
 */
export function printIr(f: IrFunction, name = `func${f.funcIndex}`): string {
  const sig = `(${f.params.map(valTypeName).join(", ")}) -> (${
    f.results.map(valTypeName).join(", ")
  })`;
  const locals = f.locals.slice(f.params.length).map(valTypeName).join(", ");
  const lines = [`function ${name} ${sig} regs=${f.numRegs} locals=[${locals}]`];
  for (const ins of f.insts) {
    if (ins.op === LABEL) {
      lines.push(`  L${ins.operands[0]}:`);
      continue;
    }
    const info = BYTECODE_OPS[ins.op];
    const parts = info.operands.map((o, i) => {
      const v = ins.operands[i];
      if (Array.isArray(v)) return `[${v.map((l) => `L${l}`).join(", ")}]`;
      if (o.name === "sub") return simdOpName(v); // a SIMD op's wasm sub-opcode, by name
      // the access kind of mem_load/mem_store: the op with the same access
      if (o.name === "kind") return BYTECODE_OPS[v]?.name ?? `${v}`;
      switch (o.kind) {
        case "r":
          return `v${v}`;
        case "o":
          return `L${v}`;
        case "f":
          return `func${v}`;
        default:
          return `${v}`;
      }
    });
    lines.push(`    ${info.name}${parts.length ? " " : ""}${parts.join(", ")}  @${ins.wasmOffset}`);
  }
  return lines.join("\n");
}
