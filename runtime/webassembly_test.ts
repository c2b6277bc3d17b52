/**
 * Tests of the `WebAssembly` facade. Each behaviour is checked on the facade
 * and, with the same code, on the host's native `WebAssembly`: the native run
 * proves the expectation is the JS-API's, the facade run that Capstan meets it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Engine } from "./engine.ts";
import { createWebAssembly, WebAssembly as Facade } from "./webassembly.ts";

function hex(text: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

// (module
//   (func $add (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
//   (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
//   (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
//   (func (export "load") (param i32) (result i32) local.get 0 i32.load)
//   (func (export "wide") (param i64 f32 f64) (result i64 f32 f64)
//     local.get 0 local.get 1 local.get 2)
//   (memory (export "mem") 1 3) (table (export "tab") 2 funcref)
//   (global (export "g") (mut i32) (i32.const 7)) (global (export "c") i64 (i64.const -5))
//   (elem (i32.const 0) $add) (data (i32.const 0) "\2a"))
const EXPORTER = hex(
  "0061736d0100000001150360027f7f017f60017f017f60037e7d7c037e7d7c030605000001010204" +
    "0401700002050401010103060b027f0141070b7e00427b0b07360903616464000003646976000104" +
    "67726f770002046c6f6164000304776964650004036d656d02000374616201000167030001630301" +
    "0907010041000b01000a29050700200020016a0b0700200020016d0b0600200040000b0700200028" +
    "02000b08002000200120020b0b07010041000b012a",
);

// (module
//   (type $bin (func (param i32 i32) (result i32)))
//   (import "env" "add" (func $add (type $bin))) (import "env" "mem" (memory 1))
//   (import "env" "tab" (table 2 funcref)) (import "env" "g" (global $g (mut i32)))
//   (export "add" (func $add))
//   (func (export "callAdd") (param i32 i32) (result i32) local.get 0 local.get 1 call $add)
//   (func (export "readMem") (param i32) (result i32) local.get 0 i32.load8_u)
//   (func (export "getG") (result i32) global.get $g)
//   (func (export "setG") (param i32) local.get 0 global.set $g)
//   (func (export "callTab") (param i32 i32 i32) (result i32)
//     local.get 0 local.get 1 local.get 2 call_indirect (type $bin)))
const IMPORTER = hex(
  "0061736d01000000011b0560027f7f017f60017f017f6000017f60017f0060037f7f7f017f022b04" +
    "03656e7603616464000003656e76036d656d02000103656e76037461620170000203656e76016703" +
    "7f0103060500010203040733060361646400000763616c6c416464000107726561644d656d000204" +
    "676574470003047365744700040763616c6c54616200050a2a0508002000200110000b070020002d" +
    "00000b040023000b0600200024000b0b002000200120021100000b",
);

// (module
//   (import "js" "f" (func $f (param i32 i64 f32) (result f64)))
//   (import "js" "pair" (func $pair (result i32 i64))) (import "js" "n" (global $n i32))
//   (func (export "callF") (param i32 i64 f32) (result f64)
//     local.get 0 local.get 1 local.get 2 call $f)
//   (func (export "callPair") (result i32 i64) call $pair)
//   (func (export "n") (result i32) global.get $n))
const HOST = hex(
  "0061736d0100000001110360037f7e7d017c6000027f7e6000017f021a03026a7301660000026a73" +
    "04706169720001026a73016e037f000304030001020718030563616c6c4600020863616c6c506169" +
    "720003016e00040a16030a0020002001200210000b040010010b040023000b",
);

// (module (func $s unreachable) (start $s))
const START_TRAP = hex(
  "0061736d01000000010401600000030201000801000a05010300000b",
);

// An empty module with two custom sections named "hello": "abc" and "de".
const CUSTOM = hex(
  "0061736d0100000000090568656c6c6f61626300080568656c6c6f6465",
);

/**
 * A `WebAssembly` namespace as these tests use it: loosely typed, because they
 * pass what Deno's lib typings lag behind (a Table's initial value, externref
 * values) and deliberately wrong arguments.
 */
// deno-lint-ignore no-explicit-any
type WA = any;

