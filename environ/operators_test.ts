/**
 * Tests of {@link OperatorReader}: every op of the table round-trips through
 * an encoding with sample immediates, and each immediate kind fills the
 * documented fields.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError } from "./errors.ts";
import { BLOCK_EMPTY, BLOCK_TYPE_INDEX, OperatorReader } from "./operators.ts";
import { type Immediate, Op, opKey, OPS } from "./opcodes.ts";
import { sleb, uleb } from "./_test_module.ts";

/** Sample immediate bytes for each kind. */
const SAMPLE: Record<Immediate, number[]> = {
  none: [],
  blocktype: [0x7f],
  label: [3],
  br_table: [2, 0, 1, 2],
  func: [...uleb(300)],
  type: [4],
  tag: [2],
  try_table: [0x40, 2, 0, 1, 0, 2, 0],
  call_indirect: [5, 1],
  local: [7],
  global: [2],
  table: [1],
  memarg: [2, ...uleb(1000)],
  memory: [0],
  i32: [...sleb(-5)],
  i64: [...sleb(-7)],
  f32: [0, 0, 0x80, 0x3f],
  f64: [0, 0, 0, 0, 0, 0, 0xf0, 0x3f],
  v128: [...Array(16).keys()],
  shuffle: [...Array(16).keys()].map((i) => 31 - i),
  lane: [3],
  memarg_lane: [0, 4, 1],
  reftype: [0x6f],
  select_t: [1, 0x7e],
  type_field: [2, 1],
  type_count: [2, 3],
  type_data: [2, 0],
  type_elem: [2, 0],
  type_type: [2, 1],
  heaptype: [0x6e],
  br_on_cast: [3, 0, 0x6e, 0x6b],
  data: [4],
  elem: [6],
  memory_init: [4, 0],
  memory_copy: [0, 0],
  table_init: [6, 1],
  table_copy: [1, 2],
  zero_byte: [0],
  cont_bind: [1, 2],
  resume: [3, 2, 0, 1, 0, 1, 4],
  resume_throw: [3, 1, 1, 1, 2],
  switch: [3, 1],
};

function encode(prefix: number, code: number): number[] {
  return prefix === 0 ? [code] : [prefix, ...uleb(code)];
}

Deno.test("OperatorReader decodes every op of the table with its immediates", () => {
  for (const op of OPS) {
    const bytes = new Uint8Array([...encode(op.prefix, op.code), ...SAMPLE[op.imm], 0x0b]);
    const r = new OperatorReader(bytes);
    assert.equal(r.read(), opKey(op.prefix, op.code), op.name);
    assert.equal(r.key, opKey(op.prefix, op.code));
    assert.equal(r.offset, 0);
    assert.equal(r.read(), Op.end, `${op.name}: immediates not fully consumed`);
    assert.ok(r.atEnd());
  }
});

Deno.test("OperatorReader fills the fields of each immediate kind", () => {
  const read = (...bytes: number[]) => {
    const r = new OperatorReader(new Uint8Array(bytes));
    r.read();
    return r;
  };
  assert.equal(read(0x02, 0x40).blockType, BLOCK_EMPTY);
  assert.equal(read(0x02, 0x7c).blockType, 0x7c);
  const typed = read(0x03, 0x05);
  assert.equal(typed.blockType, BLOCK_TYPE_INDEX);
  assert.equal(typed.index, 5);
  const bt = read(0x0e, 3, 4, 5, 6, 7);
  assert.deepEqual([...bt.targets.subarray(0, bt.targetCount)], [4, 5, 6]);
  assert.equal(bt.index, 7);
  const ci = read(0x11, 2, 1);
  assert.deepEqual([ci.index, ci.index2], [2, 1]);
  const load = read(0x28, 2, ...uleb(0xffffffff));
  assert.deepEqual([load.memAlign, load.memOffset], [2, 0xffffffff]);
  assert.equal(read(0x41, ...sleb(-123456)).i32, -123456);
  assert.equal(read(0x42, ...sleb(-(2 ** 40))).i64, -(2n ** 40n));
  assert.equal(read(0x43, 0, 0, 0xc0, 0x7f).f32Bits, 0x7fc00000);
  assert.equal(read(0x44, 1, 0, 0, 0, 0, 0, 0xf8, 0x7f).f64Bits, 0x7ff8000000000001n);
  const v = read(0xfd, 12, ...Array(16).fill(0xab));
  assert.deepEqual([...v.v128], Array(16).fill(0xab));
  const lane = read(0xfd, 84, 0, 8, 15);
  assert.deepEqual([lane.memAlign, lane.memOffset, lane.lane], [0, 8, 15]);
  assert.equal(read(0xd0, 0x70).refType, 0x70);
  const sel = read(0x1c, 2, 0x7f, 0x7e);
  assert.deepEqual([sel.selectCount, sel.selectType], [2, 0x7f]);
  const ti = read(0xfc, 12, 3, 2);
  assert.deepEqual([ti.index, ti.index2], [3, 2]);
});

Deno.test("OperatorReader rejects unknown opcodes and malformed immediates", () => {
  const reason = (...bytes: number[]) => {
    try {
      new OperatorReader(new Uint8Array(bytes)).read();
    } catch (e) {
      assert.ok(e instanceof CompileError);
      return e.reason;
    }
    return "no error";
  };
  assert.equal(reason(0x17), "illegal opcode 17");
  assert.equal(reason(0x27), "illegal opcode 27");
  assert.equal(reason(0xfc, 18), "illegal opcode fc 18");
  assert.equal(reason(0xfd, 154, 1), "illegal opcode fd 154");
  assert.equal(reason(0xfd, ...uleb(1000)), "illegal opcode fd 1000");
  assert.equal(reason(0xff), "illegal opcode ff");
  assert.equal(reason(0x28, 0x80, 0x01, 0), "malformed memop flags");
  assert.equal(reason(0x28, 0x40), "unexpected end");
  assert.equal(reason(0xd0, 0x7f), "malformed reference type");
  assert.equal(reason(0x02, 0x60), "malformed value type");
  assert.equal(reason(0x41), "unexpected end");
  assert.equal(reason(0x0e, 0xff, 0xff, 0x03), "length out of bounds");
  assert.equal(reason(0x0e, 3, 1, 0, 0), "unexpected end");
});

Deno.test("OperatorReader reuses its buffers instead of allocating per op", () => {
  const r = new OperatorReader(
    new Uint8Array([0xfd, 12, ...Array(16).fill(1), 0xfd, 13, ...Array(16).fill(2)]),
  );
  const buf = r.v128;
  r.read();
  r.read();
  assert.equal(r.v128, buf);
  assert.deepEqual([...buf], Array(16).fill(2));
});

Deno.test("OperatorReader reads a memarg's memory index and 64-bit offset", () => {
  // i32.load flags=0x42 (align 4, memory index follows) mem=3 offset=2^40+5
  const r = new OperatorReader(
    new Uint8Array([0x28, 0x42, 3, ...uleb(2 ** 40 + 5)]),
  );
  r.read();
  assert.equal(r.memAlign, 2);
  assert.equal(r.memIndex, 3);
  assert.equal(r.memOffset, 5);
  assert.equal(r.memOffsetHi, 2 ** 8);
  // memory.copy 1 2; memory.size 4
  const c = new OperatorReader(new Uint8Array([0xfc, 10, 1, 2, 0x3f, 4]));
  c.read();
  assert.deepEqual([c.index, c.index2], [1, 2]);
  c.read();
  assert.equal(c.index, 4);
});
