/**
 * Tests of `.wast` scripts → commands in wast2json's shape: module forms,
 * actions and their values, result patterns, every assertion kind, lines.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWast } from "./wast.ts";
import { parseWat } from "./wat.ts";
import type {
  WastActionCommand,
  WastModuleAssertion,
  WastModuleCommand,
  WastTrapCommand,
} from "./wast.ts";
import { TextError } from "./text_error.ts";
import { CompileError } from "../errors.ts";
import { testsuiteDir } from "../../tests/inputs.ts";

Deno.test("parseWast() carries text, binary and quoted modules as bytes", () => {
  const s = parseWast(
    `(module $A (func (export "f")))
(module $B binary "\\00asm" "\\01\\00\\00\\00")
(module quote "(func (export \\"g\\"))")
(module)`,
    "x.wast",
  );
  assert.equal(s.source_filename, "x.wast");
  const [a, b, q, e] = s.commands as WastModuleCommand[];
  assert.equal(a.name, "$A");
  assert.ok(WebAssembly.validate(a.bytes!));
  assert.equal(b.name, "$B");
  assert.deepEqual([...b.bytes!], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  assert.equal(q.name, undefined);
  assert.deepEqual(
    WebAssembly.Module.exports(new WebAssembly.Module(q.bytes!)).map((x) => x.name),
    ["g"],
  );
  assert.deepEqual([...e.bytes!], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  assert.deepEqual(s.commands.map((c) => c.line), [1, 2, 3, 4]);
});

Deno.test("parseWast() encodes argument values as wast2json does", () => {
  const s = parseWast(`(module)
(invoke "f" (i32.const -1) (i64.const -2) (f32.const -0.5) (f64.const 1)
  (v128.const i16x8 -1 2 3 4 5 6 7 8) (v128.const f32x4 1 -0 inf nan)
  (ref.null func) (ref.null extern) (ref.extern 7))
(get $M "g")`);
  const act = s.commands[1] as WastActionCommand;
  assert.equal(act.type, "action");
  assert.deepEqual(act.action, {
    type: "invoke",
    field: "f",
    args: [
      { type: "i32", value: "4294967295" },
      { type: "i64", value: "18446744073709551614" },
      { type: "f32", value: "3204448256" },
      { type: "f64", value: "4607182418800017408" },
      { type: "v128", lane_type: "i16", value: ["65535", "2", "3", "4", "5", "6", "7", "8"] },
      {
        type: "v128",
        lane_type: "f32",
        value: ["1065353216", "2147483648", "2139095040", "2143289344"],
      },
      { type: "funcref", value: "null" },
      { type: "externref", value: "null" },
      { type: "externref", value: "7" },
    ],
  });
  assert.deepEqual((s.commands[2] as WastActionCommand).action, {
    type: "get",
    module: "$M",
    field: "g",
  });
});

Deno.test("parseWast() keeps NaN patterns, per-lane patterns and either", () => {
  const s = parseWast(`(module)
(assert_return (invoke "f") (f32.const nan:canonical) (f64.const nan:arithmetic)
  (v128.const f64x2 nan:canonical 1) (either (i32.const 1) (i32.const 2)))`);
  const cmd = s.commands[1] as WastActionCommand;
  assert.deepEqual(cmd.expected, [
    { type: "f32", value: "nan:canonical" },
    { type: "f64", value: "nan:arithmetic" },
    { type: "v128", lane_type: "f64", value: ["nan:canonical", "4607182418800017408"] },
    {
      type: "either",
      values: [{ type: "i32", value: "1" }, { type: "i32", value: "2" }],
    },
  ]);
  assert.throws(() => parseWast('(invoke "f" (f32.const nan:canonical))'), TextError);
});

Deno.test("parseWast() turns every assertion into its command, malformed text into error", () => {
  const s = parseWast(`(module $M (func (export "t") (result i32 f64) unreachable))
(register "reg" $M)
(assert_trap (invoke "t") "unreachable")
(assert_exhaustion (invoke $M "t") "call stack exhausted")
(assert_trap (module (func $s unreachable) (start $s)) "unreachable")
(assert_invalid (module (func (result i32))) "type mismatch")
(assert_malformed (module quote "(func i32.bogus)") "unknown operator")
(assert_malformed (module binary "\\00asm") "unexpected end")
(assert_unlinkable (module (import "no" "where" (func))) "unknown import")
(assert_uninstantiable (module (func $s unreachable) (start $s)) "unreachable")`);
  const types = s.commands.map((c) => c.type);
  assert.deepEqual(types, [
    "module",
    "register",
    "assert_trap",
    "assert_exhaustion",
    "assert_uninstantiable",
    "assert_invalid",
    "assert_malformed",
    "assert_malformed",
    "assert_unlinkable",
    "assert_uninstantiable",
  ]);
  assert.deepEqual(s.commands[1], { type: "register", line: 2, name: "$M", as: "reg" });
  const trap = s.commands[2] as WastTrapCommand;
  assert.equal(trap.text, "unreachable");
  assert.deepEqual(trap.expected, [{ type: "i32" }, { type: "f64" }]);
  const invalid = s.commands[5] as WastModuleAssertion;
  assert.equal(invalid.module_type, "binary");
  assert.ok(invalid.bytes !== undefined && !WebAssembly.validate(invalid.bytes));
  const malformed = s.commands[6] as WastModuleAssertion;
  assert.equal(malformed.module_type, "text");
  assert.equal(malformed.bytes, undefined);
  assert.match(malformed.error!, /^unknown operator i32.bogus \(at line 1, column 7\)$/);
  const binary = s.commands[7] as WastModuleAssertion;
  assert.equal(binary.module_type, "binary");
  assert.deepEqual([...binary.bytes!], [0, 0x61, 0x73, 0x6d]);
});

Deno.test("parseWast() treats a script of bare module fields as one module", () => {
  const s = parseWast(`(func (export "f")) (memory 1)`);
  assert.equal(s.commands.length, 1);
  assert.equal(s.commands[0].type, "module");
});

Deno.test("parseWast() rejects a malformed script with line and column", () => {
  assert.throws(() => parseWast("(module)\n  (assert_bogus)"), (e: unknown) => {
    assert.ok(e instanceof TextError);
    assert.equal(e.line, 2);
    assert.equal(e.column, 4);
    return true;
  });
  assert.throws(() => parseWast('(assert_return (invoke "f"'), TextError);
});

Deno.test("parseWast() stops on a stray character after an inline module", () => {
  assert.throws(() => parseWast("(func) \u000e memory 0)"), TextError);
});

Deno.test("parseWast()/parseWat() raise only CompileErrors on mutated spec scripts", () => {
  // Seeded mutations (insert a token, delete a span, replace a character) of
  // small spec scripts: any outcome but a non-CompileError exception (or a
  // hang) is fine.
  let seed = 0x5eed;
  const r = () => {
    seed ^= seed << 13;
    seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    seed >>>= 0;
    return seed / 4294967296;
  };
  const suite = testsuiteDir();
  const sources = ["forward", "comments", "start", "br_table", "elem", "token", "simd_lane"]
    .map((n) => Deno.readTextFileSync(`${suite}/${n}.wast`));
  const pieces = [
    "(",
    ")",
    "$x",
    "0",
    "-1",
    '"',
    "func",
    "module",
    "block",
    "end",
    "then",
    "nan:0x",
    "(;",
    ";;",
    "\n",
    "offset=",
    "(type 0)",
    "(param",
    "(result",
    "v128.const",
    "(elem",
    "\\u{",
    "{",
    "\u00e9",
  ];
  let runs = 0;
  for (let iter = 0; iter < 400; iter++) {
    let text = sources[Math.floor(r() * sources.length)];
    for (let k = 0; k < 1 + Math.floor(r() * 4); k++) {
      const at = Math.floor(r() * text.length);
      const op = r();
      if (op < 0.4) {
        text = text.slice(0, at) + pieces[Math.floor(r() * pieces.length)] + text.slice(at);
      } else if (op < 0.7) text = text.slice(0, at) + text.slice(at + Math.floor(r() * 10));
      else {text = text.slice(0, at) + String.fromCharCode(Math.floor(r() * 128)) +
          text.slice(at + 1);}
    }
    for (const parse of [parseWast, parseWat]) {
      try {
        parse(text);
      } catch (e) {
        assert.ok(e instanceof CompileError, String(e));
      }
      runs++;
    }
  }
  assert.equal(runs, 800);
});

Deno.test("parseWast() with keepGoing reads past a command it cannot read", () => {
  const source = '(module)\n  (assert_bogus 1 2)\n(assert_return (invoke "f"))';
  assert.throws(() => parseWast(source), TextError);
  const script = parseWast(source, "x.wast", { keepGoing: true });
  assert.deepEqual(script.commands.map((c) => c.type), ["module", "unread", "assert_return"]);
  const unread = script.commands[1];
  assert.ok(unread.type === "unread");
  assert.equal(unread.keyword, "assert_bogus");
  assert.equal(unread.line, 2);
  assert.match(unread.error, /unexpected token/);
});

Deno.test("parseWast() marks a module definition, in text, binary and quoted form", () => {
  const s = parseWast(
    `(module definition $M (memory i64 1))
(module definition binary "\\00asm" "\\01\\00\\00\\00")
(module definition quote "(memory 1)")
(module $N)`,
    "x.wast",
  );
  const [m, b, q, n] = s.commands as WastModuleCommand[];
  assert.equal(m.name, "$M");
  assert.ok(WebAssembly.validate(m.bytes!));
  assert.deepEqual([m.definition, b.definition, q.definition, n.definition], [
    true,
    true,
    true,
    undefined,
  ]);
  assert.deepEqual([...b.bytes!], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  assert.ok(WebAssembly.validate(q.bytes!));
});
