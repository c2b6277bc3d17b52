/**
 * The GC bytecode ops that `runExt` sends here (array allocation and bulk
 * operations, the casts of handle references, the extern conversions), and
 * the helpers of those `runExt` runs itself, in its jump table (moves, null
 * tests, `ref.eq`, globals, `i31`, casts, struct allocation and access,
 * array element access and length). See `gc_objects.ts` for how values are
 * represented.
 *
 * Invariants:
 * - A handler returns the next pc (a taken branch: the op's pc plus its
 *   offset) or minus a trap code; it never throws for a wasm-level error.
 * - Register operands are frame-relative; `fp + r` is the absolute slot, the
 *   same index in the numeric file (`vm.i32`, two words per slot) and in the
 *   ref file (`vm.refs`).
 *
 * @module
 */

import { HeapType, TrapCode } from "@capstan/environ";
import { Op } from "./_opcodes.ts";
import { type ArrayData, GcArray, gcLayout, newArrayData, Storage } from "./gc_objects.ts";
import { v128Registers } from "./simd.ts";
import type { Vm } from "./vm.ts";
import type { VmInstance } from "./vm_objects.ts";

const T_NULL_ARRAY = TrapCode.NullArrayReference;
const T_ARRAY_BOUNDS = TrapCode.ArrayOutOfBounds;
const T_CAST = TrapCode.CastFailure;

/** Bytes per element of each storage kind (references: one slot's worth, for the size limit). */
const ELEMENT_BYTES = [4, 8, 16, 8, 1, 2, 8];

/** The most bytes one array may take (larger allocations trap: "allocation failure"). */
const MAX_ARRAY_BYTES = 2 ** 30;

/**
 * The VM's reference register file, allocated on first use (one entry per
 * register slot, all null).
 *
 * @param vm the VM
 * @returns `vm.refs`
 */
export function refRegisters(vm: Vm): unknown[] {
  return vm.refs ??= new Array<unknown>(vm.i32.length >> 1).fill(null);
}

/**
 * Reads the value in absolute slot `s` as a field of storage `st` stores it.
 *
 * @param vm the VM
 * @param st the storage
 * @param s an absolute register slot
 * @returns the stored representation
 */
export function loadStored(vm: Vm, st: number, s: number): unknown {
  switch (st) {
    case Storage.I32:
      return vm.i32[s << 1];
    case Storage.I8:
      return vm.i32[s << 1] & 0xff;
    case Storage.I16:
      return vm.i32[s << 1] & 0xffff;
    case Storage.I64:
      return vm.i64[s];
    case Storage.V128:
      return v128Registers(vm).u8.slice(s << 4, (s << 4) + 16);
    case Storage.Ref:
      return (vm.refs ?? refRegisters(vm))[s];
    default: {
      const h = vm.i32[s << 1];
      return h === 0 ? null : vm.gcHost!.anyOfExtern(h);
    }
  }
}

/**
 * Writes a stored value of storage `st` to absolute slot `s` as its value type.
 *
 * @param vm the VM
 * @param st the storage
 * @param s an absolute register slot
 * @param v the stored representation
 * @param signed for a packed storage: sign-extend (else zero-extend)
 */
export function storeToSlot(vm: Vm, st: number, s: number, v: unknown, signed: boolean): void {
  const I32 = vm.i32;
  switch (st) {
    case Storage.I32:
      I32[s << 1] = v as number;
      I32[(s << 1) + 1] = 0;
      return;
    case Storage.I8:
      I32[s << 1] = signed ? ((v as number) << 24) >> 24 : v as number;
      I32[(s << 1) + 1] = 0;
      return;
    case Storage.I16:
      I32[s << 1] = signed ? ((v as number) << 16) >> 16 : v as number;
      I32[(s << 1) + 1] = 0;
      return;
    case Storage.I64:
      vm.i64[s] = v as bigint;
      return;
    case Storage.V128:
      v128Registers(vm).u8.set(v as Uint8Array, s << 4);
      return;
    case Storage.Ref:
      (vm.refs ?? refRegisters(vm))[s] = v;
      return;
    default:
      I32[s << 1] = v === null ? 0 : vm.gcHost!.externOfAny(v);
      I32[(s << 1) + 1] = 0;
  }
}

