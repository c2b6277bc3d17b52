/**
 * Tests of `check_layers.ts`: the repository is clean, the layer table points
 * one way, and each rule catches its violation in a small workspace built in
 * a temporary directory (a test importing a member above its own, a source
 * file importing the test-support member, bench and tools importing members
 * by relative path or a member's private file).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  ALLOWED,
  checkLayers,
  describeViolation,
  isTestFile,
  type LayerViolation,
  TEST_SUPPORT,
} from "./check_layers.ts";

Deno.test("checkLayers() finds no forbidden import in the repository", async () => {
  const { violations, missing } = await checkLayers();
  assert.deepEqual(missing, [], "every member has a mod.ts");
  assert.deepEqual(violations.map(describeViolation), []);
});

Deno.test("ALLOWED points one way: no member is allowed to import one that may import it", () => {
  for (const [member, deps] of Object.entries(ALLOWED)) {
    for (const dep of deps) {
      assert.ok(!ALLOWED[dep].includes(member), `${member} <-> ${dep} would be a cycle`);
    }
  }
  for (const deps of Object.values(TEST_SUPPORT)) {
    for (const dep of deps) assert.ok(dep in ALLOWED, `test support imports member ${dep}`);
  }
});

Deno.test("isTestFile() knows tests and test helpers", () => {
  assert.ok(isTestFile("codegen/simd_test.ts"));
  assert.ok(isTestFile("codegen/_test_harness.ts"));
  assert.ok(isTestFile("cli/_subprocess_test_util.ts"));
  assert.ok(!isTestFile("cli/spectest.ts"));
  assert.ok(!isTestFile("runtime/webassembly.ts"));
});

/** A member's `deno.json` exporting `mod.ts`. */
function memberConfig(name: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ name: `@capstan/${name}`, exports: { ".": "./mod.ts" }, ...extra });
}

/** Writes `files` (path → text) under a new temporary directory and returns its URL. */
function workspace(files: Record<string, string>): URL {
  const root = new URL(`file://${Deno.makeTempDirSync({ prefix: "check_layers_test_" })}/`);
  for (const [path, text] of Object.entries(files)) {
    const url = new URL(path, root);
    Deno.mkdirSync(new URL("./", url), { recursive: true });
    Deno.writeTextFileSync(url, text);
  }
  return root;
}

Deno.test("checkLayers() catches each rule's violation in tests, bench and tools", async () => {
  const members = ["environ", "interpreter", "codegen", "runtime", "wasi", "cli"];
  const files: Record<string, string> = {
    "deno.json": JSON.stringify({ workspace: [...members, "testing"].map((m) => `./${m}`) }),
    "testing/deno.json": JSON.stringify({
      name: "@capstan/testing",
      exports: { "./simd": "./simd.ts" },
    }),
    "testing/simd.ts": 'import "@capstan/environ";\nexport const SIMD = 1;\n',
    "environ/_private.ts": "export const P = 1;\n",
    // Allowed: a test of codegen importing a member below it and the test support.
    "codegen/ok_test.ts": 'import "@capstan/interpreter";\nimport "@capstan/testing/simd";\n',
    // layer: a test of codegen importing runtime, which codegen may not import.
    "codegen/up_test.ts": 'import "@capstan/runtime";\n',
    // layer: a source file (not a test) importing the test support.
    "interpreter/vm.ts": 'import "@capstan/testing/simd";\n',
    // private: a test importing another member's private file by relative path.
    "interpreter/private_test.ts": 'import "../environ/_private.ts";\n',
    // exports: bench importing a member by relative path, not by its name.
    "bench/compare.ts": 'import "../runtime/mod.ts";\n',
    // private: tools importing a member's private file.
    "tools/tool.ts": 'import "../environ/_private.ts";\n',
    // Allowed: tools importing a member through its exports.
    "tools/ok.ts": 'import "@capstan/cli";\n',
  };
  for (const m of members) {
    files[`${m}/deno.json`] = memberConfig(m);
    files[`${m}/mod.ts`] = "export {};\n";
  }
  const root = workspace(files);
  try {
    const { violations, missing } = await checkLayers(root);
    assert.deepEqual(missing, []);
    const found = (v: LayerViolation) => `${v.rule} ${v.from} -> ${v.module}`;
    assert.deepEqual(violations.map(found).sort(), [
      "exports bench/compare.ts -> runtime/mod.ts",
      "layer codegen/up_test.ts -> runtime/mod.ts",
      "layer interpreter/vm.ts -> testing/simd.ts",
      "private interpreter/private_test.ts -> environ/_private.ts",
      "private tools/tool.ts -> environ/_private.ts",
    ]);
    const up = violations.find((v) => v.from === "codegen/up_test.ts")!;
    assert.match(describeViolation(up), /codegen tests must not import runtime/);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
