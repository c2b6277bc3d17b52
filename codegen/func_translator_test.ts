/**
 * Tests of the wasm→IR translation and lowering: register allocation of locals, fusions,
 * immediate forms, tunables, address map, stack maps, and programs whose stack shapes are tricky.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseWat, translateModule, TrapCode, tunables } from "@capstan/environ";
import { BYTECODE_OPS, bytecodeOpByName, decodeInstruction } from "@capstan/interpreter";
import { compileModule } from "./compile.ts";
import { LABEL } from "./ir.ts";
import { bytecodeOpNames, TestInstance, TestTrap } from "./_test_harness.ts";

/** The op names of function 0's bytecode. */
/** Whether an op name is a fuel charge: `fuel` or a fused `fuel_<br>` prefix. */
function isCharge(name: string): boolean {
  return name === "fuel" || name.startsWith("fuel_");
}

function opNames(wat: string, t = tunables()): string[] {
  return bytecodeOpNames(wat, 0, t);
}

Deno.test("local.get/op/local.set becomes one register-to-register op", () => {
  const wat = `(module (func (param i32 i32) (local i32)
    local.get 0 local.get 1 i32.add local.set 2))`;
  const cm = compileModule(translateModule(parseWat(wat)), tunables(), { keepIr: true });
  const ir = cm.functions[0].ir!;
  const ops = ir.insts.filter((i) => i.op !== LABEL).map((i) => BYTECODE_OPS[i.op].name);
  assert.deepEqual(ops, ["enter", "i32_add", "return"]);
  const add = ir.insts.find((i) => i.op >= 0 && BYTECODE_OPS[i.op].name === "i32_add")!;
  assert.deepEqual(add.operands, [2, 0, 1]);
});

Deno.test("compare + br_if fuses into one compare-and-branch with an immediate", () => {
  const names = opNames(`(module (func (param i32)
    (loop (br_if 0 (i32.lt_s (local.get 0) (i32.const 10))))))`);
  assert.ok(names.includes("br_lt_s_i"), names.join());
  assert.ok(!names.includes("i32_lt_s_i") && !names.includes("i32_lt_s"), names.join());
});

Deno.test("an if on a compare branches on the negated compare", () => {
  const names = opNames(`(module (func (param i32) (result i32)
    (if (result i32) (i32.eq (local.get 0) (i32.const 3)) (then (i32.const 1)) (else (i32.const 2)))))`);
  assert.ok(names.includes("br_ne_i"), names.join());
});

Deno.test("super-instructions can be turned off", () => {
  const names = opNames(
    `(module (func (param i32) (loop (br_if 0 (i32.lt_s (local.get 0) (i32.const 10))))))`,
    tunables({ superInstructions: false }),
  );
  assert.ok(names.includes("i32_lt_s") && names.includes("br_if"), names.join());
});

Deno.test("a value read from a local before local.set keeps the old value", () => {
  const i = new TestInstance(parseWat(`(module (func (export "f") (param i32) (result i32)
    local.get 0 i32.const 7 local.set 0 local.get 0 i32.add
    local.get 0 local.get 0 i32.const 2 i32.add local.set 0 local.get 0 i32.add
    i32.add))`));
  assert.equal(i.call("f", 5), 5 + 7 + (7 + 9));
});

Deno.test("multi-value blocks, params, br with values and br_table", () => {
  const i = new TestInstance(parseWat(`(module
    (func $swap (param i32 i32) (result i32 i32) local.get 1 local.get 0)
    (func (export "f") (param i32) (result i32)
      (block (result i32 i32) (i32.const 10) (i32.const 3) (call $swap))
      i32.sub
      (block (param i32) (result i32)
        (block (param i32) (result i32) (local.get 0) (br_table 0 1 1))
        (i32.add (i32.const 100)))
    ))`));
  assert.equal(i.call("f", 0), -7 + 100);
  assert.equal(i.call("f", 1), -7);
  assert.equal(i.call("f", 9), -7);
});

Deno.test("fuel and instruction-count tunables emit their ops; none by default, nor for epochs", () => {
  const wat = `(module (func (export "f") (param i32) (result i32)
    (loop (local.set 0 (i32.sub (local.get 0) (i32.const 1))) (br_if 0 (local.get 0)))
    (local.get 0)))`;
  assert.ok(!opNames(wat).some((n) => n === "fuel" || n === "icount" || n === "epoch"));
  assert.ok(opNames(wat, tunables({ consumeFuel: true })).some(isCharge));
  // epochs are checked by the VM at taken branches and calls: the code is the plain code
  assert.deepEqual(opNames(wat, tunables({ epochInterruption: true })), opNames(wat));
  const counted = new TestInstance(parseWat(wat), {}, {
    tunables: tunables({ countInstructions: true }),
  });
  counted.call("f", 100);
  // the loop body is one fused br_inc_ne_i: at least one instruction per iteration
  assert.ok(counted.vm.instructions >= 100, `${counted.vm.instructions}`);
  const fueled = new TestInstance(parseWat(wat), {}, { tunables: tunables({ consumeFuel: true }) });
  fueled.vm.fuel = 50;
  const base = fueled.vm.callStart(fueled.vm.funcs.length - 1);
  fueled.vm.i32[2 * base] = 1000;
  assert.equal(fueled.vm.callRun().kind, "fuel");
  fueled.vm.callEnd();
});

Deno.test("with fuel on, a compare still fuses into its if/br_if and each path pays its operators", () => {
  const wat = `(module (func (export "f") (param i32) (result i32)
    (local.set 0 (i32.add (local.get 0) (i32.const 0)))
    (block (br_if 0 (i32.eqz (local.get 0))))
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (local.get 0) (i32.const 7))))))`;
  const names = opNames(wat, tunables({ consumeFuel: true }));
  assert.ok(names.includes("br_ge_u_i") && !names.includes("i32_lt_u_i"), names.join());
  assert.ok(!names.includes("i32_eqz"), names.join());
  // the charges before the block and before br_if are one; then the then and else arms,
  // which also pay the if's compare (the join after it moves onto them: no charge at the if)
  assert.equal(names.filter(isCharge).length, 3, names.join());
  assert.ok(!isCharge(names[names.indexOf("br_ge_u_i") - 1]), names.join());
  const inst = new TestInstance(parseWat(wat), {}, { tunables: tunables({ consumeFuel: true }) });
  inst.vm.fuel = 1000;
  // 4 (local.set line) + 3 (br_if line) + 4 (compare, if) + 1 (then) = 12
  assert.equal(inst.call("f", 1), 1);
  assert.equal(inst.vm.fuel, 1000 - 12);
  // else: 4 + 3 + 4 + 3 = 14
  assert.equal(inst.call("f", 5), 12);
  assert.equal(inst.vm.fuel, 1000 - 12 - 14);
  // zero takes the br_if: 4 + 3 + 4 + 1 = 12
  assert.equal(inst.call("f", 0), 0);
  assert.equal(inst.vm.fuel, 1000 - 12 - 14 - 12);
});