/**
 * Registers a test for the facade and, with the same body, for native WebAssembly.
 *
 * @param name what the test checks
 * @param fn the test body, given a `WebAssembly` namespace
 */
function both(name: string, fn: (wa: WA) => void | Promise<void>): void {
  Deno.test(`${name} (capstan)`, () => fn(createWebAssembly()));
  Deno.test(`${name} (native)`, () => fn(globalThis.WebAssembly));
}

// deno-lint-ignore no-explicit-any
type Exports = Record<string, any>;

function exporter(wa: WA): Exports {
  return new wa.Instance(new wa.Module(EXPORTER)).exports as Exports;
}

both("Module.exports/imports/customSections describe a module", (wa) => {
  const importer = new wa.Module(IMPORTER);
  assert.deepEqual(wa.Module.imports(importer), [
    { module: "env", name: "add", kind: "function" },
    { module: "env", name: "mem", kind: "memory" },
    { module: "env", name: "tab", kind: "table" },
    { module: "env", name: "g", kind: "global" },
  ]);
  assert.deepEqual(
    wa.Module.exports(new wa.Module(EXPORTER)).map((e: { kind: string; name: string }) =>
      `${e.kind} ${e.name}`
    ),
    [
      "function add",
      "function div",
      "function grow",
      "function load",
      "function wide",
      "memory mem",
      "table tab",
      "global g",
      "global c",
    ],
  );
  const sections = wa.Module.customSections(new wa.Module(CUSTOM), "hello");
  assert.deepEqual(sections.map((b: ArrayBuffer) => new TextDecoder().decode(b)), ["abc", "de"]);
  assert.ok(sections[0] instanceof ArrayBuffer);
  assert.throws(() => wa.Module.exports({} as WebAssembly.Module), TypeError);
});

both(
  "extended constants and relaxed SIMD validate and run (wasm-feature-detect's probes)",
  (wa) => {
    // the probes of wasm-feature-detect's extendedConst and relaxedSimd
    assert.equal(
      wa.validate(parseWat(`(module (global i32 (i32.add (i32.const 1) (i32.const 2))))`)),
      true,
    );
    const relaxed = `(func (result v128)
    (i8x16.relaxed_swizzle (i8x16.splat (i32.const 0)) (i8x16.splat (i32.const 0))))`;
    assert.equal(wa.validate(parseWat(`(module ${relaxed})`)), true);
    const { exports } = new wa.Instance(
      new wa.Module(parseWat(`(module
      (global $g (export "g") i32 (i32.sub (i32.mul (i32.const 6) (i32.const 7)) (i32.const 2)))
      (global (export "h") i64 (i64.add (i64.const 0x7fffffffffffffff) (i64.const 1)))
      (func (export "lane") (param i32) (result i32)
        (i8x16.extract_lane_u 5
          (i8x16.relaxed_swizzle (v128.const i8x16 0 10 20 30 40 50 60 70 80 90 100 110 120 130 140 150)
            (i8x16.splat (local.get 0))))))`)),
    );
    const e = exports as Exports;
    assert.equal(e.g.value, 40);
    assert.equal(e.h.value, -(1n << 63n));
    assert.equal(e.lane(3), 30);
    assert.equal(e.lane(15), 150);
  },
);

both("validate() tells valid bytes from invalid ones and rejects non-buffers", (wa) => {
  assert.equal(wa.validate(EXPORTER), true);
  assert.equal(wa.validate(EXPORTER.buffer), true);
  assert.equal(wa.validate(hex("0061736d02000000")), false);
  assert.throws(() => wa.validate("wasm" as unknown as BufferSource), TypeError);
});

both(
  "new Module() of malformed bytes throws CompileError; compile() rejects with it",
  async (wa) => {
    assert.throws(() => new wa.Module(hex("01020304")), wa.CompileError);
    await assert.rejects(wa.compile(hex("0061736d010000")), wa.CompileError);
    const e = (() => {
      try {
        new wa.Module(hex("0061736d02000000"));
      } catch (error) {
        return error;
      }
    })();
    assert.ok(e instanceof Error && e.name === "CompileError", String(e));
  },
);

