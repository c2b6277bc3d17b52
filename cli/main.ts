/**
 * The `capstan` command: `run`, `wast` and `compile`.
 *
 * ```sh
 * deno run -A cli/main.ts run [--invoke NAME] [--dir HOST[::GUEST]]... FILE [ARGS...]
 * deno run -A cli/main.ts wast [--filter TEXT] [--verbose] FILES_OR_DIRS...
 * deno run -A cli/main.ts compile --emit=ir|bytecode|js FILE
 * ```
 *
 * Invariants: a usage error prints what was wrong and the usage to stderr and
 * exits 2; any other failure prints `error: ...` and exits 1, except where a
 * subcommand documents its own codes (`run`: the guest's exit code, 134 for a
 * trap).
 *
 * @module
 */

import { UsageError } from "./_args.ts";
import type { CommandOutput } from "./wast_command.ts";

/** The usage text of `capstan`. */
export const MAIN_USAGE = `Usage: capstan <COMMAND> [OPTIONS] ...

Commands:
  run       run a WASI command module, or call one export with --invoke
  wast      run spec scripts (.json from wast2json, or .wast)
  compile   print a module's IR or bytecode, or write it compiled (.cwasm, or JS: .mjs)

Run "capstan <COMMAND> --help" for a command's options.`;

interface Command {
  readonly usage: string;
  readonly run: (args: readonly string[], output: CommandOutput) => Promise<number>;
}

/** Each subcommand is loaded only when used, so one never depends on another's layers. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => {
    const m = await import("./run_command.ts");
    return { usage: m.RUN_USAGE, run: m.runCommand };
  },
  wast: async () => {
    const m = await import("./wast_command.ts");
    return { usage: m.WAST_USAGE, run: m.wastCommand };
  },
  compile: async () => {
    const m = await import("./compile_command.ts");
    return { usage: m.COMPILE_USAGE, run: m.compileCommand };
  },
};

/**
 * Runs the `capstan` command.
 *
 * @param args the command-line arguments (without the program name)
 * @param output where to write
 * @returns the process exit code
 */
export async function main(args: readonly string[], output: CommandOutput): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    (name === undefined ? output.err : output.out)(MAIN_USAGE);
    return name === undefined ? 2 : 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    output.err(`error: unknown command "${name}"\n\n${MAIN_USAGE}`);
    return 2;
  }
  let command: Command;
  try {
    command = await load();
  } catch (error) {
    output.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    return await command.run(rest, output);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`error: ${error.message}\n\n${command.usage}`);
      return 2;
    }
    output.err(`error: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

if (import.meta.main) {
  const encoder = new TextEncoder();
  const write = (stream: { writeSync(p: Uint8Array): number }) => (line: string) => {
    const bytes = encoder.encode(line + "\n");
    let written = 0;
    while (written < bytes.length) written += stream.writeSync(bytes.subarray(written));
  };
  const code = await main(Deno.args, { out: write(Deno.stdout), err: write(Deno.stderr) });
  Deno.exit(code);
}
