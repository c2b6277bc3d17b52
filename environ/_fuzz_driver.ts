/**
 * The differential fuzz loop: mutates corpus modules, checks each mutant with
 * the subject under test (environ's `translateModule`/`validate`) and with the
 * native `WebAssembly.validate` of the same Deno, and gathers a report.
 *
 * Checks per input:
 * - the subject throws nothing but its `CompileError` (anything else is a crash);
 * - accept/reject equals native `WebAssembly.validate`, or the disagreement is
 *   explained by a rule of `_fuzz_classify.ts` (else it is unexplained);
 * - `validate()` agrees with `translateModule()` (checked on every 4th input);
 * - on modules both accept, the imports, exports and custom sections environ
 *   decoded equal what `WebAssembly.Module.imports/exports/customSections` see;
 * - decode time is linear in size: an input whose time per byte is far above
 *   the run's median (after re-timing it) is a timing outlier.
 *
 * Invariants:
 * - Mutant `i` of seed `s` depends only on `(s, i)` and the corpus, so any
 *   finding can be regenerated alone (`--seed s --only i`).
 * - Findings carry their bytes; {@link saveFinding} writes them to `.fuzz/`.
 *
 * @module
 */

import type { CorpusEntry } from "./_fuzz_corpus.ts";
import { classifyDisagreement, type EnvironVerdict } from "./_fuzz_classify.ts";
import { makeMutant } from "./_fuzz_mutate.ts";
import { readLeb, scanSections } from "./_fuzz_wasm.ts";

/**
 * What the JS API can see of a module: its imports, exports and custom sections, in
 * order. Comparing it with `WebAssembly.Module.imports/exports/customSections` checks
 * the decoder's output, not only its verdict.
 */
export interface ModuleShape {
  /** `module`, `name`, `kind` (JS-API kind names: `function`, `table`, `memory`, `global`). */
  readonly imports: readonly { module: string; name: string; kind: string }[];
  /** `name`, `kind`. */
  readonly exports: readonly { name: string; kind: string }[];
  /** Custom sections: name and payload bytes. */
  readonly customs: readonly { name: string; data: Uint8Array }[];
}

/** The implementation under test. */
export interface FuzzSubject {
  /** Decodes and validates; throws on rejection; returns the translation. */
  translate(bytes: Uint8Array): unknown;
  /** The JS-visible shape of a translation, when the subject can tell it. */
  shape?(translation: unknown): ModuleShape;
  /** The boolean form; must agree with `translate`. */
  validate(bytes: Uint8Array): boolean;
  /** The error the subject is allowed to throw for bad input; `undefined` if `e` is not one. */
  compileError(e: unknown): { offset: number; reason: string } | undefined;
}

/** One notable input. */
export interface Finding {
  /** Mutant index, or `-1 - i` for the i-th unmutated corpus module. */
  readonly index: number;
  /** The corpus module it came from. */
  readonly source: string;
  /** The edits that made it. */
  readonly edits: readonly string[];
  /** Its bytes. */
  readonly bytes: Uint8Array;
  /** What went wrong (or the class of a disagreement). */
  readonly detail: string;
}

/** Options of one fuzz run. */
export interface FuzzOptions {
  /** The run seed. */
  readonly seed: number;
  /** How many mutants to make. */
  readonly count: number;
  /** Stop after this many seconds even if `count` is not reached. */
  readonly timeSeconds?: number;
  /** Also check every corpus module unmutated, before the mutants. */
  readonly checkCorpus?: boolean;
  /** Only this mutant index (for reproduction). */
  readonly only?: number;
  /** Called with progress lines. */
  readonly log?: (line: string) => void;
  /** Called with each input before it is checked (used to save `--only` inputs first). */
  readonly beforeCheck?: (index: number, bytes: Uint8Array) => void;
  /** Shared watchdog state (see `_fuzz_watchdog.ts`). */
  readonly watchdog?: Int32Array;
}

/** Timing figures of a run. */
export interface TimingSummary {
  /** Median ns/byte over inputs of at least {@link TIMING_MIN_BYTES}. */
  readonly medianNsPerByte: number;
  /** Largest ns/byte over inputs of at least {@link TIMING_MIN_BYTES} (slow ones re-timed). */
  readonly maxNsPerByte: number;
  /** Size in bytes of the input with {@link maxNsPerByte}. */
  readonly maxNsPerByteSize: number;
  /** Largest time of one input, in ms, after re-timing the slow ones. */
  readonly maxMs: number;
}

