import assert from "node:assert/strict";
import { capstan } from "./_subprocess_test_util.ts";

const RUNNER_JSON = new URL("./testdata/runner/runner.json", import.meta.url).pathname;

Deno.test("capstan wast prints a line per script and the totals, and exits 1 on failures", async () => {
  const { code, stdout } = await capstan(["wast", "--engine", "native", RUNNER_JSON]);
  const lines = stdout.trimEnd().split("\n");
  assert.equal(lines.length, 2);
  // The text module is skipped only while the text format is unavailable.
  const match = /^(\d+) passed, 2 failed, (\d+) skipped$/.exec(lines[1]);
  assert.ok(match, lines[1]);
  assert.equal(Number(match[1]) + Number(match[2]), 19);
  assert.ok(Number(match[2]) === 1 || Number(match[2]) === 2);
  assert.equal(lines[0], `${RUNNER_JSON}: ${lines[1]}`);
  assert.equal(code, 1);
});

Deno.test("capstan wast --verbose lists each failure with its line and reason", async () => {
  const { stdout } = await capstan(["wast", "--engine=native", "--verbose", RUNNER_JSON]);
  assert.match(
    stdout,
    /line 22: assert_return invoke \$m "add"\(i32:1, i32:2\): expected i32:4, got i32:3/,
  );
  assert.match(stdout, /skipped 1: native: v128 cannot cross the JS-API boundary/);
});

Deno.test("capstan wast --filter runs only matching scripts and exits 0 when none fail", async () => {
  const { code, stdout } = await capstan([
    "wast",
    "--engine",
    "native",
    "--filter",
    "nomatch",
    RUNNER_JSON,
  ]);
  assert.equal(stdout, "0 passed, 0 failed, 0 skipped\n");
  assert.equal(code, 0);
});

Deno.test("capstan wast with no scripts is a usage error (exit 2)", async () => {
  const { code, stderr } = await capstan(["wast"]);
  assert.equal(code, 2);
  assert.match(stderr, /error: no script files or directories given/);
  assert.match(stderr, /Usage: capstan wast/);
});

Deno.test("capstan with an unknown option or command exits 2 and says what was wrong", async () => {
  const option = await capstan(["wast", "--bogus", RUNNER_JSON]);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /--bogus/);
  const command = await capstan(["frobnicate"]);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /unknown command "frobnicate"/);
});

Deno.test("capstan wast --help prints the usage and exits 0", async () => {
  const { code, stdout } = await capstan(["wast", "--help"]);
  assert.equal(code, 0);
  assert.match(stdout, /^Usage: capstan wast/);
});

Deno.test("capstan wast turns stack switching on for the stack-switching scripts; -W overrides", async () => {
  const script = new URL("../tests/stack-switching/validation_gc.wast", import.meta.url).pathname;
  const on = await capstan(["wast", script]);
  assert.equal(on.stdout.trimEnd().split("\n").at(-1), "12 passed, 0 failed, 0 skipped");
  assert.equal(on.code, 0);
  const off = await capstan(["wast", "-W", "stack-switching=n", "--verbose", script]);
  assert.match(off.stdout, /stack switching support is not enabled/);
  assert.equal(off.code, 1);
  const dir = await Deno.makeTempDir();
  try {
    const copy = `${dir}/tags.wast`;
    await Deno.writeTextFile(copy, `(module (tag (param i32) (result i32)))`);
    assert.equal((await capstan(["wast", copy])).code, 1, "off outside stack-switching/");
    assert.equal((await capstan(["wast", "--stack-switching", copy])).code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
