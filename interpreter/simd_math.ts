/**
 * Lane math of every WebAssembly 2.0 SIMD (v128) operation, on 16-byte
 * vectors stored in a {@link V128File}: one buffer viewed through every lane
 * type, vector `k` occupying bytes `16k .. 16k+15` (little-endian lanes).
 * The VM keeps its v128 registers in such a file (`simd.ts`); constant folding
 * or tests may use a small one. Operations are selected by their wasm 0xFD
 * sub-opcode (`environ/opcodes.ts`) and run in place, without allocation.
 * This module gathers them: the file and its shared writers (`_simd_file.ts`),
 * moves, lanes, tests and shifts (`_simd_lanes.ts`), unary ops
 * (`_simd_unary.ts`) and binary ops (`_simd_binary.ts`).
 *
 * Invariants:
 * - The destination may be the same vector as any operand. Lane-wise ops read
 *   lane `i` of the operands before writing lane `i` of the result; ops that
 *   move data across lanes compute into the file's scratch vector first.
 * - Float results follow the spec's NaN rules: a NaN result is quiet (an
 *   arithmetic NaN), NaN operands propagate (a canonical operand stays
 *   canonical), and sign/bit ops (`abs`, `neg`, `pmin`, `pmax`, lane moves)
 *   keep the exact bits.
 * - Scalars cross as 32-bit words: i32/f32 as one word (f32 as its bits),
 *   i64/f64 as two (low word first), so NaN payloads survive.
 *
 * @module
 */

export { SUB_CANON_F32X4, SUB_CANON_F64X2, V128File } from "./_simd_file.ts";
export {
  simdBitselect,
  simdConst,
  simdExtractLane,
  simdMove,
  simdReplaceLane,
  simdShift,
  simdShuffle,
  simdSplat,
  simdTest,
} from "./_simd_lanes.ts";
export { simdUnary } from "./_simd_unary.ts";
export { simdBinary } from "./_simd_binary.ts";
