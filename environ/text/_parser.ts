/**
 * The shared state of the text-format parser: a cursor over the tokens, the
 * module's index spaces (with their `$id`s) and the type list, and the helpers
 * every part of the grammar uses (value types, type uses, indices, literals).
 *
 * Invariants:
 * - Index spaces are filled by the declaration pass before any reference is
 *   resolved, so forward references work; imports precede definitions
 *   textually (enforced), so an entity's index is its order of appearance.
 * - `types` holds the explicit type definitions first; implicit ones (from
 *   type uses without a `(type ...)`) are appended as they are met, in text
 *   order, reusing the first existing identical type.
 * - Every error is a {@link TextError} at the offending token.
 *
 * @module
 */

import { TextError } from "./text_error.ts";
import type { Annotation, Token } from "./lexer.ts";
import { HeapType, isRefType, refType, typeIndexRef, ValType } from "../types.ts";
import { opByName } from "../opcodes.ts";
import { parseF64, parseInteger, parseUnsigned } from "./numbers.ts";

/** The index spaces of a module. */
export type Space = "type" | "func" | "table" | "memory" | "global" | "elem" | "data" | "tag";

/**
 * A defined type as numbers (value-type encodings): a function signature,
 * or with GC a struct or array type, with its subtyping and recursion group
 * (the fields of `FuncType` in `../types.ts`).
 */
export interface Sig {
  /** Parameter types. */
  params: number[];
  /** Result types. */
  results: number[];
  /** Its kind; absent means a function type. */
  kind?: "struct" | "array" | "cont";
  /** A struct's fields or an array's element: storage type and mutability. */
  fields?: { type: number; mutable: boolean }[];
  /** False for a non-final type (`sub` without `final`); absent means final. */
  final?: boolean;
  /** The declared supertype's index, if any. */
  supertype?: number;
  /** The first index and size of its explicit `(rec ...)` group, if any. */
  rec?: { start: number; size: number };
  /** For a continuation type `(cont $ft)`: the index of `$ft` (params and results then empty). */
  cont?: number;
}

/** A resolved type use. */
export interface TypeUse {
  /** The type index. */
  index: number;
  /** The signature (empty when the index is out of range). */
  sig: Sig;
  /** Names of the inline parameters, if any were written. */
  paramIds: (string | undefined)[];
}

const VALTYPES: Record<string, number> = {
  i32: ValType.i32,
  i64: ValType.i64,
  f32: ValType.f32,
  f64: ValType.f64,
  v128: ValType.v128,
  funcref: ValType.funcref,
  externref: ValType.externref,
  exnref: ValType.exnref,
  nullfuncref: ValType.nullfuncref,
  nullexternref: ValType.nullexternref,
  nullexnref: ValType.nullexnref,
  anyref: ValType.anyref,
  eqref: ValType.eqref,
  i31ref: ValType.i31ref,
  structref: ValType.structref,
  arrayref: ValType.arrayref,
  nullref: ValType.nullref,
  contref: ValType.contref,
  nullcontref: ValType.nullcontref,
};

/** The abstract heap types, by their text names. */
const HEAP_TYPES: Record<string, number> = {
  func: HeapType.func,
  extern: HeapType.extern,
  exn: HeapType.exn,
  nofunc: HeapType.nofunc,
  noextern: HeapType.noextern,
  noexn: HeapType.noexn,
  any: HeapType.any,
  eq: HeapType.eq,
  i31: HeapType.i31,
  struct: HeapType.struct,
  array: HeapType.array,
  none: HeapType.none,
  cont: HeapType.cont,
  nocont: HeapType.nocont,
};

/** The spec's name of each index space in "unknown ..." / "duplicate ..." errors. */
const SPACE_NOUN: Record<Space, string> = {
  type: "type",
  func: "function",
  table: "table",
  memory: "memory",
  global: "global",
  elem: "elem segment",
  data: "data segment",
  tag: "tag",
};

/** One index space: how many entries, and the `$id` of each named one. */
class IndexSpace {
  count = 0;
  readonly ids = new Map<string, number>();
}

