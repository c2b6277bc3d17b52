/**
 * The lane-wise v128 ops of the JS tier's SIMD lowering (`_js_simd.ts`,
 * whose module doc gives the representation): `simd_un`, `simd_bin`,
 * `simd_shift`, `simd_test` by their wasm sub-opcode, and the lane moves
 * between v128 registers and scalars (`simd_splat`, `simd_extract`,
 * `simd_replace`).
 *
 * A sub-opcode `runSimd` writes out inline is written out here the same way
 * (word-wise, the same arithmetic); a few more cheap word-wise ones too
 * (`v128.not`, `v128.andnot`, the i32x4 compares and min/max, i8x16/i16x8
 * add and sub by lanes packed in words), each checked against the lane
 * functions by `js_simd_test.ts` (and more in `_js_simd_words.ts`); every
 * other one calls the interpreter's lane
 * function (`H.simd.un`, `.bin`, `.shift`, `.test`), so its result is the
 * interpreter's by construction.
 *
 * Invariants: the lane moves read and write float lanes only as int32 words
 * (a register's word locals, see `_js_simd.ts`), so a signalling NaN keeps
 * its bits; an op the lane functions run spills its operands to their home
 * vectors and reloads its result ({@link viaFile}); a
 * scalar f32 crosses as its bits (`H.f32b`/the kind conversions), an f64
 * as two words.
 *
 * @module
 */

import { hiLocal } from "./_js_i64.ts";
import { names } from "./_js_fold.ts";
import type { Site } from "./_js_op_shapes.ts";
import { wordText } from "./_js_simd_words.ts";

/** What the SIMD templates see of an instruction. */
export interface SimdSite {
  /** The instruction's operands (registers, immediates). */
  readonly o: readonly (number | number[])[];
  /** The local of scalar register operand `k` (for a definition). */
  local(k: number): string;
  /** The site of the scalar templates: kinds, conversions, traps. */
  readonly site: Site;
}

/** The JS local of word `k` (0-3, low to high) of the v128 in register `r`. */
export const vw = (r: number, k: number): string => `w${r}${"abcd"[k]}`;

/** Word `k` of register `r`'s home vector in the v128 file (vector `sp + r`). */
export const fw = (r: number, k: number): string => `VW[vw + ${4 * r + k}]`;

/** The v128 file's vector index of register `r` (for the lane functions). */
export const vec = (r: number): string => `sp + ${r}`;

/** Register `r`'s four words stored to its home vector (before a lane function reads it). */
export const spill = (r: number): string =>
  [0, 1, 2, 3].map((k) => `${fw(r, k)} = ${vw(r, k)};`).join(" ");

/** Register `r`'s four words loaded from its home vector (after a lane function wrote it). */
export const reload = (r: number): string =>
  [0, 1, 2, 3].map((k) => `${vw(r, k)} = ${fw(r, k)};`).join(" ");

/**
 * A call of a lane function over the registers' home vectors: operands
 * `uses` spilled first, the result `def` (if any) reloaded after.
 */
export const viaFile = (uses: readonly number[], call: string, def?: number): string =>
  [...new Set(uses)].map(spill).join(" ") + ` ${call}` +
  (def === undefined ? "" : ` ${reload(def)}`);

/** Register `d` := register `s`, word by word. */
export const copyV = (d: number, s: number): string =>
  d === s ? "" : [0, 1, 2, 3].map((k) => `${vw(d, k)} = ${vw(s, k)};`).join(" ");

/** Each word of `d` from an expression of the word index. */
export const words = (d: number, f: (k: number) => string): string =>
  [0, 1, 2, 3].map((k) => `${vw(d, k)} = ${f(k)};`).join(" ");

/**
 * Each word of `d` from its expression (`exprs[k]`, which may read any word
 * of the operands): straight into `d` when no expression reads a word of
 * `d` written before it, else through `vt0..vt3`; a word that is its own
 * expression is not written.
 */
