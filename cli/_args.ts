/**
 * Command-line parsing shared by the subcommands: flags come before the first
 * positional argument (the file), everything after it belongs to the module.
 * Built on `parseArgs` from `node:util`.
 *
 * Invariants: every bad command line becomes a {@link UsageError}, which the
 * entry point prints with the subcommand's usage and turns into exit code 2.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { WasmFeatures } from "@capstan/environ";

/** A command line that does not follow a subcommand's usage. */
export class UsageError extends Error {
  /** @param message what was wrong */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** An option as `parseArgs` declares it. */
export interface OptionSpec {
  /** `string` options take a value, `boolean` ones do not. */
  readonly type: "string" | "boolean";
  /** Whether the option may be given several times. */
  readonly multiple?: boolean;
  /** A one-letter alias. */
  readonly short?: string;
}

/** The result of {@link parseCommandLine}. */
export interface ParsedCommandLine {
  /** Option values by name (arrays for `multiple` options). */
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  /** Positional arguments: with `stopAtPositional`, the first and all after it. */
  readonly positionals: string[];
}

/**
 * Parses a subcommand's arguments.
 *
 * @param args the arguments after the subcommand name
 * @param options the options it accepts
 * @param stopAtPositional when true, the first positional argument ends option
 *   parsing: it and everything after it are returned as positionals verbatim
 * @returns the option values and positionals
 * @throws {UsageError} for an unknown option or a missing value
 */
export function parseCommandLine(
  args: readonly string[],
  options: Record<string, OptionSpec>,
  stopAtPositional: boolean,
): ParsedCommandLine {
  let end = args.length;
  if (stopAtPositional) {
    const shorts = new Map(
      Object.entries(options).filter(([, o]) => o.short).map(([n, o]) => [o.short!, n]),
    );
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (arg === "--") {
        end = i;
        break;
      }
      if (!arg.startsWith("-") || arg === "-") {
        end = i;
        break;
      }
      if (arg.includes("=")) continue;
      const name = arg.startsWith("--") ? arg.slice(2) : shorts.get(arg.slice(1));
      if (name !== undefined && options[name]?.type === "string") i++;
    }
  }
  const head = args.slice(0, end);
  const tail = args.slice(args[end] === "--" ? end + 1 : end);
  try {
    const parsed = parseArgs({
      args: head as string[],
      options: options as Record<string, { type: "string" | "boolean"; multiple?: boolean }>,
      allowPositionals: !stopAtPositional,
      strict: true,
    });
    return {
      values: parsed.values as ParsedCommandLine["values"],
      positionals: stopAtPositional ? tail : parsed.positionals,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ""));
  }
}

/**
 * Reads a `string` option that may appear at most once.
 *
 * @param values parsed option values
 * @param name the option
 * @returns its value, or undefined when absent
 */
export function stringOption(
  values: ParsedCommandLine["values"],
  name: string,
): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    if (value.length > 1) throw new UsageError(`--${name} may be given only once`);
    return String(value[0]);
  }
  return String(value);
}

/**
 * Reads a `string` option that may appear several times.
 *
 * @param values parsed option values
 * @param name the option
 * @returns its values, in order
 */
export function stringList(values: ParsedCommandLine["values"], name: string): string[] {
  const value = values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** The features `-W` may name, and the `WasmFeatures` switch each sets. */
const WASM_FEATURE_KEYS: Readonly<Record<string, keyof WasmFeatures>> = {
  "stack-switching": "stackSwitching",
  "custom-page-sizes": "customPageSizes",
};
const WASM_FEATURES: readonly string[] = Object.keys(WASM_FEATURE_KEYS);

/**
 * Parses `-W` values as wasmtime does: comma-separated `FEATURE`,
 * `FEATURE=y` or `FEATURE=n`.
 *
 * @param values the `-W` arguments
 * @returns each feature named, enabled or not
 * @throws {UsageError} for an unknown feature or value
 */
export function parseWasmFeatures(values: readonly string[]): Map<string, boolean> {
  const features = new Map<string, boolean>();
  for (const item of values.flatMap((v) => v.split(","))) {
    const [name, value] = item.split("=", 2);
    if (!WASM_FEATURES.includes(name)) {
      throw new UsageError(`-W: unknown feature ${name} (known: ${WASM_FEATURES.join(", ")})`);
    }
    if (value !== undefined && !["y", "n", "yes", "no", "true", "false"].includes(value)) {
      throw new UsageError(`-W ${name}: expected y or n, found ${value}`);
    }
    features.set(name, value === undefined || value === "y" || value === "yes" || value === "true");
  }
  return features;
}

/**
 * The proposals a command line turns on or off: its `-W` values and
 * `--stack-switching` (the same as `-W stack-switching`). A switch not named
 * is absent, for the command to default.
 *
 * @param values the parsed options (`wasm`, `stack-switching`)
 * @returns the switches named
 * @throws {UsageError} for an unknown feature or value
 */
export function wasmFeaturesOf(values: ParsedCommandLine["values"]): WasmFeatures {
  const out: { -readonly [K in keyof WasmFeatures]: boolean } = {};
  for (const [name, on] of parseWasmFeatures(stringList(values, "wasm"))) {
    out[WASM_FEATURE_KEYS[name]] = on;
  }
  if (values["stack-switching"] === true) out.stackSwitching = true;
  return out;
}
