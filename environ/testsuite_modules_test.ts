/**
 * Every binary module of the WebAssembly test suite (`tests/inputs.ts` says
 * where it is found), as the text format encodes it, against environ's
 * decoder and validator: whatever the verdict, `validate()` must agree with
 * `translateModule()`, and every rejection must be a {@link CompileError}
 * that says `<reason> (at offset 0x..)` with the offset inside the module.
 *
 * Whether each verdict is the one the script expects is the wast runner's
 * business (`cli/testsuite_test.ts`, asserted per file); here it is only
 * counted, and printed.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError, parseWast, translateModule, validate } from "./mod.ts";
import { testsuiteDir, wastFiles } from "../tests/inputs.ts";

/** One module of a script, with what the script expects of it. */
interface Case {
  readonly key: string;
  readonly expect: "accept" | "reject";
  readonly bytes: Uint8Array;
}

function loadCases(): Case[] {
  const dir = testsuiteDir();
  const cases: Case[] = [];
  for (const file of wastFiles(dir)) {
    const script = parseWast(Deno.readTextFileSync(`${dir}/${file}`), file, { keepGoing: true });
    for (const c of script.commands) {
      if (c.type === "unread" || c.type === "register" || !("bytes" in c) || !c.bytes) continue;
      if ("module_type" in c && c.module_type === "text") continue;
      const expect = c.type === "assert_malformed" || c.type === "assert_invalid"
        ? "reject"
        : "accept";
      cases.push({ key: `${file}:${c.line}`, expect, bytes: c.bytes });
    }
  }
  return cases;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

const cases = loadCases();

Deno.test("validate() agrees with translateModule() on every module of the test suite", () => {
  const disagree: string[] = [];
  for (const c of cases) {
    let accepted = false;
    try {
      translateModule(c.bytes);
      accepted = true;
    } catch { /* a rejection; its kind is checked below */ }
    let v: boolean | string;
    try {
      v = validate(c.bytes);
    } catch (e) {
      v = `validate() threw ${describe(e)}`;
    }
    if (v !== accepted) disagree.push(`${c.key}: validate() = ${v}, translateModule() ${accepted}`);
  }
  assert.ok(cases.length > 5000, `only ${cases.length} modules found`);
  assert.deepEqual(disagree, []);
});

Deno.test("every rejection of a test-suite module is a CompileError `<reason> (at offset 0x..)`", () => {
  const bad: string[] = [];
  let right = 0;
  for (const c of cases) {
    let error: unknown;
    try {
      translateModule(c.bytes);
      if (c.expect === "accept") right++;
      continue;
    } catch (e) {
      error = e;
    }
    if (c.expect === "reject") right++;
    if (!(error instanceof CompileError)) {
      bad.push(`${c.key}: threw a non-CompileError: ${describe(error)}`);
      continue;
    }
    const e = error;
    const wellFormed = e.reason.length > 0 &&
      e.message === `${e.reason} (at offset 0x${e.offset.toString(16)})` &&
      Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= c.bytes.length;
    if (!wellFormed) bad.push(`${c.key}: "${e.message}" (module of ${c.bytes.length} bytes)`);
  }
  console.log(
    `${right} of ${cases.length} test-suite modules get the verdict their script expects`,
  );
  assert.deepEqual(bad, []);
});
