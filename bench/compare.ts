/**
 * `deno task bench:compare`: runs every corpus kernel once per engine
 * (native V8, Capstan, polywasm) at the manifest's `n`, checks each checksum
 * against `kernels.json`, and prints times and ratios with geometric means;
 * then the SIMD kernels (time, ratio, checksum checked against native), the
 * dispatch microkernels (ns per iteration, per wasm operator from Capstan's
 * fuel counter, per VM instruction from its instruction counter), translation
 * speed (MB/s) and call overheads.
 *
 * Flags:
 * - `--quick` (or `CAPSTAN_BENCH_QUICK=1`): tiny `n`, checksums checked against
 *   a native run; finishes in seconds (for CI; its times mean nothing).
 * - `--write`: rewrites `BENCHMARKS.md` (tables, machine, Deno/V8, date,
 *   command), keeping its "History" section.
 * - `--repeat N`: time N runs per cell and keep the fastest (default 1).
 * - `--kernels a,b`: only these kernels; `--no-extras`: kernels table only.
 * - `--processes N`: run each isolated cell in N child processes and keep
 *   the median of their times (default 1).
 * - `--wall`: time with the wall clock instead of the process's CPU time
 *   (the default, far less disturbed by other load on a shared machine).
 * - `--in-process`: time every cell in this process instead of one child
 *   process (fresh isolate) per cell; quick mode always runs in-process.
 *
 * Invariants:
 * - A cell is a measured time, `n/a` (engine unavailable) or `WRONG` (ran but
 *   trapped, threw or computed a wrong checksum); a `WRONG` cell of native or
 *   Capstan makes the exit code 1 (polywasm's are only reported).
 * - Before the timed run each engine is warmed up on a tiny `n`, so native
 *   V8 has tiered up to optimised code and Capstan's dispatch loop is
 *   optimised by V8.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { type Engine, loadEngines } from "./_engines.ts";
import { loadKernels, QUICK } from "./_kernels.ts";
import { loadMicro, loadMicroKernels, microImports } from "./_micro.ts";
import { freshModule, loadBigModule } from "./_big.ts";
import { describeError, isUnsupported } from "./_bench_util.ts";
import {
  type CellSpec,
  type Clock,
  DEFAULT_CLOCK,
  executeCell,
  executeCellIsolated,
  measureRun,
  REPEAT_BUDGET_MS,
} from "./_cell.ts";
import type { OpcodeProfile } from "./opcode_profile.ts";
import {
  fmtNum,
  fmtRatio,
  geomean,
  machineInfo,
  markdownTable,
  mergeBenchmarksMd,
  ratio,
} from "./_report.ts";

/** One measured cell: a time, or why there is none. */
type Cell =
  | { kind: "ok"; ms: number; range?: readonly [min: number, max: number] }
  | { kind: "na"; why: string }
  | { kind: "bad"; why: string };

const args = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    write: { type: "boolean", default: false },
    repeat: { type: "string", default: "1" },
    kernels: { type: "string" },
    "no-extras": { type: "boolean", default: false },
    "in-process": { type: "boolean", default: false },
    wall: { type: "boolean", default: false },
    processes: { type: "string", default: "1" },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (args.values.help) {
  console.log(
    "usage: deno task bench:compare [--quick] [--write] [--repeat N] [--kernels a,b] " +
      "[--no-extras] [--in-process] [--wall] [--processes N]",
  );
  Deno.exit(0);
}

const quick = args.values.quick || QUICK;
const repeat = Math.max(1, Number.parseInt(args.values.repeat ?? "1", 10) || 1);
/**
 * Child processes per isolated cell; the cell's time is the median of theirs.
 * Capstan's dispatch loop is optimised differently from run to run (its
 * figures can be bimodal), so one process can mislead.
 */
const processes = Math.max(1, Number.parseInt(args.values.processes ?? "1", 10) || 1);

/** The clock of every timing. */
const clock: Clock = args.values.wall ? "wall" : DEFAULT_CLOCK;

/** Timed cells run in child processes (fresh isolates) unless quick or `--in-process`. */
const isolate = !quick && !args.values["in-process"];
const only = args.values.kernels?.split(",").map((s) => s.trim()).filter(Boolean);
let failures = 0;

