/**
 * {@link OperatorReader}: decodes the instructions of a function body or a
 * constant expression one at a time, without allocating per instruction.
 *
 * After each {@link OperatorReader.read} the reader's public fields describe
 * the instruction just read: its key (see `opKey` in `opcodes.ts`), its offset,
 * and its immediates. Fields that the instruction has no use for keep stale
 * values from earlier instructions; read only the ones its immediate kind
 * names.
 *
 * | immediate kind (`OpInfo.imm`) | fields set |
 * | --- | --- |
 * | `blocktype` | `blockType` (`BLOCK_EMPTY`, a value type, or `BLOCK_TYPE_INDEX` with the type in `index`) |
 * | `label`, `func`, `local`, `global`, `table`, `data`, `elem` | `index` |
 * | `br_table` | `targets[0 .. targetCount)` and the default label in `index` |
 * | `call_indirect` | `index` = type index, `index2` = table index |
 * | `memarg` | `memAlign` (log2 of the alignment), `memOffset` |
 * | `memarg_lane` | `memAlign`, `memOffset`, `lane` |
 * | `lane` | `lane` |
 * | `memory` | `index` (always 0: the reserved byte must be zero) |
 * | `memory_init` | `index` = data index, `index2` = memory (0) |
 * | `memory_copy` | `index` = `index2` = 0 |
 * | `table_init` | `index` = elem index, `index2` = table index |
 * | `table_copy` | `index` = destination table, `index2` = source table |
 * | `i32` | `i32` |
 * | `i64` | `lo`, `hi` (int32 halves; {@link OperatorReader.i64} gives a bigint) |
 * | `f32` | `f32Bits` (the raw bits as an int32) |
 * | `f64` | `lo`, `hi` (raw bits as int32 halves) |
 * | `v128`, `shuffle` | `v128` (16 bytes, overwritten by the next such op) |
 * | `reftype` | `refType` |
 * | `select_t` | `selectCount`, `selectType` (the first type) |
 *
 * Invariants:
 * - `read` either decodes one whole instruction or throws
 *   {@link CompileError} ("illegal opcode", "zero byte expected",
 *   "malformed reference type", LEB128 errors, "unexpected end ...").
 * - It checks syntax only; validation is `validator.ts`'s job.
 *
 * @module
 */

import { fail } from "./errors.ts";
import { type Immediate, OPS } from "./opcodes.ts";
import { BinaryReader } from "./reader.ts";
import { isValType } from "./types.ts";

/** `blockType` of a block with no parameters and no results (`0x40`). */
export const BLOCK_EMPTY = 0x40;
/** `blockType` of a block typed by a type index (found in `index`). */
export const BLOCK_TYPE_INDEX = -1;

/** Immediate kinds as small integers, for the decoder's switch. */
const enum K {
  none,
  blocktype,
  label,
  br_table,
  func,
  call_indirect,
  local,
  global,
  table,
  memarg,
  memory,
  i32,
  i64,
  f32,
  f64,
  v128,
  shuffle,
  lane,
  memarg_lane,
  reftype,
  select_t,
  data,
  elem,
  memory_init,
  memory_copy,
  table_init,
  table_copy,
  illegal,
}

const KIND_OF: Record<Immediate, K> = {
  none: K.none,
  blocktype: K.blocktype,
  label: K.label,
  br_table: K.br_table,
  func: K.func,
  call_indirect: K.call_indirect,
  local: K.local,
  global: K.global,
  table: K.table,
  memarg: K.memarg,
  memory: K.memory,
  i32: K.i32,
  i64: K.i64,
  f32: K.f32,
  f64: K.f64,
  v128: K.v128,
  shuffle: K.shuffle,
  lane: K.lane,
  memarg_lane: K.memarg_lane,
  reftype: K.reftype,
  select_t: K.select_t,
  data: K.data,
  elem: K.elem,
  memory_init: K.memory_init,
  memory_copy: K.memory_copy,
  table_init: K.table_init,
  table_copy: K.table_copy,
};

/** Immediate kind by opcode byte / sub-opcode, `K.illegal` where no op exists. */
const IMM_BASE = new Uint8Array(256).fill(K.illegal);
const IMM_FC = new Uint8Array(256).fill(K.illegal);
const IMM_FD = new Uint8Array(256).fill(K.illegal);
for (const op of OPS) {
  const table = op.prefix === 0 ? IMM_BASE : op.prefix === 0xfc ? IMM_FC : IMM_FD;
  table[op.code] = KIND_OF[op.imm];
}

/**
 * Decodes instructions from `bytes[pos..end)`, one per {@link read} call.
 *
 * @example
 * ```ts
 * import { OperatorReader } from "./operators.ts";
 * import { Op } from "./opcodes.ts";
 * // i32.const 42; end
 * const r = new OperatorReader(new Uint8Array([0x41, 0x2a, 0x0b]));
 * if (r.read() !== Op.i32_const || r.i32 !== 42) throw new Error();
 * if (r.read() !== Op.end || !r.atEnd()) throw new Error();
 * ```
 */
