/**
 * Stack switching running on the runtime, beyond the spec's scripts: deep
 * chains of nested resumes, many live continuations, one-shot continuations,
 * tags and continuations crossing modules and instances, the stack limits,
 * and fuel, epochs, async host calls, tiers and traps inside continuations.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Engine,
  type EngineConfig,
  type Instance,
  Linker,
  Module,
  Store,
  TrapCode,
} from "./mod.ts";
import { parseWat } from "@capstan/environ";
import { trapOf } from "./_trap_test_util.ts";

/** Instantiates `wat` with stack switching on (and `config`), with `imports` defined first. */
function instantiate(
  wat: string,
  config: EngineConfig = {},
  imports: (linker: Linker<null>, store: Store<null>) => void = () => {},
): { instance: Instance; store: Store<null>; engine: Engine } {
  const engine = new Engine({ stackSwitching: true, ...config });
  const store = new Store(engine, null);
  const linker = new Linker<null>(engine);
  imports(linker, store);
  const instance = linker.instantiate(store, new Module(engine, parseWat(wat)));
  return { instance, store, engine };
}

function call(instance: Instance, name: string, ...args: unknown[]): unknown[] {
  return instance.getFunc(name)!.call(...args);
}

const GENERATOR = await Deno.readTextFile(new URL("../examples/generator.wat", import.meta.url));

Deno.test("the generator example yields primes to its consumer", () => {
  const { instance } = instantiate(GENERATOR);
  assert.deepEqual(call(instance, "sum_primes", 100), [24133n]);
  assert.deepEqual(call(instance, "sum_primes", 0), [0n]);
  assert.deepEqual(call(instance, "sum_primes", 1000), [3682913n]);
});

for (const strategy of ["js", "auto"] as const) {
  Deno.test(`the generator example runs the same with strategy "${strategy}"`, () => {
    const config: EngineConfig = strategy === "auto"
      ? { strategy, tierUp: { samples: 0 } }
      : { strategy };
    const { instance } = instantiate(GENERATOR, config);
    assert.deepEqual(call(instance, "sum_primes", 100), [24133n]);
  });
}

Deno.test("the scheduler example interleaves three green threads round-robin", () => {
  const lines: string[] = [];
  const wat = Deno.readTextFileSync(new URL("../examples/scheduler.wat", import.meta.url));
  const memory: { data?: Uint8Array } = {};
  const { instance } = instantiate(wat, {}, (linker) => {
    linker.funcWrap(
      "wasi_snapshot_preview1",
      "fd_write",
      { params: ["i32", "i32", "i32", "i32"], results: ["i32"] },
      (_fd, iovs, _n, _written) => {
        const view = new DataView(memory.data!.buffer);
        const at = view.getUint32(iovs as number, true);
        const len = view.getUint32((iovs as number) + 4, true);
        lines.push(new TextDecoder().decode(memory.data!.subarray(at, at + len)).trimEnd());
        return 0;
      },
    );
  });
  memory.data = instance.getMemory("memory")!.data();
  call(instance, "_start");
  const expected: string[] = [];
  for (let step = 1; step <= 3; step++) {
    for (let id = 1; id <= 3; id++) expected.push(`thread ${id} step ${step}`);
  }
  assert.deepEqual(lines, expected);
});

/** `nest(d)` resumes a continuation running `nest(d - 1)`: d deep, the innermost suspends to `run`. */
const NESTED = `(module
  (type $f (func (param i32) (result i32)))
  (type $c (cont $f))
  (type $g (func (result i32)))
  (type $k0 (cont $g))
  (tag $deep (param i32) (result i32))
  (tag $unused)
  (func $nest (param $d i32) (result i32)
    (if (result i32) (i32.eqz (local.get $d))
      (then (i32.add (suspend $deep (i32.const 7)) (i32.const 1)))
      (else
        (block $h (result (ref $k0))
          (return (resume $c (on $unused $h)
            (i32.sub (local.get $d) (i32.const 1)) (cont.new $c (ref.func $nest)))))
        (unreachable))))
  (elem declare func $nest)
  (func (export "run") (param $d i32) (result i32)
    (local $k (ref null $c))
    (local $v i32)
    (block $h (result i32 (ref $c))
      (return (resume $c (on $deep $h) (local.get $d) (cont.new $c (ref.func $nest)))))
    (local.set $k)
    (local.set $v)
    (i32.add (local.get $v) (resume $c (i32.const 100) (local.get $k)))))`;

