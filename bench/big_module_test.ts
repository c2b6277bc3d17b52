/**
 * Tests of the big-module generator: deterministic, at least as large as
 * asked, and valid for both native V8 and environ.
 *
 * @module
 */

import assert from "node:assert/strict";
import { opByKey, OperatorReader, translateModule } from "@capstan/environ";
import { buildBigModule, codeSectionSize } from "./big_module.ts";

Deno.test("buildBigModule() gives the same bytes for the same target", () => {
  const a = buildBigModule(200_000);
  const b = buildBigModule(200_000);
  assert.deepEqual(a, b);
  assert.ok(codeSectionSize(a) >= 200_000);
});

Deno.test("buildBigModule(5 MB) validates under native WebAssembly and environ", () => {
  const bytes = buildBigModule(5_000_000);
  assert.ok(codeSectionSize(bytes) >= 5_000_000, `code section ${codeSectionSize(bytes)}`);
  assert.equal(WebAssembly.validate(bytes), true);
  const t = translateModule(bytes);
  assert.ok(t.functions.length > 1000, `${t.functions.length} functions`);
});

Deno.test("buildBigModule() uses the varied instruction mix it promises", () => {
  const bytes = buildBigModule(300_000);
  const t = translateModule(bytes);
  const counts = new Map<string, number>();
  for (const body of t.bodies) {
    const r = new OperatorReader(bytes, body.codeStart, body.codeEnd);
    while (!r.atEnd()) {
      const name = opByKey(r.read())?.name ?? "?";
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const wanted = [
    "local.get",
    "local.set",
    "i32.add",
    "i64.mul",
    "f64.div",
    "f32.add",
    "i32.load",
    "i64.store",
    "block",
    "loop",
    "if",
    "else",
    "br_if",
    "br_table",
    "call",
    "call_indirect",
    "global.set",
    "select",
    "v128.load",
    "i32x4.add",
    "i32.trunc_sat_f64_s",
  ];
  const missing = wanted.filter((n) => (counts.get(n) ?? 0) === 0);
  assert.deepEqual(missing, []);
  assert.ok(counts.size > 80, `only ${counts.size} distinct ops`);
  // No single op dominates (a validator benchmark over one op would measure one path).
  const top = Math.max(...counts.values());
  assert.ok(top / total < 0.3, `most frequent op is ${((100 * top) / total).toFixed(0)}%`);
});
