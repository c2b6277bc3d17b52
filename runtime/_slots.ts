/**
 * Runtime values ({@link Val}) in the VM's slots: the interpreter's slot
 * codec (`@capstan/interpreter`'s `writeSlot`, `readSlot`, `writeWordSlot`,
 * `readWordSlot`) with references turned into the store's handles on the
 * way in and back on the way out.
 *
 * Invariants: values are written already checked (by `toWasm`); a funcref or
 * externref is stored as its handle (0 for null), which only the store that
 * made it can turn back into the reference; a value of the `any` hierarchy
 * goes to the ref file (`Vm.refs`, or `Vm.refGlobals` for a global) as
 * `_gc_values.ts` converts it.
 *
 * @module
 */

import { type FuncType, isRefType, refTop, ValType } from "@capstan/environ";
import { gcToInternal, gcToJs } from "./_gc_values.ts";
import {
  readSlot,
  readWordSlot,
  type SlotValue,
  writeSlot,
  writeWordSlot,
} from "@capstan/interpreter";
import type { Store } from "./store.ts";
import { handleToRef, refToHandle } from "./table.ts";
import type { Val } from "./val.ts";

function isRef(type: ValType): boolean {
  return isRefType(type);
}

function toSlotValue(store: Store<unknown>, type: ValType, v: Val): SlotValue {
  if (!isRef(type)) return v;
  if (refTop(type) === ValType.anyref) return v === null ? null : gcToInternal(v) as SlotValue;
  return refToHandle(store, type, v);
}

function fromSlotValue(store: Store<unknown>, type: ValType, raw: SlotValue): Val {
  if (!isRef(type)) return raw;
  if (refTop(type) === ValType.anyref) return raw === null ? null : gcToJs(raw);
  return handleToRef(store, type, raw as number);
}

/** A ref-file value written to word storage other than the VM's globals (a scratch). */
let scratchRef: SlotValue = null;

/** Whether a type is held in the ref file (and in `Vm.refGlobals` as a global). */
function isGcRef(type: ValType): boolean {
  return isRef(type) && refTop(type) === ValType.anyref;
}

/**
 * Reads a value from a register slot of the store's VM.
 *
 * @param store the store
 * @param type the value's type
 * @param slot the register slot
 * @returns the value
 */
export function readRegister(store: Store<unknown>, type: ValType, slot: number): Val {
  return fromSlotValue(store, type, readSlot(store._vm, slot, type));
}

/**
 * Writes a value (already checked) to a register slot of the store's VM.
 *
 * @param store the store
 * @param type the value's type
 * @param slot the register slot
 * @param v the value
 */
export function writeRegister(store: Store<unknown>, type: ValType, slot: number, v: Val): void {
  writeSlot(store._vm, slot, type, toSlotValue(store, type, v));
}

/**
 * Reads consecutive register slots.
 *
 * @param store the store
 * @param types the values' types
 * @param base the slot of the first
 * @returns the values
 */
export function readRegisters(
  store: Store<unknown>,
  types: FuncType["params"],
  base: number,
): Val[] {
  const out = new Array(types.length);
  for (let i = 0; i < types.length; i++) out[i] = readRegister(store, types[i], base + i);
  return out;
}

/**
 * Writes values (already checked) to consecutive register slots.
 *
 * @param store the store
 * @param types the values' types
 * @param base the slot of the first
 * @param vals the values
 */
export function writeRegisters(
  store: Store<unknown>,
  types: FuncType["params"],
  base: number,
  vals: Val[],
): void {
  for (let i = 0; i < types.length; i++) writeRegister(store, types[i], base + i, vals[i]);
}

/**
 * Reads a value from a slot of word storage (the VM's global storage, or a scratch).
 *
 * @param store the store
 * @param type the value's type
 * @param words the storage
 * @param slot the slot
 * @returns the value
 */
export function readWords(
  store: Store<unknown>,
  type: ValType,
  words: Int32Array,
  slot: number,
): Val {
  if (isGcRef(type)) {
    const v = words === store._vm.globals ? store._vm.refGlobals[slot] ?? null : scratchRef;
    return fromSlotValue(store, type, v as SlotValue);
  }
  return fromSlotValue(store, type, readWordSlot(words, slot, type));
}

/**
 * Writes a value (already checked) to a slot of word storage.
 *
 * @param store the store
 * @param type the value's type
 * @param words the storage
 * @param slot the slot
 * @param v the value
 */
export function writeWords(
  store: Store<unknown>,
  type: ValType,
  words: Int32Array,
  slot: number,
  v: Val,
): void {
  const raw = toSlotValue(store, type, v);
  if (!isGcRef(type)) writeWordSlot(words, slot, type, raw);
  else if (words === store._vm.globals) store._vm.refGlobals[slot] = raw;
  else scratchRef = raw;
}
