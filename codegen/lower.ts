/**
 * Lowering: IR → bytecode, the interpreter's backend ({@link BYTECODE_BACKEND}).
 * Virtual registers are frame slots (the
 * translator's allocation: locals, then one slot per operand-stack height), so
 * lowering resolves labels to instruction-relative offsets, emits through the
 * interpreter's encoder, and fills the sinks.
 *
 * Invariants: branch offsets are relative to the branching instruction, so a
 * function's code is position-independent except for `call` targets, which
 * are left as `func` relocations for `compileModule` to resolve.
 *
 * @module
 */

import { BYTECODE_OPS, BytecodeEncoder, Op } from "@capstan/interpreter";
import type { Backend, FunctionLowering } from "./backend.ts";
import { DELEGATE, type IrFunction, LABEL } from "./ir.ts";
import { coalesceCopies } from "./_copy_coalescing.ts";
import { AddressMapSink, RelocSink, StackMapSink, TrapSink } from "./sinks.ts";

/** The bytecode of one function and its side tables. */
export interface LoweredFunction {
  /** Code address of its first instruction (`enter`). */
  readonly entry: number;
  /** One past its last instruction. */
  readonly end: number;
  /** Frame size in slots. */
  readonly frameSize: number;
  /** Trap sites. */
  readonly traps: TrapSink;
  /** Relocations. */
  readonly relocs: RelocSink;
  /** Stack maps at calls. */
  readonly stackMaps: StackMapSink;
  /** Code address → wasm offset. */
  readonly addressMap: Int32Array;
  /**
   * Exception handlers as records `[start, end, depth, n, (tag, refDst, pad,
   * dst, values) × n]`, code addresses absolute, innermost first (see
   * `VmInstance.handlers`).
   */
  readonly handlers: Int32Array;
}

/**
 * Lowers one function, appending its code to `enc`.
 *
 * @param f the IR function
 * @param enc the module's encoder
 * @returns where the code went and its side tables
 */
export function lowerFunction(ir: IrFunction, enc: BytecodeEncoder): LoweredFunction {
  const f = coalesceCopies(ir);
  const entry = enc.pos;
  const labelPos = new Int32Array(f.numLabels).fill(-1);
  const fixups: number[] = []; // (word address, label, instruction address) triples
  const traps = new TrapSink();
  const relocs = new RelocSink();
  const stackMaps = new StackMapSink();
  const addr = new AddressMapSink();
  for (let i = 0; i < f.insts.length; i++) {
    const ins = f.insts[i];
    if (ins.op === LABEL) {
      labelPos[ins.operands[0] as number] = enc.pos;
      continue;
    }
    const info = BYTECODE_OPS[ins.op];
    const at = enc.emit(ins.op, ...ins.operands);
    addr.add(at, ins.wasmOffset);
    const trap = info.trap; // the op table's trap column
    if (trap !== undefined) traps.add(at, ins.op === Op.trap ? ins.operands[0] as number : trap);
    const refs = f.refSlotsAt.get(i);
    if (refs !== undefined) stackMaps.add(at, refs);
    let word = at + 1;
    for (let k = 0; k < info.operands.length; k++) {
      const kind = info.operands[k].kind;
      const v = ins.operands[k];
      if (kind === "t") {
        const labels = v as number[];
        for (let j = 0; j < labels.length; j++) fixups.push(word + 1 + j, labels[j], at);
        word += 1 + labels.length;
        continue;
      }
      if (kind === "o") fixups.push(word, v as number, at);
      else if (kind === "f") relocs.add(word, "func", v as number);
      else if (kind === "c" && (v as number) >= 0) relocs.add(word, "type", v as number);
      else if (ins.op === Op.call_import && k === 0) relocs.add(word, "import", v as number);
      else if (ins.op === Op.builtin && k === 0) relocs.add(word, "builtin", v as number);
      word++;
    }
  }
  for (let i = 0; i < fixups.length; i += 3) {
    const target = labelPos[fixups[i + 1]];
    if (target < 0) throw new Error(`lowering: unbound label L${fixups[i + 1]}`);
    enc.patch(fixups[i], target - fixups[i + 2]);
  }
  const handlers: number[] = [];
  for (const h of f.handlers ?? []) {
    handlers.push(labelPos[h.start], labelPos[h.end], h.depth, h.clauses.length);
    for (const c of h.clauses) {
      const pad = c.tag === DELEGATE ? c.pad : labelPos[c.pad];
      handlers.push(c.tag, c.refDst, pad, c.dst, c.values);
    }
  }
  return {
    entry,
    end: enc.pos,
    frameSize: f.numRegs,
    traps,
    relocs,
    stackMaps,
    addressMap: addr.finish(),
    handlers: Int32Array.from(handlers),
  };
}

/** The lowering of one module's functions into one bytecode array ({@link BytecodeLowering.encoder}). */
export class BytecodeLowering implements FunctionLowering<LoweredFunction> {
  /** The module's code: every lowered function, appended in order. */
  readonly encoder: BytecodeEncoder = new BytecodeEncoder();

  /**
   * Lowers one function, appending its code.
   *
   * @param f the IR function
   * @returns where its code went and its side tables
   */
  lower(f: IrFunction): LoweredFunction {
    return lowerFunction(f, this.encoder);
  }
}

/** The backend that lowers the IR to the interpreter's bytecode. */
export const BYTECODE_BACKEND: Backend<BytecodeLowering> = {
  name: "bytecode",
  newLowering: () => new BytecodeLowering(),
};
