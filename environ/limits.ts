/**
 * The limits every layer checks, declared once: the size of a page, how large
 * memories and tables may be, how many locals, parameters and results a
 * function may have, and the default wasm stack. The decoder and validator,
 * the VM, the runtime and the `WebAssembly` facade all import them from here.
 *
 * Each limit says where its number comes from:
 * - the WebAssembly core spec (a 32-bit memory's page count, a table's u32
 *   size);
 * - the JS API's implementation-defined limits (WebAssembly JS Interface,
 *   section "Limits"), which V8 and SpiderMonkey enforce
 *   (`v8/src/wasm/wasm-limits.h`): locals, parameters, results, table
 *   entries;
 * - what this runtime can allocate (an `ArrayBuffer`'s size);
 * - wasmtime's defaults (the wasm stack).
 *
 * @module
 */

/** Bytes in a wasm page (the core spec: 64 KiB). */
export const PAGE_SIZE = 65536;

/** The most pages a 32-bit memory may have (the core spec: 2^16 pages, 4 GiB). */
export const MAX_PAGES = 65536;

/**
 * The most bytes the VM asks the host for in one memory: the largest
 * `ArrayBuffer` length JavaScript allows (2^53 - 1). The host may refuse
 * less (V8 fails allocations past its heap limits); a refused allocation is
 * a failed `memory.grow` (-1), or an error when a memory is created.
 */
export const MAX_MEMORY_BYTES: number = Number.MAX_SAFE_INTEGER;

/**
 * The most pages a memory of this type may declare: its size in bytes may
 * reach 2^32 (32-bit addresses) or 2^64 (memory64) (the core spec: 2^16 or
 * 2^48 pages of 64 KiB), and its page count must fit its address type (the
 * custom-page-sizes proposal: 2^32 - 1 pages of 1 byte).
 *
 * @param type the memory's address type and page size (log2 of bytes; 16 when absent)
 * @returns the largest valid page count
 * @example
 * ```ts
 * import { maxPages } from "./limits.ts";
 * if (maxPages({}) !== 65536 || maxPages({ address64: true }) !== 2 ** 48) throw new Error();
 * ```
 */
export function maxPages(type: { address64?: boolean; pageSizeLog2?: number }): number {
  const bits = type.address64 ? 64 : 32;
  return Math.min(2 ** (bits - (type.pageSizeLog2 ?? 16)), 2 ** bits - 1);
}

/** The most elements a table may have (the core spec: table limits are u32). */
export const MAX_TABLE_ELEMENTS = 0xffffffff;

/**
 * The most elements the runtime allocates in one table (the JS API's limit on
 * table entries, 10,000,000). A table declared larger is valid, but creating
 * or growing it past this fails.
 */
export const MAX_TABLE_ELEMENTS_ALLOCATABLE = 10_000_000;

/**
 * The most locals a function may declare (the JS API's limit on locals). The
 * decoder counts the declared locals, parameters excluded.
 */
export const MAX_LOCALS = 50000;

/** The most parameters a function type may have (the JS API's limit). */
export const MAX_PARAMS = 1000;

/**
 * Most type indices a value type can name (the JS API allows 1,000,000
 * types); a reference to a type index beyond it is an unknown type.
 */
export const MAX_TYPE_INDEX = 1 << 21;

/** The most results a function type may have (the JS API's limit). */
export const MAX_RESULTS = 1000;

/** The most fields a struct type may have (the JS API's limit, as V8 enforces it). */
export const MAX_STRUCT_FIELDS = 10000;

/** The most operands `array.new_fixed` may take (the JS API's limit, as V8 enforces it). */
export const MAX_ARRAY_NEW_FIXED = 10000;

/**
 * The deepest a chain of declared supertypes may be (the JS API's limit on
 * subtyping depth, 63, as V8 enforces it).
 */
export const MAX_SUBTYPING_DEPTH = 63;

/** The default maximum wasm stack, in bytes (wasmtime's default: 512 KiB). */
export const DEFAULT_MAX_WASM_STACK = 512 * 1024;
