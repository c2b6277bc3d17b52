/**
 * WebAssembly text modules (`.wat`) → binary modules. {@link parseWat} is the
 * entry point; {@link parseModuleAt} parses one `(module ...)` inside a larger
 * token stream (as scripts need).
 *
 * A module is parsed in two passes over its fields, each dispatched from the
 * {@link FIELDS} table (one entry per field keyword, so a later proposal adds a
 * field by adding an entry): `declare` gives every `$id` its index and records
 * the explicit types; `emit` then parses each field fully, in text order, into
 * the section being built. All abbreviations are expanded here: inline
 * imports/exports, inline type uses (implicit types appended in order), inline
 * `(elem ...)` in tables and `(data ...)` in memories, `(offset ...)` or a bare
 * folded offset, `(item ...)` or a bare folded element expression.
 *
 * Invariants:
 * - By default the output is byte-identical to what wat2wasm writes for the
 *   same text (no `name` section): sections in the binary order, empty ones left out,
 *   the data count section only when `memory.init` or `data.drop` is used,
 *   element segments in the shortest of their encodings as wabt chooses it.
 * - No validation beyond what the text grammar requires: an invalid module
 *   (type errors, out-of-range numeric indices) is encoded as written.
 * - With `{ names: true }` a `name` custom section follows every other
 *   section, holding only the `$id`s written (without the `$`): the module's,
 *   every named function's (imports included) and every named param's and
 *   local's (imported functions' params included).
 *
 * @module
 */

import { ByteWriter } from "./_bytes.ts";
import { tokenize } from "./lexer.ts";
import type { Token } from "./lexer.ts";
import { Parser } from "./_parser.ts";
import type { Space } from "./_parser.ts";
import { type FuncScope, parseConstExpr, parseFolded, parseInstrs } from "./instructions.ts";
import { HeapType, isDefaultable, refType, ValType } from "../types.ts";
import { PAGE_SIZE } from "../limits.ts";
import { encodeNameSection } from "./_name_section.ts";

/** Options of {@link parseWat}. */
export interface WatOptions {
  /**
   * Append a `name` custom section with the module's, functions' and locals'
   * `$id`s, so backtraces can name them. Default false (the output then
   * matches wat2wasm without `--debug-names` byte for byte).
   */
  readonly names?: boolean;
}

/** A section being built: its entries' bytes and how many there are. */
class Section {
  readonly w = new ByteWriter();
  count = 0;
}

/** An element segment, ready to encode. */
interface ElemSeg {
  mode: "active" | "passive" | "declare";
  table: number;
  offset: Uint8Array | undefined;
  type: number;
  /** Each item as a constant expression (with its `end`). */
  items: Uint8Array[];
}

/** An export as parsed, kept until the module's end (for the export types of scripts). */
export interface ParsedExport {
  /** The export name (UTF-8). */
  readonly name: string;
  /** 0 func, 1 table, 2 memory, 3 global. */
  readonly kind: number;
  /** The index in that kind's index space. */
  readonly index: number;
}

/** The result of parsing one module. */
export interface ParsedModule {
  /** The binary module. */
  readonly bytes: Uint8Array<ArrayBuffer>;
  /** The module's `$name`, if it has one. */
  readonly id: string | undefined;
  /** The result types of each exported function, by export name. */
  readonly funcResults: ReadonlyMap<string, readonly number[]>;
  /** The type of each exported global, by export name. */
  readonly globalTypes: ReadonlyMap<string, number>;
}

/** The state of one module being built. */
class ModuleBuilder {
  readonly imports = new Section();
  readonly funcs = new Section();
  readonly tables = new Section();
  readonly memories = new Section();
  readonly globals = new Section();
  readonly tags = new Section();
  /** Tags so far, imported and defined (the next tag's index). */
  numTags = 0;
  readonly exports = new Section();
  readonly elems: ElemSeg[] = [];
  readonly datas = new Section();
  readonly code = new Section();
  start: number | undefined;
  /** Kind of the latest definition (for "import after ..."). */
  lastDef: string | undefined;
  readonly exportList: ParsedExport[] = [];
  readonly globalTypes: number[] = [];
  /** Imports emitted so far, by kind code. */
  readonly importCounts = [0, 0, 0, 0];
  /**
   * Whether a table has a non-nullable element type: then a `funcref`
   * segment of `ref.func` items keeps its type (the short encoding would
   * make it `(ref func)`, valid where the text is not).
   */
  nonNullTable = false;
  /**
   * Local names by function index (params included), collected only when a
   * name section is wanted.
   */
  readonly localNames: Map<number, Map<number, string>> | undefined;

