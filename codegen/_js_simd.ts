/**
 * SIMD on the JS tier: the JS backend's lowering of the v128 ops (the ops
 * `interpreter/ops.ts` runs in `runSimd`), kept apart from the scalar rows
 * of `_js_op_shapes.ts`; `js_backend.ts` and `_js_op_shapes.ts` call
 * {@link jsSimdText} and {@link jsSimdShape} for every op {@link isJsSimdOp}
 * names.
 *
 * Representation: a v128 value never is a JS value. Register `r` of a
 * JS-tier frame holds its v128 in the VM's v128 file (`interpreter/simd.ts`)
 * at vector `sp + r`, where `sp` is the frame's base in the wasm stack
 * (`S.sp` on entry): the same place the interpreter keeps the v128 of
 * register `r` of a frame at `fp`, so the interpreter's lane functions run
 * on JS-tier registers unchanged, and callees (whose frames start at `sp`
 * plus the frame's size) never touch them. Generated code reads the file through typed views bound by the
 * function's prologue ({@link JS_SIMD_PROLOGUE}): `VW` words (Int32Array),
 * `VF` f32 lanes, `VD` f64 lanes, `VB` bytes, `VS` 16-bit lanes, with the
 * frame's base in each unit (`vw`, `vd`, `vx`, `vs`), so a register's word
 * is `VW[vw + 4r + k]`, a constant offset from one base.
 *
 * Measured (simd_dot's loop written by hand both ways, this machine): the
 * file's words cost about 1.7x four int32/f32 JS locals per v128 (23.8
 * against 14.3 ms), but they need no register kind of their own, cross
 * calls, entries and on-stack replacement where the interpreter's v128s
 * already are, and give lane functions the same vectors; a call of a lane
 * function inside a hot loop costs far more (V8 then reloads the views each
 * iteration: simd_dot 40.8 against 12.9 ms once its one helper call was
 * written out), so the ops hot loops use are written out.
 *
 * - The hot ops are written out word by word (moves, constants, selects,
 *   globals, plain loads and stores, bitwise ops, i32x4 add/sub/mul, f32x4
 *   and f64x2 add/sub/mul, shuffles with their constant lane indices, lane
 *   extracts and replaces, splats, the lane ops of `_js_simd_lanes.ts` and
 *   `_js_simd_words.ts`), with exactly the interpreter's arithmetic: a float lane is written through the
 *   float view and a NaN result then made quiet in its word, lane moves go
 *   through the word views (a float view would quiet a signalling NaN).
 * - The others call the interpreter's lane functions (`simd_math.ts`),
 *   bound by the runtime as `H.simd` (`runtime/_js_simd.ts`), with the
 *   registers' vector indices: the same code the interpreter runs, so the
 *   relaxed ops (translated to standard ones by `simd_translate.ts`) give the
 *   interpreter's results.
 * - Scalars (addresses, shift counts, splat inputs, extracted lanes,
 *   select conditions) are ordinary registers of their kinds
 *   (`_js_kinds.ts`); {@link jsSimdShape} names them, and a v128 result as
 *   a definition of no kind, so the kind analysis never gives a v128 a kind.
 * - v128 parameters, results and call arguments cross in the file too: a
 *   caller copies them to and from the callee's registers (vector `j` past
 *   its own frame), an entry adapter from and to the slots at its base.
 *
 * Invariants:
 * - Every op reads all of its v128 operands' lanes that a result lane
 *   depends on before writing that lane (the destination may be an operand);
 *   cross-lane ops compute into `vt0..vt3` first, or run in the lane
 *   functions (which use the file's scratch vector).
 * - Nothing here calls, grows the memory or traps other than out of bounds.
 *
 * @module
 */

import { TrapCode, ValType } from "@capstan/environ";
import { BYTECODE_OPS } from "@capstan/interpreter";
import type { IrInst } from "./ir.ts";
import type { OpShape, RegKind, RegOperand } from "./_js_op_shapes.ts";
import { copyV, laneText, type SimdSite, vec, vw, words } from "./_js_simd_lanes.ts";

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
  "const SV = H.simd.file(vm), VW = SV.i32, VF = SV.f32, VD = SV.f64, VB = SV.u8, VS = SV.u16, " +
  "vw = sp << 2, vd = sp << 1, vs = sp << 3, vx = sp << 4; let vt0 = 0, vt1 = 0, vt2 = 0, vt3 = 0, vf = 0.5;";

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
  return `VW.copyWithin(vw, base << 2, (base + ${frame[1]}) << 2);`;
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

