import assert from "node:assert/strict";
import { ValType } from "@capstan/environ";
import {
  formatFloat,
  formatInvokeResult,
  InvokeArgumentError,
  parseInvokeArgument,
} from "./invoke_values.ts";

Deno.test("formatFloat() prints the shortest digits of the value's own width, without exponent", () => {
  assert.equal(formatFloat(Math.fround(0.1), true), "0.1");
  assert.equal(formatFloat(Math.fround(0.1), false), "0.10000000149011612");
  assert.equal(formatFloat(1e21, false), "1000000000000000000000");
  assert.equal(formatFloat(1.5e-7, false), "0.00000015");
  assert.equal(formatFloat(-2.5, false), "-2.5");
  assert.equal(formatFloat(123456792, true), "123456790");
  assert.equal(formatFloat(3.4028234663852886e38, true), "340282350000000000000000000000000000000");
});

Deno.test("formatFloat() spells NaN, infinities and negative zero as Rust does", () => {
  assert.equal(formatFloat(NaN, true), "NaN");
  assert.equal(formatFloat(Infinity, false), "inf");
  assert.equal(formatFloat(-Infinity, true), "-inf");
  assert.equal(formatFloat(-0, false), "-0");
  assert.equal(formatFloat(0, true), "0");
});

Deno.test("formatInvokeResult() prints integers signed and exact, and references by kind", () => {
  assert.equal(formatInvokeResult(-1, ValType.i32), "-1");
  assert.equal(formatInvokeResult(-(2n ** 63n), ValType.i64), "-9223372036854775808");
  const v = new Uint8Array(16);
  v[0] = 1;
  v[15] = 0x80;
  assert.equal(formatInvokeResult(v, ValType.v128), String((1n << 127n) + 1n));
  assert.equal(formatInvokeResult(null, ValType.funcref), "<null funcref>");
  assert.equal(formatInvokeResult({}, ValType.externref), "<externref>");
});

Deno.test("parseInvokeArgument() reads integers in range, signed or unsigned, decimal or hex", () => {
  assert.equal(parseInvokeArgument("4294967295", ValType.i32), -1);
  assert.equal(parseInvokeArgument("-2147483648", ValType.i32), -2147483648);
  assert.equal(parseInvokeArgument("0x10", ValType.i32), 16);
  assert.equal(parseInvokeArgument("18446744073709551615", ValType.i64), -1n);
  assert.throws(() => parseInvokeArgument("4294967296", ValType.i32), InvokeArgumentError);
  assert.throws(() => parseInvokeArgument("1.5", ValType.i32), InvokeArgumentError);
  assert.throws(() => parseInvokeArgument("", ValType.i64), InvokeArgumentError);
});

Deno.test("parseInvokeArgument() reads floats, inf and nan, rounding f32 to single precision", () => {
  assert.equal(parseInvokeArgument("0.1", ValType.f32), Math.fround(0.1));
  assert.equal(parseInvokeArgument("-inf", ValType.f64), -Infinity);
  assert.ok(Number.isNaN(parseInvokeArgument("nan", ValType.f64)));
  assert.equal(parseInvokeArgument("1e3", ValType.f64), 1000);
  assert.throws(() => parseInvokeArgument("one", ValType.f64), InvokeArgumentError);
  assert.throws(() => parseInvokeArgument("0x1p3", ValType.f64), InvokeArgumentError);
});
