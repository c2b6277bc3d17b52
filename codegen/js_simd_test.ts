/**
 * Tests of the JS backend's SIMD templates (`_js_simd.ts`,
 * `_js_simd_lanes.ts`): every lane op the backend writes out itself is run,
 * as generated, over random vectors (and every shift count) and compared
 * with the interpreter's lane function for the same sub-opcode; shuffles,
 * splats, extracts and replaces with their lane moves; the shapes the
 * kind analysis sees (scalars only); and the size past which a SIMD
 * function is left to the interpreter.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  BYTECODE_OPS,
  nearest,
  Op,
  simdBinary,
  simdExtractLane,
  simdReplaceLane,
  simdShift,
  simdShuffle,
  simdSplat,
  simdTest,
  simdUnary,
  V128File,
} from "@capstan/interpreter";
import { parseWat, translateModule } from "@capstan/environ";
import type { IrInst } from "./ir.ts";
import { compileJsModule } from "./js_backend.ts";
import type { RegKind, Site } from "./_js_op_shapes.ts";
import { isJsSimdOp, JS_SIMD_PROLOGUE, jsSimdShape, jsSimdText } from "./_js_simd.ts";

/**
 * Runs generated SIMD statements over file `f` with frame base 0 and scalar
 * `x` in the local `s0` (an i64 as the JS tier holds it: its halves in `s0`
 * and `h0`); returns `s0` (an i64 rebuilt from its halves).
 */
function run(text: string, f: V128File, x: number | bigint = 0): number | bigint {
  const q32 = new Int32Array(8);
  const H = {
    nearest,
    simd: {
      file: () => f,
      un: simdUnary,
      bin: simdBinary,
      shift: simdShift,
      test: simdTest,
      q32,
      qf: new Float32Array(q32.buffer),
      qd: new Float64Array(q32.buffer),
    },
  };
  // the registers' word locals read from the file before the text, written back after
  const regs = Array.from({ length: f.i32.length >> 2 }, (_, r) => r);
  const decls = regs.flatMap((r) => [..."abcd"].map((c, k) => `w${r}${c} = VW[${4 * r + k}]`));
  const back = regs.flatMap((r) => [..."abcd"].map((c, k) => `VW[${4 * r + k}] = w${r}${c};`));
  const T64 = new BigInt64Array(1);
  const lo = typeof x === "bigint" ? Number(BigInt.asIntN(32, x)) : x;
  const hi = typeof x === "bigint" ? Number(BigInt.asIntN(32, x >> 32n)) : 0;
  const body = `const sp = 0, vm = null; ${JS_SIMD_PROLOGUE} let e = 0, s0 = lo, h0 = hi, ${
    decls.join(", ")
  }; ${text}
    ${back.join(" ")} return [s0, h0];`;
  const [r, rh] = new Function("H", "lo", "hi", "T64", "T32", "TD", body)(
    H,
    lo,
    hi,
    T64,
    new Int32Array(T64.buffer),
    new Float64Array(T64.buffer),
  );
  return typeof x === "bigint" || rh !== 0 ? (BigInt(rh) << 32n) | BigInt(r >>> 0) : r;
}

/** A site whose scalar operands are all the local `s0` of kind `kind`. */
function site(kind: RegKind = "I"): Site {
  return {
    trap: (c) => `throw ${c};`,
    off: 0,
    kind: () => kind,
    conv: (_, to) => {
      if (to === kind) return "s0";
      if (to === "I" && kind === "B") return "s0"; // an i64's low half
      throw new Error(`no conversion ${kind} to ${to} here`);
    },
    pair: () => ["s0", "h0"],
  };
}

function randomFile(seed: number): V128File {
  const f = new V128File(8);
  for (let i = 0; i < f.i32.length; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    f.i32[i] = (seed & 7) === 0 ? 0x7fa00001 : (seed & 7) === 1 ? -1 : seed;
    if ((seed & 7) === 2) f.f32[i] = (seed >> 8) / 3; // an f32 of moderate size
  }
  return f;
}