/** An f32x4 op written lane by lane, a NaN lane made quiet (as `runSimd`). */
const f32x4 = (d: number, a: number, b: number, op: string) =>
  [0, 1, 2, 3].map((k) => {
    const x = `VF[vw + ${4 * d + k}]`;
    return `${x} = VF[vw + ${4 * a + k}] ${op} VF[vw + ${4 * b + k}]; if (${x} !== ${x}) ${
      vw(d, k)
    } |= 0x400000;`;
  }).join(" ");

/** An f64x2 op written lane by lane, a NaN lane made quiet (as `runSimd`). */
const f64x2 = (d: number, a: number, b: number, op: string) =>
  [0, 1].map((k) => {
    const x = `VD[vd + ${2 * d + k}]`;
    return `${x} = VD[vd + ${2 * a + k}] ${op} VD[vd + ${2 * b + k}]; if (${x} !== ${x}) ${
      vw(d, 2 * k + 1)
    } |= 0x80000;`;
  }).join(" ");

/**
 * The shuffle of bytes `idx` (16 indices into `a ++ b`, `b` undefined for a
 * shuffle of `a` alone) into `d`: whole words where four indices pick one
 * aligned word, else bytes; into `vt0..vt3` first (`d` may be `a` or `b`).
 */
function shuffle(d: number, a: number, b: number | undefined, idx: readonly number[]): string {
  const src = (x: number) => x < 16 || b === undefined ? [a, x & 15] : [b, x - 16];
  const out: string[] = [];
  for (let k = 0; k < 4; k++) {
    const q = idx.slice(4 * k, 4 * k + 4);
    const [r0, x0] = src(q[0]);
    const whole = x0 % 4 === 0 && q.every((x, j) => {
      const [r, y] = src(x);
      return r === r0 && y === x0 + j;
    });
    out.push(
      `vt${k} = ${
        whole ? vw(r0, x0 >> 2) : q.map((x, j) => {
          const [r, y] = src(x);
          const byte = `VB[vx + ${16 * r + y}]`;
          return j === 0 ? byte : `(${byte} << ${8 * j})`;
        }).join(" | ")
      };`,
    );
  }
  return out.join(" ") + " " + words(d, (k) => `vt${k}`);
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
      return [0, 1, 2, 3].map((k) =>
        `vt0 = ${vw(o[3], k)}; ${vw(o[0], k)} = (${vw(o[1], k)} & vt0) | (${vw(o[2], k)} & ~vt0);`
      ).join(" ");
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
      return `${ea(s.conv(2, "I"), o[3])} if (!H.simd.load(SV, X.memory, ${o[1]}, ${
        vec(o[0])
      }, e)) ${s.trap(MEM)}`;
    case "simd_load_lane":
      return `${ea(s.conv(2, "I"), o[4])} if (!H.simd.loadLane(SV, X.memory, ${o[1]}, ${
        vec(o[0])
      }, ${vec(o[3])}, e, ${o[5]})) ${s.trap(MEM)}`;
    case "simd_store":
      if (o[0] === 11) return jsSimdText("simd_store128", { ...x, o: [o[1], o[2], o[3]] });
      return `${ea(s.conv(1, "I"), o[3])} if (!H.simd.store(SV, X.memory, ${o[0]}, ${
        vec(o[2])
      }, e, ${o[4]})) ${s.trap(MEM)}`;
    case "i32x4_trunc_sat_f32x4_s": // NaN → 0, out of range saturates
      return [0, 1, 2, 3].map((k) =>
        `vf = VF[vw + ${4 * o[1] + k}]; ${
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
  return params.map((t, j) => t === ValType.v128 ? copyV(frame + j, base + j) : "").join(" ")
    .trim();
}

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
  return results.map((t, j) => t === ValType.v128 ? copyV(base + j, frame + j) : "").join(" ")
    .trim();
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
 * optimise a function past a bytecode size, and then typed-array code runs
 * some 40x slower than optimised, slower than the interpreter (measured: a
 * loop of statements `VW[vw + a] = (VW[vw + b] + VW[vw + c]) | 0;` runs at
 * 5 ns a statement up to 1,000 of them, 49,000 characters, and at 200 ns
 * from 1,100). Code denser in bytecode reaches the limit sooner: with
 * 48,000 here intgemm-simd ran at 5.4 s on the JS tier against 3.4 s on the
 * interpreter, with 30,000 at 3.4 s against 3.1 s (blake3-simd 1.6 s against
 * 1.9 s). A larger SIMD function runs on the interpreter.
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
