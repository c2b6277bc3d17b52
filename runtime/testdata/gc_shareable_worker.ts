/**
 * A worker for `threads_test.ts`: registers GC types of its own first (so
 * its type registry gives other canonical ids than the posting thread's),
 * then rebuilds the posted GC module, links a module of its own against its
 * export, and answers what the casts and the call give.
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { Engine, Linker, Module, type ShareableModule, Store } from "@capstan/runtime";

const engine = new Engine();
new Module(
  engine,
  parseWat(`(module (type (struct (field f32))) (type (array i8)) (type (struct (field f64))))`),
);
(self as unknown as Worker).onmessage = (e: MessageEvent<ShareableModule>) => {
  const store = new Store(engine, undefined);
  const posted = Module.fromShareable(engine, e.data);
  const inst = new Linker(engine).instantiate(store, posted);
  const test = inst.getFunc("test")!;
  const user = new Linker(engine).define("m", "make", inst.getFunc("make")!).instantiate(
    store,
    new Module(
      engine,
      parseWat(`(module
        (type $a (sub (struct (field i32))))
        (type $b (sub $a (struct (field i32) (field i64))))
        (import "m" "make" (func $make (param i32) (result (ref null $a))))
        (func (export "is_b") (param i32) (result i32) (ref.test (ref $b) (call $make (local.get 0)))))`),
    ),
  );
  (self as unknown as Worker).postMessage([
    test.call(0)[0],
    test.call(1)[0],
    test.call(2)[0],
    user.getFunc("is_b")!.call(1)[0],
    user.getFunc("is_b")!.call(0)[0],
  ]);
};
