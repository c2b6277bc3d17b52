/**
 * A JS-tier function too large for V8 to optimise, written as several JS
 * functions ({@link emitSplit}): V8's TurboFan refuses a function of more
 * than 60 KiB of bytecode (`--max-optimized-bytecode-size`), and Maglev,
 * which still compiles one, takes seconds on the largest (shootout-ed25519's
 * 58 KB wasm function is ~800 KB of bytecode), so a large hot function ran
 * in V8's interpreter or baseline code.
 *
 * The function's basic blocks (in IR order: a wasm loop's blocks are
 * contiguous) are cut into parts of about {@link PART_CHARS} characters of
 * source, a block longer than that cut at statement boundaries first. Each
 * part is a closure declared in the function's body (`const P<n> = (J) =>
 * {...}`) that takes the block to start at and returns the block outside the
 * part that control goes to next, or -1 when the function returns (its value
 * left in `RV`); the function's body is the loop that calls the part holding
 * the next block. A part's blocks are written structured as seen from a
 * virtual entry that branches on `J` to the part's entries (the dispatcher
 * form when that graph cannot be structured); an edge out of the part is
 * `return <block>`.
 *
 * Invariants:
 * - Every block's code is written once and unchanged but for `return X;`
 *   (`{ RV = X; return -1; }`) and its trap sites (a `throw` in place, as in a
 *   small function): what runs, and in what order, is what the unsplit
 *   function runs; the frame (`d`, `sp`, the shadow stack) is the
 *   function's own, as the parts run inside its call.
 * - The locals stay the function's (the closures capture them).
 * - Only functions without exception handlers, tail calls or v128 code are
 *   split (the caller checks), and only those of more than
 *   {@link SPLIT_FROM} characters whose parts are all under
 *   {@link MAX_PART_CHARS}.
 * - No loop spans two parts (cuts fall between loops), so each part runs at
 *   most once per call and control never cycles through the function's
 *   loop over its parts.
 *
 * @module
 */

import { analyzeFlow, emitDispatcher, emitStructured, type FlowBlock } from "./_js_structure.ts";

/** A piece of a block's code. */
type Piece = FlowBlock["code"][number];

/** The body size (characters of JS) from which a function is split. */
export const SPLIT_FROM = 110_000;

/** About how many characters of JS each part holds. */
export const PART_CHARS = 40_000;

/**
 * The largest part worth splitting for (characters of JS, about V8's
 * bytecode limit: shootout-keccak's 105,000-character permutation is 59.8
 * KiB of bytecode): a function whose loop alone is larger stays whole, as
 * its parts would not be optimised either, and reaching locals through a
 * closure costs.
 */
export const MAX_PART_CHARS = 90_000;

/** The sizes in force (tests lower them to split small functions). */
let sizes = { from: SPLIT_FROM, part: PART_CHARS, maxPart: MAX_PART_CHARS };

/**
 * Sets the sizes from which a function is split and of its parts, for tests
 * that split small functions to check that the split code runs as the whole
 * does.
 *
 * @param from the body size (characters) from which a function is split
 * @param part about how many characters each part holds
 * @param maxPart the largest part worth splitting for (see {@link MAX_PART_CHARS})
 * @returns the sizes in force before
 */
export function setSplitSizes(
  from: number,
  part: number,
  maxPart = Infinity,
): { from: number; part: number; maxPart: number } {
  const before = sizes;
  sizes = { from, part, maxPart };
  return before;
}

const size = (b: FlowBlock) =>
  b.code.reduce((n, p) => n + (typeof p === "string" ? p.length : 8), 0);

/**
 * Blocks longer than {@link PART_CHARS} cut in two or more at statement
 * boundaries (after a piece ending a statement, with no brace open, before
 * another text piece), each piece but the last jumping to the next; the
 * blocks keep their order and jumps are renumbered (`first`: each original
 * block's first piece).
 */
function cutLongBlocks(blocks: readonly FlowBlock[]): { blocks: FlowBlock[]; first: number[] } {
  const pieces: Piece[][][] = blocks.map((b) => {
    if (size(b) <= sizes.part) return [[...b.code]];
    const out: Piece[][] = [[]];
    let chars = 0;
    let depth = 0;
    b.code.forEach((p, k) => {
      out[out.length - 1].push(p);
      if (typeof p !== "string") return;
      chars += p.length;
      for (const c of p) depth += c === "{" ? 1 : c === "}" ? -1 : 0;
      const next = b.code[k + 1];
      if (chars > sizes.part && depth === 0 && /[;}]$/.test(p) && typeof next === "string") {
        out.push([]);
        chars = 0;
      }
    });
    return out;
  });
  const first: number[] = [];
  let n = 0;
  for (const ps of pieces) {
    first.push(n);
    n += ps.length;
  }
  const out: FlowBlock[] = [];
  pieces.forEach((ps) =>
    ps.forEach((code, j) => {
      const moved = code.map((p) => typeof p === "string" ? p : { to: first[p.to] });
      out.push({ code: j < ps.length - 1 ? [...moved, { to: out.length + 1 }] : moved });
    })
  );
  return { blocks: out, first };
}

/** `return X;` in a part: the value to `RV`, and -1 to the function's loop. */
const partReturns = (text: string) =>
  text.replace(
    /\breturn\b([^;]*);/g,
    (_, v: string) => `{ RV =${v === "" ? " undefined" : v}; return -1; }`,
  );

/**
 * A large function's body as parts (see the module doc), or undefined when
 * it is not larger than {@link SPLIT_FROM}.
 *
 * @param blocks the function's blocks (block 0 its entry)
 * @param start the block control starts at
 * @param inlineTraps a line with its trap sites written as `throw`s in place
 * @param locals the function's locals but its parameters (a part declares those only it names)
 * @returns the body's lines (they declare the parts, `J` and `RV`)
 */
