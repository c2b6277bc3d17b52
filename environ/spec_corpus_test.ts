/**
 * The spec corpus against environ's decoder and validator: every binary
 * module of `shared/spec/json/` (wast2json output of the WebAssembly 2.0
 * testsuite) must be accepted when the script declares it (`module`, and the
 * modules of `assert_unlinkable` / `assert_uninstantiable`, which are valid),
 * and rejected with a `CompileError` when the script says `assert_malformed`
 * or `assert_invalid` with `module_type: "binary"`. `validate()` must agree
 * with `translateModule()` on each.
 *
 * Invariants:
 * - Pass counts are asserted exactly, per kind of command.
 * - Every failing case is in {@link EXPECTED_FAILURES} with its reason, and
 *   every entry there must still fail: a fixed case fails the test until its
 *   entry is removed, so the list stays honest.
 * - How many rejection reasons match the script's `text` (the reference
 *   interpreter's rule: the reason starts with the expected text) is printed,
 *   not asserted.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError, translateModule, validate } from "./mod.ts";

const SPEC_JSON = new URL("../../shared/spec/json/", import.meta.url);

/** What a case expects. */
type Expect = "accept" | "malformed" | "invalid";

/** Which group a case is counted in. */
type Group =
  | "module"
  | "assert_malformed"
  | "assert_invalid"
  | "assert_unlinkable_or_uninstantiable";

interface Case {
  /** `<script>/<file>.wasm`, unique. */
  readonly key: string;
  readonly line: number;
  readonly group: Group;
  readonly expect: Expect;
  /** The script's expected message, for rejections. */
  readonly text?: string;
  readonly bytes: Uint8Array;
}

interface Outcome {
  readonly pass: boolean;
  readonly detail: string;
  /** For a correct rejection: whether the reason matches the script's text. */
  readonly textMatch?: boolean;
  /** For a correct rejection: the error. */
  readonly error?: CompileError;
}

/**
 * Cases environ gets wrong today, keyed by `<script>/<file>.wasm`, each with why.
 * An entry that starts passing fails the test: delete it then.
 */
const EXPECTED_FAILURES: Readonly<Record<string, string>> = {};

/** Exact pass counts per group (total minus the expected failures of that group). */
const EXPECTED_PASS: Readonly<Record<Group, number>> = {
  module: 1595,
  assert_malformed: 736,
  assert_invalid: 2144,
  assert_unlinkable_or_uninstantiable: 117,
};

interface Command {
  type: string;
  line: number;
  filename?: string;
  module_type?: string;
  text?: string;
}

