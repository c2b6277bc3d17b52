import assert from "node:assert/strict";
import { jsApiEngine } from "./js_api_engine.ts";
import { messageMatches, runScript, type WastScript } from "./wast_runner.ts";

const native = jsApiEngine(WebAssembly, { name: "native", checksMessages: false });
const messages = jsApiEngine(WebAssembly, { name: "strict", checksMessages: true });
const dir = new URL("./testdata/runner", import.meta.url).pathname;

async function loadRunnerScript(): Promise<WastScript> {
  return JSON.parse(await Deno.readTextFile(`${dir}/runner.json`));
}

Deno.test("runScript() passes the right assertions and fails the two wrong ones", async () => {
  const result = await runScript("runner", await loadRunnerScript(), { engine: native, dir });
  assert.deepEqual(result.failures.map((f) => f.line), [22, 24]);
  assert.match(result.failures[0].reason, /expected i32:4, got i32:3/);
  assert.match(result.failures[1].reason, /expected trap "integer divide by zero", got i32:1/);
  assert.equal(result.failed, 2);
  assert.equal(result.passed, 17);
  assert.equal(result.skipped, 2);
  assert.deepEqual([...result.skipReasons.keys()].sort(), [
    "native: v128 cannot cross the JS-API boundary",
    "text module: the text format is not available",
  ]);
});

Deno.test("runScript() runs text modules through a text format when given one", async () => {
  const seen: string[] = [];
  const result = await runScript("runner", await loadRunnerScript(), {
    engine: native,
    dir,
    textFormat: {
      parseWat(source) {
        seen.push(source);
        throw new Error("unexpected token");
      },
      parseWast: () => ({ commands: [] }),
    },
  });
  assert.equal(seen.length, 1);
  assert.equal(result.skipped, 1, "only the v128 call is left to skip");
  assert.equal(result.passed, 18);
});

Deno.test("runScript() checks failure messages only when the engine words them as the spec", async () => {
  const bytes = await Deno.readFile(`${dir}/runner.5.wasm`);
  const script: WastScript = {
    commands: [
      { type: "assert_unlinkable", line: 1, bytes, text: "unknown import" },
      {
        type: "assert_malformed",
        line: 2,
        module_type: "text",
        error: "bad token",
        text: "unexpected token",
      },
    ],
  };
  const loose = await runScript("s", script, { engine: native });
  assert.equal(loose.passed, 2);
  const strict = await runScript("s", script, { engine: messages });
  assert.equal(strict.failed, 2, "V8's wording and the parse error differ from the spec text");
  assert.match(strict.failures[1].reason, /expected malformed "unexpected token", got "bad token"/);
});

Deno.test("runScript() fails the commands that use a module that failed to instantiate", async () => {
  const bytes = await Deno.readFile(`${dir}/runner.5.wasm`);
  const script: WastScript = {
    commands: [
      { type: "module", line: 1, bytes },
      {
        type: "assert_return",
        line: 2,
        action: { type: "invoke", field: "f", args: [] },
        expected: [],
      },
    ],
  };
  const result = await runScript("s", script, { engine: native });
  assert.equal(result.failed, 2);
  assert.match(result.failures[0].reason, /module failed \(link\)/);
  assert.match(result.failures[1].reason, /no module/);
});

Deno.test("runScript() counts an unknown command as failed, not passed", async () => {
  const result = await runScript("s", { commands: [{ type: "assert_nothing", line: 3 }] }, {
    engine: native,
  });
  assert.equal(result.failed, 1);
  assert.equal(result.passed, 0);
});

Deno.test("runScript() runs assert_suspension, which a trap does not satisfy", async () => {
  // (module (func (export "f") unreachable))
  const bytes = new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    1,
    4,
    1,
    0x60,
    0,
    0,
    3,
    2,
    1,
    0,
    7,
    5,
    1,
    1,
    0x66,
    0,
    0,
    0x0a,
    5,
    1,
    3,
    0,
    0,
    0x0b,
  ]);
  const script: WastScript = {
    commands: [
      { type: "module", line: 1, bytes },
      {
        type: "assert_suspension",
        line: 2,
        action: { type: "invoke", field: "f", args: [] },
        text: "unhandled",
        expected: [],
      },
    ],
  };
  const result = await runScript("s", script, { engine: native });
  assert.equal(result.passed, 1);
  assert.match(result.failures[0].reason, /^expected suspension "unhandled", got trap/);
});

Deno.test("messageMatches() accepts the text, or the text without a trailing index", () => {
  assert.ok(messageMatches("wasm trap: integer divide by zero", "integer divide by zero"));
  assert.ok(messageMatches("uninitialized element", "uninitialized element 2"));
  assert.ok(messageMatches("unknown global 1 (at offset 0x20)", "unknown global 1"));
  assert.ok(!messageMatches("uninitialized element", "undefined element"));
  assert.ok(!messageMatches("type mismatch", "unknown global 1"));
});

Deno.test("runScript() instantiates a module definition once per module instance", async () => {
  const { parseWast } = await import("@capstan/environ");
  const script = parseWast(`
    (module definition $M (global (export "g") (mut i32) (i32.const 0))
      (func (export "bump") (result i32)
        (global.set 0 (i32.add (global.get 0) (i32.const 1))) (global.get 0)))
    (module instance $I1 $M)
    (module instance $I2 $M)
    (assert_return (invoke $I1 "bump") (i32.const 1))
    (assert_return (invoke $I1 "bump") (i32.const 2))
    (assert_return (invoke $I2 "bump") (i32.const 1))
    (module instance $M)
    (assert_return (invoke "bump") (i32.const 1))
    (module definition (memory 65536))`);
  assert.deepEqual(script.commands.map((c) => c.type), [
    "module",
    "module_instance",
    "module_instance",
    "assert_return",
    "assert_return",
    "assert_return",
    "module_instance",
    "assert_return",
    "module",
  ]);
  const result = await runScript("definitions", script, { engine: native });
  assert.deepEqual(result.failures, []);
  assert.equal(result.passed, 9);
});

Deno.test("runScript() compiles a module definition without instantiating it", async () => {
  // runner.5.wasm imports what no script defines: instantiating it fails to link
  const bytes = await Deno.readFile(`${dir}/runner.5.wasm`);
  const invalid = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 1]); // a cut-off section
  const script: WastScript = {
    commands: [
      { type: "module", line: 1, bytes, definition: true },
      { type: "module", line: 2, bytes: invalid, definition: true },
    ],
  };
  const result = await runScript("s", script, { engine: native });
  assert.equal(result.passed, 1);
  assert.equal(result.failed, 1);
  assert.equal(result.failures[0].line, 2);
});
