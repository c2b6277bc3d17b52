/**
 * The fuzzer's hang watchdog, run as a Worker: the fuzz loop bumps a shared
 * counter before each input; if the counter stays still while an input is
 * being checked for longer than the timeout, the decoder hangs on it, so the
 * watchdog prints how to regenerate that input, writes the same note to
 * `.fuzz/`, and kills the process (the main thread cannot be interrupted).
 *
 * Protocol (an `Int32Array` over a `SharedArrayBuffer`): `[0]` a counter bumped
 * per input, `[1]` 1 while an input is being checked, `[2]` the input's index
 * (-1 - i for the i-th unmutated corpus module). The first message gives
 * `{ state, seed, timeoutMs, noteFile }`; the watchdog answers `"ready"`.
 *
 * @module
 */

/// <reference lib="deno.worker" />

interface Setup {
  state: SharedArrayBuffer;
  seed: number;
  timeoutMs: number;
  noteFile: string;
}

self.onmessage = (e: MessageEvent<Setup>) => {
  const { seed, timeoutMs, noteFile } = e.data;
  const state = new Int32Array(e.data.state);
  let last = Atomics.load(state, 0);
  let since = Date.now();
  setInterval(() => {
    const now = Atomics.load(state, 0);
    if (now !== last || Atomics.load(state, 1) === 0) {
      last = now;
      since = Date.now();
      return;
    }
    if (Date.now() - since < timeoutMs) return;
    const index = Atomics.load(state, 2);
    const how = index >= 0
      ? `deno task fuzz --seed ${seed} --only ${index} --save`
      : `corpus module #${-1 - index} (unmutated)`;
    const note = `HANG: input ${index} ran over ${timeoutMs} ms; reproduce: ${how}\n`;
    console.error(note);
    try {
      Deno.writeTextFileSync(noteFile, note);
    } catch {
      // The note on stderr is enough.
    }
    Deno.kill(Deno.pid, "SIGKILL");
  }, 250);
  self.postMessage("ready");
};
