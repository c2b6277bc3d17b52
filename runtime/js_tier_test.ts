/**
 * Tests of the JS tier (`Engine({ strategy: "js" })`) against the
 * interpreter: op semantics at the edges (i64 overflow, division traps, float
 * conversions, NaN payloads, memory bounds at the last byte; i64 with
 * constant operands, shifts past 32 and 64, conversions), calls across
 * tiers, traps and backtraces, the stack limit, fuel and epochs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, type EngineConfig, Func, Instance, Module, Store, Trap } from "./mod.ts";
import { trapOf } from "./_trap_test_util.ts";
import { EDGE_F32_BITS, EDGE_F64_BITS } from "./_test_util.ts";

const OPS = `(module
  (memory 1)
  (func (export "i64.add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "i64.mul") (param i64 i64) (result i64) (i64.mul (local.get 0) (local.get 1)))
  (func (export "i64.div_s") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
  (func (export "i64.div_u") (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1)))
  (func (export "i64.rem_s") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "i64.rotr") (param i64 i64) (result i64) (i64.rotr (local.get 0) (local.get 1)))
  (func (export "i64.shr_u") (param i64 i64) (result i64) (i64.shr_u (local.get 0) (local.get 1)))
  (func (export "i64.lt_u") (param i64 i64) (result i32) (i64.lt_u (local.get 0) (local.get 1)))
  (func (export "i64.clz") (param i64) (result i64) (i64.clz (local.get 0)))
  (func (export "i64.ctz") (param i64) (result i64) (i64.ctz (local.get 0)))
  (func (export "i64.popcnt") (param i64) (result i64) (i64.popcnt (local.get 0)))
  (func (export "i32.div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "i32.rem_u") (param i32 i32) (result i32) (i32.rem_u (local.get 0) (local.get 1)))
  (func (export "i32.rotl") (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))
  (func (export "i32.wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
  (func (export "i32.trunc_f64_u") (param f64) (result i32) (i32.trunc_f64_u (local.get 0)))
  (func (export "i64.trunc_f32_s") (param f32) (result i64) (i64.trunc_f32_s (local.get 0)))
  (func (export "i64.trunc_sat_f64_u") (param f64) (result i64)
    (i64.trunc_sat_f64_u (local.get 0)))
  (func (export "f32.convert_i64_u") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
  (func (export "f64.convert_i64_u") (param i64) (result f64) (f64.convert_i64_u (local.get 0)))
  (func (export "f32.add") (param f32 f32) (result f32) (f32.add (local.get 0) (local.get 1)))
  (func (export "f32.neg") (param f32) (result f32) (f32.neg (local.get 0)))
  (func (export "f64.abs") (param f64) (result f64) (f64.abs (local.get 0)))
  (func (export "f64.copysign") (param f64 f64) (result f64)
    (f64.copysign (local.get 0) (local.get 1)))
  (func (export "f64.min") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
  (func (export "f32.nearest") (param f32) (result f32) (f32.nearest (local.get 0)))
  (func (export "f64.promote") (param f32) (result f64) (f64.promote_f32 (local.get 0)))
  (func (export "f32.demote") (param f64) (result f32) (f32.demote_f64 (local.get 0)))
  (func (export "f32.reinterpret") (param i32) (result f32) (f32.reinterpret_i32 (local.get 0)))
  (func (export "i64.reinterpret") (param f64) (result i64) (i64.reinterpret_f64 (local.get 0)))
  (func (export "f32.roundtrip") (param i32) (result i32)
    (f32.store (i32.const 8) (f32.reinterpret_i32 (local.get 0)))
    (i32.reinterpret_f32 (f32.load (i32.const 8))))
  (func (export "f64.roundtrip") (param i64) (result i64)
    (f64.store (i32.const 8) (f64.reinterpret_i64 (local.get 0)))
    (i64.reinterpret_f64 (f64.load (i32.const 8))))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load64") (param i32) (result i64) (i64.load (local.get 0)))
  (func (export "store32") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)`;

type Bits = number | bigint;
const I64S: bigint[] = [0n, 1n, -1n, -9223372036854775808n, 9223372036854775807n, 0x1234n, 64n];
const I32S = [0, 1, -1, -2147483648, 2147483647, 31, 32];
const F32S = [...EDGE_F32_BITS];
const F64S: bigint[] = [...EDGE_F64_BITS, 0x41efffffffe00000n];

function values(t: number): Bits[] {
  return t === 0x7e ? I64S : t === 0x7f ? I32S : t === 0x7d ? F32S : F64S;
}

function outcome(run: () => Bits[]): string {
  try {
    return run().map(String).join(",");
  } catch (e) {
    if (e instanceof Trap) return `trap ${e.message}`;
    throw e;
  }
}

function instantiate(
  config: EngineConfig,
  wat: string,
  imports: (s: Store<unknown>) => Func[] = () => [],
) {
  const engine = new Engine(config);
  const module = new Module(engine, parseWat(wat));
  const store = new Store(engine, undefined);
  return { module, store, instance: new Instance(store, module, imports(store)) };
}

Deno.test("the JS tier runs every op like the interpreter, bit for bit, at the edges", () => {
  const interp = instantiate({}, OPS).instance;
  const { instance: js, module } = instantiate({ strategy: "js" }, OPS);
  for (const exp of module.exports()) {
    if (exp.type.kind !== "func") continue;
    const params = exp.type.type.params;
    const combos: Bits[][] = params.length === 0
      ? [[]]
      : params.length === 1
      ? values(params[0]).map((v) => [v])
      : values(params[0]).flatMap((a) => values(params[1]).map((b) => [a, b]));
    for (const args of combos) {
      const want = outcome(() => interp.getFunc(exp.name)!.callBits(...args) as Bits[]);
      const got = outcome(() => js.getFunc(exp.name)!.callBits(...args) as Bits[]);
      assert.equal(got, want, `${exp.name}(${args.join(", ")})`);
    }
  }
  for (let i = 0; i < module.translation.bodies.length; i++) {
    assert.equal(module.tierOf(i), "js", `function ${i} runs on the JS tier`);
  }
});

Deno.test("memory accesses trap at the last byte, and after memory.grow see the new size", () => {
  const { instance } = instantiate({ strategy: "js" }, OPS);
  const load8 = instance.getFunc("load8")!;
  assert.deepEqual(load8.call(65535), [0]);
  assert.throws(() => load8.call(65536), /out of bounds memory access/);
  assert.throws(() => instance.getFunc("load64")!.call(65529), /out of bounds memory access/);
  assert.deepEqual(instance.getFunc("grow")!.call(1), [1]);
  assert.deepEqual(load8.call(131071), [0]);
});

const CALLS = `(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (import "env" "boom" (func $boom))
  (type $v (func (param i32) (result i32)))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $via_atomic $inc)
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  ;; an atomic access: this function runs on the interpreter
  (func $via_atomic (param i32) (result i32)
    (i32.add (i32.atomic.load (i32.const 0)) (call $inc (local.get 0))))
  (func (export "mix") (param i32) (result i32)
    (call $twice (call_indirect (type $v) (local.get 0) (i32.const 0))))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $v) (local.get 0) (local.get 1)))
  (func (export "pair") (param i64 f64) (result f64 i64) (local.get 1) (local.get 0))
  (func (export "swap") (param i64 f64) (result i64 f64)
    (call $pair_rev (local.get 0) (local.get 1)))
  (func $pair_rev (param i64 f64) (result i64 f64) (local.get 0) (local.get 1))
  (func $div (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func (export "calls_div") (param i32) (result i32) (call $div (local.get 0)))
  (func (export "via_host") (call $boom))
  (func $deep (export "deep") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
  (func (export "spin") (param i32) (result i32) (local i32)
    (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 3)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
)`;

function callsModule(config: EngineConfig) {
  return instantiate(config, CALLS, (store) => [
    Func.wrap(store, { params: ["i32"], results: ["i32"] }, (x) => 2 * (x as number)),
    Func.wrap(store, { params: [], results: [] }, () => {
      instance().getFunc("calls_div")!.call(0);
    }),
  ]);
  function instance(): Instance {
    return made.instance;
  }
}
let made: ReturnType<typeof instantiate>;

Deno.test("calls cross tiers: JS to host, to the interpreter and back, multiple results", () => {
  made = callsModule({ strategy: "js" });
  const { instance, module } = made;
  assert.match(module.tierOf(3), /^interpreter: /, "the function with an atomic access is routed");
  assert.equal(module.tierOf(4), "js");
  assert.deepEqual(instance.getFunc("mix")!.call(5), [12]);
  assert.deepEqual(instance.getFunc("indirect")!.call(7, 1), [8]);
  assert.throws(() => instance.getFunc("indirect")!.call(7, 2), /undefined element/);
  assert.deepEqual(instance.getFunc("pair")!.call(-3n, 2.5), [2.5, -3n]);
  assert.deepEqual(instance.getFunc("swap")!.call(-3n, 2.5), [-3n, 2.5]);
});

Deno.test("traps on the JS tier have the interpreter's code, message and backtrace", () => {
  made = callsModule({});
  const interp = made.instance;
  const want = trapOf(() => interp.getFunc("calls_div")!.call(0));
  const wantHost = trapOf(() => interp.getFunc("via_host")!.call());
  made = callsModule({ strategy: "js" });
  const js = made.instance;
  const got = trapOf(() => js.getFunc("calls_div")!.call(0));
  assert.equal(got.code, want.code);
  assert.equal(got.message, want.message);
  assert.deepEqual(got.backtrace, want.backtrace);
  const gotHost = trapOf(() => js.getFunc("via_host")!.call());
  assert.deepEqual(gotHost.backtrace, wantHost.backtrace, "frames on both sides of the host call");
  assert.deepEqual(js.getFunc("mix")!.call(1), [4], "the store is usable after a trap");
});

Deno.test("deep recursion traps call stack exhausted at the limit, never a RangeError", () => {
  for (const maxWasmStack of [64 * 1024, 512 * 1024, 4 * 1024 * 1024]) {
    made = callsModule({ strategy: "js", maxWasmStack });
    const deep = made.instance.getFunc("deep")!;
    assert.deepEqual(deep.call(300), [300]);
    const t = trapOf(() => deep.call(10_000_000));
    assert.match(t.message, /call stack exhausted/);
    assert.deepEqual(deep.call(10), [10], "usable after");
  }
  // deeper than the JS stack allows: the interpreter takes over past the JS budget
  made = callsModule({ strategy: "js", maxWasmStack: 16 * 1024 * 1024 });
  assert.deepEqual(made.instance.getFunc("deep")!.call(100_000), [100_000]);
});

Deno.test("fuel: a completed run consumes what the interpreter consumes; running out traps", () => {
  const left = (config: EngineConfig) => {
    made = callsModule({ ...config, consumeFuel: true });
    made.store.setFuel(1_000_000);
    made.instance.getFunc("spin")!.call(1000);
    made.instance.getFunc("mix")!.call(3);
    return made.store.getFuel();
  };
  assert.equal(left({ strategy: "js" }), left({}));
  made = callsModule({ strategy: "js", consumeFuel: true });
  made.store.setFuel(500);
  assert.throws(() => made.instance.getFunc("spin")!.call(1000), /all fuel consumed/);
});

Deno.test("epochs: a passed deadline interrupts a loop on the JS tier", () => {
  made = callsModule({ strategy: "js", epochInterruption: true });
  made.store.setEpochDeadline(1);
  assert.deepEqual(made.instance.getFunc("spin")!.call(10), [30]);
  made.store.engine.incrementEpoch();
  const t = trapOf(() => made.instance.getFunc("spin")!.call(1_000_000));
  assert.match(t.message, /interrupt/);
});

Deno.test("an async call runs on the interpreter, awaiting its host Promise", async () => {
  const wat = `(module (import "env" "later" (func $later (param i32) (result i32)))
    (func (export "f") (param i32) (result i32) (i32.add (call $later (local.get 0)) (i32.const 1))))`;
  const { instance } = instantiate({ strategy: "js" }, wat, (store) => [
    Func.wrap(
      store,
      { params: ["i32"], results: ["i32"] },
      (x) => Promise.resolve(2 * (x as number)),
    ),
  ]);
  const f = instance.getFunc("f")!;
  assert.deepEqual(await f.callAsync(20), [41]);
  assert.throws(() => f.call(20), /use Func.callAsync/, "a synchronous call on the JS tier");
});

Deno.test("deterministic mode canonicalises NaNs on the JS tier as on the interpreter", () => {
  const wat = `(module
    (func (export "f64") (param f64) (result f64) (f64.add (local.get 0) (f64.const 1)))
    (func (export "f32") (param f32) (result f32) (f32.mul (local.get 0) (f32.const 2))))`;
  const vm = instantiate({ nanCanonicalization: true }, wat).instance;
  const js = instantiate({ strategy: "js", nanCanonicalization: true }, wat).instance;
  for (const [name, arg] of [["f64", 0x7ff4000000000abcn], ["f32", 0xffa0abcd | 0]] as const) {
    const want = vm.getFunc(name)!.callBits(arg);
    assert.deepEqual(js.getFunc(name)!.callBits(arg), want, name);
  }
  assert.deepEqual(js.getFunc("f64")!.callBits(0x7ff4000000000abcn), [0x7ff8000000000000n]);
});

Deno.test("typed functions enter the JS tier too", () => {
  made = callsModule({ strategy: "js" });
  const mix = made.instance.getFunc("mix")!.typed<[number], number>();
  assert.equal(mix(5), 12);
});

Deno.test("memories on the JS tier: several, a 64-bit one; a shared one on the interpreter, recorded", () => {
  const engine = new Engine({ strategy: "js" });
  for (
    const [wat, tier] of [
      [
        `(module (memory 1) (memory 1) (func (export "f") (result i32) (i32.load 1 (i32.const 0))))`,
        /^js$/,
      ],
      [`(module (memory i64 1) (func (export "f") (result i32) (i32.load (i64.const 0))))`, /^js$/],
      [
        `(module (memory 1 1 shared) (func (export "f") (result i32) (i32.load (i32.const 0))))`,
        /^interpreter: custom page sizes, a shared memory/,
      ],
      [
        `(module (memory i64 1) (memory 1) (func (export "f") (result i32) (i32.load (i64.const 0))))`,
        /^interpreter: custom page sizes, a shared memory, or a 64-bit memory beside others/,
      ],
    ] as const
  ) {
    const module = new Module(engine, parseWat(wat));
    assert.match(module.tierOf(0), tier);
    const instance = new Instance(new Store(engine, null), module, []);
    assert.deepEqual(instance.getFunc("f")!.call(), [0]);
  }
});

// i64 at the edges the code generator treats specially: constant operands (a
// constant shift or rotate amount is folded, `& 63` included, into the literal
// V8 lowers to a machine shift), amounts of 0, 32 and at or past 64, carries
// across the 32-bit halves, the high bits of products, division and remainder
// signs, and the i32 <-> i64 conversions (through memory for a local).
const EDGES: bigint[] = [
  0n,
  1n,
  -1n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  -0x80000000n,
  -0x80000001n,
  0x123456789abcdefn,
  -0x123456789abcdefn,
  9223372036854775807n,
  -9223372036854775808n,
];
const AMOUNTS = [0, 1, 7, 31, 32, 33, 63, 64, 65, 127, -1, -32, -64];
const CONSTANTS = [0n, 1n, -1n, 3n, -7n, 0xffffffffn, 0x100000000n, -9223372036854775808n];

/** One function per op and constant, the constant on either side; and the conversions. */
function i64Module(): { wat: string; unary: string[]; i32: string[] } {
  const fns: string[] = [];
  const unary: string[] = [];
  const i32: string[] = [];
  const add = (name: string, body: string, into: string[] = unary) => {
    into.push(name);
    fns.push(`(func (export "${name}") (param i64) (result i64) ${body})`);
  };
  for (const op of ["shl", "shr_s", "shr_u", "rotl", "rotr"]) {
    for (const k of AMOUNTS) add(`${op} ${k}`, `(i64.${op} (local.get 0) (i64.const ${k}))`);
  }
  const binary = ["add", "sub", "mul", "and", "or", "xor", "div_s", "div_u", "rem_s", "rem_u"];
  for (const op of [...binary, "shl", "shr_s", "shr_u", "rotl", "rotr"]) {
    for (const c of CONSTANTS) {
      add(`${op} x ${c}`, `(i64.${op} (local.get 0) (i64.const ${c}))`);
      add(`${op} ${c} x`, `(i64.${op} (i64.const ${c}) (local.get 0))`);
    }
  }
  // an i64 wrapped to i32 and extended back, and an i32 constant extended
  add("wrap extend_s", `(i64.extend_i32_s (i32.wrap_i64 (local.get 0)))`);
  add("wrap extend_u", `(i64.extend_i32_u (i32.wrap_i64 (local.get 0)))`);
  add("wrap+1 extend_s", `(i64.extend_i32_s (i32.add (i32.wrap_i64 (local.get 0)) (i32.const 1)))`);
  add("wrap+1 extend_u", `(i64.extend_i32_u (i32.add (i32.wrap_i64 (local.get 0)) (i32.const 1)))`);
  for (const c of [0, 1, -1, -2147483648, 2147483647]) {
    add(`const extend_s ${c}`, `(i64.add (local.get 0) (i64.extend_i32_s (i32.const ${c})))`);
    add(`const extend_u ${c}`, `(i64.add (local.get 0) (i64.extend_i32_u (i32.const ${c})))`);
  }
  for (const op of ["lt_u", "gt_u", "le_u", "ge_u", "lt_s", "ge_s", "eq"]) {
    for (const c of CONSTANTS) {
      for (
        const [name, args] of [[`${op} x ${c}`, `(local.get 0) (i64.const ${c})`], [
          `${op} ${c} x`,
          `(i64.const ${c}) (local.get 0)`,
        ]]
      ) {
        i32.push(name);
        fns.push(`(func (export "${name}") (param i64) (result i32) (i64.${op} ${args}))`);
      }
    }
  }
  for (const c of [0, 1, 32, 63, 64]) {
    i32.push(`wrap shl ${c}`);
    fns.push(`(func (export "wrap shl ${c}") (param i64) (result i32)
      (i32.wrap_i64 (i64.shl (local.get 0) (i64.const ${c}))))`);
  }
  return { wat: `(module ${fns.join("\n")})`, unary, i32 };
}

