/**
 * More lane ops of the JS tier's SIMD lowering written out on 32-bit words
 * (see `_js_simd.ts` for the representation): the byte- and 16-bit-lane ops
 * that integer kernels (quantised matrix products, codecs) run in their hot
 * loops, each with exactly the interpreter's lane arithmetic
 * (`interpreter/_simd_*.ts`; `js_simd_test.ts` compares them): saturating
 * 16-bit adds, byte negation, max and inequality, the narrowing and widening
 * conversions, and two f32 lane ops.
 *
 * Invariant: an op whose result word depends on other words than its own
 * (extends, narrows) writes them through `vt0..vt3` when the destination is
 * an operand whose words a later result word reads (`intoWords`).
 *
 * @module
 */

import { intoWords, vw, words } from "./_js_simd_lanes.ts";

/** Byte `j` (0-3) of word `w`, sign-extended. */
const sbyte = (w: string, j: number) => `((${w} << ${24 - 8 * j}) >> 24)`;
/** Byte `j` (0-3) of word `w`, zero-extended. */
const ubyte = (w: string, j: number) => j === 3 ? `(${w} >>> 24)` : `((${w} >>> ${8 * j}) & 0xff)`;
/** Half `j` (0-1) of word `w`, sign-extended. */
const shalf = (w: string, j: number) => j === 0 ? `((${w} << 16) >> 16)` : `(${w} >> 16)`;
/** `x` clamped to `[lo, hi]` (`MX`, `MN`: `Math.max`, `Math.min` bound by the prologue). */
const clamp = (x: string, lo: number, hi: number) => `MX(${lo}, MN(${hi}, ${x}))`;

/** Four result words from the word index, the operands read before `d` is written. */
const cross = (d: number, f: (k: number) => string) => intoWords(d, [0, 1, 2, 3].map(f));

/** Lane-wise byte ops: the result word from the operands' words. */
const BYTES_BIN: Readonly<Record<number, (a: string, b: string) => string>> = {
  // i8x16.ne: a byte of a ^ b is nonzero where the lanes differ; its top bit spread over it
  36: (a, b) =>
    `(vt0 = ${a} ^ ${b}, Math.imul(((((vt0 & 0x7f7f7f7f) + 0x7f7f7f7f) | vt0) & 0x80808080) >>> 7, 0xff))`,
  120: (a, b) =>
    // i8x16.max_s
    [0, 1, 2, 3].map((j) =>
      `((MX(${sbyte(a, j)}, ${sbyte(b, j)}) & 0xff)${j === 0 ? "" : ` << ${8 * j}`})`
    ).join(" | "),
  143: (a, b) =>
    // i16x8.add_sat_s
    `(${clamp(`${shalf(a, 0)} + ${shalf(b, 0)}`, -32768, 32767)} & 0xffff) | (${
      clamp(`${shalf(a, 1)} + ${shalf(b, 1)}`, -32768, 32767)
    } << 16)`,
};

/**
 * A narrowing `a`, `b` → `d`: result word `k` from words `2(k & 1)` and
 * `2(k & 1) + 1` of `a` (k < 2) or `b`, each of `n` lanes saturated to
 * `[lo, hi]`, packed.
 */
function narrow(d: number, a: number, b: number, wide16: boolean, signed: boolean): string {
  const [lo, hi] = wide16
    ? (signed ? [-128, 127] : [0, 255])
    : (signed ? [-32768, 32767] : [0, 65535]);
  const mask = wide16 ? 0xff : 0xffff;
  return cross(d, (k) => {
    const src = k < 2 ? a : b;
    const ws = [vw(src, 2 * (k & 1)), vw(src, 2 * (k & 1) + 1)];
    const lanes = wide16 ? ws.flatMap((w) => [shalf(w, 0), shalf(w, 1)]) : ws;
    const bits = 32 / lanes.length;
    return lanes.map((x, j) => {
      const v = `(${clamp(x, lo, hi)} & ${mask})`;
      return j === 0 ? v : `(${v} << ${bits * j})`;
    }).join(" | ");
  });
}

/**
 * A widening of the low (`high` false) or high bytes of `a` to 16-bit lanes
 * into `d`: result word `k` from bytes `2(k & 1)`, `2(k & 1) + 1` of word
 * `k >> 1` (or `2 + (k >> 1)`).
 */
function extend8(d: number, a: number, high: boolean, signed: boolean): string {
  return cross(d, (k) => {
    const w = vw(a, (high ? 2 : 0) + (k >> 1));
    const j = 2 * (k & 1);
    const b0 = signed ? `(${sbyte(w, j)} & 0xffff)` : ubyte(w, j);
    const b1 = signed ? sbyte(w, j + 1) : ubyte(w, j + 1);
    return `${b0} | (${b1} << 16)`;
  });
}

/**
 * The JavaScript of a `simd_un`/`simd_bin` sub-opcode written out here.
 *
 * @param name `simd_un` or `simd_bin`
 * @param sub the sub-opcode
 * @param o the instruction's operands (`d sub a [b]`)
 * @returns the statements, or undefined when the op is not written out here
 */
export function wordText(name: string, sub: number, o: readonly number[]): string | undefined {
  const [d, , a, b] = o;
  if (name === "simd_bin") {
    const f = BYTES_BIN[sub];
    if (f !== undefined) return words(d, (k) => f(vw(a, k), vw(b, k)));
    switch (sub) {
      case 101: // i8x16.narrow_i16x8_s
      case 102: // i8x16.narrow_i16x8_u
        return narrow(d, a, b, true, sub === 101);
      case 133: // i16x8.narrow_i32x4_s
      case 134: // i16x8.narrow_i32x4_u
        return narrow(d, a, b, false, sub === 133);
    }
    return undefined;
  }
  switch (sub) {
    case 97: // i8x16.neg: ~a + 1 in each byte, no carry across bytes
      return words(d, (k) => {
        const x = `(~${vw(a, k)})`;
        return `((${x} & 0x7f7f7f7f) + 0x01010101) ^ (${x} & 0x80808080)`;
      });
    case 135: // i16x8.extend_low_i8x16_s
    case 136: // i16x8.extend_high_i8x16_s
    case 137: // i16x8.extend_low_i8x16_u
    case 138: // i16x8.extend_high_i8x16_u
      return extend8(d, a, sub === 136 || sub === 138, sub <= 136);
    case 106: // f32x4.nearest: a NaN lane made quiet
      return [0, 1, 2, 3].map((k) =>
        `Q32[0] = ${vw(a, k)}; vf = H.nearest(QF[0]); QF[0] = vf; ${
          vw(d, k)
        } = Q32[0]; if (vf !== vf) ${vw(d, k)} |= 0x400000;`
      ).join(" ");
    case 250: // f32x4.convert_i32x4_s: the float view rounds as the interpreter's does
      return [0, 1, 2, 3].map((k) => `QF[0] = ${vw(a, k)}; ${vw(d, k)} = Q32[0];`).join(" ");
  }
  return undefined;
}
