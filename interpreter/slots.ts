/**
 * The slot codec: how a wasm value is written to and read from the VM's
 * 8-byte slots — the register file (`Vm.i32` and its views) and word storage
 * such as the VM's global storage (`Vm.globals`). Everything outside the
 * dispatch loop that puts a value into a slot or takes one out goes through
 * these functions, so the layout is stated once.
 *
 * Layout (the same in registers and in word storage; two 32-bit words per
 * slot, low word first):
 * - i32, and references as their handles (0 is null): the low word; the high
 *   word is zero.
 * - f32: its bits in the low word; the high word is zero.
 * - i64, f64: both words, little-endian.
 * - v128: in registers, the 16 bytes of vector `slot` of the VM's v128 file
 *   ({@link v128Registers}), the register slot itself unused; in word storage,
 *   two consecutive slots (four words, lowest bytes first).
 * - a reference of the `any` hierarchy (GC): in registers, entry `slot` of the
 *   VM's ref file (`Vm.refs`), the register slot itself unused; word storage
 *   cannot hold one (a global's is `Vm.refGlobals[slot]`).
 *
 * Invariants: a raw value ({@link SlotValue}) is already normalised to its
 * type (an int32 number, a signed 64-bit BigInt, an f32-rounded number, a
 * handle, 16 bytes); nothing here converts or checks it. The per-type
 * register functions allocate nothing (except a BigInt read back for i64 and
 * the copy a v128 read returns).
 *
 * @example
 * ```ts
 * import { ValType } from "@capstan/environ";
 * import { readI32Slot, readSlot, Vm, writeF64Slot, writeSlot } from "@capstan/interpreter";
 * const vm = new Vm();
 * writeSlot(vm, 3, ValType.i64, -2n);
 * if (readSlot(vm, 3, ValType.i64) !== -2n) throw new Error();
 * writeF64Slot(vm, 4, 1.5);
 * writeSlot(vm, 4, ValType.i32, 7); // also clears the high word
 * if (readI32Slot(vm, 4) !== 7 || vm.i32[9] !== 0) throw new Error();
 * ```
 *
 * @module
 */

import { isRefType, isValType, refTop, ValType } from "@capstan/environ";
import { refRegisters } from "./_gc_exec.ts";
import { v128Registers } from "./simd.ts";
import type { Vm } from "./vm.ts";

/**
 * How a value of a type is stored: the type itself for the number types and
 * `v128`; `funcref` for every reference type (all are i32 handles).
 */
function storedAs(type: ValType): ValType {
  return (type >= ValType.v128 && type <= ValType.i32) || !isValType(type) ? type : ValType.funcref;
}

/**
 * A raw slot value: a number for i32, f32, f64 and references (their
 * handles), a BigInt for i64, 16 bytes for v128; for a reference of the
 * `any` hierarchy, its value in the ref file (see `gc_objects.ts`).
 */
export type SlotValue = number | bigint | Uint8Array | object | null;

/**
 * Writes an i32 (or a reference handle) to a register slot, zeroing its high word.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param v an int32 number
 */
export function writeI32Slot(vm: Vm, slot: number, v: number): void {
  writeI32Word(vm.i32, slot, v);
}

/**
 * {@link writeI32Slot} on the register file's words (`Vm.i32`), for a hot
 * path that holds them (measured: a host→wasm call writing its arguments
 * this way is ~10% faster than through the VM each time).
 *
 * @param words the register file's words, `vm.i32`
 * @param slot the register slot
 * @param v an int32 number
 */
export function writeI32Word(words: Int32Array, slot: number, v: number): void {
  const at = slot << 1;
  words[at] = v;
  words[at + 1] = 0;
}

/**
 * Reads an i32 (or a reference handle) from a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @returns the int32 number
 */
export function readI32Slot(vm: Vm, slot: number): number {
  return vm.i32[slot << 1];
}

/**
 * Writes an f32 to a register slot, zeroing its high word.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param v the number (rounded to f32 as it is stored)
 */
export function writeF32Slot(vm: Vm, slot: number, v: number): void {
  const at = slot << 1;
  vm.f32[at] = v;
  vm.i32[at + 1] = 0;
}

/**
 * Reads an f32 from a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @returns the number
 */
export function readF32Slot(vm: Vm, slot: number): number {
  return vm.f32[slot << 1];
}

/**
 * Writes an f64 to a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param v the number
 */
export function writeF64Slot(vm: Vm, slot: number, v: number): void {
  vm.f64[slot] = v;
}

/**
 * Reads an f64 from a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @returns the number
 */
export function readF64Slot(vm: Vm, slot: number): number {
  return vm.f64[slot];
}

/**
 * Writes an i64 to a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param v a BigInt in [-2^63, 2^64)
 */
export function writeI64Slot(vm: Vm, slot: number, v: bigint): void {
  vm.i64[slot] = v;
}

/**
 * Reads an i64 from a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @returns the signed value
 */
export function readI64Slot(vm: Vm, slot: number): bigint {
  return vm.i64[slot];
}

/**
 * Writes a v128 to a register (its vector in the v128 file).
 *
 * @param vm the VM
 * @param slot the register slot
 * @param v 16 bytes (more are ignored)
 */
export function writeV128Slot(vm: Vm, slot: number, v: Uint8Array): void {
  v128Registers(vm).u8.set(v.subarray(0, 16), slot << 4);
}

/**
 * Reads a v128 from a register (its vector in the v128 file).
 *
 * @param vm the VM
 * @param slot the register slot
 * @returns a copy of its 16 bytes
 */
export function readV128Slot(vm: Vm, slot: number): Uint8Array {
  return v128Registers(vm).u8.slice(slot << 4, (slot << 4) + 16);
}

