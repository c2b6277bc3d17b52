/**
 * Tests of {@link BinaryReader}: LEB128 forms and their limits, raw words,
 * names, and end-of-input errors.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError } from "./errors.ts";
import { BinaryReader } from "./reader.ts";

function reader(...bytes: number[]): BinaryReader {
  return new BinaryReader(new Uint8Array(bytes));
}

function reason(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CompileError, `not a CompileError: ${e}`);
    return e.reason;
  }
  return "no error";
}

Deno.test("BinaryReader.u32() decodes one- to five-byte forms", () => {
  assert.equal(reader(0x00).u32(), 0);
  assert.equal(reader(0x7f).u32(), 127);
  assert.equal(reader(0x80, 0x01).u32(), 128);
  assert.equal(reader(0xe5, 0x8e, 0x26).u32(), 624485);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x0f).u32(), 0xffffffff);
  // Overlong but in range: zero padded.
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x00).u32(), 0);
});

Deno.test("BinaryReader.u32() rejects too-long and too-large encodings", () => {
  assert.equal(
    reason(() => reader(0x80, 0x80, 0x80, 0x80, 0x80, 0x00).u32()),
    "integer representation too long",
  );
  assert.equal(reason(() => reader(0xff, 0xff, 0xff, 0xff, 0x1f).u32()), "integer too large");
  assert.equal(reason(() => reader(0x80, 0x80).u32()), "unexpected end");
});

Deno.test("BinaryReader.s32() sign-extends and checks the last byte", () => {
  assert.equal(reader(0x7f).s32(), -1);
  assert.equal(reader(0x3f).s32(), 63);
  assert.equal(reader(0x40).s32(), -64);
  assert.equal(reader(0x80, 0x7f).s32(), -128);
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x78).s32(), -0x80000000);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x07).s32(), 0x7fffffff);
  assert.equal(reason(() => reader(0xff, 0xff, 0xff, 0xff, 0x0f).s32()), "integer too large");
  assert.equal(reason(() => reader(0x80, 0x80, 0x80, 0x80, 0x70).s32()), "integer too large");
  assert.equal(
    reason(() => reader(0xff, 0xff, 0xff, 0xff, 0xff, 0x7f).s32()),
    "integer representation too long",
  );
});

Deno.test("BinaryReader.s33() covers the block-type range", () => {
  assert.equal(reader(0x40).s33(), -64);
  assert.equal(reader(0x05).s33(), 5);
  assert.equal(reader(0xff, 0xff, 0xff, 0xff, 0x0f).s33(), 0xffffffff);
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x70).s33(), -(2 ** 32));
  assert.equal(reason(() => reader(0xff, 0xff, 0xff, 0xff, 0x4f).s33()), "integer too large");
});

Deno.test("BinaryReader.s64() decodes into halves and bigints", () => {
  assert.equal(reader(0x7f).s64(), -1n);
  assert.equal(reader(0x01).s64(), 1n);
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x10).s64(), 1n << 32n);
  const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
  assert.equal(reader(...max).s64(), (1n << 63n) - 1n);
  const min = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f];
  assert.equal(reader(...min).s64(), -(1n << 63n));
  const r = reader(0x7e);
  r.s64Halves();
  assert.equal(r.lo, -2);
  assert.equal(r.hi, -1);
  // -2^34: sign extension from a partial high word.
  assert.equal(reader(0x80, 0x80, 0x80, 0x80, 0x40).s64(), -(1n << 34n));
  const tooLarge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 | 0x02];
  assert.equal(reason(() => reader(...tooLarge).s64()), "integer too large");
  const tooLong = [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
  assert.equal(reason(() => reader(...tooLong).s64()), "integer representation too long");
});

Deno.test("BinaryReader reads little-endian words as raw bits", () => {
  assert.equal(reader(0x00, 0x00, 0xc0, 0x7f).fixed32(), 0x7fc00000);
  const r = reader(1, 0, 0, 0, 0, 0, 0xf8, 0xff);
  r.fixed64();
  assert.equal(r.lo, 1);
  assert.equal(r.hi >>> 0, 0xfff80000);
});

Deno.test("BinaryReader.name() validates UTF-8 and keeps a leading BOM", () => {
  assert.equal(reader(3, 0x61, 0x62, 0x63).name(), "abc");
  assert.equal(reader(3, 0xef, 0xbb, 0xbf).name(), "\ufeff");
  assert.equal(reason(() => reader(1, 0x80).name()), "malformed UTF-8 encoding");
  // An encoded surrogate is not UTF-8.
  assert.equal(reason(() => reader(3, 0xed, 0xa0, 0x80).name()), "malformed UTF-8 encoding");
  assert.equal(reason(() => reader(5, 0x61).name()), "length out of bounds");
});

Deno.test("BinaryReader reports the end of its limit with its eofReason", () => {
  const r = new BinaryReader(new Uint8Array([1, 2, 3]), 0, 1);
  r.eofReason = "unexpected end of section or function";
  assert.equal(r.u8(), 1);
  assert.equal(reason(() => r.u8()), "unexpected end of section or function");
  assert.equal(reason(() => reader().u8()), "unexpected end");
});

Deno.test("BinaryReader.u64Halves() and u64Number() read unsigned 64-bit LEB128", () => {
  const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
  const r = new BinaryReader(new Uint8Array([...max, 0x80, 0x80, 0x80, 0x80, 0x10]));
  r.u64Halves();
  assert.equal(r.lo, -1);
  assert.equal(r.hi, -1);
  assert.equal(r.u64Number(), 2 ** 32);
  const tooLarge = new BinaryReader(new Uint8Array([...max.slice(0, 9), 0x02]));
  assert.throws(
    () => tooLarge.u64Halves(),
    (e) => (e as CompileError).reason === "integer too large",
  );
});
