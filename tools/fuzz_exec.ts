/**
 * The execution fuzzer: seeded random valid programs
 * (`tools/exec_programs.ts`) run on Capstan's interpreter, on its JS
 * tier, on the `"auto"` strategy promoting at once (calls across tiers and
 * on-stack replacement at the first back edge) and on native WebAssembly,
 * which must agree on every call's result or trap, on the memory and on the
 * globals after it; with fuel on, the Capstan engines must also consume the
 * same fuel for every call that returns.
 *
 * Run it as a command (`deno task fuzz:exec --count 100000 [--seed S]
 * [--fuel-every K] [--simd-every K]`; every K-th program also computes with v128
 * values, `exec_programs_simd.ts`) or call {@link fuzzExec}. A disagreement prints its
 * seed, what differed and the program's text; the exit status is then 1.
 *
 * Invariants:
 * - The engines run the same bytes (Capstan's text parser makes them, so a
 *   program the parser gets wrong is still one program run three ways).
 * - Native traps are compared by kind: V8's messages are mapped to the
 *   spec's ({@link nativeTrapMeanings}); where V8 uses one message for two
 *   of the spec's (a float-to-int conversion of NaN or of a value out of
 *   range), either is accepted. The Capstan engines must agree exactly.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { parseWat } from "@capstan/environ";
import { Engine, Instance, Module, Store, Trap } from "@capstan/runtime";
import { genExec, Rng } from "./exec_programs.ts";

/** What one call did: returned a value or trapped with a spec message. */
type Outcome = { readonly value: bigint } | { readonly trap: string };

/** One disagreement between engines. */
export interface Disagreement {
  /** The program's seed. */
  readonly seed: number;
  /** What differed. */
  readonly detail: string;
  /** The program's text. */
  readonly wat: string;
}

/** What a fuzzing run saw. */
export interface FuzzExecSummary {
  /** Programs run. */
  programs: number;
  /** Calls of `run` made on each engine. */
  calls: number;
  /** Calls that returned. */
  returned: number;
  /** Calls that trapped, by the spec's message (as Capstan's interpreter reported it). */
  readonly traps: Map<string, number>;
  /** Calls whose fuel the two tiers were compared on. */
  fuelCompared: number;
  /** Programs with a function the JS tier did not run (it ran on the interpreter). */
  routed: number;
  /** What differed (empty: all engines agreed). */
  readonly disagreements: Disagreement[];
}

/** Options of {@link fuzzExec}. */
export interface FuzzExecOptions {
  /** The first program's seed. */
  readonly seed: number;
  /** How many programs. */
  readonly count: number;
  /** Also compare fuel on every this-many-th program (0: never). */
  readonly fuelEvery?: number;
  /**
   * Every this-many-th program also computes with v128 values (the
   * programs at `i % simdEvery === 1`; 0: none). Default 2.
   */
  readonly simdEvery?: number;
  /** Called after each program. */
  readonly progress?: (done: number, summary: FuzzExecSummary) => void;
}

/**
 * What each V8 trap message may mean in the spec's words.
 *
 * @returns the table, by V8's message
 */
export function nativeTrapMeanings(): ReadonlyMap<string, readonly string[]> {
  return new Map([
    ["divide by zero", ["integer divide by zero"]],
    ["remainder by zero", ["integer divide by zero"]],
    ["divide result unrepresentable", ["integer overflow"]],
    ["float unrepresentable in integer range", [
      "invalid conversion to integer",
      "integer overflow",
    ]],
    ["memory access out of bounds", ["out of bounds memory access"]],
    ["null function", ["uninitialized element"]],
    ["function signature mismatch", ["indirect call type mismatch"]],
    ["null function or function signature mismatch", [
      "uninitialized element",
      "indirect call type mismatch",
    ]],
    ["table index is out of bounds", ["undefined element"]],
    ["unreachable", ["unreachable"]],
  ]);
}

const TRAP_MEANINGS = nativeTrapMeanings();

const ARGS: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, -1],
  [7, 123456],
  [-0x80000000, 65535],
];

/** One program instantiated on one engine, as the driver calls it. */
interface Runner {
  readonly name: string;
  run(a: number, b: number): Outcome;
  memory(): Uint8Array;
  globals(): bigint;
  fuel(): number | undefined;
  /** Capstan's compiled module (undefined on native). */
  readonly module?: Module;
}

function nativeRunner(bytes: Uint8Array): Runner {
  const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource))
    .exports as {
      run(a: number, b: number): bigint;
      globals(): bigint;
      memory: WebAssembly.Memory;
    };
  return {
    name: "native",
    run(a, b) {
      try {
        return { value: exports.run(a, b) };
      } catch (e) {
        if (e instanceof WebAssembly.RuntimeError) return { trap: `native: ${e.message}` };
        throw e;
      }
    },
    memory: () => new Uint8Array(exports.memory.buffer),
    globals: () => exports.globals(),
    fuel: () => undefined,
  };
}

