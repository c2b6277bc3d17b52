/**
 * Unit tests of Linker with host functions (module linking is in instance_test.ts).
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, type Func, Linker, Store } from "./mod.ts";

Deno.test("Linker.func() gives host functions their Caller and the store's data", () => {
  const engine = new Engine();
  const linker = new Linker<{ sum: number }>(engine);
  linker.func("env", "add", { params: ["i32"], results: [] }, (caller, x) => {
    caller.data.sum += x;
  });
  const s = new Store(engine, { sum: 1 });
  const f = linker.get(s, "env", "add") as Func;
  assert.equal(linker.get(s, "env", "add"), f, "one Func per store");
  f.call(41);
  assert.equal(s.data.sum, 42);
  assert.throws(() => linker.func("env", "add", { params: [], results: [] }, () => {}), /twice/);
  linker.allowShadowing(true).funcWrap("env", "add", { params: [], results: [] }, () => {});
});