export function intoWords(d: number, exprs: readonly string[]): string {
  const clobbers = exprs.some((_, k) => exprs.slice(k + 1).some((x) => names(x, vw(d, k))));
  if (clobbers) {
    return exprs.map((x, k) => `vt${k} = ${x};`).join(" ") + " " + words(d, (k) => `vt${k}`);
  }
  return exprs.map((x, k) => x === vw(d, k) ? "" : `${vw(d, k)} = ${x};`).filter((x) => x !== "")
    .join(" ");
}

/** A word-wise op of two operands: `f(a's word, b's word)` for each word. */
const bin2 = (o: readonly number[], f: (a: string, b: string) => string) =>
  words(o[0], (k) => f(vw(o[2], k), vw(o[3], k)));

/** i32x4 compares and min/max, word by word (sub-opcode → the word of the result). */
const I32X4_BIN: Readonly<Record<number, (a: string, b: string) => string>> = {
  55: (a, b) => `${a} === ${b} ? -1 : 0`, // i32x4.eq
  56: (a, b) => `${a} !== ${b} ? -1 : 0`, // i32x4.ne
  57: (a, b) => `${a} < ${b} ? -1 : 0`, // i32x4.lt_s
  58: (a, b) => `(${a} >>> 0) < (${b} >>> 0) ? -1 : 0`, // i32x4.lt_u
  59: (a, b) => `${a} > ${b} ? -1 : 0`, // i32x4.gt_s
  60: (a, b) => `(${a} >>> 0) > (${b} >>> 0) ? -1 : 0`, // i32x4.gt_u
  61: (a, b) => `${a} <= ${b} ? -1 : 0`, // i32x4.le_s
  62: (a, b) => `(${a} >>> 0) <= (${b} >>> 0) ? -1 : 0`, // i32x4.le_u
  63: (a, b) => `${a} >= ${b} ? -1 : 0`, // i32x4.ge_s
  64: (a, b) => `(${a} >>> 0) >= (${b} >>> 0) ? -1 : 0`, // i32x4.ge_u
  79: (a, b) => `${a} & ~${b}`, // v128.andnot
  110: (a, b) =>
    // i8x16.add: the low 7 bits of each byte added, the top bits by xor
    `((${a} & 0x7f7f7f7f) + (${b} & 0x7f7f7f7f)) ^ ((${a} ^ ${b}) & 0x80808080)`,
  113: (a, b) =>
    // i8x16.sub: each byte's top bit set first so no borrow crosses bytes
    `((${a} | 0x80808080) - (${b} & 0x7f7f7f7f)) ^ ((${a} ^ ~${b}) & 0x80808080)`,
  142: (a, b) =>
    // i16x8.add
    `((${a} & 0x7fff7fff) + (${b} & 0x7fff7fff)) ^ ((${a} ^ ${b}) & 0x80008000)`,
  145: (a, b) =>
    // i16x8.sub
    `((${a} | 0x80008000) - (${b} & 0x7fff7fff)) ^ ((${a} ^ ~${b}) & 0x80008000)`,
  // i8x16.eq: a byte of a ^ b is zero where the lanes are equal; its top bit spread over it
  35: (a, b) =>
    `(vt0 = ${a} ^ ${b}, ~Math.imul(((((vt0 & 0x7f7f7f7f) + 0x7f7f7f7f) | vt0) & 0x80808080) >>> 7, 0xff))`,
  149: (a, b) =>
    // i16x8.mul: each half's product, cut to 16 bits
    `(Math.imul(${a}, ${b}) & 0xffff) | (Math.imul(${a} >>> 16, ${b} >>> 16) << 16)`,
  186: (a, b) =>
    // i32x4.dot_i16x8_s: the two halves' signed products added (wrapping)
    `(Math.imul((${a} << 16) >> 16, (${b} << 16) >> 16) + Math.imul(${a} >> 16, ${b} >> 16)) | 0`,
  182: (a, b) => `${a} < ${b} ? ${a} : ${b}`, // i32x4.min_s
  183: (a, b) => `(${a} >>> 0) < (${b} >>> 0) ? ${a} : ${b}`, // i32x4.min_u
  184: (a, b) => `${a} > ${b} ? ${a} : ${b}`, // i32x4.max_s
  185: (a, b) => `(${a} >>> 0) > (${b} >>> 0) ? ${a} : ${b}`, // i32x4.max_u
};

