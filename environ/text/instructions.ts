/**
 * Instructions of the text format → binary code. Plain (`i32.add`), structured
 * (`block ... end`) and folded (`(i32.add (local.get 0) (i32.const 1))`) forms
 * are all parsed here; the instruction names, opcodes and immediate kinds come
 * from the one op table in `../opcodes.ts`, and each immediate kind has one
 * parser in {@link IMMEDIATES}. A new instruction is a new table row; a new
 * immediate kind is a new entry here.
 *
 * Invariants:
 * - Labels are resolved against the enclosing blocks (innermost first);
 *   locals against the function's parameters then locals.
 * - Folded operands are emitted before the operator that contains them.
 * - The code written is exactly what wat2wasm writes: minimal LEB128s, block
 *   types in the short form whenever the type has no parameters and at most
 *   one result, `select` typed only when `(result ...)` is written. One
 *   deliberate exception: `select (result)` is written typed with no types
 *   (the spec's encoding), where wat2wasm writes an untyped `select`.
 *
 * @module
 */

import { type Immediate, opByName, type OpInfo } from "../opcodes.ts";
import { ByteWriter } from "./_bytes.ts";
import { isReserved, type Parser, type Space } from "./_parser.ts";
import { parseF32, parseF64, parseInteger, parseUnsigned } from "./numbers.ts";
import type { Token } from "./lexer.ts";
import { takeBranchHint } from "./_annotations.ts";
import { isNullable } from "../types.ts";

/** What a function body (or constant expression) resolves names against. */
export interface FuncScope {
  /** `$id` → local index (parameters first). */
  readonly locals: Map<string, number>;
  /** Labels of the enclosing blocks, innermost last (`undefined` if unnamed). */
  readonly labels: (string | undefined)[];
}

/** A parser for one kind of immediate: reads it from the text, writes it to `w`. */
type ImmediateParser = (p: Parser, scope: FuncScope, op: OpInfo, w: ByteWriter) => void;

/** Writes an op's opcode (with its prefix, if any). */
function writeOpcode(op: OpInfo, w: ByteWriter): void {
  if (op.prefix === 0) {
    w.byte(op.code);
  } else {
    w.byte(op.prefix);
    w.u32(op.code);
  }
}

/** A label reference: a depth, or the name of an enclosing block. */
function label(p: Parser, scope: FuncScope): number {
  const t = p.next();
  if (t.kind === "id") {
    for (let i = scope.labels.length - 1; i >= 0; i--) {
      if (scope.labels[i] === t.text) return scope.labels.length - 1 - i;
    }
    throw p.error("unknown label", t);
  }
  if (t.kind === "atom") {
    const v = parseUnsigned(t.text, 32);
    if (v === "range") throw p.error("constant out of range", t);
    if (v !== undefined) return Number(v);
  }
  throw p.error("unexpected token", t);
}

function atLabel(p: Parser): boolean {
  return p.atIndex();
}

/** Natural alignment (log2 of bytes) of a memory instruction, from its name. */
export function naturalAlignment(name: string): number {
  const dot = name.indexOf(".");
  const op = name.slice(dot + 1);
  const m = /^(?:atomic\.)?(?:load|store|rmw|wait)(\d+)(?:x(\d+))?/.exec(op);
  let bytes: number;
  if (m) {
    bytes = m[2] !== undefined ? (Number(m[1]) * Number(m[2])) / 8 : Number(m[1]) / 8;
  } else {
    const ty = name.slice(0, dot);
    bytes = ty === "v128" ? 16 : ty === "i64" || ty === "f64" ? 8 : 4;
  }
  return Math.log2(bytes);
}

/**
 * Parses a memarg: an optional memory index, `offset=` (up to 2^64 - 1) and
 * `align=` (a power of two up to 2^63); writes the flags (bit 6 when a
 * memory index other than 0 follows), the index and the offset.
 */