both("Memory: grow returns the old size and replaces buffer; the maximum is a RangeError", (wa) => {
  const memory = new wa.Memory({ initial: 1, maximum: 2 });
  const before = memory.buffer;
  assert.equal(before.byteLength, 65536);
  new Uint8Array(before)[5] = 9;
  assert.equal(memory.buffer, before, "buffer is stable until growth");
  assert.equal(memory.grow(1), 1);
  assert.equal(before.byteLength, 0, "the old buffer is detached");
  assert.equal(memory.buffer.byteLength, 131072);
  assert.equal(new Uint8Array(memory.buffer)[5], 9);
  assert.throws(() => memory.grow(1), RangeError);
  assert.throws(() => new wa.Memory({ initial: 2, maximum: 1 }), RangeError);
  assert.throws(() => new wa.Memory({} as WebAssembly.MemoryDescriptor), TypeError);
  assert.equal(String(memory), "[object WebAssembly.Memory]");
});

both("Table: get/set/grow/length for funcref and externref", (wa) => {
  const ext = new wa.Table({ element: "externref", initial: 2 }, "x");
  assert.equal(ext.length, 2);
  assert.equal(ext.get(1), "x");
  const obj = {};
  ext.set(0, obj);
  assert.equal(ext.get(0), obj);
  assert.equal(ext.grow(2), 2);
  assert.equal(ext.length, 4);
  assert.equal(ext.get(3), undefined);
  assert.throws(() => ext.get(4), RangeError);
  const funcs = new wa.Table({ element: "anyfunc", initial: 1, maximum: 2 });
  assert.equal(funcs.get(0), null);
  assert.throws(() => funcs.set(0, () => 1), TypeError, "a JS function is not a funcref");
  const { add } = exporter(wa);
  funcs.set(0, add);
  assert.equal(funcs.get(0), add);
  assert.equal(funcs.grow(1), 1);
  assert.throws(() => funcs.grow(1), RangeError);
});

both("Global: value get/set, mutability checked, valueOf, i64 as BigInt", (wa) => {
  const g = new wa.Global({ value: "i32", mutable: true }, 42);
  assert.equal(g.value, 42);
  g.value = 2 ** 32 + 5;
  assert.equal(g.value, 5, "ToInt32 wraps");
  assert.equal(g.valueOf(), 5);
  const c = new wa.Global({ value: "i64" }, -1n);
  assert.equal(c.value, -1n);
  assert.throws(() => {
    c.value = 2n;
  }, TypeError);
  assert.throws(() => new wa.Global({ value: "i64" }, 1), TypeError, "a Number is not a BigInt");
  assert.equal(new wa.Global({ value: "f32" }, 0.1).value, Math.fround(0.1));
  assert.equal(new wa.Global({ value: "f64" }).value, 0);
});

both("an instance's exports keep identity and expose memory, table and globals", (wa) => {
  const instance = new wa.Instance(new wa.Module(EXPORTER));
  const e = instance.exports as Exports;
  assert.equal(e.add, instance.exports.add);
  assert.equal(typeof e.add, "function");
  assert.equal(e.add.length, 2);
  assert.equal(e.add.name, "0");
  assert.ok(Object.isFrozen(e));
  assert.equal(Object.getPrototypeOf(e), null);
  assert.ok(e.mem instanceof wa.Memory);
  assert.ok(e.tab instanceof wa.Table);
  assert.ok(e.g instanceof wa.Global);
  assert.equal(e.tab.get(0), e.add, "the element segment's function is the exported one");
  assert.equal(e.g.value, 7);
  assert.equal(e.c.value, -5n);
  assert.equal(new Uint8Array(e.mem.buffer)[0], 42);
});

both("exported functions convert arguments and results as the JS-API does", (wa) => {
  const e = exporter(wa);
  assert.equal(e.add(2, 3), 5);
  assert.equal(e.add(0x7fffffff, 1), -0x80000000);
  assert.equal(e.add("4", true), 5, "ToNumber then ToInt32");
  assert.equal(e.add(), 0, "missing arguments are undefined, ToInt32(undefined) is 0");
  const [i, f, d] = e.wide(-2n, 0.1, 0.1);
  assert.equal(i, -2n);
  assert.equal(f, Math.fround(0.1));
  assert.equal(d, 0.1);
  assert.equal(e.wide(2n ** 64n + 3n, 0, 0)[0], 3n, "ToBigInt64 wraps");
  assert.throws(() => e.wide(1, 0, 0), TypeError, "a Number is not a BigInt");
});

