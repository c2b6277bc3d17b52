/**
 * `capstan run [OPTIONS] FILE [ARGS...]`: runs a WASI command module, or with
 * `--invoke NAME` calls one export and prints its results, on Capstan's
 * runtime with WASI from `@capstan/wasi`. Flags are wasmtime's: `--invoke`,
 * `--dir HOST[::GUEST]`, `--env KEY=VALUE`, `--fuel N`,
 * `--max-wasm-stack BYTES`, `--timeout DURATION`; and `--strategy
 * interpreter|js|auto` (where functions run: the interpreter, JavaScript, or
 * the interpreter first and JavaScript once hot; `--tier-log` says what moved);
 * and wasmtime's `-W stack-switching` (or `--stack-switching`), which accepts
 * the stack-switching proposal's modules.
 *
 * Exit codes (as wasmtime on Unix):
 * - the guest's `proc_exit` code, or 0 when `_start` (or the invoked export) returns;
 * - 134 when execution traps (128 + SIGABRT): the trap's message and wasm
 *   backtrace go to stderr;
 * - 1 for any other error (unreadable file, compile or link error);
 * - 2 for a usage error.
 *
 * A module that imports a shared memory (a `wasm32-wasip1-threads` program)
 * runs with WASI threads (`@capstan/wasi`'s `runWasiThreads`): every thread,
 * the main one included, in a worker of its own; the first `proc_exit`, trap
 * or return from `_start` in any thread ends them all (`--invoke` is refused
 * for such a module).
 *
 * Invariants: options must come before FILE; everything after FILE belongs to
 * the guest (its `argv[1..]`, or the invoked export's arguments). The guest
 * sees only the directories given with `--dir` and only the `--env`
 * variables.
 *
 * @module
 */

import type { ValType } from "@capstan/environ";
import {
  Engine,
  Func,
  ImageError,
  type Instance,
  Linker,
  Memory,
  Module,
  Store,
  Trap,
} from "@capstan/runtime";
import { isImage } from "@capstan/codegen";
import { runWasiThreads, Wasi, WasiExit } from "@capstan/wasi";
import { parseCommandLine, stringList, stringOption, UsageError, wasmFeaturesOf } from "./_args.ts";
import { loadTextFormat } from "./_engines.ts";
import { formatInvokeResult, InvokeArgumentError, parseInvokeArgument } from "./invoke_values.ts";
import type { CommandOutput } from "./wast_command.ts";

/** The usage text of `capstan run`. */
export const RUN_USAGE = `Usage: capstan run [OPTIONS] FILE [ARGS...]

Runs a WebAssembly module (.wasm, .wat, or a .cwasm that capstan compile -o
wrote): a WASI command module's _start, or with --invoke one export, whose
results are printed one per line. Options come before FILE; ARGS after it go
to the module (or the export). Compiled modules are cached (by default in
$CAPSTAN_CACHE_DIR, else $XDG_CACHE_HOME/capstan or ~/.cache/capstan).

Options:
  --invoke NAME             call the export NAME (after _initialize, if any)
  --dir HOST[::GUEST]       let the guest reach directory HOST as GUEST
  --env KEY=VALUE           set an environment variable for the guest (KEY alone:
                            pass the host's value)
  --fuel N                  trap "all fuel consumed" after N units of fuel
  --max-wasm-stack BYTES    the wasm stack limit ("call stack exhausted" beyond it)
  --timeout DURATION        trap "interrupt" after DURATION (e.g. 500ms, 2s, 1m)
  --strategy KIND           where functions run: interpreter, js, or auto (default)
                            (start interpreted, compile hot functions to JS)
  --tier-log                with auto: print each promotion to JS, and what stays
                            on the interpreter and why, to stderr
  -W, --wasm FEATURE[=y|n]  enable (or disable) a WebAssembly feature; comma-separated;
                            known: stack-switching, custom-page-sizes (off by
                            default)
  --stack-switching         the same as -W stack-switching
  --cache-dir DIR           keep compiled modules in DIR
  --no-cache                compile without the cache
  -h, --help                show this help

Exit code: the guest's exit code; 134 when it traps; 1 on other errors.`;

/** The exit code of a trapped run, as wasmtime's on Unix (128 + SIGABRT). */
export const TRAP_EXIT_CODE = 134;

const DURATION = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)?$/;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a duration as wasmtime's `--timeout` takes it.
 *
 * @param text e.g. `500ms`, `2s`, `1.5m`; a bare number is seconds
 * @returns milliseconds
 * @throws {UsageError} for anything else
 */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim());
  if (match === null) {
    throw new UsageError(`--timeout: "${text}" is not a duration (e.g. 500ms, 2s, 1m)`);
  }
  return Number(match[1]) * UNIT_MS[match[2] ?? "s"];
}

