/**
 * A worker of `threads_bench.ts`: one thread. The first message brings the
 * compiled sum module and the shared memory, and makes this thread's
 * instance; each later message is a range `[from, to)` whose sum it posts
 * back.
 *
 * @module
 */

import { Engine, type Func, Linker, Memory, Module, Store } from "@capstan/runtime";

let sum: Func | undefined;

(self as unknown as Worker).onmessage = (e) => {
  if (sum === undefined) {
    const engine = new Engine();
    const store = new Store(engine, undefined);
    const linker = new Linker(engine);
    linker.define("env", "memory", Memory.fromShared(store, e.data.memory));
    sum = linker.instantiate(store, Module.fromShareable(engine, e.data.module)).getFunc("sum")!;
    return;
  }
  const [from, to] = e.data as [number, number];
  (self as unknown as Worker).postMessage(sum.call(from, to)[0]);
};
