/**
 * Stack switching in a plain timing loop, for profiling (`--cpu-prof`) and
 * for ratios on a loaded machine: the loops of `continuations_bench.ts`
 * (direct calls, `suspend`+`resume` round trips, `switch`es), each timed
 * over 10^4 operations, best of 40 calls, in rounds; per operation in ns,
 * and the round trip and switch as multiples of a direct call of the same
 * round.
 *
 * Run: `deno run -A bench/continuations_loop.ts [calls|rt|sw] [only]` (one
 * loop, with the calls beside it unless `only`; default all);
 * profile: `deno run -A --cpu-prof --cpu-prof-dir=DIR bench/continuations_loop.ts rt only`
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { Engine, Linker, Module, Store } from "@capstan/runtime";
import { CONTINUATIONS_WAT } from "./continuations_bench.ts";

const N = 10_000;
const TRIALS = 40;
const ROUNDS = 6;

const engine = new Engine({ stackSwitching: true });
const store = new Store(engine, undefined);
const instance = new Linker(engine).instantiate(
  store,
  new Module(engine, parseWat(CONTINUATIONS_WAT)),
);
const loops = {
  calls: instance.getFunc("calls")!,
  rt: instance.getFunc("round_trips")!,
  sw: instance.getFunc("switches")!,
};
const which = Deno.args[0] ?? "all";
const only = Deno.args[1] === "only";
const chosen = (Object.keys(loops) as (keyof typeof loops)[]).filter((name) =>
  which === "all" || name === which || (name === "calls" && !only)
);

for (let round = 0; round < ROUNDS; round++) {
  const ns: Partial<Record<keyof typeof loops, number>> = {};
  for (const name of chosen) {
    let best = Infinity;
    for (let i = 0; i < TRIALS; i++) {
      const t = performance.now();
      loops[name].call(N);
      best = Math.min(best, performance.now() - t);
    }
    ns[name] = best * 1e6 / N;
  }
  const parts = chosen.map((name) => `${name} ${ns[name]!.toFixed(1)} ns`);
  if (ns.calls !== undefined) {
    for (const name of ["rt", "sw"] as const) {
      if (ns[name] !== undefined) parts.push(`${name}/call ${(ns[name]! / ns.calls).toFixed(2)}`);
    }
  }
  console.log(parts.join("  "));
}
