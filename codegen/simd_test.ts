/**
 * SIMD through the whole pipeline (translate → codegen → VM) against native
 * V8: one function per op applies it to operands in memory and stores the
 * result; Capstan and native must agree (bit for bit, except NaN lanes of
 * float arithmetic, which must be quiet NaNs). Also v128 locals,
 * calls, blocks, select, loads/stores of every kind and their traps.
 */
import assert from "node:assert/strict";
import {
  DEFAULT_TUNABLES,
  type OpInfo,
  parseWat,
  translateModule,
  TrapCode,
  tunables,
  ValType,
} from "@capstan/environ";
import { compileModule, disassembleModule } from "./compile.ts";
import { Op } from "@capstan/interpreter";
import {
  BINARY,
  buildModule,
  compareVectors,
  EXTRACTS,
  floatArithmetic,
  hex,
  i32c,
  laneCount,
  loadOperand,
  loadScalar,
  REPLACES,
  RESULT,
  rng,
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
import { TestInstance, TestTrap } from "./_test_harness.ts";

interface Pair {
  native: Uint8Array;
  ours: Uint8Array;
  run(i: number): void;
}

/** Instantiates the same bodies natively and on Capstan. */
function pair(bodies: number[][]): Pair {
  const bytes = buildModule(bodies);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const native = new Uint8Array((inst.exports.m as WebAssembly.Memory).buffer);
  const t = new TestInstance(bytes);
  const ours = t.inst.memory.bytes;
  return {
    native,
    ours,
    run(i: number) {
      (inst.exports[`f${i}`] as () => void)();
      t.call(`f${i}`);
    },
  };
}

const POOL = vectorPool(3);

function setBoth(p: Pair, at: number, v: Uint8Array): void {
  p.native.set(v, at);
  p.ours.set(v, at);
}

function checkVectorOps(ops: readonly OpInfo[], body: (op: OpInfo) => number[], arity: number) {
  const p = pair(ops.map(body));
  ops.forEach((op, i) => {
    for (let x = 0; x < POOL.length; x++) {
      setBoth(p, 0, POOL[x]);
      if (arity > 1) setBoth(p, 16, POOL[(x * 7 + 3) % POOL.length]);
      p.run(i);
      const err = compareVectors(
        op,
        p.native.slice(RESULT, RESULT + 16),
        p.ours.slice(RESULT, RESULT + 16),
      );
      assert.equal(err, undefined, `${op.name}(${hex(POOL[x])}): ${err}`);
    }
  });
}

Deno.test("unary and binary SIMD ops through codegen + VM agree with native V8", () => {
  checkVectorOps(UNARY, (op) => [
    ...i32c(RESULT),
    ...loadOperand(0),
    ...simd(op.code),
    ...V128_STORE,
  ], 1);
  checkVectorOps(BINARY, (op) => [
    ...i32c(RESULT),
    ...loadOperand(0),
    ...loadOperand(1),
    ...simd(op.code),
    ...V128_STORE,
  ], 2);
});

Deno.test("shifts, tests, splats, lanes through codegen + VM agree with native V8", () => {
  const bodies: number[][] = [];
  const names: string[] = [];
  const sizes: number[] = [];
  for (const op of SHIFTS) {
    bodies.push([
      ...i32c(RESULT),
      ...loadOperand(0),
      ...loadScalar(ValType.i32),
      ...simd(op.code),
      ...V128_STORE,
    ]);
    names.push(op.name);
    sizes.push(16);
  }
  for (const op of TESTS) {
    bodies.push([
      ...i32c(RESULT),
      ...loadOperand(0),
      ...simd(op.code),
      ...storeScalar(ValType.i32),
    ]);
    names.push(op.name);
    sizes.push(4);
  }
  for (const op of SPLATS) {
    bodies.push([...i32c(RESULT), ...loadScalar(op.sig![0][0]), ...simd(op.code), ...V128_STORE]);
    names.push(op.name);
    sizes.push(16);
  }
  for (const op of EXTRACTS) {
    for (let l = 0; l < laneCount(op.name); l++) {
      const t = op.sig![1][0];
      bodies.push([...i32c(RESULT), ...loadOperand(0), ...simd(op.code, l), ...storeScalar(t)]);
      names.push(`${op.name} ${l}`);
      sizes.push(t === ValType.i64 || t === ValType.f64 ? 8 : 4);
    }
  }
  for (const op of REPLACES) {
    for (let l = 0; l < laneCount(op.name); l++) {
      bodies.push([
        ...i32c(RESULT),
        ...loadOperand(0),
        ...loadScalar(op.sig![0][1]),
        ...simd(op.code, l),
        ...V128_STORE,
      ]);
      names.push(`${op.name} ${l}`);
      sizes.push(16);
    }
  }
  const p = pair(bodies);
  const scalars = scalarPool();
  bodies.forEach((_, i) => {
    for (let x = 0; x < POOL.length; x += 2) {
      const s = scalars[x % scalars.length];
      setBoth(p, 0, POOL[x]);
      setBoth(p, SCALAR, s);
      p.run(i);
      assert.deepEqual(
        p.ours.slice(RESULT, RESULT + sizes[i]),
        p.native.slice(RESULT, RESULT + sizes[i]),
        `${names[i]}(${hex(POOL[x])}, ${hex(s)})`,
      );
    }
  });
});

Deno.test("every SIMD load and store kind through codegen + VM agrees with native V8", () => {
  // address at SCALAR (i32), memarg offset 3 (unaligned), operand vector 0, lane 1
  const addr = [...i32c(0), 0x28, 2, ...[SCALAR]];
  const loads = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 92, 93];
  const bodies: number[][] = [
    ...loads.map((sub) => [...i32c(RESULT), ...addr, ...simd(sub, 0, 3), ...V128_STORE]),
    ...[84, 85, 86, 87].map((sub) => [
      ...i32c(RESULT),
      ...addr,
      ...loadOperand(0),
      ...simd(sub, 0, 3, 1),
      ...V128_STORE,
    ]),
    ...[11].map((sub) => [...addr, ...loadOperand(0), ...simd(sub, 0, 3)]),
    ...[88, 89, 90, 91].map((sub) => [...addr, ...loadOperand(0), ...simd(sub, 0, 3, 1)]),
  ];
  const p = pair(bodies);
  const src = Uint8Array.from({ length: 64 }, (_, i) => (i * 37 + 200) & 0xff);
  for (let i = 0; i < bodies.length; i++) {
    for (const at of [100, 1000, 65536 - 19]) {
      setBoth(p, 96, new Uint8Array(p.native.length - 96));
      setBoth(p, 100, src.subarray(0, 16));
      setBoth(p, 1000, src.subarray(16, 48));
      setBoth(p, 0, POOL[i % POOL.length]);
      new DataView(p.native.buffer).setInt32(SCALAR, at, true);
      new DataView(p.ours.buffer, p.ours.byteOffset).setInt32(SCALAR, at, true);
      let nativeTrap = false;
      let ourTrap = -1;
      try {
        p.run(i);
      } catch (e) {
        if (e instanceof TestTrap) ourTrap = e.code;
        else if (e instanceof WebAssembly.RuntimeError) nativeTrap = true;
        else throw e;
      }
      if (nativeTrap || ourTrap >= 0) {
        // whichever threw first, the other must trap too
        assert.ok(at > 65000, `unexpected trap for body ${i} at ${at}`);
        continue;
      }
      assert.deepEqual(p.ours.slice(64), p.native.slice(64), `body ${i} at ${at}`);
    }
  }
});

