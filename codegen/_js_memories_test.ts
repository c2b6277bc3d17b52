/**
 * Tests of the JS lowering of accesses to memories other than memory 0: the
 * memory-0 op an access runs as, and the JS naming that memory.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_TUNABLES, parseWat, translateModule } from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import { FuncEnvironment } from "./func_environ.ts";
import { FuncTranslator } from "./func_translator.ts";
import { memoryAccess, onMemory } from "./_js_memories.ts";

Deno.test("an access to another memory runs as the memory-0 op on that memory", () => {
  const t = translateModule(parseWat(
    `(module (memory 1) (memory 2) (func (param i32) (result i64) (i64.load16_s 1 offset=3 (local.get 0))))`,
  ));
  const env = new FuncEnvironment(t, { ...DEFAULT_TUNABLES, superInstructions: false });
  const ir = new FuncTranslator(env, false, true).translate(t.bodies[0]);
  const ins = ir.insts.find((x) => x.op === Op.mem_load)!;
  const a = memoryAccess(ins)!;
  assert.equal(a.memory, 1);
  assert.equal(a.ins.op, Op.load64_16_s);
  assert.deepEqual(a.ins.operands.slice(2), [0, 3]);
  assert.equal(a.pastEnd, false);
  assert.equal(
    onMemory("if (e + 2 > ML) T; x = M.getInt16(e, true);", 1),
    "if (e + 2 > X.memories[1].byteLength) T; x = X.memories[1].view.getInt16(e, true);",
  );
});
