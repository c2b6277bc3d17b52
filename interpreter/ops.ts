/**
 * The Capstan bytecode instruction set, declared once. Each op is one line:
 * its name, its operands with their kinds, whether it lives in the extended
 * (cold) dispatch function, and what it does. Everything else is derived:
 * opcode numbers (`_opcodes.ts`, generated), the encoder and decoder
 * (`encoding.ts`), the disassembler (`disassemble.ts`), and the dispatch
 * functions (`_dispatch.ts`, generated from `_dispatch_src.ts`, and checked
 * against this table by `dispatch_table_test.ts`).
 *
 * Naming: `<type>_<operation>[_<operand form>]`; suffix `_i` means the last
 * source operand is an immediate; `br_<cmp>` ops compare and branch.
 *
 * Encoding: one `Int32Array` word for the opcode, then one word per operand,
 * except a branch table (`t`), which is a count `n` followed by `n` offsets.
 *
 * Operand kinds:
 * - `r` a register: a slot index relative to the frame pointer;
 * - `i` a 32-bit immediate; `x` an unsigned index (vmctx word, table, ...);
 * - `o` a branch offset, relative to the first word of the instruction;
 * - `k` a trap code (`@capstan/environ` `TrapCode`);
 * - `f` an absolute code address (a call target, fixed by relocation);
 * - `t` a branch table.
 *
 * Register conventions: a slot is 8 bytes; an i32/f32/reference value uses its
 * low 4 bytes, an i64/f64 all 8 (little-endian halves). References are i32
 * handles, 0 being null.
 *
 * @module
 */

/** The kind of one operand. */
export type OperandKind = "r" | "i" | "x" | "o" | "k" | "f" | "t";

/** One operand of an op: its name and kind. */
export interface OperandInfo {
  /** Its name, e.g. `"dst"`. */
  readonly name: string;
  /** Its kind. */
  readonly kind: OperandKind;
}

/** One bytecode op. */
export interface BytecodeOpInfo {
  /** Its name, e.g. `"i32_add"`. */
  readonly name: string;
  /** Its opcode (its position in the table). */
  readonly code: number;
  /** Its operands, in encoding order. */
  readonly operands: readonly OperandInfo[];
  /** Whether the extended (cold) dispatch function handles it. */
  readonly ext: boolean;
  /** What it does. */
  readonly doc: string;
}

/** Marks an op handled by the extended dispatch function. */
const X = true;
/** Marks an op handled by the main dispatch function. */
const M = false;

const BIN = "d:r a:r b:r";
const BINI = "d:r a:r v:i";
const BINK = "d:r a:r lo:i hi:i";
const UN = "d:r a:r";
const BRR = "a:r b:r off:o";
const BRI = "a:r v:i off:o";
const LD = "d:r a:r k:i offset:x";
const ST = "a:r v:r k:i offset:x";
const LDX = "d:r a:r s:i k:i offset:x";
const STX = "a:r v:r s:i k:i offset:x";

/**
 * The branch ops that have a `fuel_<br>` prefix op (fuel session 2): a block's
 * charge, placed right before its closing branch, fuses into it.
 */
const FUEL_BRANCHES = [
  "br",
  "br_if",
  "br_unless",
  "br_table",
  ...["eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u"].flatMap((c) => [
    `br_${c}`,
    `br_${c}_i`,
  ]),
  "br_inc_ne_i",
  "br_inc_lt_u_i",
  "br_inc_lt_s_i",
  "br_inc_gt_u_i",
  "br_inc_lt_u_r",
  "br_inc2_ne_i",
  "br_inc2_lt_u_i",
];