Deno.test("with fuel on, a call charges the caller's block and the callee's entry; running out stops at the right op", () => {
  const wat = `(module
    (func $g (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 10)) (else (i32.const 20))))
    (func (export "f") (param i32) (result i32)
      (i32.add (call $g (local.get 0)) (i32.const 100))))`;
  const t = tunables({ consumeFuel: true });
  const cm = compileModule(translateModule(parseWat(wat)), t);
  const names: string[] = [];
  for (let pc = cm.functions[1].entry; pc < cm.functions[1].end;) {
    const ins = decodeInstruction(cm.code, pc);
    names.push(ins.op.name);
    pc += ins.length;
  }
  assert.ok(names.includes("call_fuel"), names.join());
  // the call pays f's charge before it (local.get, call: 2) and g's entry charge (3) at once
  const inst = new TestInstance(parseWat(wat), {}, { tunables: t });
  const vm = inst.vm;
  vm.fuel = 4; // enough for f's 2, not for 2 + g's 3: stops at the call, nothing done
  const base = vm.callStart(vm.funcs.length - 1);
  vm.i32[2 * base] = 0;
  const r = vm.callRun();
  assert.equal(r.kind, "fuel");
  assert.equal(vm.fuel, 4);
  if (r.kind !== "fuel") return;
  assert.equal(decodeInstruction(inst.compiled.code, r.pc).op.name, "call_fuel");
  vm.fuel = 100; // resume: 2 + 3, then's 1, f's 2 after the call
  assert.equal(vm.callRun().kind, "return");
  assert.equal(vm.i32[2 * base], 110);
  assert.equal(vm.fuel, 92);
  vm.callEnd();
  // too little for f's own charge (2): stops at the call itself, nothing done
  vm.fuel = 1;
  const base2 = vm.callStart(vm.funcs.length - 1);
  vm.i32[2 * base2] = 1;
  const r2 = vm.callRun();
  assert.equal(r2.kind, "fuel");
  assert.equal(vm.fuel, 1);
  if (r2.kind !== "fuel") return;
  assert.equal(decodeInstruction(inst.compiled.code, r2.pc).op.name, "call_fuel");
  vm.fuel = 8; // 2 + 3 + 1 (else) + 2
  assert.equal(vm.callRun().kind, "return");
  assert.equal(vm.i32[2 * base2], 120);
  assert.equal(vm.fuel, 0);
  vm.callEnd();
});

Deno.test("with fuel on, a function's last block is charged by its return; running out stops there", () => {
  const wat = `(module (func (export "f") (param i32) (result i32)
    (i32.xor (i32.add (local.get 0) (i32.const 3)) (i32.const 5))))`;
  const t = tunables({ consumeFuel: true });
  const names = opNames(wat, t);
  assert.deepEqual(names.slice(-1), ["return_fuel"]);
  assert.ok(!names.includes("fuel"), names.join());
  const inst = new TestInstance(parseWat(wat), {}, { tunables: t });
  const vm = inst.vm;
  vm.fuel = 4; // the body costs 5: local.get, i32.const, i32.add, i32.const, i32.xor
  const base = vm.callStart(vm.funcs.length - 1);
  vm.i32[2 * base] = 1;
  const r = vm.callRun();
  assert.equal(r.kind, "fuel");
  assert.equal(vm.fuel, 4);
  vm.fuel = 10;
  assert.equal(vm.callRun().kind, "return");
  assert.equal(vm.i32[2 * base], (1 + 3) ^ 5);
  assert.equal(vm.fuel, 5);
  vm.callEnd();
});

Deno.test("the address map leads a trap back to its wasm instruction", () => {
  const bytes = parseWat(`(module (func (export "f") (param i32) (result i32)
    (i32.div_s (i32.const 1) (local.get 0))))`);
  const i = new TestInstance(bytes);
  assert.throws(
    () => i.call("f", 0),
    (e) => e instanceof TestTrap && e.code === TrapCode.IntegerDivisionByZero,
  );
  const cm = i.compiled;
  const f = cm.functions[0];
  const div = f.traps.find((t) => t.code === TrapCode.IntegerDivisionByZero)!;
  assert.ok(div !== undefined);
  assert.equal(cm.funcAt(div.pc)?.funcIndex, 0);
  assert.equal(bytes[cm.wasmOffsetAt(div.pc)], 0x6d); // i32.div_s
});

Deno.test("stack maps record the ref-file registers (GC references) live across calls", () => {
  const cm = compileModule(translateModule(parseWat(`(module
    (func $g)
    (func (param anyref externref) (call $g)))`)));
  const f = cm.functions[1];
  assert.equal(f.stackMaps.length, 1);
  assert.deepEqual(f.stackMaps[0].slots, [0], "the anyref, not the externref's handle");
  assert.equal(f.relocs.filter((r) => r.kind === "func").length, 1);
});

Deno.test("calls to imports go through the vmctx and may call the host", () => {
  const calls: number[] = [];
  const i = new TestInstance(
    parseWat(`(module (import "env" "log" (func $log (param i32) (result i32)))
      (func (export "f") (param i32) (result i32) (i32.mul (call $log (local.get 0)) (i32.const 3))))`),
    { "env.log": (x) => (calls.push(x as number), (x as number) + 1) },
  );
  assert.equal(i.call("f", 4), 15);
  assert.deepEqual(calls, [4]);
});

Deno.test("i64 ops with constant operands use immediate forms and compute the same", () => {
  const wat = `(module (func (export "f") (param i64) (result i64)
    (i64.rotr (i64.mul (i64.xor (i64.sub (i64.shl (local.get 0) (i64.const 13))
      (i64.const 0x123456789)) (i64.const -1)) (i64.const 0x9E3779B97F4A7C15)) (i64.const 7))))`;
  const names = opNames(wat);
  for (const n of ["i64_shl_i", "i64_add_k", "i64_xor_k", "i64_mul_k", "i64_rotl_i"]) {
    assert.ok(names.includes(n), `${n} in ${names}`);
  }
  assert.ok(!names.includes("const64"), names.join());
  const i = new TestInstance(parseWat(wat));
  const ref = (x: bigint) => {
    const m = (v: bigint) => BigInt.asUintN(64, v);
    const v = m(m(m(m(x << 13n) - 0x123456789n) ^ m(-1n)) * 0x9E3779B97F4A7C15n);
    return BigInt.asIntN(64, m((v >> 7n) | (v << 57n)));
  };
  for (const x of [0n, 1n, -1n, 0x7fffffffffffffffn, 12345678901234n]) {
    assert.equal(i.call("f", x), ref(x));
  }
});

Deno.test("nanCanonicalization makes every computed NaN the canonical one", () => {
  const wat = `(module
    (func (export "f32") (param i32) (result i32)
      (i32.reinterpret_f32 (f32.add (f32.reinterpret_i32 (local.get 0)) (f32.const 1))))
    (func (export "f64") (param i64) (result i64)
      (i64.reinterpret_f64 (f64.sqrt (f64.reinterpret_i64 (local.get 0)))))
    (func (export "neg") (param i32) (result i32)
      (i32.reinterpret_f32 (f32.neg (f32.reinterpret_i32 (local.get 0))))))`;
  const det = new TestInstance(parseWat(wat), {}, {
    tunables: tunables({ nanCanonicalization: true }),
  });
  assert.equal(det.call("f32", 0xffc01234 | 0), 0x7fc00000);
  assert.equal(det.call("f64", -1n), 0x7ff8000000000000n);
  assert.equal(det.call("f32", 0x3f800000), 0x40000000); // 1 + 1 = 2
  // sign and bit ops are not arithmetic: their NaN payloads stay
  assert.equal(det.call("neg", 0x7fc01234), 0xffc01234 | 0);
  const plain = new TestInstance(parseWat(wat));
  assert.notEqual(plain.call("f32", 0xffc01234 | 0), 0x7fc00000);
});