function memarg(p: Parser, op: OpInfo, w: ByteWriter, lane = false): void {
  // with a lane index to follow, a number is the memory index only if another index,
  // `offset=` or `align=` follows it
  const memFollows = !lane || p.peek()?.kind === "id" ||
    (p.atIndex() && (isNumeric(p.peek(1)) || isMemargKeyword(p.peek(1))));
  const mem = memFollows ? p.optIndex("memory", 0) : 0;
  let offset = 0n;
  let align = -1;
  let t = p.peek();
  if (t && t.kind === "keyword" && t.text.startsWith("offset=")) {
    p.pos++;
    const v = parseUnsigned(t.text.slice(7), 64);
    if (v === undefined) throw p.error("unknown operator", t);
    if (v === "range") throw p.error("i64 constant out of range", t);
    offset = v;
    t = p.peek();
  }
  if (t && t.kind === "keyword" && t.text.startsWith("align=")) {
    p.pos++;
    const v = parseUnsigned(t.text.slice(6), 64);
    if (v === undefined) throw p.error("unknown operator", t);
    if (v === "range") throw p.error("i64 constant out of range", t);
    if (v === 0n || (v & (v - 1n)) !== 0n) throw p.error("alignment must be a power of two", t);
    align = v.toString(2).length - 1;
  }
  if (align < 0) align = naturalAlignment(op.name);
  if (mem !== 0) {
    w.u32(align | 0x40);
    w.u32(mem);
  } else w.u32(align);
  w.u64(offset);
}

/** Whether a token is a memarg field (`offset=...`, `align=...`). */
function isMemargKeyword(t: Token | undefined): boolean {
  return t !== undefined && t.kind === "keyword" &&
    (t.text.startsWith("offset=") || t.text.startsWith("align="));
}

function laneIndex(p: Parser): number {
  const t = p.next();
  if (!isNumeric(t)) throw p.error("unexpected token", t);
  const v = parseUnsigned(t.text, 32);
  if (v === undefined || v === "range" || v > 255n) throw p.error("i8 constant out of range", t);
  return Number(v);
}

/** Whether a token may be meant as a lane literal (a number or a malformed one). */
function isLaneLike(t: Token | undefined): boolean {
  return t !== undefined &&
    (t.kind === "atom" || (t.kind === "keyword" && /^(inf|nan)/.test(t.text)));
}

/** Whether a token is a numeric literal (integer or float, including `inf` and `nan`). */
function isNumeric(t: Token | undefined): boolean {
  if (t === undefined) return false;
  if (t.kind === "keyword") return /^(inf|nan)/.test(t.text) && parseF64(t.text) !== undefined;
  if (t.kind !== "atom") return false;
  const c = t.text.charCodeAt(0);
  if (c >= 0x30 && c <= 0x39 && /^[0-9]+$/.test(t.text)) return true;
  return !isReserved(t);
}

/** Reads a numeric token for a constant. */
function numToken(p: Parser): Token {
  const t = p.next();
  if (t.kind !== "atom" && t.kind !== "keyword") throw p.error("unexpected token", t);
  return t;
}

/** Parses an integer literal of `bits` bits (signed range allowed). */
export function intLiteral(p: Parser, bits: number): bigint {
  const t = numToken(p);
  const v = parseInteger(t.text, bits);
  if (v === undefined) throw p.error("unexpected token", t);
  if (v === "range") throw p.error("constant out of range", t);
  return v;
}

/** Result patterns of scripts: tokens of their own, never literals. */
const NAN_PATTERNS = new Set(["nan:canonical", "nan:arithmetic"]);

/** Parses an f32 literal into its bits. */
export function f32Literal(p: Parser): number {
  const t = numToken(p);
  const v = parseF32(t.text);
  if (v === undefined) {
    if (NAN_PATTERNS.has(t.text)) throw p.error("unexpected token", t);
    throw p.error(t.kind === "keyword" ? "unknown operator" : "unexpected token", t);
  }
  if (v === "range") throw p.error("constant out of range", t);
  return v;
}

/** Parses an f64 literal into its bits. */
export function f64Literal(p: Parser): bigint {
  const t = numToken(p);
  const v = parseF64(t.text);
  if (v === undefined) {
    if (NAN_PATTERNS.has(t.text)) throw p.error("unexpected token", t);
    throw p.error(t.kind === "keyword" ? "unknown operator" : "unexpected token", t);
  }
  if (v === "range") throw p.error("constant out of range", t);
  return v;
}

/** The lane shapes of `v128.const`. */
const SHAPES: Record<string, { lanes: number; kind: "i" | "f32" | "f64"; bits: number }> = {
  i8x16: { lanes: 16, kind: "i", bits: 8 },
  i16x8: { lanes: 8, kind: "i", bits: 16 },
  i32x4: { lanes: 4, kind: "i", bits: 32 },
  i64x2: { lanes: 2, kind: "i", bits: 64 },
  f32x4: { lanes: 4, kind: "f32", bits: 32 },
  f64x2: { lanes: 2, kind: "f64", bits: 64 },
};

