/**
 * The lexer of the WebAssembly text format: source text → a flat array of
 * {@link Token}s, with each `(` linked to its matching `)`.
 *
 * Invariants:
 * - White space, line comments (`;;`), nested block comments (`(; ;)`) and
 *   annotations (`(@id ...)`, balanced) produce no tokens. The annotations
 *   the text format gives meaning to (`@custom`, `@name`,
 *   `@metadata.code.branch_hint`) are handed to the caller on the side, each
 *   with the index of the token that follows it and its own tokens.
 * - A token is a maximal run of identifier characters and strings with no
 *   white space inside. A run that is one string is a `string` token; a run of
 *   identifier characters is a `keyword` (starts with a lower-case letter), an
 *   `id` (`$` and at least one more character) or an `atom` (anything else:
 *   numbers and reserved words); a run mixing strings and other characters is
 *   `reserved` and always malformed where it is used.
 * - String tokens carry their decoded bytes; non-ASCII source characters are
 *   encoded as UTF-8. Escapes are checked here (`\u{...}` must be a Unicode
 *   scalar value), but a bad escape or a stray character does not stop the
 *   lexer: the token carries the `error`, raised when the parser uses it, so a
 *   malformed module inside a script fails alone.
 * - Every `lparen` token's `match` is the index of its `rparen`; unbalanced
 *   parentheses raise a {@link TextError}.
 *
 * @module
 */

import { TextError } from "./text_error.ts";

/** The kinds of token. */
export type TokenKind = "lparen" | "rparen" | "keyword" | "id" | "atom" | "string" | "reserved";

/** One token. */
export interface Token {
  /** What kind of token this is. */
  readonly kind: TokenKind;
  /** Index of its first character in the source. */
  readonly start: number;
  /** Index one past its last character. */
  readonly end: number;
  /** The source text of the token (for strings: including the quotes). */
  readonly text: string;
  /** For strings: the decoded bytes. */
  readonly bytes?: Uint8Array;
  /** For `lparen`: the index of the matching `rparen` token. */
  match: number;
  /** A problem inside the token (a bad escape, a stray character), raised when it is used. */
  readonly error?: TokenError;
}

// Identifier characters: 0-9 A-Z a-z and ! # $ % & ' * + - . / : < = > ? @ \ ^ _ ` | ~
const ID_CHAR = new Uint8Array(128);
for (let c = 0x30; c <= 0x39; c++) ID_CHAR[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) ID_CHAR[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) ID_CHAR[c] = 1;
for (const ch of "!#$%&'*+-./:<=>?@\\^_`|~") ID_CHAR[ch.charCodeAt(0)] = 1;

/** `,` `[` `]` `{` `}`: characters that may only appear in reserved tokens. */
function isReservedChar(c: number): boolean {
  return c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d;
}

/**
 * Whether a character code is an identifier character of the text format.
 *
 * @param c a UTF-16 code unit
 * @returns true for the characters allowed in keywords, ids and numbers
 */
export function isIdChar(c: number): boolean {
  return c < 128 && ID_CHAR[c] === 1;
}

/** An annotation the text format gives meaning to (see {@link KEPT_ANNOTATIONS}). */
export interface Annotation {
  /** Its id: `custom`, `name` or `metadata.code.branch_hint`. */
  readonly id: string;
  /** The index of the token after it (where it stands among the tokens). */
  readonly at: number;
  /** Index of its `(` in the source. */
  readonly start: number;
  /** The tokens between its id and its `)` (positions in the whole source). */
  readonly body: Token[];
}

/** The annotations {@link tokenize} hands to its caller; others are skipped. */
export const KEPT_ANNOTATIONS: ReadonlySet<string> = new Set([
  "custom",
  "name",
  "metadata.code.branch_hint",
]);

/**
 * Splits WebAssembly text into tokens.
 *
 * @param source the text of a module or script
 * @param annotations where to put the annotations that carry meaning (they
 *   are skipped when absent)
 * @returns the tokens, parentheses matched
 * @throws {TextError} on an unclosed string, comment or parenthesis
 * @example
 * ```ts
 * import { tokenize } from "./lexer.ts";
 * const toks = tokenize("(module (func $f))");
 * if (toks.length !== 7 || toks[0].match !== 6) throw new Error();
 * ```
 */