Deno.test("SIMD loads and stores trap out of bounds with the memory trap", () => {
  const w = parseWat(`(module (memory 1)
    (func (export "ld") (param i32) (drop (v128.load offset=1 (local.get 0))))
    (func (export "st") (param i32) (v128.store (local.get 0) (v128.const i64x2 1 2)))
    (func (export "lane") (param i32) (v128.store64_lane 1 (local.get 0) (v128.const i64x2 1 2))))`);
  const t = new TestInstance(w);
  t.call("ld", 65536 - 17);
  t.call("st", 65536 - 16);
  t.call("lane", 65536 - 8);
  for (const [name, a] of [["ld", 65536 - 16], ["st", 65536 - 15], ["lane", 65536 - 7]] as const) {
    assert.throws(
      () => t.call(name, a),
      (e) => e instanceof TestTrap && e.code === TrapCode.MemoryOutOfBounds,
      name,
    );
  }
});

Deno.test("v128 locals, params, results, blocks, select and calls keep their values", () => {
  const w = parseWat(`(module (memory (export "m") 1)
    (func $swap (param v128 v128) (result v128 v128) (local.get 1) (local.get 0))
    (func $pick (param i32 v128 v128) (result v128)
      (select (local.get 1) (local.get 2) (local.get 0)))
    (func (export "run") (param i32) (result i32)
      (local $a v128) (local $b v128) (local $z v128) (local $g v128)
      (local.set $a (v128.const i32x4 10 20 30 40))
      (local.set $g (v128.const i32x4 1 2 3 4))
      (local.set $b (i32x4.add (local.get $a) (local.get $g)))
      (local.set $g (local.get $b))
      (call $swap (local.get $a) (local.get $b))
      (local.set $a)
      (local.set $b)
      (block (result v128) (i32x4.mul (local.get $a) (v128.const i32x4 2 2 2 2)))
      (local.set $a)
      (v128.store (i32.const 0) (call $pick (local.get 0) (local.get $a) (local.get $b)))
      (v128.store (i32.const 16) (local.get $g))
      (v128.store (i32.const 32) (local.get $z))
      (i32x4.extract_lane 3 (local.get $a))))`);
  const native = new WebAssembly.Instance(new WebAssembly.Module(w));
  const t = new TestInstance(w);
  for (const c of [0, 1]) {
    const expected = (native.exports.run as (x: number) => number)(c);
    assert.equal(t.call("run", c), expected);
    const nm = new Uint8Array((native.exports.m as WebAssembly.Memory).buffer, 0, 48);
    assert.deepEqual(t.inst.memory.bytes.slice(0, 48), nm.slice());
    const ours = new Int32Array(t.inst.memory.buffer.slice(0, 48));
    assert.deepEqual([...ours.subarray(8, 12)], [0, 0, 0, 0]);
  }
});

