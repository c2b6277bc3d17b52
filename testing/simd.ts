/**
 * `@capstan/testing/simd`: helpers shared by the SIMD differential tests of
 * `interpreter` (the lane math) and `codegen` (the whole pipeline). Only tests
 * import `@capstan/testing` (`tools/check_layers.ts` checks it), and it is
 * never published.
 *
 * Test helpers for SIMD differential tests: a tiny wasm binary builder for
 * "one op per function" modules, the op groups by operand shape (derived from
 * the environ op table), and pools of interesting 16-byte inputs (lane
 * extremes, signed zeros, infinities, canonical / payload / signalling NaNs).
 *
 * Memory layout of the generated modules: operands at bytes 0, 16, 32, a
 * scalar operand at 48 (8 bytes), the result at 64.
 *
 * @module
 */

import { type OpInfo, OPS, ValType } from "@capstan/environ";

/** Byte offset of operand vector k (0, 1, 2). */
export const OPND = [0, 16, 32] as const;
/** Byte offset of the scalar operand. */
export const SCALAR = 48;
/** Byte offset of the result. */
export const RESULT = 64;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of an i32. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** A SIMD instruction's bytes. */
export function simd(sub: number, ...imm: number[]): number[] {
  return [0xfd, ...uleb(sub), ...imm];
}

/** `i32.const n`. */
export function i32c(n: number): number[] {
  return [0x41, ...sleb(n)];
}

/** `v128.load` of operand k (address 0, offset OPND[k]). */
export function loadOperand(k: number): number[] {
  return [...i32c(0), ...simd(0, 0, ...uleb(OPND[k]))];
}

const LOAD_OF: Record<number, number> = {
  [ValType.i32]: 0x28,
  [ValType.i64]: 0x29,
  [ValType.f32]: 0x2a,
  [ValType.f64]: 0x2b,
};
const STORE_OF: Record<number, number> = {
  [ValType.i32]: 0x36,
  [ValType.i64]: 0x37,
  [ValType.f32]: 0x38,
  [ValType.f64]: 0x39,
};

/** Loads the scalar operand as type t. */
export function loadScalar(t: ValType): number[] {
  return [...i32c(0), LOAD_OF[t], 0, ...uleb(SCALAR)];
}

/** The store instruction (memarg offset 0) of scalar type t. */
export function storeScalar(t: ValType): number[] {
  return [STORE_OF[t], 0, 0];
}

/** `v128.store` at offset 0. */
export const V128_STORE: number[] = simd(11, 0, 0);

/**
 * A module exporting memory "m" (1 page) and one `() -> ()` function per body,
 * named `f0`, `f1`, ...
 *
 * @param bodies instruction bytes of each function (without locals or `end`)
 * @param locals local declarations of every function: `[count, type]` pairs
 * @returns the module's bytes
 */
export function buildModule(
  bodies: number[][],
  locals: [number, ValType][] = [],
): Uint8Array<ArrayBuffer> {
  const section = (id: number, payload: number[]) => [id, ...uleb(payload.length), ...payload];
  const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const name = (s: string) => [...uleb(s.length), ...new TextEncoder().encode(s)];
  const bytes = [
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec([[0x60, 0, 0]])),
    ...section(3, vec(bodies.map(() => [0]))),
    ...section(5, vec([[0, 1]])),
    ...section(
      7,
      vec([[...name("m"), 2, 0], ...bodies.map((_, i) => [...name(`f${i}`), 0, ...uleb(i)])]),
    ),
    ...section(
      10,
      vec(bodies.map((b) => {
        const body = [...uleb(locals.length), ...locals.flat(), ...b, 0x0b];
        return [...uleb(body.length), ...body];
      })),
    ),
  ];
  return new Uint8Array(bytes);
}

/**
 * The SIMD ops of the environ table that native V8 computes exactly as the
 * spec does: every fixed-width SIMD op, not the relaxed ones (sub-opcodes
 * 0x100 and up), whose behaviour V8 picks per CPU.
 */
export const SIMD_OPS: readonly OpInfo[] = OPS.filter((op) =>
  op.prefix === 0xfd && op.code < 0x100
);