both("a trap surfaces as RuntimeError with the trap's message", (wa) => {
  const e = exporter(wa);
  assert.throws(() => e.div(1, 0), wa.RuntimeError);
  assert.throws(() => e.load(65536), wa.RuntimeError);
  assert.throws(() => new wa.Instance(new wa.Module(START_TRAP)), wa.RuntimeError);
});

Deno.test({
  name: "a trap carries the spec's message, code and backtrace (capstan)",
  fn() {
    const e = exporter(Facade);
    try {
      e.div(1, 0);
      assert.fail("div by zero did not trap");
    } catch (error) {
      assert.ok(error instanceof Facade.RuntimeError);
      assert.equal((error as Error).message, "integer divide by zero");
      const { code, backtrace } = error as unknown as { code: number; backtrace: unknown[] };
      assert.equal(typeof code, "number");
      assert.ok(Array.isArray(backtrace));
    }
  },
});

both("one instance's exports are imported by another: functions, memory, table, global", (wa) => {
  const a = exporter(wa);
  const b = new wa.Instance(new wa.Module(IMPORTER), {
    env: { add: a.add, mem: a.mem, tab: a.tab, g: a.g },
  }).exports as Exports;
  assert.equal(b.add, a.add, "a re-exported wasm function is the same JS function");
  assert.equal(b.callAdd(20, 22), 42);
  assert.equal(b.readMem(0), 42);
  new Uint8Array(a.mem.buffer)[1] = 99;
  assert.equal(b.readMem(1), 99);
  assert.equal(b.getG(), 7);
  a.g.value = 11;
  assert.equal(b.getG(), 11);
  b.setG(12);
  assert.equal(a.g.value, 12);
  assert.equal(b.callTab(1, 2, 0), 3, "call_indirect through the shared table");
  assert.throws(() => b.callTab(1, 2, 1), wa.RuntimeError, "a null entry traps");
  a.tab.set(1, a.add);
  assert.equal(b.callTab(5, 6, 1), 11);
});

both("memory growth inside wasm is seen through buffer", (wa) => {
  const e = exporter(wa);
  const before = e.mem.buffer;
  assert.equal(e.grow(1), 1);
  assert.equal(before.byteLength, 0, "the old buffer is detached");
  assert.equal(e.mem.buffer.byteLength, 2 * 65536);
  assert.equal(e.grow(5), -1, "beyond the maximum, memory.grow returns -1");
});

both("JS functions and values are imported with ToWebAssemblyValue conversions", (wa) => {
  const seen: unknown[] = [];
  const e = new wa.Instance(new wa.Module(HOST), {
    js: {
      f: (a: number, b: bigint, c: number) => {
        seen.push(a, b, c);
        return "2.5";
      },
      pair: () => [7.9, 8n],
      n: 5,
    },
  }).exports as Exports;
  assert.equal(e.callF(-1, 2n ** 63n, 0.1), 2.5);
  assert.deepEqual(seen, [-1, -(2n ** 63n), Math.fround(0.1)]);
  assert.deepEqual(e.callPair(), [7, 8n]);
  assert.equal(e.n(), 5);
});

both("an exception thrown by an imported JS function passes through unchanged", (wa) => {
  const boom = new SyntaxError("boom");
  const e = new wa.Instance(new wa.Module(HOST), {
    js: {
      f: () => {
        throw boom;
      },
      pair: () => 1,
      n: 0,
    },
  }).exports as Exports;
  assert.throws(() => e.callF(0, 0n, 0), (error) => error === boom);
  assert.throws(() => e.callPair(), TypeError, "several results need an iterable");
});

