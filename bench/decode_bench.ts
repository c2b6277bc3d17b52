/**
 * Decode + validate throughput of environ against native V8 on one large
 * module (a {@link buildBigModule} output with over 6 MB of code section):
 * `translateModule` next to `WebAssembly.validate` (the baseline) and
 * `new WebAssembly.Module` of the same bytes.
 *
 * `deno bench` reports time per iteration; the module size is in the group
 * name, and MB/s for each contender (after two warm-up runs, median and best
 * of 7) is printed when the file loads, so the answer to "how fast is environ's
 * front end" is on screen without arithmetic. Note that V8 compiles wasm
 * lazily by default, so `new WebAssembly.Module` is mostly validation too.
 *
 * Run: `deno bench -A bench/decode_bench.ts`.
 *
 * @module
 */

import { translateModule } from "@capstan/environ";
import { buildBigModule, codeSectionSize } from "./big_module.ts";

const bytes = buildBigModule(6_000_000) as Uint8Array<ArrayBuffer>;
const mb = bytes.length / 1e6;
const group = `decode+validate a ${mb.toFixed(1)} MB module (${
  (codeSectionSize(bytes) / 1e6).toFixed(1)
} MB code)`;

if (!WebAssembly.validate(bytes)) throw new Error("big module: native rejects it");
translateModule(bytes); // throws if environ rejects it

const contenders: [string, () => unknown][] = [
  ["native WebAssembly.validate", () => WebAssembly.validate(bytes)],
  ["native new WebAssembly.Module", () => new WebAssembly.Module(bytes)],
  ["environ translateModule", () => translateModule(bytes)],
];

for (const [name, fn] of contenders) {
  fn(); // warm up (environ's JIT tiers, V8's caches)
  fn();
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const rate = (ms: number) => (mb / (ms / 1000)).toFixed(1);
  console.log(
    `${name.padEnd(32)} median ${times[3].toFixed(1).padStart(6)} ms = ${rate(times[3])} MB/s; ` +
      `best ${times[0].toFixed(1).padStart(6)} ms = ${rate(times[0])} MB/s`,
  );
}

for (const [name, fn] of contenders) {
  Deno.bench({
    name,
    group,
    baseline: name === "native WebAssembly.validate",
    fn: () => {
      fn();
    },
  });
}
