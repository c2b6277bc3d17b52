/**
 * The JS backend's table of ops: for each bytecode op it can lower, the kind
 * (see `_js_kinds.ts`) of each register operand and the JavaScript that runs
 * it. One row per op, exactly the op's semantics in `interpreter/ops.ts` and
 * the dispatch source; ops without a row are not lowered (their function
 * runs on the interpreter).
 *
 * Row format: `[kinds, template]`. `kinds` has one token per `r` operand, in
 * order: `I`, `F`, `D`, `B` or `4`/`8` (a 32- or 64-bit value whose kind comes
 * from the values it meets), prefixed by `=` for a definition and `+` for an
 * operand both read and written. Operand names of the same kind-group joined
 * by `~` are one value (copies). The template is a function of the operand
 * texts (`o[k]`: a register's local or an immediate's literal) and the site
 * (`s`: its trap expression builder and kinds).
 *
 * Names the templates use, bound by the generated module's prelude: `M` (the
 * memory's DataView), `ML` (its byte length), `e` (an address temporary), `T`
 * (makes a trap at a wasm offset), and the helpers of `_js_runtime.ts` in the
 * runtime (`H.*`).
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import type { FuncType, ValType } from "@capstan/environ";
import { BYTECODE_OPS } from "@capstan/interpreter";
import type { IrInst } from "./ir.ts";
import type { KindContext } from "./_js_kinds.ts";
import { callType, globalType, softKindOf } from "./_js_kinds.ts";
import { isJsSimdOp, jsSimdShape } from "./_js_simd.ts";
import { isJsGcOp, jsGcShape } from "./_js_gc.ts";
import { isGcRef } from "./_gc_support.ts";
import { memoryAccess } from "./_js_memories.ts";
import {
  address32,
  address64,
  builtinKinds,
  genericAccessKinds,
  isMemory64,
} from "./_js_memory64.ts";
import {
  assignPair,
  F64_BITS,
  I64_ROWS,
  loadPair,
  type Pair,
  storePair,
  truncToPair,
} from "./_js_i64.ts";

/** The kind of a register value (see `_js_kinds.ts`). */
export type RegKind = "I" | "F" | "D" | "B" | "R";

/**
 * One register operand of an instruction: register, kind (or none yet), slot,
 * 64-bit, and for a read whether it converts (an f64 op's operand kept as
 * bits, an i32 op's operand holding an i64 whose low half it reads).
 */
export type RegOperand = readonly [number, RegKind | undefined, number, boolean, boolean?];

/** The registers an instruction reads and writes. */
export interface OpShape {
  /** Registers read. */
  readonly uses: readonly RegOperand[];
  /** Registers written. */
  readonly defs: readonly RegOperand[];
  /** Slots that hold one value (an operand read and written). */
  readonly same: readonly (readonly number[])[];
  /** (definition, read) slots of a copy: the kind of one suits the other when nothing fixes it. */
  readonly soft: readonly (readonly [number, number])[];
  /** The callee's type, for calls. */
  readonly call?: FuncType;
}

/** What a template sees of its site. */
export interface Site {
  /** A `throw` of the trap with this code at the instruction's wasm offset. */
  trap(code: number): string;
  /** The instruction's wasm offset. */
  readonly off: number;
  /** The kind of register operand `k`. */
  kind(k: number): RegKind;
  /** Register operand `k` converted (bits kept) to kind `to` (not `B`: see `pair`). */
  conv(k: number, to: RegKind): string;
  /**
   * Register operand `k` as an i64 pair (`_js_i64.ts`): a definition's two
   * locals, or a read's halves as locals or literals (converted from its kind).
   */
  pair(k: number): Pair;
}

type Template = (o: string[], s: Site) => string;
type Row = readonly [string, Template];

const MEM = TrapCode.MemoryOutOfBounds;
const DIV0 = TrapCode.IntegerDivisionByZero;
const OVF = TrapCode.IntegerOverflow;
const CONV = TrapCode.BadConversionToInteger;
const TABLE = TrapCode.TableOutOfBounds;

const i32bin = (
  expr: string,
): Row => ["=I I I", (o) => `${o[0]} = ${expr.replace(/\$a/g, o[1]).replace(/\$b/g, o[2])};`];
/** An i32 read as unsigned: a literal folded, else `(x >>> 0)`. */
const u32 = (x: string) =>
  /^\(?-?\d+\)?$/.test(x) ? String(Number(x.replace(/[()]/g, "")) >>> 0) : `(${x} >>> 0)`;
