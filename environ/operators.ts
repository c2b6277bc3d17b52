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
 * | `label`, `func`, `type`, `local`, `global`, `table`, `data`, `elem` | `index` |
 * | `br_table` | `targets[0 .. targetCount)` and the default label in `index` |
 * | `call_indirect` | `index` = type index, `index2` = table index |
 * | `memarg` | `memAlign` (log2 of the alignment), `memIndex`, `memOffset`, `memOffsetHi` |
 * | `memarg_lane` | `memAlign`, `memIndex`, `memOffset`, `memOffsetHi`, `lane` |
 * | `lane` | `lane` |
 * | `memory` | `index` = memory index |
 * | `memory_init` | `index` = data index, `index2` = memory index |
 * | `memory_copy` | `index` = destination memory, `index2` = source memory |
 * | `table_init` | `index` = elem index, `index2` = table index |
 * | `table_copy` | `index` = destination table, `index2` = source table |
 * | `i32` | `i32` |
 * | `i64` | `lo`, `hi` (int32 halves; {@link OperatorReader.i64} gives a bigint) |
 * | `f32` | `f32Bits` (the raw bits as an int32) |
 * | `f64` | `lo`, `hi` (raw bits as int32 halves) |
 * | `v128`, `shuffle` | `v128` (16 bytes, overwritten by the next such op) |
 * | `reftype` | `refType` (a heap type read as the nullable reference type to it) |
 * | `tag` | `index` |
 * | `try_table` | `blockType` (and `index`), `catchKinds`, `catchTags`, `catchLabels`, `catchCount` |
 * | `cont_bind`, `switch` | `index`, `index2` (type and type, or type and tag) |
 * | `resume` | `index` = type index; handlers in `catchKinds` (`ON_LABEL`/`ON_SWITCH`), `catchTags`, `catchLabels`, `catchCount` |
 * | `resume_throw` | `index` = type index, `index2` = tag index; handlers as for `resume` |
 * | `select_t` | `selectCount`, `selectType` (the first type) |
 * | `zero_byte` | none (the byte must be 0) |
 * | `type_field`, `type_count`, `type_data`, `type_elem`, `type_type` | `index`, `index2` |
 * | `heaptype` | `refType` (nullable for `ref.test_null` / `ref.cast_null`) |
 * | `br_on_cast` | `index` = label, `refType` = operand type, `refType2` = target type |
 *
 * Invariants:
 * - `read` either decodes one whole instruction or throws
 *   {@link CompileError} ("illegal opcode ff", "zero byte expected",
 *   "malformed reference type", LEB128 errors, "unexpected end ...").
 * - It checks syntax only; validation is `validator.ts`'s job.
 *
 * @module
 */

import { fail } from "./errors.ts";
import { type Immediate, OPS } from "./opcodes.ts";
import { BinaryReader } from "./reader.ts";
import { HeapType, isRefType, isValType, refType, typeIndexRef, type ValType } from "./types.ts";
import { MAX_TYPE_INDEX } from "./limits.ts";

/** A `try_table` catch clause: `catch x l` (the tag's values to label l). */
export const CATCH = 0;
/** `catch_ref x l`: the tag's values and the exception's reference. */
export const CATCH_REF = 1;
/** `catch_all l`: no values. */
export const CATCH_ALL = 2;
/** `catch_all_ref l`: the exception's reference. */
export const CATCH_ALL_REF = 3;

/** A `resume` handler clause `(on $tag $label)`: suspensions to the label. */
export const ON_LABEL = 0;
/** A `resume` handler clause `(on $tag switch)`: the tag's `switch`es. */
export const ON_SWITCH = 1;

/** `blockType` of a block with no parameters and no results (`0x40`). */
export const BLOCK_EMPTY: number = 0x40;
/** `blockType` of a block typed by a type index (found in `index`). */
export const BLOCK_TYPE_INDEX: number = -1;

/**
 * How `read` decodes each immediate kind. The numbers are written as
 * literals in `read`'s switch (V8 turns a switch over small literal cases
 * into a jump table); this table is the key to them.
 */
