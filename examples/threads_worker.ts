/**
 * The worker side of `threads.ts`: one thread. It receives a compiled module
 * (`Module.shareable()`) and a shared memory (`Memory.shareable()`), makes
 * its own `Engine`, `Store` and instance over that same memory, calls one
 * export and posts its results back.
 *
 * @module
 */

import {
  Engine,
  Linker,
  Memory,
  Module,
  type ShareableModule,
  type SharedMemoryHandle,
  Store,
} from "@capstan/runtime";

/** What `threads.ts` posts to this worker. */
export interface ThreadCall {
  /** The compiled module. */
  readonly module: ShareableModule;
  /** The memory the module imports as `env.memory`. */
  readonly memory: SharedMemoryHandle;
  /** The export to call. */
  readonly name: string;
  /** Its arguments. */
  readonly args: readonly unknown[];
}

(self as unknown as Worker).onmessage = (e: MessageEvent<ThreadCall>) => {
  const { module: shared, memory: handle, name, args } = e.data;
  const engine = new Engine();
  const store = new Store(engine, undefined);
  const module = Module.fromShareable(engine, shared); // no recompilation
  const linker = new Linker(engine);
  linker.define("env", "memory", Memory.fromShared(store, handle)); // the same bytes
  const instance = linker.instantiate(store, module);
  const results = instance.getFunc(name)!.call(...args);
  (self as unknown as Worker).postMessage(results);
};