/** SIMD ops with signature `v:v` and no immediate. */
export const UNARY: readonly OpInfo[] = SIMD_OPS.filter((op) =>
  op.imm === "none" && sigIs(op, [ValType.v128], [ValType.v128])
);
/** SIMD ops with signature `vv:v` and no immediate (incl. swizzle). */
export const BINARY: readonly OpInfo[] = SIMD_OPS.filter((op) =>
  op.imm === "none" && sigIs(op, [ValType.v128, ValType.v128], [ValType.v128])
);
/** Shifts: `vi:v`. */
export const SHIFTS: readonly OpInfo[] = SIMD_OPS.filter((op) =>
  op.imm === "none" && sigIs(op, [ValType.v128, ValType.i32], [ValType.v128])
);
/** Tests: `v:i`. */
export const TESTS: readonly OpInfo[] = SIMD_OPS.filter((op) =>
  op.imm === "none" && sigIs(op, [ValType.v128], [ValType.i32])
);
/** Splats. */
export const SPLATS: readonly OpInfo[] = SIMD_OPS.filter((op) => op.name.endsWith(".splat"));
/** extract_lane ops. */
export const EXTRACTS: readonly OpInfo[] = SIMD_OPS.filter((op) => op.name.includes("extract"));
/** replace_lane ops. */
export const REPLACES: readonly OpInfo[] = SIMD_OPS.filter((op) => op.name.includes("replace"));

function sigIs(op: OpInfo, params: ValType[], results: ValType[]): boolean {
  const s = op.sig;
  return s !== undefined && s[0].length === params.length && s[1].length === results.length &&
    s[0].every((t, i) => t === params[i]) && s[1].every((t, i) => t === results[i]);
}

/** Number of lanes of the shape an op name starts with. */
export function laneCount(name: string): number {
  const shape = name.slice(0, name.indexOf("."));
  return ({ i8x16: 16, i16x8: 8, i32x4: 4, i64x2: 2, f32x4: 4, f64x2: 2 } as Record<
    string,
    number
  >)[shape] ?? 16;
}

/** Whether an op's result lanes are floats computed arithmetically (NaN bits may differ). */
export function floatArithmetic(op: OpInfo): boolean {
  return /^(f32x4|f64x2)\.(add|sub|mul|div|min|max|sqrt|ceil|floor|trunc|nearest|demote|promote)/
    .test(op.name);
}

/** f32/f64 lane width of a float-result op (4 or 8 bytes). */
export function floatLaneBytes(op: OpInfo): number {
  return op.name.startsWith("f64x2") ? 8 : 4;
}

/** A deterministic pseudo-random generator (xorshift32). */
export function rng(seed: number): () => number {
  let s = seed | 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

const F32_SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  3.5,
  0.49999997,
  1e-45,
  -1e-45,
  1.17549435e-38,
  3.4028234e38,
  -3.4028234e38,
  Infinity,
  -Infinity,
  2147483520,
  2147483648,
  -2147483904,
  4294967040,
  4294967296,
  -1.5,
  123456.789,
];
const F32_NAN_BITS = [0x7fc00000, 0xffc00000, 0x7fa00001, 0x7f800001, 0xff812345, 0x7fc12345];
const F64_SPECIAL = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  2.5,
  -2.5,
  3.5,
  4.5,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  1.7976931348623157e308,
  -1.7976931348623157e308,
  Infinity,
  -Infinity,
  2147483647.5,
  2147483648,
  -2147483648.5,
  -2147483649,
  4294967295.5,
  4294967296,
  0.1,
  3.4028235677973366e38,
  1.401298464324817e-45,
  7.006492321624085e-46,
  -1e300,
];
const F64_NAN_HI = [0x7ff80000, 0xfff80000, 0x7ff40000, 0x7ff00000, 0xfff12345];
const INT_SPECIAL = [0, 1, -1, 2, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000];

/**
 * A pool of interesting 16-byte vectors: integer lane extremes of every
 * width, float specials of both widths (NaNs with various payloads), and
 * pseudo-random bytes.
 *
 * @param randomCount how many random vectors to add
 * @returns the vectors
 */
