/**
 * Relaxed SIMD through translate → codegen → VM: each relaxed operator gives
 * the spec's deterministic-profile result (the behaviour `simd_translate.ts`
 * documents) on the inputs where the spec allows a choice, in the default
 * mode and in deterministic mode (NaN canonicalisation), and equals its
 * standard counterpart on random inputs.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseWat, type Tunables, tunables } from "@capstan/environ";
import { TestInstance } from "./_test_harness.ts";

/** Relaxed operator → the wasm expression it must equal (operands $a $b $c). */
const PAIRS: Record<string, string> = {
  "i8x16.relaxed_swizzle": "(i8x16.swizzle $a $b)",
  "i32x4.relaxed_trunc_f32x4_s": "(i32x4.trunc_sat_f32x4_s $a)",
  "i32x4.relaxed_trunc_f32x4_u": "(i32x4.trunc_sat_f32x4_u $a)",
  "i32x4.relaxed_trunc_f64x2_s_zero": "(i32x4.trunc_sat_f64x2_s_zero $a)",
  "i32x4.relaxed_trunc_f64x2_u_zero": "(i32x4.trunc_sat_f64x2_u_zero $a)",
  "f32x4.relaxed_madd": "(f32x4.add (f32x4.mul $a $b) $c)",
  "f32x4.relaxed_nmadd": "(f32x4.add (f32x4.mul (f32x4.neg $a) $b) $c)",
  "f64x2.relaxed_madd": "(f64x2.add (f64x2.mul $a $b) $c)",
  "f64x2.relaxed_nmadd": "(f64x2.add (f64x2.mul (f64x2.neg $a) $b) $c)",
  "i8x16.relaxed_laneselect": "(v128.bitselect $a $b $c)",
  "i16x8.relaxed_laneselect": "(v128.bitselect $a $b $c)",
  "i32x4.relaxed_laneselect": "(v128.bitselect $a $b $c)",
  "i64x2.relaxed_laneselect": "(v128.bitselect $a $b $c)",
  "f32x4.relaxed_min": "(f32x4.min $a $b)",
  "f32x4.relaxed_max": "(f32x4.max $a $b)",
  "f64x2.relaxed_min": "(f64x2.min $a $b)",
  "f64x2.relaxed_max": "(f64x2.max $a $b)",
  "i16x8.relaxed_q15mulr_s": "(i16x8.q15mulr_sat_s $a $b)",
};

const ARITY: Record<string, number> = {
  relaxed_madd: 3,
  relaxed_nmadd: 3,
  relaxed_laneselect: 3,
  relaxed_dot_i8x16_i7x16_add_s: 3,
};

function arity(op: string): number {
  const tail = op.slice(op.indexOf(".") + 1);
  return ARITY[tail] ?? (tail.startsWith("relaxed_trunc") ? 1 : 2);
}

const OPERANDS = [
  "(v128.load (i32.const 0))",
  "(v128.load (i32.const 16))",
  "(v128.load (i32.const 32))",
];

function apply(op: string): string {
  return `(${op} ${OPERANDS.slice(0, arity(op)).join(" ")})`;
}

const ALL = [
  ...Object.keys(PAIRS),
  "i16x8.relaxed_dot_i8x16_i7x16_s",
  "i32x4.relaxed_dot_i8x16_i7x16_add_s",
];

const WAT = `(module
  (memory 1)
  (func (export "set") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
  (func (export "get") (param i32) (result i64) (i64.load (local.get 0)))
  ${
  ALL.map((op) => `(func (export "${op}") (v128.store (i32.const 64) ${apply(op)}))`).join("\n  ")
}
  ${
  Object.entries(PAIRS).map(([op, expr]) =>
    `(func (export "std ${op}") (v128.store (i32.const 64) ${
      expr.replace("$a", OPERANDS[0]).replace("$b", OPERANDS[1]).replace("$c", OPERANDS[2])
    }))`
  ).join("\n  ")
}
)`;

/** A v128 as two i64 halves (low first). */
type V = readonly [bigint, bigint];

function run(inst: TestInstance, name: string, a: V, b: V = [0n, 0n], c: V = [0n, 0n]): V {
  [a, b, c].forEach((v, k) => {
    inst.call("set", 16 * k, v[0]);
    inst.call("set", 16 * k + 8, v[1]);
  });
  inst.call(name);
  return [
    BigInt.asUintN(64, inst.call("get", 64) as bigint),
    BigInt.asUintN(64, inst.call("get", 72) as bigint),
  ];
}

