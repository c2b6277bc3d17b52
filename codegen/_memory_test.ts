/**
 * Tests of the memory accesses' address folding: an address computed as the
 * sum of two registers, one possibly shifted by a constant, becomes one
 * register-indexed access (`load*_r`/`store*_r`) that wraps the sum at 32
 * bits, adds the offset after, and traps as the unfused access would; and of
 * i32 rotates by a constant (`i32_rotl_i`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseWat, translateModule, tunables } from "@capstan/environ";
import { decodeInstruction } from "@capstan/interpreter";
import { compileModule } from "./compile.ts";
import { TestInstance, TestTrap } from "./_test_harness.ts";

/** The op names of every function's bytecode. */
function opNames(wat: string): string[] {
  const cm = compileModule(translateModule(parseWat(wat)), tunables());
  const names: string[] = [];
  for (const f of cm.functions) {
    for (let pc = f.entry; pc < f.end; pc += decodeInstruction(cm.code, pc).length) {
      names.push(decodeInstruction(cm.code, pc).op.name);
    }
  }
  return names;
}

/** `f(args)` on fresh instances with and without super-instructions: results or trap codes. */
function bothWays(wat: string, args: number[][]): [unknown[], unknown[]] {
  const run = (superInstructions: boolean) =>
    args.map((a) => {
      const i = new TestInstance(parseWat(wat), {}, { tunables: tunables({ superInstructions }) });
      try {
        return i.call("f", ...a);
      } catch (e) {
        return e instanceof TestTrap ? `trap ${e.code}` : e;
      }
    });
  return [run(true), run(false)];
}

const EDGES = [
  0,
  1,
  2,
  3,
  -1,
  -4,
  16,
  0x3fff,
  0x4000,
  65528,
  65535,
  65536,
  0x7fffffff,
  -0x80000000,
];

Deno.test("base + (index << s) addresses fold into register-indexed accesses that wrap and trap as unfused", () => {
  const wat = `(module (memory 1)
    (func (export "f") (param i32 i32) (result i32) (local i32)
      ;; stores: a local value, a constant, a value computed after the address
      (i32.store16 offset=2 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 1)))
        (local.get 1))
      (i32.store8 (i32.add (local.get 1) (local.get 0)) (i32.const 0x5a))
      (i32.store offset=8 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))
        (i32.add (local.get 1) (i32.const 7)))
      (i64.store offset=16 (i32.add (local.get 0) (local.get 1)) (i64.const 0x1122334455667788))
      ;; loads: shifted on either side, plain, from loaded (temporary) registers
      (local.set 2 (i32.load offset=4 (i32.add (local.get 0) (i32.shl (local.get 1) (i32.const 2)))))
      (local.set 2 (i32.add (local.get 2)
        (i32.load16_s (i32.add (i32.shl (local.get 1) (i32.const 1)) (local.get 0)))))
      (local.set 2 (i32.add (local.get 2) (i32.load8_u (i32.add (local.get 0) (local.get 1)))))
      (local.set 2 (i32.add (local.get 2) (i32.load8_s offset=3 (i32.add (local.get 0) (local.get 1)))))
      (local.set 2 (i32.add (local.get 2) (i32.load16_u offset=1 (i32.add (local.get 1) (local.get 0)))))
      (local.set 2 (i32.add (local.get 2)
        (i32.wrap_i64 (i64.load offset=16 (i32.add (local.get 0) (local.get 1))))))
      (local.set 2 (i32.add (local.get 2)
        (i32.load (i32.add (i32.load (i32.const 0)) (i32.shl (i32.load (i32.const 4)) (i32.const 3))))))
      ;; a store whose value is materialised over the register above its address
      (i32.store (i32.add (i32.load (i32.const 0)) (i32.shl (i32.load (i32.const 4)) (i32.const 2)))
        (i32.add (local.get 1) (i32.const 3)))
      (i32.add (local.get 2) (i32.load (i32.const 8)))))`;
  const names = opNames(wat);
  for (const op of ["load32_r", "load8_u_r", "load8_s_r", "load16_u_r", "load16_s_r", "load64_r"]) {
    assert.ok(names.includes(op), `${op}: ${names.join()}`);
  }
  for (const op of ["store32_r", "store8_r", "store16_r", "store64_r"]) {
    assert.ok(names.includes(op), `${op}: ${names.join()}`);
  }
  const args = EDGES.flatMap((x) => EDGES.map((y) => [x, y]));
  const [on, off] = bothWays(wat, args);
  assert.deepEqual(on, off);
  assert.ok(on.some((r) => typeof r === "string") && on.some((r) => typeof r === "number"));
});

Deno.test("i32.rotl and i32.rotr by a constant use i32_rotl_i and rotate by the amount mod 32", () => {
  for (const k of [0, 1, 5, 16, 31, 32, 33, -1, -31]) {
    const wat = `(module (func (export "f") (param i32) (result i32)
      (i32.xor (i32.rotl (local.get 0) (i32.const ${k})) (i32.rotr (local.get 0) (i32.const ${k})))))`;
    const names = opNames(wat);
    assert.ok(names.includes("i32_rotl_i") && !names.includes("i32_rotl"), names.join());
    const i = new TestInstance(parseWat(wat));
    const n = k & 31;
    for (const x of EDGES) {
      const rotl = ((x << n) | (x >>> ((32 - n) & 31))) | 0;
      const rotr = ((x >>> n) | (x << ((32 - n) & 31))) | 0;
      assert.equal(i.call("f", x), (rotl ^ rotr) | 0, `x=${x} k=${k}`);
    }
  }
});
