/**
 * {@link startEpochTicker}: advances an engine's epoch on a timer from a
 * worker thread, so that epoch deadlines interrupt even synchronous calls
 * (a timer on the main thread cannot run while wasm runs there).
 *
 * Invariants: the worker only touches the engine's shared epoch counter,
 * with `Atomics.add`; the returned function stops it (and must be called, or
 * the worker keeps the process alive).
 *
 * @module
 */

import type { Engine } from "./engine.ts";

const WORKER_SOURCE = `self.onmessage = (e) => {
  const counter = new Int32Array(e.data.buffer);
  setInterval(() => Atomics.add(counter, 0, 1), e.data.intervalMs);
};`;

/**
 * Starts a worker that calls the equivalent of `engine.incrementEpoch()`
 * every `intervalMs` milliseconds.
 *
 * @param engine the engine whose epoch advances
 * @param intervalMs the tick period in milliseconds (at least 1)
 * @returns a function that stops the ticker
 * @example
 * ```ts
 * import { Engine, startEpochTicker } from "@capstan/runtime";
 * const engine = new Engine({ epochInterruption: true });
 * const stop = startEpochTicker(engine, 1);
 * await new Promise((r) => setTimeout(r, 50));
 * stop();
 * if (engine.currentEpoch() === 0) throw new Error("the epoch did not advance");
 * ```
 */
export function startEpochTicker(engine: Engine, intervalMs: number): () => void {
  if (!(intervalMs >= 1)) {
    throw new RangeError(`intervalMs must be at least 1, found ${intervalMs}`);
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
  const worker = new Worker(url, { type: "module" });
  worker.postMessage({ buffer: engine.epochCounter.buffer, intervalMs });
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    worker.terminate();
    URL.revokeObjectURL(url);
  };
}
