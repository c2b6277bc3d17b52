/**
 * Tests of the `name` section {@link parseWat} writes with `{ names: true }`:
 * what it holds (module, function and local names, only the `$id`s written),
 * its encoding (checked by hand against the spec's appendix, by Capstan's own
 * decoder through `translateModule`, and against wabt's `--debug-names`
 * output where wabt is installed), and that the default output is unchanged.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "./wat.ts";
import { encodeNameSection } from "./_name_section.ts";
import { translateModule } from "../translate.ts";
import type { NameSection } from "../types.ts";

/** Named and unnamed things of every kind the name section covers. */
const SAMPLES: Record<string, string> = {
  mixed: `
    (module $mymod
      (import "m" "f" (func $imp (param $a i32) (result i32)))
      (func $g (import "m" "g") (param f32))
      (func (param i32))
      (func $checked_div (export "div") (param $x i32) (param i32) (result i32)
        (local $t i32) (local i64 i64) (local $u f32)
        (i32.div_s (local.get $x) (local.get 1))))`,
  noModuleName: `
    (module
      (type $t (func (param i32)))
      (func $first (type $t))
      (func $second (param $p0 i64) (param $p1 i64) (local $l f64))
      (func (local $only i32))
      (global $gl i32 (i32.const 0))
      (memory $mem 1))`,
  fieldsOnly: `
    (func $a (param $x i32) (result i32) local.get $x)
    (func $b (result i32) (call $a (i32.const 1)))`,
  noIds: `(module (func (param i32) (local i64)) (func (export "f")))`,
  moduleNameOnly: `(module $solo (func) (func (param i32)))`,
};

/** The names a sample should carry, as the user wrote them. */
const EXPECTED: Record<string, NameSection> = {
  mixed: {
    module: "mymod",
    functions: new Map([[0, "imp"], [1, "g"], [3, "checked_div"]]),
    locals: new Map([
      [0, new Map([[0, "a"]])],
      [3, new Map([[0, "x"], [2, "t"], [5, "u"]])],
    ]),
  },
  noModuleName: {
    module: undefined,
    functions: new Map([[0, "first"], [1, "second"]]),
    locals: new Map([
      [1, new Map([[0, "p0"], [1, "p1"], [2, "l"]])],
      [2, new Map([[0, "only"]])],
    ]),
  },
  fieldsOnly: {
    module: undefined,
    functions: new Map([[0, "a"], [1, "b"]]),
    locals: new Map([[0, new Map([[0, "x"]])]]),
  },
  noIds: { module: undefined, functions: new Map(), locals: new Map() },
  moduleNameOnly: { module: "solo", functions: new Map(), locals: new Map() },
};

/**
 * The custom sections of a module (a top-level walk of the binary): each one's
 * name, where its payload after the name starts, and where it ends.
 */
function customSections(bytes: Uint8Array): { name: string; start: number; end: number }[] {
  const found: { name: string; start: number; end: number }[] = [];
  let i = 8;
  const leb = () => {
    let v = 0;
    let shift = 0;
    while (true) {
      const b = bytes[i++];
      v += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (i < bytes.length) {
    const id = bytes[i++];
    const size = leb();
    const end = i + size;
    if (id === 0) {
      const len = leb();
      const name = new TextDecoder().decode(bytes.subarray(i, i + len));
      found.push({ name, start: i + len, end });
    }
    i = end;
  }
  return found;
}

Deno.test("parseWat() without options writes no custom section", () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    assert.deepEqual(customSections(parseWat(text)), [], name);
    assert.deepEqual(customSections(parseWat(text, {})), [], name);
    assert.deepEqual(customSections(parseWat(text, { names: false })), [], name);
  }
});

Deno.test("parseWat({ names: true }) appends one name section after the unchanged module", () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    const plain = parseWat(text);
    const named = parseWat(text, { names: true });
    assert.deepEqual(named.subarray(0, plain.length), plain, name);
    assert.equal(named[plain.length], 0, `${name}: custom section id`);
    const customs = customSections(named);
    assert.equal(customs.length, 1, name);
    assert.equal(customs[0].name, "name", name);
    assert.equal(customs[0].end, named.length, `${name}: name section is last`);
    assert.ok(WebAssembly.validate(named), name);
  }
});

Deno.test("parseWat({ names: true }) round-trips through translateModule().names", () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    const names = translateModule(parseWat(text, { names: true })).names;
    assert.deepEqual(names, EXPECTED[name], name);
  }
});

Deno.test("parseWat({ names: true }) names the module from (module $name ...)", () => {
  assert.equal(translateModule(parseWat("(module $hello)", { names: true })).names.module, "hello");
  assert.equal(translateModule(parseWat("(module)", { names: true })).names.module, undefined);
});

Deno.test("parseWat({ names: true }) names imported and defined functions by index", () => {
  const { functions } = translateModule(parseWat(SAMPLES.mixed, { names: true })).names;
  assert.equal(functions.get(0), "imp"); // (import ... (func $imp ...))
  assert.equal(functions.get(1), "g"); // (func $g (import ...))
  assert.equal(functions.has(2), false); // (func (param i32)) has no id
  assert.equal(functions.get(3), "checked_div");
});

Deno.test("parseWat({ names: true }) names params and locals in one index space", () => {
  const { locals } = translateModule(parseWat(SAMPLES.mixed, { names: true })).names;
  // $x is param 0, param 1 is unnamed, $t is local 2, the two i64s are 3 and 4, $u is 5.
  assert.deepEqual([...locals.get(3)!], [[0, "x"], [2, "t"], [5, "u"]]);
  assert.equal(locals.has(2), false, "a function with no named locals gets no entry");
  assert.deepEqual([...locals.get(0)!], [[0, "a"]], "an import's named params");
});