/**
 * Copies `n` values from `src[s..]` to `dst[d..]`, overlap allowed (GC
 * tables, segments and reference arrays).
 *
 * @param dst the destination
 * @param d where to write
 * @param src the source (may be `dst`)
 * @param s where to read
 * @param n how many
 */
export function copyRefs(
  dst: unknown[],
  d: number,
  src: readonly unknown[],
  s: number,
  n: number,
): void {
  if (dst === src && d > s) { for (let k = n - 1; k >= 0; k--) dst[d + k] = src[s + k]; }
  else for (let k = 0; k < n; k++) dst[d + k] = src[s + k];
}

/**
 * Element `i` of array data of storage `st`, as stored.
 *
 * @param data the array's elements
 * @param st their storage
 * @param i the index (in range)
 * @returns the stored value
 */
export function arrayElement(data: ArrayData, st: number, i: number): unknown {
  if (st === Storage.V128) return (data as Uint8Array).slice(i << 4, (i << 4) + 16);
  return data[i];
}

/**
 * Sets element `i` of array data of storage `st` to a stored value.
 *
 * @param data the array's elements
 * @param st their storage
 * @param i the index (in range)
 * @param v the stored value
 */
export function setArrayElement(data: ArrayData, st: number, i: number, v: unknown): void {
  if (st === Storage.V128) (data as Uint8Array).set(v as Uint8Array, i << 4);
  else (data as unknown[])[i] = v;
}

/** Fills elements `i..i+n-1` of array data of storage `st` with a stored value. */
function fillArray(data: ArrayData, st: number, i: number, n: number, v: unknown): void {
  if (st === Storage.V128) {
    for (let k = i; k < i + n; k++) (data as Uint8Array).set(v as Uint8Array, k << 4);
  } else (data as unknown[]).fill(v, i, i + n);
}

/**
 * A new array's data of `n` elements, or null when it would be too large.
 *
 * @param st the element storage
 * @param n the requested length (an i32, read unsigned)
 * @returns zeroed storage, or null
 */
function allocArray(st: number, n: number): ArrayData | null {
  if (n * ELEMENT_BYTES[st] > MAX_ARRAY_BYTES) return null;
  return newArrayData(st, n);
}

/**
 * Array data from `n` elements of storage `st` read from `bytes` at `at` (little-endian).
 *
 * @returns the data, or null when the bytes run out
 */
function arrayFromBytes(st: number, bytes: Uint8Array, at: number, n: number): ArrayData | null {
  const size = ELEMENT_BYTES[st];
  if (at + n * size > bytes.length) return null;
  const copy = bytes.slice(at, at + n * size);
  switch (st) {
    case Storage.I16:
      return new Uint16Array(copy.buffer);
    case Storage.I32:
      return new Int32Array(copy.buffer);
    case Storage.I64:
      return new BigInt64Array(copy.buffer);
    default: // i8, v128
      return copy;
  }
}

/**
 * Executes one GC op at `pc`.
 *
 * @param vm the VM
 * @param inst the current instance
 * @param code its code
 * @param pc the op's address
 * @param fp the frame pointer
 * @returns the next pc, or minus a trap code
 */