/** The result of a run. */
export interface FuzzReport {
  /** Mutants checked. */
  mutants: number;
  /** Unmutated corpus modules checked. */
  corpusChecked: number;
  /** Inputs both sides accepted. */
  bothAccept: number;
  /** Inputs both sides rejected. */
  bothReject: number;
  /** Explained disagreements, by class. */
  readonly explained: Map<string, number>;
  /** environ's rejection reasons over all inputs it rejected (what the run exercised). */
  readonly rejectReasons: Map<string, number>;
  /** One example input per explained class. */
  readonly examples: Map<string, Finding>;
  /** Disagreements no rule explains. */
  readonly unexplained: Finding[];
  /** Throws other than the subject's CompileError (or bad CompileError offsets). */
  readonly crashes: Finding[];
  /** Inputs where `validate()` and `translateModule()` disagree. */
  readonly validateMismatches: Finding[];
  /** Accepted inputs whose imports/exports/custom sections differ from native's. */
  readonly outputMismatches: Finding[];
  /** Inputs whose decode time per byte is far above the median. */
  readonly outliers: Finding[];
  /** Timing figures. */
  timing: TimingSummary;
  /** Wall time of the run, in seconds. */
  seconds: number;
}

/** Inputs smaller than this are left out of the ns/byte median (fixed costs dominate them). */
export const TIMING_MIN_BYTES = 1024;
/** An input is a timing outlier when its re-timed ns/byte exceeds the median by this factor... */
export const OUTLIER_FACTOR = 25;
/** ...and it takes at least this long, in ms (shorter times are too noisy to judge). */
export const OUTLIER_FLOOR_MS = 2;
/** Inputs that take at least this long (ms) on first timing are re-timed before they count. */
const RETIME_MS = 0.2;
/** At most this many slow inputs are kept for re-timing. */
const MAX_SLOW = 64;

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`.slice(0, 300);
  return `non-Error throw: ${String(e)}`.slice(0, 300);
}

/** Runs the subject on one input, returning its verdict, the time, or a crash description. */
function check(
  subject: FuzzSubject,
  bytes: Uint8Array,
): { verdict: EnvironVerdict; ms: number; crash?: string; translation?: unknown } {
  const t0 = performance.now();
  try {
    const translation = subject.translate(bytes);
    return { verdict: { accepted: true }, ms: performance.now() - t0, translation };
  } catch (e) {
    const ms = performance.now() - t0;
    const ce = subject.compileError(e);
    if (ce === undefined) return { verdict: { accepted: false }, ms, crash: describe(e) };
    if (!Number.isInteger(ce.offset) || ce.offset < 0 || ce.offset > bytes.length) {
      return {
        verdict: { accepted: false },
        ms,
        crash: `CompileError offset ${ce.offset} outside the input (${bytes.length} bytes)`,
      };
    }
    return { verdict: { accepted: false, offset: ce.offset, reason: ce.reason }, ms };
  }
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/**
 * Runs the differential fuzzer.
 *
 * @param subject the implementation under test
 * @param corpus the seed modules (see `loadCorpus`)
 * @param options seed, count, limits
 * @returns the report
 */
export function runFuzz(
  subject: FuzzSubject,
  corpus: readonly CorpusEntry[],
  options: FuzzOptions,
): FuzzReport {
  const report: FuzzReport = {
    mutants: 0,
    corpusChecked: 0,
    bothAccept: 0,
    bothReject: 0,
    explained: new Map(),
    rejectReasons: new Map(),
    examples: new Map(),
    unexplained: [],
    crashes: [],
    validateMismatches: [],
    outputMismatches: [],
    outliers: [],
    timing: { medianNsPerByte: 0, maxNsPerByte: 0, maxNsPerByteSize: 0, maxMs: 0 },
    seconds: 0,
  };
  const start = performance.now();
  const deadline = options.timeSeconds === undefined
    ? Infinity
    : start + options.timeSeconds * 1000;
  const nsPerByte: number[] = [];
  let maxNs = 0;
  let maxNsSize = 0;
  let maxMs = 0;
  let slow: { finding: Finding; ms: number }[] = [];
  const wd = options.watchdog;

  const one = (index: number, source: string, edits: readonly string[], bytes: Uint8Array) => {
    options.beforeCheck?.(index, bytes);
    if (wd) {
      Atomics.store(wd, 2, index);
      Atomics.add(wd, 0, 1);
      Atomics.store(wd, 1, 1);
    }
    const { verdict, ms, crash, translation } = check(subject, bytes);
    if (wd) Atomics.store(wd, 1, 0);
    const finding = (detail: string): Finding => ({ index, source, edits, bytes, detail });
    if (crash !== undefined) {
      report.crashes.push(finding(crash));
      return;
    }
    if (bytes.length >= TIMING_MIN_BYTES) {
      const ns = (ms * 1e6) / bytes.length;
      nsPerByte.push(ns);
      // Slow inputs count with their re-timed figure, below.
      if (ns > maxNs && ms < RETIME_MS) {
        maxNs = ns;
        maxNsSize = bytes.length;
      }
    }
    if (ms >= RETIME_MS) {
      slow.push({ finding: finding(`${ms.toFixed(2)} ms for ${bytes.length} bytes`), ms });
      if (slow.length > MAX_SLOW * 2) {
        slow.sort((a, b) => b.ms / b.finding.bytes.length - a.ms / a.finding.bytes.length);
        slow = slow.slice(0, MAX_SLOW);
      }
    } else if (ms > maxMs) maxMs = ms;
    if ((index & 3) === 0) {
      try {
        const v = subject.validate(bytes);
        if (v !== verdict.accepted) {
          report.validateMismatches.push(
            finding(
              `validate() = ${v}, translateModule() ${verdict.accepted ? "accepts" : "rejects"}`,
            ),
          );
        }
      } catch (e) {
        report.crashes.push(finding(`validate() threw ${describe(e)}`));
      }
    }
    if (verdict.reason !== undefined) {
      report.rejectReasons.set(verdict.reason, (report.rejectReasons.get(verdict.reason) ?? 0) + 1);
    }
    const native = WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>);
    if (native === verdict.accepted) {
      if (native) {
        report.bothAccept++;
        if (subject.shape) {
          let diff: string | undefined;
          try {
            diff = shapeDifference(subject.shape(translation), nativeShape(bytes));
          } catch (e) {
            diff = `describing the translation threw ${describe(e)}`;
          }
          if (diff !== undefined) report.outputMismatches.push(finding(diff));
        }
      } else report.bothReject++;
      return;
    }
    const cls = classifyDisagreement(bytes, verdict);
    const side = verdict.accepted
      ? `environ accepts, native rejects (${nativeMessage(bytes)})`
      : `environ rejects at 0x${verdict.offset?.toString(16)} "${verdict.reason}", native accepts`;
    if (cls === undefined) {
      report.unexplained.push(finding(side));
      return;
    }
    report.explained.set(cls, (report.explained.get(cls) ?? 0) + 1);
    if (!report.examples.has(cls)) report.examples.set(cls, finding(side));
  };

  if (options.checkCorpus && options.only === undefined) {
    for (let i = 0; i < corpus.length && performance.now() < deadline; i++) {
      one(-1 - i, corpus[i].name, [], corpus[i].bytes);
      report.corpusChecked++;
    }
  }
  const first = options.only ?? 0;
  const last = options.only === undefined ? options.count : options.only + 1;
  let nextLog = performance.now() + 10000;
  for (let i = first; i < last; i++) {
    if (performance.now() >= deadline) break;
    const m = makeMutant(corpus, options.seed, i);
    one(i, m.source, m.edits, m.bytes);
    report.mutants++;
    if (options.log && performance.now() >= nextLog) {
      nextLog += 10000;
      options.log(progressLine(report, start));
    }
  }

  // Re-time the slow inputs (min of 5) so a GC pause or a cold JIT is not called an outlier.
  const med = median(nsPerByte);
  for (const s of slow) {
    let best = Infinity;
    for (let k = 0; k < 5; k++) best = Math.min(best, check(subject, s.finding.bytes).ms);
    maxMs = Math.max(maxMs, best);
    const ns = (best * 1e6) / s.finding.bytes.length;
    if (s.finding.bytes.length >= TIMING_MIN_BYTES && ns > maxNs) {
      maxNs = ns;
      maxNsSize = s.finding.bytes.length;
    }
    if (best >= OUTLIER_FLOOR_MS && ns > OUTLIER_FACTOR * med) {
      report.outliers.push({
        ...s.finding,
        detail: `${best.toFixed(2)} ms for ${s.finding.bytes.length} bytes = ${
          ns.toFixed(0)
        } ns/byte (median ${med.toFixed(1)})`,
      });
    }
  }
  report.timing = {
    medianNsPerByte: med,
    maxNsPerByte: maxNs,
    maxNsPerByteSize: maxNsSize,
    maxMs,
  };
  report.seconds = (performance.now() - start) / 1000;
  return report;
}

function progressLine(r: FuzzReport, start: number): string {
  const s = (performance.now() - start) / 1000;
  let explained = 0;
  for (const n of r.explained.values()) explained += n;
  return `${r.mutants} mutants in ${
    s.toFixed(0)
  } s: ${r.bothAccept} both accept, ${r.bothReject} ` +
    `both reject, ${explained} explained, ${r.unexplained.length} unexplained, ` +
    `${r.crashes.length} crashes`;
}

/** The shape native V8 sees (see {@link ModuleShape}). */
export function nativeShape(bytes: Uint8Array): ModuleShape {
  const m = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  const imports = WebAssembly.Module.imports(m).map((i) => ({
    module: i.module,
    name: i.name,
    kind: i.kind as string,
  }));
  const exports = WebAssembly.Module.exports(m).map((e) => ({
    name: e.name,
    kind: e.kind as string,
  }));
  const customs: { name: string; data: Uint8Array }[] = [];
  const seen = new Set<string>();
  // Native lists custom sections by name only; gather each name's sections in order.
  for (const { name } of customSectionNames(bytes)) {
    if (seen.has(name)) continue;
    seen.add(name);
    for (const buf of WebAssembly.Module.customSections(m, name)) {
      customs.push({ name, data: new Uint8Array(buf) });
    }
  }
  return { imports, exports, customs };
}

const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** The names of the custom sections of a (valid) module, read from its framing. */
function customSectionNames(bytes: Uint8Array): { name: string }[] {
  const out: { name: string }[] = [];
  for (const s of scanSections(bytes).sections) {
    if (s.id !== 0) continue;
    const n = readLeb(bytes, s.payloadStart);
    if (n === undefined) continue;
    const start = s.payloadStart + n.length;
    // ignoreBOM keeps a leading U+FEFF: it is part of the name, not a byte-order mark.
    out.push({ name: UTF8.decode(bytes.subarray(start, start + n.value)) });
  }
  return out;
}

/**
 * Compares two shapes. Custom sections are compared grouped by name (the JS API
 * cannot tell the order of sections with different names).
 *
 * @returns a description of the first difference, or undefined when equal
 */
export function shapeDifference(ours: ModuleShape, native: ModuleShape): string | undefined {
  const j = (x: unknown) => JSON.stringify(x);
  if (j(ours.imports) !== j(native.imports)) {
    return `imports differ: ${j(ours.imports).slice(0, 200)} vs native ${
      j(native.imports).slice(0, 200)
    }`;
  }
  if (j(ours.exports) !== j(native.exports)) {
    return `exports differ: ${j(ours.exports).slice(0, 200)} vs native ${
      j(native.exports).slice(0, 200)
    }`;
  }
  const group = (cs: ModuleShape["customs"]) => {
    const m = new Map<string, string[]>();
    for (const c of cs) m.set(c.name, [...(m.get(c.name) ?? []), Array.from(c.data).join(",")]);
    return j([...m].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  };
  if (group(ours.customs) !== group(native.customs)) {
    return `custom sections differ: ${ours.customs.map((c) => c.name).join("|")} vs native ${
      native.customs.map((c) => c.name).join("|")
    }`;
  }
  return undefined;
}

/** The message of native `new WebAssembly.Module()` for a module it rejects. */
export function nativeMessage(bytes: Uint8Array): string {
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    return "native compiles it";
  } catch (e) {
    return e instanceof Error ? e.message.replace(/^WebAssembly\.Module\(\): /, "") : String(e);
  }
}

/**
 * Formats a report as the summary table the `fuzz` command prints.
 *
 * @param r the report
 * @param seed the run seed (for the reproduction hints)
 * @returns the lines of the table
 */
export function formatReport(r: FuzzReport, seed: number): string {
  const lines: string[] = [];
  let explained = 0;
  for (const n of r.explained.values()) explained += n;
  const row = (k: string, v: string | number) => lines.push(`  ${k.padEnd(52)} ${v}`);
  lines.push(`fuzz seed ${seed}: ${r.seconds.toFixed(1)} s`);
  row("corpus modules checked unmutated", r.corpusChecked);
  row("mutants", r.mutants);
  row("agree: both accept", r.bothAccept);
  row("agree: both reject", r.bothReject);
  row("disagree, explained", explained);
  for (const [cls, n] of [...r.explained].sort((a, b) => b[1] - a[1])) row(`  ${cls}`, n);
  row("disagree, unexplained", r.unexplained.length);
  row("crashes (non-CompileError throws)", r.crashes.length);
  row("validate() != translateModule()", r.validateMismatches.length);
  row("imports/exports/customs != native (accepted)", r.outputMismatches.length);
  row("timing outliers", r.outliers.length);
  row("median ns/byte (inputs >= 1 KiB)", r.timing.medianNsPerByte.toFixed(1));
  row(
    "max ns/byte (inputs >= 1 KiB)",
    `${r.timing.maxNsPerByte.toFixed(1)} (${r.timing.maxNsPerByteSize} bytes)`,
  );
  row("max ms for one input (slow ones re-timed)", r.timing.maxMs.toFixed(2));
  const reasons = [...r.rejectReasons].sort((a, b) => b[1] - a[1]);
  lines.push(`environ rejection reasons (${reasons.length} distinct, top 15):`);
  for (const [reason, n] of reasons.slice(0, 15)) row(`  ${reason}`, n);
  const list = (title: string, fs: readonly Finding[]) => {
    if (fs.length === 0) return;
    lines.push(`${title}:`);
    for (const f of fs.slice(0, 30)) {
      lines.push(`  #${f.index} ${f.source} [${f.edits.join(" ")}]: ${f.detail}`);
    }
    if (fs.length > 30) lines.push(`  ... and ${fs.length - 30} more`);
  };
  list("crashes", r.crashes);
  list("unexplained disagreements", r.unexplained);
  list("validate() mismatches", r.validateMismatches);
  list("imports/exports/custom sections differing from native", r.outputMismatches);
  list("timing outliers", r.outliers);
  if (r.examples.size > 0) {
    lines.push("one example per explained class:");
    for (const [cls, f] of r.examples) {
      lines.push(`  ${cls}: #${f.index} ${f.source} [${f.edits.join(" ")}]: ${f.detail}`);
    }
  }
  return lines.join("\n");
}

