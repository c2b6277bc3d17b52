/**
 * The spec-script runner: executes the commands of a wast2json script (or of a
 * `.wast` file parsed into the same schema) against a {@link WastEngine} and
 * counts each command as passed, failed or skipped.
 *
 * Invariants:
 * - Every command is counted exactly once. A command is skipped only for a
 *   stated reason that says what is missing (the text format, or v128 at a
 *   JS-API boundary); it is never counted as passed.
 * - Results are compared bit for bit (see {@link matches}); NaN patterns and
 *   `either` are honoured.
 * - Failure messages are compared with the script's text (by inclusion, as
 *   wasmtime's runner does; see {@link messageMatches}) only when the engine
 *   words them as the spec does.
 * - A module that fails to instantiate leaves no current module: the commands
 *   that use it then fail, rather than run against a stale instance.
 *
 * @module
 */

import type {
  ClassifiedError,
  FailureKind,
  WastEngine,
  WastFeatures,
  WastSession,
} from "./wast_engine.ts";
import {
  describeExpected,
  describeValue,
  type Expected,
  expectedType,
  ExternRefs,
  type JsonValue,
  matches,
  parseArgument,
  parseExpected,
  type WastValue,
} from "./wast_values.ts";

/** An action of a script: call an export, or read an exported global. */
export interface WastAction {
  /** `invoke` or `get`. */
  readonly type: string;
  /** The `$name` of the module; the current module when absent. */
  readonly module?: string;
  /** The export name. */
  readonly field: string;
  /** Arguments of an `invoke`. */
  readonly args?: readonly JsonValue[];
}

/** One command of a script, in the wast2json schema (plus `bytes`/`error` from `.wast`). */
export interface WastCommand {
  /** The command: `module`, `register`, `action`, `assert_return`, ... */
  readonly type: string;
  /** Its line in the `.wast` source. */
  readonly line: number;
  /** A module file beside the script (wast2json). */
  readonly filename?: string;
  /** The module's bytes (scripts parsed from `.wast`). */
  readonly bytes?: Uint8Array;
  /** Why a text module did not parse (scripts parsed from `.wast`). */
  readonly error?: string;
  /** `binary` or `text`, for modules of assertions. */
  readonly module_type?: string;
  /** The `$name` of a module, or of the module a `register` refers to. */
  readonly name?: string;
  /** The name under which `register` makes a module importable. */
  readonly as?: string;
  /** The action of `action` and `assert_*` on actions. */
  readonly action?: WastAction;
  /** Expected results. */
  readonly expected?: readonly JsonValue[];
  /** The expected failure message. */
  readonly text?: string;
  /** The keyword of a command the text parser could not read (`type: "unread"`). */
  readonly keyword?: string;
  /** True for `(module definition ...)`: compile, do not instantiate. */
  readonly definition?: boolean;
  /** `module_instance`: the new instance's name. */
  readonly instance?: string;
  /** `module_instance`: the definition's name (absent: the latest). */
  readonly module?: string;
}

/** A whole script. */
export interface WastScript {
  /** The `.wast` it came from. */
  readonly source_filename?: string;
  /** Its commands, in order. */
  readonly commands: readonly WastCommand[];
}

/** The text-format entry points of `@capstan/environ`, when they exist. */
export interface TextFormat {
  /** Parses a `.wat` module to binary; throws on malformed text. */
  parseWat(source: string, options?: { names?: boolean }): Uint8Array;
  /**
   * Parses a `.wast` script to the wast2json schema with bytes inline; a
   * command it cannot read becomes one failing `unread` command.
   */
  parseWast(source: string): WastScript;
}

/** One failed command. */
export interface WastFailure {
  /** Its line in the `.wast` source. */
  readonly line: number;
  /** The command, e.g. `assert_return invoke "add"(i32:1, i32:2)`. */
  readonly command: string;
  /** What went wrong. */
  readonly reason: string;
}

/** The outcome of one script. */
export interface ScriptResult {
  /** The script's path (or name). */
  readonly name: string;
  /** Commands that did what the script says. */
  passed: number;
  /** Commands that did not. */
  failed: number;
  /** Commands not run, with a reason in {@link ScriptResult.skipReasons}. */
  skipped: number;
  /** Each failure, in order. */
  readonly failures: WastFailure[];
  /** Why commands were skipped, and how many for each reason. */
  readonly skipReasons: Map<string, number>;
}

