/**
 * Tests of multiple memories, memory64, table64 and custom page sizes through
 * the runtime: accesses and bulk operators on several memories (imported and
 * defined), exact bounds checks for 64-bit addresses near 2^64, a 64-bit
 * memory grown past 4 GiB, 1-byte pages, i64-indexed tables, the `Linker`
 * taking several memories, and the facade's `address: "i64"` objects beside
 * native V8's.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, type Instance, Linker, Memory, Module, Store, Trap } from "./mod.ts";
import { WebAssembly as Facade } from "./webassembly.ts";
import { parseWat } from "@capstan/environ";

/** Instantiates `wat` with `imports` defined as `env::<name>`. */
function instantiate(wat: string, imports: Record<string, Memory> = {}): {
  store: Store<null>;
  instance: Instance;
} {
  const engine = new Engine({ customPageSizes: true });
  const store = new Store(engine, null);
  const linker = new Linker<null>(engine);
  for (const [name, m] of Object.entries(imports)) linker.define("env", name, m);
  return { store, instance: linker.instantiate(store, new Module(engine, parseWat(wat))) };
}

function call(instance: Instance, name: string, ...args: (number | bigint)[]): unknown {
  const f = instance.getFunc(name);
  assert.ok(f, `export ${name}`);
  return f.call(...args)[0];
}

function traps(f: () => unknown, message = "out of bounds memory access"): void {
  assert.throws(f, (e: unknown) => e instanceof Trap && e.message === message);
}

Deno.test("loads, stores and bulk operators address each of several memories", () => {
  const wat = `(module
    (memory $imp (import "env" "mem") 1)
    (memory $a 1)
    (memory $b 2)
    (data (memory $b) (i32.const 70000) "\\2a")
    (func (export "store") (param i32 i32)
      (i32.store $a (local.get 0) (local.get 1)))
    (func (export "load") (param i32) (result i32) (i32.load $a (local.get 0)))
    (func (export "load0") (param i32) (result i32) (i32.load (local.get 0)))
    (func (export "loadb") (param i32) (result i32) (i32.load8_u $b offset=4 (local.get 0)))
    (func (export "copy") (param i32 i32 i32) (memory.copy $imp $a
      (local.get 0) (local.get 1) (local.get 2)))
    (func (export "fill") (param i32 i32 i32) (memory.fill $b
      (local.get 0) (local.get 1) (local.get 2)))
    (func (export "grow") (param i32) (result i32) (memory.grow $a (local.get 0)))
    (func (export "sizes") (result i32)
      (i32.add (i32.mul (memory.size $a) (i32.const 100)) (memory.size $b))))`;
  const engine = new Engine();
  const store = new Store(engine, null);
  const imported = new Memory(store, { limits: { min: 1, max: undefined } });
  const linker = new Linker<null>(engine);
  linker.define("env", "mem", imported);
  const instance = linker.instantiate(store, new Module(engine, parseWat(wat)));
  call(instance, "store", 8, 0x01020304);
  assert.equal(call(instance, "load", 8), 0x01020304);
  assert.equal(call(instance, "load0", 8), 0, "memory 0 (the import) is another memory");
  assert.equal(call(instance, "loadb", 69996), 0x2a, "a data segment of memory 2");
  call(instance, "copy", 100, 8, 4);
  assert.equal(new DataView(imported.buffer).getInt32(100, true), 0x01020304);
  call(instance, "fill", 131000, 7, 72);
  assert.equal(call(instance, "loadb", 131067), 7);
  traps(() => call(instance, "loadb", 131068));
  traps(() => call(instance, "fill", 131000, 7, 73));
  traps(() => call(instance, "load", 65533));
  assert.equal(call(instance, "grow", 2), 1);
  assert.equal(call(instance, "sizes"), 302);
  assert.equal(call(instance, "load", 65533), 0, "memory $a grew");
  assert.deepEqual(instance.getExport("mem"), undefined);
});

