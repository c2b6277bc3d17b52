/**
 * Tests of compiled-module images and the compilation cache:
 * `Module.serialize`/`Module.deserialize` round trips that run as the
 * compiled module does, clear errors for corrupt, truncated, foreign and
 * differently configured images, and an engine cache that writes an entry
 * once, loads it afterwards, survives a corrupt entry and concurrent writers.
 *
 * @module
 */

import assert from "node:assert/strict";
import { deserializeCompiled } from "@capstan/codegen";
import { Op } from "@capstan/interpreter";
import { parseWat } from "@capstan/environ";
import { Engine, ImageError, Instance, Linker, Module, Store } from "./mod.ts";

const KERNELS = new URL("../bench/corpus/", import.meta.url);

function kernel(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`wasm/${name}.wasm`, KERNELS));
}

function runKernel(module: Module, n: number): number {
  const store = new Store(module.engine, undefined);
  const inst = new Linker(module.engine).instantiate(store, module);
  return inst.getFunc("run")!.call(n)[0] as number;
}

Deno.test("a deserialized module runs as the compiled one, on both tiers", () => {
  for (const strategy of ["interpreter", "js"] as const) {
    const engine = new Engine({ strategy });
    for (const name of ["fib", "sieve", "matmul", "hash64", "qsort"]) {
      const compiled = new Module(engine, kernel(name));
      const image = compiled.serialize({ all: true });
      const loaded = Module.deserialize(engine, image);
      assert.deepEqual(loaded._compiled.code, compiled._compiled.code, name);
      assert.equal(loaded.exports().length, compiled.exports().length);
      // an image loaded and written again is the same image (the second time: the first
      // says the module was lowered lazily, which the loaded one, whole, is not)
      const again = loaded.serialize();
      assert.deepEqual(Module.deserialize(engine, again).serialize(), again, name);
      assert.equal(runKernel(loaded, 20), runKernel(compiled, 20), `${name} on ${strategy}`);
    }
  }
});

Deno.test("an image keeps what was lowered; loaded, the rest is lowered on its first call", () => {
  const engine = new Engine({ consumeFuel: true });
  const bytes = kernel("qsort");
  const module = new Module(engine, bytes);
  const fuelOf = (m: Module) => {
    const store = new Store(engine, undefined);
    store.setFuel(1e12);
    const r = new Linker(engine).instantiate(store, m).getFunc("run")!.call(3)[0];
    return [r, 1e12 - store.getFuel()];
  };
  const lowered = (m: Module) =>
    m.translation.bodies.filter((b) => m._compiled.isLowered(b.funcIndex)).length;
  const empty = Module.deserialize(engine, module.serialize());
  assert.equal(lowered(empty), 0);
  const want = fuelOf(module);
  const some = lowered(module);
  assert.ok(some > 0 && some <= module.translation.bodies.length);
  const partial = Module.deserialize(engine, module.serialize());
  assert.equal(lowered(partial), some);
  assert.deepEqual(fuelOf(partial), want, "results and fuel of the partial image");
  assert.deepEqual(fuelOf(empty), want, "results and fuel of the stubs-only image");
  const all = Module.deserialize(engine, module.serialize({ all: true }));
  assert.equal(lowered(all), module.translation.bodies.length);
  assert.equal(all._compiled.isLazy, false);
  assert.deepEqual(fuelOf(all), want);
});

Deno.test("a trap in a deserialized module has its backtrace", () => {
  const engine = new Engine();
  const bytes = parseWat(
    `(module (func $div (export "div") (param i32) (result i32)
    (i32.div_u (i32.const 1) (local.get 0))))`,
    { names: true },
  );
  const m = Module.deserialize(engine, new Module(engine, bytes).serialize());
  const inst = new Instance(new Store(engine, undefined), m, []);
  assert.throws(() => inst.getFunc("div")!.call(0), (e: Error) => {
    assert.match(String(e), /integer divide by zero[\s\S]*0: .*!div/);
    return true;
  });
});