/**
 * `abs` or `neg` of a float: the JS operation for a local that is not a NaN
 * (in place: V8 does not inline the helper reliably), the helper that keeps a
 * NaN's payload otherwise.
 */
const signOp = (x: string, op: string, helper: string) =>
  /^[a-z]\d+$/.test(x) ? `${x} === ${x} ? ${op}(${x}) : ${helper}(${x})` : `${helper}(${x})`;
const i32cmp = (
  cmp: string,
  u = false,
): Row => [
  "=I I I",
  (o) =>
    u
      ? `${o[0]} = ${u32(o[1])} ${cmp} ${u32(o[2])} ? 1 : 0;`
      : `${o[0]} = ${o[1]} ${cmp} ${o[2]} ? 1 : 0;`,
];
const i32cmpi = (
  cmp: string,
  u = false,
): Row => [
  "=I I",
  (o) =>
    u
      ? `${o[0]} = ${u32(o[1])} ${cmp} ${u32(o[2])} ? 1 : 0;`
      : `${o[0]} = ${o[1]} ${cmp} (${o[2]}) ? 1 : 0;`,
];
const i32bini = (
  f: (a: string, v: string) => string,
): Row => ["=I I", (o) => `${o[0]} = ${f(o[1], o[2])};`];
const brcmp = (
  cmp: string,
  u = false,
): Row => [
  "I I",
  (o) =>
    u
      ? `if (${u32(o[0])} ${cmp} ${u32(o[1])}) GOTO(${o[2]})`
      : `if (${o[0]} ${cmp} ${o[1]}) GOTO(${o[2]})`,
];
const brcmpi = (
  cmp: string,
  u = false,
): Row => [
  "I",
  (o) =>
    u
      ? `if (${u32(o[0])} ${cmp} ${u32(o[1])}) GOTO(${o[2]})`
      : `if (${o[0]} ${cmp} (${o[1]})) GOTO(${o[2]})`,
];
const f32bin = (
  op: string,
): Row => ["=F F F", (o) => `${o[0]} = Math.fround(${o[1]} ${op} ${o[2]});`];
const f64bin = (op: string): Row => ["=D D D", (o) => `${o[0]} = ${o[1]} ${op} ${o[2]};`];
const fcmp = (
  k: string,
  op: string,
): Row => [`=I ${k} ${k}`, (o) => `${o[0]} = ${o[1]} ${op} ${o[2]} ? 1 : 0;`];
const un = (
  kinds: string,
  f: (a: string) => string,
): Row => [kinds, (o) => `${o[0]} = ${f(o[1])};`];
/** The effective address of a load/store: operand indices of base, k, offset. */
const ea = (o: string[], a: number, k: number, off: number) => {
  const n = Number(o[off]) >>> 0;
  // a constant address (a literal operand) is one number: no arithmetic, no feedback slots
  if (o[k] === "0" && INT_LITERAL.test(o[a])) {
    return `e = ${(Number(o[a].replace(/[()]/g, "")) >>> 0) + n};`;
  }
  const base = o[k] === "0" ? `${o[a]} >>> 0` : `((${o[a]} + (${o[k]})) >>> 0)`;
  return `e = ${n === 0 ? base : `(${base}) + ${n}`};`;
};
/** An i32 literal as an operand reads: `12`, `(-12)`. */
const INT_LITERAL = /^(?:\d+|\(-\d+\))$/;
const eax = (o: string[], a: number, sh: number, k: number, off: number) =>
  `e = (((${o[a]} << ${o[sh]}) + (${o[k]})) >>> 0) + ${Number(o[off]) >>> 0};`;
const check = (n: number, s: Site) => `if (e + ${n} > ML) ${s.trap(MEM)}`;
/** A load into a 32-bit register of either kind. */
const load32 = (o: string[], s: Site) =>
  s.kind(0) === "F"
    ? `${o[0]} = M.getFloat32(e, true); if (${o[0]} !== ${o[0]}) ${
      o[0]
    } = H.f32b(M.getInt32(e, true));`
    : `${o[0]} = M.getInt32(e, true);`;
const load64 = (o: string[], s: Site) => {
  switch (s.kind(0)) {
    case "D":
      // the NaN test in place: V8 does not inline the helper reliably
      return `${o[0]} = M.getFloat64(e, true); if (${o[0]} !== ${o[0]}) ${o[0]} = H.quiet(${
        o[0]
      });`;
    case "B":
      return loadPair(s.pair(0), 8, "");
    default: // only its low half is read
      return load32(o, s);
  }
};
const store32 = (_v: string, s: Site, k: number) => `M.setInt32(e, ${s.conv(k, "I")}, true);`;
const store64 = (_v: string, s: Site, k: number) =>
  s.kind(k) === "D" ? `M.setFloat64(e, ${s.conv(k, "D")}, true);` : storePair(s.pair(k));