Deno.test("a folded address addend never reads a register the stored value overwrote", () => {
  const i = new TestInstance(parseWat(`(module (memory 1)
    (func $f (result i32) (i32.const 100))
    (func (export "f") (result i32)
      (i32.store (i32.add (i32.const 16) (call $f)) (i32.const 5))
      (i32.store8 offset=1 (i32.add (i32.const 3) (call $f)) (i32.const 7))
      (i32.add (i32.load (i32.const 116)) (i32.load8_u (i32.const 104)))))`));
  assert.equal(i.call("f"), 12);
});

Deno.test("constants used in loops are hoisted into registers set once at entry", () => {
  const wat = `(module (memory 1) (func (export "f") (param i32) (result f64) (local f64)
    (loop
      (local.set 1 (f64.add (f64.mul (local.get 1) (f64.const 1.5)) (f64.load (i32.const 64))))
      (f64.store (i32.const 8) (local.get 1))
      (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1)))`;
  const cm = compileModule(translateModule(parseWat(wat)));
  const f = cm.functions[0];
  const ops: string[] = [];
  let loopStart = -1;
  for (let pc = f.entry; pc < f.end;) {
    const ins = decodeInstruction(cm.code, pc);
    if (ins.op.name === "br_if") loopStart = pc + (ins.operands[1] as number);
    if (ins.op.name === "br_inc_ne_i") loopStart = pc + (ins.operands[3] as number);
    ops.push(`${pc}:${ins.op.name}`);
    pc += ins.length;
  }
  const inLoop = ops.filter((o) => Number(o.split(":")[0]) >= loopStart).map((o) =>
    o.split(":")[1]
  );
  assert.ok(!inLoop.includes("const32") && !inLoop.includes("const64"), inLoop.join());
  const i = new TestInstance(parseWat(wat));
  new DataView(i.inst.memory.buffer).setFloat64(64, 0.25, true);
  let x = 0;
  for (let k = 0; k < 5; k++) x = x * 1.5 + 0.25;
  assert.equal(i.call("f", 5), x);
});

Deno.test("f64.mul then f64.add fuse into f64_mul_add that still rounds twice (no FMA)", () => {
  const wat = `(module (func (export "f") (param f64 f64 f64) (result f64)
    (f64.add (local.get 2) (f64.mul (local.get 0) (local.get 1)))))`;
  assert.ok(opNames(wat).includes("f64_mul_add"));
  const i = new TestInstance(parseWat(wat));
  const a = 1 + 2 ** -30;
  const b = 1 - 2 ** -30;
  assert.equal(i.call("f", a, b, -1), 0); // a fused multiply-add would give -2^-60
  assert.equal(i.call("f", 3, 4, 5), 17);
  assert.ok(Number.isNaN(i.call("f", Infinity, 0, 1) as number));
});

Deno.test("zeroing a local that enter already zeroed is dropped, but not after a label", () => {
  const wat = `(module (func (export "f") (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 0))
    (block (br_if 0 (local.get 0)) (local.set 1 (i32.const 5)))
    (local.set 1 (i32.add (local.get 1) (i32.const 1)))
    (local.set 1 (i32.const 0))
    (local.get 1)))`;
  const names = opNames(wat);
  assert.equal(names.filter((n) => n === "const32").length, 2, names.join()); // 5, and the late 0
  const i = new TestInstance(parseWat(wat));
  assert.equal(i.call("f", 0), 0);
  assert.equal(i.call("f", 1), 0);
});

Deno.test("i64.mul by a constant then i64.add fuse into i64_mul_k_add, wrapping at 64 bits", () => {
  const wat = `(module (func (export "f") (param i64 i64) (result i64)
    (i64.add (local.get 1) (i64.mul (local.get 0) (i64.const 0xc2b2ae3d27d4eb4f)))))`;
  assert.ok(opNames(wat).includes("i64_mul_k_add"));
  const i = new TestInstance(parseWat(wat));
  const k = 0xc2b2ae3d27d4eb4fn;
  for (const [a, c] of [[3n, 5n], [-1n, 1n], [0x123456789abcdef0n, -0x7fffffffffffffffn]]) {
    assert.equal(i.call("f", a, c), BigInt.asIntN(64, a * k + c));
  }
});

Deno.test("i64.rotl by a constant then i64.mul by a constant fuse into i64_rotl_mul_k, keeping a teed rotate", () => {
  const k = 0x9e3779b185ebca87n;
  const rotl = (x: bigint, n: bigint) =>
    BigInt.asIntN(64, (x << n) | (BigInt.asUintN(64, x) >> ((64n - n) & 63n)));
  for (const n of [0n, 1n, 31n, 32n, 45n, 63n]) {
    // through a temporary
    const tmp = `(module (func (export "f") (param i64) (result i64)
      (i64.mul (i64.rotl (local.get 0) (i64.const ${n})) (i64.const ${k}))))`;
    assert.ok(opNames(tmp).includes("i64_rotl_mul_k"));
    // through local.tee: the local must still hold the rotate
    const tee = `(module (func (export "f") (param i64) (result i64) (local i64)
      (i64.xor (i64.mul (local.tee 1 (i64.rotl (local.get 0) (i64.const ${n}))) (i64.const ${k}))
        (local.get 1))))`;
    assert.ok(opNames(tee).includes("i64_rotl_mul_k"));
    const a = new TestInstance(parseWat(tmp));
    const b = new TestInstance(parseWat(tee));
    for (const x of [1n, -1n, 0x0123456789abcdefn, -0x7edcba9876543210n]) {
      const r = rotl(x, n);
      assert.equal(a.call("f", x), BigInt.asIntN(64, r * k));
      assert.equal(b.call("f", x), BigInt.asIntN(64, BigInt.asIntN(64, r * k) ^ r));
    }
  }
});

/** rotl of a signed 64-bit value by `n` (0..63), as a signed 64-bit value. */
function rotl64(x: bigint, n: number): bigint {
  const u = BigInt.asUintN(64, x);
  const k = BigInt(n);
  return BigInt.asIntN(64, (u << k) | (u >> ((64n - k) & 63n)));
}

Deno.test("i64.rotl and i64.rotr by every constant amount give the rotated value", () => {
  for (let n = 0; n < 64; n++) {
    const wat = `(module (func (export "l") (param i64) (result i64)
      (i64.rotl (local.get 0) (i64.const ${n})))
      (func (export "r") (param i64) (result i64) (i64.rotr (local.get 0) (i64.const ${n}))))`;
    assert.ok(opNames(wat).includes("i64_rotl_i"), opNames(wat).join());
    const i = new TestInstance(parseWat(wat));
    for (const x of [1n, -1n, 0x0123456789abcdefn, -0x7edcba9876543210n, 0x80000000n]) {
      assert.equal(i.call("l", x), rotl64(x, n), `rotl ${x} ${n}`);
      assert.equal(i.call("r", x), rotl64(x, (64 - n) & 63), `rotr ${x} ${n}`);
    }
  }
});

