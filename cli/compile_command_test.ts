import assert from "node:assert/strict";
import { capstan } from "./_subprocess_test_util.ts";

const INVOKE = new URL("./testdata/run/invoke.wasm", import.meta.url).pathname;
const INVOKE_WAT = new URL("./testdata/run/invoke.wat", import.meta.url).pathname;
const NUMERICS3 = new URL("./testdata/run/numerics3.wat", import.meta.url).pathname;

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

Deno.test("capstan compile shows wide arithmetic and relaxed SIMD in the IR and the bytecode", async () => {
  const ir = await capstan(["compile", "--emit=ir", NUMERICS3]);
  assert.equal(ir.code, 0, ir.stderr);
  assert.match(ir.stdout, /i64_add128 v\d+, v\d+, v0, v1, v2, v3/);
  assert.match(ir.stdout, /i64_mul_wide_u v\d+, v\d+, v0, v1/);
  assert.match(ir.stdout, /simd_bin v\d+, i16x8\.relaxed_dot_i8x16_i7x16_s, v0, v1/);
  const bc = await capstan(["compile", "--emit=bytecode", NUMERICS3]);
  assert.equal(bc.code, 0, bc.stderr);
  assert.match(bc.stdout, /i64_add128 r\d+, r\d+, r0, r1, r2, r3/);
  assert.match(bc.stdout, /simd_bin r\d+, i16x8\.relaxed_dot_i8x16_i7x16_s, r0, r1/);
  assert.match(bc.stdout, /f32x4_mul r\d+, r0, r1[^\n]*\n[^\n]*f32x4_add /, "madd: mul, then add");
});

Deno.test("capstan compile -W stack-switching shows the stack-switching ops; without it the module is refused", async () => {
  const generator = new URL("../examples/generator.wat", import.meta.url).pathname;
  const bc = await capstan(["compile", "-W", "stack-switching", "--emit=bytecode", generator]);
  assert.equal(bc.code, 0, bc.stderr);
  assert.match(bc.stdout, /cont_new r\d+, r\d+ .*trap NullFunctionReference/);
  assert.match(bc.stdout, /cont_bind r\d+, r\d+, r\d+, 1 /);
  assert.match(bc.stdout, /suspend 0, r\d+, 1 .*trap UnhandledTag/);
  assert.match(bc.stdout, /resume r\d+, r\d+, 0 /);
  const off = await capstan(["compile", "--emit=bytecode", generator]);
  assert.equal(off.code, 1);
  assert.match(off.stderr, /stack switching support is not enabled/);
});

Deno.test("capstan compile rejects a bad --emit (exit 2) and an invalid module (exit 1)", async () => {
  const emit = await capstan(["compile", "--emit=asm", INVOKE]);
  assert.equal(emit.code, 2);
  assert.match(emit.stderr, /--emit must be ir, bytecode or js, found asm/);
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
