/**
 * Decodes the sections of a WebAssembly 2.0 binary into a
 * {@link DecodedModule}: the module's structure, checked for syntax only
 * (malformed input), with constant expressions parsed but not yet typed and
 * function bodies kept as byte ranges (their locals decoded).
 *
 * Invariants:
 * - Every malformed-binary rule outside function bodies is enforced here:
 *   header, section ids, order and sizes, LEB128 forms, names, vector
 *   lengths, element and data segment encodings (all flag values), function
 *   and code counts, data count consistency. {@link checkBodySyntax} checks
 *   a body's instructions for syntax alone (the validator does it on the way).
 * - Faults are reported as the spec's reference decoder finds them. It reads
 *   one continuous byte stream, so a section's items may run past the
 *   section's declared end, which is checked only after them ("section size
 *   mismatch"); lengths are checked against the rest of the module. The fast
 *   path reads each section bounded by its end; when that fails, the section
 *   is read again in the reference's way, so the common path pays nothing.
 * - Limits are read by their flag byte: a maximum, 64-bit addresses (u64
 *   bounds; memories and tables) and a page size (memories); any other bit
 *   is "malformed limits flags".
 * - Nothing here checks indices or types; `validator.ts` does, so that
 *   malformed input is reported before invalid input as in the spec. The one
 *   limit checked here is `MAX_LOCALS` (the JS API's 50000) per function ("too many
 *   locals"), so a hostile declaration cannot allocate without bound.
 *
 * @module
 */

import { CompileError, fail } from "./errors.ts";
import { MAX_LOCALS, MAX_STRUCT_FIELDS } from "./limits.ts";
import { decodeNameSection, EMPTY_NAMES } from "./names.ts";
import { OperatorReader } from "./operators.ts";
import { Op, opByKey } from "./opcodes.ts";
import type {
  ConstArith,
  ConstExpr,
  ConstGc,
  ConstInstr,
  CustomSection,
  ElementMode,
  Export,
  ExternKind,
  FieldType,
  FunctionBody,
  FuncType,
  GlobalType,
  Import,
  Limits,
  MemoryType,
  NameSection,
  RefType,
  TableType,
} from "./types.ts";
import { HeapType, kindCode, PackedType, refType, ValType } from "./types.ts";
import { withKind } from "./_subtyping.ts";

/**
 * A constant expression as decoded: its constant instructions, or the reason
 * it is not made of them only (checked by validation, so that decoding only
 * rejects malformed bytes).
 */
export interface ParsedConst {
  /** The expression, when every instruction is one a constant expression may hold. */
  readonly expr: ConstExpr | undefined;
  /** Why it is invalid, when `expr` is undefined. */
  readonly invalid: string | undefined;
  /** Offset of the expression's first byte. */
  readonly offset: number;
}

/** A decoded element segment, its expressions not yet validated. */
export interface DecodedElement {
  /** The reference type of the items. */
  readonly type: RefType;
  /** The mode; for active segments see `table` and `offset`. */
  readonly kind: ElementMode["kind"];
  /** Active segments: the table index. */
  readonly table: number;
  /** Active segments: the offset expression. */
  readonly offset: ParsedConst | undefined;
  /** The items (encodings 0-3 give `ref.func` expressions). */
  readonly items: readonly ParsedConst[];
  /** Offset of the segment's first byte. */
  readonly at: number;
}

/** The decoded data section, as parallel arrays, its expressions not yet validated. */
export interface DecodedDatas {
  /** How many segments there are. */
  readonly count: number;
  /** Each segment's memory index; -1 for a passive segment. */
  readonly memory: Int32Array;
  /** Offset of each segment's bytes in the module bytes. */
  readonly start: Uint32Array;
  /** How many bytes each segment has. */
  readonly length: Uint32Array;
  /** Offset of each segment's first byte. */
  readonly at: Uint32Array;
  /**
   * An active segment's offset when its flags are the one byte 0 and its
   * expression is exactly `i32.const N end` (what almost every toolchain
   * writes: read without building an expression; it starts at `at + 1`),
   * else 0 with the expression in {@link exprs}.
   */
  readonly i32Offset: Int32Array;
  /** Every other active segment's offset expression, by segment index. */
  readonly exprs: Map<number, ParsedConst>;
}