export function tokenize(source: string, annotations?: Annotation[]): Token[] {
  const tokens: Token[] = [];
  const open: number[] = [];
  const n = source.length;
  let i = 0;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    if (c === 0x3b /* ; */) {
      if (source.charCodeAt(i + 1) === 0x3b) {
        // A line comment ends at a newline: LF, CR or CR LF.
        while (i < n && source.charCodeAt(i) !== 0x0a && source.charCodeAt(i) !== 0x0d) i++;
        continue;
      }
      tokens.push({
        kind: "reserved",
        start: i,
        end: i + 1,
        text: ";",
        match: -1,
        error: { reason: "unexpected character", offset: i },
      });
      i++;
      continue;
    }
    if (c === 0x28 /* ( */) {
      const next = source.charCodeAt(i + 1);
      if (next === 0x3b /* ; */) {
        i = skipBlockComment(source, i);
        continue;
      }
      if (next === 0x40 /* @ */) {
        const start = i;
        i = skipAnnotation(source, i);
        if (annotations !== undefined) keepAnnotation(source, start, i, tokens.length, annotations);
        continue;
      }
      open.push(tokens.length);
      tokens.push({ kind: "lparen", start: i, end: i + 1, text: "(", match: -1 });
      i++;
      continue;
    }
    if (c === 0x29 /* ) */) {
      // A stray `)` is left for the parser to reject where it meets it, so
      // errors earlier in the text are reported first.
      const o = open.pop();
      if (o !== undefined) tokens[o].match = tokens.length;
      tokens.push({ kind: "rparen", start: i, end: i + 1, text: ")", match: -1 });
      i++;
      continue;
    }
    if (c === 0x22 /* " */ || isIdChar(c) || isReservedChar(c)) {
      const start = i;
      let strings = 0;
      let other = false;
      let reservedChars = false;
      let bytes: Uint8Array | undefined;
      let error: TokenError | undefined;
      let stringEnd = -1;
      while (i < n) {
        const d = source.charCodeAt(i);
        if (d === 0x22) {
          const s = readString(source, i);
          bytes = s.bytes;
          error ??= s.error;
          i = stringEnd = s.end;
          strings++;
        } else if (isIdChar(d)) {
          other = true;
          i++;
        } else if (isReservedChar(d)) {
          reservedChars = true;
          i++;
        } else {
          break;
        }
      }
      const text = source.slice(start, i);
      // `$` alone, or `$"name"` (an identifier written as a string); `$"a"b`
      // and the like are ordinary reserved tokens, below
      const quotedId = c === 0x24 && strings === 1 && source.charCodeAt(start + 1) === 0x22 &&
        stringEnd === i;
      if (c === 0x24 /* $ */ && (i === start + 1 || quotedId)) {
        const named = error === undefined && bytes !== undefined && bytes.length > 0;
        if (named && isUtf8(bytes!)) {
          const name = new TextDecoder().decode(bytes);
          tokens.push({ kind: "id", start, end: i, text: `$${name}`, match: -1 });
        } else {
          const reason = named ? "malformed UTF-8 encoding" : "empty identifier";
          tokens.push({
            kind: "reserved",
            start,
            end: i,
            text,
            match: -1,
            error: { reason, offset: start },
          });
        }
        continue;
      }
      if (strings === 1 && !other && !reservedChars) {
        tokens.push({ kind: "string", start, end: i, text, bytes, match: -1, error });
      } else if (strings > 0 || reservedChars) {
        tokens.push({ kind: "reserved", start, end: i, text, match: -1, error });
      } else {
        let kind: TokenKind = "atom";
        if (c >= 0x61 && c <= 0x7a) kind = "keyword";
        else if (c === 0x24 /* $ */ && text.length > 1) kind = "id";
        tokens.push({ kind, start, end: i, text, match: -1 });
      }
      continue;
    }
    // Any other character: a token of its own that is malformed wherever it is used.
    const cp = source.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    tokens.push({
      kind: "reserved",
      start: i,
      end: i + len,
      text: source.slice(i, i + len),
      match: -1,
      error: { reason: "unexpected character", offset: i },
    });
    i += len;
  }
  if (open.length > 0) {
    throw new TextError("unexpected end of input", source, n);
  }
  return tokens;
}

/** Skips a nested block comment starting at `i` (at its `(;`); returns the index after it. */
function skipBlockComment(source: string, i: number): number {
  const start = i;
  let depth = 0;
  const n = source.length;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 0x28 && source.charCodeAt(i + 1) === 0x3b) {
      depth++;
      i += 2;
    } else if (c === 0x3b && source.charCodeAt(i + 1) === 0x29) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  throw new TextError("unclosed comment", source, start);
}

/**
 * Adds the annotation at `source[start..end)` to `annotations` when its id
 * is one of {@link KEPT_ANNOTATIONS}, with its inner tokens.
 */
function keepAnnotation(
  source: string,
  start: number,
  end: number,
  at: number,
  annotations: Annotation[],
): void {
  let idEnd = start + 2;
  while (idEnd < end && isIdChar(source.charCodeAt(idEnd))) idEnd++;
  const id = source.slice(start + 2, idEnd);
  if (!KEPT_ANNOTATIONS.has(id)) return;
  // the inside, lexed on its own and moved to its place in the source
  const inner = source.slice(idEnd, end - 1);
  const body = tokenize(inner).map((t) => ({
    ...t,
    start: t.start + idEnd,
    end: t.end + idEnd,
    error: t.error && { ...t.error, offset: t.error.offset + idEnd },
  }));
  annotations.push({ id, at, start, body });
}