/**
 * Parses a `v128` literal (shape keyword and lanes) into its 16 bytes.
 *
 * @param p the parser, at the shape keyword
 * @returns the 16 bytes, little-endian
 */
export function v128Literal(p: Parser): Uint8Array {
  const st = p.next();
  const shape = st.kind === "keyword" ? SHAPES[st.text] : undefined;
  if (shape === undefined) throw p.error("unexpected token", st);
  let count = 0;
  while (isLaneLike(p.peek(count))) count++;
  if (count !== shape.lanes) throw p.error("wrong number of lane literals", p.peek(count));
  const w = new ByteWriter();
  for (let i = 0; i < shape.lanes; i++) {
    if (shape.kind === "f32") w.u32le(f32Literal(p));
    else if (shape.kind === "f64") w.u64le(f64Literal(p));
    else {
      const v = intLiteral(p, shape.bits);
      if (shape.bits === 8) w.byte(Number(v & 0xffn));
      else if (shape.bits === 16) {
        w.byte(Number(v & 0xffn));
        w.byte(Number((v >> 8n) & 0xffn));
      } else if (shape.bits === 32) w.u32le(Number(BigInt.asUintN(32, v)));
      else w.u64le(BigInt.asUintN(64, v));
    }
  }
  return w.bytes();
}

function space(s: Space): ImmediateParser {
  return (p, _scope, _op, w) => w.u32(p.index(s));
}

function optSpace(s: Space): ImmediateParser {
  return (p, _scope, _op, w) => w.u32(p.optIndex(s, 0));
}