const ld = (
  n: number,
  get: string,
): Row => [
  "=I I",
  (o, s) => `${ea(o, 1, 2, 3)} ${check(n, s)} ${o[0]} = M.${get}(e${n > 1 ? ", true" : ""});`,
];
const ld64 = (n: number, get: string): Row => [
  "=B I",
  (o, s) => `${ea(o, 1, 2, 3)} ${check(n, s)} ${loadPair(s.pair(0), n, get)}`,
];
const st = (
  n: number,
  set: string,
): Row => [
  "I ~4",
  (o, s) =>
    `${ea(o, 0, 2, 3)} ${check(n, s)} M.${set}(e, ${s.conv(1, "I")}${n > 1 ? ", true" : ""});`,
];
const trunc = (k: string, kind: string, big: boolean): Row => [
  `=${big ? "B" : "I"} ${k}`,
  (o, s) =>
    big
      ? truncToPair(o[1], s.pair(0), kind, s)
      : `if (${o[1]} !== ${o[1]}) ${s.trap(CONV)} if (!H.truncFits(${o[1]}, "${kind}")) ${
        s.trap(OVF)
      } ${o[0]} = Math.trunc(${o[1]}) | 0;`,
];

/** A copy of operand `k` into the definition (operand 0), as its kind. */
const copy = (o: string[], s: Site, k: number) =>
  s.kind(0) === "B" ? assignPair(s.pair(0), s.pair(k)) : `${o[0]} = ${s.conv(k, s.kind(0))};`;

