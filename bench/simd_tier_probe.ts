/**
 * A rough probe of SIMD on the execution tiers: the SIMD kernels of
 * `bench/kernels/` (`simd_dot`, `simd_bytecount`; see `simd_bench.ts`), in
 * this process, wall clock, each `run(n)` after a warm-up call at `n/8`, on
 * native `WebAssembly` and on Capstan with `strategy: "js"`, `"auto"` and
 * `"interpreter"`, checksums checked against native's; best of `--repeat`
 * (default 3). Prints a Markdown table of ms and ratios to native.
 *
 * Run: `deno run -A bench/simd_tier_probe.ts [--repeat N]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Engine, Linker, Module, Store } from "@capstan/runtime";
import { MICRO_DIR } from "./_micro.ts";

/** The kernels and the `n` of one timed run. */
const KERNELS: ReadonlyArray<readonly [name: string, n: number]> = [
  ["simd_dot", 400],
  ["simd_bytecount", 20],
];

const STRATEGIES = ["js", "auto", "interpreter"] as const;

function runner(strategy: string, bytes: Uint8Array): (n: number) => number {
  if (strategy === "native") {
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>));
    return inst.exports.run as (n: number) => number;
  }
  const engine = new Engine({ strategy: strategy as (typeof STRATEGIES)[number] });
  const store = new Store(engine, undefined);
  const inst = new Linker(engine).instantiate(store, new Module(engine, bytes));
  return inst.getFunc("run")!.typed<[number], number>();
}

async function main(): Promise<void> {
  const args = parseArgs({ options: { repeat: { type: "string", default: "3" } } });
  const repeat = Number(args.values.repeat);
  console.log(
    "| kernel | native ms | js ms | auto ms | interpreter ms | js / native | auto / native | interpreter / native |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const [name, n] of KERNELS) {
    const bytes = await Deno.readFile(`${MICRO_DIR}${name}.wasm`);
    const ms: number[] = [];
    let want: number | undefined;
    for (const strategy of ["native", ...STRATEGIES]) {
      const run = runner(strategy, bytes);
      run(Math.max(1, n >> 3));
      let best = Infinity;
      for (let i = 0; i < repeat; i++) {
        const t = performance.now();
        const r = run(n) >>> 0;
        best = Math.min(best, performance.now() - t);
        want ??= r;
        if (r !== want) throw new Error(`${name} on ${strategy}: checksum ${r}, native ${want}`);
      }
      ms.push(best);
    }
    const ratios = ms.slice(1).map((t) => `${(t / ms[0]).toFixed(1)}x`);
    console.log(`| ${name} | ${ms.map((t) => t.toFixed(1)).join(" | ")} | ${ratios.join(" | ")} |`);
  }
}

if (import.meta.main) await main();
