/**
 * WASI threads (the `wasi-threads` proposal, `wasm32-wasip1-threads`
 * programs): {@link runWasiThreads} runs a command module whose threads are
 * Deno `Worker`s. Every thread — the main one, which calls `_start`, and each
 * one the module starts with the `wasi.thread-spawn` import, which calls its
 * `wasi_thread_start(tid, start_arg)` export — is a worker of its own with its
 * own `Engine`, `Store` and `Wasi`, instantiating the same compiled module
 * (posted as `Module.shareable()`, not recompiled) against the one shared
 * memory the module imports. The calling thread only supervises.
 *
 * Invariants:
 * - The program ends at the first of: `_start` returning (status 0), any
 *   thread calling `proc_exit` (its status), any thread trapping (the trap
 *   goes to stderr, status {@link WasiThreadsOptions.trapExitCode}), the
 *   timeout. The first thread to end it writes the status into a word all
 *   threads share; the supervisor, which never blocks, wakes on it and stops
 *   every worker, whether it is blocked in `memory.atomic.wait` or busy.
 * - One spare worker, its engine loaded, always waits for the next thread,
 *   so a spawned thread starts without the seconds' fraction a worker takes
 *   to load.
 * - Thread ids are allocated from that shared block (1, 2, ...), so
 *   `thread-spawn` answers at once in the spawning thread; the new worker
 *   starts when the supervisor reads the request. Ids run out at 2^29 - 1
 *   (then `thread-spawn` returns -1, as the proposal says).
 * - Fuel and the wasm stack limit are per thread (each thread's store gets
 *   the whole fuel); the timeout interrupts every thread through its engine's
 *   epoch, and ends the program even when no thread runs wasm to notice.
 * - Each thread's `Wasi` has its own file descriptor table over the same
 *   preopens and stdio: a file a thread opens is not visible to the others.
 *
 * @module
 */

import type { EngineConfig, ShareableModule, SharedMemoryHandle } from "@capstan/runtime";

/** Options of {@link runWasiThreads}. */
export interface WasiThreadsOptions {
  /** The compiled module (`Module.shareable()`). */
  readonly module: ShareableModule;
  /** The shared memory the module imports (`Memory.shareable()`). */
  readonly memory: SharedMemoryHandle;
  /** The configuration of every thread's engine (its tunables must be the module's). */
  readonly engine: EngineConfig;
  /** Fuel for each thread's store, with `engine.consumeFuel`. */
  readonly fuel?: number;
  /** Milliseconds after which every thread is interrupted (needs `engine.epochInterruption`). */
  readonly timeoutMs?: number;
  /** The guest's `argv`. */
  readonly args: readonly string[];
  /** The guest's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Guest directory → host directory. */
  readonly preopens: Readonly<Record<string, string>>;
  /** Written to stderr, before the trap, when a thread traps. */
  readonly trapHeader: string;
  /** The status of a program that trapped (or timed out). */
  readonly trapExitCode: number;
}

/** What the supervisor posts to a thread's worker. */
export interface ThreadJob {
  /** The run's options, minus the supervisor's. */
  readonly options: Omit<WasiThreadsOptions, "timeoutMs">;
  /** The shared control block ({@link CONTROL_EXIT}, {@link CONTROL_NEXT_TID}). */
  readonly control: SharedArrayBuffer;
  /** 0 for the main thread, else the spawned thread's id. */
  readonly tid: number;
  /** `thread-spawn`'s argument (0 for the main thread). */
  readonly startArg: number;
}

/** What a thread's worker posts to the supervisor. */
export type ThreadMessage =
  /** Start thread `tid` with `startArg`. */
  | { readonly spawn: { readonly tid: number; readonly startArg: number } }
  /** The thread's engine's epoch counter, for the timeout. */
  | { readonly epoch: Int32Array };

/** Control word: 0 while the program runs, then `EXITED | status & 0xff`. */
export const CONTROL_EXIT = 0;
/** Control word: the last thread id given out. */
export const CONTROL_NEXT_TID = 1;
/** The bit that marks the exit word as set. */
export const EXITED = 0x100;

/**
 * Ends the program with `status`, unless another thread ended it first.
 *
 * @param control the shared control block's words
 * @param status the exit status
 */
export function endProgram(control: Int32Array, status: number): void {
  if (Atomics.compareExchange(control, CONTROL_EXIT, 0, EXITED | (status & 0xff)) === 0) {
    Atomics.notify(control, CONTROL_EXIT);
  }
}

/** How long the timeout waits for an interrupted thread to trap before ending the program itself. */
const TIMEOUT_GRACE_MS = 250;

/**
 * Runs a `wasm32-wasip1-threads` command module, each thread in a worker.
 *
 * @param options the module, its memory, the engine and the guest's world
 * @returns the program's exit status (see the module doc)
 */
export async function runWasiThreads(options: WasiThreadsOptions): Promise<number> {
  const { timeoutMs, ...shared } = options;
  const controlBuffer = new SharedArrayBuffer(8);
  const control = new Int32Array(controlBuffer);
  const workers: Worker[] = [];
  const epochs: Int32Array[] = [];
  const timers: ReturnType<typeof setTimeout>[] = [];
  let timedOut = false;
  const newWorker = () => {
    const worker = new Worker(new URL("./_thread_worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (e: MessageEvent<ThreadMessage>) => {
      const m = e.data;
      if ("spawn" in m) start(m.spawn.tid, m.spawn.startArg);
      else {
        epochs.push(m.epoch);
        if (timedOut) Atomics.add(m.epoch, 0, 1); // a thread that started after the timeout
      }
    };
    worker.onerror = (e) => {
      e.preventDefault();
      writeErr(`error: a thread failed: ${e.message}`);
      endProgram(control, 1);
    };
    workers.push(worker);
    return worker;
  };
  // A worker takes a while to load the engine: one always waits, loaded, for the next thread.
  let spare = newWorker();
  const start = (tid: number, startArg: number) => {
    const worker = spare;
    spare = newWorker();
    const job: ThreadJob = { options: shared, control: controlBuffer, tid, startArg };
    worker.postMessage(job);
  };
  if (timeoutMs !== undefined) {
    timers.push(setTimeout(() => {
      timedOut = true;
      for (const epoch of epochs) Atomics.add(epoch, 0, 1);
      timers.push(setTimeout(() => {
        writeErr(options.trapHeader);
        writeErr("wasm trap: interrupt");
        endProgram(control, options.trapExitCode);
      }, TIMEOUT_GRACE_MS));
    }, timeoutMs));
  }
  start(0, 0);
  const wait = Atomics.waitAsync(control, CONTROL_EXIT, 0);
  if (wait.async) await wait.value;
  for (const t of timers) clearTimeout(t);
  for (const w of workers) w.terminate();
  return Atomics.load(control, CONTROL_EXIT) & 0xff;
}

function writeErr(line: string): void {
  const bytes = new TextEncoder().encode(line + "\n");
  let at = 0;
  while (at < bytes.length) at += Deno.stderr.writeSync(bytes.subarray(at));
}
