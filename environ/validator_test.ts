/**
 * Tests of validation: module-level rules and the body algorithm on tricky
 * cases (polymorphic stack, multi-value blocks, br_table arities, typed
 * select, reference types, bulk memory, SIMD immediates, constant
 * expressions, limits).
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError } from "./errors.ts";
import { translateModule, type TranslateOptions } from "./translate.ts";
import { parseWat } from "./text/mod.ts";
import { body, functype, name, oneFunc, section, T, uleb, vec, wasm } from "./_test_module.ts";

/** The reason a module is rejected (a detailed "type mismatch: ..." by its first words), or "ok". */
function reason(bytes: Uint8Array, options: TranslateOptions = {}): string {
  try {
    translateModule(bytes, options);
  } catch (e) {
    assert.ok(e instanceof CompileError, `not a CompileError: ${e}`);
    return e.reason.startsWith("type mismatch: ") ? "type mismatch" : e.reason;
  }
  return "ok";
}

const END = 0x0b;
const i32c = (v: number) => [0x41, v];

Deno.test("validator: operand types of fixed-signature ops are checked", () => {
  assert.equal(reason(oneFunc([], [T.i32], [...i32c(1), ...i32c(2), 0x6a, END])), "ok");
  assert.equal(reason(oneFunc([], [T.i32], [...i32c(1), 0x42, 2, 0x6a, END])), "type mismatch");
  assert.equal(reason(oneFunc([], [T.i32], [...i32c(1), 0x6a, END])), "type mismatch");
  assert.equal(reason(oneFunc([], [], [...i32c(1), END])), "type mismatch");
  assert.equal(reason(oneFunc([], [T.i64], [...i32c(1), END])), "type mismatch");
  // f64.promote_f32 takes an f32.
  assert.equal(reason(oneFunc([T.f32], [T.f64], [0x20, 0, 0xbb, END])), "ok");
  assert.equal(reason(oneFunc([T.f64], [T.f64], [0x20, 0, 0xbb, END])), "type mismatch");
});

Deno.test("validator: the stack is polymorphic after unreachable, br and return", () => {
  // unreachable; i32.add; (result i32) — operands come from the polymorphic stack.
  assert.equal(reason(oneFunc([], [T.i32], [0x00, 0x6a, END])), "ok");
  // unreachable; i64.const; i32.add — a known wrong operand still fails.
  assert.equal(reason(oneFunc([], [T.i32], [0x00, 0x42, 0, 0x6a, END])), "type mismatch");
  assert.equal(reason(oneFunc([], [T.i32], [...i32c(1), 0x0f, 0x1a, 0x1a, END])), "ok");
  assert.equal(reason(oneFunc([], [T.i32], [0x0f, END])), "type mismatch");
  // block; br 0; i32.const 1 (too many values at block end is still checked)
  assert.equal(
    reason(oneFunc([], [], [0x02, 0x40, 0x0c, 0, ...i32c(1), END, END])),
    "type mismatch",
  );
  // unreachable; select with unknown operands yields an unknown result.
  assert.equal(reason(oneFunc([], [T.i32], [0x00, 0x1b, END])), "ok");
});

Deno.test("validator: multi-value blocks with type-index block types", () => {
  const types = section(1, vec([functype([], [T.i32, T.i64]), functype([T.i32], [T.i32, T.i32])]));
  const mod = (code: number[]) =>
    wasm(types, section(3, vec([[0]])), section(10, vec([body([], code)])));
  // block (type 0) i32.const 1 i64.const 2 end
  assert.equal(reason(mod([0x02, 0, ...i32c(1), 0x42, 2, END, END])), "ok");
  // i32.const 1; block (type 1) (param i32) dup via local? just push another: i32.const 2 end; drop drop, then type0 result
  const code = [...i32c(1), 0x02, 1, ...i32c(2), END, 0x1a, 0x1a, ...i32c(1), 0x42, 2, END];
  assert.equal(reason(mod(code)), "ok");
  assert.equal(
    reason(mod([0x02, 1, ...i32c(2), END, 0x1a, 0x1a, ...i32c(1), 0x42, 2, END])),
    "type mismatch",
  );
  assert.equal(reason(mod([0x02, 9, END, 0x00, END])), "unknown type 9");
  // loop (type 1): a branch to a loop carries its parameters.
  const loop = [...i32c(1), 0x03, 1, 0x0c, 0, END, 0x1a, 0x1a, 0x00, END];
  assert.equal(reason(mod(loop)), "ok");
});

