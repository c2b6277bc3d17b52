/**
 * The SIMD part of the random programs of `exec_programs.ts`: v128
 * expressions (constants with NaN payloads, every load form near the
 * bounds, splats, lane replaces, the integer lane ops, shifts by any count,
 * shuffles, swizzles, narrows, extensions, dot products, float lane ops,
 * conversions, `bitselect`, a typed `select`, a v128 global), the scalars
 * taken from them (extracts, tests, bitmasks) and the stores of them
 * (whole and by lane). Relaxed SIMD is left out: its results are not the
 * same on every engine (native V8 follows the host's instructions).
 *
 * Invariant (as for the scalar ops): a lane whose NaN bits the spec leaves
 * open is never observed: a float lane op that may produce an arithmetic
 * NaN goes through `$cv32`/`$cv64` ({@link SIMD_HELPERS}), which replace
 * its NaN lanes by the canonical positive NaN; lane moves, `abs`, `neg`,
 * `pmin`/`pmax` and the comparisons keep or make exact bits and are left
 * bare.
 *
 * @module
 */

import type { NumType, Rng } from "./exec_programs.ts";

/** What the SIMD generator needs of a body's generator. */
export interface SimdHost {
  /** The generator. */
  readonly r: Rng;
  /** A scalar expression of type `t` at depth `d`. */
  expr(t: NumType, d: number): string;
  /** An address (mostly in bounds, sometimes near the end). */
  addr(d: number): string;
  /** A memarg offset. */
  offset(): number;
}

/** The module fields SIMD programs add: the v128 global and the NaN canonicalisers. */
export const SIMD_HELPERS: string =
  `(global $g_v128 (mut v128) (v128.const i32x4 1 -1 0x7fa00001 0x80000000))
  (func $cv32 (param v128) (result v128)
    (v128.bitselect (v128.const i32x4 0x7fc00000 0x7fc00000 0x7fc00000 0x7fc00000) (local.get 0)
      (f32x4.ne (local.get 0) (local.get 0))))
  (func $cv64 (param v128) (result v128)
    (v128.bitselect (v128.const i64x2 0x7ff8000000000000 0x7ff8000000000000) (local.get 0)
      (f64x2.ne (local.get 0) (local.get 0))))`;

/** The v128 global's bits, mixed into an i64 (for `globals()`). */
export const SIMD_GLOBAL_MIX: string =
  "(i64.xor (i64x2.extract_lane 0 (global.get $g_v128)) (i64.rotl (i64x2.extract_lane 1 (global.get $g_v128)) (i64.const 29)))";

const LANE_CONSTS = [
  "0",
  "1",
  "-1",
  "0x7f",
  "0x80",
  "0xff",
  "0x7fff",
  "0x8000",
  "0x7fffffff",
  "0x80000000",
  "0x7fa00001",
  "0x7fc00000",
  "0xff800000",
  "0x3f800000",
  "0x4f000000",
  "0x12345678",
];
const F32_LANES = [
  "0",
  "-0",
  "1.5",
  "-2.5",
  "inf",
  "-inf",
  "nan",
  "nan:0x1",
  "-nan:0x200000",
  "3e9",
  "-3e9",
  "0x1p-149",
];

/** Binary integer and bitwise lane ops (v128, v128 → v128). */
const INT_BINARY = [
  "v128.and",
  "v128.or",
  "v128.xor",
  "v128.andnot",
  "i8x16.add",
  "i8x16.sub",
  "i8x16.add_sat_s",
  "i8x16.add_sat_u",
  "i8x16.sub_sat_s",
  "i8x16.sub_sat_u",
  "i8x16.min_s",
  "i8x16.max_u",
  "i8x16.avgr_u",
  "i8x16.eq",
  "i8x16.ne",
  "i8x16.lt_s",
  "i8x16.gt_u",
  "i8x16.le_u",
  "i8x16.ge_s",
  "i8x16.narrow_i16x8_s",
  "i8x16.narrow_i16x8_u",
  "i8x16.swizzle",
  "i16x8.add",
  "i16x8.sub",
  "i16x8.mul",
  "i16x8.add_sat_s",
  "i16x8.sub_sat_u",
  "i16x8.min_u",
  "i16x8.max_s",
  "i16x8.avgr_u",
  "i16x8.q15mulr_sat_s",
  "i16x8.eq",
  "i16x8.lt_u",
  "i16x8.ge_s",
  "i16x8.narrow_i32x4_s",
  "i16x8.narrow_i32x4_u",
  "i16x8.extmul_low_i8x16_s",
  "i16x8.extmul_high_i8x16_u",
  "i32x4.add",
  "i32x4.sub",
  "i32x4.mul",
  "i32x4.min_s",
  "i32x4.min_u",
  "i32x4.max_s",
  "i32x4.max_u",
  "i32x4.eq",
  "i32x4.ne",
  "i32x4.lt_s",
  "i32x4.lt_u",
  "i32x4.gt_s",
  "i32x4.le_u",
  "i32x4.ge_s",
  "i32x4.dot_i16x8_s",
  "i32x4.extmul_low_i16x8_s",
  "i32x4.extmul_high_i16x8_u",
  "i64x2.add",
  "i64x2.sub",
  "i64x2.mul",
  "i64x2.eq",
  "i64x2.ne",
  "i64x2.lt_s",
  "i64x2.ge_s",
  "i64x2.extmul_low_i32x4_s",
  "i64x2.extmul_high_i32x4_u",
  "f32x4.eq",
  "f32x4.lt",
  "f32x4.ge",
  "f32x4.pmin",
  "f32x4.pmax",
  "f64x2.ne",
  "f64x2.le",
  "f64x2.pmin",
  "f64x2.pmax",
];