  constructor(readonly p: Parser, names: boolean) {
    this.localNames = names ? new Map() : undefined;
  }

  /** Records the named params of function `func` (when collecting names). */
  paramNames(func: number, paramIds: readonly (string | undefined)[]): void {
    if (this.localNames === undefined) return;
    const map = new Map<number, string>();
    paramIds.forEach((id, i) => {
      if (id !== undefined) map.set(i, id.slice(1));
    });
    if (map.size > 0) this.localNames.set(func, map);
  }

  /** Records an import in pass 1, checking it precedes all definitions. */
  importSeen(tok: Token | undefined): void {
    if (this.lastDef !== undefined) throw this.p.error(`import after ${this.lastDef}`, tok);
  }
}

/** A module field: what pass 1 and pass 2 do with it (cursor after its keyword). */
interface FieldParser {
  declare(m: ModuleBuilder): void;
  emit(m: ModuleBuilder, close: number): void;
}

const KIND_CODE: Record<string, number> = { func: 0, table: 1, memory: 2, global: 3, tag: 4 };
const DEF_NAME: Record<string, string> = {
  func: "function",
  table: "table",
  memory: "memory",
  global: "global",
  tag: "tag",
};

/** An entity kind with its own index space. */
type EntityKind = "func" | "table" | "memory" | "global" | "tag";

/** Pass 1 for func/table/memory/global/tag: declare it; returns whether it is an inline import. */
function declareEntity(m: ModuleBuilder, kind: EntityKind): boolean {
  const p = m.p;
  const idTok = p.peek();
  const id = p.optId();
  while (p.atOpen("export")) p.skipSexpr();
  const isImport = p.atOpen("import");
  if (isImport) m.importSeen(p.peek());
  p.declare(kind, id, idTok);
  if (!isImport) m.lastDef = DEF_NAME[kind];
  return isImport;
}

/** Pass 2: the inline exports of an entity. */
function inlineExports(m: ModuleBuilder, kind: EntityKind, index: number) {
  const p = m.p;
  while (p.atOpen("export")) {
    p.pos += 2;
    const name = p.name();
    p.close();
    addExport(m, name, KIND_CODE[kind], index);
  }
}

function addExport(m: ModuleBuilder, name: Uint8Array, kind: number, index: number) {
  const s = new TextDecoder().decode(name);
  m.exports.w.name(name);
  m.exports.w.byte(kind);
  m.exports.w.u32(index);
  m.exports.count++;
  m.exportList.push({ name: s, kind, index });
}

/** Pass 2: an inline `(import "m" "n")`; writes the import head, returns whether present. */
function inlineImport(m: ModuleBuilder, kind: number): boolean {
  const p = m.p;
  if (!p.atOpen("import")) return false;
  p.pos += 2;
  const mod = p.name();
  const field = p.name();
  p.close();
  m.imports.w.name(mod);
  m.imports.w.name(field);
  m.imports.w.byte(kind);
  m.imports.count++;
  return true;
}

/**
 * Parses limits: an optional address type (`i32`, `i64`), a minimum, an
 * optional maximum and, for a memory, an optional `shared` and `(pagesize n)`; writes
 * them with their flag byte.
 */
function limits(p: Parser, w: ByteWriter, memory = false): void {
  const is64 = addressType(p);
  const min = limit(p, is64, memory);
  const max = p.atU32() ? limit(p, is64, memory) : undefined;
  const shared = memory && p.optKeyword("shared");
  const log2 = memory ? pageSize(p) : -1;
  w.byte((max !== undefined ? 1 : 0) | (shared ? 2 : 0) | (is64 ? 4 : 0) | (log2 >= 0 ? 8 : 0));
  w.u64(min);
  if (max !== undefined) w.u64(max);
  if (log2 >= 0) w.u32(log2);
}