const loadAtStart = loadAverage();
const engines = await loadEngines();
const [native, capstan] = engines;
for (const e of engines) {
  if (e.unavailable !== null) console.error(`note: ${e.name} unavailable: ${e.unavailable}`);
}

/** How a cell's time is taken, for the report. */
const REPEAT_NOTE = `${processes > 1 ? `median over ${processes} processes of the ` : ""}` +
  `fastest of up to ${repeat} runs after a warm-up on a tiny n, ` +
  `${clock === "cpu" ? "process CPU time" : "wall-clock time"}; ` +
  `a cell stops repeating after ${REPEAT_BUDGET_MS / 1000} s`;

/** Warm-up, then the fastest of `repeat` runs (see `measureRun`). */
function measure(warm: () => unknown, fn: () => unknown): number {
  return measureRun(warm, fn, repeat, clock);
}

/**
 * Times one cell and checks its result: in a child process (a fresh isolate)
 * unless `--in-process` or quick mode.
 */
function timeCell(spec: CellSpec, expect: number): Cell {
  const engineName = spec.engine.split("+")[0];
  const engine = engines.find((e) => e.name === engineName);
  if (engine?.unavailable) return { kind: "na", why: engine.unavailable };
  try {
    const times: number[] = [];
    for (let p = 0; p < (isolate ? processes : 1); p++) {
      const r = isolate
        ? executeCellIsolated(spec, repeat, clock)
        : executeCell(engines, spec, repeat, clock);
      if (r.error !== undefined) {
        return r.unsupported ? { kind: "na", why: r.error } : { kind: "bad", why: r.error };
      }
      if (r.got !== expect) return { kind: "bad", why: `result ${r.got}, expected ${expect}` };
      times.push(r.ms!);
    }
    const range = times.length > 1 ? [Math.min(...times), Math.max(...times)] as const : undefined;
    return { kind: "ok", ms: median(times), range };
  } catch (e) {
    return errorCell(e);
  }
}

/** The median of a non-empty list (the lower middle for an even count). */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** The min–max of a cell's per-process times, or an empty string. */
function rangeText(c: Cell): string {
  if (c.kind !== "ok" || c.range === undefined) return "";
  return `${fmtNum(c.range[0], 3)}–${fmtNum(c.range[1], 3)}`;
}

/** A cell for an error: `n/a` when the feature is unsupported, else a failure. */
function errorCell(e: unknown): Cell {
  return isUnsupported(e)
    ? { kind: "na", why: describeError(e) }
    : { kind: "bad", why: describeError(e) };
}

function cellMs(c: Cell): number | null {
  return c.kind === "ok" ? c.ms : null;
}

function cellText(c: Cell, digits = 3): string {
  if (c.kind === "ok") return fmtNum(c.ms, digits);
  if (c.kind === "na") return "n/a";
  return "WRONG";
}

/**
 * Reports a failed cell. Failures of native V8 or Capstan fail the run;
 * polywasm is a reference we do not own, so its failures are only reported.
 */
function note(engine: Engine, what: string, c: Cell): void {
  if (c.kind !== "bad") return;
  if (engine.name === "polywasm") {
    console.error(`warning: polywasm ${what}: ${c.why}`);
    return;
  }
  failures++;
  console.error(`FAIL ${engine.name} ${what}: ${c.why}`);
}

/**
 * The SIMD kernels of `bench/kernels/` (also `simd_bench.ts`'s): file stem,
 * what one pass does, passes per timed run (native: a few ms).
 */
const SIMD_KERNELS: ReadonlyArray<readonly [name: string, what: string, n: number]> = [
  ["simd_dot", "1024 x (2 v128.load, f32x4.mul/add, i32x4.trunc_sat/add)", 5000],
  [
    "simd_bytecount",
    "8 x 1024 x (load, eq, and, 2 extadd_pairwise, add, shl, shuffle, bitmask)",
    200,
  ],
];

/** Passes per SIMD run in quick mode, and the warm-up size. */
const SIMD_QUICK_N = 1;

/** A SIMD cell's text: polywasm's `n/a` says why (it has no SIMD). */
function simdCellText(engine: Engine, c: Cell): string {
  if (c.kind === "na" && engine.name === "polywasm") return "n/a (no SIMD)";
  return cellText(c);
}

