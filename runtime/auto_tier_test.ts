/**
 * Tests of the `"auto"` strategy: promotion by slice-end samples, calls
 * across tiers in both directions (interpreter → JS through `enter_tier`, JS
 * → interpreter through stubs and `C.callSlots`), and traps, backtraces,
 * fuel, epochs, the stack limit and async calls meaning what they mean on
 * the interpreter; the `"interpreter"` strategy installs no hook at all.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat } from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import { Engine, type EngineConfig, Func, Instance, Module, Store } from "./mod.ts";
import { trapOf } from "./_trap_test_util.ts";

const WAT = `(module
  (import "env" "boom" (func $boom))
  (type $v (func (param i32) (result i32)))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $via_atomic $inc)
  (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  ;; an atomic access: this function stays on the interpreter
  (func $via_atomic (param i32) (result i32)
    (i32.add (i32.atomic.load (i32.const 0)) (call $inc (local.get 0))))
  (func $div (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $calls_div (export "calls_div") (param i32) (result i32) (call $div (local.get 0)))
  (func (export "outer") (param i32) (result i32)
    (i32.add (i32.const 1) (call $calls_div (local.get 0))))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $v) (local.get 0) (local.get 1)))
  (func (export "via_host") (call $boom))
  (func $deep (export "deep") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $deep (i32.sub (local.get 0) (i32.const 1)))))))
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2)) (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
  (func (export "spin") (param i32) (result i32) (local i32)
    (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 3)))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
  (func (export "sum_fibs") (param i32) (result i32) (local i32)
    (loop $l (local.set 1 (i32.add (local.get 1) (call $fib (i32.const 12))))
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
    (local.get 1))
)`;

const F = { inc: 1, via_atomic: 2, div: 3, calls_div: 4, outer: 5, deep: 8, fib: 9 };

function instantiate(config: EngineConfig, wat = WAT) {
  const lines: string[] = [];
  const engine = new Engine({ tierLog: (l) => lines.push(l), ...config });
  const module = new Module(engine, parseWat(wat));
  const store = new Store(engine, undefined);
  const made: { instance?: Instance } = {};
  const imports = wat === WAT
    ? [Func.wrap(store, { params: [], results: [] }, () => {
      made.instance!.getFunc("calls_div")!.call(0);
    })]
    : [];
  const instance = made.instance = new Instance(store, module, imports);
  return { module, store, instance, lines };
}

Deno.test('"auto" starts on the interpreter and promotes a hot function, logged', () => {
  const { module, instance, lines } = instantiate({ strategy: "auto", tierUp: { samples: 2 } });
  assert.equal(module.tierOf(F.fib), "interpreter: not hot (yet)");
  assert.deepEqual(instance.getFunc("fib")!.call(25), [75025]);
  assert.equal(module.tierOf(F.fib), "js");
  assert.match(lines.join("\n"), /^promoted func 9 after 2 samples$/m);
  assert.deepEqual(instance.getFunc("fib")!.call(20), [6765], "now from the host to JS");
  assert.equal(module.tierOf(F.div), "interpreter: not hot (yet)", "cold code stays");
});

Deno.test('the "interpreter" strategy installs no tier hook and patches no code', () => {
  const { module, store, instance } = instantiate({ strategy: "interpreter" });
  assert.deepEqual(instance.getFunc("fib")!.call(22), [17711]);
  assert.equal(store._vm.tierSlice, null);
  assert.equal(store._vm.tierCall, null);
  for (const f of module._compiled.functions) {
    assert.equal(module._compiled.code[f.entry], Op.enter);
  }
});

Deno.test("calls cross tiers both ways: interpreter → JS at every call op, JS → interpreter", () => {
  const { module, instance, lines } = instantiate({
    strategy: "auto",
    tierUp: { samples: 1, sliceSteps: 0 },
  });
  // call_indirect from an interpreted caller to JS ($inc), and to the interpreter ($via_atomic)
  module._auto!.promote(F.inc);
  assert.deepEqual(instance.getFunc("indirect")!.call(7, 1), [8]);
  assert.deepEqual(instance.getFunc("indirect")!.call(7, 0), [8]);
  assert.match(module.tierOf(F.via_atomic), /^interpreter: /);
  assert.match(lines.join("\n"), /func 2 stays on the interpreter: op atomic/);
  // direct calls: JS ($fib promoted mid-run) and its interpreted caller loop
  assert.deepEqual(instance.getFunc("sum_fibs")!.call(30), [30 * 144]);
  assert.equal(module.tierOf(F.fib), "js");
  assert.deepEqual(instance.getFunc("fib")!.call(15), [610]);
});

Deno.test("traps have the interpreter's code, message and backtrace across tiers", () => {
  const want = (() => {
    const { instance } = instantiate({});
    return [
      trapOf(() => instance.getFunc("outer")!.call(0)),
      trapOf(() => instance.getFunc("via_host")!.call()),
    ];
  })();
  for (const promoted of [[F.div], [F.calls_div], [F.outer], [F.div, F.outer]]) {
    const { module, instance } = instantiate({ strategy: "auto" });
    for (const k of promoted) module._auto!.promote(k);
    const got = trapOf(() => instance.getFunc("outer")!.call(0));
    assert.equal(got.code, want[0].code);
    assert.equal(got.message, want[0].message);
    assert.deepEqual(got.backtrace, want[0].backtrace, `promoted ${promoted}`);
    const host = trapOf(() => instance.getFunc("via_host")!.call());
    assert.deepEqual(host.backtrace, want[1].backtrace, `through the host, promoted ${promoted}`);
    assert.deepEqual(instance.getFunc("outer")!.call(1), [2], "the store is usable after");
  }
});

Deno.test("deep recursion traps call stack exhausted at the limit, across tiers", () => {
  for (const maxWasmStack of [64 * 1024, 4 * 1024 * 1024]) {
    const { instance } = instantiate({ strategy: "auto", maxWasmStack });
    const deep = instance.getFunc("deep")!;
    assert.deepEqual(deep.call(300), [300]);
    assert.match(trapOf(() => deep.call(10_000_000)).message, /call stack exhausted/);
    assert.deepEqual(deep.call(10), [10], "usable after");
  }
  const { instance } = instantiate({ strategy: "auto", maxWasmStack: 16 * 1024 * 1024 });
  assert.deepEqual(instance.getFunc("deep")!.call(100_000), [100_000]);
});

Deno.test("fuel: a completed run consumes what the interpreter consumes, promoted or not", () => {
  const left = (config: EngineConfig) => {
    const { store, instance } = instantiate({ ...config, consumeFuel: true });
    store.setFuel(10_000_000);
    instance.getFunc("spin")!.call(1000);
    instance.getFunc("sum_fibs")!.call(40);
    instance.getFunc("indirect")!.call(3, 0);
    return store.getFuel();
  };
  const want = left({});
  assert.equal(left({ strategy: "auto" }), want);
  assert.equal(left({ strategy: "auto", tierUp: { samples: 1, sliceSteps: 0 } }), want);
  assert.equal(left({ strategy: "auto", tierUp: { samples: 0 } }), want);
  const { store, instance } = instantiate({ strategy: "auto", consumeFuel: true });
  store.setFuel(500);
  assert.throws(() => instance.getFunc("fib")!.call(20), /all fuel consumed/);
});

Deno.test("epochs: a passed deadline interrupts promoted code", () => {
  const { store, instance } = instantiate({
    strategy: "auto",
    epochInterruption: true,
    tierUp: { samples: 0 },
  });
  store.setEpochDeadline(1);
  assert.deepEqual(instance.getFunc("fib")!.call(10), [55]);
  store.engine.incrementEpoch();
  assert.match(trapOf(() => instance.getFunc("fib")!.call(30)).message, /interrupt/);
});

Deno.test("an async call runs promoted functions on the interpreter, logged", async () => {
  const wat = `(module (import "env" "later" (func $later (param i32) (result i32)))
    (func $g (param i32) (result i32) (i32.add (call $later (local.get 0)) (i32.const 1)))
    (func (export "f") (param i32) (result i32) (call $g (local.get 0))))`;
  const lines: string[] = [];
  const engine = new Engine({
    strategy: "auto",
    tierUp: { samples: 0 },
    tierLog: (l) => lines.push(l),
  });
  const store = new Store(engine, undefined);
  const later = Func.wrap(
    store,
    { params: ["i32"], results: ["i32"] },
    (x) => Promise.resolve(2 * (x as number)),
  );
  const instance = new Instance(store, new Module(engine, parseWat(wat)), [later]);
  const f = instance.getFunc("f")!;
  assert.deepEqual(await f.callAsync(20), [41]);
  assert.match(lines.join("\n"), /func 1 runs on the interpreter: in an async call/);
  assert.throws(() => f.call(20), /use Func.callAsync/, "a synchronous call on the JS tier");
});

Deno.test("promotion is module-wide: another instance, in another store, runs the JS code", () => {
  const engine = new Engine({ strategy: "auto" });
  const module = new Module(engine, parseWat(WAT));
  const make = () => {
    const store = new Store(engine, undefined);
    return new Instance(store, module, [Func.wrap(store, { params: [], results: [] }, () => {})]);
  };
  const a = make();
  assert.deepEqual(a.getFunc("fib")!.call(24), [46368]);
  assert.equal(module.tierOf(F.fib), "js");
  const b = make();
  assert.deepEqual(b.getFunc("sum_fibs")!.call(3), [3 * 144]);
  assert.deepEqual(b.getFunc("fib")!.call(10), [55]);
});

const LOOPS = `(module (memory 1)
  ;; i64 and f64 locals live around the loop, two results
  (func (export "mix") (param i32) (result i64 i64) (local i64 f64 i32)
    (loop $l
      (local.set 1 (i64.add (i64.mul (local.get 1) (i64.const 6364136223846793005))
                            (i64.const 1442695040888963407)))
      (local.set 2 (f64.add (local.get 2) (f64.convert_i64_s (i64.shr_u (local.get 1) (i64.const 40)))))
      (local.set 3 (i32.add (local.get 3) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 3) (local.get 0))))
    (local.get 1) (i64.trunc_sat_f64_s (local.get 2)))
  ;; stores until past the end of memory: traps out of bounds inside the loop
  (func $fill (param i32) (local i32)
    (loop $l
      (i32.store (local.get 1) (local.get 0))
      (local.set 1 (i32.add (local.get 1) (i32.const 4)))
      (br $l)))
  (func (export "fill") (param i32) (call $fill (local.get 0)))
)`;

Deno.test("on-stack replacement: a running loop moves to JS at its header, results exact", () => {
  const want = instantiate({}, LOOPS).instance.getFunc("mix")!.callBits(3_000_000);
  const { instance, lines } = instantiate({ strategy: "auto" }, LOOPS);
  assert.deepEqual(instance.getFunc("mix")!.callBits(3_000_000), want);
  assert.match(lines.join("\n"), /^func 0: on-stack replacement at wasm offset \d+$/m);
  assert.deepEqual(instance.getFunc("mix")!.callBits(3_000_000), want, "then called on JS");
  const eager = instantiate({ strategy: "auto", tierUp: { samples: 1, sliceSteps: 0 } }, LOOPS);
  assert.deepEqual(eager.instance.getFunc("mix")!.callBits(1000), [
    ...instantiate({}, LOOPS).instance.getFunc("mix")!.callBits(1000),
  ]);
});

Deno.test("on-stack replacement: a trap in the replaced loop has the interpreter's backtrace", () => {
  const want = trapOf(() => instantiate({}, LOOPS).instance.getFunc("fill")!.call(7));
  for (const tierUp of [{ samples: 2 }, { samples: 1, sliceSteps: 0 }]) {
    const { instance, lines } = instantiate({ strategy: "auto", tierUp }, LOOPS);
    const got = trapOf(() => instance.getFunc("fill")!.call(7));
    // promoting at the first step, $fill is promoted at its stub (its first call lowers it)
    // and its code then runs on JS from its entry: no loop is replaced then
    const moved = "sliceSteps" in tierUp
      ? /^func 1: on-stack replacement|^promoted func 1 after 1 sample$/m
      : /^func 1: on-stack replacement/m;
    assert.match(lines.join("\n"), moved);
    assert.equal(got.message, want.message);
    assert.deepEqual(got.backtrace, want.backtrace);
  }
});

Deno.test("on-stack replacement keeps fuel exact and epochs interrupting", () => {
  const left = (config: EngineConfig) => {
    const { store, instance } = instantiate({ ...config, consumeFuel: true }, LOOPS);
    store.setFuel(100_000_000);
    instance.getFunc("mix")!.call(200_000);
    return store.getFuel();
  };
  const want = left({});
  assert.equal(left({ strategy: "auto" }), want);
  assert.equal(left({ strategy: "auto", tierUp: { samples: 1, sliceSteps: 0 } }), want);
  const { store, instance, lines } = instantiate(
    { strategy: "auto", epochInterruption: true },
    LOOPS,
  );
  store.setEpochDeadline(1);
  instance.getFunc("mix")!.call(1_000_000);
  assert.match(lines.join("\n"), /on-stack replacement/);
  store.engine.incrementEpoch();
  assert.match(trapOf(() => instance.getFunc("mix")!.call(1_000_000)).message, /interrupt/);
});

Deno.test("an image of a module with promoted functions holds the code as compiled", () => {
  const { module, instance } = instantiate({ strategy: "auto" });
  assert.deepEqual(instance.getFunc("fib")!.call(25), [75025]);
  assert.equal(module.tierOf(F.fib), "js");
  const image = module.serialize({ all: true });
  const loaded = Module.deserialize(new Engine({ strategy: "auto" }), image);
  for (const f of loaded._compiled.functions) {
    assert.equal(loaded._compiled.code[f.entry], Op.enter, `function ${f.funcIndex}'s entry`);
  }
  const store = new Store(loaded.engine, undefined);
  const again = new Instance(store, loaded, [
    Func.wrap(store, { params: [], results: [] }, () => {}),
  ]);
  assert.deepEqual(again.getFunc("fib")!.call(20), [6765]);
});

Deno.test("a call finished by on-stack replacement inside a host call leaves its caller's run exact", () => {
  const wat = `(module (import "env" "h" (func $h (param i32) (result i32)))
    (func (export "loop") (param i32) (result i32) (local i32)
      (loop $l (local.set 1 (i32.add (local.get 1) (i32.const 2)))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (local.get 1))
    (func (export "outer") (param i32) (result i32) (call $h (local.get 0))))`;
  const engine = new Engine({ strategy: "auto", tierUp: { samples: 1, sliceSteps: 0 } });
  const store = new Store(engine, undefined);
  const made: { instance?: Instance } = {};
  const h = Func.wrap(
    store,
    { params: ["i32"], results: ["i32"] },
    (n) => made.instance!.getFunc("loop")!.call(n)[0],
  );
  made.instance = new Instance(store, new Module(engine, parseWat(wat)), [h]);
  assert.deepEqual(made.instance.getFunc("outer")!.call(50), [100]);
  assert.deepEqual(made.instance.getFunc("outer")!.call(7), [14]);
});

const FOLDED = `(module (memory 1)
  ;; the loop's header block charges its fuel and jumps (the if is folded) into the block after:
  ;; the bytecode merges the two, on-stack replacement must enter at the loop
  (func (export "folded") (param $n i32) (result i32) (local $i i32) (local $x f64)
    (loop $l
      (if (i32.const 32) (then (local.set $x (local.get $x)))
        (else (f64.store (i32.const 0) (f64.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $i)))`;

Deno.test("on-stack replacement with fuel: entered where a merged header charges the same", () => {
  const left = (config: EngineConfig) => {
    const { store, instance, lines } = instantiate({ ...config, consumeFuel: true }, FOLDED);
    store.setFuel(1_000_000);
    assert.deepEqual(instance.getFunc("folded")!.call(1000), [1000]);
    return { left: store.getFuel(), log: lines.join("\n") };
  };
  const want = left({}).left;
  const auto = left({ strategy: "auto", tierUp: { samples: 1, sliceSteps: 0 } });
  assert.match(auto.log, /func 0: on-stack replacement at wasm offset/);
  assert.equal(auto.left, want);
});

/** A module whose `outer` spins (promoted, replaced on the stack), then calls `$inner` `n` times. */
const spinThenCalls = (inner: string) =>
  `(module
  ${inner}
  (func (export "outer") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (loop $spin (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $spin (i32.lt_u (local.get $i) (i32.const 100000))))
    (local.set $i (i32.const 0))
    (loop $calls
      (local.set $acc (i32.add (local.get $acc) (call $inner (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $calls (i32.lt_u (local.get $i) (local.get $n))))
    (local.get $acc)))`;