/**
 * Parses one limit: a u64 literal. With 32-bit addresses a value of 2^32 or
 * more has no binary encoding; it is the validator's error, raised here in
 * its words ("memory size ...", "table size ...").
 */
function limit(p: Parser, is64: boolean, memory: boolean): bigint {
  const t = p.peek();
  const v = p.unsigned(64);
  if (!is64 && v > 0xffffffffn) {
    throw p.error(
      // (2.0's wording first: the literal is out of the i32 range)
      memory
        ? "i32 constant out of range: memory size must be at most 4 GiB"
        : "i32 constant out of range: table size must be at most 2^32-1",
      t,
    );
  }
  return v;
}

/** Consumes an optional address type: whether it is `i64`. */
/** Consumes an optional address type: whether it is `i64`. */
function addressType(p: Parser): boolean {
  if (p.optKeyword("i64")) return true;
  p.optKeyword("i32");
  return false;
}

/** Parses an optional `(pagesize n)`: log2 of n, or -1 when absent. */
function pageSize(p: Parser): number {
  if (!p.atOpen("pagesize")) return -1;
  p.pos += 2;
  const t = p.peek();
  const n = p.unsigned(64);
  if (n === 0n || (n & (n - 1n)) !== 0n) throw p.error("invalid custom page size", t);
  p.close();
  return n.toString(2).length - 1;
}

function globalType(p: Parser, w: ByteWriter): number {
  if (p.atOpen("mut")) {
    p.pos += 2;
    const t = p.valType();
    p.close();
    w.valType(t);
    w.byte(1);
    return t;
  }
  const t = p.valType();
  w.valType(t);
  w.byte(0);
  return t;
}

/** Parses an offset: `(offset instr*)` or one folded instruction. */
function offsetExpr(p: Parser): Uint8Array {
  const w = new ByteWriter();
  if (p.atOpen("offset")) {
    p.pos += 2;
    parseConstExpr(p, w);
    p.close();
    return w.bytes();
  }
  const t = p.peek();
  if (t === undefined || t.kind !== "lparen") throw p.error("unexpected token");
  parseFolded(p, { locals: new Map(), labels: [] }, w);
  w.byte(0x0b);
  return w.bytes();
}

/** Parses an element expression: `(item instr*)` or one folded instruction. */
function elemExpr(p: Parser): Uint8Array {
  if (p.atOpen("item")) {
    p.pos += 2;
    const w = new ByteWriter();
    parseConstExpr(p, w);
    p.close();
    return w.bytes();
  }
  return offsetExpr(p);
}

function refFuncExpr(index: number): Uint8Array {
  const w = new ByteWriter();
  w.byte(0xd2);
  w.u32(index);
  w.byte(0x0b);
  return w.bytes();
}

/** The element type of `func idx*`: `(ref func)`. */
const REF_FUNC = refType(HeapType.func, false);

/**
 * Whether a segment of this type may use the short encodings (function
 * indices), which give the type `(ref func)`: one of that type, or (as
 * wat2wasm writes it) a `funcref` one in a module with no non-nullable table,
 * where the two types validate alike.
 */
function isFuncElemKind(type: number, funcrefToo: boolean): boolean {
  return type === REF_FUNC || (funcrefToo && type === ValType.funcref);
}

/** Parses an element list: `func idx*`, `reftype expr*`, or (legacy) `idx*`. */
function elemList(p: Parser, seg: ElemSeg, allowBareIndices: boolean): void {
  if (p.optKeyword("func")) {
    seg.type = REF_FUNC;
    while (p.atIndex()) seg.items.push(refFuncExpr(p.index("func")));
    return;
  }
  if (p.atRefType()) {
    seg.type = p.refType();
    while (!p.atClose()) seg.items.push(elemExpr(p));
    return;
  }
  if (!allowBareIndices) throw p.error("unexpected token");
  seg.type = REF_FUNC;
  while (p.atIndex()) seg.items.push(refFuncExpr(p.index("func")));
}

