/**
 * Wasm exceptions on the JS tier: `throw`, `throw_ref`, and the handlers of
 * `try_table` and the legacy `try` (`IrFunction.handlers`).
 *
 * - A throw is a JS `throw` of the runtime's `JsTierThrow` (`C.exn`,
 *   `C.rethrow`), which holds the VM's own exception object, so a wasm
 *   exception crosses tiers (and reaches the host) as the interpreter's does.
 * - A function with handlers is written as a dispatcher over its blocks
 *   (`L` the current block, set at each block's start) inside a JS
 *   `try/catch` ({@link catchingDispatcher}). The catch asks the runtime
 *   what wasm exception the JS value is (`C.caught`: none for a trap or the
 *   JS stack's end, which wasm never catches), restores the function's
 *   shadow-stack depth and stack mark, and tries the clauses that cover block
 *   `L` in the interpreter's order ({@link clausesCovering}: innermost
 *   handler first, a `delegate` passing over the handlers of the frames it
 *   skips); the first that matches writes the tag's values (and the
 *   exception's reference) to the pad's registers and continues at the
 *   pad's block. None matching: the JS value is thrown on.
 * - For the kinds (`_js_kinds.ts`), each protected block has an edge to each
 *   pad of the handlers covering it ({@link catchEdges}); the registers a
 *   clause writes are defined on that edge, with their tag's types, and do
 *   not flow along it.
 *
 * Invariants:
 * - A handler covers the code from its start label up to its end label;
 *   the blocks of the JS code and of the kind analysis both start at labels,
 *   so a block is covered or not as a whole.
 * - Pending constants are stored before any code that may throw in a
 *   function with handlers (the caller's `emit` treats every text as
 *   leaving the block there).
 *
 * @module
 */

import { TrapCode, type ValType, ValType as VT } from "@capstan/environ";
import { DELEGATE, type IrCatch, type IrFunction, LABEL } from "./ir.ts";
import type { KindContext } from "./_js_kinds.ts";
import type { RegKind } from "./_js_op_shapes.ts";
import type { FlowBlock, FlowPiece } from "./_js_structure.ts";
import { readSlot } from "./js_backend.ts";
import { assignVal, type Val } from "./_js_i64.ts";

/**
 * The instruction index of each label of a function.
 *
 * @param f the IR function
 * @returns instruction index by label
 */
function labelIndices(f: IrFunction): Int32Array {
  const at = new Int32Array(f.numLabels).fill(-1);
  f.insts.forEach((ins, i) => {
    if (ins.op === LABEL) at[ins.operands[0] as number] = i;
  });
  return at;
}

/** The value types tag `tag` carries. */
function tagParams(ctx: KindContext, tag: number): readonly ValType[] {
  const t = ctx.translation;
  return t.types[t.tags[tag]].params;
}

/** The exceptional control flow of a function, for the kind analysis. */
export interface CatchEdges {
  /** The pad blocks each protected block may continue at, by block. */
  readonly edges: ReadonlyMap<number, readonly number[]>;
  /** The registers a catch writes at each pad block, with their types. */
  readonly defs: ReadonlyMap<number, ReadonlyMap<number, ValType>>;
}

/**
 * The edges from protected blocks to landing pads (see the module doc).
 *
 * @param f the IR function (with handlers)
 * @param ctx the module facts (tag types)
 * @param starts each block's first instruction index
 * @param ends each block's end (exclusive)
 * @param blockOfLabel each label's block
 * @returns the edges and the registers defined on them
 */
