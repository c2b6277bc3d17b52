/**
 * Which spec-suite functions the JS tier lowers: every function of the
 * scripts of tail calls, typed function references, exceptions, multiple
 * memories and garbage collection runs on the JS tier (none is routed to the interpreter), so that
 * `testsuite_test.ts`'s JS-tier runs of them test JS code. (That the results
 * equal the interpreter's is `testsuite_test.ts`'s job.)
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWast, translateModule } from "@capstan/environ";
import { compileJsModule } from "@capstan/codegen";
import { testsuiteDir } from "../tests/inputs.ts";

/** Scripts whose every function the JS tier lowers. */
const ALL_ON_JS = [
  "return_call.wast",
  "return_call_indirect.wast",
  "return_call_ref.wast",
  "call_ref.wast",
  "br_on_null.wast",
  "br_on_non_null.wast",
  "ref_as_non_null.wast",
  "throw.wast",
  "throw_ref.wast",
  "try_table.wast",
  "legacy/rethrow.wast",
  "legacy/throw.wast",
  "legacy/try_catch.wast",
  "legacy/try_delegate.wast",
  "memory-multi.wast",
  "address1.wast",
  "align0.wast",
  "load1.wast",
  "store1.wast",
  "memory_copy1.wast",
  "memory_fill0.wast",
  "memory_grow.wast",
  "memory_size1.wast",
  "array.wast",
  "array_copy.wast",
  "array_fill.wast",
  "array_init_data.wast",
  "array_init_elem.wast",
  "array_new_data.wast",
  "array_new_elem.wast",
  "br_on_cast.wast",
  "br_on_cast_fail.wast",
  "extern.wast",
  "i31.wast",
  "ref_cast.wast",
  "ref_eq.wast",
  "ref_test.wast",
  "struct.wast",
  "type-canon.wast",
  "type-equivalence.wast",
  "type-rec.wast",
  "type-subtyping.wast",
];

Deno.test("the JS tier lowers every function of the tail-call, reference, exception, multi-memory and GC scripts", async () => {
  const dir = testsuiteDir();
  let lowered = 0;
  for (const name of ALL_ON_JS) {
    const script = parseWast(await Deno.readTextFile(`${dir}/${name}`), name);
    for (const c of script.commands) {
      if (c.type !== "module" || c.bytes === undefined) continue;
      const functions = compileJsModule(translateModule(c.bytes)).functions;
      for (const f of functions) {
        assert.equal(f.routed, undefined, `${name} line ${c.line}: function ${f.funcIndex}`);
      }
      lowered += functions.length;
    }
  }
  assert.ok(lowered > 300, `${lowered} functions lowered`);
});
