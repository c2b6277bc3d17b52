/**
 * Seeded mutators for the decoder fuzzer: a small PRNG and the mutations that
 * turn a corpus module into a mutant (bit flips, byte insertions and deletions,
 * truncation, section splices between modules, LEB128 edits, edits inside
 * one function body or section with the enclosing sizes fixed up so the
 * mutant reaches the validator instead of failing at the framing, and
 * whole-instruction edits: delete, duplicate, swap, or replace an instruction
 * with one taken from a donor body or with an opcode of the same type, or
 * nudge its index immediate, so the
 * mutant stays well formed and is judged by the typing rules).
 *
 * Instruction boundaries are found with environ's own `OperatorReader` on the
 * (valid) corpus body; if it cannot read a body (an earlier stacked edit broke
 * it), the mutation falls back to a byte edit.
 *
 * Invariants:
 * - Everything is a pure function of the PRNG state: the same seed and the same
 *   corpus give the same mutants, byte for byte (for one version of this file;
 *   changing a mutator changes the mutants, so findings are also saved as bytes).
 * - Mutators never modify their input; they return a new array.
 * - A mutator that does not apply to an input (e.g. a body edit on a module
 *   with no code section) falls back to a plain byte mutation, so every call
 *   yields a mutant and names what it did.
 *
 * @module
 */

import { OperatorReader } from "./operators.ts";
import {
  type BodySpan,
  concatBytes,
  encodeLeb,
  readLeb,
  replaceInFrames,
  scanBodies,
  scanSections,
  SectionId,
  type SectionSpan,
} from "./_fuzz_wasm.ts";

/** A deterministic 32-bit PRNG (splitmix32-style), seeded by any integer. */
export class Rng {
  #state: number;

