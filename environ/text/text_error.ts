/**
 * The error raised for malformed WebAssembly text: a `CompileError`-shaped
 * error whose message is the spec's wording for the problem followed by where
 * it was found, e.g. `"unknown operator (at line 3, column 7)"`.
 *
 * Invariants:
 * - `reason` is the bare spec wording (what `assert_malformed` compares
 *   against); `message` adds the position.
 * - `line` and `column` are 1-based; `offset` (from {@link CompileError}) is
 *   the UTF-16 index into the source text.
 *
 * @module
 */

import { CompileError } from "../errors.ts";

/**
 * Malformed text: the spec's reason plus the line and column where it was
 * found. It is a {@link CompileError} whose `offset` is the index into the text.
 *
 * @example
 * ```ts
 * import { parseWat, TextError } from "@capstan/environ";
 * let err: unknown;
 * try {
 *   parseWat("(module (func\n  i32.frob))");
 * } catch (e) {
 *   err = e;
 * }
 * if (!(err instanceof TextError)) throw new Error("expected a TextError");
 * if (err.reason !== "unknown operator" || err.line !== 2 || err.column !== 3) throw err;
 * ```
 */
export class TextError extends CompileError {
  /** 1-based line of the offending token. */
  readonly line: number;
  /** 1-based column of the offending token. */
  readonly column: number;
  /**
   * Makes the error for a problem at `offset` in `source`.
   *
   * @param reason the spec's wording, e.g. `"unknown operator"`
   * @param source the whole source text (to compute the line and column)
   * @param offset where in `source` the problem is
   */
  constructor(reason: string, source: string, offset: number) {
    const { line, column } = lineColumn(source, offset);
    super(reason, offset);
    this.message = `${reason} (at line ${line}, column ${column})`;
    this.line = line;
    this.column = column;
  }
}

/**
 * The 1-based line and column of an index into a text.
 *
 * @param source the text
 * @param offset an index into it (clamped to its length)
 * @returns the line and column
 */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  const end = Math.min(Math.max(offset, 0), source.length);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
