import assert from "node:assert/strict";
import { parseWat, translateModule, tunables as makeTunables } from "@capstan/environ";
import { writeJsModule } from "@capstan/codegen";
import { runWithoutEval } from "@capstan/testing/no_eval";
import { Engine } from "./engine.ts";
import { Store } from "./store.ts";
import { createWebAssembly } from "./webassembly.ts";
import { instantiateAot } from "./aot.ts";

/**
 * Writes `wat`'s ES module and a driver importing it (as `./m.mjs`), runs the
 * driver with code generation from strings disallowed, and returns what it
 * printed (one JSON value).
 */
async function runAot(
  wat: string,
  driver: string,
  config: { consumeFuel?: boolean; epochInterruption?: boolean } = {},
): Promise<unknown> {
  const written = writeJsModule(
    translateModule(parseWat(wat, { names: true })),
    makeTunables(config),
  );
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/m.mjs`, written.source);
    await Deno.writeTextFile(
      `${dir}/driver.mjs`,
      `import { instantiate } from "./m.mjs";\n` +
        `let evalRefused = false;\ntry { new Function("return 1"); } catch { evalRefused = true; }\n` +
        `if (!evalRefused) throw new Error("code generation from strings is allowed");\n` +
        driver,
    );
    const out = await runWithoutEval(`${dir}/driver.mjs`);
    assert.equal(out.code, 0, out.stderr);
    return JSON.parse(out.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const CALLS = `(module $m
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (memory (export "memory") 1)
  (global $g (export "g") (mut i32) (i32.const 7))
  (func $sum (export "sum") (param $n i32) (result i64)
    (local $acc i64)
    (block $done
      (loop $l
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $n))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $l)))
    (local.get $acc))
  (func (export "host") (param i32) (result i32)
    (i32.store (i32.const 8) (call $twice (local.get 0)))
    (i32.load (i32.const 8)))
  (tag $t (param i32))
  (func $catches (export "catches") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $t $h) (throw $t (local.get 0)))
      (i32.const -1)))
  (func $mix (export "mix") (param $p i32) (param $x f64) (result f64) (local $v f64)
    (local.set $v (f64.load (i32.const 16)))
    (if (local.get $p) (then (local.set $v (f64.add (local.get $v) (local.get $x)))))
    (f64.store (i32.const 24) (local.get $v))
    (local.get $v)))`;

Deno.test("an AOT module runs with code generation from strings disallowed: exports, imports, routed functions", async () => {
  const written = writeJsModule(translateModule(parseWat(CALLS, { names: true })));
  // (an f64 computed and moved bit-exactly stays on the interpreter)
  assert.match(written.routed.get(4) ?? "", /bit-exactly/, "$mix runs on the interpreter");
  assert.ok(!/new Function|eval\(/.test(written.source));
  const out = await runAot(
    CALLS,
    `const e = await instantiate({ env: { twice: (x) => 2 * x } });
     console.log(JSON.stringify({
       sum: String(e.sum(100000)), host: e.host(21), g: e.g.value,
       bytes: new Uint8Array(e.memory.buffer, 8, 1)[0], catches: e.catches(5), mix: e.mix(1, 2.5),
       named: [e.sum.name, e.sum.length],
     }));`,
  );
  assert.deepEqual(out, {
    sum: "5000050000",
    host: 42,
    g: 7,
    bytes: 42,
    catches: 5,
    mix: 2.5,
    named: ["1", 1],
  });
});

const TRAPS = `(module
  (func $inner (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32)
    (i32.add (i32.const 1) (call $inner (local.get 0))))
  (func $spin (export "spin") (param $n i32)
    (loop $l (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))))`;

Deno.test("an AOT module's traps and backtraces are the JS tier's", async () => {
  const out = await runAot(
    TRAPS,
    `try { (await instantiate()).outer(0); } catch (e) {
       console.log(JSON.stringify({ name: e.name, message: e.message, code: e.code,
         frames: e.backtrace.map((f) => [f.funcIndex, f.funcName, f.moduleOffset]) }));
     }`,
  );
  const wa = createWebAssembly({ engine: new Engine({ strategy: "js" }) });
  const { instance } = await wa.instantiate(parseWat(TRAPS, { names: true })) as unknown as {
    instance: { exports: { outer(x: number): number } };
  };
  let expected: unknown;
  try {
    instance.exports.outer(0);
  } catch (e) {
    const r = e as { name: string; message: string; code: number; backtrace: never[] };
    expected = {
      name: r.name,
      message: r.message,
      code: r.code,
      frames: r.backtrace.map((
        f: { funcIndex: number; funcName: string; moduleOffset: number },
      ) => [f.funcIndex, f.funcName, f.moduleOffset]),
    };
  }
  assert.deepEqual(out, expected);
  assert.equal((out as { message: string }).message, "integer divide by zero");
  assert.deepEqual((out as { frames: unknown[][] }).frames.map((f) => f[1]), ["inner", "outer"]);
});

Deno.test("an AOT module written for fuel consumes what the JS tier does, and stops when it runs out", async () => {
  const out = await runAot(
    TRAPS,
    `let store;
     const e = await instantiate({}, { setup: (s) => { store = s; s.setFuel(100000); } });
     e.spin(1000);
     const left = store.getFuel();
     let trap;
     try { e.spin(1000000); } catch (err) { trap = err.message; }
     console.log(JSON.stringify({ used: 100000 - left, trap }));`,
    { consumeFuel: true },
  );
  const engine = new Engine({ strategy: "js", consumeFuel: true });
  const store = new Store<unknown>(engine, undefined);
  store.setFuel(100000);
  const { instance } = await createWebAssembly({ engine, store }).instantiate(
    parseWat(TRAPS, { names: true }),
  ) as unknown as { instance: { exports: { spin(n: number): void } } };
  instance.exports.spin(1000);
  assert.deepEqual(out, { used: 100000 - store.getFuel(), trap: "all fuel consumed" });
});

Deno.test("an AOT module written for epochs is interrupted at its deadline", async () => {
  const out = await runAot(
    TRAPS,
    `let store;
     const e = await instantiate({}, { setup: (s) => { store = s; s.setEpochDeadline(1); } });
     e.spin(10);
     store.engine.incrementEpoch();
     let trap;
     try { e.spin(10); } catch (err) { trap = err.message; }
     console.log(JSON.stringify({ trap }));`,
    { epochInterruption: true },
  );
  assert.deepEqual(out, { trap: "interrupt" });
});

Deno.test("instantiateAot refuses code written for another format", async () => {
  const written = {
    format: -1,
    tunables: makeTunables({}),
    routed: {},
    factory: () => ({}),
    image: "",
  };
  await assert.rejects(() => instantiateAot(written), /written for another Capstan/);
});

Deno.test("an AOT module's GC code runs on the interpreter, its type ids this process's", async () => {
  // types registered here first: the writing process's canonical ids are not the runner's
  translateModule(parseWat(`(module (type (struct (field f32))) (type (array i8))
    (type (struct (field f64))) (type (struct (field i64) (field i64))))`));
  const wat = `(module
    (type $a (sub (struct (field i32))))
    (type $b (sub $a (struct (field i32) (field i64))))
    (func (export "test") (param i32) (result i32) (local (ref null $a))
      (local.set 1 (if (result (ref null $a)) (local.get 0)
        (then (struct.new $b (i32.const 5) (i64.const 2)))
        (else (struct.new $a (i32.const 3)))))
      (i32.add (ref.test (ref $b) (local.get 1)) (struct.get $a 0 (local.get 1))))
    (func (export "plain") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2))))`;
  const written = writeJsModule(translateModule(parseWat(wat)));
  assert.match(written.routed.get(0) ?? "", /GC type ids/);
  assert.equal(written.routed.has(1), false);
  const out = await runAot(
    wat,
    `const e = await instantiate({});\nconsole.log(JSON.stringify([e.test(1), e.test(0), e.plain(4)]));`,
  );
  assert.deepEqual(out, [6, 3, 8]);
});