Deno.test("a chain of 10^4 nested resumes suspends to its outermost handler and resumes", () => {
  const { instance, store } = instantiate(NESTED, { maxWasmStack: 16 * 1024 * 1024 });
  assert.deepEqual(call(instance, "run", 0), [108]);
  assert.deepEqual(call(instance, "run", 10), [108]);
  assert.deepEqual(call(instance, "run", 10_000), [108]);
  assert.equal(store._vm.conts!.count, 0, "every link dropped");
  assert.equal(store._vm.conts!.size, 0, "every continuation consumed");
});

Deno.test("a chain deeper than the wasm stack traps call stack exhausted, then the store runs on", () => {
  const { instance } = instantiate(NESTED);
  const trap = trapOf(() => call(instance, "run", 1_000_000));
  assert.equal(trap.code, TrapCode.StackOverflow);
  assert.equal(trap.message, "call stack exhausted");
  assert.deepEqual(call(instance, "run", 100), [108]);
});

const MANY = await Deno.readTextFile(new URL("../examples/workers.wat", import.meta.url));

Deno.test("10^5 continuations live at once, suspended, each well under 1 KiB", () => {
  const { instance, store } = instantiate(MANY);
  const n = 100_000;
  call(instance, "spawn", n);
  const conts = store._vm.conts!;
  assert.equal(conts.size, n);
  const perContinuation = conts.liveBytes / n;
  assert.ok(perContinuation < 1024, `${perContinuation} bytes per idle continuation`);
  assert.deepEqual(call(instance, "finish", n), [BigInt(n) * BigInt(n - 1)]);
  assert.equal(conts.size, 0);
  assert.equal(conts.liveBytes, 0);
});

const DROPPED = `(module
  (type $f (func))
  (type $k (cont $f))
  (tag $t)
  (table $keep 1 (ref null $k))
  (global $held (mut (ref null $k)) (ref.null $k))
  (func $body (suspend $t))
  (elem declare func $body)
  (func (export "drop_many") (param $n i32)
    (loop $next
      (drop (cont.new $k (ref.func $body)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $next (local.get 0))))
  (func (export "keep")
    (table.set $keep (i32.const 0) (cont.new $k (ref.func $body)))
    ;; a suspended one in the global: a started stack
    (block $h (result (ref $k))
      (resume $k (on $t $h) (cont.new $k (ref.func $body)))
      (unreachable))
    (global.set $held))
  (func (export "resume_kept") (result i32)
    (block $h (result (ref $k))
      (resume $k (on $t $h) (table.get $keep (i32.const 0)))
      (return (i32.const 0)))
    (drop)
    (resume $k (global.get $held))
    (i32.const 1)))`;

Deno.test("continuations nothing can reach are collected; those in tables and globals stay", () => {
  const { instance, store } = instantiate(DROPPED);
  call(instance, "keep");
  call(instance, "drop_many", 5000);
  const conts = store._vm.conts!;
  assert.equal(conts.size, 5002);
  call(instance, "drop_many", 1);
  assert.equal(conts.size, 3, "collected on its own at the next call");
  store.gc();
  assert.equal(conts.size, 2, "the table's and the global's");
  assert.deepEqual(call(instance, "resume_kept"), [1]);
  store.gc();
  assert.equal(conts.size, 0, "both consumed; the one suspended again is in no root");
  assert.equal(conts.liveBytes, 0);
});

Deno.test("the total limit across live continuations traps call stack exhausted", () => {
  const { instance, store } = instantiate(MANY, { maxContinuationsTotal: 64 * 1024 });
  const trap = trapOf(() => call(instance, "spawn", 100_000));
  assert.equal(trap.message, "call stack exhausted");
  assert.ok(store._vm.conts!.liveBytes <= 64 * 1024);
});

