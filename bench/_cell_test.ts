/**
 * Tests of the timed cell: the warm-up and repeat policy of `measureRun`,
 * and `executeCell` (in-process and in a child process) returning the
 * kernel's real result for every call mode.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type CellSpec, executeCell, executeCellIsolated, measureRun } from "./_cell.ts";
import { nativeEngine, polywasmEngine } from "./_engines.ts";
import { loadKernels } from "./_kernels.ts";
import { hostStep } from "./_micro.ts";
import { isUnsupported } from "./_bench_util.ts";

Deno.test("measureRun() warms up at least three times and times exactly `repeat` fast runs", () => {
  let warm = 0;
  let timed = 0;
  const ms = measureRun(() => warm++, () => timed++, 4, "wall");
  assert.ok(warm >= 3, `warm-up calls: ${warm}`);
  assert.equal(timed, 4);
  assert.ok(ms >= 0 && ms < 1000);
});

Deno.test("executeCell() returns the kernel's checksum on native and polywasm", () => {
  const fib = loadKernels().find((k) => k.name === "fib")!;
  const want = nativeEngine().instantiate(fib.bytes).run(fib.quickN);
  const engines = [nativeEngine(), polywasmEngine()];
  for (const engine of ["native", "polywasm"]) {
    const spec = { engine, target: "corpus:fib", mode: "run", n: fib.quickN, warmN: 5 } as const;
    const r = executeCell(engines, spec, 2);
    assert.equal(r.got, want, engine);
    assert.ok(r.ms !== undefined && r.ms >= 0);
  }
});

Deno.test("executeCell() jscall mode calls the export step n times from JS", () => {
  let x = 0;
  for (let i = 0; i < 500; i++) x = hostStep(x, i);
  const spec: CellSpec = {
    engine: "native",
    target: "micro:js_call",
    mode: "jscall",
    n: 500,
    warmN: 10,
  };
  const r = executeCell([nativeEngine()], spec, 1);
  assert.equal(r.got, x >>> 0);
});

Deno.test("executeCellIsolated() runs the cell in a child process and reports errors", () => {
  const spec: CellSpec = {
    engine: "native",
    target: "corpus:loop_wat",
    mode: "run",
    n: 100,
    warmN: 10,
  };
  const loop = loadKernels().find((k) => k.name === "loop_wat")!;
  const r = executeCellIsolated(spec, 1, "cpu");
  assert.equal(r.got, nativeEngine().instantiate(loop.bytes).run(100));
  const bad = executeCellIsolated({ ...spec, target: "corpus:nope" }, 1);
  assert.match(bad.error ?? "", /unknown kernel nope/);
});

Deno.test("executeCell() runs a SIMD kernel on native; polywasm's SIMD failure is unsupported", () => {
  const spec: CellSpec = {
    engine: "native",
    target: "micro:simd_dot",
    mode: "run",
    n: 2,
    warmN: 1,
  };
  const bytes = Deno.readFileSync(new URL("./kernels/simd_dot.wasm", import.meta.url));
  const want = nativeEngine().instantiate(bytes).run(2);
  assert.equal(executeCell([nativeEngine()], spec, 1).got, want);
  assert.throws(
    () => executeCell([polywasmEngine()], { ...spec, engine: "polywasm" }, 1),
    (e) => isUnsupported(e),
  );
});
