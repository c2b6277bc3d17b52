/**
 * Threads: a sum over a 64 MiB shared memory (16 Mi i32 words) on one
 * worker, and split in halves on two, each worker a thread with its own
 * Capstan store and instance over the same memory (`_threads_worker.ts`).
 * The question: how close two threads come to twice one on a 2-core machine.
 *
 * Invariants:
 * - The workers and their instances are made once; an iteration posts the
 *   ranges and awaits every sum, checked against the one computed in JS.
 *
 * Run: `deno bench -A bench/threads_bench.ts` (`CAPSTAN_BENCH_QUICK=1`: 1 MiB)
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { Engine, Memory, Module, Store } from "@capstan/runtime";
import { QUICK } from "./_kernels.ts";

const SUM = `(module
  (import "env" "memory" (memory 1 1024 shared))
  (func (export "sum") (param $from i32) (param $to i32) (result i64)
    (local $s i64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $from) (local.get $to)))
        (local.set $s (i64.add (local.get $s) (i64.extend_i32_u (i32.load (local.get $from)))))
        (local.set $from (i32.add (local.get $from) (i32.const 4)))
        (br $l)))
    (local.get $s)))`;

const pages = QUICK ? 16 : 1024;
const bytes = pages * 65536;
const engine = new Engine();
const module = new Module(engine, parseWat(SUM)).shareable();
const memory = new Memory(new Store(engine, undefined), {
  limits: { min: pages, max: 1024 },
  shared: true,
});
const words = new Uint32Array(memory.data().buffer, 0, bytes / 4); // the current size
let expect = 0n;
for (let i = 0; i < words.length; i++) {
  words[i] = Math.imul(i, 2654435761) >>> 0;
  expect += BigInt(words[i]);
}

const workers = [0, 1].map(() => {
  const w = new Worker(new URL("./_threads_worker.ts", import.meta.url), { type: "module" });
  w.postMessage({ module, memory: memory.shareable() });
  return w;
});

function sumOn(w: Worker, from: number, to: number): Promise<bigint> {
  return new Promise((resolve) => {
    w.onmessage = (e) => resolve(e.data);
    w.postMessage([from, to]);
  });
}

async function check(parts: Promise<bigint>[]): Promise<void> {
  const total = (await Promise.all(parts)).reduce((a, b) => a + b, 0n);
  if (total !== expect) throw new Error(`sum ${total}, expected ${expect}`);
}

Deno.bench({
  name: `sum of ${bytes >> 20} MiB on 1 thread`,
  group: "threads",
  baseline: true,
  fn: async () => await check([sumOn(workers[0], 0, bytes)]),
});

Deno.bench({
  name: `sum of ${bytes >> 20} MiB on 2 threads`,
  group: "threads",
  fn: async () =>
    await check([sumOn(workers[0], 0, bytes / 2), sumOn(workers[1], bytes / 2, bytes)]),
});

globalThis.addEventListener("unload", () => workers.forEach((w) => w.terminate()));
