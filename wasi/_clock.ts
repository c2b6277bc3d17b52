/**
 * The four preview1 clocks read on the host, in nanoseconds as `bigint`, and a synchronous sleep.
 *
 * realtime = `performance.timeOrigin + performance.now()`; monotonic = `performance.now()`;
 * process and thread CPU time = `process.cpuUsage()` (user + system; JS runs on one thread, so
 * the thread clock is the process clock). Sleeping blocks the thread with `Atomics.wait`, as
 * every host function of preview1 is synchronous.
 *
 * @module
 */

import process from "node:process";
import { Clock } from "./_abi.ts";
import { Errno } from "./errno.ts";
import { fail } from "./_fail.ts";

function msToNanos(ms: number): bigint {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.floor((ms - whole) * 1e6));
}

/** Resolution of clock `id` in nanoseconds; `EINVAL` for an unknown clock. */
export function clockResolution(id: number): bigint {
  switch (id) {
    case Clock.realtime:
    case Clock.monotonic:
    case Clock.process_cputime_id:
    case Clock.thread_cputime_id:
      return 1000n;
    default:
      fail(Errno.inval, "unknown clock");
  }
}

/** Current time of clock `id` in nanoseconds; `EINVAL` for an unknown clock. */
export function clockNow(id: number): bigint {
  switch (id) {
    case Clock.realtime:
      return msToNanos(performance.timeOrigin + performance.now());
    case Clock.monotonic:
      return msToNanos(performance.now());
    case Clock.process_cputime_id:
    case Clock.thread_cputime_id: {
      const usage = process.cpuUsage();
      return BigInt(usage.user + usage.system) * 1000n;
    }
    default:
      fail(Errno.inval, "unknown clock");
  }
}

let sleeper: Int32Array | undefined;

/** Blocks the calling thread for `ns` nanoseconds (no-op when `ns <= 0`). */
export function sleepSync(ns: bigint): void {
  if (ns <= 0n) return;
  sleeper ??= new Int32Array(new SharedArrayBuffer(4));
  const deadline = performance.now() + Number(ns) / 1e6;
  for (;;) {
    const left = deadline - performance.now();
    if (left <= 0) return;
    Atomics.wait(sleeper, 0, 0, left);
  }
}