/** An export with the offset it was found at. */
export interface DecodedExport extends Export {
  /** Offset of the export's first byte. */
  readonly at: number;
}

/** An import with the offset it was found at. */
export type DecodedImport = Import & { readonly at: number };

/** The structure of a module, decoded but not validated. */
export interface DecodedModule {
  /** The module bytes. */
  bytes: Uint8Array;
  /** Whether memory limits may carry a page size (the custom-page-sizes proposal). */
  readonly customPageSizes: boolean;
  /** Type section. */
  types: FuncType[];
  /** Import section. */
  imports: DecodedImport[];
  /** Type index of each defined function (the function section). */
  funcDecls: number[];
  /** Offset of each function section entry. */
  funcDeclAt: number[];
  /** Defined tables. */
  tables: TableType[];
  /** Offset of each defined table. */
  tableAt: number[];
  /** Each defined table's initialiser expression, when the section gives one. */
  tableInits: (ParsedConst | undefined)[];
  /** Defined memories. */
  memories: MemoryType[];
  /** Offset of each defined memory. */
  memoryAt: number[];
  /** Defined globals' types. */
  globals: GlobalType[];
  /** Defined tags' type indices. */
  tags: number[];
  /** Offset of each defined tag. */
  tagAt: number[];
  /** Defined globals' initialisers. */
  globalInits: ParsedConst[];
  /** Export section. */
  exports: DecodedExport[];
  /** Start function. */
  start: number | undefined;
  /** Offset of the start section's index. */
  startAt: number;
  /** Element section. */
  elements: DecodedElement[];
  /** Data section. */
  datas: DecodedDatas;
  /** The code section's contents, `[start, end)`, once decoded. */
  codeSection?: [number, number];
  /** Data count section. */
  dataCount: number | undefined;
  /** Code section. */
  /** Code section, as the final {@link FunctionBody} records (validated later). */
  bodies: FunctionBody[];
  /** Custom sections in order. */
  customSections: CustomSection[];
  /** The decoded name section. */
  names: NameSection;
}

/** Rank of each known section id in the required order (custom sections excluded). */
const SECTION_RANK = [0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 12, 13, 11, 6];

const SECTION_CUSTOM = 0;
const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_TABLE = 4;
const SECTION_MEMORY = 5;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_START = 8;
const SECTION_ELEMENT = 9;
const SECTION_CODE = 10;
const SECTION_DATA = 11;
const SECTION_DATA_COUNT = 12;
const SECTION_TAG = 13;

const EXTERN_KINDS: readonly ExternKind[] = ["func", "table", "memory", "global", "tag"];

/**
 * Decodes a module's sections, rejecting malformed input.
 *
 * @param bytes the module
 * @returns its decoded structure
 * @throws {CompileError} if the binary is malformed
 */
export function decodeModule(bytes: Uint8Array, customPageSizes = false): DecodedModule {
  const r = new OperatorReader(bytes, 0, bytes.length);
  if (bytes.length < 4) r.eof();
  if (r.fixed32() !== 0x6d736100) fail("magic header not detected", 0);
  if (bytes.length < 8) r.eof();
  if (r.fixed32() !== 1) fail("unknown binary version", 4);

  const m: DecodedModule = {
    bytes,
    customPageSizes,
    types: [],
    imports: [],
    funcDecls: [],
    funcDeclAt: [],
    tables: [],
    tableAt: [],
    tableInits: [],
    tags: [],
    tagAt: [],
    memories: [],
    memoryAt: [],
    globals: [],
    globalInits: [],
    exports: [],
    start: undefined,
    startAt: 0,
    elements: [],
    datas: NO_DECODED_DATAS,
    dataCount: undefined,
    bodies: [],
    customSections: [],
    names: EMPTY_NAMES,
  };

  try {
    decodeSections(r, m);
  } catch (e) {
    // A fault after the code section: the reference decoder reads function
    // bodies from the continuous stream as it goes, so a malformed body
    // (even one whose instructions run past its declared size) comes first.
    const code = m.codeSection;
    if (e instanceof CompileError && code !== undefined && e.offset >= code[1]) {
      redecodeContinuous(bytes, m, SECTION_CODE, code[0], code[1]);
    }
    throw e;
  }
  return m;
}