function bytes(...b: number[]): V {
  const u = new Uint8Array(16);
  u.set(b.map((x) => x & 0xff));
  const d = new DataView(u.buffer);
  return [d.getBigUint64(0, true), d.getBigUint64(8, true)];
}

function i16s(v: V): number[] {
  const d = new DataView(new BigUint64Array([v[0], v[1]]).buffer);
  return Array.from({ length: 8 }, (_, i) => d.getInt16(2 * i, true));
}

function i32s(v: V): number[] {
  const d = new DataView(new BigUint64Array([v[0], v[1]]).buffer);
  return Array.from({ length: 4 }, (_, i) => d.getInt32(4 * i, true));
}

function f32x4(...x: number[]): V {
  const d = new DataView(new ArrayBuffer(16));
  x.forEach((v, i) => d.setFloat32(4 * i, v, true));
  return [d.getBigUint64(0, true), d.getBigUint64(8, true)];
}

function f64x2(x: number, y: number): V {
  const d = new DataView(new ArrayBuffer(16));
  d.setFloat64(0, x, true);
  d.setFloat64(8, y, true);
  return [d.getBigUint64(0, true), d.getBigUint64(8, true)];
}

function f64s(v: V): number[] {
  const d = new DataView(new BigUint64Array([v[0], v[1]]).buffer);
  return [d.getFloat64(0, true), d.getFloat64(8, true)];
}

const MODES: [string, Tunables][] = [
  ["default", tunables()],
  ["deterministic", tunables({ nanCanonicalization: true })],
];

for (const [mode, tun] of MODES) {
  Deno.test(`relaxed SIMD gives the deterministic profile's results where the spec allows a choice (${mode})`, () => {
    const inst = new TestInstance(parseWat(WAT), {}, { tunables: tun });
    // swizzle: every index ≥ 16 selects 0
    const src = bytes(...Array.from({ length: 16 }, (_, i) => 0x10 + i));
    const idx = bytes(0, 15, 16, 17, 31, 100, 127, 128, 255, 3, 0x70, 0x8f, 1, 2, 64, 32);
    assert.deepEqual(
      run(inst, "i8x16.relaxed_swizzle", src, idx),
      bytes(0x10, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0x13, 0, 0, 0x11, 0x12, 0, 0),
    );
    // truncation saturates, NaN gives 0
    assert.deepEqual(
      i32s(run(inst, "i32x4.relaxed_trunc_f32x4_s", f32x4(NaN, 3e9, -3e9, -1.5))),
      [0, 2147483647, -2147483648, -1],
    );
    assert.deepEqual(
      i32s(run(inst, "i32x4.relaxed_trunc_f32x4_u", f32x4(NaN, 5e9, -1, 7.9))),
      [0, -1, 0, 7],
    );
    assert.deepEqual(i32s(run(inst, "i32x4.relaxed_trunc_f64x2_s_zero", f64x2(NaN, -1e10))), [
      0,
      -2147483648,
      0,
      0,
    ]);
    assert.deepEqual(i32s(run(inst, "i32x4.relaxed_trunc_f64x2_u_zero", f64x2(-2, 1e10))), [
      0,
      -1,
      0,
      0,
    ]);
    // madd is unfused: (1 + 2^-30)^2 - (1 + 2^-29) is 2^-60 fused, 0 with the product rounded
    const x = 1 + 2 ** -30;
    const y = 1 + 2 ** -29;
    assert.deepEqual(
      f64s(run(inst, "f64x2.relaxed_madd", f64x2(x, 2), f64x2(x, 3), f64x2(-y, 1))),
      [0, 7],
    );
    assert.deepEqual(
      f64s(run(inst, "f64x2.relaxed_nmadd", f64x2(x, 2), f64x2(x, 3), f64x2(y, 1))),
      [0, -5],
    );
    const fx = 1 + 2 ** -12;
    const fy = 1 + 2 ** -11;
    assert.deepEqual(
      run(inst, "f32x4.relaxed_madd", f32x4(fx, 1, 2, 3), f32x4(fx, 1, 2, 3), f32x4(-fy, 0, 0, 0)),
      f32x4(0, 1, 4, 9),
    );
    // laneselect selects bit by bit, whatever the mask's top bit
    const a: V = [0xffff_ffff_ffff_ffffn, 0xffff_ffff_ffff_ffffn];
    const mask: V = [0x0f0f_0000_ffff_1234n, 0x8000_0000_0000_0001n];
    for (const op of ["i8x16", "i16x8", "i32x4", "i64x2"]) {
      assert.deepEqual(run(inst, `${op}.relaxed_laneselect`, a, [0n, 0n], mask), mask, op);
    }
    // min/max propagate NaN and order -0 below +0
    const mn = f64s(run(inst, "f64x2.relaxed_min", f64x2(NaN, -0), f64x2(1, 0)));
    assert.ok(Number.isNaN(mn[0]) && Object.is(mn[1], -0));
    const mx = f64s(run(inst, "f64x2.relaxed_max", f64x2(2, -0), f64x2(NaN, 0)));
    assert.ok(Number.isNaN(mx[0]) && Object.is(mx[1], 0));
    // q15mulr saturates -1 * -1
    const q = i16s(
      run(inst, "i16x8.relaxed_q15mulr_s", bytes(0, 0x80, 0, 0x40), bytes(0, 0x80, 0, 0x40)),
    );
    assert.deepEqual(q.slice(0, 2), [32767, 8192]);
    // dot: both operands signed, pair sums saturate to i16
    const m128 = bytes(...new Array(16).fill(-128));
    const dot = i16s(run(inst, "i16x8.relaxed_dot_i8x16_i7x16_s", m128, m128));
    assert.deepEqual(dot, new Array(8).fill(32767));
    const mixed = i16s(
      run(inst, "i16x8.relaxed_dot_i8x16_i7x16_s", bytes(1, 2, -3, 4), bytes(5, -6, 7, 8)),
    );
    assert.deepEqual(mixed.slice(0, 2), [5 - 12, -21 + 32]);
    const c: V = [(2n << 32n) | 1n, 0xffff_ffff_ffff_ffffn];
    assert.deepEqual(
      i32s(run(inst, "i32x4.relaxed_dot_i8x16_i7x16_add_s", m128, m128, c)),
      [65535, 65536, 65533, 65533],
    );
  });
}

