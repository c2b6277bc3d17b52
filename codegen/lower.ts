/**
 * Lowering: IR → bytecode, the interpreter's backend ({@link BYTECODE_BACKEND}).
 * Virtual registers are frame slots (the
 * translator's allocation: locals, then one slot per operand-stack height), so
 * lowering resolves labels to instruction-relative offsets, emits through the
 * interpreter's encoder, and fills the sinks. After copy coalescing, the one
 * or two moves right before a direct `call` (its arguments, mostly) fuse
 * into it (`call_mov1`, `call_mov2`): one dispatch instead of up to three.
 *
 * Invariants: branch offsets are relative to the branching instruction, so a
 * function's code is position-independent except for `call` targets, which
 * are left as `func` relocations for `compileModule` to resolve. A fused
 * call's address-map entry is its call's wasm offset, its stack map sits
 * where its `call` words start, and its run's instruction counter counts it
 * once.
 *
 * @module
 */

import { BYTECODE_OPS, BytecodeEncoder, Op } from "@capstan/interpreter";
import type { Backend, FunctionLowering } from "./backend.ts";
import { DELEGATE, type IrFunction, type IrInst, LABEL } from "./ir.ts";
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
  let countWord = -1; // the operand of the current run's instruction counter (`icount`)
  for (let i = 0; i < f.insts.length; i++) {
    let ins = f.insts[i];
    if (ins.op === LABEL) {
      labelPos[ins.operands[0] as number] = enc.pos;
      countWord = -1;
      continue;
    }
    let callAt = i; // the IR index of a call fused with its moves
    const moves = fusibleMoves(f.insts, i);
    if (moves > 0) {
      callAt = i + moves;
      ins = fuseCallMoves(f.insts, i, moves);
      i = callAt;
      if (countWord >= 0) enc.patch(countWord, enc.word(countWord) - moves);
    }
    const info = BYTECODE_OPS[ins.op];
    const at = enc.emit(ins.op, ...ins.operands);
    if (ins.op === Op.icount) countWord = at + 1;
    addr.add(at, ins.wasmOffset);
    const trap = info.trap; // the op table's trap column
    if (trap !== undefined) traps.add(at, ins.op === Op.trap ? ins.operands[0] as number : trap);
    const refs = f.refSlotsAt.get(callAt);
    // a fused call's map is where its `call` words start (the call ends at the return pc)
    if (refs !== undefined) stackMaps.add(at + 2 * moves, refs);
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

/** Whether op `code` is a register copy a call may take over (`call_mov1`, `call_mov2`). */
function isMove(code: number): boolean {
  return code === Op.mov || code === Op.mov64;
}

/**
 * How many moves starting at `insts[i]` a direct `call` right after them
 * takes over: the last one or two moves before it (0: none). No label
 * lies between (labels are instructions of the IR), so nothing branches
 * into the run of moves after its first: the fused op does the same
 * copies in the same order, then the call, and returns to the same place.
 */
function fusibleMoves(insts: readonly IrInst[], i: number): number {
  if (!isMove(insts[i].op)) return 0;
  const next = insts[i + 1];
  if (next === undefined) return 0;
  if (next.op === Op.call) return 1;
  return isMove(next.op) && insts[i + 2]?.op === Op.call ? 2 : 0;
}

/**
 * The `call_mov1`/`call_mov2` that does the `moves` moves from `insts[i]`
 * and the call after them; its wasm offset is the call's (the moves cannot
 * trap, the call can).
 */
function fuseCallMoves(insts: readonly IrInst[], i: number, moves: number): IrInst {
  const call = insts[i + moves];
  const operands: number[] = [];
  for (let m = 0; m < moves; m++) operands.push(...(insts[i + m].operands as number[]));
  return {
    op: moves === 1 ? Op.call_mov1 : Op.call_mov2,
    operands: [...operands, ...call.operands],
    wasmOffset: call.wasmOffset,
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
