/**
 * Exception handling: one `throw` per iteration caught 10 frames above
 * (`bench/kernels/throw_catch.wat`: a tag with an i32 payload, a `try_table`
 * in the loop), beside the same 10-frame call chain returning normally, on
 * native V8 (baseline), Capstan and polywasm. The difference between the
 * two groups is what a throw and its unwinding cost.
 *
 * Invariants:
 * - The kernel is built by Capstan's text format (`parseWat`): wabt's
 *   `wat2wasm` 1.0.32 does not know `try_table`.
 * - Checksums are checked against a native run before timing and on every
 *   iteration; a wrong checksum fails the run.
 *
 * Run: `deno bench -A bench/exceptions_bench.ts`
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { loadEngines } from "./_engines.ts";
import { QUICK } from "./_kernels.ts";
import { MICRO_DIR } from "./_micro.ts";
import { registerRunBenches } from "./_bench_util.ts";

const wat = Deno.readTextFileSync(`${MICRO_DIR}throw_catch.wat`);
/** The kernel with its export `name` exported as `run` (what the bench harness calls). */
function withRun(name: string): Uint8Array {
  const renamed = name === "run" ? wat : wat.replace('(export "run")', '(export "throws")').replace(
    `(export "${name}")`,
    '(export "run")',
  );
  return parseWat(renamed);
}

const engines = await loadEngines();
const native = engines[0];
const n = QUICK ? 10 : 100_000;

for (
  const [name, what] of [
    ["run", "throw across 10 frames, caught by try_table"],
    ["call_chain", "the same 10 frames, returning"],
  ] as const
) {
  const bytes = withRun(name);
  const expect = native.instantiate(bytes).run(n);
  registerRunBenches(`exceptions: ${what} (n=${n})`, engines, bytes, n, expect);
}
