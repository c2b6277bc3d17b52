/**
 * The JS backend's i64 values as pairs of int32 locals, and the rows of the
 * ops that compute on them (see `_js_op_shapes.ts` for the row format).
 *
 * An i64 register `r` (kind `B`, see `_js_kinds.ts`) is two JS locals: `b<r>`
 * its low 32 bits and `h<r>` its high 32 bits, each an int32 number. In
 * generated code an i64 value is a {@link Pair} of expressions, the low one
 * evaluated first (a pair converted from an f64's bits reads the high half
 * from the scratch the low half's expression filled): a template that reads a
 * pair's halves out of that order, or twice, gets them as locals or literals
 * (`Site.pair`).
 *
 * What was measured (Deno 2.9, V8 15; a shared 2-core machine, ratios
 * within one run): a 64x64 multiply from 16-bit limbs with `Math.imul` ran
 * ~3x faster than the same multiply through a `BigInt64Array` scratch or
 * BigInt locals in a loop that also adds and xors; but in the hash64 kernel,
 * whose hot loop V8 lowers to 64-bit machine words when every value stays a
 * BigInt local (`BigInt.asIntN(64, ...)` around each op), the halves run
 * ~1.7x slower than those BigInts (several int32 ops per i64 op, and
 * deoptimisations while `+` of halves first overflows int32). So:
 * - add, sub, logic, shifts, rotates, compares, extends and wraps are int32
 *   arithmetic on the halves (a carry or an unsigned compare by flipping the
 *   sign bits, never `>>> 0`, which leaves int32 arithmetic); `i64.mul` is
 *   three `Math.imul`s and the high 32 bits of the low halves' product from
 *   doubles (see `mul`: about 15% faster on hash64's loop than from the
 *   four `Math.imul`s of their 16-bit limbs);
 * - a bitwise op with a literal half folds it (`x & 0` is `0`, `x & -1` is
 *   `x`, ...), and a half that is a literal afterwards is left to the backend
 *   to read as one (`_js_fold.ts`): the high halves of 32-bit values kept in
 *   i64s (zero extensions, masks, unsigned shifts by 32 or more) mostly
 *   vanish;
 * - loads and stores are two 32-bit accesses (little-endian: low half first);
 * - division and remainder go through `H.divS`/`divU`/`remS`/`remU` (in
 *   doubles where that is exact: quotients of 32-bit operands, remainders
 *   of 53-bit ones; through BigInt otherwise), their traps checked on the
 *   halves first; float conversions are exact from the halves
 *   (`hi * 2^32 + lo` rounds once to f64; f32 through the interpreter's
 *   sticky-bit rounding);
 * - across a call between JS-tier functions an i64 is two arguments, an i64
 *   result is returned as its low half with the high half in `RVB[1]` (the
 *   store's result scratch; result `j > 0` in `RVB[2j]`, `RVB[2j + 1]`);
 *   in VM slots and globals it is the slot's two words. BigInt only appears
 *   inside the helpers (division, `mul_wide`).
 *
 * Invariants:
 * - A template writes its destination pair only after it has read every
 *   operand (a destination may be an operand's register): results that need
 *   an operand after a half is written go through the scratch locals `tl`,
 *   `th`, `tu`, `tx` (int32) first.
 * - Every half is an int32 (`| 0` wherever an unsigned shift or a sum could
 *   leave it outside).
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import type { RegKind, Site } from "./_js_op_shapes.ts";

/** An i64 in generated code: its low and high 32-bit halves, as expressions. */
export type Pair = readonly [lo: string, hi: string];

/** A value in generated code: an expression, or a {@link Pair} for an i64 (`B`). */
export type Val = string | Pair;

type Template = (o: string[], s: Site) => string;
type Row = readonly [string, Template];

/** The scratch locals i64 templates use (declared in every function). */
export const I64_SCRATCH = "tl = 0, th = 0, tu = 0, tx = 0";

