/**
 * {@link LinkError}: instantiation failed because an import is missing or
 * does not match what the module expects, or a resource limit forbade it.
 *
 * Messages follow wasmtime's wording so spec scripts can match them:
 * `unknown import: \`env::f\` has not been defined` and
 * `incompatible import type for \`env::f\`: expected ..., found ...`.
 *
 * @module
 */

/**
 * An instantiation-time linking failure.
 *
 * @example
 * ```ts
 * import { LinkError } from "@capstan/runtime";
 * const e = new LinkError("unknown import: `env::f` has not been defined");
 * if (!(e instanceof Error) || e.name !== "LinkError") throw new Error();
 * ```
 */
export class LinkError extends Error {
  /**
   * Creates a link error.
   *
   * @param message what failed, naming the module, field and kinds
   */
  constructor(message: string) {
    super(message);
    this.name = "LinkError";
  }
}