function positiveInteger(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new UsageError(`--${name}: "${text}" is not a non-negative integer`);
  }
  return Number(text);
}

function parseDirs(values: string[]): Record<string, string> {
  const preopens: Record<string, string> = {};
  for (const value of values) {
    const [host, guest = host] = value.split("::");
    if (host === "" || guest === "") throw new UsageError(`--dir: "${value}" needs HOST[::GUEST]`);
    preopens[guest] = host;
  }
  return preopens;
}

function parseEnv(values: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    if (eq === 0) throw new UsageError(`--env: "${value}" needs KEY=VALUE`);
    if (eq < 0) {
      const inherited = Deno.env.get(value);
      if (inherited !== undefined) env[value] = inherited;
    } else {
      env[value.slice(0, eq)] = value.slice(eq + 1);
    }
  }
  return env;
}

/** The module in `file`: a compiled image (`.cwasm`) loaded, or wasm or WAT compiled. */
async function loadModule(engine: Engine, file: string): Promise<Module> {
  const bytes = await readFileBytes(file);
  if (!isImage(bytes)) return new Module(engine, await moduleBytes(file, bytes));
  try {
    return Module.deserialize(engine, bytes);
  } catch (error) {
    if (!(error instanceof ImageError)) throw error;
    const hint = /configuration/.test(error.message)
      ? " (compile it with --consume-fuel for --fuel, --epoch-interruption for --timeout)"
      : "";
    throw new Error(`${file}: ${error.message}${hint}`);
  }
}

async function readFileBytes(file: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${error instanceof Error ? error.message : error}`);
  }
}

async function moduleBytes(file: string, bytes: Uint8Array): Promise<Uint8Array> {
  const isBinary = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 &&
    bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (isBinary) return bytes;
  const text = await loadTextFormat();
  if (text === undefined) {
    throw new Error(`${file} is not a binary module, and the text format is not available`);
  }
  try {
    return text.parseWat(new TextDecoder().decode(bytes), { names: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${file} is neither a WebAssembly binary nor a valid .wat module: ${reason}`);
  }
}

/** The exports of an instance shaped like a JS-API instance's, for `Wasi`. */
function wasiView(instance: Instance, withStart: boolean): { exports: Record<string, unknown> } {
  const exports: Record<string, unknown> = {};
  for (const { name, value } of instance.exports()) {
    if (name === "_start" && !withStart) continue;
    if (value instanceof Memory) {
      exports[name] = {
        get buffer() {
          return value.buffer;
        },
      };
    } else if (value instanceof Func) {
      exports[name] = (...args: unknown[]) => {
        const results = value.call(...args);
        return results.length === 0 ? undefined : results.length === 1 ? results[0] : results;
      };
    }
  }
  return { exports };
}

/** Starts a worker that advances the engine's epoch after `ms`; returns how to stop it. */
function startTimeout(engine: Engine, ms: number): () => void {
  const source = `self.onmessage = (e) => {
    const { counter, ms } = e.data;
    setTimeout(() => { Atomics.add(counter, 0, 1); self.close(); }, ms);
  };`;
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  worker.postMessage({ counter: engine.epochCounter, ms });
  return () => {
    worker.terminate();
    URL.revokeObjectURL(url);
  };
}

/**
 * Runs `capstan run`.
 *
 * @param args the arguments after `run`
 * @param output where to write
 * @returns the exit code
 */
