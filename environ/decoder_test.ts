/**
 * Tests of {@link decodeModule}: the header, section framing and order, and
 * each section's encodings, including all eight element segment forms.
 *
 * @module
 */

import assert from "node:assert/strict";
import { checkBodySyntax, decodeModule } from "./decoder.ts";
import { CompileError } from "./errors.ts";
import { body, functype, name, section, sleb, T, uleb, vec, wasm } from "./_test_module.ts";

function reason(bytes: Uint8Array): string {
  try {
    decodeModule(bytes);
  } catch (e) {
    assert.ok(e instanceof CompileError, `not a CompileError: ${e}`);
    return e.reason;
  }
  return "no error";
}

const I32_CONST_0 = [0x41, 0x00, 0x0b];
const TYPE_VOID = section(1, vec([functype([], [])]));

Deno.test("decodeModule() checks the header", () => {
  assert.equal(reason(new Uint8Array([])), "unexpected end");
  assert.equal(reason(new Uint8Array([0, 0x61, 0x73])), "unexpected end");
  assert.equal(
    reason(new Uint8Array([0, 0x61, 0x73, 0x6e, 1, 0, 0, 0])),
    "magic header not detected",
  );
  assert.equal(reason(new Uint8Array([0, 0x61, 0x73, 0x6d, 2, 0, 0, 0])), "unknown binary version");
  assert.equal(reason(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0])), "unexpected end");
  assert.equal(decodeModule(wasm()).types.length, 0);
});

Deno.test("decodeModule() checks section ids, sizes and order", () => {
  assert.equal(reason(wasm([14, 0])), "malformed section id");
  assert.equal(reason(wasm([1, 5, 0])), "length out of bounds");
  assert.equal(reason(wasm(section(1, [...vec([functype([], [])]), 0]))), "section size mismatch");
  assert.equal(
    reason(wasm(section(3, vec([])), TYPE_VOID)),
    "unexpected content after last section",
  );
  assert.equal(reason(wasm(TYPE_VOID, TYPE_VOID)), "unexpected content after last section");
  // The data count section goes between element and code sections.
  const code = section(10, vec([]));
  assert.equal(reason(wasm(code, section(12, [0]))), "unexpected content after last section");
  assert.equal(reason(wasm(section(12, [0]), code)), "no error");
  // Custom sections may go anywhere.
  const custom = section(0, [...name("x"), 1, 2, 3]);
  const m = decodeModule(wasm(custom, TYPE_VOID, custom));
  assert.equal(m.customSections.length, 2);
  assert.deepEqual([...m.customSections[0].data], [1, 2, 3]);
});

Deno.test("decodeModule() decodes types, imports and their malformed forms", () => {
  const m = decodeModule(wasm(
    section(1, vec([functype([T.i32, T.f64], [T.v128, T.externref])])),
    section(
      2,
      vec([
        [...name("m"), ...name("f"), 0, 0],
        [...name("m"), ...name("t"), 1, T.funcref, 1, 1, 2],
        [...name("m"), ...name("mem"), 2, 0, 1],
        [...name("m"), ...name("g"), 3, T.i64, 1],
      ]),
    ),
  ));
  assert.deepEqual(m.types[0], { params: [T.i32, T.f64], results: [T.v128, T.externref] });
  assert.deepEqual(m.imports.map((i) => i.desc), [
    { kind: "func", typeIndex: 0 },
    { kind: "table", type: { element: T.funcref, limits: { min: 1, max: 2 } } },
    { kind: "memory", type: { limits: { min: 1, max: undefined } } },
    { kind: "global", type: { type: T.i64, mutable: true } },
  ]);
  assert.equal(reason(wasm(section(1, vec([[0x61, 0, 0]])))), "malformed function type");
  assert.equal(reason(wasm(section(1, vec([[0x60, 1, 0x7a, 0]])))), "malformed value type");
  assert.equal(
    reason(wasm(section(2, vec([[...name("m"), ...name("f"), 5, 0]])))),
    "malformed import kind",
  );
  assert.equal(
    reason(wasm(section(2, vec([[...name("m"), ...name("g"), 3, T.i32, 2]])))),
    "malformed mutability",
  );
  assert.equal(
    reason(wasm(section(2, vec([[...name("m"), ...name("t"), 1, T.i32, 0, 0]])))),
    "malformed reference type",
  );
  assert.equal(reason(wasm(section(5, vec([[0x20, 0]])))), "malformed limits flags");
  assert.equal(reason(wasm(section(4, vec([[T.funcref, 2, 0]])))), "malformed limits flags");
  assert.equal(reason(wasm(section(5, vec([[0x10, 0]])))), "malformed limits flags");
  assert.equal(reason(wasm(section(4, vec([[T.funcref, 8, 0]])))), "malformed limits flags");
  assert.equal(
    reason(wasm(section(2, vec([[1, 0xff, ...name("f"), 0, 0]])))),
    "malformed UTF-8 encoding",
  );
});

