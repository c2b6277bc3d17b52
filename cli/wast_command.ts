/**
 * `capstan wast FILES_OR_DIRS...`: runs spec scripts (wast2json `.json` with
 * their `.wasm` beside them, or `.wast` through the text format) and prints
 * one line per script, then exactly `N passed, N failed, N skipped`.
 *
 * Invariants:
 * - Directories are searched recursively; scripts run in sorted path order.
 * - The exit code is 0 when nothing failed, 1 otherwise, 2 for a usage error.
 * - `--engine` is hidden: `capstan` (the default) runs on Capstan's runtime,
 *   `facade` on Capstan's `WebAssembly` facade, `native` on the host's own
 *   `WebAssembly`, for differential testing.
 *
 * @module
 */

import { parseCommandLine, stringOption, UsageError, wasmFeaturesOf } from "./_args.ts";
import { createEngine, ENGINE_NAMES, loadTextFormat } from "./_engines.ts";
import { runScript, type ScriptResult, type WastScript } from "./wast_runner.ts";
import { ExternRefs } from "./wast_values.ts";

/** The usage text of `capstan wast`. */
export const WAST_USAGE = `Usage: capstan wast [OPTIONS] FILES_OR_DIRS...

Runs WebAssembly spec scripts: wast2json .json files (their .wasm files beside
them) and .wast files. Directories are searched recursively.

Prints one line per script and last "N passed, N failed, N skipped".
Exits 0 when nothing failed, 1 otherwise.

Options:
  --filter TEXT   only run scripts whose path contains TEXT
  --verbose       list each failure (line, command, reason) and skip reason
  -W, --wasm FEATURE[=y|n]
                  enable (or disable) a WebAssembly feature (stack-switching,
                  custom-page-sizes: each on by default for scripts under a
                  directory of that name)
  --stack-switching
                  the same as -W stack-switching
  -h, --help      show this help`;

/** Where a command writes. */
export interface CommandOutput {
  /** Writes one line to standard output. */
  readonly out: (line: string) => void;
  /** Writes one line to standard error. */
  readonly err: (line: string) => void;
}

async function collectScripts(path: string, into: string[]): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new UsageError(`no such file or directory: ${path}`);
  }
  if (info.isDirectory) {
    const entries: string[] = [];
    for await (const entry of Deno.readDir(path)) entries.push(entry.name);
    for (const name of entries.sort()) {
      const child = `${path.replace(/\/+$/, "")}/${name}`;
      if (name.endsWith(".json") || name.endsWith(".wast")) into.push(child);
      else if ((await Deno.stat(child)).isDirectory) await collectScripts(child, into);
    }
  } else {
    into.push(path);
  }
}

function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "." : path.slice(0, slash) || "/";
}

function emptyResult(name: string): ScriptResult {
  return { name, passed: 0, failed: 0, skipped: 0, failures: [], skipReasons: new Map() };
}

/**
 * Runs `capstan wast`.
 *
 * @param args the arguments after `wast`
 * @param output where to write
 * @returns the exit code
 */
export async function wastCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    filter: { type: "string" },
    verbose: { type: "boolean" },
    engine: { type: "string" },
    wasm: { type: "string", multiple: true, short: "W" },
    "stack-switching": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, false);
  if (values.help) {
    output.out(WAST_USAGE);
    return 0;
  }
  const engineName = stringOption(values, "engine") ?? "capstan";
  if (!ENGINE_NAMES.includes(engineName)) {
    throw new UsageError(`--engine must be one of ${ENGINE_NAMES.join(", ")}, found ${engineName}`);
  }
  if (positionals.length === 0) throw new UsageError("no script files or directories given");
  const filter = stringOption(values, "filter");
  const verbose = values.verbose === true;
  const wasmFeatures = wasmFeaturesOf(values);

  const paths: string[] = [];
  for (const p of positionals) await collectScripts(p, paths);
  const selected = paths.filter((p) => filter === undefined || p.includes(filter));

  const engine = await createEngine(engineName, verbose ? output.out : () => {});
  const textFormat = await loadTextFormat();
  const externs = new ExternRefs();
  let passed = 0, failed = 0, skipped = 0;
  for (const path of selected) {
    const features = {
      stackSwitching: wasmFeatures.stackSwitching ?? path.includes("stack-switching/"),
      customPageSizes: wasmFeatures.customPageSizes ?? path.includes("custom-page-sizes/"),
    };
    let result: ScriptResult;
    try {
      if (path.endsWith(".wast")) {
        if (textFormat === undefined) {
          result = emptyResult(path);
          result.skipped = 1;
          result.skipReasons.set("the text format is not available to parse .wast", 1);
        } else {
          const script = textFormat.parseWast(await Deno.readTextFile(path));
          result = await runScript(path, script, { engine, textFormat, externs, features });
        }
      } else {
        const script = JSON.parse(await Deno.readTextFile(path)) as WastScript;
        if (!Array.isArray(script?.commands)) throw new Error("not a wast2json script");
        result = await runScript(path, script, {
          engine,
          dir: dirOf(path),
          textFormat,
          externs,
          features,
        });
      }
    } catch (error) {
      result = emptyResult(path);
      result.failed = 1;
      result.failures.push({
        line: 0,
        command: "script",
        reason: error instanceof Error ? error.message : String(error),
      });
    }
    passed += result.passed;
    failed += result.failed;
    skipped += result.skipped;
    output.out(
      `${path}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped`,
    );
    if (verbose) {
      for (const f of result.failures) output.out(`  line ${f.line}: ${f.command}: ${f.reason}`);
      for (const [reason, n] of result.skipReasons) output.out(`  skipped ${n}: ${reason}`);
    }
  }
  output.out(`${passed} passed, ${failed} failed, ${skipped} skipped`);
  return failed === 0 ? 0 : 1;
}
