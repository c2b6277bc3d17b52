/**
 * Differential tests of `simd_math.ts` against native V8: every SIMD lane
 * operation is applied to pools of interesting vectors by a tiny native wasm
 * module and by the lane math, and the results must agree (bit for bit,
 * except NaN lanes of float arithmetic, which must be quiet NaNs on both).
 */
import assert from "node:assert/strict";
import { type OpInfo, ValType } from "@capstan/environ";
import {
  BINARY,
  buildModule,
  compareVectors,
  EXTRACTS,
  hex,
  i32c,
  laneCount,
  loadOperand,
  loadScalar,
  REPLACES,
  RESULT,
  SCALAR,
  scalarPool,
  SHIFTS,
  simd,
  SPLATS,
  storeScalar,
  TESTS,
  UNARY,
  V128_STORE,
  vectorPool,
} from "@capstan/testing/simd";
import {
  simdBinary,
  simdBitselect,
  simdExtractLane,
  simdReplaceLane,
  simdShift,
  simdShuffle,
  simdSplat,
  simdTest,
  simdUnary,
  V128File,
} from "./simd_math.ts";

interface Native {
  mem: Uint8Array;
  fns: (() => void)[];
}

function instantiate(bodies: number[][]): Native {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(buildModule(bodies)));
  const mem = new Uint8Array((inst.exports.m as WebAssembly.Memory).buffer);
  const fns = bodies.map((_, i) => inst.exports[`f${i}`] as () => void);
  return { mem, fns };
}

const POOL = vectorPool();
const SCALARS = scalarPool();

/** A file with operand vectors 0..2 and result vector 3. */
function fileWith(...ops: Uint8Array[]): V128File {
  const f = new V128File(4);
  ops.forEach((v, k) => f.u8.set(v, 16 * k));
  return f;
}

function result(f: V128File, k = 3): Uint8Array {
  return f.u8.slice(16 * k, 16 * k + 16);
}

Deno.test("simdUnary() agrees with native V8 on every v128 -> v128 op", () => {
  const n = instantiate(
    UNARY.map((op) => [...i32c(RESULT), ...loadOperand(0), ...simd(op.code), ...V128_STORE]),
  );
  assert.ok(UNARY.length >= 50, `only ${UNARY.length} unary ops`);
  let checked = 0;
  UNARY.forEach((op, i) => {
    for (const a of POOL) {
      n.mem.set(a, 0);
      n.fns[i]();
      const f = fileWith(a);
      simdUnary(op.code, f, 3, 0);
      const err = compareVectors(op, n.mem.slice(RESULT, RESULT + 16), result(f));
      assert.equal(err, undefined, `${op.name}(${hex(a)}): ${err}`);
      // in place (destination = operand)
      const g = fileWith(a);
      simdUnary(op.code, g, 0, 0);
      assert.equal(compareVectors(op, result(f), result(g, 0)), undefined, `${op.name} in place`);
      checked++;
    }
  });
  assert.ok(checked > 1000);
});

Deno.test("simdBinary() agrees with native V8 on every v128 x v128 -> v128 op", () => {
  const n = instantiate(
    BINARY.map((
      op,
    ) => [...i32c(RESULT), ...loadOperand(0), ...loadOperand(1), ...simd(op.code), ...V128_STORE]),
  );
  assert.ok(BINARY.length >= 100, `only ${BINARY.length} binary ops`);
  const sample = POOL.filter((_, i) => i % 2 === 0);
  BINARY.forEach((op, i) => {
    for (const a of sample) {
      for (const b of POOL) {
        n.mem.set(a, 0);
        n.mem.set(b, 16);
        n.fns[i]();
        const f = fileWith(a, b);
        simdBinary(op.code, f, 3, 0, 1);
        const expected = n.mem.slice(RESULT, RESULT + 16);
        const err = compareVectors(op, expected, result(f));
        assert.equal(err, undefined, `${op.name}(${hex(a)}, ${hex(b)}): ${err}`);
        // aliasing: destination = first operand, and both operands the same register
        const g = fileWith(a, b);
        simdBinary(op.code, g, 0, 0, 1);
        // (NaN lanes may differ in payload: which NaN operand propagates is JIT-dependent)
        assert.equal(compareVectors(op, result(f), result(g, 0)), undefined, `${op.name} d = a`);
        const h = fileWith(a, b);
        simdBinary(op.code, h, 1, 0, 1);
        assert.equal(compareVectors(op, result(f), result(h, 1)), undefined, `${op.name} d = b`);
      }
    }
  });
});

