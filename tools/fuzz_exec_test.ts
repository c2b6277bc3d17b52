/**
 * The execution fuzzer's test: 2,000 seeded random programs agree on the
 * interpreter, the JS tier and native WebAssembly (results, traps, memory,
 * globals, and fuel between the tiers); the generator's programs are
 * valid and exercise what they claim; and V8's trap messages map to the
 * spec's messages that Capstan reports for the same traps.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine, Instance, Module, Store, Trap } from "@capstan/runtime";
import { agrees, formatSummary, fuzzExec } from "./fuzz_exec.ts";
import { genExec, Rng } from "./exec_programs.ts";

Deno.test("2,000 random programs agree on the interpreter, the JS tier, the auto strategy and native", async () => {
  const s = await fuzzExec({ seed: 1, count: 2000, fuelEvery: 4 });
  const first = s.disagreements[0];
  assert.equal(
    s.disagreements.length,
    0,
    first && `seed ${first.seed}: ${first.detail}\n${first.wat}`,
  );
  assert.equal(s.programs, 2000);
  assert.equal(s.calls, 2000 * 5);
  // the programs do both: return and trap, with every kind of trap they can reach
  assert.ok(s.returned > s.calls / 4, formatSummary(s));
  for (
    const m of [
      "out of bounds memory access",
      "integer divide by zero",
      "integer overflow",
      "invalid conversion to integer",
      "indirect call type mismatch",
      "uninitialized element",
      "undefined element",
      "unreachable",
    ]
  ) {
    assert.ok((s.traps.get(m) ?? 0) > 0, `no "${m}" trap in ${formatSummary(s)}`);
  }
  assert.ok(s.fuelCompared > 500, formatSummary(s));
  // most programs run wholly on the JS tier (the rest are routed by design)
  assert.ok(s.routed < s.programs / 2, formatSummary(s));
});

Deno.test("the generator's programs are valid and use what the fuzzer claims to check", () => {
  const ops = new Set<string>();
  for (let seed = 1; seed <= 200; seed++) {
    const wat = genExec(new Rng(seed), seed % 2 === 1);
    assert.ok(WebAssembly.validate(parseWat(wat) as BufferSource), `seed ${seed}\n${wat}`);
    for (const m of wat.matchAll(/\(([a-z0-9_]+\.[a-z0-9_]+|call_indirect|br_table)\b/g)) {
      ops.add(m[1]);
    }
  }
  for (
    const op of [
      "call_indirect",
      "br_table",
      "memory.grow",
      "memory.fill",
      "memory.copy",
      "f64.copysign",
      "f32.reinterpret_i32",
      "i64.trunc_f64_u",
      "i32.rem_s",
      "i64.store8",
      "v128.load8x8_s",
      "v128.store16_lane",
      "i8x16.shuffle",
      "i8x16.swizzle",
      "i32x4.dot_i16x8_s",
      "i16x8.narrow_i32x4_s",
      "f32x4.demote_f64x2_zero",
      "i64x2.extract_lane",
      "i8x16.bitmask",
    ]
  ) {
    assert.ok(ops.has(op), op);
  }
});

Deno.test("V8's trap messages map to the spec's messages Capstan reports", () => {
  const cases: [string, string][] = [
    ["(i32.div_s (i32.const 1) (i32.const 0))", "integer divide by zero"],
    ["(i32.rem_u (i32.const 1) (i32.const 0))", "integer divide by zero"],
    ["(i32.div_s (i32.const 0x80000000) (i32.const -1))", "integer overflow"],
    ["(i32.trunc_f32_s (f32.const nan))", "invalid conversion to integer"],
    ["(i32.trunc_f64_u (f64.const -5))", "integer overflow"],
    ["(i32.load (i32.const 65535))", "out of bounds memory access"],
    ["(call_indirect (type $t) (i32.const 1))", "uninitialized element"],
    ["(call_indirect (type $t) (i32.const 9))", "undefined element"],
    ["(call_indirect (type $u) (i32.const 0)) (drop) (i32.const 0)", "indirect call type mismatch"],
    ["(unreachable)", "unreachable"],
  ];
  const engine = new Engine();
  for (const [body, spec] of cases) {
    const bytes = parseWat(`(module (type $t (func (result i32))) (type $u (func (result i64)))
      (memory 1) (table 2 funcref) (elem (i32.const 0) $k) (func $k (result i32) (i32.const 0))
      (func (export "f") (result i32) ${body}))`);
    const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource));
    let v8Message = "";
    try {
      (native.exports.f as () => number)();
    } catch (e) {
      v8Message = (e as Error).message;
    }
    const inst = new Instance(new Store(engine, undefined), new Module(engine, bytes), []);
    let capstan = "";
    try {
      inst.getFunc("f")!.call();
    } catch (e) {
      assert.ok(e instanceof Trap, String(e));
      capstan = e.message;
    }
    assert.equal(capstan, spec, body);
    assert.ok(agrees(v8Message, capstan), `V8 "${v8Message}" vs "${capstan}" (${body})`);
    assert.ok(!agrees(v8Message, "unreachable") || spec === "unreachable", body);
  }
});

Deno.test("fuzz:exec seed 5000580: the auto strategy with fuel consumes the interpreter's fuel", async () => {
  const s = await fuzzExec({ seed: 5000580, count: 1, fuelEvery: 1 });
  assert.deepEqual(s.disagreements.map((d) => d.detail), []);
  assert.ok(s.fuelCompared > 0);
});