/**
 * A float result with each NaN lane made the canonical NaN: NaN results are
 * any NaN (sign and payload free) outside deterministic mode.
 */
function nanLanes(shape: string, v: V): V {
  if (shape === "f64x2") {
    return v.map((x) =>
      ((x >> 52n) & 0x7ffn) === 0x7ffn && (x & ((1n << 52n) - 1n)) !== 0n
        ? 0x7ff8_0000_0000_0000n
        : x
    ) as unknown as V;
  }
  if (shape !== "f32x4") return v;
  const w = new Uint32Array(new BigUint64Array([v[0], v[1]]).buffer);
  for (let i = 0; i < 4; i++) {
    if ((w[i] & 0x7f800000) === 0x7f800000 && (w[i] & 0x7fffff) !== 0) w[i] = 0x7fc00000;
  }
  const q = new BigUint64Array(w.buffer);
  return [q[0], q[1]];
}

Deno.test("relaxed SIMD equals its documented standard counterpart on random inputs, in both modes", () => {
  let s = 12345;
  const word = () => {
    s = (Math.imul(s, 1103515245) + 12345) | 0;
    return BigInt(s >>> 0);
  };
  const v = (): V => [(word() << 32n) | word(), (word() << 32n) | word()];
  for (const [, tun] of MODES) {
    const inst = new TestInstance(parseWat(WAT), {}, { tunables: tun });
    for (let i = 0; i < 40; i++) {
      const [a, b, c] = [v(), v(), v()];
      for (const op of Object.keys(PAIRS)) {
        const shape = op.slice(0, op.indexOf("."));
        assert.deepEqual(
          nanLanes(shape, run(inst, op, a, b, c)),
          nanLanes(shape, run(inst, `std ${op}`, a, b, c)),
          op,
        );
      }
    }
  }
});

Deno.test("relaxed madd canonicalises a NaN result in deterministic mode", () => {
  const inst = new TestInstance(parseWat(WAT), {}, {
    tunables: tunables({ nanCanonicalization: true }),
  });
  const payload: V = [0x7ff4_0000_0000_0001n, 0xfff8_0000_0000_1234n];
  const r = run(inst, "f64x2.relaxed_madd", payload, f64x2(1, 1), f64x2(0, 0));
  assert.deepEqual(r, [0x7ff8_0000_0000_0000n, 0x7ff8_0000_0000_0000n]);
});