export function catchEdges(
  f: IrFunction,
  ctx: KindContext,
  starts: readonly number[],
  ends: readonly number[],
  blockOfLabel: Int32Array,
): CatchEdges {
  const edges = new Map<number, number[]>();
  const defs = new Map<number, Map<number, ValType>>();
  const at = labelIndices(f);
  for (const h of f.handlers ?? []) {
    const from = at[h.start];
    const to = at[h.end];
    const pads: number[] = [];
    for (const c of h.clauses) {
      if (c.tag === DELEGATE) continue;
      const pad = blockOfLabel[c.pad];
      pads.push(pad);
      let d = defs.get(pad);
      if (d === undefined) defs.set(pad, d = new Map());
      const types = c.tag >= 0 ? tagParams(ctx, c.tag) : [];
      types.forEach((t, j) => d.set(c.dst + j, t));
      if (c.refDst >= 0) d.set(c.refDst, VT.exnref);
    }
    for (let b = 0; b < starts.length; b++) {
      // the block's code (after its labels) is covered
      let code = starts[b];
      while (code < ends[b] && f.insts[code].op === LABEL) code++;
      if (code >= ends[b] || code < from || code >= to) continue;
      const out = edges.get(b) ?? [];
      for (const p of pads) if (!out.includes(p)) out.push(p);
      edges.set(b, out);
    }
  }
  return { edges, defs };
}

/**
 * The clauses that may catch an exception thrown in a block, in the order
 * the interpreter tries them (innermost handler first; a `delegate` skips
 * the handlers of the frames between it and its target).
 *
 * @param f the IR function
 * @param covers whether a handler (by index) covers the block
 * @returns the clauses
 */
export function clausesCovering(
  f: IrFunction,
  covers: (handler: number) => boolean,
): IrCatch[] {
  const out: IrCatch[] = [];
  let maxDepth = Infinity;
  (f.handlers ?? []).forEach((h, k) => {
    if (!covers(k) || h.depth > maxDepth) return;
    for (const c of h.clauses) {
      if (c.tag === DELEGATE) {
        maxDepth = c.pad;
        return;
      }
      out.push(c);
    }
  });
  return out;
}

/** What {@link catchSwitch} writes for one clause: its match and its moves. */
export interface ClauseCode {
  /** The clause. */
  readonly clause: IrCatch;
  /** The block of its pad. */
  readonly padBlock: number;
  /** Statements moving the caught values (slots from `S.sp`) and reference to registers. */
  readonly moves: string;
}

/**
 * The body of a function with handlers: the blocks as a dispatcher inside
 * a `try`, and its `catch` (see the module doc).
 *
 * @param blocks the blocks (block 0 the entry)
 * @param clausesOf the clauses covering each block (the same array for blocks
 *   covered alike)
 * @param frame the function's frame size (its stack mark is `sp + frame`)
 * @param reload statements re-deriving the memory's view (the code that threw
 *   may have grown it)
 * @returns the statements
 */
export function catchingDispatcher(
  blocks: readonly FlowBlock[],
  clausesOf: readonly (readonly ClauseCode[])[],
  frame: number,
  reload: string,
): string[] {
  const out = [`let L = 0;`, `for (;;) {`, `try {`, `loop: for (;;) switch (L) {`];
  const isJump = (p: FlowPiece): p is { to: number } => typeof p !== "string";
  blocks.forEach((b, x) => {
    let text = `L = ${x}; `;
    b.code.forEach((p, k) => {
      if (!isJump(p)) text += p;
      else if (!(k === b.code.length - 1 && p.to === x + 1)) {
        text += `{ L = ${p.to}; continue loop; }`;
      }
    });
    out.push(`case ${x}:`, text);
  });
  out.push(`}`, `} catch (thrown) {`);
  out.push(`const exn = C.caught(thrown);`, `if (exn === null) throw thrown;`);
  out.push(`S.d = d; S.sp = sp + ${frame}; ${reload}`, `switch (L) {`);
  // blocks covered by the same clauses share one case
  const groups = new Map<readonly ClauseCode[], number[]>();
  clausesOf.forEach((cs, x) => {
    if (cs.length === 0) return;
    const g = groups.get(cs) ?? [];
    g.push(x);
    groups.set(cs, g);
  });
  for (const [cs, xs] of groups) {
    out.push(xs.map((x) => `case ${x}:`).join(" "));
    for (const c of cs) {
      const go = `${c.moves} L = ${c.padBlock}; continue;`;
      out.push(
        c.clause.tag < 0 ? `{ ${go} }` : `if (exn.tag === X.tags[${c.clause.tag}]) { ${go} }`,
      );
    }
    out.push(`break;`);
  }
  out.push(`}`, `throw thrown;`, `}`, `}`);
  return out;
}