/**
 * The high-half local of an i64 register's low-half local (`b5` → `h5`).
 *
 * @param lo the low half's local
 * @returns the high half's local
 */
export function hiLocal(lo: string): string {
  return `h${lo.slice(1)}`;
}

/** Whether an expression is a local or a literal (cheap to read twice, no side effects). */
export function isSimple(x: string): boolean {
  return /^(\(?-?\d+\)?|[a-z]\d+|RVB\[\d+\])$/.test(x);
}

/**
 * A value of kind `from` as an i64 pair, bits kept (an i32 sign-extended, as
 * the translator folds `i64.extend_i32_s` away only where that is what it means).
 *
 * @param x the value (a pair when `from` is `B`)
 * @param from its kind
 * @returns the pair (its high half may read what the low half's expression stored)
 */
export function toPair(x: Val, from: RegKind): Pair {
  if (typeof x !== "string") return x;
  switch (from) {
    case "I":
      return [x, isLiteral(x) ? String(Number(strip(x)) >> 31) : `${x} >> 31`];
    case "F":
      return isSimple(x)
        ? [`H.bf32(${x})`, `H.bf32(${x}) >> 31`]
        : [`(T32[0] = H.bf32(${x}))`, `T32[0] >> 31`];
    default:
      return isSimple(x)
        ? [`(TD[0] = ${x}, T32[0])`, `(TD[0] = ${x}, T32[1])`]
        : [`(TD[0] = ${x}, T32[0])`, `T32[1]`];
  }
}

/**
 * An i64 pair as a value of kind `to` (bits kept; `I` and `F` take the low half).
 *
 * @param p the pair
 * @param to the kind (not `B`)
 * @returns the expression
 */
export function fromPair(p: Pair, to: RegKind): string {
  switch (to) {
    case "I":
      return p[0];
    case "F":
      return `H.f32b(${p[0]})`;
    default:
      // through memory, reading the f64 twice rather than calling the helper but for a NaN
      return `(T32[0] = ${p[0]}, T32[1] = ${p[1]}, TD[0] === TD[0] ? TD[0] : H.quiet(TD[0]))`;
  }
}

/** The statements storing pair `v` into the pair of locals `d` (`v` read in order). */
export function assignPair(d: Pair, v: Pair): string {
  if (d[0] === v[0] && d[1] === v[1]) return "";
  if (v[1] === d[0]) return `tl = ${v[0]}; ${d[1]} = ${v[1]}; ${d[0]} = tl;`;
  return `${d[0]} = ${v[0]}; ${d[1]} = ${v[1]};`;
}

/**
 * The two words of VM slot `slot` as a pair.
 *
 * @param slot the slot (an expression)
 * @returns the pair
 */
export function slotPair(slot: string): Pair {
  return [`I32[(${slot}) << 1]`, `I32[((${slot}) << 1) + 1]`];
}

/**
 * Where result `j` of a JS-tier call is found (`j > 0`; the first is returned).
 *
 * @param k its kind
 * @param j its index
 * @returns an expression, a pair for an i64
 */
export function extraResult(k: RegKind, j: number): Val {
  return k === "B" ? [`RVB[${2 * j}]`, `RVB[${2 * j + 1}]`] : `RV${k}[${j}]`;
}

/**
 * The statement that returns `v` (of kind `k`) as a JS-tier function's first
 * result: an i64's high half goes to `RVB[1]`.
 *
 * @param k its kind
 * @param v the value
 * @returns the statement
 */
export function returnValue(k: RegKind, v: Val): string {
  return k === "B" ? `RVB[1] = ${v[1]}; return ${v[0]};` : `return ${v as string};`;
}

/**
 * The value a JS-tier call expression gives as its first result.
 *
 * @param k the callee's result kind
 * @param call the call expression
 * @returns its value (for an i64, the call then `RVB[1]`)
 */
export function callResult(k: RegKind, call: string): Val {
  return k === "B" ? [call, "RVB[1]"] : call;
}

