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
import { dataSegment } from "./data_segments.ts";
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
  assert.deepEqual(t.globalInits, [[{ op: "i64.const", value: 5n }], [{
    op: "global.get",
    index: 0,
  }]]);
  assert.deepEqual(t.memories, [{ limits: { min: 1, max: 2 } }]);
  assert.deepEqual(t.exports, [{ name: "add", kind: "func", index: 1 }, {
    name: "mem",
    kind: "memory",
    index: 0,
  }]);
  assert.equal(t.start, 2);
  assert.deepEqual(t.elements[0].items, [[{ op: "ref.func", index: 1 }], [{
    op: "ref.func",
    index: 2,
  }]]);
  assert.deepEqual(t.elements[0].mode, {
    kind: "active",
    table: 0,
    offset: [{ op: "i32.const", value: 0 }],
  });
  assert.deepEqual([...dataSegment(t.bytes, t.datas, 0).data], [1, 2, 3]);
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
  const dir = new URL("../bench/corpus/wasm/", import.meta.url);
  for (const e of Deno.readDirSync(dir)) {
    if (!e.name.endsWith(".wasm")) continue;
    const bytes = Deno.readFileSync(new URL(e.name, dir));
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

/** The CompileError `translateModule` raises for `bytes` (fails if it accepts them). */
function rejection(bytes: Uint8Array): CompileError {
  try {
    translateModule(bytes);
  } catch (e) {
    assert.ok(e instanceof CompileError, `not a CompileError: ${e}`);
    return e;
  }
  return assert.fail("the module was accepted");
}

const VOID_TYPE = section(1, vec([functype([], [])]));

Deno.test("translateModule() reads a section's items past its declared end, as the reference", () => {
  // binary.wast line 1632: the export section declares 2 exports but its size
  // covers 1, so the second export's name length is the code section's id
  // (0x0a, 10), and 10 bytes are more than the module has left.
  const exports = [0x07, 0x06, 0x02, 0x02, 0x66, 0x31, 0x00, 0x00];
  const code = section(10, vec([body([], [END]), body([], [END])]));
  const e = rejection(wasm(VOID_TYPE, section(3, vec([[0], [0]])), exports, code));
  assert.equal(e.reason, "length out of bounds");
  assert.equal(e.kind, "malformed");
  // With enough bytes after it, the same fault reads on and the section's
  // size is found wrong.
  const exports1 = [0x07, 0x05, 0x02, 0x01, 0x66, 0x00, 0x00];
  const e2 = rejection(
    wasm(VOID_TYPE, section(3, vec([[0]])), exports1, [0x00, 0x03, 0x01, 0x61, 0x00]),
  );
  assert.equal(e2.reason, "section size mismatch");
});

Deno.test("translateModule() reports an over-long LEB128 that runs past its section's end", () => {
  // binary-leb128.wast line 348: the function section's size is 3, but its
  // type index is a 6-byte LEB128 (the reference reads on into the code section).
  const funcs = [0x03, 0x03, 0x01, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00];
  const e = rejection(wasm(VOID_TYPE, funcs, section(10, vec([body([], [END])]))));
  assert.equal(e.reason, "integer representation too long");
  assert.equal(e.kind, "malformed");
});

Deno.test("translateModule() reports a malformed body over an earlier validation error", () => {
  // binary.wast line 1817: `block` with block type 0x0b (type index 11: invalid)
  // and then too few `end`s (malformed), which the spec reports.
  const code = [
    [0x02, 0x40], // block
    [0x41, 0x01, 0x04, 0x40], // i32.const 1; if
    [0x41, 0x01, 0x0e, 0x01, 0x00, 0x01], // i32.const 1; br_table 0 1
    [0x02, 0x0b], // block (type 11)
    [END, END, END], // ends the inner block and the if, then the outer block: no final end
  ].flat();
  const e = rejection(wasm(VOID_TYPE, section(3, vec([[0]])), section(10, vec([body([], code)]))));
  assert.equal(e.reason, "unexpected end of section or function");
  assert.equal(e.kind, "malformed");
  // With the final `end` in place the module decodes, and the type index is invalid.
  const fixed = rejection(
    wasm(VOID_TYPE, section(3, vec([[0]])), section(10, vec([body([], [...code, END])]))),
  );
  assert.equal(fixed.reason, "unknown type 11");
  assert.equal(fixed.kind, "invalid");
});

Deno.test("translateModule() reports a malformed later body over an invalid earlier one", () => {
  const invalid = body([], [0x41, 0x01, END]); // leaves an i32 on a void function's stack
  const illegal = body([], [0x17, END]); // 0x17 is no instruction
  const both = wasm(VOID_TYPE, section(3, vec([[0], [0]])), section(10, vec([invalid, illegal])));
  const e = rejection(both);
  assert.equal(e.reason, "illegal opcode 17");
  assert.equal(e.kind, "malformed");
  const one = wasm(VOID_TYPE, section(3, vec([[0]])), section(10, vec([invalid])));
  assert.match(rejection(one).reason, /^type mismatch/);
  assert.equal(rejection(one).kind, "invalid");
});
