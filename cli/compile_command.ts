/**
 * `capstan compile`: placeholder until the runtime lands.
 *
 * @module
 */
import type { CommandOutput } from "./wast_command.ts";

/** The usage text of `capstan compile`. */
export const COMPILE_USAGE = `Usage: capstan compile [OPTIONS] FILE [ARGS...]`;

/** Runs `capstan compile`. */
export function compileCommand(_args: readonly string[], _output: CommandOutput): Promise<number> {
  return Promise.reject(new Error("not yet"));
}
