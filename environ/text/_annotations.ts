/**
 * The annotations the text format gives meaning to: `(@custom "name"
 * placement? "data"*)` (a custom section), `(@name "text")` (a module's,
 * function's or tag's name) and `(@metadata.code.branch_hint "\00")` (a
 * branch hint on the `if` or `br_if` that follows). The lexer hands them over
 * with the index of the token after each; the parser takes each where it is
 * allowed ({@link Parser.placed}), and whatever is left is misplaced.
 *
 * Invariants:
 * - Errors use the reference interpreter's words ("@custom annotation:
 *   missing section name", "misplaced @name annotation", ...) and are
 *   {@link TextError}s, as for any malformed text.
 * - A custom section without a placement goes after the last section;
 *   `(before s)`/`(after s)` name a section kind (or `first`/`last`) whether
 *   the module has that section or not.
 *
 * @module
 */

import type { Annotation } from "./lexer.ts";
import type { Parser } from "./_parser.ts";
import { TextError } from "./text_error.ts";

/** The section kinds a custom section may be placed before or after, in binary order. */
export const SECTION_ORDER: readonly string[] = [
  "type",
  "import",
  "func",
  "table",
  "memory",
  "tag",
  "global",
  "export",
  "start",
  "elem",
  "datacount",
  "code",
  "data",
];

/** A custom section an `@custom` annotation asks for. */
export interface CustomAnnotation {
  /** Its name (UTF-8). */
  readonly name: Uint8Array;
  /** Before or after `anchor`. */
  readonly side: "before" | "after";
  /** A section kind of {@link SECTION_ORDER}, `first` or `last`. */
  readonly anchor: string;
  /** Its contents: the strings, concatenated. */
  readonly data: Uint8Array;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    UTF8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function error(p: Parser, reason: string, at: number): TextError {
  return new TextError(reason, p.source, at);
}

/**
 * Reads an `@custom` annotation.
 *
 * @param p the parser (for the source, in errors)
 * @param a the annotation
 * @returns the custom section it asks for
 */
export function readCustom(p: Parser, a: Annotation): CustomAnnotation {
  const toks = a.body;
  const what = "@custom annotation";
  const first = toks[0];
  if (first === undefined || first.kind !== "string" || first.error !== undefined) {
    throw error(p, `${what}: missing section name`, first?.start ?? a.start);
  }
  if (!isUtf8(first.bytes!)) throw error(p, `${what}: malformed UTF-8 encoding`, first.start);
  let i = 1;
  let side: "before" | "after" = "after";
  let anchor = "last";
  const t = toks[i];
  if (t !== undefined && t.kind === "lparen") {
    const kw = toks[i + 1];
    const kind = toks[i + 2];
    if (
      kw === undefined || kw.kind !== "keyword" || (kw.text !== "before" && kw.text !== "after")
    ) {
      throw error(p, `${what}: malformed placement`, (kw ?? t).start);
    }
    if (
      kind === undefined || kind.kind !== "keyword" ||
      (kind.text !== "first" && kind.text !== "last" && !SECTION_ORDER.includes(kind.text)) ||
      toks[i + 3]?.kind !== "rparen"
    ) {
      throw error(p, `${what}: malformed section kind`, (kind ?? kw).start);
    }
    side = kw.text;
    anchor = kind.text;
    i = t.match + 1;
  }
  const parts: Uint8Array[] = [];
  for (; i < toks.length; i++) {
    const s = toks[i];
    if (s.kind !== "string" || s.error !== undefined) {
      throw error(p, `${what}: unexpected token`, s.start);
    }
    parts.push(s.bytes!);
  }
  const data = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of parts) {
    data.set(b, at);
    at += b.length;
  }
  return { name: first.bytes!, side, anchor, data };
}

/**
 * Reads an `@name` annotation's name.
 *
 * @param p the parser
 * @param a the annotation
 * @returns the name (UTF-8)
 */