Deno.test("load, multiply-add, rotate, multiply (a hash round) fuse into one op, trapping as the load", () => {
  const k1 = 0xc2b2ae3d27d4eb4fn;
  const k2 = 0x9e3779b185ebca87n;
  for (let n = 0; n < 64; n++) {
    // acc = rotl(acc + load * k1, n) * k2, the rotate teed to local 2 (xxHash64's round)
    const wat = `(module (memory 1) (func (export "f") (param i32 i64) (result i64) (local i64)
      (local.set 1 (i64.mul
        (local.tee 2 (i64.rotl
          (i64.add (i64.mul (i64.load offset=8 (local.get 0)) (i64.const ${k1})) (local.get 1))
          (i64.const ${n})))
        (i64.const ${k2})))
      (i64.xor (local.get 1) (local.get 2))))`;
    const names = opNames(wat);
    assert.ok(names.includes("load64_mul_k_add_rotl_mul_k"), names.join());
    assert.ok(!names.includes("i64_rotl_mul_k") && !names.includes("load64_mul_k_add"));
    const i = new TestInstance(parseWat(wat));
    const dv = new DataView(i.inst.memory.buffer);
    for (const [x, c] of [[7n, 3n], [-1n, -5n], [0x7fffffffffffffffn, 0x123456789n]]) {
      dv.setBigInt64(24, x, true);
      const t = rotl64(BigInt.asIntN(64, x * k1 + c), n);
      const acc = BigInt.asIntN(64, t * k2);
      assert.equal(i.call("f", 16, c), acc ^ t, `n ${n} x ${x} c ${c}`);
    }
    if (n === 31) {
      assert.throws(
        () => i.call("f", 65536 - 15, 0n),
        (e) => e instanceof TestTrap && e.code === TrapCode.MemoryOutOfBounds,
      );
      const f = i.compiled.functions[0];
      const site = f.traps.find((t) => t.code === TrapCode.MemoryOutOfBounds)!;
      assert.equal(i.compiled.wasmOffsetAt(site.pc) >= 0, true);
      const bytes = parseWat(wat);
      assert.equal(bytes[i.compiled.wasmOffsetAt(site.pc)], 0x29); // i64.load
    }
  }
});

Deno.test("the hash-round fusion leaves the multiply-add alone when a local keeps its value", () => {
  // the sum is teed to local 2, so it must be written: load64_mul_k_add stays separate
  const wat = `(module (memory 1) (func (export "f") (param i32 i64) (result i64) (local i64)
    (i64.xor
      (i64.mul
        (i64.rotl
          (local.tee 2
            (i64.add (i64.mul (i64.load (local.get 0)) (i64.const 0x9e3779b185ebca87)) (local.get 1)))
          (i64.const 31))
        (i64.const 0xc2b2ae3d27d4eb4f))
      (local.get 2))))`;
  const names = opNames(wat);
  assert.ok(!names.includes("load64_mul_k_add_rotl_mul_k"), names.join());
  const i = new TestInstance(parseWat(wat));
  new DataView(i.inst.memory.buffer).setBigInt64(0, 5n, true);
  const sum = BigInt.asIntN(64, 5n * 0x9e3779b185ebca87n + 9n);
  const expect = BigInt.asIntN(64, rotl64(sum, 31) * BigInt.asIntN(64, 0xc2b2ae3d27d4eb4fn)) ^ sum;
  assert.equal(i.call("f", 0, 9n), expect);
});

Deno.test("c[j] += a * b[j] (f64 mul, then a load, then add) becomes store64_madd_m, rounding twice", () => {
  const wat = `(module (memory 1) (func (export "f") (param f64 i32 i32)
    (f64.store (local.get 2)
      (f64.add (f64.mul (local.get 0) (f64.load (local.get 1))) (f64.load (local.get 2))))))`;
  const names = opNames(wat);
  assert.deepEqual(names, ["enter", "store64_madd_m", "return"]);
  // without the store: the load of c moves before the product, which becomes one f64_mul_add
  const noStore = `(module (memory 1) (func (export "f") (param f64 i32 i32) (result f64)
    (f64.add (f64.mul (local.get 0) (f64.load (local.get 1))) (f64.load (local.get 2)))))`;
  assert.deepEqual(opNames(noStore), ["enter", "load64", "load64", "f64_mul_add", "return"]);
  const i = new TestInstance(parseWat(wat));
  const dv = new DataView(i.inst.memory.buffer);
  const a = 1 + 2 ** -30;
  dv.setFloat64(8, 1 - 2 ** -30, true);
  dv.setFloat64(16, -1, true);
  i.call("f", a, 8, 16);
  assert.equal(dv.getFloat64(16, true), 0); // a fused multiply-add would give -2^-60
  dv.setFloat64(16, 5, true);
  dv.setFloat64(8, 4, true);
  i.call("f", 3, 8, 16);
  assert.equal(dv.getFloat64(16, true), 17);
  assert.throws(() => i.call("f", 3, 8, 65536), TestTrap);
  assert.equal(dv.getFloat64(16, true), 17);
});

Deno.test("a loop-closing increment and compare-branch fuse into br_inc_*_i, wrapping at 32 bits", () => {
  // counts iterations of: do { i += step } while (i <cond> limit)
  const loop = (cond: string, tail: string) =>
    `(module (func (export "f") (param i32 i32) (result i32) (local i32)
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.const 1)))
        (local.set 0 (i32.add (local.get 0) (local.get 1)))
        ${
      cond === "if" ? "(br_if $l (local.get 0))" : `(br_if $l (i32.${cond} (local.get 0) ${tail}))`
    })
      (local.get 2)))`;
  const cases: [string, string, string, number, number, number][] = [
    ["ne", "(i32.const 100)", "br_inc_ne_i", 0, 1, 100],
    ["lt_u", "(i32.const 100)", "br_inc_lt_u_i", 0, 7, 15],
    ["lt_u", "(i32.const 100)", "br_inc_lt_u_i", -3, 1, 1], // -2 is not below 100 unsigned
    ["lt_s", "(i32.const 100)", "br_inc_lt_s_i", -3, 1, 103],
    ["lt_s", "(i32.const -2147483647)", "br_inc_lt_s_i", 2147483647, 1, 2], // wraps negative
    ["if", "", "br_inc_ne_i", 10, -1, 10],
    ["gt_u", "(i32.const 5)", "br_inc_gt_u_i", 100, -3, 32],
    ["gt_u", "(i32.const 5)", "br_inc_gt_u_i", -10, 1, 10], // -9..-1 are above 5 unsigned
  ];
  for (const [cond, tail, op, start, step, count] of cases) {
    const wat = loop(cond, tail);
    const step1 = wat.replace("(local.get 1)", `(i32.const ${step})`);
    // (the counter's increment right before fuses in too where there is a two-increment form)
    const names = opNames(step1);
    const op2 = op.replace("br_inc_", "br_inc2_");
    assert.ok(names.includes(bytecodeOpByName(op2) ? op2 : op), `${cond}: ${names.join()}`);
    const i = new TestInstance(parseWat(step1));
    assert.equal(i.call("f", start, 0), count, `${cond} from ${start} by ${step}`);
  }
});

