import assert from "node:assert/strict";
import { capstan } from "./_subprocess_test_util.ts";

const INVOKE = new URL("./testdata/run/invoke.wasm", import.meta.url).pathname;
const INVOKE_WAT = new URL("./testdata/run/invoke.wat", import.meta.url).pathname;

Deno.test("capstan compile --emit=bytecode lists every function with trap sites and wasm offsets", async () => {
  const { code, stdout, stderr } = await capstan(["compile", "--emit=bytecode", INVOKE]);
  assert.equal(code, 0, stderr);
  const functions = stdout.split("\n").filter((l) => l.startsWith("function "));
  assert.equal(functions.length, 9, "one listing per defined function");
  assert.match(stdout, /i32_div_s .*trap IntegerDivisionByZero/);
  assert.match(stdout, /; wasm 0x[0-9a-f]+/);
});

Deno.test("capstan compile --emit=ir prints the IR, and reads .wat", async () => {
  const { code, stdout } = await capstan(["compile", "--emit", "ir", INVOKE_WAT]);
  assert.equal(code, 0);
  assert.match(stdout, /i32_add v\d+, v\d+, v\d+/);
  assert.match(stdout, /call func\d+/);
});

Deno.test("capstan compile rejects a bad --emit (exit 2) and an invalid module (exit 1)", async () => {
  const emit = await capstan(["compile", "--emit=asm", INVOKE]);
  assert.equal(emit.code, 2);
  assert.match(emit.stderr, /--emit must be ir or bytecode, found asm/);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/bad.wasm`, new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1]));
    const bad = await capstan(["compile", `${dir}/bad.wasm`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: .*unexpected end/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
