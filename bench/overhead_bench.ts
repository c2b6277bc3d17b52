/**
 * Overheads: the cost of a host call from wasm and of a wasm call from JS
 * (ns per call, next to native V8 and polywasm), the same crossings through
 * Capstan's runtime API (`Func.call`, `typed()`, `callBits`, host imports with
 * and without a `Caller`), and Capstan's cost of fuel metering and of
 * epoch-deadline checks (on vs off, same kernel).
 *
 * Invariants:
 * - Call groups do `n` calls per iteration; with `n = 1e6` (outside quick
 *   mode) a time of 1 ms per iteration is 1 ns per call.
 * - Fuel and epoch groups run only on Capstan, both variants through the
 *   runtime API (`CapstanHooks.instantiateConfigured`), so they differ only
 *   in the setting; the "off" variant is the baseline.
 * - Every result is checked against a native run.
 *
 * Run: `deno bench -A bench/overhead_bench.ts`
 *
 * @module
 */

import { type Engine, type EngineInstance, loadEngines } from "./_engines.ts";
import { loadKernels, QUICK } from "./_kernels.ts";
import { hostStep, loadMicro, microImports } from "./_micro.ts";
import {
  describeError,
  isUnsupported,
  iterationsFor,
  registerProblem,
  timeOnce,
} from "./_bench_util.ts";

/** The parts of `@capstan/runtime` the runtime-API cases use. */
interface RuntimeApi {
  Engine: new () => object;
  Store: new (engine: object, data: undefined) => object;
  Module: new (engine: object, bytes: Uint8Array) => object;
  Linker: new (engine: object) => {
    func(m: string, n: string, t: object, f: (c: unknown, x: number, i: number) => number): void;
    funcWrap(m: string, n: string, t: object, f: (x: number, i: number) => number): void;
    instantiate(store: object, module: object): { getFunc(name: string): ApiFunc | undefined };
  };
}

/** A runtime `Func`, as the runtime-API cases call it. */
interface ApiFunc {
  call(...args: number[]): unknown[];
  callBits(...args: number[]): unknown[];
  typed(): (...args: number[]) => unknown;
}

/** The specifier of Capstan's runtime package; a variable so the import stays dynamic. */
const CAPSTAN_RUNTIME = "@capstan/runtime";

/** Loads `@capstan/runtime`'s embedding API, or undefined when it cannot. */
async function runtimeApi(): Promise<RuntimeApi | undefined> {
  try {
    const mod = await import(CAPSTAN_RUNTIME) as Record<string, unknown>;
    return typeof mod.Linker === "function" ? mod as unknown as RuntimeApi : undefined;
  } catch {
    return undefined;
  }
}

const engines = await loadEngines();
const native = engines[0];
const capstan = engines.find((e) => e.name === "capstan")!;

/**
 * Registers one case: `prepare` instantiates (untimed), `body` is timed and
 * must return `expect`.
 */
function registerCase(
  group: string,
  engine: Engine,
  label: string,
  baseline: boolean,
  expect: number,
  prepare: () => () => number,
): void {
  let body: () => number;
  let sampleMs: number;
  try {
    body = prepare();
    const sample = timeOnce(body);
    if (sample.value !== expect) {
      registerProblem(group, engine, `${label}: result ${sample.value}, native ${expect}`, true);
      return;
    }
    sampleMs = sample.ms;
  } catch (e) {
    registerProblem(group, engine, `${label}: ${describeError(e)}`, !isUnsupported(e));
    return;
  }
  Deno.bench({
    name: label,
    group,
    baseline,
    ...iterationsFor(sampleMs),
    fn() {
      const got = body();
      if (got !== expect) throw new Error(`${label}: result ${got}, expected ${expect}`);
    },
  });
}

// Host call from wasm: host_call.wasm calls env.step n times.
{
  const kernel = loadMicro("host_call", "one imported-function call per iteration");
  const n = kernel.n;
  const group = `overhead host call from wasm (${n} calls/iter)`;
  const expect = native.instantiate(kernel.bytes, microImports()).run(n);
  for (const engine of engines) {
    if (engine.unavailable !== null) {
      registerProblem(group, engine, engine.unavailable, false);
      continue;
    }
    registerCase(group, engine, engine.name, engine.name === "native", expect, () => {
      const instance = engine.instantiate(kernel.bytes, microImports());
      return () => instance.run(n);
    });
  }
}

