/**
 * Translation of the SIMD (0xFD-prefixed) wasm operators into Capstan
 * bytecode: the SIMD operator family of `FuncTranslator`, which hands every
 * 0xFD operator to {@link translateSimd} with its state seen through a small
 * interface ({@link SimdTranslatorHost}); everything SIMD-specific lives here.
 *
 * Invariants:
 * - v128 values live in the VM's v128 file at the same register numbers the
 *   translator assigns (see `@capstan/interpreter` `simd.ts`); this module
 *   only picks ops and operands.
 * - Operands are popped top first, their registers taken in push order (as
 *   the scalar translator does), then the result is pushed as a temporary.
 * - Lane-wise ops carry the wasm sub-opcode as their `sub` operand; the VM's
 *   lane math (`simd_math.ts`) is selected by it. The most common forms
 *   (plain `v128.load`/`v128.store`, the ops with a `simdSub` in the op
 *   table) get ops of their own.
 *
 * @module
 */

import { CompileError, opByKey, type OperatorReader, ValType } from "@capstan/environ";
import { BYTECODE_OPS, Op, SUB_CANON_F32X4, SUB_CANON_F64X2 } from "@capstan/interpreter";

/** What {@link translateSimd} needs of the function translator. */
export interface SimdTranslatorHost {
  /** Pops the top operand-stack entry; returns its position. */
  pop(): number;
  /** The register holding entry `pos` (materialising a constant). */
  reg(pos: number): number;
  /** Pushes a temporary of type `t`; returns its register. */
  pushTemp(t: ValType): number;
  /** Emits one instruction. */
  emit(op: number, ...operands: number[]): void;
  /** Deterministic mode (`Tunables.nanCanonicalization`): NaN lanes of float results become canonical. */
  readonly canonicalizeNaN: boolean;
}

/** f32x4 / f64x2 ops whose lanes may be NaNs computed by the host (canonicalised in deterministic mode). */
const NAN_PRODUCING = new Set([
  "add",
  "sub",
  "mul",
  "div",
  "sqrt",
  "min",
  "max",
  "ceil",
  "floor",
  "trunc",
  "nearest",
  "demote_f64x2_zero",
  "promote_low_f32x4",
]);

/**
 * SIMD operators with an op of their own (no `sub` operand), by sub-opcode:
 * the op table's `simdSub` column.
 */
const OWN_OPS: ReadonlyMap<number, number> = new Map(
  BYTECODE_OPS.filter((op) => op.simdSub !== undefined).map((op) => [op.simdSub!, op.code]),
);

/**
 * Whether an operator key is a SIMD (0xFD-prefixed) operator.
 *
 * @param key an operator key (`opKey(prefix, code)`)
 * @returns true for 0xFD operators
 * @example
 * ```ts
 * import { isSimdKey } from "./simd_translate.ts";
 * if (!isSimdKey(0xfd000c) || isSimdKey(0x6a)) throw new Error();
 * ```
 */
export function isSimdKey(key: number): boolean {
  return key >>> 16 === 0xfd;
}

/**
 * Translates one SIMD operator whose immediates `r` has just read.
 *
 * @param host the function translator's operand stack and emitter
 * @param key the operator key
 * @param r the reader, positioned after the operator
 */