Deno.test("validator: if without else must leave its parameters as results", () => {
  assert.equal(
    reason(oneFunc([], [T.i32], [...i32c(1), 0x04, T.i32, ...i32c(2), END, END])),
    "type mismatch",
  );
  assert.equal(
    reason(oneFunc([], [T.i32], [...i32c(1), 0x04, T.i32, ...i32c(2), 0x05, ...i32c(3), END, END])),
    "ok",
  );
  assert.equal(reason(oneFunc([], [], [0x05, END])), "END opcode expected");
});

Deno.test("validator: br_table targets must agree in arity and types", () => {
  // block (result i32) block (result i64) ... br_table 0 1 ... mismatched arity types
  const bad = [
    0x02,
    T.i32,
    0x02,
    T.i64,
    ...i32c(0),
    ...i32c(0),
    0x0e,
    1,
    0,
    1,
    END,
    0x1a,
    ...i32c(0),
    END,
    END,
  ];
  assert.equal(reason(oneFunc([], [T.i32], bad)), "type mismatch");
  const arity = [
    0x02,
    0x40,
    0x02,
    T.i32,
    ...i32c(0),
    ...i32c(0),
    0x0e,
    1,
    0,
    1,
    END,
    0x1a,
    END,
    0x00,
    END,
  ];
  assert.equal(reason(oneFunc([], [T.i32], arity)), "type mismatch");
  const good = [0x02, T.i32, 0x02, T.i32, ...i32c(7), ...i32c(0), 0x0e, 1, 0, 1, END, END, END];
  assert.equal(reason(oneFunc([], [T.i32], good)), "ok");
  assert.equal(reason(oneFunc([], [], [...i32c(0), 0x0e, 0, 5, END])), "unknown label");
  // In unreachable code, br_table to labels of different types but equal arity is fine.
  const poly = [0x02, T.i32, 0x02, T.f32, 0x00, 0x0e, 1, 0, 1, END, 0x00, END, END];
  assert.equal(reason(oneFunc([], [T.i32], poly)), "ok");
});

Deno.test("validator: locals, globals and the local limit", () => {
  assert.equal(reason(oneFunc([T.i32], [T.i32], [0x20, 0, END])), "ok");
  assert.equal(reason(oneFunc([T.i32], [T.i32], [0x20, 1, END])), "unknown local 1");
  assert.equal(
    reason(oneFunc([], [T.i64], [0x20, 2, END], { locals: [[1, T.i32], [2, T.i64]] })),
    "ok",
  );
  const g = section(6, vec([[T.i32, 0, ...i32c(5), END], [T.i32, 1, ...i32c(5), END]]));
  assert.equal(
    reason(oneFunc([], [], [...i32c(1), 0x24, 1, END], { extra: { 6: g.slice(2) } })),
    "ok",
  );
  assert.equal(
    reason(oneFunc([], [], [...i32c(1), 0x24, 0, END], { extra: { 6: g.slice(2) } })),
    "immutable global",
  );
  assert.equal(reason(oneFunc([], [], [0x23, 9, 0x1a, END])), "unknown global 9");
});

Deno.test("validator: typed and untyped select", () => {
  const refs = [0xd0, 0x70, 0xd0, 0x70, ...i32c(1)];
  assert.equal(reason(oneFunc([], [T.funcref], [...refs, 0x1b, END])), "type mismatch");
  assert.equal(reason(oneFunc([], [T.funcref], [...refs, 0x1c, 1, T.funcref, END])), "ok");
  assert.equal(
    reason(oneFunc([], [T.funcref], [...refs, 0x1c, 2, T.funcref, T.funcref, END])),
    "invalid result arity",
  );
  assert.equal(
    reason(oneFunc([], [T.i32], [...i32c(1), 0x42, 1, ...i32c(1), 0x1b, END])),
    "type mismatch",
  );
});

