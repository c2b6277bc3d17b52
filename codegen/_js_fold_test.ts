/**
 * Tests of the JS backend's folding within a block (`_js_fold.ts`): literal
 * stores taken out of an op's code, dead stores dropped, and what each must
 * leave alone.
 *
 * @module
 */

import assert from "node:assert/strict";
import { dropDeadStores, takeLiteralStores } from "./_js_fold.ts";

Deno.test("takeLiteralStores takes top-level literal stores of the given locals only", () => {
  const r = takeLiteralStores("h5 = 0; b5 = (h3 >>> 2) | 0;", new Set(["b5", "h5"]));
  assert.equal(r.code, "b5 = (h3 >>> 2) | 0;");
  assert.deepEqual([...r.stores], [["h5", 0]]);
  const neg = takeLiteralStores("b5 = (-1); h5 = h2;", new Set(["b5", "h5"]));
  assert.deepEqual([...neg.stores], [["b5", -1]]);
  // a local some later statement reads, one not given, one inside a block or after a condition
  const read = "b5 = 3; h5 = b5 >> 31;";
  assert.equal(takeLiteralStores(read, new Set(["b5", "h5"])).code, read);
  assert.equal(takeLiteralStores("i2 = 0;", new Set(["b5"])).stores.size, 0);
  const nested = "if (tu & 32) { h5 = 0; b5 = 1; } else h5 = 0;";
  assert.equal(takeLiteralStores(nested, new Set(["b5", "h5"])).code, nested);
});

Deno.test("dropDeadStores drops pure stores a later store in the block overwrites unread", () => {
  const code = dropDeadStores([
    "h5 = (h5 << 3) | (b5 >>> 29); b5 = b5 << 3;",
    "h5 = 0;",
    "i1 = b5;",
  ]);
  assert.deepEqual(code, ["b5 = b5 << 3;", "h5 = 0;", "i1 = b5;"]);
});

Deno.test("dropDeadStores keeps stores read before, across a jump, a return, or with effects", () => {
  const read = ["h5 = h2 ^ h3;", "i1 = h5;", "h5 = 0;"];
  assert.deepEqual(dropDeadStores(read), read);
  const jump = ["h5 = h2 ^ h3;", "if (i1 !== 0) ", { to: 2 }, "h5 = 0;"];
  assert.deepEqual(dropDeadStores(jump), jump);
  const ret = ["h5 = h2 ^ h3;", "return 0;", "h5 = 0;"];
  assert.deepEqual(dropDeadStores(ret), ret);
  const call = ["b5 = M.getInt32(e, true);", "b5 = 0;"];
  assert.deepEqual(dropDeadStores(call), call);
  const assigns = ["b5 = (T32[0] = i1, T32[1]);", "b5 = 0;"];
  assert.deepEqual(dropDeadStores(assigns), assigns);
  const conditional = ["h5 = h2 ^ h3;", "if (i1) { h5 = 0; }"];
  assert.deepEqual(dropDeadStores(conditional), conditional);
});