/** If `expr` is exactly `ref.func x end`, returns `x`. */
function asRefFunc(expr: Uint8Array): number | undefined {
  if (expr[0] !== 0xd2) return undefined;
  let v = 0;
  let shift = 0;
  let i = 1;
  while (i < expr.length) {
    const b = expr[i++];
    v += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if ((b & 0x80) === 0) break;
  }
  return i === expr.length - 1 && expr[i] === 0x0b ? v : undefined;
}

function encodeElem(seg: ElemSeg, w: ByteWriter, funcrefToo: boolean): void {
  // the short encodings (a function index per item) give the type (ref func)
  const short = isFuncElemKind(seg.type, funcrefToo);
  const funcs = short ? seg.items.map(asRefFunc) : [undefined];
  const useExprs = funcs.some((f) => f === undefined);
  let flags = 0;
  if (seg.mode === "passive") flags = 1;
  else if (seg.mode === "declare") flags = 3;
  // an active segment names its table (and type) unless it is table 0's and
  // its type is the one its encoding implies
  else if (seg.table !== 0 || (useExprs && seg.type !== ValType.funcref)) flags = 2;
  if (useExprs) flags |= 4;
  w.byte(flags);
  if (seg.mode === "active" && (flags & 2) !== 0) w.u32(seg.table);
  if (seg.mode === "active") w.raw(seg.offset!);
  if ((flags & 3) !== 0) {
    if (useExprs) w.valType(seg.type);
    else w.byte(0);
  }
  w.u32(seg.items.length);
  if (useExprs) { for (const e of seg.items) w.raw(e); }
  else for (const f of funcs) w.u32(f!);
}

/** Parses the locals and body of defined function `func` into a code entry. */
function funcBody(m: ModuleBuilder, func: number, paramIds: (string | undefined)[]): void {
  const p = m.p;
  const locals = new Map<string, number>();
  let n = 0;
  const dupCheck = (id: string | undefined, tok: Token | undefined) => {
    if (id === undefined) return;
    if (locals.has(id)) throw p.error("duplicate local", tok);
    locals.set(id, n);
  };
  for (const id of paramIds) {
    dupCheck(id, p.peek());
    n++;
  }
  const localTypes: number[] = [];
  while (p.atOpen("local")) {
    p.pos += 2;
    const idTok = p.peek();
    const id = p.optId();
    if (id !== undefined) {
      dupCheck(id, idTok);
      localTypes.push(p.valType());
      n++;
    } else {
      while (!p.atClose()) {
        localTypes.push(p.valType());
        n++;
      }
    }
    p.close();
  }
  const body = new ByteWriter();
  const groups: [number, number][] = [];
  for (const t of localTypes) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last[1] === t) last[0]++;
    else groups.push([1, t]);
  }
  body.u32(groups.length);
  for (const [count, t] of groups) {
    body.u32(count);
    body.valType(t);
  }
  const scope: FuncScope = { locals, labels: [] };
  parseInstrs(p, scope, body);
  if (!p.atClose()) throw p.error("unexpected token");
  body.byte(0x0b);
  m.code.w.sized(body);
  m.code.count++;
  if (m.localNames !== undefined && locals.size > 0) {
    const names = new Map<number, string>();
    for (const [id, i] of locals) names.set(i, id.slice(1));
    m.localNames.set(func, names);
  }
}