/** Unary lane ops whose results are exact (v128 → v128). */
const INT_UNARY = [
  "v128.not",
  "i8x16.abs",
  "i8x16.neg",
  "i8x16.popcnt",
  "i16x8.abs",
  "i16x8.neg",
  "i16x8.extend_low_i8x16_s",
  "i16x8.extend_high_i8x16_u",
  "i16x8.extadd_pairwise_i8x16_s",
  "i16x8.extadd_pairwise_i8x16_u",
  "i32x4.abs",
  "i32x4.neg",
  "i32x4.extend_low_i16x8_u",
  "i32x4.extend_high_i16x8_s",
  "i32x4.extadd_pairwise_i16x8_s",
  "i32x4.extadd_pairwise_i16x8_u",
  "i32x4.trunc_sat_f32x4_s",
  "i32x4.trunc_sat_f32x4_u",
  "i32x4.trunc_sat_f64x2_s_zero",
  "i32x4.trunc_sat_f64x2_u_zero",
  "i64x2.abs",
  "i64x2.neg",
  "i64x2.extend_low_i32x4_s",
  "i64x2.extend_high_i32x4_u",
  "f32x4.abs",
  "f32x4.neg",
  "f64x2.abs",
  "f64x2.neg",
  "f32x4.convert_i32x4_s",
  "f32x4.convert_i32x4_u",
  "f64x2.convert_low_i32x4_s",
  "f64x2.convert_low_i32x4_u",
];

/** Float lane ops that may make an arithmetic NaN: by shape, binary then unary. */
const FLOAT_BINARY = ["add", "sub", "mul", "div", "min", "max"];
const FLOAT_UNARY = ["sqrt", "ceil", "floor", "trunc", "nearest"];

const SHIFTS = ["shl", "shr_s", "shr_u"];
const SHAPES = ["i8x16", "i16x8", "i32x4", "i64x2"];
const LOADS = [
  "v128.load",
  "v128.load8x8_s",
  "v128.load8x8_u",
  "v128.load16x4_s",
  "v128.load16x4_u",
  "v128.load32x2_s",
  "v128.load32x2_u",
  "v128.load8_splat",
  "v128.load16_splat",
  "v128.load32_splat",
  "v128.load64_splat",
  "v128.load32_zero",
  "v128.load64_zero",
];
/** Lane loads and stores by lane width: the op's width and lane count. */
const LANE_MEM: readonly (readonly [number, number])[] = [[8, 16], [16, 8], [32, 4], [64, 2]];

/** Generates the SIMD parts of one body. */
export class SimdGen {
  readonly #h: SimdHost;

  /**
   * Starts a generator over a body's.
   *
   * @param host the body's generator
   */
  constructor(host: SimdHost) {
    this.#h = host;
  }

