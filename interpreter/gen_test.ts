/**
 * Tests that the generated files (`_opcodes.ts`, `_dispatch.ts`) are up to date and that every op
 * of the table has exactly one handler, in the dispatch function the table names.
 *
 * @module
 */
import assert from "node:assert/strict";
import { generateDispatch, generateOpcodes, squash } from "./_gen.ts";
import { BYTECODE_OPS } from "./ops.ts";

const here = new URL(".", import.meta.url);
const src = await Deno.readTextFile(new URL("_dispatch_src.ts", here));

Deno.test("generated _opcodes.ts is up to date (run `deno run -A interpreter/_gen.ts`)", async () => {
  const committed = await Deno.readTextFile(new URL("_opcodes.ts", here));
  assert.equal(squash(committed), squash(generateOpcodes()));
});

Deno.test("generated _dispatch.ts is up to date (run `deno run -A interpreter/_gen.ts`)", async () => {
  const committed = await Deno.readTextFile(new URL("_dispatch.ts", here));
  assert.equal(squash(committed), squash(generateDispatch(src)));
});

/** Case labels of the function's top-level switch (by their indentation). */
function casesIn(text: string, indent: number): string[] {
  const re = new RegExp(`^ {${indent}}case Op\\.([a-z0-9_]+):`, "gm");
  return [...text.matchAll(re)].map((m) => m[1]);
}

Deno.test("every op has exactly one handler, in the dispatch function the table names", () => {
  const main = src.slice(
    src.indexOf("export function run("),
    src.indexOf("export function runExt("),
  );
  const ext = src.slice(src.indexOf("export function runExt("), src.indexOf("function quiet("));
  const mainCases = casesIn(main, 6);
  const extCases = casesIn(ext, 4);
  const seen = new Map<string, number>();
  for (const n of [...mainCases, ...extCases]) seen.set(n, (seen.get(n) ?? 0) + 1);
  const missing: string[] = [];
  for (const op of BYTECODE_OPS) {
    const inMain = mainCases.includes(op.name);
    const inExt = extCases.includes(op.name);
    if (op.ext ? !inExt : !inMain) missing.push(op.name);
  }
  assert.deepEqual(missing, [], `ops without a handler where the table says: ${missing}`);
  for (const [name, count] of seen) assert.equal(count, 1, `${name} handled ${count} times`);
  for (const name of [...mainCases, ...extCases]) {
    assert.ok(BYTECODE_OPS.some((o) => o.name === name), `handler for unknown op ${name}`);
  }
});