/**
 * Writes a finding's bytes and a note to a folder (created if missing).
 *
 * @param dir the folder, e.g. the repo's `.fuzz/`
 * @param kind a file-name prefix (`crash`, `unexplained`, ...)
 * @param seed the run seed
 * @param f the finding
 * @returns the path of the `.wasm` written
 */
export function saveFinding(dir: URL, kind: string, seed: number, f: Finding): string {
  Deno.mkdirSync(dir, { recursive: true });
  const base = `${kind}-s${seed}-${f.index < 0 ? `corpus${-1 - f.index}` : `m${f.index}`}`;
  const wasm = new URL(`${base}.wasm`, dir);
  Deno.writeFileSync(wasm, f.bytes);
  const note = [
    `kind: ${kind}`,
    `seed: ${seed}`,
    `index: ${f.index}`,
    `source: ${f.source}`,
    `edits: ${f.edits.join(" ")}`,
    `detail: ${f.detail}`,
    `reproduce: deno task fuzz --seed ${seed} --only ${f.index}`,
    "",
  ].join("\n");
  Deno.writeTextFileSync(new URL(`${base}.txt`, dir), note);
  return wasm.pathname;
}

/** A rejection by V8, shaped like environ's CompileError (offset from V8's `@+N`). */
class NativeRejection extends Error {
  constructor(readonly reason: string, readonly offset: number) {
    super(reason);
  }
}

/** V8 itself as the fuzz subject (a self-check of the harness: it must agree with itself). */
export const nativeSubject: FuzzSubject = {
  translate(bytes) {
    try {
      return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      const at = /@\+(\d+)/.exec(msg);
      throw new NativeRejection(msg, at ? Math.min(Number(at[1]), bytes.length) : 0);
    }
  },
  validate: (bytes) => WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>),
  compileError: (e) => e instanceof NativeRejection ? e : undefined,
};