export async function runCommand(args: readonly string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    invoke: { type: "string" },
    dir: { type: "string", multiple: true },
    env: { type: "string", multiple: true },
    fuel: { type: "string" },
    "max-wasm-stack": { type: "string" },
    timeout: { type: "string" },
    strategy: { type: "string" },
    "tier-log": { type: "boolean" },
    "cache-dir": { type: "string" },
    "no-cache": { type: "boolean" },
    wasm: { type: "string", multiple: true, short: "W" },
    "stack-switching": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    output.out(RUN_USAGE);
    return 0;
  }
  const [file, ...guestArgs] = positionals;
  if (file === undefined) throw new UsageError("no module file given");
  const invoke = stringOption(values, "invoke");
  const fuel = positiveInteger(stringOption(values, "fuel"), "fuel");
  const maxWasmStack = positiveInteger(stringOption(values, "max-wasm-stack"), "max-wasm-stack");
  if (maxWasmStack === 0) throw new UsageError("--max-wasm-stack must be positive");
  const timeoutText = stringOption(values, "timeout");
  const timeoutMs = timeoutText === undefined ? undefined : parseDuration(timeoutText);
  const preopens = parseDirs(stringList(values, "dir"));
  const env = parseEnv(stringList(values, "env"));
  const strategy = stringOption(values, "strategy") ?? "auto";
  if (strategy !== "interpreter" && strategy !== "js" && strategy !== "auto") {
    throw new UsageError(`--strategy must be interpreter, js or auto, found ${strategy}`);
  }

  const features = wasmFeaturesOf(values);
  const cacheDir = stringOption(values, "cache-dir");
  if (cacheDir !== undefined && values["no-cache"]) {
    throw new UsageError("give either --cache-dir or --no-cache, not both");
  }
  const engine = new Engine({
    strategy,
    tierLog: values["tier-log"] === true ? (line) => console.error(`tier: ${line}`) : undefined,
    consumeFuel: fuel !== undefined,
    epochInterruption: timeoutMs !== undefined,
    maxWasmStack,
    stackSwitching: features.stackSwitching ?? false,
    customPageSizes: features.customPageSizes ?? false,
    cache: values["no-cache"] ? false : cacheDir === undefined ? true : { directory: cacheDir },
  });
  const store = new Store(engine, undefined);
  if (fuel !== undefined) store.setFuel(fuel);
  if (timeoutMs !== undefined) store.setEpochDeadline(1);

  const module = await loadModule(engine, file);
  for (const [guest, host] of Object.entries(preopens)) {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(host);
    } catch (error) {
      const reason = error instanceof Deno.errors.NotFound ? "no such directory" : String(error);
      throw new Error(`--dir ${host}${guest === host ? "" : `::${guest}`}: ${reason}`);
    }
    if (!info.isDirectory) throw new Error(`--dir ${host}: not a directory`);
  }
  const sharedImport = module.imports().find((i) => i.type.kind === "memory" && i.type.type.shared);
  if (sharedImport !== undefined && invoke !== undefined) {
    throw new Error(
      "--invoke is not supported for a threads program (a module importing a shared memory)",
    );
  }
  if (sharedImport?.type.kind === "memory") {
    return await runWasiThreads({
      module: module.shareable(),
      memory: new Memory(store, sharedImport.type.type).shareable(),
      engine: engine.config,
      fuel,
      timeoutMs,
      args: [file, ...guestArgs],
      env,
      preopens,
      trapHeader: `error: failed to run main module \`${file}\``,
      trapExitCode: TRAP_EXIT_CODE,
    });
  }
  const wasi = new Wasi({
    args: [file, ...(invoke === undefined ? guestArgs : [])],
    env,
    preopens,
  });
  const linker = new Linker(engine);
  const defined = new Set<string>();
  for (const imp of module.imports()) {
    if (imp.module !== "wasi_snapshot_preview1" || imp.type.kind !== "func") continue;
    const fn = wasi.imports[imp.name];
    // a function imported twice is defined once (with the type of its first import)
    if (fn === undefined || defined.has(imp.name)) continue;
    defined.add(imp.name);
    linker.funcWrap(imp.module, imp.name, imp.type.type, fn);
  }

  let callArgs: unknown[] = [];
  if (invoke !== undefined) {
    const type = module.exports().find((e) => e.name === invoke)?.type;
    if (type?.kind !== "func") throw new Error(`failed to find function export \`${invoke}\``);
    const params = type.type.params;
    if (guestArgs.length !== params.length) {
      throw new UsageError(
        `export \`${invoke}\` takes ${params.length} argument(s), found ${guestArgs.length}`,
      );
    }
    try {
      callArgs = params.map((t, i) => parseInvokeArgument(guestArgs[i], t));
    } catch (error) {
      if (error instanceof InvokeArgumentError) throw new UsageError(error.message);
      throw error;
    }
  }

  const stopTimeout = timeoutMs === undefined ? undefined : startTimeout(engine, timeoutMs);
  try {
    const instance = linker.instantiate(store, module);
    // WASI needs the guest's memory; a module that does not use WASI runs without it.
    const usesWasi = module.imports().some((i) => i.module === "wasi_snapshot_preview1") &&
      instance.exports().some((e) => e.name === "memory" && e.value instanceof Memory);
    if (invoke === undefined) {
      const start = instance.getFunc("_start");
      if (start === undefined) return 0;
      if (usesWasi) return wasi.start(wasiView(instance, true));
      start.call();
      return 0;
    }
    if (usesWasi) wasi.initialize(wasiView(instance, false));
    else instance.getFunc("_initialize")?.call();
    const func = instance.getFunc(invoke)!;
    const results = func.call(...callArgs);
    func.type.results.forEach((t: ValType, i: number) => {
      output.out(formatInvokeResult(results[i], t));
    });
    return 0;
  } catch (error) {
    if (error instanceof WasiExit) return error.code;
    if (error instanceof Trap) {
      output.err(`error: failed to run main module \`${file}\``);
      output.err(String(error));
      return TRAP_EXIT_CODE;
    }
    throw error;
  } finally {
    stopTimeout?.();
    engine.flushCache(); // the cache entry gets what this run lowered
  }
}
