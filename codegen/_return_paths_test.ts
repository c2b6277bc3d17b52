/**
 * Tests of the return-path pass (`_return_paths.ts`): tail duplication of a
 * branch to a return, exit moves as one parallel copy, producer retargeting,
 * and that results, fuel and stack maps stay as without the pass.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseWat, translateModule, tunables } from "@capstan/environ";
import { BYTECODE_OPS, Op } from "@capstan/interpreter";
import { compileModule } from "./compile.ts";
import { LABEL } from "./ir.ts";
import { bytecodeOpNames, TestInstance } from "./_test_harness.ts";

/** Export `f` of `wat` called with `args` on native V8, and on Capstan with the pass on and off. */
function threeWays(wat: string, args: number[][]): void {
  const bytes = parseWat(wat);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource));
  const f = native.exports.f as (...a: number[]) => unknown;
  const on = new TestInstance(bytes);
  const off = new TestInstance(bytes, {}, { tunables: tunables({ superInstructions: false }) });
  for (const a of args) {
    const want = f(...a);
    assert.deepEqual(on.call("f", ...a), want, `on ${a}`);
    assert.deepEqual(off.call("f", ...a), want, `off ${a}`);
  }
}

const FIB = `(module (func $fib (export "f") (param i32) (result i32)
  (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
    (then (local.get 0))
    (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
      (call $fib (i32.sub (local.get 0) (i32.const 2))))))))`;

Deno.test("a br to a function's closing moves and return becomes that return; the sum writes r0", () => {
  assert.deepEqual(bytecodeOpNames(FIB), [
    "enter",
    "br_ge_u_i",
    "return",
    "call_add_i",
    "call_add_i",
    "i32_add",
    "return",
  ]);
  threeWays(FIB, [[0], [1], [2], [10], [20]]);
});

Deno.test("exit moves of several results keep their order, and a swap cycle keeps its moves", () => {
  const wat = `(module (func (export "f") (param i32 i32) (result i32 i32 i32) (local i32)
    (local.set 2 (i32.mul (local.get 0) (i32.const 3)))
    (block (result i32 i32 i32)
      (br_if 0 (local.get 1) (local.get 0) (local.get 2) (i32.eqz (local.get 1)))
      (drop (drop (drop)))
      (if (result i32 i32 i32) (i32.gt_s (local.get 0) (local.get 1))
        (then (local.get 2) (local.get 1) (local.get 0))
        (else (local.get 0) (i32.add (local.get 1) (i32.const 1)) (local.get 2)))))
  (func (export "g") (param i32 i32) (result i32 i32)
    (if (result i32 i32) (local.get 0) (then (local.get 1) (local.get 0))
      (else (local.get 0) (local.get 1)))))`;
  const args = [[0, 0], [1, 0], [5, 3], [3, 5], [-7, 2], [2, -7]];
  threeWays(wat, args);
  const bytes = parseWat(wat);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource));
  const on = new TestInstance(bytes);
  for (const a of args) {
    assert.deepEqual(on.call("g", ...a), (native.exports.g as (...a: number[]) => unknown)(...a));
  }
  // the swap (r0, r1) = (r1, r0) is a cycle: its moves stay
  assert.ok(
    bytecodeOpNames(wat, 1).filter((n) => n === "mov").length >= 2,
    bytecodeOpNames(wat, 1).join(),
  );
});

Deno.test("duplicated return tails charge the same fuel as the shared one", () => {
  const run = (superInstructions: boolean, n: number) => {
    const i = new TestInstance(parseWat(FIB), {}, {
      tunables: tunables({ consumeFuel: true, superInstructions }),
    });
    i.vm.fuel = 1_000_000;
    const r = i.call("f", n);
    return [r, i.vm.fuel];
  };
  for (const n of [0, 1, 2, 7, 12]) assert.deepEqual(run(true, n), run(false, n), `fib(${n})`);
  const fueled = bytecodeOpNames(FIB, 0, tunables({ consumeFuel: true }));
  assert.equal(fueled.filter((n) => n === "return" || n === "return_fuel").length, 2, `${fueled}`);
});

