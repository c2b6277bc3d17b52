/**
 * The memory an idle continuation takes: the JS heap before and after
 * 10^5 continuations are started and suspended (each a function with one
 * parameter and a suspend), divided by their count; and what the VM counts
 * for each against `maxContinuationsTotal`.
 *
 * Run: `deno run -A --v8-flags=--expose-gc bench/continuation_bytes.ts`
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { Engine, Linker, Module, Store } from "@capstan/runtime";

/** The module: `examples/workers.wat`. */
const WORKERS = new URL("../examples/workers.wat", import.meta.url);

const N = 100_000;
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
const engine = new Engine({ stackSwitching: true });
const store = new Store(engine, undefined);
const instance = new Linker(engine).instantiate(
  store,
  new Module(engine, parseWat(Deno.readTextFileSync(WORKERS))),
);
const spawn = instance.getFunc("spawn")!;
spawn.call(1); // the VM's continuation state and the code exist before measuring
gc();
const before = Deno.memoryUsage().heapUsed;
spawn.call(N);
gc();
const after = Deno.memoryUsage().heapUsed;
const counted = store._vm.conts!.liveBytes / (N + 1);
console.log(`heap per idle continuation: ${Math.round((after - before) / N)} bytes`);
console.log(`counted against maxContinuationsTotal: ${Math.round(counted)} bytes`);