export function runGc(vm: Vm, inst: VmInstance, code: Int32Array, pc: number, fp: number): number {
  const I32 = vm.i32;
  const R = vm.refs ?? refRegisters(vm);
  switch (code[pc]) {
    case Op.array_new:
    case Op.array_new_default: {
      const type = code[pc + 2];
      const st = gcLayout(type).storage[0];
      const withValue = code[pc] === Op.array_new;
      const n = I32[(fp + code[pc + (withValue ? 4 : 3)]) << 1] >>> 0;
      const data = allocArray(st, n);
      if (data === null) return -TrapCode.AllocationFailure;
      if (withValue) fillArray(data, st, 0, n, loadStored(vm, st, fp + code[pc + 3]));
      R[fp + code[pc + 1]] = new GcArray(type, n, data);
      return pc + (withValue ? 5 : 4);
    }
    case Op.array_new_fixed: {
      const type = code[pc + 2];
      const st = gcLayout(type).storage[0];
      const n = code[pc + 4];
      const base = fp + code[pc + 3];
      const data = newArrayData(st, n);
      for (let k = 0; k < n; k++) setArrayElement(data, st, k, loadStored(vm, st, base + k));
      R[fp + code[pc + 1]] = new GcArray(type, n, data);
      return pc + 5;
    }
    case Op.array_new_data: {
      const type = code[pc + 2];
      const st = gcLayout(type).storage[0];
      const s = I32[(fp + code[pc + 4]) << 1] >>> 0;
      const n = I32[(fp + code[pc + 5]) << 1] >>> 0;
      const data = arrayFromBytes(st, inst.datas[code[pc + 3]], s, n);
      if (data === null) return -TrapCode.MemoryOutOfBounds;
      R[fp + code[pc + 1]] = new GcArray(type, n, data);
      return pc + 6;
    }
    case Op.array_new_elem: {
      const type = code[pc + 2];
      const st = gcLayout(type).storage[0];
      const s = I32[(fp + code[pc + 4]) << 1] >>> 0;
      const n = I32[(fp + code[pc + 5]) << 1] >>> 0;
      const seg = segmentOf(vm, inst, code[pc + 3], st);
      if (s + n > seg.length) return -TrapCode.TableOutOfBounds;
      const data = newArrayData(st, n);
      for (let k = 0; k < n; k++) setArrayElement(data, st, k, seg[s + k]);
      R[fp + code[pc + 1]] = new GcArray(type, n, data);
      return pc + 6;
    }
    case Op.array_fill: {
      const a = R[fp + code[pc + 1]] as GcArray | null;
      if (a === null) return -T_NULL_ARRAY;
      const i = I32[(fp + code[pc + 2]) << 1] >>> 0;
      const n = I32[(fp + code[pc + 4]) << 1] >>> 0;
      if (i + n > a.length) return -T_ARRAY_BOUNDS;
      const st = gcLayout(code[pc + 5]).storage[0];
      fillArray(a.data, st, i, n, loadStored(vm, st, fp + code[pc + 3]));
      return pc + 6;
    }
    case Op.array_copy: {
      const a = R[fp + code[pc + 1]] as GcArray | null;
      const b = R[fp + code[pc + 3]] as GcArray | null;
      if (a === null || b === null) return -T_NULL_ARRAY;
      const i = I32[(fp + code[pc + 2]) << 1] >>> 0;
      const j = I32[(fp + code[pc + 4]) << 1] >>> 0;
      const n = I32[(fp + code[pc + 5]) << 1] >>> 0;
      if (i + n > a.length || j + n > b.length) return -T_ARRAY_BOUNDS;
      const st = gcLayout(code[pc + 6]).storage[0];
      if (st === Storage.V128) {
        (a.data as Uint8Array).set((b.data as Uint8Array).slice(j << 4, (j + n) << 4), i << 4);
      } else if (Array.isArray(a.data)) copyRefs(a.data, i, b.data as unknown[], j, n);
      else {
        (a.data as Int32Array).set((b.data as Int32Array).subarray(j, j + n), i);
      }
      return pc + 7;
    }
    case Op.array_init_data: {
      const a = initTarget(R, I32, code, pc, fp);
      if (typeof a === "number") return a;
      const [i, s, n] = initRange(I32, code, pc, fp);
      const st = gcLayout(code[pc + 5]).storage[0];
      const src = arrayFromBytes(st, inst.datas[code[pc + 6]], s, n);
      if (src === null) return -TrapCode.MemoryOutOfBounds;
      if (st === Storage.V128) (a.data as Uint8Array).set(src as Uint8Array, i << 4);
      else (a.data as Int32Array).set(src as Int32Array, i);
      return pc + 7;
    }
    case Op.array_init_elem: {
      const a = initTarget(R, I32, code, pc, fp);
      if (typeof a === "number") return a;
      const [i, s, n] = initRange(I32, code, pc, fp);
      const st = gcLayout(code[pc + 5]).storage[0];
      const seg = segmentOf(vm, inst, code[pc + 6], st);
      if (s + n > seg.length) return -TrapCode.TableOutOfBounds;
      for (let k = 0; k < n; k++) setArrayElement(a.data, st, i + k, seg[s + k]);
      return pc + 7;
    }
    case Op.ref_test_func: { // (also extern and exn references: handles)
      const ok = funcIsOf(vm, I32[(fp + code[pc + 2]) << 1], code[pc + 3], code[pc + 4]);
      setI32(I32, fp + code[pc + 1], ok ? 1 : 0);
      return pc + 5;
    }
    case Op.ref_cast_func:
      return funcIsOf(vm, I32[(fp + code[pc + 1]) << 1], code[pc + 2], code[pc + 3])
        ? pc + 4
        : -T_CAST;
    case Op.any_convert_extern: {
      const h = I32[(fp + code[pc + 2]) << 1];
      R[fp + code[pc + 1]] = h === 0 ? null : vm.gcHost!.anyOfExtern(h);
      return pc + 3;
    }
    case Op.extern_convert_any: {
      const v = R[fp + code[pc + 2]];
      setI32(I32, fp + code[pc + 1], v === null ? 0 : vm.gcHost!.externOfAny(v));
      return pc + 3;
    }
  }
  throw new RangeError(`bad GC opcode ${code[pc]} at ${pc}`);
}