function loadCases(): Case[] {
  const cases: Case[] = [];
  const scripts = [...Deno.readDirSync(SPEC_JSON)].filter((e) => e.isDirectory).map((e) => e.name)
    .sort();
  for (const script of scripts) {
    const dir = new URL(`${script}/`, SPEC_JSON);
    const json = JSON.parse(Deno.readTextFileSync(new URL(`${script}.json`, dir)));
    for (const cmd of json.commands as Command[]) {
      let group: Group;
      let expect: Expect;
      if (cmd.type === "module") {
        group = "module";
        expect = "accept";
      } else if (cmd.type === "assert_malformed" && cmd.module_type === "binary") {
        group = "assert_malformed";
        expect = "malformed";
      } else if (cmd.type === "assert_invalid" && cmd.module_type === "binary") {
        group = "assert_invalid";
        expect = "invalid";
      } else if (
        (cmd.type === "assert_unlinkable" || cmd.type === "assert_uninstantiable") &&
        cmd.module_type === "binary"
      ) {
        group = "assert_unlinkable_or_uninstantiable";
        expect = "accept";
      } else continue;
      assert.ok(cmd.filename?.endsWith(".wasm"), `${script}:${cmd.line} has no .wasm file`);
      cases.push({
        key: `${script}/${cmd.filename}`,
        line: cmd.line,
        group,
        expect,
        text: cmd.text,
        bytes: Deno.readFileSync(new URL(cmd.filename!, dir)),
      });
    }
  }
  return cases;
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

function runCase(c: Case): Outcome {
  let error: unknown;
  let accepted = false;
  try {
    translateModule(c.bytes);
    accepted = true;
  } catch (e) {
    error = e;
  }
  let v: boolean | string;
  try {
    v = validate(c.bytes);
  } catch (e) {
    v = `validate() threw ${describe(e)}`;
  }
  if (typeof v === "string") return { pass: false, detail: v };
  if (v !== accepted) {
    return {
      pass: false,
      detail: `validate() = ${v} but translateModule() ${accepted ? "accepts" : "rejects"}`,
    };
  }
  if (c.expect === "accept") {
    return accepted
      ? { pass: true, detail: "accepted" }
      : { pass: false, detail: `rejected: ${describe(error)}` };
  }
  if (accepted) return { pass: false, detail: `accepted; expected "${c.text}"` };
  if (!(error instanceof CompileError)) {
    return { pass: false, detail: `threw a non-CompileError: ${describe(error)}` };
  }
  const text = c.text ?? "";
  return {
    pass: true,
    detail: `rejected: ${error.reason}`,
    textMatch: error.reason.startsWith(text),
    error,
  };
}

const cases = loadCases();
const outcomes = new Map<string, Outcome>(cases.map((c) => [c.key, runCase(c)]));

function checkGroup(group: Group): void {
  const mine = cases.filter((c) => c.group === group);
  assert.ok(mine.length > 0, `no ${group} cases found under ${SPEC_JSON.pathname}`);
  const unexpected: string[] = [];
  const fixed: string[] = [];
  let passed = 0;
  for (const c of mine) {
    const o = outcomes.get(c.key)!;
    const listed = c.key in EXPECTED_FAILURES;
    if (o.pass) passed++;
    if (!o.pass && !listed) unexpected.push(`${c.key} (line ${c.line}): ${o.detail}`);
    if (o.pass && listed) fixed.push(`${c.key} (line ${c.line}) now passes; remove its entry`);
  }
  assert.deepEqual(unexpected, [], `${group}: unexpected failures`);
  assert.deepEqual(fixed, [], `${group}: expected failures that pass`);
  assert.equal(passed, EXPECTED_PASS[group], `${group}: pass count (of ${mine.length})`);
}

Deno.test("translateModule() accepts every `module` of the spec corpus", () => {
  checkGroup("module");
});

Deno.test("translateModule() accepts the modules of assert_unlinkable/assert_uninstantiable", () => {
  checkGroup("assert_unlinkable_or_uninstantiable");
});

Deno.test("translateModule() rejects every binary assert_malformed with a CompileError", () => {
  checkGroup("assert_malformed");
});

Deno.test("translateModule() rejects every binary assert_invalid with a CompileError", () => {
  checkGroup("assert_invalid");
});

Deno.test("the expected-failure list names only cases of the corpus", () => {
  const keys = new Set(cases.map((c) => c.key));
  const stale = Object.keys(EXPECTED_FAILURES).filter((k) => !keys.has(k));
  assert.deepEqual(stale, []);
});

Deno.test("every CompileError of the corpus says `<reason> (at offset 0x..)` inside the module", () => {
  const bad: string[] = [];
  const rows = new Map<string, { n: number; match: number; got: Map<string, number> }>();
  let n = 0;
  let match = 0;
  for (const c of cases) {
    const o = outcomes.get(c.key)!;
    if (o.error === undefined) continue;
    const e = o.error;
    const wellFormed = e.reason.length > 0 &&
      e.message === `${e.reason} (at offset 0x${e.offset.toString(16)})` &&
      Number.isInteger(e.offset) && e.offset >= 0 && e.offset <= c.bytes.length;
    if (!wellFormed) bad.push(`${c.key}: "${e.message}" (module of ${c.bytes.length} bytes)`);
    // Informational: does the reason start with the script's text (the reference rule)?
    n++;
    const text = c.text ?? "";
    const row = rows.get(text) ?? { n: 0, match: 0, got: new Map() };
    row.n++;
    if (o.textMatch) {
      match++;
      row.match++;
    } else row.got.set(e.reason, (row.got.get(e.reason) ?? 0) + 1);
    rows.set(text, row);
  }
  console.log(`reasons matching the spec text: ${match} of ${n} correct rejections`);
  for (const [text, row] of [...rows].sort((a, b) => b[1].n - a[1].n)) {
    if (row.match === row.n) continue;
    const got = [...row.got].sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([g, k]) => `"${g}" x${k}`).join(", ");
    console.log(`  "${text}": ${row.match}/${row.n} match; instead: ${got}`);
  }
  assert.deepEqual(bad, []);
});
