/**
 * Tests of the opcode profiler: segments found in real compiled code match
 * the counter's `icount` weights, counts fold into opcode and pair tables,
 * the code array is restored, and (once Capstan executes) the per-segment
 * counts reconstruct the counter's total exactly.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_TUNABLES, translateModule } from "@capstan/environ";
import { compileModule } from "@capstan/codegen";
import { Op } from "@capstan/interpreter";
import {
  buildProfile,
  findSegments,
  meanShares,
  profileKernel,
  segmentCounts,
  topEntries,
} from "./opcode_profile.ts";
import { loadKernels } from "./_kernels.ts";
import { capstanEngine } from "./_engines.ts";

const loopWat = loadKernels().find((k) => k.name === "loop_wat")!;

function compiledLoop() {
  return compileModule(translateModule(loopWat.bytes), {
    ...DEFAULT_TUNABLES,
    countInstructions: true,
  });
}

Deno.test("findSegments() splits compiled code at icount ops with matching weights", () => {
  const cm = compiledLoop();
  const segments = findSegments(cm.code, cm.functions);
  assert.ok(segments.length >= 2, `only ${segments.length} segments`);
  for (const s of segments) {
    assert.equal(cm.code[s.pc], Op.icount);
    assert.equal(s.ops.length, s.weight, `segment at ${s.pc}`);
    assert.ok(!s.ops.includes(Op.icount));
  }
});

Deno.test("buildProfile() multiplies segment counts into op and pair counts", () => {
  const segments = [
    { pc: 0, weight: 2, ops: [Op.i32_add, Op.i32_xor] },
    { pc: 4, weight: 1, ops: [Op.i32_add] },
  ];
  const p = buildProfile(segments, new Float64Array([10, 3]), 23);
  assert.equal(p.reconstructed, 23);
  assert.equal(p.ops.get("i32_add"), 13);
  assert.equal(p.ops.get("i32_xor"), 10);
  assert.equal(p.pairs.get("i32_add i32_xor"), 10);
  assert.equal(p.pairs.size, 1);
  assert.deepEqual(topEntries(p.ops, 1), [["i32_add", 13]]);
});

Deno.test("segmentCounts() isolates each segment and restores the code", () => {
  const code = new Int32Array([Op.icount, 5, Op.icount, 7]);
  const segments = [
    { pc: 0, weight: 5, ops: [] },
    { pc: 2, weight: 7, ops: [] },
  ];
  let counter = 0;
  // A fake run: segment 0 executes 4 times, segment 1 executes 9 times.
  const run = () => {
    counter += 4 * code[1] + 9 * code[3];
  };
  const counts = segmentCounts(code, segments, run, () => counter);
  assert.deepEqual([...counts], [4, 9]);
  assert.deepEqual([...code], [Op.icount, 5, Op.icount, 7]);
});

Deno.test("meanShares() weighs every kernel equally", () => {
  const p = (ops: [string, number][]) => ({
    total: 0,
    reconstructed: 0,
    ops: new Map(ops),
    pairs: new Map(),
  });
  const shares = meanShares([p([["a", 900], ["b", 100]]), p([["b", 1]])], "ops");
  assert.deepEqual(shares.map(([k]) => k), ["b", "a"]);
  assert.ok(Math.abs(shares[0][1] - 0.55) < 1e-12);
});

const capstan = await capstanEngine();

Deno.test({
  name: "profileKernel() reconstructs the VM counter's total for loop_wat",
  ignore: capstan.unavailable !== null,
  async fn() {
    const runtime = await import("@capstan/runtime");
    const n = 1000;
    const { instance } = await WebAssembly.instantiate(loopWat.bytes as Uint8Array<ArrayBuffer>);
    const expect = (instance.exports.run as (n: number) => number)(n) >>> 0;
    const p = profileKernel(runtime, loopWat.bytes, n, expect);
    assert.ok(p.total > n, `total ${p.total}`);
    assert.equal(p.reconstructed, p.total);
  },
});
