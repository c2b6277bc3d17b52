/**
 * Start-up of large modules: the time from bytes to an instance ready for
 * its first call (compile + instantiate, every import a stub), on native
 * `WebAssembly` and on Capstan four ways: compiled with lazy lowering (the
 * default without a cache), with every function lowered up front (eager),
 * from a warm compilation cache, and from a serialized image. Each figure is
 * the best of a few runs in this process; ratios are to native.
 *
 * Run: `deno run -A bench/startup.ts [FILE.wasm ...]` (default: the largest
 * sightglass programs, and esbuild-wasm's 12 MB Go module when npm's cache
 * has it). `--steady` instead checks that lazy lowering leaves steady-state
 * speed alone: each corpus kernel's `run(n/4)` on a lazily and an eagerly
 * lowered module of the same engine, alternating, best of 5. `--fresh
 * [--runs N] [FILE.wasm ...]` measures what a user waits for when a process
 * starts: each figure in a fresh process (native, Capstan lazy, Capstan from
 * a warm cache; N runs each, interleaved so that load drifts alike; median
 * and best), bytes to an instance, the engine's own JS already loaded.
 *
 * @module
 */

import { Engine, type ImportType, Linker, Module, Store } from "@capstan/runtime";
import { loadKernels } from "./_kernels.ts";

const SIGHTGLASS = new URL("../../shared/bench/sightglass/", import.meta.url);
const DEFAULT_FILES = [
  new URL("gcc-loops/benchmark.wasm", SIGHTGLASS).pathname,
  new URL("intgemm-simd/benchmark.wasm", SIGHTGLASS).pathname,
  new URL("tinygo/tinygo-json.wasm", SIGHTGLASS).pathname,
  new URL("bz2/benchmark.wasm", SIGHTGLASS).pathname,
];
const ESBUILD_GLOB = "/.cache/deno/npm/registry.npmjs.org/esbuild-wasm";

function esbuildWasm(): string | undefined {
  try {
    const dir = `${Deno.env.get("HOME")}${ESBUILD_GLOB}`;
    const version = [...Deno.readDirSync(dir)].filter((e) => e.isDirectory).map((e) => e.name)
      .sort().pop();
    return version === undefined ? undefined : `${dir}/${version}/esbuild.wasm`;
  } catch {
    return undefined;
  }
}

function best(runs: number, f: () => void): number {
  let b = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    f();
    b = Math.min(b, performance.now() - t);
  }
  return b;
}

/** Native imports: a stub for every function, a fresh object for the rest. */
function nativeImports(imports: readonly ImportType[]): WebAssembly.Imports {
  const out: Record<string, Record<string, WebAssembly.ImportValue>> = {};
  for (const imp of imports) {
    const ns = out[imp.module] ??= {};
    const t = imp.type;
    if (t.kind === "func") ns[imp.name] = () => 0;
    else if (t.kind === "memory") {
      ns[imp.name] = new WebAssembly.Memory({
        initial: Number(t.type.limits.min),
        maximum: t.type.limits.max === undefined ? undefined : Number(t.type.limits.max),
        shared: t.type.shared,
      } as WebAssembly.MemoryDescriptor);
    } else throw new Error(`no stub for a ${t.kind} import`);
  }
  return out;
}

/** A Capstan instance with every import a stub. */
function instantiate(module: Module): void {
  const engine = module.engine;
  const linker = new Linker(engine).allowShadowing(true);
  for (const imp of module.imports()) {
    if (imp.type.kind === "func") linker.funcWrap(imp.module, imp.name, imp.type.type, () => 0);
    else throw new Error(`no stub for a ${imp.type.kind} import`);
  }
  linker.instantiate(new Store(engine, undefined), module);
}

function steady(): void {
  const e = new Engine();
  let logSum = 0;
  const kernels = loadKernels();
  console.log("| kernel | lazy ms | eager ms | lazy / eager |\n| --- | ---: | ---: | ---: |");
  for (const k of kernels) {
    const lazy = new Module(e, k.bytes);
    const eager = Module.deserialize(e, new Module(e, k.bytes).serialize({ all: true }));
    const run = [lazy, eager].map((m) =>
      new Linker(e).instantiate(new Store(e, undefined), m).getFunc("run")!.typed<
        [number],
        number
      >()
    );
    for (const f of run) f(Math.max(1, k.n >> 6));
    const n = k.name.startsWith("fib") ? k.n - 3 : k.n >> 2; // fib(n) grows exponentially
    const ms = [Infinity, Infinity];
    for (let r = 0; r < 5; r++) {
      for (let i = 0; i < 2; i++) {
        const t = performance.now();
        run[i](n);
        ms[i] = Math.min(ms[i], performance.now() - t);
      }
    }
    logSum += Math.log(ms[0] / ms[1]);
    console.log(
      `| ${k.name} | ${ms[0].toFixed(0)} | ${ms[1].toFixed(0)} | ${(ms[0] / ms[1]).toFixed(3)} |`,
    );
  }
  console.log(`geomean lazy / eager: ${Math.exp(logSum / kernels.length).toFixed(3)}`);
}

