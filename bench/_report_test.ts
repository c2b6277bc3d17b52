/**
 * Tests of the comparison harness's pure formatting: ratios, geometric
 * means, number formatting, Markdown tables, and keeping BENCHMARKS.md's
 * History section.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  fmtNum,
  fmtRatio,
  geomean,
  HISTORY_HEADING,
  machineInfo,
  markdownTable,
  mergeBenchmarksMd,
  ratio,
} from "./_report.ts";

Deno.test("ratio() divides present values and is null when either is missing", () => {
  assert.equal(ratio(30, 10), 3);
  assert.equal(ratio(null, 10), null);
  assert.equal(ratio(10, null), null);
  assert.equal(ratio(10, 0), null);
});

Deno.test("geomean() skips missing values and counts the ones it used", () => {
  const g = geomean([1, 100, null, 10]);
  assert.ok(Math.abs(g.mean! - 10) < 1e-9, String(g.mean));
  assert.equal(g.count, 3);
  assert.deepEqual(geomean([null, null]), { mean: null, count: 0 });
});

Deno.test("fmtNum() keeps three significant digits and prints n/a for null", () => {
  assert.equal(fmtNum(1.23456), "1.23");
  assert.equal(fmtNum(0.0123456), "0.0123");
  assert.equal(fmtNum(123.456), "123");
  assert.equal(fmtNum(123456.7), "123,457");
  assert.equal(fmtNum(null), "n/a");
  assert.equal(fmtNum(Number.NaN), "n/a");
  assert.equal(fmtRatio(12.345), "12.3x");
  assert.equal(fmtRatio(null), "n/a");
});

Deno.test("markdownTable() right-aligns numeric columns and left-aligns text", () => {
  const table = markdownTable(["name", "ms", "ratio"], [
    ["fib", "1.20", "3.00x"],
    ["loop", "n/a", "n/a"],
    ["**geomean**", "", "2.00x (1)"],
  ]);
  const lines = table.trimEnd().split("\n");
  assert.equal(lines[0], "| name | ms | ratio |");
  assert.equal(lines[1], "| --- | ---: | ---: |");
  assert.equal(lines[3], "| loop | n/a | n/a |");
  assert.equal(lines.length, 5);
});

Deno.test("mergeBenchmarksMd() keeps the old History section verbatim", () => {
  const old = "# Old\n\nold table\n\n## History\n\n- 2026-01-01 abc: before 10x, after 8x\n";
  const merged = mergeBenchmarksMd("# New\n\nnew table\n", old);
  assert.ok(merged.startsWith("# New\n\nnew table\n"));
  assert.ok(!merged.includes("old table"));
  assert.ok(merged.endsWith("## History\n\n- 2026-01-01 abc: before 10x, after 8x\n"));
});

Deno.test("mergeBenchmarksMd() starts an empty History section for a new file", () => {
  const merged = mergeBenchmarksMd("# New\n", null);
  assert.ok(merged.includes(`\n${HISTORY_HEADING}\n`));
  assert.equal(merged.split(HISTORY_HEADING).length, 2);
});

Deno.test("machineInfo() names the Deno and V8 versions and a core count", () => {
  const m = machineInfo();
  assert.equal(m.deno, Deno.version.deno);
  assert.equal(m.v8, Deno.version.v8);
  assert.ok(m.cores >= 1);
});