/** The table: `[name, operands, ext, doc]`. Append-friendly; order sets opcodes. */
const TABLE: readonly (readonly [string, string, boolean, string])[] = [
  // control
  ["nop", "", M, "do nothing"],
  ["trap", "code:k", M, "trap with the given code"],
  ["br", "off:o", M, "jump by off"],
  ["br_if", "c:r off:o", M, "jump by off if i32 c is not zero"],
  ["br_unless", "c:r off:o", M, "jump by off if i32 c is zero"],
  ["br_table", "i:r targets:t", M, "jump by targets[min(u32 i, n-1)]"],
  ["enter", "params:x locals:x frame:x", M, "function entry: check the stack, zero locals"],
  ["call", "target:f base:r", M, "call the function whose enter op is at target; frame at base"],
  ["call_import", "func:x base:r", M, "call the function whose handle is vmctx[func]"],
  ["call_indirect", "table:x sig:x base:r i:r", M, "call table[i], checking vmctx[sig]"],
  ["return_fuel", "n:i", M, "consume n units of fuel (stop here when exhausted), then return"],
  ["return", "", M, "return to the caller; results are in registers 0.."],
  ["fuel", "n:i", M, "consume n units of fuel; trap when exhausted"],
  [
    "call_fuel",
    "target:f base:r n:i",
    M,
    "fuel n, call, then skip the callee's first op when it is fuel (the compiler adds that " +
    "op's charge to n: one check for both)",
  ],
  // fuel (session 2): `fuel_<br>` is `fuel n` fused with the branch op `<br>` that always
  // follows it (its case falls through into that op's case): one dispatch for both
  ...FUEL_BRANCHES.map((b) =>
    [`fuel_${b}`, "n:i", M, `fuel n, then the ${b} that follows at once`] as const
  ),
  [
    "call_add_i_fuel",
    "target:f base:r d:r a:r v:i n:i",
    M,
    "fuel n, d = a + v (i32, the last argument), then as call_fuel (metered call_add_i)",
  ],
  ["icount", "n:i", M, "add n to the executed-instruction counter"],
  // moves and constants
  ["mov", "d:r s:r", M, "copy a 32-bit value"],
  ["mov64", "d:r s:r", M, "copy a 64-bit value"],
  ["const32", "d:r v:i", M, "load a 32-bit constant"],
  ["const64", "d:r lo:i hi:i", M, "load a 64-bit constant from its halves"],
  ["select", "d:r c:r a:r b:r", M, "d = c != 0 ? a : b (32-bit)"],
  ["select64", "d:r c:r a:r b:r", M, "d = c != 0 ? a : b (64-bit)"],
  ["global_get", "d:r g:x", M, "read a 32-bit global whose slot is vmctx[g]"],
  ["global_get64", "d:r g:x", M, "read a 64-bit global whose slot is vmctx[g]"],
  ["global_set", "g:x s:r", M, "write a 32-bit global whose slot is vmctx[g]"],
  ["global_set64", "g:x s:r", M, "write a 64-bit global whose slot is vmctx[g]"],
  ["vmctx_load", "d:r w:x", M, "d = vmctx[w] (e.g. ref.func: a function handle)"],
  // i32 arithmetic
  ["i32_add", BIN, M, "i32 wrapping add"],
  ["i32_sub", BIN, M, "i32 wrapping subtract"],
  ["i32_mul", BIN, M, "i32 wrapping multiply"],
  ["i32_div_s", BIN, M, "i32 signed divide; traps on zero and overflow"],
  ["i32_div_u", BIN, M, "i32 unsigned divide; traps on zero"],
  ["i32_rem_s", BIN, M, "i32 signed remainder; traps on zero"],
  ["i32_rem_u", BIN, M, "i32 unsigned remainder; traps on zero"],
  ["i32_and", BIN, M, "i32 bitwise and"],
  ["i32_or", BIN, M, "i32 bitwise or"],
  ["i32_xor", BIN, M, "i32 bitwise xor"],
  ["i32_shl", BIN, M, "i32 shift left (count mod 32)"],
  ["i32_shr_s", BIN, M, "i32 arithmetic shift right"],
  ["i32_shr_u", BIN, M, "i32 logical shift right"],
  ["i32_rotl", BIN, M, "i32 rotate left"],
  ["i32_rotr", BIN, M, "i32 rotate right"],
  ["i32_eq", BIN, M, "i32 =="],
  ["i32_ne", BIN, M, "i32 !="],
  ["i32_lt_s", BIN, M, "i32 signed <"],
  ["i32_lt_u", BIN, M, "i32 unsigned <"],
  ["i32_gt_s", BIN, M, "i32 signed >"],
  ["i32_gt_u", BIN, M, "i32 unsigned >"],
  ["i32_le_s", BIN, M, "i32 signed <="],
  ["i32_le_u", BIN, M, "i32 unsigned <="],
  ["i32_ge_s", BIN, M, "i32 signed >="],
  ["i32_ge_u", BIN, M, "i32 unsigned >="],
  ["i32_add_i", BINI, M, "i32 add an immediate"],
  ["i32_mul_i", BINI, M, "i32 multiply by an immediate"],
  ["i32_and_i", BINI, M, "i32 and with an immediate"],
  ["i32_or_i", BINI, M, "i32 or with an immediate"],
  ["i32_xor_i", BINI, M, "i32 xor with an immediate"],
  ["i32_shl_i", BINI, M, "i32 shift left by an immediate"],
  ["i32_shr_s_i", BINI, M, "i32 arithmetic shift right by an immediate"],
  ["i32_shr_u_i", BINI, M, "i32 logical shift right by an immediate"],
  ["i32_eq_i", BINI, M, "i32 == immediate"],
  ["i32_ne_i", BINI, M, "i32 != immediate"],
  ["i32_lt_s_i", BINI, M, "i32 signed < immediate"],
  ["i32_lt_u_i", BINI, M, "i32 unsigned < immediate"],
  ["i32_gt_s_i", BINI, M, "i32 signed > immediate"],
  ["i32_gt_u_i", BINI, M, "i32 unsigned > immediate"],
  ["i32_le_s_i", BINI, M, "i32 signed <= immediate"],
  ["i32_le_u_i", BINI, M, "i32 unsigned <= immediate"],
  ["i32_ge_s_i", BINI, M, "i32 signed >= immediate"],
  ["i32_ge_u_i", BINI, M, "i32 unsigned >= immediate"],
  ["i32_eqz", UN, M, "i32 == 0"],
  ["i32_clz", UN, M, "i32 count leading zeros"],
  ["i32_ctz", UN, M, "i32 count trailing zeros"],
  ["i32_popcnt", UN, M, "i32 count one bits"],
  ["i32_extend8_s", UN, M, "sign-extend the low 8 bits"],
  ["i32_extend16_s", UN, M, "sign-extend the low 16 bits"],
  // compare and branch
  ["br_eq", BRR, M, "jump if i32 a == b"],
  ["br_ne", BRR, M, "jump if i32 a != b"],
  ["br_lt_s", BRR, M, "jump if i32 a < b (signed)"],
  ["br_lt_u", BRR, M, "jump if i32 a < b (unsigned)"],
  ["br_gt_s", BRR, M, "jump if i32 a > b (signed)"],
  ["br_gt_u", BRR, M, "jump if i32 a > b (unsigned)"],
  ["br_le_s", BRR, M, "jump if i32 a <= b (signed)"],
  ["br_le_u", BRR, M, "jump if i32 a <= b (unsigned)"],
  ["br_ge_s", BRR, M, "jump if i32 a >= b (signed)"],
  ["br_ge_u", BRR, M, "jump if i32 a >= b (unsigned)"],
  ["br_eq_i", BRI, M, "jump if i32 a == immediate"],
  ["br_ne_i", BRI, M, "jump if i32 a != immediate"],
  ["br_lt_s_i", BRI, M, "jump if i32 a < immediate (signed)"],
  ["br_lt_u_i", BRI, M, "jump if i32 a < immediate (unsigned)"],
  ["br_gt_s_i", BRI, M, "jump if i32 a > immediate (signed)"],
  ["br_gt_u_i", BRI, M, "jump if i32 a > immediate (unsigned)"],
  ["br_le_s_i", BRI, M, "jump if i32 a <= immediate (signed)"],
  ["br_le_u_i", BRI, M, "jump if i32 a <= immediate (unsigned)"],
  ["br_ge_s_i", BRI, M, "jump if i32 a >= immediate (signed)"],
  ["br_ge_u_i", BRI, M, "jump if i32 a >= immediate (unsigned)"],
  // i64 arithmetic (two 32-bit halves per register)
  ["i64_add", BIN, M, "i64 wrapping add"],
  ["i64_sub", BIN, M, "i64 wrapping subtract"],
  ["i64_mul", BIN, M, "i64 wrapping multiply"],
  ["i64_div_s", BIN, X, "i64 signed divide; traps on zero and overflow"],
  ["i64_div_u", BIN, X, "i64 unsigned divide; traps on zero"],
  ["i64_rem_s", BIN, X, "i64 signed remainder; traps on zero"],
  ["i64_rem_u", BIN, X, "i64 unsigned remainder; traps on zero"],
  ["i64_and", BIN, M, "i64 bitwise and"],
  ["i64_or", BIN, M, "i64 bitwise or"],
  ["i64_xor", BIN, M, "i64 bitwise xor"],
  ["i64_shl", BIN, M, "i64 shift left (count mod 64)"],
  ["i64_shr_s", BIN, M, "i64 arithmetic shift right"],
  ["i64_shr_u", BIN, M, "i64 logical shift right"],
  ["i64_rotl", BIN, M, "i64 rotate left"],
  ["i64_rotr", BIN, M, "i64 rotate right"],
  ["i64_eq", BIN, M, "i64 =="],
  ["i64_ne", BIN, M, "i64 !="],
  ["i64_lt_s", BIN, M, "i64 signed <"],
  ["i64_lt_u", BIN, M, "i64 unsigned <"],
  ["i64_gt_s", BIN, M, "i64 signed >"],
  ["i64_gt_u", BIN, M, "i64 unsigned >"],
  ["i64_le_s", BIN, M, "i64 signed <="],
  ["i64_le_u", BIN, M, "i64 unsigned <="],
  ["i64_ge_s", BIN, M, "i64 signed >="],
  ["i64_ge_u", BIN, M, "i64 unsigned >="],
  ["i64_add_i", BINI, M, "i64 add a sign-extended 32-bit immediate"],
  ["i64_add_k", BINK, M, "i64 add a 64-bit immediate (halves lo, hi)"],
  ["i64_mul_k", BINK, M, "i64 multiply by a 64-bit immediate"],
  ["i64_and_k", BINK, M, "i64 and with a 64-bit immediate"],
  ["i64_or_k", BINK, M, "i64 or with a 64-bit immediate"],
  ["i64_xor_k", BINK, M, "i64 xor with a 64-bit immediate"],
  ["i64_shl_i", BINI, M, "i64 shift left by an immediate (0..63)"],
  ["i64_shr_s_i", BINI, M, "i64 arithmetic shift right by an immediate (0..63)"],
  ["i64_shr_u_i", BINI, M, "i64 logical shift right by an immediate (0..63)"],
  ["i64_rotl_i", BINI, M, "i64 rotate left by an immediate (0..63)"],
  ["i64_eqz", UN, M, "i64 == 0"],
  ["i64_clz", UN, X, "i64 count leading zeros"],
  ["i64_ctz", UN, X, "i64 count trailing zeros"],
  ["i64_popcnt", UN, X, "i64 count one bits"],
  ["i64_extend8_s", UN, X, "sign-extend the low 8 bits"],
  ["i64_extend16_s", UN, X, "sign-extend the low 16 bits"],
  ["i64_extend32_s", UN, M, "sign-extend the low 32 bits"],
  ["i64_extend_i32_u", UN, M, "zero-extend an i32"],
  // f32
  ["f32_add", BIN, M, "f32 add"],
  ["f32_sub", BIN, M, "f32 subtract"],
  ["f32_mul", BIN, M, "f32 multiply"],
  ["f32_div", BIN, M, "f32 divide"],
  ["f32_min", BIN, X, "f32 minimum (NaN-propagating, -0 < +0)"],
  ["f32_max", BIN, X, "f32 maximum (NaN-propagating, -0 < +0)"],
  ["f32_copysign", BIN, X, "f32 magnitude of a, sign of b"],
  ["f32_abs", UN, M, "f32 clear the sign bit"],
  ["f32_neg", UN, M, "f32 flip the sign bit"],
  ["f32_sqrt", UN, M, "f32 square root"],
  ["f32_ceil", UN, X, "f32 round up"],
  ["f32_floor", UN, X, "f32 round down"],
  ["f32_trunc", UN, X, "f32 round toward zero"],
  ["f32_nearest", UN, X, "f32 round to nearest, ties to even"],
  ["f32_eq", BIN, M, "f32 =="],
  ["f32_ne", BIN, M, "f32 !="],
  ["f32_lt", BIN, M, "f32 <"],
  ["f32_gt", BIN, M, "f32 >"],
  ["f32_le", BIN, M, "f32 <="],
  ["f32_ge", BIN, M, "f32 >="],
  // f64
  ["f64_add", BIN, M, "f64 add"],
  ["f64_sub", BIN, M, "f64 subtract"],
  ["f64_mul", BIN, M, "f64 multiply"],
  ["f64_div", BIN, M, "f64 divide"],
  ["f64_mul_add", "d:r a:r b:r c:r", M, "d = a * b + c (two roundings, exactly mul then add)"],
  ["f64_min", BIN, X, "f64 minimum (NaN-propagating, -0 < +0)"],
  ["f64_max", BIN, X, "f64 maximum (NaN-propagating, -0 < +0)"],
  ["f64_copysign", BIN, X, "f64 magnitude of a, sign of b"],
  ["f64_abs", UN, M, "f64 clear the sign bit"],
  ["f64_neg", UN, M, "f64 flip the sign bit"],
  ["f64_sqrt", UN, M, "f64 square root"],
  ["f64_ceil", UN, X, "f64 round up"],
  ["f64_floor", UN, X, "f64 round down"],
  ["f64_trunc", UN, X, "f64 round toward zero"],
  ["f64_nearest", UN, X, "f64 round to nearest, ties to even"],
  ["f64_eq", BIN, M, "f64 =="],
  ["f64_ne", BIN, M, "f64 !="],
  ["f64_lt", BIN, M, "f64 <"],
  ["f64_gt", BIN, M, "f64 >"],
  ["f64_le", BIN, M, "f64 <="],
  ["f64_ge", BIN, M, "f64 >="],
  // conversions
  ["i64_extend_i32_s", UN, M, "sign-extend an i32 to i64"],
  ["i32_trunc_f32_s", UN, X, "f32 to i32, signed; traps on NaN and overflow"],
  ["i32_trunc_f32_u", UN, X, "f32 to i32, unsigned; traps on NaN and overflow"],
  ["i32_trunc_f64_s", UN, X, "f64 to i32, signed; traps on NaN and overflow"],
  ["i32_trunc_f64_u", UN, X, "f64 to i32, unsigned; traps on NaN and overflow"],
  ["i64_trunc_f32_s", UN, X, "f32 to i64, signed; traps on NaN and overflow"],
  ["i64_trunc_f32_u", UN, X, "f32 to i64, unsigned; traps on NaN and overflow"],
  ["i64_trunc_f64_s", UN, X, "f64 to i64, signed; traps on NaN and overflow"],
  ["i64_trunc_f64_u", UN, X, "f64 to i64, unsigned; traps on NaN and overflow"],
  ["i32_trunc_sat_f32_s", UN, X, "f32 to i32, signed, saturating"],
  ["i32_trunc_sat_f32_u", UN, X, "f32 to i32, unsigned, saturating"],
  ["i32_trunc_sat_f64_s", UN, X, "f64 to i32, signed, saturating"],
  ["i32_trunc_sat_f64_u", UN, X, "f64 to i32, unsigned, saturating"],
  ["i64_trunc_sat_f32_s", UN, X, "f32 to i64, signed, saturating"],
  ["i64_trunc_sat_f32_u", UN, X, "f32 to i64, unsigned, saturating"],
  ["i64_trunc_sat_f64_s", UN, X, "f64 to i64, signed, saturating"],
  ["i64_trunc_sat_f64_u", UN, X, "f64 to i64, unsigned, saturating"],
  ["f32_convert_i32_s", UN, M, "signed i32 to f32"],
  ["f32_convert_i32_u", UN, M, "unsigned i32 to f32"],
  ["f32_convert_i64_s", UN, X, "signed i64 to f32 (one rounding)"],
  ["f32_convert_i64_u", UN, X, "unsigned i64 to f32 (one rounding)"],
  ["f64_convert_i32_s", UN, M, "signed i32 to f64"],
  ["f64_convert_i32_u", UN, M, "unsigned i32 to f64"],
  ["f64_convert_i64_s", UN, M, "signed i64 to f64"],
  ["f64_convert_i64_u", UN, M, "unsigned i64 to f64"],
  ["f32_demote_f64", UN, M, "f64 to f32"],
  ["f64_promote_f32", UN, M, "f32 to f64"],
  ["f32_canon", "x:r", M, "deterministic mode: a NaN in x becomes the canonical f32 NaN"],
  ["f64_canon", "x:r", M, "deterministic mode: a NaN in x becomes the canonical f64 NaN"],
  // memory 0: effective address = u32(a + k) + u32 offset (k: a folded i32.add of a constant)
  ["load32", LD, M, "load 4 bytes (i32.load, f32.load)"],
  ["load8_s", LD, M, "load 1 byte, sign-extend to i32"],
  ["load8_u", LD, M, "load 1 byte, zero-extend to i32"],
  ["load16_s", LD, M, "load 2 bytes, sign-extend to i32"],
  ["load16_u", LD, M, "load 2 bytes, zero-extend to i32"],
  ["load64", LD, M, "load 8 bytes (i64.load, f64.load)"],
  ["load64_8_s", LD, X, "load 1 byte, sign-extend to i64"],
  ["load64_8_u", LD, X, "load 1 byte, zero-extend to i64"],
  ["load64_16_s", LD, X, "load 2 bytes, sign-extend to i64"],
  ["load64_16_u", LD, X, "load 2 bytes, zero-extend to i64"],
  ["load64_32_s", LD, X, "load 4 bytes, sign-extend to i64"],
  ["load64_32_u", LD, X, "load 4 bytes, zero-extend to i64"],
  ["store32", ST, M, "store 4 bytes"],
  ["store8", ST, M, "store the low byte"],
  ["store16", ST, M, "store the low 2 bytes"],
  ["store64", ST, M, "store 8 bytes"],
  ["load32_x", LDX, M, "load32 at u32((a << s) + k) + offset (an indexed access)"],
  ["load8_u_x", LDX, M, "load8_u at u32((a << s) + k) + offset"],
  ["load64_x", LDX, M, "load64 at u32((a << s) + k) + offset"],
  ["store32_x", STX, M, "store32 at u32((a << s) + k) + offset"],
  ["store8_x", STX, M, "store8 at u32((a << s) + k) + offset"],
  ["store64_x", STX, M, "store64 at u32((a << s) + k) + offset"],
  ["memory_size", "d:r mem:x", X, "d = the memory's size in pages"],
  // references and tables
  ["table_get", "d:r table:x i:r", X, "d = table[i]; traps out of bounds"],
  ["table_set", "table:x i:r v:r", X, "table[i] = v; traps out of bounds"],
  ["table_size", "d:r table:x", X, "d = the table's size"],
  ["builtin", "id:x s0:x s1:x base:r", X, "call builtin id with statics s0, s1 and args at base"],
  // SIMD (v128 values live in the VM's v128 file, see simd.ts; sub = the wasm 0xFD sub-opcode)
  ["v128_mov", "d:r s:r", X, "copy a v128"],
  ["v128_select", "d:r c:r a:r b:r", X, "d = c != 0 ? a : b (v128)"],
  ["v128_const", "d:r w0:i w1:i w2:i w3:i", X, "load a v128 constant from its four words"],
  ["v128_global_get", "d:r g:x", X, "read a v128 global (two slots) whose slot is vmctx[g]"],
  ["v128_global_set", "g:x s:r", X, "write a v128 global (two slots) whose slot is vmctx[g]"],
  ["v128_bitselect", "d:r a:r b:r c:r", X, "d = (a & c) | (b & ~c)"],
  [
    "i8x16_shuffle",
    "d:r a:r b:r m0:i m1:i m2:i m3:i",
    X,
    "byte shuffle of a ++ b; lanes packed in m",
  ],
  ["simd_un", "d:r sub:x a:r", X, "v128 unary lane op sub"],
  ["simd_bin", "d:r sub:x a:r b:r", X, "v128 binary lane op sub"],
  ["simd_shift", "d:r sub:x a:r b:r", X, "v128 shift op sub by i32 b"],
  ["simd_test", "d:r sub:x a:r", X, "i32 d = any_true/all_true/bitmask sub of a"],
  ["simd_splat", "d:r sub:x a:r", X, "v128 d = splat sub of scalar a"],
  ["simd_extract", "d:r sub:x a:r lane:i", X, "scalar d = extract_lane sub of a"],
  ["simd_replace", "d:r sub:x a:r b:r lane:i", X, "v128 d = a with lane replaced by scalar b"],
  ["simd_load", "d:r sub:x a:r offset:x", X, "v128 load sub (plain, extending, splat, zero)"],
  ["simd_load_lane", "d:r sub:x a:r v:r offset:x lane:i", X, "d = v with one lane loaded"],
  ["simd_store", "sub:x a:r v:r offset:x lane:i", X, "v128.store (sub 11) or a lane store"],
  // simd (session 2): the most common SIMD forms as ops of their own (no `sub` to switch on)
  ["simd_load128", "d:r a:r offset:x", X, "v128 d = v128.load at u32(a) + offset"],
  ["simd_store128", "a:r v:r offset:x", X, "v128.store of v at u32(a) + offset"],
  ["v128_and", "d:r a:r b:r", X, "v128 d = a & b"],
  ["v128_or", "d:r a:r b:r", X, "v128 d = a | b"],
  ["v128_xor", "d:r a:r b:r", X, "v128 d = a ^ b"],
  ["i32x4_add", "d:r a:r b:r", X, "v128 d = i32x4.add a b"],
  ["i32x4_sub", "d:r a:r b:r", X, "v128 d = i32x4.sub a b"],
  ["i32x4_mul", "d:r a:r b:r", X, "v128 d = i32x4.mul a b"],
  ["f32x4_add", "d:r a:r b:r", X, "v128 d = f32x4.add a b (NaN lanes quiet)"],
  ["f32x4_sub", "d:r a:r b:r", X, "v128 d = f32x4.sub a b (NaN lanes quiet)"],
  ["f32x4_mul", "d:r a:r b:r", X, "v128 d = f32x4.mul a b (NaN lanes quiet)"],
  ["f64x2_add", "d:r a:r b:r", X, "v128 d = f64x2.add a b (NaN lanes quiet)"],
  ["f64x2_sub", "d:r a:r b:r", X, "v128 d = f64x2.sub a b (NaN lanes quiet)"],
  ["f64x2_mul", "d:r a:r b:r", X, "v128 d = f64x2.mul a b (NaN lanes quiet)"],
  ["i32x4_trunc_sat_f32x4_s", "d:r a:r", X, "v128 d = i32x4.trunc_sat_f32x4_s a"],
  [
    "i8x16_shuffle1",
    "d:r a:r m0:i m1:i m2:i m3:i",
    X,
    "byte shuffle of a alone (lanes packed in m, each below 16)",
  ],
  // fused i64 ops (after the SIMD rows so no existing opcode moves)
  ["i64_mul_k_add", "d:r a:r c:r lo:i hi:i", M, "i64 d = a * (hi:lo) + c (wrapping)"],
  [
    "i64_rotl_mul_k",
    "d:r t:r a:r n:i lo:i hi:i",
    M,
    "i64 t = rotl(a, n) (n in 0..63), then d = t * (hi:lo)",
  ],
  ["br_inc_ne_i", "a:r inc:i b:i off:o", M, "a += inc (i32); branch if a != b"],
  ["br_inc_lt_u_i", "a:r inc:i b:i off:o", M, "a += inc (i32); branch if a < b unsigned"],
  ["br_inc_lt_s_i", "a:r inc:i b:i off:o", M, "a += inc (i32); branch if a < b signed"],
  [
    "load64_mul_k_add",
    "d:r a:r k:i offset:x c:r lo:i hi:i",
    M,
    "i64 d = load64(u32(a + k) + offset) * (hi:lo) + c (wrapping)",
  ],
  // super-instructions (session 2)
  [
    "i32_sbit_and_i",
    "d:r a:r s:i k:i",
    M,
    "d = ((a << s) >> 31) & k: bit 31 - s of a as all ones or zero, masked by k",
  ],
  [
    "store64_madd",
    "c:r k:i offset:x a:r b:r",
    M,
    "f64 at u32(c + k) + offset += a * b (product rounded, then the sum, as wasm)",
  ],
  [
    "store64_msub",
    "c:r k:i offset:x a:r b:r",
    M,
    "f64 at u32(c + k) + offset -= a * b (product rounded, then the difference)",
  ],
  [
    "store64_madd_m",
    "c:r k:i offset:x a:r b:r kb:i offb:x",
    M,
    "f64 at u32(c + k) + offset += a * (f64 at u32(b + kb) + offb), checking b's address first",
  ],
  ["i32_shr_u_and_i", "d:r a:r s:i m:i", M, "d = (a >>> s) & m (a bit-field extract)"],
  ["i32_xor_shr_u_i", "d:r a:r b:r s:i", M, "d = a ^ (b >>> s) (an xor-shift step)"],
  ["i32_mul_add_i", "d:r a:r k:i c:i", M, "d = a * k + c (i32, wrapping; an LCG step)"],
  ["br_inc_lt_u_r", "a:r inc:i b:r off:o", M, "a += inc (i32); branch if a < b unsigned"],
  [
    "load64_f64_sub",
    "d:r a:r k:i offset:x b:r",
    M,
    "f64 d = b - (f64 at u32(a + k) + offset): a load, then a subtraction from it",
  ],
  ["br_inc_gt_u_i", "a:r inc:i b:i off:o", M, "a += inc (i32); branch if a > b unsigned"],
  [
    "call_add_i",
    "target:f base:r d:r a:r v:i",
    M,
    "d = a + v (i32, the last argument), then call as `call` does",
  ],
  // super-instructions (session 3)
  [
    "load64_mul_k_add_rotl_mul_k",
    "d:r t:r a:r k:i offset:x c:r n:i lo:i hi:i lo2:i hi2:i",
    M,
    "i64 t = rotl(load64(u32(a + k) + offset) * (hi:lo) + c, n) (n in 0..63), then " +
    "d = t * (hi2:lo2): load64_mul_k_add then i64_rotl_mul_k (a multiply-rotate hash round)",
  ],
  [
    "br_add_le_u",
    "a:r b:r c:r off:o",
    M,
    "a += b (i32); branch if a <= c unsigned (a strided loop)",
  ],
  [
    "br_inc2_ne_i",
    "a:r inc:i b:i off:o p:r pinc:i",
    M,
    "p += pinc, a += inc (i32); branch if a != b (a loop closer with a second induction variable)",
  ],
  [
    "br_inc2_lt_u_i",
    "a:r inc:i b:i off:o p:r pinc:i",
    M,
    "p += pinc, a += inc (i32); branch if a < b unsigned (as br_inc2_ne_i)",
  ],
];