export function vectorPool(randomCount = 6): Uint8Array[] {
  const out: Uint8Array[] = [];
  const next = rng(12345);
  // integer lanes of each width from the specials, rotated
  for (const bytes of [1, 2, 4, 8]) {
    for (let rot = 0; rot < 3; rot++) {
      const v = new Uint8Array(16);
      const dv = new DataView(v.buffer);
      for (let i = 0; i < 16 / bytes; i++) {
        const x = INT_SPECIAL[(i * 5 + rot * 7) % INT_SPECIAL.length];
        const neg = (i + rot) % 3 === 0;
        if (bytes === 1) dv.setInt8(i, neg ? -x : x);
        else if (bytes === 2) dv.setInt16(2 * i, neg ? -x : x, true);
        else if (bytes === 4) dv.setInt32(4 * i, neg ? -x : x, true);
        else {
          dv.setInt32(8 * i, neg ? -x : x, true);
          dv.setInt32(8 * i + 4, rot === 0 ? (neg ? -1 : 0) : x ^ (rot * 0x12345), true);
        }
      }
      out.push(v);
    }
  }
  // f32 lanes
  for (let rot = 0; rot < F32_SPECIAL.length; rot += 3) {
    const v = new Uint8Array(16);
    const dv = new DataView(v.buffer);
    for (let i = 0; i < 4; i++) dv.setFloat32(4 * i, F32_SPECIAL[(rot + i * 7) % 25], true);
    out.push(v);
  }
  for (let k = 0; k < F32_NAN_BITS.length; k += 2) {
    const v = new Uint8Array(16);
    const dv = new DataView(v.buffer);
    dv.setUint32(0, F32_NAN_BITS[k], true);
    dv.setFloat32(4, k === 0 ? 1 : -0, true);
    dv.setUint32(8, F32_NAN_BITS[k + 1], true);
    dv.setFloat32(12, k === 2 ? Infinity : 0, true);
    out.push(v);
  }
  // f64 lanes
  for (let rot = 0; rot < F64_SPECIAL.length; rot += 2) {
    const v = new Uint8Array(16);
    const dv = new DataView(v.buffer);
    dv.setFloat64(0, F64_SPECIAL[rot], true);
    dv.setFloat64(8, F64_SPECIAL[(rot + 11) % F64_SPECIAL.length], true);
    out.push(v);
  }
  for (let k = 0; k < F64_NAN_HI.length; k++) {
    const v = new Uint8Array(16);
    const dv = new DataView(v.buffer);
    dv.setUint32(0, k * 3, true);
    dv.setUint32(4, F64_NAN_HI[k], true);
    dv.setFloat64(8, k % 2 === 0 ? 1.5 : -0, true);
    out.push(v);
  }
  for (let k = 0; k < randomCount; k++) {
    const v = new Uint8Array(16);
    for (let i = 0; i < 16; i++) v[i] = next() & 0xff;
    out.push(v);
  }
  return out;
}

/** Scalar test values as 8 raw bytes (low 4 used by 32-bit types). */
export function scalarPool(): Uint8Array[] {
  const out: Uint8Array[] = [];
  const words = [
    [0, 0],
    [1, 0],
    [-1, -1],
    [0x7f, 0],
    [0x80, 0],
    [0x12345678, 0x9abcdef0 | 0],
    [0x7fc00000, 0x7ff80000],
    [0x7fa00001, 0x7ff40000],
    [0xff812345 | 0, 0xfff12345 | 0],
    [0x3fc00000, 0x3ff80000],
    [0x80000000 | 0, 0x80000000 | 0],
    [33, 65],
    [7, 0],
    [15, 0],
    [63, 0],
    [-8, 0],
  ];
  for (const [lo, hi] of words) {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, lo, true);
    dv.setInt32(4, hi, true);
    out.push(b);
  }
  return out;
}

/** Hex of bytes, for failure messages. */
export function hex(b: Uint8Array): string {
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
}

/**
 * Compares a result vector of op `op` against the native one: exact bytes,
 * except float-arithmetic lanes where the native lane is NaN (then the
 * Capstan lane must be a quiet NaN).
 *
 * @param op the op
 * @param native the native result (16 bytes)
 * @param ours Capstan's result
 * @returns an error description, or undefined when they agree
 */
export function compareVectors(
  op: OpInfo,
  native: Uint8Array,
  ours: Uint8Array,
): string | undefined {
  if (!floatArithmetic(op)) {
    for (let i = 0; i < 16; i++) if (native[i] !== ours[i]) return `${hex(native)} ${hex(ours)}`;
    return undefined;
  }
  const w = floatLaneBytes(op);
  const nd = new DataView(native.buffer, native.byteOffset, 16);
  const od = new DataView(ours.buffer, ours.byteOffset, 16);
  for (let lane = 0; lane < 16 / w; lane++) {
    const n = w === 4 ? nd.getFloat32(4 * lane, true) : nd.getFloat64(8 * lane, true);
    if (n !== n) {
      const quiet = w === 4
        ? (od.getUint32(4 * lane, true) & 0x7fc00000) === 0x7fc00000
        : (od.getUint32(8 * lane + 4, true) & 0x7ff80000) === 0x7ff80000;
      if (!quiet) return `lane ${lane}: native NaN, ours not a quiet NaN: ${hex(ours)}`;
      continue;
    }
    for (let i = lane * w; i < lane * w + w; i++) {
      if (native[i] !== ours[i]) return `lane ${lane}: ${hex(native)} ${hex(ours)}`;
    }
  }
  return undefined;
}