const ONE_SHOT = `(module
  (type $f (func))
  (type $k (cont $f))
  (type $g (func (param i32)))
  (type $kg (cont $g))
  (tag $t)
  (func $body (suspend $t))
  (func $body_i (param i32))
  (elem declare func $body $body_i)
  (func (export "twice")
    (local $k (ref null $k))
    (local.set $k (cont.new $k (ref.func $body)))
    (block $h (result (ref $k))
      (resume $k (on $t $h) (local.get $k))
      (unreachable))
    (drop)
    (resume $k (local.get $k)))
  (func (export "after_bind")
    (local $k (ref null $kg))
    (local.set $k (cont.new $kg (ref.func $body_i)))
    (drop (cont.bind $kg $k (i32.const 1) (local.get $k)))
    (resume $kg (i32.const 2) (local.get $k)))
  (func (export "null") (resume $k (ref.null $k)))
  (func (export "unhandled") (suspend $t)))`;

Deno.test("a consumed continuation resumed again traps, as does a null one; an unhandled suspend traps", () => {
  const { instance } = instantiate(ONE_SHOT);
  for (const name of ["twice", "after_bind"]) {
    const trap = trapOf(() => call(instance, name));
    assert.equal(trap.code, TrapCode.ContinuationConsumed, name);
    assert.equal(trap.message, "continuation already consumed");
  }
  assert.equal(trapOf(() => call(instance, "null")).message, "null continuation reference");
  assert.equal(trapOf(() => call(instance, "unhandled")).message, "unhandled tag");
});

Deno.test("a switch to a continuation of a host function calls it and returns its results to the resume", () => {
  const engine = new Engine({ stackSwitching: true });
  const module = new Module(
    engine,
    parseWat(`(module
    (rec (type $f (func (param i32 (ref null $c)) (result i32))) (type $c (cont $f)))
    (import "env" "host" (func $host (type $f)))
    (tag $sw (result i32))
    (func $first (type $f)
      (switch $c $sw (i32.add (local.get 0) (i32.const 1)) (cont.new $c (ref.func $host)))
      (unreachable))
    (elem declare func $first $host)
    (func (export "run") (param i32) (result i32)
      (resume $c (on $sw switch) (local.get 0) (ref.null $c) (cont.new $c (ref.func $first)))))`),
  );
  const type = module.imports()[0].type;
  assert(type.kind === "func");
  const linker = new Linker<null>(engine);
  linker.funcWrap("env", "host", type.type, (x) => (x as number) * 10);
  const instance = linker.instantiate(new Store(engine, null), module);
  assert.deepEqual(call(instance, "run", 4), [50]);
  assert.deepEqual(call(instance, "run", 6), [70], "the store runs on");
});

Deno.test("a switch from a continuation with another running inside it takes that one along", () => {
  const { instance } = instantiate(`(module
    (rec
      (type $f (func (param i32 (ref null $c)) (result i32)))
      (type $c (cont $f)))
    (type $g (func (param (ref null $c)) (result i32)))
    (type $k (cont $g))
    (tag $sw (result i32))
    ;; runs inside $a's continuation and switches to $b (the handler is the outer resume's)
    (func $inner (type $g)
      (switch $c $sw (i32.const 5) (local.get 0))
      (drop)
      (i32.add (i32.const 1000)))
    (func $a (type $f)
      (resume $k (local.get 1) (cont.new $k (ref.func $inner))))
    (func $b (type $f)
      (switch $c $sw (i32.mul (local.get 0) (i32.const 3)) (local.get 1))
      (unreachable))
    (elem declare func $a $b $inner)
    (func (export "run") (result i32)
      (resume $c (on $sw switch)
        (i32.const 0) (cont.new $c (ref.func $b)) (cont.new $c (ref.func $a)))))`);
  // $inner switches 5 to $b, which switches 15 back into $inner, still inside $a: 1015
  assert.deepEqual(call(instance, "run"), [1015]);
  assert.equal(instance.store._vm.conts!.count, 0, "every link dropped");
});

/** A consumer's loop: resumes continuation `$k` until it returns, summing the i32s it yields. */
const SUM_LOOP = `(block $done
      (loop $next
        (block $h (result i32 (ref $k))
          (resume $k (on $yield $h) (local.get $k))
          (br $done))
        (local.set $k)
        (local.set $sum (i32.add (local.get $sum)))
        (br $next)))
    (local.get $sum))`;