/**
 * Writes a value of a number type (i32, i64, f32, f64) to a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param type a number type
 * @param v the value, normalised to the type
 * @throws TypeError for a type that is not a number type
 */
export function writeNumberSlot(vm: Vm, slot: number, type: ValType, v: number | bigint): void {
  switch (type) {
    case ValType.i32:
      writeI32Slot(vm, slot, v as number);
      return;
    case ValType.f64:
      writeF64Slot(vm, slot, v as number);
      return;
    case ValType.f32:
      writeF32Slot(vm, slot, v as number);
      return;
    case ValType.i64:
      writeI64Slot(vm, slot, v as bigint);
      return;
  }
  throw new TypeError(`not a number type: ${type}`);
}

/**
 * Reads a value of a number type (i32, i64, f32, f64) from a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param type a number type
 * @returns the value (a BigInt for i64)
 * @throws TypeError for a type that is not a number type
 */
export function readNumberSlot(vm: Vm, slot: number, type: ValType): number | bigint {
  switch (type) {
    case ValType.i32:
      return readI32Slot(vm, slot);
    case ValType.f64:
      return readF64Slot(vm, slot);
    case ValType.f32:
      return readF32Slot(vm, slot);
    case ValType.i64:
      return readI64Slot(vm, slot);
  }
  throw new TypeError(`not a number type: ${type}`);
}

/**
 * Whether a value type is a number type (i32, i64, f32, f64): those that
 * {@link writeNumberSlot} and {@link readNumberSlot} take.
 *
 * @param t a value type
 * @returns true for the four number types
 */
export function isNumberType(t: ValType): boolean {
  return t === ValType.i32 || t === ValType.i64 || t === ValType.f32 || t === ValType.f64;
}

/**
 * Writes a value of any type to a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param type its type
 * @param v the raw value (a handle for a reference)
 * @throws TypeError for an unknown type
 */
export function writeSlot(vm: Vm, slot: number, type: ValType, v: SlotValue): void {
  if (isRefType(type) && refTop(type) === ValType.anyref) {
    refRegisters(vm)[slot] = v;
    return;
  }
  switch (storedAs(type)) {
    case ValType.funcref:
    case ValType.externref:
      writeI32Slot(vm, slot, v as number);
      return;
    case ValType.v128:
      writeV128Slot(vm, slot, v as Uint8Array);
      return;
  }
  writeNumberSlot(vm, slot, type, v as number | bigint);
}

/**
 * Reads a value of any type from a register slot.
 *
 * @param vm the VM
 * @param slot the register slot
 * @param type its type
 * @returns the raw value (a handle for a reference)
 * @throws TypeError for an unknown type
 */
export function readSlot(vm: Vm, slot: number, type: ValType): SlotValue {
  if (isRefType(type) && refTop(type) === ValType.anyref) {
    return refRegisters(vm)[slot] as SlotValue;
  }
  switch (storedAs(type)) {
    case ValType.funcref:
    case ValType.externref:
      return readI32Slot(vm, slot);
    case ValType.v128:
      return readV128Slot(vm, slot);
  }
  return readNumberSlot(vm, slot, type);
}

/**
 * How many slots a value of a type takes in word storage.
 *
 * @param type a value type
 * @returns 2 for v128, else 1
 */
export function wordSlotsOf(type: ValType): number {
  return type === ValType.v128 ? 2 : 1;
}

const scratch = new ArrayBuffer(8);
const sI32 = new Int32Array(scratch);
const sF32 = new Float32Array(scratch);
const sF64 = new Float64Array(scratch);
const sI64 = new BigInt64Array(scratch);

/**
 * Writes a value of any type to a slot of word storage (two words per slot,
 * as the VM's global storage).
 *
 * @param words the storage
 * @param slot the slot (its first one, for v128)
 * @param type its type
 * @param v the raw value (a handle for a reference)
 * @throws TypeError for an unknown type
 */
export function writeWordSlot(words: Int32Array, slot: number, type: ValType, v: SlotValue): void {
  const w = slot << 1;
  switch (storedAs(type)) {
    case ValType.i32:
    case ValType.funcref:
    case ValType.externref:
      writeI32Word(words, slot, v as number);
      return;
    case ValType.i64:
      sI64[0] = v as bigint;
      words[w] = sI32[0];
      words[w + 1] = sI32[1];
      return;
    case ValType.f32:
      sF32[0] = v as number;
      words[w] = sI32[0];
      words[w + 1] = 0;
      return;
    case ValType.f64:
      sF64[0] = v as number;
      words[w] = sI32[0];
      words[w + 1] = sI32[1];
      return;
    case ValType.v128: {
      const b = v as Uint8Array;
      words.set(new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + 16)), w);
      return;
    }
  }
  throw new TypeError(`not a value type: ${type}`);
}

/**
 * Reads a value of any type from a slot of word storage (two words per slot,
 * as the VM's global storage).
 *
 * @param words the storage
 * @param slot the slot (its first one, for v128)
 * @param type its type
 * @returns the raw value (a handle for a reference; a copy for v128)
 * @throws TypeError for an unknown type
 */
export function readWordSlot(words: Int32Array, slot: number, type: ValType): SlotValue {
  const w = slot << 1;
  switch (storedAs(type)) {
    case ValType.i32:
    case ValType.funcref:
    case ValType.externref:
      return words[w];
    case ValType.i64:
      sI32[0] = words[w];
      sI32[1] = words[w + 1];
      return sI64[0];
    case ValType.f32:
      sI32[0] = words[w];
      return sF32[0];
    case ValType.f64:
      sI32[0] = words[w];
      sI32[1] = words[w + 1];
      return sF64[0];
    case ValType.v128:
      return new Uint8Array(words.slice(w, w + 4).buffer);
  }
  throw new TypeError(`not a value type: ${type}`);
}
