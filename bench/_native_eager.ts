/**
 * Child process of `compare.ts`: times native V8 compiling every function
 * up front. Run it with `--v8-flags=--no-wasm-lazy-compilation`; it prints
 * one JSON line `{ "ms": <fastest>, "bytes": <size> }`.
 *
 * Usage: `deno run -A --v8-flags=--no-wasm-lazy-compilation bench/_native_eager.ts big|PATH [REPEAT]`
 *
 * Invariants: each compilation gets bytes no earlier one saw
 * ({@link freshModule}), so V8's native-module cache cannot answer it.
 *
 * @module
 */

import { freshModule, loadBigModule } from "./_big.ts";

if (import.meta.main) {
  const [what = "big", repeatArg = "3"] = Deno.args;
  const source = what === "big" ? await loadBigModule() : Deno.readFileSync(what);
  if (typeof source === "string") {
    console.log(JSON.stringify({ error: source }));
    Deno.exit(1);
  }
  const module = freshModule(source);
  let best = Infinity;
  for (let i = 0; i < Math.max(1, Number(repeatArg) || 1); i++) {
    module.bump();
    const t0 = performance.now();
    new WebAssembly.Module(module.bytes as Uint8Array<ArrayBuffer>);
    best = Math.min(best, performance.now() - t0);
  }
  console.log(JSON.stringify({ ms: best, bytes: source.length }));
}
