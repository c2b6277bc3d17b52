/**
 * Wide arithmetic (`i64.add128`, `i64.sub128`, `i64.mul_wide_s/u`) through
 * translate → codegen → VM, checked against BigInt arithmetic on random and
 * edge operands, with results reused as operands and kept across calls.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseWat, translateModule, tunables } from "@capstan/environ";
import { TestInstance } from "./_test_harness.ts";
import { compileModule, disassembleModule } from "./compile.ts";

const WAT = `(module
  (func (export "add128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "sub128") (param i64 i64 i64 i64) (result i64 i64)
    (i64.sub128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
  (func (export "mul_wide_s") (param i64 i64) (result i64 i64)
    (i64.mul_wide_s (local.get 0) (local.get 1)))
  (func (export "mul_wide_u") (param i64 i64) (result i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1)))
  ;; (a * b) + c as 128 bits, the high half only: results feed the next op, constants too
  (func (export "mul_add_hi") (param i64 i64 i64) (result i64)
    (local i64 i64)
    (i64.mul_wide_u (local.get 0) (local.get 1))
    (local.set 4)
    (local.set 3)
    (i64.add128 (local.get 3) (local.get 4) (local.get 2) (i64.const 0))
    (local.set 4)
    (drop)
    (local.get 4)))`;

const M64 = (1n << 64n) - 1n;
const signed = (x: bigint) => BigInt.asIntN(64, x);
const pair = (x: bigint) => [signed(x & M64), signed((x >> 64n) & M64)];
const u128 = (lo: bigint, hi: bigint) => ((BigInt.asUintN(64, hi) << 64n) | BigInt.asUintN(64, lo));

function randomI64(seed: { s: number }): bigint {
  const word = () => {
    seed.s = (Math.imul(seed.s, 1103515245) + 12345) | 0;
    return BigInt(seed.s >>> 0);
  };
  const edges = [0n, 1n, -1n, 1n << 63n, (1n << 63n) - 1n, 0xffffffffn, 1n << 32n];
  const pick = seed.s & 7;
  return pick < edges.length && (seed.s & 16) !== 0
    ? signed(edges[pick])
    : signed((word() << 32n) | word());
}

Deno.test("i64.add128/sub128/mul_wide_s/mul_wide_u compute their 128-bit results", () => {
  const inst = new TestInstance(parseWat(WAT));
  const seed = { s: 7 };
  for (let i = 0; i < 300; i++) {
    const [a, b, c, d] = [randomI64(seed), randomI64(seed), randomI64(seed), randomI64(seed)];
    const mod = 1n << 128n;
    assert.deepEqual(inst.call("add128", a, b, c, d), pair((u128(a, b) + u128(c, d)) % mod));
    assert.deepEqual(inst.call("sub128", a, b, c, d), pair((u128(a, b) - u128(c, d) + mod) % mod));
    assert.deepEqual(inst.call("mul_wide_s", a, b), pair(BigInt.asUintN(128, a * b)));
    assert.deepEqual(
      inst.call("mul_wide_u", a, b),
      pair(BigInt.asUintN(64, a) * BigInt.asUintN(64, b)),
    );
    const hi = (BigInt.asUintN(64, a) * BigInt.asUintN(64, b) + BigInt.asUintN(64, c)) >> 64n;
    assert.equal(inst.call("mul_add_hi", a, b, c), signed(hi & M64));
  }
});

Deno.test("wide arithmetic carries, borrows and signs at the edges", () => {
  const inst = new TestInstance(parseWat(WAT));
  assert.deepEqual(inst.call("add128", -1n, 0n, 1n, 0n), [0n, 1n]);
  assert.deepEqual(inst.call("add128", -1n, -1n, 1n, 0n), [0n, 0n]);
  assert.deepEqual(inst.call("sub128", 0n, 0n, 1n, 0n), [-1n, -1n]);
  assert.deepEqual(inst.call("sub128", 0n, 1n, 1n, 0n), [-1n, 0n]);
  assert.deepEqual(inst.call("mul_wide_s", -1n, -1n), [1n, 0n]);
  assert.deepEqual(inst.call("mul_wide_u", -1n, -1n), [1n, -2n]);
  assert.deepEqual(inst.call("mul_wide_s", 1n << 63n, 1n << 63n), [0n, 1n << 62n]);
  assert.deepEqual(inst.call("mul_wide_s", -1n, 1n), [-1n, -1n]);
  assert.deepEqual(inst.call("mul_wide_u", -1n, 1n), [-1n, 0n]);
});

Deno.test("wide arithmetic ops disassemble by name with both result registers", () => {
  const text = disassembleModule(compileModule(translateModule(parseWat(WAT)), tunables()));
  assert.match(text, /i64_add128 r\d+, r\d+, r0, r1, r2, r3/);
  assert.match(text, /i64_sub128 /);
  assert.match(text, /i64_mul_wide_s r\d+, r\d+, r0, r1/);
  assert.match(text, /i64_mul_wide_u /);
});
