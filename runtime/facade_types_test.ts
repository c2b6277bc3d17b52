/**
 * Tests of type reflection on the facade: `type()` on memories, tables,
 * globals, tags and functions, and `WebAssembly.Function`. The host's V8 no
 * longer has the proposal, so the expectations are the proposal's
 * (`WebAssembly/js-types`, "Overview").
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { createWebAssembly } from "./webassembly.ts";

// deno-lint-ignore no-explicit-any
const wa: any = createWebAssembly();

Deno.test("type() describes memories, tables, globals and tags as plain objects", () => {
  const memory = new wa.Memory({ initial: 1, maximum: 4 });
  assert.deepEqual(memory.type(), { minimum: 1, maximum: 4, shared: false });
  memory.grow(2);
  assert.deepEqual(memory.type(), { minimum: 3, maximum: 4, shared: false });
  assert.deepEqual(new wa.Memory({ initial: 1, maximum: 2, shared: true }).type(), {
    minimum: 1,
    maximum: 2,
    shared: true,
  });
  assert.deepEqual(new wa.Memory({ initial: 1n, address: "i64" }).type(), {
    minimum: 1n,
    shared: false,
    address: "i64",
  });
  assert.deepEqual(new wa.Table({ initial: 2, element: "anyfunc" }).type(), {
    element: "funcref",
    minimum: 2,
  });
  assert.deepEqual(new wa.Table({ initial: 0, maximum: 3, element: "externref" }).type(), {
    element: "externref",
    minimum: 0,
    maximum: 3,
  });
  assert.deepEqual(new wa.Global({ value: "i64", mutable: true }, 1n).type(), {
    value: "i64",
    mutable: true,
  });
  assert.deepEqual(new wa.Global({ value: "f32" }).type(), { value: "f32", mutable: false });
  assert.deepEqual(new wa.Tag({ parameters: ["i32", "f64"] }).type(), {
    parameters: ["i32", "f64"],
  });
});

Deno.test("a type goes back into its constructor (minimum as well as initial)", () => {
  const memory = new wa.Memory(new wa.Memory({ initial: 2, maximum: 5 }).type());
  assert.equal(memory.buffer.byteLength, 2 * 65536);
  const table = new wa.Table(new wa.Table({ initial: 3, element: "externref" }).type());
  assert.equal(table.length, 3);
  assert.throws(() => new wa.Memory({ initial: 1, minimum: 1 }), TypeError);
  assert.throws(() => new wa.Table({ element: "externref" }), TypeError);
});

Deno.test("exported functions are WebAssembly.Function instances with their type", () => {
  const { exports } = new wa.Instance(
    new wa.Module(parseWat(`(module
      (func (export "f") (param i32 i64) (result f64 externref) unreachable))`)),
  );
  assert.ok(exports.f instanceof wa.Function);
  assert.ok(exports.f instanceof Function);
  assert.ok(Object.prototype.isPrototypeOf.call(Function.prototype, wa.Function.prototype));
  assert.equal(wa.Function.name, "Function");
  assert.deepEqual(exports.f.type(), {
    parameters: ["i32", "i64"],
    results: ["f64", "externref"],
  });
  assert.throws(() => wa.Function.prototype.type.call(() => 1), TypeError);
});

Deno.test("new WebAssembly.Function makes an exported function that imports and goes into tables", () => {
  const calls: unknown[][] = [];
  const add = new wa.Function(
    { parameters: ["i32", "i32"], results: ["i32"] },
    (a: number, b: number) => {
      calls.push([a, b]);
      return a + b;
    },
  );
  assert.ok(add instanceof wa.Function);
  assert.deepEqual(add.type(), { parameters: ["i32", "i32"], results: ["i32"] });
  // called from JS, its arguments and result convert as an exported function's
  assert.equal(add(2.9, "40"), 42);
  assert.deepEqual(calls, [[2, 40]]);
  const table = new wa.Table({ initial: 1, element: "anyfunc" });
  table.set(0, add);
  assert.equal(table.get(0), add);
  const { exports } = new wa.Instance(
    new wa.Module(parseWat(`(module
      (type $bin (func (param i32 i32) (result i32)))
      (import "m" "add" (func $add (type $bin)))
      (import "m" "t" (table 1 funcref))
      (func (export "direct") (result i32) (call $add (i32.const 1) (i32.const 2)))
      (func (export "indirect") (result i32)
        (call_indirect (type $bin) (i32.const 3) (i32.const 4) (i32.const 0)))
      (export "again" (func $add)))`)),
    { m: { add, t: table } },
  );
  assert.equal(exports.direct(), 3);
  assert.equal(exports.indirect(), 7);
  // imported as itself: re-exported, it is the same function
  assert.equal(exports.again, add);
  assert.throws(() => new wa.Function({ parameters: ["i32"] }, () => 0), TypeError);
  assert.throws(() => new wa.Function({ parameters: ["x"], results: [] }, () => 0), TypeError);
  assert.throws(() => new wa.Function({ parameters: [], results: [] }, 1), TypeError);
  assert.throws(() => wa.Function({ parameters: [], results: [] }, () => 0), TypeError);
});
