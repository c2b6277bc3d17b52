/**
 * The storage of SIMD lane math: {@link V128File}, a buffer of 16-byte
 * vectors viewed through every lane type (vector `k` at bytes `16k .. 16k+15`,
 * little-endian lanes), the deterministic-mode pseudo sub-opcodes, and the
 * small writers the lane-math files share (a vector copy, float lane stores
 * that make a NaN quiet). Re-exported by `simd_math.ts`.
 *
 * @module
 */

/**
 * A buffer of 16-byte vectors viewed through every lane type.
 *
 * @example
 * ```ts
 * import { simdBinary, V128File } from "./simd_math.ts";
 * const f = new V128File(3);
 * f.i32.set([1, 2, 3, 4], 0); // vector 0
 * f.i32.set([10, 20, 30, 40], 4); // vector 1
 * simdBinary(174, f, 2, 0, 1); // i32x4.add: vector 2 = vector 0 + vector 1
 * if (f.i32[8] !== 11 || f.i32[11] !== 44) throw new Error();
 * ```
 */
export class V128File {
  /** The underlying buffer. */
  readonly buffer: ArrayBuffer;
  /** Bytes, unsigned. */
  readonly u8: Uint8Array;
  /** Bytes, signed. */
  readonly i8: Int8Array;
  /** 16-bit lanes, unsigned. */
  readonly u16: Uint16Array;
  /** 16-bit lanes, signed. */
  readonly i16: Int16Array;
  /** 32-bit lanes, signed (also the raw words). */
  readonly i32: Int32Array;
  /** 32-bit lanes, unsigned. */
  readonly u32: Uint32Array;
  /** f32 lanes. */
  readonly f32: Float32Array;
  /** f64 lanes. */
  readonly f64: Float64Array;
  /** Index of the scratch vector (the last one), used by cross-lane ops. */
  readonly scratch: number;

  /**
   * Creates a zeroed file.
   *
   * @param vectors how many vectors callers may use (one more is the scratch)
   */
  constructor(vectors: number) {
    this.buffer = new ArrayBuffer((vectors + 1) * 16);
    this.u8 = new Uint8Array(this.buffer);
    this.i8 = new Int8Array(this.buffer);
    this.u16 = new Uint16Array(this.buffer);
    this.i16 = new Int16Array(this.buffer);
    this.i32 = new Int32Array(this.buffer);
    this.u32 = new Uint32Array(this.buffer);
    this.f32 = new Float32Array(this.buffer);
    this.f64 = new Float64Array(this.buffer);
    this.scratch = vectors;
  }
}

/** `simd_un` pseudo sub-opcode (not a wasm op): NaN lanes of an f32x4 become canonical. */
export const SUB_CANON_F32X4 = 0x100;
/** `simd_un` pseudo sub-opcode (not a wasm op): NaN lanes of an f64x2 become canonical. */
export const SUB_CANON_F64X2 = 0x101;

/** Copies vector `s` to vector `d`. */
export function copy(f: V128File, d: number, s: number): void {
  const W = f.i32;
  const dw = d << 2;
  const sw = s << 2;
  W[dw] = W[sw];
  W[dw + 1] = W[sw + 1];
  W[dw + 2] = W[sw + 2];
  W[dw + 3] = W[sw + 3];
}

/** A NaN made quiet, other values unchanged, written to f32 lane `i`. */
export function putF32(F: Float32Array, W: Int32Array, i: number, x: number): void {
  F[i] = x;
  if (x !== x) W[i] |= 0x400000;
}

/** A NaN made quiet, other values unchanged, written to f64 lane `i`. */
export function putF64(F: Float64Array, W: Int32Array, i: number, x: number): void {
  F[i] = x;
  if (x !== x) W[(i << 1) + 1] |= 0x80000;
}