/** One parser per immediate kind of the op table. */
export const IMMEDIATES: Record<Immediate, ImmediateParser> = {
  none: () => {},
  blocktype: (p) => {
    throw p.error("unexpected token");
  },
  label: (p, scope, _op, w) => w.u32(label(p, scope)),
  br_table: (p, scope, _op, w) => {
    const labels: number[] = [];
    while (atLabel(p)) labels.push(label(p, scope));
    if (labels.length === 0) throw p.error("unexpected token");
    w.u32(labels.length - 1);
    for (const l of labels) w.u32(l);
  },
  func: space("func"),
  type: space("type"),
  tag: space("tag"),
  try_table: (p) => {
    throw p.error("unexpected token");
  },
  call_indirect: (p, _scope, _op, w) => {
    const table = p.optIndex("table", 0);
    const use = p.typeUse(false);
    w.u32(use.index);
    w.u32(table);
  },
  local: (p, scope, _op, w) => {
    const t = p.next();
    if (t.kind === "id") {
      const i = scope.locals.get(t.text);
      if (i === undefined) throw p.error("unknown local", t);
      w.u32(i);
      return;
    }
    if (t.kind === "atom") {
      const v = parseUnsigned(t.text, 32);
      if (v === "range") throw p.error("constant out of range", t);
      if (v !== undefined) {
        w.u32(Number(v));
        return;
      }
    }
    throw p.error("unexpected token", t);
  },
  global: space("global"),
  table: optSpace("table"),
  memarg: (p, _scope, op, w) => memarg(p, op, w),
  memory: (p, _scope, _op, w) => w.u32(p.optIndex("memory", 0)),
  i32: (p, _scope, _op, w) => w.s64(intLiteral(p, 32)),
  i64: (p, _scope, _op, w) => w.s64(intLiteral(p, 64)),
  f32: (p, _scope, _op, w) => w.u32le(f32Literal(p)),
  f64: (p, _scope, _op, w) => w.u64le(f64Literal(p)),
  v128: (p, _scope, _op, w) => w.raw(v128Literal(p)),
  shuffle: (p, _scope, _op, w) => {
    let count = 0;
    while (isNumeric(p.peek(count))) count++;
    if (count !== 16) throw p.error("invalid lane length", p.peek(count));
    for (let i = 0; i < 16; i++) w.byte(laneIndex(p));
  },
  lane: (p, _scope, _op, w) => {
    const t = p.peek();
    if (t === undefined || t.kind !== "atom" || parseUnsigned(t.text, 64) === undefined) {
      throw p.error("unexpected token", t);
    }
    w.byte(laneIndex(p));
  },
  memarg_lane: (p, _scope, op, w) => {
    memarg(p, op, w, true);
    w.byte(laneIndex(p));
  },
  reftype: (p, _scope, _op, w) => w.heapType(p.heapType(true)),
  select_t: (p, _scope, _op, w) => {
    const types: number[] = [];
    while (p.atOpen("result")) {
      p.pos += 2;
      while (!p.atClose()) types.push(p.valType());
      p.close();
    }
    // `select (result)` stays typed with no types (0x1C 0x00), as the spec
    // encodes it, so validators can report "invalid result arity"; wabt writes
    // the untyped 0x1B instead.
    w.u32(types.length);
    for (const t of types) w.valType(t);
  },
  data: (p, _scope, _op, w) => {
    p.usesDataCount = true;
    w.u32(p.index("data"));
  },
  elem: space("elem"),
  zero_byte: (_p, _scope, _op, w) => w.byte(0),
  cont_bind: (p, _scope, _op, w) => {
    w.u32(p.index("type"));
    w.u32(p.index("type"));
  },
  resume: (p, scope, _op, w) => {
    w.u32(p.index("type"));
    handlerClauses(p, scope, w);
  },
  resume_throw: (p, scope, _op, w) => {
    w.u32(p.index("type"));
    w.u32(p.index("tag"));
    handlerClauses(p, scope, w);
  },
  switch: (p, _scope, _op, w) => {
    w.u32(p.index("type"));
    w.u32(p.index("tag"));
  },
  memory_init: (p, _scope, _op, w) => {
    p.usesDataCount = true;
    // `memory.init $mem $data` or `memory.init $data`
    const save = p.pos;
    p.next();
    const two = p.atIndex();
    p.pos = save;
    const mem = two ? p.index("memory") : 0;
    w.u32(p.index("data"));
    w.u32(mem);
  },
  memory_copy: (p, _scope, _op, w) => {
    // `memory.copy $dst $src` or `memory.copy` (memory 0 to memory 0)
    const dst = p.optIndex("memory", 0);
    w.u32(dst);
    w.u32(p.optIndex("memory", dst));
  },
  table_init: (p, _scope, _op, w) => {
    const save = p.pos;
    p.next();
    const two = p.atIndex();
    p.pos = save;
    const table = two ? p.index("table") : 0;
    const elem = p.index("elem");
    w.u32(elem);
    w.u32(table);
  },
  type_field: (p, _scope, _op, w) => {
    const t = p.index("type");
    w.u32(t);
    const f = p.peek();
    if (f?.kind === "id") {
      const i = p.fieldIds.get(t)?.get(f.text);
      if (i === undefined) throw p.error("unknown field", f);
      p.pos++;
      w.u32(i);
      return;
    }
    w.u32(p.index("type"));
  },
  type_count: (p, _scope, _op, w) => {
    w.u32(p.index("type"));
    const t = p.next();
    const v = t.kind === "atom" ? parseUnsigned(t.text, 32) : undefined;
    if (v === undefined) throw p.error("unexpected token", t);
    if (v === "range") throw p.error("constant out of range", t);
    w.u32(Number(v));
  },
  type_data: (p, _scope, _op, w) => {
    p.usesDataCount = true;
    w.u32(p.index("type"));
    w.u32(p.index("data"));
  },
  type_elem: (p, _scope, _op, w) => {
    w.u32(p.index("type"));
    w.u32(p.index("elem"));
  },
  type_type: (p, _scope, _op, w) => {
    w.u32(p.index("type"));
    w.u32(p.index("type"));
  },
  heaptype: (p, _scope, _op, w) => w.heapType(p.refType()),
  br_on_cast: (p, scope, _op, w) => {
    const l = label(p, scope);
    const from = p.refType();
    const to = p.refType();
    w.byte((isNullable(from) ? 1 : 0) | (isNullable(to) ? 2 : 0));
    w.u32(l);
    w.heapType(from);
    w.heapType(to);
  },
  table_copy: (p, _scope, _op, w) => {
    let dst = 0;
    let src = 0;
    if (p.atIndex()) {
      dst = p.index("table");
      src = p.index("table");
    }
    w.u32(dst);
    w.u32(src);
  },
};

/** Keywords of a function's header, which may not appear among its instructions. */
const NOT_INSTRUCTIONS = new Set(["param", "result", "local", "type", "export", "import"]);

