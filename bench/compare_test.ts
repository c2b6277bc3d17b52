/**
 * Tests of `compare.ts`'s pieces that need no measurement: flag parsing,
 * outcome formatting, and how a {@link Comparison} counts failures (only
 * native's and Capstan's, never polywasm's).
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseCompareArgs } from "./compare.ts";
import { type CompareOptions, Comparison } from "./_comparison.ts";
import { median, outcomeMs, outcomeText, perCallText, rangeText } from "./_compare_outcome.ts";
import { nativeEngine, polywasmEngine, unavailableEngine } from "./_engines.ts";

Deno.test("parseCompareArgs() reads the flags and derives isolation", () => {
  const o = parseCompareArgs(["--repeat", "3", "--kernels", "fib, loop", "--no-extras"]);
  assert.notEqual(o, "help");
  const options = o as CompareOptions;
  assert.equal(options.repeat, 3);
  assert.deepEqual(options.only, ["fib", "loop"]);
  assert.equal(options.extras, false);
  assert.equal(options.isolate, !options.quick);
  assert.equal((parseCompareArgs(["--quick"]) as CompareOptions).isolate, false);
  assert.equal((parseCompareArgs(["--in-process"]) as CompareOptions).isolate, false);
  assert.equal((parseCompareArgs(["--wall"]) as CompareOptions).clock, "wall");
  assert.equal(parseCompareArgs(["--help"]), "help");
});

Deno.test("outcome helpers format times, n/a and WRONG", () => {
  assert.equal(outcomeText({ kind: "ok", ms: 1.5 }), "1.50");
  assert.equal(outcomeText({ kind: "na", why: "x" }), "n/a");
  assert.equal(outcomeText({ kind: "bad", why: "x" }), "WRONG");
  assert.equal(outcomeMs({ kind: "bad", why: "x" }), null);
  assert.equal(rangeText({ kind: "ok", ms: 2, range: [1, 3] }), "1.00–3.00");
  assert.equal(rangeText({ kind: "ok", ms: 2 }), "");
  assert.deepEqual(perCallText([{ kind: "ok", ms: 1 }, { kind: "na", why: "" }], 1e6), [
    "1.00",
    "n/a",
  ]);
  assert.equal(median([5, 1, 3]), 3);
  assert.equal(median([4, 1, 3, 2]), 2);
});

Deno.test("Comparison counts bad outcomes of native and Capstan, not polywasm's", () => {
  const capstan = unavailableEngine("capstan", "not loaded");
  const run = new Comparison(
    parseCompareArgs(["--quick"]) as CompareOptions,
    [nativeEngine(), capstan, polywasmEngine()],
  );
  const errors: unknown[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(" "));
  try {
    run.note(run.engines[2], "k", { kind: "bad", why: "x" });
    assert.equal(run.failures, 0);
    run.note(run.native, "k", { kind: "na", why: "x" });
    assert.equal(run.failures, 0);
    run.note(run.native, "k", { kind: "bad", why: "x" });
    assert.equal(run.failures, 1);
  } finally {
    console.error = error;
  }
  assert.deepEqual(errors, ["warning: polywasm k: x", "FAIL native k: x"]);
  const cell = run.timeCell(
    { engine: "capstan", target: "corpus:fib", mode: "run", n: 1, warmN: 1 },
    0,
  );
  assert.deepEqual(cell, { kind: "na", why: "not loaded" });
});
