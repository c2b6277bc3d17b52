/**
 * SIMD on the JS tier: the JS backend's lowering of the v128 ops (the ops
 * `interpreter/ops.ts` runs in `runSimd`), kept apart from the scalar rows
 * of `_js_op_shapes.ts`; `js_backend.ts` and `_js_op_shapes.ts` call
 * {@link jsSimdText} and {@link jsSimdShape} for every op {@link isJsSimdOp}
 * names.
 *
 * Representation: a v128 in register `r` of a JS-tier function is four
 * int32 JS locals, `w<r>a` .. `w<r>d` (its words, low to high), so an op
 * is a few local-to-local statements V8 keeps in machine registers. The
 * register also has a home vector in the VM's v128 file (`interpreter/simd.ts`):
 * vector `sp + r`, where `sp` is the frame's base in the wasm stack (`S.sp`
 * on entry), the same place the interpreter keeps register `r` of a frame at
 * `fp`. A value is moved between its locals and the file only where it must
 * be in the file:
 * - v128 parameters are read from their home vectors at entry (a caller, the
 *   entry adapter or the interpreter left them there) and v128 results are
 *   stored to theirs before each return ({@link jsSimdParams},
 *   {@link jsSimdReturn}); a call's v128 arguments are stored to the
 *   callee's vectors (vector `j` past the caller's frame) and its v128
 *   results read back ({@link jsSimdCallArgs}, {@link jsSimdCallResults})
 *   (a tail call with v128 values runs on the interpreter: `_js_op_shapes.ts`);
 * - on-stack replacement copies the interpreter frame's vectors to the JS
 *   frame's and reads every v128 register's locals from them
 *   ({@link jsSimdOsrCopy});
 * - an op written out here works on the locals alone; every other one calls
 *   the interpreter's lane function (`simd_math.ts`, bound by the runtime as
 *   `H.simd`, `runtime/_js_simd.ts`) on the home vectors, its operands
 *   stored there first and its result read back (`_js_simd_lanes.ts`'s
 *   `viaFile`): the same code the interpreter runs, so the relaxed ops
 *   (translated to standard ones by `simd_translate.ts`) give the
 *   interpreter's results.
 * The prologue ({@link JS_SIMD_PROLOGUE}) binds the file's word view `VW`
 * with the frame's base word `vw`, the scratch words `Q32` (with float
 * views `QF`, `QD` over them) float lanes pass through, and `Math.max` and
 * `Math.min` as `MX`, `MN` (a call of a local is less bytecode than of a
 * property of a global; V8 still lowers it to the builtin).
 *
 * Measured (simd_dot's loop written by hand both ways, this machine): the
 * file's words cost about 1.7x four int32 JS locals per v128; and the locals
 * make far less V8 bytecode per op than the file's keyed accesses, which
 * decides whether V8 optimises a large function at all
 * ({@link JS_SIMD_MAX_SOURCE}).
 *
 * - The hot ops are written out word by word (moves, constants, selects,
 *   globals, loads and stores of every kind, bitwise ops, i32x4 add/sub/mul,
 *   f32x4 and f64x2 add/sub/mul, shuffles as shifts of whole words, lane
 *   extracts and replaces, splats, the lane ops of `_js_simd_lanes.ts` and
 *   `_js_simd_words.ts`), with exactly the interpreter's arithmetic: a
 *   float lane's bits are written to the scratch words, computed on through
 *   the float view, the result's bits read back and a NaN result made quiet
 *   in its word; lane moves stay on int32 words (a float view would quiet a
 *   signalling NaN).
 * - Scalars (addresses, shift counts, splat inputs, extracted lanes,
 *   select conditions) are ordinary registers of their kinds
 *   (`_js_kinds.ts`); {@link jsSimdShape} names them, and a v128 result as
 *   a definition of no kind, so the kind analysis never gives a v128 a kind.
 *
 * Invariants:
 * - Every op reads all of its v128 operands' words that a result word
 *   depends on before writing that word (the destination may be an
 *   operand); a cross-word op writes through `vt0..vt3` when its
 *   destination is an operand it reads after writing (`intoWords`).
 * - A register's home vector holds its value only where the list above
 *   puts it there; nothing else reads the home vectors.
 * - Nothing here calls, grows the memory or traps other than out of bounds.
 *
 * @module
 */