Deno.test("validator: ref.func may only name functions declared outside bodies", () => {
  const refFunc = [0xd2, 0, 0x1a, END];
  assert.equal(reason(oneFunc([], [], refFunc)), "undeclared function reference");
  const exported = section(7, vec([[...name("f"), 0, 0]])).slice(2);
  assert.equal(reason(oneFunc([], [], refFunc, { extra: { 7: exported } })), "ok");
  const declared = section(9, vec([[3, 0x00, ...vec([[0]])]])).slice(2);
  assert.equal(reason(oneFunc([], [], refFunc, { extra: { 9: declared } })), "ok");
  const inGlobal = section(6, vec([[T.funcref, 0, 0xd2, 0, END]])).slice(2);
  assert.equal(reason(oneFunc([], [], refFunc, { extra: { 6: inGlobal } })), "ok");
  assert.equal(reason(oneFunc([], [], [0xd2, 3, 0x1a, END])), "unknown function 3");
  assert.equal(reason(oneFunc([], [T.i32], [0xd0, 0x6f, 0xd1, END])), "ok");
  assert.equal(reason(oneFunc([], [T.i32], [...i32c(0), 0xd1, END])), "type mismatch");
});

Deno.test("validator: bulk memory needs a data count section for data indices", () => {
  const code = [...i32c(0), ...i32c(0), ...i32c(0), 0xfc, 8, 0, 0, END];
  const data = section(11, vec([[1, 0]])).slice(2);
  assert.equal(
    reason(oneFunc([], [], code, { memory: true, extra: { 11: data } })),
    "data count section required",
  );
  assert.equal(reason(oneFunc([], [], code, { memory: true, extra: { 11: data, 12: [1] } })), "ok");
  assert.equal(
    reason(oneFunc([], [], [0xfc, 9, 1, END], { extra: { 11: data, 12: [1] } })),
    "unknown data segment 1",
  );
  assert.equal(reason(oneFunc([], [], code, { extra: { 11: data, 12: [1] } })), "unknown memory 0");
  const copy = [...i32c(0), ...i32c(0), ...i32c(0), 0xfc, 10, 0, 0, END];
  assert.equal(reason(oneFunc([], [], copy, { memory: true })), "ok");
});

Deno.test("validator: tables, elem segments and call_indirect", () => {
  const tables = section(4, vec([[T.funcref, 0, 1], [T.externref, 0, 1]])).slice(2);
  const elems = section(9, vec([[5, T.externref, ...vec([[0xd0, 0x6f, END]])]])).slice(2);
  const extra = { 4: tables, 9: elems };
  const init = (
    elem: number,
    table: number,
  ) => [...i32c(0), ...i32c(0), ...i32c(0), 0xfc, 12, elem, table, END];
  assert.equal(reason(oneFunc([], [], init(0, 1), { extra })), "ok");
  assert.equal(reason(oneFunc([], [], init(0, 0), { extra })), "type mismatch");
  assert.equal(reason(oneFunc([], [], init(1, 1), { extra })), "unknown elem segment 1");
  const copy = [...i32c(0), ...i32c(0), ...i32c(0), 0xfc, 14, 0, 1, END];
  assert.equal(reason(oneFunc([], [], copy, { extra })), "type mismatch");
  assert.equal(reason(oneFunc([], [], [...i32c(0), 0x11, 0, 0, END], { extra })), "ok");
  assert.equal(reason(oneFunc([], [], [...i32c(0), 0x11, 0, 1, END], { extra })), "type mismatch");
  assert.equal(
    reason(oneFunc([], [], [...i32c(0), 0x11, 0, 2, END], { extra })),
    "unknown table 2",
  );
  const grow = [0xd0, 0x6f, ...i32c(1), 0xfc, 15, 1, 0x1a, END];
  assert.equal(reason(oneFunc([], [], grow, { extra })), "ok");
  const fill = [...i32c(0), 0xd0, 0x70, ...i32c(1), 0xfc, 17, 1, END];
  assert.equal(reason(oneFunc([], [], fill, { extra })), "type mismatch");
});