/** Names in the op table that are not text names (their ops are chosen by their immediates). */
const INTERNAL_NAMES = new Set(["select_t", "ref.test_null", "ref.cast_null"]);

/** Looks up a plain instruction by its text name (`select_t` is not a text name). */
function lookup(p: Parser, t: Token): OpInfo {
  if (NOT_INSTRUCTIONS.has(t.text)) throw p.error("unexpected token", t);
  const op = t.kind === "keyword" && !INTERNAL_NAMES.has(t.text) ? opByName(t.text) : undefined;
  if (op === undefined) throw p.error(`unknown operator ${t.text}`, t);
  if (t.text === "ref.test" || t.text === "ref.cast") {
    // The target's nullability picks the opcode: `ref.test (ref null ht)` is ref.test_null.
    const save = p.pos;
    const nullable = isNullable(p.refType());
    p.pos = save;
    if (nullable) return opByName(`${t.text}_null`)!;
  }
  return op;
}

/** Parses a block type and writes it. */
function blockType(p: Parser, w: ByteWriter): void {
  const hasType = p.atOpen("type");
  const save = p.pos;
  if (hasType) {
    p.pos += 2;
    const idx = p.index("type");
    p.close();
    const declared = p.types[idx];
    const inline = p.inlineSig(false);
    if (inline.any && (declared === undefined || !sameShape(declared, inline.sig))) {
      throw p.error("inline function type", p.toks[save]);
    }
    if (declared !== undefined && declared.params.length === 0 && declared.results.length <= 1) {
      if (declared.results.length === 0) w.byte(0x40);
      else w.valType(declared.results[0]);
      return;
    }
    w.s64(BigInt(idx));
    return;
  }
  const inline = p.inlineSig(false);
  if (inline.sig.params.length === 0 && inline.sig.results.length <= 1) {
    if (inline.sig.results.length === 0) w.byte(0x40);
    else w.valType(inline.sig.results[0]);
    return;
  }
  w.s64(BigInt(p.internType(inline.sig)));
}

function sameShape(a: { params: number[]; results: number[] }, b: typeof a): boolean {
  return a.params.join() === b.params.join() && a.results.join() === b.results.join();
}

/** Parses an else branch; like wat2wasm, writes `else` only when the branch is not empty. */
function elseBody(p: Parser, scope: FuncScope, w: ByteWriter): void {
  const body = new ByteWriter();
  parseInstrs(p, scope, body);
  if (body.length > 0) {
    w.byte(0x05);
    w.raw(body.view());
  }
}

/** Parses an optional label after `end`/`else`; it must match the block's label. */
function closingLabel(p: Parser, blockLabel: string | undefined): void {
  const t = p.peek();
  if (t !== undefined && t.kind === "id") {
    p.pos++;
    if (t.text !== blockLabel) throw p.error("mismatching label", t);
  }
}

/**
 * Parses instructions until a `)` (or, in plain structured code, `end` /
 * `else`), writing their code to `w`.
 *
 * @param p the parser
 * @param scope locals and labels in scope
 * @param w where the code goes
 */
export function parseInstrs(p: Parser, scope: FuncScope, w: ByteWriter): void {
  while (true) {
    const t = p.peek();
    if (t === undefined || t.kind === "rparen") return;
    if (t.kind === "lparen") {
      parseFolded(p, scope, w);
      continue;
    }
    if (t.kind === "keyword" && BLOCK_SEPARATORS.has(t.text)) return;
    parsePlain(p, scope, w);
  }
}

/** The keywords that end a plain block's instruction sequence. */
const BLOCK_SEPARATORS = new Set(["end", "else", "catch", "catch_all", "delegate"]);

/** The catch clauses of `try_table`, by keyword: their binary kind. */
const CATCH_CLAUSES: Record<string, number> = {
  catch: 0,
  catch_ref: 1,
  catch_all: 2,
  catch_all_ref: 3,
};

/** Parses `try_table`'s catch clauses (labels resolved outside it) and writes them. */
function catchClauses(p: Parser, scope: FuncScope, w: ByteWriter): void {
  const clauses = new ByteWriter();
  let n = 0;
  while (p.peek()?.kind === "lparen" && Object.hasOwn(CATCH_CLAUSES, p.peek(1)?.text ?? "")) {
    p.pos++;
    const kind = CATCH_CLAUSES[p.next().text];
    clauses.byte(kind);
    if (kind < 2) clauses.u32(p.index("tag"));
    clauses.u32(label(p, scope));
    p.close();
    n++;
  }
  w.u32(n);
  w.raw(clauses.view());
}