Deno.test("a loop closer right after a second register's increment fuses both into br_inc2_*, with or without fuel and epochs", () => {
  // sums memory words through a pointer while a separate count closes the loop
  const wat = (cond: string) =>
    `(module (memory 1)
    (func (export "f") (param i32 i32) (result i32) (local i32 i32)
      (loop $l
        (local.set 3 (i32.add (local.get 3) (i32.load (local.get 2))))
        (local.set 2 (i32.add (local.get 2) (i32.const 4)))
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br_if $l (i32.${cond} (local.get 0) (local.get 1))))
      (i32.add (local.get 3) (local.get 2))))`;
  for (const [cond, op] of [["ne", "br_inc2_ne_i"], ["lt_u", "br_inc2_lt_u_i"]]) {
    for (const t of [{}, { consumeFuel: true }, { epochInterruption: true }]) {
      const tun = tunables(t);
      const src = wat(cond).replace("(local.get 1))))", "(i32.const 50))))");
      const names = opNames(src, tun);
      assert.ok(names.includes(op), `${cond} ${JSON.stringify(t)}: ${names.join()}`);
      assert.ok(!names.includes("i32_add_i"), names.join());
      const i = new TestInstance(parseWat(src), {}, { tunables: tun });
      i.vm.fuel = 1e6;
      const dv = new DataView(i.inst.memory.buffer);
      for (let k = 0; k < 64; k++) dv.setInt32(4 * k, k * k, true);
      // 50 iterations from 0 (ne and lt_u alike): sum of k^2 for k < 50, pointer at 200
      assert.equal(i.call("f", 0, 0), 40425 + 200, `${cond} ${JSON.stringify(t)}`);
    }
  }
});

Deno.test("a strided loop closer x += s; x <=u y (or y >=u x) fuses into br_add_le_u, unsigned and wrapping", () => {
  // counts iterations of: do { x += s } while (x <=u y)
  const loop = (cmp: string) =>
    `(module (func (export "f") (param i32 i32 i32) (result i32) (local i32)
      (loop $l
        (local.set 3 (i32.add (local.get 3) (i32.const 1)))
        (local.set 0 (i32.add (local.get 0) (local.get 1)))
        (br_if $l ${cmp}))
      (local.get 3)))`;
  const forms = [
    loop("(i32.le_u (local.get 0) (local.get 2))"),
    loop("(i32.ge_u (local.get 2) (local.get 0))"),
  ];
  for (const wat of forms) {
    const names = opNames(wat);
    assert.ok(names.includes("br_add_le_u"), names.join());
    assert.ok(!names.includes("i32_add"), names.join());
    const [on, off] = bothWays(wat, [
      [0, 3, 30], // 3, 6, ..., 30, 33: 11 iterations
      [0, 1, 0], // 1 > 0: once
      [-10, 3, 100], // -7 is above 100 unsigned: once
      [-5, 1, -2], // -4, -3, -2 are at most 0xfffffffe unsigned, -1 is not: 4
      [2147483647, 1, -2147483647], // 0x80000000, 0x80000001 pass unsigned (not signed): 3
    ]);
    assert.deepEqual(on, off);
    assert.deepEqual(on, [11, 1, 1, 4, 3]);
  }
});

Deno.test("i64.load, times a constant, plus a register fuse into load64_mul_k_add, trapping as the load", () => {
  const wat = `(module (memory 1) (func (export "f") (param i32 i64) (result i64)
    (i64.add (i64.mul (i64.load offset=8 (local.get 0)) (i64.const 0x9e3779b185ebca87))
      (local.get 1))))`;
  assert.ok(opNames(wat).includes("load64_mul_k_add"), opNames(wat).join());
  const i = new TestInstance(parseWat(wat));
  const dv = new DataView(i.inst.memory.buffer);
  const k = 0x9e3779b185ebca87n;
  for (const [x, c] of [[7n, 3n], [-1n, -5n], [0x7fffffffffffffffn, 0x123456789n]]) {
    dv.setBigInt64(24, x, true);
    assert.equal(i.call("f", 16, c), BigInt.asIntN(64, x * k + c));
  }
  assert.throws(() => i.call("f", 65536 - 15, 0n), TestTrap);
  dv.setBigInt64(65528, 2n, true);
  assert.equal(i.call("f", 65536 - 16, 1n), BigInt.asIntN(64, 2n * k + 1n));
});

/** Fuel used by `f(arg)` of `wat`, with fused charges (prefixes, shared join charges) or one charge per block. */
function fuelUsed(
  wat: string,
  arg: number,
  fuseFuelCharges: boolean,
): { result: unknown; used: number } {
  const inst = new TestInstance(parseWat(wat), {}, {
    tunables: tunables({ consumeFuel: true }),
    compile: { fuseFuelCharges },
  });
  inst.vm.fuel = 1e6;
  const result = inst.call("f", arg);
  return { result, used: 1e6 - inst.vm.fuel };
}

Deno.test("with fuel on, an if/else whose arms end in one charged operator each is charged after the join", () => {
  const wat = `(module (func $f (export "f") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $f (i32.sub (local.get 0) (i32.const 1)))
                     (call $f (i32.sub (local.get 0) (i32.const 2))))))))`;
  const names = opNames(wat, tunables({ consumeFuel: true }));
  // the entry charge (done by call_fuel), the calls', and the return's: none on the arms
  assert.deepEqual(names.filter(isCharge), ["fuel"], names.join());
  assert.equal(names.at(-1), "return_fuel", names.join());
  // without fuel, the return-path pass ends each arm in its own return instead
  assert.equal(opNames(wat, tunables()).filter((n) => n === "return").length, 2);
  for (const n of [0, 1, 2, 7]) {
    assert.deepEqual(fuelUsed(wat, n, true), fuelUsed(wat, n, false), `f(${n})`);
  }
  assert.deepEqual(fuelUsed(wat, 7, true).result, 13);
});

Deno.test("with fuel on, a loop closed by an unconditional br still pays every iteration, with one charge", () => {
  const wat = `(module (func (export "f") (param i32) (result i32)
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    (local.get 0)))`;
  const names = opNames(wat, tunables({ consumeFuel: true }));
  // the br_if's charge moves onto its two ways on: the loop's br and the exit's return
  assert.deepEqual(names.filter(isCharge), ["fuel_br"], names.join());
  assert.equal(names.at(-1), "return_fuel", names.join());
  for (const n of [0, 1, 5]) {
    assert.deepEqual(fuelUsed(wat, n, true), fuelUsed(wat, n, false), `f(${n})`);
  }
  // 5 iterations of 8 operators (local.get, i32.eqz, br_if, local.get, i32.const, i32.sub,
  // local.set, br) more than 0
  assert.equal(fuelUsed(wat, 5, true).used - fuelUsed(wat, 0, true).used, 5 * 8);
  const spin = new TestInstance(
    parseWat(`(module (func (export "f") (param i32) (result i32) (loop (br 0)) (i32.const 0)))`),
    {},
    { tunables: tunables({ consumeFuel: true }) },
  );
  spin.vm.fuel = 1000;
  assert.throws(() => spin.call("f", 0), /unexpected fuel/);
  assert.ok(spin.vm.fuel < 1, `${spin.vm.fuel}`);
});

Deno.test("with fuel on, an endless loop stops after the same operators as with plain charges, for every budget", () => {
  const wat = `(module (global $n (mut i32) (i32.const 0))
    (func (export "f") (param i32) (result i32)
      (drop (i32.const 1))
      (loop (global.set $n (i32.add (global.get $n) (i32.const 1))) (br 0))
      (i32.const 0))
    (func (export "n") (result i32) (global.get $n)))`;
  const t = tunables({ consumeFuel: true });
  for (let budget = 0; budget <= 13; budget++) {
    const iterations = [false, true].map((fuseFuelCharges) => {
      const compile = { fuseFuelCharges };
      const inst = new TestInstance(parseWat(wat), {}, { tunables: t, compile });
      inst.vm.fuel = budget;
      assert.throws(() => inst.call("f", 0), /unexpected fuel/);
      inst.vm.fuel = 100;
      return inst.call("n");
    });
    assert.equal(iterations[1], iterations[0], `budget ${budget}`);
  }
});

