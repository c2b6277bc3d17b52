/**
 * One thread of a WASI threads program (see `threads.ts`), as a worker: it
 * receives a {@link ThreadJob}, makes its own engine, store, shared memory
 * view and `Wasi`, instantiates the posted module, and runs `_start` (thread
 * 0) or `wasi_thread_start(tid, start_arg)`.
 *
 * Invariants:
 * - Every import of a memory is the one shared memory; `wasi.thread-spawn`
 *   takes an id from the shared control block and asks the supervisor to
 *   start it; other imports are WASI preview1's.
 * - The thread ends the program (`endProgram`) when `_start` returns, on
 *   `proc_exit` and on a trap (written to stderr first); a spawned thread
 *   that returns just ends.
 *
 * @module
 */

import { Engine, Func, Linker, Memory, Module, Store, Trap } from "@capstan/runtime";
import { ValType } from "@capstan/environ";
import { Wasi } from "./wasi.ts";
import { CONTROL_NEXT_TID, endProgram, type ThreadJob, type ThreadMessage } from "./threads.ts";

/** The largest thread id the proposal allows. */
const MAX_TID = 0x1fffffff;

function post(message: ThreadMessage): void {
  (self as unknown as Worker).postMessage(message);
}

function writeErr(text: string): void {
  const bytes = new TextEncoder().encode(text + "\n");
  let at = 0;
  while (at < bytes.length) at += Deno.stderr.writeSync(bytes.subarray(at));
}

/**
 * Runs the thread of `job`.
 *
 * @param job what the supervisor posted
 * @returns the program's exit status when this thread ends it, else undefined
 */
function runThread(job: ThreadJob): number | undefined {
  const { options, tid } = job;
  const control = new Int32Array(job.control);
  const engine = new Engine(options.engine);
  const store = new Store(engine, undefined);
  if (options.fuel !== undefined) store.setFuel(options.fuel);
  if (options.engine.epochInterruption) {
    store.setEpochDeadline(1);
    post({ epoch: engine.epochCounter });
  }
  const module = Module.fromShareable(engine, options.module);
  const memory = Memory.fromShared(store, options.memory);
  const wasi = new Wasi({ args: [...options.args], env: options.env, preopens: options.preopens });
  const linker = new Linker(engine);
  for (const imp of module.imports()) {
    if (imp.type.kind === "memory") linker.define(imp.module, imp.name, memory);
    else if (imp.module === "wasi_snapshot_preview1" && imp.type.kind === "func") {
      const fn = wasi.imports[imp.name];
      if (fn !== undefined) linker.funcWrap(imp.module, imp.name, imp.type.type, fn);
    }
  }
  linker.funcWrap("wasi", "thread-spawn", { params: [ValType.i32], results: [ValType.i32] }, (
    startArg: unknown,
  ) => {
    const id = Atomics.add(control, CONTROL_NEXT_TID, 1) + 1;
    if (id > MAX_TID) return -1;
    post({ spawn: { tid: id, startArg: startArg as number } });
    return id;
  });
  try {
    const instance = linker.instantiate(store, module);
    const exports: Record<string, unknown> = {
      memory: {
        get buffer() {
          return memory.buffer;
        },
      },
    };
    for (const { name, value } of instance.exports()) {
      if (value instanceof Func) exports[name] = (...args: unknown[]) => value.call(...args)[0];
    }
    if (tid === 0) return wasi.start({ exports });
    return wasi.startThread({ exports }, tid, job.startArg);
  } catch (error) {
    if (!(error instanceof Trap)) throw error;
    writeErr(options.trapHeader);
    writeErr(String(error));
    return options.trapExitCode;
  }
}

(self as unknown as Worker).onmessage = (e: MessageEvent<ThreadJob>) => {
  const status = runThread(e.data);
  if (status !== undefined) endProgram(new Int32Array(e.data.control), status);
};