/**
 * Skips a balanced annotation starting at `i` (at its `(@`); returns the
 * index after it. Its tokens are not kept, but it is text like any other:
 * outside its strings and comments only printable ASCII and white space.
 */
function skipAnnotation(source: string, i: number): number {
  const start = i;
  const n = source.length;
  // its id: identifier characters, or a string naming a non-empty UTF-8 name
  const first = source.charCodeAt(i + 2);
  if (first === 0x22) {
    const id = readString(source, i + 2, "unclosed annotation");
    if (id.error !== undefined || id.bytes.length === 0) {
      throw new TextError("empty annotation id", source, i + 2);
    }
    if (!isUtf8(id.bytes)) throw new TextError("malformed UTF-8 encoding", source, i + 2);
  } else if (!isIdChar(first)) {
    throw new TextError("empty annotation id", source, i + 2);
  }
  let depth = 0;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 0x22) {
      i = readString(source, i, "unclosed string").end;
    } else if (c === 0x28 && source.charCodeAt(i + 1) === 0x3b) {
      i = skipBlockComment(source, i);
    } else if (c === 0x3b && source.charCodeAt(i + 1) === 0x3b) {
      while (i < n && source.charCodeAt(i) !== 0x0a && source.charCodeAt(i) !== 0x0d) i++;
    } else if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c >= 0x7f) {
      throw new TextError("illegal character", source, i);
    } else if (c === 0x28) {
      depth++;
      i++;
    } else if (c === 0x29) {
      depth--;
      i++;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  throw new TextError("unclosed annotation", source, start);
}

/** Whether bytes are well-formed UTF-8. */
function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

const HEX = (c: number): number => {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
};

/** A problem found inside a token, reported when the parser uses the token. */
export interface TokenError {
  /** The spec's wording. */
  readonly reason: string;
  /** Where in the source. */
  readonly offset: number;
}

/**
 * Reads a string literal at `i` (its opening quote): its bytes, the index
 * after it, and the first problem inside it, if any. Only a string that never
 * ends is fatal here, with the reason `unclosed`.
 */
function readString(
  source: string,
  i: number,
  unclosed = "unexpected end of input",
): { bytes: Uint8Array; end: number; error: TokenError | undefined } {
  const start = i;
  const out: number[] = [];
  const n = source.length;
  let error: TokenError | undefined;
  const fail = (reason: string, offset: number) => {
    error ??= { reason, offset };
  };
  i++;
  while (true) {
    if (i >= n) throw new TextError(unclosed, source, start);
    const c = source.charCodeAt(i);
    if (c === 0x22) {
      i++;
      break;
    }
    if (c < 0x20 || c === 0x7f) {
      fail("illegal character in string", i);
      i++;
      continue;
    }
    if (c === 0x5c /* \ */) {
      const e = source.charCodeAt(i + 1);
      i += 2;
      switch (e) {
        case 0x74:
          out.push(0x09);
          break;
        case 0x6e:
          out.push(0x0a);
          break;
        case 0x72:
          out.push(0x0d);
          break;
        case 0x22:
        case 0x27:
        case 0x5c:
          out.push(e);
          break;
        case 0x75: { // \u{hex}
          if (source.charCodeAt(i) !== 0x7b) {
            fail("illegal escape", i - 2);
            break;
          }
          let j = i + 1;
          let v = 0;
          let digits = 0;
          let ok = true;
          let prevUnderscore = true;
          for (; j < n; j++) {
            const ch = source.charCodeAt(j);
            if (ch === 0x7d || ch === 0x22) break;
            if (ch === 0x5f && !prevUnderscore) {
              prevUnderscore = true;
              continue;
            }
            const h = HEX(ch);
            if (h < 0) ok = false;
            else v = Math.min(v * 16 + h, 0x110000);
            digits++;
            prevUnderscore = false;
          }
          if (
            !ok || digits === 0 || prevUnderscore || source.charCodeAt(j) !== 0x7d ||
            v > 0x10ffff || (v >= 0xd800 && v < 0xe000)
          ) {
            fail("illegal escape", i - 2);
            i = source.charCodeAt(j) === 0x7d ? j + 1 : j;
            break;
          }
          pushUtf8(out, v);
          i = j + 1;
          break;
        }
        default: {
          const h1 = HEX(e);
          const h2 = HEX(source.charCodeAt(i));
          if (h1 < 0 || h2 < 0) {
            fail("illegal escape", i - 2);
            break;
          }
          out.push(h1 * 16 + h2);
          i++;
        }
      }
      continue;
    }
    if (c < 0x80) {
      out.push(c);
      i++;
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c < 0xdc00) {
      const lo = source.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    pushUtf8(out, cp);
    i++;
  }
  return { bytes: new Uint8Array(out), end: i, error };
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) {
    out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  } else {
    out.push(
      0xf0 | (cp >> 18),
      0x80 | ((cp >> 12) & 0x3f),
      0x80 | ((cp >> 6) & 0x3f),
      0x80 | (cp & 0x3f),
    );
  }
}
