/**
 * Tests that the generated files (`_opcodes.ts`, `_dispatch.ts`, `_dispatch_simd.ts`) are up to
 * date, that every op of the table has exactly one handler, in the dispatch function the table
 * names, and that the metered copies of `run` differ from it as the table says.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  generateDispatch,
  generateOpcodes,
  generateSimdDispatch,
  simdOpcodeRange,
  splitMetered,
  squash,
} from "./_gen.ts";
import { BYTECODE_OPS, bytecodeOpByName, type DispatchFunction } from "./ops.ts";

const here = new URL(".", import.meta.url);
const src = await Deno.readTextFile(new URL("_dispatch_src.ts", here));
const simdSrc = await Deno.readTextFile(new URL("_dispatch_simd_src.ts", here));

Deno.test("generated _opcodes.ts is up to date (run `deno run -A interpreter/_gen.ts`)", async () => {
  const committed = await Deno.readTextFile(new URL("_opcodes.ts", here));
  assert.equal(squash(committed), squash(generateOpcodes()));
});

Deno.test("generated _dispatch.ts is up to date (run `deno run -A interpreter/_gen.ts`)", async () => {
  const committed = await Deno.readTextFile(new URL("_dispatch.ts", here));
  assert.equal(squash(committed), squash(generateDispatch(src)));
});

Deno.test("generated _dispatch_simd.ts is up to date (run `deno run -A interpreter/_gen.ts`)", async () => {
  const committed = await Deno.readTextFile(new URL("_dispatch_simd.ts", here));
  assert.equal(squash(committed), squash(generateSimdDispatch(simdSrc)));
});

/** Case labels of the function's top-level switch (by their indentation). */
function casesIn(text: string, indent: number): string[] {
  const re = new RegExp(`^ {${indent}}case Op\\.([a-z0-9_]+):`, "gm");
  return [...text.matchAll(re)].map((m) => m[1]);
}

Deno.test("every op has exactly one handler, in the dispatch function the table names", () => {
  // (the main function in its metered copy, which has every op; see splitMetered)
  const both = splitMetered(src);
  const cases: Record<DispatchFunction, string[]> = {
    run: casesIn(
      both.slice(
        both.indexOf("export function runMetered("),
        both.indexOf("export function runEpochs("),
      ),
      6,
    ),
    runExt: casesIn(
      src.slice(src.indexOf("export function runExt("), src.indexOf("function quiet(")),
      4,
    ),
    runSimd: casesIn(simdSrc.slice(simdSrc.indexOf("export function runSimd(")), 6),
  };
  const missing = BYTECODE_OPS.filter((op) => !cases[op.handler].includes(op.name));
  assert.deepEqual(missing.map((op) => op.name), [], "ops without a handler where the table says");
  const seen = new Map<string, number>();
  for (const n of Object.values(cases).flat()) seen.set(n, (seen.get(n) ?? 0) + 1);
  for (const [name, count] of seen) {
    assert.equal(count, 1, `${name} handled ${count} times`);
    assert.ok(bytecodeOpByName(name) !== undefined, `handler for unknown op ${name}`);
  }
});

Deno.test("the SIMD range holds no runExt op; simdSub and fuelPrefixOf rows have their shape", () => {
  const [first, last] = simdOpcodeRange();
  for (const op of BYTECODE_OPS) {
    if (op.handler === "runSimd") assert.ok(op.code >= first && op.code <= last, op.name);
    if (op.simdSub !== undefined) {
      // codegen emits it as `op d, a` or `op d, a, b` for one wasm operator
      const shape = op.operands.map((o) => `${o.name}:${o.kind}`).join(" ");
      assert.ok(shape === "d:r a:r" || shape === "d:r a:r b:r", `${op.name}: ${shape}`);
      assert.equal(op.handler, "runSimd", op.name);
    }
    if (op.code >= first && op.code <= last) assert.notEqual(op.handler, "runExt", op.name);
    if (op.fuelPrefixOf === undefined) continue;
    const br = bytecodeOpByName(op.fuelPrefixOf);
    assert.ok(br !== undefined && br.handler === "run", `${op.name}: no branch ${op.fuelPrefixOf}`);
    assert.ok(br.operands.some((o) => o.kind === "o" || o.kind === "t"), `${br.name} is no branch`);
    assert.ok(op.meteredOnly, `${op.name} is only in metered code`);
  }
});

Deno.test("run is runMetered without the ops the table marks meteredOnly", () => {
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
  const meteredOnly = BYTECODE_OPS.filter((op) => op.meteredOnly).map((op) => op.name);
  assert.deepEqual([...meteredOnly].sort(), metered.filter((n) => !plain.includes(n)).sort());
  assert.deepEqual(plain, metered.filter((n) => !meteredOnly.includes(n)));
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