Deno.test("a 64-bit memory checks bounds exactly for addresses and offsets up to 2^64-1", () => {
  const { instance } = instantiate(`(module
    (memory i64 1)
    (func (export "load") (param i64) (result i32) (i32.load8_u (local.get 0)))
    (func (export "load_far") (param i64) (result i32)
      (i32.load8_u offset=0xffff_ffff_ffff_fff0 (local.get 0)))
    (func (export "store64") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
    (func (export "load64") (param i64) (result i64) (i64.load (local.get 0)))
    (func (export "size") (result i64) (memory.size))
    (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0))))`);
  call(instance, "store64", 65528n, -2n);
  assert.equal(call(instance, "load64", 65528n), -2n);
  traps(() => call(instance, "store64", 65529n, 0n));
  assert.equal(call(instance, "load", 65535n), 0xff);
  traps(() => call(instance, "load", 65536n));
  traps(() => call(instance, "load", 0x1_0000_0000n), "out of bounds memory access");
  traps(() => call(instance, "load", -1n));
  traps(() => call(instance, "load_far", 0x10n), "out of bounds memory access");
  traps(() => call(instance, "load_far", 0n));
  assert.equal(call(instance, "size"), 1n);
  assert.equal(call(instance, "grow", 1n << 48n), -1n, "past the address space");
  assert.equal(call(instance, "grow", -1n), -1n);
  assert.equal(call(instance, "grow", 1n), 1n);
  assert.equal(call(instance, "size"), 2n);
});

// 4 GiB of RAM for a few seconds (the machines that run the tests have 24 GiB).
Deno.test("a 64-bit memory grows past 4 GiB and is addressed there", bigMemory64);

function bigMemory64(): void {
  const { instance } = instantiate(`(module
    (memory i64 0)
    (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
    (func (export "store") (param i64 i32) (i32.store (local.get 0) (local.get 1)))
    (func (export "load") (param i64) (result i32) (i32.load (local.get 0))))`);
  assert.equal(call(instance, "grow", 65537n), 0n);
  const far = 0x1_0000_0008n;
  call(instance, "store", far, 0x12345678);
  assert.equal(call(instance, "load", far), 0x12345678);
  assert.equal(call(instance, "load", 8n), 0, "not wrapped to 32 bits");
  assert.equal(call(instance, "load", 0x1_0000_fffcn), 0);
  traps(() => call(instance, "load", 0x1_0000_fffdn));
}

Deno.test("a 32-bit memory grows past 2 GiB; the host's refusal is memory.grow -1", () => {
  const { instance } = instantiate(`(module
    (memory 0)
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))`);
  assert.equal(call(instance, "grow", 32769), 0);
  assert.equal(call(instance, "load", -1 >>> 1), 0, "an address past 2 GiB");
  assert.equal(call(instance, "grow", 32768), -1, "past 65536 pages");
  const mem64 = instantiate(`(module (memory i64 0)
    (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0))))`).instance;
  // 2^47 pages (8 EiB) is valid but past any ArrayBuffer; 2^29 pages (32 TiB) is one the host
  // refuses to allocate: both are a clean failure, and the memory stays usable
  assert.equal(call(mem64, "grow", 1n << 47n), -1n);
  assert.equal(call(mem64, "grow", 1n << 29n), -1n);
  assert.equal(call(mem64, "grow", 1n), 0n);
});

Deno.test("a page size is the custom-page-sizes proposal's: refused unless the engine has it", () => {
  const wat = `(module (memory 3 (pagesize 1)))`;
  assert.throws(() => new Module(new Engine(), parseWat(wat)), /malformed limits flags/);
  assert.ok(new Module(new Engine({ customPageSizes: true }), parseWat(wat)));
});

Deno.test("a memory of 1-byte pages grows and checks bounds byte by byte", () => {
  const { instance } = instantiate(`(module
    (memory 3 (pagesize 1))
    (func (export "size") (result i32) (memory.size))
    (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))`);
  assert.equal(call(instance, "size"), 3);
  traps(() => call(instance, "load", 3));
  assert.equal(call(instance, "grow", 5), 3);
  assert.equal(call(instance, "size"), 8);
  assert.equal(call(instance, "load", 7), 0);
  traps(() => call(instance, "load", 8));
});