/** The big `inner`, called in short calls. */
const SHORT_CALLS = spinThenCalls(`(func $inner (param $x i32) (result i32) (local $i i32)
    ${
  "(local.set $x (i32.add (i32.mul (local.get $x) (i32.const 31)) (i32.const 12345)))\n".repeat(32)
}
    (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 5))))
    (local.get $x))`);

Deno.test("a function JS code calls often, each call short, is sampled and promoted", () => {
  const { module, instance, lines } = instantiate(
    { strategy: "auto", tierUp: { samples: 2 } },
    SHORT_CALLS,
  );
  const want = instantiate({ strategy: "interpreter" }, SHORT_CALLS).instance.getFunc("outer")!
    .call(20_000);
  assert.deepEqual(instance.getFunc("outer")!.call(20_000), want);
  assert.match(lines.join("\n"), /^promoted func 1 after 2 samples$/m);
  assert.match(lines.join("\n"), /^func 1: on-stack replacement/m);
  assert.equal(module.tierOf(0), "js", lines.join("\n"));
});

/** `inner` has no branch, and is too big to join its caller's group unsampled. */
const STRAIGHT_CALLS = spinThenCalls(`(func $inner (param $x i32) (result i32)
    ${
  "(local.set $x (i32.add (i32.mul (local.get $x) (i32.const 31)) (i32.const 12345)))\n".repeat(48)
}
    (local.get $x))`);

