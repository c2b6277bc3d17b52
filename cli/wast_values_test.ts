import assert from "node:assert/strict";
import {
  describeExpected,
  describeValue,
  ExternRefs,
  matches,
  parseArgument,
  parseExpected,
  WastSyntaxError,
} from "./wast_values.ts";

const externs = new ExternRefs();

Deno.test("parseArgument() keeps i32 unsigned and i64 as an unsigned bigint", () => {
  assert.deepEqual(parseArgument({ type: "i32", value: "4294967295" }, externs), {
    type: "i32",
    bits: 0xffffffff,
  });
  assert.deepEqual(parseArgument({ type: "i64", value: "18446744073709551615" }, externs), {
    type: "i64",
    bits: 0xffffffffffffffffn,
  });
});

Deno.test("parseArgument() reads v128 lanes little-endian", () => {
  const v = parseArgument({
    type: "v128",
    lane_type: "i16",
    value: ["1", "2", "3", "4", "5", "6", "7", "65535"],
  }, externs);
  assert.equal(v.type, "v128");
  if (v.type !== "v128") return;
  assert.deepEqual([...v.bytes.slice(0, 4)], [1, 0, 2, 0]);
  assert.deepEqual([...v.bytes.slice(14)], [0xff, 0xff]);
});

Deno.test("parseArgument() maps ref.extern N to one object per N", () => {
  const a = parseArgument({ type: "externref", value: "7" }, externs);
  const b = parseArgument({ type: "externref", value: "7" }, externs);
  assert.equal(a.type, "externref");
  if (a.type !== "externref" || b.type !== "externref") return;
  assert.equal(a.ref, b.ref);
  assert.notEqual(a.ref, null);
  assert.equal(externs.numberOf(a.ref), 7);
  assert.deepEqual(parseArgument({ type: "externref", value: "null" }, externs), {
    type: "externref",
    ref: null,
  });
});

Deno.test("parseArgument() rejects values outside the schema", () => {
  assert.throws(() => parseArgument({ type: "i32", value: "1.5" }, externs), WastSyntaxError);
  assert.throws(() => parseArgument({ type: "i31", value: "1" }, externs), WastSyntaxError);
  assert.throws(
    () => parseArgument({ type: "v128", lane_type: "i32", value: ["1"] }, externs),
    WastSyntaxError,
  );
});

Deno.test("matches() compares floats bit for bit", () => {
  const zero = parseExpected({ type: "f32", value: "0" }, externs);
  assert.ok(matches(zero, { type: "f32", bits: 0 }));
  assert.ok(!matches(zero, { type: "f32", bits: 0x80000000 }), "-0 is not +0");
  const nan = parseExpected({ type: "f64", value: "9219994337134247936" }, externs);
  assert.ok(matches(nan, { type: "f64", bits: 0x7ff4000000000000n }));
  assert.ok(!matches(nan, { type: "f64", bits: 0x7ffc000000000000n }), "payload differs");
});

Deno.test("matches() honours nan:canonical and nan:arithmetic", () => {
  const canonical = parseExpected({ type: "f32", value: "nan:canonical" }, externs);
  const arithmetic = parseExpected({ type: "f32", value: "nan:arithmetic" }, externs);
  assert.ok(matches(canonical, { type: "f32", bits: 0x7fc00000 }));
  assert.ok(matches(canonical, { type: "f32", bits: 0xffc00000 }));
  assert.ok(!matches(canonical, { type: "f32", bits: 0x7fc00001 }));
  assert.ok(matches(arithmetic, { type: "f32", bits: 0x7fc00001 }));
  assert.ok(
    !matches(arithmetic, { type: "f32", bits: 0x7fa00000 }),
    "signalling is not arithmetic",
  );
  const c64 = parseExpected({ type: "f64", value: "nan:canonical" }, externs);
  assert.ok(matches(c64, { type: "f64", bits: 0xfff8000000000000n }));
  assert.ok(!matches(c64, { type: "f32", bits: 0x7fc00000 }), "type must agree");
});

Deno.test("matches() checks v128 lane by lane, with NaN patterns per lane", () => {
  const expected = parseExpected({
    type: "v128",
    lane_type: "f32",
    value: ["nan:canonical", "1065353216", "0", "0"],
  }, externs);
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0xffc00000, true);
  view.setUint32(4, 0x3f800000, true);
  assert.ok(matches(expected, { type: "v128", bytes }));
  view.setUint32(8, 1, true);
  assert.ok(!matches(expected, { type: "v128", bytes }));
});

Deno.test("matches() handles null, non-null and extern references", () => {
  const anyFunc = parseExpected({ type: "funcref" }, externs);
  assert.ok(matches(anyFunc, { type: "funcref", ref: () => {} }));
  assert.ok(!matches(anyFunc, { type: "funcref", ref: null }));
  const one = parseExpected({ type: "externref", value: "1" }, externs);
  assert.ok(matches(one, parseArgument({ type: "externref", value: "1" }, externs)));
  assert.ok(!matches(one, parseArgument({ type: "externref", value: "2" }, externs)));
  const nullExtern = parseExpected({ type: "externref", value: "null" }, externs);
  assert.ok(matches(nullExtern, { type: "externref", ref: null }));
  assert.ok(!matches(nullExtern, { type: "funcref", ref: null }));
});

Deno.test("matches() accepts any option of an either", () => {
  const either = parseExpected({
    type: "either",
    values: [{ type: "i32", value: "1" }, { type: "i32", value: "2" }],
  }, externs);
  assert.ok(matches(either, { type: "i32", bits: 2 }));
  assert.ok(!matches(either, { type: "i32", bits: 3 }));
});

Deno.test("describeValue() and describeExpected() name type, value and bits", () => {
  assert.equal(describeValue({ type: "i32", bits: 0xffffffff }), "i32:-1");
  assert.equal(describeValue({ type: "f32", bits: 0x7fc00000 }), "f32:NaN (0x7fc00000)");
  assert.equal(
    describeExpected(parseExpected({ type: "f64", value: "nan:arithmetic" }, externs)),
    "f64:nan:arithmetic",
  );
});
