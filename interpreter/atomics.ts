/**
 * The threads proposal's operators on the VM: every `0xFE` operator (atomic
 * loads, stores, read-modify-writes and compare-exchanges in every width,
 * `memory.atomic.wait32/64`, `memory.atomic.notify`, `atomic.fence`), run by
 * the bytecode ops `atomic` (operators with a result) and `atomic_store`
 * (stores and the fence) through {@link runAtomic}, with the wasm sub-opcode
 * as an operand.
 *
 * Invariants:
 * - Accesses are `Atomics.*` on typed-array views of the memory's buffer
 *   (sequentially consistent, as wasm's atomics are); the views of a buffer
 *   are made once and cached with it. A shared memory's buffer never changes
 *   (it is reserved to the maximum size, its views cover all of it); an
 *   unshared memory's buffer is replaced by growth, and its new buffer gets
 *   new views.
 * - Checks come in the reference interpreter's order: alignment of the
 *   effective address ("unaligned atomic"), then bounds ("out of bounds memory
 *   access"), then, for a wait, that the memory is shared ("expected shared
 *   memory"). A shared memory's bounds are its current length (another
 *   thread may have grown it).
 * - Narrow accesses zero-extend their result and wrap their operands to
 *   their width; a narrow compare-exchange compares the loaded value with the
 *   expected operand wrapped (as the proposal's overview says), which is
 *   what `Atomics.compareExchange` does on a narrow view.
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import type { Vm } from "./vm.ts";
import type { VmInstance, VmMemory } from "./vm_objects.ts";

const T_MEM = TrapCode.MemoryOutOfBounds;
const T_UNALIGNED = TrapCode.HeapMisaligned;
const T_UNSHARED = TrapCode.AtomicWaitNonSharedMemory;

/** The typed-array views atomics use on one buffer. */
interface AtomicViews {
  readonly u8: Uint8Array;
  readonly u16: Uint16Array;
  readonly u32: Uint32Array;
  readonly i32: Int32Array;
  readonly i64: BigInt64Array;
}

const VIEWS = new WeakMap<ArrayBufferLike, AtomicViews>();

function viewsOf(m: VmMemory): AtomicViews {
  const buffer = m.buffer;
  let v = VIEWS.get(buffer);
  if (v === undefined) {
    v = {
      u8: new Uint8Array(buffer),
      u16: new Uint16Array(buffer),
      u32: new Uint32Array(buffer),
      i32: new Int32Array(buffer),
      i64: new BigInt64Array(buffer),
    };
    VIEWS.set(buffer, v);
  }
  return v;
}

/** Sub-opcodes of the operators that are not plain accesses. */
const NOTIFY = 0x00;
const WAIT32 = 0x01;
const WAIT64 = 0x02;
const FENCE = 0x03;
/** The first access sub-opcode (`i32.atomic.load`). */
const FIRST_ACCESS = 0x10;
/** Access sub-opcodes come in groups of seven widths, in this order. */
const WIDTH_BYTES = [4, 8, 1, 2, 1, 2, 4];
/** Whether the access of each width position produces an i64. */
const WIDTH_IS64 = [false, true, false, false, true, true, true];
/** Groups after the first access sub-opcode: loads, stores, then the rmw operations. */
const LOAD = 0;
const STORE = 1;
const ADD = 2; // then sub, and, or, xor, xchg (7)
const CMPXCHG = 8;

/** A value of an access of `bytes` bytes: a number below 2^32, or a bigint for 8 bytes. */
type Cell = number | bigint;

/**
 * Runs the `atomic` op (`d sub a b c mem lo hi`) or the `atomic_store` op
 * (`sub a b mem lo hi`) at `pc`.
 *
 * @param vm the VM (its register views)
 * @param inst the current instance
 * @param code its code
 * @param pc the op's address
 * @param fp the frame pointer
 * @param withResult whether it is `atomic` (else `atomic_store`)
 * @returns 0, or the trap code
 */
