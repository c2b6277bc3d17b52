/**
 * Where the `"auto"` strategy spends a sightglass program's time, in this
 * process: the promotion log (with `bench.start`, `bench.end` and each group's lowering
 * time), each line stamped with the wall ms since start (and the CPU ms, when printed), the
 * groups and on-stack-replacement entries lowered and the time lowering them
 * took (JS source generation; `new Function` of each group timed apart), and
 * the run's wall and CPU time (CPU: this process's user + system time, all
 * threads; the machine may be shared, so CPU time is the steadier figure),
 * both for the measured region (`bench.start` to `bench.end`) and from
 * compiling the module to the run's end. `STRATEGY=js` runs the JS tier
 * instead (its lowering happens at instantiation, inside `total`).
 *
 * Run: `deno run -A bench/auto_profile.ts WASM DIR [SAMPLES|-] [SLICE_STEPS|-] [v]`
 * (`v` prints the log; `-` keeps the engine's default). Prints one JSON line:
 * `region`, `cregion` (CPU), `total`, `ctotal` (CPU), `groups`, `members`,
 * `lowerMs`, `fnMs`, `osr`, `osrMs`, `kept` (functions kept on the interpreter).
 *
 * @module
 */

import { Wasi } from "@capstan/wasi";
import { createWebAssembly } from "@capstan/runtime/webassembly";
import { Engine } from "@capstan/runtime";
import { JsGroupLowering } from "@capstan/codegen";
import { clockMs } from "./_cell.ts";

const cpu = () => clockMs("cpu");
const round = (x: number) => Math.round(x * 10) / 10;

/** Times the group and OSR lowerings of every `JsGroupLowering` (its prototype's methods). */
function timeLowerings(tierLog: (line: string) => void) {
  const t = { groups: 0, members: 0, lowerMs: 0, fnMs: 0, osr: 0, osrMs: 0 };
  const proto = JsGroupLowering.prototype;
  const lowerGroup = proto.lowerGroup;
  proto.lowerGroup = function (funcs) {
    const t0 = performance.now();
    const group = lowerGroup.call(this, funcs);
    t.lowerMs += performance.now() - t0;
    tierLog(`lowered [${group.members.join(", ")}] in ${(performance.now() - t0).toFixed(1)} ms`);
    t.groups++;
    t.members += group.members.length;
    const t1 = performance.now();
    new Function("X", "S", "H", "C", "P", group.source);
    t.fnMs += performance.now() - t1;
    return group;
  };
  const lowerOsr = proto.lowerOsr;
  proto.lowerOsr = function (funcIndex, wasmOffset) {
    const t0 = performance.now();
    const out = lowerOsr.call(this, funcIndex, wasmOffset);
    t.osrMs += performance.now() - t0;
    t.osr++;
    return out;
  };
  return t;
}

async function main(): Promise<void> {
  const [wasmPath, cwd, samples, sliceSteps, verbose] = Deno.args;
  const start = performance.now(), cpuStart = cpu();
  const log: string[] = [];
  // (the CPU time is read only for a log printed: reading it costs a system call)
  const tierLog = (line: string) =>
    log.push(
      `${(performance.now() - start).toFixed(1)}` +
        (verbose === "v" ? ` ${(cpu() - cpuStart).toFixed(0)}` : "") + ` ${line}`,
    );
  const lowerings = timeLowerings(tierLog);
  const tierUp: { samples?: number; sliceSteps?: number } = {};
  if (samples !== undefined && samples !== "-") tierUp.samples = Number(samples);
  if (sliceSteps !== undefined && sliceSteps !== "-") tierUp.sliceSteps = Number(sliceSteps);
  const strategy = Deno.env.get("STRATEGY") === "js" ? "js" : "auto";
  const api = createWebAssembly({
    engine: new Engine({
      strategy,
      tierUp,
      tierLog,
    }),
  }) as unknown as typeof WebAssembly;
  Deno.chdir(cwd);
  const stdout = { writeSync: (p: Uint8Array) => p.length };
  const wasi = new Wasi({ args: ["benchmark.wasm"], preopens: { ".": cwd }, stdout });
  let t0 = 0, t1 = 0, c0 = 0, c1 = 0;
  const bench = {
    start: () => void (t0 = performance.now(), c0 = cpu(), tierLog("bench.start")),
    end: () => void (t1 = performance.now(), c1 = cpu(), tierLog("bench.end")),
  };
  const bytes = await Deno.readFile(wasmPath);
  const begin = performance.now(), cpuBegin = cpu();
  const module = new api.Module(bytes);
  const instance = new api.Instance(module, {
    bench,
    wasi_snapshot_preview1: wasi.imports,
  } as unknown as WebAssembly.Imports);
  wasi.start(instance as unknown as Parameters<typeof wasi.start>[0]);
  const total = performance.now() - begin, ctotal = cpu() - cpuBegin;
  if (verbose === "v") { for (const line of log) console.log(line); }
  console.log(JSON.stringify({
    region: round(t1 - t0),
    cregion: round(c1 - c0),
    total: round(total),
    ctotal: round(ctotal),
    groups: lowerings.groups,
    members: lowerings.members,
    lowerMs: round(lowerings.lowerMs),
    fnMs: round(lowerings.fnMs),
    osr: lowerings.osr,
    osrMs: round(lowerings.osrMs),
    kept: log.filter((l) => l.includes("stays on the interpreter")).length,
  }));
}

if (import.meta.main) await main();
