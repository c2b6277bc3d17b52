/**
 * The fast call path of a wasm function whose type has up to three
 * parameters and at most one result, all number types: the arguments,
 * already converted, go straight into the VM's registers and the result
 * comes straight out, with nothing allocated. `Func.typed` and the
 * `WebAssembly` facade's exported functions share it ({@link numbersInvoke});
 * each converts the arguments its own way first.
 *
 * Invariants:
 * - Arguments are converted (which may run user code, even wasm) before the
 *   call enters the VM; nothing runs between the entry and the run.
 * - Types all i32 or all f64 take {@link callWasmI32} / {@link callWasmF64},
 *   whose entry checks the store's busy state only when something is
 *   suspended; others check it on every call ({@link enterWasm}).
 * - Every call that enters the VM ends it (`callEnd` in a `finally`).
 *
 * @module
 */

import { type FuncType, ValType } from "@capstan/environ";
import {
  EXIT_RETURN,
  isNumberType,
  readF64Slot,
  readI32Slot,
  readNumberSlot,
  writeF64Slot,
  writeI32Word,
  writeNumberSlot,
} from "@capstan/interpreter";
import type { Func } from "./func.ts";
import { enter, enterWasm, GC_MIN_HANDLES, MAX_NESTED_ENTRIES, runEntered } from "./_entry.ts";
import { serveExits } from "./_exits.ts";

/**
 * {@link enterWasm} with its common case inlined (the hottest entry).
 *
 * @param func a wasm function
 * @returns the slot of argument 0 and result 0
 */
function enterFast(func: Func): number {
  const store = func.store;
  const vm = store._vm;
  if (store._suspended > 0) store.checkNotBusy("calling a function");
  if (store._externs.length >= GC_MIN_HANDLES || store._vm.conts !== null) store._maybeGc();
  return vm.depth < MAX_NESTED_ENTRIES && vm.hostCall !== null
    ? vm.callStart(func._handle)
    : enter(store, func);
}

/**
 * Calls a wasm function whose parameters (up to three) are all i32, with an
 * i32 result or none; the arguments are already int32 numbers. Nothing is
 * allocated.
 *
 * @param func a wasm function of such a type
 * @param n its parameter count
 * @param x0 argument 0 (ignored when `n < 1`)
 * @param x1 argument 1 (ignored when `n < 2`)
 * @param x2 argument 2 (ignored when `n < 3`)
 * @returns the i32 result (meaningless when there is none)
 * @throws Trap when execution traps, whatever a host function throws, and
 *   the errors of {@link enterWasm}
 */
export function callWasmI32(func: Func, n: number, x0: number, x1: number, x2: number): number {
  const vm = func.store._vm;
  const base = enterFast(func);
  try {
    const words = vm.i32;
    if (n > 0) {
      writeI32Word(words, base, x0);
      if (n > 1) {
        writeI32Word(words, base + 1, x1);
        if (n > 2) writeI32Word(words, base + 2, x2);
      }
    }
    const exit = vm.callRunCode();
    if (exit !== EXIT_RETURN) serveExits(func.store, exit);
    return readI32Slot(vm, base);
  } finally {
    vm.callEnd();
  }
}

/**
 * {@link callWasmI32} for f64: up to three f64 parameters, an f64 result or none.
 *
 * @param func a wasm function of such a type
 * @param n its parameter count
 * @param x0 argument 0 (ignored when `n < 1`)
 * @param x1 argument 1 (ignored when `n < 2`)
 * @param x2 argument 2 (ignored when `n < 3`)
 * @returns the f64 result (meaningless when there is none)
 * @throws as {@link callWasmI32}
 */
export function callWasmF64(func: Func, n: number, x0: number, x1: number, x2: number): number {
  const vm = func.store._vm;
  const base = enterFast(func);
  try {
    if (n > 0) writeF64Slot(vm, base, x0);
    if (n > 1) writeF64Slot(vm, base + 1, x1);
    if (n > 2) writeF64Slot(vm, base + 2, x2);
    const exit = vm.callRunCode();
    if (exit !== EXIT_RETURN) serveExits(func.store, exit);
    return readF64Slot(vm, base);
  } finally {
    vm.callEnd();
  }
}

/**
 * The type a wasm function's signature uses throughout, for
 * {@link callWasmI32} and {@link callWasmF64}: i32 or f64 when up to three
 * parameters and at most one result all have it.
 *
 * @param type a function type
 * @returns `ValType.i32`, `ValType.f64`, or undefined
 */
export function uniformType(type: FuncType): ValType | undefined {
  if (type.params.length > 3 || type.results.length > 1) return undefined;
  for (const t of [ValType.i32, ValType.f64]) {
    if (type.params.every((p) => p === t) && type.results.every((r) => r === t)) return t;
  }
  return undefined;
}

/**
 * A fast call: up to three arguments already converted for the parameter
 * types (int32 numbers, signed 64-bit BigInts, f32-rounded or any numbers;
 * 0 for the absent ones); returns the result, or undefined when there is none.
 */
export type NumbersInvoke = (
  x0: number | bigint,
  x1: number | bigint,
  x2: number | bigint,
) => unknown;

/**
 * The fast call of a wasm function, when its type qualifies: up to three
 * parameters and at most one result, all number types. Made once per
 * function; a call allocates nothing.
 *
 * @param func a function
 * @param mapError what a call throws instead of an error it meets (entering,
 *   running, or from a host function), the caller's wrapper of it; absent,
 *   errors pass through as they are, with no handler on the call path
 * @returns the call, or undefined when `func` is a host function or its type does not qualify
 */
export function numbersInvoke(
  func: Func,
  mapError?: (error: unknown) => unknown,
): NumbersInvoke | undefined {
  const { params, results } = func.type;
  if (
    func._host !== undefined || params.length > 3 || results.length > 1 ||
    !params.every(isNumberType) || !results.every(isNumberType)
  ) {
    return undefined;
  }
  const invoke = directInvoke(func);
  if (mapError === undefined) return invoke;
  return (x0, x1, x2) => {
    try {
      return invoke(x0, x1, x2);
    } catch (error) {
      throw mapError(error);
    }
  };
}

/** {@link numbersInvoke} without error mapping (the type already qualifies). */
function directInvoke(func: Func): NumbersInvoke {
  const { params, results } = func.type;
  const n = params.length;
  const none = results.length === 0;
  const uniform = uniformType(func.type);
  if (uniform === ValType.f64) {
    return (x0, x1, x2) => {
      const r = callWasmF64(func, n, x0 as number, x1 as number, x2 as number);
      return none ? undefined : r;
    };
  }
  if (uniform === ValType.i32) {
    return (x0, x1, x2) => {
      const r = callWasmI32(func, n, x0 as number, x1 as number, x2 as number);
      return none ? undefined : r;
    };
  }
  const store = func.store;
  const [p0, p1, p2] = params;
  const r0 = results[0];
  return (x0, x1, x2) => {
    const vm = store._vm;
    const base = enterWasm(func);
    try {
      if (n > 0) writeNumberSlot(vm, base, p0, x0);
      if (n > 1) writeNumberSlot(vm, base + 1, p1, x1);
      if (n > 2) writeNumberSlot(vm, base + 2, p2, x2);
      runEntered(store);
      return r0 === undefined ? undefined : readNumberSlot(vm, base, r0);
    } finally {
      vm.callEnd();
    }
  };
}