Deno.test("validator: memory alignment and SIMD lane immediates", () => {
  const load = (op: number[], align: number) => [...i32c(0), ...op, align, 0, 0x1a, END];
  assert.equal(reason(oneFunc([], [], load([0x28], 2), { memory: true })), "ok");
  assert.equal(
    reason(oneFunc([], [], load([0x28], 3), { memory: true })),
    "alignment must not be larger than natural",
  );
  assert.equal(
    reason(oneFunc([], [], load([0x2c], 1), { memory: true })),
    "alignment must not be larger than natural",
  );
  assert.equal(reason(oneFunc([], [], load([0xfd, 0], 4), { memory: true })), "ok");
  assert.equal(
    reason(oneFunc([], [], load([0xfd, 10], 4), { memory: true })),
    "alignment must not be larger than natural",
  );
  assert.equal(reason(oneFunc([], [], load([0x28], 2))), "unknown memory 0");
  const v = [0xfd, 12, ...Array(16).fill(0)];
  assert.equal(reason(oneFunc([], [T.i32], [...v, 0xfd, 21, 15, END])), "ok");
  assert.equal(reason(oneFunc([], [T.i32], [...v, 0xfd, 21, 16, END])), "invalid lane index");
  assert.equal(reason(oneFunc([], [T.i64], [...v, 0xfd, 29, 2, END])), "invalid lane index");
  assert.equal(
    reason(oneFunc([], [T.v128], [...v, ...v, 0xfd, 13, ...Array(16).fill(31), END])),
    "ok",
  );
  assert.equal(
    reason(oneFunc([], [T.v128], [...v, ...v, 0xfd, 13, ...Array(16).fill(32), END])),
    "invalid lane index",
  );
  const loadLane = [...i32c(0), ...v, 0xfd, 87, 3, 0, 1, END];
  assert.equal(reason(oneFunc([], [T.v128], loadLane, { memory: true })), "ok");
  loadLane[loadLane.length - 2] = 2;
  assert.equal(reason(oneFunc([], [T.v128], loadLane, { memory: true })), "invalid lane index");
});

Deno.test("validator: constant expressions", () => {
  const imports = section(
    2,
    vec([[...name("m"), ...name("g"), 3, T.i32, 0], [...name("m"), ...name("h"), 3, T.i32, 1]]),
  );
  const globals = (init: number[]) => section(6, vec([[T.i32, 0, ...init, END]]));
  assert.equal(reason(wasm(imports, globals([0x23, 0]))), "ok");
  assert.equal(reason(wasm(imports, globals([0x23, 1]))), "constant expression required");
  assert.equal(reason(wasm(globals([0x42, 0]))), "type mismatch");
  // Extended constants: i32/i64 add, sub and mul, typed on an operand stack.
  assert.equal(reason(wasm(globals([...i32c(1), ...i32c(2), 0x6a]))), "ok");
  assert.equal(reason(wasm(imports, globals([0x23, 0, ...i32c(2), 0x6c, ...i32c(3), 0x6b]))), "ok");
  assert.equal(
    reason(wasm(globals([...i32c(1), ...i32c(2), 0x6d]))),
    "constant expression required",
  );
  assert.equal(reason(wasm(globals([...i32c(1), 0x42, 2, 0x6a]))), "type mismatch");
  assert.equal(reason(wasm(globals([...i32c(1), 0x6a]))), "type mismatch");
  assert.equal(reason(wasm(globals([...i32c(1), ...i32c(2)]))), "type mismatch");
  assert.equal(reason(wasm(globals([]))), "type mismatch");
  assert.equal(reason(wasm(globals([0x42, 1, 0x42, 2, 0x7e]))), "type mismatch");
  const i64 = section(6, vec([[T.i64, 0, 0x42, 1, 0x42, 2, 0x7e, 0x42, 3, 0x7d, END]]));
  assert.equal(reason(wasm(i64)), "ok");
  // A global initialiser reads the globals before it: imported or defined earlier, immutable.
  const two = section(6, vec([[T.i32, 0, ...i32c(1), END], [T.i32, 0, 0x23, 0, END]]));
  assert.equal(reason(wasm(two)), "ok");
  const self = section(6, vec([[T.i32, 0, 0x23, 0, END]]));
  assert.equal(reason(wasm(self)), "unknown global 0");
  const later = section(6, vec([[T.i32, 0, 0x23, 1, END], [T.i32, 0, ...i32c(1), END]]));
  assert.equal(reason(wasm(later)), "unknown global 1");
  const mutable = section(6, vec([[T.i32, 1, ...i32c(1), END], [T.i32, 0, 0x23, 0, END]]));
  assert.equal(reason(wasm(mutable)), "constant expression required");
  // A data offset reads any immutable global.
  const mem = section(5, vec([[0, 1]]));
  const data = section(11, vec([[0, 0x23, 0, END, 0]]));
  assert.equal(reason(wasm(mem, section(6, vec([[T.i32, 0, ...i32c(1), END]])), data)), "ok");
  assert.equal(reason(wasm(mem, data)), "unknown global 0");
  assert.equal(reason(wasm(imports, mem, data)), "ok");
  const sum = section(11, vec([[0, ...i32c(8), ...i32c(4), 0x6b, END, 0]]));
  assert.equal(reason(wasm(mem, sum)), "ok");
  assert.equal(reason(wasm(mem, section(11, vec([[0, 0x42, 0, END, 0]])))), "type mismatch");
});

