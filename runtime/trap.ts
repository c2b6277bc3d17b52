/**
 * {@link Trap}: the error raised when WebAssembly execution traps, with its
 * trap code, the spec's message, and the wasm backtrace.
 *
 * Invariants:
 * - `message` is exactly the spec's wording ("integer divide by zero",
 *   "out of bounds memory access", ...), so spec scripts can compare it.
 * - `backtrace` lists frames innermost first; each names the function index,
 *   its name from the `name` section when there is one, and the offset of the
 *   trapping (or calling) instruction in the module's bytes.
 * - `toString()` formats the trap as wasmtime does:
 *   ```
 *   wasm trap: integer divide by zero
 *   wasm backtrace:
 *       0:   0x2a - <unknown>!div
 *   ```
 *
 * @module
 */

import { trapCodeName, trapMessage } from "@capstan/environ";

/** One frame of a wasm backtrace. */
export interface FrameInfo {
  /** The function's index in its module's function index space. */
  readonly funcIndex: number;
  /** The function's name from the `name` section, if present. */
  readonly funcName: string | undefined;
  /** The module's name from the `name` section, if present. */
  readonly moduleName: string | undefined;
  /** Offset of the instruction in the module's bytes, when known. */
  readonly moduleOffset: number | undefined;
  /**
   * The first frame of a continuation's parent stack (a resume): the frames
   * above it ran on the continuation's own stack.
   */
  readonly parentStack?: boolean;
}

/** The line {@link formatBacktrace} writes where a continuation's stack ends and its parent's begins. */
export const STACK_BOUNDARY_LINE = "       --- continuation resumed from ---";

/**
 * Formats one frame as wasmtime does: `    0:   0x2a - mod!func`.
 *
 * @param index the frame's position, 0 being innermost
 * @param frame the frame
 * @returns one line of text, without a newline
 */
export function formatFrame(index: number, frame: FrameInfo): string {
  const offset = frame.moduleOffset === undefined
    ? "".padStart(6)
    : `0x${frame.moduleOffset.toString(16)}`.padStart(6);
  const mod = frame.moduleName ?? "<unknown>";
  const fn = frame.funcName ?? `<wasm function ${frame.funcIndex}>`;
  return `  ${String(index).padStart(3)}: ${offset} - ${mod}!${fn}`;
}

/** How many frames {@link formatBacktrace} shows by default (deep recursion has thousands). */
export const BACKTRACE_DISPLAY_LIMIT = 100;

/**
 * Formats a backtrace, one line per frame under a `wasm backtrace:` header;
 * past `limit` frames, one line says how many more there are.
 *
 * @param frames the frames, innermost first
 * @param limit the most frames to show
 * @returns the text, or `""` when there are no frames
 * @example
 * ```ts
 * import { formatBacktrace } from "@capstan/runtime";
 * const frame = { funcIndex: 3, funcName: "div", moduleName: undefined, moduleOffset: 0x2a };
 * const text = formatBacktrace([frame, { ...frame, funcName: undefined }], 1);
 * const lines = text.split("\n");
 * if (lines[0] !== "wasm backtrace:" || lines[1] !== "    0:   0x2a - <unknown>!div") {
 *   throw new Error();
 * }
 * if (lines[2] !== "      ... 1 more frames") throw new Error();
 * ```
 */
export function formatBacktrace(
  frames: readonly FrameInfo[],
  limit: number = BACKTRACE_DISPLAY_LIMIT,
): string {
  if (frames.length === 0) return "";
  const shown: string[] = [];
  frames.slice(0, limit).forEach((f, i) => {
    if (f.parentStack === true) shown.push(STACK_BOUNDARY_LINE);
    shown.push(formatFrame(i, f));
  });
  if (frames.length > limit) shown.push(`      ... ${frames.length - limit} more frames`);
  return "wasm backtrace:\n" + shown.join("\n");
}

/**
 * A WebAssembly trap.
 *
 * @example
 * ```ts
 * import { Trap, TrapCode } from "@capstan/runtime";
 * const t = new Trap(TrapCode.IntegerDivisionByZero, [
 *   { funcIndex: 1, funcName: "div", moduleName: undefined, moduleOffset: 0x2a },
 * ]);
 * if (t.message !== "integer divide by zero") throw new Error();
 * if (!String(t).includes("0:   0x2a - <unknown>!div")) throw new Error(String(t));
 * ```
 */
export class Trap extends Error {
  /** The trap code (see `TrapCode` in `@capstan/environ`). */
  readonly code: number;
  /** The wasm frames at the trap, innermost first. */
  get backtrace(): readonly FrameInfo[] {
    return this.#frames;
  }
  #frames: FrameInfo[];
  #jsStack: string[] | undefined;

  /**
   * Creates a trap.
   *
   * @param code its trap code (`TrapCode` of `@capstan/environ`)
   * @param backtrace wasm frames, innermost first
   * @param message the message; by default the spec's message for the code
   */
  constructor(
    code: number,
    backtrace: readonly FrameInfo[] = [],
    message: string = trapMessage(code),
  ) {
    super(message);
    this.name = "Trap";
    this.code = code;
    this.#frames = [...backtrace];
    this.#jsStack = typeof this.stack === "string" ? this.stack.split("\n") : undefined;
    this.#updateStack();
  }

  /** The trap code's name, e.g. `"IntegerDivisionByZero"`. */
  get codeName(): string {
    return trapCodeName(this.code);
  }

  /**
   * Appends the frames of outer wasm calls (the runtime does this as the trap
   * unwinds through a host function called from wasm).
   *
   * @param frames outer frames, innermost first
   * @ignore
   */
  _appendFrames(frames: readonly FrameInfo[]): void {
    this.#frames.push(...frames);
    this.#updateStack();
  }

  #updateStack(): void {
    // Show the wasm frames above the JavaScript ones when the error is printed.
    if (this.#jsStack === undefined || this.#frames.length === 0) return;
    const [head, ...rest] = this.#jsStack;
    this.stack = [head, formatBacktrace(this.#frames), ...rest].join("\n");
  }

  /**
   * The trap as wasmtime prints it: `wasm trap: MESSAGE` and the backtrace.
   *
   * @returns the formatted text
   */
  override toString(): string {
    const bt = formatBacktrace(this.backtrace);
    return `wasm trap: ${this.message}` + (bt ? "\n" + bt : "");
  }
}
