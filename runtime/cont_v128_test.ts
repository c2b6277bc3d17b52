/**
 * v128 values across stack switches: passed by `suspend` (to the handler
 * and back from the resumer), by `resume` and `cont.bind` as a
 * continuation's arguments, returned as its results, passed by `switch`,
 * and live in a suspended continuation's registers while another
 * continuation's SIMD code reuses the same registers. `resume_throw` with a
 * v128 in its exception is refused as `throw` is.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  Engine,
  type EngineConfig,
  Linker,
  Module,
  Store,
  type Tag,
  ValType,
  WasmException,
} from "./mod.ts";
import { CompileError, parseWat } from "@capstan/environ";

/** The strategies the generator test runs under ("auto" promoting at once). */
const STRATEGIES: readonly EngineConfig[] = [
  { strategy: "interpreter" },
  { strategy: "js" },
  { strategy: "auto", tierUp: { samples: 0 } },
];

/** Instantiates `wat` with stack switching on; returns a caller of its exports. */
function instantiate(
  wat: string,
  config: EngineConfig = {},
): (name: string, ...args: unknown[]) => unknown[] {
  const engine = new Engine({ stackSwitching: true, ...config });
  const store = new Store(engine, null);
  const instance = new Linker<null>(engine).instantiate(
    store,
    new Module(engine, parseWat(wat)),
  );
  return (name, ...args) => instance.getFunc(name)!.call(...args);
}

/** The lanes of an i32x4 folded to one number: `a + 10 b + 100 c + 1000 d`. */
const FOLD = `
  (func $fold (param $v v128) (result i32)
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v))
               (i32.mul (i32x4.extract_lane 1 (local.get $v)) (i32.const 10)))
      (i32.add (i32.mul (i32x4.extract_lane 2 (local.get $v)) (i32.const 100))
               (i32.mul (i32x4.extract_lane 3 (local.get $v)) (i32.const 1000)))))`;

for (const config of STRATEGIES) {
  Deno.test(`a generator yields v128 values, gets v128 values back, and keeps a v128 accumulator across suspends (strategy ${config.strategy})`, () => {
    const call = instantiate(
      `(module
    (type $gen (func (param v128) (result v128)))
    (type $genc (cont $gen))
    (tag $yield (param v128) (result v128))
    ${FOLD}
    ;; yields acc, acc + step, ...; each resume's value is added to step
    (func $count (param $step v128) (result v128)
      (local $acc v128) (local $i i32)
      (local.set $acc (v128.const i32x4 1 2 3 4))
      (loop $next
        (local.set $step (i32x4.add (local.get $step) (suspend $yield (local.get $acc))))
        (local.set $acc (i32x4.add (local.get $acc) (local.get $step)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (i32.const 3))))
      (local.get $acc))
    (elem declare func $count)
    (func (export "run") (result i32 i32 i32 i32 i32)
      (local $k (ref null $genc)) (local $v v128) (local $s0 i32) (local $s1 i32) (local $s2 i32)
      (local.set $k (cont.new $genc (ref.func $count)))
      (local.set $v (v128.const i32x4 0 0 0 0))
      ;; first resume: the argument is step
      (block $h (result v128 (ref $genc))
        (resume $genc (on $yield $h) (v128.const i32x4 1 1 1 1) (local.get $k))
        (unreachable))
      (local.set $k)
      (local.set $s0 (call $fold))
      ;; the next resumes pass what is added to step, clobbering v128 registers in between
      (block $h (result v128 (ref $genc))
        (resume $genc (on $yield $h)
          (i32x4.mul (v128.const i32x4 2 2 2 2) (v128.const i32x4 0 1 0 1)) (local.get $k))
        (unreachable))
      (local.set $k)
      (local.set $s1 (call $fold))
      (block $h (result v128 (ref $genc))
        (resume $genc (on $yield $h) (v128.const i32x4 0 0 0 0) (local.get $k))
        (unreachable))
      (local.set $k)
      (local.set $s2 (call $fold))
      (local.get $s0) (local.get $s1) (local.get $s2)
      (call $fold (resume $genc (v128.const i32x4 5 0 0 0) (local.get $k)))
      (i32.const 0)))`,
      config,
    );
    // step = (1,1,1,1): yields (1,2,3,4); step += (0,2,0,2) -> (1,3,1,3), acc (2,5,4,7);
    // step += 0: acc (3,8,5,10); step += (5,0,0,0) -> (6,3,1,3): acc (9,11,6,13)
    assert.deepEqual(call("run"), [4321, 7452, 10583, 13719, 0]);
  });
}