/** Decodes the sections after the header (see {@link decodeModule}). */
function decodeSections(r: OperatorReader, m: DecodedModule): void {
  const bytes = r.bytes;
  let lastRank = 0;
  let sawCode = false;
  let sawFunction = false;
  while (r.pos < bytes.length) {
    const idAt = r.pos;
    const id = r.u8();
    if (id > 13) fail("malformed section id", idAt);
    const sizeAt = r.pos;
    const size = r.u32();
    const start = r.pos;
    // The reference decoder measures the size from its own first byte, so a
    // section may claim a few bytes more than the module has: reading then
    // stops at the module's end.
    if (size > bytes.length - sizeAt) fail("length out of bounds", sizeAt);
    const end = start + size;
    if (id !== SECTION_CUSTOM) {
      const rank = SECTION_RANK[id];
      if (rank <= lastRank) fail("unexpected content after last section", idAt);
      lastRank = rank;
    }
    if (id === SECTION_FUNCTION) sawFunction = true;
    if (id === SECTION_CODE) sawCode = true;
    r.end = end < bytes.length ? end : bytes.length;
    r.eofReason = id === SECTION_CUSTOM
      ? "unexpected end"
      : "unexpected end of section or function";
    try {
      decodeSection(r, m, id, end, false);
    } catch (e) {
      // Reading stopped at the section's declared end, or found a fault
      // inside it. The reference decoder reads a section's contents from the
      // continuous byte stream, function bodies included, and checks its size
      // only afterwards, so decode the section again that way: that reports
      // the same fault when the section's own bytes hold it and nothing comes
      // first in stream order, and otherwise what lies beyond its end.
      if (e instanceof CompileError) redecodeContinuous(bytes, m, id, start, end);
      throw e;
    }
    if (r.pos !== end) fail("section size mismatch", r.pos);
    if (id === SECTION_CODE) m.codeSection = [start, end];
    r.end = bytes.length;
    r.eofReason = "unexpected end";
  }
  if ((sawFunction || sawCode) && m.funcDecls.length !== m.bodies.length) {
    fail("function and code section have inconsistent lengths", bytes.length);
  }
  if (m.dataCount !== undefined && m.dataCount !== m.datas.count) {
    fail("data count and data section have inconsistent lengths", bytes.length);
  }
}

/**
 * Decodes the contents of one section from `r.pos`. `end` is the section's
 * declared end; `continuous` says that `r.end` is the module's end rather
 * than the section's, as when {@link redecodeContinuous} re-reads it.
 */
function decodeSection(
  r: OperatorReader,
  m: DecodedModule,
  id: number,
  end: number,
  continuous: boolean,
): void {
  switch (id) {
    case SECTION_CUSTOM:
      decodeCustom(r, m, end, continuous);
      break;
    case SECTION_TYPE:
      decodeTypes(r, m);
      break;
    case SECTION_IMPORT:
      decodeImports(r, m);
      break;
    case SECTION_FUNCTION: {
      const n = r.count();
      for (let i = 0; i < n; i++) {
        m.funcDeclAt.push(r.pos);
        m.funcDecls.push(r.u32());
      }
      break;
    }
    case SECTION_TABLE: {
      const n = r.count();
      for (let i = 0; i < n; i++) {
        m.tableAt.push(r.pos);
        // 0x40 0x00 introduces a table with an initialiser expression.
        if (r.pos < r.end && r.bytes[r.pos] === 0x40) {
          r.pos++;
          const at = r.pos;
          if (r.u8() !== 0) fail("malformed table type", at);
          m.tables.push(readTableType(r));
          m.tableInits.push(readConstExpr(r));
        } else {
          m.tables.push(readTableType(r));
          m.tableInits.push(undefined);
        }
      }
      break;
    }
    case SECTION_MEMORY: {
      const n = r.count();
      for (let i = 0; i < n; i++) {
        m.memoryAt.push(r.pos);
        m.memories.push(readMemoryType(r, m.customPageSizes));
      }
      break;
    }
    case SECTION_TAG: {
      const n = r.count();
      for (let i = 0; i < n; i++) {
        m.tagAt.push(r.pos);
        m.tags.push(readTagType(r));
      }
      break;
    }
    case SECTION_GLOBAL: {
      const n = r.count();
      for (let i = 0; i < n; i++) {
        m.globals.push(readGlobalType(r));
        m.globalInits.push(readConstExpr(r));
      }
      break;
    }
    case SECTION_EXPORT:
      decodeExports(r, m);
      break;
    case SECTION_START:
      m.startAt = r.pos;
      m.start = r.u32();
      break;
    case SECTION_ELEMENT:
      decodeElements(r, m);
      break;
    case SECTION_CODE:
      decodeCode(r, m, continuous);
      break;
    case SECTION_DATA:
      decodeData(r, m);
      break;
    case SECTION_DATA_COUNT:
      m.dataCount = r.u32();
      break;
  }
}