const isLiteral = (x: string) => /^\(?-?\d+\)?$/.test(x);
const strip = (x: string) => x.replace(/[()]/g, "");
/** An int32 read as unsigned: a literal folded, else `(x >>> 0)` (a double past 2^31). */
const u = (x: string) => isLiteral(x) ? String(Number(strip(x)) >>> 0) : `(${x} >>> 0)`;
/**
 * An int32 with its sign bit flipped, so that a signed compare of two is the
 * unsigned compare of the originals (and stays an int32 compare: `>>> 0`
 * would make V8 leave int32 arithmetic, after a deoptimisation).
 */
const flip = (x: string) =>
  isLiteral(x) ? `(${Number(strip(x)) ^ -2147483648})` : `(${x} ^ -2147483648)`;
/** A literal shift amount's value, or undefined. */
const lit = (x: string) => isLiteral(x) ? Number(strip(x)) : undefined;

const DIV0 = TrapCode.IntegerDivisionByZero;
const OVF = TrapCode.IntegerOverflow;

/** An int32 as a literal operand (parenthesised when negative). */
const literal = (v: number) => v < 0 ? `(${v})` : String(v);

/**
 * `d = v` for one half, nothing when `v` is `d` itself (the backend keeps a
 * literal's store pending: see `js_backend.ts`).
 */
const half = (d: string, v: string) => d === v ? "" : `${d} = ${v};`;

/** `x + y` or `x - y` of int32s as an int32, a literal zero or two literals folded. */
const sum = (x: string, op: string, y: string) => {
  const [a, b] = [lit(x), lit(y)];
  if (a !== undefined && b !== undefined) return literal(op === "+" ? (a + b) | 0 : (a - b) | 0);
  return y === "0" ? x : x === "0" && op === "+" ? y : `(${x} ${op} ${y}) | 0`;
};

/** `d = a + b` (no carry when a low half is a literal zero). */
function add(d: Pair, a: Pair, b: Pair): string {
  if (a[0] === "0" || b[0] === "0") {
    return `${half(d[1], sum(a[1], "+", b[1]))} ${half(d[0], a[0] === "0" ? b[0] : a[0])}`.trim();
  }
  const hi = b[1] === "0" ? a[1] : a[1] === "0" ? b[1] : `((${a[1]} + ${b[1]}) | 0)`;
  return `tl = (${a[0]} + ${b[0]}) | 0; ${d[1]} = (${hi} + ((tl ^ -2147483648) < ${
    flip(a[0])
  } ? 1 : 0)) | 0; ${d[0]} = tl;`;
}

/** `d = a - b` (no borrow when `b`'s low half is a literal zero). */
function sub(d: Pair, a: Pair, b: Pair): string {
  if (b[0] === "0") return `${half(d[1], sum(a[1], "-", b[1]))} ${half(d[0], a[0])}`.trim();
  const hi = b[1] === "0" ? a[1] : `((${a[1]} - ${b[1]}) | 0)`;
  return `tl = (${a[0]} - ${b[0]}) | 0; ${d[1]} = (${hi} - (${flip(a[0])} < ${
    flip(b[0])
  } ? 1 : 0)) | 0; ${d[0]} = tl;`;
}

/**
 * `d = a * b` (the low 64 bits). The high word of the low halves' unsigned
 * product comes from doubles: `p`, that product rounded to a double, is
 * within 2^10 of it, and so is `p` less its exact low word (`Math.imul`)
 * rounded again, within 2^11 of the high word times 2^32; scaled by 2^-32
 * that is within 2^-21 of the high word, which adding 1/2 and truncating
 * gives exactly (an int32 by `| 0`, modulo 2^32). Six machine operations
 * where 16-bit limbs take about twenty. The scaling by 2^-32 comes first
 * (`a * 2^-32 * b - lo * 2^-32`: the same doubles, scaled exactly), so that
 * no multiply sees two small integers: V8's Maglev, the one optimising tier
 * of a function past TurboFan's size limit, speculates a product of small
 * integers is one and deoptimises when it is not. Each sum is truncated
 * where it is made (`(x + y) | 0`), for the same reason.
 */