// Wasm call from JS: a JS loop calls the export step(x, i) n times.
{
  const kernel = loadMicro("js_call", "one call of a tiny export from JS");
  const n = kernel.n;
  const group = `overhead wasm call from JS (${n} calls/iter)`;
  const expect = native.instantiate(kernel.bytes).run(n);
  const callLoop = (instance: EngineInstance) => {
    const step = instance.exports.step as (x: number, i: number) => number;
    return () => {
      let x = 0;
      for (let i = 0; i < n; i++) x = step(x, i);
      return x >>> 0;
    };
  };
  for (const engine of engines) {
    if (engine.unavailable !== null) {
      registerProblem(group, engine, engine.unavailable, false);
      continue;
    }
    registerCase(
      group,
      engine,
      engine.name,
      engine.name === "native",
      expect,
      () => callLoop(engine.instantiate(kernel.bytes)),
    );
  }
}

// The same two crossings through Capstan's runtime API (not the facade): a wasm
// function called by `Func.call`, `typed()` and `callBits`, and the host import
// defined by `Linker.funcWrap` (no Caller) or `Linker.func` (with a Caller).
{
  const js = loadMicro("js_call", "");
  const host = loadMicro("host_call", "");
  const n = js.n;
  const group = `overhead runtime API calls, Capstan only (${n} calls/iter)`;
  const api = capstan.unavailable === null ? await runtimeApi() : undefined;
  if (api === undefined) {
    registerProblem(group, capstan, capstan.unavailable ?? "no runtime API", false);
  } else {
    const expect = native.instantiate(js.bytes).run(n);
    const engine = new api.Engine();
    const store = new api.Store(engine, undefined);
    const step = new api.Linker(engine).instantiate(store, new api.Module(engine, js.bytes))
      .getFunc("step")!;
    const loop = (call: (x: number, i: number) => number) => () => {
      let x = 0;
      for (let i = 0; i < n; i++) x = call(x, i);
      return x >>> 0;
    };
    const typed = step.typed() as (x: number, i: number) => number;
    const cases: [string, () => () => number][] = [
      ["Func.call", () => loop((x, i) => step.call(x, i)[0] as number)],
      ["typed()", () => loop(typed)],
      ["callBits", () => loop((x, i) => step.callBits(x, i)[0] as number)],
    ];
    const params = { params: ["i32", "i32"], results: ["i32"] };
    for (const caller of [false, true]) {
      cases.push([`host import, Linker.${caller ? "func (Caller)" : "funcWrap"}`, () => {
        const linker = new api.Linker(engine);
        if (caller) linker.func("env", "step", params, (_c, x, i) => hostStep(x, i));
        else linker.funcWrap("env", "step", params, hostStep);
        const s = new api.Store(engine, undefined);
        const run = linker.instantiate(s, new api.Module(engine, host.bytes)).getFunc("run")!
          .typed() as (n: number) => number;
        return () => run(n) >>> 0;
      }]);
    }
    for (const [label, prepare] of cases) {
      registerCase(group, capstan, label, label === "typed()", expect, prepare);
    }
  }
}

// Fuel and epochs: Capstan only, the same kernel with the check off and on.
const corpus = loadKernels();
for (const name of ["loop_wat", "fib_wat"]) {
  const kernel = corpus.find((k) => k.name === name)!;
  const n = QUICK ? kernel.quickN : kernel.benchN;
  const expect = native.instantiate(kernel.bytes).run(n);
  for (const what of ["fuel", "epochs"] as const) {
    const group = `overhead ${what} on vs off, ${name} (n=${n})`;
    if (capstan.unavailable !== null) {
      registerProblem(group, capstan, capstan.unavailable, false);
      continue;
    }
    const configured = capstan.hooks.instantiateConfigured;
    if (configured === undefined) {
      registerProblem(group, capstan, "the runtime offers no configured instantiation", false);
      continue;
    }
    for (const on of [false, true]) {
      const config = { fuel: what === "fuel" && on, epochs: what === "epochs" && on };
      registerCase(group, capstan, `capstan ${what} ${on ? "on" : "off"}`, !on, expect, () => {
        const instance = configured(kernel.bytes, config);
        return () => instance.run(n);
      });
    }
  }
}
