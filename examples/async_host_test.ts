import assert from "node:assert/strict";
import { main } from "./async_host.ts";

Deno.test("the README's async example awaits an import, stops a loop by fuel, and goes on", async () => {
  assert.deepEqual(await main(), [
    "total(7, 3) = 321",
    "spin: all fuel consumed",
    "after the trap, total(1, 2) = 202",
  ]);
});
