/**
 * Tests of the translation of memory and table accesses by memory index and
 * address type: memory 0 with 32-bit addresses keeps its own ops (and their
 * folded forms), other memories and 64-bit ones go through
 * `mem_load`/`mem_store` with a 64-bit offset, bulk operators name their
 * memories, a 64-bit table's indices are narrowed, and SIMD accesses to
 * such memories go through `mem_v128_*`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat, translateModule, tunables } from "@capstan/environ";
import { decodeInstruction } from "@capstan/interpreter";
import { compileModule } from "./compile.ts";
import { TestInstance, TestTrap } from "./_test_harness.ts";

/** Every instruction of function 0: its op name and operands. */
function code(wat: string): { name: string; operands: number[] }[] {
  const cm = compileModule(translateModule(parseWat(wat)), tunables());
  const f = cm.functions[0];
  const out: { name: string; operands: number[] }[] = [];
  for (let pc = f.entry; pc < f.end;) {
    const ins = decodeInstruction(cm.code, pc);
    out.push({ name: ins.op.name, operands: [...cm.code.subarray(pc + 1, pc + ins.length)] });
    pc += ins.length;
  }
  return out;
}

function names(wat: string): string[] {
  return code(wat).map((i) => i.name);
}

Deno.test("memory 0 with 32-bit addresses keeps its ops; memory 1 goes through mem_load", () => {
  const wat = (mem: string) =>
    `(module (memory 1) (memory 1)
      (func (param i32) (result i32) (i32.load ${mem} offset=8 (local.get 0))))`;
  assert.ok(names(wat("0")).includes("load32"));
  const load = code(wat("1")).find((i) => i.name === "mem_load");
  assert.ok(load, "mem_load for memory 1");
  // d, a, mem, kind (the memory-0 op with the same access), offset lo, hi
  assert.equal(load.operands[2], 1);
  assert.equal(load.operands[4], 8);
  assert.equal(load.operands[5], 0);
});

Deno.test("a 64-bit memory's accesses carry the offset's high half; bulk ops name their memories", () => {
  const ops = code(`(module (memory $a 1) (memory $b i64 1)
    (func (param i64)
      (i64.store $b offset=0x1_0000_0004 (local.get 0) (i64.const 1))
      (memory.copy $a $b (i32.const 0) (local.get 0) (i32.const 4))))`);
  const store = ops.find((i) => i.name === "mem_store")!;
  assert.deepEqual(store.operands.slice(2), [1, store.operands[3], 4, 1]);
  const copy = ops.find((i) => i.name === "builtin")!;
  assert.deepEqual(copy.operands.slice(1, 3), [0, 1], "destination $a, source $b");
});

Deno.test("mem_load and mem_store run every access kind on memories 1 and 64-bit", () => {
  const t = new TestInstance(parseWat(`(module (memory 1) (memory $m 1) (memory $w i64 1)
    (func (export "rw") (param i32 i64) (result i64)
      (i64.store $m (local.get 0) (local.get 1))
      (i64.add (i64.load8_s $m (local.get 0)) (i64.load32_u $m offset=4 (local.get 0))))
    (func (export "rw64") (param i64 i32) (result i32)
      (i32.store16 $w (local.get 0) (local.get 1))
      (i32.load16_s $w (local.get 0)))
    (func (export "size64") (result i64) (memory.size $w))
    (func (export "grow64") (param i64) (result i64) (memory.grow $w (local.get 0))))`));
  assert.equal(t.call("rw", 16, 0x0000_0005_0000_00ffn), 4n);
  assert.equal(t.call("rw64", 65534n, 0x8001), -0x7fff);
  assert.throws(() => t.call("rw64", 65535n, 0), TestTrap);
  assert.throws(() => t.call("rw64", 1n << 63n, 0), TestTrap);
  assert.throws(() => t.call("rw", 65529, 0n), TestTrap);
  assert.equal(t.call("grow64", 2n), 1n);
  assert.equal(t.call("size64"), 3n);
  assert.equal(t.call("rw64", 65535n, 7), 7, "in bounds after growing");
});

