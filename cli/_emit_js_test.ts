import assert from "node:assert/strict";
import { runWithoutEval } from "@capstan/testing/no_eval";
import { capstan } from "./_subprocess_test_util.ts";

const TESTDATA = new URL("../wasi/testdata/", import.meta.url).pathname;
const INVOKE = new URL("./testdata/run/invoke.wasm", import.meta.url).pathname;

Deno.test("capstan compile --emit=js --wasi writes a WASI program that prints what capstan run prints", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const written = await capstan([
      "compile",
      "--emit=js",
      "--wasi",
      `${TESTDATA}files.wasm`,
      "-o",
      `${dir}/files.mjs`,
    ]);
    assert.equal(written.code, 0, written.stderr);
    for (const run of ["aot", "run"]) await Deno.mkdir(`${dir}/${run}`);
    const aot = await runWithoutEval(`${dir}/files.mjs`, ["--dir", "aot::/sandbox"], dir);
    // capstan run names the program as given: from the fixtures' directory, as the AOT main does
    const ran = await capstan(["run", "--dir", `${dir}/run::/sandbox`, "files.wasm"], {
      cwd: TESTDATA,
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.deepEqual(aot, ran);
    assert.ok(ran.stdout.split("\n").length > 20, "the program printed its steps");

    const args = ["--env", "A=1", "--", "x", "y z"];
    const w2 = await capstan(["compile", "--emit=js", "--wasi", `${TESTDATA}args_env.wasm`]);
    assert.equal(w2.code, 0, w2.stderr);
    await Deno.writeTextFile(`${dir}/args.mjs`, w2.stdout);
    const a = await runWithoutEval(`${dir}/args.mjs`, args, dir);
    const r = await capstan(["run", "--env", "A=1", "args_env.wasm", "x", "y z"], {
      cwd: TESTDATA,
    });
    assert.deepEqual(a, r);
    assert.match(a.stdout, /argv\[2\]=y z/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("capstan compile --emit=js: the runtime specifier, notes on stderr, usage errors", async () => {
  const out = await capstan([
    "compile",
    "--emit=js",
    "--runtime-specifier",
    "jsr:@capstan/runtime@0.1.0",
    INVOKE,
  ]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^\/\/ Written by `capstan compile --emit=js` from invoke\.wasm/);
  assert.match(out.stdout, /import \{ instantiateAot \} from "jsr:@capstan\/runtime@0\.1\.0";/);
  assert.match(out.stdout, /export function instantiate\(imports = \{\}, options = \{\}\)/);
  assert.doesNotMatch(out.stdout, /export async function main/);
  const wasiOnly = await capstan(["compile", "--emit=bytecode", "--wasi", INVOKE]);
  assert.equal(wasiOnly.code, 2);
  assert.match(wasiOnly.stderr, /--wasi needs --emit=js/);
  const spec = await capstan(["compile", "--emit=js", "--wasi-specifier", "x", INVOKE]);
  assert.equal(spec.code, 2);
  assert.match(spec.stderr, /--wasi-specifier needs --wasi/);
});
