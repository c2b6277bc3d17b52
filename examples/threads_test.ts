/**
 * Checks `examples/threads.ts` (the README's threads example) end to end,
 * with fewer increments than the example's default, bounded by a timeout so
 * that a lost wake-up fails the test instead of hanging it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { main } from "./threads.ts";

Deno.test("the threads example: 4 workers' atomic increments add up exactly, ping-pong loses no wake-up", async () => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("the threads example hung")), 60_000);
  });
  try {
    assert.deepEqual(await Promise.race([main(100_000), hang]), [
      "4 threads x 100000 atomic increments = 400000",
      "ping-pong: 2000 turns, 0 + 0 timed-out waits",
    ]);
  } finally {
    clearTimeout(timer);
  }
});
