/**
 * Tests of the builtin table: indices follow table order, signatures are
 * well formed, and {@link HostCall} maps builtins to host-call indices and back.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  BUILTIN_COUNT,
  BuiltinFunctionIndex,
  builtinInfo,
  BUILTINS,
  HostCall,
} from "./builtins.ts";
import { ValType } from "./types.ts";

Deno.test("BuiltinFunctionIndex is derived from the table, in order", () => {
  assert.equal(BUILTINS.length, BUILTIN_COUNT);
  BUILTINS.forEach((b, i) => {
    assert.equal(b.index, i);
    assert.equal(BuiltinFunctionIndex[b.name as keyof typeof BuiltinFunctionIndex], i);
    assert.ok(b.statics.length <= 2, b.name);
  });
});

Deno.test("builtin signatures: memory.grow takes and returns i32; memory.fill takes three", () => {
  const grow = builtinInfo(BuiltinFunctionIndex.memory_grow);
  assert.deepEqual([grow.params, grow.results], [[ValType.i32], [ValType.i32]]);
  assert.equal(builtinInfo(BuiltinFunctionIndex.memory_fill).params.length, 3);
  assert.deepEqual(builtinInfo(BuiltinFunctionIndex.table_copy).statics, [
    "dst_table",
    "src_table",
  ]);
  assert.throws(() => builtinInfo(BUILTIN_COUNT), RangeError);
});

Deno.test("HostCall maps builtins to host-call indices and back", () => {
  assert.equal(HostCall.ArrayCall, 0);
  for (let i = 0; i < BUILTIN_COUNT; i++) {
    assert.notEqual(HostCall.builtin(i), HostCall.ArrayCall);
    assert.equal(HostCall.builtinOf(HostCall.builtin(i)), i);
  }
  assert.equal(HostCall.builtinOf(HostCall.ArrayCall), -1);
});