Deno.test("with epochs on, the code is the plain code; a passed deadline stops on entry or in a loop, and an endless loop still stops", () => {
  const t = tunables({ epochInterruption: true });
  const wat = `(module
    (func (export "f") (param i32) (result i32) (local i32)
      (loop
        (local.set 1 (call $g (local.get 1)))
        (br_if 0 (i32.lt_u (local.get 1) (local.get 0))))
      (local.get 1))
    (func $g (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))`;
  // (the VM checks the deadline at taken branches and calls, and when it is entered)
  assert.deepEqual(opNames(wat, t), opNames(wat));
  const inst = new TestInstance(parseWat(wat), {}, { tunables: t });
  inst.vm.epochDeadline = 1;
  assert.equal(inst.call("f", 10), 10);
  inst.vm.epochDeadline = 0;
  assert.throws(() => inst.call("f", 10), /unexpected epoch/);
  // an endless loop stops once the host passes the deadline
  const spin = `(module (import "env" "tick" (func $tick))
    (func (export "f") (param i32) (result i32) (loop (call $tick) (br 0)) (i32.const 0)))`;
  for (const fuel of [false, true]) {
    let ticks = 0;
    const tick = () => {
      if (++ticks > 1000) throw new Error("the loop was not interrupted");
      endless.vm.epochCounter[0]++;
    };
    const tt = tunables({ epochInterruption: true, consumeFuel: fuel });
    const endless = new TestInstance(parseWat(spin), { "env.tick": tick }, { tunables: tt });
    endless.vm.fuel = 1e6;
    endless.vm.epochDeadline = 3;
    assert.throws(() => endless.call("f", 0), /unexpected epoch/);
    assert.equal(ticks, 3);
    // two iterations (call, br) and the third call: it stops before the br and its charge
    if (fuel) assert.equal(1e6 - endless.vm.fuel, 2 * 2 + 1);
  }
});

/** Calls export `f` of `wat` with each argument list, with super-instructions on and off. */
function bothWays(wat: string, args: (number | bigint)[][]): [unknown[], unknown[]] {
  const on = new TestInstance(parseWat(wat));
  const off = new TestInstance(parseWat(wat), {}, {
    tunables: tunables({ superInstructions: false }),
  });
  const run = (i: TestInstance) =>
    args.map((a) => {
      try {
        return i.call("f", ...a);
      } catch (e) {
        return e instanceof TestTrap ? `trap ${e.code}` : e;
      }
    });
  return [run(on), run(off)];
}

const I32_EDGES = [0, 1, 2, 3, -1, -2, 0x7fffffff, -0x80000000, 0x40000000, 0x12345678, -0x1234567];

Deno.test("(x << s) >> 31 & k fuses into i32_sbit_and_i: bit 31 - s of x, spread and masked", () => {
  for (const s of [0, 1, 26, 30, 31, 33]) {
    for (const k of ["(i32.const -306674912)", "(i32.const -1)", "(i32.const 1)"]) {
      const wat = `(module (func (export "f") (param i32) (result i32)
        (i32.and (i32.shr_s (i32.shl (local.get 0) (i32.const ${s})) (i32.const 31)) ${k})))`;
      const names = opNames(wat);
      assert.ok(names.includes("i32_sbit_and_i"), `${s}: ${names.join()}`);
      assert.ok(!names.includes("i32_shr_s_i") && !names.includes("i32_and_i"), names.join());
      const kv = Number(k.slice(11, -1));
      const i = new TestInstance(parseWat(wat));
      for (const x of I32_EDGES) {
        assert.equal(i.call("f", x), (((x << (s & 31)) >> 31) & kv) | 0, `x=${x} s=${s} k=${kv}`);
      }
    }
  }
});

Deno.test("0 - (x & 1), masked, fuses into i32_sbit_and_i; other shapes keep their meaning", () => {
  const wat = `(module (func (export "f") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.and (i32.sub (i32.const 0) (i32.and (local.get 0) (i32.const 1)))
      (i32.const 0xEDB88320)))
    ;; a shift through a local (not fused into the and: the local is read again)
    (local.set 1 (i32.shr_s (i32.shl (local.get 1) (i32.const 3)) (i32.const 31)))
    (i32.add (i32.add (local.get 2) (i32.and (local.get 1) (i32.const 0xff)))
      ;; shr_s by 30 and shl with an added constant are not bit selections
      (i32.add (i32.shr_s (i32.shl (local.get 0) (i32.const 1)) (i32.const 30))
        (i32.shr_s (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 8))
          (i32.const 31))))))`;
  const names = opNames(wat);
  assert.equal(names.filter((n) => n === "i32_sbit_and_i").length, 2, names.join());
  const args = I32_EDGES.flatMap((x) => I32_EDGES.map((y) => [x, y]));
  const [on, off] = bothWays(wat, args);
  assert.deepEqual(on, off);
  const ref = (x: number, y: number) => {
    const a = -(x & 1) & 0xEDB88320;
    const b = (y << 3) >> 31;
    return (a + (b & 0xff) + ((x << 1) >> 30) + (((x << 2) + 8) >> 31)) | 0;
  };
  assert.deepEqual(on, args.map(([x, y]) => ref(x as number, y as number)));
});