/**
 * The JS of a `throw` of tag `tag` whose values the statements `writes`
 * put in the slots from `cb`.
 *
 * @param tag the tag index
 * @param n how many values
 * @param writes statements writing value `j` to slot `cb + j`
 * @returns the statements
 */
export function throwCode(tag: number, n: number, writes: string): string {
  return `cb = S.sp; ${writes} throw C.exn(${tag}, cb, ${n});`;
}

/**
 * The JS of a `throw_ref` of the exception reference `ref` (an i32 handle).
 *
 * @param ref the reference's expression
 * @param trap a `throw` of the trap with a code at the op's offset
 * @returns the statements
 */
export function throwRefCode(ref: string, trap: (code: number) => string): string {
  return `e = ${ref}; if (vm.exns[e] === undefined) ${
    trap(TrapCode.NullExceptionReference)
  } throw C.rethrow(e);`;
}

/** What {@link clauseCodes} needs of the function's lowering. */
export interface CatchSite {
  /** The IR function. */
  readonly f: IrFunction;
  /** Each label's block in the JS code. */
  readonly blockOf: ReadonlyMap<number, number>;
  /** How many blocks the JS code has. */
  readonly numBlocks: number;
  /** The registers live into the block starting at an instruction, with their kinds. */
  liveInAt(i: number): [number, RegKind][] | undefined;
  /** The JS local of a register of a kind (declared on first use; an i64's pair of halves). */
  local(k: RegKind, r: number): Val;
}

/**
 * The clauses covering each block of a function's JS code, with the moves
 * each makes (blocks covered alike share one array).
 *
 * @param site the function's lowering
 * @returns by block, its clauses in the order they are tried
 */
export function clauseCodes(site: CatchSite): ClauseCode[][] {
  const { f, blockOf } = site;
  const handlers = f.handlers ?? [];
  const at = labelIndices(f);
  const liveAtLabel = (label: number) => new Map(site.liveInAt(at[label]) ?? []);
  const codeOf = (c: IrCatch): ClauseCode => {
    const live = liveAtLabel(c.pad);
    let moves = c.values > 0 ? `I32.set(exn.words, S.sp << 1); ` : "";
    for (let j = 0; j < c.values; j++) {
      const k = live.get(c.dst + j);
      // (a value of the `any` hierarchy is the exception's own: `VmException.refs`)
      if (k === "R") moves += `${site.local(k, c.dst + j)} = exn.refs[${j}]; `;
      else if (k !== undefined) {
        moves += `${assignVal(k, site.local(k, c.dst + j), readSlot(k, `S.sp + ${j}`))} `;
      }
    }
    if (c.refDst >= 0 && live.has(c.refDst)) {
      moves += `${site.local("I", c.refDst) as string} = C.exnRef(exn); `;
    }
    return { clause: c, padBlock: blockOf.get(c.pad)!, moves };
  };
  const byKey = new Map<string, ClauseCode[]>();
  const out: ClauseCode[][] = [];
  for (let x = 0; x < site.numBlocks; x++) {
    const covering = handlers.map((h) => blockOf.get(h.start)! <= x && x < blockOf.get(h.end)!);
    const key = covering.map((c) => c ? 1 : 0).join("");
    let codes = byKey.get(key);
    if (codes === undefined) {
      codes = clausesCovering(f, (k) => covering[k]).map(codeOf);
      byKey.set(key, codes);
    }
    out.push(codes);
  }
  return out;
}