Deno.test("simdShift() agrees with native V8, counts taken modulo the lane width", () => {
  const n = instantiate(
    SHIFTS.map((
      op,
    ) => [
      ...i32c(RESULT),
      ...loadOperand(0),
      ...loadScalar(ValType.i32),
      ...simd(op.code),
      ...V128_STORE,
    ]),
  );
  assert.equal(SHIFTS.length, 12);
  const counts = [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, -1, 0x7fffffff];
  SHIFTS.forEach((op, i) => {
    for (const a of POOL) {
      for (const c of counts) {
        n.mem.set(a, 0);
        new DataView(n.mem.buffer).setInt32(SCALAR, c, true);
        n.fns[i]();
        const f = fileWith(a);
        simdShift(op.code, f, 3, 0, c);
        assert.deepEqual(
          result(f),
          n.mem.slice(RESULT, RESULT + 16),
          `${op.name}(${hex(a)}, ${c})`,
        );
      }
    }
  });
});

Deno.test("simdTest() agrees with native V8 on any_true, all_true and bitmask", () => {
  const n = instantiate(
    TESTS.map((
      op,
    ) => [...i32c(RESULT), ...loadOperand(0), ...simd(op.code), ...storeScalar(ValType.i32)]),
  );
  assert.equal(TESTS.length, 9);
  const extra = [
    new Uint8Array(16),
    new Uint8Array(16).fill(0xff),
    Uint8Array.from({ length: 16 }, (_, i) => i + 1),
  ];
  TESTS.forEach((op, i) => {
    for (const a of [...POOL, ...extra]) {
      n.mem.set(a, 0);
      n.fns[i]();
      const expected = new DataView(n.mem.buffer).getInt32(RESULT, true);
      assert.equal(simdTest(op.code, fileWith(a), 0), expected, `${op.name}(${hex(a)})`);
    }
  });
});

const SCALAR_TYPE: Record<string, ValType> = {
  i8x16: ValType.i32,
  i16x8: ValType.i32,
  i32x4: ValType.i32,
  i64x2: ValType.i64,
  f32x4: ValType.f32,
  f64x2: ValType.f64,
};

function scalarTypeOf(op: OpInfo): ValType {
  return SCALAR_TYPE[op.name.slice(0, 5)];
}

Deno.test("simdSplat() agrees with native V8, keeping NaN bits", () => {
  const n = instantiate(
    SPLATS.map((
      op,
    ) => [...i32c(RESULT), ...loadScalar(scalarTypeOf(op)), ...simd(op.code), ...V128_STORE]),
  );
  assert.equal(SPLATS.length, 6);
  SPLATS.forEach((op, i) => {
    for (const s of SCALARS) {
      n.mem.set(s, SCALAR);
      n.fns[i]();
      const dv = new DataView(s.buffer);
      const f = new V128File(1);
      simdSplat(op.code, f, 0, dv.getInt32(0, true), dv.getInt32(4, true));
      assert.deepEqual(
        f.u8.slice(0, 16),
        n.mem.slice(RESULT, RESULT + 16),
        `${op.name}(${hex(s)})`,
      );
    }
  });
});

Deno.test("simdExtractLane() agrees with native V8 for every lane", () => {
  const cases: [OpInfo, number][] = [];
  for (const op of EXTRACTS) for (let l = 0; l < laneCount(op.name); l++) cases.push([op, l]);
  const n = instantiate(
    cases.map((
      [op, l],
    ) => [...i32c(RESULT), ...loadOperand(0), ...simd(op.code, l), ...storeScalar(op.sig![1][0])]),
  );
  const out = new Int32Array(2);
  cases.forEach(([op, l], i) => {
    const t = op.sig![1][0];
    const size = t === ValType.i64 || t === ValType.f64 ? 8 : 4;
    for (const a of POOL) {
      n.mem.fill(0, RESULT, RESULT + 8);
      n.mem.set(a, 0);
      n.fns[i]();
      simdExtractLane(op.code, fileWith(a), 0, l, out, 0);
      const ours = new Uint8Array(out.buffer).slice(0, size);
      assert.deepEqual(ours, n.mem.slice(RESULT, RESULT + size), `${op.name} ${l} (${hex(a)})`);
    }
  });
});