import { TrapCode, ValType } from "@capstan/environ";
import { BYTECODE_OPS } from "@capstan/interpreter";
import type { IrInst } from "./ir.ts";
import type { OpShape, RegKind, RegOperand } from "./_js_op_shapes.ts";
import {
  copyV,
  intoWords,
  laneText,
  reload,
  type SimdSite,
  spill,
  vw,
  words,
} from "./_js_simd_lanes.ts";

export type { SimdSite };

const MEM = TrapCode.MemoryOutOfBounds;

/** The v128 ops, by name: the `runSimd` rows of the op table. */
const SIMD_OPS: ReadonlySet<string> = new Set(
  BYTECODE_OPS.filter((op) => op.handler === "runSimd").map((op) => op.name),
);

/**
 * Whether the JS backend lowers op `name` here (a v128 op run by the
 * interpreter's `runSimd`).
 *
 * @param name an op name
 * @returns true for the SIMD ops
 */
export function isJsSimdOp(name: string): boolean {
  return SIMD_OPS.has(name) && !name.startsWith("mem_v128_");
}

/**
 * The statements a function that runs v128 ops starts with, after its frame
 * is counted (`sp` is its base): the views of the VM's v128 file and the
 * frame's base in each view's unit, four scratch words and a scratch number.
 */
export const JS_SIMD_PROLOGUE: string =
  "const SV = H.simd.file(vm), VW = SV.i32, vw = sp << 2, Q32 = H.simd.q32, QF = H.simd.qf, " +
  "QD = H.simd.qd, MX = Math.max, MN = Math.min; let vt0 = 0, vt1 = 0, vt2 = 0, vt3 = 0, vf = 0.5;";

/** The v128 registers whose word locals a function's code names (`w<r>a`..`w<r>d`). */
function v128Registers(code: string): Set<number> {
  return new Set([...code.matchAll(/\bw(\d+)[abcd]\b/g)].map((m) => Number(m[1])));
}

/**
 * The declarations (`w5a = 0`, ...) of the word locals of every v128
 * register the code names (all four of each).
 *
 * @param code the function's code
 * @returns the declarations, for its `let`
 */
export function jsSimdDecls(code: string): string[] {
  return [...v128Registers(code)].flatMap((r) => [0, 1, 2, 3].map((k) => `${vw(r, k)} = 0`));
}

/**
 * A SIMD function's declarations, the locals its code names most first: V8
 * gives the first locals of a function the registers its bytecode names in
 * one byte, and a function with many v128 registers has more locals than
 * that (then each instruction naming a later one takes a wide prefix).
 *
 * @param decls the declarations (`x = 0`, or several of them joined)
 * @param code the function's code
 * @returns the same declarations, the most named first (ties in order)
 */
export function jsSimdOrderDecls(decls: readonly string[], code: string): string[] {
  const counts = new Map<string, number>();
  for (const m of code.matchAll(/[A-Za-z_$][\w$]*/g)) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  const count = (decl: string) => counts.get(decl.slice(0, decl.indexOf(" "))) ?? 0;
  return decls.map((x, k) => [x, count(x), k] as const)
    .sort((a, b) => b[1] - a[1] || a[2] - b[2]).map(([x]) => x);
}

/**
 * At a function's entry: its v128 parameters' words read from their home
 * vectors (where a caller or the entry adapter left them).
 *
 * @param params the function's parameter types
 * @returns the statements ("" without v128 parameters)
 */
export function jsSimdParams(params: readonly ValType[]): string {
  return params.map((t, r) => t === ValType.v128 ? reload(r) : "").join(" ").trim();
}

/**
 * Before a return: the v128 results' words (in registers `0..`) stored to
 * their home vectors, where the caller reads them.
 *
 * @param results the function's result types
 * @returns the statements ("" without v128 results), each followed by a space
 */
export function jsSimdReturn(results: readonly ValType[]): string {
  return results.map((t, r) => t === ValType.v128 ? `${spill(r)} ` : "").join("");
}

/**
 * For a function's on-stack-replacement entry (`_js_osr.ts`): the statement
 * that copies the frame's v128 registers from the interpreter's frame at
 * `base` to the JS frame, or "" when the function runs no v128 op.
 *
 * @param source the function's JS source
 * @returns a statement, or ""
 */
