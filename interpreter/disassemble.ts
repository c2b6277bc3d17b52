/**
 * The disassembler: one line per instruction, derived from the op table.
 * Registers print as `r<n>`, branch offsets as absolute targets (`@<pc>`),
 * immediates as decimal; a SIMD `sub` operand as its wasm operator's name and
 * a `kind` operand (the access of `mem_load`/`mem_store`) as its op's name.
 *
 * @module
 */

import { decodeInstruction } from "./encoding.ts";
import { BYTECODE_OPS, type OperandKind } from "./ops.ts";
import { simdOpName } from "./simd.ts";

/** Options of {@link disassemble}. */
export interface DisassembleOptions {
  /** Text to put after an instruction, by its address (trap codes, relocations, ...). */
  readonly annotate?: (pc: number) => string | undefined;
}

function operandText(kind: OperandKind, v: number, pc: number): string {
  switch (kind) {
    case "r":
      return `r${v}`;
    case "o":
      return `@${pc + v}`;
    case "f":
      return `@${v}`;
    case "k":
      return `trap${v}`;
    default:
      return `${v}`;
  }
}

/**
 * Disassembles `code[start, end)`.
 *
 * @param code the code
 * @param start first address
 * @param end one past the last address
 * @param options annotations
 * @returns the listing, one instruction per line
 * @example
 * ```ts
 * import { BytecodeEncoder, disassemble, Op } from "./mod.ts";
 * const e = new BytecodeEncoder();
 * e.emit(Op.i32_add, 0, 1, 2);
 * if (!disassemble(e.finish()).includes("i32_add r0, r1, r2")) throw new Error();
 * ```
 */
export function disassemble(
  code: Int32Array,
  start = 0,
  end: number = code.length,
  options: DisassembleOptions = {},
): string {
  const lines: string[] = [];
  let pc = start;
  while (pc < end) {
    const ins = decodeInstruction(code, pc);
    const parts = ins.op.operands.map((o, i) => {
      const v = ins.operands[i];
      if (o.name === "sub" && typeof v === "number") return simdOpName(v); // SIMD sub-opcode
      if (o.name === "kind" && typeof v === "number") return BYTECODE_OPS[v]?.name ?? `${v}`;
      return typeof v === "number"
        ? operandText(o.kind, v, pc)
        : `[${v.map((x) => operandText("o", x, pc)).join(", ")}]`;
    });
    let line = `${String(pc).padStart(6)}: ${ins.op.name}${parts.length ? " " : ""}${
      parts.join(", ")
    }`;
    const note = options.annotate?.(pc);
    if (note) line += `  ; ${note}`;
    lines.push(line);
    pc += ins.length;
  }
  return lines.join("\n");
}