  /**
   * Starts a sequence.
   *
   * @param seed any integer; equal seeds give equal sequences
   */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The next 32-bit unsigned value. */
  nextU32(): number {
    this.#state = (this.#state + 0x9e3779b9) >>> 0;
    let z = this.#state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** A uniform integer in `[0, n)`; `n` must be positive. */
  below(n: number): number {
    return Math.floor((this.nextU32() / 0x100000000) * n);
  }

  /** A uniform integer in `[lo, hi]`. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.nextU32() / 0x100000000 < p;
  }

  /** A uniformly chosen element of a non-empty array. */
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/**
 * Mixes a run seed and a mutant index into the seed of that mutant's PRNG, so
 * any single mutant can be regenerated without replaying the ones before it.
 *
 * @param seed the run seed
 * @param index the mutant number
 * @returns a 32-bit seed
 */
export function mutantSeed(seed: number, index: number): number {
  let h = Math.imul(seed ^ 0x5bd1e995, 0x27d4eb2d) ^ Math.imul(index + 1, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca77);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Bytes that often mean something to a decoder: ends, prefixes, types, LEB continuations. */
const INTERESTING_BYTES = [
  0x00,
  0x01,
  0x02,
  0x03,
  0x04,
  0x05,
  0x0b,
  0x0c,
  0x0d,
  0x0e,
  0x0f,
  0x10,
  0x11,
  0x1a,
  0x1b,
  0x1c,
  0x20,
  0x21,
  0x23,
  0x28,
  0x36,
  0x3f,
  0x40,
  0x41,
  0x42,
  0x60,
  0x6f,
  0x70,
  0x7b,
  0x7c,
  0x7d,
  0x7e,
  0x7f,
  0x80,
  0xd0,
  0xd2,
  0xfc,
  0xfd,
  0xff,
];

/**
 * Short instruction sequences spliced into function bodies: each is well formed
 * on its own, so the mutant usually fails (or passes) on typing, not decoding.
 */
const SNIPPETS: readonly number[][] = [
  [0x00], // unreachable
  [0x01], // nop
  [0x0b], // end
  [0x1a], // drop
  [0x0f], // return
  [0x41, 0x00], // i32.const 0
  [0x41, 0x7f], // i32.const -1
  [0x42, 0x01], // i64.const 1
  [0x43, 0, 0, 0x80, 0x3f], // f32.const 1
  [0x44, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f], // f64.const 1
  [0x20, 0x00], // local.get 0
  [0x21, 0x00], // local.set 0
  [0x22, 0x01], // local.tee 1
  [0x23, 0x00], // global.get 0
  [0x24, 0x00], // global.set 0
  [0x02, 0x40], // block
  [0x03, 0x40], // loop
  [0x04, 0x40], // if
  [0x05], // else
  [0x02, 0x7f], // block (result i32)
  [0x0c, 0x00], // br 0
  [0x0d, 0x01], // br_if 1
  [0x0e, 0x01, 0x00, 0x00], // br_table 0 0
  [0x10, 0x00], // call 0
  [0x11, 0x00, 0x00], // call_indirect 0 0
  [0x1b], // select
  [0x1c, 0x01, 0x7f], // select (result i32)
  [0x28, 0x02, 0x00], // i32.load
  [0x36, 0x02, 0x00], // i32.store
  [0x29, 0x03, 0x08], // i64.load offset=8
  [0x3f, 0x00], // memory.size
  [0x40, 0x00], // memory.grow
  [0x6a], // i32.add
  [0x7c], // i64.add
  [0xa0], // f64.add
  [0xa7], // i32.wrap_i64
  [0xd0, 0x70], // ref.null func
  [0xd1], // ref.is_null
  [0xd2, 0x00], // ref.func 0
  [0x25, 0x00], // table.get 0
  [0xfc, 0x00], // i32.trunc_sat_f32_s
  [0xfc, 0x08, 0x00, 0x00], // memory.init 0
  [0xfc, 0x0a, 0x00, 0x00], // memory.copy
  [0xfc, 0x0f, 0x00], // table.grow 0
  [0xfd, 0x0c, ...new Array(16).fill(0)], // v128.const 0
  [0xfd, 0x0f], // i8x16.splat
  [0xfd, 0x15, 0x00], // i8x16.extract_lane_s 0
  [0xfd, 0x00, 0x04, 0x00], // v128.load
];

/** The names of the mutation kinds, as they appear in reports. */
export const MUTATION_KINDS = [
  "instr",
  "bitflip",
  "insert",
  "delete",
  "truncate",
  "splice",
  "leb",
  "body",
  "section",
] as const;

/** A mutation kind. */
export type MutationKind = typeof MUTATION_KINDS[number];

/** A mutant and the list of edits that produced it. */
export interface Mutant {
  /** The mutated module. */
  readonly bytes: Uint8Array;
  /** One short description per edit, in order (e.g. `"leb:overlong@14"`). */
  readonly edits: readonly string[];
}

/** Relative weights of the mutation kinds (body edits reach the validator, so weigh most). */
const WEIGHTS: Record<MutationKind, number> = {
  instr: 30,
  bitflip: 14,
  insert: 8,
  delete: 8,
  truncate: 4,
  splice: 8,
  leb: 16,
  body: 30,
  section: 12,
};

function pickKind(rng: Rng): MutationKind {
  let total = 0;
  for (const k of MUTATION_KINDS) total += WEIGHTS[k];
  let r = rng.below(total);
  for (const k of MUTATION_KINDS) {
    r -= WEIGHTS[k];
    if (r < 0) return k;
  }
  return "bitflip";
}

function randomByte(rng: Rng): number {
  return rng.chance(0.6) ? rng.pick(INTERESTING_BYTES) : rng.below(256);
}

function bitflip(rng: Rng, bytes: Uint8Array, lo = 0, hi = bytes.length): [Uint8Array, string] {
  const out = bytes.slice();
  if (hi <= lo) return [out, "bitflip:none"];
  const n = rng.chance(0.7) ? 1 : rng.range(2, 4);
  const at: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = rng.range(lo, hi - 1);
    out[p] ^= 1 << rng.below(8);
    at.push(p);
  }
  return [out, `bitflip@${at.join(",")}`];
}

function insertBytes(rng: Rng, bytes: Uint8Array, lo = 0, hi = bytes.length): [Uint8Array, string] {
  const p = rng.range(lo, hi);
  const n = rng.chance(0.6) ? 1 : rng.range(2, 8);
  const ins = new Uint8Array(n);
  for (let i = 0; i < n; i++) ins[i] = randomByte(rng);
  return [concatBytes([bytes.subarray(0, p), ins, bytes.subarray(p)]), `insert${n}@${p}`];
}

function deleteBytes(rng: Rng, bytes: Uint8Array, lo = 0, hi = bytes.length): [Uint8Array, string] {
  if (hi <= lo) return [bytes.slice(), "delete:none"];
  const p = rng.range(lo, hi - 1);
  const n = Math.min(hi - p, rng.chance(0.6) ? 1 : rng.range(2, 8));
  return [concatBytes([bytes.subarray(0, p), bytes.subarray(p + n)]), `delete${n}@${p}`];
}

function truncate(rng: Rng, bytes: Uint8Array): [Uint8Array, string] {
  const n = rng.below(bytes.length + 1);
  return [bytes.slice(0, n), `truncate@${n}`];
}

/** Edits one LEB128 number: section sizes, vector counts, body sizes, or any byte run. */
function lebEdit(rng: Rng, bytes: Uint8Array): [Uint8Array, string] {
  const scan = scanSections(bytes);
  const sites: number[] = [];
  for (const s of scan.sections) {
    sites.push(s.start + 1); // section size
    if (s.id !== SectionId.custom && s.payloadStart < s.end) sites.push(s.payloadStart); // count
    if (s.id === SectionId.code) {
      for (const b of scanBodies(bytes, s)) sites.push(b.sizeStart, b.start);
    }
  }
  // Half the time, any position that could start a LEB (it reaches deep immediates).
  const pos = sites.length > 0 && rng.chance(0.5) ? rng.pick(sites) : rng.below(bytes.length);
  const old = readLeb(bytes, pos);
  if (old === undefined) return bitflip(rng, bytes);
  let enc: Uint8Array;
  let what: string;
  switch (rng.below(7)) {
    case 0: // same value, over-long (sometimes past the 5 bytes a u32 may use)
      enc = encodeLeb(old.value, Math.min(old.length + rng.range(1, 6), 11));
      what = "overlong";
      break;
    case 1:
      enc = encodeLeb(old.value + 1);
      what = "inc";
      break;
    case 2:
      enc = encodeLeb(Math.max(0, old.value - 1));
      what = "dec";
      break;
    case 3:
      enc = encodeLeb(0);
      what = "zero";
      break;
    case 4:
      enc = encodeLeb(rng.pick([0xffffffff, 0x100000000, 0x7fffffff, 0x10000, 0x10001, 50001]));
      what = "huge";
      break;
    case 5: { // a 5-byte encoding with bits set past bit 31
      enc = encodeLeb(old.value % 0x10000000, 5);
      enc[4] |= rng.pick([0x10, 0x20, 0x40, 0x70]);
      what = "excessbits";
      break;
    }
    default: // unterminated
      enc = new Uint8Array(rng.range(1, 6)).fill(0x80);
      what = "unterminated";
  }
  return [
    concatBytes([bytes.subarray(0, pos), enc, bytes.subarray(pos + old.length)]),
    `leb:${what}@${pos}`,
  ];
}

/** Moves, replaces or duplicates whole sections, taking them from a donor module. */
function splice(rng: Rng, bytes: Uint8Array, donor: Uint8Array): [Uint8Array, string] {
  const own = scanSections(bytes).sections;
  const theirs = scanSections(donor).sections;
  if (own.length === 0) return bitflip(rng, bytes);
  const victim = rng.pick(own);
  if (theirs.length > 0 && rng.chance(0.75)) {
    const same = theirs.filter((s) => s.id === victim.id);
    const gift = same.length > 0 && rng.chance(0.7) ? rng.pick(same) : rng.pick(theirs);
    const giftBytes = donor.subarray(gift.start, gift.end);
    if (rng.chance(0.6)) {
      return [
        concatBytes([bytes.subarray(0, victim.start), giftBytes, bytes.subarray(victim.end)]),
        `splice:replace${victim.id}<-${gift.id}`,
      ];
    }
    const at = rng.chance(0.5) ? victim.start : victim.end;
    return [
      concatBytes([bytes.subarray(0, at), giftBytes, bytes.subarray(at)]),
      `splice:insert${gift.id}@${at}`,
    ];
  }
  if (rng.chance(0.5)) {
    return [
      concatBytes([bytes.subarray(0, victim.start), bytes.subarray(victim.end)]),
      `splice:drop${victim.id}`,
    ];
  }
  const other = rng.pick(own);
  const a = victim.start < other.start ? victim : other;
  const b = victim.start < other.start ? other : victim;
  if (a === b) {
    return [
      concatBytes([
        bytes.subarray(0, a.end),
        bytes.subarray(a.start, a.end),
        bytes.subarray(a.end),
      ]),
      `splice:dup${a.id}`,
    ];
  }
  return [
    concatBytes([
      bytes.subarray(0, a.start),
      bytes.subarray(b.start, b.end),
      bytes.subarray(a.end, b.start),
      bytes.subarray(a.start, a.end),
      bytes.subarray(b.end),
    ]),
    `splice:swap${a.id},${b.id}`,
  ];
}

/** An edit inside `[lo, hi)`, as a replacement of a sub-range. */
function innerEdit(
  rng: Rng,
  bytes: Uint8Array,
  lo: number,
  hi: number,
  code: boolean,
): { from: number; to: number; insert: Uint8Array; what: string } {
  const span = hi - lo;
  const choice = rng.below(code ? 6 : 4);
  if (span > 0 && choice === 0) {
    const p = rng.range(lo, hi - 1);
    return {
      from: p,
      to: p + 1,
      insert: new Uint8Array([bytes[p] ^ (1 << rng.below(8))]),
      what: `flip@${p}`,
    };
  }
  if (span > 0 && choice === 1) {
    const p = rng.range(lo, hi - 1);
    const n = Math.min(hi - p, rng.range(1, 4));
    return { from: p, to: p + n, insert: new Uint8Array(0), what: `del${n}@${p}` };
  }
  if (span > 0 && choice === 2) {
    const p = rng.range(lo, hi - 1);
    return { from: p, to: p + 1, insert: new Uint8Array([randomByte(rng)]), what: `set@${p}` };
  }
  const p = rng.range(lo, hi);
  if (code && choice >= 3) {
    const snippet = new Uint8Array(rng.pick(SNIPPETS));
    return { from: p, to: p, insert: snippet, what: `snippet${snippet[0].toString(16)}@${p}` };
  }
  return { from: p, to: p, insert: new Uint8Array([randomByte(rng)]), what: `ins@${p}` };
}

/** Edits inside one function body and re-encodes the body and section sizes. */
function bodyEdit(rng: Rng, bytes: Uint8Array): [Uint8Array, string] {
  const scan = scanSections(bytes);
  const code = scan.sections.find((s) => s.id === SectionId.code);
  const bodies: BodySpan[] = code ? scanBodies(bytes, code) : [];
  if (code === undefined || bodies.length === 0) return sectionEdit(rng, bytes);
  const body = rng.pick(bodies);
  const e = innerEdit(rng, bytes, body.start, body.end, true);
  const out = replaceInFrames(bytes, e.from, e.to, e.insert, [
    { sizeAt: body.sizeStart, end: body.end },
    { sizeAt: code.start + 1, end: code.end },
  ]);
  return [out, `body:${e.what}`];
}

/** Instruction spans `[start, end)` of a body (after its locals), or undefined if unreadable. */
function instructions(bytes: Uint8Array, body: BodySpan): [number, number][] | undefined {
  const groups = readLeb(bytes, body.start);
  if (groups === undefined) return undefined;
  let pos = body.start + groups.length;
  for (let i = 0; i < groups.value; i++) {
    const n = readLeb(bytes, pos);
    if (n === undefined) return undefined;
    pos += n.length + 1;
  }
  if (pos > body.end) return undefined;
  const spans: [number, number][] = [];
  try {
    const r = new OperatorReader(bytes, pos, body.end);
    while (!r.atEnd() && spans.length < 100000) {
      const at = r.pos;
      r.read();
      spans.push([at, r.pos]);
    }
  } catch {
    return undefined;
  }
  return spans.length > 0 ? spans : undefined;
}

/** One random body of a module with its instructions, or undefined. */
function pickBody(
  rng: Rng,
  bytes: Uint8Array,
): { code: SectionSpan; body: BodySpan; ins: [number, number][] } | undefined {
  const code = scanSections(bytes).sections.find((s) => s.id === SectionId.code);
  if (code === undefined) return undefined;
  const bodies = scanBodies(bytes, code);
  if (bodies.length === 0) return undefined;
  const body = rng.pick(bodies);
  const ins = instructions(bytes, body);
  return ins === undefined ? undefined : { code, body, ins };
}

/** Ranges of single-byte opcodes with one type signature each (e.g. every `i32` binary op). */
const SAME_TYPE_RANGES: readonly [number, number][] = [
  [0x45, 0x45], // i32.eqz
  [0x46, 0x4f], // i32 comparisons
  [0x51, 0x5a], // i64 comparisons
  [0x5b, 0x60], // f32 comparisons
  [0x61, 0x66], // f64 comparisons
  [0x67, 0x69], // i32 unary
  [0x6a, 0x78], // i32 binary
  [0x79, 0x7b], // i64 unary
  [0x7c, 0x8a], // i64 binary
  [0x8b, 0x91], // f32 unary
  [0x92, 0x98], // f32 binary
  [0x99, 0x9f], // f64 unary
  [0xa0, 0xa6], // f64 binary
  [0xa8, 0xa9], // i32.trunc_f32_s/u
  [0xaa, 0xab], // i32.trunc_f64_s/u
  [0xae, 0xaf], // i64.trunc_f32_s/u
  [0xb0, 0xb1], // i64.trunc_f64_s/u
  [0xb2, 0xb3], // f32.convert_i32_s/u
  [0xb7, 0xb8], // f64.convert_i32_s/u
  [0xc0, 0xc1], // i32.extend8/16_s
  [0xc2, 0xc4], // i64.extend8/16/32_s
  [0x28, 0x28], // i32.load
  [0x2c, 0x2f], // i32.load8/16_s/u (natural alignment differs: a chance to exceed it)
  [0x30, 0x35], // i64.load8/16/32_s/u
  [0x3a, 0x3b], // i32.store8/16
  [0x3c, 0x3e], // i64.store8/16/32
];

/** Another opcode with the same signature as `op`, or undefined. */
function sameTypeOp(rng: Rng, op: number): number | undefined {
  for (const [lo, hi] of SAME_TYPE_RANGES) {
    if (op >= lo && op <= hi) return hi > lo ? rng.range(lo, hi) : undefined;
  }
  return undefined;
}

/** Opcodes whose first immediate is an index worth nudging: locals, globals, labels, calls. */
const INDEX_OPS = new Set([0x0c, 0x0d, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xd2]);

/** Edits whole instructions of one body and re-encodes the body and section sizes. */
function instrEdit(rng: Rng, bytes: Uint8Array, donor: Uint8Array): [Uint8Array, string] {
  const picked = pickBody(rng, bytes);
  if (picked === undefined) return bodyEdit(rng, bytes);
  const { code, body, ins } = picked;
  // Never the final `end`: keeping it makes most mutants decode to the last byte.
  const last = ins.length - 1;
  const i = last > 0 ? rng.below(last) : 0;
  let [a, b] = ins[i];
  let from = a, to = b;
  let insert: Uint8Array = new Uint8Array(0);
  let what: string;
  switch (rng.below(8)) {
    case 6:
    case 7: { // swap an opcode for one of the same type (often keeps the module valid)
      const typed = ins.filter(([x, y], k) =>
        k < last && y - x >= 1 && sameTypeOp(rng, bytes[x]) !== undefined
      );
      if (typed.length === 0) return bodyEdit(rng, bytes);
      [a] = rng.pick(typed);
      from = a;
      to = a + 1;
      insert = new Uint8Array([sameTypeOp(rng, bytes[a])!]);
      what = `retype@${a}`;
      break;
    }
    case 0:
      what = `del@${a}`;
      break;
    case 1:
      to = a;
      insert = bytes.slice(a, b);
      what = `dup@${a}`;
      break;
    case 2: { // swap with the next instruction
      if (i + 1 > last) return bodyEdit(rng, bytes);
      const [, c] = ins[i + 1];
      to = c;
      insert = concatBytes([bytes.subarray(b, c), bytes.subarray(a, b)]);
      what = `swap@${a}`;
      break;
    }
    case 3: { // replace with an instruction from a donor body (or this one)
      const srcMod = rng.chance(0.5) ? donor : bytes;
      const other = pickBody(rng, srcMod);
      if (other === undefined) return bodyEdit(rng, bytes);
      const [c, d] = rng.pick(other.ins);
      insert = srcMod.slice(c, d);
      what = `replace@${a}`;
      break;
    }
    case 4: { // insert an instruction from a donor body before this one
      const other = pickBody(rng, donor);
      if (other === undefined) return bodyEdit(rng, bytes);
      const [c, d] = rng.pick(other.ins);
      to = a;
      insert = donor.slice(c, d);
      what = `graft@${a}`;
      break;
    }
    default: { // nudge an index immediate by one (or to a large value)
      const indexed = ins.filter(([x], k) => k < last && INDEX_OPS.has(bytes[x]));
      if (indexed.length === 0) return bodyEdit(rng, bytes);
      [a] = rng.pick(indexed);
      const imm = readLeb(bytes, a + 1);
      if (imm === undefined) return bodyEdit(rng, bytes);
      const v = rng.chance(0.2) ? 1000 : Math.max(0, imm.value + (rng.chance(0.5) ? 1 : -1));
      from = a + 1;
      to = a + 1 + imm.length;
      insert = encodeLeb(v);
      what = `index@${a}`;
    }
  }
  const out = replaceInFrames(bytes, from, to, insert, [
    { sizeAt: body.sizeStart, end: body.end },
    { sizeAt: code.start + 1, end: code.end },
  ]);
  return [out, `instr:${what}`];
}

/** Edits inside one non-code section's payload and re-encodes its size. */
function sectionEdit(rng: Rng, bytes: Uint8Array): [Uint8Array, string] {
  const sections: SectionSpan[] = scanSections(bytes).sections.filter((s) =>
    s.id !== SectionId.code
  );
  if (sections.length === 0) return insertBytes(rng, bytes);
  const s = rng.pick(sections);
  const e = innerEdit(rng, bytes, s.payloadStart, s.end, false);
  const out = replaceInFrames(bytes, e.from, e.to, e.insert, [{ sizeAt: s.start + 1, end: s.end }]);
  return [out, `section${s.id}:${e.what}`];
}

/**
 * Applies one mutation of the given kind.
 *
 * @param rng the PRNG
 * @param kind which mutation
 * @param bytes the module to mutate (not modified)
 * @param donor a second module, for splices
 * @returns the mutant and a description of the edit
 */
export function mutateOnce(
  rng: Rng,
  kind: MutationKind,
  bytes: Uint8Array,
  donor: Uint8Array,
): [Uint8Array, string] {
  switch (kind) {
    case "instr":
      return instrEdit(rng, bytes, donor);
    case "bitflip":
      return bitflip(rng, bytes, bytes.length > 8 && rng.chance(0.95) ? 8 : 0);
    case "insert":
      return insertBytes(rng, bytes, Math.min(8, bytes.length));
    case "delete":
      return deleteBytes(rng, bytes, Math.min(8, bytes.length));
    case "truncate":
      return truncate(rng, bytes);
    case "splice":
      return splice(rng, bytes, donor);
    case "leb":
      return lebEdit(rng, bytes);
    case "body":
      return bodyEdit(rng, bytes);
    case "section":
      return sectionEdit(rng, bytes);
  }
}

/**
 * Makes a mutant: one to three stacked mutations of randomly chosen kinds.
 *
 * @param rng the PRNG
 * @param bytes the corpus module (not modified)
 * @param donor a second corpus module, for splices
 * @returns the mutant and its edits
 */
export function mutate(rng: Rng, bytes: Uint8Array, donor: Uint8Array): Mutant {
  const rounds = rng.chance(0.65) ? 1 : rng.range(2, 3);
  let cur = bytes;
  const edits: string[] = [];
  for (let i = 0; i < rounds; i++) {
    const kind = pickKind(rng);
    const [next, what] = mutateOnce(rng, kind, cur, donor);
    cur = next;
    edits.push(what);
  }
  return { bytes: cur, edits };
}

/** A mutant with the corpus module it came from. */
export interface SourcedMutant extends Mutant {
  /** The name of the corpus module that was mutated. */
  readonly source: string;
}

/** The valid modules of each corpus array, computed once. */
const VALID = new WeakMap<readonly CorpusModule[], readonly CorpusModule[]>();

/** What {@link makeMutant} needs of a corpus module. */
export interface CorpusModule {
  /** Its name. */
  readonly name: string;
  /** Its bytes. */
  readonly bytes: Uint8Array;
  /** Whether native V8 accepts it. */
  readonly valid: boolean;
}

/**
 * Makes mutant number `index` of a run: picks a corpus module (valid ones
 * about 85% of the time) and a donor with the PRNG seeded from
 * `(seed, index)`, then mutates.
 *
 * @param corpus the seed modules (non-empty), in their fixed order
 * @param seed the run seed
 * @param index the mutant number
 * @returns the mutant, reproducible from `(corpus, seed, index)` alone
 */
export function makeMutant(
  corpus: readonly CorpusModule[],
  seed: number,
  index: number,
): SourcedMutant {
  const rng = new Rng(mutantSeed(seed, index));
  let valid = VALID.get(corpus);
  if (valid === undefined) {
    valid = corpus.filter((c) => c.valid);
    VALID.set(corpus, valid);
  }
  // Most mutants start from a valid module, so they get past decoding into validation.
  const src = rng.chance(0.85) && valid.length > 0 ? rng.pick(valid) : rng.pick(corpus);
  const donor = rng.pick(corpus);
  const m = mutate(rng, src.bytes, donor.bytes);
  return { ...m, source: src.name };
}