Deno.test("deterministic mode (nanCanonicalization) makes NaN lanes of f32x4/f64x2 results canonical", () => {
  const w = parseWat(`(module (memory (export "m") 1)
    (func (export "f32") (v128.store (i32.const 64)
      (f32x4.add (v128.load (i32.const 0)) (v128.const f32x4 1 1 1 1))))
    (func (export "f64") (v128.store (i32.const 64) (f64x2.sqrt (v128.load (i32.const 0)))))
    (func (export "bits") (v128.store (i32.const 64) (f32x4.neg (v128.load (i32.const 0))))))`);
  const input = new Int32Array([0x7fa00001, 0xffc12345 | 0, 0x3f800000, -1]);
  for (const canon of [true, false]) {
    const t = new TestInstance(w, {}, {
      tunables: { ...DEFAULT_TUNABLES, nanCanonicalization: canon },
    });
    const mem = new Int32Array(t.inst.memory.buffer, 0, 32);
    mem.set(input);
    t.call("f32");
    if (canon) {
      assert.deepEqual([...mem.subarray(16, 20)], [0x7fc00000, 0x7fc00000, 0x40000000, 0x7fc00000]);
    } else {assert.equal(
        mem[16],
        0x7fe00001,
        "the payload propagates (quieted) without canonicalisation",
      );}
    // f64x2.sqrt of (payload NaN, -1.5)
    mem.set([1, 0x7ff40000, 0, 0xbff80000 | 0]);
    t.call("f64");
    if (canon) assert.deepEqual([...mem.subarray(16, 20)], [0, 0x7ff80000, 0, 0x7ff80000]);
    else assert.deepEqual([...mem.subarray(16, 18)], [1, 0x7ffc0000]);
    // sign flips keep their exact bits in both modes
    mem.set(input);
    t.call("bits");
    assert.deepEqual([...mem.subarray(16, 20)], [
      0xffa00001 | 0,
      0x7fc12345,
      0xbf800000 | 0,
      0x7fffffff,
    ]);
  }
});