/**
 * Re-decodes the section `bytes[start..end)` (which failed to decode) as the
 * spec's reference decoder does: from the continuous stream, reads allowed up
 * to the module's end, the section size checked only afterwards. Always
 * throws: the fault found that way, or "section size mismatch" when the
 * contents run past `end`. Returns only in the impossible case that the
 * section decodes and ends at `end` (the caller then reports its own error).
 * What it pushes into `m` is garbage, as `m` is abandoned when this throws.
 */
function redecodeContinuous(
  bytes: Uint8Array,
  m: DecodedModule,
  id: number,
  start: number,
  end: number,
): void {
  const r = new OperatorReader(bytes, start, bytes.length);
  r.typeKinds = Uint8Array.from(m.types, kindCode);
  r.eofReason = id === SECTION_CUSTOM ? "unexpected end" : "unexpected end of section or function";
  decodeSection(r, m, id, end, true);
  if (r.pos !== end) fail("section size mismatch", r.pos);
}

/** Reads a value type. */
function readValType(r: OperatorReader): ValType {
  return r.readValType();
}

/** Reads a reference type. */
function readRefType(r: OperatorReader): RefType {
  return r.readRefType();
}

/** Limits flag bits: a maximum follows; shared (memories); 64-bit addresses; a page size follows. */
const HAS_MAX = 1;
const SHARED = 2;
const ADDRESS_64 = 4;
const PAGE_SIZE_FOLLOWS = 8;

/**
 * Reads limits: a flag byte, a minimum and an optional maximum (u64 for
 * either address type, as 3.0 encodes them), and for a memory an optional
 * page size's log2 (with the custom-page-sizes proposal only: core 3.0 calls
 * the flag 0x08 malformed).
 */
function readLimits(
  r: OperatorReader,
  memory: boolean,
  customPageSizes = false,
): { limits: Limits; address64: boolean; pageSizeLog2: number; shared: boolean } {
  const flagAt = r.pos;
  const flag = r.u8();
  const allowed = memory
    ? HAS_MAX | SHARED | ADDRESS_64 | (customPageSizes ? PAGE_SIZE_FOLLOWS : 0)
    : HAS_MAX | ADDRESS_64;
  if (flag & ~allowed) fail("malformed limits flags", flagAt);
  const address64 = (flag & ADDRESS_64) !== 0;
  // u64 for either address type (3.0); validation bounds them by the address type
  const min = r.u64Number();
  const max = flag & HAS_MAX ? r.u64Number() : undefined;
  const pageSizeLog2 = flag & PAGE_SIZE_FOLLOWS ? r.u32() : 16;
  return { limits: { min, max }, address64, pageSizeLog2, shared: (flag & SHARED) !== 0 };
}

function readTableType(r: OperatorReader): TableType {
  const element = readRefType(r);
  const { limits, address64 } = readLimits(r, false);
  return address64 ? { element, limits, address64 } : { element, limits };
}

function readMemoryType(r: OperatorReader, customPageSizes: boolean): MemoryType {
  const { limits, address64, pageSizeLog2, shared } = readLimits(r, true, customPageSizes);
  if (shared) return { limits, address64, pageSizeLog2, shared };
  if (!address64 && pageSizeLog2 === 16) return { limits };
  return { limits, address64, pageSizeLog2 };
}

function readGlobalType(r: OperatorReader): GlobalType {
  const type = readValType(r);
  const at = r.pos;
  const mut = r.u8();
  if (mut > 1) fail("malformed mutability", at);
  return { type, mutable: mut === 1 };
}

/**
 * Reads a constant expression up to and including its `end`. Any instruction
 * sequence is accepted syntactically; one holding an instruction a constant
 * expression may not hold is returned with the reason validation will give.
 */