export function jsSimdOsrCopy(source: string): string {
  if (!source.includes(JS_SIMD_PROLOGUE)) return "";
  const frame = /if \(sp \+ (\d+) > S\.lim\)/.exec(source);
  if (frame === null) throw new Error("no frame size in the JS function");
  const loads = [...v128Registers(source)].map(reload).join(" ");
  return `VW.copyWithin(vw, base << 2, (base + ${frame[1]}) << 2); ${loads}`;
}

/** How an op's scalar operand is read or written. */
type Scalar =
  | "I" // an i32 read (an address, a count, a condition)
  | "=I" // an i32 written
  | "B" // an i64 read
  | "=B" // an i64 written
  | "~4" // 32 bits read (an f32 or an i32: its bits)
  | "=4" // 32 bits written (an f32 or an i32)
  | "~8" // 64 bits read (an f64: its bits)
  | "=8"; // 64 bits written (an f64)

/**
 * The scalar operand of a splat (sub-opcodes 15-20), an extract or a replace
 * (21-34), by its lane type: i8, i16, i32, i64, f32, f64.
 */
function laneScalar(sub: number, def: boolean): Scalar {
  const lane = sub <= 20
    ? sub - 15
    : sub <= 23
    ? 0
    : sub <= 26
    ? 1
    : sub <= 28
    ? 2
    : sub <= 30
    ? 3
    : sub <= 32
    ? 4
    : 5;
  return (def ? LANE_DEFS : LANE_USES)[lane];
}

const LANE_USES: readonly Scalar[] = ["I", "I", "I", "B", "~4", "~8"];
const LANE_DEFS: readonly Scalar[] = ["=I", "=I", "=I", "=B", "=4", "=8"];

/** The one scalar operand of the other v128 ops that have one: operand index, use. */
const FIXED_SCALAR: Readonly<Record<string, readonly [number, Scalar]>> = {
  v128_select: [1, "I"], // the condition
  simd_shift: [3, "I"], // the count
  simd_test: [0, "=I"], // the result
  simd_load: [2, "I"], // addresses
  simd_load_lane: [2, "I"],
  simd_load128: [1, "I"],
  simd_store: [1, "I"],
  simd_store128: [0, "I"],
};

/** The scalar register operands of a v128 op: operand index → how it is used. */
function scalarsOf(name: string, o: readonly (number | number[])[]): [number, Scalar][] {
  const sub = o[1] as number;
  switch (name) {
    case "simd_splat":
      return [[2, laneScalar(sub, false)]];
    case "simd_extract":
      return [[0, laneScalar(sub, true)]];
    case "simd_replace":
      return [[3, laneScalar(sub, false)]];
  }
  const fixed = FIXED_SCALAR[name];
  return fixed === undefined ? [] : [[fixed[0], fixed[1]]];
}

/** The v128 ops whose operand 0 is not a v128 result. */
const NO_V128_RESULT: ReadonlySet<string> = new Set([
  "v128_global_set",
  "simd_store",
  "simd_store128",
  "simd_test",
  "simd_extract",
]);

/**
 * The scalar registers a v128 op reads and writes, with their kinds (its
 * v128 operands are not values of the kind analysis, see the module doc; a
 * v128 result is a definition of no kind, so that the register's earlier
 * scalar value is not live through it).
 *
 * @param ins a v128 op ({@link isJsSimdOp})
 * @returns its shape
 */
export function jsSimdShape(ins: IrInst): OpShape {
  const uses: RegOperand[] = [];
  const defs: RegOperand[] = [];
  const name = BYTECODE_OPS[ins.op].name;
  // a v128 result ends the register's scalar value (no kind: it is not a JS value)
  if (!NO_V128_RESULT.has(name)) defs.push([ins.operands[0] as number, undefined, 0, false]);
  for (const [k, s] of scalarsOf(name, ins.operands)) {
    const reg = ins.operands[k] as number;
    const wide = s.endsWith("8") || s.endsWith("B");
    const kind: RegKind | undefined = s.endsWith("I") ? "I" : s.endsWith("B") ? "B" : undefined;
    if (s.startsWith("=")) defs.push([reg, kind, k, wide]);
    else uses.push([reg, kind, k, wide, kind !== undefined ? true : undefined]);
  }
  return { uses, defs, same: [], soft: [] };
}

/**
 * The registers of a v128 op's scalar results (to forget constants they held).
 *
 * @param ins a v128 op
 * @returns the operand indices of its scalar definitions
 */