function capstanRunner(name: string, bytes: Uint8Array, engine: Engine, fuel: boolean): Runner {
  const store = new Store(engine, undefined);
  const module = new Module(engine, bytes);
  const inst = new Instance(store, module, []);
  const run = inst.getFunc("run")!;
  const globals = inst.getFunc("globals")!;
  const memory = inst.getMemory("memory")!;
  return {
    name,
    run(a, b) {
      if (fuel) store.setFuel(1e12);
      try {
        return { value: run.call(a, b)[0] as bigint };
      } catch (e) {
        if (e instanceof Trap) return { trap: e.message };
        throw e;
      }
    },
    memory: () => memory.data(),
    globals: () => globals.call()[0] as bigint,
    fuel: () => fuel ? store.getFuel() : undefined,
    module,
  };
}

const show = (o: Outcome) => "value" in o ? `returned ${o.value}` : `trapped "${o.trap}"`;

/**
 * Whether V8's trap message and the spec's message Capstan gave mean the same trap.
 *
 * @param v8 V8's `RuntimeError` message
 * @param spec Capstan's `Trap` message
 * @returns whether they agree
 */
export function agrees(v8: string, spec: string): boolean {
  return TRAP_MEANINGS.get(v8)?.includes(spec) ?? false;
}

function sameOutcome(want: Outcome, got: Outcome): boolean {
  if ("value" in want || "value" in got) {
    return "value" in want && "value" in got && want.value === got.value;
  }
  if (!want.trap.startsWith("native: ")) return want.trap === got.trap;
  return agrees(want.trap.slice("native: ".length), got.trap);
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return -1;
  const wa = new Int32Array(a.buffer, a.byteOffset, a.length >> 2);
  const wb = new Int32Array(b.buffer, b.byteOffset, b.length >> 2);
  for (let i = 0; i < wa.length; i++) if (wa[i] !== wb[i]) return i << 2;
  return a.length;
}

const EAGER = { samples: 1, sliceSteps: 0 };

/** The engines a run compares, made once. */
interface Engines {
  readonly interpreter: Engine;
  readonly js: Engine;
  readonly interpreterFuel: Engine;
  readonly jsFuel: Engine;
  /** `"auto"` promoting at the first call or back edge (calls across tiers, on-stack replacement). */
  readonly auto: Engine;
  readonly autoFuel: Engine;
}

function makeEngines(): Engines {
  return {
    interpreter: new Engine({ strategy: "interpreter" }),
    js: new Engine({ strategy: "js" }),
    interpreterFuel: new Engine({ strategy: "interpreter", consumeFuel: true }),
    jsFuel: new Engine({ strategy: "js", consumeFuel: true }),
    auto: new Engine({ strategy: "auto", tierUp: EAGER }),
    autoFuel: new Engine({ strategy: "auto", tierUp: EAGER, consumeFuel: true }),
  };
}

/** Runs one program on every engine; returns what differed, if anything. */
function checkProgram(
  seed: number,
  simd: boolean,
  engines: Engines,
  withFuel: boolean,
  summary: FuzzExecSummary,
): string | undefined {
  const wat = genExec(new Rng(seed), simd);
  const bytes = parseWat(wat);
  const native = nativeRunner(bytes);
  const vm = capstanRunner("interpreter", bytes, engines.interpreter, false);
  const js = capstanRunner("js", bytes, engines.js, false);
  const t = js.module!.translation;
  for (let i = t.numImportedFunctions; i < t.functions.length; i++) {
    if (js.module!.tierOf(i) !== "js") {
      summary.routed++;
      break;
    }
  }
  const runners = [native, vm, js, capstanRunner("auto", bytes, engines.auto, false)];
  const fuelRunners = withFuel
    ? [
      capstanRunner("interpreter+fuel", bytes, engines.interpreterFuel, true),
      capstanRunner("js+fuel", bytes, engines.jsFuel, true),
      capstanRunner("auto+fuel", bytes, engines.autoFuel, true),
    ]
    : [];
  runners.push(...fuelRunners);
  const r = new Rng(seed ^ 0x9e3779b9);
  const args = [...ARGS, [r.next() | 0, r.next() | 0] as const];
  for (const [a, b] of args) {
    const outcomes: Outcome[] = [];
    for (const runner of runners) {
      try {
        outcomes.push(runner.run(a, b));
      } catch (e) {
        return `run(${a}, ${b}) on ${runner.name} threw ${(e as Error).stack ?? e}`;
      }
    }
    summary.calls++;
    const want = outcomes[1];
    if ("value" in want) summary.returned++;
    else summary.traps.set(want.trap, (summary.traps.get(want.trap) ?? 0) + 1);
    for (let k = 1; k < runners.length; k++) {
      const reference = k === 1 ? outcomes[0] : want;
      if (!sameOutcome(reference, outcomes[k])) {
        return `run(${a}, ${b}): ${runners[k === 1 ? 0 : 1].name} ${show(reference)}, ${
          runners[k].name
        } ${show(outcomes[k])}`;
      }
    }
    const memory = native.memory();
    const g = native.globals();
    for (const runner of runners.slice(1)) {
      const at = firstDifference(memory, runner.memory());
      if (at !== memory.length) {
        return at < 0
          ? `after run(${a}, ${b}): memory size ${memory.length} on native, ${runner.memory().length} on ${runner.name}`
          : `after run(${a}, ${b}): memory differs at ${at} on ${runner.name}`;
      }
      const got = runner.globals();
      if (got !== g) {
        return `after run(${a}, ${b}): globals ${g} on native, ${got} on ${runner.name}`;
      }
    }
    if (withFuel && "value" in want) {
      const [fv, fj, fa] = fuelRunners.map((r) => r.fuel());
      if (fv !== fj) return `run(${a}, ${b}): fuel left ${fv} on the interpreter, ${fj} on js`;
      if (fv !== fa) return `run(${a}, ${b}): fuel left ${fv} on the interpreter, ${fa} on auto`;
      summary.fuelCompared++;
    }
  }
  return undefined;
}

