/**
 * Tests of {@link tunables}: overrides apply, the rest keeps the defaults,
 * and the result is frozen.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_TUNABLES, tunables } from "./tunables.ts";

Deno.test("tunables() overrides fields and keeps the defaults for the rest", () => {
  const t = tunables({ consumeFuel: true });
  assert.equal(t.consumeFuel, true);
  assert.equal(t.epochInterruption, DEFAULT_TUNABLES.epochInterruption);
  assert.equal(t.superInstructions, true);
  assert.ok(Object.isFrozen(t));
  assert.equal(DEFAULT_TUNABLES.consumeFuel, false);
  assert.equal(DEFAULT_TUNABLES.countInstructions, false);
  assert.equal(DEFAULT_TUNABLES.nanCanonicalization, false);
});
