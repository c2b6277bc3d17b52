/**
 * Checks `examples/threads.ts` (the README's threads example) end to end,
 * with fewer increments than the example's default.
 *
 * @module
 */

import assert from "node:assert/strict";
import { main } from "./threads.ts";

Deno.test("the threads example: 4 workers' atomic increments add up exactly, ping-pong loses no wake-up", async () => {
  assert.deepEqual(await main(100_000), [
    "4 threads x 100000 atomic increments = 400000",
    "ping-pong: 2000 turns, 0 + 0 timed-out waits",
  ]);
});
