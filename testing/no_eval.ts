/**
 * Test helper: runs a JavaScript module as a Deno program with code
 * generation from strings disallowed (`eval`, `new Function` throw), with
 * this repository's workspace config, so its bare `@capstan/*` specifiers
 * resolve: how the tests run modules written ahead of time.
 *
 * @module
 */

const ROOT_CONFIG = new URL("../deno.json", import.meta.url).pathname;

/** What a finished program left. */
export interface ProgramOutput {
  /** Its exit code. */
  readonly code: number;
  /** Its standard output, decoded. */
  readonly stdout: string;
  /** Its standard error, decoded. */
  readonly stderr: string;
}

/**
 * Runs `deno run --v8-flags=--disallow-code-generation-from-strings -A file args...`.
 *
 * @param file the module's path
 * @param args its arguments
 * @param cwd the working directory (the current one when absent)
 * @returns its exit code and output
 */
export async function runWithoutEval(
  file: string,
  args: readonly string[] = [],
  cwd?: string,
): Promise<ProgramOutput> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--config",
      ROOT_CONFIG,
      "--v8-flags=--disallow-code-generation-from-strings",
      "-A",
      file,
      ...args,
    ],
    cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, stdout: decoder.decode(out.stdout), stderr: decoder.decode(out.stderr) };
}
