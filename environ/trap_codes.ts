/**
 * Trap codes: every way a WebAssembly computation can trap in Capstan, with
 * the message the spec test suite expects, declared once as data.
 * {@link TrapCode} and {@link trapMessage} are derived from the table.
 *
 * Invariants:
 * - A trap code is a small non-negative integer: its index in the table. The
 *   interpreter stores it in bytecode operands and reports it in `DoneReason`.
 * - Code 0 is never a trap, so `0` can mean "no trap" in hot paths.
 * - Messages are the spec's wording (`assert_trap` compares by prefix).
 *
 * @module
 */

/**
 * The table: `[name, spec message]`, in code order (index = code). Exported
 * as a type only (`TRAP_CODE_TABLE`), which {@link TrapCodeName} is derived
 * from; read it through {@link TrapCode}, {@link trapMessage} and
 * {@link trapCodeName}.
 */
const TABLE = [
  ["None", "no trap"],
  ["Unreachable", "unreachable"],
  ["IntegerDivisionByZero", "integer divide by zero"],
  ["IntegerOverflow", "integer overflow"],
  ["BadConversionToInteger", "invalid conversion to integer"],
  ["MemoryOutOfBounds", "out of bounds memory access"],
  ["TableOutOfBounds", "out of bounds table access"],
  ["IndirectCallToNull", "uninitialized element"],
  ["UndefinedElement", "undefined element"],
  ["BadSignature", "indirect call type mismatch"],
  ["StackOverflow", "call stack exhausted"],
  ["OutOfFuel", "all fuel consumed"],
  ["Interrupt", "interrupt"],
  ["NullReference", "null reference"],
  ["HostError", "host function error"],
  ["HeapMisaligned", "unaligned atomic"],
  ["AtomicWaitNonSharedMemory", "expected shared memory"],
  ["NullFunctionReference", "null function reference"],
  ["NullExceptionReference", "null exception reference"],
  ["CastFailure", "cast failure"],
  ["StringOutOfBounds", "string offset out of bounds"],
  ["InvalidCodePoint", "invalid code point"],
  ["NullContinuationReference", "null continuation reference"],
  ["ContinuationConsumed", "continuation already consumed"],
  ["UnhandledTag", "unhandled tag"],
  ["NullStructReference", "null structure reference"],
  ["NullArrayReference", "null array reference"],
  ["NullI31Reference", "null i31 reference"],
  ["ArrayOutOfBounds", "out of bounds array access"],
  ["AllocationFailure", "allocation failure"],
] as const;

export type { TABLE as TRAP_CODE_TABLE };

/**
 * The name of a trap code, e.g. `"MemoryOutOfBounds"`: a key of {@link TrapCode}.
 *
 * @example
 * ```ts
 * import { TrapCode, type TrapCodeName } from "@capstan/environ";
 * const name: TrapCodeName = "IntegerDivisionByZero";
 * if (TrapCode[name] !== 2) throw new Error();
 * ```
 */
export type TrapCodeName = typeof TABLE[number][0];

/** Trap codes by name: `TrapCode.Unreachable === 1`. */
export const TrapCode: { readonly [N in TrapCodeName]: number } = Object.freeze(
  Object.fromEntries(TABLE.map(([name], i) => [name, i])) as { [N in TrapCodeName]: number },
);

/** The number of trap codes (one past the largest). */
export const TRAP_CODE_COUNT: number = TABLE.length;

/**
 * The spec's message for a trap code.
 *
 * @param code a trap code
 * @returns its message, e.g. `"integer divide by zero"`
 * @example
 * ```ts
 * import { TrapCode, trapMessage } from "@capstan/environ";
 * if (trapMessage(TrapCode.StackOverflow) !== "call stack exhausted") throw new Error();
 * ```
 */
export function trapMessage(code: number): string {
  return TABLE[code]?.[1] ?? `unknown trap ${code}`;
}

/**
 * The name of a trap code.
 *
 * @param code a trap code
 * @returns its name, e.g. `"Unreachable"`
 * @example
 * ```ts
 * import { TrapCode, trapCodeName } from "@capstan/environ";
 * if (trapCodeName(TrapCode.MemoryOutOfBounds) !== "MemoryOutOfBounds") throw new Error();
 * ```
 */
export function trapCodeName(code: number): string {
  return TABLE[code]?.[0] ?? `Trap${code}`;
}
