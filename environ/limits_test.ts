/**
 * Tests of the limits in `limits.ts`: the numbers agree with their sources,
 * and the decoder and validator reject a module one past each limit they check.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  MAX_LOCALS,
  MAX_MEMORY_BYTES,
  MAX_PAGES,
  MAX_PARAMS,
  MAX_TABLE_ELEMENTS,
  MAX_TABLE_ELEMENTS_ALLOCATABLE,
  maxPages,
  PAGE_SIZE,
} from "./limits.ts";
import { validate } from "./translate.ts";

/** Unsigned LEB128 bytes of `n`. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** A module of one section `id` with `payload`. */
function moduleOf(id: number, payload: number[]): Uint8Array {
  return new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, id, ...leb(payload.length), ...payload]);
}

Deno.test("limits agree with the spec: 64 KiB pages, 4 GiB memories, u32 tables", () => {
  assert.equal(PAGE_SIZE, 2 ** 16);
  assert.equal(MAX_PAGES * PAGE_SIZE, 2 ** 32);
  assert.equal(MAX_TABLE_ELEMENTS, 2 ** 32 - 1);
  assert.equal(MAX_MEMORY_BYTES, 2 ** 53 - 1);
  assert.ok(MAX_TABLE_ELEMENTS_ALLOCATABLE <= MAX_TABLE_ELEMENTS);
});

Deno.test("validate() accepts a memory of MAX_PAGES pages and rejects one more", () => {
  assert.equal(validate(moduleOf(5, [1, 0, ...leb(MAX_PAGES)])), true);
  assert.equal(validate(moduleOf(5, [1, 0, ...leb(MAX_PAGES + 1)])), false);
});

Deno.test("validate() rejects a function type with more than MAX_PARAMS parameters", () => {
  const type = (n: number) => moduleOf(1, [1, 0x60, ...leb(n), ...Array(n).fill(0x7f), 0]);
  assert.equal(validate(type(MAX_PARAMS)), true);
  assert.equal(validate(type(MAX_PARAMS + 1)), false);
});

Deno.test("validate() rejects a body declaring more than MAX_LOCALS locals", () => {
  const body = (n: number) => {
    const code = [1, ...leb(n), 0x7f, 0x0b];
    return new Uint8Array([
      ...[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
      ...[1, 4, 1, 0x60, 0, 0],
      ...[3, 2, 1, 0],
      ...[10, ...leb(code.length + 2), 1, ...leb(code.length), ...code],
    ]);
  };
  assert.equal(validate(body(MAX_LOCALS)), true);
  assert.equal(validate(body(MAX_LOCALS + 1)), false);
});

Deno.test("maxPages() is the address space over the page size", () => {
  assert.equal(maxPages({}), 65536);
  assert.equal(maxPages({ pageSizeLog2: 0 }), 2 ** 32 - 1);
  assert.equal(maxPages({ address64: true }), 2 ** 48);
  assert.equal(maxPages({ address64: true, pageSizeLog2: 0 }), 2 ** 64);
});
