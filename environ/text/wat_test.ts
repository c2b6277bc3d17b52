/**
 * Tests of `.wat` modules → binary: every abbreviation and index space,
 * compared byte-for-byte with wat2wasm where it is installed, run on the
 * native engine to check meaning, and the errors for malformed text.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "./wat.ts";
import { TextError } from "./text_error.ts";
import { CompileError } from "../errors.ts";

/** Modules that exercise the grammar; each is checked against wat2wasm. */
const MODULES: Record<string, string> = {
  threads: `
    (module
      (memory 1 2 shared)
      (func (param i32) (result i64)
        (atomic.fence)
        (drop (memory.atomic.notify offset=4 (local.get 0) (i32.const 1)))
        (drop (memory.atomic.wait32 (local.get 0) (i32.const 0) (i64.const 0)))
        (drop (memory.atomic.wait64 align=8 (local.get 0) (i64.const 0) (i64.const -1)))
        (i32.atomic.store16 offset=2 (local.get 0) (i32.const 7))
        (drop (i32.atomic.rmw8.cmpxchg_u (local.get 0) (i32.const 1) (i32.const 2)))
        (i64.atomic.rmw32.xchg_u offset=8 (local.get 0) (i64.const 3))))`,
  inlineImportsExports: `
    (module
      (import "m" "f" (func $imp (param i32) (result i32)))
      (func $g (import "m" "g") (param f32))
      (table $t (import "m" "t") 1 funcref)
      (memory (import "m" "mem") 1 2)
      (global $gi (import "m" "gl") (mut i64))
      (func $f (export "f") (export "f2") (param $x i32) (result i32)
        (call $imp (local.get $x)))
      (global $h (export "h") i32 (i32.const 7))
      (export "t" (table $t))
      (export "mem" (memory 0)))`,
  implicitTypes: `
    (module
      (type $a (func (param i32)))
      (func (param f64) (result f64) (local.get 0))
      (func (type $a))
      (func (param i32))
      (func (result i64 i64) (i64.const 1) (i64.const 2))
      (table 2 funcref)
      (func (call_indirect (param i64) (i64.const 1) (i32.const 0))
        (call_indirect 0 (type $a) (i32.const 1) (i32.const 0))
        (i32.const 0)
        (block (param i32) (result i32 i32) (drop) (i32.const 3) (i32.const 4))
        (drop) (drop))
      (type $later (func (param f32 f32))))`,
  controlFlow: `
    (module
      (func (export "fac") (param $n i64) (result i64) (local $acc i64)
        (local.set $acc (i64.const 1))
        (block $done
          (loop $next
            (br_if $done (i64.le_s (local.get $n) (i64.const 1)))
            (local.set $acc (i64.mul (local.get $acc) (local.get $n)))
            (local.set $n (i64.sub (local.get $n) (i64.const 1)))
            (br $next)))
        (local.get $acc))
      (func (export "plain") (param i32) (result i32)
        block $b (result i32)
          local.get 0
          if $i (result i32)
            i32.const 10
          else $i
            i32.const 20
          end $i
          br $b
        end $b)
      (func (export "table") (param i32) (result i32)
        (block $a (block $b (block $c (br_table $a $b $c 1 (local.get 0)))
          (return (i32.const 100))) (return (i32.const 101)))
        (i32.const 102))
      (func (export "sel") (param i32) (result i32)
        (select (result i32) (i32.const 5) (i32.const 6) (local.get 0)))
      (func (if (i32.const 1) (then) (else)) (if (i32.const 0) (then (nop))) (unreachable)))`,
  memoryAndData: `
    (module
      (memory $m (export "mem") (data "hello" "\\00\\ff" "\\u{1F600}"))
      (func (export "ld") (param i32) (result i32)
        (i32.add (i32.load8_u offset=1 (local.get 0)) (i32.load16_s align=1 (local.get 0))))
      (func (drop (i64.load32_u offset=0x10 align=4 (i32.const 0))) (f64.store (i32.const 8) (f64.const -0x1p-3))
        (memory.init $d (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop $d)
        (memory.copy (i32.const 0) (i32.const 1) (i32.const 2)) (memory.fill (i32.const 0) (i32.const 0) (i32.const 0))
        (drop (memory.grow (memory.size))))
      (data $d "passive")
      (data (offset (i32.const 100)) "off")
      (data (memory 0) (i32.const 200) "mem0")
      (data (i32.const 300)))`,
  elemForms: `
    (module
      (type $v (func))
      (table $t0 4 funcref)
      (table $t1 4 externref)
      (table $t2 funcref (elem $f1 $f2))
      (table $t3 funcref (elem (ref.func $f1) (ref.null func)))
      (func $f1) (func $f2 (type $v))
      (elem (i32.const 0) $f1 $f2)
      (elem (table $t0) (offset (i32.const 1)) func $f1)
      (elem (table $t1) (i32.const 0) externref (ref.null extern))
      (elem $p func $f1 $f2)
      (elem funcref (ref.func $f1) (item ref.null func) (item (ref.func $f2)))
      (elem declare func $f2)
      (elem (table $t2) (i32.const 0) funcref (ref.func $f1))
      (elem (i32.const 0))
      (func (table.init $t0 $p (i32.const 0) (i32.const 0) (i32.const 0)) (elem.drop $p)
        (table.copy $t0 $t2 (i32.const 0) (i32.const 0) (i32.const 0))
        (drop (table.get $t1 (i32.const 0))) (table.set $t1 (i32.const 0) (ref.null extern))
        (drop (table.grow $t0 (ref.func $f1) (i32.const 1))) (drop (table.size $t1))
        (table.fill $t0 (i32.const 0) (ref.null func) (i32.const 0))
        (drop (ref.is_null (ref.func $f2)))))`,
  simd: `
    (module
      (func (result v128)
        (drop (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 -1))
        (drop (v128.const i16x8 0 -1 0x7fff 0x8000 0xffff 1 2 3))
        (drop (v128.const f32x4 nan -inf 0x1p-149 1.5))
        (drop (v128.const f64x2 -nan:0x1 1e308))
        (drop (i32x4.splat (i32x4.extract_lane 3 (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 31
          (v128.const i32x4 1 2 3 4) (v128.const i64x2 -1 0x8000_0000_0000_0000)))))
        (v128.store64_lane align=8 1 (i32.const 0)
          (v128.load8_lane offset=3 15 (i32.const 0) (v128.const i32x4 0 0 0 0)))
        (v128.load32_zero (i32.const 0)))
      (memory 1))`,
  globalsAndStart: `
    (module
      (global $i (import "m" "i") i32)
      (global $a (mut i32) (i32.const -1))
      (global $b i64 (i64.const 0xffff_ffff_ffff_ffff))
      (global $c f32 (f32.const 0x1.fffffep127))
      (global $d funcref (ref.func $s))
      (global $e externref (ref.null extern))
      (global $f i32 (global.get $i))
      (func $s (global.set $a (i32.const 3)))
      (start $s))`,
  bareFields: `(func (export "x") (result i32) (i32.const 42)) (memory 1)`,
  annotationsAndComments: `
    (module (@name "m") ;; line comment
      (; block (; nested ;) ;) (func (@my.note "x" (y)) $f (result i32) (i32.const 1)))`,
};