Deno.test("a callee JS code calls, whose calls take no step, is promoted by their time", () => {
  // (no slice ends in `inner`: its calls from JS code start no slice and take no branch)
  const { module, instance, lines } = instantiate({ strategy: "auto" }, STRAIGHT_CALLS);
  const want = instantiate({ strategy: "interpreter" }, STRAIGHT_CALLS).instance.getFunc("outer")!
    .call(20_000);
  assert.deepEqual(instance.getFunc("outer")!.call(20_000), want);
  assert.match(lines.join("\n"), /^promoted func 0 after \d+ calls? from JS code$/m);
  assert.equal(module.tierOf(0), "js", lines.join("\n"));
  assert.equal(module.tierOf(1), "js", lines.join("\n"));
  assert.deepEqual(instance.getFunc("outer")!.call(20_000), want);
});

Deno.test("a direct callee not analysed when its caller is promoted: the JS code calls it through its stub", () => {
  // $atomic's i32 type fixes its kinds: the group calls it without analysing it; it stays interpreted
  const wat = `(module (memory 1)
    (func $atomic (param i32) (result i32) (i32.add (i32.atomic.load (i32.const 0)) (local.get 0)))
    (func $plain (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
    (func (export "sum") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (i32.add (local.get 1)
          (i32.add (call $atomic (local.get 0)) (call $plain (local.get 0)))))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (local.get 1)))`;
  const want = instantiate({ strategy: "interpreter" }, wat).instance.getFunc("sum")!.call(5000);
  const { module, instance, lines } = instantiate(
    { strategy: "auto", tierUp: { samples: 1, sliceSteps: 0 } },
    wat,
  );
  assert.deepEqual(instance.getFunc("sum")!.call(5000), want);
  assert.deepEqual(instance.getFunc("sum")!.call(5000), want);
  assert.equal(module.tierOf(2), "js", lines.join("\n"));
  assert.match(module.tierOf(0), /^interpreter/);
});

Deno.test("a small direct callee joins its caller's group even before it has run", () => {
  // (a function promoted at its entry, before its loop, must not call its helpers through the
  // interpreter: a helper's calls from JS, each shorter than a slice, would never be sampled)
  const wat = `(module
    (func $ran (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
    (func $never (param i32) (result i32) (i32.sub (local.get 0) (i32.const 1)))
    (func (export "loop") (param i32) (result i32) (local i32)
      (loop $l
        (local.set 1 (call $ran (local.get 1)))
        (if (i32.eq (local.get 1) (i32.const -5)) (then (local.set 1 (call $never (local.get 1)))))
        (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
      (local.get 1)))`;
  const { module, instance, lines } = instantiate({ strategy: "auto" }, wat);
  assert.deepEqual(instance.getFunc("loop")!.call(20_000), [20_000]);
  assert.equal(module.tierOf(2), "js", lines.join("\n"));
  assert.equal(module.tierOf(0), "js", lines.join("\n"));
  assert.equal(module.tierOf(1), "js", lines.join("\n"));
});
