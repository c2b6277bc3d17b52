/**
 * `bench/js_sizes.ts`: a module's functions measured as the JS tier lowers
 * them, largest JS first.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { jsSizes } from "./js_sizes.ts";

Deno.test("jsSizes() lists every function, largest JS first, with its wasm size and source", () => {
  const adds = Array.from({ length: 50 }, () => "(i32.add (local.get 0) (i32.const 1))").join(" ");
  const bytes = parseWat(`(module
    (func (param i32) (result i32) (local.get 0))
    (func (param i32) (result i32) ${adds} ${"(i32.add)".repeat(49)}))`);
  const { sizes, sources } = jsSizes(bytes);
  assert.deepEqual(sizes.map((s) => s.funcIndex), [1, 0]);
  assert.ok(sizes[0].jsBytes > sizes[1].jsBytes && sizes[0].wasmBytes > sizes[1].wasmBytes);
  assert.equal(sources.get(1)?.length, sizes[0].jsBytes);
  assert.equal(sizes[0].routed, undefined);
});