Deno.test("c[j] += a * b[j] and c[j] -= a * b fuse into store64_madd(_m) / store64_msub, trapping as the loads", () => {
  const wat = `(module (memory 1)
    (func (export "f") (param i32 i32 f64) (result f64) (local i32)
      ;; c[i+16] += a * a, the address an i32.add folded into the access (wrapping at 32 bits)
      (f64.store (i32.add (local.get 0) (i32.const 16))
        (f64.add (f64.load (i32.add (local.get 0) (i32.const 16)))
          (f64.mul (local.get 2) (local.get 2))))
      ;; c[i] += a * b[j] (the f64_mul_add shape)
      (f64.store offset=8 (local.get 0) (f64.add (f64.mul (local.get 2) (f64.load (local.get 1)))
        (f64.load offset=8 (local.get 0))))
      ;; c[i+16] = (x * y) + c[i+16], the product first, a temporary address
      (local.set 3 (i32.add (local.get 0) (i32.const 16)))
      (f64.store (local.get 3) (f64.add (f64.mul (f64.mul (local.get 2) (local.get 2))
        (f64.load (local.get 1))) (f64.load (local.get 3))))
      ;; c[i+24] -= (a * a) * a, with the load first
      (f64.store offset=24 (local.get 0) (f64.sub (f64.load offset=24 (local.get 0))
        (f64.mul (f64.mul (local.get 2) (local.get 2)) (local.get 2))))
      ;; not fused: the load of c before the load of b (which may trap first)
      (f64.store offset=48 (local.get 0) (f64.add (f64.load offset=48 (local.get 0))
        (f64.mul (local.get 2) (f64.load (local.get 1)))))
      ;; not fused: a different address, and a product minus the memory
      (f64.store offset=32 (local.get 0) (f64.add (f64.load offset=40 (local.get 0))
        (f64.mul (local.get 2) (local.get 2))))
      (f64.store offset=40 (local.get 0) (f64.sub (f64.mul (local.get 2) (local.get 2))
        (f64.load offset=40 (local.get 0))))
      (f64.load offset=8 (local.get 0)) (f64.load offset=16 (local.get 0)) f64.add
      (f64.load offset=24 (local.get 0)) f64.add (f64.load offset=48 (local.get 0)) f64.add
      (f64.load offset=32 (local.get 0)) f64.add (f64.load offset=40 (local.get 0)) f64.add))`;
  const names = opNames(wat);
  assert.equal(names.filter((n) => n === "store64_madd").length, 1, names.join());
  assert.equal(names.filter((n) => n === "store64_madd_m").length, 2, names.join());
  assert.equal(names.filter((n) => n === "store64_msub").length, 1, names.join());
  const run = (superInstructions: boolean, c: number, b: number, a: number) => {
    const i = new TestInstance(parseWat(wat), {}, { tunables: tunables({ superInstructions }) });
    const dv = new DataView(i.inst.memory.buffer);
    for (let j = 0; j < 7; j++) {
      const at = (c + 8 + 8 * j) >>> 0;
      if (at + 8 <= 65536) dv.setFloat64(at, 1.5 + j, true);
    }
    if (b + 8 <= 65536) dv.setFloat64(b, 0.1, true);
    let r: unknown;
    try {
      r = i.call("f", c, b, a);
    } catch (e) {
      r = e instanceof TestTrap ? `trap ${e.code}` : e;
    }
    const mem = [...new Uint8Array(i.inst.memory.buffer, 0, 4096)].concat(
      [...new Uint8Array(i.inst.memory.buffer, 65536 - 64, 64)],
    );
    return { r, mem };
  };
  const cases: [number, number, number][] = [
    [0, 200, 3],
    [64, 200, -2.5],
    [64, 200, NaN],
    [64, 200, 1e308],
    [64, 72, 0.5], // b aliases c[0]: each statement re-reads it
    [65536 - 40, 200, 1], // the fifth statement traps (its load of c), after four stores
    [65536 - 8, 200, 1], // the first load traps: nothing stored
    [65536 - 16, 200, 1], // the first load (at 65536) traps
    [-16, 200, 2], // the first address wraps to 0, the second is out of bounds
    [0, 65536 - 4, 2], // b out of bounds: the first store is done, the second traps on b
    [65536 - 8, 65536 - 4, 2], // b and c out of bounds: the first load traps
  ];
  for (const [c, b, a] of cases) {
    const on = run(true, c, b, a);
    assert.deepEqual(on, run(false, c, b, a), `c=${c} b=${b} a=${a}`);
    if (c === 0 && b === 200) {
      const want = [
        1.5 + 3 * 0.1,
        3 * 3 * 0.1 + (2.5 + 9),
        3.5 - 27,
        6.5 + 3 * 0.1,
        5.5 + 9,
        9 - 5.5,
      ];
      assert.equal(on.r, want.reduce((x, y) => x + y));
    }
  }
  assert.match(String(run(true, 65536 - 8, 200, 1).r), /^trap /);
});

Deno.test("(x >>> s) & m fuses into i32_shr_u_and_i, x ^ (y >>> s) into i32_xor_shr_u_i", () => {
  const wat = `(module (func (export "f") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.and (i32.shr_u (local.get 0) (i32.const 24)) (i32.const 0xff)))
    (local.set 2 (i32.add (local.get 2)
      (i32.and (i32.const 0x3f0) (i32.shr_u (local.get 1) (i32.const 36)))))
    ;; y ^ (x >>> s) with the shift on either side
    (local.set 2 (i32.xor (local.get 2) (i32.shr_u (local.get 0) (i32.const 1))))
    (local.set 2 (i32.xor (i32.shr_u (local.get 1) (i32.const 31)) (local.get 2)))
    ;; not fused: a shift read twice through a local, and an arithmetic shift
    (local.set 1 (i32.shr_u (local.get 1) (i32.const 3)))
    (i32.add (i32.xor (local.get 2) (local.get 1))
      (i32.add (i32.and (local.get 1) (i32.const 7))
        (i32.and (i32.shr_s (local.get 0) (i32.const 4)) (i32.const -16))))))`;
  const names = opNames(wat);
  assert.equal(names.filter((n) => n === "i32_shr_u_and_i").length, 2, names.join());
  assert.equal(names.filter((n) => n === "i32_xor_shr_u_i").length, 2, names.join());
  assert.ok(names.includes("i32_shr_s_i") && names.includes("i32_shr_u_i"), names.join());
  const args = I32_EDGES.flatMap((x) => I32_EDGES.map((y) => [x, y]));
  const [on, off] = bothWays(wat, args);
  assert.deepEqual(on, off);
  const ref = (x: number, y: number) => {
    let t = (x >>> 24) & 0xff;
    t = (t + (0x3f0 & (y >>> 4))) | 0;
    t ^= x >>> 1;
    t ^= y >>> 31;
    const y3 = y >>> 3;
    return ((t ^ y3) + (y3 & 7) + ((x >> 4) & -16)) | 0;
  };
  assert.deepEqual(on, args.map(([x, y]) => ref(x as number, y as number)));
});

Deno.test("a call whose last argument is x + k computes it in call_add_i, wrapping, trapping as the call", () => {
  const wat = `(module
    (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
    (func $deep (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
        (else (i32.add (call $deep (i32.add (local.get 0) (i32.const -1))) (i32.const 1)))))
    (func (export "f") (param i32 i32) (result i32)
      (i32.add (call $sub (local.get 0) (i32.add (local.get 0) (i32.const 0x7fffffff)))
        (i32.add (call $deep (i32.add (local.get 1) (i32.const 0)))
          (call $sub (i32.add (local.get 1) (i32.const 3)) (local.get 1))))))`;
  const cm = compileModule(translateModule(parseWat(wat)), tunables());
  const count = (index: number) => {
    const f = cm.functions[index];
    let n = 0;
    for (let pc = f.entry; pc < f.end; pc += decodeInstruction(cm.code, pc).length) {
      if (decodeInstruction(cm.code, pc).op.name === "call_add_i") n++;
    }
    return n;
  };
  assert.deepEqual([count(1), count(2)], [1, 2]); // not the call whose last argument is a local
  const i = new TestInstance(parseWat(wat));
  for (const [x, y] of [[0, 0], [1, 10], [-1, 100], [0x7fffffff, 7], [-0x80000000, 3]]) {
    // x - (x + 0x7fffffff) wraps to -0x7fffffff; deep(y) = y; (y + 3) - y = 3
    assert.equal(i.call("f", x, y), (-0x7fffffff + y + 3) | 0, `${x} ${y}`);
  }
  assert.throws(() => i.call("f", 0, 10_000_000), (e) =>
    e instanceof TestTrap &&
    e.code === TrapCode.StackOverflow);
  assert.equal(i.call("f", 5, 20), (-0x7fffffff + 23) | 0); // usable after the trap
});

Deno.test("a constant a loop already hoisted is read from its register after the loop too", () => {
  const wat = `(module (func (export "f") (param f64 i32) (result f64) (local f64)
    (loop (local.set 2 (f64.add (local.get 2) (f64.const 1.5)))
      (br_if 0 (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))))
    (f64.add (f64.mul (local.get 2) (f64.const 1.5)) (f64.mul (local.get 0) (f64.const 2.5)))))`;
  const names = opNames(wat);
  // the hoisted 1.5 (set once at entry) and the 2.5 used once after the loop
  assert.equal(names.filter((n) => n === "const64").length, 2, names.join());
  const i = new TestInstance(parseWat(wat));
  assert.equal(i.call("f", 2, 3), 3 * 1.5 * 1.5 + 2 * 2.5);
});

