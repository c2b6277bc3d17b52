/**
 * `wasm-feature-detect` (npm, 1.9.0) run against Capstan's facade: each of
 * its 23 detectors, with the facade standing in for the global
 * `WebAssembly`, and the same detectors on native V8 for comparison.
 *
 * @module
 */

import assert from "node:assert/strict";
import * as detect from "wasm-feature-detect";
import { WebAssembly as facade } from "./webassembly.ts";

async function runAll(wa: typeof globalThis.WebAssembly): Promise<Record<string, boolean>> {
  const native = globalThis.WebAssembly;
  const results: Record<string, boolean> = {};
  // the detectors read the global: run them one at a time with `wa` in its place
  (globalThis as { WebAssembly: unknown }).WebAssembly = wa;
  try {
    for (const [name, probe] of Object.entries(detect)) {
      results[name] = await (probe as () => Promise<boolean>)();
    }
  } finally {
    (globalThis as { WebAssembly: unknown }).WebAssembly = native;
  }
  return results;
}

Deno.test("wasm-feature-detect: the facade passes all 23 detectors", async () => {
  // (the `gc` detector only validates a struct type: GC types validate, GC code does not run yet)
  const results = await runAll(facade);
  assert.equal(Object.keys(results).length, 23);
  assert.deepEqual(Object.entries(results).filter(([, v]) => !v), []);
});

Deno.test("wasm-feature-detect: native V8 in the same Deno, for comparison", async () => {
  const results = await runAll(globalThis.WebAssembly);
  // this V8 has neither type reflection nor wide arithmetic
  assert.equal(results.typeReflection, false);
  assert.equal(results.wideArithmetic, false);
  assert.equal(Object.values(results).filter((v) => v).length, 21);
});