/** The rows, by op name. */
const ROWS: Record<string, Row> = {
  nop: ["", () => ""],
  mov: ["=4 ~4", (o, s) => `${o[0]} = ${s.conv(1, s.kind(0))};`],
  mov64: ["=8 ~8", (o, s) => copy(o, s, 1)],
  select: [
    "=4 I ~4 ~4",
    (o, s) => `${o[0]} = ${o[1]} !== 0 ? ${s.conv(2, s.kind(0))} : ${s.conv(3, s.kind(0))};`,
  ],
  select64: [
    "=8 I ~8 ~8",
    (o, s) =>
      s.kind(0) === "B"
        ? `if (${o[1]} !== 0) { ${copy(o, s, 2)} } else { ${copy(o, s, 3)} }`
        : `${o[0]} = ${o[1]} !== 0 ? ${s.conv(2, s.kind(0))} : ${s.conv(3, s.kind(0))};`,
  ],
  i32_add: i32bin("($a + $b) | 0"),
  i32_sub: i32bin("($a - $b) | 0"),
  i32_mul: i32bin("Math.imul($a, $b)"),
  i32_and: i32bin("$a & $b"),
  i32_or: i32bin("$a | $b"),
  i32_xor: i32bin("$a ^ $b"),
  i32_shl: i32bin("$a << $b"),
  i32_shr_s: i32bin("$a >> $b"),
  i32_shr_u: i32bin("($a >>> $b) | 0"),
  i32_rotl: i32bin("($a << ($b & 31)) | ($a >>> ((32 - $b) & 31))"),
  i32_rotr: i32bin("($a >>> ($b & 31)) | ($a << ((32 - $b) & 31))"),
  i32_div_s: [
    "=I I I",
    (o, s) =>
      `if (${o[2]} === 0) ${s.trap(DIV0)} if (${o[1]} === -2147483648 && ${o[2]} === -1) ${
        s.trap(OVF)
      } ${o[0]} = (${o[1]} / ${o[2]}) | 0;`,
  ],
  i32_div_u: [
    "=I I I",
    (o, s) =>
      `if (${o[2]} === 0) ${s.trap(DIV0)} ${o[0]} = ((${o[1]} >>> 0) / (${o[2]} >>> 0)) | 0;`,
  ],
  i32_rem_s: [
    "=I I I",
    (o, s) =>
      `if (${o[2]} === 0) ${s.trap(DIV0)} ${o[0]} = ${o[2]} === -1 ? 0 : (${o[1]} % ${o[2]}) | 0;`,
  ],
  i32_rem_u: [
    "=I I I",
    (o, s) =>
      `if (${o[2]} === 0) ${s.trap(DIV0)} ${o[0]} = ((${o[1]} >>> 0) % (${o[2]} >>> 0)) | 0;`,
  ],
  i32_eq: i32cmp("==="),
  i32_ne: i32cmp("!=="),
  i32_lt_s: i32cmp("<"),
  i32_lt_u: i32cmp("<", true),
  i32_gt_s: i32cmp(">"),
  i32_gt_u: i32cmp(">", true),
  i32_le_s: i32cmp("<="),
  i32_le_u: i32cmp("<=", true),
  i32_ge_s: i32cmp(">="),
  i32_ge_u: i32cmp(">=", true),
  i32_add_i: i32bini((a, v) => `(${a} + (${v})) | 0`),
  i32_mul_i: i32bini((a, v) => `Math.imul(${a}, ${v})`),
  i32_and_i: i32bini((a, v) => `${a} & (${v})`),
  i32_or_i: i32bini((a, v) => `${a} | (${v})`),
  i32_xor_i: i32bini((a, v) => `${a} ^ (${v})`),
  i32_shl_i: i32bini((a, v) => `${a} << (${v})`),
  i32_shr_s_i: i32bini((a, v) => `${a} >> (${v})`),
  i32_shr_u_i: i32bini((a, v) => `(${a} >>> (${v})) | 0`),
  i32_eq_i: i32cmpi("==="),
  i32_ne_i: i32cmpi("!=="),
  i32_lt_s_i: i32cmpi("<"),
  i32_lt_u_i: i32cmpi("<", true),
  i32_gt_s_i: i32cmpi(">"),
  i32_gt_u_i: i32cmpi(">", true),
  i32_le_s_i: i32cmpi("<="),
  i32_le_u_i: i32cmpi("<=", true),
  i32_ge_s_i: i32cmpi(">="),
  i32_ge_u_i: i32cmpi(">=", true),
  i32_eqz: un("=I I", (a) => `${a} === 0 ? 1 : 0`),
  i32_clz: un("=I I", (a) => `Math.clz32(${a})`),
  i32_ctz: un("=I I", (a) => `H.ctz32(${a})`),
  i32_popcnt: un("=I I", (a) => `H.popcnt32(${a})`),
  i32_extend8_s: un("=I I", (a) => `(${a} << 24) >> 24`),
  i32_extend16_s: un("=I I", (a) => `(${a} << 16) >> 16`),
  br_eq: brcmp("==="),
  br_ne: brcmp("!=="),
  br_lt_s: brcmp("<"),
  br_lt_u: brcmp("<", true),
  br_gt_s: brcmp(">"),
  br_gt_u: brcmp(">", true),
  br_le_s: brcmp("<="),
  br_le_u: brcmp("<=", true),
  br_ge_s: brcmp(">="),
  br_ge_u: brcmp(">=", true),
  br_eq_i: brcmpi("==="),
  br_ne_i: brcmpi("!=="),
  br_lt_s_i: brcmpi("<"),
  br_lt_u_i: brcmpi("<", true),
  br_gt_s_i: brcmpi(">"),
  br_gt_u_i: brcmpi(">", true),
  br_le_s_i: brcmpi("<="),
  br_le_u_i: brcmpi("<=", true),
  br_ge_s_i: brcmpi(">="),
  br_ge_u_i: brcmpi(">=", true),
  f32_add: f32bin("+"),
  f32_sub: f32bin("-"),
  f32_mul: f32bin("*"),
  f32_div: f32bin("/"),
  f32_min: un("=F F F", () => ""),
  f32_max: un("=F F F", () => ""),
  f32_copysign: ["=F F F", (o) => `${o[0]} = H.copysign(${o[1]}, ${o[2]});`],
  f32_abs: un("=F F", (a) => signOp(a, "Math.abs", "H.abs")),
  f32_neg: un("=F F", (a) => signOp(a, "-", "H.neg")),
  f32_sqrt: un("=F F", (a) => `Math.fround(Math.sqrt(${a}))`),
  f32_ceil: un("=F F", (a) => `H.quietF(Math.ceil(${a}))`),
  f32_floor: un("=F F", (a) => `H.quietF(Math.floor(${a}))`),
  f32_trunc: un("=F F", (a) => `H.quietF(Math.trunc(${a}))`),
  f32_nearest: un("=F F", (a) => `H.quietF(H.nearest(${a}))`),
  f32_eq: fcmp("F", "==="),
  f32_ne: fcmp("F", "!=="),
  f32_lt: fcmp("F", "<"),
  f32_gt: fcmp("F", ">"),
  f32_le: fcmp("F", "<="),
  f32_ge: fcmp("F", ">="),
  f64_add: f64bin("+"),
  f64_sub: f64bin("-"),
  f64_mul: f64bin("*"),
  f64_div: f64bin("/"),
  f64_mul_add: ["=D D D D", (o) => `${o[0]} = ${o[1]} * ${o[2]} + ${o[3]};`],
  f64_min: ["=D D D", (o) => `${o[0]} = H.fmin(${o[1]}, ${o[2]});`],
  f64_max: ["=D D D", (o) => `${o[0]} = H.fmax(${o[1]}, ${o[2]});`],
  f64_copysign: [
    "=8 ~8 ~8",
    (o, s) =>
      s.kind(0) === "B"
        ? F64_BITS.copysign(s.pair(0), s.pair(1), s.pair(2))
        : `${o[0]} = H.copysign(${s.conv(1, "D")}, ${s.conv(2, "D")});`,
  ],
  f64_abs: [
    "=8 ~8",
    (o, s) =>
      s.kind(0) === "B"
        ? F64_BITS.abs(s.pair(0), s.pair(1))
        : `${o[0]} = ${signOp(s.conv(1, "D"), "Math.abs", "H.abs")};`,
  ],
  f64_neg: [
    "=8 ~8",
    (o, s) =>
      s.kind(0) === "B"
        ? F64_BITS.neg(s.pair(0), s.pair(1))
        : `${o[0]} = ${signOp(s.conv(1, "D"), "-", "H.neg")};`,
  ],
  f64_sqrt: un("=D D", (a) => `Math.sqrt(${a})`),
  f64_ceil: un("=D D", (a) => `H.quiet(Math.ceil(${a}))`),
  f64_floor: un("=D D", (a) => `H.quiet(Math.floor(${a}))`),
  f64_trunc: un("=D D", (a) => `H.quiet(Math.trunc(${a}))`),
  f64_nearest: un("=D D", (a) => `H.quiet(H.nearest(${a}))`),
  f64_eq: fcmp("D", "==="),
  f64_ne: fcmp("D", "!=="),
  f64_lt: fcmp("D", "<"),
  f64_gt: fcmp("D", ">"),
  f64_le: fcmp("D", "<="),
  f64_ge: fcmp("D", ">="),
  i32_trunc_f32_s: trunc("F", "32s", false),
  i32_trunc_f32_u: trunc("F", "32u", false),
  i32_trunc_f64_s: trunc("D", "32s", false),
  i32_trunc_f64_u: trunc("D", "32u", false),
  i64_trunc_f32_s: trunc("F", "64s", true),
  i64_trunc_f32_u: trunc("F", "64u", true),
  i64_trunc_f64_s: trunc("D", "64s", true),
  i64_trunc_f64_u: trunc("D", "64u", true),
  i32_trunc_sat_f32_s: un("=I F", (a) => `H.truncSat32(${a}, true)`),
  i32_trunc_sat_f32_u: un("=I F", (a) => `H.truncSat32(${a}, false)`),
  i32_trunc_sat_f64_s: un("=I D", (a) => `H.truncSat32(${a}, true)`),
  i32_trunc_sat_f64_u: un("=I D", (a) => `H.truncSat32(${a}, false)`),
  f32_convert_i32_s: un("=F I", (a) => `Math.fround(${a})`),
  f32_convert_i32_u: un("=F I", (a) => `Math.fround(${a} >>> 0)`),
  f64_convert_i32_s: un("=D I", (a) => `${a}`),
  f64_convert_i32_u: un("=D I", (a) => `${a} >>> 0`),
  f32_demote_f64: un("=F D", (a) => `Math.fround(${a})`),
  f64_promote_f32: un("=D F", (a) => `H.quietF(${a})`),
  f32_canon: ["+F", (o) => `if (${o[0]} !== ${o[0]}) ${o[0]} = NaN;`],
  f64_canon: [
    "+8",
    (o, s) =>
      s.kind(0) === "B" ? F64_BITS.canon(s.pair(0)) : `if (${o[0]} !== ${o[0]}) ${o[0]} = NaN;`,
  ],
  load32: ["=4 I", (o, s) => `${ea(o, 1, 2, 3)} ${check(4, s)} ${load32(o, s)}`],
  load8_s: ld(1, "getInt8"),
  load8_u: ld(1, "getUint8"),
  load16_s: ld(2, "getInt16"),
  load16_u: ld(2, "getUint16"),
  load64: ["=8 I", (o, s) => `${ea(o, 1, 2, 3)} ${check(8, s)} ${load64(o, s)}`],
  load64_8_s: ld64(1, "getInt8"),
  load64_8_u: ld64(1, "getUint8"),
  load64_16_s: ld64(2, "getInt16"),
  load64_16_u: ld64(2, "getUint16"),
  load64_32_s: ld64(4, "getInt32"),
  load64_32_u: ld64(4, "getUint32"),
  store32: ["I ~4", (o, s) => `${ea(o, 0, 2, 3)} ${check(4, s)} ${store32(o[1], s, 1)}`],
  store8: st(1, "setInt8"),
  store16: st(2, "setInt16"),
  store64: ["I ~8", (o, s) => `${ea(o, 0, 2, 3)} ${check(8, s)} ${store64(o[1], s, 1)}`],
  load32_x: ["=4 I", (o, s) => `${eax(o, 1, 2, 3, 4)} ${check(4, s)} ${load32(o, s)}`],
  load8_u_x: ["=I I", (o, s) => `${eax(o, 1, 2, 3, 4)} ${check(1, s)} ${o[0]} = M.getUint8(e);`],
  load64_x: ["=8 I", (o, s) => `${eax(o, 1, 2, 3, 4)} ${check(8, s)} ${load64(o, s)}`],
  store32_x: ["I ~4", (o, s) => `${eax(o, 0, 2, 3, 4)} ${check(4, s)} ${store32(o[1], s, 1)}`],
  store8_x: [
    "I ~4",
    (o, s) => `${eax(o, 0, 2, 3, 4)} ${check(1, s)} M.setInt8(e, ${s.conv(1, "I")});`,
  ],
  store64_x: ["I ~8", (o, s) => `${eax(o, 0, 2, 3, 4)} ${check(8, s)} ${store64(o[1], s, 1)}`],
  memory_size: [
    "=I",
    (o, s) =>
      s.kind(0) === "B"
        ? `${s.pair(0)[0]} = (ML / 65536) | 0; ${s.pair(0)[1]} = 0;`
        : `${o[0]} = (ML / 65536) | 0;`,
  ],
  // memory 0 with 64-bit addresses (`_js_memory64.ts`)
  load32_a64: ["=4 B", (o, s) => `${address64(s.pair(1), +o[2])} ${check(4, s)} ${load32(o, s)}`],
  load8_u_a64: [
    "=I B",
    (o, s) => `${address64(s.pair(1), +o[2])} ${check(1, s)} ${o[0]} = M.getUint8(e);`,
  ],
  load64_a64: ["=8 B", (o, s) => `${address64(s.pair(1), +o[2])} ${check(8, s)} ${load64(o, s)}`],
  store32_a64: [
    "B ~4",
    (o, s) => `${address64(s.pair(0), +o[2])} ${check(4, s)} ${store32(o[1], s, 1)}`,
  ],
  store8_a64: [
    "B ~4",
    (o, s) => `${address64(s.pair(0), +o[2])} ${check(1, s)} M.setInt8(e, ${s.conv(1, "I")});`,
  ],
  store64_a64: [
    "B ~8",
    (o, s) => `${address64(s.pair(0), +o[2])} ${check(8, s)} ${store64(o[1], s, 1)}`,
  ],
  // any access to memory 0 as the op `kind` does, at an address plus a 64-bit offset (the
  // kinds come from that op: see `opShape`)
  mem_load: ["=4 ~8", (o, s) => genericAccess(o, s, 1)],
  mem_store: ["~8 ~8", (o, s) => genericAccess(o, s, 0)],
  // (a table of the `any` hierarchy: its `refs`, the value a reference of kind `R`)
  table_get: [
    "=I I",
    (o, s) =>
      `e = ${o[2]} >>> 0; if (e >= X.tables[${o[1]}].size) ${s.trap(TABLE)} ${o[0]} = X.tables[${
        o[1]
      }].${s.kind(0) === "R" ? "refs" : "elems"}[e];`,
  ],
  table_set: [
    "I I",
    (o, s) =>
      `e = ${o[1]} >>> 0; if (e >= X.tables[${o[0]}].size) ${s.trap(TABLE)} X.tables[${o[0]}].${
        s.kind(2) === "R" ? "refs" : "elems"
      }[e] = ${o[2]};`,
  ],
  table_size: ["=I", (o) => `${o[0]} = X.tables[${o[1]}].size;`],
  vmctx_load: ["=I", (o) => `${o[0]} = V[${o[1]}];`],
};