function mul(d: Pair, a: Pair, b: Pair): string {
  // the cross products, but those of a literal zero high half
  const cross = [[a[0], b[1]], [a[1], b[0]]].filter(([, y]) => y !== "0")
    .filter(([x]) => x !== "0").map(([x, y]) => `Math.imul(${x}, ${y})`);
  const hi = cross.reduce((acc, c) => `(${acc === "th" ? acc : `(${acc})`} + ${c}) | 0`, "th");
  return `tl = Math.imul(${a[0]}, ${b[0]}); th = (${u(a[0])} * ${TWO_TO_MINUS_32} * ${
    u(b[0])
  } - (tl >>> 0) * ${TWO_TO_MINUS_32} + 0.5) | 0; ${d[1]} = ${hi}; ${d[0]} = tl;`;
}

/** 2^-32 as a JS literal. */
const TWO_TO_MINUS_32 = "2.3283064365386963e-10";

/**
 * One half of a bitwise `op`, folded where an operand is a literal: `x & 0`
 * is `0`, `x & -1`, `x | 0` and `x ^ 0` are `x`, `x | -1` is `-1`, `x ^ -1`
 * is `~x` (fewer bytes of bytecode than an xor with a literal), two literals
 * their result.
 */
function logicHalf(op: string, a: string, b: string): string {
  const [x, y] = [lit(a), lit(b)];
  if (x !== undefined && y !== undefined) {
    return literal(op === "&" ? x & y : op === "|" ? x | y : x ^ y);
  }
  const [k, v] = x !== undefined ? [x, b] : [y, a];
  if (k === undefined) return `${a} ${op} ${b}`;
  if (k === 0) return op === "&" ? "0" : v;
  if (k === -1) return op === "&" ? v : op === "|" ? "(-1)" : `~${v}`;
  return `${a} ${op} ${b}`;
}

/** Bitwise `op` of each half (no half reads another's result). */
function logic(op: string): (d: Pair, a: Pair, b: Pair) => string {
  return (d, a, b) =>
    [half(d[1], logicHalf(op, a[1], b[1])), half(d[0], logicHalf(op, a[0], b[0]))]
      .filter((t) => t !== "").join(" ");
}

/** `d = a << k` for a constant `k` in 0..63. */
function shlK(d: Pair, a: Pair, k: number): string {
  if (k === 0) return assignPair(d, a);
  if (k < 32) {
    return `${d[1]} = (${a[1]} << ${k}) | (${a[0]} >>> ${32 - k}); ${d[0]} = ${a[0]} << ${k};`;
  }
  return `${d[1]} = ${a[0]} << ${k - 32}; ${d[0]} = 0;`;
}

/** `d = a >> k` (signed or not) for a constant `k` in 0..63. */
function shrK(d: Pair, a: Pair, k: number, signed: boolean): string {
  if (k === 0) return assignPair(d, a);
  const hiShift = signed ? ">>" : ">>>";
  if (k < 32) {
    return `${d[0]} = (${a[0]} >>> ${k}) | (${a[1]} << ${32 - k}); ${d[1]} = ${
      signed ? `${a[1]} >> ${k}` : `(${a[1]} >>> ${k}) | 0`
    };`;
  }
  const lo = k === 32 ? a[1] : `(${a[1]} ${hiShift} ${k - 32}) | 0`;
  return `${d[0]} = ${lo}; ${d[1]} = ${signed ? `${a[1]} >> 31` : "0"};`;
}

