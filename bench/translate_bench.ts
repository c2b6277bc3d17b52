/**
 * Translation speed: decode + validate + compile to bytecode (Capstan
 * `Module` construction) next to native `new WebAssembly.Module` /
 * `WebAssembly.compile` and polywasm, on the largest module we have (the
 * ≥ 5 MB module `big_module.ts` generates) and on the largest corpus kernel.
 *
 * Invariants:
 * - Every engine gets the same bytes, plus an 8-byte custom section whose
 *   counter changes before each compilation, so no engine can answer from a
 *   cache of earlier compilations (V8 has one). The group name carries the
 *   size, so MB/s = size / time; `deno task bench:compare` prints the MB/s,
 *   and also native V8's eager (non-lazy) compilation, from a child process.
 * - Native V8 and polywasm compile lazily (function bodies on first call), so
 *   their `new Module` is a lower bound on the work of an eager translation.
 *   Capstan's `new Module` may also defer lowering to instantiation, so the
 *   group also times its stages through the public packages:
 *   `translateModule` (decode + validate), `translateModule` +
 *   `compileModule` (the whole translation to bytecode), and
 *   `deserializeCompiled` of an image of that (a compiled module loaded).
 *
 * Run: `deno bench -A bench/translate_bench.ts`
 *
 * @module
 */

import type { Engine } from "./_engines.ts";
import { loadEngines } from "./_engines.ts";
import { loadKernels, QUICK } from "./_kernels.ts";
import { type FreshModule, freshModule, loadBigModule } from "./_big.ts";
import {
  describeError,
  isUnsupported,
  iterationsFor,
  registerProblem,
  timeOnce,
} from "./_bench_util.ts";

const engines = await loadEngines();

/** Registers sync and async compilation of `source` on every engine. */
function registerTranslate(label: string, source: Uint8Array): void {
  const fresh = freshModule(source);
  const bytes = fresh.bytes;
  const mb = (source.length / 1e6).toFixed(source.length >= 1e6 ? 2 : 4);
  const group = `translate ${label} (${mb} MB)`;
  for (const engine of engines) {
    if (engine.unavailable !== null) {
      registerProblem(group, engine, engine.unavailable, false);
      continue;
    }
    registerSync(group, engine, fresh);
  }
  const capstan = engines.find((e) => e.name === "capstan")!;
  const stages = [
    ["capstan translateModule (decode+validate)", capstan.hooks.decodeValidate],
    ["capstan translateModule+compileModule", capstan.hooks.translateAndCompile],
  ] as const;
  for (const [name, stage] of stages) {
    if (stage === undefined) continue;
    let sampleMs: number;
    try {
      sampleMs = timeOnce(() => stage(bytes)).ms;
    } catch (e) {
      registerProblem(group, capstan, `${name}: ${describeError(e)}`, !isUnsupported(e));
      continue;
    }
    Deno.bench({
      name,
      group,
      ...iterationsFor(sampleMs, 3000),
      fn() {
        fresh.bump();
        stage(bytes);
      },
    });
  }
  if (capstan.hooks.imageOf !== undefined && capstan.hooks.deserialize !== undefined) {
    const image = capstan.hooks.imageOf(bytes);
    const load = capstan.hooks.deserialize;
    Deno.bench({
      name: "capstan deserializeCompiled (an image of every function)",
      group,
      ...iterationsFor(timeOnce(() => load(image)).ms, 3000),
      fn() {
        load(image);
      },
    });
  }
  const native = engines[0];
  Deno.bench({
    name: "native WebAssembly.compile",
    group,
    ...(QUICK ? { n: 1, warmup: 1 } : {}),
    async fn() {
      fresh.bump();
      await native.compileAsync(bytes);
    },
  });
}

function registerSync(group: string, engine: Engine, fresh: FreshModule): void {
  const bytes = fresh.bytes;
  let sampleMs: number;
  try {
    sampleMs = timeOnce(() => engine.compile(bytes)).ms;
  } catch (e) {
    registerProblem(group, engine, describeError(e), !isUnsupported(e));
    return;
  }
  Deno.bench({
    name: `${engine.name} new Module`,
    group,
    baseline: engine.name === "native",
    ...iterationsFor(sampleMs, 3000),
    fn() {
      fresh.bump();
      engine.compile(bytes);
    },
  });
}

const big = await loadBigModule();
if (typeof big === "string") {
  console.error(`note: big module unavailable (${big}); its translate group is skipped`);
  Deno.bench({ name: `big module [unavailable: ${big}]`, ignore: true, fn() {} });
} else if (!QUICK) {
  registerTranslate("big module", big);
} else {
  // Quick mode still proves the big module compiles on every engine, once.
  registerTranslate("big module (quick)", big);
}

const largest = loadKernels().reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
registerTranslate(`kernel ${largest.name}`, largest.bytes);