Deno.test("table64: i64 indices and sizes, and indices of 2^32 or more trap", () => {
  const { instance } = instantiate(`(module
    (type $f (func (result i32)))
    (table $t i64 2 funcref)
    (elem (table $t) (i64.const 1) func $one)
    (func $one (result i32) (i32.const 1))
    (func (export "call") (param i64) (result i32) (call_indirect $t (type $f) (local.get 0)))
    (func (export "size") (result i64) (table.size $t))
    (func (export "grow") (param i64) (result i64) (table.grow $t (ref.null func) (local.get 0)))
    (func (export "is_null") (param i64) (result i32) (ref.is_null (table.get $t (local.get 0)))))`);
  assert.equal(call(instance, "call", 1n), 1);
  traps(() => call(instance, "call", 0x1_0000_0001n), "undefined element");
  traps(() => call(instance, "is_null", 0x1_0000_0000n), "out of bounds table access");
  assert.equal(call(instance, "is_null", 0n), 1);
  assert.equal(call(instance, "size"), 2n);
  assert.equal(call(instance, "grow", 3n), 2n);
  assert.equal(call(instance, "grow", 1n << 40n), -1n);
  assert.equal(call(instance, "size"), 5n);
});

Deno.test("imports match memories by address type and page size", () => {
  const engine = new Engine({ customPageSizes: true });
  const store = new Store(engine, null);
  const linker = new Linker<null>(engine);
  linker.define("env", "m32", new Memory(store, { limits: { min: 1, max: undefined } }));
  linker.define(
    "env",
    "m64",
    new Memory(store, { limits: { min: 1, max: undefined }, address64: true }),
  );
  const instantiateWith = (wat: string) =>
    linker.instantiate(store, new Module(engine, parseWat(wat)));
  instantiateWith(`(module (memory (import "env" "m32") 1) (memory (import "env" "m64") i64 1))`);
  assert.throws(
    () => instantiateWith(`(module (memory (import "env" "m32") i64 1))`),
    /incompatible import type/,
  );
  assert.throws(
    () => instantiateWith(`(module (memory (import "env" "m32") 1 (pagesize 1)))`),
    /incompatible import type/,
  );
});

Deno.test('the facade\'s Memory and Table take address: "i64" with BigInts, as native V8', () => {
  for (const wa of [globalThis.WebAssembly, Facade]) {
    // deno-lint-ignore no-explicit-any
    const any = wa as any;
    const m = new any.Memory({ address: "i64", initial: 1n, maximum: 3n });
    assert.equal(m.buffer.byteLength, 65536);
    assert.equal(m.grow(1n), 1n);
    assert.throws(() => m.grow(1), TypeError);
    assert.throws(() => new any.Memory({ address: "i64", initial: 1 }), TypeError);
    assert.throws(() => new any.Memory({ address: "i32", initial: 1n }), TypeError);
    const t = new any.Table({ address: "i64", element: "anyfunc", initial: 2n });
    assert.equal(t.length, 2n);
    assert.equal(t.get(1n), null);
    assert.equal(t.grow(1n), 2n);
    assert.throws(() => t.get(0), TypeError);
    // a module importing both
    const bytes = parseWat(
      `(module (memory (import "e" "m") i64 1) (table (import "e" "t") i64 1 funcref)
      (func (export "size") (result i64) (memory.size)))`,
    );
    const inst = new wa.Instance(new wa.Module(bytes), { e: { m, t } });
    assert.equal((inst.exports.size as () => bigint)(), 2n);
  }
});

Deno.test("the memory64 benchmark kernel (clang --target=wasm64) gives native V8's checksum", () => {
  const bytes = Deno.readFileSync(new URL("../bench/corpus/wasm/mem64.wasm", import.meta.url));
  const engine = new Engine();
  const store = new Store(engine, null);
  const instance = new Linker<null>(engine).instantiate(store, new Module(engine, bytes));
  assert.equal((call(instance, "run", 10) as number) >>> 0, 1523384985);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes));
  assert.equal((native.exports.run as (n: number) => number)(10) >>> 0, 1523384985);
});
