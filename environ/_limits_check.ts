/**
 * The validation rules of limits: a table's or memory's minimum no greater
 * than its maximum, and a memory's size within its address space at its page
 * size (64 KiB or 1 byte), in the reference interpreter's words.
 *
 * @module
 */

import { fail } from "./errors.ts";
import { MAX_PAGES, maxPages } from "./limits.ts";
import type { Limits, MemoryType } from "./types.ts";

/**
 * Checks that the minimum is no greater than the maximum.
 *
 * @param limits a table's or memory's limits
 * @param at the offset to blame
 * @throws {CompileError} "size minimum must not be greater than maximum"
 */
export function checkLimits(limits: Limits, at: number): void {
  if (limits.max !== undefined && limits.min > limits.max) {
    fail("size minimum must not be greater than maximum", at);
  }
}

/**
 * Checks a table type's limits: within its address space (2^32 - 1
 * elements for 32-bit indices), and the minimum no greater than the maximum.
 *
 * @param limits the table's limits
 * @param address64 whether it has 64-bit indices
 * @param at the offset to blame
 * @throws {CompileError} "table size must be at most 2^32-1", or as {@link checkLimits}
 */
export function checkTableLimits(limits: Limits, address64: boolean, at: number): void {
  const most = address64 ? 2 ** 64 - 1 : 2 ** 32 - 1;
  if (limits.min > most || (limits.max !== undefined && limits.max > most)) {
    fail("table size must be at most 2^32-1", at);
  }
  checkLimits(limits, at);
}

/**
 * Checks a memory type: its page size, its size within the address space,
 * its limits, and a maximum when it is shared.
 *
 * @param type the memory type
 * @param at the offset to blame
 * @throws {CompileError} "invalid custom page size", "memory size must be at most ...",
 *   "shared memory must have maximum", or as {@link checkLimits}
 */
export function checkMemoryType(type: MemoryType, at: number): void {
  const log2 = type.pageSizeLog2 ?? 16;
  if (log2 !== 0 && log2 !== 16) fail("invalid custom page size", at);
  const limits = type.limits;
  const most = maxPages(type);
  if (limits.min > most || (limits.max !== undefined && limits.max > most)) {
    fail(
      most === MAX_PAGES
        ? "memory size must be at most 65536 pages (4GiB)"
        : `memory size must be at most ${most} pages`,
      at,
    );
  }
  checkLimits(limits, at);
  if (type.shared && limits.max === undefined) fail("shared memory must have maximum", at);
}