/** Options of {@link runScript}. */
export interface RunScriptOptions {
  /** The engine that executes the modules. */
  readonly engine: WastEngine;
  /** The directory holding the script's module files (wast2json). */
  readonly dir?: string;
  /** The text format, to run text modules; they are skipped without it. */
  readonly textFormat?: TextFormat;
  /** The objects `ref.extern N` stands for; a fresh set when absent. */
  readonly externs?: ExternRefs;
  /** The proposals the script's modules may use (the stack-switching scripts need theirs). */
  readonly features?: WastFeatures;
}

type Outcome =
  | { readonly status: "pass" }
  | { readonly status: "fail"; readonly reason: string }
  | { readonly status: "skip"; readonly reason: string };

const PASS: Outcome = { status: "pass" };

const fail = (reason: string): Outcome => ({ status: "fail", reason });
const skip = (reason: string): Outcome => ({ status: "skip", reason });

const NO_TEXT_FORMAT = "text module: the text format is not available";

type ModuleSource =
  | { readonly bytes: Uint8Array }
  | { readonly parseError: string }
  | { readonly skip: string };

/**
 * Whether an engine's failure message says what a script expects: it contains
 * the script's text, or (for texts the reference interpreter ends with an
 * index, as in "uninitialized element 2") the text without that index.
 *
 * @param actual the engine's message
 * @param expected the script's text
 * @returns true when they agree
 */
export function messageMatches(actual: string, expected: string): boolean {
  if (actual.includes(expected)) return true;
  const indexed = /^(.*[a-z]) \d+$/.exec(expected);
  return indexed !== null && actual.includes(indexed[1]);
}

/** Executes the commands of one script against one session. */
class ScriptRun {
  #session: WastSession;
  #engine: WastEngine;
  #options: RunScriptOptions;
  #externs: ExternRefs;
  #current: unknown = undefined;
  #named = new Map<string, unknown>();
  /** Compiled `(module definition ...)`s by name; "" is the latest. */
  #definitions = new Map<string, unknown>();

  constructor(options: RunScriptOptions) {
    this.#engine = options.engine;
    this.#options = options;
    this.#externs = options.externs ?? new ExternRefs();
    this.#session = options.engine.newSession(this.#externs, options.features);
  }

  async run(command: WastCommand): Promise<Outcome> {
    switch (command.type) {
      case "module":
        return command.definition === true
          ? await this.#definition(command)
          : await this.#module(command);
      case "module_instance":
        return await this.#moduleInstance(command);
      case "register":
        return this.#register(command);
      case "action":
        return await this.#action(command);
      case "assert_return":
        return await this.#assertReturn(command);
      case "assert_trap":
        return await this.#assertFailure(command, "trap");
      case "assert_exhaustion":
        return await this.#assertFailure(command, "exhaustion");
      case "assert_exception":
        return await this.#assertFailure(command, "exception");
      case "assert_suspension":
        return await this.#assertFailure(command, "suspension");
      case "assert_invalid":
      case "assert_malformed":
      case "assert_invalid_custom":
      case "assert_malformed_custom":
        return await this.#assertCompileError(command);
      case "assert_unlinkable":
        return await this.#assertInstantiateError(command, "link");
      case "assert_uninstantiable":
        return await this.#assertInstantiateError(command, "trap");
      case "unread":
        // A module that could not be read leaves no current module behind.
        if (command.keyword === "module") this.#current = undefined;
        return fail(`could not read the command: ${command.error ?? ""}`);
    }
    return fail(`unknown command type "${command.type}"`);
  }