/** `d = rotl(a, k)` for a constant `k` in 0..63. */
function rotlK(d: Pair, a: Pair, k: number): string {
  if (k === 0) return assignPair(d, a);
  const [x, y] = k < 32 ? [a[0], a[1]] : [a[1], a[0]];
  const s = k & 31;
  if (s === 0) return `tl = ${x}; ${d[1]} = ${y}; ${d[0]} = tl;`;
  return `tl = (${x} << ${s}) | (${y} >>> ${32 - s}); ${d[1]} = (${y} << ${s}) | (${x} >>> ${
    32 - s
  }); ${d[0]} = tl;`;
}

/** `d = a << n` for an amount `n` (its low 6 bits). */
function shl(d: Pair, a: Pair, n: string): string {
  const k = lit(n);
  if (k !== undefined) return shlK(d, a, k & 63);
  return `tu = ${n} & 63; if (tu & 32) { ${d[1]} = ${a[0]} << tu; ${d[0]} = 0; } ` +
    `else if (tu !== 0) { ${d[1]} = (${a[1]} << tu) | (${a[0]} >>> (32 - tu)); ${d[0]} = ${
      a[0]
    } << tu; } else { ${assignPair(d, a)} }`;
}

/** `d = a >> n` (signed or not) for an amount `n` (its low 6 bits). */
function shr(d: Pair, a: Pair, n: string, signed: boolean): string {
  const k = lit(n);
  if (k !== undefined) return shrK(d, a, k & 63, signed);
  const far = signed
    ? `${d[0]} = ${a[1]} >> tu; ${d[1]} = ${a[1]} >> 31;`
    : `${d[0]} = (${a[1]} >>> tu) | 0; ${d[1]} = 0;`;
  const near = `${d[0]} = (${a[0]} >>> tu) | (${a[1]} << (32 - tu)); ${d[1]} = ${
    signed ? `${a[1]} >> tu` : `(${a[1]} >>> tu) | 0`
  };`;
  return `tu = ${n} & 63; if (tu & 32) { ${far} } else if (tu !== 0) { ${near} } else { ${
    assignPair(d, a)
  } }`;
}

/** `d = rotl(a, n)` (`rotr` with `n` negated) for an amount `n` (its low 6 bits). */
function rotl(d: Pair, a: Pair, n: string, right: boolean): string {
  const k = lit(n);
  if (k !== undefined) return rotlK(d, a, (right ? -k : k) & 63);
  return `tu = ${right ? `-${n}` : n} & 63; if (tu & 32) { tl = ${a[1]}; th = ${a[0]}; } ` +
    `else { tl = ${a[0]}; th = ${a[1]}; } tu &= 31; if (tu !== 0) { ${d[0]} = (tl << tu) | ` +
    `(th >>> (32 - tu)); ${d[1]} = (th << tu) | (tl >>> (32 - tu)); } else { ${d[0]} = tl; ${
      d[1]
    } = th; }`;
}

/** An i64 compare into an i32 0/1: `op` is `<`, `<=`, `>` or `>=`. */
function order(op: string, unsigned: boolean): Template {
  const strict = op[0];
  return (o, s) => {
    const [a, b] = [s.pair(1), s.pair(2)];
    const hi = unsigned ? `${flip(a[1])} ${strict} ${flip(b[1])}` : `${a[1]} ${strict} ${b[1]}`;
    return `${o[0]} = ${hi} || (${a[1]} === ${b[1]} && ${flip(a[0])} ${op} ${flip(b[0])}) ? 1 : 0;`;
  };
}

const bin = (f: (d: Pair, a: Pair, b: Pair) => string): Row => [
  "=B B B",
  (_, s) => f(s.pair(0), s.pair(1), s.pair(2)),
];
/** A binary op with a 64-bit constant (its halves are immediates 2 and 3). */
const binK = (f: (d: Pair, a: Pair, b: Pair) => string): Row => [
  "=B B",
  (o, s) => f(s.pair(0), s.pair(1), [String(Number(o[2]) | 0), String(Number(o[3]) | 0)]),
];
const shiftI = (f: (d: Pair, a: Pair, n: string) => string): Row => [
  "=B B",
  (o, s) => f(s.pair(0), s.pair(1), String(Number(o[2]) & 63)),
];
const un = (kinds: string, f: (d: Pair, a: Pair, s: Site) => string): Row => [
  kinds,
  (_, s) => f(s.pair(0), s.pair(1), s),
];
/** A sign extension of the low `bits` bits. */
const extendS = (bits: number): Row =>
  un("=B B", (d, a) => {
    const lo = bits === 32 ? a[0] : `(${a[0]} << ${32 - bits}) >> ${32 - bits}`;
    return `${d[0]} = ${lo}; ${d[1]} = ${d[0]} >> 31;`;
  });