export function jsSimdScalarDefs(ins: IrInst): number[] {
  return scalarsOf(BYTECODE_OPS[ins.op].name, ins.operands).filter(([, s]) => s.startsWith("="))
    .map(([k]) => k);
}

/** The effective address of a v128 memory op into `e`: `u32(a) + offset`. */
function ea(x: string, off: number): string {
  return `e = (${x} >>> 0) + ${off >>> 0};`;
}

/**
 * An f32x4 op written lane by lane through the scratch float view (`QF`
 * over `Q32`: the lanes' bits in, the f32 result's bits out, as `runSimd`'s
 * float view does), a NaN lane made quiet.
 */
const f32x4 = (d: number, a: number, b: number, op: string) =>
  [0, 1, 2, 3].map((k) =>
    `Q32[1] = ${vw(a, k)}; Q32[2] = ${vw(b, k)}; QF[0] = QF[1] ${op} QF[2]; ${
      vw(d, k)
    } = Q32[0]; ` +
    `if ((${vw(d, k)} & 0x7fffffff) > 0x7f800000) ${vw(d, k)} |= 0x400000;`
  ).join(" ");

/** An f64x2 op written lane by lane through the scratch f64 view, a NaN lane made quiet. */
const f64x2 = (d: number, a: number, b: number, op: string) =>
  [0, 1].map((k) => {
    const [lo, hi] = [2 * k, 2 * k + 1];
    return `Q32[2] = ${vw(a, lo)}; Q32[3] = ${vw(a, hi)}; Q32[4] = ${vw(b, lo)}; Q32[5] = ${
      vw(b, hi)
    }; vf = QD[1] ${op} QD[2]; QD[0] = vf; ${vw(d, lo)} = Q32[0]; ${vw(d, hi)} = Q32[1]; ` +
      `if (vf !== vf) ${vw(d, hi)} |= 0x80000;`;
  }).join(" ");

/**
 * The shuffle of bytes `idx` (16 indices into `a ++ b`, `b` undefined for a
 * shuffle of `a` alone) into `d`, into `vt0..vt3` first (`d` may be `a` or
 * `b`): each result word an `or` of source words shifted into place, the
 * bytes moved by the same shift out of one source word masked together
 * (a whole word is the word, a rotation of a word two shifts); straight
 * into `d` when no result word is read after it is written.
 */
function shuffle(d: number, a: number, b: number | undefined, idx: readonly number[]): string {
  const src = (x: number) => x < 16 || b === undefined ? [a, x & 15] : [b, x - 16];
  const out: string[] = [];
  for (let k = 0; k < 4; k++) {
    // (source word, shift left in bits) → the mask of the result bits it gives
    const groups = new Map<string, number>();
    for (let j = 0; j < 4; j++) {
      const [r, y] = src(idx[4 * k + j]);
      const key = `${vw(r, y >> 2)} ${8 * j - 8 * (y & 3)}`;
      groups.set(key, (groups.get(key) ?? 0) | (0xff << (8 * j)));
    }
    const parts = [...groups].map(([key, mask]) => {
      const [w, by] = key.split(" ");
      const shift = Number(by);
      const moved = shift === 0 ? w : shift > 0 ? `(${w} << ${shift})` : `(${w} >>> ${-shift})`;
      // the bits a shift brings in are zero: a mask of all the others is not needed
      const kept = shift >= 0 ? (-1 << shift) : (-1 >>> -shift) | 0;
      return (mask | 0) === kept ? moved : `(${moved} & ${mask | 0})`;
    });
    out.push(parts.join(" | "));
  }
  return intoWords(d, out);
}

/** The bytes a `simd_load` of sub-opcode `sub` reads (as `simdLoad`). */
const loadSize = (sub: number) =>
  sub <= 6 || sub === 10 || sub === 93 ? 8 : sub === 7 ? 1 : sub === 8 ? 2 : 4;