const TAG_MODULE = `(module (tag (export "yield") (param i32)))`;
const PRODUCER = `(module
  (type $f (func))
  (type $k (cont $f))
  (import "tags" "yield" (tag $yield (param i32)))
  (func $count (suspend $yield (i32.const 1)) (suspend $yield (i32.const 2)))
  (elem declare func $count)
  (func (export "make") (result (ref $k)) (cont.new $k (ref.func $count))))`;
const CONSUMER = `(module
  (type $f (func))
  (type $k (cont $f))
  (import "tags" "yield" (tag $yield (param i32)))
  (import "producer" "make" (func $make (result (ref $k))))
  (func (export "sum") (result i32)
    (local $k (ref null $k)) (local $sum i32)
    (local.set $k (call $make))
${SUM_LOOP})`;

Deno.test("a tag of one module suspends code of a second, handled by a third that resumes the second's continuation", () => {
  const engine = new Engine({ stackSwitching: true });
  const store = new Store(engine, null);
  const load = (linker: Linker<null>, wat: string) =>
    linker.instantiate(store, new Module(engine, parseWat(wat)));
  const tags = load(new Linker(engine), TAG_MODULE);
  const linker = new Linker<null>(engine).instance("tags", tags);
  const producer = load(linker, PRODUCER);
  const consumer = load(linker.instance("producer", producer), CONSUMER);
  assert.deepEqual(call(consumer, "sum"), [3]);
  // a tag of the same type from another instance is another tag: the suspend is unhandled
  const otherTags = load(new Linker(engine), TAG_MODULE);
  const mixed = new Linker<null>(engine).instance("tags", otherTags).instance("producer", producer);
  const wrong = load(mixed, CONSUMER);
  assert.equal(trapOf(() => call(wrong, "sum")).message, "unhandled tag");
});

const TRAPPING = `(module $m
  (type $f (func))
  (type $k (cont $f))
  (tag $t)
  (func $inner (suspend $t) (unreachable))
  (func $body (call $inner))
  (elem declare func $body)
  (func $run (export "run")
    (local $k (ref null $k))
    (block $h (result (ref $k))
      (resume $k (on $t $h) (cont.new $k (ref.func $body)))
      (return))
    (local.set $k)
    (resume $k (local.get $k))))`;

Deno.test("a trap inside a continuation has a backtrace across its stack and its parent's", () => {
  const { instance } = instantiate(TRAPPING);
  const trap = trapOf(() => call(instance, "run"));
  assert.equal(trap.message, "unreachable");
  assert.deepEqual(trap.backtrace.map((f) => [f.funcIndex, f.parentStack === true]), [
    [0, false], // inner
    [1, false], // body: the continuation's stack ends here
    [2, true], // run, which resumed it
  ]);
  const text = String(trap);
  assert.match(
    text,
    /function 0>\n.*function 1>\n\s+--- continuation resumed from ---\n.*function 2>/,
  );
  // the store is usable afterwards, and no link is left behind
  assert.equal(trapOf(() => call(instance, "run")).message, "unreachable");
});

const RECURSIVE = `(module
  (type $f (func (param i32) (result i32)))
  (type $c (cont $f))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
  (elem declare func $down)
  (func (export "down_in_cont") (param i32) (result i32)
    (resume $c (local.get 0) (cont.new $c (ref.func $down)))))`;

Deno.test("each continuation's stack has its own limit", () => {
  const { instance } = instantiate(RECURSIVE, { maxContinuationStack: 16 * 1024 });
  assert.deepEqual(call(instance, "down", 5000), [5000], "the main stack is larger");
  assert.deepEqual(call(instance, "down_in_cont", 100), [100]);
  const trap = trapOf(() => call(instance, "down_in_cont", 5000));
  assert.equal(trap.message, "call stack exhausted");
  assert.deepEqual(call(instance, "down", 5000), [5000], "the limit is back after the trap");
});