/**
 * Parses the handler clauses of `resume` and `resume_throw`
 * (`(on $tag $label)` or `(on $tag switch)`) and writes them.
 */
function handlerClauses(p: Parser, scope: FuncScope, w: ByteWriter): void {
  const clauses = new ByteWriter();
  let n = 0;
  while (p.atOpen("on")) {
    p.pos += 2;
    const tag = p.index("tag");
    if (p.optKeyword("switch")) {
      clauses.byte(1);
      clauses.u32(tag);
    } else {
      clauses.byte(0);
      clauses.u32(tag);
      clauses.u32(label(p, scope));
    }
    p.close();
    n++;
  }
  w.u32(n);
  w.raw(clauses.view());
}

/**
 * Parses the arms of a plain legacy `try` after its body: `catch x instr*`,
 * `catch_all instr*`, then `end`; or `delegate l`. Returns the closing token.
 */
function legacyArms(p: Parser, scope: FuncScope, w: ByteWriter, lbl: string | undefined): Token {
  let k = p.next();
  let all = false; // no arm after catch_all
  while (!all && k.kind === "keyword" && (k.text === "catch" || k.text === "catch_all")) {
    all = k.text === "catch_all";
    closingLabel(p, lbl);
    w.byte(k.text === "catch" ? 0x07 : 0x19);
    if (k.text === "catch") w.u32(p.index("tag"));
    parseInstrs(p, scope, w);
    k = p.next();
  }
  return k;
}

/** Parses one plain (unfolded) instruction, including a whole plain block. */
function parsePlain(p: Parser, scope: FuncScope, w: ByteWriter): void {
  const at = p.pos;
  const t = p.next();
  if (t.kind !== "keyword") throw p.error("unexpected token", t);
  const text = t.text;
  const hint = takeBranchHint(p, at, text);
  if (hint !== undefined) p.hints!.push([w.length, hint]);
  if (text === "select") {
    plainOp(p, scope, p.atOpen("result") ? opByName("select_t")! : lookup(p, t), w);
    return;
  }
  const op = lookup(p, t);
  if (op.imm === "blocktype" || op.imm === "try_table") {
    // Every structured instruction of the table (block, loop, if, ...) opens a label.
    const lbl = p.optId();
    writeOpcode(op, w);
    blockType(p, w);
    if (op.imm === "try_table") catchClauses(p, scope, w);
    scope.labels.push(lbl);
    parseInstrs(p, scope, w);
    const bodyEnd = p.pos;
    let k = text === "try" ? legacyArms(p, scope, w, lbl) : p.next();
    const noArms = p.pos === bodyEnd + 1;
    if (text === "try" && noArms && k.kind === "keyword" && k.text === "delegate") {
      scope.labels.pop();
      w.byte(0x18);
      w.u32(label(p, scope));
      return;
    }
    if (text === "if" && k.kind === "keyword" && k.text === "else") {
      closingLabel(p, lbl);
      elseBody(p, scope, w);
      k = p.next();
    }
    if (k.kind !== "keyword" || k.text !== "end") throw p.error("unexpected token", k);
    closingLabel(p, lbl);
    scope.labels.pop();
    w.byte(0x0b);
    return;
  }
  plainOp(p, scope, op, w);
}

function plainOp(p: Parser, scope: FuncScope, op: OpInfo, w: ByteWriter): void {
  if (op.imm === "blocktype") throw p.error("unexpected token");
  writeOpcode(op, w);
  IMMEDIATES[op.imm](p, scope, op, w);
}

/**
 * Parses one folded instruction `( ... )`, writing its code (operands first).
 *
 * @param p the parser, at the `(`
 * @param scope locals and labels in scope
 * @param w where the code goes
 */
