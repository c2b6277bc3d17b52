/**
 * Tests of i64 on the JS tier, where it is a pair of int32 halves
 * (`codegen/_js_i64.ts`), against the interpreter: every binary op with both
 * operands variable over edge values (carries across the halves, 2^31, 2^32,
 * 2^63, -1; shift and rotate amounts of 0, 32, 63, 64 and more; products
 * that overflow; division by -1 and 0), i64 values crossing calls between
 * JS-tier functions (parameters, first and further results), globals,
 * memory at every width, `select`, reinterpretation to and from f64, and
 * the wide-arithmetic ops.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, type EngineConfig, Instance, Module, Store, Trap } from "./mod.ts";

/** Edge values: small, around 2^31, 2^32, 2^53 and 2^63, and their negations. */
const EDGES: bigint[] = [
  ...[0n, 1n, 2n, 31n, 32n, 63n, 64n, 65n],
  ...[0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x1ffffffffn, 0x123456789abcdefn],
  ...[0x1fffffffffffffn, 0x20000000000000n, 0x7fffffff00000000n, 9223372036854775807n, 1n << 63n],
].flatMap((x) => [x, BigInt.asIntN(64, -x)]);

const BINARY = "add sub mul and or xor shl shr_s shr_u rotl rotr div_s div_u rem_s rem_u".split(
  " ",
);
const COMPARE = "eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u".split(" ");
const UNARY = "clz ctz popcnt extend8_s extend16_s extend32_s".split(" ");

/** What a call did: its results, or the trap's message. */
function outcome(run: () => unknown[]): string {
  let results: unknown[];
  try {
    results = run();
  } catch (e) {
    if (!(e instanceof Trap)) throw e;
    return `trap ${e.message}`;
  }
  return results.map(String).join(",");
}

function instantiate(config: EngineConfig, wat: string): { instance: Instance; module: Module } {
  const engine = new Engine(config);
  const module = new Module(engine, parseWat(wat));
  return { module, instance: new Instance(new Store(engine, undefined), module, []) };
}

/** Runs every export on both tiers with the given arguments; every function must be on JS. */
function agree(wat: string, argsOf: (name: string) => bigint[][]): void {
  const interp = instantiate({}, wat).instance;
  const { instance: js, module } = instantiate({ strategy: "js" }, wat);
  for (let i = 0; i < module.translation.bodies.length; i++) {
    assert.equal(module.tierOf(i), "js", `function ${i} runs on the JS tier`);
  }
  for (const exp of module.exports()) {
    if (exp.type.kind !== "func") continue;
    for (const args of argsOf(exp.name)) {
      const want = outcome(() => interp.getFunc(exp.name)!.callBits(...args) as unknown[]);
      const got = outcome(() => js.getFunc(exp.name)!.callBits(...args) as unknown[]);
      assert.equal(got, want, `${exp.name}(${args.join(", ")})`);
    }
  }
}

const pairs = EDGES.flatMap((a) => EDGES.map((b) => [a, b]));

Deno.test("i64 binary ops and compares on variable halves agree with the interpreter", () => {
  const fns = [
    ...BINARY.map((op) =>
      `(func (export "${op}") (param i64 i64) (result i64) (i64.${op} (local.get 0) (local.get 1)))`
    ),
    ...COMPARE.map((op) =>
      `(func (export "${op}") (param i64 i64) (result i32) (i64.${op} (local.get 0) (local.get 1)))`
    ),
    ...UNARY.map((op) =>
      `(func (export "${op}") (param i64 i64) (result i64) (i64.${op} (local.get 0)))`
    ),
    `(func (export "eqz") (param i64 i64) (result i32) (i64.eqz (local.get 0)))`,
    // the destination is an operand's register: results written after every read
    `(func (export "in place") (param i64 i64) (result i64)
      (local.set 0 (i64.mul (local.get 0) (local.get 1)))
      (local.set 1 (i64.rotl (local.get 1) (local.get 0)))
      (local.set 0 (i64.sub (local.get 1) (local.get 0)))
      (local.set 1 (i64.shr_s (local.get 0) (local.get 1)))
      (i64.add (local.get 1) (local.get 0)))`,
  ];
  agree(`(module ${fns.join("\n")})`, () => pairs);
});

