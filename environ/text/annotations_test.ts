/**
 * Tests of the annotations the text format gives meaning to: `@custom`
 * sections where they are placed, `@name`, and branch hints pointing at the
 * instruction they annotate.
 *
 * @module
 */

import assert from "node:assert/strict";
import { decodeModule } from "../decoder.ts";
import { parseWat } from "./wat.ts";
import { TextError } from "./text_error.ts";

/** The module's sections in order: their ids, custom sections as their names. */
function sections(bytes: Uint8Array): (number | string)[] {
  const out: (number | string)[] = [];
  let i = 8;
  const u32 = () => {
    let v = 0;
    for (let shift = 0;; shift += 7) {
      const b = bytes[i++];
      v |= (b & 0x7f) << shift;
      if (b < 0x80) return v >>> 0;
    }
  };
  while (i < bytes.length) {
    const id = bytes[i++];
    const size = u32();
    const end = i + size;
    if (id === 0) {
      const n = u32();
      out.push(new TextDecoder().decode(bytes.subarray(i, i + n)));
    } else out.push(id);
    i = end;
  }
  return out;
}

Deno.test("@custom sections go where they are placed, after the last section by default", () => {
  const bytes = parseWat(`(module
    (@custom "end" "1")
    (type (func))
    (@custom "before-func" (before func) "2")
    (func (type 0))
    (@custom "after-type" (after type) "3")
    (@custom "first" (before first))
    (@custom "before-global" (before global) "4"))`);
  assert.deepEqual(sections(bytes), [
    "first",
    1,
    "after-type",
    "before-func",
    3,
    "before-global",
    10,
    "end",
  ]);
  const m = decodeModule(bytes);
  assert.deepEqual(
    m.customSections.map((c) => [c.name, new TextDecoder().decode(c.data)]),
    [["first", ""], ["after-type", "3"], ["before-func", "2"], ["before-global", "4"], [
      "end",
      "1",
    ]],
  );
});

Deno.test("branch hints name the offset of the if or br_if they annotate, folded or not", () => {
  const bytes = parseWat(`(module
    (func (param i32) (result i32)
      (local.get 0)
      (@metadata.code.branch_hint "\\01") if nop end
      (@metadata.code.branch_hint "\\00")
      (if (result i32) (i32.eqz (local.get 0))
        (then (block (br_if 0 (@metadata.code.branch_hint "\\01") (br_if 0 (local.get 0)) (local.get 0))) (i32.const 1))
        (else (i32.const 2)))))`);
  const m = decodeModule(bytes);
  const hints = m.customSections.find((c) => c.name === "metadata.code.branch_hint")!;
  assert.ok(hints !== undefined);
  // one function (0) with three hints: offset, size 1, value
  const d = hints.data;
  assert.equal(d[0], 1);
  assert.equal(d[1], 0);
  assert.equal(d[2], 3);
  const body = m.bodies[0];
  const start = body.bodyStart + 1; // the body's size fits one byte here
  const targets = [0, 1, 2].map((k) => [d[3 + 3 * k], d[5 + 3 * k]]);
  assert.deepEqual(targets.map(([offset]) => bytes[start + offset]), [0x04, 0x04, 0x0d]);
  assert.deepEqual(targets.map(([, value]) => value), [1, 0, 1]);
});

Deno.test("misplaced and malformed annotations are TextErrors in the reference's words", () => {
  const reason = (src: string) => {
    try {
      parseWat(src);
    } catch (e) {
      if (e instanceof TextError) return e.reason;
      throw e;
    }
    return "accepted";
  };
  assert.equal(reason(`(module (func (@custom "x")))`), "misplaced @custom annotation");
  assert.equal(reason(`(module (@custom))`), "@custom annotation: missing section name");
  assert.equal(
    reason(`(module (@custom "x" (after tables)))`),
    "@custom annotation: malformed section kind",
  );
  assert.equal(reason(`(module (@name "a") (@name "b"))`), "@name annotation: multiple module");
  assert.equal(reason(`(module (func) (@name "m"))`), "misplaced @name annotation");
  assert.equal(reason(`(module (func $f (@name "f")) (tag (@name "t")))`), "accepted");
  assert.equal(
    reason(`(module (func (@metadata.code.branch_hint "\\00") nop))`),
    "@metadata.code.branch_hint annotation: invalid target",
  );
  assert.equal(
    reason(`(module (@metadata.code.branch_hint "\\00") (func))`),
    "@metadata.code.branch_hint annotation: not in a function",
  );
  // other annotations are skipped as before
  assert.equal(reason(`(module (@whatever 1 2 (3)) (func (@x) nop))`), "accepted");
});
