/**
 * The image fuzzer's test: 2,000 mutated images are refused with clear
 * errors (or, with their checksum recomputed, loaded or refused), and never
 * throw anything else.
 *
 * @module
 */

import assert from "node:assert/strict";
import { fuzzImage } from "./fuzz_image.ts";

Deno.test("2,000 mutated compiled-module images are refused clearly, never crash the loader", () => {
  const s = fuzzImage(1, 2000);
  assert.deepEqual(s.failures, []);
  assert.equal(s.cases, 2000);
  // the checks behind the checksum are reached, not only the checksum
  const messages = [...s.refused.keys()].join("\n");
  for (
    const m of [
      /checksum/,
      /payload should be/,
      /truncated header/,
      /length is out of range|ends too early|functions for a module/,
    ]
  ) {
    assert.match(messages, m);
  }
});