Deno.test("i64 division traps as the interpreter: by zero, and MIN div_s -1", () => {
  const wat = `(module
    (func (export "div_s") (param i64 i64) (result i64) (i64.div_s (local.get 0) (local.get 1)))
    (func (export "rem_s") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))
    (func (export "div_u") (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1))))`;
  const { instance } = instantiate({ strategy: "js" }, wat);
  const min = -9223372036854775808n;
  assert.throws(() => instance.getFunc("div_s")!.callBits(min, -1n), /integer overflow/);
  assert.throws(() => instance.getFunc("div_s")!.callBits(1n, 0n), /integer divide by zero/);
  assert.throws(() => instance.getFunc("div_u")!.callBits(1n, 0n), /integer divide by zero/);
  assert.deepEqual(instance.getFunc("rem_s")!.callBits(min, -1n), [0n]);
  assert.deepEqual(instance.getFunc("div_u")!.callBits(-1n, 2n), [9223372036854775807n]);
});

Deno.test("i64 values cross calls, results, globals, memory and select on the JS tier", () => {
  const wat = `(module
    (memory 1)
    (global $g (mut i64) (i64.const -3))
    (func $swap (param i64 i64) (result i64 i64 i32) (local.get 1) (local.get 0) (i32.const 7))
    (func $add (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
    (func (export "calls") (param i64 i64) (result i64)
      (call $swap (local.get 0) (local.get 1))
      (drop)
      (call $add))
    (func (export "multi") (param i64 i64) (result i64 i64 i32)
      (call $swap (local.get 0) (local.get 1)))
    (func (export "global") (param i64 i64) (result i64)
      (global.set $g (i64.xor (global.get $g) (local.get 0)))
      (global.get $g))
    (func (export "memory") (param i64 i64) (result i64)
      (i64.store offset=3 (i32.const 0) (local.get 0))
      (i64.store32 offset=16 (i32.const 0) (local.get 1))
      (i64.store16 offset=24 (i32.const 0) (local.get 1))
      (i64.store8 offset=32 (i32.const 0) (local.get 1))
      (i64.add (i64.load offset=3 (i32.const 0))
        (i64.add (i64.load32_s offset=16 (i32.const 0))
          (i64.add (i64.load32_u offset=16 (i32.const 0))
            (i64.add (i64.load16_s offset=24 (i32.const 0))
              (i64.add (i64.load16_u offset=24 (i32.const 0))
                (i64.add (i64.load8_s offset=32 (i32.const 0))
                  (i64.load8_u offset=32 (i32.const 0)))))))))
    (func (export "select") (param i64 i64) (result i64)
      (select (local.get 0) (local.get 1) (i64.lt_u (local.get 0) (local.get 1))))
    (func (export "reinterpret") (param i64 i64) (result i64)
      (i64.reinterpret_f64 (f64.neg (f64.reinterpret_i64 (local.get 0)))))
    (func (export "to f64") (param i64 i64) (result f64)
      (f64.add (f64.convert_i64_s (local.get 0)) (f64.convert_i64_u (local.get 1))))
    (func (export "to f32") (param i64 i64) (result f32)
      (f32.add (f32.convert_i64_s (local.get 0)) (f32.convert_i64_u (local.get 1))))
    (func (export "from f64") (param i64 i64) (result i64)
      (i64.trunc_sat_f64_s (f64.convert_i64_s (local.get 0))))
    (func (export "trunc") (param i64 i64) (result i64)
      (i64.trunc_f64_u (f64.convert_i64_u (local.get 0))))
    (func (export "loop") (param i64 i64) (result i64) (local i64)
      (loop $l
        (local.set 2 (i64.add (i64.mul (local.get 2) (i64.const 0x100000001b3))
          (i64.rotl (local.get 0) (local.get 2))))
        (local.set 1 (i64.sub (local.get 1) (i64.const 1)))
        (br_if $l (i64.gt_s (i64.and (local.get 1) (i64.const 0xff)) (i64.const 0))))
      (local.get 2)))`;
  agree(wat, () => pairs);
});

