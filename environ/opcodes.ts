/**
 * The WebAssembly instruction set, declared once as data: every instruction
 * of 2.0 (the MVP, sign-extension, non-trapping float-to-int, multi-value,
 * reference types, bulk memory (the `0xFC` prefix) and fixed-width SIMD (the
 * `0xFD` prefix)) and the 3.0 operators Capstan runs: tail calls, relaxed SIMD
 * (`0xFD` 0x100-0x113), wide arithmetic (`0xFC` 19-22), threads (the `0xFE`
 * atomics) and GC (the `0xFB` struct, array, i31 and cast ops, and `ref.eq`);
 * `ref.test`/`ref.cast` with a nullable target are named `ref.test_null` /
 * `ref.cast_null` here (their text form is `ref.test (ref null ht)`); and stack switching
 * (`0xE0`-`0xE6`). Everything else here —
 * {@link OPS}, {@link opByName}, {@link opByKey} and the {@link Op} constants —
 * is derived from that one table.
 *
 * Invariants:
 * - An op is identified by its key `(prefix << 16) | code` ({@link opKey}),
 *   where `prefix` is 0 for single-byte opcodes and `code` is the byte (or, for
 *   prefixed ops, the LEB128 u32 that follows the prefix byte).
 * - Names are the text-format names and are unique; the one exception to the
 *   text format is typed `select` (`0x1C`), named `select_t` here so that
 *   names stay unique (its text form is `select (result t)`).
 * - `sig` is present exactly when the op's operand and result types are fixed
 *   (they do not depend on the context or on an immediate); it lists operands
 *   bottom-to-top and results in push order.
 *
 * @module
 */

import { ValType } from "./types.ts";

/** The kind of immediate(s) that follow an opcode in the binary format. */
export type Immediate =
  | "none"
  | "blocktype"
  | "label"
  | "br_table"
  | "func"
  /** one type index */
  | "type"
  /** one tag index */
  | "tag"
  /** blocktype, then vec(catch clause) */
  | "try_table"
  /** typeidx tableidx */
  | "call_indirect"
  | "local"
  | "global"
  | "table"
  | "memarg"
  /** memory.size/grow/fill: one memory index */
  | "memory"
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "v128"
  /** 16 lane bytes */
  | "shuffle"
  | "lane"
  | "memarg_lane"
  | "reftype"
  /** vec(valtype) */
  | "select_t"
  | "data"
  | "elem"
  /** dataidx memidx */
  | "memory_init"
  /** memidx memidx */
  | "memory_copy"
  /** elemidx tableidx */
  | "table_init"
  /** tableidx tableidx */
  | "table_copy"
  /** one reserved 0x00 byte (`atomic.fence`) */
  | "zero_byte"
  /** typeidx fieldidx (`struct.get`, ...) */
  | "type_field"
  /** typeidx u32 (`array.new_fixed`: the element count) */
  | "type_count"
  /** typeidx dataidx */
  | "type_data"
  /** typeidx elemidx */
  | "type_elem"
  /** typeidx typeidx (`array.copy`: destination, source) */
  | "type_type"
  /** a heap type (`ref.test`, `ref.cast`: nullability from the opcode) */
  | "heaptype"
  /** flags, labelidx, two heap types (`br_on_cast`, `br_on_cast_fail`) */
  | "br_on_cast"
  /** typeidx typeidx (`cont.bind`) */
  | "cont_bind"
  /** typeidx, then vec(handler clause) (`resume`, `resume_throw_ref`) */
  | "resume"
  /** typeidx tagidx, then vec(handler clause) (`resume_throw`) */
  | "resume_throw"
  /** typeidx tagidx (`switch`) */
  | "switch";

/** One instruction of the table. */
export interface OpInfo {
  /** Text-format name, e.g. `"i32.add"`, `"i8x16.shuffle"`. */
  readonly name: string;
  /** 0 for single-byte opcodes, else the prefix byte. */
  readonly prefix: 0 | 0xfb | 0xfc | 0xfd | 0xfe;
  /** The opcode byte, or the sub-opcode after a prefix. */
  readonly code: number;
  /** The immediates that follow the opcode. */
  readonly imm: Immediate;
  /**
   * Fixed operand and result types, when the op has them (e.g. `i32.add` is
   * `[[i32, i32], [i32]]`); absent for polymorphic and structured ops.
   */
  readonly sig?: readonly [readonly ValType[], readonly ValType[]];
}

const FB = 0xfb;
const FC = 0xfc;
const FD = 0xfd;
const FE = 0xfe;

/**
 * The raw table, as written: `[prefix, code, name, immediate, signature?]`.
 * Prefer {@link OPS}; this is exported so that the name types derive from it. A signature is
 * written `"operands:results"` with one letter per type: `i` i32, `l` i64,
 * `f` f32, `d` f64, `v` v128.
 */
