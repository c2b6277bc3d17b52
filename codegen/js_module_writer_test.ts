import assert from "node:assert/strict";
import { parseWat, translateModule, tunables } from "@capstan/environ";
import { compileJsModule } from "./js_backend.ts";
import { deserializeCompiled, isImage } from "./serialize.ts";
import { JS_MODULE_FORMAT, writeJsModule } from "./js_module_writer.ts";

const WAT = `(module
  (func $add (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (memory 1)
  (func $mix (export "mix") (param $p i32) (param $x f64) (result f64) (local $v f64)
    (local.set $v (f64.load (i32.const 16)))
    (if (local.get $p) (then (local.set $v (f64.add (local.get $v) (local.get $x)))))
    (f64.store (i32.const 24) (local.get $v))
    (local.get $v)))`;

/** The JSON-literal value of `name: <literal>,` in the written module's code record. */
function field(source: string, name: string): unknown {
  const line = source.split("\n").find((l) => l.startsWith(`  ${name}: `))!;
  return JSON.parse(line.slice(name.length + 4, -1));
}

Deno.test("writeJsModule writes the JS tier's code as real functions, with the routed functions' bytecode", () => {
  const translation = translateModule(parseWat(WAT, { names: true }));
  const config = tunables({ consumeFuel: true });
  const out = writeJsModule(translation, config);
  assert.equal(out.lowered, 1);
  assert.deepEqual([...out.routed.keys()], [1]);
  // the factory's body is compileJsModule's source, verbatim
  assert.ok(
    out.source.includes(
      `function factory(X, S, H, C) {\n${compileJsModule(translation, config).source}\n}`,
    ),
  );
  assert.equal(field(out.source, "format"), JS_MODULE_FORMAT);
  assert.deepEqual(field(out.source, "tunables"), config);
  assert.deepEqual(field(out.source, "routed"), { 1: out.routed.get(1) });
  const text = atob(field(out.source, "image") as string);
  const image = Uint8Array.from(text, (c) => c.charCodeAt(0));
  assert.ok(isImage(image));
  const compiled = deserializeCompiled(image, config);
  assert.deepEqual(compiled.translation.bytes, translation.bytes);
  assert.ok(compiled.isLowered(1), "the routed function's bytecode is in the image");
  assert.ok(
    !compiled.isLowered(0),
    "the JS function's is lowered only if the interpreter needs it",
  );
});

Deno.test("writeJsModule's WASI flavour runs main() as a program, with the specifiers given", () => {
  const translation = translateModule(parseWat(WAT));
  const out = writeJsModule(translation, undefined, {
    runtimeSpecifier: "./rt.ts",
    wasi: { specifier: "./wasi.ts", program: 'a "b".wasm' },
  });
  assert.match(out.source, /^import \{ instantiateAot \} from "\.\/rt\.ts";$/m);
  assert.match(out.source, /^import \{ Wasi, WasiExit \} from "\.\/wasi\.ts";$/m);
  assert.match(out.source, /args: \["a \\"b\\"\.wasm", \.\.\.args\.slice\(i\)\]/);
  assert.match(out.source, /^if \(import\.meta\.main\) Deno\.exit\(await main\(\)\);$/m);
});