export function readConstExpr(r: OperatorReader): ParsedConst {
  const offset = r.pos;
  const expr: ConstInstr[] = [];
  let invalid: string | undefined;
  let depth = 0;
  for (;;) {
    const key = r.read();
    if (key === Op.end) {
      if (depth === 0) break;
      depth--;
      continue;
    }
    switch (key) {
      case Op.i32_const:
        expr.push({ op: "i32.const", value: r.i32 });
        break;
      case Op.i64_const:
        expr.push({ op: "i64.const", value: r.i64 });
        break;
      case Op.f32_const:
        expr.push({ op: "f32.const", bits: r.f32Bits >>> 0 });
        break;
      case Op.f64_const:
        expr.push({ op: "f64.const", bits: r.f64Bits });
        break;
      case Op.v128_const:
        expr.push({ op: "v128.const", bytes: r.v128.slice() });
        break;
      case Op.ref_null:
        expr.push({ op: "ref.null", type: r.refType });
        break;
      case Op.ref_func:
        expr.push({ op: "ref.func", index: r.index });
        break;
      case Op.global_get:
        expr.push({ op: "global.get", index: r.index });
        break;
      case Op.i32_add:
      case Op.i32_sub:
      case Op.i32_mul:
      case Op.i64_add:
      case Op.i64_sub:
      case Op.i64_mul:
        expr.push({ op: opByKey(key)!.name as ConstArith["op"] });
        break;
      case Op.struct_new:
      case Op.struct_new_default:
      case Op.array_new:
      case Op.array_new_default:
        expr.push({ op: opByKey(key)!.name as ConstGc["op"], type: r.index, count: 0 });
        break;
      case Op.array_new_fixed:
        expr.push({ op: "array.new_fixed", type: r.index, count: r.index2 });
        break;
      case Op.ref_i31:
      case Op.any_convert_extern:
      case Op.extern_convert_any:
        expr.push({ op: opByKey(key)!.name as ConstGc["op"], type: -1, count: 0 });
        break;
      default:
        if (key === Op.block || key === Op.loop || key === Op.if) depth++;
        invalid ??= "constant expression required";
    }
  }
  return invalid === undefined ? { expr, invalid, offset } : { expr: undefined, invalid, offset };
}

function decodeCustom(r: OperatorReader, m: DecodedModule, end: number, continuous: boolean): void {
  const name = r.name();
  // The name ran past the section (only possible when reading on past it):
  // the reference then has a negative number of bytes left to skip.
  if (continuous && r.pos > end) fail(r.eofReason, r.bytes.length);
  // A size that runs past the module's end: skipping the rest runs out of bytes.
  if (end > r.bytes.length) fail(r.eofReason, r.bytes.length);
  const data = r.bytes.subarray(r.pos, end);
  r.pos = end;
  m.customSections.push({ name, data });
  if (name === "name" && m.names === EMPTY_NAMES) {
    m.names = decodeNameSection(r.bytes, end - data.length, end);
  }
}

function decodeTypes(r: OperatorReader, m: DecodedModule): void {
  const n = r.count();
  for (let i = 0; i < n; i++) {
    if (r.pos < r.end && r.bytes[r.pos] === 0x4e) {
      // rec: a group of subtypes that may name each other.
      r.pos++;
      const size = r.count();
      const start = m.types.length;
      for (let k = 0; k < size; k++) {
        m.types.push(size === 1 ? readSubType(r) : { ...readSubType(r), rec: { start, size } });
      }
    } else {
      m.types.push(readSubType(r));
    }
  }
  const kinds = Uint8Array.from(m.types, kindCode);
  // Concrete references read before the kinds were known: give them their kind.
  const types = m.types;
  m.types = types.map((t) => {
    const fixed = {
      ...t,
      params: t.params.map((v) => withKind(types, v)),
      results: t.results.map((v) => withKind(types, v)),
    };
    if (t.fields === undefined) return fixed;
    return { ...fixed, fields: t.fields.map((f) => ({ ...f, type: withKind(types, f.type) })) };
  });
  r.typeKinds = kinds;
}

/** Reads a subtype: `sub x* ct` (0x50), `sub final x* ct` (0x4f) or a composite type. */
function readSubType(r: OperatorReader): FuncType {
  const at = r.pos;
  const b = r.pos < r.end ? r.bytes[r.pos] : -1;
  if (b !== 0x50 && b !== 0x4f) return readCompositeType(r);
  r.pos++;
  const n = r.count();
  let supertype: number | undefined;
  for (let k = 0; k < n; k++) {
    const s = r.u32();
    if (k > 0) fail("multiple supertypes", at);
    supertype = s;
  }
  const t = readCompositeType(r);
  return {
    ...t,
    ...(b === 0x50 ? { final: false } : {}),
    ...(supertype === undefined ? {} : { supertype }),
  };
}

