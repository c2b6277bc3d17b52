/**
 * Builtin functions: the operations compiled code reaches through a call into
 * the engine rather than inline bytecode (growing memories and tables, bulk
 * memory and table operations, segment drops), declared once as data with
 * their signatures. {@link BuiltinFunctionIndex} and {@link HostCall} are
 * derived from the table.
 *
 * Invariants:
 * - A builtin index is its position in the table; bytecode embeds it.
 * - `statics` are module-level indices fixed at compile time (a memory, a
 *   table, a segment); `params` are run-time operands, passed in consecutive
 *   VM registers starting at the call's base register; `results` are written
 *   back from that same base register.
 *
 * @module
 */

import { ValType } from "./types.ts";

/** One builtin function's description. */
export interface BuiltinInfo {
  /** Its name, e.g. `"memory_grow"`. */
  readonly name: string;
  /** Its index (position in the table). */
  readonly index: number;
  /** Names of its compile-time index operands (at most two). */
  readonly statics: readonly string[];
  /** Types of its run-time operands. */
  readonly params: readonly ValType[];
  /** Types of its results. */
  readonly results: readonly ValType[];
  /** What it does. */
  readonly doc: string;
}

const I = ValType.i32;
const R = ValType.funcref; // any reference; the VM stores references as i32 handles

/**
 * The table: `[name, statics, params, results, doc]`, in index order.
 * Exported as a type only (`BUILTIN_TABLE`), which {@link BuiltinName} is
 * derived from; read it through {@link BUILTINS} and
 * {@link BuiltinFunctionIndex}.
 */
const TABLE = [
  ["memory_grow", ["memory"], [I], [I], "grow a memory by n pages; old size or -1"],
  ["memory_fill", ["memory"], [I, I, I], [], "fill n bytes at d with a byte value"],
  ["memory_copy", ["dst_memory", "src_memory"], [I, I, I], [], "copy n bytes from s to d"],
  ["memory_init", ["memory", "data"], [I, I, I], [], "copy n bytes of a data segment to d"],
  ["data_drop", ["data"], [], [], "drop a passive data segment"],
  ["table_grow", ["table"], [R, I], [I], "grow a table by n elements; old size or -1"],
  ["table_fill", ["table"], [I, R, I], [], "fill n table elements at i with a reference"],
  ["table_copy", ["dst_table", "src_table"], [I, I, I], [], "copy n table elements from s to d"],
  ["table_init", ["table", "elem"], [I, I, I], [], "copy n elements of an element segment"],
  ["elem_drop", ["elem"], [], [], "drop a passive or declarative element segment"],
  ["out_of_gas", [], [], [], "fuel ran out: trap (or let the host refuel)"],
  ["new_epoch", [], [], [], "the epoch deadline passed: trap (or let the host extend it)"],
  ["raise", [], [I], [], "raise the trap whose code is the operand"],
] as const;

export type { TABLE as BUILTIN_TABLE };

/**
 * The name of a builtin function: a key of {@link BuiltinFunctionIndex}.
 *
 * @example
 * ```ts
 * import { BUILTINS, type BuiltinName } from "@capstan/environ";
 * const name: BuiltinName = "memory_grow";
 * if (BUILTINS[0].name !== name) throw new Error();
 * ```
 */
export type BuiltinName = typeof TABLE[number][0];

/** Every builtin, in index order. */
export const BUILTINS: readonly BuiltinInfo[] = Object.freeze(
  TABLE.map(([name, statics, params, results, doc], index) =>
    Object.freeze({
      name,
      index,
      statics: statics as readonly string[],
      params: params as readonly ValType[],
      results: results as readonly ValType[],
      doc,
    })
  ),
);

/** Builtin indices by name: `BuiltinFunctionIndex.memory_grow === 0`. */
export const BuiltinFunctionIndex: { readonly [N in BuiltinName]: number } = Object.freeze(
  Object.fromEntries(TABLE.map(([name], i) => [name, i])) as { [N in BuiltinName]: number },
);

/** The number of builtins. */
export const BUILTIN_COUNT: number = TABLE.length;

/**
 * Host-call indices: what a compiled-code exit to the host asks for. Index 0
 * is an array-call to a host function; `HostCall.builtin(i)` is builtin `i`.
 */
export const HostCall: {
  readonly ArrayCall: 0;
  builtin(i: number): number;
  builtinOf(id: number): number;
} = Object.freeze({
  /** A call to a host (imported, non-wasm) function through the array-call ABI. */
  ArrayCall: 0,
  /**
   * The host-call index of builtin `i`.
   *
   * @param i a builtin index
   * @returns `1 + i`
   */
  builtin(i: number): number {
    return 1 + i;
  },
  /**
   * The builtin index of a host-call index, or -1 for an array call.
   *
   * @param id a host-call index
   * @returns the builtin index, or -1
   */
  builtinOf(id: number): number {
    return id - 1;
  },
});

/**
 * A builtin's description by index.
 *
 * @param index a builtin index
 * @returns its description
 * @example
 * ```ts
 * import { BuiltinFunctionIndex, builtinInfo } from "@capstan/environ";
 * if (builtinInfo(BuiltinFunctionIndex.memory_grow).results.length !== 1) throw new Error();
 * ```
 */
export function builtinInfo(index: number): BuiltinInfo {
  const info = BUILTINS[index];
  if (info === undefined) throw new RangeError(`no builtin ${index}`);
  return info;
}
