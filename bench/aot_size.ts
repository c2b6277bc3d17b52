/**
 * The JS tier ahead of time, measured: for each module given, the size of
 * the ES module `capstan compile --emit=js` writes (JS bytes per wasm byte:
 * the whole module; and the functions' JS code alone, without the embedded
 * image, per byte of the wasm function bodies) and the time to write it (ms per MB of wasm: decoding and
 * validating, lowering every function to JS, the routed functions' bytecode,
 * the image), the median of a few runs.
 *
 * Run: `deno run -A bench/aot_size.ts FILE.wasm...` (prints a Markdown table)
 *
 * @module
 */

import { translateModule } from "@capstan/environ";
import { compileJsModule, writeJsModule } from "@capstan/codegen";

const RUNS = 3;

if (import.meta.main) {
  console.log(
    "| module | wasm KB | code KB | ES module KB | JS/wasm | code JS/code | routed | ms | ms/MB |",
  );
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const file of Deno.args) {
    const bytes = Deno.readFileSync(file);
    const times: number[] = [];
    let written;
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      written = writeJsModule(translateModule(bytes));
      times.push(performance.now() - t0);
    }
    const ms = times.sort((a, b) => a - b)[RUNS >> 1];
    const translation = translateModule(bytes);
    const code = compileJsModule(translation).source.length;
    const codeBytes = translation.bodies.reduce((a, b) => a + b.codeEnd - b.codeStart, 0);
    const total = new TextEncoder().encode(written!.source).length;
    const n = written!.lowered + written!.routed.size;
    console.log(
      `| ${file.split("/").slice(-2).join("/")} | ${(bytes.length / 1024).toFixed(0)} | ${
        (codeBytes / 1024).toFixed(0)
      } | ${(total / 1024).toFixed(0)} | ${(total / bytes.length).toFixed(2)} | ${
        (code / codeBytes).toFixed(2)
      } | ${written!.routed.size}/${n} | ${ms.toFixed(0)} | ${
        (ms / (bytes.length / 1048576)).toFixed(0)
      } |`,
    );
  }
}