Deno.test("decodeModule() decodes all eight element segment encodings", () => {
  const elems = [
    [0, ...I32_CONST_0, ...vec([[0]])],
    [1, 0x00, ...vec([[0], [0]])],
    [2, 0, ...I32_CONST_0, 0x00, ...vec([[0]])],
    [3, 0x00, ...vec([[0]])],
    [4, ...I32_CONST_0, ...vec([[0xd2, 0, 0x0b], [0xd0, 0x70, 0x0b]])],
    [5, T.externref, ...vec([[0xd0, 0x6f, 0x0b]])],
    [6, 0, ...I32_CONST_0, T.funcref, ...vec([[0xd2, 0, 0x0b]])],
    [7, T.funcref, ...vec([[0xd2, 0, 0x0b]])],
  ];
  const m = decodeModule(wasm(section(9, vec(elems))));
  assert.deepEqual(m.elements.map((e) => e.kind), [
    "active",
    "passive",
    "active",
    "declarative",
    "active",
    "passive",
    "active",
    "declarative",
  ]);
  assert.deepEqual(m.elements.map((e) => e.items.length), [1, 2, 1, 1, 2, 1, 1, 1]);
  assert.equal(m.elements[5].type, T.externref);
  assert.deepEqual(m.elements[4].items[1].expr, [{ op: "ref.null", type: T.funcref }]);
  assert.deepEqual(m.elements[0].items[0].expr, [{ op: "ref.func", index: 0 }]);
  assert.deepEqual(m.elements[2].offset?.expr, [{ op: "i32.const", value: 0 }]);
  assert.equal(reason(wasm(section(9, vec([[8]])))), "malformed elements segment kind");
  assert.equal(reason(wasm(section(9, vec([[1, 0x01, 0]])))), "malformed element kind");
});

Deno.test("decodeModule() decodes data segments and checks the data count", () => {
  const data = section(
    11,
    vec([[0, ...I32_CONST_0, ...vec([[1], [2]])], [1, 1, 9], [2, 0, ...I32_CONST_0, 0]]),
  );
  const m = decodeModule(wasm(section(12, [3]), data));
  const d = m.datas;
  assert.deepEqual([...d.memory], [0, -1, 0]);
  const bytesOf = (i: number) => [...m.bytes.subarray(d.start[i], d.start[i] + d.length[i])];
  assert.deepEqual(bytesOf(0), [1, 2]);
  assert.deepEqual(bytesOf(1), [9]);
  // The plain `i32.const` offset is read in place; the other form keeps its expression.
  assert.equal(d.i32Offset[0], 0);
  assert.equal(d.exprs.has(0), false);
  assert.deepEqual(d.exprs.get(2)?.expr, [{ op: "i32.const", value: 0 }]);
  assert.equal(m.dataCount, 3);
  assert.equal(
    reason(wasm(section(12, [2]), data)),
    "data count and data section have inconsistent lengths",
  );
  assert.equal(
    reason(wasm(section(12, [1]))),
    "data count and data section have inconsistent lengths",
  );
  assert.equal(reason(wasm(section(11, vec([[3]])))), "malformed data segment kind");
  // As in the reference decoder, a byte length beyond the rest of the module
  // is out of bounds; one that only passes the section's end is cut short.
  assert.equal(reason(wasm(section(11, vec([[1, 5, 1]])))), "length out of bounds");
  assert.equal(
    reason(wasm(section(11, vec([[1, 3, 1]])), [0, 1, 0])),
    "section size mismatch",
  );
});

Deno.test("decodeModule() matches function and code counts and decodes locals", () => {
  const funcs = section(3, vec([[0], [0]]));
  const code = section(10, vec([body([[2, T.i32], [1, T.f64]], [0x0b]), body([], [0x0b])]));
  const m = decodeModule(wasm(TYPE_VOID, funcs, code));
  assert.deepEqual(m.bodies[0].locals, [T.i32, T.i32, T.f64]);
  assert.equal(m.bodies[1].codeEnd - m.bodies[1].codeStart, 1);
  assert.equal(m.bytes[m.bodies[0].codeStart], 0x0b);
  const one = section(10, vec([body([], [0x0b])]));
  assert.equal(
    reason(wasm(TYPE_VOID, funcs, one)),
    "function and code section have inconsistent lengths",
  );
  assert.equal(
    reason(wasm(TYPE_VOID, funcs)),
    "function and code section have inconsistent lengths",
  );
  assert.equal(reason(wasm(TYPE_VOID, one)), "function and code section have inconsistent lengths");
});