Deno.test("SIMD bytecode disassembles with wasm op names and memory trap sites", () => {
  const t = translateModule(parseWat(`(module (memory 1)
    (func (param i32) (result i32)
      (i32x4.extract_lane 1 (i16x8.add
        (i32x4.add (v128.load offset=32 (local.get 0)) (v128.const i32x4 1 2 3 4))
        (v128.const i32x4 5 6 7 8)))))`));
  const text = disassembleModule(compileModule(t));
  assert.match(text, /simd_load128 r\d+, r0, 32 .*trap MemoryOutOfBounds/);
  assert.match(text, /v128_const r\d+, 1, 2, 3, 4/);
  assert.match(text, /i32x4_add r\d+, r\d+, r\d+/);
  assert.match(text, /simd_bin r\d+, i16x8\.add, r\d+, r\d+/);
  assert.match(text, /simd_extract r\d+, i32x4\.extract_lane, r\d+, 1/);
});

Deno.test("random programs of integer SIMD ops over v128 locals agree with native V8", () => {
  // Float arithmetic is left out: NaN payloads may differ (allowed) and would then
  // flow into integer lanes. Every other v128 op is fair game, including ones
  // whose destination is also an operand (local.set retargeting).
  const intOps = [...UNARY, ...BINARY].filter((op) => !floatArithmetic(op));
  const next = rng(777);
  const pick = <T>(xs: readonly T[]): T => xs[next() % xs.length];
  const get = (l: number) => [0x20, l];
  const set = (l: number) => [0x21, l];
  const bodies: number[][] = [];
  for (let f = 0; f < 40; f++) {
    const body: number[] = [];
    for (let l = 0; l < 4; l++) body.push(...i32c(0), ...simd(0, 0, 16 * l), ...set(l));
    for (let s = 0; s < 12; s++) {
      const k = next() % 10;
      const dst = next() % 4;
      if (k < 5) {
        const op = pick(intOps);
        body.push(...get(next() % 4));
        if (op.sig![0].length === 2) body.push(...get(next() % 4));
        body.push(...simd(op.code), ...set(dst));
      } else if (k === 5) {
        body.push(
          ...get(next() % 4),
          ...i32c(next() % 70),
          ...simd(pick(SHIFTS).code),
          ...set(dst),
        );
      } else if (k === 6) {
        const lanes = Array.from({ length: 16 }, () => next() % 32);
        body.push(...get(next() % 4), ...get(next() % 4), ...simd(13, ...lanes), ...set(dst));
      } else if (k === 7) {
        body.push(...get(0), ...get(1), ...get(next() % 4), ...simd(82), ...set(dst));
      } else if (k === 8) {
        body.push(...get(next() % 4), ...simd(29, next() % 2), ...simd(18), ...set(dst));
      } else {
        // v128 select on a lane test
        body.push(...get(next() % 4), ...get(next() % 4), ...get(next() % 4));
        body.push(...simd(pick(TESTS).code), 0x1b, ...set(dst));
      }
    }
    for (let l = 0; l < 4; l++) body.push(...i32c(RESULT + 16 * l), ...get(l), ...V128_STORE);
    bodies.push(body);
  }
  // four v128 locals per function
  const bytes = buildModule(bodies, [[4, ValType.v128]]);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const nm = new Uint8Array((native.exports.m as WebAssembly.Memory).buffer);
  const t = new TestInstance(bytes);
  const om = t.inst.memory.bytes;
  for (let f = 0; f < bodies.length; f++) {
    for (const v of [POOL.slice(0, 4), POOL.slice(20, 24), POOL.slice(-4)]) {
      v.forEach((x, i) => {
        nm.set(x, 16 * i);
        om.set(x, 16 * i);
      });
      (native.exports[`f${f}`] as () => void)();
      t.call(`f${f}`);
      assert.deepEqual(om.slice(RESULT, RESULT + 64), nm.slice(RESULT, RESULT + 64), `f${f}`);
    }
  }
});

