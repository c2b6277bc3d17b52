/**
 * Threads on Capstan: one compiled module, one shared memory, several Deno
 * workers. Each worker is a thread with its own `Engine`, `Store` and
 * instance (`threads_worker.ts`); what they share is the module's code
 * (`Module.shareable()` → `Module.fromShareable`, posted, not recompiled) and
 * the memory (`Memory.shareable()` → `Memory.fromShared`: the same
 * `SharedArrayBuffer`). Atomics and `memory.atomic.wait`/`notify` work across
 * them as in any threaded wasm.
 *
 * Run: `deno run -A examples/threads.ts`
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { Engine, Memory, Module, Store } from "@capstan/runtime";
import type { ThreadCall } from "./threads_worker.ts";

/** The program: a shared counter, and a ping-pong between two threads. */
export const WAT = `
(module
  (import "env" "memory" (memory 1 1024 shared))
  ;; adds 1 to the word at 0, n times, atomically
  (func (export "count") (param $n i32)
    (loop $l
      (drop (i32.atomic.rmw.add (i32.const 0) (i32.const 1)))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  ;; takes \`rounds\` turns with the other thread: waits until the word at 4 is \`me\`,
  ;; counts the turn at 8, hands the turn over and wakes the other; returns how many
  ;; waits timed out (a lost wake-up would show here)
  (func (export "pingpong") (param $me i32) (param $rounds i32) (result i32)
    (local $other i32) (local $timeouts i32)
    (local.set $other (i32.sub (i32.const 1) (local.get $me)))
    (block $done
      (loop $round
        (br_if $done (i32.eqz (local.get $rounds)))
        (block $mine
          (loop $wait
            (br_if $mine (i32.eq (i32.atomic.load (i32.const 4)) (local.get $me)))
            (if (i32.eq (i32.const 2)
                  (memory.atomic.wait32 (i32.const 4) (local.get $other) (i64.const 2_000_000_000)))
              (then (local.set $timeouts (i32.add (local.get $timeouts) (i32.const 1)))))
            (br $wait)))
        (drop (i32.atomic.rmw.add (i32.const 8) (i32.const 1)))
        (i32.atomic.store (i32.const 4) (local.get $other))
        (drop (memory.atomic.notify (i32.const 4) (i32.const 1)))
        (local.set $rounds (i32.sub (local.get $rounds) (i32.const 1)))
        (br $round)))
    (local.get $timeouts)))`;

/** A module compiled once and a shared memory, with workers that run its exports. */
export class Threads {
  /** The memory every thread shares. */
  readonly memory: Memory;
  readonly #module: Module;
  readonly #workers: Worker[] = [];

  /**
   * Compiles the program and starts `n` workers.
   *
   * @param n how many threads
   * @param pages the shared memory's size in 64 KiB pages
   */
  constructor(n: number, pages = 1) {
    const engine = new Engine();
    this.#module = new Module(engine, parseWat(WAT));
    this.memory = new Memory(new Store(engine, undefined), {
      limits: { min: pages, max: 1024 },
      shared: true,
    });
    for (let i = 0; i < n; i++) {
      this.#workers.push(
        new Worker(new URL("./threads_worker.ts", import.meta.url), { type: "module" }),
      );
    }
  }

  /**
   * Calls an export on each worker at once (call `i` on worker `i`).
   *
   * @param calls the export's name and arguments, one per worker
   * @returns each call's results
   */
  run(calls: readonly [string, unknown[]][]): Promise<unknown[][]> {
    const module = this.#module.shareable();
    const memory = this.memory.shareable();
    return Promise.all(calls.map(([name, args], i) =>
      new Promise<unknown[]>((resolve, reject) => {
        const w = this.#workers[i];
        w.onmessage = (e) => resolve(e.data);
        w.onerror = (e) => {
          e.preventDefault();
          reject(new Error(e.message));
        };
        const call: ThreadCall = { module, memory, name, args };
        w.postMessage(call);
      })
    ));
  }

  /** Stops the workers. */
  close(): void {
    for (const w of this.#workers) w.terminate();
  }
}

/**
 * Runs the example and returns what it printed, line by line.
 *
 * @param increments how many times each of 4 threads increments the counter
 * @returns the printed lines
 */
export async function main(increments = 1_000_000): Promise<string[]> {
  const threads = new Threads(4);
  try {
    const words = new Int32Array(threads.memory.buffer);
    await threads.run([0, 1, 2, 3].map(() => ["count", [increments]]));
    const lines = [`4 threads x ${increments} atomic increments = ${Atomics.load(words, 0)}`];
    const [[a], [b]] = await threads.run([["pingpong", [0, 1000]], ["pingpong", [1, 1000]]]);
    lines.push(`ping-pong: ${Atomics.load(words, 2)} turns, ${a} + ${b} timed-out waits`);
    return lines;
  } finally {
    threads.close();
  }
}

if (import.meta.main) {
  for (const line of await main()) console.log(line);
}