/** Every op, in opcode order. */
export const BYTECODE_OPS: readonly BytecodeOpInfo[] = Object.freeze(
  TABLE.map(([name, operands, ext, doc], code) =>
    Object.freeze({
      name,
      code,
      ext,
      doc,
      operands: Object.freeze(
        operands === "" ? [] : operands.split(" ").map((spec) => {
          const [n, kind] = spec.split(":");
          return Object.freeze({ name: n, kind: kind as OperandKind });
        }),
      ),
    })
  ),
);

const BY_NAME: ReadonlyMap<string, BytecodeOpInfo> = new Map(
  BYTECODE_OPS.map((op) => [op.name, op]),
);

/**
 * An op's description by name.
 *
 * @param name an op name, e.g. `"i32_add"`
 * @returns its description, or undefined
 * @example
 * ```ts
 * import { bytecodeOpByName } from "./ops.ts";
 * if (bytecodeOpByName("i32_add")?.operands.length !== 3) throw new Error();
 * ```
 */
export function bytecodeOpByName(name: string): BytecodeOpInfo | undefined {
  return BY_NAME.get(name);
}

/**
 * The number of words an instruction occupies, given its first word's address.
 *
 * @param code the code array
 * @param pc the address of the opcode word
 * @returns the instruction's length in words
 */
export function instructionLength(code: Int32Array, pc: number): number {
  const op = BYTECODE_OPS[code[pc]];
  if (op === undefined) throw new RangeError(`bad opcode ${code[pc]} at ${pc}`);
  let len = 1;
  for (const o of op.operands) len += o.kind === "t" ? 1 + code[pc + len] : 1;
  return len;
}
