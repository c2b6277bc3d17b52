/**
 * Tests of GC values and continuations together: a struct live in a
 * continuation's frame across a suspend, passed with `suspend` and `resume`,
 * bound by `cont.bind`, and a continuation held only by a GC object, which
 * the store's collector must keep.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Engine, Linker, Module, Store } from "./mod.ts";
import { parseWat } from "@capstan/environ";

const BOXES = `(module
  (type $box (struct (field i32)))
  (type $f (func (param (ref null $box)) (result (ref null $box))))
  (type $k (cont $f))
  (type $g (func (result (ref null $box))))
  (type $kg (cont $g))
  (tag $yield (param (ref null $box)) (result (ref null $box)))
  ;; holds its own box across a suspend, yields another, and adds what it is resumed with
  (func $body (param $given (ref null $box)) (result (ref null $box))
    (local $mine (ref null $box))
    (local.set $mine (struct.new $box (i32.const 100)))
    (struct.new $box
      (i32.add
        (i32.add (struct.get $box 0 (local.get $mine)) (struct.get $box 0 (local.get $given)))
        (struct.get $box 0
          (suspend $yield (struct.new $box (i32.const 20)))))))
  (elem declare func $body)
  (func $run (param $k (ref $k)) (param $arg (ref null $box)) (result i32)
    (local $got (ref null $box))
    (block $on_yield (result (ref null $box) (ref $k))
      (resume $k (on $yield $on_yield) (local.get $arg) (local.get $k))
      (return (i32.const -1)))
    (local.set $k)
    (local.set $got)
    ;; resumed with a box of 3: 100 + given + 3, plus the yielded 20 counted here
    (i32.add
      (struct.get $box 0 (local.get $got))
      (struct.get $box 0
        (resume $k (struct.new $box (i32.const 3)) (local.get $k)))))
  (func (export "plain") (result i32)
    (call $run (cont.new $k (ref.func $body)) (struct.new $box (i32.const 4000))))
  (func (export "bound") (result i32)
    (local $c (ref $kg))
    (local $rest (ref $k))
    (local.set $c
      (cont.bind $k $kg (struct.new $box (i32.const 5000)) (cont.new $k (ref.func $body))))
    ;; what the handler gets is the rest of $body: a continuation of the tag's result
    (block $on_yield (result (ref null $box) (ref $k))
      (resume $kg (on $yield $on_yield) (local.get $c))
      (return (i32.const -1)))
    (local.set $rest)
    (i32.add
      (struct.get $box 0)
      (struct.get $box 0 (resume $k (struct.new $box (i32.const 3)) (local.get $rest))))))`;

Deno.test("a struct lives across a suspend, and suspend, resume and cont.bind pass structs", () => {
  const engine = new Engine({ stackSwitching: true });
  const store = new Store(engine, null);
  const inst = new Linker<null>(engine).instantiate(store, new Module(engine, parseWat(BOXES)));
  assert.deepEqual(inst.getFunc("plain")!.call(), [20 + 100 + 4000 + 3]);
  assert.deepEqual(inst.getFunc("bound")!.call(), [20 + 100 + 5000 + 3]);
});

const QUEUE = `(module
  (type $f (func (result i32)))
  (type $k (cont $f))
  (type $cell (struct (field (mut (ref null $k)))))
  (tag $t)
  (global $queue (mut (ref null $cell)) (ref.null $cell))
  (func $body (result i32) (suspend $t) (i32.const 7))
  (elem declare func $body)
  (func (export "park")
    (global.set $queue
      (struct.new $cell
        (block $h (result (ref $k))
          (resume $k (on $t $h) (cont.new $k (ref.func $body)))
          (unreachable)))))
  (func (export "wake") (result i32)
    (resume $k (struct.get $cell 0 (global.get $queue)))))`;

Deno.test("a continuation held only by a struct in a global survives the store's collector", () => {
  const engine = new Engine({ stackSwitching: true });
  const store = new Store(engine, null);
  const inst = new Linker<null>(engine).instantiate(store, new Module(engine, parseWat(QUEUE)));
  inst.getFunc("park")!.call();
  assert.equal(store._vm.conts!.size, 1);
  store.gc();
  assert.equal(store._vm.conts!.size, 1, "reachable through the struct");
  assert.deepEqual(inst.getFunc("wake")!.call(), [7]);
  store.gc();
  assert.equal(store._vm.conts!.size, 0);
});