  async #source(command: WastCommand): Promise<ModuleSource> {
    if (command.bytes !== undefined) return { bytes: command.bytes };
    if (command.error !== undefined) return { parseError: command.error };
    if (command.filename === undefined) throw new Error("module command without a module");
    const path = `${this.#options.dir ?? "."}/${command.filename}`;
    if (command.module_type === "text" || command.filename.endsWith(".wat")) {
      const text = this.#options.textFormat;
      if (text === undefined) return { skip: NO_TEXT_FORMAT };
      const source = await Deno.readTextFile(path);
      try {
        return { bytes: text.parseWat(source) };
      } catch (error) {
        return { parseError: error instanceof Error ? error.message : String(error) };
      }
    }
    return { bytes: await Deno.readFile(path) };
  }

  #classify(error: unknown): ClassifiedError {
    return this.#engine.classify(error);
  }

  async #instantiate(bytes: Uint8Array): Promise<unknown> {
    const module = await this.#session.compile(bytes);
    return await this.#session.instantiate(module);
  }

  async #module(command: WastCommand): Promise<Outcome> {
    this.#current = undefined;
    const source = await this.#source(command);
    if ("skip" in source) return skip(source.skip);
    if ("parseError" in source) return fail(`text module did not parse: ${source.parseError}`);
    try {
      const instance = await this.#instantiate(source.bytes);
      this.#current = instance;
      if (command.name !== undefined) this.#named.set(command.name, instance);
      return PASS;
    } catch (error) {
      const { kind, message } = this.#classify(error);
      return fail(`module failed (${kind}): ${message}`);
    }
  }

  /** `(module definition ...)`: compiled, kept (by name, and as the latest) for instances. */
  async #definition(command: WastCommand): Promise<Outcome> {
    const source = await this.#source(command);
    if ("skip" in source) return skip(source.skip);
    if ("parseError" in source) return fail(`text module did not parse: ${source.parseError}`);
    try {
      const module = await this.#session.compile(source.bytes);
      this.#definitions.set(command.name ?? "", module);
      if (command.name !== undefined) this.#definitions.set("", module);
      return PASS;
    } catch (error) {
      const { kind, message } = this.#classify(error);
      return fail(`module definition failed (${kind}): ${message}`);
    }
  }

  /** `(module instance $i? $m?)`: a definition instantiated, now the current module. */
  async #moduleInstance(command: WastCommand): Promise<Outcome> {
    this.#current = undefined;
    const module = this.#definitions.get(command.module ?? "");
    if (module === undefined) return fail(`no module definition ${command.module ?? "(latest)"}`);
    try {
      const instance = await this.#session.instantiate(module);
      this.#current = instance;
      if (command.instance !== undefined) this.#named.set(command.instance, instance);
      return PASS;
    } catch (error) {
      const { kind, message } = this.#classify(error);
      return fail(`module instance failed (${kind}): ${message}`);
    }
  }

  #register(command: WastCommand): Outcome {
    const instance = command.name !== undefined ? this.#named.get(command.name) : this.#current;
    if (instance === undefined) return fail(`no module ${command.name ?? "(current)"} to register`);
    this.#session.register(command.as ?? "", instance);
    return PASS;
  }

  /** Runs an action; returns its results, or the classified failure. */
  async #perform(
    action: WastAction,
    resultTypes: readonly string[],
  ): Promise<{ results: WastValue[] } | { error: ClassifiedError }> {
    const instance = action.module !== undefined ? this.#named.get(action.module) : this.#current;
    if (instance === undefined) {
      return { error: { kind: "other", message: `no module ${action.module ?? "(current)"}` } };
    }
    try {
      if (action.type === "get") {
        return { results: [await this.#session.get(instance, action.field, resultTypes[0])] };
      }
      const args = (action.args ?? []).map((a) => parseArgument(a, this.#externs));
      return { results: await this.#session.invoke(instance, action.field, args, resultTypes) };
    } catch (error) {
      return { error: this.#classify(error) };
    }
  }

  #unexpected(error: ClassifiedError): Outcome {
    if (error.kind === "unsupported") return skip(`${this.#engine.name}: ${error.message}`);
    return fail(`${error.kind === "other" ? "error" : error.kind}: ${error.message}`);
  }

  async #action(command: WastCommand): Promise<Outcome> {
    const action = command.action!;
    const resultTypes = (command.expected ?? []).map((e) => e.type);
    const outcome = await this.#perform(action, resultTypes);
    return "error" in outcome ? this.#unexpected(outcome.error) : PASS;
  }

  async #assertReturn(command: WastCommand): Promise<Outcome> {
    const expected: Expected[] = (command.expected ?? []).map((e) =>
      parseExpected(e, this.#externs)
    );
    const outcome = await this.#perform(command.action!, expected.map(expectedType));
    if ("error" in outcome) return this.#unexpected(outcome.error);
    const { results } = outcome;
    const ok = results.length === expected.length &&
      expected.every((e, i) => matches(e, results[i]));
    if (ok) return PASS;
    return fail(
      `expected ${expected.map((e) => describeExpected(e, this.#externs)).join(", ") || "()"}` +
        `, got ${results.map((r) => describeValue(r, this.#externs)).join(", ") || "()"}`,
    );
  }

  #checkFailure(error: ClassifiedError, want: FailureKind, text: string | undefined): Outcome {
    if (error.kind === "unsupported") return skip(`${this.#engine.name}: ${error.message}`);
    const kindOk = error.kind === want ||
      (want === "trap" && error.kind === "exhaustion" && text === "call stack exhausted");
    if (!kindOk) {
      return fail(`expected ${want} "${text ?? ""}", got ${error.kind}: ${error.message}`);
    }
    if (this.#engine.checksMessages && text !== undefined && !messageMatches(error.message, text)) {
      return fail(`expected ${want} "${text}", got message "${error.message}"`);
    }
    return PASS;
  }

  async #assertFailure(command: WastCommand, want: FailureKind): Promise<Outcome> {
    const outcome = await this.#perform(
      command.action!,
      (command.expected ?? []).map((e) => e.type),
    );
    if ("results" in outcome) {
      return fail(
        `expected ${want} "${command.text ?? ""}", got ${
          outcome.results.map((r) => describeValue(r, this.#externs)).join(", ") || "()"
        }`,
      );
    }
    return this.#checkFailure(outcome.error, want, command.text);
  }

  async #assertCompileError(command: WastCommand): Promise<Outcome> {
    const source = await this.#source(command);
    if ("skip" in source) return skip(source.skip);
    if ("parseError" in source) {
      // A text parser may reject an invalid module early; its message must still say why.
      if (
        this.#engine.checksMessages && command.text !== undefined &&
        !messageMatches(source.parseError, command.text)
      ) {
        const what = command.type.startsWith("assert_invalid") ? "invalid" : "malformed";
        return fail(`expected ${what} "${command.text}", got "${source.parseError}"`);
      }
      return PASS;
    }
    try {
      await this.#session.compile(source.bytes);
    } catch (error) {
      return this.#checkFailure(this.#classify(error), "compile", command.text);
    }
    return fail(`expected compile error "${command.text ?? ""}", but the module compiled`);
  }

  async #assertInstantiateError(command: WastCommand, want: FailureKind): Promise<Outcome> {
    const source = await this.#source(command);
    if ("skip" in source) return skip(source.skip);
    if ("parseError" in source) return fail(`text module did not parse: ${source.parseError}`);
    try {
      await this.#instantiate(source.bytes);
    } catch (error) {
      return this.#checkFailure(this.#classify(error), want, command.text);
    }
    return fail(`expected ${want} "${command.text ?? ""}", but the module instantiated`);
  }
}

