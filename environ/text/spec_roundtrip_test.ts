/**
 * The text format against the spec test suite: every `.wast` in
 * `shared/spec/core` is parsed with {@link parseWast} and compared, command by
 * command, with the JSON and `.wasm` files wast2json made from it.
 *
 * Checked per script: the same number and kinds of commands on the same lines;
 * every module's bytes identical to wast2json's `.wasm` (where bytes might
 * legitimately differ, the fallback is that both validate alike under the
 * native `WebAssembly.validate` with the same imports and exports; those cases
 * are counted); every malformed text module rejected with the spec's wording;
 * every action and expected value (for traps and bare actions: the result
 * types) identical to the JSON, except the entries
 * of {@link VALUE_DIFFERENCES}, each with its reason.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWast } from "./wast.ts";
import type { WastCommand } from "./wast.ts";

const CORE = new URL("../../../shared/spec/core/", import.meta.url);
const JSON_DIR = new URL("../../../shared/spec/json/", import.meta.url);

/**
 * Commands whose values we write differently from wast2json, on purpose.
 * wabt rounds hexadecimal float literals in the subnormal range by truncation;
 * the spec (and we) round to nearest, ties to even. `-0x1.fffffffffffffp-1023`
 * is exactly halfway between two subnormals: wabt writes 0x800fffffffffffff,
 * the correctly rounded value is 0x8010000000000000 (Python's
 * `float.fromhex` agrees). Both sides of each such assertion use the same
 * literal, so the assertions test the same thing either way.
 */
const VALUE_DIFFERENCES = new Set([
  "simd_lane:164",
  "simd_lane:165",
  "simd_lane:265",
  "simd_lane:266",
  "simd_lane:281",
  "simd_lane:282",
]);

/**
 * Modules we encode differently from wast2json, on purpose; each must still
 * validate alike natively and have the same imports and exports.
 */
const ENCODING_DIFFERENCES = new Map([
  [
    "select/select.2.wasm",
    "`select (result)` written as the spec encodes it (0x1C 0x00); wabt writes the untyped " +
    '0x1B, which hides the "invalid result arity" the script expects',
  ],
]);

interface JsonCommand {
  type: string;
  line: number;
  filename?: string;
  module_type?: string;
  text?: string;
  name?: string;
  as?: string;
  action?: unknown;
  expected?: unknown[];
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Native validation and import/export lists, for the legitimately-different fallback. */
function shape(bytes: Uint8Array<ArrayBuffer>): string {
  if (!WebAssembly.validate(bytes)) return "invalid";
  const m = new WebAssembly.Module(bytes);
  return JSON.stringify([WebAssembly.Module.imports(m), WebAssembly.Module.exports(m)]);
}

Deno.test("parseWast() matches wast2json on every spec core script", () => {
  const names = [...Deno.readDirSync(CORE)]
    .filter((e) => e.name.endsWith(".wast"))
    .map((e) => e.name.slice(0, -5))
    .sort();
  let scripts = 0;
  let commands = 0;
  let identical = 0;
  const sameShape: string[] = [];
  let malformedRejected = 0;
  let malformedWording = 0;
  let valuesCompared = 0;
  const valueDiffs: string[] = [];
  const failures: string[] = [];
  for (const name of names) {
    const source = Deno.readTextFileSync(new URL(`${name}.wast`, CORE));
    const script = parseWast(source, `${name}.wast`);
    const json = JSON.parse(
      Deno.readTextFileSync(new URL(`${name}/${name}.json`, JSON_DIR)),
    ) as { commands: JsonCommand[] };
    scripts++;
    if (json.commands.length !== script.commands.length) {
      failures.push(
        `${name}: ${script.commands.length} commands, wast2json has ${json.commands.length}`,
      );
      continue;
    }
    for (let i = 0; i < json.commands.length; i++) {
      const want = json.commands[i];
      const got = script.commands[i] as WastCommand & Record<string, unknown>;
      commands++;
      const where = `${name}:${want.line}`;
      if (want.type !== got.type || want.line !== got.line) {
        failures.push(`${where}: got ${got.type} at line ${got.line}, want ${want.type}`);
        continue;
      }
      if (want.filename !== undefined) {
        if (want.module_type === "text") {
          if (typeof got.error === "string") {
            malformedRejected++;
            if ((got.error as string).startsWith(want.text!)) malformedWording++;
            else failures.push(`${where}: wording "${got.error}", want "${want.text}"`);
          } else failures.push(`${where}: malformed text accepted`);
          continue;
        }
        const bytes = got.bytes as Uint8Array<ArrayBuffer> | undefined;
        if (bytes === undefined) {
          failures.push(`${where}: module did not parse: ${got.error}`);
          continue;
        }
        const ref = Deno.readFileSync(new URL(`${name}/${want.filename}`, JSON_DIR));
        if (sameBytes(ref, bytes)) identical++;
        else if (shape(ref) === shape(bytes)) sameShape.push(`${name}/${want.filename}`);
        else failures.push(`${where}: bytes differ from ${want.filename}`);
      }
      if (want.name !== got.name || want.as !== got.as) failures.push(`${where}: name/as differ`);
      if (want.action !== undefined || want.type === "assert_return") {
        valuesCompared++;
        const same = JSON.stringify(want.action) === JSON.stringify(got.action) &&
          JSON.stringify(want.expected) === JSON.stringify(got.expected);
        if (!same) valueDiffs.push(where);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.deepEqual(valueDiffs.sort(), [...VALUE_DIFFERENCES].sort());
  assert.equal(scripts, 146);
  assert.equal(commands, 53899);
  assert.equal(identical, 4591);
  assert.deepEqual(sameShape, [...ENCODING_DIFFERENCES.keys()]);
  assert.equal(malformedRejected, 1077);
  assert.equal(malformedWording, 1077);
  assert.equal(valuesCompared, 48212);
});
