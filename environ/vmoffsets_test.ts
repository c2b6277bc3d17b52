/**
 * Tests of {@link VMOffsets}: the vmctx regions are laid out back to back,
 * 4-byte aligned, and word indices address distinct fields inside the vmctx.
 *
 * @module
 */

import assert from "node:assert/strict";
import { VMOffsets } from "./vmoffsets.ts";

Deno.test("VMOffsets lays regions out back to back, 4-byte aligned", () => {
  const o = new VMOffsets({ functions: 3, globals: 2, types: 4 });
  assert.equal(o.functionsBegin, 8);
  assert.equal(o.globalsBegin, 8 + 3 * 4);
  assert.equal(o.signaturesBegin, 8 + 5 * 4);
  assert.equal(o.size, 8 + 9 * 4);
  assert.equal(o.words, o.size / 4);
  for (const x of [o.functionsBegin, o.globalsBegin, o.signaturesBegin, o.size]) {
    assert.equal(x % 4, 0);
  }
});

Deno.test("VMOffsets word indices address distinct fields inside the vmctx", () => {
  const o = new VMOffsets({ functions: 2, globals: 3, types: 1 });
  const words = [
    o.functionWord(0),
    o.functionWord(1),
    o.globalWord(0),
    o.globalWord(1),
    o.globalWord(2),
    o.signatureWord(0),
  ];
  assert.equal(new Set(words).size, words.length);
  for (const w of words) assert.ok(w >= 2 && w < o.words, `${w}`);
  assert.match(o.describe(), /globals .* 3 x 4 bytes/);
});