const SHAPE: Record<Immediate, number> = {
  none: 0,
  label: 1, // one u32 index
  func: 1,
  type: 1,
  tag: 1,
  local: 1,
  global: 1,
  table: 1,
  data: 1,
  elem: 1,
  i32: 2, // s32
  memarg: 3, // flags u32 (align, bit 6: a memory index follows), [memidx u32], offset u64
  blocktype: 4,
  br_table: 5,
  call_indirect: 6, // two u32 indices
  table_init: 6,
  table_copy: 6,
  memory: 7, // one memory index
  i64: 8, // s64
  f32: 9, // 4 raw bytes
  f64: 10, // 8 raw bytes
  v128: 11, // 16 raw bytes
  shuffle: 11,
  lane: 12, // one lane byte
  memarg_lane: 13, // memarg then lane byte
  reftype: 14,
  select_t: 15,
  memory_init: 16, // u32 data index, memory index
  memory_copy: 17, // two memory indices
  zero_byte: 20, // one reserved 0x00 byte
  try_table: 21, // blocktype, then vec(catch clause)
  type_field: 6, // two u32 indices
  type_count: 6,
  type_data: 6,
  type_elem: 6,
  type_type: 6,
  heaptype: 22, // a heap type, nullable for the odd sub-opcodes
  br_on_cast: 23, // flags, label, two heap types
  cont_bind: 6,
  switch: 6,
  resume: 24, // typeidx, then vec(handler clause)
  resume_throw: 25, // typeidx tagidx, then vec(handler clause)
};
/** Shape of the 0xFB, 0xFC, 0xFD and 0xFE prefix bytes in the byte table. */
const SHAPE_PREFIX = 18;
/** Shape of bytes and sub-opcodes that are no instruction. */
const SHAPE_ILLEGAL = 19;

/** Shape by opcode byte / sub-opcode. */
const SHAPE_BASE = new Uint8Array(256).fill(SHAPE_ILLEGAL);
const SHAPE_FC = new Uint8Array(256).fill(SHAPE_ILLEGAL);
const SHAPE_FD = new Uint8Array(512).fill(SHAPE_ILLEGAL);
const SHAPE_FE = new Uint8Array(256).fill(SHAPE_ILLEGAL);
const SHAPE_FB = new Uint8Array(256).fill(SHAPE_ILLEGAL);
const SHAPE_BY_PREFIX = {
  0: SHAPE_BASE,
  0xfb: SHAPE_FB,
  0xfc: SHAPE_FC,
  0xfd: SHAPE_FD,
  0xfe: SHAPE_FE,
};
for (const op of OPS) SHAPE_BY_PREFIX[op.prefix][op.code] = SHAPE[op.imm];
SHAPE_BASE[0xfb] = SHAPE_PREFIX;
SHAPE_BASE[0xfc] = SHAPE_PREFIX;
SHAPE_BASE[0xfd] = SHAPE_PREFIX;
SHAPE_BASE[0xfe] = SHAPE_PREFIX;

/**
 * 1 for each opcode byte that is a whole instruction by itself (no prefix, no
 * immediates), else 0. Hot loops may consume such a byte themselves, setting
 * `pos`, `offset` and `key` as {@link OperatorReader.read} would, and call
 * `read` only for the rest.
 */
export const SIMPLE_OPS: Uint8Array = new Uint8Array(256);
for (let b = 0; b < 256; b++) SIMPLE_OPS[b] = SHAPE_BASE[b] === 0 ? 1 : 0;