/**
 * A one-line description of a command, for failure reports.
 *
 * @param command a script command
 * @returns e.g. `assert_return invoke "add"(i32:1, i32:2)` or `module f.3.wasm`
 */
export function describeCommand(command: WastCommand): string {
  const action = command.action;
  if (action !== undefined) {
    const args = (action.args ?? []).map((a) => {
      const v = a.value;
      return `${a.type}:${Array.isArray(v) ? `[${v.join(" ")}]` : v ?? ""}`;
    });
    const target = action.module !== undefined ? `${action.module} ` : "";
    const call = action.type === "get"
      ? `get ${target}"${action.field}"`
      : `invoke ${target}"${action.field}"(${args.join(", ")})`;
    return `${command.type} ${call}`;
  }
  if (command.type === "unread") return `(${command.keyword ?? "?"} ...)`;
  const what = command.filename ?? command.name ??
    (command.bytes !== undefined || command.error !== undefined ? "(inline module)" : "");
  return `${command.type} ${what}`.trim();
}

/**
 * Runs one script.
 *
 * @param name the script's name in the result
 * @param script its commands
 * @param options the engine and where its module files are
 * @returns the counts and failures
 */
export async function runScript(
  name: string,
  script: WastScript,
  options: RunScriptOptions,
): Promise<ScriptResult> {
  const result: ScriptResult = {
    name,
    passed: 0,
    failed: 0,
    skipped: 0,
    failures: [],
    skipReasons: new Map(),
  };
  const run = new ScriptRun(options);
  for (const command of script.commands) {
    let outcome: Outcome;
    try {
      outcome = await run.run(command);
    } catch (error) {
      outcome = fail(`runner error: ${error instanceof Error ? error.message : String(error)}`);
    }
    switch (outcome.status) {
      case "pass":
        result.passed++;
        break;
      case "fail":
        result.failed++;
        result.failures.push({
          line: command.line,
          command: describeCommand(command),
          reason: outcome.reason,
        });
        break;
      case "skip":
        result.skipped++;
        result.skipReasons.set(outcome.reason, (result.skipReasons.get(outcome.reason) ?? 0) + 1);
        break;
    }
  }
  return result;
}
