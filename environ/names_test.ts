/**
 * Tests of {@link decodeNameSection}: module, function and local names, and
 * leniency towards malformed subsections.
 *
 * @module
 */

import assert from "node:assert/strict";
import { decodeNameSection } from "./names.ts";
import { translateModule } from "./translate.ts";
import { name, section, uleb, vec, wasm } from "./_test_module.ts";

function sub(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

function decode(bytes: number[]) {
  return decodeNameSection(new Uint8Array(bytes), 0, bytes.length);
}

Deno.test("decodeNameSection() reads module, function and local names", () => {
  const names = decode([
    ...sub(0, name("mod")),
    ...sub(1, vec([[0, ...name("f0")], [2, ...name("f2")]])),
    ...sub(2, vec([[2, ...vec([[0, ...name("x")], [1, ...name("y")]])]])),
  ]);
  assert.equal(names.module, "mod");
  assert.deepEqual([...names.functions], [[0, "f0"], [2, "f2"]]);
  assert.deepEqual([...names.locals.get(2)!], [[0, "x"], [1, "y"]]);
});

Deno.test("decodeNameSection() skips malformed subsections and keeps the rest", () => {
  const names = decode([
    ...sub(0, [5, 0x61]), // name longer than its subsection
    ...sub(1, vec([[0, ...name("ok")]])),
    ...sub(7, [1, 2, 3]), // unknown subsection
    ...sub(2, [1, 0, 1, 0, 1, 0xff]), // invalid UTF-8
  ]);
  assert.equal(names.module, undefined);
  assert.equal(names.functions.get(0), "ok");
  assert.equal(names.locals.size, 0);
  // A truncated header stops decoding without an error.
  assert.equal(decode([1, 50, 0]).functions.size, 0);
});

Deno.test("translateModule() never rejects a module for its name section", () => {
  const bad = section(0, [...name("name"), 1, 0xff, 0xff]);
  const t = translateModule(wasm(bad));
  assert.equal(t.customSections[0].name, "name");
  assert.equal(t.names.functions.size, 0);
  const good = section(0, [...name("name"), ...sub(0, name("m"))]);
  assert.equal(translateModule(wasm(good)).names.module, "m");
});
