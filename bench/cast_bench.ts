/**
 * GC subtype checks: `bench/kernels/cast_loop.wat` (`ref.test`, `ref.cast`
 * and `br_on_cast` over a chain of three struct types, four objects taken in
 * turn) on native V8 (baseline), Capstan and polywasm.
 *
 * Invariants:
 * - The kernel is built by Capstan's text format (`parseWat`): wabt's
 *   `wat2wasm` 1.0.32 does not know GC.
 * - Checksums are checked against a native run before timing and on every
 *   iteration; a wrong checksum fails the run.
 *
 * Run: `deno bench -A bench/cast_bench.ts`
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { type Engine, loadEngines, unavailableEngine } from "./_engines.ts";
import { QUICK } from "./_kernels.ts";
import { MICRO_DIR } from "./_micro.ts";
import { describeError, registerRunBenches } from "./_bench_util.ts";

const bytes = parseWat(Deno.readTextFileSync(`${MICRO_DIR}cast_loop.wat`));
/**
 * polywasm reads no GC types ("Invalid function type: 0x50", the `sub` form): a refusal of a
 * module native compiles, reported as the feature it lacks rather than as a failed run.
 */
function withoutGc(engine: Engine): Engine {
  if (engine.name !== "polywasm" || engine.unavailable !== null) return engine;
  try {
    engine.instantiate(bytes);
    return engine;
  } catch (e) {
    return unavailableEngine(engine.name, `no GC support: ${describeError(e)}`);
  }
}

const engines = (await loadEngines()).map(withoutGc);
const n = QUICK ? 100 : 1_000_000;
const expect = engines[0].instantiate(bytes).run(n);
if (expect !== (n / 4) * 390) throw new Error(`native checksum ${expect}`);
registerRunBenches(
  `GC casts: ref.test + ref.cast + br_on_cast on a 3-type chain (n=${n})`,
  engines,
  bytes,
  n,
  expect,
);
