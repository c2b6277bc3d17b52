/**
 * A rough probe of the execution tiers on the corpus kernels, in this
 * process, wall clock, checksums checked against native's:
 * - warm: one `run(n)` at the manifest's `n` after a warm-up call at `n/64`,
 *   on native `WebAssembly`, on Capstan with `strategy: "js"`, `"auto"` and
 *   `"interpreter"`; ratios to native;
 * - cold (start-up included, what `"auto"` and `"js"` differ in most): a
 *   fresh engine, `new Module`, instantiation and one `run(n)`, for `"js"`
 *   and `"auto"`, best of `--repeat` (default 3); ratio auto/js.
 *
 * Prints Markdown tables. Until the comparison harness (`bench:compare`)
 * has tier columns, this is how the tiers are sized up.
 *
 * `--jitless` sizes the JS tier against the interpreter where V8 cannot
 * compile (run it as `deno run -A --v8-flags=--jitless bench/tier_probe.ts
 * --jitless`: no native WebAssembly then, and everything interpreted by V8's
 * Ignition): each kernel at about 1/64 of its work, best of `--repeat`, on `"js"` and
 * `"interpreter"`, checksums compared between the two; ratio interpreter / js.
 *
 * Run: `deno run -A bench/tier_probe.ts [--only NAME] [--repeat N] [--cold-only] [--jitless]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Engine, Linker, Module, Store } from "@capstan/runtime";
import { loadKernels } from "./_kernels.ts";

type Strategy = "js" | "auto" | "interpreter";

function timed(f: () => number): [number, number] {
  const t = performance.now();
  const r = f();
  return [performance.now() - t, r >>> 0];
}

function runner(strategy: Strategy, bytes: Uint8Array): (n: number) => number {
  const engine = new Engine({ strategy });
  const store = new Store(engine, undefined);
  const inst = new Linker(engine).instantiate(store, new Module(engine, bytes));
  return inst.getFunc("run")!.typed<[number], number>();
}

async function main(): Promise<void> {
  const args = parseArgs({
    options: {
      only: { type: "string" },
      repeat: { type: "string", default: "3" },
      "cold-only": { type: "boolean" },
      jitless: { type: "boolean" },
    },
  });
  const repeat = Number(args.values.repeat);
  if (args.values.jitless) return jitless(args.values.only, repeat);
  const warm: string[] = [];
  const cold: string[] = [];
  const logs: number[] = [];
  for (const k of loadKernels()) {
    if (args.values.only !== undefined && k.name !== args.values.only) continue;
    const { instance } = await WebAssembly.instantiate(k.bytes as Uint8Array<ArrayBuffer>);
    const native = instance.exports.run as (n: number) => number;
    native(Math.max(1, k.n >> 6));
    const [tn, rn] = timed(() => native(k.n));
    if (!args.values["cold-only"]) {
      const ratios: string[] = [];
      for (const strategy of ["js", "auto", "interpreter"] as const) {
        const run = runner(strategy, k.bytes);
        run(Math.max(1, k.n >> 6));
        const [t, r] = timed(() => run(k.n));
        if (r !== rn) throw new Error(`${k.name} on ${strategy}: checksum ${r}, native ${rn}`);
        ratios.push(`${(t / tn).toFixed(1)}x`);
      }
      warm.push(`| ${k.name} | ${tn.toFixed(0)} | ${ratios.join(" | ")} |`);
    }
    const best: Record<string, number> = { js: Infinity, auto: Infinity };
    for (let i = 0; i < repeat; i++) {
      for (const strategy of ["js", "auto"] as const) {
        const [t, r] = timed(() => runner(strategy, k.bytes)(k.n));
        if (r !== rn) throw new Error(`${k.name} on ${strategy}: checksum ${r}, native ${rn}`);
        best[strategy] = Math.min(best[strategy], t);
      }
    }
    logs.push(Math.log(best.auto / best.js));
    cold.push(
      `| ${k.name} | ${best.js.toFixed(0)} | ${best.auto.toFixed(0)} | ${
        (best.auto / best.js).toFixed(2)
      } |`,
    );
  }
  if (warm.length > 0) {
    console.log("| kernel | native ms | JS tier / native | auto / native | interpreter / native |");
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const r of warm) console.log(r);
    console.log();
  }
  console.log("| kernel (cold: module, instance, one run) | js ms | auto ms | auto / js |");
  console.log("| --- | ---: | ---: | ---: |");
  for (const r of cold) console.log(r);
  const gm = Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
  console.log(`| **geomean** | | | ${gm.toFixed(2)} |`);
}

/**
 * The `--jitless` table: the JS tier against the interpreter, no native.
 *
 * @param only a kernel to run alone
 * @param repeat runs per tier (the best counts)
 */
function jitless(only: string | undefined, repeat: number): void {
  const rows: string[] = [];
  const logs: number[] = [];
  for (const k of loadKernels()) {
    if (only !== undefined && k.name !== only) continue;
    // about 1/64 of the work: fib's n is its argument (work grows by 1.618x per step)
    const n = k.name.startsWith("fib") ? k.n - 9 : Math.max(1, k.n >> 6);
    const best: Record<string, number> = { js: Infinity, interpreter: Infinity };
    const sums: Record<string, number> = {};
    for (const strategy of ["js", "interpreter"] as const) {
      const run = runner(strategy, k.bytes);
      run(Math.max(1, n >> 6));
      for (let i = 0; i < repeat; i++) {
        const [t, r] = timed(() => run(n));
        best[strategy] = Math.min(best[strategy], t);
        sums[strategy] = r;
      }
    }
    if (sums.js !== sums.interpreter) {
      throw new Error(`${k.name}: checksum ${sums.js} on js, ${sums.interpreter} interpreted`);
    }
    logs.push(Math.log(best.interpreter / best.js));
    rows.push(
      `| ${k.name} | ${n} | ${best.js.toFixed(0)} | ${best.interpreter.toFixed(0)} | ${
        (best.interpreter / best.js).toFixed(1)
      }x |`,
    );
  }
  console.log("| kernel (V8 --jitless) | n | js ms | interpreter ms | interpreter / js |");
  console.log("| --- | ---: | ---: | ---: | ---: |");
  for (const r of rows) console.log(r);
  const gm = Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
  console.log(`| **geomean** | | | | ${gm.toFixed(1)}x |`);
}

if (import.meta.main) await main();
