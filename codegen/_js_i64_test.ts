/**
 * Tests of the JS backend's i64 pair templates (`_js_i64.ts`) run as JS:
 * the multiply's high word from doubles against BigInt on edge and random
 * values, and the bitwise ops folded where a half is a literal.
 *
 * @module
 */

import assert from "node:assert/strict";
import { I64_ROWS, type Pair } from "./_js_i64.ts";
import type { Site } from "./_js_op_shapes.ts";

const PAIRS: Pair[] = [["b0", "h0"], ["b1", "h1"], ["b2", "h2"]];

/** A site whose operand `k` is pair `pairs[k]`. */
function site(pairs: readonly Pair[] = PAIRS): Site {
  return {
    trap: () => "throw 0;",
    off: 0,
    kind: () => "B",
    conv: () => "",
    pair: (k) => pairs[k],
  };
}

/** The row's code as a function of the operands' halves, returning the result's. */
function run(name: string, pairs?: readonly Pair[]): (...v: number[]) => [number, number] {
  const code = I64_ROWS[name][1]([], site(pairs));
  return new Function(
    "b1",
    "h1",
    "b2",
    "h2",
    `let b0 = 0, h0 = 0, tl = 0, th = 0, tu = 0, tx = 0; ${code} return [b0, h0];`,
  ) as (...v: number[]) => [number, number];
}

const big = (lo: number, hi: number) => (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
const EDGES = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0xffff, 0x10000, 0x12345678, -0x61c88647];

Deno.test("i64.mul's high word from doubles is exact on edge and random halves", () => {
  const mul = run("i64_mul");
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
  const pick = () => (next() & 3) === 0 ? EDGES[(next() >>> 8) % EDGES.length] : next();
  for (let i = 0; i < 50_000; i++) {
    const v = [pick(), pick(), pick(), pick()];
    const [lo, hi] = mul(...v);
    assert.equal(big(lo, hi), BigInt.asUintN(64, big(v[0], v[1]) * big(v[2], v[3])), `${v}`);
  }
  for (const a of EDGES) {
    for (const b of EDGES) {
      const [lo, hi] = mul(a, a, b, b);
      assert.equal(big(lo, hi), BigInt.asUintN(64, big(a, a) * big(b, b)), `${a} ${b}`);
    }
  }
});

Deno.test("bitwise ops fold a literal half: and with 0 or -1, or, xor with -1", () => {
  const code = (name: string, b: Pair) =>
    I64_ROWS[name][1]([], site([["b0", "h0"], ["b1", "h1"], b]));
  assert.equal(code("i64_and", ["(-1)", "0"]), "h0 = 0; b0 = b1;");
  assert.equal(code("i64_or", ["0", "(-1)"]), "h0 = (-1); b0 = b1;");
  assert.equal(code("i64_xor", ["(-1)", "0"]), "h0 = h1; b0 = ~b1;");
  assert.equal(code("i64_and", ["5", "(-2)"]), "h0 = h1 & (-2); b0 = b1 & 5;");
  // a half that is its own result is not written
  assert.equal(
    I64_ROWS.i64_and[1]([], site([["b1", "h1"], ["b1", "h1"], ["(-1)", "h2"]])),
    "h1 = h1 & h2;",
  );
  const and = run("i64_and", [["b0", "h0"], ["b1", "h1"], ["(-1)", "0"]]);
  assert.deepEqual(and(-5, 7, 0, 0), [-5, 0]);
});

Deno.test("add, sub and mul with a literal zero half fold it and stay exact", () => {
  const forms: Pair[] = [["b2", "h2"], ["0", "h2"], ["b2", "0"], ["0", "0"]];
  let seed = 99;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
  for (const name of ["i64_add", "i64_sub", "i64_mul"]) {
    for (const a of forms) {
      for (const b of forms) {
        const f = run(name, [["b0", "h0"], [a[0].replace("2", "1"), a[1].replace("2", "1")], b]);
        for (let i = 0; i < 2000; i++) {
          const v = [next(), next(), next(), next()].map((x, j) =>
            [a[0], a[1], b[0], b[1]][j] === "0" ? 0 : (i & 7) === 0 ? EDGES[i % EDGES.length] : x
          );
          const [lo, hi] = f(...v);
          const [x, y] = [big(v[0], v[1]), big(v[2], v[3])];
          const want = name === "i64_add" ? x + y : name === "i64_sub" ? x - y : x * y;
          assert.equal(big(lo, hi), BigInt.asUintN(64, want), `${name} ${a} ${b} ${v}`);
        }
      }
    }
  }
  assert.equal(
    I64_ROWS.i64_add[1]([], site([["b0", "h0"], ["b1", "h1"], ["0", "0"]])),
    "h0 = h1; b0 = b1;",
  );
  assert.equal(
    I64_ROWS.i64_mul[1]([], site([["b0", "h0"], ["b1", "0"], ["b2", "0"]])).includes(
      "Math.imul(b1, 0)",
    ),
    false,
  );
});
