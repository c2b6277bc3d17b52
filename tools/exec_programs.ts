/**
 * Seeded random valid programs for executing differentially on several
 * engines (the interpreter, the JS tier, native WebAssembly): every module
 * has the same shape, so a driver can run any of them the same way.
 *
 * The shape:
 * - a memory (`memory`, 1 page, at most 2), four mutable globals (one per
 *   numeric type), a table of 8 `funcref`s holding some helpers (the rest
 *   are null);
 * - helpers `$h0..` of random signatures (numeric parameters, 0 to 2
 *   results) whose bodies call only helpers declared before them, so no
 *   recursion and no stack exhaustion;
 * - the exports `run(i32, i32) -> i64` (the program) and `globals() -> i64`
 *   (a mix of the globals' bits);
 * - a second memory (`$m1`, not exported: `run` copies and loads from it into
 *   memory 0) and a mutual tail recursion (`$tail_loop`, up to 4095
 *   `return_call`/`return_call_indirect` steps) that `run` may call; helpers
 *   may end early with a `return_call` of an earlier helper;
 * - `run` may throw exceptions of the tag `$exn` in `try_table`s that catch
 *   them (by tag, by reference and rethrown, or with `catch_all`): no
 *   exception leaves `run`.
 *
 * What the bodies exercise: control flow (blocks and ifs with results,
 * `br_if`, `br_table`, bounded loops), direct calls and `call_indirect`
 * (null entries, indices past the table, signature mismatches), memory
 * accesses of every width near the bounds, `memory.grow`/`fill`/`copy`,
 * integer division and float-to-int conversions at their trapping edges,
 * i64 and float edge values, NaN payloads and `unreachable`.
 *
 * Invariant (what makes a differential run sound): a result whose bits the
 * spec leaves open is never observed. A float operation that may produce an
 * arithmetic NaN (arithmetic, `min`/`max`, rounding, `sqrt`, `promote`,
 * `demote`) goes through `$c32`/`$c64`, which replace any NaN by the
 * canonical positive one; the operations whose NaN bits the spec fixes
 * (`const`, loads, stores, `reinterpret`, `abs`, `neg`, `copysign`, `select`,
 * locals, globals, calls) are left bare, so their payloads are checked.
 *
 * @module
 */

import { Rng } from "@capstan/testing/random_programs";
import { SIMD_GLOBAL_MIX, SIMD_HELPERS, SimdGen } from "./exec_programs_simd.ts";

export { Rng };

/** A numeric value type of the generated programs. */
export type NumType = "i32" | "i64" | "f32" | "f64";

const TYPES: readonly NumType[] = ["i32", "i64", "f32", "f64"];

const I32_CONSTS = [
  "0",
  "1",
  "2",
  "7",
  "31",
  "32",
  "255",
  "0xffff",
  "65535",
  "65536",
  "-1",
  "-2",
  "0x7fffffff",
  "-0x80000000",
  "0x12345678",
];
const I64_CONSTS = [
  "0",
  "1",
  "-1",
  "63",
  "64",
  "0xffffffff",
  "0x100000000",
  "0x7fffffffffffffff",
  "-0x8000000000000000",
  "0x9E3779B97F4A7C15",
  "-0x123456789",
];
const FLOAT_CONSTS = [
  "0",
  "-0",
  "1",
  "-1.5",
  "0.5",
  "inf",
  "-inf",
  "nan",
  "-nan",
  "nan:0x1",
  "-nan:0x5a5a",
  "2147483647",
  "2147483648",
  "-2147483649",
  "4294967296",
  "9223372036854775807",
  "-9223372036854775808",
  "18446744073709551616",
  "0x1p-149",
  "0x1.fffffep127",
  "1e300",
  "-0x1p-1074",
  "3.7",
  "-3.5",
];

/** Float constants out of f32's range (the text format rejects them as f32 literals). */
const F64_ONLY = new Set(["1e300"]);

