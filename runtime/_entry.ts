/**
 * Host → wasm entry: how a synchronous call of a {@link Func} starts, runs
 * and ends on the store's VM.
 *
 * Invariants:
 * - Arguments arrive already checked against the function's type, or are
 *   checked as they are written, all before anything runs.
 * - Every `vm.callStart` is paired with exactly one `vm.callEnd` (in a
 *   `finally`). `callStart` saves the VM's callee-saved state (pc, fp,
 *   control-stack depth, free-register mark, instance: a setjmp-like
 *   snapshot) and `callEnd` restores it: after a return, a trap, or a host
 *   exception alike, the next call starts clean.
 * - At most {@link MAX_NESTED_ENTRIES} entries are active at once (wasm
 *   calling a host function that calls wasm ...); one more traps "call stack
 *   exhausted" instead of overflowing the JavaScript stack.
 * - The store's host-call hook is installed on its VM by the first entry.
 *
 * @module
 */

import type { FuncType } from "@capstan/environ";
import { ValType } from "@capstan/environ";
import { EXIT_RETURN, readI32Slot, writeI32Slot } from "@capstan/interpreter";
import type { Func } from "./func.ts";
import type { Store } from "./store.ts";
import { bitsFuncType, toWasm, type Val } from "./val.ts";
import { serveExits } from "./_exits.ts";
import { callHostSync, installHostCall } from "./_host_calls.ts";
import { readRegisters, readWords, writeRegister, writeRegisters, writeWords } from "./_slots.ts";
import { entryStackOverflow } from "./_traps.ts";

/**
 * The most host→wasm entries that may be active at once (wasm calling a host
 * function that calls wasm ...). Each level uses the JavaScript stack, which
 * would overflow with a raw RangeError near 1,300 levels; past this limit
 * the call traps "call stack exhausted" instead.
 */
export const MAX_NESTED_ENTRIES = 500;

/** `Store._maybeGc` collects only once this many externref handles are in use. */
export const GC_MIN_HANDLES = 1024;

/**
 * Enters the VM for a call of a wasm function: checks the nesting limit,
 * installs the host-call hook on first use, and starts the call.
 *
 * @param store the store
 * @param func a wasm function
 * @returns the slot of argument 0 and result 0
 * @throws Trap "call stack exhausted" past {@link MAX_NESTED_ENTRIES}
 */
export function enter(store: Store<unknown>, func: Func): number {
  const vm = store._vm;
  if (vm.depth >= MAX_NESTED_ENTRIES) throw entryStackOverflow();
  if (vm.hostCall === null) installHostCall(store);
  return vm.callStart(func._handle);
}

/**
 * Begins a synchronous call of a wasm function for a caller that writes the
 * arguments itself (converted beforehand: nothing may run in between): checks
 * the store is not busy, enters the VM. The caller must then write the
 * arguments to `store._vm` from the returned slot, call {@link runEntered},
 * read the results from the same slot, and in every case (`finally`) call
 * `store._vm.callEnd()`. Nothing is allocated on this path.
 *
 * @param func a wasm function
 * @returns the slot of argument 0 and result 0
 */
export function enterWasm(func: Func): number {
  const store = func.store;
  store.checkNotBusy("calling a function");
  if (store._externs.length >= GC_MIN_HANDLES || store._vm.conts !== null) store._maybeGc();
  return enter(store, func);
}

/**
 * Runs an entered synchronous wasm call until its entry function returns
 * (host calls are served by the hook inside `run`); the results are then in
 * the entry's slots. The caller owns the `callStart`/`callEnd` pair.
 *
 * @param store the store
 * @throws Trap when execution traps, and whatever a host function throws
 */
export function runEntered(store: Store<unknown>): void {
  const exit = store._vm.callRunCode();
  if (exit !== EXIT_RETURN) serveExits(store, exit);
}

const ARGUMENT_NAMES = Array.from({ length: 16 }, (_, i) => `argument ${i}`);

/**
 * The name of argument `i` for error messages (no string built per call).
 *
 * @param i the argument's index
 * @returns `"argument i"`
 */
export function argumentName(i: number): string {
  return ARGUMENT_NAMES[i] ?? `argument ${i}`;
}

/**
 * Calls a wasm function synchronously, checking the arguments as they are
 * written to the VM (nothing runs before all are checked).
 *
 * @param func a wasm function
 * @param args unchecked arguments
 * @param type the type to check against and convert by (`bitsFuncType` for `callBits`)
 * @returns its results
 */
export function callWasmChecking(
  func: Func,
  args: readonly unknown[],
  type: FuncType = func.type,
): Val[] {
  const params = type.params;
  if (args.length !== params.length) func._checkArgs(args); // throws the count error
  const store = func.store;
  const vm = store._vm;
  if (store._externs.length >= GC_MIN_HANDLES || store._vm.conts !== null) store._maybeGc();
  const base = enter(store, func);
  try {
    for (let i = 0; i < params.length; i++) {
      const t = params[i];
      const v = args[i];
      if (t === ValType.i32 && typeof v === "number" && (v | 0) === v) {
        writeI32Slot(vm, base + i, v); // the common case, checked and written inline
      } else {
        writeRegister(store, t, base + i, toWasm(store, t, v, argumentName(i)));
      }
    }
    runEntered(store);
    const results = type.results;
    if (results.length === 1 && results[0] === ValType.i32) return [readI32Slot(vm, base)];
    return readRegisters(store, results, base);
  } finally {
    vm.callEnd();
  }
}

/**
 * Runs a wasm function to completion on the store's VM.
 *
 * @param func a wasm function
 * @param args checked arguments
 * @param type its type as seen by the caller (bit-pattern types for `callBits`)
 * @returns its results
 */
function callWasmSync(func: Func, args: Val[], type: FuncType): Val[] {
  const store = func.store;
  const vm = store._vm;
  const base = enter(store, func);
  try {
    writeRegisters(store, type.params, base, args);
    runEntered(store);
    return readRegisters(store, type.results, base);
  } finally {
    vm.callEnd();
  }
}

/**
 * Calls a function synchronously.
 *
 * @param func the function
 * @param args checked arguments
 * @returns checked results
 */
export function invokeSync(func: Func, args: Val[]): Val[] {
  if (func._host !== undefined) return callHostSync(func, args, undefined);
  return callWasmSync(func, args, func.type);
}

const bitsScratch = new Int32Array(2);

function convertBits(
  store: Store<unknown>,
  from: FuncType["params"],
  to: FuncType["params"],
  vals: Val[],
): Val[] {
  // Round-trip through a slot: written as one type, read as the other.
  return vals.map((v, i) => {
    writeWords(store, from[i], bitsScratch, 0, v);
    return readWords(store, to[i], bitsScratch, 0);
  });
}

/**
 * Calls a function synchronously with floats as bit patterns (f32 as an
 * i32 number, f64 as an i64 BigInt), so NaN payloads survive exactly.
 *
 * @param func the function
 * @param args checked arguments, of `bitsFuncType(func.type)`
 * @returns results, of `bitsFuncType(func.type)`
 */
export function invokeSyncBits(func: Func, args: Val[]): Val[] {
  const bits = bitsFuncType(func.type);
  if (func._host !== undefined) {
    const store = func.store;
    const results = callHostSync(
      func,
      convertBits(store, bits.params, func.type.params, args),
      undefined,
    );
    return convertBits(store, func.type.results, bits.results, results);
  }
  return callWasmSync(func, args, bits);
}