Deno.test("validator: limits, memories, exports and start", () => {
  assert.equal(
    reason(wasm(section(5, vec([[1, 2, 1]])))),
    "size minimum must not be greater than maximum",
  );
  assert.equal(
    reason(wasm(section(5, vec([[0, ...uleb(65537)]])))),
    "memory size must be at most 65536 pages (4GiB)",
  );
  assert.equal(
    reason(wasm(section(5, vec([[1, 0, ...uleb(65537)]])))),
    "memory size must be at most 65536 pages (4GiB)",
  );
  assert.equal(reason(wasm(section(5, vec([[0, ...uleb(65536)]])))), "ok");
  assert.equal(reason(wasm(section(5, vec([[0, 1], [0, 1]])))), "ok");
  assert.equal(reason(wasm(section(5, vec([[4, ...uleb(65537)]])))), "ok");
  // a page size: the custom-page-sizes proposal's, malformed without it
  const pages = { customPageSizes: true };
  assert.equal(reason(wasm(section(5, vec([[8, 1, 0]])))), "malformed limits flags");
  assert.equal(reason(wasm(section(5, vec([[8, 1, 0]]))), pages), "ok");
  assert.equal(reason(wasm(section(5, vec([[8, 1, 2]]))), pages), "invalid custom page size");
  assert.equal(
    reason(wasm(section(5, vec([[8, ...uleb(65537), 16]]))), pages),
    "memory size must be at most 65536 pages (4GiB)",
  );
  assert.equal(
    reason(wasm(section(4, vec([[T.funcref, 1, 5, 4]])))),
    "size minimum must not be greater than maximum",
  );
  assert.equal(reason(wasm(section(4, vec([[T.funcref, 1, 0, ...uleb(0xffffffff)]])))), "ok");
  const exp = (...items: number[][]) => section(7, vec(items)).slice(2);
  assert.equal(
    reason(
      oneFunc([], [], [END], { extra: { 7: exp([...name("a"), 0, 0], [...name("a"), 0, 0]) } }),
    ),
    "duplicate export name",
  );
  assert.equal(
    reason(oneFunc([], [], [END], { extra: { 7: exp([...name("a"), 0, 1]) } })),
    "unknown function 1",
  );
  assert.equal(
    reason(oneFunc([], [], [END], { extra: { 7: exp([...name("a"), 2, 0]) } })),
    "unknown memory 0",
  );
  assert.equal(reason(oneFunc([], [], [END], { extra: { 8: [0] } })), "ok");
  assert.equal(
    reason(oneFunc([], [T.i32], [...i32c(0), END], { extra: { 8: [0] } })),
    "start function",
  );
  assert.equal(reason(oneFunc([], [], [END], { extra: { 8: [1] } })), "unknown function 1");
});

Deno.test("validator: a body must end exactly at its final end", () => {
  assert.equal(reason(oneFunc([], [], [END, 0x01])), "section size mismatch");
  const noEnd = wasm(
    section(1, vec([functype([], [])])),
    section(3, vec([[0]])),
    section(10, vec([body([], [0x01])])),
  );
  assert.equal(reason(noEnd), "unexpected end of section or function");
});

Deno.test("validator: function types are limited to 1000 parameters and results", () => {
  const t = (np: number, nr: number) =>
    wasm(section(1, vec([functype(Array(np).fill(T.i32), Array(nr).fill(T.i32))])));
  assert.equal(reason(t(1000, 1000)), "ok");
  assert.equal(reason(t(1001, 0)), "too many parameters");
  assert.equal(reason(t(0, 1001)), "too many results");
});

