/**
 * The benchmark kernels (`bench/corpus`) compiled by Capstan agree with native
 * WebAssembly at small sizes (the full-size checksums are checked by the
 * benchmarks themselves; they take seconds each here).
 *
 * @module
 */
import assert from "node:assert/strict";
import { TestInstance } from "./_test_harness.ts";

const dir = new URL("../bench/corpus/", import.meta.url);
const manifest = JSON.parse(await Deno.readTextFile(new URL("kernels.json", dir))) as {
  kernels: { name: string; wasm: string; n: number }[];
};

for (const k of manifest.kernels) {
  Deno.test(`bench kernel ${k.name} gives native's result for small n`, async () => {
    const bytes = await Deno.readFile(new URL(k.wasm, dir));
    const native = (await WebAssembly.instantiate(bytes)).instance.exports.run as (
      n: number,
    ) => number;
    const capstan = new TestInstance(bytes);
    const small = [1, 2, 3, Math.max(4, Math.floor(k.n / 4000))];
    for (const n of small) {
      assert.equal(capstan.call("run", n), native(n), `${k.name}(${n})`);
    }
  });
}
