/**
 * Unit tests of Engine: configuration, signature ids, the epoch counter.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, ValType } from "./mod.ts";

Deno.test("Engine.signatureId() is equal for, and only for, equal function types", () => {
  const e = new Engine();
  const a = e.signatureId({ params: [ValType.i32], results: [] });
  const b = e.signatureId({ params: [ValType.i32], results: [] });
  const c = e.signatureId({ params: [], results: [ValType.i32] });
  assert.equal(a, b);
  assert.notEqual(a, c);
  assert.deepEqual(e.signatureType(c), { params: [], results: [ValType.i32] });
});

Deno.test("Engine.incrementEpoch() advances the shared epoch counter", () => {
  const e = new Engine({ epochInterruption: true });
  assert.equal(e.currentEpoch(), 0);
  e.incrementEpoch();
  Atomics.add(e.epochCounter, 0, 2); // as a worker would
  assert.equal(e.currentEpoch(), 3);
  assert.ok(e.epochCounter.buffer instanceof SharedArrayBuffer);
});

Deno.test("Engine passes fuel, epoch and NaN switches to the code generator", () => {
  const e = new Engine({
    consumeFuel: true,
    nanCanonicalization: true,
    tunables: { superInstructions: false },
  });
  assert.equal(e.config.tunables.consumeFuel, true);
  assert.equal(e.config.tunables.nanCanonicalization, true);
  assert.equal(e.config.tunables.epochInterruption, false);
  assert.equal(e.config.tunables.superInstructions, false);
});

Deno.test("Engine rejects a non-positive maxWasmStack", () => {
  assert.throws(() => new Engine({ maxWasmStack: 0 }), RangeError);
});