/** The module fields, by keyword. */
export const FIELDS: Record<string, FieldParser> = {
  type: {
    declare(m) {
      const p = m.p;
      const idTok = p.peek();
      const id = p.optId();
      if (p.atOpen("cont")) {
        // A continuation type: `(cont $ft)` ($ft may be named ahead).
        p.open("cont");
        const ft = p.index("type");
        p.close();
        p.declare("type", id, idTok);
        p.types.push({ params: [], results: [], cont: ft });
        return;
      }
      p.open("func");
      p.optId();
      const { sig } = p.inlineSig(true);
      p.close();
      p.declare("type", id, idTok);
      p.types.push(sig);
    },
    emit(m, close) {
      m.p.pos = close;
    },
  },
  import: {
    declare(m) {
      const p = m.p;
      m.importSeen(p.toks[p.pos - 2]);
      p.name();
      p.name();
      const t = p.next();
      const k = p.next();
      if (t.kind !== "lparen" || k.kind !== "keyword" || !(k.text in KIND_CODE)) {
        throw p.error("unexpected token", k);
      }
      const idTok = p.peek();
      p.declare(k.text as Space, p.optId(), idTok);
    },
    emit(m) {
      const p = m.p;
      const mod = p.name();
      const field = p.name();
      const t = p.next();
      const k = p.next();
      if (t.kind !== "lparen" || k.kind !== "keyword") throw p.error("unexpected token", k);
      p.optId();
      const w = m.imports.w;
      w.name(mod);
      w.name(field);
      w.byte(KIND_CODE[k.text]);
      m.imports.count++;
      importDesc(m, k.text);
      p.close();
    },
  },
  func: {
    declare(m) {
      declareEntity(m, "func");
    },
    emit(m) {
      const p = m.p;
      p.optId();
      const index = p.funcTypes.length;
      inlineExports(m, "func", index);
      if (inlineImport(m, 0)) {
        importDesc(m, "func");
        return;
      }
      const use = p.typeUse(true);
      p.funcTypes.push(use.index);
      m.funcs.w.u32(use.index);
      m.funcs.count++;
      funcBody(m, index, use.paramIds);
    },
  },
  table: {
    declare(m) {
      if (declareEntity(m, "table")) return;
      const p = m.p;
      const save = p.pos;
      addressType(p);
      const inline = p.atRefType();
      p.pos = save;
      if (inline) {
        // `(table reftype (elem ...))` also defines an element segment.
        p.declare("elem", undefined);
      }
    },
    emit(m) {
      const p = m.p;
      p.optId();
      const index = m.tables.count + countImports(m, 1);
      inlineExports(m, "table", index);
      if (inlineImport(m, 1)) {
        importDesc(m, "table");
        return;
      }
      const w = m.tables.w;
      m.tables.count++;
      const save = p.pos;
      const is64 = addressType(p);
      if (p.atRefType()) {
        const type = p.refType();
        p.open("elem");
        const seg: ElemSeg = {
          mode: "active",
          table: index,
          offset: new Uint8Array([is64 ? 0x42 : 0x41, 0x00, 0x0b]),
          type,
          items: [],
        };
        if (p.atIndex() || p.atClose()) {
          while (p.atIndex()) seg.items.push(refFuncExpr(p.index("func")));
        } else {
          while (!p.atClose()) seg.items.push(elemExpr(p));
        }
        p.close();
        m.elems.push(seg);
        w.valType(type);
        w.byte(is64 ? 5 : 1);
        w.u32(seg.items.length);
        w.u32(seg.items.length);
        return;
      }
      p.pos = save;
      const lw = new ByteWriter();
      limits(p, lw);
      const type = p.refType();
      if (!isDefaultable(type)) m.nonNullTable = true;
      if (p.atClose()) {
        w.valType(type);
        w.raw(lw.view());
        return;
      }
      // A table with an initialiser expression: 0x40 0x00 tabletype expr.
      w.byte(0x40);
      w.byte(0x00);
      w.valType(type);
      w.raw(lw.view());
      parseConstExpr(p, w);
    },
  },
  memory: {
    declare(m) {
      if (declareEntity(m, "memory")) return;
      if (m.p.atOpen("data")) m.p.declare("data", undefined);
    },
    emit(m) {
      const p = m.p;
      p.optId();
      const index = m.memories.count + countImports(m, 2);
      inlineExports(m, "memory", index);
      if (inlineImport(m, 2)) {
        importDesc(m, "memory");
        return;
      }
      m.memories.count++;
      const save = p.pos;
      const is64 = addressType(p);
      const log2 = pageSize(p);
      if (p.atOpen("data")) {
        p.pos += 2;
        const bytes = new ByteWriter();
        while (!p.atClose()) bytes.raw(p.string());
        p.close();
        const pages = Math.ceil(bytes.length / (log2 >= 0 ? 2 ** log2 : PAGE_SIZE));
        m.memories.w.byte(1 | (is64 ? 4 : 0) | (log2 >= 0 ? 8 : 0));
        m.memories.w.u32(pages);
        m.memories.w.u32(pages);
        if (log2 >= 0) m.memories.w.u32(log2);
        const d = m.datas.w;
        if (index === 0) d.byte(0);
        else {
          d.byte(2);
          d.u32(index);
        }
        d.raw(new Uint8Array([is64 ? 0x42 : 0x41, 0x00, 0x0b]));
        d.sized(bytes);
        m.datas.count++;
        return;
      }
      p.pos = save;
      limits(p, m.memories.w, true);
    },
  },
  global: {
    declare(m) {
      declareEntity(m, "global");
    },
    emit(m) {
      const p = m.p;
      p.optId();
      const index = m.globalTypes.length;
      inlineExports(m, "global", index);
      if (inlineImport(m, 3)) {
        importDesc(m, "global");
        return;
      }
      m.globalTypes.push(globalType(p, m.globals.w));
      parseConstExpr(p, m.globals.w);
      m.globals.count++;
    },
  },
  tag: {
    declare(m) {
      declareEntity(m, "tag");
    },
    emit(m) {
      const p = m.p;
      p.optId();
      inlineExports(m, "tag", m.numTags);
      if (inlineImport(m, 4)) {
        importDesc(m, "tag");
        return;
      }
      m.tags.w.byte(0); // an exception
      m.tags.w.u32(p.typeUse(false).index);
      m.tags.count++;
      m.numTags++;
    },
  },
  export: {
    declare() {},
    emit(m) {
      const p = m.p;
      const name = p.name();
      const t = p.next();
      const k = p.next();
      if (t.kind !== "lparen" || k.kind !== "keyword" || !(k.text in KIND_CODE)) {
        throw p.error("unexpected token", k);
      }
      const index = p.index(k.text as Space);
      p.close();
      addExport(m, name, KIND_CODE[k.text], index);
    },
  },
  start: {
    declare() {},
    emit(m) {
      const p = m.p;
      if (m.start !== undefined) throw p.error("multiple start sections", p.toks[p.pos - 1]);
      m.start = p.index("func");
    },
  },
  elem: {
    declare(m) {
      const idTok = m.p.peek();
      m.p.declare("elem", m.p.optId(), idTok);
    },
    emit(m) {
      const p = m.p;
      p.optId();
      const seg: ElemSeg = {
        mode: "passive",
        table: 0,
        offset: undefined,
        type: ValType.funcref,
        items: [],
      };
      if (p.optKeyword("declare")) {
        seg.mode = "declare";
        elemList(p, seg, false);
      } else if ((p.peek()?.kind === "lparen" && !p.atRefType()) || p.atIndex()) {
        seg.mode = "active";
        if (p.atOpen("table")) {
          p.pos += 2;
          seg.table = p.index("table");
          p.close();
        } else if (p.atIndex()) {
          seg.table = p.index("table");
        }
        seg.offset = offsetExpr(p);
        elemList(p, seg, true);
      } else {
        elemList(p, seg, false);
      }
      m.elems.push(seg);
    },
  },
  data: {
    declare(m) {
      const idTok = m.p.peek();
      m.p.declare("data", m.p.optId(), idTok);
    },
    emit(m) {
      const p = m.p;
      p.optId();
      const d = m.datas.w;
      if (p.peek()?.kind === "lparen" || p.atIndex()) {
        let mem = 0;
        if (p.atOpen("memory")) {
          p.pos += 2;
          mem = p.index("memory");
          p.close();
        } else if (p.atIndex()) {
          mem = p.index("memory");
        }
        const offset = offsetExpr(p);
        if (mem === 0) d.byte(0);
        else {
          d.byte(2);
          d.u32(mem);
        }
        d.raw(offset);
      } else {
        d.byte(1);
      }
      const bytes = new ByteWriter();
      while (!p.atClose()) bytes.raw(p.string());
      d.sized(bytes);
      m.datas.count++;
    },
  },
};

