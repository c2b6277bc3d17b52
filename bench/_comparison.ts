/**
 * One run of `compare.ts`: its settings, the engines it compares, how it
 * times a cell, and the failures it has seen. Each table section receives the
 * {@link Comparison} and returns its Markdown.
 *
 * Invariants:
 * - A `bad` outcome of native V8 or Capstan is a failure (the run exits 1);
 *   polywasm's are only reported, since it is a reference we do not own.
 * - A timed cell runs in a child process (a fresh isolate) unless the run is
 *   quick or in-process; with `processes` above 1 its time is the median of
 *   that many children, each the fastest of up to `repeat` runs after a
 *   warm-up.
 *
 * @module
 */

import type { Engine } from "./_engines.ts";
import {
  type CellSpec,
  type Clock,
  executeCell,
  executeCellIsolated,
  measureRun,
  REPEAT_BUDGET_MS,
} from "./_cell.ts";
import { errorOutcome, median, type Outcome, outcomeText } from "./_compare_outcome.ts";

/** The settings of a run, from `compare.ts`'s flags. */
export interface CompareOptions {
  /** Tiny sizes, checksums checked against a native run, every cell in-process. */
  readonly quick: boolean;
  /** Rewrite `BENCHMARKS.md`. */
  readonly write: boolean;
  /** Timed runs per cell; the fastest is kept. */
  readonly repeat: number;
  /**
   * Child processes per isolated cell; the cell's time is the median of theirs.
   * Capstan's dispatch loop is optimised differently from run to run (its
   * figures can be bimodal), so one process can mislead.
   */
  readonly processes: number;
  /** The clock of every timing. */
  readonly clock: Clock;
  /** Timed cells run in child processes (fresh isolates). */
  readonly isolate: boolean;
  /** Only these corpus kernels (all when undefined). */
  readonly only: readonly string[] | undefined;
  /** The sections after the corpus kernels' table. */
  readonly extras: boolean;
}

/** The first columns of a `run(n)` table: the kernel, its `n`, each engine's time, the ratio. */
export const RUN_TABLE_HEADERS: readonly string[] = [
  "kernel",
  "n",
  "native ms",
  "Capstan ms",
  "polywasm ms",
  "Capstan/native",
];

/** What to time in one cell of every engine. */
export type EngineCellSpec = Omit<CellSpec, "engine">;

/** The state of one comparison run, shared by its sections. */
export class Comparison {
  /** The run's settings. */
  readonly options: CompareOptions;
  /** The engines compared, in table order: native, Capstan, polywasm. */
  readonly engines: readonly Engine[];
  /** Native V8, the baseline. */
  readonly native: Engine;
  /** Capstan. */
  readonly capstan: Engine;
  #failures = 0;

  /**
   * Starts a run.
   *
   * @param options the run's settings
   * @param engines native, Capstan and polywasm, in that order
   */
  constructor(options: CompareOptions, engines: readonly Engine[]) {
    this.options = options;
    this.engines = engines;
    [this.native, this.capstan] = engines;
  }

  /** Failed measurements so far. */
  get failures(): number {
    return this.#failures;
  }

  /**
   * Records a failed measurement and prints `FAIL` with `message`.
   *
   * @param message the engine and what failed, with the reason
   */
  fail(message: string): void {
    this.#failures++;
    console.error(`FAIL ${message}`);
  }

  /**
   * Reports a `bad` outcome: a failure of native V8 or Capstan, a warning for polywasm.
   *
   * @param engine the engine measured
   * @param what what was measured
   * @param c the outcome
   */
  note(engine: Engine, what: string, c: Outcome): void {
    if (c.kind !== "bad") return;
    if (engine.name === "polywasm") {
      console.error(`warning: polywasm ${what}: ${c.why}`);
      return;
    }
    this.fail(`${engine.name} ${what}: ${c.why}`);
  }

  /**
   * Warm-up, then the fastest of `repeat` runs (see `measureRun`).
   *
   * @param warm the warm-up call
   * @param fn the timed call
   * @returns the fastest time in ms
   */
  measure(warm: () => unknown, fn: () => unknown): number {
    return measureRun(warm, fn, this.options.repeat, this.options.clock);
  }

  /**
   * Times one cell and checks its result: in child processes (fresh isolates)
   * unless in-process or quick.
   *
   * @param spec what to time
   * @param expect the result the timed call must return
   * @returns the outcome
   */
  timeCell(spec: CellSpec, expect: number): Outcome {
    const { repeat, clock, isolate, processes } = this.options;
    const engineName = spec.engine.split("+")[0];
    const engine = this.engines.find((e) => e.name === engineName);
    if (engine?.unavailable) return { kind: "na", why: engine.unavailable };
    try {
      const times: number[] = [];
      for (let p = 0; p < (isolate ? processes : 1); p++) {
        const r = isolate
          ? executeCellIsolated(spec, repeat, clock)
          : executeCell(this.engines, spec, repeat, clock);
        if (r.error !== undefined) {
          return r.unsupported ? { kind: "na", why: r.error } : { kind: "bad", why: r.error };
        }
        if (r.got !== expect) return { kind: "bad", why: `result ${r.got}, expected ${expect}` };
        times.push(r.ms!);
      }
      const range = times.length > 1
        ? [Math.min(...times), Math.max(...times)] as const
        : undefined;
      return { kind: "ok", ms: median(times), range };
    } catch (e) {
      return errorOutcome(e);
    }
  }

  /**
   * Times the same cell on every engine, reporting each bad outcome as `what`.
   *
   * @param spec what to time
   * @param expect the result the timed call must return
   * @param what the measurement's name in failure reports
   * @returns one outcome per engine, in table order
   */
  timeEngines(spec: EngineCellSpec, expect: number, what: string): Outcome[] {
    return this.engines.map((e) => {
      const c = this.timeCell({ engine: e.name, ...spec }, expect);
      this.note(e, what, c);
      return c;
    });
  }

  /**
   * Prints a progress line: each engine's time for `name`.
   *
   * @param name the kernel
   * @param cells one outcome per engine
   */
  logCells(name: string, cells: readonly Outcome[]): void {
    console.error(
      `  ${name}: ${cells.map((c, i) => `${this.engines[i].name} ${outcomeText(c)}`)}`,
    );
  }

  /** How a cell's time is taken, for the report. */
  repeatNote(): string {
    const { processes, repeat, clock } = this.options;
    return `${processes > 1 ? `median over ${processes} processes of the ` : ""}` +
      `fastest of up to ${repeat} runs after a warm-up on a tiny n, ` +
      `${clock === "cpu" ? "process CPU time" : "wall-clock time"}; ` +
      `a cell stops repeating after ${REPEAT_BUDGET_MS / 1000} s`;
  }

  /** The opening of a `run(n)` table's caption: what a time is and where cells ran. */
  runTimeCaption(): string {
    return `Time of one \`run(n)\` in ms (${this.repeatNote()}; ` +
      (this.options.isolate ? "each cell in its own process), " : "all cells in one process), ");
  }
}