const INT_BINOPS = [
  "add",
  "sub",
  "mul",
  "and",
  "or",
  "xor",
  "shl",
  "shr_s",
  "shr_u",
  "rotl",
  "rotr",
  "div_s",
  "div_u",
  "rem_s",
  "rem_u",
];
const INT_UNOPS = ["clz", "ctz", "popcnt", "extend8_s", "extend16_s"];
const INT_CMPS = ["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"];
const FLOAT_ARITH = ["add", "sub", "mul", "div", "min", "max"];
const FLOAT_ROUND = ["sqrt", "ceil", "floor", "trunc", "nearest"];
const FLOAT_CMPS = ["eq", "ne", "lt", "gt", "le", "ge"];

/** A helper's signature. */
interface Sig {
  readonly params: readonly NumType[];
  readonly results: readonly NumType[];
}

const sigText = (s: Sig) =>
  `${s.params.length ? ` (param ${s.params.join(" ")})` : ""}${
    s.results.length ? ` (result ${s.results.join(" ")})` : ""
  }`;

/** The locals every body has after its parameters: two of each type, then loop counters. */
const BODY_LOCALS: readonly NumType[] = ["i32", "i32", "i64", "i64", "f32", "f32", "f64", "f64"];
const LOOP_COUNTERS = 2;
const TABLE_SIZE = 8;
const HELPERS_MIN = 3;
const HELPERS_SPREAD = 4;

/** Generates the body of one function. */
class BodyGen {
  readonly #r: Rng;
  readonly #locals: readonly NumType[];
  readonly #callable: readonly { name: string; sig: Sig }[];
  readonly #sigs: readonly Sig[];
  readonly #counterBase: number;
  readonly #indirect: boolean;
  /** The v128 expressions and stores, in a SIMD program. */
  readonly #simd: SimdGen | undefined;
  #loops = 0;
  #labels = 0;

  constructor(
    r: Rng,
    locals: readonly NumType[],
    callable: readonly { name: string; sig: Sig }[],
    sigs: readonly Sig[],
    indirect: boolean,
    simd = false,
  ) {
    this.#r = r;
    this.#simd = simd
      ? new SimdGen({
        r,
        expr: (t, d) => this.expr(t, d),
        addr: (d) => this.#addr(d),
        offset: () => this.#offset(),
      })
      : undefined;
    this.#indirect = indirect;
    this.#locals = locals;
    this.#callable = callable;
    this.#sigs = sigs;
    this.#counterBase = locals.length;
  }