Deno.test("i64 on the JS tier: constant operands, shifts past 32 and 64, carries, signs, conversions", () => {
  const { wat, unary, i32 } = i64Module();
  const interp = instantiate({}, wat).instance;
  const { instance: js, module: m } = instantiate({ strategy: "js" }, wat);
  for (const name of [...unary, ...i32]) {
    for (const x of EDGES) {
      const want = outcome(() => interp.getFunc(name)!.callBits(x));
      const got = outcome(() => js.getFunc(name)!.callBits(x));
      assert.equal(got, want, `${name} (x = ${x})`);
    }
  }
  for (let i = 0; i < m.translation.bodies.length; i++) {
    assert.equal(m.tierOf(i), "js", `function ${i} runs on the JS tier`);
  }
});

Deno.test("after a call that grows memory, the caller's accesses see the new size", () => {
  const wat = `(module (memory 1)
    (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func $grow (result i32) (memory.grow (i32.const 1)))
    (func $calls_grow (result i32) (call $grow))
    (func (export "f") (result i32)
      (drop (call $leaf (i32.load (i32.const 0))))
      (drop (call $calls_grow))
      (i32.store (i32.const 131068) (i32.const 7))
      (i32.load (i32.const 131068))))`;
  const { instance } = instantiate({ strategy: "js" }, wat);
  assert.deepEqual(instance.getFunc("f")!.call(), [7]);
  assert.deepEqual(instance.getFunc("f")!.call(), [7]);
});
