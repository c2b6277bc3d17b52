/**
 * The interface between the spec-script runner and an engine that executes
 * modules. The runner knows scripts; an engine knows how to compile,
 * instantiate, link and call. Two kinds exist: one over any object shaped like
 * the global `WebAssembly` (the native one or Capstan's facade), and one over
 * Capstan's runtime API, which can pass v128 values.
 *
 * Invariants:
 * - One {@link WastSession} serves one script: its registry of named instances
 *   starts with `spectest` and nothing else.
 * - Engines report every failure by throwing; {@link WastEngine.classify} turns
 *   what was thrown into a {@link FailureKind} and a message, so the runner
 *   never inspects engine-specific error classes.
 *
 * @module
 */

import type { ExternRefs, WastValue } from "./wast_values.ts";

/** How an engine failed, as the spec's assertions distinguish it. */
export type FailureKind =
  /** Decoding or validation failed. */
  | "compile"
  /** Imports did not match. */
  | "link"
  /** Execution trapped. */
  | "trap"
  /** The call stack ran out. */
  | "exhaustion"
  /** A wasm exception left the call. */
  | "exception"
  /** A `suspend` found no handler and left the call (stack switching's `assert_suspension`). */
  | "suspension"
  /** The engine cannot run this command at all (e.g. v128 at the JS boundary). */
  | "unsupported"
  /** Anything else: a bug in the engine or the runner. */
  | "other";

/** A thrown value as the runner sees it. */
export interface ClassifiedError {
  /** Which kind of failure it is. */
  readonly kind: FailureKind;
  /** Its message. */
  readonly message: string;
}

/** The value types a script may name, as `WebAssembly.Global` spells them. */
export type WastValueType =
  | "i32"
  | "i64"
  | "f32"
  | "f64"
  | "v128"
  | "funcref"
  | "externref";

/** One script's view of an engine: its modules, instances and registry. */
export interface WastSession {
  /**
   * Decodes and validates a module.
   *
   * @param bytes a binary module
   * @returns an engine-specific module handle
   */
  compile(bytes: Uint8Array): unknown | Promise<unknown>;
  /**
   * Instantiates a module, resolving imports from `spectest` and the
   * registered instances.
   *
   * @param module a handle from {@link WastSession.compile}
   * @returns an engine-specific instance handle
   */
  instantiate(module: unknown): unknown | Promise<unknown>;
  /**
   * Makes an instance's exports importable under a module name.
   *
   * @param name the import module name
   * @param instance an instance handle
   */
  register(name: string, instance: unknown): void;
  /**
   * Calls an exported function.
   *
   * @param instance an instance handle
   * @param field the export name
   * @param args raw argument values
   * @param resultTypes the result types the script expects (a hint for engines
   *   that cannot see the function's type)
   * @returns the raw results
   */
  invoke(
    instance: unknown,
    field: string,
    args: readonly WastValue[],
    resultTypes: readonly string[],
  ): WastValue[] | Promise<WastValue[]>;
  /**
   * Reads an exported global.
   *
   * @param instance an instance handle
   * @param field the export name
   * @param type the type the script expects
   * @returns its raw value
   */
  get(instance: unknown, field: string, type: string): WastValue | Promise<WastValue>;
}

/** The proposals a script's modules may use beyond core 3.0 (each off when absent). */
export interface WastFeatures {
  /** Stack switching: continuation types and instructions, tags with results. */
  readonly stackSwitching?: boolean;
  /** Custom page sizes: a memory's limits may give its page size. */
  readonly customPageSizes?: boolean;
}

/** An engine the runner can drive. */
export interface WastEngine {
  /** A short name for reports (`native`, `capstan`, `facade`). */
  readonly name: string;
  /**
   * Whether error messages are the spec's: when false, an assertion only
   * checks the kind of failure (the native engine words its messages its own way).
   */
  readonly checksMessages: boolean;
  /**
   * Starts a script.
   *
   * @param externs the objects `ref.extern N` stands for
   * @param features the proposals the script's modules may use (an engine
   *   that cannot enable one runs without it)
   * @returns a fresh session with only `spectest` registered
   */
  newSession(externs: ExternRefs, features?: WastFeatures): WastSession;
  /**
   * Tells what kind of failure a thrown value is.
   *
   * @param error what an engine call threw
   * @returns its kind and message
   */
  classify(error: unknown): ClassifiedError;
}
