import assert from "node:assert/strict";
import { deserialize, serialize } from "node:v8";
import { parseWat } from "./text/wat.ts";
import { translateModule } from "./translate.ts";
import { restoreTranslation, sameFeatures, snapshotTranslation } from "./translation_snapshot.ts";

const MODULES: Record<string, string> = {
  "sections of every kind": `(module
    (type $t (func (param i32) (result i32)))
    (import "m" "f" (func (type $t)))
    (import "m" "g" (global (mut i32)))
    (table $tab 4 funcref)
    (memory 1 2)
    (global $h i64 (i64.const -5))
    (tag $e (param i32))
    (export "run" (func $run)) (export "mem" (memory 0))
    (elem (i32.const 1) func $run 0)
    (elem declare func $run)
    (func $run (type $t) (local i64 f32) (call 0 (local.get 0)))
    (data (i32.const 8) "hello") (data "passive"))`,
  "GC types in recursion groups": `(module
    (rec (type $a (sub (struct (field (ref null $b)))))
         (type $b (sub (array (mut i8)))))
    (type $c (sub $a (struct (field (ref null $b)) (field i64))))
    (global $g (ref null $c) (ref.null $c))
    (func (export "f") (param (ref null $a)) (result i32)
      (ref.test (ref $c) (local.get 0))))`,
};

for (const [name, wat] of Object.entries(MODULES)) {
  Deno.test(`a translation restored from its snapshot is the translation: ${name}`, () => {
    const bytes = new Uint8Array([...parseWat(wat), 0, 5, 2, 104, 105, 1, 2]); // + custom "hi"
    const t = translateModule(bytes);
    const snap = deserialize(serialize(snapshotTranslation(t)));
    const back = restoreTranslation(snap, bytes);
    assert.deepEqual(Object.keys(back), Object.keys(t)); // the same fields, in the same order
    assert.deepEqual(back, t);
    assert.equal(back.bytes, bytes);
    assert.equal(back.customSections.at(-1)!.name, "hi");
    assert.deepEqual([...back.customSections.at(-1)!.data], [1, 2]);
  });
}

Deno.test("a snapshot keeps the proposals its module was translated with", () => {
  const t = translateModule(parseWat("(module)"), { customPageSizes: true });
  const snap = snapshotTranslation(t);
  assert.ok(sameFeatures(snap.features, { customPageSizes: true }));
  assert.ok(!sameFeatures(snap.features, {}));
  assert.ok(sameFeatures(snapshotTranslation(translateModule(parseWat("(module)"))).features, {}));
});

Deno.test("a snapshot restored over other bytes is refused when a custom section lies outside", () => {
  const bytes = new Uint8Array([...parseWat("(module)"), 0, 5, 2, 104, 105, 1, 2]);
  const snap = snapshotTranslation(translateModule(bytes));
  assert.throws(() => restoreTranslation(snap, bytes.subarray(0, 10)), RangeError);
});
