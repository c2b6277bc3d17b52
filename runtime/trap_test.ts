/**
 * Unit tests of Trap: code, message, and the wasmtime-style backtrace text.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Trap, TrapCode } from "./mod.ts";

Deno.test("Trap formats its backtrace as wasmtime does", () => {
  const t = new Trap(TrapCode.IntegerDivisionByZero, [
    { funcIndex: 1, funcName: "div", moduleName: undefined, moduleOffset: 0x2a },
    { funcIndex: 2, funcName: "main", moduleName: "mymod", moduleOffset: 0x40 },
    { funcIndex: 3, funcName: undefined, moduleName: "mymod", moduleOffset: 0x123 },
  ]);
  assert.equal(t.message, "integer divide by zero");
  assert.equal(t.code, TrapCode.IntegerDivisionByZero);
  assert.equal(t.codeName, "IntegerDivisionByZero");
  assert.ok(t instanceof Error);
  assert.equal(
    String(t),
    [
      "wasm trap: integer divide by zero",
      "wasm backtrace:",
      "    0:   0x2a - <unknown>!div",
      "    1:   0x40 - mymod!main",
      "    2:  0x123 - mymod!<wasm function 3>",
    ].join("\n"),
  );
  assert.match(
    t.stack!,
    /^Trap: integer divide by zero\nwasm backtrace:\n {4}0: {3}0x2a - <unknown>!div\n/,
  );
});