Deno.test("validator: a huge br_table to a wide label is checked in linear time", () => {
  // type 0: [] -> [i32 x 1000]; body: block (type 0) unreachable br_table 0 x 200000 end.
  const types = section(1, vec([functype([], Array(1000).fill(T.i32)), functype([], [])]));
  const n = 200000;
  const code = [
    0x02,
    0,
    0x00,
    0x0e,
    ...uleb(n),
    ...Array(n).fill(0),
    0,
    END,
    ...Array(1000).fill(0x1a),
    END,
  ];
  const bytes = wasm(types, section(3, vec([[1]])), section(10, vec([body([], code)])));
  const start = performance.now();
  assert.equal(reason(bytes), "ok");
  assert.ok(performance.now() - start < 2000, "br_table validation too slow");
});

/** Instructions that push a zero of each value type. */
const ZERO: Record<number, number[]> = {
  [T.i32]: [0x41, 0],
  [T.i64]: [0x42, 0],
  [T.f32]: [0x43, 0, 0, 0, 0],
  [T.f64]: [0x44, 0, 0, 0, 0, 0, 0, 0, 0],
  [T.v128]: [0xfd, 12, ...Array(16).fill(0)],
};

/** Immediates that are valid in the module of {@link withEverything}. */
const VALID_IMM: Record<string, number[]> = {
  none: [],
  memarg: [0, 0],
  memory: [0],
  lane: [0],
  memarg_lane: [0, 0, 0],
  shuffle: Array(16).fill(0),
  v128: Array(16).fill(0),
  i32: [0],
  i64: [0],
  f32: [0, 0, 0, 0],
  f64: [0, 0, 0, 0, 0, 0, 0, 0],
  memory_init: [0, 0],
  memory_copy: [0, 0],
  data: [0],
  elem: [0],
  table_init: [0, 0],
  table_copy: [0, 0],
  zero_byte: [0],
};

/** The memarg of an atomic operator: its alignment must be exactly natural. */
function atomicMemarg(name: string): number[] {
  const bits = /\.(?:load|store|rmw|wait)(\d+)/.exec(name)?.[1] ??
    (name.startsWith("i64") ? "64" : "32");
  return [Math.log2(Number(bits) / 8), 0];
}

/** A module with a memory, a table, a passive data and elem segment, and one function. */
function withEverything(code: number[]): Uint8Array<ArrayBuffer> {
  return wasm(
    section(1, vec([functype([], [])])),
    section(3, vec([[0]])),
    section(4, vec([[T.funcref, 0, 1]])),
    section(5, vec([[0, 1]])),
    section(9, vec([[1, 0x00, ...vec([[0]])]])),
    section(12, [1]),
    section(10, vec([body([], code)])),
    section(11, vec([[1, 1, 7]])),
  );
}

/** The wide-arithmetic operators, which native V8 does not validate. */
const WIDE_ARITHMETIC = new Set(["i64.add128", "i64.sub128", "i64.mul_wide_s", "i64.mul_wide_u"]);

Deno.test("validator: every fixed-signature op validates like native V8, and rejects a wrong operand", async () => {
  const { OPS } = await import("./opcodes.ts");
  let checked = 0;
  for (const op of OPS) {
    if (!op.sig || VALID_IMM[op.imm] === undefined) continue;
    const [params, results] = op.sig;
    const opBytes = op.prefix === 0 ? [op.code] : [op.prefix, ...uleb(op.code)];
    const code = [
      ...params.flatMap((t) => ZERO[t]),
      ...opBytes,
      ...(op.prefix === 0xfe && op.imm === "memarg" ? atomicMemarg(op.name) : VALID_IMM[op.imm]),
      ...results.map(() => 0x1a),
      END,
    ];
    const good = withEverything(code);
    // V8 ships without wide arithmetic (its flag is off): only Capstan is asked then.
    const native = !WIDE_ARITHMETIC.has(op.name);
    if (native) assert.equal(WebAssembly.validate(good), true, `native rejects ${op.name}`);
    assert.equal(reason(good), "ok", op.name);
    if (params.length > 0) {
      // Swap the deepest operand for one of another type.
      const wrong = params[0] === T.i32 ? T.f64 : T.i32;
      const bad = withEverything([
        ...[wrong, ...params.slice(1)].flatMap((t) => ZERO[t]),
        ...opBytes,
        ...(op.prefix === 0xfe && op.imm === "memarg" ? atomicMemarg(op.name) : VALID_IMM[op.imm]),
        ...results.map(() => 0x1a),
        END,
      ]);
      if (native) assert.equal(WebAssembly.validate(bad), false, `native accepts bad ${op.name}`);
      assert.equal(reason(bad), "type mismatch", op.name);
    }
    checked++;
  }
  assert.ok(checked > 380, `only ${checked} ops checked`);
});