Deno.test("simdReplaceLane() agrees with native V8 for every lane", () => {
  const cases: [OpInfo, number][] = [];
  for (const op of REPLACES) for (let l = 0; l < laneCount(op.name); l++) cases.push([op, l]);
  const n = instantiate(
    cases.map(([op, l]) => [
      ...i32c(RESULT),
      ...loadOperand(0),
      ...loadScalar(op.sig![0][1]),
      ...simd(op.code, l),
      ...V128_STORE,
    ]),
  );
  cases.forEach(([op, l], i) => {
    for (const a of POOL.slice(0, 8)) {
      for (const s of SCALARS) {
        n.mem.set(a, 0);
        n.mem.set(s, SCALAR);
        n.fns[i]();
        const dv = new DataView(s.buffer);
        const f = fileWith(a);
        simdReplaceLane(op.code, f, 0, 0, l, dv.getInt32(0, true), dv.getInt32(4, true));
        assert.deepEqual(result(f, 0), n.mem.slice(RESULT, RESULT + 16), `${op.name} ${l}`);
      }
    }
  });
});

Deno.test("simdBitselect() and simdShuffle() agree with native V8", () => {
  const masks = [
    Uint8Array.from({ length: 16 }, (_, i) => i),
    Uint8Array.from({ length: 16 }, (_, i) => 31 - i),
    Uint8Array.from({ length: 16 }, (_, i) => (i * 7) % 32),
    new Uint8Array(16).fill(17),
  ];
  const n = instantiate([
    [
      ...i32c(RESULT),
      ...loadOperand(0),
      ...loadOperand(1),
      ...loadOperand(2),
      ...simd(82),
      ...V128_STORE,
    ],
    ...masks.map((
      m,
    ) => [...i32c(RESULT), ...loadOperand(0), ...loadOperand(1), ...simd(13, ...m), ...V128_STORE]),
  ]);
  for (const a of POOL) {
    for (const b of POOL.slice(0, 10)) {
      const c = POOL[(POOL.indexOf(a) + 5) % POOL.length];
      n.mem.set(a, 0);
      n.mem.set(b, 16);
      n.mem.set(c, 32);
      n.fns[0]();
      const f = fileWith(a, b, c);
      simdBitselect(f, 2, 0, 1, 2);
      assert.deepEqual(result(f, 2), n.mem.slice(RESULT, RESULT + 16), "bitselect");
      masks.forEach((m, k) => {
        n.fns[1 + k]();
        const w = new Int32Array(m.buffer);
        const g = fileWith(a, b);
        simdShuffle(g, 1, 0, 1, w[0], w[1], w[2], w[3]);
        assert.deepEqual(result(g, 1), n.mem.slice(RESULT, RESULT + 16), `shuffle ${hex(m)}`);
      });
    }
  }
});

Deno.test("simdBinary() i16x8.relaxed_dot_i8x16_i7x16_s: signed lanes, pair sums saturate, d may be an operand", () => {
  const f = new V128File(2);
  const a = Int8Array.from([-128, -128, 1, 2, -3, 4, 127, 127, 0, 0, 5, -6, -128, 127, 9, 9]);
  const b = Int8Array.from([-128, -128, 5, -6, 7, 8, 127, 127, 0, 0, -1, -1, -128, -128, 1, -1]);
  f.i8.set(a, 0);
  f.i8.set(b, 16);
  simdBinary(0x112, f, 0, 0, 1);
  const expected = [32767, 5 - 12, -21 + 32, 32258, 0, -5 + 6, 16384 - 16256, 0];
  assert.deepEqual([...f.i16.subarray(0, 8)], expected);
});