Deno.test("stack maps follow their call when return paths shrink the code before it", () => {
  const wat = `(module (func $g (param i32) (result i32) (local.get 0))
    (func (param anyref i32) (result i32)
      (if (result i32) (local.get 1) (then (local.get 1)) (else (i32.const 5)))
      (call $g)
      (if (result i32) (local.get 1) (then (i32.const 1)) (else (i32.const 2)))
      i32.add))`;
  const cm = compileModule(translateModule(parseWat(wat)), tunables(), { keepIr: true });
  const f = cm.functions[1];
  const insts = f.ir!.insts;
  assert.equal(f.ir!.refSlotsAt.size, 1);
  const [[at, slots]] = [...f.ir!.refSlotsAt];
  assert.equal(insts[at].op, Op.call, BYTECODE_OPS[insts[at].op]?.name);
  assert.deepEqual(slots, [0]);
  assert.equal(f.stackMaps.length, 1);
  assert.equal(cm.code[f.stackMaps[0].pc], Op.call);
  assert.ok(
    insts.every((i) =>
      i.op !== LABEL || insts.some((j) => j.operands.includes(i.operands[0] as number) && j !== i)
    ),
  );
});

Deno.test("a br back to a short dispatch head ending in br_table becomes a copy of that head", () => {
  // a tiny switch-in-a-loop machine: op = code[pc]; pc++; switch (op & 3) { ... }
  const wat = `(module (memory 1) (data (i32.const 0) "\\01\\02\\01\\03\\02\\01\\00")
    (func (export "f") (param i32) (result i32) (local $pc i32) (local $op i32)
      (loop $next
        (local.set $op (i32.load8_u (local.get $pc)))
        (local.set $pc (i32.add (local.get $pc) (i32.const 1)))
        (block $halt (block $dbl (block $dec (block $inc
          (br_table $halt $inc $dec $dbl (i32.and (local.get $op) (i32.const 3))))
          (local.set 0 (i32.add (local.get 0) (i32.const 1))) (br $next))
          (local.set 0 (i32.sub (local.get 0) (i32.const 3))) (br $next))
          (local.set 0 (i32.shl (local.get 0) (i32.const 1))) (br $next)))
      (local.get 0)))`;
  const names = bytecodeOpNames(wat);
  assert.equal(names.filter((n) => n === "br_table").length, 4, names.join());
  assert.ok(!names.includes("br"), names.join());
  threeWays(wat, [[0], [1], [-5], [0x7fffffff], [1000]]);
  // with fuel on, every path still pays the same
  const run = (superInstructions: boolean) => {
    const i = new TestInstance(parseWat(wat), {}, {
      tunables: tunables({ consumeFuel: true, superInstructions }),
    });
    i.vm.fuel = 10_000;
    return [i.call("f", 7), i.vm.fuel];
  };
  assert.deepEqual(run(true), run(false));
  // a copy replaces the handlers' `fuel_br` prefixed back edges: the prefix becomes its plain
  // charge, so every iteration still pays its fuel; the VM still checks the epoch
  for (const consumeFuel of [false, true]) {
    const t = tunables({ consumeFuel, epochInterruption: true });
    const metered = bytecodeOpNames(wat, 0, t);
    assert.ok(!metered.some((n) => n.endsWith("_br")), metered.join());
    const i = new TestInstance(parseWat(wat), {}, { tunables: t });
    i.vm.fuel = 10_000;
    i.vm.epochDeadline = 1;
    assert.equal(i.call("f", 7), new TestInstance(parseWat(wat)).call("f", 7));
    i.vm.epochDeadline = 0;
    assert.throws(() => i.call("f", 7), /epoch|interrupt/i);
  }
  // with the instruction counter on, the head's block charge also counted the br: no copy
  const counted = bytecodeOpNames(wat, 0, tunables({ countInstructions: true }));
  assert.equal(counted.filter((n) => n === "br_table").length, 1, counted.join());
});