/** What a fresh process measures (`--child`). */
type FreshMode = "native" | "lazy" | "warm";

/** In a child process: one compile + instantiate of `file`, its ms printed. */
function child(mode: FreshMode, file: string, cacheDir: string): void {
  const bytes = Deno.readFileSync(file);
  if (mode === "native") {
    // the stubs' shapes from Capstan, before the clock starts (its code is not native's)
    const imports = nativeImports(new Module(new Engine(), bytes).imports());
    const t = performance.now();
    new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
    console.log(performance.now() - t);
    return;
  }
  const engine = new Engine(mode === "warm" ? { cache: { directory: cacheDir } } : {});
  const t = performance.now();
  instantiate(new Module(engine, bytes));
  console.log(performance.now() - t);
  if (mode === "warm" && engine._cache!.stats.hits !== 1) throw new Error("the cache missed");
}

async function runChild(mode: FreshMode, file: string, cacheDir: string): Promise<number> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", import.meta.filename!, "--child", mode, file, cacheDir],
    stderr: "inherit",
  }).output();
  if (out.code !== 0) throw new Error(`the ${mode} child failed on ${file}`);
  return Number(new TextDecoder().decode(out.stdout).trim());
}

async function fresh(args: string[]): Promise<void> {
  let runs = 5;
  if (args[0] === "--runs") {
    runs = Number(args[1]);
    args = args.slice(2);
  }
  const files = args.length > 0 ? args : [esbuildWasm(), ...DEFAULT_FILES].filter(
    (f): f is string => f !== undefined,
  );
  const modes: FreshMode[] = ["native", "lazy", "warm"];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  console.log(
    "| module | MB | native ms | lazy ms | warm cache ms | lazy / native | warm / native |\n" +
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const file of files) {
    const cacheDir = await Deno.makeTempDir({ prefix: "capstan_startup_" });
    try {
      const fill = new Engine({ cache: { directory: cacheDir } });
      new Module(fill, Deno.readFileSync(file));
      fill.flushCache();
      const ms: Record<FreshMode, number[]> = { native: [], lazy: [], warm: [] };
      for (let i = 0; i < runs; i++) {
        for (const mode of modes) ms[mode].push(await runChild(mode, file, cacheDir));
      }
      const [n, l, w] = modes.map((m) => median(ms[m]));
      const cell = (xs: number[]) =>
        `${median(xs).toFixed(0)} (best ${Math.min(...xs).toFixed(0)})`;
      const name = file.split("/").slice(-2).join("/");
      const mb = (Deno.statSync(file).size / 1e6).toFixed(1);
      console.log(
        `| ${name} | ${mb} | ${cell(ms.native)} | ${cell(ms.lazy)} | ${cell(ms.warm)} | ${
          (l / n).toFixed(1)
        }x | ${(w / n).toFixed(1)}x |`,
      );
    } finally {
      await Deno.remove(cacheDir, { recursive: true });
    }
  }
}

async function main(): Promise<void> {
  if (Deno.args[0] === "--steady") return steady();
  if (Deno.args[0] === "--child") {
    return child(Deno.args[1] as FreshMode, Deno.args[2], Deno.args[3]);
  }
  if (Deno.args[0] === "--fresh") return await fresh(Deno.args.slice(1));
  const files = Deno.args.length > 0 ? Deno.args : [...DEFAULT_FILES, esbuildWasm()].filter(
    (f): f is string => f !== undefined,
  );
  const rows: string[] = [];
  const cacheDir = await Deno.makeTempDir({ prefix: "capstan_startup_" });
  try {
    for (const file of files) {
      const bytes = Deno.readFileSync(file);
      const plain = new Engine();
      const imports = new Module(plain, bytes).imports();
      const native = best(3, () => {
        new WebAssembly.Instance(new WebAssembly.Module(bytes), nativeImports(imports));
      });
      const lazy = best(3, () => instantiate(new Module(plain, bytes)));
      const eager = best(2, () => {
        const m = new Module(plain, bytes);
        m._compiled.lowerAll();
        instantiate(m);
      });
      const cached = new Engine({ cache: { directory: cacheDir } });
      new Module(cached, bytes); // fills the cache
      const warm = best(3, () => instantiate(new Module(cached, bytes)));
      const image = new Module(plain, bytes).serialize();
      const loaded = best(3, () => instantiate(Module.deserialize(plain, image)));
      const r = (ms: number) => `${ms.toFixed(0)} ms (${(ms / native).toFixed(1)}x)`;
      const name = file.split("/").slice(-2).join("/");
      rows.push(
        `| ${name} | ${(bytes.length / 1e6).toFixed(1)} | ${native.toFixed(0)} ms | ${r(lazy)} | ${
          r(eager)
        } | ${r(warm)} | ${r(loaded)} |`,
      );
    }
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
  console.log(
    "| module | MB | native | Capstan lazy | eager | warm cache | deserialize |\n" +
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const row of rows) console.log(row);
}

if (import.meta.main) await main();