const divRem = (op: "divS" | "divU" | "remS" | "remU"): Row => [
  "=B B B",
  (_, s) => {
    const [d, a, b] = [s.pair(0), s.pair(1), s.pair(2)];
    const ovf = op === "divS"
      ? ` if (${a[1]} === -2147483648 && ${a[0]} === 0 && ${b[0]} === -1 && ${b[1]} === -1) ${
        s.trap(OVF)
      }`
      : "";
    return `if ((${b[0]} | ${b[1]}) === 0) ${s.trap(DIV0)}${ovf} H.${op}(${a[0]}, ${a[1]}, ${
      b[0]
    }, ${b[1]}); ${d[0]} = HP[0]; ${d[1]} = HP[1];`;
  },
];

/** The rows of the ops on i64 values (merged into the backend's table). */
export const I64_ROWS: Readonly<Record<string, Row>> = {
  i64_add: bin(add),
  i64_sub: bin(sub),
  i64_mul: bin(mul),
  i64_and: bin(logic("&")),
  i64_or: bin(logic("|")),
  i64_xor: bin(logic("^")),
  i64_shl: bin((d, a, b) => shl(d, a, b[0])),
  i64_shr_s: bin((d, a, b) => shr(d, a, b[0], true)),
  i64_shr_u: bin((d, a, b) => shr(d, a, b[0], false)),
  i64_rotl: bin((d, a, b) => rotl(d, a, b[0], false)),
  i64_rotr: bin((d, a, b) => rotl(d, a, b[0], true)),
  i64_div_s: divRem("divS"),
  i64_div_u: divRem("divU"),
  i64_rem_s: divRem("remS"),
  i64_rem_u: divRem("remU"),
  i64_eq: [
    "=I B B",
    (o, s) => {
      const [a, b] = [s.pair(1), s.pair(2)];
      return `${o[0]} = ${a[0]} === ${b[0]} && ${a[1]} === ${b[1]} ? 1 : 0;`;
    },
  ],
  i64_ne: [
    "=I B B",
    (o, s) => {
      const [a, b] = [s.pair(1), s.pair(2)];
      return `${o[0]} = ${a[0]} !== ${b[0]} || ${a[1]} !== ${b[1]} ? 1 : 0;`;
    },
  ],
  i64_lt_s: ["=I B B", order("<", false)],
  i64_lt_u: ["=I B B", order("<", true)],
  i64_gt_s: ["=I B B", order(">", false)],
  i64_gt_u: ["=I B B", order(">", true)],
  i64_le_s: ["=I B B", order("<=", false)],
  i64_le_u: ["=I B B", order("<=", true)],
  i64_ge_s: ["=I B B", order(">=", false)],
  i64_ge_u: ["=I B B", order(">=", true)],
  i64_add_i: [
    "=B B",
    (o, s) => {
      const v = Number(o[2]) | 0;
      return add(s.pair(0), s.pair(1), [String(v), String(v >> 31)]);
    },
  ],
  i64_add_k: binK(add),
  i64_mul_k: binK(mul),
  i64_and_k: binK(logic("&")),
  i64_or_k: binK(logic("|")),
  i64_xor_k: binK(logic("^")),
  i64_shl_i: shiftI(shl),
  i64_shr_s_i: shiftI((d, a, n) => shr(d, a, n, true)),
  i64_shr_u_i: shiftI((d, a, n) => shr(d, a, n, false)),
  i64_rotl_i: shiftI((d, a, n) => rotl(d, a, n, false)),
  i64_eqz: ["=I B", (o, s) => `${o[0]} = (${s.pair(1)[0]} | ${s.pair(1)[1]}) === 0 ? 1 : 0;`],
  i64_clz: un(
    "=B B",
    (d, a) =>
      `${d[0]} = ${a[1]} !== 0 ? Math.clz32(${a[1]}) : 32 + Math.clz32(${a[0]}); ${d[1]} = 0;`,
  ),
  i64_ctz: un(
    "=B B",
    (d, a) => `${d[0]} = ${a[0]} !== 0 ? H.ctz32(${a[0]}) : 32 + H.ctz32(${a[1]}); ${d[1]} = 0;`,
  ),
  i64_popcnt: un(
    "=B B",
    (d, a) => `${d[0]} = H.popcnt32(${a[0]}) + H.popcnt32(${a[1]}); ${d[1]} = 0;`,
  ),
  i64_extend8_s: extendS(8),
  i64_extend16_s: extendS(16),
  i64_extend32_s: extendS(32),
  i64_extend_i32_u: ["=B I", (o, s) => `${s.pair(0)[1]} = 0; ${s.pair(0)[0]} = ${o[1]};`],
  i64_extend_i32_s: [
    "=B I",
    (o, s) => `${s.pair(0)[1]} = ${o[1]} >> 31; ${s.pair(0)[0]} = ${o[1]};`,
  ],
  f32_convert_i64_s: ["=F B", (o, s) => `${o[0]} = H.f32FromI64(${s.pair(1).join(", ")});`],
  f32_convert_i64_u: ["=F B", (o, s) => `${o[0]} = H.f32FromU64(${s.pair(1).join(", ")});`],
  // one rounding: hi * 2^32 is exact, so the sum is the i64 rounded once
  f64_convert_i64_s: [
    "=D B",
    (o, s) => `${o[0]} = ${s.pair(1)[1]} * 4294967296 + ${u(s.pair(1)[0])};`,
  ],
  f64_convert_i64_u: [
    "=D B",
    (o, s) => `${o[0]} = ${u(s.pair(1)[1])} * 4294967296 + ${u(s.pair(1)[0])};`,
  ],
  i64_trunc_sat_f32_s: ["=B F", (o, s) => truncSat(s.pair(0), o[1], true)],
  i64_trunc_sat_f32_u: ["=B F", (o, s) => truncSat(s.pair(0), o[1], false)],
  i64_trunc_sat_f64_s: ["=B D", (o, s) => truncSat(s.pair(0), o[1], true)],
  i64_trunc_sat_f64_u: ["=B D", (o, s) => truncSat(s.pair(0), o[1], false)],
  i64_add128: ["=B =B B B B B", (_, s) => wide("add128", s, 6)],
  i64_sub128: ["=B =B B B B B", (_, s) => wide("sub128", s, 6)],
  i64_mul_wide_s: ["=B =B B B", (_, s) => wide("mulWideS", s, 4)],
  i64_mul_wide_u: ["=B =B B B", (_, s) => wide("mulWideU", s, 4)],
};

