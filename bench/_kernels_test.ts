/**
 * Tests of the vendored benchmark corpus: the manifest lists the twelve
 * kernels, and each one's bytes compute the manifest's checksum natively.
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadKernels } from "./_kernels.ts";

Deno.test("loadKernels() reads all twelve kernels with sizes for every mode", () => {
  const kernels = loadKernels();
  assert.equal(kernels.length, 12);
  for (const k of kernels) {
    assert.ok(k.bytes.length > 8, k.name);
    assert.ok(k.quickN > 0 && k.quickN < k.benchN && k.benchN <= k.n, k.name);
    assert.ok(k.expect >= 0 && k.expect <= 0xffffffff, k.name);
  }
});

Deno.test("every vendored kernel computes its kernels.json checksum on native V8", () => {
  for (const k of loadKernels()) {
    const { exports } = new WebAssembly.Instance(
      new WebAssembly.Module(k.bytes as Uint8Array<ArrayBuffer>),
    );
    assert.equal((exports.run as (n: number) => number)(k.n) >>> 0, k.expect, k.name);
  }
});