export function parseFolded(p: Parser, scope: FuncScope, w: ByteWriter): void {
  const at = p.pos;
  const open = p.next();
  const t = p.next();
  if (t.kind !== "keyword") throw p.error("unexpected token", t);
  const text = t.text;
  const hint = takeBranchHint(p, at, text);
  const hintsFrom = p.hints?.length ?? 0;
  const op = text === "select" && p.atOpen("result") ? opByName("select_t")! : lookup(p, t);
  if (text === "try") {
    foldedTry(p, scope, w);
    return;
  }
  if ((op.imm === "blocktype" || op.imm === "try_table") && text !== "if") {
    const lbl = p.optId();
    writeOpcode(op, w);
    blockType(p, w);
    if (op.imm === "try_table") catchClauses(p, scope, w);
    scope.labels.push(lbl);
    parseInstrs(p, scope, w);
    scope.labels.pop();
    p.close();
    w.byte(0x0b);
    return;
  }
  if (text === "if") {
    const lbl = p.optId();
    const headStart = w.length;
    writeOpcode(op, w);
    blockType(p, w);
    const headEnd = w.length;
    // Conditions: folded instructions before (then ...), evaluated before `if`.
    while (p.peek()?.kind === "lparen" && !p.atOpen("then")) parseFolded(p, scope, w);
    headToEnd(p, w, headStart, headEnd, hintsFrom, hint);
    scope.labels.push(lbl);
    p.open("then");
    parseInstrs(p, scope, w);
    p.close();
    if (p.atOpen("else")) {
      p.pos += 2;
      elseBody(p, scope, w);
      p.close();
    }
    scope.labels.pop();
    p.close();
    w.byte(0x0b);
    return;
  }
  if (BLOCK_SEPARATORS.has(text)) throw p.error("unexpected token", t);
  const headStart = w.length;
  writeOpcode(op, w);
  IMMEDIATES[op.imm](p, scope, op, w);
  const headEnd = w.length;
  while (!p.atClose()) {
    const c = p.peek()!;
    if (c.kind !== "lparen") throw p.error("unexpected token", c);
    parseFolded(p, scope, w);
  }
  if (p.peek() === undefined) throw p.error("unexpected end of input", open);
  p.close();
  headToEnd(p, w, headStart, headEnd, hintsFrom, hint);
}

/**
 * Moves a folded instruction's head (opcode and immediates, written first)
 * after its operands, where it executes; the branch hints recorded inside
 * the operands move with the bytes, and the instruction's own hint (if any)
 * is recorded at its head's final offset.
 */
function headToEnd(
  p: Parser,
  w: ByteWriter,
  headStart: number,
  headEnd: number,
  hintsFrom: number,
  hint: number | undefined,
): void {
  w.moveToEnd(headStart, headEnd);
  const headLength = headEnd - headStart;
  const hints = p.hints;
  if (hints === undefined) return;
  for (let k = hintsFrom; k < hints.length; k++) {
    if (hints[k][0] >= headEnd) hints[k][0] -= headLength;
  }
  if (hint !== undefined) hints.push([w.length - headLength, hint]);
}

/**
 * Parses a folded legacy `try` after its keyword: `label? blocktype (do
 * instr*) (catch x instr*)* (catch_all instr*)?` or `... (do instr*)
 * (delegate l)`, and the closing `)`.
 */
function foldedTry(p: Parser, scope: FuncScope, w: ByteWriter): void {
  const lbl = p.optId();
  w.byte(0x06);
  blockType(p, w);
  scope.labels.push(lbl);
  p.open("do");
  parseInstrs(p, scope, w);
  p.close();
  let arms = 0;
  let all = false; // no arm after catch_all
  while (!all && (p.atOpen("catch") || p.atOpen("catch_all"))) {
    arms++;
    p.pos++;
    const k = p.next();
    all = k.text === "catch_all";
    w.byte(k.text === "catch" ? 0x07 : 0x19);
    if (k.text === "catch") w.u32(p.index("tag"));
    parseInstrs(p, scope, w);
    p.close();
  }
  scope.labels.pop();
  if (arms === 0 && p.atOpen("delegate")) {
    p.pos += 2;
    w.byte(0x18);
    w.u32(label(p, scope));
    p.close();
  } else {
    w.byte(0x0b);
  }
  p.close();
}

/**
 * Parses a constant expression's instructions up to the closing `)` and writes
 * them followed by `end`.
 *
 * @param p the parser
 * @param w where the code goes
 */
export function parseConstExpr(p: Parser, w: ByteWriter): void {
  parseInstrs(p, { locals: new Map(), labels: [] }, w);
  if (!p.atClose()) throw p.error("unexpected token");
  w.byte(0x0b);
}
