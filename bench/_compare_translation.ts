/**
 * The "Translation" section of `compare.ts`: MB/s of module bytes for the
 * big module and the corpus's largest kernel, through each engine's
 * `new Module`, V8's eager compilation, and Capstan's stages on their own
 * (decode + validate; translate + compile every function).
 *
 * Invariants:
 * - Each compilation sees bytes made unique by a counter in a custom section
 *   (`freshModule`), so no cache answers.
 * - V8's eager compilation is timed in a child process
 *   (`_native_eager.ts`, `--no-wasm-lazy-compilation`).
 *
 * @module
 */

import { loadKernels } from "./_kernels.ts";
import { freshModule, loadBigModule } from "./_big.ts";
import { describeError } from "./_bench_util.ts";
import type { Comparison } from "./_comparison.ts";
import { errorOutcome, type Outcome, outcomeText } from "./_compare_outcome.ts";
import { fmtNum, markdownTable } from "./_report.ts";

/** Native V8's eager compilation time, from `_native_eager.ts` in a child process. */
function nativeEager(what: string, repeat: number): Outcome {
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
function timeCompile(
  run: Comparison,
  unavailable: string | null,
  compile: () => unknown,
): Outcome {
  if (unavailable !== null) return { kind: "na", why: unavailable };
  try {
    // Warm-up: one untimed run, then more while they are cheap (under 30 ms in all),
    // so the translator's own JS is optimised before timing.
    const t0 = performance.now();
    compile();
    if (performance.now() - t0 < 10) run.measure(compile, () => {});
    return { kind: "ok", ms: run.measure(() => {}, compile) };
  } catch (e) {
    return errorOutcome(e);
  }
}

/** One table row: the translation speeds of `bytes`, labelled `label`. */
function translationRow(
  run: Comparison,
  label: string,
  bytes: Uint8Array,
  eagerArg: string,
): string[] {
  const { engines, native, capstan } = run;
  const mbps = (c: Outcome) => (c.kind === "ok" ? bytes.length / 1e6 / (c.ms / 1e3) : null);
  const fresh = freshModule(bytes);
  const cells = engines.map((e) => {
    const c = timeCompile(run, e.unavailable, () => {
      fresh.bump();
      e.compile(fresh.bytes);
    });
    run.note(e, `translate ${label}`, c);
    return c;
  });
  const eager = nativeEager(eagerArg, run.options.repeat);
  run.note(native, `eager translate ${label}`, eager);
  const stage = (fn: ((b: Uint8Array) => unknown) | undefined, what: string): Outcome => {
    if (fn === undefined) return { kind: "na", why: `no ${what} stage` };
    const c = timeCompile(run, null, () => {
      fresh.bump();
      fn(fresh.bytes);
    });
    run.note(capstan, `${what} ${label}`, c);
    return c;
  };
  const decode = stage(capstan.hooks.decodeValidate, "translateModule");
  const whole = stage(capstan.hooks.translateAndCompile, "translateModule+compileModule");
  const times: (readonly [string, Outcome])[] = [
    ...cells.map((c, i) => [engines[i].name, c] as const),
    ["native eager", eager],
    ["Capstan translate+compile", whole],
  ];
  return [
    label,
    fmtNum(bytes.length / 1e6),
    fmtNum(mbps(cells[0])),
    fmtNum(mbps(eager)),
    fmtNum(mbps(cells[1])),
    fmtNum(mbps(decode)),
    fmtNum(mbps(whole)),
    fmtNum(mbps(cells[2])),
    times
      .map(([name, c]) => `${name} ${c.kind === "ok" ? `${outcomeText(c)} ms` : outcomeText(c)}`)
      .join(", "),
  ];
}

/**
 * Measures translation speed and writes its table.
 *
 * @param run the comparison run
 * @returns the section's Markdown
 */
export async function translationSection(run: Comparison): Promise<string> {
  const big = run.options.quick ? "skipped in quick mode" : await loadBigModule();
  const largest = loadKernels().reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
  const modules: [string, Uint8Array | string, string][] = [
    ["big module", big, "big"],
    [`kernel ${largest.name}`, largest.bytes, largest.path],
  ];
  const rows = modules.map(([label, bytes, eagerArg]) =>
    typeof bytes === "string"
      ? [label, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", bytes]
      : translationRow(run, label, bytes, eagerArg)
  );
  return "## Translation\n\n" +
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
    );
}