both("imports that do not fit are a LinkError, a missing module object a TypeError", (wa) => {
  const a = exporter(wa);
  const module = new wa.Module(IMPORTER);
  const good = { add: a.add, mem: a.mem, tab: a.tab, g: a.g };
  assert.throws(() => new wa.Instance(module), TypeError);
  assert.throws(() => new wa.Instance(module, {}), TypeError);
  assert.throws(() => new wa.Instance(module, { env: { ...good, add: 1 } }), wa.LinkError);
  assert.throws(
    () => new wa.Instance(module, { env: { ...good, add: a.grow } }),
    wa.LinkError,
    "signature mismatch",
  );
  assert.throws(() => new wa.Instance(module, { env: { ...good, mem: {} } }), wa.LinkError);
  assert.throws(() => new wa.Instance(module, { env: { ...good, tab: a.mem } }), wa.LinkError);
  assert.throws(
    () => new wa.Instance(module, { env: { ...good, g: 7 } }),
    wa.LinkError,
    "a mutable global import needs a Global",
  );
  const immutable = new wa.Global({ value: "i32" }, 1);
  assert.throws(
    () => new wa.Instance(module, { env: { ...good, g: immutable } }),
    wa.LinkError,
    "mutability must match",
  );
  const small = new wa.Memory({ initial: 0 });
  assert.throws(
    () => new wa.Instance(module, { env: { ...good, mem: small } }),
    wa.LinkError,
    "memory too small",
  );
  assert.throws(
    () => new wa.Instance(new wa.Module(HOST), { js: { f() {}, pair() {}, n: 1n } }),
    wa.LinkError,
    "a BigInt for an i32 global",
  );
});

both("instantiate() has both overloads; the streaming forms take a Response", async (wa) => {
  const { module, instance } = await wa.instantiate(EXPORTER);
  assert.ok(module instanceof wa.Module);
  assert.equal((instance.exports as Exports).add(1, 1), 2);
  const again = await wa.instantiate(module);
  assert.ok(again instanceof wa.Instance);
  const response = () =>
    new Response(EXPORTER, { headers: { "content-type": "application/wasm" } });
  assert.ok((await wa.compileStreaming(response())) instanceof wa.Module);
  const streamed = await wa.instantiateStreaming(Promise.resolve(response()));
  assert.equal((streamed.instance.exports as Exports).add(2, 2), 4);
  await assert.rejects(wa.compileStreaming(new Response(EXPORTER)), TypeError);
  await assert.rejects(wa.instantiate(hex("00")), wa.CompileError);
});

Deno.test({
  name: "createWebAssembly() runs on the engine it is given: the stack limit traps",
  fn() {
    // (module (func $r (export "r") call $r))
    const bytes = hex("0061736d0100000001040160000003020100070501017200000a0601040010000b");
    const wa = createWebAssembly({ engine: new Engine({ maxWasmStack: 16 * 1024 }) });
    const { r } = new wa.Instance(new wa.Module(bytes)).exports as Exports;
    assert.throws(
      () => r(),
      (e) => e instanceof wa.RuntimeError && /call stack exhausted/.test(e.message),
    );
  },
});

const NUMBERS = parseWat(`(module
  (import "js" "i2" (func $i2 (param i32 i32) (result i32)))
  (import "js" "wide" (func $wide (param i64 f32) (result i64)))
  (import "js" "f2" (func $f2 (param f64 f64) (result f64)))
  (func $sub (export "sub") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "seven") (result i32) (i32.const 7))
  (func (export "nothing") (param i32))
  (func (export "i64id") (param i64) (result i64) (local.get 0))
  (func (export "f32id") (param f32) (result f32) (local.get 0))
  (func (export "mix") (param f64 i64 f32) (result f64)
    (f64.add (f64.add (local.get 0) (f64.convert_i64_s (local.get 1)))
      (f64.promote_f32 (local.get 2))))
  (func (export "hyp") (param f64 f64) (result f64)
    (f64.sqrt (f64.add (f64.mul (local.get 0) (local.get 0)) (f64.mul (local.get 1) (local.get 1)))))
  (func (export "callF2") (param f64 f64) (result f64) (call $f2 (local.get 0) (local.get 1)))
  (func (export "callI2") (param i32 i32) (result i32) (call $i2 (local.get 0) (local.get 1)))
  (func (export "callWide") (param i64 f32) (result i64) (call $wide (local.get 0) (local.get 1))))`);

