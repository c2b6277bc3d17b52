/**
 * Tests of the GC ops' JS lowering (`_js_gc.ts`): the cast tests written in
 * place for each kind of heap type, and the shapes that give each register
 * its kind (a field's from its type; a v128 field refused).
 *
 * @module
 */

import assert from "node:assert/strict";
import { HeapType, parseWat, translateModule, TYPE_REGISTRY } from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import { heapTypeTest, jsGcShape } from "./_js_gc.ts";

/** The canonical ids of a module's types. */
function typeIds(wat: string): ArrayLike<number> {
  return translateModule(parseWat(wat)).typeIds!;
}

Deno.test("heapTypeTest: one compare for a final type, the display for another, typeof/instanceof for abstract ones", () => {
  const [fin, open] = Array.from(
    typeIds(`(module (type (struct (field i32))) (type (sub (struct (field i64)))))`),
  );
  assert.equal(TYPE_REGISTRY.type(fin).final !== false, true);
  assert.equal(heapTypeTest("r1", fin), `(typeof r1 === "object" && r1.type === ${fin})`);
  assert.match(heapTypeTest("r1", open), new RegExp(`G\\.sub\\(r1\\.type, ${open}\\)`));
  assert.equal(heapTypeTest("r1", -HeapType.any), "true");
  assert.equal(heapTypeTest("r1", -HeapType.i31), `typeof r1 === "number"`);
  assert.equal(heapTypeTest("r1", -HeapType.struct), "r1 instanceof G.S");
  assert.equal(heapTypeTest("r1", -HeapType.none), "false");
});

Deno.test("jsGcShape: a field's kind comes from its type; a v128 field is refused", () => {
  const [s, v] = Array.from(typeIds(
    `(module (type (struct (field i32) (field f32) (field i64) (field anyref))) (type (struct (field v128))))`,
  ));
  const get = (field: number) =>
    jsGcShape({ op: Op.struct_get, operands: [3, 4, s, field, 0], wasmOffset: 0 });
  const kinds = [0, 1, 2, 3].map((k) => {
    const shape = get(k);
    assert.ok(typeof shape !== "string");
    assert.deepEqual(shape.uses.map((u) => u[1]), ["R"]);
    return shape.defs[0][1];
  });
  assert.deepEqual(kinds, ["I", "F", "B", "R"]);
  const refused = jsGcShape({ op: Op.struct_new_default, operands: [3, v], wasmOffset: 0 });
  assert.match(refused as string, /v128/);
});