Deno.test("parseWat({ names: true }) leaves out types, globals and memories named by id", () => {
  const bytes = parseWat(SAMPLES.noModuleName, { names: true });
  const [name] = customSections(bytes);
  // Only subsections 0, 1 and 2 are written: walk the payload's subsection ids.
  const ids: number[] = [];
  let i = name.start;
  while (i < name.end) {
    ids.push(bytes[i]);
    i += 2 + bytes[i + 1]; // sizes here are all below 128
  }
  assert.equal(i, name.end);
  assert.deepEqual(ids, [1, 2]);
});

Deno.test("parseWat({ names: true }) encodes the spec's name section layout", () => {
  const bytes = parseWat("(module $m (func $f (param $p i32)))", { names: true });
  const plain = parseWat("(module $m (func $f (param $p i32)))");
  // Worked out from the spec's appendix: custom section 0, size 23, name "name",
  // subsection 0 (size 2): name "m"; subsection 1 (size 4): 1 entry, 0 → "f";
  // subsection 2 (size 6): 1 function, 0 → (1 entry, 0 → "p").
  // deno-fmt-ignore
  const expected = [
    0x00, 23, 4, 0x6e, 0x61, 0x6d, 0x65,
    0x00, 2, 1, 0x6d,
    0x01, 4, 1, 0, 1, 0x66,
    0x02, 6, 1, 0, 1, 0, 1, 0x70,
  ];
  assert.deepEqual([...bytes.subarray(plain.length)], expected);
});

Deno.test("encodeNameSection() sorts name maps by index and drops empty local maps", () => {
  const bytes = encodeNameSection({
    module: undefined,
    functions: new Map([[5, "e"], [1, "a"]]),
    locals: new Map([[7, new Map([[3, "z"], [0, "y"]])], [2, new Map()]]),
  });
  const names = translateModule(moduleWith(bytes)).names;
  // The decoder fills its maps in wire order, so these orders are the wire's.
  assert.deepEqual([...names.functions], [[1, "a"], [5, "e"]]);
  assert.deepEqual([...names.locals.keys()], [7]);
  assert.deepEqual([...names.locals.get(7)!], [[0, "y"], [3, "z"]]);
});

Deno.test("encodeNameSection() writes non-ASCII names as UTF-8", () => {
  const bytes = encodeNameSection({ module: "modülé", functions: new Map(), locals: new Map() });
  assert.equal(translateModule(moduleWith(bytes)).names.module, "modülé");
});

/** An empty module followed by `section`. */
function moduleWith(section: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + section.length);
  out.set([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  out.set(section, 8);
  return out;
}

let hasWabt = false;
try {
  hasWabt = new Deno.Command("wat2wasm", { args: ["--version"] }).outputSync().success &&
    new Deno.Command("wasm-objdump", { args: ["--version"] }).outputSync().success;
} catch {
  hasWabt = false;
}

/** wabt's `wat2wasm --debug-names` output for `text`. */
function wabtNamed(text: string): Uint8Array {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/m.wat`, text);
    const run = new Deno.Command("wat2wasm", {
      args: ["--debug-names", `${dir}/m.wat`, "-o", `${dir}/m.wasm`],
    }).outputSync();
    if (!run.success) throw new Error(new TextDecoder().decode(run.stderr));
    return Deno.readFileSync(`${dir}/m.wasm`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** The module, function and local name lines `wasm-objdump -x` prints for a binary. */
function objdumpNames(bytes: Uint8Array): string[] {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/m.wasm`, bytes);
    const run = new Deno.Command("wasm-objdump", { args: ["-x", "-j", "name", `${dir}/m.wasm`] })
      .outputSync();
    if (!run.success) throw new Error(new TextDecoder().decode(run.stderr));
    return new TextDecoder().decode(run.stdout).split("\n")
      .filter((l) => /^ - (module|func\[)/.test(l));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}

/** A name section with functions that have no local names left out (wabt lists them empty). */
function withoutEmptyLocals(n: NameSection): NameSection {
  return {
    module: n.module,
    functions: n.functions,
    locals: new Map([...n.locals].filter(([, m]) => m.size > 0)),
  };
}

Deno.test({
  name: "parseWat({ names: true }) names what wat2wasm --debug-names names (decoded)",
  ignore: !hasWabt,
  fn() {
    for (const [name, text] of Object.entries(SAMPLES)) {
      const ours = translateModule(parseWat(text, { names: true })).names;
      const wabt = translateModule(wabtNamed(text)).names;
      assert.deepEqual(ours, withoutEmptyLocals(wabt), name);
    }
  },
});

Deno.test({
  name: "parseWat({ names: true }) reads the same as wat2wasm's in wasm-objdump -x",
  ignore: !hasWabt,
  fn() {
    for (const [name, text] of Object.entries(SAMPLES)) {
      const ours = objdumpNames(parseWat(text, { names: true }));
      assert.deepEqual(ours, objdumpNames(wabtNamed(text)), name);
      const expected = EXPECTED[name];
      const count = (expected.module === undefined ? 0 : 1) + expected.functions.size +
        [...expected.locals.values()].reduce((s, m) => s + m.size, 0);
      assert.equal(ours.length, count, `${name}: one objdump line per name`);
    }
  },
});

Deno.test("parseWat({ names: true }) names examples/add.wat's $checked_div for backtraces", () => {
  const text = Deno.readTextFileSync(new URL("../../examples/add.wat", import.meta.url));
  const names = translateModule(parseWat(text, { names: true })).names;
  assert.equal(names.module, "example");
  assert.deepEqual([...names.functions], [[0, "add"], [1, "fac"], [2, "div"], [3, "checked_div"]]);
  assert.deepEqual([...names.locals.get(3)!], [[0, "a"], [1, "b"]]);
});