Object.assign(ROWS, I64_ROWS);

// min/max with the kinds' own helpers (the placeholders above keep the row order readable)
ROWS.f32_min = ["=F F F", (o) => `${o[0]} = H.fmin(${o[1]}, ${o[2]});`];
ROWS.f32_max = ["=F F F", (o) => `${o[0]} = H.fmax(${o[1]}, ${o[2]});`];

/**
 * A generic access (`mem_load`, `mem_store`): the row of the op it does as,
 * its address statement replaced by one that adds the 64-bit offset.
 */
function genericAccess(o: string[], s: Site, addressAt: number): string {
  const text = ROWS[BYTECODE_OPS[Number(o[3])].name][1]([o[0], o[1], "0", "0"], s);
  const [lo, hi] = [Number(o[4]), Number(o[5])];
  const e = s.kind(addressAt) === "B"
    ? address64(s.pair(addressAt), lo, hi)
    : address32(s.conv(addressAt, "I"), lo, hi);
  return e + text.slice(text.indexOf(";") + 1);
}

/** Whether table `x` holds references of the `any` hierarchy (in its `refs`). */
function isGcTable(ctx: KindContext, x: number): boolean {
  return isGcRef(ctx.translation.tables[x].element);
}

/**
 * The row of an op, if the JS backend lowers it by a template.
 *
 * @param name the op's name
 * @returns its kinds and template
 */