/** `@capstan/runtime`, a variable so the profiler's import stays dynamic. */
const CAPSTAN_RUNTIME_SPECIFIER = "@capstan/runtime";

const sections: string[] = [];
const print = (text: string) => {
  console.log(text);
  sections.push(text);
};

// 1. Corpus kernels.
{
  const kernels = loadKernels().filter((k) => only === undefined || only.includes(k.name));
  const rows: string[][] = [];
  const cn: (number | null)[] = [];
  const cp: (number | null)[] = [];
  const pn: (number | null)[] = [];
  for (const kernel of kernels) {
    const n = quick ? kernel.quickN : kernel.n;
    const expect = quick ? native.instantiate(kernel.bytes).run(n) : kernel.expect;
    const cells = engines.map((e) => {
      const spec = { engine: e.name, target: `corpus:${kernel.name}`, mode: "run", n } as const;
      const c = timeCell({ ...spec, warmN: kernel.quickN }, expect);
      note(e, kernel.name, c);
      return c;
    });
    const [tn, tc, tp] = cells.map(cellMs);
    const r = [ratio(tc, tn), ratio(tc, tp), ratio(tp, tn)];
    cn.push(r[0]);
    cp.push(r[1]);
    pn.push(r[2]);
    const row = [kernel.name, String(n), ...cells.map((c) => cellText(c)), ...r.map(fmtRatio)];
    if (processes > 1 && isolate) row.push(rangeText(cells[1]));
    rows.push(row);
    console.error(`  ${kernel.name}: ${cells.map((c, i) => `${engines[i].name} ${cellText(c)}`)}`);
  }
  const means = [geomean(cn), geomean(cp), geomean(pn)];
  rows.push([
    "**geomean**",
    "",
    "",
    "",
    "",
    ...means.map((g) => `${fmtRatio(g.mean)}${g.count < kernels.length ? ` (${g.count})` : ""}`),
    ...(processes > 1 && isolate ? [""] : []),
  ]);
  print(
    "## Execution: corpus kernels\n\n" +
      `Time of one \`run(n)\` in ms (${REPEAT_NOTE}; ` +
      (isolate ? "each cell in its own process), " : "all cells in one process), ") +
      "checksum checked " +
      (quick ? "against native (quick mode, tiny n).\n\n" : "against `kernels.json`.\n\n") +
      markdownTable(
        [
          "kernel",
          "n",
          "native ms",
          "Capstan ms",
          "polywasm ms",
          "Capstan/native",
          "Capstan/polywasm",
          "polywasm/native",
          ...(processes > 1 && isolate ? ["Capstan range ms"] : []),
        ],
        rows,
      ) +
      (processes > 1 && isolate
        ? "\nCapstan range: the fastest and slowest of its processes' times (repeatability).\n"
        : ""),
  );
}