/** The words of register `d` from a `simd_load` (not `v128.load`) at `e`, as `simdLoad` writes them. */
function loadWords(d: number, sub: number): string {
  const at = (n: number) => n === 0 ? "e" : `e + ${n}`;
  const i32 = (n: number) => `M.getInt32(${at(n)}, true)`;
  switch (sub) {
    case 1: // v128.load8x8_s: bytes to 16-bit lanes
    case 2: { // v128.load8x8_u
      const get = sub === 1 ? "M.getInt8" : "M.getUint8";
      const low = (n: number) => sub === 1 ? `(${get}(${at(n)}) & 0xffff)` : `${get}(${at(n)})`;
      return words(d, (k) => `${low(2 * k)} | (${get}(${at(2 * k + 1)}) << 16)`);
    }
    case 3: // v128.load16x4_s
    case 4: // v128.load16x4_u
      return words(d, (k) => `M.${sub === 3 ? "getInt16" : "getUint16"}(${at(2 * k)}, true)`);
    case 5: // v128.load32x2_s
    case 6: // v128.load32x2_u
      return `vt0 = ${i32(0)}; vt1 = ${i32(4)}; ${
        words(d, (k) => (k & 1) === 0 ? `vt${k >> 1}` : sub === 5 ? `vt${k >> 1} >> 31` : "0")
      }`;
    case 7: // v128.load8_splat
      return `vt0 = Math.imul(M.getUint8(e), 0x01010101); ${words(d, () => "vt0")}`;
    case 8: // v128.load16_splat
      return `vt0 = M.getUint16(e, true); vt0 |= vt0 << 16; ${words(d, () => "vt0")}`;
    case 9: // v128.load32_splat
      return `vt0 = ${i32(0)}; ${words(d, () => "vt0")}`;
    case 10: // v128.load64_splat
      return `vt0 = ${i32(0)}; vt1 = ${i32(4)}; ${words(d, (k) => `vt${k & 1}`)}`;
    case 92: // v128.load32_zero
      return words(d, (k) => k === 0 ? i32(0) : "0");
    case 93: // v128.load64_zero
      return words(d, (k) => k < 2 ? i32(4 * k) : "0");
  }
  throw new Error(`not a SIMD load: ${sub}`);
}

/** Lane `lane` of register `d` read from memory at `e` (sub-opcodes 84-87: 8 to 64 bits). */
function loadLane(d: number, sub: number, lane: number): string {
  if (sub === 86) return `${vw(d, lane)} = M.getInt32(e, true);`;
  if (sub === 87) {
    return `${vw(d, 2 * lane)} = M.getInt32(e, true); ${
      vw(d, 2 * lane + 1)
    } = M.getInt32(e + 4, true);`;
  }
  const [w, bits, mask, get] = sub === 84
    ? [vw(d, lane >> 2), 8 * (lane & 3), 0xff, "M.getUint8(e)"]
    : [vw(d, lane >> 1), 16 * (lane & 1), 0xffff, "M.getUint16(e, true)"];
  return `${w} = (${w} & ${~(mask << bits)}) | (${get} << ${bits});`;
}

/** Lane `lane` of register `a` stored to memory at `e` (sub-opcodes 88-91: 8 to 64 bits). */
function storeLane(a: number, sub: number, lane: number): string {
  switch (sub) {
    case 88: // (the setter keeps the low 8 or 16 bits)
      return `M.setUint8(e, ${vw(a, lane >> 2)} >>> ${8 * (lane & 3)});`;
    case 89:
      return `M.setUint16(e, ${vw(a, lane >> 1)} >>> ${16 * (lane & 1)}, true);`;
    case 90:
      return `M.setInt32(e, ${vw(a, lane)}, true);`;
  }
  return `M.setInt32(e, ${vw(a, 2 * lane)}, true); M.setInt32(e + 4, ${
    vw(a, 2 * lane + 1)
  }, true);`;
}

/** The 16 byte indices packed four per word. */
const unpack = (ms: readonly (number | number[])[]) =>
  ms.flatMap((m) => [0, 8, 16, 24].map((s) => ((m as number) >>> s) & 0xff));

/** The binary v128 ops of their own that work word by word: the word of the result. */
const OWN_WORD_OPS: Readonly<Record<string, (a: string, b: string) => string>> = {
  v128_and: (a, b) => `${a} & ${b}`,
  v128_or: (a, b) => `${a} | ${b}`,
  v128_xor: (a, b) => `${a} ^ ${b}`,
  i32x4_add: (a, b) => `(${a} + ${b}) | 0`,
  i32x4_sub: (a, b) => `(${a} - ${b}) | 0`,
  i32x4_mul: (a, b) => `Math.imul(${a}, ${b})`,
};

/** The float v128 ops of their own: lane width and the JS operator. */
const OWN_FLOAT_OPS: Readonly<Record<string, readonly [32 | 64, string]>> = {
  f32x4_add: [32, "+"],
  f32x4_sub: [32, "-"],
  f32x4_mul: [32, "*"],
  f64x2_add: [64, "+"],
  f64x2_sub: [64, "-"],
  f64x2_mul: [64, "*"],
};

