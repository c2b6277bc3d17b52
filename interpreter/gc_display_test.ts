/**
 * Tests of the supertype displays (`gc_display.ts`): depth and chain of a
 * three-type chain, subtype answers in both directions and across siblings,
 * and the same answers as the registry's own check.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat, translateModule, TYPE_REGISTRY } from "@capstan/environ";
import { displayOf, isSubtypeId } from "./gc_display.ts";

const WAT = `(module
  (type $a (sub (struct (field i32))))
  (type $b (sub $a (struct (field i32) (field i64))))
  (type $c (sub final $b (struct (field i32) (field i64) (field f32))))
  (type $d (sub $a (struct (field i32) (field f64))))
  (type $e (struct)))`;

Deno.test("a display is the supertype chain, root first, the type last", () => {
  const [a, b, c, d, e] = translateModule(parseWat(WAT)).typeIds!;
  assert.deepEqual([...displayOf(c)], [a, b, c]);
  assert.deepEqual([...displayOf(d)], [a, d]);
  assert.deepEqual([...displayOf(e)], [e]);
});

Deno.test("isSubtypeId answers as the registry does", () => {
  const ids = [...translateModule(parseWat(WAT)).typeIds!];
  const [a, b, c, d, e] = ids;
  assert.ok(isSubtypeId(c, a) && isSubtypeId(c, b) && isSubtypeId(d, a) && isSubtypeId(e, e));
  assert.ok(!isSubtypeId(a, b) && !isSubtypeId(c, d) && !isSubtypeId(d, b) && !isSubtypeId(e, a));
  for (const x of ids) {
    for (const y of ids) {
      assert.equal(isSubtypeId(x, y), TYPE_REGISTRY.isSubtype(x, y), `${x} ${y}`);
    }
  }
});
