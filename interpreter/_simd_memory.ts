/**
 * The SIMD memory accesses, on any memory: the loads of `simd_load` (and of
 * `mem_v128_load`), lane loads and the stores. `runSimd` runs them on memory
 * 0 with 32-bit addresses; `runExt`'s `mem_v128_*` ops on other memories and
 * 64-bit ones, after computing the effective address.
 *
 * Invariants:
 * - Each checks `ea + size` against the memory's length first and writes
 *   nothing when out of bounds (returning false).
 * - `sub` is the wasm 0xFD sub-opcode of the access.
 *
 * @module
 */

import { simdConst, simdSplat, type V128File } from "./simd_math.ts";
import { copy } from "./_simd_file.ts";
import type { VmMemory } from "./vm_objects.ts";

/**
 * The loads of `simd_load`: v128.load, the extending, splat and zero loads.
 *
 * @param V the v128 register file
 * @param mem the memory
 * @param sub the load's sub-opcode
 * @param d the destination register (absolute)
 * @param ea the effective address
 * @returns false when out of bounds (nothing written)
 */
export function simdLoad(
  V: V128File,
  mem: VmMemory,
  sub: number,
  d: number,
  ea: number,
): boolean {
  const size = sub === 0
    ? 16
    : sub <= 6 || sub === 10 || sub === 93
    ? 8
    : sub === 7
    ? 1
    : sub === 8
    ? 2
    : 4;
  if (ea + size > mem.byteLength) return false;
  const dv = mem.view;
  const W = V.i32;
  const dw = d << 2;
  switch (sub) {
    case 0: // v128.load
      W[dw] = dv.getInt32(ea, true);
      W[dw + 1] = dv.getInt32(ea + 4, true);
      W[dw + 2] = dv.getInt32(ea + 8, true);
      W[dw + 3] = dv.getInt32(ea + 12, true);
      return true;
    case 1: // v128.load8x8_s
      for (let i = 0; i < 8; i++) V.i16[(d << 3) + i] = dv.getInt8(ea + i);
      return true;
    case 2: // v128.load8x8_u
      for (let i = 0; i < 8; i++) V.i16[(d << 3) + i] = dv.getUint8(ea + i);
      return true;
    case 3: // v128.load16x4_s
      for (let i = 0; i < 4; i++) W[dw + i] = dv.getInt16(ea + 2 * i, true);
      return true;
    case 4: // v128.load16x4_u
      for (let i = 0; i < 4; i++) W[dw + i] = dv.getUint16(ea + 2 * i, true);
      return true;
    case 5: // v128.load32x2_s
    case 6: { // v128.load32x2_u
      const x = dv.getInt32(ea, true);
      const y = dv.getInt32(ea + 4, true);
      W[dw] = x;
      W[dw + 1] = sub === 5 ? x >> 31 : 0;
      W[dw + 2] = y;
      W[dw + 3] = sub === 5 ? y >> 31 : 0;
      return true;
    }
    case 7: // v128.load8_splat
      simdSplat(15, V, d, dv.getInt8(ea), 0);
      return true;
    case 8: // v128.load16_splat
      simdSplat(16, V, d, dv.getInt16(ea, true), 0);
      return true;
    case 9: // v128.load32_splat
      simdSplat(17, V, d, dv.getInt32(ea, true), 0);
      return true;
    case 10: // v128.load64_splat
      simdSplat(18, V, d, dv.getInt32(ea, true), dv.getInt32(ea + 4, true));
      return true;
    case 92: // v128.load32_zero
      simdConst(V, d, dv.getInt32(ea, true), 0, 0, 0);
      return true;
    case 93: // v128.load64_zero
      simdConst(V, d, dv.getInt32(ea, true), dv.getInt32(ea + 4, true), 0, 0);
      return true;
  }
  throw new RangeError(`not a SIMD load: ${sub}`);
}

/**
 * A lane load (`v128.load8_lane` ... `load64_lane`, sub 84..87): `d` = `s`
 * with lane `lane` read from memory.
 *
 * @param V the v128 register file
 * @param mem the memory
 * @param sub the load's sub-opcode
 * @param d the destination register (absolute)
 * @param s the source vector's register (absolute)
 * @param ea the effective address
 * @param lane the lane
 * @returns false when out of bounds (nothing written)
 */
export function simdLoadLane(
  V: V128File,
  mem: VmMemory,
  sub: number,
  d: number,
  s: number,
  ea: number,
  lane: number,
): boolean {
  if (ea + (1 << (sub - 84)) > mem.byteLength) return false;
  const dv = mem.view;
  const W = V.i32;
  const dw = d << 2;
  copy(V, d, s);
  if (sub === 84) V.u8[(d << 4) + lane] = dv.getUint8(ea);
  else if (sub === 85) V.u16[(d << 3) + lane] = dv.getUint16(ea, true);
  else if (sub === 86) W[dw + lane] = dv.getInt32(ea, true);
  else {
    W[dw + 2 * lane] = dv.getInt32(ea, true);
    W[dw + 2 * lane + 1] = dv.getInt32(ea + 4, true);
  }
  return true;
}

/**
 * A store: `v128.store` (sub 11) or a lane store (sub 88..91).
 *
 * @param V the v128 register file
 * @param mem the memory
 * @param sub the store's sub-opcode
 * @param s the stored vector's register (absolute)
 * @param ea the effective address
 * @param lane the lane (lane stores)
 * @returns false when out of bounds (nothing written)
 */
export function simdStore(
  V: V128File,
  mem: VmMemory,
  sub: number,
  s: number,
  ea: number,
  lane: number,
): boolean {
  if (ea + (sub === 11 ? 16 : 1 << (sub - 88)) > mem.byteLength) return false;
  const dv = mem.view;
  const W = V.i32;
  const sw = s << 2;
  if (sub === 11) {
    dv.setInt32(ea, W[sw], true);
    dv.setInt32(ea + 4, W[sw + 1], true);
    dv.setInt32(ea + 8, W[sw + 2], true);
    dv.setInt32(ea + 12, W[sw + 3], true);
  } else if (sub === 88) dv.setUint8(ea, V.u8[(s << 4) + lane]);
  else if (sub === 89) dv.setUint16(ea, V.u16[(s << 3) + lane], true);
  else if (sub === 90) dv.setInt32(ea, W[sw + lane], true);
  else {
    dv.setInt32(ea, W[sw + 2 * lane], true);
    dv.setInt32(ea + 4, W[sw + 2 * lane + 1], true);
  }
  return true;
}