Deno.test("a 64-bit table's indices narrow through table_index64", () => {
  const ops = names(`(module (table i64 1 funcref)
    (func (param i64) (result i32) (ref.is_null (table.get (local.get 0)))))`);
  assert.deepEqual(ops.filter((n) => n.startsWith("table")), ["table_index64", "table_get"]);
});

Deno.test("SIMD accesses to memory 1 and to a 64-bit memory run through mem_v128_*", () => {
  const wat = `(module (memory 1) (memory $m 1) (memory $w i64 1)
    (func (export "copy") (param i32 i64) (result i64)
      (v128.store $w (local.get 1) (v128.load32_splat $m offset=4 (local.get 0)))
      (i64x2.extract_lane 1
        (v128.load64_lane $m 0 (local.get 0)
          (v128.load $w offset=0 (local.get 1)))))
    (func (export "poke") (param i32 i32)
      (i32.store $m offset=4 (local.get 0) (local.get 1)))
    (func (export "lane_store") (param i64)
      (v128.store16_lane $w 3 (local.get 0) (v128.const i16x8 0 1 2 3 4 5 6 7)))
    (func (export "peek") (param i64) (result i32) (i32.load16_u $w (local.get 0))))`;
  const ops = code(wat).map((i) => i.name);
  assert.deepEqual(ops.filter((n) => n.startsWith("mem_v128")), [
    "mem_v128_load",
    "mem_v128_store",
    "mem_v128_load",
    "mem_v128_load_lane",
  ]);
  const t = new TestInstance(parseWat(wat));
  t.call("poke", 8, 0x11223344);
  assert.equal(t.call("copy", 8, 100n), 0x11223344_11223344n);
  assert.throws(() => t.call("copy", 8, 65521n), TestTrap, "v128.store past memory $w");
  assert.throws(() => t.call("copy", 65529, 0n), TestTrap, "the splat past memory $m");
  t.call("lane_store", 65534n);
  assert.equal(t.call("peek", 65534n), 3);
  assert.throws(() => t.call("lane_store", 65535n), TestTrap);
  assert.throws(() => t.call("lane_store", 1n << 40n), TestTrap);
});

Deno.test("a 64-bit memory 0 uses the _a64 ops, exact at the bounds and above 2^32", () => {
  const wat = `(module (memory i64 1)
    (func (export "rw") (param i64 i64) (result i64)
      (i64.store (local.get 0) (local.get 1))
      (i64.add (i64.load (local.get 0)) (i64.extend_i32_u (i32.load8_u offset=7 (local.get 0)))))
    (func (export "far") (param i64) (result i32) (i32.load offset=0x1_0000_0000 (local.get 0))))`;
  const ops = names(wat);
  assert.deepEqual(ops.filter((n) => n.endsWith("_a64")), [
    "store64_a64",
    "load64_a64",
    "load8_u_a64",
  ]);
  const t = new TestInstance(parseWat(wat));
  assert.equal(t.call("rw", 65528n, 0x0100_0000_0000_0002n), 0x0100_0000_0000_0003n);
  assert.throws(() => t.call("rw", 65529n, 0n), TestTrap);
  assert.throws(() => t.call("rw", 0x1_0000_0000n, 0n), TestTrap);
  assert.throws(() => t.call("rw", -8n, 0n), TestTrap);
  assert.throws(() => t.call("far", 0n), TestTrap, "an offset of 2^32 goes through mem_load");
});

Deno.test("printIr() names mem_load's access kind", async () => {
  const { printIr } = await import("./ir.ts");
  const cm = compileModule(
    translateModule(parseWat(`(module (memory 1) (memory 1)
      (func (result i32) (i32.load16_s 1 offset=2 (i32.const 0))))`)),
    tunables(),
    { keepIr: true },
  );
  assert.match(printIr(cm.functions[0].ir!), /mem_load v\d+, v\d+, 1, load16_s, 2, 0/);
});