/**
 * The JavaScript of one v128 op.
 *
 * @param name the op's name ({@link isJsSimdOp})
 * @param x the instruction's operands and scalar site
 * @returns its statements
 */
export function jsSimdText(name: string, x: SimdSite): string {
  const o = x.o as number[];
  const s = x.site;
  switch (name) {
    case "v128_mov":
      return copyV(o[0], o[1]);
    case "v128_select":
      return `if (${s.conv(1, "I")} !== 0) { ${copyV(o[0], o[2])} } else { ${copyV(o[0], o[3])} }`;
    case "v128_const":
      return words(o[0], (k) => String(o[1 + k] | 0));
    case "v128_global_get":
      return `e = V[${o[1]}] << 1; ${words(o[0], (k) => `vm.globals[e + ${k}]`)}`;
    case "v128_global_set":
      return `e = V[${o[0]}] << 1; ${
        [0, 1, 2, 3].map((k) => `vm.globals[e + ${k}] = ${vw(o[1], k)};`).join(" ")
      }`;
    case "v128_bitselect":
      // each word on its own: a's bits where the mask's are set, b's elsewhere
      return words(
        o[0],
        (k) => `${vw(o[2], k)} ^ ((${vw(o[1], k)} ^ ${vw(o[2], k)}) & ${vw(o[3], k)})`,
      );
    case "i8x16_shuffle":
      return shuffle(o[0], o[1], o[2], unpack(o.slice(3, 7)));
    case "i8x16_shuffle1":
      return shuffle(o[0], o[1], undefined, unpack(o.slice(2, 6)));
    case "simd_load128":
      return `${ea(s.conv(1, "I"), o[2])} if (e + 16 > ML) ${s.trap(MEM)} ${
        words(o[0], (k) => `M.getInt32(e${k === 0 ? "" : ` + ${4 * k}`}, true)`)
      }`;
    case "simd_store128":
      return `${ea(s.conv(0, "I"), o[2])} if (e + 16 > ML) ${s.trap(MEM)} ${
        [0, 1, 2, 3].map((k) =>
          `M.setInt32(e${k === 0 ? "" : ` + ${4 * k}`}, ${vw(o[1], k)}, true);`
        )
          .join(" ")
      }`;
    case "simd_load":
      if (o[1] === 0) return jsSimdText("simd_load128", { ...x, o: [o[0], o[2], o[3]] });
      return `${ea(s.conv(2, "I"), o[3])} if (e + ${loadSize(o[1])} > ML) ${s.trap(MEM)} ${
        loadWords(o[0], o[1])
      }`;
    case "simd_load_lane": {
      const [d, sub, , a, , lane] = o;
      const copy = copyV(d, a);
      return `${ea(s.conv(2, "I"), o[4])} if (e + ${1 << (sub - 84)} > ML) ${s.trap(MEM)} ${
        copy === "" ? "" : `${copy} `
      }${loadLane(d, sub, lane)}`;
    }
    case "simd_store":
      if (o[0] === 11) return jsSimdText("simd_store128", { ...x, o: [o[1], o[2], o[3]] });
      return `${ea(s.conv(1, "I"), o[3])} if (e + ${1 << (o[0] - 88)} > ML) ${s.trap(MEM)} ${
        storeLane(o[2], o[0], o[4])
      }`;
    case "i32x4_trunc_sat_f32x4_s": // NaN → 0, out of range saturates
      return [0, 1, 2, 3].map((k) =>
        `Q32[0] = ${vw(o[1], k)}; vf = QF[0]; ${
          vw(o[0], k)
        } = vf > -2147483649 && vf < 2147483648 ? vf | 0 : vf !== vf ? 0 : vf < 0 ? -2147483648 : 2147483647;`
      ).join(" ");
  }
  const word = OWN_WORD_OPS[name];
  if (word !== undefined) return words(o[0], (k) => word(vw(o[1], k), vw(o[2], k)));
  const float = OWN_FLOAT_OPS[name];
  if (float !== undefined) return (float[0] === 32 ? f32x4 : f64x2)(o[0], o[1], o[2], float[1]);
  const text = laneText(name, x);
  if (text === undefined) throw new Error(`op ${name}`);
  return text;
}