/** Unary ops word by word (sub-opcode → the word of the result). */
const WORD_UN: Readonly<Record<number, (a: string) => string>> = {
  77: (a) => `~${a}`, // v128.not
  // i16x8.extadd_pairwise_i8x16_s: two signed byte-pair sums
  124: (a) =>
    `((((${a} << 24) >> 24) + ((${a} << 16) >> 24)) & 0xffff) | ((((${a} << 8) >> 24) + (${a} >> 24)) << 16)`,
  125: (a) => `(${a} & 0x00ff00ff) + ((${a} >>> 8) & 0x00ff00ff)`, // ..._i8x16_u
  126: (a) => `((${a} << 16) >> 16) + (${a} >> 16)`, // i32x4.extadd_pairwise_i16x8_s
  127: (a) => `(${a} & 0xffff) + (${a} >>> 16)`, // i32x4.extadd_pairwise_i16x8_u
  // deterministic mode: an f32 NaN lane becomes the canonical NaN
  0x100: (a) => `(${a} & 0x7fffffff) > 0x7f800000 ? 0x7fc00000 : ${a}`,
};

/**
 * Shifts word by word (sub-opcode → the word of the result, `c` the count:
 * a literal, or `e` holding it), the byte masks folded for a literal count.
 */
const WORD_SHIFT: Readonly<Record<number, (a: string, c: string) => string>> = {
  107: (a, c) => narrowShift(a, c, 8, "shl"), // i8x16.shl
  108: (a, c) => narrowShift(a, c, 8, "shr_s"), // i8x16.shr_s
  109: (a, c) => narrowShift(a, c, 8, "shr_u"), // i8x16.shr_u
  139: (a, c) => narrowShift(a, c, 16, "shl"), // i16x8.shl
  140: (a, c) => narrowShift(a, c, 16, "shr_s"), // i16x8.shr_s
  141: (a, c) => narrowShift(a, c, 16, "shr_u"), // i16x8.shr_u
  171: (a, c) => `${a} << ${c}`, // i32x4.shl
  172: (a, c) => `${a} >> ${c}`, // i32x4.shr_s
  173: (a, c) => `${a} >>> ${c}`, // i32x4.shr_u
};

/**
 * A shift of the 8- or 16-bit lanes packed in word `a` by count `c` (taken
 * modulo the lane width), as one word expression: the word shifted whole,
 * the bits that crossed into a neighbouring lane masked off; for `shr_s`
 * each negative lane's top `c` bits then set (its sign bit, moved to the
 * lane's bit 0, multiplied by the fill mask: no carry crosses lanes). The
 * masks are literals for a literal count.
 */
function narrowShift(a: string, c: string, bits: 8 | 16, op: "shl" | "shr_s" | "shr_u"): string {
  const ones = bits === 8 ? 0x01010101 : 0x00010001; // bit 0 of each lane
  const lane = bits === 8 ? 0xff : 0xffff;
  const n = isLiteral(c) ? String(Number(c) & (bits - 1)) : `(${c} & ${bits - 1})`;
  /** A mask from the count: folded for a literal. */
  const mask = (f: (k: number) => number, text: string) =>
    isLiteral(n) ? String(f(Number(n)) | 0) : text;
  if (op === "shl") {
    return `(${a} << ${n}) & ${
      mask((k) =>
        Math.imul((lane << k) & lane, ones), `Math.imul((${lane} << ${n}) & ${lane}, ${ones})`)
    }`;
  }
  const logical = `(${a} >>> ${n}) & ${
    mask((k) => Math.imul(lane >>> k, ones), `Math.imul(${lane} >>> ${n}, ${ones})`)
  }`;
  if (op === "shr_u") return logical;
  const fill = mask((k) => (lane << (bits - k)) & lane, `(${lane} << (${bits} - ${n})) & ${lane}`);
  return `(${logical}) | Math.imul((${a} >>> ${bits - 1}) & ${ones}, ${fill})`;
}