export class OperatorReader extends BinaryReader {
  /** Key of the last instruction read (`opKey(prefix, code)`). */
  key = 0;
  /** Offset of the first byte of the last instruction. */
  offset = 0;
  /** First index immediate (see the module doc for which ops set it). */
  index = 0;
  /** Second index immediate. */
  index2 = 0;
  /** Memory access: log2 of the declared alignment. */
  memAlign = 0;
  /** Memory access: the constant offset (0 ..= 2^32-1). */
  memOffset = 0;
  /** SIMD lane index. */
  lane = 0;
  /** `i32.const` value. */
  i32 = 0;
  /** `f32.const` raw bits, as an int32. */
  f32Bits = 0;
  /** `v128.const` bytes or `i8x16.shuffle` lane indices; reused. */
  readonly v128: Uint8Array = new Uint8Array(16);
  /** `br_table` labels (without the default); reused, may be longer than `targetCount`. */
  targets: Uint32Array = new Uint32Array(16);
  /** How many of `targets` the last `br_table` set. */
  targetCount = 0;
  /** Block type: {@link BLOCK_EMPTY}, a value type, or {@link BLOCK_TYPE_INDEX}. */
  blockType = BLOCK_EMPTY;
  /** `ref.null` type. */
  refType = 0;
  /** Typed `select`: how many types were listed (valid modules have 1). */
  selectCount = 0;
  /** Typed `select`: the first listed type. */
  selectType = 0;

  /** The last `i64.const` value as a bigint (allocates). */
  get i64(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo >>> 0);
  }

  /** The last `f64.const` raw bits as a bigint (allocates). */
  get f64Bits(): bigint {
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  /**
   * Decodes the next instruction.
   *
   * @returns its key, also left in {@link OperatorReader.key}
   */
  read(): number {
    const start = this.pos;
    this.offset = start;
    if (start >= this.end) this.eof();
    const b = this.bytes[start];
    this.pos = start + 1;
    let key = b;
    let kind: number;
    if (b < 0xfc || b > 0xfd) {
      kind = IMM_BASE[b];
    } else {
      const code = this.u32();
      kind = code < 256 ? (b === 0xfc ? IMM_FC[code] : IMM_FD[code]) : K.illegal;
      key = (b << 16) | code;
    }
    this.key = key;
    switch (kind) {
      case K.none:
        break;
      case K.label:
      case K.func:
      case K.local:
      case K.global:
      case K.table:
      case K.data:
      case K.elem:
        this.index = this.u32();
        break;
      case K.i32:
        this.i32 = this.s32();
        break;
      case K.memarg:
        this.memAlign = this.u32();
        this.memOffset = this.u32();
        break;
      case K.blocktype:
        this.readBlockType();
        break;
      case K.br_table:
        this.readBrTable();
        break;
      case K.call_indirect:
        this.index = this.u32();
        this.index2 = this.u32();
        break;
      case K.memory:
        this.zeroByte();
        this.index = 0;
        break;
      case K.i64:
        this.s64Halves();
        break;
      case K.f32:
        this.f32Bits = this.fixed32();
        break;
      case K.f64:
        this.fixed64();
        break;
      case K.v128:
      case K.shuffle:
        this.readV128();
        break;
      case K.lane:
        this.lane = this.u8();
        break;
      case K.memarg_lane:
        this.memAlign = this.u32();
        this.memOffset = this.u32();
        this.lane = this.u8();
        break;
      case K.reftype: {
        const t = this.u8();
        if (t !== 0x70 && t !== 0x6f) fail("malformed reference type", this.pos - 1);
        this.refType = t;
        break;
      }
      case K.select_t:
        this.readSelectTypes();
        break;
      case K.memory_init:
        this.index = this.u32();
        this.zeroByte();
        this.index2 = 0;
        break;
      case K.memory_copy:
        this.zeroByte();
        this.zeroByte();
        this.index = 0;
        this.index2 = 0;
        break;
      case K.table_init:
      case K.table_copy:
        this.index = this.u32();
        this.index2 = this.u32();
        break;
      default:
        fail("illegal opcode", start);
    }
    return key;
  }

  private zeroByte(): void {
    if (this.u8() !== 0) fail("zero byte expected", this.pos - 1);
  }

  private readBlockType(): void {
    if (this.pos >= this.end) this.eof();
    const b = this.bytes[this.pos];
    if (b === BLOCK_EMPTY) {
      this.pos++;
      this.blockType = BLOCK_EMPTY;
    } else if ((b & 0xc0) === 0x40) {
      // A one-byte negative number: a value type.
      if (!isValType(b)) fail("malformed value type", this.pos);
      this.pos++;
      this.blockType = b;
    } else {
      const at = this.pos;
      const idx = this.s33();
      if (idx < 0) fail("malformed value type", at);
      this.blockType = BLOCK_TYPE_INDEX;
      this.index = idx;
    }
  }

  private readBrTable(): void {
    const n = this.count();
    if (n > this.end - this.pos) this.eof();
    if (n > this.targets.length) {
      this.targets = new Uint32Array(Math.max(n, this.targets.length * 2));
    }
    const targets = this.targets;
    for (let i = 0; i < n; i++) targets[i] = this.u32();
    this.targetCount = n;
    this.index = this.u32();
  }

  private readV128(): void {
    const p = this.pos;
    if (p + 16 > this.end) this.eof();
    this.v128.set(this.bytes.subarray(p, p + 16));
    this.pos = p + 16;
  }

  private readSelectTypes(): void {
    const n = this.count();
    this.selectCount = n;
    for (let i = 0; i < n; i++) {
      const t = this.u8();
      if (!isValType(t)) fail("malformed value type", this.pos - 1);
      if (i === 0) this.selectType = t;
    }
  }
}
