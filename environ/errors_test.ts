/**
 * Tests of {@link CompileError}: its fields and message format.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError, fail } from "./errors.ts";

Deno.test("CompileError carries reason and offset and formats its message", () => {
  const e = new CompileError("unexpected end", 255);
  assert.equal(e.reason, "unexpected end");
  assert.equal(e.offset, 255);
  assert.equal(e.message, "unexpected end (at offset 0xff)");
  assert.equal(e.name, "CompileError");
  assert.ok(e instanceof Error);
});

Deno.test("fail() throws a CompileError", () => {
  assert.throws(() => fail("type mismatch", 3), (e) => e instanceof CompileError && e.offset === 3);
});
