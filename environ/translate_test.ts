/**
 * Tests of {@link translateModule} and {@link validate}: what a translation
 * holds, that hostile input only ever raises {@link CompileError}, and that
 * the benchmark modules are accepted.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError } from "./errors.ts";
import { translateModule, validate } from "./translate.ts";
import { body, functype, name, section, T, vec, wasm } from "./_test_module.ts";

const END = 0x0b;

/** A module touching most sections. */
function sample(): Uint8Array {
  return wasm(
    section(1, vec([functype([T.i32], [T.i32]), functype([], [])])),
    section(
      2,
      vec([[...name("env"), ...name("f"), 0, 1], [...name("env"), ...name("g"), 3, T.i32, 0]]),
    ),
    section(3, vec([[0], [1]])),
    section(4, vec([[T.funcref, 0, 2]])),
    section(5, vec([[1, 1, 2]])),
    section(6, vec([[T.i64, 1, 0x42, 5, END], [T.i32, 0, 0x23, 0, END]])),
    section(7, vec([[...name("add"), 0, 1], [...name("mem"), 2, 0]])),
    section(8, [2]),
    section(9, vec([[0, 0x41, 0, END, ...vec([[1], [2]])]])),
    section(12, [1]),
    section(10, vec([body([[1, T.i64]], [0x20, 0, 0x41, 1, 0x6a, END]), body([], [END])])),
    section(11, vec([[1, 3, 1, 2, 3]])),
    section(0, [...name("note"), 42]),
  );
}

Deno.test("translateModule() returns the module's index spaces and bodies", () => {
  const t = translateModule(sample());
  assert.equal(t.types.length, 2);
  assert.deepEqual(t.functions, [1, 0, 1]);
  assert.equal(t.numImportedFunctions, 1);
  assert.equal(t.numImportedGlobals, 1);
  assert.deepEqual(t.globals.map((g) => g.type), [T.i32, T.i64, T.i32]);
  assert.deepEqual(t.globalInits, [{ op: "i64.const", value: 5n }, { op: "global.get", index: 0 }]);
  assert.deepEqual(t.memories, [{ limits: { min: 1, max: 2 } }]);
  assert.deepEqual(t.exports, [{ name: "add", kind: "func", index: 1 }, {
    name: "mem",
    kind: "memory",
    index: 0,
  }]);
  assert.equal(t.start, 2);
  assert.deepEqual(t.elements[0].items, [{ op: "ref.func", index: 1 }, {
    op: "ref.func",
    index: 2,
  }]);
  assert.deepEqual(t.elements[0].mode, {
    kind: "active",
    table: 0,
    offset: { op: "i32.const", value: 0 },
  });
  assert.deepEqual([...t.datas[0].data], [1, 2, 3]);
  assert.equal(t.dataCount, 1);
  assert.equal(t.bodies.length, 2);
  const b = t.bodies[0];
  assert.deepEqual([b.funcIndex, b.typeIndex], [1, 0]);
  assert.deepEqual(b.locals, [T.i64]);
  assert.deepEqual([...t.bytes.subarray(b.codeStart, b.codeEnd)], [0x20, 0, 0x41, 1, 0x6a, END]);
  assert.equal(t.customSections[0].name, "note");
  assert.ok(validate(sample()));
});

Deno.test("translateModule() raises only CompileError on mutated modules", () => {
  const base = sample();
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let rejected = 0;
  const disagreements: number[][] = [];
  for (let i = 0; i < 3000; i++) {
    const bytes = base.slice(0, base.length - rand(4));
    const edits = 1 + rand(3);
    for (let k = 0; k < edits; k++) bytes[8 + rand(bytes.length - 8)] = rand(256);
    try {
      translateModule(bytes);
    } catch (e) {
      assert.ok(e instanceof CompileError, `mutation ${i} raised ${e}`);
      rejected++;
    }
    assert.equal(validate(bytes), !threw(bytes));
    // Native V8 is the reference verdict.
    if (validate(bytes) !== WebAssembly.validate(bytes)) disagreements.push(Array.from(bytes));
  }
  assert.ok(rejected > 1000, `only ${rejected} mutants rejected`);
  assert.deepEqual(disagreements.slice(0, 3), []);
});

function threw(bytes: Uint8Array): boolean {
  try {
    translateModule(bytes);
    return false;
  } catch {
    return true;
  }
}

Deno.test("translateModule() accepts every benchmark module", () => {
  let count = 0;
  for (const e of Deno.readDirSync("/work/shared/bench/wasm/")) {
    if (!e.name.endsWith(".wasm")) continue;
    const bytes = Deno.readFileSync(`/work/shared/bench/wasm/${e.name}`);
    assert.equal(WebAssembly.validate(bytes), true, e.name);
    assert.doesNotThrow(() => translateModule(bytes), e.name);
    count++;
  }
  assert.ok(count > 0);
});

Deno.test("translateModule() and validate() reject a non-Uint8Array argument with TypeError", () => {
  assert.throws(() => translateModule([0, 0x61] as unknown as Uint8Array), TypeError);
  assert.throws(() => validate("wasm" as unknown as Uint8Array), TypeError);
});
