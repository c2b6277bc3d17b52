/**
 * Differential test of the JS tier on seeded random programs (the
 * generator of `@capstan/testing/random_programs`, which the translator's
 * own test runs on the interpreter): on `Engine({ strategy: "js" })` each
 * program must compute what native WebAssembly computes, results and memory,
 * and with fuel on consume exactly the interpreter's fuel.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { gen, Rng } from "@capstan/testing/random_programs";
import { Engine, Instance, Module, Store } from "./mod.ts";

function instance(bytes: Uint8Array, engine: Engine): { inst: Instance; store: Store<unknown> } {
  const store = new Store(engine, undefined);
  return { inst: new Instance(store, new Module(engine, bytes), []), store };
}

Deno.test("random programs on the JS tier compute what native WebAssembly computes", async () => {
  const engine = new Engine({ strategy: "js" });
  for (let seed = 1; seed <= 400; seed++) {
    const wat = gen(new Rng(seed * 2654435761));
    const bytes = parseWat(wat);
    const native = (await WebAssembly.instantiate(bytes)).instance.exports as Record<
      string,
      (...a: number[]) => number
    >;
    const { inst } = instance(bytes, engine);
    assert.equal(inst.module.tierOf(1), "js", `seed ${seed}: f runs on the JS tier`);
    const f = inst.getFunc("f")!;
    const mem = inst.getFunc("mem")!;
    for (const [a, b] of [[0, 0], [5, -3], [0x12345678, 77]]) {
      assert.deepEqual(f.call(a, b), [native.f(a, b)], `seed ${seed} f(${a}, ${b})\n${wat}`);
    }
    for (let p = 0; p < 0x4100; p += 4) {
      if (native.mem(p) !== mem.call(p)[0]) assert.fail(`seed ${seed}: memory at ${p}\n${wat}`);
    }
  }
});

Deno.test("random programs on the JS tier consume the interpreter's fuel", () => {
  const onJs = new Engine({ strategy: "js", consumeFuel: true });
  const onVm = new Engine({ consumeFuel: true });
  for (let seed = 1; seed <= 150; seed++) {
    const wat = gen(new Rng(seed * 2654435761));
    const bytes = parseWat(wat);
    const js = instance(bytes, onJs);
    const vm = instance(bytes, onVm);
    for (const [a, b] of [[0, 0], [5, -3], [0x12345678, 77]]) {
      js.store.setFuel(1e9);
      vm.store.setFuel(1e9);
      const want = vm.inst.getFunc("f")!.call(a, b);
      assert.deepEqual(js.inst.getFunc("f")!.call(a, b), want, `seed ${seed}\n${wat}`);
      assert.equal(js.store.getFuel(), vm.store.getFuel(), `seed ${seed}: fuel\n${wat}`);
    }
  }
});
