/**
 * One timed cell of `compare.ts` — an engine, a module, a way to call it —
 * runnable in-process or as a child process in a fresh V8 isolate, so no
 * other cell's JIT feedback (type feedback and deoptimisations of Capstan's
 * dispatch loop, V8's tier-up state) or garbage colours the figure.
 *
 * Child usage: `deno run -A bench/_cell.ts '<CellSpec as JSON>' REPEAT [cpu|wall]`; it
 * prints one JSON line, `{ "ms": <fastest>, "got": <result> }` or
 * `{ "error": "...", "unsupported": <bool> }`.
 *
 * Invariants:
 * - Timing is the same in both places ({@link measureRun}): a warm-up on a
 *   small n, then the fastest of up to REPEAT runs, stopping early after
 *   {@link REPEAT_BUDGET_MS}, read on the CPU-time clock by default.
 * - The result is returned, never checked here: the caller compares it.
 *
 * @module
 */

import process from "node:process";
import { type Engine, type EngineInstance, loadEngines } from "./_engines.ts";
import { loadKernels } from "./_kernels.ts";
import { loadMicro, microImports } from "./_micro.ts";
import { describeError, isUnsupported } from "./_bench_util.ts";

/** Total time after which further repeats of one cell are skipped, in ms. */
export const REPEAT_BUDGET_MS = 5000;

/** What to time. */
export interface CellSpec {
  /**
   * `native`, `capstan`, `polywasm`, or Capstan through its runtime API with
   * checks off / fuel on / epochs on: `capstan+off`, `capstan+fuel`,
   * `capstan+epochs`.
   */
  readonly engine: string;
  /** `corpus:<kernel>` or `micro:<file stem of bench/kernels>`. */
  readonly target: string;
  /** `run`: time `run(n)`; `jscall`: time a JS loop calling the export `step` n times. */
  readonly mode: "run" | "jscall";
  /** The timed size. */
  readonly n: number;
  /** The warm-up size. */
  readonly warmN: number;
}

/** A cell's outcome: a time and the call's result, or an error. */
export interface CellResult {
  /** Fastest time, in ms. */
  readonly ms?: number;
  /** What the timed call returned. */
  readonly got?: number;
  /** Why there is no time. */
  readonly error?: string;
  /** Whether the error says a feature is unsupported. */
  readonly unsupported?: boolean;
}

/**
 * Which clock times a run: `cpu` is the process's CPU time (user + system,
 * `process.cpuUsage()`), which a shared, loaded machine disturbs far less
 * than `wall` (elapsed time, `performance.now()`). CPU time also counts V8's
 * helper threads (concurrent GC and compilation), which are nearly idle once
 * warm.
 */
export type Clock = "cpu" | "wall";

/** The clock `compare.ts` uses unless `--wall`. */
export const DEFAULT_CLOCK: Clock = "cpu";

/**
 * Reads a clock.
 *
 * @param clock which one (default `cpu`: the process's CPU time)
 * @returns its time in ms
 */
export function clockMs(clock: Clock = "cpu"): number {
  if (clock === "wall") return performance.now();
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Calls `warm` until JIT tiers settle (at least 3 calls and 30 ms, at most
 * 50 calls), then returns the fastest of up to `repeat` runs of `fn`
 * (stopping once the runs took {@link REPEAT_BUDGET_MS} in all).
 *
 * @param warm a cheap call of the same code
 * @param fn the call to time
 * @param repeat how many timed runs at most
 * @param clock which clock to read
 * @returns the fastest run, in ms
 */
export function measureRun(
  warm: () => unknown,
  fn: () => unknown,
  repeat: number,
  clock: Clock = DEFAULT_CLOCK,
): number {
  const t0 = performance.now();
  for (let calls = 0; calls < 50; calls++) {
    warm();
    if (calls >= 2 && performance.now() - t0 > 30) break;
  }
  let best = Infinity;
  let spent = 0;
  for (let r = 0; r < repeat && (r === 0 || spent < REPEAT_BUDGET_MS); r++) {
    const t = clockMs(clock);
    fn();
    const ms = clockMs(clock) - t;
    spent += ms;
    best = Math.min(best, ms);
  }
  return best;
}

function targetBytes(target: string): Uint8Array {
  const [kind, name] = target.split(":");
  if (kind === "corpus") {
    const kernel = loadKernels().find((k) => k.name === name);
    if (kernel === undefined) throw new Error(`unknown kernel ${name}`);
    return kernel.bytes;
  }
  if (kind === "micro") return loadMicro(name, "").bytes;
  throw new Error(`unknown target ${target}`);
}

function instantiate(engines: readonly Engine[], spec: CellSpec, bytes: Uint8Array) {
  const [name, variant] = spec.engine.split("+");
  const engine = engines.find((e) => e.name === name);
  if (engine === undefined) throw new Error(`unknown engine ${spec.engine}`);
  if (engine.unavailable !== null) throw new Error(`unavailable: ${engine.unavailable}`);
  if (variant === undefined) return engine.instantiate(bytes, microImports());
  const configured = engine.hooks.instantiateConfigured;
  if (configured === undefined) throw new Error(`${name} has no configured instantiation`);
  return configured(bytes, { fuel: variant === "fuel", epochs: variant === "epochs" });
}

function jsCallLoop(instance: EngineInstance): (count: number) => number {
  const step = instance.exports.step as (x: number, i: number) => number;
  if (typeof step !== "function") throw new TypeError("module has no exported function step");
  return (count) => {
    let x = 0;
    for (let i = 0; i < count; i++) x = step(x, i);
    return x >>> 0;
  };
}

/**
 * Times one cell in this process.
 *
 * @param engines the loaded engines
 * @param spec what to time
 * @param repeat timed runs at most
 * @returns the fastest time and the result of the timed call
 */
export function executeCell(
  engines: readonly Engine[],
  spec: CellSpec,
  repeat: number,
  clock: Clock = DEFAULT_CLOCK,
): CellResult {
  const instance = instantiate(engines, spec, targetBytes(spec.target));
  const call = spec.mode === "jscall" ? jsCallLoop(instance) : (k: number) => instance.run(k);
  let got = -1;
  const ms = measureRun(() => call(spec.warmN), () => (got = call(spec.n)), repeat, clock);
  return { ms, got };
}

/**
 * Times one cell in a child process (a fresh isolate).
 *
 * @param spec what to time
 * @param repeat timed runs at most
 * @returns the child's answer
 */
export function executeCellIsolated(
  spec: CellSpec,
  repeat: number,
  clock: Clock = DEFAULT_CLOCK,
): CellResult {
  const script = new URL("./_cell.ts", import.meta.url).pathname;
  const out = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, JSON.stringify(spec), String(repeat), clock],
    stderr: "inherit",
  }).outputSync();
  const text = new TextDecoder().decode(out.stdout).trim();
  try {
    return JSON.parse(text.split("\n").at(-1) ?? "");
  } catch {
    return { error: `child process printed no result (exit code ${out.code})` };
  }
}

if (import.meta.main) {
  try {
    const spec = JSON.parse(Deno.args[0]) as CellSpec;
    const repeat = Math.max(1, Number(Deno.args[1]) || 1);
    const clock: Clock = Deno.args[2] === "wall" ? "wall" : "cpu";
    console.log(JSON.stringify(executeCell(await loadEngines(), spec, repeat, clock)));
  } catch (e) {
    console.log(JSON.stringify({ error: describeError(e), unsupported: isUnsupported(e) }));
  }
}
