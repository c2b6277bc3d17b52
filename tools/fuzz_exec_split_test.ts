/**
 * Random programs agree across the engines when the JS tier splits every
 * function into parts (`codegen/_js_split.ts`, its sizes lowered so that the
 * fuzzer's small functions are split as a large one is): results, traps
 * with their offsets, memory, globals and fuel, on the JS tier and on the
 * auto strategy (which enters split functions at their loops).
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat, translateModule } from "@capstan/environ";
import { compileJsModule, setSplitSizes } from "@capstan/codegen";
import { formatSummary, fuzzExec } from "./fuzz_exec.ts";
import { genExec, Rng } from "./exec_programs.ts";

Deno.test("500 random programs agree on every engine with each JS function split into parts", async () => {
  const before = setSplitSizes(0, 300);
  try {
    // the programs' functions are split, in several parts
    const source = compileJsModule(translateModule(parseWat(genExec(new Rng(50_001))))).source;
    assert.match(source, /const P1 = \(J\) => \{/);
    const s = await fuzzExec({ seed: 50_001, count: 500, fuelEvery: 4 });
    const first = s.disagreements[0];
    assert.equal(
      s.disagreements.length,
      0,
      first && `seed ${first.seed}: ${first.detail}\n${first.wat}`,
    );
    assert.ok(s.returned > s.calls / 4, formatSummary(s));
  } finally {
    setSplitSizes(before.from, before.part, before.maxPart);
  }
});
