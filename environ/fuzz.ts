/**
 * `deno task fuzz`: the differential fuzzer of environ's decoder and
 * validator against the native `WebAssembly.validate` of the same Deno.
 *
 * ```
 * deno task fuzz [--seed N] [--count N] [--time S] [--only I] [--save] [--no-corpus]
 *                [--subject environ|native] [--hang-ms MS]
 * ```
 *
 * It checks every corpus module unmutated, then `--count` mutants of seed
 * `--seed` (stopping early after `--time` seconds), prints the summary table,
 * writes every crash, unexplained disagreement, `validate()` mismatch,
 * import/export/custom-section difference from native (on modules both
 * accept) and timing outlier to `.fuzz/` (gitignored) with a note on how to regenerate it,
 * and exits with status 1 if there was any of those. `--only I` checks mutant
 * `I` alone (with `--save`, its bytes are written before it is checked, so a
 * hang can be kept). `--subject native` runs the harness against V8 itself,
 * a self-check that must report no disagreement. A watchdog kills the process
 * and names the input if one input takes longer than `--hang-ms` (default
 * 20000).
 *
 * @module
 */

import { parseArgs } from "node:util";
import { CompileError, type ModuleTranslation, translateModule, validate } from "./mod.ts";
import { loadCorpus } from "./_fuzz_corpus.ts";
import {
  formatReport,
  type FuzzSubject,
  nativeSubject,
  runFuzz,
  saveFinding,
} from "./_fuzz_driver.ts";

const JS_KIND = {
  func: "function",
  table: "table",
  memory: "memory",
  global: "global",
  tag: "tag",
} as const;

/** environ as the fuzz subject. */
export const environSubject: FuzzSubject = {
  translate: (bytes) => translateModule(bytes),
  shape: (translation) => {
    const t = translation as ModuleTranslation;
    return {
      imports: t.imports.map((i) => ({
        module: i.module,
        name: i.name,
        kind: JS_KIND[i.desc.kind],
      })),
      exports: t.exports.map((e) => ({ name: e.name, kind: JS_KIND[e.kind] })),
      customs: t.customSections.map((c) => ({ name: c.name, data: c.data })),
    };
  },
  validate: (bytes) => validate(bytes),
  compileError: (e) => e instanceof CompileError ? e : undefined,
};

/** Where findings are written: the repo's gitignored `.fuzz/`. */
export const FUZZ_DIR: URL = new URL("../.fuzz/", import.meta.url);

async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      seed: { type: "string", default: "1" },
      count: { type: "string", default: "10000" },
      time: { type: "string" },
      only: { type: "string" },
      save: { type: "boolean", default: false },
      "no-corpus": { type: "boolean", default: false },
      subject: { type: "string", default: "environ" },
      "hang-ms": { type: "string", default: "20000" },
    },
  });
  const seed = Number(values.seed);
  const count = Number(values.count);
  const only = values.only === undefined ? undefined : Number(values.only);
  if (!Number.isInteger(seed) || !Number.isInteger(count) || count < 0) {
    console.error("usage: deno task fuzz [--seed N] [--count N] [--time S] [--only I] [--save]");
    return 2;
  }
  const subject = values.subject === "native" ? nativeSubject : environSubject;
  const corpus = loadCorpus();

  const state = new Int32Array(new SharedArrayBuffer(12));
  const watchdog = new Worker(new URL("./_fuzz_watchdog.ts", import.meta.url), {
    type: "module",
  });
  Deno.mkdirSync(FUZZ_DIR, { recursive: true });
  await new Promise<void>((resolve) => {
    watchdog.onmessage = () => resolve();
    watchdog.postMessage({
      state: state.buffer,
      seed,
      timeoutMs: Number(values["hang-ms"]),
      noteFile: new URL(`hang-s${seed}.txt`, FUZZ_DIR).pathname,
    });
  });

  const report = runFuzz(subject, corpus, {
    seed,
    count,
    timeSeconds: values.time === undefined ? undefined : Number(values.time),
    checkCorpus: !values["no-corpus"],
    only,
    watchdog: state,
    log: (line) => console.error(line),
    beforeCheck: values.save && only !== undefined
      ? (index, bytes) =>
        saveFinding(FUZZ_DIR, "input", seed, {
          index,
          source: "",
          edits: [],
          bytes,
          detail: "saved before checking",
        })
      : undefined,
  });
  watchdog.terminate();

  console.log(formatReport(report, seed));
  const groups = [
    ["crash", report.crashes],
    ["unexplained", report.unexplained],
    ["validate-mismatch", report.validateMismatches],
    ["output-mismatch", report.outputMismatches],
    ["slow", report.outliers],
  ] as const;
  let bad = 0;
  for (const [kind, findings] of groups) {
    for (const f of findings.slice(0, 200)) saveFinding(FUZZ_DIR, kind, seed, f);
    bad += findings.length;
  }
  if (bad > 0) console.log(`findings written to ${FUZZ_DIR.pathname}`);
  return bad > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