/** Cursor, module state and shared grammar helpers. */
export class Parser {
  /** Current token index. */
  pos = 0;
  /** The module's types: explicit first, then implicit ones as they are added. */
  readonly types: Sig[] = [];
  /** The index spaces. */
  readonly spaces: Record<Space, IndexSpace> = {
    type: new IndexSpace(),
    func: new IndexSpace(),
    table: new IndexSpace(),
    memory: new IndexSpace(),
    global: new IndexSpace(),
    elem: new IndexSpace(),
    data: new IndexSpace(),
    tag: new IndexSpace(),
  };
  /** Type index of every function (imported and defined), by function index. */
  readonly funcTypes: number[] = [];
  /** Whether `memory.init` or `data.drop` occurs (then a data count section is written). */
  usesDataCount = false;
  /**
   * The `$id` of every explicit type, found before the fields are declared,
   * so a type may be named before its definition (in a reference type).
   */
  readonly typeIdsAhead = new Map<string, number>();
  /** The `$id`s of struct fields, by type index. */
  readonly fieldIds = new Map<number, Map<string, number>>();

  /** The annotations that carry meaning, in source order (see `lexer.ts`). */
  readonly annotations: readonly Annotation[];
  /** Those a construct has taken; the rest are misplaced (see `_annotations.ts`). */
  readonly placed = new Set<Annotation>();
  /**
   * The branch hints of the function body being parsed: byte offset of the
   * hinted instruction in the body, and the hint.
   */
  hints: [number, number][] | undefined = undefined;

  /**
   * @param source the text being parsed (for error positions)
   * @param toks its tokens
   * @param annotations the annotations found in it
   */
  constructor(
    readonly source: string,
    readonly toks: Token[],
    annotations: readonly Annotation[] = [],
  ) {
    this.annotations = annotations;
  }

  /** A {@link TextError} at a token (default: the current one). */
  error(reason: string, tok: Token | undefined = this.toks[this.pos]): TextError {
    if (tok?.error !== undefined) {
      return new TextError(tok.error.reason, this.source, tok.error.offset);
    }
    const at = tok ? tok.start : this.source.length;
    if (reason === "unexpected token" && tok !== undefined && isReserved(tok)) {
      // The spec's lexer rejects reserved words (and malformed numbers) outright.
      reason = "unknown operator";
    }
    return new TextError(reason, this.source, at);
  }

  /** The token `k` ahead of the cursor. */
  peek(k = 0): Token | undefined {
    return this.toks[this.pos + k];
  }

  /** Takes the current token; fails at the end of input. */
  next(): Token {
    const t = this.toks[this.pos];
    if (t === undefined) throw this.error("unexpected end of input");
    this.pos++;
    return t;
  }

  /** Whether the cursor is at `(` followed by the keyword `kw` (or any keyword). */
  atOpen(kw?: string): boolean {
    const t = this.toks[this.pos];
    if (t === undefined || t.kind !== "lparen") return false;
    const k = this.toks[this.pos + 1];
    return k !== undefined && k.kind === "keyword" && (kw === undefined || k.text === kw);
  }

  /** Whether the cursor is at a `)` (or at the end). */
  atClose(): boolean {
    const t = this.toks[this.pos];
    return t === undefined || t.kind === "rparen";
  }

  /** Consumes `(` and the keyword `kw`. */
  open(kw: string): void {
    if (!this.atOpen(kw)) throw this.error("unexpected token");
    this.pos += 2;
  }

  /** Consumes a `)`. */
  close(): void {
    const t = this.toks[this.pos];
    if (t === undefined) throw this.error("unexpected end of input");
    if (t.kind !== "rparen") throw this.error("unexpected token");
    this.pos++;
  }

  /** Consumes and returns an `$id` if one is next. */
  optId(): string | undefined {
    const t = this.toks[this.pos];
    if (t !== undefined && t.kind === "id") {
      this.pos++;
      return t.text;
    }
    return undefined;
  }

