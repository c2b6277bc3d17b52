/**
 * v128 values at the runtime API (G's SIMD work): arguments and results of
 * `Func.call` as 16-byte `Uint8Array`s, host functions taking and returning
 * v128 from wasm, v128 globals shared between instances and the host, and
 * v128 registers surviving a re-entrant host call that runs SIMD code itself.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat, ValType } from "@capstan/environ";
import { Engine, type Func, Global, Linker, Module, Store } from "./mod.ts";

function words(...w: number[]): Uint8Array {
  return new Uint8Array(Int32Array.from(w).buffer);
}

function asWords(v: unknown): number[] {
  const b = v as Uint8Array;
  assert.ok(b instanceof Uint8Array && b.length === 16, "a 16-byte Uint8Array");
  return [...new Int32Array(b.slice().buffer)];
}

Deno.test("Func.call passes and returns v128 values as 16-byte Uint8Arrays", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const m = new Module(
    engine,
    parseWat(`(module
      (func (export "add") (param v128 i32 v128) (result v128 i32 v128)
        (i32x4.add (local.get 0) (local.get 2))
        (local.get 1)
        (local.get 0)))`),
  );
  const inst = new Linker(engine).instantiate(store, m);
  const [sum, k, first] = inst.getFunc("add")!.call(words(1, 2, 3, -1), 7, words(10, 20, 30, 1));
  assert.deepEqual(asWords(sum), [11, 22, 33, 0]);
  assert.equal(k, 7);
  assert.deepEqual(asWords(first), [1, 2, 3, -1]);
});

Deno.test("host functions receive and return v128 values; wasm registers survive re-entry", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const linker = new Linker(engine);
  const box: { inner?: Func } = {};
  linker.funcWrap("env", "twist", { params: ["v128", "i32"], results: ["v128"] }, (v, k) => {
    const w = asWords(v);
    // re-enter wasm, which uses SIMD registers of its own
    const [r] = box.inner!.call(words(k as number, k as number, k as number, k as number));
    const x = asWords(r);
    return words(w[3] + x[0], w[2] + x[1], w[1] + x[2], w[0] + x[3]);
  });
  const m = new Module(
    engine,
    parseWat(`(module
      (import "env" "twist" (func $twist (param v128 i32) (result v128)))
      (func $inner (export "inner") (param v128) (result v128)
        (local v128)
        (local.set 1 (i32x4.mul (local.get 0) (v128.const i32x4 100 100 100 100)))
        (i32x4.add (local.get 1) (local.get 0)))
      (func (export "outer") (param v128) (result v128)
        (local $keep v128)
        (local.set $keep (i32x4.neg (local.get 0)))
        (call $twist (local.get 0) (i32.const 2))
        (local.get $keep)
        (i32x4.sub)))`),
  );
  const inst = linker.instantiate(store, m);
  box.inner = inst.getFunc("inner")!;
  const [r] = inst.getFunc("outer")!.call(words(1, 2, 3, 4));
  // twist: reversed (4,3,2,1) + 202 each; minus keep (-1,-2,-3,-4)
  assert.deepEqual(asWords(r), [4 + 202 + 1, 3 + 202 + 2, 2 + 202 + 3, 1 + 202 + 4]);
});

Deno.test("v128 globals are shared between instances and the host", () => {
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const linker = new Linker(engine);
  const a = linker.instantiate(
    store,
    new Module(
      engine,
      parseWat(`(module
        (global (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
        (global (export "after") (mut i64) (i64.const 77))
        (func (export "bump") (global.set 0 (i32x4.add (global.get 0) (global.get 0)))))`),
    ),
  );
  linker.instance(store, "a", a);
  const b = linker.instantiate(
    store,
    new Module(
      engine,
      parseWat(`(module
        (import "a" "g" (global $g (mut v128)))
        (func (export "lane") (param i32) (result i32)
          (i32x4.extract_lane 0 (i8x16.swizzle (global.get $g) (i8x16.splat (local.get 0)))))
        (func (export "set") (global.set $g (v128.const i64x2 -1 5))))`),
    ),
  );
  const g = a.getGlobal("g")!;
  assert.equal(g.type.type, ValType.v128);
  assert.deepEqual(asWords(g.get()), [1, 2, 3, 4]);
  a.getFunc("bump")!.call();
  assert.deepEqual(asWords(g.get()), [2, 4, 6, 8]);
  // byte 4 of (2,4,6,8) is 4, splatted over the lane
  assert.equal(b.getFunc("lane")!.call(4)[0], 0x04040404);
  b.getFunc("set")!.call();
  assert.deepEqual(asWords(g.get()), [-1, -1, 5, 0]);
  // the neighbouring global is untouched by the 16-byte value
  assert.equal(a.getGlobal("after")!.get(), 77n);
  g.set(words(9, 8, 7, 6));
  assert.equal(b.getFunc("lane")!.call(12)[0], 6 * 0x01010101);
  const host = new Global(store, { type: ValType.v128, mutable: false }, words(5, 6, 7, 8));
  assert.deepEqual(asWords(host.get()), [5, 6, 7, 8]);
});