const words = (f: V128File, v: number) => [...f.i32.subarray(4 * v, 4 * v + 4)];

Deno.test("every lane op written out inline computes the interpreter's lanes", () => {
  let inlined = 0;
  for (let sub = 0; sub <= 0x101; sub++) {
    for (const name of ["simd_un", "simd_bin", "simd_shift"]) {
      // d = 2, a = 0, b = 1 (and 0 or 1 as d: an operand overwritten in place)
      for (const d of [2, 0, 1]) {
        const o = name === "simd_un" ? [d, sub, 0] : [d, sub, 0, 1];
        const text = jsSimdText(name, { o, local: () => "s0", site: site() });
        if (text.includes("H.simd.")) continue;
        inlined++;
        for (let seed = 1; seed < 30; seed++) {
          const got = randomFile(seed);
          const want = randomFile(seed);
          const count = seed * 5 - 20;
          run(text, got, count);
          if (name === "simd_shift") { // the count a known constant
            const lit = { ...site(), conv: () => `(${count})` };
            const folded = randomFile(seed);
            run(jsSimdText(name, { o, local: () => "s0", site: lit }), folded);
            assert.deepEqual(words(folded, d), words(got, d), `${name} ${sub} by ${count}`);
          }
          if (name === "simd_un") simdUnary(sub, want, d, 0);
          else if (name === "simd_bin") simdBinary(sub, want, d, 0, 1);
          else simdShift(sub, want, d, 0, count);
          assert.deepEqual(words(got, d), words(want, d), `${name} ${sub} (seed ${seed})`);
        }
      }
    }
  }
  assert.ok(inlined >= 2 * 30, `${inlined / 2} sub-opcodes are written out`);
  for (let seed = 1; seed < 30; seed++) {
    for (const sub of [83, 100]) {
      const f = randomFile(seed);
      if (seed % 5 === 0) f.i32.fill(0, 0, 4);
      const text = jsSimdText("simd_test", { o: [0, sub, 0], local: () => "s0", site: site() });
      assert.equal(run(text, f), simdTest(sub, f, 0), `test ${sub} (seed ${seed})`);
    }
    const got = randomFile(seed);
    const want = randomFile(seed);
    run(jsSimdText("i32x4_trunc_sat_f32x4_s", { o: [2, 0], local: () => "s0", site: site() }), got);
    simdUnary(248, want, 2, 0);
    assert.deepEqual(words(got, 2), words(want, 2), `i32x4.trunc_sat_f32x4_s (seed ${seed})`);
  }
});