/** The reason a text module is invalid, or "valid". */
function watReason(src: string): string {
  try {
    translateModule(parseWat(src));
    return "valid";
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
    return e.message.replace(/ \(at offset.*$/, "");
  }
}

Deno.test("FuncValidator: a non-nullable local is set until the end of its block", () => {
  const fn = (body: string) =>
    watReason(`(module (type $t (func)) (elem declare func 0) (func (local $r (ref $t)) ${body}))`);
  assert.equal(fn("(local.get $r) (drop)"), "uninitialized local");
  assert.equal(fn("(local.set $r (ref.func 0)) (local.get $r) (drop)"), "valid");
  assert.equal(
    fn("(block (local.set $r (ref.func 0))) (local.get $r) (drop)"),
    "uninitialized local",
  );
  assert.equal(
    fn("(if (i32.const 1) (then (local.set $r (ref.func 0))) (else (local.get $r) (drop)))"),
    "uninitialized local",
    "else does not see the then-arm's set",
  );
  assert.equal(
    fn("(block (local.tee $r (ref.func 0)) (drop) (local.get $r) (drop))"),
    "valid",
  );
});

Deno.test("FuncValidator: call_ref, br_on_null and br_on_non_null check reference types", () => {
  const m = (body: string) =>
    watReason(`(module (type $t (func (result i32))) (type $u (func (param i32)))
      (func $f (type $t) (i32.const 1)) (elem declare func $f) ${body})`);
  assert.equal(m("(func (result i32) (call_ref $t (ref.func $f)))"), "valid");
  assert.equal(m("(func (call_ref $u (i32.const 0) (ref.func $f)))"), "type mismatch");
  assert.equal(
    m("(func (param funcref) (result i32) (call_ref $t (local.get 0)))"),
    "type mismatch",
  );
  assert.equal(
    m(`(func (param (ref null $t)) (result (ref $t))
        (block (br_on_null 0 (local.get 0)) (return)) (unreachable))`),
    "valid",
  );
  assert.equal(
    m(`(func (param (ref null $t)) (result (ref $t))
        (block $l (result (ref $t)) (br_on_non_null $l (local.get 0)) (unreachable)))`),
    "valid",
  );
  assert.equal(
    m(`(func (param (ref null $t)) (result (ref null $t)) (ref.as_non_null (local.get 0)))`),
    "valid",
  );
  assert.equal(m(`(func (param i32) (drop (ref.as_non_null (local.get 0))))`), "type mismatch");
});

Deno.test("validateModule: table initialisers, typed globals and elem types", () => {
  assert.equal(watReason(`(module (type $t (func)) (table 1 (ref $t)))`), "type mismatch");
  assert.equal(
    watReason(`(module (type $t (func)) (func $f (type $t)) (table 1 (ref $t) (ref.func $f)))`),
    "valid",
  );
  assert.equal(
    watReason(
      `(module (func $f) (global (ref func) (ref.func $f)) (global funcref (global.get 0)))`,
    ),
    "valid",
    "an initialiser's type may be a subtype of the global's",
  );
  assert.equal(watReason(`(module (global (ref func) (ref.null func)))`), "type mismatch");
  assert.equal(watReason(`(module (global (ref null 3) (ref.null 3)))`), "unknown type 3");
});

Deno.test("FuncValidator: a block's end and throw say what they require and what the stack has", () => {
  assert.equal(
    watReason(`(module (func (result i32) (block (result i32) (i64.const 1))))`),
    "type mismatch: instruction requires [i32] but stack has [i64]",
  );
  assert.equal(
    watReason(`(module (func (block (i32.const 1))))`),
    "type mismatch: block requires [] but stack has [i32]",
  );
  assert.equal(
    watReason(`(module (tag (param i32 f32)) (func (i32.const 1) (throw 0)))`),
    "type mismatch: instruction requires [i32 f32] but stack has [i32]",
  );
});
