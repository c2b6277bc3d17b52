/**
 * How long the text format takes on the largest spec scripts: `deno bench -A
 * environ/text/parse_bench.ts`. One group: scripts parsed end to end by
 * {@link parseWast} (lexing, every module encoded, every value converted).
 *
 * @module
 */

import { parseWast } from "./wast.ts";
import { testsuiteDir } from "../../tests/inputs.ts";

const SUITE = testsuiteDir();

for (const name of ["simd_f32x4_pmin_pmax", "simd_f32x4_cmp", "memory_copy", "i32"]) {
  const source = Deno.readTextFileSync(`${SUITE}/${name}.wast`);
  Deno.bench({
    name: `parseWast ${name}.wast (${(source.length / 1024).toFixed(0)} KiB)`,
    group: "parseWast",
    fn() {
      parseWast(source);
    },
  });
}