export function jsOpRow(name: string): Row | undefined {
  return ROWS[name];
}

/**
 * The kind each register operand of a row's op is read as (by operand
 * index; undefined for a definition or a value of any kind): an f64 operand
 * kept as bits is converted where it is read.
 *
 * @param name the op's name
 * @returns kinds by operand index
 */
export function readKinds(name: string): (RegKind | undefined)[] {
  let out = READ_KINDS.get(name);
  if (out === undefined) READ_KINDS.set(name, out = computeReadKinds(name));
  return out;
}

const READ_KINDS = new Map<string, (RegKind | undefined)[]>();

function computeReadKinds(name: string): (RegKind | undefined)[] {
  const row = ROWS[name];
  const out: (RegKind | undefined)[] = [];
  if (row === undefined) return out;
  const toks = row[0] === "" ? [] : row[0].split(" ");
  let t = 0;
  BYTECODE_OPS.find((op) => op.name === name)!.operands.forEach((op, k) => {
    if (op.kind !== "r") return;
    const tok = toks[t++];
    out[k] = /^[IFDBR]$/.test(tok) ? tok as RegKind : undefined;
  });
  return out;
}

/** Ops the backend lowers by hand (control, calls, globals, constants, fuel, builtins). */
const SPECIAL = new Set([
  "trap",
  "br",
  "br_if",
  "br_unless",
  "br_table",
  "enter",
  "call",
  "call_fuel",
  "call_import",
  "call_indirect",
  "call_ref",
  "return_call",
  "return_call_import",
  "return_call_indirect",
  "return_call_ref",
  "throw",
  "throw_gc",
  "throw_ref",
  "return",
  "return_fuel",
  "fuel",
  "icount",
  "const32",
  "const64",
  "global_get",
  "global_get64",
  "global_set",
  "global_set64",
  "builtin",
]);

