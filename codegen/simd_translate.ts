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
 * Relaxed SIMD: each relaxed operator runs one fixed behaviour, the spec's
 * deterministic profile (every choice `relaxed(R)[...]` takes its first
 * option), in every mode, so deterministic mode (NaN canonicalisation)
 * needs nothing more than what the standard operators already do:
 *
 * | operator | behaviour | runs as |
 * | --- | --- | --- |
 * | `i8x16.relaxed_swizzle` | index ≥ 16 gives 0 | `i8x16.swizzle` |
 * | `i32x4.relaxed_trunc_f32x4_s/u` | NaN → 0, out of range saturates | `i32x4.trunc_sat_f32x4_s/u` |
 * | `i32x4.relaxed_trunc_f64x2_s/u_zero` | as above | `i32x4.trunc_sat_f64x2_s/u_zero` |
 * | `f32x4/f64x2.relaxed_madd` | unfused: `a * b` rounded, then `+ c` | `mul`, then `add` |
 * | `f32x4/f64x2.relaxed_nmadd` | unfused: `c - a * b` (= `-a * b + c`) | `mul`, then `sub` |
 * | `i8x16/i16x8/i32x4/i64x2.relaxed_laneselect` | bitwise select by every mask bit | `v128.bitselect` |
 * | `f32x4/f64x2.relaxed_min/max` | NaN-propagating, -0 < +0 | `f32x4/f64x2.min/max` |
 * | `i16x8.relaxed_q15mulr_s` | saturates (-32768² → 32767) | `i16x8.q15mulr_sat_s` |
 * | `i16x8.relaxed_dot_i8x16_i7x16_s` | both operands signed, pair sums saturate to i16 | its own `sub` |
 * | `i32x4.relaxed_dot_i8x16_i7x16_add_s` | the dot above, pairs added as i32, plus `c` (wrapping) | `relaxed_dot`, `extadd_pairwise_i16x8_s`, `i32x4.add` |
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
 * Relaxed SIMD operators that run exactly as a standard one (see the module
 * doc's table), by sub-opcode: the standard operator's sub-opcode.
 */
const RELAXED_AS: ReadonlyMap<number, number> = new Map([
  [0x100, 14], // i8x16.relaxed_swizzle: i8x16.swizzle
  [0x101, 248], // i32x4.relaxed_trunc_f32x4_s: i32x4.trunc_sat_f32x4_s
  [0x102, 249], // i32x4.relaxed_trunc_f32x4_u: i32x4.trunc_sat_f32x4_u
  [0x103, 252], // i32x4.relaxed_trunc_f64x2_s_zero: i32x4.trunc_sat_f64x2_s_zero
  [0x104, 253], // i32x4.relaxed_trunc_f64x2_u_zero: i32x4.trunc_sat_f64x2_u_zero
  [0x109, 82], // i8x16.relaxed_laneselect: v128.bitselect
  [0x10a, 82], // i16x8.relaxed_laneselect
  [0x10b, 82], // i32x4.relaxed_laneselect
  [0x10c, 82], // i64x2.relaxed_laneselect
  [0x10d, 232], // f32x4.relaxed_min: f32x4.min
  [0x10e, 233], // f32x4.relaxed_max: f32x4.max
  [0x10f, 244], // f64x2.relaxed_min: f64x2.min
  [0x110, 245], // f64x2.relaxed_max: f64x2.max
  [0x111, 130], // i16x8.relaxed_q15mulr_s: i16x8.q15mulr_sat_s
]);

/** `i16x8.relaxed_dot_i8x16_i7x16_s`: its own `sub` of `simd_bin`. */
const RELAXED_DOT = 0x112;
/** `i32x4.relaxed_dot_i8x16_i7x16_add_s`. */
const RELAXED_DOT_ADD = 0x113;
/** `i32x4.extadd_pairwise_i16x8_s`. */
const EXTADD_PAIRWISE_I16X8_S = 126;

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
  if (sub >= 0x100) {
    const as = RELAXED_AS.get(sub);
    if (as !== undefined) return translateSimd(host, (0xfd << 16) | as, r);
    if (sub >= 0x105 && sub <= 0x108) return relaxedMadd(host, sub);
    if (sub === RELAXED_DOT_ADD) return relaxedDotAdd(host);
  }
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
    const [ra, rb, rc] = operands3(host);
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

/**
 * `f32x4/f64x2.relaxed_madd` (sub 0x105, 0x107) as `d = a * b; d = d + c`
 * and `relaxed_nmadd` (0x106, 0x108) as `d = a * b; d = c - d`: unfused,
 * two roundings. `d` is the result's own register, never `c`'s.
 */
function relaxedMadd(host: SimdTranslatorHost, sub: number): void {
  const [ra, rb, rc] = operands3(host);
  const d = host.pushTemp(ValType.v128);
  const f32 = sub <= 0x106;
  host.emit(f32 ? Op.f32x4_mul : Op.f64x2_mul, d, ra, rb);
  if (sub === 0x105 || sub === 0x107) host.emit(f32 ? Op.f32x4_add : Op.f64x2_add, d, d, rc);
  else host.emit(f32 ? Op.f32x4_sub : Op.f64x2_sub, d, rc, d);
  canonicalize(host, f32 ? "f32x4.add" : "f64x2.add", d);
}

/**
 * `i32x4.relaxed_dot_i8x16_i7x16_add_s` as the spec composes it: the i16x8
 * relaxed dot product, its lanes added pairwise into i32x4, plus `c`.
 */
function relaxedDotAdd(host: SimdTranslatorHost): void {
  const [ra, rb, rc] = operands3(host);
  const d = host.pushTemp(ValType.v128);
  host.emit(Op.simd_bin, d, RELAXED_DOT, ra, rb);
  host.emit(Op.simd_un, d, EXTADD_PAIRWISE_I16X8_S, d);
  host.emit(Op.i32x4_add, d, d, rc);
}

/** Pops three operands; returns their registers in push order. */
function operands3(host: SimdTranslatorHost): [number, number, number] {
  const c = host.pop();
  const b = host.pop();
  const a = host.pop();
  return [host.reg(a), host.reg(b), host.reg(c)];
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