Deno.test("wide arithmetic runs on the JS tier as on the interpreter", () => {
  const wat = `(module
    (func (export "add128") (param i64 i64) (result i64 i64)
      (i64.add128 (local.get 0) (local.get 1) (local.get 1) (local.get 0)))
    (func (export "sub128") (param i64 i64) (result i64 i64)
      (i64.sub128 (local.get 0) (local.get 1) (local.get 1) (local.get 0)))
    (func (export "mul_wide_s") (param i64 i64) (result i64 i64)
      (i64.mul_wide_s (local.get 0) (local.get 1)))
    (func (export "mul_wide_u") (param i64 i64) (result i64 i64)
      (i64.mul_wide_u (local.get 0) (local.get 1))))`;
  agree(wat, () => pairs);
});

Deno.test("a 64-bit memory runs on the JS tier: bounds exact past 2^32 and 2^53, builtins", () => {
  const wat = `(module (memory i64 1 3)
    (func (export "access") (param i64 i64) (result i64)
      (i64.store (local.get 0) (local.get 1))
      (i64.store16 offset=6 (local.get 0) (local.get 1))
      (i64.add (i64.load32_u offset=2 (local.get 0)) (i64.load8_s offset=7 (local.get 0))))
    (func (export "far offset") (param i64 i64) (result i32)
      (i32.load offset=0x100000000 (local.get 0)))
    (func (export "grow") (param i64 i64) (result i64)
      (i64.add (memory.grow (local.get 0)) (i64.shl (memory.size) (i64.const 32))))
    (func (export "fill") (param i64 i64) (result i64)
      (memory.fill (local.get 0) (i32.const 7) (local.get 1))
      (memory.copy (local.get 1) (local.get 0) (i64.const 3))
      (i64.load (i64.const 0))))`;
  const addresses = [0n, 8n, 65527n, 65528n, 65529n, 65536n, 0xffffffffn, 0x100000000n];
  const far = [1n << 53n, (1n << 53n) - 1n, (1n << 53n) + 1n, -1n, -8n, 1n << 63n];
  const args = [...addresses, ...far].flatMap((a) => [[a, 0x1122334455667788n], [a, 5n], [a, 0n]]);
  agree(wat, () => args);
});

for (
  const [what, length, form] of [
    // long enough that its traps leave through one exit (`codegen/js_backend.ts`)
    ["through its one trap exit", 200, /TR: \{[^]*break TR;/],
    // long enough to be split into parts (`codegen/_js_split.ts`)
    ["in one of its parts", 1500, /const P1 = \(J\) => \{[^]*throw C\.(?:trap|leafTrap)\(/],
  ] as const
) {
  Deno.test(`a large i64 function traps ${what} as the interpreter does`, async () => {
    const { trapOf } = await import("./_trap_test_util.ts");
    const rounds = Array.from(
      { length },
      (_, k) =>
        `(local.set 1 (i64.add (i64.rotl (i64.xor (local.get 1)
      (i64.load offset=${(k * 8) % 4096} (local.get 0))) (i64.const ${k % 63}))
      (i64.div_u (local.get 1) (local.get 2))))`,
    ).join("\n");
    const wat = `(module (memory 1)
    (func (export "big") (param i32 i64 i64) (result i64) (local i64)
      ${rounds}
      (local.get 1)))`;
    const interp = instantiate({}, wat).instance;
    const { instance: js, module } = instantiate({ strategy: "js" }, wat);
    assert.equal(module.tierOf(0), "js");
    const { compileJsModule } = await import("@capstan/codegen");
    assert.match(compileJsModule(module.translation).source, form);
    const args: [number, bigint, bigint][] = [[0, 5n, 3n], [65536 - 4100, 1n, 7n], [
      65536 - 8,
      2n,
      9n,
    ], [
      0,
      1n,
      0n,
    ]];
    for (const a of args) {
      const want = outcome(() => interp.getFunc("big")!.call(...a) as unknown[]);
      assert.equal(outcome(() => js.getFunc("big")!.call(...a) as unknown[]), want, `${a}`);
    }
    const want = trapOf(() => interp.getFunc("big")!.call(65536 - 8, 2n, 9n));
    const got = trapOf(() => js.getFunc("big")!.call(65536 - 8, 2n, 9n));
    assert.equal(got.code, want.code);
    assert.deepEqual(got.backtrace, want.backtrace);
  });
}