Deno.test("images that cannot be loaded say why", () => {
  const engine = new Engine();
  const image = new Module(engine, kernel("fib")).serialize();
  const fails = (bytes: Uint8Array, why: RegExp, onEngine = engine) =>
    assert.throws(() => Module.deserialize(onEngine, bytes), (e: Error) => {
      assert.ok(e instanceof ImageError, String(e));
      assert.match(e.message, why);
      return true;
    });
  fails(kernel("fib"), /not a compiled module image/);
  fails(image.subarray(0, 50), /truncated header/);
  fails(image.subarray(0, image.length - 4), /the payload should be/);
  const flipped = image.slice();
  flipped[image.length - 100] ^= 1;
  fails(flipped, /checksum/);
  const format = image.slice();
  format[6] = 99;
  fails(format, /image format 99/);
  fails(
    image,
    /another Capstan version or for another engine configuration/,
    new Engine({
      consumeFuel: true,
    }),
  );
  // the configuration that matters is the code's: a stack limit does not change it
  assert.ok(Module.deserialize(new Engine({ maxWasmStack: 1 << 20 }), image));
});

Deno.test("an engine's cache writes an entry once and loads it afterwards", async () => {
  const directory = await Deno.makeTempDir({ prefix: "capstan_cache_" });
  try {
    const bytes = kernel("sieve");
    const first = new Engine({ cache: { directory } });
    const a = new Module(first, bytes);
    assert.deepEqual(first._cache!.stats, { hits: 0, misses: 1, writes: 0 });
    const want = runKernel(a, 2);
    first.flushCache(); // what the run lowered goes to the entry
    assert.deepEqual(first._cache!.stats, { hits: 0, misses: 1, writes: 1 });
    first.flushCache(); // nothing new: nothing written
    assert.equal(first._cache!.stats.writes, 1);
    const entries = [...Deno.readDirSync(directory)].map((e) => e.name);
    assert.equal(entries.length, 1);
    assert.match(entries[0], /^[0-9a-f]{64}-[0-9a-f]{16}\.cwasm$/);

    const second = new Engine({ cache: { directory } });
    const b = new Module(second, bytes);
    assert.deepEqual(second._cache!.stats, { hits: 1, misses: 0, writes: 0 });
    const run = b.translation.exports.find((e) => e.name === "run")!.index;
    assert.ok(b._compiled.isLowered(run), "the entry holds the code the first run lowered");
    assert.equal(runKernel(b, 2), want);
    second.flushCache();
    assert.equal(second._cache!.stats.writes, 0);

    // another configuration has its own entry
    const fuel = new Engine({ cache: { directory }, consumeFuel: true });
    new Module(fuel, bytes);
    fuel.flushCache();
    assert.deepEqual(fuel._cache!.stats, { hits: 0, misses: 1, writes: 1 });
    assert.equal([...Deno.readDirSync(directory)].length, 2);

    // a corrupt entry is compiled afresh and rewritten
    const path = second._cache!.entryPath(bytes);
    const image = Deno.readFileSync(path);
    image[image.length - 1] ^= 0xff;
    Deno.writeFileSync(path, image);
    const third = new Engine({ cache: { directory } });
    const c = new Module(third, bytes);
    assert.deepEqual(third._cache!.stats, { hits: 0, misses: 1, writes: 0 });
    assert.ok(third._cache!.lastError instanceof ImageError);
    assert.equal(runKernel(c, 2), want);
    third.flushCache();
    const fourth = new Engine({ cache: { directory } });
    assert.equal(runKernel(new Module(fourth, bytes), 2), want);
    assert.deepEqual(fourth._cache!.stats, { hits: 1, misses: 0, writes: 0 });

    // an entry is detached: it holds the code, not the module's bytes
    const entry = Deno.readFileSync(path);
    assert.throws(() => Module.deserialize(fourth, entry), /holds no module bytes/);
    const whole = new Module(fourth, bytes).serialize();
    assert.ok(holds(whole, bytes) && !holds(entry, bytes));
    assert.ok(whole.length - entry.length >= bytes.length - 32);
    assert.equal(runKernel(Module.deserialize(fourth, whole), 2), want);
    // an entry under another module's name is that module's, not this one's
    const other = kernel("fib");
    Deno.writeFileSync(fourth._cache!.entryPath(other), entry);
    const fifth = new Engine({ cache: { directory } });
    assert.ok(new Module(fifth, other));
    assert.deepEqual(fifth._cache!.stats, { hits: 0, misses: 1, writes: 0 });
    assert.match(String(fifth._cache!.lastError), /written for another module/);
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("processes writing the same cache entry at once leave a whole one", async () => {
  const directory = await Deno.makeTempDir({ prefix: "capstan_cache_" });
  try {
    const script = `import { Engine, Module } from ${
      JSON.stringify(new URL("./mod.ts", import.meta.url).href)
    };
      const e = new Engine({ cache: { directory: ${JSON.stringify(directory)} } });
      for (let i = 0; i < 5; i++) {
        const bytes = Deno.readFileSync(${
      JSON.stringify(new URL("wasm/matmul.wasm", KERNELS).pathname)
    });
        new Module(e, bytes);
        // write again each time, racing the other processes
        e._cache.put(bytes, new Module(new Engine(), bytes)._compiled);
      }`;
    const runs = Array.from(
      { length: 4 },
      () => new Deno.Command(Deno.execPath(), { args: ["eval", script], stderr: "piped" }).output(),
    );
    for (const r of await Promise.all(runs)) {
      assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    }
    const names = [...Deno.readDirSync(directory)].map((e) => e.name);
    assert.deepEqual(names.filter((n) => n.endsWith(".tmp")), []);
    assert.equal(names.length, 1);
    const engine = new Engine({ cache: { directory } });
    const loaded = new Module(engine, kernel("matmul"));
    assert.deepEqual(engine._cache!.stats, { hits: 1, misses: 0, writes: 0 });
    assert.equal(runKernel(loaded, 8), runKernel(new Module(new Engine(), kernel("matmul")), 8));
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("Engine refuses a malformed cache option", () => {
  assert.throws(
    () => new Engine({ cache: { directory: "" } }),
    /cache must be a boolean or \{ directory: string \}/,
  );
  assert.equal(new Engine().config.cacheDirectory, undefined);
});

Deno.test("an image is translated again with the engine's features (stack switching)", async () => {
  // a tag with results is the stack-switching proposal's, refused without it
  const bytes = parseWat(`(module (tag (export "t") (param i32) (result i32)))`);
  const engine = new Engine({ stackSwitching: true });
  const image = new Module(engine, bytes).serialize();
  assert.equal(Module.deserialize(engine, image).exports()[0].name, "t");
  assert.throws(() => Module.deserialize(new Engine(), image), /non-empty tag result type/);
  const directory = await Deno.makeTempDir({ prefix: "capstan_cache_" });
  try {
    const first = new Engine({ stackSwitching: true, cache: { directory } });
    new Module(first, bytes);
    first.flushCache();
    const second = new Engine({ stackSwitching: true, cache: { directory } });
    new Module(second, bytes);
    assert.deepEqual(second._cache!.stats, { hits: 1, misses: 0, writes: 0 });
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

Deno.test("an image read in place and from an unaligned copy give the same module", () => {
  const engine = new Engine();
  const image = new Module(engine, kernel("sieve")).serialize({ all: true });
  const unaligned = new Uint8Array(image.length + 1).subarray(1);
  unaligned.set(image);
  const a = Module.deserialize(engine, image);
  const compiled = deserializeCompiled(unaligned, engine.config.tunables);
  const b = new Module(engine, compiled.translation.bytes, compiled);
  assert.deepEqual(b._compiled.code, a._compiled.code);
  assert.deepEqual(b.translation.bytes, kernel("sieve"));
  assert.equal(runKernel(b, 20), runKernel(a, 20));
});

/** Whether `bytes` appear, in order and together, in `image`. */
function holds(image: Uint8Array, bytes: Uint8Array): boolean {
  outer: for (let at = image.indexOf(bytes[0]); at >= 0; at = image.indexOf(bytes[0], at + 1)) {
    if (at + bytes.length > image.length) return false;
    for (let k = 1; k < bytes.length; k++) if (image[at + k] !== bytes[k]) continue outer;
    return true;
  }
  return false;
}

Deno.test("an image made by another thread names its GC types by this thread's ids", async () => {
  const wasm = parseWat(`(module
    (type $a (sub (struct (field i32))))
    (type $b (sub $a (struct (field i32) (field i64))))
    (type $v (array (mut i32)))
    (func (export "test") (param i32) (result i32) (local (ref null $a))
      (local.set 1 (if (result (ref null $a)) (local.get 0)
        (then (struct.new $b (i32.const 1) (i64.const 2)))
        (else (struct.new $a (i32.const 1)))))
      (i32.add (ref.test (ref $b) (local.get 1))
        (i32.mul (i32.const 2) (struct.get $a 0 (ref.cast (ref $a) (local.get 1))))))
    (func (export "sum") (param i32) (result i32) (local $arr (ref $v))
      (local.set $arr (array.new $v (i32.const 3) (local.get 0)))
      (i32.add (array.len (local.get $arr)) (array.get $v (local.get $arr) (i32.const 0)))))`);
  const worker = new Worker(new URL("./testdata/gc_image_worker.ts", import.meta.url), {
    type: "module",
  });
  let image: Uint8Array;
  try {
    image = await new Promise<Uint8Array>((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(e.message));
      };
      worker.postMessage(wasm);
    });
  } finally {
    worker.terminate();
  }
  const engine = new Engine();
  const loaded = Module.deserialize(engine, image);
  const inst = new Linker(engine).instantiate(new Store(engine, undefined), loaded);
  assert.deepEqual(inst.getFunc("test")!.call(1), [3]);
  assert.deepEqual(inst.getFunc("test")!.call(0), [2]);
  assert.deepEqual(inst.getFunc("sum")!.call(4), [7]);
});

Deno.test("a module from the cache is promoted by the auto strategy as a compiled one is", async () => {
  // the cache's entry holds the code as it was before this process promoted anything
  const directory = await Deno.makeTempDir();
  try {
    const bytes = kernel("loop");
    const hot = (module: Module) => {
      const inst = new Linker(module.engine).instantiate(
        new Store(module.engine, undefined),
        module,
      );
      const run = inst.getFunc("run")!;
      for (let i = 0; i < 20 && !module.tierOf(runIndex(module)).startsWith("js"); i++) {
        run.call(2_000_000);
      }
      return module.tierOf(runIndex(module));
    };
    const first = new Engine({ strategy: "auto", cache: { directory } });
    assert.equal(hot(new Module(first, bytes)), "js");
    first.flushCache();
    const second = new Engine({ strategy: "auto", cache: { directory } });
    const again = new Module(second, bytes);
    assert.deepEqual(second._cache!.stats, { hits: 1, misses: 0, writes: 0 });
    // no entry of the loaded code is a promoted one (a function's JS code is the process's)
    const cm = again._compiled;
    assert.ok(cm.functions.every((f) => cm.code[f.entry] !== Op.enter_tier));
    assert.equal(hot(again), "js");
  } finally {
    await Deno.remove(directory, { recursive: true });
  }
});

/** The function index of a module's `run` export. */
function runIndex(module: Module): number {
  const t = module.translation;
  return t.exports.find((e) => e.name === "run" && e.kind === "func")!.index;
}