export function translateSimd(host: SimdTranslatorHost, key: number, r: OperatorReader): void {
  const sub = key & 0xffff;
  const info = opByKey(key);
  if (info === undefined || info.sig === undefined) {
    throw new CompileError(`unsupported operator ${info?.name ?? key}`, r.offset);
  }
  const [params, results] = info.sig;
  switch (info.imm) {
    case "v128": { // v128.const
      const b = r.v128;
      const w = (i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
      const d = host.pushTemp(ValType.v128);
      host.emit(Op.v128_const, d, w(0), w(4), w(8), w(12));
      return;
    }
    case "shuffle": {
      const b = r.v128;
      const w = (i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
      const [ra, rb] = operands2(host);
      const d = host.pushTemp(ValType.v128);
      // lanes from one operand only (or both operands the same register): i8x16_shuffle1
      const fromA = b.every((x) => x < 16);
      const fromB = b.every((x) => x >= 16);
      if (fromA || fromB || ra === rb) {
        const m = (i: number) => w(i) & 0x0f0f0f0f; // each index mod 16
        host.emit(Op.i8x16_shuffle1, d, fromB ? rb : ra, m(0), m(4), m(8), m(12));
      } else host.emit(Op.i8x16_shuffle, d, ra, rb, w(0), w(4), w(8), w(12));
      return;
    }
    case "memarg": {
      const offset = r.memOffset | 0;
      if (results.length === 0) { // v128.store
        const [ra, rv] = operands2(host);
        host.emit(Op.simd_store128, ra, rv, offset);
        return;
      }
      const ra = host.reg(host.pop());
      const d = host.pushTemp(ValType.v128);
      if (sub === 0) host.emit(Op.simd_load128, d, ra, offset); // v128.load
      else host.emit(Op.simd_load, d, sub, ra, offset);
      return;
    }
    case "memarg_lane": {
      const offset = r.memOffset | 0;
      const [ra, rv] = operands2(host);
      if (results.length === 0) {
        host.emit(Op.simd_store, sub, ra, rv, offset, r.lane);
        return;
      }
      const d = host.pushTemp(ValType.v128);
      host.emit(Op.simd_load_lane, d, sub, ra, rv, offset, r.lane);
      return;
    }
    case "lane": {
      if (params.length === 1) { // extract_lane
        const ra = host.reg(host.pop());
        const d = host.pushTemp(results[0]);
        host.emit(Op.simd_extract, d, sub, ra, r.lane);
        return;
      }
      const [ra, rb] = operands2(host);
      const d = host.pushTemp(ValType.v128);
      host.emit(Op.simd_replace, d, sub, ra, rb, r.lane);
      return;
    }
  }
  if (sub === 82) { // v128.bitselect
    const c = host.pop();
    const b = host.pop();
    const a = host.pop();
    const ra = host.reg(a);
    const rb = host.reg(b);
    const rc = host.reg(c);
    const d = host.pushTemp(ValType.v128);
    host.emit(Op.v128_bitselect, d, ra, rb, rc);
    return;
  }
  if (params.length === 1) {
    const ra = host.reg(host.pop());
    const d = host.pushTemp(results[0]);
    const own = OWN_OPS.get(sub);
    if (own !== undefined) host.emit(own, d, ra);
    else {
      const op = params[0] !== ValType.v128
        ? Op.simd_splat
        : results[0] === ValType.v128
        ? Op.simd_un
        : Op.simd_test;
      host.emit(op, d, sub, ra);
    }
    canonicalize(host, info.name, d);
    return;
  }
  const [ra, rb] = operands2(host);
  const d = host.pushTemp(ValType.v128);
  const own = OWN_OPS.get(sub);
  if (own !== undefined) host.emit(own, d, ra, rb);
  else host.emit(params[1] === ValType.v128 ? Op.simd_bin : Op.simd_shift, d, sub, ra, rb);
  canonicalize(host, info.name, d);
}

/** In deterministic mode, makes the NaN lanes of a float result in register `d` canonical. */
function canonicalize(host: SimdTranslatorHost, name: string, d: number): void {
  if (!host.canonicalizeNaN) return;
  const dot = name.indexOf(".");
  const shape = name.slice(0, dot);
  if ((shape !== "f32x4" && shape !== "f64x2") || !NAN_PRODUCING.has(name.slice(dot + 1))) return;
  host.emit(Op.simd_un, d, shape === "f32x4" ? SUB_CANON_F32X4 : SUB_CANON_F64X2, d);
}

/** Pops two operands; returns their registers in push order. */
function operands2(host: SimdTranslatorHost): [number, number] {
  const b = host.pop();
  const a = host.pop();
  const ra = host.reg(a);
  const rb = host.reg(b);
  return [ra, rb];
}