Deno.test("shuffles, splats, extracts and replaces move lanes exactly", () => {
  for (let seed = 1; seed < 40; seed++) {
    const idx = Array.from(
      { length: 16 },
      (_, i) =>
        seed % 3 === 0 ? i + 4 * (seed & 4) : seed % 3 === 1 // each word's bytes rotated (a lane rotation), from a or b
          ? (i & ~3) + ((i + seed) & 3) + (seed & 16)
          : (seed * (i + 3) * 7) & 31,
    );
    const packed = [0, 4, 8, 12].map((k) =>
      idx[k] | (idx[k + 1] << 8) | (idx[k + 2] << 16) | (idx[k + 3] << 24)
    );
    for (const [d, a, b] of [[2, 0, 1], [0, 0, 1], [1, 0, 1]]) {
      const got = randomFile(seed);
      const want = randomFile(seed);
      run(
        jsSimdText("i8x16_shuffle", { o: [d, a, b, ...packed], local: () => "s0", site: site() }),
        got,
      );
      simdShuffle(want, d, a, b, packed[0], packed[1], packed[2], packed[3]);
      assert.deepEqual(words(got, d), words(want, d), `shuffle ${idx} into ${d}`);
    }
  }
  const scalars: [number, RegKind, number | bigint][] = [
    [15, "I", 0x1234567f],
    [16, "I", -2],
    [17, "I", 0x7fa00001],
    [18, "B", -0x123456789abn],
  ];
  for (const [sub, kind, x] of scalars) {
    const got = randomFile(3);
    const want = randomFile(3);
    run(jsSimdText("simd_splat", { o: [2, sub, 0], local: () => "s0", site: site(kind) }), got, x);
    const big = BigInt.asIntN(64, BigInt(x));
    simdSplat(sub, want, 2, Number(BigInt.asIntN(32, big)), Number(big >> 32n));
    assert.deepEqual(words(got, 2), words(want, 2), `splat ${sub}`);
  }
  for (
    const [sub, kind] of [[21, "I"], [22, "I"], [24, "I"], [25, "I"], [27, "I"], [29, "B"]] as const
  ) {
    for (let lane = 0; lane < (sub <= 22 ? 16 : sub <= 25 ? 8 : sub === 27 ? 4 : 2); lane++) {
      const f = randomFile(lane + 9);
      const got = run(
        jsSimdText("simd_extract", { o: [0, sub, 1, lane], local: () => "s0", site: site(kind) }),
        f,
        kind === "B" ? 0n : 0,
      );
      const out = new Int32Array(2);
      simdExtractLane(sub, f, 1, lane, out, 0);
      const want = kind === "B" ? (BigInt(out[1]) << 32n) | BigInt(out[0] >>> 0) : out[0];
      assert.equal(got, want, `extract ${sub} lane ${lane}`);
    }
  }
  for (
    const [sub, kind, x] of [[23, "I", 0x1ff], [26, "I", -3], [28, "I", 7], [30, "B", -5n]] as const
  ) {
    const got = randomFile(5);
    const want = randomFile(5);
    run(
      jsSimdText("simd_replace", { o: [2, sub, 1, 0, 1], local: () => "s0", site: site(kind) }),
      got,
      x,
    );
    const big = BigInt(x);
    simdReplaceLane(sub, want, 2, 1, 1, Number(BigInt.asIntN(32, big)), Number(big >> 32n));
    assert.deepEqual(words(got, 2), words(want, 2), `replace ${sub}`);
  }
});

Deno.test("the kind analysis sees a v128 op's scalar operands only", () => {
  const inst = (op: number, ...operands: number[]): IrInst =>
    ({ op, operands, wasmOffset: 0 }) as unknown as IrInst;
  const extract = jsSimdShape(inst(Op.simd_extract, 5, 29, 6, 1));
  assert.deepEqual(extract.defs, [[5, "B", 0, true]]);
  assert.deepEqual(extract.uses, []);
  const store = jsSimdShape(inst(Op.simd_store128, 3, 4, 16));
  assert.deepEqual(store.uses, [[3, "I", 0, false, true]]);
  assert.equal(jsSimdShape(inst(Op.i32x4_add, 1, 2, 3)).uses.length, 0);
  const simd = BYTECODE_OPS.filter((op) => op.handler === "runSimd").map((op) => op.name);
  assert.ok(simd.every((n) => isJsSimdOp(n) || n.startsWith("mem_v128_")));
  assert.ok(!isJsSimdOp("i32_add"));
});

Deno.test("a SIMD function too large for V8 to optimise runs on the interpreter, its callers on JS", () => {
  const adds = (n: number) =>
    "(i32x4.add ".repeat(n) + "(local.get 0)" + " (local.get 0))".repeat(n);
  const m = compileJsModule(translateModule(parseWat(`(module
    (func $small (param v128) (result v128) ${adds(10)})
    (func $large (param v128) (result v128) ${adds(1000)})
    (func (export "f") (param v128) (result v128) (call $large (call $small (local.get 0)))))`)));
  const [small, large, f] = m.functions;
  assert.equal(small.routed, undefined);
  assert.match(large.routed!, /too large for V8 to optimise \(\d+ characters of JS\)/);
  assert.match(f.source!, /C\.callSlots\(V\[\d+\], cb\)/, "the large one is called through slots");
  assert.match(f.source!, /= fn0\(/, "the small one directly");
});