function parseKind(
  tok: string,
): [def: boolean, use: boolean, kind: RegKind | undefined, wide: boolean] {
  const def = tok.startsWith("=") || tok.startsWith("+");
  const use = !tok.startsWith("=");
  const k = tok.replace(/^[=+~]/, "");
  if (k === "4") return [def, use, undefined, false];
  if (k === "8") return [def, use, undefined, true];
  return [def, use, k as RegKind, k === "B" || k === "D"];
}

/**
 * The registers an instruction reads and writes with their kinds, or why
 * the JS backend does not lower it.
 *
 * @param ins the instruction
 * @param ctx the module facts (callee and global types)
 * @returns its shape, or the reason
 */
export function opShape(
  ins: IrInst,
  ctx: KindContext,
  results: readonly ValType[],
): OpShape | string {
  // an access to another memory has the shape of the memory-0 op it runs as
  const access = memoryAccess(ins);
  if (access !== undefined) return opShape(access.ins, ctx, results);
  const info = BYTECODE_OPS[ins.op];
  const name = info.name;
  const o = ins.operands;
  const uses: RegOperand[] = [];
  const defs: RegOperand[] = [];
  const same: number[][] = [];
  const soft: [number, number][] = [];
  if (name === "return" || name === "return_fuel") {
    results.forEach((r, j) => {
      const [k, wide] = softKindOf(r);
      uses.push([j, k, 100 + j, wide, true]);
    });
    return { uses, defs, same, soft };
  }
  if (SPECIAL.has(name)) {
    const reg = (k: number) => o[k] as number;
    switch (name) {
      case "br_if":
      case "br_unless":
      case "br_table":
        uses.push([reg(0), "I", 0, false, true]);
        break;
      case "const32":
        defs.push([reg(0), undefined, 0, false]);
        break;
      case "throw":
      case "throw_gc": {
        const t = ctx.translation;
        t.types[t.tags[reg(0)]].params.forEach((p, j) => {
          const [k, wide] = softKindOf(p);
          uses.push([reg(1) + j, k, 100 + j, wide, true]);
        });
        break;
      }
      case "throw_ref":
        uses.push([reg(0), "I", 0, false]);
        break;
      case "const64":
        defs.push([reg(0), undefined, 0, true]);
        break;
      case "global_get":
      case "global_get64": {
        const [k, wide] = softKindOf(globalType(ctx, reg(1)));
        defs.push([reg(0), k, 0, wide]);
        break;
      }
      case "global_set":
      case "global_set64": {
        const [k, wide] = softKindOf(globalType(ctx, reg(0)));
        uses.push([reg(1), k, 1, wide, true]);
        break;
      }
      case "builtin": {
        const base = reg(3);
        const b = builtinKinds(ctx.translation, reg(0), reg(1), reg(2));
        b.params.forEach((k, j) => uses.push([base + j, k, 100 + j, k === "B"]));
        b.results.forEach((k, j) => defs.push([base + j, k, 1000 + j, k === "B"]));
        break;
      }
      default: {
        // the calls (and tail calls); the other special ops name no register
        const t = callType(ctx, name, o);
        if (t === undefined) break;
        const base = reg(info.operands.findIndex((x) => x.name === "base"));
        // the callee's table index or function reference
        const callee = info.operands.findIndex((x) => x.kind === "r" && x.name !== "base");
        if (callee >= 0) uses.push([reg(callee), "I", callee, false, true]);
        t.params.forEach((p, j) => {
          const [k, wide] = softKindOf(p);
          uses.push([base + j, k, 100 + j, wide, true]);
        });
        if (name.startsWith("return_call") && [...t.params, ...t.results].includes(0x7b)) {
          return "a tail call with v128 values";
        }
        // a tail call of a wasm function does not come back (of a host function, it does)
        if (name !== "return_call") {
          t.results.forEach((r, j) => {
            const [k, wide] = softKindOf(r);
            defs.push([base + j, k, 1000 + j, wide]);
          });
        }
        return { uses, defs, same, soft, call: t };
      }
    }
    return { uses, defs, same, soft };
  }
  if (isJsSimdOp(name)) return jsSimdShape(ins);
  if (isJsGcOp(name)) return jsGcShape(ins);
  const row = ROWS[name];
  if (row === undefined) return `op ${name}`;
  let kinds = row[0];
  if (name === "mem_load" || name === "mem_store") {
    const g = genericAccessKinds(ctx.translation, o, (n) => ROWS[n]?.[0]);
    if (g === undefined) return `op ${name} of a memory other than 0`;
    kinds = g.kinds;
  } else if (name === "memory_size" && isMemory64(ctx.translation, o[1] as number)) kinds = "=B";
  else if (name === "table_get" && isGcTable(ctx, o[1] as number)) kinds = "=R I";
  else if (name === "table_set" && isGcTable(ctx, o[0] as number)) kinds = "I R";
  const toks = kinds === "" ? [] : kinds.split(" ");
  let t = 0;
  const wildDefs: number[] = [];
  const wildUses: number[] = [];
  info.operands.forEach((op, k) => {
    if (op.kind !== "r") return;
    const tok = toks[t++];
    const [def, use, kind, wide] = parseKind(tok);
    if (use && def) {
      uses.push([o[k] as number, kind, 100 + k, wide]);
      defs.push([o[k] as number, kind, k, wide]);
      same.push([100 + k, k]);
      return;
    }
    if (def) {
      defs.push([o[k] as number, kind, k, wide]);
      if (kind === undefined) wildDefs.push(k);
    } else if (tok.startsWith("~")) {
      uses.push([o[k] as number, undefined, k, wide]);
      wildUses.push(k);
    } else uses.push([o[k] as number, kind, k, wide, true]);
  });
  for (const d of wildDefs) for (const u of wildUses) soft.push([d, u]);
  return { uses, defs, same, soft };
}
