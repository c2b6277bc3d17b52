/**
 * Differential tests: every scalar numeric instruction of WebAssembly 2.0,
 * run on Capstan and on Deno's native `WebAssembly` over edge-case inputs,
 * must agree bit for bit (NaN results: both NaN, Capstan's quiet).
 *
 * @module
 */
import assert from "node:assert/strict";
import { OPS, parseWat, ValType } from "@capstan/environ";
import { TestInstance, TestTrap } from "./_test_harness.ts";

const NAME: Record<number, string> = {
  [ValType.i32]: "i32",
  [ValType.i64]: "i64",
  [ValType.f32]: "f32",
  [ValType.f64]: "f64",
};
const FROM_RAW: Record<string, string> = {
  i32: "i32.wrap_i64",
  i64: "",
  f32: "i32.wrap_i64 f32.reinterpret_i32",
  f64: "f64.reinterpret_i64",
};
const TO_RAW: Record<string, string> = {
  i32: "i64.extend_i32_u",
  i64: "",
  f32: "i32.reinterpret_f32 i64.extend_i32_u",
  f64: "i64.reinterpret_f64",
};

const numeric = OPS.filter((op) =>
  op.prefix !== 0xfd && op.imm === "none" && op.sig !== undefined && op.sig[1].length === 1 &&
  op.sig[0].length >= 1 && [...op.sig[0], ...op.sig[1]].every((t) => NAME[t] !== undefined)
);

function moduleText(): string {
  const funcs = numeric.map((op) => {
    const params = op.sig![0].map((_, i) => `local.get ${i} ${FROM_RAW[NAME[op.sig![0][i]]]}`);
    return `(func (export "${op.name}") (param ${
      op.sig![0].map(() => "i64").join(" ")
    }) (result i64)
      ${params.join("\n      ")}
      ${op.name} ${TO_RAW[NAME[op.sig![1][0]]]})`;
  });
  return `(module ${funcs.join("\n")})`;
}

const I32 = [0, 1, 2, 31, 32, 33, -1, -2, 0x7fffffff, -0x80000000, 0x12345678, 0xff, 0x8000].map(
  (x) => BigInt(x >>> 0),
);
const I64 = [
  0n,
  1n,
  63n,
  64n,
  65n,
  (1n << 64n) - 1n,
  1n << 63n,
  (1n << 63n) - 1n,
  0x123456789abcdef0n,
  0xffffffffn,
  0x100000000n,
  0x8000000080000000n,
];
const f32raw = (x: number) => BigInt(new Uint32Array(new Float32Array([x]).buffer)[0]);
const f64raw = (x: number) => new BigUint64Array(new Float64Array([x]).buffer)[0];
const FLOATS = [
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  3.7,
  -3.7,
  1e-40,
  3.4e38,
  1e300,
  Infinity,
  -Infinity,
  NaN,
  2147483647.5,
  2147483648,
  -2147483649,
  4294967296,
  9223372036854775807,
  18446744073709551616,
  -9223372036854775808,
  4.5e15,
];
const F32 = [...FLOATS.map(f32raw), 0x7fa00001n, 0xffc00000n];
const F64 = [...FLOATS.map(f64raw), 0x7ff4000000000001n, 0xfff8000000000000n];
const SAMPLES: Record<string, bigint[]> = { i32: I32, i64: I64, f32: F32, f64: F64 };

function isNaNBits(type: string, bits: bigint): boolean {
  if (type === "f32") return (bits & 0x7f800000n) === 0x7f800000n && (bits & 0x7fffffn) !== 0n;
  if (type === "f64") {
    return ((bits >> 52n) & 0x7ffn) === 0x7ffn && (bits & 0xfffffffffffffn) !== 0n;
  }
  return false;
}

Deno.test("every scalar numeric op agrees with native WebAssembly on edge cases", async () => {
  const bytes = parseWat(moduleText());
  const native = (await WebAssembly.instantiate(bytes)).instance.exports as Record<
    string,
    (...a: bigint[]) => bigint
  >;
  const capstan = new TestInstance(bytes);
  let checked = 0;
  for (const op of numeric) {
    const types = op.sig![0].map((t) => NAME[t]);
    const rt = NAME[op.sig![1][0]];
    const combos: bigint[][] = types.length === 1
      ? SAMPLES[types[0]].map((a) => [a])
      : SAMPLES[types[0]].flatMap((a) => SAMPLES[types[1]].map((b) => [a, b]));
    for (const args of combos) {
      let want: bigint | "trap";
      try {
        want = BigInt.asUintN(64, native[op.name](...args.map((a) => BigInt.asIntN(64, a))));
      } catch (e) {
        assert.ok(e instanceof WebAssembly.RuntimeError, String(e));
        want = "trap";
      }
      let got: bigint | "trap";
      try {
        got = capstan.callRaw(op.name, args)[0];
      } catch (e) {
        assert.ok(e instanceof TestTrap, String(e));
        got = "trap";
      }
      const where = `${op.name}(${args.map((a) => "0x" + a.toString(16))})`;
      const bitExact = /\.(abs|neg|copysign|reinterpret_\w+)$/.test(op.name);
      if (want !== "trap" && got !== "trap" && isNaNBits(rt, want) && !bitExact) {
        assert.ok(isNaNBits(rt, got), `${where}: expected NaN, got 0x${got.toString(16)}`);
        const quiet = rt === "f32" ? 0x400000n : 0x8000000000000n;
        assert.ok((got & quiet) !== 0n, `${where}: NaN result must be quiet`);
      } else {
        assert.equal(got, want, where);
      }
      checked++;
    }
  }
  assert.ok(checked > 10000, `checked ${checked}`);
});