function numbers(wa: WA, js: Record<string, unknown> = {}): Exports {
  const imports = {
    js: {
      i2: (a: number, b: number) => a * b,
      wide: (a: bigint) => a,
      f2: (a: number, b: number) => a - b,
      ...js,
    },
  };
  return new wa.Instance(new wa.Module(NUMBERS), imports).exports as Exports;
}

both("i32 export arguments convert with ToInt32, each once and in order", (wa) => {
  const { sub, seven, nothing } = numbers(wa);
  assert.equal(sub(2 ** 32 + 5, 1), 4);
  assert.equal(sub(-1.9, NaN), -1);
  assert.equal(sub("12", true), 11);
  assert.equal(sub(undefined, null), 0);
  assert.equal(sub(3), 3, "a missing argument is undefined, 0");
  assert.equal(sub(3, 1, 99), 2, "extra arguments are ignored");
  const order: string[] = [];
  const arg = (name: string, v: number) => ({
    valueOf() {
      order.push(name);
      return v;
    },
  });
  assert.equal(sub(arg("a", 10), arg("b", 4)), 6);
  assert.deepEqual(order, ["a", "b"]);
  assert.throws(() => sub(1n, 1), TypeError);
  assert.throws(() => sub(1, Symbol("s")), TypeError);
  assert.equal(seven(), 7);
  assert.equal(nothing(1), undefined);
  assert.equal(sub.length, 2);
});

both("an export's argument conversion may call into wasm before the call", (wa) => {
  const { sub } = numbers(wa);
  const reenter = { valueOf: () => sub(100, 1) };
  assert.equal(sub(reenter, 9), 90);
  assert.equal(sub(9, reenter), -90);
});

both("i64, f32 and f64 exports convert like the JS-API: BigInt only for i64, f32 rounds", (wa) => {
  const { i64id, f32id, mix, div } = numbers(wa);
  assert.equal(i64id(2n ** 64n + 3n), 3n);
  assert.equal(i64id(2n ** 63n), -(2n ** 63n));
  assert.equal(i64id("5"), 5n);
  assert.equal(i64id(true), 1n);
  assert.throws(() => i64id(5), TypeError);
  assert.throws(() => i64id(undefined), TypeError);
  assert.equal(f32id(0.1), Math.fround(0.1));
  assert.equal(f32id(2 ** 128), Infinity);
  assert.ok(Number.isNaN(f32id("x")));
  assert.throws(() => f32id(1n), TypeError);
  assert.equal(mix(0.5, -3n, 0.1), 0.5 - 3 + Math.fround(0.1));
  assert.throws(() => mix(0.5, 1, 0.1), TypeError);
  assert.throws(() => div(1, 0), wa.RuntimeError);
  assert.equal(div(9, 2), 4, "usable after a trap");
});

both("imported JS functions get wasm values as JS values and their results convert", (wa) => {
  const seen: unknown[] = [];
  let out: unknown = 0;
  const { callI2, callWide } = numbers(wa, {
    i2: (...args: unknown[]) => {
      seen.push(args);
      return out;
    },
    wide: (a: unknown, b: unknown) => {
      seen.push([a, b]);
      return out;
    },
  });
  for (const [ret, want] of [[6, 6], [2 ** 32 + 1, 1], ["7", 7], [undefined, 0], [-2.5, -2]]) {
    out = ret;
    assert.equal(callI2(-2, 3), want, String(ret));
  }
  assert.deepEqual(seen[0], [-2, 3]);
  out = 1n;
  assert.throws(() => callI2(1, 1), TypeError, "a BigInt for an i32 result");
  out = 2n ** 64n - 1n;
  assert.equal(callWide(-(2n ** 63n), 0.1), -1n);
  assert.deepEqual(seen.at(-1), [-(2n ** 63n), Math.fround(0.1)]);
  out = 3;
  assert.throws(() => callWide(1n, 1), TypeError, "a Number for an i64 result");
});

