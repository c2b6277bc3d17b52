import assert from "node:assert/strict";
import { ALLOWED, checkLayers } from "./check_layers.ts";

Deno.test("checkLayers() finds no member importing a layer above it", async () => {
  const { violations, missing } = await checkLayers();
  assert.deepEqual(missing, [], "every member has a mod.ts");
  assert.deepEqual(violations, []);
});

Deno.test("ALLOWED points one way: no member is allowed to import one that may import it", () => {
  for (const [member, deps] of Object.entries(ALLOWED)) {
    for (const dep of deps) {
      assert.ok(!ALLOWED[dep].includes(member), `${member} <-> ${dep} would be a cycle`);
    }
  }
});