/** Whether a scalar operand's text is an integer literal. */
const isLiteral = (x: string) => /^-?\d+$/.test(x);

/** `i8x16.bitmask` of one word: its bytes' top bits gathered in bits 28..31, shifted down. */
const bitmask4 = (w: string) => `(Math.imul((${w} >>> 7) & 0x01010101, 0x10204080) >>> 28)`;

/**
 * The JavaScript of a lane-wise v128 op or a lane move.
 *
 * @param name the op's name
 * @param x the instruction's operands and scalar site
 * @returns its statements, or undefined for an op not lowered here
 */
export function laneText(name: string, x: SimdSite): string | undefined {
  const o = x.o as number[];
  const s = x.site;
  const sub = o[1];
  switch (name) {
    case "simd_un": {
      const f = WORD_UN[sub];
      if (f !== undefined) return words(o[0], (k) => f(vw(o[2], k)));
      return wordText(name, sub, o) ??
        viaFile([o[2]], `H.simd.un(${sub}, SV, ${vec(o[0])}, ${vec(o[2])});`, o[0]);
    }
    case "simd_bin": {
      const f = I32X4_BIN[sub];
      if (f !== undefined) return bin2(o, f);
      return wordText(name, sub, o) ??
        viaFile(
          [o[2], o[3]],
          `H.simd.bin(${sub}, SV, ${vec(o[0])}, ${vec(o[2])}, ${vec(o[3])});`,
          o[0],
        );
    }
    case "simd_shift": {
      const f = WORD_SHIFT[sub];
      const c = s.conv(3, "I").replace(/^\((-?\d+)\)$/, "$1");
      if (f !== undefined && isLiteral(c)) return words(o[0], (k) => f(vw(o[2], k), c));
      if (f !== undefined) return `e = ${c}; ${words(o[0], (k) => f(vw(o[2], k), "e"))}`;
      return viaFile([o[2]], `H.simd.shift(${sub}, SV, ${vec(o[0])}, ${vec(o[2])}, ${c});`, o[0]);
    }
    case "simd_test": {
      const d = x.local(0);
      if (sub === 83) { // v128.any_true
        return `${d} = (${[0, 1, 2, 3].map((k) => vw(o[2], k)).join(" | ")}) !== 0 ? 1 : 0;`;
      }
      if (sub === 100) { // i8x16.bitmask
        return `${d} = ${
          [0, 1, 2, 3].map((k) =>
            k === 0 ? bitmask4(vw(o[2], 0)) : `(${bitmask4(vw(o[2], k))} << ${4 * k})`
          )
            .join(" | ")
        };`;
      }
      return viaFile([o[2]], `${d} = H.simd.test(${sub}, SV, ${vec(o[2])});`);
    }
    case "simd_splat":
      return splat(o[0], sub, x);
    case "simd_extract":
      return extract(x.local(0), sub, o[2], o[3], x);
    case "simd_replace":
      return replace(o[0], sub, o[2], o[4], x);
  }
  return undefined;
}

/** A 64-bit scalar operand `k` (an i64 as its pair of halves) split into words `vt0` (low) and `vt1`. */
function split64(x: SimdSite, k: number): string {
  const [lo, hi] = x.site.pair(k);
  return `vt0 = ${lo}; vt1 = ${hi};`;
}

