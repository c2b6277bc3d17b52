/**
 * Tests of the slot codec: every value type round-trips through a register
 * and through word storage, bit for bit; i32, f32 and references leave a
 * zero high word whatever was there; register and word-storage layouts agree.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ValType } from "@capstan/environ";
import {
  readF32Slot,
  readI32Slot,
  readSlot,
  readV128Slot,
  readWordSlot,
  type SlotValue,
  Vm,
  wordSlotsOf,
  writeF64Slot,
  writeI32Slot,
  writeI64Slot,
  writeNumberSlot,
  writeSlot,
  writeV128Slot,
  writeWordSlot,
} from "./mod.ts";

const v128 = Uint8Array.from({ length: 16 }, (_, i) => i * 17);

const SAMPLES: [ValType, SlotValue][] = [
  [ValType.i32, -123456789],
  [ValType.i64, -0x123456789abcdefn],
  [ValType.f32, Math.fround(-1.25e-3)],
  [ValType.f64, 1 / 3],
  [ValType.funcref, 42],
  [ValType.externref, 7],
  [ValType.v128, v128],
];

Deno.test("writeSlot() then readSlot() gives back every type's value", () => {
  const vm = new Vm();
  for (const [type, v] of SAMPLES) {
    writeSlot(vm, 5, type, v);
    assert.deepEqual(readSlot(vm, 5, type), v, `type 0x${type.toString(16)}`);
  }
});

Deno.test("writeWordSlot() then readWordSlot() gives back every type's value", () => {
  const words = new Int32Array(8);
  for (const [type, v] of SAMPLES) {
    writeWordSlot(words, 1, type, v);
    assert.deepEqual(readWordSlot(words, 1, type), v, `type 0x${type.toString(16)}`);
  }
  assert.equal(wordSlotsOf(ValType.v128), 2);
  assert.equal(wordSlotsOf(ValType.i64), 1);
});

Deno.test("i32, f32 and reference writes zero the high word", () => {
  const vm = new Vm();
  for (const type of [ValType.i32, ValType.f32, ValType.funcref, ValType.externref]) {
    writeF64Slot(vm, 3, NaN); // both words set
    writeSlot(vm, 3, type, 1);
    assert.equal(vm.i32[7], 0, `type 0x${type.toString(16)}`);
    writeF64Slot(vm, 3, NaN);
    assert.equal(vm.i32[7] !== 0, true);
    const words = new Int32Array([-1, -1]);
    writeWordSlot(words, 0, type, 1);
    assert.equal(words[1], 0, `word storage, type 0x${type.toString(16)}`);
  }
  writeI32Slot(vm, 3, -1);
  assert.equal(readI32Slot(vm, 3), -1);
  assert.equal(vm.i32[7], 0);
});

Deno.test("registers and word storage lay out number values the same way", () => {
  const vm = new Vm();
  for (const [type, v] of SAMPLES) {
    if (type === ValType.v128) continue;
    writeSlot(vm, 2, type, v);
    const words = new Int32Array(2);
    writeWordSlot(words, 0, type, v);
    assert.deepEqual([vm.i32[4], vm.i32[5]], [words[0], words[1]], `type 0x${type.toString(16)}`);
  }
  writeI64Slot(vm, 2, 0x0000000100000002n);
  assert.deepEqual([vm.i32[4], vm.i32[5]], [2, 1], "i64 is little-endian: low word first");
});

Deno.test("a v128 register lives in the v128 file, a register slot's bytes untouched", () => {
  const vm = new Vm();
  writeI32Slot(vm, 4, 99);
  writeV128Slot(vm, 4, v128);
  assert.equal(readI32Slot(vm, 4), 99);
  const copy = readV128Slot(vm, 4);
  assert.deepEqual(copy, v128);
  copy[0] = 1;
  assert.deepEqual(readV128Slot(vm, 4), v128, "a read returns a copy");
});

Deno.test("writeNumberSlot() rounds an f32 and refuses non-number types", () => {
  const vm = new Vm();
  writeNumberSlot(vm, 1, ValType.f32, 0.1);
  assert.equal(readF32Slot(vm, 1), Math.fround(0.1));
  assert.throws(() => writeNumberSlot(vm, 1, ValType.v128, 0), TypeError);
});