/** How many imports of a kind have been emitted so far. */
function countImports(m: ModuleBuilder, kind: number): number {
  return m.importCounts[kind];
}

/** Writes an import's description (after its kind byte) and counts it. */
function importDesc(m: ModuleBuilder, kind: string): void {
  const p = m.p;
  const w = m.imports.w;
  switch (kind) {
    case "func": {
      const use = p.typeUse(true);
      m.paramNames(p.funcTypes.length, use.paramIds);
      p.funcTypes.push(use.index);
      w.u32(use.index);
      m.importCounts[0]++;
      break;
    }
    case "table": {
      const lw = new ByteWriter();
      limits(p, lw);
      const type = p.refType();
      if (!isDefaultable(type)) m.nonNullTable = true;
      w.valType(type);
      w.raw(lw.view());
      m.importCounts[1]++;
      break;
    }
    case "memory":
      limits(p, w, true);
      m.importCounts[2]++;
      break;
    case "global":
      m.globalTypes.push(globalType(p, w));
      m.importCounts[3]++;
      break;
    case "tag":
      w.byte(0); // an exception
      w.u32(p.typeUse(false).index);
      m.numTags++;
      break;
    default:
      throw p.error("unexpected token");
  }
}

/**
 * Parses the fields of one module, from the cursor up to token index `end`
 * (exclusive), and encodes it.
 *
 * @param p a parser positioned at the first field
 * @param end index of the token after the last field
 * @param id the module's `$name`, if any
 * @param options whether to append a `name` section
 * @returns the binary module and what scripts need to know of its exports
 */
