/**
 * Instantiation: the time to a callable instance, native V8 (baseline),
 * Capstan and polywasm — from a compiled `Module` (instantiate only: memory,
 * tables, globals, segments, linking) and from bytes (compile + instantiate),
 * on the largest corpus kernel and on the ≥ 5 MB generated module.
 *
 * Invariants:
 * - An instance counts as callable once the engine returned it; engines that
 *   compile lazily (native V8, polywasm) pay the rest on first call, so the
 *   "from bytes" groups are a lower bound for them.
 * - The corpus instance is checked by calling `run` once (untimed) with a
 *   tiny `n` against native.
 *
 * Run: `deno bench -A bench/instantiate_bench.ts`
 *
 * @module
 */

import { type Engine, loadEngines } from "./_engines.ts";
import { loadKernels } from "./_kernels.ts";
import { freshModule, loadBigModule, stubImports } from "./_big.ts";
import {
  describeError,
  isUnsupported,
  iterationsFor,
  registerProblem,
  timeOnce,
} from "./_bench_util.ts";

const engines = await loadEngines();
const native = engines[0];

function register(
  label: string,
  bytes: Uint8Array,
  imports: object,
  check?: { n: number; expect: number },
): void {
  const mb = (bytes.length / 1e6).toFixed(bytes.length >= 1e6 ? 2 : 4);
  const fromModule = `instantiate ${label} (${mb} MB) from Module`;
  const fromBytes = `instantiate ${label} (${mb} MB) from bytes`;
  for (const engine of engines) {
    if (engine.unavailable !== null) {
      registerProblem(fromModule, engine, engine.unavailable, false);
      registerProblem(fromBytes, engine, engine.unavailable, false);
      continue;
    }
    let module: object;
    let sampleMs: number;
    try {
      module = engine.compile(bytes);
      const sample = timeOnce(() => engine.instantiateModule(module, imports));
      sampleMs = sample.ms;
      if (check !== undefined) {
        const got = sample.value.run(check.n);
        if (got !== check.expect) {
          const problem = `checksum ${got}, native ${check.expect}`;
          registerProblem(fromModule, engine, problem, true);
          registerProblem(fromBytes, engine, problem, true);
          continue;
        }
      }
    } catch (e) {
      registerProblem(fromModule, engine, describeError(e), !isUnsupported(e));
      registerProblem(fromBytes, engine, describeError(e), !isUnsupported(e));
      continue;
    }
    benchCase(fromModule, engine, sampleMs, () => engine.instantiateModule(module, imports));
    const fresh = freshModule(bytes);
    benchCase(fromBytes, engine, sampleMs, () => {
      fresh.bump(); // new bytes each time: no engine may answer from a compilation cache
      engine.instantiate(fresh.bytes, imports);
    });
  }
}

function benchCase(group: string, engine: Engine, sampleMs: number, fn: () => void): void {
  Deno.bench({
    name: engine.name,
    group,
    baseline: engine.name === "native",
    ...iterationsFor(sampleMs, 3000),
    fn,
  });
}

const largest = loadKernels().reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
register(`kernel ${largest.name}`, largest.bytes, {}, {
  n: largest.quickN,
  expect: native.instantiate(largest.bytes).run(largest.quickN),
});

const big = await loadBigModule();
if (typeof big === "string") {
  console.error(`note: big module unavailable (${big}); its instantiate groups are skipped`);
  Deno.bench({ name: `big module [unavailable: ${big}]`, ignore: true, fn() {} });
} else {
  register("big module", big, stubImports(big));
}