Deno.test("a trap in the middle of a straight-line SIMD sequence reports that op's pc", () => {
  // runSimd runs consecutive SIMD ops in one call; the store traps after two ops that ran
  const w = parseWat(`(module (memory 1)
    (func (export "f") (param i32)
      (v128.store (local.get 0)
        (f32x4.add (v128.load (i32.const 0)) (v128.load offset=16 (i32.const 0))))))`);
  const t = new TestInstance(w);
  const fn = t.compiled.functions[0];
  const handle = t.vm.funcs.findIndex((f) => f?.instance === t.inst && f.entry === fn.entry);
  for (const [addr, trapped] of [[65536 - 16, false], [65536 - 15, true]] as const) {
    const base = t.vm.callStart(handle);
    t.vm.i32[2 * base] = addr;
    const r = t.vm.callRun();
    try {
      if (!trapped) {
        assert.equal(r.kind, "return");
        continue;
      }
      assert.equal(r.kind, "trap");
      if (r.kind !== "trap") continue;
      assert.equal(r.code, TrapCode.MemoryOutOfBounds);
      assert.equal(t.compiled.code[r.pc], Op.simd_store128);
      assert.ok(fn.traps.some((e) => e.pc === r.pc && e.code === TrapCode.MemoryOutOfBounds));
    } finally {
      t.vm.callEnd();
    }
  }
});

Deno.test("counted SIMD loops (closed by br_inc_*_i, with i32 adds) agree with native V8", () => {
  // runSimd also runs these scalar ops, so such a loop never leaves it; each loop form here
  // lowers to a different one of them (checked on the disassembly)
  const wat = `(module (memory (export "m") 1)
    (func (export "ne") (param $n i32) (result i32)
      (local $p i32) (local $s i32) (local $acc v128)
      (loop $l
        (local.set $acc (i32x4.add (local.get $acc) (v128.load (local.get $p))))
        (local.set $s (i32.add (local.get $s) (i8x16.bitmask (v128.load (local.get $p)))))
        (br_if $l (i32.ne (local.tee $p (i32.add (local.get $p) (i32.const 16))) (i32.const 4096))))
      (i32.xor (local.get $s) (i32x4.extract_lane 3 (local.get $acc))))
    (func (export "lt_u") (param $n i32) (result i32)
      (local $p i32) (local $acc v128)
      (loop $l
        (local.set $acc (i8x16.add (local.get $acc) (v128.load offset=7 (local.get $p))))
        (br_if $l (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 48))) (i32.const 4000))))
      (i32x4.extract_lane 1 (local.get $acc)))
    (func (export "lt_s") (param $n i32) (result i32)
      (local $i i32) (local $q i32) (local $acc v128)
      (local.set $i (i32.const -100))
      (loop $l
        (local.set $acc (f32x4.add (local.get $acc) (v128.load (local.get $q))))
        (local.set $q (i32.add (local.get $q) (i32.const 32)))
        (br_if $l (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 20))))
      (i32x4.extract_lane 2 (local.get $acc))))`;
  const w = parseWat(wat);
  const text = disassembleModule(compileModule(translateModule(w)));
  for (const op of ["br_inc_ne_i", "br_inc_lt_u_i", "br_inc_lt_s_i", "i32_add", "i32_add_i"]) {
    assert.match(text, new RegExp(`\\b${op} `), op);
  }
  const native = new WebAssembly.Instance(new WebAssembly.Module(w as Uint8Array<ArrayBuffer>));
  const nm = new Uint8Array((native.exports.m as WebAssembly.Memory).buffer);
  const t = new TestInstance(w);
  const next = rng(99);
  for (let i = 0; i < 8192; i++) {
    const b = next() & 0xff;
    nm[i] = b;
    t.inst.memory.bytes[i] = b;
  }
  for (const name of ["ne", "lt_u", "lt_s"]) {
    const want = (native.exports[name] as (n: number) => number)(0);
    assert.equal(t.call(name, 0), want, name);
  }
});