/**
 * Decodes instructions from `bytes[pos..end)`, one per {@link read} call.
 *
 * @example
 * ```ts
 * import { Op, OperatorReader } from "@capstan/environ";
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
  /** Memory access: the memory's index. */
  memIndex = 0;
  /** Memory access: the constant offset's low 32 bits (0 ..= 2^32-1). */
  memOffset = 0;
  /** Memory access: the constant offset's high 32 bits (0 ..= 2^32-1). */
  memOffsetHi = 0;
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
  blockType: number = BLOCK_EMPTY;
  /** `ref.null` type. */
  refType = 0;
  /** Typed `select`: how many types were listed (valid modules have 1). */
  selectCount = 0;
  /** Typed `select`: the first listed type. */
  selectType = 0;
  /** `try_table`: the kind of each catch clause ({@link CATCH} .. {@link CATCH_ALL_REF}). */
  catchKinds: Uint8Array = new Uint8Array(4);
  /** `try_table`: each catch clause's tag index (0 for the catch_all kinds). */
  catchTags: Uint32Array = new Uint32Array(4);
  /** `try_table`: each catch clause's label. */
  catchLabels: Uint32Array = new Uint32Array(4);
  /** `try_table`: how many catch clauses the last one had. */
  catchCount = 0;
  /**
   * The heap-type code of each type index's kind (`func`, `struct`,
   * `array`), once the type section is known: a concrete reference type read
   * carries it in its low byte (see `types.ts`). Indices beyond it read as
   * `func`.
   */
  typeKinds: Uint8Array = new Uint8Array(0);
  /** `ref.test`/`ref.cast`/`br_on_cast`: the (target) reference type. */
  refType2 = 0;

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
    const bytes = this.bytes;
    const end = this.end;
    let p = this.pos;
    this.offset = p;
    if (p >= end) this.eof();
    const b = bytes[p++];
    let key = b;
    let shape = SHAPE_BASE[b];
    if (shape === 0) {
      // The common case: an op without immediates.
      this.pos = p;
      this.key = b;
      return b;
    }
    if (shape === SHAPE_PREFIX) {
      this.pos = p;
      const code = this.u32();
      p = this.pos;
      shape = b === 0xfc
        ? (code < 256 ? SHAPE_FC[code] : SHAPE_ILLEGAL)
        : b === 0xfd
        ? (code < 512 ? SHAPE_FD[code] : SHAPE_ILLEGAL)
        : b === 0xfe
        ? (code < 256 ? SHAPE_FE[code] : SHAPE_ILLEGAL)
        : (code < 256 ? SHAPE_FB[code] : SHAPE_ILLEGAL);
      key = (b << 16) | code;
    }
    this.key = key;
    switch (shape) {
      case 0:
        this.pos = p;
        break;
      case 1: {
        const x = bytes[p];
        if (p < end && x < 0x80) {
          this.index = x;
          this.pos = p + 1;
        } else {
          this.pos = p;
          this.index = this.u32();
        }
        break;
      }
      case 2: {
        const x = bytes[p];
        if (p < end && x < 0x80) {
          this.i32 = (x << 25) >> 25;
          this.pos = p + 1;
        } else {
          this.pos = p;
          this.i32 = this.s32();
        }
        break;
      }
      case 3: {
        const a = bytes[p];
        const o = bytes[p + 1];
        if (p + 1 < end && a < 0x40 && o < 0x80) {
          this.memAlign = a;
          this.memIndex = 0;
          this.memOffset = o;
          this.memOffsetHi = 0;
          this.pos = p + 2;
        } else {
          this.pos = p;
          this.readMemarg();
        }
        break;
      }
      case 4:
        this.pos = p;
        this.readBlockType();
        break;
      case 5:
        this.pos = p;
        this.readBrTable();
        break;
      case 6:
        this.pos = p;
        this.index = this.u32();
        this.index2 = this.u32();
        break;
      case 7:
        this.pos = p;
        this.index = this.u32();
        break;
      case 8:
        this.pos = p;
        this.s64Halves();
        break;
      case 9:
        this.pos = p;
        this.f32Bits = this.fixed32();
        break;
      case 10:
        this.pos = p;
        this.fixed64();
        break;
      case 11:
        this.pos = p;
        this.readV128();
        break;
      case 12:
        this.pos = p;
        this.lane = this.u8();
        break;
      case 13:
        this.pos = p;
        this.readMemarg();
        this.lane = this.u8();
        break;
      case 14:
        this.pos = p;
        this.refType = this.readHeapType(true);
        break;
      case 15:
        this.pos = p;
        this.readSelectTypes();
        break;
      case 16:
        this.pos = p;
        this.index = this.u32();
        this.index2 = this.u32();
        break;
      case 17:
        this.pos = p;
        this.index = this.u32();
        this.index2 = this.u32();
        break;
      case 20:
        this.pos = p;
        if (this.u8() !== 0) fail("zero byte expected", p);
        break;
      case 21:
        this.pos = p;
        this.readBlockType();
        this.readClauses(false);
        break;
      case 22:
        this.pos = p;
        this.refType = this.readHeapType((key & 1) === 1);
        break;
      case 23: {
        this.pos = p;
        const at = this.pos;
        const flags = this.u8();
        if (flags > 3) fail("malformed cast flags", at);
        this.index = this.u32();
        this.refType = this.readHeapType((flags & 1) === 1);
        this.refType2 = this.readHeapType((flags & 2) === 2);
        break;
      }
      case 24:
        this.pos = p;
        this.index = this.u32();
        this.readClauses(true);
        break;
      case 25:
        this.pos = p;
        this.index = this.u32();
        this.index2 = this.u32();
        this.readClauses(true);
        break;
      default:
        fail(illegalOpcode(key), this.offset);
    }
    return key;
  }

  /**
   * Reads a memarg: flags (the alignment's log2, bit 6 saying a memory index
   * follows), the memory index, and a u64 offset.
   */
  private readMemarg(): void {
    const at = this.pos;
    const flags = this.u32();
    if (flags >= 0x80) fail("malformed memop flags", at);
    this.memAlign = flags & 0x3f;
    this.memIndex = flags & 0x40 ? this.u32() : 0;
    this.u64Halves();
    this.memOffset = this.lo >>> 0;
    this.memOffsetHi = this.hi >>> 0;
  }

  /** Reads a block type into `blockType` (and `index`). */
  private readBlockType(): void {
    if (this.pos >= this.end) this.eof();
    const b = this.bytes[this.pos];
    if (b === BLOCK_EMPTY) {
      this.pos++;
      this.blockType = BLOCK_EMPTY;
    } else if ((b & 0xc0) === 0x40) {
      // A one-byte negative number: a value type.
      this.blockType = this.readValType();
    } else {
      const at = this.pos;
      const idx = this.s33();
      if (idx < 0) fail("malformed value type", at);
      this.blockType = BLOCK_TYPE_INDEX;
      this.index = idx;
    }
  }

  /**
   * Reads the clauses of a `try_table` (catch clauses) or of a `resume`,
   * `resume_throw` or `resume_throw_ref` (handler clauses: {@link ON_LABEL}
   * or {@link ON_SWITCH}) into `catchKinds`, `catchTags`, `catchLabels` and
   * `catchCount`.
   *
   * @param handlers true for handler clauses
   */
  private readClauses(handlers: boolean): void {
    const n = this.count();
    if (n > this.end - this.pos) this.eof();
    this.growCatches(n);
    for (let i = 0; i < n; i++) {
      const at = this.pos;
      const kind = this.u8();
      if (kind > (handlers ? ON_SWITCH : CATCH_ALL_REF)) {
        fail(handlers ? "malformed handler clause" : "malformed catch clause", at);
      }
      this.catchKinds[i] = kind;
      const tagged = handlers || kind <= CATCH_REF;
      this.catchTags[i] = tagged ? this.u32() : 0;
      this.catchLabels[i] = handlers && kind === ON_SWITCH ? 0 : this.u32();
    }
    this.catchCount = n;
  }

  /** Makes the clause arrays hold at least `n` clauses. */
  private growCatches(n: number): void {
    if (n > this.catchKinds.length) {
      const size = Math.max(n, this.catchKinds.length * 2);
      this.catchKinds = new Uint8Array(size);
      this.catchTags = new Uint32Array(size);
      this.catchLabels = new Uint32Array(size);
    }
  }

  /** Reads br_table labels into `targets`, `targetCount` and `index`. */
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

  /** Reads 16 raw bytes into `v128`. */
  private readV128(): void {
    const p = this.pos;
    if (p + 16 > this.end) this.eof();
    this.v128.set(this.bytes.subarray(p, p + 16));
    this.pos = p + 16;
  }

  /** Reads typed select's type vector. */
  private readSelectTypes(): void {
    const n = this.count();
    this.selectCount = n;
    for (let i = 0; i < n; i++) {
      const t = this.readValType();
      if (i === 0) this.selectType = t;
    }
  }

  /**
   * Reads a value type: a number type, `v128`, a one-byte reference type, or
   * `(ref null? ht)` (0x63/0x64 and a heap type). A type index in it is not
   * checked against the module (validation does that).
   *
   * @returns the value type
   */
  readValType(): ValType {
    const at = this.pos;
    const b = this.u8();
    if (b === 0x63 || b === 0x64) return this.readHeapType(b === 0x63);
    if (!isValType(b)) {
      fail(b & 0x80 ? "integer representation too long" : "malformed value type", at);
    }
    return b;
  }

  /**
   * Reads a reference type as the element type of a table or segment: a
   * value type that must be a reference.
   *
   * @returns the reference type
   */
  readRefType(): ValType {
    const at = this.pos;
    const t = this.readValType();
    if (!isRefType(t)) fail("malformed reference type", at);
    return t;
  }

  /**
   * Reads a heap type (an abstract one's code, or a type index as an s33)
   * and returns the reference type to it.
   *
   * @param nullable whether the reference type includes null
   * @returns the reference type
   */
  readHeapType(nullable: boolean): ValType {
    const at = this.pos;
    if (at >= this.end) this.eof();
    const b = this.bytes[at];
    if ((b & 0xc0) === 0x40) {
      this.pos = at + 1;
      if (b === 0x63 || b === 0x64 || b < 0x68 || b > 0x75 || !isValType(b)) {
        fail("malformed reference type", at);
      }
      return refType(b, nullable);
    }
    const index = this.s33();
    if (index < 0) fail("malformed reference type", at);
    if (index >= MAX_TYPE_INDEX) fail(`unknown type ${index}`, at);
    return typeIndexRef(index, nullable, this.typeKinds[index] ?? HeapType.func);
  }
}

/**
 * The reference decoder's words for an opcode that does not exist: `illegal
 * opcode ff`, or with a prefix, `illegal opcode fc 123` (sub-opcode in decimal).
 *
 * @param key the opcode byte, or the prefix in bits 16 and up with the sub-opcode below
 * @returns the reason
 */
function illegalOpcode(key: number): string {
  const hex = (b: number) => b.toString(16).padStart(2, "0");
  return key < 0x100
    ? `illegal opcode ${hex(key)}`
    : `illegal opcode ${hex(key >>> 16)} ${key & 0xffff}`;
}
