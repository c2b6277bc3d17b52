/**
 * The error `environ` raises for a module that is malformed (cannot be
 * decoded) or invalid (decodes but fails validation).
 *
 * Invariants:
 * - `reason` uses the words of the spec's reference interpreter where the spec
 *   test suite gives them ("unexpected end", "type mismatch", ...).
 * - `offset` is the byte offset in the module where the problem was found.
 * - The message is always `"<reason> (at offset 0x<hex>)"`.
 *
 * @module
 */

/**
 * A module failed to decode or validate.
 *
 * @example
 * ```ts
 * import { CompileError } from "@capstan/environ";
 * const e = new CompileError("type mismatch", 0x2a);
 * if (e.message !== "type mismatch (at offset 0x2a)") throw new Error();
 * ```
 */
export class CompileError extends Error {
  /** Byte offset in the module where the problem was found. */
  readonly offset: number;
  /** What is wrong, in the spec's words. */
  readonly reason: string;
  /**
   * Which phase rejected the module, when known: `"malformed"` (the binary
   * does not decode) or `"invalid"` (it decodes but does not validate). Set
   * by `translateModule` and `validate`; undefined on errors raised directly
   * by the lower-level readers.
   */
  kind: "malformed" | "invalid" | undefined = undefined;

  /**
   * Creates the error.
   *
   * @param reason what is wrong, in the spec's words
   * @param offset the byte offset where it was found
   */
  constructor(reason: string, offset: number) {
    super(`${reason} (at offset 0x${offset.toString(16)})`);
    this.name = "CompileError";
    this.reason = reason;
    this.offset = offset;
  }
}

/**
 * Throws a {@link CompileError}. Written as a function so hot code can call it
 * from an expression position and stay small.
 *
 * @param reason what is wrong, in the spec's words
 * @param offset the byte offset where it was found
 * @returns never
 * @throws {CompileError} always
 */
export function fail(reason: string, offset: number): never {
  throw new CompileError(reason, offset);
}
