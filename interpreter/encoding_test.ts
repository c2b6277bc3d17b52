/**
 * Tests of the op table's derived encoder, decoder and disassembler: every op round-trips.
 *
 * @module
 */
import assert from "node:assert/strict";
import {
  BYTECODE_OPS,
  BytecodeEncoder,
  decodeInstruction,
  disassemble,
  instructionLength,
  Op,
} from "./mod.ts";

Deno.test("encode→decode round-trips every bytecode op", () => {
  const enc = new BytecodeEncoder();
  const expected: { code: number; operands: (number | number[])[] }[] = [];
  let seed = 12345;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) | 0);
  for (const op of BYTECODE_OPS) {
    const operands = op.operands.map((o) => o.kind === "t" ? [next(), next(), next()] : next());
    enc.emit(op.code, ...operands);
    expected.push({ code: op.code, operands });
  }
  const code = enc.finish();
  let pc = 0;
  for (const e of expected) {
    const ins = decodeInstruction(code, pc);
    assert.equal(ins.op.code, e.code);
    assert.deepEqual(ins.operands, e.operands);
    assert.equal(instructionLength(code, pc), ins.length);
    pc += ins.length;
  }
  assert.equal(pc, code.length);
});

Deno.test("disassemble() names every op and prints branch targets as addresses", () => {
  const enc = new BytecodeEncoder();
  for (const op of BYTECODE_OPS) {
    enc.emit(op.code, ...op.operands.map((o) => (o.kind === "t" ? [4, 8] : 1)));
  }
  const text = disassemble(enc.finish());
  const lines = text.split("\n");
  assert.equal(lines.length, BYTECODE_OPS.length);
  BYTECODE_OPS.forEach((op, i) => assert.match(lines[i], new RegExp(`: ${op.name}\\b`)));
  const br = lines[BYTECODE_OPS.findIndex((o) => o.name === "br")];
  const at = Number(br.split(":")[0]);
  assert.ok(br.endsWith(`@${at + 1}`), br);
});

Deno.test("BytecodeEncoder.emit() rejects a wrong operand count", () => {
  const enc = new BytecodeEncoder();
  assert.throws(
    () => enc.emit(BYTECODE_OPS.find((o) => o.name === "i32_add")!.code, 1, 2),
    RangeError,
  );
});

Deno.test("op names are unique and every op has a doc string", () => {
  const names = new Set(BYTECODE_OPS.map((o) => o.name));
  assert.equal(names.size, BYTECODE_OPS.length);
  for (const op of BYTECODE_OPS) assert.ok(op.doc.length > 3, op.name);
});

Deno.test("disassemble() names the access kind of mem_load and mem_store", () => {
  const enc = new BytecodeEncoder();
  enc.emit(Op.mem_load, 0, 1, 2, Op.load64_8_s, 16, 1);
  enc.emit(Op.mem_store, 1, 0, 0, Op.store32, 0, 0);
  const text = disassemble(enc.finish());
  assert.match(text, /mem_load r0, r1, 2, load64_8_s, 16, 1/);
  assert.match(text, /mem_store r1, r0, 0, store32, 0, 0/);
});