function readName(p: Parser, a: Annotation): Uint8Array {
  const [s, extra] = a.body;
  if (s === undefined || s.kind !== "string" || s.error !== undefined || extra !== undefined) {
    throw error(p, "@name annotation: unexpected token", (extra ?? s)?.start ?? a.start);
  }
  if (!isUtf8(s.bytes!)) throw error(p, "@name annotation: malformed UTF-8 encoding", s.start);
  return s.bytes!;
}

const NONE: Annotation[] = [];

/**
 * The annotations of `id` standing before token `at` and not taken yet.
 * (Asked before every instruction: text without annotations pays one test.)
 */
function annotationsAt(p: Parser, id: string, at: number): Annotation[] {
  if (p.annotations.length === 0) return NONE;
  return p.annotations.filter((a) => a.id === id && a.at === at && !p.placed.has(a));
}

/**
 * Takes the `@name` annotation before the cursor, if any (a function's or
 * tag's name, after its `$id`).
 *
 * @param p the parser, at the place a name annotation may stand
 * @returns the name, or undefined
 */
export function takeName(p: Parser): Uint8Array | undefined {
  const [a] = annotationsAt(p, "name", p.pos);
  if (a === undefined) return undefined;
  p.placed.add(a);
  return readName(p, a);
}

/**
 * Takes the branch hint standing before the instruction whose first token is
 * `at`, if any, checking that it may stand there.
 *
 * @param p the parser
 * @param at the index of the instruction's first token (its keyword, or `(` when folded)
 * @param opName the instruction's name
 * @returns the hint (0 unlikely, 1 likely), or undefined
 */
export function takeBranchHint(p: Parser, at: number, opName: string): number | undefined {
  const found = annotationsAt(p, "metadata.code.branch_hint", at);
  if (found.length === 0 || p.hints === undefined) return undefined;
  const what = "@metadata.code.branch_hint annotation";
  if (found.length > 1) throw error(p, `${what}: duplicate annotation`, found[1].start);
  const a = found[0];
  p.placed.add(a);
  if (opName !== "if" && opName !== "br_if") throw error(p, `${what}: invalid target`, a.start);
  const [s, extra] = a.body;
  if (s?.kind !== "string" || s.bytes?.length !== 1 || s.bytes[0] > 1 || extra !== undefined) {
    throw error(p, `${what}: malformed hint`, (s ?? a).start);
  }
  return s.bytes[0];
}

/** What a module's own annotations ask for. */
export interface ModuleAnnotations {
  /** Custom sections, in order. */
  readonly customs: CustomAnnotation[];
  /** The module's name, from `@name`. */
  readonly name: Uint8Array | undefined;
}

/**
 * Takes the annotations between a module's fields (`@custom`, and `@name`
 * before the first field), then reports the first annotation in the module
 * that nothing took as misplaced.
 *
 * @param p the parser
 * @param fieldStarts the token index of each field's `(`
 * @param first the token index where the fields begin
 * @param end the token index of the module's end (its `)`, or the end of the text)
 * @returns the custom sections and the module name
 */
export function moduleAnnotations(
  p: Parser,
  fieldStarts: readonly number[],
  first: number,
  end: number,
): ModuleAnnotations {
  const between = new Set([...fieldStarts, end]);
  const customs: CustomAnnotation[] = [];
  let name: Uint8Array | undefined;
  const mine = p.annotations.filter((a) => a.at >= first && a.at <= end && !p.placed.has(a));
  for (const a of mine) {
    if (a.id === "custom" && between.has(a.at)) {
      customs.push(readCustom(p, a));
      p.placed.add(a);
    } else if (a.id === "name" && a.at === first) {
      if (name !== undefined) throw error(p, "@name annotation: multiple module", a.start);
      name = readName(p, a);
      p.placed.add(a);
    } else if (a.id === "metadata.code.branch_hint" && between.has(a.at)) {
      throw error(p, "@metadata.code.branch_hint annotation: not in a function", a.start);
    }
  }
  const misplaced = mine.find((a) => !p.placed.has(a));
  if (misplaced !== undefined) {
    throw error(p, `misplaced @${misplaced.id} annotation`, misplaced.start);
  }
  return { customs, name };
}
