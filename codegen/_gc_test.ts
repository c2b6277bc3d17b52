/**
 * Tests of the GC operators' translation (`_gc.ts`): a `ref.cast` of a local
 * checks the local's register in place (no copy), one of any other operand
 * checks its temporary.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseWat, translateModule, tunables } from "@capstan/environ";
import { decodeInstruction } from "@capstan/interpreter";
import { compileModule } from "./compile.ts";

/** Each function's bytecode, as op names and operands. */
function listing(wat: string): string[] {
  const cm = compileModule(translateModule(parseWat(wat)), tunables());
  const out: string[] = [];
  for (const f of cm.functions) {
    for (let pc = f.entry; pc < f.end; pc += decodeInstruction(cm.code, pc).length) {
      const d = decodeInstruction(cm.code, pc);
      out.push(`${d.op.name} ${d.operands.join(",")}`);
    }
  }
  return out;
}

Deno.test("a ref.cast of a local checks the local's register, without a copy", () => {
  const ops = listing(`(module (type $s (struct (field i32)))
    (func (param $a anyref) (result i32) (struct.get $s 0 (ref.cast (ref $s) (local.get $a)))))`);
  assert.ok(ops.some((o) => o.startsWith("ref_cast 0,")), ops.join("\n"));
  assert.ok(!ops.some((o) => o.startsWith("ref_mov")), ops.join("\n"));
});

Deno.test("a ref.cast of a computed reference checks its temporary", () => {
  const ops = listing(`(module (type $s (struct (field i32)))
    (func (param $a anyref) (result i32)
      (struct.get $s 0 (ref.cast (ref $s) (ref.as_non_null (local.get $a))))))`);
  assert.ok(ops.some((o) => o.startsWith("ref_cast")), ops.join("\n"));
});
