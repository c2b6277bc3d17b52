/**
 * Tests that the generated files (`_opcodes.ts`, `_dispatch.ts`) are up to date and that every op
 * of the table has exactly one handler, in the dispatch function the table names.
 *
 * @module
 */
import assert from "node:assert/strict";
import { generateDispatch, generateOpcodes, splitMetered, squash } from "./_gen.ts";
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
  // (the main function in its metered copy, which has every op; see splitMetered)
  const both = splitMetered(src);
  const main = both.slice(
    both.indexOf("export function runMetered("),
    both.indexOf("export function runEpochs("),
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

Deno.test("run is runMetered without the fused fuel ops (fuel session 2)", () => {
  const both = splitMetered(src);
  const plain = casesIn(
    both.slice(both.indexOf("export function run("), both.indexOf("/**\n * `run` for")),
    6,
  );
  const metered = casesIn(
    both.slice(
      both.indexOf("export function runMetered("),
      both.indexOf("export function runEpochs("),
    ),
    6,
  );
  const fused = metered.filter((n) => /^fuel_br|^call_add_i_fuel$/.test(n));
  assert.equal(fused.length, 32);
  assert.deepEqual(plain, metered.filter((n) => !fused.includes(n)));
  // run keeps the fuel in vm.fuel, runMetered in a local
  const runText = both.slice(0, both.indexOf("/**\n * `run` for"));
  assert.ok(!/(?<!\.)\bfuel (<|-=)/.test(runText) && /vm\.fuel -=/.test(runText));
});

Deno.test("runEpochs is runMetered plus an epoch check on entry and after every slice count", () => {
  const both = splitMetered(src);
  const body = (name: string) => {
    const at = both.indexOf(`export function ${name}(`);
    return both.slice(at, both.indexOf("\n}\n", at)).replace(name, "f");
  };
  const metered = body("runMetered");
  const epochs = body("runEpochs");
  const check =
    /\n *if \(vm\.epochCounter\[0\] >= vm\.epochDeadline\) \{\n *exit = EXIT_EPOCH;\n *break dispatch;\n *\}/g;
  const entry = /\n *if \(vm\.epochCounter\[0\] >= vm\.epochDeadline\) return EXIT_EPOCH;[^\n]*/;
  const slices = metered.match(/if \(--I32\[slice\] < 0\) break dispatch;/g)?.length ?? 0;
  assert.ok(slices > 30, `${slices}`);
  assert.equal(epochs.match(check)?.length, slices);
  assert.ok(entry.test(epochs) && !entry.test(metered));
  assert.equal(epochs.replace(check, "").replace(entry, ""), metered);
});