export const OP_TABLE = [
  [0, 0x00, "unreachable", "none"],
  [0, 0x01, "nop", "none"],
  [0, 0x02, "block", "blocktype"],
  [0, 0x03, "loop", "blocktype"],
  [0, 0x04, "if", "blocktype"],
  [0, 0x05, "else", "none"],
  [0, 0x06, "try", "blocktype"],
  [0, 0x07, "catch", "tag"],
  [0, 0x08, "throw", "tag"],
  [0, 0x09, "rethrow", "label"],
  [0, 0x0a, "throw_ref", "none"],
  [0, 0x0b, "end", "none"],
  [0, 0x0c, "br", "label"],
  [0, 0x0d, "br_if", "label"],
  [0, 0x0e, "br_table", "br_table"],
  [0, 0x0f, "return", "none"],
  [0, 0x10, "call", "func"],
  [0, 0x11, "call_indirect", "call_indirect"],
  [0, 0x12, "return_call", "func"],
  [0, 0x13, "return_call_indirect", "call_indirect"],
  [0, 0x14, "call_ref", "type"],
  [0, 0x15, "return_call_ref", "type"],
  [0, 0x18, "delegate", "label"],
  [0, 0x19, "catch_all", "none"],
  [0, 0x1a, "drop", "none"],
  [0, 0x1b, "select", "none"],
  [0, 0x1c, "select_t", "select_t"],
  [0, 0x1f, "try_table", "try_table"],
  [0, 0x20, "local.get", "local"],
  [0, 0x21, "local.set", "local"],
  [0, 0x22, "local.tee", "local"],
  [0, 0x23, "global.get", "global"],
  [0, 0x24, "global.set", "global"],
  [0, 0x25, "table.get", "table"],
  [0, 0x26, "table.set", "table"],
  [0, 0x28, "i32.load", "memarg", "i:i"],
  [0, 0x29, "i64.load", "memarg", "i:l"],
  [0, 0x2a, "f32.load", "memarg", "i:f"],
  [0, 0x2b, "f64.load", "memarg", "i:d"],
  [0, 0x2c, "i32.load8_s", "memarg", "i:i"],
  [0, 0x2d, "i32.load8_u", "memarg", "i:i"],
  [0, 0x2e, "i32.load16_s", "memarg", "i:i"],
  [0, 0x2f, "i32.load16_u", "memarg", "i:i"],
  [0, 0x30, "i64.load8_s", "memarg", "i:l"],
  [0, 0x31, "i64.load8_u", "memarg", "i:l"],
  [0, 0x32, "i64.load16_s", "memarg", "i:l"],
  [0, 0x33, "i64.load16_u", "memarg", "i:l"],
  [0, 0x34, "i64.load32_s", "memarg", "i:l"],
  [0, 0x35, "i64.load32_u", "memarg", "i:l"],
  [0, 0x36, "i32.store", "memarg", "ii:"],
  [0, 0x37, "i64.store", "memarg", "il:"],
  [0, 0x38, "f32.store", "memarg", "if:"],
  [0, 0x39, "f64.store", "memarg", "id:"],
  [0, 0x3a, "i32.store8", "memarg", "ii:"],
  [0, 0x3b, "i32.store16", "memarg", "ii:"],
  [0, 0x3c, "i64.store8", "memarg", "il:"],
  [0, 0x3d, "i64.store16", "memarg", "il:"],
  [0, 0x3e, "i64.store32", "memarg", "il:"],
  [0, 0x3f, "memory.size", "memory", ":i"],
  [0, 0x40, "memory.grow", "memory", "i:i"],
  [0, 0x41, "i32.const", "i32", ":i"],
  [0, 0x42, "i64.const", "i64", ":l"],
  [0, 0x43, "f32.const", "f32", ":f"],
  [0, 0x44, "f64.const", "f64", ":d"],
  [0, 0x45, "i32.eqz", "none", "i:i"],
  [0, 0x46, "i32.eq", "none", "ii:i"],
  [0, 0x47, "i32.ne", "none", "ii:i"],
  [0, 0x48, "i32.lt_s", "none", "ii:i"],
  [0, 0x49, "i32.lt_u", "none", "ii:i"],
  [0, 0x4a, "i32.gt_s", "none", "ii:i"],
  [0, 0x4b, "i32.gt_u", "none", "ii:i"],
  [0, 0x4c, "i32.le_s", "none", "ii:i"],
  [0, 0x4d, "i32.le_u", "none", "ii:i"],
  [0, 0x4e, "i32.ge_s", "none", "ii:i"],
  [0, 0x4f, "i32.ge_u", "none", "ii:i"],
  [0, 0x50, "i64.eqz", "none", "l:i"],
  [0, 0x51, "i64.eq", "none", "ll:i"],
  [0, 0x52, "i64.ne", "none", "ll:i"],
  [0, 0x53, "i64.lt_s", "none", "ll:i"],
  [0, 0x54, "i64.lt_u", "none", "ll:i"],
  [0, 0x55, "i64.gt_s", "none", "ll:i"],
  [0, 0x56, "i64.gt_u", "none", "ll:i"],
  [0, 0x57, "i64.le_s", "none", "ll:i"],
  [0, 0x58, "i64.le_u", "none", "ll:i"],
  [0, 0x59, "i64.ge_s", "none", "ll:i"],
  [0, 0x5a, "i64.ge_u", "none", "ll:i"],
  [0, 0x5b, "f32.eq", "none", "ff:i"],
  [0, 0x5c, "f32.ne", "none", "ff:i"],
  [0, 0x5d, "f32.lt", "none", "ff:i"],
  [0, 0x5e, "f32.gt", "none", "ff:i"],
  [0, 0x5f, "f32.le", "none", "ff:i"],
  [0, 0x60, "f32.ge", "none", "ff:i"],
  [0, 0x61, "f64.eq", "none", "dd:i"],
  [0, 0x62, "f64.ne", "none", "dd:i"],
  [0, 0x63, "f64.lt", "none", "dd:i"],
  [0, 0x64, "f64.gt", "none", "dd:i"],
  [0, 0x65, "f64.le", "none", "dd:i"],
  [0, 0x66, "f64.ge", "none", "dd:i"],
  [0, 0x67, "i32.clz", "none", "i:i"],
  [0, 0x68, "i32.ctz", "none", "i:i"],
  [0, 0x69, "i32.popcnt", "none", "i:i"],
  [0, 0x6a, "i32.add", "none", "ii:i"],
  [0, 0x6b, "i32.sub", "none", "ii:i"],
  [0, 0x6c, "i32.mul", "none", "ii:i"],
  [0, 0x6d, "i32.div_s", "none", "ii:i"],
  [0, 0x6e, "i32.div_u", "none", "ii:i"],
  [0, 0x6f, "i32.rem_s", "none", "ii:i"],
  [0, 0x70, "i32.rem_u", "none", "ii:i"],
  [0, 0x71, "i32.and", "none", "ii:i"],
  [0, 0x72, "i32.or", "none", "ii:i"],
  [0, 0x73, "i32.xor", "none", "ii:i"],
  [0, 0x74, "i32.shl", "none", "ii:i"],
  [0, 0x75, "i32.shr_s", "none", "ii:i"],
  [0, 0x76, "i32.shr_u", "none", "ii:i"],
  [0, 0x77, "i32.rotl", "none", "ii:i"],
  [0, 0x78, "i32.rotr", "none", "ii:i"],
  [0, 0x79, "i64.clz", "none", "l:l"],
  [0, 0x7a, "i64.ctz", "none", "l:l"],
  [0, 0x7b, "i64.popcnt", "none", "l:l"],
  [0, 0x7c, "i64.add", "none", "ll:l"],
  [0, 0x7d, "i64.sub", "none", "ll:l"],
  [0, 0x7e, "i64.mul", "none", "ll:l"],
  [0, 0x7f, "i64.div_s", "none", "ll:l"],
  [0, 0x80, "i64.div_u", "none", "ll:l"],
  [0, 0x81, "i64.rem_s", "none", "ll:l"],
  [0, 0x82, "i64.rem_u", "none", "ll:l"],
  [0, 0x83, "i64.and", "none", "ll:l"],
  [0, 0x84, "i64.or", "none", "ll:l"],
  [0, 0x85, "i64.xor", "none", "ll:l"],
  [0, 0x86, "i64.shl", "none", "ll:l"],
  [0, 0x87, "i64.shr_s", "none", "ll:l"],
  [0, 0x88, "i64.shr_u", "none", "ll:l"],
  [0, 0x89, "i64.rotl", "none", "ll:l"],
  [0, 0x8a, "i64.rotr", "none", "ll:l"],
  [0, 0x8b, "f32.abs", "none", "f:f"],
  [0, 0x8c, "f32.neg", "none", "f:f"],
  [0, 0x8d, "f32.ceil", "none", "f:f"],
  [0, 0x8e, "f32.floor", "none", "f:f"],
  [0, 0x8f, "f32.trunc", "none", "f:f"],
  [0, 0x90, "f32.nearest", "none", "f:f"],
  [0, 0x91, "f32.sqrt", "none", "f:f"],
  [0, 0x92, "f32.add", "none", "ff:f"],
  [0, 0x93, "f32.sub", "none", "ff:f"],
  [0, 0x94, "f32.mul", "none", "ff:f"],
  [0, 0x95, "f32.div", "none", "ff:f"],
  [0, 0x96, "f32.min", "none", "ff:f"],
  [0, 0x97, "f32.max", "none", "ff:f"],
  [0, 0x98, "f32.copysign", "none", "ff:f"],
  [0, 0x99, "f64.abs", "none", "d:d"],
  [0, 0x9a, "f64.neg", "none", "d:d"],
  [0, 0x9b, "f64.ceil", "none", "d:d"],
  [0, 0x9c, "f64.floor", "none", "d:d"],
  [0, 0x9d, "f64.trunc", "none", "d:d"],
  [0, 0x9e, "f64.nearest", "none", "d:d"],
  [0, 0x9f, "f64.sqrt", "none", "d:d"],
  [0, 0xa0, "f64.add", "none", "dd:d"],
  [0, 0xa1, "f64.sub", "none", "dd:d"],
  [0, 0xa2, "f64.mul", "none", "dd:d"],
  [0, 0xa3, "f64.div", "none", "dd:d"],
  [0, 0xa4, "f64.min", "none", "dd:d"],
  [0, 0xa5, "f64.max", "none", "dd:d"],
  [0, 0xa6, "f64.copysign", "none", "dd:d"],
  [0, 0xa7, "i32.wrap_i64", "none", "l:i"],
  [0, 0xa8, "i32.trunc_f32_s", "none", "f:i"],
  [0, 0xa9, "i32.trunc_f32_u", "none", "f:i"],
  [0, 0xaa, "i32.trunc_f64_s", "none", "d:i"],
  [0, 0xab, "i32.trunc_f64_u", "none", "d:i"],
  [0, 0xac, "i64.extend_i32_s", "none", "i:l"],
  [0, 0xad, "i64.extend_i32_u", "none", "i:l"],
  [0, 0xae, "i64.trunc_f32_s", "none", "f:l"],
  [0, 0xaf, "i64.trunc_f32_u", "none", "f:l"],
  [0, 0xb0, "i64.trunc_f64_s", "none", "d:l"],
  [0, 0xb1, "i64.trunc_f64_u", "none", "d:l"],
  [0, 0xb2, "f32.convert_i32_s", "none", "i:f"],
  [0, 0xb3, "f32.convert_i32_u", "none", "i:f"],
  [0, 0xb4, "f32.convert_i64_s", "none", "l:f"],
  [0, 0xb5, "f32.convert_i64_u", "none", "l:f"],
  [0, 0xb6, "f32.demote_f64", "none", "d:f"],
  [0, 0xb7, "f64.convert_i32_s", "none", "i:d"],
  [0, 0xb8, "f64.convert_i32_u", "none", "i:d"],
  [0, 0xb9, "f64.convert_i64_s", "none", "l:d"],
  [0, 0xba, "f64.convert_i64_u", "none", "l:d"],
  [0, 0xbb, "f64.promote_f32", "none", "f:d"],
  [0, 0xbc, "i32.reinterpret_f32", "none", "f:i"],
  [0, 0xbd, "i64.reinterpret_f64", "none", "d:l"],
  [0, 0xbe, "f32.reinterpret_i32", "none", "i:f"],
  [0, 0xbf, "f64.reinterpret_i64", "none", "l:d"],
  [0, 0xc0, "i32.extend8_s", "none", "i:i"],
  [0, 0xc1, "i32.extend16_s", "none", "i:i"],
  [0, 0xc2, "i64.extend8_s", "none", "l:l"],
  [0, 0xc3, "i64.extend16_s", "none", "l:l"],
  [0, 0xc4, "i64.extend32_s", "none", "l:l"],
  [0, 0xd0, "ref.null", "reftype"],
  [0, 0xd1, "ref.is_null", "none"],
  [0, 0xd2, "ref.func", "func"],
  [0, 0xd3, "ref.eq", "none"],
  [0, 0xd4, "ref.as_non_null", "none"],
  [0, 0xd5, "br_on_null", "label"],
  [0, 0xd6, "br_on_non_null", "label"],
  [0, 0xe0, "cont.new", "type"],
  [0, 0xe1, "cont.bind", "cont_bind"],
  [0, 0xe2, "suspend", "tag"],
  [0, 0xe3, "resume", "resume"],
  [0, 0xe4, "resume_throw", "resume_throw"],
  [0, 0xe5, "resume_throw_ref", "resume"],
  [0, 0xe6, "switch", "switch"],
  [FC, 0, "i32.trunc_sat_f32_s", "none", "f:i"],
  [FC, 1, "i32.trunc_sat_f32_u", "none", "f:i"],
  [FC, 2, "i32.trunc_sat_f64_s", "none", "d:i"],
  [FC, 3, "i32.trunc_sat_f64_u", "none", "d:i"],
  [FC, 4, "i64.trunc_sat_f32_s", "none", "f:l"],
  [FC, 5, "i64.trunc_sat_f32_u", "none", "f:l"],
  [FC, 6, "i64.trunc_sat_f64_s", "none", "d:l"],
  [FC, 7, "i64.trunc_sat_f64_u", "none", "d:l"],
  [FC, 8, "memory.init", "memory_init", "iii:"],
  [FC, 9, "data.drop", "data", ":"],
  [FC, 10, "memory.copy", "memory_copy", "iii:"],
  [FC, 11, "memory.fill", "memory", "iii:"],
  [FC, 12, "table.init", "table_init", "iii:"],
  [FC, 13, "elem.drop", "elem", ":"],
  [FC, 14, "table.copy", "table_copy", "iii:"],
  [FC, 15, "table.grow", "table"],
  [FC, 16, "table.size", "table", ":i"],
  [FC, 17, "table.fill", "table"],
  // wide arithmetic: 128-bit add/subtract on (low, high) i64 pairs, 64x64 → 128-bit multiplies
  [FC, 19, "i64.add128", "none", "llll:ll"],
  [FC, 20, "i64.sub128", "none", "llll:ll"],
  [FC, 21, "i64.mul_wide_s", "none", "ll:ll"],
  [FC, 22, "i64.mul_wide_u", "none", "ll:ll"],
  [FD, 0, "v128.load", "memarg", "i:v"],
  [FD, 1, "v128.load8x8_s", "memarg", "i:v"],
  [FD, 2, "v128.load8x8_u", "memarg", "i:v"],
  [FD, 3, "v128.load16x4_s", "memarg", "i:v"],
  [FD, 4, "v128.load16x4_u", "memarg", "i:v"],
  [FD, 5, "v128.load32x2_s", "memarg", "i:v"],
  [FD, 6, "v128.load32x2_u", "memarg", "i:v"],
  [FD, 7, "v128.load8_splat", "memarg", "i:v"],
  [FD, 8, "v128.load16_splat", "memarg", "i:v"],
  [FD, 9, "v128.load32_splat", "memarg", "i:v"],
  [FD, 10, "v128.load64_splat", "memarg", "i:v"],
  [FD, 11, "v128.store", "memarg", "iv:"],
  [FD, 12, "v128.const", "v128", ":v"],
  [FD, 13, "i8x16.shuffle", "shuffle", "vv:v"],
  [FD, 14, "i8x16.swizzle", "none", "vv:v"],
  [FD, 15, "i8x16.splat", "none", "i:v"],
  [FD, 16, "i16x8.splat", "none", "i:v"],
  [FD, 17, "i32x4.splat", "none", "i:v"],
  [FD, 18, "i64x2.splat", "none", "l:v"],
  [FD, 19, "f32x4.splat", "none", "f:v"],
  [FD, 20, "f64x2.splat", "none", "d:v"],
  [FD, 21, "i8x16.extract_lane_s", "lane", "v:i"],
  [FD, 22, "i8x16.extract_lane_u", "lane", "v:i"],
  [FD, 23, "i8x16.replace_lane", "lane", "vi:v"],
  [FD, 24, "i16x8.extract_lane_s", "lane", "v:i"],
  [FD, 25, "i16x8.extract_lane_u", "lane", "v:i"],
  [FD, 26, "i16x8.replace_lane", "lane", "vi:v"],
  [FD, 27, "i32x4.extract_lane", "lane", "v:i"],
  [FD, 28, "i32x4.replace_lane", "lane", "vi:v"],
  [FD, 29, "i64x2.extract_lane", "lane", "v:l"],
  [FD, 30, "i64x2.replace_lane", "lane", "vl:v"],
  [FD, 31, "f32x4.extract_lane", "lane", "v:f"],
  [FD, 32, "f32x4.replace_lane", "lane", "vf:v"],
  [FD, 33, "f64x2.extract_lane", "lane", "v:d"],
  [FD, 34, "f64x2.replace_lane", "lane", "vd:v"],
  [FD, 35, "i8x16.eq", "none", "vv:v"],
  [FD, 36, "i8x16.ne", "none", "vv:v"],
  [FD, 37, "i8x16.lt_s", "none", "vv:v"],
  [FD, 38, "i8x16.lt_u", "none", "vv:v"],
  [FD, 39, "i8x16.gt_s", "none", "vv:v"],
  [FD, 40, "i8x16.gt_u", "none", "vv:v"],
  [FD, 41, "i8x16.le_s", "none", "vv:v"],
  [FD, 42, "i8x16.le_u", "none", "vv:v"],
  [FD, 43, "i8x16.ge_s", "none", "vv:v"],
  [FD, 44, "i8x16.ge_u", "none", "vv:v"],
  [FD, 45, "i16x8.eq", "none", "vv:v"],
  [FD, 46, "i16x8.ne", "none", "vv:v"],
  [FD, 47, "i16x8.lt_s", "none", "vv:v"],
  [FD, 48, "i16x8.lt_u", "none", "vv:v"],
  [FD, 49, "i16x8.gt_s", "none", "vv:v"],
  [FD, 50, "i16x8.gt_u", "none", "vv:v"],
  [FD, 51, "i16x8.le_s", "none", "vv:v"],
  [FD, 52, "i16x8.le_u", "none", "vv:v"],
  [FD, 53, "i16x8.ge_s", "none", "vv:v"],
  [FD, 54, "i16x8.ge_u", "none", "vv:v"],
  [FD, 55, "i32x4.eq", "none", "vv:v"],
  [FD, 56, "i32x4.ne", "none", "vv:v"],
  [FD, 57, "i32x4.lt_s", "none", "vv:v"],
  [FD, 58, "i32x4.lt_u", "none", "vv:v"],
  [FD, 59, "i32x4.gt_s", "none", "vv:v"],
  [FD, 60, "i32x4.gt_u", "none", "vv:v"],
  [FD, 61, "i32x4.le_s", "none", "vv:v"],
  [FD, 62, "i32x4.le_u", "none", "vv:v"],
  [FD, 63, "i32x4.ge_s", "none", "vv:v"],
  [FD, 64, "i32x4.ge_u", "none", "vv:v"],
  [FD, 65, "f32x4.eq", "none", "vv:v"],
  [FD, 66, "f32x4.ne", "none", "vv:v"],
  [FD, 67, "f32x4.lt", "none", "vv:v"],
  [FD, 68, "f32x4.gt", "none", "vv:v"],
  [FD, 69, "f32x4.le", "none", "vv:v"],
  [FD, 70, "f32x4.ge", "none", "vv:v"],
  [FD, 71, "f64x2.eq", "none", "vv:v"],
  [FD, 72, "f64x2.ne", "none", "vv:v"],
  [FD, 73, "f64x2.lt", "none", "vv:v"],
  [FD, 74, "f64x2.gt", "none", "vv:v"],
  [FD, 75, "f64x2.le", "none", "vv:v"],
  [FD, 76, "f64x2.ge", "none", "vv:v"],
  [FD, 77, "v128.not", "none", "v:v"],
  [FD, 78, "v128.and", "none", "vv:v"],
  [FD, 79, "v128.andnot", "none", "vv:v"],
  [FD, 80, "v128.or", "none", "vv:v"],
  [FD, 81, "v128.xor", "none", "vv:v"],
  [FD, 82, "v128.bitselect", "none", "vvv:v"],
  [FD, 83, "v128.any_true", "none", "v:i"],
  [FD, 84, "v128.load8_lane", "memarg_lane", "iv:v"],
  [FD, 85, "v128.load16_lane", "memarg_lane", "iv:v"],
  [FD, 86, "v128.load32_lane", "memarg_lane", "iv:v"],
  [FD, 87, "v128.load64_lane", "memarg_lane", "iv:v"],
  [FD, 88, "v128.store8_lane", "memarg_lane", "iv:"],
  [FD, 89, "v128.store16_lane", "memarg_lane", "iv:"],
  [FD, 90, "v128.store32_lane", "memarg_lane", "iv:"],
  [FD, 91, "v128.store64_lane", "memarg_lane", "iv:"],
  [FD, 92, "v128.load32_zero", "memarg", "i:v"],
  [FD, 93, "v128.load64_zero", "memarg", "i:v"],
  [FD, 94, "f32x4.demote_f64x2_zero", "none", "v:v"],
  [FD, 95, "f64x2.promote_low_f32x4", "none", "v:v"],
  [FD, 96, "i8x16.abs", "none", "v:v"],
  [FD, 97, "i8x16.neg", "none", "v:v"],
  [FD, 98, "i8x16.popcnt", "none", "v:v"],
  [FD, 99, "i8x16.all_true", "none", "v:i"],
  [FD, 100, "i8x16.bitmask", "none", "v:i"],
  [FD, 101, "i8x16.narrow_i16x8_s", "none", "vv:v"],
  [FD, 102, "i8x16.narrow_i16x8_u", "none", "vv:v"],
  [FD, 103, "f32x4.ceil", "none", "v:v"],
  [FD, 104, "f32x4.floor", "none", "v:v"],
  [FD, 105, "f32x4.trunc", "none", "v:v"],
  [FD, 106, "f32x4.nearest", "none", "v:v"],
  [FD, 107, "i8x16.shl", "none", "vi:v"],
  [FD, 108, "i8x16.shr_s", "none", "vi:v"],
  [FD, 109, "i8x16.shr_u", "none", "vi:v"],
  [FD, 110, "i8x16.add", "none", "vv:v"],
  [FD, 111, "i8x16.add_sat_s", "none", "vv:v"],
  [FD, 112, "i8x16.add_sat_u", "none", "vv:v"],
  [FD, 113, "i8x16.sub", "none", "vv:v"],
  [FD, 114, "i8x16.sub_sat_s", "none", "vv:v"],
  [FD, 115, "i8x16.sub_sat_u", "none", "vv:v"],
  [FD, 116, "f64x2.ceil", "none", "v:v"],
  [FD, 117, "f64x2.floor", "none", "v:v"],
  [FD, 118, "i8x16.min_s", "none", "vv:v"],
  [FD, 119, "i8x16.min_u", "none", "vv:v"],
  [FD, 120, "i8x16.max_s", "none", "vv:v"],
  [FD, 121, "i8x16.max_u", "none", "vv:v"],
  [FD, 122, "f64x2.trunc", "none", "v:v"],
  [FD, 123, "i8x16.avgr_u", "none", "vv:v"],
  [FD, 124, "i16x8.extadd_pairwise_i8x16_s", "none", "v:v"],
  [FD, 125, "i16x8.extadd_pairwise_i8x16_u", "none", "v:v"],
  [FD, 126, "i32x4.extadd_pairwise_i16x8_s", "none", "v:v"],
  [FD, 127, "i32x4.extadd_pairwise_i16x8_u", "none", "v:v"],
  [FD, 128, "i16x8.abs", "none", "v:v"],
  [FD, 129, "i16x8.neg", "none", "v:v"],
  [FD, 130, "i16x8.q15mulr_sat_s", "none", "vv:v"],
  [FD, 131, "i16x8.all_true", "none", "v:i"],
  [FD, 132, "i16x8.bitmask", "none", "v:i"],
  [FD, 133, "i16x8.narrow_i32x4_s", "none", "vv:v"],
  [FD, 134, "i16x8.narrow_i32x4_u", "none", "vv:v"],
  [FD, 135, "i16x8.extend_low_i8x16_s", "none", "v:v"],
  [FD, 136, "i16x8.extend_high_i8x16_s", "none", "v:v"],
  [FD, 137, "i16x8.extend_low_i8x16_u", "none", "v:v"],
  [FD, 138, "i16x8.extend_high_i8x16_u", "none", "v:v"],
  [FD, 139, "i16x8.shl", "none", "vi:v"],
  [FD, 140, "i16x8.shr_s", "none", "vi:v"],
  [FD, 141, "i16x8.shr_u", "none", "vi:v"],
  [FD, 142, "i16x8.add", "none", "vv:v"],
  [FD, 143, "i16x8.add_sat_s", "none", "vv:v"],
  [FD, 144, "i16x8.add_sat_u", "none", "vv:v"],
  [FD, 145, "i16x8.sub", "none", "vv:v"],
  [FD, 146, "i16x8.sub_sat_s", "none", "vv:v"],
  [FD, 147, "i16x8.sub_sat_u", "none", "vv:v"],
  [FD, 148, "f64x2.nearest", "none", "v:v"],
  [FD, 149, "i16x8.mul", "none", "vv:v"],
  [FD, 150, "i16x8.min_s", "none", "vv:v"],
  [FD, 151, "i16x8.min_u", "none", "vv:v"],
  [FD, 152, "i16x8.max_s", "none", "vv:v"],
  [FD, 153, "i16x8.max_u", "none", "vv:v"],
  [FD, 155, "i16x8.avgr_u", "none", "vv:v"],
  [FD, 156, "i16x8.extmul_low_i8x16_s", "none", "vv:v"],
  [FD, 157, "i16x8.extmul_high_i8x16_s", "none", "vv:v"],
  [FD, 158, "i16x8.extmul_low_i8x16_u", "none", "vv:v"],
  [FD, 159, "i16x8.extmul_high_i8x16_u", "none", "vv:v"],
  [FD, 160, "i32x4.abs", "none", "v:v"],
  [FD, 161, "i32x4.neg", "none", "v:v"],
  [FD, 163, "i32x4.all_true", "none", "v:i"],
  [FD, 164, "i32x4.bitmask", "none", "v:i"],
  [FD, 167, "i32x4.extend_low_i16x8_s", "none", "v:v"],
  [FD, 168, "i32x4.extend_high_i16x8_s", "none", "v:v"],
  [FD, 169, "i32x4.extend_low_i16x8_u", "none", "v:v"],
  [FD, 170, "i32x4.extend_high_i16x8_u", "none", "v:v"],
  [FD, 171, "i32x4.shl", "none", "vi:v"],
  [FD, 172, "i32x4.shr_s", "none", "vi:v"],
  [FD, 173, "i32x4.shr_u", "none", "vi:v"],
  [FD, 174, "i32x4.add", "none", "vv:v"],
  [FD, 177, "i32x4.sub", "none", "vv:v"],
  [FD, 181, "i32x4.mul", "none", "vv:v"],
  [FD, 182, "i32x4.min_s", "none", "vv:v"],
  [FD, 183, "i32x4.min_u", "none", "vv:v"],
  [FD, 184, "i32x4.max_s", "none", "vv:v"],
  [FD, 185, "i32x4.max_u", "none", "vv:v"],
  [FD, 186, "i32x4.dot_i16x8_s", "none", "vv:v"],
  [FD, 188, "i32x4.extmul_low_i16x8_s", "none", "vv:v"],
  [FD, 189, "i32x4.extmul_high_i16x8_s", "none", "vv:v"],
  [FD, 190, "i32x4.extmul_low_i16x8_u", "none", "vv:v"],
  [FD, 191, "i32x4.extmul_high_i16x8_u", "none", "vv:v"],
  [FD, 192, "i64x2.abs", "none", "v:v"],
  [FD, 193, "i64x2.neg", "none", "v:v"],
  [FD, 195, "i64x2.all_true", "none", "v:i"],
  [FD, 196, "i64x2.bitmask", "none", "v:i"],
  [FD, 199, "i64x2.extend_low_i32x4_s", "none", "v:v"],
  [FD, 200, "i64x2.extend_high_i32x4_s", "none", "v:v"],
  [FD, 201, "i64x2.extend_low_i32x4_u", "none", "v:v"],
  [FD, 202, "i64x2.extend_high_i32x4_u", "none", "v:v"],
  [FD, 203, "i64x2.shl", "none", "vi:v"],
  [FD, 204, "i64x2.shr_s", "none", "vi:v"],
  [FD, 205, "i64x2.shr_u", "none", "vi:v"],
  [FD, 206, "i64x2.add", "none", "vv:v"],
  [FD, 209, "i64x2.sub", "none", "vv:v"],
  [FD, 213, "i64x2.mul", "none", "vv:v"],
  [FD, 214, "i64x2.eq", "none", "vv:v"],
  [FD, 215, "i64x2.ne", "none", "vv:v"],
  [FD, 216, "i64x2.lt_s", "none", "vv:v"],
  [FD, 217, "i64x2.gt_s", "none", "vv:v"],
  [FD, 218, "i64x2.le_s", "none", "vv:v"],
  [FD, 219, "i64x2.ge_s", "none", "vv:v"],
  [FD, 220, "i64x2.extmul_low_i32x4_s", "none", "vv:v"],
  [FD, 221, "i64x2.extmul_high_i32x4_s", "none", "vv:v"],
  [FD, 222, "i64x2.extmul_low_i32x4_u", "none", "vv:v"],
  [FD, 223, "i64x2.extmul_high_i32x4_u", "none", "vv:v"],
  [FD, 224, "f32x4.abs", "none", "v:v"],
  [FD, 225, "f32x4.neg", "none", "v:v"],
  [FD, 227, "f32x4.sqrt", "none", "v:v"],
  [FD, 228, "f32x4.add", "none", "vv:v"],
  [FD, 229, "f32x4.sub", "none", "vv:v"],
  [FD, 230, "f32x4.mul", "none", "vv:v"],
  [FD, 231, "f32x4.div", "none", "vv:v"],
  [FD, 232, "f32x4.min", "none", "vv:v"],
  [FD, 233, "f32x4.max", "none", "vv:v"],
  [FD, 234, "f32x4.pmin", "none", "vv:v"],
  [FD, 235, "f32x4.pmax", "none", "vv:v"],
  [FD, 236, "f64x2.abs", "none", "v:v"],
  [FD, 237, "f64x2.neg", "none", "v:v"],
  [FD, 239, "f64x2.sqrt", "none", "v:v"],
  [FD, 240, "f64x2.add", "none", "vv:v"],
  [FD, 241, "f64x2.sub", "none", "vv:v"],
  [FD, 242, "f64x2.mul", "none", "vv:v"],
  [FD, 243, "f64x2.div", "none", "vv:v"],
  [FD, 244, "f64x2.min", "none", "vv:v"],
  [FD, 245, "f64x2.max", "none", "vv:v"],
  [FD, 246, "f64x2.pmin", "none", "vv:v"],
  [FD, 247, "f64x2.pmax", "none", "vv:v"],
  [FD, 248, "i32x4.trunc_sat_f32x4_s", "none", "v:v"],
  [FD, 249, "i32x4.trunc_sat_f32x4_u", "none", "v:v"],
  [FD, 250, "f32x4.convert_i32x4_s", "none", "v:v"],
  [FD, 251, "f32x4.convert_i32x4_u", "none", "v:v"],
  [FD, 252, "i32x4.trunc_sat_f64x2_s_zero", "none", "v:v"],
  [FD, 253, "i32x4.trunc_sat_f64x2_u_zero", "none", "v:v"],
  [FD, 254, "f64x2.convert_low_i32x4_s", "none", "v:v"],
  [FD, 255, "f64x2.convert_low_i32x4_u", "none", "v:v"],
  // relaxed SIMD
  [FD, 0x100, "i8x16.relaxed_swizzle", "none", "vv:v"],
  [FD, 0x101, "i32x4.relaxed_trunc_f32x4_s", "none", "v:v"],
  [FD, 0x102, "i32x4.relaxed_trunc_f32x4_u", "none", "v:v"],
  [FD, 0x103, "i32x4.relaxed_trunc_f64x2_s_zero", "none", "v:v"],
  [FD, 0x104, "i32x4.relaxed_trunc_f64x2_u_zero", "none", "v:v"],
  [FD, 0x105, "f32x4.relaxed_madd", "none", "vvv:v"],
  [FD, 0x106, "f32x4.relaxed_nmadd", "none", "vvv:v"],
  [FD, 0x107, "f64x2.relaxed_madd", "none", "vvv:v"],
  [FD, 0x108, "f64x2.relaxed_nmadd", "none", "vvv:v"],
  [FD, 0x109, "i8x16.relaxed_laneselect", "none", "vvv:v"],
  [FD, 0x10a, "i16x8.relaxed_laneselect", "none", "vvv:v"],
  [FD, 0x10b, "i32x4.relaxed_laneselect", "none", "vvv:v"],
  [FD, 0x10c, "i64x2.relaxed_laneselect", "none", "vvv:v"],
  [FD, 0x10d, "f32x4.relaxed_min", "none", "vv:v"],
  [FD, 0x10e, "f32x4.relaxed_max", "none", "vv:v"],
  [FD, 0x10f, "f64x2.relaxed_min", "none", "vv:v"],
  [FD, 0x110, "f64x2.relaxed_max", "none", "vv:v"],
  [FD, 0x111, "i16x8.relaxed_q15mulr_s", "none", "vv:v"],
  [FD, 0x112, "i16x8.relaxed_dot_i8x16_i7x16_s", "none", "vv:v"],
  [FD, 0x113, "i32x4.relaxed_dot_i8x16_i7x16_add_s", "none", "vvv:v"],
  // threads: atomic memory accesses, wait/notify and fence (0xFE)
  [FE, 0x00, "memory.atomic.notify", "memarg", "ii:i"],
  [FE, 0x01, "memory.atomic.wait32", "memarg", "iil:i"],
  [FE, 0x02, "memory.atomic.wait64", "memarg", "ill:i"],
  [FE, 0x03, "atomic.fence", "zero_byte", ":"],
  [FE, 0x10, "i32.atomic.load", "memarg", "i:i"],
  [FE, 0x11, "i64.atomic.load", "memarg", "i:l"],
  [FE, 0x12, "i32.atomic.load8_u", "memarg", "i:i"],
  [FE, 0x13, "i32.atomic.load16_u", "memarg", "i:i"],
  [FE, 0x14, "i64.atomic.load8_u", "memarg", "i:l"],
  [FE, 0x15, "i64.atomic.load16_u", "memarg", "i:l"],
  [FE, 0x16, "i64.atomic.load32_u", "memarg", "i:l"],
  [FE, 0x17, "i32.atomic.store", "memarg", "ii:"],
  [FE, 0x18, "i64.atomic.store", "memarg", "il:"],
  [FE, 0x19, "i32.atomic.store8", "memarg", "ii:"],
  [FE, 0x1a, "i32.atomic.store16", "memarg", "ii:"],
  [FE, 0x1b, "i64.atomic.store8", "memarg", "il:"],
  [FE, 0x1c, "i64.atomic.store16", "memarg", "il:"],
  [FE, 0x1d, "i64.atomic.store32", "memarg", "il:"],
  [FE, 0x1e, "i32.atomic.rmw.add", "memarg", "ii:i"],
  [FE, 0x1f, "i64.atomic.rmw.add", "memarg", "il:l"],
  [FE, 0x20, "i32.atomic.rmw8.add_u", "memarg", "ii:i"],
  [FE, 0x21, "i32.atomic.rmw16.add_u", "memarg", "ii:i"],
  [FE, 0x22, "i64.atomic.rmw8.add_u", "memarg", "il:l"],
  [FE, 0x23, "i64.atomic.rmw16.add_u", "memarg", "il:l"],
  [FE, 0x24, "i64.atomic.rmw32.add_u", "memarg", "il:l"],
  [FE, 0x25, "i32.atomic.rmw.sub", "memarg", "ii:i"],
  [FE, 0x26, "i64.atomic.rmw.sub", "memarg", "il:l"],
  [FE, 0x27, "i32.atomic.rmw8.sub_u", "memarg", "ii:i"],
  [FE, 0x28, "i32.atomic.rmw16.sub_u", "memarg", "ii:i"],
  [FE, 0x29, "i64.atomic.rmw8.sub_u", "memarg", "il:l"],
  [FE, 0x2a, "i64.atomic.rmw16.sub_u", "memarg", "il:l"],
  [FE, 0x2b, "i64.atomic.rmw32.sub_u", "memarg", "il:l"],
  [FE, 0x2c, "i32.atomic.rmw.and", "memarg", "ii:i"],
  [FE, 0x2d, "i64.atomic.rmw.and", "memarg", "il:l"],
  [FE, 0x2e, "i32.atomic.rmw8.and_u", "memarg", "ii:i"],
  [FE, 0x2f, "i32.atomic.rmw16.and_u", "memarg", "ii:i"],
  [FE, 0x30, "i64.atomic.rmw8.and_u", "memarg", "il:l"],
  [FE, 0x31, "i64.atomic.rmw16.and_u", "memarg", "il:l"],
  [FE, 0x32, "i64.atomic.rmw32.and_u", "memarg", "il:l"],
  [FE, 0x33, "i32.atomic.rmw.or", "memarg", "ii:i"],
  [FE, 0x34, "i64.atomic.rmw.or", "memarg", "il:l"],
  [FE, 0x35, "i32.atomic.rmw8.or_u", "memarg", "ii:i"],
  [FE, 0x36, "i32.atomic.rmw16.or_u", "memarg", "ii:i"],
  [FE, 0x37, "i64.atomic.rmw8.or_u", "memarg", "il:l"],
  [FE, 0x38, "i64.atomic.rmw16.or_u", "memarg", "il:l"],
  [FE, 0x39, "i64.atomic.rmw32.or_u", "memarg", "il:l"],
  [FE, 0x3a, "i32.atomic.rmw.xor", "memarg", "ii:i"],
  [FE, 0x3b, "i64.atomic.rmw.xor", "memarg", "il:l"],
  [FE, 0x3c, "i32.atomic.rmw8.xor_u", "memarg", "ii:i"],
  [FE, 0x3d, "i32.atomic.rmw16.xor_u", "memarg", "ii:i"],
  [FE, 0x3e, "i64.atomic.rmw8.xor_u", "memarg", "il:l"],
  [FE, 0x3f, "i64.atomic.rmw16.xor_u", "memarg", "il:l"],
  [FE, 0x40, "i64.atomic.rmw32.xor_u", "memarg", "il:l"],
  [FE, 0x41, "i32.atomic.rmw.xchg", "memarg", "ii:i"],
  [FE, 0x42, "i64.atomic.rmw.xchg", "memarg", "il:l"],
  [FE, 0x43, "i32.atomic.rmw8.xchg_u", "memarg", "ii:i"],
  [FE, 0x44, "i32.atomic.rmw16.xchg_u", "memarg", "ii:i"],
  [FE, 0x45, "i64.atomic.rmw8.xchg_u", "memarg", "il:l"],
  [FE, 0x46, "i64.atomic.rmw16.xchg_u", "memarg", "il:l"],
  [FE, 0x47, "i64.atomic.rmw32.xchg_u", "memarg", "il:l"],
  [FE, 0x48, "i32.atomic.rmw.cmpxchg", "memarg", "iii:i"],
  [FE, 0x49, "i64.atomic.rmw.cmpxchg", "memarg", "ill:l"],
  [FE, 0x4a, "i32.atomic.rmw8.cmpxchg_u", "memarg", "iii:i"],
  [FE, 0x4b, "i32.atomic.rmw16.cmpxchg_u", "memarg", "iii:i"],
  [FE, 0x4c, "i64.atomic.rmw8.cmpxchg_u", "memarg", "ill:l"],
  [FE, 0x4d, "i64.atomic.rmw16.cmpxchg_u", "memarg", "ill:l"],
  [FE, 0x4e, "i64.atomic.rmw32.cmpxchg_u", "memarg", "ill:l"],
  [FB, 0x00, "struct.new", "type"],
  [FB, 0x01, "struct.new_default", "type"],
  [FB, 0x02, "struct.get", "type_field"],
  [FB, 0x03, "struct.get_s", "type_field"],
  [FB, 0x04, "struct.get_u", "type_field"],
  [FB, 0x05, "struct.set", "type_field"],
  [FB, 0x06, "array.new", "type"],
  [FB, 0x07, "array.new_default", "type"],
  [FB, 0x08, "array.new_fixed", "type_count"],
  [FB, 0x09, "array.new_data", "type_data"],
  [FB, 0x0a, "array.new_elem", "type_elem"],
  [FB, 0x0b, "array.get", "type"],
  [FB, 0x0c, "array.get_s", "type"],
  [FB, 0x0d, "array.get_u", "type"],
  [FB, 0x0e, "array.set", "type"],
  [FB, 0x0f, "array.len", "none"],
  [FB, 0x10, "array.fill", "type"],
  [FB, 0x11, "array.copy", "type_type"],
  [FB, 0x12, "array.init_data", "type_data"],
  [FB, 0x13, "array.init_elem", "type_elem"],
  [FB, 0x14, "ref.test", "heaptype"],
  [FB, 0x15, "ref.test_null", "heaptype"],
  [FB, 0x16, "ref.cast", "heaptype"],
  [FB, 0x17, "ref.cast_null", "heaptype"],
  [FB, 0x18, "br_on_cast", "br_on_cast"],
  [FB, 0x19, "br_on_cast_fail", "br_on_cast"],
  [FB, 0x1a, "any.convert_extern", "none"],
  [FB, 0x1b, "extern.convert_any", "none"],
  [FB, 0x1c, "ref.i31", "none"],
  [FB, 0x1d, "i31.get_s", "none"],
  [FB, 0x1e, "i31.get_u", "none"],
] as const;

