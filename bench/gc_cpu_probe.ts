/**
 * A GC kernel on native V8 and on Capstan's facade, timed in process CPU
 * time (`process.cpuUsage`), not wall time: on a loaded machine (other
 * processes on the same cores) wall time measures the scheduler, CPU time
 * still the code. Prints the best of `reps` runs of each and their ratio.
 *
 * Invariants:
 * - Both engines run the same bytes (built by Capstan's text format) and
 *   must return the same result on every run; a mismatch fails the probe.
 *
 * Run: `deno run -A bench/gc_cpu_probe.ts [FILE.wat] [n] [reps]`
 * (defaults: `bench/kernels/cast_loop.wat`, 10^6, 8); e.g.
 * `deno run -A bench/gc_cpu_probe.ts bench/gc/binary_trees.wat 100 4`.
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { WebAssembly as CapstanWasm } from "@capstan/runtime";
import { clockMs } from "./_cell.ts";

type Run = (n: number) => number;

const file = Deno.args[0] ?? new URL("./kernels/cast_loop.wat", import.meta.url).pathname;
const n = Number(Deno.args[1] ?? 1_000_000);
const reps = Number(Deno.args[2] ?? 8);
const bytes = parseWat(Deno.readTextFileSync(file));
const capstan = (await CapstanWasm.instantiate(bytes)).instance.exports.run as Run;
const native = (await WebAssembly.instantiate(bytes)).instance.exports.run as Run;

/** The process's CPU time so far, in ms. */
const cpu = () => clockMs("cpu");

let bestNative = Infinity;
let bestCapstan = Infinity;
for (let r = 0; r < reps; r++) {
  let t = cpu();
  const expect = native(n);
  bestNative = Math.min(bestNative, cpu() - t);
  t = cpu();
  const got = capstan(n);
  bestCapstan = Math.min(bestCapstan, cpu() - t);
  if (got !== expect) throw new Error(`capstan returned ${got}, native ${expect}`);
}
console.log(
  `${file} n=${n}: native ${bestNative.toFixed(2)} ms, capstan ${bestCapstan.toFixed(1)} ms ` +
    `(CPU, best of ${reps}): ${(bestCapstan / bestNative).toFixed(0)}x`,
);
