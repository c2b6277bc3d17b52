/**
 * The WebAssembly 3.0 test suite (`tests/inputs.ts` says where it is found)
 * and the stack-switching scripts, run through the `.wast` path of the wast
 * runner, file by file.
 *
 * - On Capstan's runtime API, plain and with fuel and epochs on (the metered
 *   dispatch loop), on the interpreter and on the JS tier: every file's result must equal the one recorded in
 *   `testdata/testsuite_expectations.json` (counts, and each failure's line,
 *   command and reason), and every file that does not fully pass must name the
 *   feature it waits for in `WAITS_FOR` (`tests/testsuite_status.ts`). A drop anywhere fails; so
 *   does an improvement until it is re-recorded, so the record stays true.
 * - On Capstan's `WebAssembly` facade and on the host's native `WebAssembly`
 *   (which proves the runner itself): no failure beyond the recorded ones.
 *   These two are not exact, because signalling NaNs crossing the JS API as
 *   numbers are quieted or not depending on V8's tier.
 *
 * After a deliberate change, re-record with
 * `CAPSTAN_BLESS=1 deno test -A cli/testsuite_test.ts` and review the diff.
 *
 * @module
 */

import assert from "node:assert/strict";
import { createWebAssembly } from "@capstan/runtime/webassembly";
import { Engine } from "@capstan/runtime";
import { loadTextFormat } from "./_engines.ts";
import { capstanEngine } from "./capstan_engine.ts";
import { jsApiEngine } from "./js_api_engine.ts";
import { runScript, type ScriptResult, type WastScript } from "./wast_runner.ts";
import type { WastEngine } from "./wast_engine.ts";
import { ExternRefs } from "./wast_values.ts";
import { STACK_SWITCHING_DIR, testsuiteDir, wastFiles } from "../tests/inputs.ts";
import { WAITS_FOR } from "../tests/testsuite_status.ts";

/** The scripts, keyed by their path under the suite (stack switching under `stack-switching/`). */
async function loadScripts(): Promise<Map<string, WastScript>> {
  const textFormat = await loadTextFormat();
  assert.ok(textFormat, "@capstan/environ exports parseWat and parseWast");
  const scripts = new Map<string, WastScript>();
  const roots: [string, string][] = [["", testsuiteDir()], [
    "stack-switching/",
    STACK_SWITCHING_DIR,
  ]];
  for (const [prefix, dir] of roots) {
    for (const rel of wastFiles(dir)) {
      const source = await Deno.readTextFile(`${dir}/${rel}`);
      scripts.set(prefix + rel, textFormat.parseWast(source));
    }
  }
  return scripts;
}

let cached: Promise<Map<string, WastScript>> | undefined;
const scripts = () => cached ??= loadScripts();

async function runAll(engine: WastEngine): Promise<Map<string, ScriptResult>> {
  const textFormat = await loadTextFormat();
  const externs = new ExternRefs();
  const results = new Map<string, ScriptResult>();
  for (const [name, script] of await scripts()) {
    // The stack-switching and custom-page-sizes scripts run with their proposal on (each
    // off by default, as in wasmtime).
    const features = {
      stackSwitching: name.startsWith("stack-switching/"),
      customPageSizes: name.startsWith("proposals/custom-page-sizes/"),
    };
    results.set(name, await runScript(name, script, { engine, externs, textFormat, features }));
  }
  return results;
}

const EXPECTATIONS = new URL("./testdata/testsuite_expectations.json", import.meta.url).pathname;
const BLESS = Deno.env.get("CAPSTAN_BLESS") === "1";