/** The text-format name of any instruction in the table. */
export type OpName = typeof OP_TABLE[number][2];

/** Turns `"i32.add"` into `"i32_add"`. */
export type Snake<S extends string> = S extends `${infer A}.${infer B}` ? `${A}_${Snake<B>}` : S;

/** The snake_case name of any instruction, as used for the keys of {@link Op}. */
export type OpConstName = Snake<OpName>;

const SIG_LETTERS: Record<string, ValType> = {
  i: ValType.i32,
  l: ValType.i64,
  f: ValType.f32,
  d: ValType.f64,
  v: ValType.v128,
};

function parseSig(sig: string): readonly [readonly ValType[], readonly ValType[]] {
  const [params, results] = sig.split(":");
  const types = (s: string) => Object.freeze([...s].map((c) => SIG_LETTERS[c]));
  return Object.freeze([types(params), types(results)] as const);
}

/**
 * The unique numeric key of an op.
 *
 * @param prefix 0, `0xfc`, `0xfd` or `0xfe`
 * @param code the opcode byte or sub-opcode
 * @returns `(prefix << 16) | code`
 * @example
 * ```ts
 * import { opKey } from "@capstan/environ";
 * if (opKey(0xfd, 13) !== 0xfd000d) throw new Error();
 * ```
 */
