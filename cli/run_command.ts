/**
 * `capstan run`: placeholder until the runtime lands.
 *
 * @module
 */
import type { CommandOutput } from "./wast_command.ts";

/** The usage text of `capstan run`. */
export const RUN_USAGE = `Usage: capstan run [OPTIONS] FILE [ARGS...]`;

/** Runs `capstan run`. */
export function runCommand(_args: readonly string[], _output: CommandOutput): Promise<number> {
  return Promise.reject(new Error("not yet"));
}