export function emitSplit(
  blocks: readonly FlowBlock[],
  start: number,
  inlineTraps: (line: string) => string,
  locals: readonly string[],
): string[] | undefined {
  if (blocks.reduce((n, b) => n + size(b), 0) <= sizes.from) return undefined;
  const { blocks: cut, first } = cutLongBlocks(blocks);
  const entry = first[start];
  const flow = analyzeFlow(cut);
  if (!flow.reducible) return undefined;
  // no cut inside a loop: a cut before block x is allowed when no loop holds blocks on both sides
  const inLoop = new Uint8Array(cut.length + 1);
  for (const body of flow.loops.values()) {
    const xs = [...body];
    const lo = Math.min(...xs), hi = Math.max(...xs);
    for (let x = lo + 1; x <= hi; x++) inLoop[x] = 1;
  }
  // parts: contiguous ranges of blocks
  const bounds: number[] = [0];
  let chars = 0;
  cut.forEach((b, x) => {
    const s = size(b);
    if (chars > 0 && chars + s > sizes.part && !inLoop[x]) {
      bounds.push(x);
      chars = 0;
    }
    chars += s;
  });
  bounds.push(cut.length);
  if (bounds.length < 3) return undefined; // one part: nothing gained
  for (let p = 0; p + 1 < bounds.length; p++) {
    let n = 0;
    for (let x = bounds[p]; x < bounds[p + 1]; x++) n += size(cut[x]);
    if (n > sizes.maxPart) return undefined;
  }
  const partOf = new Int32Array(cut.length);
  for (let p = 0; p + 1 < bounds.length; p++) {
    for (let x = bounds[p]; x < bounds[p + 1]; x++) partOf[x] = p;
  }
  // the blocks each part is entered at: the start, and targets of edges from other parts
  const entries = bounds.slice(1).map(() => new Set<number>());
  entries[partOf[entry]].add(entry);
  cut.forEach((b, x) => {
    for (const p of b.code) {
      if (typeof p !== "string" && partOf[p.to] !== partOf[x]) entries[partOf[p.to]].add(p.to);
    }
  });
  const parts: string[][] = [];
  for (let p = 0; p + 1 < bounds.length; p++) {
    const lo = bounds[p], hi = bounds[p + 1];
    parts.push(entries[p].size === 0 ? [] : partLines(cut, lo, hi, [...entries[p]], inlineTraps));
  }
  const own = start === 0 ? partLocals(parts, locals) : parts.map(() => []);
  const out: string[] = [];
  parts.forEach((lines, p) => {
    if (lines.length === 0) return; // unreachable
    // (the memory's view is always current where code reads it: a part re-derives its own)
    const view = lines.some((l) => /\bML?\b/.test(l))
      ? ["M = X.memory.view, ML = X.memory.byteLength"]
      : [];
    const names = [...view, ...own[p].map((n) => `${n} = 0`)];
    const decl = names.length > 0 ? [`let ${names.join(", ")};`] : [];
    out.push(`const P${p} = (J) => {`, ...decl, ...lines, `};`);
  });
  const dispatch = bounds.slice(1, -1).map((b, p) => `J < ${b} ? P${p}(J) : `).join("");
  out.push(
    `let J = ${entry}, RV;`,
    `for (;;) {`,
    `J = ${dispatch}P${bounds.length - 2}(J);`,
    `if (J < 0) return RV;`,
    `}`,
  );
  return out;
}

/**
 * The locals each part declares itself: those no other part names. As no
 * loop spans parts, each part runs at most once per call, so such a local
 * holds its initial zero when its part starts, as in the whole function
 * (only when the function is entered at its start: an entry at a loop
 * reads the locals into the function's own). A part declared with its own
 * locals keeps them in registers; a local that several parts share is the
 * function's, which the parts reach through their closure.
 */
function partLocals(parts: readonly string[][], locals: readonly string[]): string[][] {
  const users = new Map<string, number[]>();
  parts.forEach((lines, p) => {
    const named = new Set(lines.join("\n").match(/\b[a-z]+\d*\b/g) ?? []);
    for (const n of locals) if (named.has(n)) users.set(n, [...users.get(n) ?? [], p]);
  });
  const own: string[][] = parts.map(() => []);
  for (const [n, ps] of users) if (ps.length === 1) own[ps[0]].push(n);
  return own;
}

/** One part's code: its blocks from a virtual entry on `J`, edges out as returns. */
function partLines(
  cut: readonly FlowBlock[],
  lo: number,
  hi: number,
  entries: number[],
  inlineTraps: (line: string) => string,
): string[] {
  // sub-graph: 0 the virtual entry, 1.. the part's blocks, then one exit per target outside
  const exits = new Map<number, number>();
  const local = (to: number) => {
    if (to >= lo && to < hi) return to - lo + 1;
    let e = exits.get(to);
    if (e === undefined) exits.set(to, e = hi - lo + 1 + exits.size);
    return e;
  };
  const head: Piece[] = [];
  entries.sort((a, b) => a - b).forEach((x, k) => {
    if (k < entries.length - 1) head.push(`if (J === ${x}) `);
    head.push({ to: local(x) });
  });
  const sub: FlowBlock[] = [{ code: head }];
  for (let x = lo; x < hi; x++) {
    sub.push({
      code: cut[x].code.map((p) =>
        typeof p === "string" ? inlineTraps(partReturns(p)) : { to: local(p.to) }
      ),
    });
  }
  for (const [to] of exits) sub.push({ code: [`return ${to};`] });
  return emitStructured(sub) ?? emitDispatcher(sub, 0);
}
