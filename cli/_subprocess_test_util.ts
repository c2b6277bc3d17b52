/**
 * Test helper: runs `deno run -A cli/main.ts ...` as a subprocess and
 * captures its exit code and output.
 *
 * @module
 */

const MAIN = new URL("./main.ts", import.meta.url).pathname;

/** What a finished `capstan` process left. */
export interface CapstanOutput {
  /** Its exit code. */
  readonly code: number;
  /** Its standard output, decoded. */
  readonly stdout: string;
  /** Its standard error, decoded. */
  readonly stderr: string;
}

/**
 * Runs the `capstan` command.
 *
 * @param args arguments after `cli/main.ts`
 * @param options working directory and standard input
 * @returns the exit code and output
 */
export async function capstan(
  args: string[],
  options: { cwd?: string; stdin?: string } = {},
): Promise<CapstanOutput> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd: options.cwd,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(options.stdin));
    await writer.close();
  }
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  return { code, stdout: decoder.decode(stdout), stderr: decoder.decode(stderr) };
}
