/**
 * The wasi-threads conformance tests (`tests/inputs.ts` `wasiThreadsDir()`),
 * each run through `capstan run` as a subprocess: its exit code and stdout
 * compared with its `.json` (exit code 0 and any output without one). Stdin
 * is a pipe kept open, so a thread reading it blocks (as the tests assume).
 *
 * @module
 */

import assert from "node:assert/strict";
import { wasiThreadsDir } from "../tests/inputs.ts";

const MAIN = new URL("./main.ts", import.meta.url).pathname;

/** What one test expects (wasi-testsuite's format). */
interface Expected {
  exit_code?: number;
  stdout?: string;
  args?: string[];
  env?: Record<string, string>;
}

async function runOne(dir: string, name: string): Promise<string | undefined> {
  let expected: Expected = {};
  try {
    expected = JSON.parse(await Deno.readTextFile(`${dir}/${name}.json`));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  const env = Object.entries(expected.env ?? {}).map(([k, v]) => `--env=${k}=${v}`);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "run", ...env, `${name}.wasm`, ...(expected.args ?? [])],
    cwd: dir,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const out = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout);
  const want = expected.exit_code ?? 0;
  if (out.code !== want) {
    return `${name}: exit code ${out.code}, expected ${want}\n${
      new TextDecoder().decode(out.stderr)
    }`;
  }
  if (expected.stdout !== undefined && stdout !== expected.stdout) {
    return `${name}: stdout ${JSON.stringify(stdout)}, expected ${JSON.stringify(expected.stdout)}`;
  }
  return undefined;
}

Deno.test({
  name: "capstan run passes every wasi-threads conformance test (exit code and stdout)",
  ignore: wasiThreadsDir() === undefined,
  async fn() {
    const dir = wasiThreadsDir()!;
    const names = [...Deno.readDirSync(dir)]
      .filter((e) => e.name.endsWith(".wasm"))
      .map((e) => e.name.slice(0, -5))
      .sort();
    assert(names.length >= 15, `only ${names.length} tests in ${dir}`);
    const failures: string[] = [];
    for (let i = 0; i < names.length; i += 3) {
      const batch = await Promise.all(names.slice(i, i + 3).map((n) => runOne(dir, n)));
      for (const f of batch) if (f !== undefined) failures.push(f);
    }
    assert(failures.length === 0, failures.join("\n"));
  },
});

const BUSY = new URL("./testdata/threads/busy.wat", import.meta.url).pathname;

for (
  const [flags, message] of [
    [["--timeout", "300ms"], "wasm trap: interrupt"],
    [["--fuel", "1000000"], "wasm trap: all fuel consumed"],
  ] as const
) {
  Deno.test(`capstan run ${flags.join(" ")} stops every thread of a threads program`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "run", ...flags, BUSY],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 134, stderr);
    assert.match(stderr, new RegExp(message));
  });
}

Deno.test("capstan run --invoke refuses a threads program with a clear error", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "run", "--invoke", "_start", BUSY],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  assert.match(
    new TextDecoder().decode(out.stderr),
    /--invoke is not supported for a threads program/,
  );
});
