/**
 * Tests of the engine adapters: native and polywasm agree on every corpus
 * kernel, the probe module recognises a working engine, an unavailable engine
 * refuses to run, and Capstan is either runnable or says why not.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  capstanEngine,
  nativeEngine,
  polywasmEngine,
  probeEngine,
  unavailableEngine,
} from "./_engines.ts";
import { loadKernels } from "./_kernels.ts";
import { loadMicroKernels, microImports } from "./_micro.ts";

Deno.test("native and polywasm adapters agree on every corpus kernel at a tiny n", () => {
  const native = nativeEngine();
  const poly = polywasmEngine();
  for (const kernel of loadKernels()) {
    const want = native.instantiate(kernel.bytes).run(kernel.quickN);
    assert.equal(poly.instantiate(kernel.bytes).run(kernel.quickN), want, kernel.name);
  }
});

Deno.test("native and polywasm adapters agree on every dispatch microkernel", () => {
  const native = nativeEngine();
  const poly = polywasmEngine();
  for (const micro of loadMicroKernels()) {
    const want = native.instantiate(micro.bytes, microImports()).run(1000);
    assert.equal(poly.instantiate(micro.bytes, microImports()).run(1000), want, micro.name);
  }
});

Deno.test("probeEngine() accepts native V8 and reports a broken engine", () => {
  assert.equal(probeEngine(nativeEngine()), null);
  const broken = { ...nativeEngine(), instantiate: () => ({ exports: {}, run: () => 7 }) };
  assert.match(probeEngine(broken) ?? "", /returned 7, expected 42/);
});

Deno.test("unavailableEngine() throws its reason instead of running", async () => {
  const engine = unavailableEngine("capstan", "not built yet");
  assert.equal(engine.unavailable, "not built yet");
  assert.throws(
    () => engine.instantiate(new Uint8Array(8)),
    /capstan is unavailable: not built yet/,
  );
  await assert.rejects(engine.compileAsync(new Uint8Array(8)), /not built yet/);
});

Deno.test("capstanEngine() is either runnable or names a reason", async () => {
  const engine = await capstanEngine();
  assert.equal(engine.name, "capstan");
  if (engine.unavailable === null) {
    assert.equal(probeEngine(engine), null);
  } else {
    assert.ok(engine.unavailable.length > 0);
    assert.throws(() => engine.compile(new Uint8Array(8)), /unavailable/);
  }
});

const capstan = await capstanEngine();

Deno.test({
  name: "the Capstan adapter agrees with native on every corpus kernel at a tiny n",
  ignore: capstan.unavailable !== null,
  fn() {
    const native = nativeEngine();
    for (const kernel of loadKernels()) {
      const want = native.instantiate(kernel.bytes).run(kernel.quickN);
      assert.equal(capstan.instantiate(kernel.bytes).run(kernel.quickN), want, kernel.name);
    }
  },
});

Deno.test({
  name: "the Capstan instruction counter counts every iteration of empty_loop",
  ignore: capstan.unavailable !== null || capstan.hooks.countInstructions === undefined,
  fn() {
    const empty = loadMicroKernels().find((k) => k.name === "empty_loop")!;
    const count = capstan.hooks.countInstructions!;
    const small = count(empty.bytes, 100, 100);
    const large = count(empty.bytes, 1100, 1100);
    // The loop body is the same instructions each time: 1000 more iterations
    // add a whole multiple of 1000 instructions.
    assert.ok(large > small);
    assert.equal((large - small) % 1000, 0);
  },
});

Deno.test({
  name: "the Capstan wasm-operator count of empty_loop is 7 operators per iteration",
  ignore: capstan.unavailable !== null || capstan.hooks.countWasmOperators === undefined,
  fn() {
    const empty = loadMicroKernels().find((k) => k.name === "empty_loop")!;
    const count = capstan.hooks.countWasmOperators!;
    // One iteration: local.get, i32.const, i32.add, local.tee, local.get,
    // i32.ne, br_if (`loop` and `end` are free under wasmtime's fuel rule).
    assert.equal(count(empty.bytes, 1100, 1100) - count(empty.bytes, 100, 100), 7 * 1000);
    assert.throws(() => count(empty.bytes, 5, 6), /returned 5, expected 6/);
  },
});
