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

Deno.test("a branch on ref.test or ref.is_null of the any hierarchy is one op", () => {
  const ops = listing(`(module (type $s (struct))
    (func (param $a anyref) (result i32)
      (if (result i32) (ref.test (ref $s) (local.get $a))
        (then (i32.const 1))
        (else (if (result i32) (ref.is_null (local.get $a))
          (then (i32.const 2)) (else (i32.const 3))))))
    (func (param $a anyref) (result i32)
      (block $b (result (ref null $s))
        (br_on_cast $b anyref (ref null $s) (local.get $a))
        (drop) (return (i32.const 0)))
      (drop)
      (block $f (result anyref)
        (br_on_cast_fail $f anyref (ref i31) (local.get $a))
        (drop) (return (i32.const 1)))
      (drop) (i32.const 2)))`);
  const names = ops.map((o) => o.split(" ")[0]);
  assert.ok(!names.includes("ref_test") && !names.includes("ref_is_null_any"), ops.join("\n"));
  assert.ok(names.includes("br_ref_test_fail") && names.includes("br_ref_test"), ops.join("\n"));
  assert.ok(names.includes("br_ref_null") || names.includes("br_ref_nonnull"), ops.join("\n"));
});
