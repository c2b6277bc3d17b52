/**
 * Tests of the `atomic` and `atomic_store` ops on hand-encoded bytecode:
 * every read-modify-write and compare-exchange in every width against a
 * reference, the order of the checks, and a shared `VmMemory`'s growth seen
 * through another copy.
 *
 * @module
 */
import assert from "node:assert/strict";
import { TrapCode } from "@capstan/environ";
import { BytecodeEncoder, Op, Vm, VmFunc, VmInstance, VmMemory } from "./mod.ts";

/** Runs the 0xFE operator `sub` at address `a` with operands `b`, `c` on `mem`; returns d or a trap. */
function atomic(mem: VmMemory, sub: number, a: number, b = 0n, c = 0n): bigint | { trap: number } {
  const e = new BytecodeEncoder();
  e.emit(Op.enter, 3, 3, 8);
  e.emit(Op.atomic, 3, sub, 0, 1, 2, 0, 0, 0);
  e.emit(Op.mov64, 0, 3);
  e.emit(Op.return);
  const vm = new Vm({});
  const inst = new VmInstance(e.finish(), new Int32Array(16), mem, [], [], []);
  vm.addInstance(inst);
  const base = vm.callStart(vm.addFunc(new VmFunc(1, inst, 0, -1, 3)));
  [BigInt(a), b, c].forEach((v, i) => (vm.i64[base + i] = BigInt.asIntN(64, v)));
  const r = vm.callRun();
  const out = BigInt.asUintN(64, vm.i64[base]);
  vm.callEnd();
  return r.kind === "trap" ? { trap: r.code } : out;
}

const WIDTHS = [32, 64, 8, 16, 8, 16, 32]; // access bits of each position in a group of seven
const IS64 = [false, true, false, false, true, true, true];
const RMW: ((x: bigint, y: bigint) => bigint)[] = [
  (x, y) => x + y,
  (x, y) => x - y,
  (x, y) => x & y,
  (x, y) => x | y,
  (x, y) => x ^ y,
  (_x, y) => y,
];

Deno.test("atomic: every rmw in every width returns the old value and stores the new, wrapped", () => {
  const old = 0x8899aabbccddeeffn;
  const operand = 0xf0e1d2c3b4a59687n;
  for (let group = 0; group < RMW.length; group++) {
    for (let pos = 0; pos < 7; pos++) {
      const sub = 0x1e + group * 7 + pos;
      const bits = BigInt(WIDTHS[pos]);
      const mask = (1n << bits) - 1n;
      const mem = new VmMemory(1, 1, 16, false, true);
      mem.view.setBigUint64(8, old, true);
      const y = IS64[pos] ? operand : operand & 0xffffffffn;
      assert.equal(atomic(mem, sub, 8, y), old & mask, `sub ${sub} result`);
      const stored = mem.view.getBigUint64(8, true);
      const want = (old & ~mask) | (RMW[group](old & mask, y & mask) & mask);
      assert.equal(stored, want, `sub ${sub} memory`);
    }
  }
});

Deno.test("atomic: cmpxchg stores on a match of the expected operand wrapped to its width", () => {
  for (let pos = 0; pos < 7; pos++) {
    const sub = 0x48 + pos;
    const bits = BigInt(WIDTHS[pos]);
    const mem = new VmMemory(1, 1);
    mem.view.setBigUint64(0, 0x11n, true);
    assert.equal(atomic(mem, sub, 0, 0x12n, 0x77n), 0x11n);
    assert.equal(mem.view.getBigUint64(0, true), 0x11n, `sub ${sub}: no match, no store`);
    const wide = bits < 64n ? (1n << bits) | 0x11n : 0x11n;
    assert.equal(atomic(mem, sub, 0, wide, 0x77n), 0x11n);
    assert.equal(mem.view.getBigUint64(0, true), 0x77n, `sub ${sub}: wrapped match stores`);
  }
});

Deno.test("atomic: alignment is checked before bounds, and a wait needs a shared memory", () => {
  const mem = new VmMemory(1, 1);
  assert.deepEqual(atomic(mem, 0x11, 65532), { trap: TrapCode.HeapMisaligned });
  assert.deepEqual(atomic(mem, 0x11, 65536), { trap: TrapCode.MemoryOutOfBounds });
  assert.deepEqual(atomic(mem, 0x01, 0, 0n, 0n), { trap: TrapCode.AtomicWaitNonSharedMemory });
  assert.equal(atomic(mem, 0x00, 0, 5n), 0n); // notify on an unshared memory wakes none
  const shared = new VmMemory(1, 1, 16, false, true);
  assert.equal(atomic(shared, 0x01, 0, 1n, 0n), 1n); // not equal
  assert.equal(atomic(shared, 0x01, 0, 0n, 0n), 2n); // timed out
});

Deno.test("a shared VmMemory's growth through one copy shows in another after refresh", () => {
  const a = new VmMemory(1, 3, 16, false, true);
  const b = new VmMemory(0, 3, 16, false, a.shared!);
  assert.equal(b.byteLength, 65536);
  assert.equal(a.grow(1), 1);
  assert.equal(b.byteLength, 65536);
  assert.ok(b.refresh());
  assert.equal(b.pages, 2);
  assert.equal(b.grow(2), -1);
  assert.equal(b.grow(1), 2);
  a.refresh();
  assert.equal(a.pages, 3);
  b.bytes[3 * 65536 - 1] = 9;
  assert.equal(a.bytes[3 * 65536 - 1], 9);
});