Deno.test("cont.bind binds v128 arguments, resume passes the rest, and the results are v128", () => {
  const call = instantiate(`(module
    (type $f3 (func (param v128 i64 v128) (result v128 i32)))
    (type $c3 (cont $f3))
    (type $f1 (func (param v128) (result v128 i32)))
    (type $c1 (cont $f1))
    ${FOLD}
    (func $mix (param $a v128) (param $n i64) (param $b v128) (result v128 i32)
      (i32x4.add (local.get $a) (local.get $b))
      (i32.wrap_i64 (local.get $n)))
    (elem declare func $mix)
    (func (export "run") (result i32 i32)
      (local $r i32)
      (resume $c1 (v128.const i32x4 0 0 0 7)
        (cont.bind $c3 $c1 (v128.const i32x4 1 2 3 4) (i64.const 99)
          (cont.new $c3 (ref.func $mix))))
      (local.set $r)
      (call $fold)
      (local.get $r)))`);
  assert.deepEqual(call("run"), [1 + 20 + 300 + 11000, 99]);
});

Deno.test("switch passes v128 values between two continuations", () => {
  const call = instantiate(`(module
    (rec
      (type $pp (func (param v128 i32 (ref null $ppc)) (result v128)))
      (type $ppc (cont $pp)))
    (tag $sw (result v128))
    ${FOLD}
    ;; each side adds (1,0,0,0) or (0,1,0,0) to the value and switches back, n times in all
    (func $side (type $pp) (param $v v128) (param $n i32) (param $other (ref null $ppc)) (result v128)
      (loop $next
        (if (i32.eqz (local.get $n)) (then (return (local.get $v))))
        (local.set $v (i32x4.add (local.get $v)
          (select (result v128) (v128.const i32x4 1 0 0 0) (v128.const i32x4 0 1 0 0)
            (i32.and (local.get $n) (i32.const 1)))))
        (switch $ppc $sw (local.get $v) (i32.sub (local.get $n) (i32.const 1)) (local.get $other))
        (local.set $other)
        (local.set $n)
        (local.set $v)
        (br $next))
      (unreachable))
    (elem declare func $side)
    (func (export "run") (param $n i32) (result i32)
      (call $fold
        (resume $ppc (on $sw switch)
          (v128.const i32x4 0 0 0 5) (local.get $n)
          (cont.new $ppc (ref.func $side)) (cont.new $ppc (ref.func $side))))))`);
  // n = 5: odd counts 5, 3, 1 add lane 0; even counts 4, 2 add lane 1
  assert.deepEqual(call("run", 5), [3 + 20 + 5000]);
});

Deno.test("resume_throw with a v128 in its exception is refused as throw is", () => {
  const engine = new Engine({ stackSwitching: true });
  const wat = `(module
    (type $f (func))
    (type $c (cont $f))
    (tag $e (param v128))
    (func (export "f") (param (ref null $c))
      (resume_throw $c $e (v128.const i64x2 0 0) (local.get 0))))`;
  assert.throws(
    () => {
      const module = new Module(engine, parseWat(wat));
      const instance = new Linker<null>(engine).instantiate(new Store(engine, null), module);
      instance.getFunc("f")!.call(null); // functions are lowered on their first call
    },
    (e) => e instanceof CompileError && /a v128 value in an exception/.test(e.message),
  );
});

Deno.test("a module with a v128 tag instantiates; the host cannot make an exception of it", () => {
  const engine = new Engine({ stackSwitching: true });
  const store = new Store(engine, null);
  const instance = new Linker<null>(engine).instantiate(
    store,
    new Module(engine, parseWat(`(module (tag (export "t") (param v128) (result v128)))`)),
  );
  const tag = instance.getExport("t") as Tag;
  assert.deepEqual(tag.type.params, [ValType.v128]);
  assert.throws(
    () => new WasmException(store, tag, [new Uint8Array(16)]),
    (e) => e instanceof TypeError && /a v128 value in an exception/.test(e.message),
  );
});