let hasWat2wasm = false;
try {
  hasWat2wasm = new Deno.Command("wat2wasm", { args: ["--version"] }).outputSync().success;
} catch {
  hasWat2wasm = false;
}

function wat2wasm(text: string): Uint8Array {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/m.wat`, text);
    const run = new Deno.Command("wat2wasm", {
      args: ["--enable-annotations", "--enable-threads", `${dir}/m.wat`, "-o", `${dir}/m.wasm`],
    }).outputSync();
    if (!run.success) throw new Error(new TextDecoder().decode(run.stderr));
    return Deno.readFileSync(`${dir}/m.wasm`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

Deno.test("parseWat() output validates natively for every grammar sample", () => {
  for (const [name, text] of Object.entries(MODULES)) {
    assert.ok(WebAssembly.validate(parseWat(text)), name);
  }
});

Deno.test({
  name: "parseWat() is byte-identical to wat2wasm for every grammar sample",
  ignore: !hasWat2wasm,
  fn() {
    for (const [name, text] of Object.entries(MODULES)) {
      assert.deepEqual(parseWat(text), wat2wasm(text), name);
    }
  },
});

Deno.test("parseWat() code runs with the meaning written (labels, locals, br_table, select)", () => {
  const inst = new WebAssembly.Instance(new WebAssembly.Module(parseWat(MODULES.controlFlow)));
  const e = inst.exports as Record<string, (x: number | bigint) => number | bigint>;
  assert.equal(e.fac(20n), 2432902008176640000n);
  assert.equal(e.plain(1), 10);
  assert.equal(e.plain(0), 20);
  assert.deepEqual([0, 1, 2, 3, 9].map((i) => e.table(i)), [102, 101, 100, 101, 101]);
  assert.equal(e.sel(1), 5);
  assert.equal(e.sel(0), 6);
});

Deno.test("parseWat() appends implicit types after the explicit ones, reusing equal types", () => {
  const m = new WebAssembly.Module(parseWat(MODULES.implicitTypes));
  assert.ok(m);
  const bytes = parseWat(MODULES.implicitTypes);
  // type section: id 1, size, count
  assert.equal(bytes[8], 1);
  const count = bytes[10];
  // $a, $later, then in text order: (f64)->(f64), ()->(i64 i64), ()->(), (i64)->(),
  // (i32)->(i32 i32); `(func (param i32))` reuses $a.
  assert.equal(count, 7);
});

Deno.test("parseWat() writes memory data and inline data sizes", async () => {
  const { instance } = await WebAssembly.instantiate(parseWat(MODULES.memoryAndData));
  const mem = instance.exports.mem as WebAssembly.Memory;
  assert.equal(mem.buffer.byteLength, 65536);
  const bytes = new Uint8Array(mem.buffer);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 5)), "hello");
  assert.deepEqual([...bytes.subarray(5, 11)], [0, 255, 0xf0, 0x9f, 0x98, 0x80]);
});

/** Malformed modules and the spec's wording for each. */
const ERRORS: [string, string][] = [
  ["(func (i32.bogus))", "unknown operator i32.bogus"],
  ["(func (br $nope))", "unknown label"],
  ["(func block $a end $b)", "mismatching label"],
  ["(func block end $b)", "mismatching label"],
  ["(func $f) (func $f)", "duplicate func"],
  ["(func (param $x i32) (local $x i32))", "duplicate local"],
  ["(global $g i32 (i32.const 0)) (global $g i32 (i32.const 0))", "duplicate global"],
  ["(type $t (func)) (func (type $t) (param i32))", "inline function type"],
  ["(func (type 9) (param i32))", "unknown type"],
  ["(func (call $missing))", "unknown function"],
  ["(memory 1) (func (drop (i32.load align=3 (i32.const 0))))", "alignment must be a power of two"],
  ["(func (drop (i32.const 0x1_0000_0000)))", "constant out of range"],
  ["(func (drop (f32.const 1e39)))", "constant out of range"],
  [
    "(memory 0x1_0000_0000)",
    "i32 constant out of range: memory size must be at most 4 GiB",
  ],
  [
    "(table 0 0x1_0000_0000 funcref)",
    "i32 constant out of range: table size must be at most 2^32-1",
  ],
  ["(memory 0 (pagesize 3))", "invalid custom page size"],
  ['(func) (import "m" "f" (func))', "import after function"],
  ['(global i32 (i32.const 0)) (func (import "m" "f"))', "import after global"],
  ["(func $f) (start $f) (start $f)", "multiple start sections"],
  ["(func (v128.const i32x4 1 2 3))", "wrong number of lane literals"],
  ["(func (i8x16.shuffle 1 2 3))", "invalid lane length"],
  ["(func (i8x16.shuffle 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 256))", "i8 constant out of range"],
  ['(import "\\ff" "x" (func))', "malformed UTF-8 encoding"],
  ["(func (nop) (local i32))", "unexpected token"],
  ["(func (i32.const 0x))", "unknown operator"],
  ["(func", "unexpected end of input"],
  ["(func))", "unexpected token"],
  ["(frob)", "unexpected token"],
];

Deno.test("parseWat() rejects malformed text with the spec's wording", () => {
  for (const [text, reason] of ERRORS) {
    assert.throws(() => parseWat(text), (e: unknown) => {
      assert.ok(e instanceof TextError, text);
      assert.ok(e instanceof CompileError, text);
      assert.equal(e.reason, reason, text);
      return true;
    });
  }
});

Deno.test("parseWat() errors name the line and column of the offending token", () => {
  try {
    parseWat("(module\n  (func\n    nop\n      i32.frob))");
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof TextError);
    assert.equal(e.message, "unknown operator i32.frob (at line 4, column 7)");
  }
});

Deno.test("parseWat() resolves forward references and numeric indices", () => {
  const bytes = parseWat(`(module
    (func (export "a") (result i32) (call $b))
    (func $b (result i32) (call 2))
    (func (result i32) (global.get $g))
    (global $g i32 (i32.const 9)))`);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  assert.equal((inst.exports.a as () => number)(), 9);
});

Deno.test("parseWat() reports absurdly deep nesting as a TextError, not a RangeError", () => {
  const n = 200_000;
  for (
    const text of [
      "(func " + "(block ".repeat(n) + ")".repeat(n) + ")",
      "(func " + "block ".repeat(n) + "end ".repeat(n) + ")",
    ]
  ) {
    assert.throws(() => parseWat(text), (e: unknown) => {
      assert.ok(e instanceof TextError);
      assert.equal(e.reason, "nesting too deep");
      return true;
    });
  }
});

Deno.test("parseWat() writes memory indices, i64 limits, page sizes and u64 offsets", async () => {
  const { translateModule } = await import("../translate.ts");
  const bytes = parseWat(`(module
    (memory $a 1)
    (memory $b i64 2 3)
    (memory $c 4 (pagesize 1))
    (table $t i64 1 funcref)
    (func (result i32)
      (i64.store $b offset=0x1_0000_0000 (i64.const 0) (i64.const 7))
      (memory.copy $b $a (i64.const 0) (i32.const 0) (i32.const 1))
      (drop (memory.size $c))
      (i32.load8_u $c (i32.const 3))))`);
  const t = translateModule(bytes, { customPageSizes: true });
  assert.deepEqual(t.memories, [
    { limits: { min: 1, max: undefined } },
    { limits: { min: 2, max: 3 }, address64: true, pageSizeLog2: 16 },
    { limits: { min: 4, max: undefined }, address64: false, pageSizeLog2: 0 },
  ]);
  assert.equal(t.tables[0].address64, true);
});