/**
 * Runs `count` programs from `seed` on every engine.
 *
 * @param options which programs, and whether to compare fuel
 * @returns what the run saw
 * @example
 * ```ts
 * import { fuzzExec } from "./fuzz_exec.ts";
 * const s = await fuzzExec({ seed: 1, count: 3 });
 * if (s.disagreements.length !== 0 || s.calls !== 15) throw new Error();
 * ```
 */
export function fuzzExec(options: FuzzExecOptions): Promise<FuzzExecSummary> {
  const summary: FuzzExecSummary = {
    programs: 0,
    calls: 0,
    returned: 0,
    traps: new Map(),
    fuelCompared: 0,
    routed: 0,
    disagreements: [],
  };
  const engines = makeEngines();
  const fuelEvery = options.fuelEvery ?? 4;
  const simdEvery = options.simdEvery ?? 2;
  const simd = (i: number) => simdEvery > 0 && i % simdEvery === 1 % simdEvery;
  for (let i = 0; i < options.count; i++) {
    const seed = options.seed + i;
    let detail: string | undefined;
    try {
      detail = checkProgram(seed, simd(i), engines, fuelEvery > 0 && i % fuelEvery === 0, summary);
    } catch (e) {
      detail = `the program could not be run: ${(e as Error).stack ?? e}`;
    }
    summary.programs++;
    if (detail !== undefined) {
      summary.disagreements.push({ seed, detail, wat: genExec(new Rng(seed), simd(i)) });
    }
    options.progress?.(i + 1, summary);
  }
  return Promise.resolve(summary);
}

/**
 * A one-paragraph summary of a run.
 *
 * @param s the run
 * @returns text
 */
export function formatSummary(s: FuzzExecSummary): string {
  const traps = [...s.traps].sort((a, b) => b[1] - a[1]).map(([m, n]) => `${m} ${n}`).join(", ");
  return `${s.programs} programs, ${s.calls} calls on each engine: ${s.returned} returned, ${
    s.calls - s.returned
  } trapped (${traps}); fuel compared on ${s.fuelCompared} calls; ${s.routed} programs with a function off the JS tier; ${s.disagreements.length} disagreements`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      count: { type: "string", default: "10000" },
      seed: { type: "string", default: "1" },
      "fuel-every": { type: "string", default: "4" },
      "simd-every": { type: "string", default: "2" },
    },
  });
  const count = Number(values.count);
  const seed = Number(values.seed);
  const fuelEvery = Number(values["fuel-every"]);
  const simdEvery = Number(values["simd-every"]);
  if (
    ![count, seed, fuelEvery, simdEvery].every(Number.isSafeInteger) || count < 0 ||
    fuelEvery < 0 || simdEvery < 0
  ) {
    console.error("usage: fuzz:exec [--count N] [--seed S] [--fuel-every K] [--simd-every K]");
    Deno.exit(2);
  }
  const started = performance.now();
  const s = await fuzzExec({
    seed,
    count,
    fuelEvery,
    simdEvery,
    progress: (done, sum) => {
      if (done % 1000 === 0) {
        console.error(`${done}/${count} (${sum.disagreements.length} disagreements)`);
      }
    },
  });
  for (const d of s.disagreements.slice(0, 3)) {
    console.log(`seed ${d.seed}: ${d.detail}\n${d.wat}\n`);
  }
  console.log(formatSummary(s));
  console.log(
    `seeds ${seed}..${seed + count - 1}, ${((performance.now() - started) / 1000).toFixed(0)} s`,
  );
  Deno.exit(s.disagreements.length ? 1 : 0);
}