export function runAtomic(
  vm: Vm,
  inst: VmInstance,
  code: Int32Array,
  pc: number,
  fp: number,
  withResult: boolean,
): number {
  const k = withResult ? pc + 1 : pc; // `sub a b` are at k+1, k+2, k+3
  const sub = code[k + 1];
  if (sub === FENCE) return 0; // every access below is sequentially consistent already
  const I32 = vm.i32;
  const memAt = withResult ? pc + 6 : pc + 4;
  const m = inst.memories[code[memAt]];
  const at = (fp + code[k + 2]) << 1;
  const base = m.address64 ? (I32[at + 1] >>> 0) * 4294967296 + (I32[at] >>> 0) : I32[at] >>> 0;
  const ea = base + ((code[memAt + 2] >>> 0) * 4294967296 + (code[memAt + 1] >>> 0));
  const width = sub < FIRST_ACCESS
    ? (sub === WAIT64 ? 8 : 4)
    : WIDTH_BYTES[(sub - FIRST_ACCESS) % 7];
  if (ea % width !== 0) return T_UNALIGNED;
  if (
    ea + width > m.byteLength &&
    !(m.shared !== undefined && m.refresh() && ea + width <= m.byteLength)
  ) {
    return T_MEM;
  }
  const d = (fp + code[pc + 1]) << 1;
  const b = fp + code[k + 3];
  const views = viewsOf(m);
  if (sub < FIRST_ACCESS) {
    if (sub === NOTIFY) {
      const count = I32[b << 1] >>> 0;
      I32[d] = m.shared === undefined ? 0 : Atomics.notify(views.i32, ea >>> 2, count);
      return 0;
    }
    if (m.shared === undefined) return T_UNSHARED;
    const timeout = vm.i64[fp + code[pc + 5]];
    const ms = timeout < 0n ? Infinity : Number(timeout) / 1e6;
    const r = sub === WAIT32
      ? Atomics.wait(views.i32, ea >>> 2, I32[b << 1], ms)
      : Atomics.wait(views.i64, ea >>> 3, vm.i64[b], ms);
    I32[d] = r === "ok" ? 0 : r === "not-equal" ? 1 : 2;
    return 0;
  }
  const pos = (sub - FIRST_ACCESS) % 7;
  const group = ((sub - FIRST_ACCESS) / 7) | 0;
  const is64 = WIDTH_IS64[pos];
  let r: Cell;
  if (group === LOAD) r = load(views, width, ea);
  else if (group === STORE) {
    store(views, width, ea, operand(vm, b, width));
    return 0;
  } else if (group === CMPXCHG) {
    const c = fp + code[pc + 5];
    r = compareExchange(views, width, ea, operand(vm, b, width), operand(vm, c, width));
  } else r = readModifyWrite(views, group, width, ea, operand(vm, b, width));
  if (typeof r === "bigint") {
    vm.i64[d >> 1] = r;
  } else {
    I32[d] = r;
    if (is64) I32[d + 1] = 0;
  }
  return 0;
}

/** Register `slot`'s value as an access of `width` bytes takes it: a bigint for 8, else u32. */
function operand(vm: Vm, slot: number, width: number): Cell {
  return width === 8 ? vm.i64[slot] : vm.i32[slot << 1] >>> 0;
}

function load(v: AtomicViews, width: number, ea: number): Cell {
  switch (width) {
    case 1:
      return Atomics.load(v.u8, ea);
    case 2:
      return Atomics.load(v.u16, ea >>> 1);
    case 4:
      return Atomics.load(v.u32, ea >>> 2);
    default:
      return Atomics.load(v.i64, ea >>> 3);
  }
}

function store(v: AtomicViews, width: number, ea: number, x: Cell): void {
  switch (width) {
    case 1:
      Atomics.store(v.u8, ea, x as number);
      return;
    case 2:
      Atomics.store(v.u16, ea >>> 1, x as number);
      return;
    case 4:
      Atomics.store(v.u32, ea >>> 2, x as number);
      return;
    default:
      Atomics.store(v.i64, ea >>> 3, x as bigint);
  }
}

/** The typed array and element index of an access of `width` bytes at `ea`. */
function cell(
  v: AtomicViews,
  width: number,
  ea: number,
): [Uint8Array | Uint16Array | Uint32Array, number] {
  return width === 1 ? [v.u8, ea] : width === 2 ? [v.u16, ea >>> 1] : [v.u32, ea >>> 2];
}

/** An `Atomics` read-modify-write function, as applied to any of the views. */
type Rmw = (a: Uint8Array | Uint16Array | Uint32Array | BigInt64Array, i: number, x: Cell) => Cell;

/** `Atomics`' read-modify-write functions, by group from {@link ADD} to xchg. */
const RMW = [
  Atomics.add,
  Atomics.sub,
  Atomics.and,
  Atomics.or,
  Atomics.xor,
  Atomics.exchange,
] as readonly Rmw[];

function readModifyWrite(v: AtomicViews, group: number, width: number, ea: number, x: Cell): Cell {
  const f = RMW[group - ADD];
  if (width === 8) return f(v.i64, ea >>> 3, x);
  const [a, i] = cell(v, width, ea);
  return f(a, i, x);
}

function compareExchange(v: AtomicViews, width: number, ea: number, expected: Cell, x: Cell): Cell {
  if (width === 8) return Atomics.compareExchange(v.i64, ea >>> 3, expected as bigint, x as bigint);
  const [a, i] = cell(v, width, ea);
  return Atomics.compareExchange(a, i, expected as number, x as number);
}