/** What one script did on one engine, as recorded. */
interface Recorded {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

function record(result: ScriptResult): Recorded {
  return {
    passed: result.passed,
    failed: result.failed,
    skipped: result.skipped,
    failures: result.failures.map((f) => `line ${f.line}: ${f.command}: ${f.reason}`),
  };
}

async function readRecord(): Promise<Record<string, Record<string, Recorded>>> {
  return await Deno.readTextFile(EXPECTATIONS).then(JSON.parse, () => ({}));
}

/**
 * Runs the suite on an engine and compares with the record: exactly, or
 * allowing fewer failures (each remaining one recorded).
 */
async function checkAgainstRecord(
  recordName: string,
  engine: WastEngine,
  exact: boolean,
): Promise<Record<string, Recorded>> {
  const actual: Record<string, Recorded> = {};
  for (const [name, result] of await runAll(engine)) actual[name] = record(result);
  if (BLESS) {
    const all = await readRecord();
    all[recordName] = actual;
    await Deno.writeTextFile(EXPECTATIONS, JSON.stringify(all, null, 1) + "\n");
    return actual;
  }
  const expected = (await readRecord())[recordName];
  assert.ok(expected, `no recorded results for ${recordName}: run with CAPSTAN_BLESS=1`);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), "the files");
  for (const name of Object.keys(actual)) {
    const now = actual[name], then = expected[name];
    if (exact) {
      assert.deepEqual(
        now,
        then,
        `${recordName}: ${name} differs from the record (if it improved, re-record: CAPSTAN_BLESS=1)`,
      );
      continue;
    }
    const count = (r: Recorded) => r.passed + r.failed + r.skipped;
    assert.equal(count(now), count(then), `${recordName}: ${name}: the script changed`);
    const known = new Set(then.failures);
    assert.deepEqual(
      now.failures.filter((f) => !known.has(f)),
      [],
      `${recordName}: ${name}: failures not in the record`,
    );
  }
  return actual;
}

Deno.test("the test suite on Capstan's runtime gives exactly the recorded results", async () => {
  const results = await checkAgainstRecord("capstan", capstanEngine(), true);
  const failing = Object.keys(results).filter((n) => results[n].failed > 0).sort();
  assert.deepEqual(
    failing,
    Object.keys(WAITS_FOR).sort(),
    "every file that does not fully pass, and only those, names the feature it waits for",
  );
  for (const r of Object.values(results)) assert.equal(r.skipped, 0, "nothing is skipped");
});

Deno.test("the test suite with fuel and epochs on (the metered dispatch loop) gives the same results", async () => {
  await checkAgainstRecord(
    "capstan",
    capstanEngine({ engine: new Engine({ consumeFuel: true, epochInterruption: true }) }),
    true,
  );
});

Deno.test("the test suite on Capstan's WebAssembly facade fails nothing beyond the record", async () => {
  await checkAgainstRecord(
    "facade",
    jsApiEngine(
      (features) => createWebAssembly({ engine: new Engine({ ...features }) }),
      { name: "facade", checksMessages: true },
    ),
    false,
  );
});

Deno.test("the test suite on native WebAssembly (the runner's own check) fails nothing beyond the record", async () => {
  await checkAgainstRecord(
    "native",
    jsApiEngine(WebAssembly, { name: "native", checksMessages: false }),
    false,
  );
});

Deno.test('the test suite on the JS tier (strategy "js") gives exactly the interpreter\'s results', async () => {
  await checkAgainstRecord(
    "capstan",
    capstanEngine({ engine: new Engine({ strategy: "js" }) }),
    true,
  );
});

Deno.test("the test suite on the JS tier with fuel and epochs on gives the same results", async () => {
  await checkAgainstRecord(
    "capstan",
    capstanEngine({
      engine: new Engine({ strategy: "js", consumeFuel: true, epochInterruption: true }),
    }),
    true,
  );
});

Deno.test('the test suite with strategy "auto" promoting at once gives exactly the interpreter\'s results', async () => {
  // every function promoted at its first call or loop back edge: calls cross tiers both ways
  await checkAgainstRecord(
    "capstan",
    capstanEngine({
      engine: new Engine({ strategy: "auto", tierUp: { samples: 1, sliceSteps: 0 } }),
    }),
    true,
  );
});

Deno.test('the test suite with strategy "auto" promoting every function at instantiation, with fuel and epochs', async () => {
  await checkAgainstRecord(
    "capstan",
    capstanEngine({
      engine: new Engine({
        strategy: "auto",
        tierUp: { samples: 0 },
        consumeFuel: true,
        epochInterruption: true,
      }),
    }),
    true,
  );
});