  #const(): string {
    const r = this.#h.r;
    if (r.int(3) === 0) {
      return `(v128.const f32x4 ${Array.from({ length: 4 }, () => r.pick(F32_LANES)).join(" ")})`;
    }
    return `(v128.const i32x4 ${
      Array.from({ length: 4 }, () => r.int(3) ? r.pick(LANE_CONSTS) : String(r.next() | 0))
        .join(" ")
    })`;
  }

  /**
   * A v128 expression.
   *
   * @param d the depth left
   * @returns its folded text
   */
  vec(d: number): string {
    const h = this.#h;
    const r = h.r;
    if (d <= 0 || r.int(7) === 0) return r.int(4) === 0 ? "(global.get $g_v128)" : this.#const();
    const v = () => this.vec(d - 1);
    switch (r.int(14)) {
      case 0:
        return `(${r.pick(LOADS)} offset=${h.offset()} ${h.addr(d - 1)})`;
      case 1: {
        const [bits, lanes] = r.pick(LANE_MEM);
        return `(v128.load${bits}_lane offset=${h.offset()} ${r.int(lanes)} ${
          h.addr(d - 1)
        } ${v()})`;
      }
      case 2: {
        const t = r.pick(["i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"]);
        return `(${t}.splat ${h.expr(scalarOf(t), d - 1)})`;
      }
      case 3: {
        const t = r.pick(["i8x16", "i16x8", "i32x4", "i64x2", "f32x4", "f64x2"]);
        return `(${t}.replace_lane ${r.int(lanesOf(t))} ${v()} ${h.expr(scalarOf(t), d - 1)})`;
      }
      case 4:
      case 5:
        return `(${r.pick(INT_BINARY)} ${v()} ${v()})`;
      case 6:
        return `(${r.pick(INT_UNARY)} ${v()})`;
      case 7: {
        const count = r.int(3)
          ? `(i32.const ${r.pick([0, 1, 7, 8, 15, 16, 31, 33, 63, 64, -1])})`
          : h.expr("i32", d - 1);
        return `(${r.pick(SHAPES)}.${r.pick(SHIFTS)} ${v()} ${count})`;
      }
      case 8: {
        const lanes = Array.from({ length: 16 }, () => r.int(32)).join(" ");
        return `(i8x16.shuffle ${lanes} ${v()} ${v()})`;
      }
      case 9:
        return `(v128.bitselect ${v()} ${v()} ${v()})`;
      case 10:
        return `(select (result v128) ${v()} ${v()} ${h.expr("i32", d - 1)})`;
      case 11: {
        const s = r.pick(["f32x4", "f64x2"]);
        const c = s === "f32x4" ? "$cv32" : "$cv64";
        return r.int(3)
          ? `(call ${c} (${s}.${r.pick(FLOAT_BINARY)} ${v()} ${v()}))`
          : `(call ${c} (${s}.${r.pick(FLOAT_UNARY)} ${v()}))`;
      }
      case 12:
        return r.int(2)
          ? "(call $cv32 (f32x4.demote_f64x2_zero " + v() + "))"
          : "(call $cv64 (f64x2.promote_low_f32x4 " + v() + "))";
      default:
        return this.#const();
    }
  }

  /**
   * A scalar of type `t` taken from a v128 (an extract, a test, a bitmask).
   *
   * @param t its type
   * @param d the depth left
   * @returns its folded text
   */
  scalar(t: NumType, d: number): string {
    const r = this.#h.r;
    const v = this.vec(d - 1);
    switch (t) {
      case "i64":
        return `(i64x2.extract_lane ${r.int(2)} ${v})`;
      case "f32":
        return `(f32x4.extract_lane ${r.int(4)} ${v})`;
      case "f64":
        return `(f64x2.extract_lane ${r.int(2)} ${v})`;
    }
    switch (r.int(5)) {
      case 0:
        return `(i8x16.extract_lane_${r.pick(["s", "u"])} ${r.int(16)} ${v})`;
      case 1:
        return `(i16x8.extract_lane_${r.pick(["s", "u"])} ${r.int(8)} ${v})`;
      case 2:
        return `(i32x4.extract_lane ${r.int(4)} ${v})`;
      case 3:
        return r.int(2) ? `(v128.any_true ${v})` : `(${r.pick(SHAPES)}.all_true ${v})`;
      default:
        return `(${r.pick(SHAPES)}.bitmask ${v})`;
    }
  }

  /**
   * A statement storing a v128 (whole, by lane, or to the v128 global).
   *
   * @param d the depth left
   * @returns its folded text
   */
  store(d: number): string {
    const h = this.#h;
    const r = h.r;
    const v = this.vec(d - 1);
    switch (r.int(3)) {
      case 0:
        return `(v128.store offset=${h.offset()} ${h.addr(d - 1)} ${v})`;
      case 1: {
        const [bits, lanes] = r.pick(LANE_MEM);
        return `(v128.store${bits}_lane offset=${h.offset()} ${r.int(lanes)} ${
          h.addr(d - 1)
        } ${v})`;
      }
      default:
        return `(global.set $g_v128 ${v})`;
    }
  }
}

/** The scalar type a shape's lanes cross as. */
function scalarOf(shape: string): NumType {
  return shape === "i64x2" ? "i64" : shape === "f32x4" ? "f32" : shape === "f64x2" ? "f64" : "i32";
}

/** A shape's lane count. */
function lanesOf(shape: string): number {
  return 128 / Number(shape.slice(1, shape.indexOf("x")));
}