export function parseModuleFields(
  p: Parser,
  end: number,
  id?: string,
  options: WatOptions = {},
): ParsedModule {
  const m = new ModuleBuilder(p, options.names === true);
  scanTypeIds(p, end);
  const fields: [FieldParser, number, number][] = [];
  let stray: number | undefined;
  while (p.pos < end) {
    const t = p.peek()!;
    const k = p.peek(1);
    if (t.kind === "rparen") {
      // Report it after the fields before it, which may hold an earlier error.
      stray = p.pos;
      break;
    }
    if (t.kind !== "lparen" || k === undefined || k.kind !== "keyword") {
      throw p.error("unexpected token", t.kind === "lparen" ? k : t);
    }
    const field = Object.hasOwn(FIELDS, k.text) ? FIELDS[k.text] : undefined;
    if (field === undefined) throw p.error("unexpected token", k);
    p.pos += 2;
    fields.push([field, p.pos, t.match]);
    field.declare(m);
    p.pos = t.match + 1;
  }
  for (const [field, start, close] of fields) {
    p.pos = start;
    field.emit(m, close);
    if (p.pos !== close) throw p.error("unexpected token");
    p.pos = close + 1;
  }
  if (stray !== undefined) throw p.error("unexpected token", p.toks[stray]);
  return { bytes: assemble(m, id), id, ...exportTypes(m) };
}

/**
 * Records the `$id` of every `(type $id ...)` field up to `end`, in order,
 * without moving the cursor, so reference types may name later types.
 */
function scanTypeIds(p: Parser, end: number): void {
  let index = 0;
  for (let i = p.pos; i < end;) {
    const t = p.toks[i];
    if (t.kind !== "lparen") break;
    const k = p.toks[i + 1];
    if (k?.kind === "keyword" && k.text === "type") {
      const id = p.toks[i + 2];
      if (id?.kind === "id" && !p.typeIdsAhead.has(id.text)) p.typeIdsAhead.set(id.text, index);
      index++;
    }
    i = t.match + 1;
  }
}

function exportTypes(m: ModuleBuilder) {
  const funcResults = new Map<string, readonly number[]>();
  const globalTypes = new Map<string, number>();
  for (const e of m.exportList) {
    if (e.kind === 0) {
      const sig = m.p.types[m.p.funcTypes[e.index]];
      if (sig !== undefined) funcResults.set(e.name, sig.results);
    } else if (e.kind === 3) {
      const t = m.globalTypes[e.index];
      if (t !== undefined) globalTypes.set(e.name, t);
    }
  }
  return { funcResults, globalTypes };
}