function splat(d: number, sub: number, x: SimdSite): string {
  const s = x.site;
  switch (sub) {
    case 15: // i8x16.splat
      return `vt0 = Math.imul(${s.conv(2, "I")} & 0xff, 0x01010101); ${words(d, () => "vt0")}`;
    case 16: // i16x8.splat
      return `vt0 = ${s.conv(2, "I")} & 0xffff; vt0 |= vt0 << 16; ${words(d, () => "vt0")}`;
    case 17: // i32x4.splat
    case 19: // f32x4.splat (its bits)
      return `vt0 = ${s.conv(2, "I")}; ${words(d, () => "vt0")}`;
    default: // i64x2.splat, f64x2.splat (bits)
      return `${split64(x, 2)} ${words(d, (k) => (k & 1) === 0 ? "vt0" : "vt1")}`;
  }
}

function extract(d: string, sub: number, a: number, lane: number, x: SimdSite): string {
  const bw = vw(a, lane >> 2); // the word of byte lane `lane`, its bit offset
  const bs = 8 * (lane & 3);
  const hw = vw(a, lane >> 1); // the word of 16-bit lane `lane`, its bit offset
  const hs = 16 * (lane & 1);
  switch (sub) {
    case 21: // i8x16.extract_lane_s
      return `${d} = (${bw} << ${24 - bs}) >> 24;`;
    case 22: // i8x16.extract_lane_u
      return bs === 24 ? `${d} = ${bw} >>> 24;` : `${d} = (${bw} >>> ${bs}) & 0xff;`;
    case 24: // i16x8.extract_lane_s
      return `${d} = (${hw} << ${16 - hs}) >> 16;`;
    case 25: // i16x8.extract_lane_u
      return hs === 16 ? `${d} = ${hw} >>> 16;` : `${d} = ${hw} & 0xffff;`;
    case 27: // i32x4.extract_lane
      return `${d} = ${vw(a, lane)};`;
    case 31: // f32x4.extract_lane: the lane's bits as the kind of its register
      return x.site.kind(0) === "F" ? `${d} = H.f32b(${vw(a, lane)});` : `${d} = ${vw(a, lane)};`;
  }
  // i64x2 / f64x2: two words
  const lo = vw(a, 2 * lane);
  const hi = vw(a, 2 * lane + 1);
  switch (x.site.kind(0)) {
    case "D": // as an f64 load does: a NaN made quiet (the kinds keep observed bits as B)
      return `T32[0] = ${lo}; T32[1] = ${hi}; ${d} = TD[0]; if (${d} !== ${d}) ${d} = H.quiet(${d});`;
    case "B": // an i64 is a pair of int32 locals (`_js_i64.ts`)
      return `${d} = ${lo}; ${hiLocal(d)} = ${hi};`;
    default: // only its low half is read
      return `${d} = ${lo};`;
  }
}

function replace(d: number, sub: number, a: number, lane: number, x: SimdSite): string {
  const s = x.site;
  const copy = a === d ? "" : words(d, (k) => vw(a, k)) + " ";
  switch (sub) {
    case 23: // i8x16.replace_lane: the byte's bits cleared, the scalar's low byte put there
    case 26: { // i16x8.replace_lane
      const [w, bits] = sub === 23
        ? [vw(d, lane >> 2), 8 * (lane & 3)]
        : [vw(d, lane >> 1), 16 * (lane & 1)];
      const mask = sub === 23 ? 0xff : 0xffff;
      return `${copy}${w} = (${w} & ${~(mask << bits)}) | ((${
        s.conv(3, "I")
      } & ${mask}) << ${bits});`;
    }
    case 28: // i32x4.replace_lane
    case 32: // f32x4.replace_lane (its bits)
      return `${copy}${vw(d, lane)} = ${s.conv(3, "I")};`;
    default: // i64x2 / f64x2 (bits)
      return `${split64(x, 3)} ${copy}${vw(d, 2 * lane)} = vt0; ${vw(d, 2 * lane + 1)} = vt1;`;
  }
}