export function opKey(prefix: number, code: number): number {
  return (prefix << 16) | code;
}

/** Every instruction of WebAssembly 2.0, in table order. */
export const OPS: readonly OpInfo[] = Object.freeze(
  OP_TABLE.map((row): OpInfo => {
    const [prefix, code, name, imm] = row;
    const sig = row.length > 4 ? parseSig((row as readonly unknown[])[4] as string) : undefined;
    return Object.freeze(
      sig === undefined ? { name, prefix, code, imm } : { name, prefix, code, imm, sig },
    );
  }),
);

const BY_NAME = new Map<string, OpInfo>();
const BY_KEY = new Map<number, OpInfo>();
for (const op of OPS) {
  BY_NAME.set(op.name, op);
  BY_KEY.set(opKey(op.prefix, op.code), op);
}

/**
 * Looks an op up by its text-format name.
 *
 * @param name e.g. `"i32.add"`
 * @returns the op, or undefined if no op has that name
 * @example
 * ```ts
 * import { opByName } from "@capstan/environ";
 * if (opByName("i32.add")?.code !== 0x6a) throw new Error();
 * ```
 */
export function opByName(name: string): OpInfo | undefined {
  return BY_NAME.get(name);
}

/**
 * Looks an op up by its key.
 *
 * @param key a key from {@link opKey}
 * @returns the op, or undefined if no op has that key
 * @example
 * ```ts
 * import { opByKey, opKey } from "@capstan/environ";
 * if (opByKey(opKey(0, 0x6a))?.name !== "i32.add") throw new Error();
 * ```
 */
export function opByKey(key: number): OpInfo | undefined {
  return BY_KEY.get(key);
}

/**
 * The key of every op by its snake_case name: `Op.i32_add === opKey(0, 0x6a)`,
 * `Op.i8x16_shuffle === opKey(0xfd, 13)`. A misspelt name is a type error.
 *
 * @example
 * ```ts
 * import { Op, opKey } from "@capstan/environ";
 * if (Op.i32_add !== opKey(0, 0x6a)) throw new Error();
 * ```
 */
export const Op: { readonly [N in OpConstName]: number } = Object.freeze(
  Object.fromEntries(OPS.map((op) => [op.name.replaceAll(".", "_"), opKey(op.prefix, op.code)])),
) as { readonly [N in OpConstName]: number };
