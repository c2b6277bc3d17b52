/**
 * Tests of the instruction table: keys and names are unique and round-trip,
 * and the derived {@link Op} constants agree with the table.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Op, opByKey, opByName, opKey, OPS } from "./opcodes.ts";
import { ValType } from "./types.ts";

Deno.test("opcodes: every op round-trips name <-> key", () => {
  for (const op of OPS) {
    const key = opKey(op.prefix, op.code);
    assert.equal(opByKey(key), op, op.name);
    assert.equal(opByName(op.name), op, op.name);
  }
});

Deno.test("opcodes: no (prefix, code) and no name is duplicated", () => {
  const keys = new Set(OPS.map((op) => opKey(op.prefix, op.code)));
  const names = new Set(OPS.map((op) => op.name));
  assert.equal(keys.size, OPS.length);
  assert.equal(names.size, OPS.length);
});

Deno.test("opcodes: the table holds all of WebAssembly 2.0 and the 3.0 operators landed so far", () => {
  const count = (prefix: number) => OPS.filter((op) => op.prefix === prefix).length;
  assert.equal(count(0xfd), 256, "SIMD ops (2.0's 236, relaxed SIMD's 20)");
  assert.equal(count(0xfc), 22, "0xFC ops (2.0's 18, wide arithmetic's 4)");
  assert.equal(
    count(0),
    206,
    "single-byte ops (2.0's 183, return_call(_indirect), typed function references' 5, " +
      "exceptions' 8, ref.eq, stack switching's 7)",
  );
  assert.equal(count(0xfb), 31, "GC's 0xFB ops");
  // Spot checks at the edges of each range.
  assert.equal(opByName("unreachable")?.code, 0x00);
  assert.equal(opByName("i64.extend32_s")?.code, 0xc4);
  assert.equal(opByName("ref.func")?.code, 0xd2);
  assert.equal(opByName("table.fill")?.code, 17);
  assert.equal(opByName("v128.const")?.code, 12);
  assert.equal(opByName("i16x8.avgr_u")?.code, 155);
  assert.equal(opByName("i32x4.dot_i16x8_s")?.code, 186);
  assert.equal(opByName("f64x2.convert_low_i32x4_u")?.code, 255);
  assert.equal(opByName("i8x16.relaxed_swizzle")?.code, 0x100);
  assert.equal(opByName("i32x4.relaxed_dot_i8x16_i7x16_add_s")?.code, 0x113);
  assert.equal(opByName("i64.add128")?.code, 19);
  assert.equal(opByName("i64.mul_wide_u")?.code, 22);
  assert.equal(opByKey(opKey(0xfd, 154)), undefined);
  assert.equal(opByKey(opKey(0, 0x27)), undefined);
});

Deno.test("opcodes: Op constants are the keys of the table", () => {
  assert.equal(Op.i32_add, opKey(0, 0x6a));
  assert.equal(Op.i8x16_shuffle, opKey(0xfd, 13));
  assert.equal(Op.memory_copy, opKey(0xfc, 10));
  assert.equal(Op.select_t, opKey(0, 0x1c));
  assert.equal(Object.keys(Op).length, OPS.length);
  for (const op of OPS) {
    assert.equal(
      (Op as Record<string, number>)[op.name.replaceAll(".", "_")],
      opKey(op.prefix, op.code),
    );
  }
});

Deno.test("opcodes: signatures are decoded from the table", () => {
  assert.deepEqual(opByName("i32.add")?.sig, [[ValType.i32, ValType.i32], [ValType.i32]]);
  assert.deepEqual(opByName("f64.promote_f32")?.sig, [[ValType.f32], [ValType.f64]]);
  assert.deepEqual(opByName("v128.store")?.sig, [[ValType.i32, ValType.v128], []]);
  assert.deepEqual(opByName("i64x2.extract_lane")?.sig, [[ValType.v128], [ValType.i64]]);
  assert.equal(opByName("select")?.sig, undefined);
  assert.equal(opByName("local.get")?.sig, undefined);
  assert.equal(opByName("table.grow")?.sig, undefined);
});