/**
 * Whether a function of signature id `a` may be called through
 * `call_indirect` expecting signature id `b` (unequal): its type is declared
 * under `b`'s (GC subtyping; the runtime answers).
 *
 * @param vm the VM
 * @param a the callee's signature id
 * @param b the expected one
 * @returns true when `a <: b`
 */
export function isSigSubtype(vm: Vm, a: number, b: number): boolean {
  return vm.gcHost !== null && vm.gcHost.sigIsSubtype(a, b);
}

/** The operands `i`, `s`, `n` (registers 2-4, unsigned) of an `array_init_*` op. */
function initRange(I32: Int32Array, code: Int32Array, pc: number, fp: number): number[] {
  return [2, 3, 4].map((k) => I32[(fp + code[pc + k]) << 1] >>> 0);
}

/**
 * The array an `array_init_*` op writes (register 1), its range `i..i+n-1`
 * checked: the array, or minus a trap code.
 */
function initTarget(
  R: unknown[],
  I32: Int32Array,
  code: Int32Array,
  pc: number,
  fp: number,
): GcArray | number {
  const a = R[fp + code[pc + 1]] as GcArray | null;
  if (a === null) return -T_NULL_ARRAY;
  const [i, , n] = initRange(I32, code, pc, fp);
  return i + n > a.length ? -T_ARRAY_BOUNDS : a;
}

/**
 * Writes an i32 result to absolute slot `s` (zeroing its high word).
 *
 * @param I32 the numeric register file
 * @param s an absolute slot
 * @param v the value
 */
export function setI32(I32: Int32Array, s: number, v: number): void {
  I32[s << 1] = v;
  I32[(s << 1) + 1] = 0;
}

/**
 * Element segment `x`'s items as an array of element storage `st` stores
 * them: ref-file values for a reference array, internalised values for an
 * externref array (the segment holds the store's handles), function handles
 * otherwise.
 */
function segmentOf(vm: Vm, inst: VmInstance, x: number, st: number): ArrayLike<unknown> {
  if (st === Storage.Ref) return inst.refElems[x] ?? [];
  if (st !== Storage.Extern) return inst.elems[x];
  return Array.from(inst.elems[x], (h) => h === 0 ? null : vm.gcHost!.anyOfExtern(h));
}

/** The bottom heap types of the hierarchies of handles: nofunc, noextern, noexn, nocont. */
const HANDLE_BOTTOMS: readonly number[] = [
  -HeapType.nofunc,
  -HeapType.noextern,
  -HeapType.noexn,
  -HeapType.nocont,
];

/**
 * Whether reference handle `h` (0: null) of the func, extern or exn
 * hierarchy is of heap type `ht` (an abstract one, or a canonical function
 * type id).
 */
function funcIsOf(vm: Vm, h: number, ht: number, nul: number): boolean {
  if (h === 0) return nul !== 0;
  if (ht < 0) return !HANDLE_BOTTOMS.includes(ht); // a top holds every value, a bottom none
  return vm.gcHost!.funcIsSubtype(h, ht);
}
