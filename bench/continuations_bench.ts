/**
 * Stack switching: what a `suspend` + `resume` round trip and a `switch`
 * cost on the interpreter, against a direct wasm call in the same run (the
 * group's baseline; each case does the same count of its operation per
 * iteration, so the ratio of iteration times is the ratio per operation).
 * `continuation_bytes.ts` measures the memory an idle continuation takes.
 *
 * Run: `deno bench -A bench/continuations_bench.ts` (`CAPSTAN_BENCH_QUICK=1`: 100 each)
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { Engine, Linker, Module, Store } from "@capstan/runtime";
import { QUICK } from "./_kernels.ts";

/** The three loops: direct calls, generator round trips, and switches between two continuations. */
export const CONTINUATIONS_WAT = `(module
  (type $gen (func (param i32)))
  (type $genc (cont $gen))
  (type $rest (func))
  (type $k (cont $rest))
  (rec
    (type $pp (func (param i32 (ref null $ppc))))
    (type $ppc (cont $pp)))
  (tag $yield (param i32))
  (tag $sw)

  (func $leaf (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "calls") (param $n i32) (result i32)
    (local $acc i32)
    (loop $next
      (local.set $acc (call $leaf (local.get $acc)))
      (br_if $next (i32.lt_u (local.get $acc) (local.get $n))))
    (local.get $acc))

  (func $count (param $n i32)
    (local $i i32)
    (loop $next
      (suspend $yield (local.get $i))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n)))))
  (func (export "round_trips") (param $n i32) (result i32)
    (local $k (ref null $k)) (local $last i32)
    (local.set $k (cont.bind $genc $k (local.get $n) (cont.new $genc (ref.func $count))))
    (block $done
      (loop $next
        (block $h (result i32 (ref $k))
          (resume $k (on $yield $h) (local.get $k))
          (br $done))
        (local.set $k)
        (local.set $last)
        (br $next)))
    (local.get $last))

  (func $ping (type $pp) (param $n i32) (param $other (ref null $ppc))
    (loop $next
      (if (i32.eqz (local.get $n)) (then (return)))
      (switch $ppc $sw (i32.sub (local.get $n) (i32.const 1)) (local.get $other))
      (local.set $other)
      (local.set $n)
      (br $next)))
  (elem declare func $count $ping)
  (func (export "switches") (param $n i32)
    (resume $ppc (on $sw switch)
      (local.get $n) (cont.new $ppc (ref.func $ping)) (cont.new $ppc (ref.func $ping)))))`;

const N = QUICK ? 100 : 10_000;
const engine = new Engine({ stackSwitching: true });
const store = new Store(engine, undefined);
const instance = new Linker(engine).instantiate(
  store,
  new Module(engine, parseWat(CONTINUATIONS_WAT)),
);
const calls = instance.getFunc("calls")!;
const roundTrips = instance.getFunc("round_trips")!;
const switches = instance.getFunc("switches")!;
if (calls.call(N)[0] !== N || roundTrips.call(N)[0] !== N - 1) throw new Error("wrong result");

Deno.bench({
  name: `${N} direct wasm calls`,
  group: "continuations",
  baseline: true,
  fn: () => void calls.call(N),
});

Deno.bench({
  name: `${N} suspend+resume round trips`,
  group: "continuations",
  fn: () => void roundTrips.call(N),
});

Deno.bench({
  name: `${N} switches`,
  group: "continuations",
  fn: () => void switches.call(N),
});