function truncSat(d: Pair, x: string, signed: boolean): string {
  return `H.truncSat64(${x}, ${signed}); ${d[0]} = HP[0]; ${d[1]} = HP[1];`;
}

/**
 * A wide-arithmetic op through its helper: operands 2.. read as pairs into
 * the helper's arguments, the four result words from `HP`.
 */
function wide(helper: string, s: Site, n: number): string {
  const args: string[] = [];
  for (let k = 2; k < n; k++) args.push(...s.pair(k));
  const [lo, hi] = [s.pair(0), s.pair(1)];
  return `H.${helper}(${args.join(", ")}); ${lo[0]} = HP[0]; ${lo[1]} = HP[1]; ${hi[0]} = HP[2]; ${
    hi[1]
  } = HP[3];`;
}

/**
 * An i64 float-to-int truncation with its traps (NaN, out of range): the
 * truncated double split into halves (exact: `ToInt32` is modulo 2^32).
 *
 * @param x the float operand
 * @param d the destination pair
 * @param kind `"64s"` or `"64u"`
 * @param s the site
 * @returns the statements
 */
export function truncToPair(x: string, d: Pair, kind: string, s: Site): string {
  return `if (${x} !== ${x}) ${
    s.trap(TrapCode.BadConversionToInteger)
  } if (!H.truncFits(${x}, "${kind}")) ${s.trap(OVF)} e = Math.trunc(${x}); ${d[0]} = e | 0; ${
    d[1]
  } = Math.floor(e / 4294967296) | 0;`;
}

