/**
 * memory64 execution: the `mem64` kernel of `bench/corpus/` (`src/mem64.c`
 * built with clang `--target=wasm64`: a byte sieve, u32 prefix sums and a
 * linked-list walk, every address an i64) on native V8 (baseline) and
 * Capstan. polywasm has no memory64 (it fails on i64 addresses with a raw
 * TypeError), so it is left out here, and the kernel stays out of
 * `kernels.json`, whose every kernel the comparison harness runs on polywasm.
 *
 * Invariants:
 * - The checksum is checked against a native run before timing and on every
 *   iteration; a wrong checksum fails the run.
 *
 * Run: `deno bench -A bench/memory64_bench.ts`
 *
 * @module
 */

import { loadEngines } from "./_engines.ts";
import { CORPUS_DIR, QUICK } from "./_kernels.ts";
import { registerRunBenches } from "./_bench_util.ts";

const engines = (await loadEngines()).filter((e) => e.name !== "polywasm");
const bytes = Deno.readFileSync(`${CORPUS_DIR}wasm/mem64.wasm`);
// 250 takes about 100 ms on native V8 (see bench/corpus/README.md)
const n = QUICK ? 1 : 250;
const expect = engines[0].instantiate(bytes).run(n);
registerRunBenches(
  `memory64 mem64 (n=${n}: sieve 256 KiB, prefix sums 64 Ki u32, list walk 16 Ki nodes)`,
  engines,
  bytes,
  n,
  expect,
);
