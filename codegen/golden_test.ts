/**
 * Golden disassembly tests: each `testdata/disas/*.wat` is compiled and its
 * listing (`disassembleModule`: bytecode, trap sites, relocations, wasm
 * offsets) compared with the `.txt` beside it. Re-bless after an intended
 * change with `BLESS=1 deno test -A codegen/golden_test.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseWat, translateModule } from "@capstan/environ";
import { compileModule, disassembleModule, printModuleIr } from "./compile.ts";

const dir = new URL("./testdata/disas/", import.meta.url);
const bless = Deno.env.get("BLESS") === "1";

for (const entry of Deno.readDirSync(dir)) {
  if (!entry.name.endsWith(".wat")) continue;
  Deno.test(`golden disassembly of ${entry.name}`, async () => {
    const wat = await Deno.readTextFile(new URL(entry.name, dir));
    const t = translateModule(parseWat(wat));
    const text = `;; IR\n${printModuleIr(t)}\n\n;; bytecode\n${
      disassembleModule(compileModule(t))
    }`;
    const golden = new URL(entry.name.replace(/\.wat$/, ".txt"), dir);
    if (bless) await Deno.writeTextFile(golden, text);
    assert.equal(text, await Deno.readTextFile(golden));
  });
}