/**
 * Before a call: each v128 argument copied from its register (`base + j`)
 * to the callee's (vector `j` past the caller's frame, where the callee's
 * frame, or the VM slots at `S.sp`, start).
 *
 * @param params the callee's parameter types
 * @param base the call's first argument register
 * @param frame the caller's frame size (its `S.sp` is `sp + frame`)
 * @returns the statements ("" without v128 arguments)
 */
export function jsSimdCallArgs(params: readonly ValType[], base: number, frame: number): string {
  return params.map((t, j) => t === ValType.v128 ? toFile(`${4 * (frame + j)}`, base + j) : "")
    .join(" ").trim();
}

/** Register `r`'s words stored to the file's vector at word `vw + at`. */
const toFile = (at: string, r: number) =>
  [0, 1, 2, 3].map((k) => `VW[vw + ${at} + ${k}] = ${vw(r, k)};`).join(" ")
    .replaceAll(/(\d+) \+ (\d+)\]/g, (_, x, y) => `${Number(x) + Number(y)}]`);

/** Register `r`'s words loaded from the file's vector at word `vw + at`. */
const fromFile = (at: string, r: number) =>
  [0, 1, 2, 3].map((k) => `${vw(r, k)} = VW[vw + ${at} + ${k}];`).join(" ")
    .replaceAll(/(\d+) \+ (\d+)\]/g, (_, x, y) => `${Number(x) + Number(y)}]`);

/**
 * After a call: each v128 result copied from the callee's register `j` to
 * the caller's `base + j`.
 *
 * @param results the callee's result types
 * @param base the call's first result register
 * @param frame the caller's frame size
 * @returns the statements ("" without v128 results)
 */
export function jsSimdCallResults(
  results: readonly ValType[],
  base: number,
  frame: number,
): string {
  return results.map((t, j) => t === ValType.v128 ? fromFile(`${4 * (frame + j)}`, base + j) : "")
    .join(" ").trim();
}

/**
 * The entry adapter's part (arguments from VM slots at `base`, results back
 * there): the v128 parameters copied from vectors `base + j` to the JS
 * frame's (at `S.sp`) before the call, the v128 results back after it.
 *
 * @param params the function's parameter types
 * @param results its result types
 * @returns statements before and after the call ("" without v128)
 */
export function jsSimdEntry(
  params: readonly ValType[],
  results: readonly ValType[],
): [string, string] {
  if (!params.includes(ValType.v128) && !results.includes(ValType.v128)) return ["", ""];
  const move = (types: readonly ValType[], from: string, to: string) =>
    types.map((t, j) =>
      t === ValType.v128
        ? `VW.copyWithin((${to} + ${j}) << 2, (${from} + ${j}) << 2, (${from} + ${j + 1}) << 2);`
        : ""
    ).join(" ").trim();
  return [
    `const q = S.sp, VW = H.simd.file(vm).i32; ${move(params, "base", "q")}`,
    move(results, "q", "base"),
  ];
}

/**
 * The most characters of JS a function with v128 ops may have. V8 does not
 * optimise a function past 61,440 bytes of bytecode, and then typed-array
 * code runs some 40x slower than optimised, slower than the interpreter;
 * short of that, a large function takes long to optimise (it tiers up after
 * more calls or loop iterations the larger its bytecode, and TurboFan took
 * 1.4 s to compile intgemm-simd's 56,000-byte `Multiply`, which made the JS
 * tier slower than the interpreter on that program: 4.8 s against 3.7 s).
 * With v128 registers in word locals the code is at most about 0.95 bytes
 * of bytecode per character (measured on blake3-simd's and intgemm-simd's
 * SIMD functions: 0.59 to 0.95), so this limit keeps SIMD functions below
 * some 29,000 bytes of bytecode, where the file-based form (about 1.1 bytes
 * per character) was measured to pay. A larger SIMD function runs on the
 * interpreter.
 */
export const JS_SIMD_MAX_SOURCE = 30_000;

/**
 * Refuses the JS of a function with v128 ops that V8 would not optimise
 * ({@link JS_SIMD_MAX_SOURCE}).
 *
 * @param source the function's JS
 * @throws Error naming the size (the function is then routed to the interpreter)
 */
export function jsSimdCheckSize(source: string): void {
  if (source.length > JS_SIMD_MAX_SOURCE) {
    throw new Error(
      `a SIMD function too large for V8 to optimise (${source.length} characters of JS)`,
    );
  }
}