both("f64 exports and imports convert with ToNumber both ways", (wa) => {
  let out: unknown = 0;
  const seen: unknown[] = [];
  const { hyp, callF2 } = numbers(wa, {
    f2: (...args: unknown[]) => {
      seen.push(args);
      return out;
    },
  });
  assert.equal(hyp(3, 4), 5);
  assert.equal(hyp("3", { valueOf: () => 4 }), 5);
  assert.ok(Number.isNaN(hyp(undefined, 1)));
  assert.equal(hyp(null, -2), 2);
  assert.throws(() => hyp(1n, 1), TypeError);
  for (const [ret, want] of [[1.5, 1.5], ["2.5", 2.5], [null, 0], [true, 1]]) {
    out = ret;
    assert.equal(callF2(0.1, -0.2), want, String(ret));
  }
  out = undefined;
  assert.ok(Number.isNaN(callF2(0, 0)));
  assert.deepEqual(seen[0], [0.1, -0.2]);
  out = 1n;
  assert.throws(() => callF2(0, 0), TypeError);
});

// GC references at the JS boundary: opaque values that round-trip unchanged
const GC_MODULE = parseWat(`(module
  (type $s (struct (field i32)))
  (func (export "make") (param i32) (result anyref) (struct.new $s (local.get 0)))
  (func (export "get") (param anyref) (result i32)
    (struct.get $s 0 (ref.cast (ref $s) (local.get 0))))
  (func (export "id") (param anyref) (result anyref) (local.get 0))
  (func (export "isI31") (param anyref) (result i32) (ref.test i31ref (local.get 0)))
  (func (export "eqId") (param eqref) (result eqref) (local.get 0))
  (global (export "g") (mut anyref) (ref.null any))
  (table (export "t") 1 anyref))`);

both("a struct leaves as an opaque object that comes back as itself", (wa) => {
  const e = new wa.Instance(new wa.Module(GC_MODULE)).exports as Exports;
  const s = e.make(7);
  assert.equal(typeof s, "object");
  assert.notEqual(s, null);
  assert.equal(Object.getPrototypeOf(s), null);
  assert.deepEqual(Object.keys(s), []);
  assert.equal(e.make(7) === s, false);
  assert.equal(e.id(s), s);
  assert.equal(e.get(s), 7);
  assert.equal(e.eqId(s), s);
  e.g.value = s;
  assert.equal(e.g.value, s);
  e.t.set(0, s);
  assert.equal(e.t.get(0), s);
  assert.equal(e.get(e.t.get(0)), 7);
});

both("a number in i31 range enters anyref as an i31ref; other JS values as host values", (wa) => {
  const e = new wa.Instance(new wa.Module(GC_MODULE)).exports as Exports;
  assert.equal(e.isI31(5), 1);
  assert.equal(e.isI31(-(2 ** 30)), 1);
  assert.equal(e.isI31(2 ** 30), 0);
  assert.equal(e.isI31(1.5), 0);
  assert.equal(e.isI31("text"), 0);
  assert.equal(e.id(5), 5);
  assert.equal(e.id(2 ** 40), 2 ** 40);
  const host = { a: 1 };
  assert.equal(e.id(host), host);
  assert.equal(e.eqId(12), 12);
  assert.throws(() => e.eqId(host), TypeError);
  assert.throws(() => e.get(3), wa.RuntimeError);
  const g = new wa.Global({ value: "anyref", mutable: true }, 3);
  assert.equal(g.value, 3);
  g.value = host;
  assert.equal(g.value, host);
  assert.equal(new wa.Global({ value: "anyref", mutable: true }).value, null);
});

both("a JS function imported with a concrete GC type links and passes the struct through", (wa) => {
  const bytes = parseWat(`(module
    (type $box (struct (field i32)))
    (import "js" "keep" (func $keep (param (ref null $box)) (result (ref null $box))))
    (func (export "run") (result i32)
      (struct.get $box 0 (call $keep (struct.new $box (i32.const 41))))))`);
  let seen: unknown;
  const e = new wa.Instance(new wa.Module(bytes), {
    js: { keep: (b: unknown) => (seen = b) },
  }).exports as Exports;
  assert.equal(e.run(), 41);
  assert.equal(typeof seen, "object");
});
