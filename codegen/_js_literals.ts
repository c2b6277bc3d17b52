/**
 * Constants in generated JavaScript: an IR constant's bits written as the
 * literal of its kind (see `_js_kinds.ts`). A NaN has no literal that keeps
 * its bits, so it becomes a call of the runtime's bit decoder (`H.f32b`,
 * `H.f64b`).
 *
 * @module
 */

import type { RegKind } from "./_js_op_shapes.ts";

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i32x2 = new Int32Array(f64.buffer);

/** A number as a literal that reads back exactly (`-0` included). */
function numberLiteral(x: number): string {
  if (Object.is(x, -0)) return "-0";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  return String(x);
}

/**
 * The literal of a 32-bit constant.
 *
 * @param bits its bits
 * @param kind `I` (an i32 or reference) or `F` (an f32)
 * @returns JS source
 */
export function jsConst32(bits: number, kind: RegKind): string {
  if (kind !== "F") return String(bits | 0);
  i32[0] = bits;
  const x = f32[0];
  return x === x ? numberLiteral(x) : `H.f32b(${bits | 0})`;
}

/**
 * The literal of a 64-bit constant from its halves.
 *
 * @param lo the low 32 bits
 * @param hi the high 32 bits
 * @param kind `B` (an i64) or `D` (an f64); `I` or `F` when only its low half is read
 * @returns JS source
 */
export function jsConst64(lo: number, hi: number, kind: RegKind): string {
  if (kind === "B") return `${BigInt.asIntN(64, (BigInt(hi | 0) << 32n) | BigInt(lo >>> 0))}n`;
  // read as 32 bits (a wrap the translator folded away): the low half
  if (kind === "I" || kind === "F") return jsConst32(lo, kind);
  i32x2[0] = lo;
  i32x2[1] = hi;
  const x = f64[0];
  return x === x ? numberLiteral(x) : `H.f64b(${lo | 0}, ${hi | 0})`;
}