  /** Consumes the keyword `kw` if it is next. */
  optKeyword(kw: string): boolean {
    const t = this.toks[this.pos];
    if (t !== undefined && t.kind === "keyword" && t.text === kw) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** Consumes a string token and returns its bytes. */
  string(): Uint8Array {
    const t = this.next();
    if (t.kind !== "string" || t.error !== undefined) throw this.error("unexpected token", t);
    return t.bytes!;
  }

  /** Consumes a string that must be valid UTF-8 (a name). */
  name(): Uint8Array {
    const t = this.peek();
    const b = this.string();
    try {
      UTF8.decode(b);
    } catch {
      throw this.error("malformed UTF-8 encoding", t);
    }
    return b;
  }

  /** Consumes an unsigned 32-bit literal. */
  u32(): number {
    const t = this.next();
    if (t.kind !== "atom") throw this.error("unexpected token", t);
    const v = parseUnsigned(t.text, 32);
    if (v === undefined) throw this.error("unexpected token", t);
    if (v === "range") throw this.error("i32 constant out of range", t);
    return Number(v);
  }

  /**
   * Consumes an unsigned integer literal of at most `bits` bits.
   *
   * @param bits 32 or 64
   * @returns its value
   */
  unsigned(bits: 32 | 64): bigint {
    const t = this.next();
    if (t.kind !== "atom") throw this.error("unexpected token", t);
    const v = parseUnsigned(t.text, bits);
    if (v === undefined) throw this.error("unexpected token", t);
    if (v === "range") throw this.error(`i${bits} constant out of range`, t);
    return v;
  }

  /** Whether the next token is an unsigned integer literal. */
  atU32(): boolean {
    const t = this.toks[this.pos];
    return t !== undefined && t.kind === "atom" && /^[0-9]/.test(t.text);
  }

  /** Consumes a value type: a keyword or `(ref null? heaptype)`. */
  valType(): number {
    if (this.atOpen("ref")) {
      this.pos += 2;
      const nullable = this.optKeyword("null");
      const t = this.heapType(nullable);
      this.close();
      return t;
    }
    const t = this.next();
    const v = t.kind === "keyword" && Object.hasOwn(VALTYPES, t.text)
      ? VALTYPES[t.text]
      : undefined;
    if (v === undefined) {
      // The spec's lexer knows every keyword and rejects any other word outright.
      throw this.error(isKnownKeyword(t) ? "unexpected token" : `unknown operator ${t.text}`, t);
    }
    return v;
  }

  /**
   * Consumes a heap type (an abstract one's name or a type index) and
   * returns the reference type to it.
   */
  heapType(nullable: boolean): number {
    const t = this.peek();
    if (t !== undefined && t.kind === "keyword" && Object.hasOwn(HEAP_TYPES, t.text)) {
      this.pos++;
      return refType(HEAP_TYPES[t.text], nullable);
    }
    if (!this.atIndex()) throw this.error("unexpected token", t);
    return typeIndexRef(this.index("type"), nullable);
  }

  /** Consumes a reference type. */
  refType(): number {
    const at = this.peek();
    const t = this.valType();
    if (!isRefType(t)) throw this.error("unexpected token", at);
    return t;
  }

  /** Whether the next token starts a reference type. */
  atRefType(): boolean {
    const t = this.toks[this.pos];
    if (t === undefined) return false;
    if (t.kind === "lparen") return this.atOpen("ref");
    return t.kind === "keyword" && Object.hasOwn(VALTYPES, t.text) && isRefType(VALTYPES[t.text]);
  }

  /** Declares a new entity in `space`; returns its index. */
  declare(space: Space, id: string | undefined, tok?: Token): number {
    const s = this.spaces[space];
    if (id !== undefined) {
      if (s.ids.has(id)) throw this.error(`duplicate ${space}`, tok);
      s.ids.set(id, s.count);
    }
    return s.count++;
  }

  /** Whether the next token is an index (a number or an `$id`). */
  atIndex(): boolean {
    const t = this.toks[this.pos];
    return t !== undefined && (t.kind === "id" || (t.kind === "atom" && /^[0-9]/.test(t.text)));
  }

  /** Consumes an index into `space` (a number or a known `$id`). */
  index(space: Space): number {
    const t = this.next();
    if (t.kind === "id") {
      const i = this.spaces[space].ids.get(t.text) ??
        (space === "type" ? this.typeIdsAhead.get(t.text) : undefined);
      if (i === undefined) throw this.error(`unknown ${SPACE_NOUN[space]}`, t);
      return i;
    }
    if (t.kind === "atom") {
      const v = parseUnsigned(t.text, 32);
      if (v === "range") throw this.error("constant out of range", t);
      if (v !== undefined) return Number(v);
    }
    throw this.error("unexpected token", t);
  }

  /** Consumes an index into `space` if one is next, else returns `dflt`. */
  optIndex(space: Space, dflt: number): number {
    return this.atIndex() ? this.index(space) : dflt;
  }

  /**
   * The index of the first type equal to `sig` (a final function type alone
   * in its group), appending it if there is none.
   */
  internType(sig: Sig): number {
    for (let i = 0; i < this.types.length; i++) {
      const t = this.types[i];
      const plain = t.kind === undefined && t.final !== false && t.supertype === undefined &&
        t.rec === undefined;
      if (plain && sameSig(t, sig)) return i;
    }
    this.types.push(sig);
    return this.types.length - 1;
  }

  /**
   * Parses `(param ...)*` and `(result ...)*` (the inline part of a type use
   * or a type definition).
   */
  inlineSig(allowParamIds: boolean): { sig: Sig; ids: (string | undefined)[]; any: boolean } {
    const params: number[] = [];
    const results: number[] = [];
    const ids: (string | undefined)[] = [];
    let any = false;
    while (this.atOpen("param")) {
      any = true;
      this.pos += 2;
      const idTok = this.peek();
      const id = this.optId();
      if (id !== undefined) {
        if (!allowParamIds) throw this.error("unexpected token", idTok);
        params.push(this.valType());
        ids.push(id);
        this.close();
        continue;
      }
      while (!this.atClose()) {
        params.push(this.valType());
        ids.push(undefined);
      }
      this.close();
    }
    while (this.atOpen("result")) {
      any = true;
      this.pos += 2;
      while (!this.atClose()) results.push(this.valType());
      this.close();
    }
    if (this.atOpen("param") || this.atOpen("type")) throw this.error("unexpected token");
    return { sig: { params, results }, ids, any };
  }

  /**
   * Parses a type use: `(type x)? (param ...)* (result ...)*`, resolving or
   * appending the implicit type.
   */
  typeUse(allowParamIds = true): TypeUse {
    if (this.atOpen("type")) {
      this.pos += 2;
      const t = this.peek();
      const index = this.index("type");
      this.close();
      const declared = this.types[index];
      const inline = this.inlineSig(allowParamIds);
      if (inline.any) {
        if (declared === undefined) throw this.error("unknown type", t);
        if (!sameSig(declared, inline.sig)) {
          throw this.error("inline function type", t);
        }
      }
      const sig = declared ?? { params: [], results: [] };
      return {
        index,
        sig,
        paramIds: inline.any ? inline.ids : sig.params.map(() => undefined),
      };
    }
    const inline = this.inlineSig(allowParamIds);
    return { index: this.internType(inline.sig), sig: inline.sig, paramIds: inline.ids };
  }

  /** Skips a balanced s-expression starting at the current `(`. */
  skipSexpr(): void {
    const t = this.toks[this.pos];
    if (t === undefined || t.kind !== "lparen") throw this.error("unexpected token");
    this.pos = t.match + 1;
  }
}

/** Whether two signatures are identical. */
export function sameSig(a: Sig, b: Sig): boolean {
  if (a.cont !== b.cont) return false;
  if (a.params.length !== b.params.length || a.results.length !== b.results.length) return false;
  for (let i = 0; i < a.params.length; i++) if (a.params[i] !== b.params[i]) return false;
  for (let i = 0; i < a.results.length; i++) if (a.results[i] !== b.results[i]) return false;
  return true;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/** The text format's keywords that are neither instructions nor types. */
const STRUCTURAL_KEYWORDS: ReadonlySet<string> = new Set([
  "module",
  "type",
  "func",
  "param",
  "result",
  "local",
  "global",
  "table",
  "memory",
  "elem",
  "data",
  "import",
  "export",
  "start",
  "offset",
  "item",
  "declare",
  "mut",
  "shared",
  "then",
  "ref",
  "null",
  "rec",
  "sub",
  "final",
  "struct",
  "array",
  "field",
  "tag",
  "do",
  "catch",
  "catch_ref",
  "catch_all",
  "catch_all_ref",
  "delegate",
  "binary",
  "quote",
  "definition",
  "instance",
  "pagesize",
  "i8",
  "i16",
  "cont",
  "on",
  "switch",
]);

/**
 * Whether a keyword token is one of the text format's words (an
 * instruction, a type, or a structural keyword), as opposed to a word the
 * spec's lexer rejects ("unknown operator").
 *
 * @param tok a token
 * @returns true for known keywords and for tokens that are not keywords
 */
function isKnownKeyword(tok: Token): boolean {
  if (tok.kind !== "keyword") return true;
  const w = tok.text;
  return Object.hasOwn(VALTYPES, w) || Object.hasOwn(HEAP_TYPES, w) ||
    STRUCTURAL_KEYWORDS.has(w) || opByName(w) !== undefined || w.includes("=");
}

/** Whether a token is a reserved word: not a keyword, id, string or number. */
export function isReserved(tok: Token): boolean {
  if (tok.kind === "reserved") return true;
  if (tok.kind !== "atom") return false;
  return parseInteger(tok.text, 64) === undefined && parseF64(tok.text) === undefined;
}