Deno.test("x * k + c fuses into i32_mul_add_i, wrapping; a product still read elsewhere is kept", () => {
  const wat = `(module (func (export "f") (param i32 i32) (result i32) (local i32 i32)
    (local.set 2 (i32.add (i32.mul (local.get 0) (i32.const 1664525)) (i32.const 1013904223)))
    ;; materialised as an operand, and an xor-shift whose other operand is a deferred add
    (local.set 2 (i32.xor (local.get 2)
      (i32.add (i32.mul (local.get 1) (i32.const -7)) (i32.const 0x7fffffff))))
    (local.set 2 (i32.xor (i32.shr_u (local.get 2) (i32.const 16))
      (i32.add (local.get 0) (i32.const 3))))
    ;; not fused: the product is also kept in a local
    (i32.add (i32.add (local.tee 3 (i32.mul (local.get 1) (i32.const 3))) (i32.const 5))
      (i32.add (local.get 2) (local.get 3)))))`;
  const names = opNames(wat);
  assert.equal(names.filter((n) => n === "i32_mul_add_i").length, 2, names.join());
  assert.ok(names.includes("i32_xor_shr_u_i") && names.includes("i32_mul_i"), names.join());
  const args = I32_EDGES.flatMap((x) => I32_EDGES.map((y) => [x, y]));
  const [on, off] = bothWays(wat, args);
  assert.deepEqual(on, off);
  const ref = (x: number, y: number) => {
    let t = (Math.imul(x, 1664525) + 1013904223) | 0;
    t ^= (Math.imul(y, -7) + 0x7fffffff) | 0;
    t = (t >>> 16) ^ ((x + 3) | 0);
    const p = Math.imul(y, 3);
    return (p + 5 + t + p) | 0;
  };
  assert.deepEqual(on, args.map(([x, y]) => ref(x as number, y as number)));
});

Deno.test("x += k; br_if (x < y unsigned, or y > x) against a register fuses into br_inc_lt_u_r", () => {
  for (
    const cmp of [
      "(i32.lt_u (local.get 0) (local.get 1))",
      "(i32.gt_u (local.get 1) (local.get 0))",
    ]
  ) {
    const wat = `(module (func (export "f") (param i32 i32) (result i32) (local i32)
      (loop $l
        (local.set 2 (i32.add (local.get 2) (i32.const 1)))
        (local.set 0 (i32.add (local.get 0) (i32.const 3)))
        (br_if $l ${cmp}))
      (local.get 2)))`;
    assert.ok(opNames(wat).includes("br_inc_lt_u_r"), opNames(wat).join());
    const i = new TestInstance(parseWat(wat));
    // do { i += 3; count++ } while (u32(i) < u32(limit))
    for (const [start, limit, count] of [[0, 100, 34], [-10, 5, 1], [-10, -1, 3], [5, 0, 1]]) {
      assert.equal(i.call("f", start, limit), count, `${cmp} ${start} ${limit}`);
    }
  }
});

Deno.test("y - f64.load fuses into load64_f64_sub, trapping as the load; load - y does not", () => {
  const wat = `(module (memory 1) (func (export "f") (param i32 f64) (result f64)
    (f64.add (f64.sub (local.get 1) (f64.load offset=8 (local.get 0)))
      (f64.mul (f64.sub (f64.load (local.get 0)) (local.get 1)) (f64.const 0.5)))))`;
  const names = opNames(wat);
  assert.equal(names.filter((n) => n === "load64_f64_sub").length, 1, names.join());
  assert.ok(names.includes("f64_sub"), names.join());
  const run = (superInstructions: boolean, at: number, y: number) => {
    const i = new TestInstance(parseWat(wat), {}, { tunables: tunables({ superInstructions }) });
    const dv = new DataView(i.inst.memory.buffer);
    if (at >= 0 && at + 16 <= 65536) {
      dv.setFloat64(at, 1.25, true);
      dv.setFloat64(at + 8, -3.5, true);
    }
    try {
      return i.call("f", at, y);
    } catch (e) {
      return e instanceof TestTrap ? `trap ${e.code}` : e;
    }
  };
  for (
    const [at, y] of [[0, 2], [64, -0], [64, NaN], [65536 - 16, 1e300], [65536 - 8, 1], [-8, 1]]
  ) {
    assert.deepEqual(run(true, at, y), run(false, at, y), `${at} ${y}`);
  }
  assert.equal(run(true, 0, 2), 2 + 3.5 + (1.25 - 2) * 0.5);
  assert.match(String(run(true, 65536 - 8, 1)), /^trap /);
});

Deno.test("with fuel on, a loop closed by x += k; x <u y keeps its br_inc_lt_u_r, prefixed", () => {
  const wat = `(module (func (export "f") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $i)))`;
  const fuelNames = opNames(wat, tunables({ consumeFuel: true }));
  assert.ok(fuelNames.includes("fuel_br_inc_lt_u_r"), fuelNames.join());
  assert.ok(!fuelNames.includes("i32_add_i"), fuelNames.join());
  for (const n of [0, 1, 5, 100]) {
    const fused = fuelUsed(wat, n, true);
    assert.deepEqual(fused, fuelUsed(wat, n, false), `f(${n})`);
    assert.equal(fused.result, Math.max(n, 1));
  }
});

Deno.test("with fuel on, a call whose last argument is x + k is one call_add_i_fuel, charged as without it", () => {
  const wat = `(module (func $f (export "f") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $f (i32.add (local.get 0) (i32.const -1)))
                     (call $f (i32.add (local.get 0) (i32.const -2))))))))`;
  const names = opNames(wat, tunables({ consumeFuel: true }));
  assert.equal(names.filter((n) => n === "call_add_i_fuel").length, 2, names.join());
  // for every budget, the same result and fuel left as with plain calls; where the budget is too
  // small for both, the fused call (paying its callee's entry charge with its own) may stop
  // earlier, never later: with as much fuel left or more
  const outcome = (superInstructions: boolean, budget: number) => {
    const t = tunables({ consumeFuel: true, superInstructions });
    const inst = new TestInstance(parseWat(wat), {}, { tunables: t });
    inst.vm.fuel = budget;
    try {
      return { result: inst.call("f", 6), fuel: inst.vm.fuel };
    } catch (e) {
      return { stopped: String(e), fuel: inst.vm.fuel };
    }
  };
  for (let budget = 0; budget <= 120; budget += 3) {
    const fused = outcome(true, budget);
    const plain = outcome(false, budget);
    if (plain.stopped === undefined) assert.deepEqual(fused, plain, `budget ${budget}`);
    else {
      assert.equal(fused.stopped, plain.stopped, `budget ${budget}`);
      assert.ok(fused.fuel >= plain.fuel, `budget ${budget}: ${fused.fuel} < ${plain.fuel}`);
    }
  }
  assert.deepEqual(outcome(true, 10_000).result, 8);
});

Deno.test("an if on a deferred (x << s) + k tests the whole value, addend included", () => {
  const wat = `(module (func (export "f") (param i32) (result i32)
    (if (result i32) (i32.add (i32.shl (local.get 0) (i32.const 2)) (i32.const 4))
      (then (i32.const 1)) (else (i32.const 0)))))`;
  const inst = new TestInstance(parseWat(wat));
  for (const x of [-1, 0, 1, 0x3fffffff]) {
    assert.equal(inst.call("f", x), (((x << 2) + 4) | 0) !== 0 ? 1 : 0, `f(${x})`);
  }
});
