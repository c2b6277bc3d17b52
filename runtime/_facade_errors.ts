/**
 * The errors of the `WebAssembly` facade ({@link CompileError},
 * {@link LinkError}, {@link RuntimeError}, {@link SuspendError}, shared by every facade object)
 * and the mapping of the runtime's errors onto them.
 *
 * Invariants: each keeps the runtime's error as its `cause`; a
 * {@link RuntimeError} also keeps the trap's `code` and `backtrace`. Errors
 * that are not the runtime's (a host function's own exceptions, `TypeError`s
 * of argument conversion) pass through {@link wrapError} unchanged.
 *
 * @module
 */

import { CompileError as EnvironCompileError } from "@capstan/environ";
import { LinkError as RtLinkError } from "./link_error.ts";
import { type FrameInfo, Trap } from "./trap.ts";

/** Thrown for bytes that are not a valid module (the facade's `WebAssembly.CompileError`). */
export class CompileError extends Error {
  /**
   * Creates the error.
   *
   * @param message the reason, naming the byte offset
   * @param options `cause`: the `CompileError` of `@capstan/environ`
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CompileError";
  }
}

/** Thrown when imports do not match a module (the facade's `WebAssembly.LinkError`). */
export class LinkError extends Error {
  /**
   * Creates the error.
   *
   * @param message which import failed and why
   * @param options `cause`: the runtime's error, if any
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "LinkError";
  }
}

/** Thrown when execution traps (the facade's `WebAssembly.RuntimeError`). */
export class RuntimeError extends Error {
  /** The trap code (`TrapCode` of `@capstan/environ`), when a Capstan trap caused it. */
  code: number | undefined;
  /** The wasm frames at the trap, innermost first (empty when unknown). */
  backtrace: readonly FrameInfo[];

  /**
   * Creates the error.
   *
   * @param message the trap's message, in the spec's words
   * @param options `cause`: the runtime `Trap`, if any
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "RuntimeError";
    const trap = options?.cause;
    this.code = trap instanceof Trap ? trap.code : undefined;
    this.backtrace = trap instanceof Trap ? trap.backtrace : [];
  }
}

/**
 * Thrown when a JSPI suspending import cannot suspend: called outside a
 * `WebAssembly.promising` call, or with JavaScript frames between it and that
 * call (the facade's `WebAssembly.SuspendError`).
 */
export class SuspendError extends Error {
  /**
   * Creates the error.
   *
   * @param message why it could not suspend
   * @param options `cause`, if any
   */
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SuspendError";
  }
}

/**
 * The facade's error for an error of the runtime: a trap becomes a
 * {@link RuntimeError}, a link error a {@link LinkError}, a compile error a
 * {@link CompileError}; anything else is returned as it is.
 *
 * @param error what the runtime threw
 * @returns what the facade throws
 */
export function wrapError(error: unknown): unknown {
  if (error instanceof Trap) return new RuntimeError(error.message, { cause: error });
  if (error instanceof RtLinkError) return new LinkError(error.message, { cause: error });
  if (error instanceof EnvironCompileError) {
    return new CompileError(error.message, { cause: error });
  }
  return error;
}

/**
 * Rethrows a compile error of `@capstan/environ` as the facade's
 * {@link CompileError}, anything else unchanged.
 *
 * @param error what compiling threw
 */
export function rethrowCompile(error: unknown): never {
  if (error instanceof EnvironCompileError) throw new CompileError(error.message, { cause: error });
  throw error;
}
