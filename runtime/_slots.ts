/**
 * Reading and writing wasm values in the VM's 8-byte slots: registers
 * (`Vm.i32`) and global storage (`Vm.globals`) alike, both `Int32Array`s
 * with two words per slot (low word first).
 *
 * Invariants: i32 and references (handles) use the low word; i64 and f64
 * both words, little-endian halves; f32 its bits in the low word; v128 two
 * consecutive slots (four words, lowest bytes first) in global storage, but
 * in registers its own 16 bytes of the VM's v128 file (`v128Registers`).
 *
 * @module
 */

import { type RefType, type ValType, ValType as VT } from "@capstan/environ";
import { v128Registers } from "@capstan/interpreter";
import type { Store } from "./store.ts";
import { handleToRef, refToHandle } from "./table.ts";
import type { Val } from "./val.ts";

const scratch = new ArrayBuffer(8);
const sI32 = new Int32Array(scratch);
const sF32 = new Float32Array(scratch);
const sF64 = new Float64Array(scratch);
const sI64 = new BigInt64Array(scratch);

/**
 * How many slots a value of a type occupies.
 *
 * @param type a value type
 * @returns 2 for v128, else 1
 */
export function slotsOf(type: ValType): number {
  return type === VT.v128 ? 2 : 1;
}

/**
 * Reads the value of a slot.
 *
 * @param store the store (to turn handles into references)
 * @param type the value's type
 * @param words the storage, two words per slot
 * @param slot the slot index
 * @returns the value
 */
export function readSlot(
  store: Store<unknown>,
  type: ValType,
  words: Int32Array,
  slot: number,
): Val {
  const w = slot << 1;
  switch (type) {
    case VT.i32:
      return words[w];
    case VT.i64:
      sI32[0] = words[w];
      sI32[1] = words[w + 1];
      return sI64[0];
    case VT.f32:
      sI32[0] = words[w];
      return sF32[0];
    case VT.f64:
      sI32[0] = words[w];
      sI32[1] = words[w + 1];
      return sF64[0];
    case VT.funcref:
    case VT.externref:
      return handleToRef(store, type as RefType, words[w]);
    case VT.v128: {
      // registers: a v128 lives in the VM's v128 file (same slot numbers), see BOUNDARY.md
      if (words === store._vm.i32) {
        return v128Registers(store._vm).u8.slice(slot << 4, (slot << 4) + 16);
      }
      return new Uint8Array(words.slice(w, w + 4).buffer);
    }
  }
  throw new TypeError(`not a value type: ${type}`);
}

/**
 * Writes a value (already checked by `toWasm`) to a slot.
 *
 * @param store the store (to turn references into handles)
 * @param type the value's type
 * @param words the storage, two words per slot
 * @param slot the slot index
 * @param v the value
 */
export function writeSlot(
  store: Store<unknown>,
  type: ValType,
  words: Int32Array,
  slot: number,
  v: Val,
): void {
  const w = slot << 1;
  switch (type) {
    case VT.i32:
      words[w] = v;
      words[w + 1] = 0;
      return;
    case VT.i64:
      sI64[0] = v;
      words[w] = sI32[0];
      words[w + 1] = sI32[1];
      return;
    case VT.f32:
      sF32[0] = v;
      words[w] = sI32[0];
      words[w + 1] = 0;
      return;
    case VT.f64:
      sF64[0] = v;
      words[w] = sI32[0];
      words[w + 1] = sI32[1];
      return;
    case VT.funcref:
    case VT.externref:
      words[w] = refToHandle(store, type as RefType, v);
      words[w + 1] = 0;
      return;
    case VT.v128: {
      const b = v as Uint8Array;
      if (words === store._vm.i32) {
        v128Registers(store._vm).u8.set(b.subarray(0, 16), slot << 4);
        return;
      }
      words.set(new Int32Array(b.buffer.slice(b.byteOffset, b.byteOffset + 16)), w);
      return;
    }
  }
  throw new TypeError(`not a value type: ${type}`);
}
