/**
 * A quick probe of the interpreter against native V8, in this process, CPU
 * time, best of `--repeat` runs per engine: the dispatch microkernels of
 * `bench/kernels/` (ns per iteration) and, with `--kernels`, the corpus
 * kernels (ms). Checksums are checked against native's. Ratios are only
 * meaningful within one run (native is timed in the same process, interleaved
 * with the interpreter).
 *
 * Run: `deno run -A bench/interp_probe.ts [--only a,b] [--repeat N] [--kernels]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { Engine, Linker, Module, Store } from "@capstan/runtime";
import { loadMicroKernels } from "./_micro.ts";
import { loadKernels } from "./_kernels.ts";
import { clockMs } from "./_cell.ts";

interface Probe {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly n: number;
}

function interpreted(bytes: Uint8Array): (n: number) => number {
  const engine = new Engine({ strategy: "interpreter" });
  const store = new Store(engine, undefined);
  const inst = new Linker(engine).instantiate(store, new Module(engine, bytes));
  return inst.getFunc("run")!.typed<[number], number>();
}

/** The process's CPU time in ms (far less disturbed by other load than the wall clock). */
const cpuMs = () => clockMs("cpu");

function best(f: (n: number) => number, n: number, repeat: number): [number, number] {
  let t = Infinity;
  let r = 0;
  for (let i = 0; i < repeat; i++) {
    const s = cpuMs();
    r = f(n) >>> 0;
    t = Math.min(t, cpuMs() - s);
  }
  return [t, r];
}

/**
 * Times each probe on native and the interpreter and prints one Markdown row
 * per probe and the geomean of the ratios.
 *
 * @param title the table's first header
 * @param probes what to time
 * @param repeat runs per engine (the best counts)
 * @param perIter print ns per iteration instead of ms
 */
async function table(
  title: string,
  probes: Probe[],
  repeat: number,
  perIter: boolean,
): Promise<void> {
  const unit = perIter ? "ns/iter" : "ms";
  console.log(`| ${title} | native ${unit} | interpreter ${unit} | interpreter / native |`);
  console.log("| --- | ---: | ---: | ---: |");
  const logs: number[] = [];
  for (const p of probes) {
    const { instance } = await WebAssembly.instantiate(p.bytes as Uint8Array<ArrayBuffer>);
    const native = instance.exports.run as (n: number) => number;
    const interp = interpreted(p.bytes);
    const warm = Math.max(1, p.n >> 6);
    native(warm);
    interp(warm);
    let tn = Infinity;
    let ti = Infinity;
    for (let i = 0; i < repeat; i++) {
      const [a, ra] = best(native, p.n, 1);
      const [b, rb] = best(interp, p.n, 1);
      if (ra !== rb) throw new Error(`${p.name}: checksum ${rb}, native ${ra}`);
      tn = Math.min(tn, a);
      ti = Math.min(ti, b);
    }
    logs.push(Math.log(ti / tn));
    const show = (t: number) => perIter ? (t * 1e6 / p.n).toFixed(2) : t.toFixed(1);
    console.log(`| ${p.name} | ${show(tn)} | ${show(ti)} | ${(ti / tn).toFixed(1)}x |`);
  }
  const gm = Math.exp(logs.reduce((a, b) => a + b, 0) / logs.length);
  console.log(`| **geomean** | | | ${gm.toFixed(1)}x |\n`);
}

async function main(): Promise<void> {
  const args = parseArgs({
    options: {
      only: { type: "string" },
      repeat: { type: "string", default: "5" },
      kernels: { type: "boolean" },
    },
  });
  const only = args.values.only?.split(",");
  const pick = (p: Probe) => only === undefined || only.includes(p.name);
  const repeat = Number(args.values.repeat);
  const micro = loadMicroKernels().filter(pick);
  if (micro.length > 0) await table("microkernel", micro, repeat, true);
  if (args.values.kernels) {
    const kernels = loadKernels().filter(pick);
    if (kernels.length > 0) await table("kernel", kernels, Math.max(1, repeat >> 1), false);
  }
}

if (import.meta.main) await main();
