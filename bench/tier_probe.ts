/**
 * A rough probe of the two execution tiers on the corpus kernels: one warm
 * `run(n)` at the manifest's `n` per kernel (wall clock, in this process), on
 * native `WebAssembly`, on Capstan with `strategy: "js"` and with
 * `strategy: "interpreter"`; prints the ratios to native as a Markdown table
 * and checks every checksum against native's. Until the comparison harness
 * (`bench:compare`) has a JS-tier column, this is how the JS tier is sized up.
 *
 * Run: `deno run -A bench/tier_probe.ts`
 *
 * @module
 */

import { Engine, Linker, Module, Store } from "@capstan/runtime";
import { loadKernels } from "./_kernels.ts";

function timed(f: () => number): [number, number] {
  const t = performance.now();
  const r = f();
  return [performance.now() - t, r >>> 0];
}

async function main(): Promise<void> {
  const rows: string[] = [];
  for (const k of loadKernels()) {
    const { instance } = await WebAssembly.instantiate(k.bytes as Uint8Array<ArrayBuffer>);
    const native = instance.exports.run as (n: number) => number;
    native(Math.max(1, k.n >> 6));
    const [tn, rn] = timed(() => native(k.n));
    const ratios: string[] = [];
    for (const strategy of ["js", "interpreter"] as const) {
      const engine = new Engine({ strategy });
      const store = new Store(engine, undefined);
      const inst = new Linker(engine).instantiate(store, new Module(engine, k.bytes));
      const run = inst.getFunc("run")!.typed<[number], number>();
      run(Math.max(1, k.n >> 6));
      const [t, r] = timed(() => run(k.n));
      if (r !== rn) throw new Error(`${k.name} on ${strategy}: checksum ${r}, native ${rn}`);
      ratios.push(`${(t / tn).toFixed(1)}x`);
    }
    rows.push(`| ${k.name} | ${tn.toFixed(0)} | ${ratios.join(" | ")} |`);
  }
  console.log("| kernel | native ms | JS tier / native | interpreter / native |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const r of rows) console.log(r);
}

if (import.meta.main) await main();