Deno.test("i8x16.shuffle from one operand, the other, both, or one register twice agrees with native V8", () => {
  // the one-operand forms lower to i8x16_shuffle1 (lane indices taken mod 16)
  const next = rng(4242);
  const lanes = (lo: number, hi: number) =>
    Array.from({ length: 16 }, () => lo + next() % (hi - lo));
  const masks = [
    lanes(0, 16),
    lanes(16, 32),
    lanes(0, 32),
    Array.from({ length: 16 }, (_, i) => 15 - i),
    Array.from({ length: 16 }, (_, i) => 31 - i),
    [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3],
    [16, 0, 17, 1, 18, 2, 19, 3, 20, 4, 21, 5, 22, 6, 23, 7],
  ];
  const bodies: number[][] = [];
  for (const m of masks) {
    for (const [x, y] of [[0, 1], [1, 0], [1, 1]]) {
      bodies.push([
        ...i32c(RESULT),
        ...loadOperand(x),
        ...(x === y ? [0x22, 0, 0x20, 0] : loadOperand(y)), // local.tee/get: one register twice
        ...simd(13, ...m),
        ...V128_STORE,
      ]);
    }
  }
  const bytes = buildModule(bodies, [[1, ValType.v128]]);
  const text = disassembleModule(compileModule(translateModule(bytes)));
  assert.match(text, /i8x16_shuffle1 /);
  assert.match(text, /i8x16_shuffle /);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  const nm = new Uint8Array((native.exports.m as WebAssembly.Memory).buffer);
  const t = new TestInstance(bytes);
  const om = t.inst.memory.bytes;
  for (let f = 0; f < bodies.length; f++) {
    for (let k = 0; k < 32; k++) {
      nm[k] = om[k] = next() & 0xff;
    }
    (native.exports[`f${f}`] as () => void)();
    t.call(`f${f}`);
    assert.deepEqual(om.slice(RESULT, RESULT + 16), nm.slice(RESULT, RESULT + 16), `f${f}`);
  }
});

Deno.test("a counted SIMD loop still stops for fuel, and for a passed epoch deadline at its header", () => {
  // runSimd runs such loops by itself; metering ops are not among its ops, so it hands back
  const wat = `(module (memory 1)
    (func (export "f") (result i32)
      (local $i i32) (local $acc v128)
      (loop $l
        (local.set $acc (i32x4.add (local.get $acc) (v128.load (i32.const 0))))
        (br_if $l (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 1000))))
      (i32x4.extract_lane 0 (local.get $acc))))`;
  const start = (t: TestInstance) => {
    const fn = t.compiled.functions[0];
    return t.vm.callStart(
      t.vm.funcs.findIndex((f) => f?.instance === t.inst && f.entry === fn.entry),
    );
  };
  const fueled = new TestInstance(parseWat(wat), {}, {
    tunables: tunables({ consumeFuel: true }),
  });
  fueled.vm.fuel = 50;
  start(fueled);
  assert.equal(fueled.vm.callRun().kind, "fuel");
  assert.ok(fueled.vm.fuel < 50 && fueled.vm.fuel >= 0, `${fueled.vm.fuel}`);
  fueled.vm.callEnd();
  // with epochs on, the loop's counter $i stands in for the engine's epoch counter: the deadline
  // passes inside the loop, which runSimd runs; it stops at the loop's header, then goes on
  const epochs = new TestInstance(parseWat(wat), {}, {
    tunables: tunables({ epochInterruption: true }),
  });
  new DataView(epochs.inst.memory.buffer).setInt32(0, 3, true);
  const base = start(epochs);
  const vm = epochs.vm;
  vm.epochCounter = vm.i32.subarray(2 * base, 2 * base + 1); // $i is register 0
  vm.epochDeadline = 500;
  const r = vm.callRun();
  assert.equal(r.kind, "epoch");
  assert.equal(vm.i32[2 * base], 500);
  const header = /\n +(\d+): simd_load128/.exec(
    disassembleModule(epochs.compiled),
  )?.[1];
  assert.equal(r.kind === "epoch" ? r.pc : -1, Number(header));
  vm.epochDeadline = Infinity;
  assert.equal(vm.callRun().kind, "return");
  assert.equal(vm.i32[2 * base], 3000);
  vm.callEnd();
});
