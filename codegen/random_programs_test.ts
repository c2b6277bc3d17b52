/**
 * Differential test of the translator on random programs: seeded random
 * functions mixing locals, constants, tees, selects, blocks with results,
 * ifs, br_if, bounded loops, calls, i64 arithmetic, loads and stores (the shapes where the
 * lazy operand stack, retargeting and fusions could go wrong) must compute
 * the same results and memory as native WebAssembly.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseWat, tunables } from "@capstan/environ";
import { decodeInstruction } from "@capstan/interpreter";
import { TestInstance } from "./_test_harness.ts";
import { gen, Rng } from "@capstan/testing/random_programs";

Deno.test("random programs compute what native WebAssembly computes", async () => {
  let checked = 0;
  for (let seed = 1; seed <= 400; seed++) {
    const wat = gen(new Rng(seed * 2654435761));
    const bytes = parseWat(wat);
    const native = (await WebAssembly.instantiate(bytes)).instance.exports as Record<
      string,
      (...a: number[]) => number
    >;
    const capstan = new TestInstance(bytes);
    for (const [a, b] of [[0, 0], [5, -3], [0x12345678, 77]]) {
      const want = native.f(a, b);
      const got = capstan.call("f", a, b);
      assert.equal(got, want, `seed ${seed} f(${a}, ${b})\n${wat}`);
    }
    for (let p = 0; p < 0x4100; p += 4) {
      if (native.mem(p) !== capstan.call("mem", p)) {
        assert.fail(`seed ${seed}: memory differs at ${p}\n${wat}`);
      }
    }
    checked++;
  }
  assert.equal(checked, 400);
});

Deno.test("with fuel on, random programs consume the same fuel as with plain charges, also when stopped and refuelled at every charge, and with epochs on too", () => {
  const fuel = tunables({ consumeFuel: true });
  const both = tunables({ consumeFuel: true, epochInterruption: true });
  let fused = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const wat = gen(new Rng(seed * 2654435761));
    const bytes = parseWat(wat);
    const plain = new TestInstance(bytes, {}, {
      tunables: fuel,
      compile: { fuseFuelCharges: false },
    });
    const fast = new TestInstance(bytes, {}, { tunables: fuel });
    const starved = new TestInstance(bytes, {}, { tunables: fuel });
    starved.refuel = 3;
    const checked = new TestInstance(bytes, {}, { tunables: both });
    checked.vm.epochDeadline = 1;
    const epochs = new TestInstance(bytes, {}, { tunables: tunables({ epochInterruption: true }) });
    epochs.vm.epochDeadline = 1;
    const code = fast.compiled.code;
    for (let pc = 0; pc < code.length;) {
      const ins = decodeInstruction(code, pc);
      if (ins.op.name.startsWith("fuel_")) fused++;
      pc += ins.length;
    }
    for (const [a, b] of [[0, 0], [5, -3], [0x12345678, 77]]) {
      for (const inst of [plain, fast]) inst.vm.fuel = 1e9;
      const want = plain.call("f", a, b);
      const used = 1e9 - plain.vm.fuel;
      assert.equal(fast.call("f", a, b), want, `seed ${seed} f(${a}, ${b})\n${wat}`);
      assert.equal(1e9 - fast.vm.fuel, used, `seed ${seed} f(${a}, ${b}): fuel\n${wat}`);
      starved.vm.fuel = 0;
      const exits = starved.fuelExits;
      assert.equal(starved.call("f", a, b), want, `seed ${seed} f(${a}, ${b}) refuelled\n${wat}`);
      const given = 3 * (starved.fuelExits - exits);
      assert.equal(given - starved.vm.fuel, used, `seed ${seed}: refuelled fuel\n${wat}`);
      assert.equal(epochs.call("f", a, b), want, `seed ${seed} f(${a}, ${b}) epochs only`);
      checked.vm.fuel = 1e9;
      assert.equal(checked.call("f", a, b), want, `seed ${seed} f(${a}, ${b}) with epochs`);
      assert.equal(1e9 - checked.vm.fuel, used, `seed ${seed}: fuel with epochs\n${wat}`);
    }
  }
  assert.ok(fused > 150, `fuel_<br> ops in the programs: ${fused}`);
});