function assemble(m: ModuleBuilder, id: string | undefined): Uint8Array<ArrayBuffer> {
  const p = m.p;
  const out = new ByteWriter();
  out.raw(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  const section = (id: number, s: Section) => {
    if (s.count === 0) return;
    const body = new ByteWriter();
    body.u32(s.count);
    body.raw(s.w.view());
    out.byte(id);
    out.sized(body);
  };
  const types = new Section();
  for (const t of p.types) {
    if (t.cont !== undefined) {
      types.w.byte(0x5d);
      types.w.s64(BigInt(t.cont));
      types.count++;
      continue;
    }
    types.w.byte(0x60);
    types.w.u32(t.params.length);
    for (const v of t.params) types.w.valType(v);
    types.w.u32(t.results.length);
    for (const v of t.results) types.w.valType(v);
    types.count++;
  }
  section(1, types);
  section(2, m.imports);
  section(3, m.funcs);
  section(4, m.tables);
  section(5, m.memories);
  section(13, m.tags);
  section(6, m.globals);
  section(7, m.exports);
  if (m.start !== undefined) {
    const body = new ByteWriter();
    body.u32(m.start);
    out.byte(8);
    out.sized(body);
  }
  const elems = new Section();
  for (const e of m.elems) encodeElem(e, elems.w, !m.nonNullTable);
  elems.count = m.elems.length;
  section(9, elems);
  if (p.usesDataCount && m.datas.count > 0) {
    const body = new ByteWriter();
    body.u32(m.datas.count);
    out.byte(12);
    out.sized(body);
  }
  section(10, m.code);
  section(11, m.datas);
  if (m.localNames !== undefined) {
    const functions = new Map<number, string>();
    for (const [name, i] of p.spaces.func.ids) functions.set(i, name.slice(1));
    out.raw(encodeNameSection({ module: id?.slice(1), functions, locals: m.localNames }));
  }
  return out.bytes();
}

/**
 * Parses a `(module $id? field*)` whose `(` is at the cursor.
 *
 * @param outer a parser positioned at the module's `(`
 * @param options whether to append a `name` section
 * @param definition whether `module` is followed by the script keyword `definition`
 * @returns the parsed module; the cursor is after its `)`
 */
export function parseModuleAt(
  outer: Parser,
  options: WatOptions = {},
  definition = false,
): ParsedModule {
  const p = new Parser(outer.source, outer.toks);
  p.pos = outer.pos;
  const open = p.next();
  p.next(); // "module"
  if (definition) p.next(); // "definition", in a script's `(module definition ...)`
  const id = p.optId();
  const mod = parseModuleFields(p, open.match, id, options);
  outer.pos = open.match + 1;
  return mod;
}

/**
 * Parses a WebAssembly text module into its binary encoding. The text may be
 * one `(module ...)` or, as the spec allows, just the module's fields.
 *
 * @param source the text of the module
 * @param options `{ names: true }` appends a `name` custom section with the
 *   `$id`s written (module, functions, params and locals)
 * @returns the binary module, byte-identical to what wat2wasm writes (without
 *   `--debug-names`) when no name section is asked for
 * @throws {TextError} (a `CompileError`) for malformed text, with the spec's
 *   wording, line and column
 * @example
 * ```ts
 * import { parseWat } from "./wat.ts";
 * const bytes = parseWat('(module (func (export "one") (result i32) i32.const 1))');
 * if (!WebAssembly.validate(bytes)) throw new Error("invalid");
 * const named = parseWat("(module $m (func $f))", { names: true });
 * if (named.length <= parseWat("(module $m (func $f))").length) throw new Error("no names");
 * ```
 */
export function parseWat(source: string, options: WatOptions = {}): Uint8Array<ArrayBuffer> {
  const toks = tokenize(source);
  const p = new Parser(source, toks);
  return guardDepth(p, () => {
    if (p.atOpen("module")) {
      const mod = parseModuleAt(p, options);
      if (p.pos < toks.length) throw p.error("unexpected token");
      return mod.bytes;
    }
    return parseModuleFields(p, toks.length, undefined, options).bytes;
  });
}

/**
 * Runs a parse, turning the JS engine's stack overflow on absurdly deep
 * nesting into a {@link TextError}, so no raw `RangeError` escapes.
 *
 * @param p the parser (its position names where the error is reported)
 * @param parse the parse to run
 * @returns what `parse` returns
 */
export function guardDepth<T>(p: Parser, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw p.error("nesting too deep");
    }
    throw e;
  }
}