/**
 * Reads a composite type: `func` (0x60), `struct` (0x5f), `array` (0x5e) or
 * `cont` (0x5d).
 */
function readCompositeType(r: OperatorReader): FuncType {
  const at = r.pos;
  const tag = r.u8();
  if (tag === 0x5f) {
    const nf = r.count();
    if (nf > MAX_STRUCT_FIELDS) fail("too many struct fields", at);
    const fields: FieldType[] = [];
    for (let j = 0; j < nf; j++) fields.push(readFieldType(r));
    return { params: [], results: [], kind: "struct", fields };
  }
  if (tag === 0x5e) return { params: [], results: [], kind: "array", fields: [readFieldType(r)] };
  if (tag === 0x5d) {
    // `cont $ft`: the validator checks that $ft is a function type.
    const ftAt = r.pos;
    const cont = r.s33();
    if (cont < 0) fail("malformed continuation type", ftAt);
    return { params: [], results: [], kind: "cont", cont };
  }
  if (tag !== 0x60) {
    fail(tag & 0x80 ? "integer representation too long" : "malformed function type", at);
  }
  const np = r.count();
  const params: ValType[] = [];
  for (let j = 0; j < np; j++) params.push(readValType(r));
  const nr = r.count();
  const results: ValType[] = [];
  for (let j = 0; j < nr; j++) results.push(readValType(r));
  return { params, results };
}

/** Reads a field type: a storage type (a value type, i8 or i16) and its mutability. */
function readFieldType(r: OperatorReader): FieldType {
  const b = r.pos < r.end ? r.bytes[r.pos] : -1;
  let type: number;
  if (b === PackedType.i8 || b === PackedType.i16) {
    r.pos++;
    type = b;
  } else {
    type = readValType(r);
  }
  const at = r.pos;
  const m = r.u8();
  if (m > 1) fail("malformed mutability", at);
  return { type, mutable: m === 1 };
}

function decodeImports(r: OperatorReader, m: DecodedModule): void {
  const n = r.count();
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const module = r.name();
    const name = r.name();
    const kindAt = r.pos;
    const kind = r.u8();
    switch (kind) {
      case 0:
        m.imports.push({ module, name, desc: { kind: "func", typeIndex: r.u32() }, at });
        break;
      case 1:
        m.imports.push({ module, name, desc: { kind: "table", type: readTableType(r) }, at });
        break;
      case 2:
        m.imports.push({
          module,
          name,
          desc: { kind: "memory", type: readMemoryType(r, m.customPageSizes) },
          at,
        });
        break;
      case 3:
        m.imports.push({ module, name, desc: { kind: "global", type: readGlobalType(r) }, at });
        break;
      case 4:
        m.imports.push({ module, name, desc: { kind: "tag", typeIndex: readTagType(r) }, at });
        break;
      default:
        fail("malformed import kind", kindAt);
    }
  }
}

/** Reads a tag type: the attribute 0 (an exception) and a type index. */
function readTagType(r: OperatorReader): number {
  const at = r.pos;
  if (r.u8() !== 0) fail("malformed tag attribute", at);
  return r.u32();
}

function decodeExports(r: OperatorReader, m: DecodedModule): void {
  const n = r.count();
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const name = r.name();
    const kindAt = r.pos;
    const kind = r.u8();
    if (kind > 4) fail("malformed export kind", kindAt);
    m.exports.push({ name, kind: EXTERN_KINDS[kind], index: r.u32(), at });
  }
}

function funcIndexItems(r: OperatorReader): ParsedConst[] {
  const n = r.count();
  const items: ParsedConst[] = [];
  for (let i = 0; i < n; i++) {
    const offset = r.pos;
    items.push({ expr: [{ op: "ref.func", index: r.u32() }], invalid: undefined, offset });
  }
  return items;
}

function exprItems(r: OperatorReader): ParsedConst[] {
  const n = r.count();
  const items: ParsedConst[] = [];
  for (let i = 0; i < n; i++) items.push(readConstExpr(r));
  return items;
}