if (!args.values["no-extras"]) {
  // 1b. SIMD kernels (`bench/kernels/simd_*.wat`): the same cells as the corpus kernels.
  {
    const rows: string[][] = [];
    for (const [name, what, fullN] of SIMD_KERNELS) {
      const n = quick ? SIMD_QUICK_N : fullN;
      const expect = native.instantiate(loadMicro(name, "").bytes).run(n);
      const cells = engines.map((e) => {
        const spec = { engine: e.name, target: `micro:${name}`, mode: "run", n } as const;
        const c = timeCell({ ...spec, warmN: SIMD_QUICK_N }, expect);
        note(e, `simd ${name}`, c);
        return c;
      });
      const [tn, tc] = cells.map(cellMs);
      rows.push([
        name,
        String(n),
        ...cells.map((c, i) => simdCellText(engines[i], c)),
        fmtRatio(ratio(tc, tn)),
        String(expect >>> 0),
        what,
      ]);
      console.error(`  ${name}: ${cells.map((c, i) => `${engines[i].name} ${cellText(c)}`)}`);
    }
    print(
      "## SIMD kernels (`bench/kernels/simd_*.wat`)\n\n" +
        `Time of one \`run(n)\` in ms (${REPEAT_NOTE}; ` +
        (isolate ? "each cell in its own process), " : "all cells in one process), ") +
        "each engine's result checked against native's checksum for the same n" +
        (quick ? " (quick mode, tiny n)" : "") +
        ". polywasm has no SIMD support.\n\n" +
        markdownTable(
          [
            "kernel",
            "n",
            "native ms",
            "Capstan ms",
            "polywasm ms",
            "Capstan/native",
            "checksum",
            "one pass of run(n)",
          ],
          rows,
        ),
    );
  }

  // 2. Dispatch microkernels.
  {
    const rows: string[][] = [];
    for (const micro of loadMicroKernels()) {
      const n = micro.n;
      const expect = native.instantiate(micro.bytes, microImports()).run(n);
      const cells = engines.map((e) => {
        const target = `micro:${micro.name}`;
        const c = timeCell({ engine: e.name, target, mode: "run", n, warmN: 1000 }, expect);
        note(e, `dispatch ${micro.name}`, c);
        return c;
      });
      const count = countWith(capstan.hooks.countInstructions, micro.bytes, n, expect);
      const ops = countWith(capstan.hooks.countWasmOperators, micro.bytes, n, expect);
      const [tn, tc, tp] = cells.map(cellMs);
      const per = (
        t: number | null,
        k: number | null,
      ) => (t === null || k === null ? null : (t * 1e6) / k);
      rows.push([
        micro.name,
        fmtNum(per(tn, n)),
        fmtNum(per(tc, n)),
        fmtNum(per(tp, n)),
        ops === null ? "n/a" : fmtNum(ops / n),
        fmtNum(per(tn, ops)),
        fmtNum(per(tc, ops)),
        count === null ? "n/a" : fmtNum(count / n),
        fmtNum(per(tc, count)),
        fmtRatio(ratio(tc, tn)),
        micro.what,
      ]);
    }
    print(
      "## Dispatch microkernels (`bench/kernels/*.wat`)\n\n" +
        "ns per loop iteration, and per executed instruction. Wasm ops/iter is what one iteration " +
        "executes in wasm operators, read from Capstan's fuel counter (wasmtime's rule: `nop`, " +
        "`drop`, `block`, `loop`, `end`, `else` are free); VM instrs/iter is what Capstan's " +
        "bytecode executes for them, read from its instruction counter (super-instructions make " +
        "it smaller). Both are counted, never estimated.\n\n" +
        markdownTable(
          [
            "kernel",
            "native ns/iter",
            "Capstan ns/iter",
            "polywasm ns/iter",
            "wasm ops/iter",
            "native ns/wasm op",
            "Capstan ns/wasm op",
            "VM instrs/iter",
            "Capstan ns/VM instr",
            "Capstan/native",
            "loop body",
          ],
          rows,
        ),
    );
  }

  // 3. Translation speed.
  {
    const big = quick ? "skipped in quick mode" : await loadBigModule();
    const largest = loadKernels().reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
    const modules: [string, Uint8Array | string, string][] = [
      ["big module", big, "big"],
      [`kernel ${largest.name}`, largest.bytes, largest.path],
    ];
    const rows: string[][] = [];
    for (const [label, bytes, eagerArg] of modules) {
      if (typeof bytes === "string") {
        rows.push([label, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", bytes]);
        continue;
      }
      const mbps = (c: Cell) => (c.kind === "ok" ? bytes.length / 1e6 / (c.ms / 1e3) : null);
      const fresh = freshModule(bytes);
      const cells = engines.map((e) => {
        const c = timeCompile(e.unavailable, () => {
          fresh.bump();
          e.compile(fresh.bytes);
        });
        note(e, `translate ${label}`, c);
        return c;
      });
      const eager = nativeEager(eagerArg);
      note(native, `eager translate ${label}`, eager);
      const stage = (fn: ((b: Uint8Array) => unknown) | undefined, what: string): Cell => {
        if (fn === undefined) return { kind: "na", why: `no ${what} stage` };
        const c = timeCompile(null, () => {
          fresh.bump();
          fn(fresh.bytes);
        });
        note(capstan, `${what} ${label}`, c);
        return c;
      };
      const decode = stage(capstan.hooks.decodeValidate, "translateModule");
      const whole = stage(capstan.hooks.translateAndCompile, "translateModule+compileModule");
      rows.push([
        label,
        fmtNum(bytes.length / 1e6),
        fmtNum(mbps(cells[0])),
        fmtNum(mbps(eager)),
        fmtNum(mbps(cells[1])),
        fmtNum(mbps(decode)),
        fmtNum(mbps(whole)),
        fmtNum(mbps(cells[2])),
        [
          ...cells.map((c, i) => [engines[i].name, c] as const),
          ["native eager", eager] as const,
          [
            "Capstan translate+compile",
            whole,
          ] as const,
        ]
          .map(([name, c]) => `${name} ${c.kind === "ok" ? `${cellText(c)} ms` : cellText(c)}`)
          .join(", "),
      ]);
    }
    print(
      "## Translation\n\n" +
        "MB/s of module bytes (each compilation sees bytes made unique by a counter in a " +
        "custom section, so no cache answers). `new Module` is what each engine does when asked " +
        "for a module: native V8 and polywasm compile function bodies lazily (on first call), " +
        "so theirs is an upper bound on eager speed, and Capstan's runtime may defer lowering " +
        'to the first instantiation. "native eager" is V8 compiling every function up front ' +
        "(Liftoff; a child process with `--no-wasm-lazy-compilation`). The Capstan stage " +
        "columns call the public packages directly: " +
        "`translateModule` (decode + validate) and `translateModule` + `compileModule` (every " +
        "function lowered to bytecode).\n\n" +
        markdownTable(
          [
            "module",
            "MB",
            "native new Module",
            "native eager",
            "Capstan new Module",
            "Capstan decode+validate",
            "Capstan translate+compile",
            "polywasm new Module",
            "times",
          ],
          rows,
        ),
    );
  }

  // 4. Call overheads, fuel and epochs.
  {
    const rows: string[][] = [];
    const host = loadMicro("host_call", "");
    const hostExpect = native.instantiate(host.bytes, microImports()).run(host.n);
    const hostCells = engines.map((e) => {
      const spec = { engine: e.name, target: "micro:host_call", mode: "run", n: host.n } as const;
      const c = timeCell({ ...spec, warmN: 1000 }, hostExpect);
      note(e, "host call", c);
      return c;
    });
    rows.push(["host call from wasm (ns/call)", ...perCall(hostCells, host.n)]);
    const js = loadMicro("js_call", "");
    const jsExpect = native.instantiate(js.bytes).run(js.n);
    const jsCells = engines.map((e) => {
      const spec = { engine: e.name, target: "micro:js_call", mode: "jscall", n: js.n } as const;
      const c = timeCell({ ...spec, warmN: 1000 }, jsExpect);
      note(e, "wasm call from JS", c);
      return c;
    });
    rows.push(["wasm call from JS (ns/call)", ...perCall(jsCells, js.n)]);
    const loopKernel = loadKernels().find((k) => k.name === "loop_wat")!;
    const fibKernel = loadKernels().find((k) => k.name === "fib_wat")!;
    for (const kernel of [loopKernel, fibKernel]) {
      const n = quick ? kernel.quickN : kernel.benchN;
      const expect = native.instantiate(kernel.bytes).run(n);
      const variant = (setting: "off" | "fuel" | "epochs"): Cell =>
        timeCell({
          engine: `capstan+${setting}`,
          target: `corpus:${kernel.name}`,
          mode: "run",
          n,
          warmN: kernel.quickN,
        }, expect);
      const off = variant("off");
      note(capstan, `fuel/epochs off on ${kernel.name}`, off);
      for (const what of ["fuel", "epochs"] as const) {
        const on = variant(what);
        note(capstan, `${what} on ${kernel.name}`, on);
        const overhead = ratio(cellMs(on), cellMs(off));
        rows.push([
          `Capstan ${what} on/off, ${kernel.name} n=${n}`,
          "",
          overhead === null
            ? "n/a"
            : `${fmtNum((overhead - 1) * 100)}% (${cellText(on)} vs ${cellText(off)} ms)`,
          "",
        ]);
      }
    }
    print(
      "## Overheads\n\n" +
        markdownTable(["what", "native", "Capstan", "polywasm"], rows),
    );
  }
}

/**
 * Which code was measured: `CAPSTAN_BENCH_COMMIT` when set (a clean export
 * made by `bench/compare_commit.sh`), else the checkout's commit and whether
 * its working tree had uncommitted changes.
 */
function codeVersion(): string {
  const pinned = Deno.env.get("CAPSTAN_BENCH_COMMIT");
  if (pinned) return `commit \`${pinned}\` (clean export)`;
  try {
    const git = (...a: string[]) =>
      new TextDecoder().decode(
        new Deno.Command("git", { args: a, cwd: new URL("..", import.meta.url).pathname })
          .outputSync().stdout,
      ).trim();
    const head = git("rev-parse", "--short", "HEAD");
    if (head === "") return "unknown";
    const dirty = git("status", "--porcelain", "--untracked-files=no") !== "";
    return `commit \`${head}\`${dirty ? " plus uncommitted changes in the checkout" : ""}`;
  } catch {
    return "unknown";
  }
}

function loadAverage(): string {
  try {
    return Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

function perCall(cells: Cell[], n: number): string[] {
  return cells.map((c) => fmtNum(c.kind === "ok" ? (c.ms * 1e6) / n : null));
}

/** Native V8's eager compilation time, from `_native_eager.ts` in a child process. */
function nativeEager(what: string): Cell {
  try {
    const script = new URL("./_native_eager.ts", import.meta.url).pathname;
    const out = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--no-wasm-lazy-compilation",
        script,
        what,
        String(Math.max(2, repeat)),
      ],
      stderr: "inherit",
    }).outputSync();
    const result = JSON.parse(new TextDecoder().decode(out.stdout).trim()) as {
      ms?: number;
      error?: string;
    };
    return result.ms !== undefined
      ? { kind: "ok", ms: result.ms }
      : { kind: "na", why: result.error ?? "no result" };
  } catch (e) {
    return { kind: "bad", why: describeError(e) };
  }
}

/** Times `compile` (fastest of `repeat`), or `n/a` when `unavailable` gives a reason. */
function timeCompile(unavailable: string | null, compile: () => unknown): Cell {
  if (unavailable !== null) return { kind: "na", why: unavailable };
  try {
    // Warm-up: one untimed run, then more while they are cheap (under 30 ms in all),
    // so the translator's own JS is optimised before timing.
    const t0 = performance.now();
    compile();
    if (performance.now() - t0 < 10) measure(compile, () => {});
    return { kind: "ok", ms: measure(() => {}, compile) };
  } catch (e) {
    return errorCell(e);
  }
}

/** Runs one of Capstan's counting hooks; `null` (with a note) when it is absent or fails. */
function countWith(
  hook: ((bytes: Uint8Array, n: number, expect: number) => number) | undefined,
  bytes: Uint8Array,
  n: number,
  expect: number,
): number | null {
  if (capstan.unavailable !== null || hook === undefined) return null;
  try {
    return hook(bytes, n, expect);
  } catch (e) {
    console.error(`note: counting run failed: ${describeError(e)}`);
    return null;
  }
}

// 5. Dynamic opcode profile (Capstan only): candidates for super-instructions.
if (!args.values["no-extras"]) {
  let text: string;
  if (capstan.unavailable !== null) {
    text = "n/a: Capstan does not execute yet.\n";
  } else {
    text = await opcodeProfileSection();
  }
  print(
    "## Capstan dynamic opcode profile (super-instruction candidates)\n\n" +
      "From `bench/opcode_profile.ts`: each kernel at its tiny n, compiled with the VM's " +
      "instruction counter; per-segment execution counts come from the counter (one run per " +
      "straight-line segment with only that segment counted), so the counts are exact. Shares " +
      "are averaged over kernels (each kernel weighs the same). Pairs are adjacent bytecode " +
      "ops inside a segment; pairs across a taken branch are not seen.\n\n" + text,
  );
}

async function opcodeProfileSection(): Promise<string> {
  try {
    const profiler = await import("./opcode_profile.ts");
    const runtime = await import(CAPSTAN_RUNTIME_SPECIFIER);
    const profiles: OpcodeProfile[] = [];
    const rows: string[][] = [];
    for (const kernel of loadKernels().filter((k) => only === undefined || only.includes(k.name))) {
      const n = kernel.quickN;
      const expect = native.instantiate(kernel.bytes).run(n);
      try {
        const p = profiler.profileKernel(runtime, kernel.bytes, n, expect);
        profiles.push(p);
        const head = profiler.topEntries(p.ops, 4)
          .map(([k, c]) => `${k} ${fmtNum((100 * c) / p.total)}%`).join(", ");
        const pairs = profiler.topEntries(p.pairs, 3)
          .map(([k, c]) => `${k} ${fmtNum((100 * c) / p.total)}%`).join(", ");
        const check = p.reconstructed === p.total ? "exact" : `MISMATCH (${p.reconstructed})`;
        rows.push([kernel.name, String(n), fmtNum(p.total), check, head, pairs]);
      } catch (e) {
        failures++;
        console.error(`FAIL profile ${kernel.name}: ${describeError(e)}`);
        rows.push([kernel.name, String(n), "n/a", "WRONG", describeError(e), ""]);
      }
    }
    const share = (pick: "ops" | "pairs") =>
      markdownTable(
        [pick === "ops" ? "op" : "pair", "mean share %"],
        profiler.meanShares(profiles, pick).slice(0, 25).map((
          [k, v],
        ) => [`\`${k}\``, fmtNum(100 * v)]),
      );
    const headers = ["kernel", "n", "VM instrs", "segments check", "top ops", "top pairs"];
    return markdownTable(headers, rows) +
      `\nTop ops:\n\n${share("ops")}\nTop adjacent pairs:\n\n${share("pairs")}`;
  } catch (e) {
    return `n/a: profiler failed: ${describeError(e)}\n`;
  }
}

// Header, and BENCHMARKS.md.
const m = machineInfo();
const pinnedCommit = Deno.env.get("CAPSTAN_BENCH_COMMIT");
const command =
  (pinnedCommit ? `bench/compare_commit.sh ${pinnedCommit}` : "deno task bench:compare") +
  (Deno.args.length ? " " + Deno.args.join(" ") : "");
const when = new Date().toISOString().replace(/\.\d+Z$/, "Z");
const capstanStatus = capstan.unavailable === null
  ? "runnable"
  : `**not yet runnable** (${capstan.unavailable.replaceAll("`", "'")})`;
const header = `# Capstan benchmarks

Generated by \`${command}\` on ${when}.
Everything above "History" is rewritten by \`deno task bench:compare --write\`; the History
section is kept.

- Code measured: ${codeVersion()}.
- Machine: ${m.cpu}, ${m.cores} logical cores, ${m.os}.
- Runtime: Deno ${m.deno}, V8 ${m.v8}.
- Load average (1/5/15 min) at start: ${loadAtStart}; at end: ${loadAverage()}. The machine
  is shared, so figures measured under load carry noise; compare ratios, not milliseconds.
- native: V8's own \`WebAssembly\` (Liftoff, then TurboFan), the baseline.
- Capstan: \`@capstan/runtime\`'s \`WebAssembly\` facade: ${capstanStatus}.
- polywasm: \`npm:polywasm@0.2.0\`, a pure-JS engine that translates each wasm function to
  JavaScript (lazily, on first call) and lets V8 optimise it; i64 values are BigInts.
- Times are ${clock === "cpu" ? "process CPU time (user + system)" : "wall-clock time"}: ${
  clock === "cpu"
    ? "on this shared machine CPU time varies far less under other load than elapsed time does " +
      "(\`--wall\` for elapsed time)"
    : "disturbed by any other load on the machine"
}.
- Ratios are time over time (above 1: the first engine named is slower). Geomeans cover the
  kernels where both engines produced a checked result (their count in parentheses when
  fewer than all). \`WRONG\` means the engine ran but trapped or returned a wrong checksum.
- Finer-grained figures: \`deno task bench\` (\`bench/*_bench.ts\`, one group per question).
`;

console.log(
  `\n${m.cpu} x${m.cores}, Deno ${m.deno}, V8 ${m.v8}; ${codeVersion()}; Capstan ${capstanStatus}`,
);

if (args.values.write) {
  const path = new URL("../BENCHMARKS.md", import.meta.url).pathname;
  let old: string | null = null;
  try {
    old = Deno.readTextFileSync(path);
  } catch {
    old = null;
  }
  Deno.writeTextFileSync(path, mergeBenchmarksMd(header + "\n" + sections.join("\n"), old));
  // Keep the file as `deno fmt --check` wants it (CI checks formatting).
  const fmt = new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", path] }).outputSync();
  if (!fmt.success) console.error(`warning: deno fmt ${path} failed`);
  console.log(`wrote ${path}`);
}

if (failures > 0) {
  console.error(`${failures} failed measurement(s)`);
  Deno.exit(1);
}