/**
 * A load of `n` bytes into a pair at address `e` (`get` the DataView
 * getter of the low half; narrower loads extend into the high half).
 *
 * @param d the destination pair
 * @param n the access size
 * @param get the getter of the low half
 * @returns the statements
 */
export function loadPair(d: Pair, n: number, get: string): string {
  if (n === 8) return `${d[0]} = M.getInt32(e, true); ${d[1]} = M.getInt32(e + 4, true);`;
  const lo = `${d[0]} = M.${get}(e${n > 1 ? ", true" : ""});`;
  if (get === "getUint32") return `${d[0]} = M.getInt32(e, true); ${d[1]} = 0;`;
  return `${lo} ${d[1]} = ${get.startsWith("getUint") ? "0" : `${d[0]} >> 31`};`;
}

/**
 * A store of pair `v` at address `e` (two 32-bit writes, low half first).
 *
 * @param v the value
 * @returns the statements
 */
export function storePair(v: Pair): string {
  return `M.setInt32(e, ${v[0]}, true); M.setInt32(e + 4, ${v[1]}, true);`;
}

/** The f64 bit operations on an f64 kept as i64 bits: `abs`, `neg`, `copysign`, `canon`. */
export const F64_BITS = {
  abs: (d: Pair, a: Pair) => `${d[1]} = ${a[1]} & 0x7fffffff; ${d[0]} = ${a[0]};`,
  neg: (d: Pair, a: Pair) => `${d[1]} = ${a[1]} ^ -2147483648; ${d[0]} = ${a[0]};`,
  copysign: (d: Pair, a: Pair, b: Pair) =>
    `${d[1]} = (${a[1]} & 0x7fffffff) | (${b[1]} & -2147483648); ${d[0]} = ${a[0]};`,
  canon: (d: Pair) =>
    `if ((${d[1]} & 0x7fffffff) > 0x7ff00000 || ((${d[1]} & 0x7fffffff) === 0x7ff00000 && ${
      d[0]
    } !== 0)) { ${d[1]} = 0x7ff80000; ${d[0]} = 0; }`,
};

/**
 * A value as argument text: a pair's halves as two arguments, low first.
 *
 * @param v the value
 * @returns the text
 */
export function flat(v: Val): string {
  return typeof v === "string" ? v : `${v[0]}, ${v[1]}`;
}

/**
 * The statement(s) storing value `v` into destination `d` (locals or
 * typed-array elements), both of kind `k`.
 *
 * @param k the kind
 * @param d the destination
 * @param v the value
 * @returns the statements
 */
export function assignVal(k: RegKind, d: Val, v: Val): string {
  return k === "B" ? assignPair(d as Pair, v as Pair) : `${d as string} = ${v as string};`;
}

/**
 * The JS parameter names of values of kinds `kinds`, an i64 taking two.
 *
 * @param kinds the values' kinds
 * @param name the name of value `j` (its high half's name adds `h`)
 * @returns each value's name(s)
 */
export function pairedNames(kinds: readonly RegKind[], name: (j: number) => string): Val[] {
  return kinds.map((k, j) => k === "B" ? [name(j), `${name(j)}h`] : name(j));
}