Deno.test("decodeModule() rejects more than 50000 locals and 2^32 locals", () => {
  const f = section(3, vec([[0]]));
  const many = (groups: [number, number][]) =>
    wasm(TYPE_VOID, f, section(10, vec([body(groups, [0x0b])])));
  assert.equal(reason(many([[50000, T.i32]])), "no error");
  assert.equal(reason(many([[50001, T.i32]])), "too many locals");
  assert.equal(reason(many([[0xffffffff, T.i32], [0xffffffff, T.i64]])), "too many locals");
});

Deno.test("decodeModule() parses constant expressions without judging them", () => {
  const g = (init: number[]) => wasm(section(6, vec([[T.i32, 0, ...init]])));
  assert.deepEqual(decodeModule(g([0x41, ...sleb(-3), 0x0b])).globalInits[0].expr, [{
    op: "i32.const",
    value: -3,
  }]);
  // Extended constants: a sequence, typed by validation.
  const add = decodeModule(g([0x41, 1, 0x23, 0, 0x6a, 0x0b])).globalInits[0];
  assert.deepEqual(add.expr, [{ op: "i32.const", value: 1 }, { op: "global.get", index: 0 }, {
    op: "i32.add",
  }]);
  const div = decodeModule(g([0x41, 1, 0x41, 2, 0x6d, 0x0b])).globalInits[0];
  assert.equal(div.expr, undefined);
  assert.equal(div.invalid, "constant expression required");
  assert.deepEqual(decodeModule(g([0x0b])).globalInits[0].expr, []);
  const f64 = decodeModule(g([0x44, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f, 0x0b])).globalInits[0].expr;
  assert.deepEqual(f64, [{ op: "f64.const", bits: 0x7ff8000000000000n }]);
  assert.equal(reason(g([0x41, 0])), "unexpected end of section or function");
  assert.equal(reason(g([0x41, ...uleb(0), 0x17, 0x0b])), "illegal opcode 17");
});

/** The reason checkBodySyntax() gives for a body `code` followed by the bytes `after`, or "ok". */
function syntaxReason(code: number[], codeEnd = code.length, after: number[] = []): string {
  try {
    checkBodySyntax(new Uint8Array([...code, ...after]), 0, codeEnd);
    return "ok";
  } catch (e) {
    assert.ok(e instanceof CompileError, `not a CompileError: ${e}`);
    return e.reason;
  }
}

Deno.test("checkBodySyntax() checks nesting and the final end, not types", () => {
  // block (type 11); i64.const 0; end; end: invalid, but well formed.
  assert.equal(syntaxReason([0x02, 0x0b, 0x42, 0x00, 0x0b, 0x0b]), "ok");
  // if; else; end; end
  assert.equal(syntaxReason([0x41, 0x00, 0x04, 0x40, 0x05, 0x0b, 0x0b]), "ok");
  // else outside an if, and a second else: the reference expects an end there.
  assert.equal(syntaxReason([0x05, 0x0b]), "END opcode expected");
  assert.equal(syntaxReason([0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b]), "END opcode expected");
  assert.equal(syntaxReason([0x17, 0x0b]), "illegal opcode 17");
  assert.equal(syntaxReason([0x02, 0x40, 0x0b]), "unexpected end of section or function");
  // The final end before the body's declared end.
  assert.equal(syntaxReason([0x0b, 0x01]), "section size mismatch");
});

Deno.test("checkBodySyntax() reads on past the body's declared end as the reference does", () => {
  // A body of 1 byte (nop) with its end just after it: too long for its size.
  assert.equal(syntaxReason([0x01], 1, [0x0b]), "section size mismatch");
  // What follows is no instruction: that fault is the one reported.
  assert.equal(syntaxReason([0x01], 1, [0x17, 0x0b]), "illegal opcode 17");
  // An over-long LEB128 that starts inside the body and ends past it.
  assert.equal(
    syntaxReason([0x41, 0x80], 2, [0x80, 0x80, 0x80, 0x80, 0x00, 0x0b]),
    "integer representation too long",
  );
});

Deno.test("decodeModule() lets a section's size pass the module's end by its own LEB bytes", () => {
  // Custom section of size 3 whose contents ("", then 1 byte) are 2 bytes: the
  // size is measured from its own first byte, then skipping runs out of bytes.
  assert.equal(reason(wasm([0x00, 0x03, 0x00, 0x01])), "unexpected end");
  // A type section that decodes within the module but claims one byte more.
  assert.equal(reason(wasm([0x01, 0x02, 0x00])), "section size mismatch");
  // A size beyond that is out of bounds.
  assert.equal(reason(wasm([0x01, 0x04, 0x00])), "length out of bounds");
});