  #localOf(t: NumType): number | undefined {
    const idx = this.#locals.flatMap((lt, i) => lt === t ? [i] : []);
    return idx.length ? this.#r.pick(idx) : undefined;
  }

  #const(t: NumType): string {
    const r = this.#r;
    if (t === "i32") return `(i32.const ${r.int(4) ? r.pick(I32_CONSTS) : r.next() | 0})`;
    if (t === "i64") return `(i64.const ${r.pick(I64_CONSTS)})`;
    const c = r.pick(FLOAT_CONSTS);
    return `(${t}.const ${t === "f32" && F64_ONLY.has(c) ? "-0x1p-126" : c})`;
  }

  /**
   * An address: mostly in bounds of the first page whatever the offset and
   * width, sometimes near the end of the memory, rarely anything.
   */
  #addr(d: number): string {
    const r = this.#r;
    const k = r.int(50);
    if (k < 35) return `(i32.and ${this.expr("i32", d)} (i32.const 0x7ff8))`;
    if (k < 44) return `(i32.const ${r.int(64)})`;
    if (k < 46) {
      return `(i32.add (i32.const ${65520 + r.int(16)}) (i32.and ${
        this.expr("i32", d)
      } (i32.const 15)))`;
    }
    if (k < 48) {
      return `(i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const ${1 + r.int(12)}))`;
    }
    return this.expr("i32", d);
  }

  #offset(): number {
    const r = this.#r;
    return r.int(60) === 0 ? r.pick([65536, 65535, 0xfffffff0]) : r.pick([0, 0, 1, 4, 8, 16]);
  }

  #load(t: NumType, d: number): string {
    const r = this.#r;
    const forms: Record<NumType, string[]> = {
      i32: ["i32.load", "i32.load8_s", "i32.load8_u", "i32.load16_s", "i32.load16_u"],
      i64: [
        "i64.load",
        "i64.load8_s",
        "i64.load8_u",
        "i64.load16_s",
        "i64.load16_u",
        "i64.load32_s",
        "i64.load32_u",
      ],
      f32: ["f32.load"],
      f64: ["f64.load"],
    };
    return `(${r.pick(forms[t])} offset=${this.#offset()} ${this.#addr(d - 1)})`;
  }

  #store(d: number): string {
    const r = this.#r;
    const t = r.pick(TYPES);
    const forms: Record<NumType, string[]> = {
      i32: ["i32.store", "i32.store8", "i32.store16"],
      i64: ["i64.store", "i64.store8", "i64.store16", "i64.store32"],
      f32: ["f32.store"],
      f64: ["f64.store"],
    };
    return `(${r.pick(forms[t])} offset=${this.#offset()} ${this.#addr(d - 1)} ${
      this.expr(t, d - 1)
    })`;
  }

  /** A call of a helper, as an expression of type `t` when one returns it first. */
  #call(t: NumType, d: number): string | undefined {
    const r = this.#r;
    const fits = this.#callable.filter((c) => c.sig.results[0] === t);
    if (!fits.length) return undefined;
    const c = r.pick(fits);
    const args = c.sig.params.map((p) => this.expr(p, d - 1)).join(" ");
    const drops = "(drop)".repeat(c.sig.results.length - 1);
    if (this.#indirect && r.int(3) === 0) {
      // through the table: a helper's slot, a null slot or an index past the end,
      // with this signature or (sometimes) another
      const sig = r.int(6) === 0 ? r.pick(this.#sigs) : c.sig;
      if (sig.results[0] !== t) return undefined;
      const sargs = sig.params.map((p) => this.expr(p, d - 1)).join(" ");
      const index = r.int(5) === 0
        ? this.expr("i32", d - 1)
        : `(i32.const ${r.int(TABLE_SIZE + 2)})`;
      const sdrops = "(drop)".repeat(sig.results.length - 1);
      return `(block (result ${t}) (call_indirect${sigText(sig)} ${sargs} ${index}) ${sdrops})`;
    }
    return `(block (result ${t}) (call ${c.name} ${args}) ${drops})`;
  }

  /**
   * An expression of type `t`.
   *
   * @param t its type
   * @param d the depth left
   * @returns its folded text
   */
  expr(t: NumType, d: number): string {
    const r = this.#r;
    if (d <= 0 || r.int(8) === 0) {
      const l = this.#localOf(t);
      return l !== undefined && r.int(2) ? `(local.get ${l})` : this.#const(t);
    }
    // (a SIMD program draws from two more cases; another's draws are as they always were)
    const k = r.int(this.#simd !== undefined ? 14 : 12);
    if (k >= 12) return this.#simd!.scalar(t, d);
    if (k === 0) return this.#load(t, d);
    if (k === 1) return `(global.get $g_${t})`;
    if (k === 2) {
      const l = this.#localOf(t);
      if (l !== undefined) return `(local.tee ${l} ${this.expr(t, d - 1)})`;
    }
    if (k === 3) {
      return `(select ${this.expr(t, d - 1)} ${this.expr(t, d - 1)} ${this.expr("i32", d - 1)})`;
    }
    if (k === 4) {
      return `(if (result ${t}) ${this.expr("i32", d - 1)} (then ${this.stmt(d - 1)} ${
        this.expr(t, d - 1)
      }) (else ${this.expr(t, d - 1)}))`;
    }
    if (k === 5) {
      return `(block (result ${t}) ${this.stmt(d - 1)} (br_if 0 ${this.expr(t, d - 1)} ${
        this.expr("i32", d - 1)
      }) (drop) ${this.expr(t, d - 1)})`;
    }
    if (k === 6) {
      const c = this.#call(t, d);
      if (c !== undefined) return c;
    }
    return t === "i32" || t === "i64" ? this.#intOp(t, d) : this.#floatOp(t, d);
  }

  #intOp(t: "i32" | "i64", d: number): string {
    const r = this.#r;
    const o = t === "i64" ? "i32" : "i64";
    switch (r.int(9)) {
      case 0:
      case 1:
      case 2: {
        const op = r.pick(INT_BINOPS);
        const divisor = op.startsWith("div") || op.startsWith("rem");
        const b = this.expr(t, d - 1);
        // a divisor is mostly made nonzero, so that division rarely ends the program
        const safe = divisor && r.int(4) !== 0 ? `(${t}.or ${b} (${t}.const 1))` : b;
        return `(${t}.${op} ${this.expr(t, d - 1)} ${safe})`;
      }
      case 3:
        return t === "i64" && r.int(3) === 0
          ? `(i64.extend32_s ${this.expr(t, d - 1)})`
          : `(${t}.${r.pick(INT_UNOPS)} ${this.expr(t, d - 1)})`;
      case 4: {
        if (t === "i64") return `(i64.extend_i32_${r.pick(["s", "u"])} ${this.expr(o, d - 1)})`;
        return `(i32.wrap_i64 ${this.expr(o, d - 1)})`;
      }
      case 5: {
        const f = r.pick(["f32", "f64"] as const);
        const sat = r.int(4) ? "_sat" : "";
        return `(${t}.trunc${sat}_${f}_${r.pick(["s", "u"])} ${this.expr(f, d - 1)})`;
      }
      case 6:
        return `(${t}.reinterpret_${t === "i32" ? "f32" : "f64"} ${
          this.expr(t === "i32" ? "f32" : "f64", d - 1)
        })`;
      case 7: {
        if (t === "i64") return `(i64.extend_i32_u ${this.#compare(d)})`;
        return this.#compare(d);
      }
      default:
        if (t === "i32" && r.int(4) === 0) {
          return `(memory.grow ${r.int(3) ? "(i32.const 1)" : this.expr("i32", d - 1)})`;
        }
        if (t === "i32") {
          return r.int(3) === 0 ? "(memory.size)" : `(i32.eqz ${this.expr("i32", d - 1)})`;
        }
        return `(i64.extend_i32_u (i64.eqz ${this.expr("i64", d - 1)}))`;
    }
  }

  /** An i32 comparison of two values of any type. */
  #compare(d: number): string {
    const r = this.#r;
    const ct = r.pick(TYPES);
    const op = ct[0] === "i" ? r.pick(INT_CMPS) : r.pick(FLOAT_CMPS);
    return `(${ct}.${op} ${this.expr(ct, d - 1)} ${this.expr(ct, d - 1)})`;
  }

  #floatOp(t: "f32" | "f64", d: number): string {
    const r = this.#r;
    const c = t === "f32" ? "$c32" : "$c64";
    const other = t === "f32" ? "f64" : "f32";
    switch (r.int(8)) {
      case 0:
      case 1:
        return `(call ${c} (${t}.${r.pick(FLOAT_ARITH)} ${this.expr(t, d - 1)} ${
          this.expr(t, d - 1)
        }))`;
      case 2:
        return `(call ${c} (${t}.${r.pick(FLOAT_ROUND)} ${this.expr(t, d - 1)}))`;
      case 3:
        return `(${t}.${r.pick(["abs", "neg"])} ${this.expr(t, d - 1)})`;
      case 4:
        return `(${t}.copysign ${this.expr(t, d - 1)} ${this.expr(t, d - 1)})`;
      case 5: {
        const it = r.pick(["i32", "i64"] as const);
        return `(${t}.convert_${it}_${r.pick(["s", "u"])} ${this.expr(it, d - 1)})`;
      }
      case 6:
        return `(call ${c} (${t}.${t === "f32" ? "demote_f64" : "promote_f32"} ${
          this.expr(other, d - 1)
        }))`;
      default:
        return `(${t}.reinterpret_${t === "f32" ? "i32" : "i64"} ${
          this.expr(t === "f32" ? "i32" : "i64", d - 1)
        })`;
    }
  }

  /**
   * A statement (no value left on the stack).
   *
   * @param d the depth left
   * @returns its folded text
   */
  stmt(d: number): string {
    const r = this.#r;
    const t = r.pick(TYPES);
    const k = d <= 0 ? r.int(3) : r.int(this.#simd !== undefined ? 15 : 13);
    if (k >= 13) return this.#simd!.store(d);
    switch (k) {
      case 0: {
        const l = this.#localOf(t);
        return l === undefined ? "(nop)" : `(local.set ${l} ${this.expr(t, d)})`;
      }
      case 1:
        return this.#store(d);
      case 2:
        return `(global.set $g_${t} ${this.expr(t, d)})`;
      case 3:
        return `(if ${this.expr("i32", d - 1)} (then ${this.stmt(d - 1)}) (else ${
          this.stmt(d - 1)
        }))`;
      case 4: {
        if (this.#loops >= LOOP_COUNTERS) return `(drop ${this.expr(t, d - 1)})`;
        const c = this.#counterBase + this.#loops++;
        const body = `${this.stmt(d - 1)} ${this.stmt(d - 1)}`;
        this.#loops--;
        const n = 1 + r.int(4);
        return `(local.set ${c} (i32.const 0)) (loop ${body} (br_if 0 (i32.lt_u (local.tee ${c} (i32.add (local.get ${c}) (i32.const 1))) (i32.const ${n}))))`;
      }
      case 5:
        return `(block ${this.stmt(d - 1)} (br_if 0 ${this.expr("i32", d - 1)}) ${
          this.stmt(d - 1)
        })`;
      case 6: {
        const n = this.#labels++;
        const s =
          `(block $x${n} (block $y${n} (block $z${n} (br_table $z${n} $y${n} $x${n} $y${n} ${
            this.expr("i32", d - 1)
          })) ${this.stmt(d - 1)}) ${this.stmt(d - 1)})`;
        return s;
      }
      case 7: {
        const fill = r.int(2) === 0;
        const len = r.int(4) === 0 ? this.expr("i32", d - 1) : `(i32.const ${r.int(40)})`;
        return fill
          ? `(memory.fill ${this.#addr(d - 1)} ${this.expr("i32", d - 1)} ${len})`
          : `(memory.copy ${this.#addr(d - 1)} ${this.#addr(d - 1)} ${len})`;
      }
      case 8:
        return r.int(12) === 0
          ? `(if (i32.eqz ${this.expr("i32", d - 1)}) (then (unreachable)))`
          : `(drop ${this.expr(t, d - 1)})`;
      case 9: {
        if (!this.#callable.length) return this.#store(d);
        const c = r.pick(this.#callable);
        const args = c.sig.params.map((p) => this.expr(p, d - 1)).join(" ");
        return `(call ${c.name} ${args})${"(drop)".repeat(c.sig.results.length)}`;
      }
      default:
        return `(drop ${this.expr(t, d)})`;
    }
  }
}

/**
 * A random valid module of the shape the module doc describes.
 *
 * @param r the generator
 * @param simd whether the bodies also compute with v128 values
 *   (`exec_programs_simd.ts`); without, the module is the same as ever for `r`
 * @returns the module's text
 * @example
 * ```ts
 * import { genExec, Rng } from "./exec_programs.ts";
 * const wat = genExec(new Rng(7));
 * if (!wat.includes('(export "run")')) throw new Error();
 * if (!genExec(new Rng(7), true).includes("v128")) throw new Error();
 * ```
 */
export function genExec(r: Rng, simd = false): string {
  const pickType = () => r.pick(TYPES);
  const helpers: { name: string; sig: Sig }[] = [];
  const sigs: Sig[] = [];
  const funcs: string[] = [];
  const nHelpers = HELPERS_MIN + r.int(HELPERS_SPREAD);
  for (let i = 0; i < nHelpers; i++) {
    const params = Array.from({ length: r.int(4) }, pickType);
    const results = Array.from(
      { length: r.int(5) === 0 ? 2 : 1 - (r.int(6) === 0 ? 1 : 0) },
      pickType,
    );
    const sig = { params, results };
    const locals = [...params, ...BODY_LOCALS];
    const g = new BodyGen(r, locals, helpers.slice(), [], false, simd);
    const body = [
      g.stmt(2),
      g.stmt(2),
      tailCallStmt(r, g, sig, helpers),
      ...results.map((t) => g.expr(t, 3)),
    ].join("\n    ");
    funcs.push(
      `(func $h${i}${sigText(sig)} (local ${BODY_LOCALS.join(" ")} i32 i32)\n    ${body})`,
    );
    helpers.push({ name: `$h${i}`, sig });
    sigs.push(sig);
  }
  const runLocals = ["i32", "i32", ...BODY_LOCALS] as NumType[];
  const g = new BodyGen(r, runLocals, [...helpers, TAIL_LOOP], sigs, true, simd);
  const stmts = Array.from({ length: 3 + r.int(3) }, () => g.stmt(3));
  stmts.push(...Array.from({ length: r.int(3) }, () => memory1Stmt(r, g)));
  stmts.push(...Array.from({ length: r.int(3) }, (_, k) => exceptionStmt(r, g, k)));
  const run = `(func (export "run") (param i32 i32) (result i64) (local ${
    BODY_LOCALS.join(" ")
  } i32 i32)\n    ${stmts.join("\n    ")}\n    ${g.expr("i64", 3)})`;
  const inTable = Array.from(
    { length: TABLE_SIZE },
    () => r.int(4) === 0 ? undefined : r.pick(helpers).name,
  );
  const elems = inTable.flatMap((name, i) =>
    name === undefined ? [] : [`(elem (i32.const ${i}) func ${name})`]
  );
  return `(module
  (memory (export "memory") 1 2)
  (data (i32.const 0) "\\00\\01\\02\\03\\7f\\80\\ff\\fe\\00\\00\\c0\\7f\\01\\00\\80\\ff")
  (data (i32.const 65520) "\\01\\00\\80\\7f\\ff\\ff\\ff\\ff\\00\\00\\00\\00\\00\\00\\f8\\ff")
  (global $g_i32 (mut i32) (i32.const 0x5a5a))
  (global $g_i64 (mut i64) (i64.const -7))
  (global $g_f32 (mut f32) (f32.const nan:0x123))
  (global $g_f64 (mut f64) (f64.const -0))
  (table ${TABLE_SIZE} funcref)
  ${elems.join("\n  ")}
  ${MEMORY1_AND_TAIL_LOOP}
  (tag $exn (param i32 i64))
  ${simd ? SIMD_HELPERS + "\n  " : ""}(func $c32 (param f32) (result f32)
    (select (f32.const nan) (local.get 0) (f32.ne (local.get 0) (local.get 0))))
  (func $c64 (param f64) (result f64)
    (select (f64.const nan) (local.get 0) (f64.ne (local.get 0) (local.get 0))))
  ${funcs.join("\n  ")}
  ${run}
  (func (export "globals") (result i64)${simd ? "\n    (i64.xor " + SIMD_GLOBAL_MIX : ""}
    (i64.xor
      (i64.xor (i64.extend_i32_u (global.get $g_i32)) (i64.shl (global.get $g_i64) (i64.const 1)))
      (i64.xor (i64.extend_i32_u (i32.reinterpret_f32 (global.get $g_f32)))
        (i64.rotl (i64.reinterpret_f64 (global.get $g_f64)) (i64.const 17))))${simd ? ")" : ""}))`;
}

/**
 * Sometimes a conditional tail call (`return_call`) of an earlier helper
 * whose results are the helper's own (no recursion: it calls only earlier
 * helpers), else a `nop`.
 *
 * @param r the generator
 * @param g the helper's body generator
 * @param sig the helper's signature
 * @param earlier the helpers declared before it
 * @returns a statement
 */
function tailCallStmt(
  r: Rng,
  g: BodyGen,
  sig: Sig,
  earlier: readonly { name: string; sig: Sig }[],
) {
  const same = earlier.filter((h) => h.sig.results.join() === sig.results.join());
  if (same.length === 0 || r.int(3) !== 0) return "(nop)";
  const h = r.pick(same);
  const args = h.sig.params.map((p) => g.expr(p, 1)).join(" ");
  return `(if ${g.expr("i32", 1)} (then (return_call ${h.name} ${args})))`;
}

/** The run function's entry to the tail-call loop (a bounded count, then a mutual recursion). */
const TAIL_LOOP = { name: "$tail_loop", sig: { params: ["i32", "i64"], results: ["i64"] } as Sig };

/**
 * A second memory (`$m1`, not exported: its effects reach memory 0 through
 * copies and loads) and a mutual tail recursion (`return_call`,
 * `return_call_indirect` through a second table) of up to 4095 steps.
 */
const MEMORY1_AND_TAIL_LOOP = `(memory $m1 1 2)
  (data (memory $m1) (i32.const 8) "\\ff\\fe\\fd\\fc\\01\\02\\03\\04")
  (type $tail_t (func (param i32 i64) (result i64)))
  (table $tail_table 1 funcref)
  (elem (table $tail_table) (i32.const 0) func $tail_even)
  (func $tail_loop (param i32 i64) (result i64)
    (return_call $tail_even (i32.and (local.get 0) (i32.const 4095)) (local.get 1)))
  (func $tail_even (param i32 i64) (result i64)
    (if (result i64) (i32.eqz (local.get 0)) (then (local.get 1))
      (else (return_call $tail_odd (i32.sub (local.get 0) (i32.const 1))
        (i64.add (i64.rotl (local.get 1) (i64.const 7)) (i64.const 3))))))
  (func $tail_odd (param i32 i64) (result i64)
    (if (result i64) (i32.eqz (local.get 0)) (then (i64.mul (local.get 1) (i64.const 5)))
      (else (return_call_indirect $tail_table (type $tail_t) (i32.sub (local.get 0) (i32.const 1))
        (i64.xor (local.get 1) (i64.const 0x55)) (i32.const 0)))))`;

/**
 * A statement on the second memory: a store, a load into memory 0, a copy
 * between the memories, a fill, a growth or its size (addresses near its
 * bounds too).
 *
 * @param r the generator
 * @param g the body generator
 * @returns the statement
 */
function memory1Stmt(r: Rng, g: BodyGen): string {
  const addr = () =>
    r.int(6) === 0
      ? `(i32.sub (i32.mul (memory.size $m1) (i32.const 65536)) (i32.const ${1 + r.int(12)}))`
      : `(i32.and ${g.expr("i32", 1)} (i32.const 0xfff8))`;
  const len = () => `(i32.const ${r.int(24)})`;
  switch (r.int(7)) {
    case 0:
      return `(i64.store $m1 offset=${r.pick([0, 4, 8])} ${addr()} ${g.expr("i64", 2)})`;
    case 1:
      return `(f32.store $m1 ${addr()} ${g.expr("f32", 2)})`;
    case 2:
      return `(i64.store ${addr()} (i64.load $m1 offset=${r.pick([0, 1, 8])} ${addr()}))`;
    case 3:
      return `(i32.store ${addr()} (i32.load16_s $m1 ${addr()}))`;
    case 4:
      return r.int(2)
        ? `(memory.copy 0 $m1 ${addr()} ${addr()} ${len()})`
        : `(memory.copy $m1 0 ${addr()} ${addr()} ${len()})`;
    case 5:
      return `(memory.fill $m1 ${addr()} ${g.expr("i32", 1)} ${len()})`;
    default:
      return `(i32.store ${addr()} (i32.add (memory.grow $m1 (i32.const 1)) (memory.size $m1)))`;
  }
}

/**
 * A `try_table` whose body may throw `$exn` (after statements that may trap
 * or write memory and globals); the catch puts the exception's values in the
 * globals. Kinds: by tag; by tag with the reference, rethrown to an outer
 * `catch_all`; `catch_all`.
 *
 * @param r the generator
 * @param g the body generator
 * @param id distinguishes its labels from the other such statements'
 * @returns the statement
 */
function exceptionStmt(r: Rng, g: BodyGen, id: number): string {
  const body = `${g.stmt(2)} (if ${g.expr("i32", 1)} (then (throw $exn ${g.expr("i32", 2)} ${
    g.expr("i64", 2)
  }))) ${g.stmt(1)}`;
  const keep = "(global.set $g_i64) (global.set $g_i32)";
  const c = `$exn_c${id}`;
  const done = `$exn_done${id}`;
  switch (r.int(3)) {
    case 0:
      return `(block ${done} (block ${c} (result i32 i64) (try_table (catch $exn ${c}) ${body}) ` +
        `(br ${done})) ${keep})`;
    case 1:
      // caught with its reference, which is thrown again to an outer catch_all
      return `(block ${done} (try_table (catch_all ${done}) (block ${c} (result i32 i64 exnref) ` +
        `(try_table (catch_ref $exn ${c}) ${body}) (br ${done})) (throw_ref) (drop) (drop)))`;
    default:
      return `(block ${c} (try_table (catch_all ${c}) ${body}))`;
  }
}
