/**
 * The WASI C fixtures of `@capstan/wasi` (wasi/testdata/*.wasm), run the same
 * way through the host's native `WebAssembly` and through Capstan's facade:
 * code written for the global object must behave the same when handed the
 * facade. Output, exit code and the files left behind are compared.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Wasi } from "@capstan/wasi";
import { createWebAssembly } from "@capstan/runtime/webassembly";

const TESTDATA = new URL("../wasi/testdata/", import.meta.url).pathname;

class Sink {
  chunks: Uint8Array[] = [];
  writeSync(p: Uint8Array): number {
    this.chunks.push(p.slice());
    return p.length;
  }
  text(): string {
    return new TextDecoder().decode(
      Uint8Array.from(this.chunks.flatMap((c) => [...c])),
    );
  }
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
  tree: string[];
}

async function listTree(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = `${prefix}${e.name}`;
    if (e.isDirectory) out.push(`${path}/`, ...await listTree(`${dir}/${e.name}`, `${path}/`));
    else if (e.isSymlink) out.push(`${path} -> ${await Deno.readLink(`${dir}/${e.name}`)}`);
    else out.push(`${path}: ${await Deno.readTextFile(`${dir}/${e.name}`)}`);
  }
  return out.sort();
}

/** Runs a fixture on a `WebAssembly`-shaped object, in a fresh sandbox directory. */
async function runFixture(
  wa: typeof globalThis.WebAssembly,
  name: string,
  args: string[],
  stdinText = "",
): Promise<Outcome> {
  const sandbox = await Deno.makeTempDir();
  try {
    const stdout = new Sink();
    const stderr = new Sink();
    const input = new TextEncoder().encode(stdinText);
    let at = 0;
    const wasi = new Wasi({
      args: [name, ...args],
      env: { FIXTURE: name },
      preopens: { "/sandbox": sandbox },
      stdin: {
        readSync(p: Uint8Array) {
          if (at >= input.length) return null;
          const n = Math.min(p.length, input.length - at);
          p.set(input.subarray(at, at + n));
          at += n;
          return n;
        },
      },
      stdout,
      stderr,
    });
    const bytes = await Deno.readFile(`${TESTDATA}${name}.wasm`);
    const { instance } = await wa.instantiate(bytes, { wasi_snapshot_preview1: wasi.imports });
    const code = wasi.start(instance);
    return { code, stdout: stdout.text(), stderr: stderr.text(), tree: await listTree(sandbox) };
  } finally {
    await Deno.remove(sandbox, { recursive: true });
  }
}

const CASES: { name: string; args: string[]; stdin?: string }[] = [
  { name: "args_env", args: ["exit", "3"] },
  { name: "args_env", args: ["return", "4"] },
  { name: "cat", args: [], stdin: "line one\nline two\n" },
  { name: "cat", args: ["/sandbox/missing.txt"] },
  { name: "files", args: [] },
];

for (const c of CASES) {
  Deno.test({
    name: `WASI fixture ${c.name} ${c.args.join(" ")} behaves the same on the facade as native`,
    async fn() {
      const native = await runFixture(globalThis.WebAssembly, c.name, c.args, c.stdin);
      const facade = await runFixture(createWebAssembly(), c.name, c.args, c.stdin);
      assert.ok(native.stdout.length > 0 || native.stderr.length > 0, "the fixture said something");
      assert.deepEqual(facade, native);
    },
  });
}

Deno.test("the WASI fixture harness observes exit codes, output and files (native)", async () => {
  const exit = await runFixture(globalThis.WebAssembly, "args_env", ["exit", "3"]);
  assert.equal(exit.code, 3);
  assert.match(exit.stdout, /argv\[0\]=args_env\nargv\[1\]=exit\n/);
  assert.match(exit.stdout, /env\[0\]=FIXTURE=args_env\n/);
  const cat = await runFixture(globalThis.WebAssembly, "cat", [], "abc\n");
  assert.equal(cat.stdout, "abc\n");
  const files = await runFixture(globalThis.WebAssembly, "files", []);
  assert.equal(files.code, 0, files.stderr);
  assert.ok(files.tree.some((line) => line.startsWith("dir/renamed.txt: hello")));
});