/** The element type of segments given as function indices: `(ref func)`. */
const REF_FUNC: RefType = refType(HeapType.func, false);

function readElemKind(r: OperatorReader): RefType {
  const at = r.pos;
  if (r.u8() !== 0) fail("malformed element kind", at);
  return REF_FUNC;
}

function decodeElements(r: OperatorReader, m: DecodedModule): void {
  const n = r.count();
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    const flags = r.u32();
    let type: RefType = REF_FUNC;
    let kind: ElementMode["kind"] = "active";
    let table = 0;
    let offset: ParsedConst | undefined;
    let items: ParsedConst[];
    switch (flags) {
      case 0:
        offset = readConstExpr(r);
        items = funcIndexItems(r);
        break;
      case 1:
        kind = "passive";
        type = readElemKind(r);
        items = funcIndexItems(r);
        break;
      case 2:
        table = r.u32();
        offset = readConstExpr(r);
        type = readElemKind(r);
        items = funcIndexItems(r);
        break;
      case 3:
        kind = "declarative";
        type = readElemKind(r);
        items = funcIndexItems(r);
        break;
      case 4:
        type = ValType.funcref;
        offset = readConstExpr(r);
        items = exprItems(r);
        break;
      case 5:
        kind = "passive";
        type = readRefType(r);
        items = exprItems(r);
        break;
      case 6:
        table = r.u32();
        offset = readConstExpr(r);
        type = readRefType(r);
        items = exprItems(r);
        break;
      case 7:
        kind = "declarative";
        type = readRefType(r);
        items = exprItems(r);
        break;
      default:
        return fail("malformed elements segment kind", at);
    }
    m.elements.push({ type, kind, table, offset, items, at });
  }
}

/** The data section of a module without one. */
const NO_DECODED_DATAS: DecodedDatas = Object.freeze({
  count: 0,
  memory: new Int32Array(0),
  start: new Uint32Array(0),
  length: new Uint32Array(0),
  at: new Uint32Array(0),
  i32Offset: new Int32Array(0),
  exprs: new Map<number, ParsedConst>(),
});

/** Shared by every function without declared locals. */
const NO_LOCALS: readonly ValType[] = Object.freeze([]);

function decodeCode(r: OperatorReader, m: DecodedModule, continuous: boolean): void {
  let numImportedFunctions = 0;
  for (const imp of m.imports) if (imp.desc.kind === "func") numImportedFunctions++;
  const n = r.count();
  const sectionEnd = r.end;
  const bytes = r.bytes;
  for (let i = 0; i < n; i++) {
    const bodyStart = r.pos;
    const size = r.u32();
    if (size > sectionEnd - r.pos) {
      if (size > bytes.length - bodyStart) fail("length out of bounds", bodyStart);
      if (!continuous) r.eof();
    }
    const codeEnd = r.pos + size;
    // Read on past the body in the reference decoder's way when re-reading.
    r.end = continuous ? sectionEnd : codeEnd;
    const localsAt = r.pos;
    const groups = r.count();
    let total = 0;
    const groupAt = r.pos;
    // First pass: sum the counts so a huge declaration is rejected before allocating.
    for (let g = 0; g < groups; g++) {
      total += r.u32();
      readValType(r);
    }
    if (total > MAX_LOCALS) fail("too many locals", localsAt);
    r.pos = groupAt;
    const locals: ValType[] = [];
    for (let g = 0; g < groups; g++) {
      const count = r.u32();
      const t = readValType(r);
      for (let k = 0; k < count; k++) locals.push(t);
    }
    // When re-reading, the instructions are decoded here too, as the
    // reference decoder does, so that their faults come in stream order.
    if (continuous) checkBodySyntax(bytes, r.pos, codeEnd);
    m.bodies.push({
      funcIndex: numImportedFunctions + i,
      typeIndex: m.funcDecls[i] ?? 0,
      locals: locals.length === 0 ? NO_LOCALS : locals,
      bodyStart,
      codeStart: r.pos,
      codeEnd,
    });
    r.pos = codeEnd;
    r.end = sectionEnd;
  }
}

/** No frame, or a frame in which `else` is not allowed. */
const SYNTAX_OTHER = 0;
/** An `if` frame before its `else`. */
const SYNTAX_IF = 1;