const HOSTED = `(module
  (type $f (func (param i32)))
  (type $c (cont $f))
  (type $g (func))
  (type $k (cont $g))
  (import "env" "work" (func $work (param i32) (result i32)))
  (tag $yield (param i32))
  (func $gen (param $n i32)
    (local $i i32)
    (loop $next
      (suspend $yield (call $work (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
  (elem declare func $gen)
  (func (export "sum") (param $n i32) (result i32)
    (local $k (ref null $k)) (local $sum i32)
    (local.set $k (cont.bind $c $k (local.get $n) (cont.new $c (ref.func $gen))))
${SUM_LOOP})`;

/** Instantiates {@link HOSTED} with `work` as its host function. */
function hosted(config: EngineConfig, work: (x: number) => number | Promise<number>) {
  return instantiate(HOSTED, config, (linker) => {
    linker.funcWrap("env", "work", { params: ["i32"], results: ["i32"] }, work);
  });
}

Deno.test("an async host function called inside a continuation suspends the call; callAsync resumes it", async () => {
  const { instance } = hosted({}, (x) => new Promise((r) => setTimeout(() => r(x * 10), 1)));
  assert.deepEqual(await instance.getFunc("sum")!.callAsync(5), [100]);
});

Deno.test("fuel runs out inside a continuation, and async calls yield and go on there", async () => {
  const sync = hosted({ consumeFuel: true }, (x) => x);
  sync.store.setFuel(1_000);
  assert.equal(trapOf(() => call(sync.instance, "sum", 100_000)).code, TrapCode.OutOfFuel);
  sync.store.setFuel(100_000_000);
  assert.deepEqual(call(sync.instance, "sum", 1000), [499500]);
  const { instance, store } = hosted({ consumeFuel: true }, (x) => x);
  store.setFuel(100_000_000);
  store.fuelAsyncYieldInterval(500);
  assert.deepEqual(await instance.getFunc("sum")!.callAsync(1000), [499500]);
});

Deno.test("epoch deadlines stop a continuation, and an async call goes on after each", async () => {
  const ticks: { engine?: Engine } = {};
  const sync = hosted({ epochInterruption: true }, (x) => {
    ticks.engine!.incrementEpoch();
    return x;
  });
  ticks.engine = sync.engine;
  sync.store.setEpochDeadline(5);
  assert.equal(trapOf(() => call(sync.instance, "sum", 100)).code, TrapCode.Interrupt);
  const { instance, store, engine: e2 } = hosted({ epochInterruption: true }, (x) => {
    e2.incrementEpoch();
    return x;
  });
  store.setEpochDeadline(1);
  store.epochDeadlineAsyncYieldAndUpdate(1);
  assert.deepEqual(await instance.getFunc("sum")!.callAsync(100), [4950]);
});

const THROUGH_PLAIN = `(module
  (type $f (func (param i32) (result i32)))
  (type $c (cont $f))
  (type $g (func (param i32) (result i32)))
  (type $k (cont $g))
  (tag $ask (param i32) (result i32))
  (func $leaf (param i32) (result i32) (suspend $ask (local.get 0)))
  ;; no stack-switching op of its own: it may be promoted to the JS tier
  (func $plain (param i32) (result i32)
    (i32.add (call $leaf (i32.mul (local.get 0) (i32.const 2))) (i32.const 1)))
  (elem declare func $plain)
  (func (export "run") (param i32) (result i32)
    (local $k (ref null $k))
    (block $h (result i32 (ref $k))
      (return (resume $c (on $ask $h) (local.get 0) (cont.new $c (ref.func $plain)))))
    (local.set $k)
    (i32.add (i32.const 100))
    (local.get $k)
    (resume $k)))`;

for (const strategy of ["interpreter", "js", "auto"] as const) {
  Deno.test(`a function without stack-switching ops between a resume and a suspend, strategy "${strategy}"`, () => {
    const config: EngineConfig = strategy === "auto"
      ? { strategy, tierUp: { samples: 0 } }
      : { strategy };
    const { instance } = instantiate(THROUGH_PLAIN, config);
    assert.deepEqual(call(instance, "run", 5), [111]);
    assert.deepEqual(call(instance, "run", 5), [111]);
  });
}