/**
 * Checks the instruction syntax of one function body, `bytes[codeStart..codeEnd)`,
 * without validating it: each instruction decodes, `else` sits in an `if`
 * ("END opcode expected" otherwise, in the reference's words),
 * blocks nest and close, and the body's final `end` is its last byte. Like
 * the spec's reference decoder it reads on past `codeEnd` when the body's
 * instructions do not end there (then reporting the fault found beyond, or
 * "section size mismatch"). Used on the error path only: the validator
 * checks the same syntax as it goes.
 *
 * The rule that `memory.init` and `data.drop` need a data count section is
 * left to the validator, which applies it after the data index check: the
 * spec's text-format tests expect that order, and wast2json writes their
 * modules without the section.
 *
 * @param bytes the module
 * @param codeStart offset of the body's first instruction
 * @param codeEnd the body's declared end
 * @throws {CompileError} if the body is malformed
 */
export function checkBodySyntax(bytes: Uint8Array, codeStart: number, codeEnd: number): void {
  const r = new OperatorReader(bytes, codeStart, codeEnd < bytes.length ? codeEnd : bytes.length);
  r.eofReason = "unexpected end of section or function";
  const frames: number[] = [];
  for (;;) {
    const at = r.pos;
    let key: number;
    try {
      key = r.read();
    } catch (e) {
      // Stopped at the body's end (or a fault before it, which a re-read finds again).
      if (!(e instanceof CompileError) || r.end === bytes.length) throw e;
      r.pos = at;
      r.end = bytes.length;
      continue;
    }
    switch (key) {
      case Op.block:
      case Op.loop:
      case Op.try_table:
      case Op.try:
        frames.push(SYNTAX_OTHER);
        break;
      case Op.delegate:
        // ends a `try` as its `end` would
        if (frames.length === 0) fail("END opcode expected", r.offset);
        frames.pop();
        break;
      case Op.if:
        frames.push(SYNTAX_IF);
        break;
      case Op.else:
        // The reference ends a block's instructions at any `else`, then
        // expects the `end` of a block that cannot take one.
        if (frames.length === 0 || frames[frames.length - 1] !== SYNTAX_IF) {
          fail("END opcode expected", r.offset);
        }
        frames[frames.length - 1] = SYNTAX_OTHER;
        break;
      case Op.end:
        if (frames.length === 0) {
          if (r.pos !== codeEnd) fail("section size mismatch", r.pos);
          return;
        }
        frames.pop();
        break;
    }
  }
}

/**
 * Reads `i32.const N end` at the reader's position and returns N, or returns
 * undefined with the position unchanged when the bytes there are anything
 * else (the general constant-expression reader then takes them).
 */
function plainI32Const(r: OperatorReader): number | undefined {
  const at = r.pos;
  if (at >= r.end || r.bytes[at] !== Op.i32_const) return undefined;
  r.pos++;
  const value = r.s32();
  if (r.pos < r.end && r.bytes[r.pos] === Op.end) {
    r.pos++;
    return value;
  }
  r.pos = at;
  return undefined;
}

function decodeData(r: OperatorReader, m: DecodedModule): void {
  const n = r.count();
  const d: DecodedDatas = {
    count: n,
    memory: new Int32Array(n),
    start: new Uint32Array(n),
    length: new Uint32Array(n),
    at: new Uint32Array(n),
    i32Offset: new Int32Array(n),
    exprs: new Map(),
  };
  for (let i = 0; i < n; i++) {
    const at = r.pos;
    d.at[i] = at;
    const flags = r.u32();
    const plain = flags === 0 && r.pos === at + 1 ? plainI32Const(r) : undefined;
    if (plain !== undefined) {
      d.i32Offset[i] = plain;
    } else {
      switch (flags) {
        case 0:
          d.exprs.set(i, readConstExpr(r));
          break;
        case 1:
          d.memory[i] = -1;
          break;
        case 2:
          d.memory[i] = r.u32();
          d.exprs.set(i, readConstExpr(r));
          break;
        default:
          fail("malformed data segment kind", at);
      }
    }
    const lenAt = r.pos;
    const length = r.u32();
    if (length > r.bytes.length - lenAt) fail("length out of bounds", lenAt);
    d.start[i] = r.pos;
    d.length[i] = length;
    r.skip(length);
  }
  m.datas = d;
}
