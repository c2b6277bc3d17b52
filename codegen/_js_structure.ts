/**
 * The control flow of a JS-tier function: its basic blocks as a graph, the
 * analysis of that graph (reverse postorder, dominators, loop headers, loop
 * bodies, merge nodes) and the two ways of writing it as JavaScript:
 *
 * - {@link emitStructured}: structured code, after Ramsey's "Beyond Relooper".
 *   The dominator tree is walked; a loop header becomes `L<n>: for (;;) {…}`
 *   (a back edge is `continue L<n>;`), a merge node (two or more forward
 *   edges in) becomes the code after a labeled block `B<n>: {…}` that closes
 *   around its dominator's code (an edge to it is `break B<n>;`), and any
 *   other block is written in place of the one edge that reaches it.
 * - {@link emitDispatcher}: `for (;;) switch (L)` over the blocks, an edge being
 *   `L = n; continue`. It takes any graph (irreducible ones too) and can be
 *   entered at any block.
 *
 * Invariants:
 * - A block's code is JS text with its outgoing edges as {@link FlowJump}s in
 *   it. A jump that is the block's last piece is a statement of its own
 *   (control never passes it); any other jump is the body of an `if` or of a
 *   `case`. Control leaves a block only through a jump or a statement that
 *   returns or throws: never by running off its end.
 * - Block 0 is the entry. Blocks the entry does not reach are not written by
 *   the structured form.
 * - The structured form writes each reachable block's code exactly once, so
 *   what a block does (fuel, epoch checks, traps) is what the dispatcher form
 *   does; only the jumps differ.
 *
 * @module
 */

/** An edge in a block's code: control continues at block `to`. */
export interface FlowJump {
  /** The target block's index. */
  readonly to: number;
}

/** A piece of a block's code: JS text or a jump. */
export type FlowPiece = string | FlowJump;

/** One basic block. */
export interface FlowBlock {
  /** Its code (see the module's invariants). */
  readonly code: readonly FlowPiece[];
}

/** What {@link analyzeFlow} finds in a graph. */
export interface FlowAnalysis {
  /** Each block's successors, one per jump, in code order. */
  readonly succs: readonly (readonly number[])[];
  /** The blocks the entry reaches, in reverse postorder. */
  readonly rpo: readonly number[];
  /** Each block's position in {@link rpo}, or -1 when unreachable. */
  readonly order: Int32Array;
  /** Each reachable block's immediate dominator (the entry's is itself); -1 when unreachable. */
  readonly idom: Int32Array;
  /** Whether every retreating edge goes to a block that dominates its source. */
  readonly reducible: boolean;
  /** Loop headers (targets of back edges) and, for each, its loop's blocks. */
  readonly loops: ReadonlyMap<number, ReadonlySet<number>>;
  /** Blocks with two or more forward edges in (counted per jump). */
  readonly merges: ReadonlySet<number>;
  /** The depth of the dominator tree (the entry alone: 1). */
  readonly domDepth: number;
}

const isJump = (p: FlowPiece): p is FlowJump => typeof p !== "string";

/**
 * Analyses a graph of blocks.
 *
 * @param blocks the blocks (block 0 the entry)
 * @returns its reverse postorder, dominators, loops and merge nodes
 * @example
 * ```ts
 * import { analyzeFlow } from "./_js_structure.ts";
 * const a = analyzeFlow([{ code: [{ to: 1 }] }, { code: ["if (x) ", { to: 1 }, { to: 2 }] },
 *   { code: ["return;"] }]);
 * if (!a.loops.has(1) || !a.reducible) throw new Error();
 * ```
 */
export function analyzeFlow(blocks: readonly FlowBlock[]): FlowAnalysis {
  const n = blocks.length;
  const succs = blocks.map((b) => b.code.filter(isJump).map((j) => j.to));
  // depth-first from the entry, iteratively: postorder, then reversed
  const order = new Int32Array(n).fill(-1);
  const seen = new Uint8Array(n);
  const post: number[] = [];
  const stack: [number, number][] = [[0, 0]];
  seen[0] = 1;
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const ss = succs[top[0]];
    if (top[1] < ss.length) {
      const s = ss[top[1]++];
      if (!seen[s]) {
        seen[s] = 1;
        stack.push([s, 0]);
      }
    } else {
      post.push(top[0]);
      stack.pop();
    }
  }
  const rpo = post.reverse();
  rpo.forEach((b, i) => order[b] = i);
  const preds: number[][] = blocks.map(() => []);
  for (const b of rpo) for (const s of succs[b]) preds[s].push(b);
  // dominators (Cooper, Harvey and Kennedy's iteration over the reverse postorder)
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number) => {
    while (a !== b) {
      while (order[a] > order[b]) a = idom[a];
      while (order[b] > order[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 1; i < rpo.length; i++) {
      const b = rpo[i];
      let d = -1;
      for (const p of preds[b]) {
        if (idom[p] === -1) continue;
        d = d === -1 ? p : intersect(p, d);
      }
      if (d !== idom[b]) {
        idom[b] = d;
        changed = true;
      }
    }
  }
  const depth = new Int32Array(n);
  let domDepth = 0;
  for (const b of rpo) {
    depth[b] = b === 0 ? 1 : depth[idom[b]] + 1;
    domDepth = Math.max(domDepth, depth[b]);
  }
  const dominates = (a: number, b: number) => {
    while (depth[b] > depth[a]) b = idom[b];
    return a === b;
  };
  // back edges, loops and merge nodes
  let reducible = true;
  const loops = new Map<number, Set<number>>();
  const forwardIn = new Int32Array(n);
  for (const b of rpo) {
    for (const s of succs[b]) {
      if (order[s] > order[b]) {
        forwardIn[s]++;
        continue;
      }
      if (!dominates(s, b)) {
        reducible = false;
        continue;
      }
      let body = loops.get(s);
      if (body === undefined) loops.set(s, body = new Set([s]));
      const work = [b];
      while (work.length > 0) {
        const x = work.pop()!;
        if (body.has(x)) continue;
        body.add(x);
        work.push(...preds[x]);
      }
    }
  }
  const merges = new Set(rpo.filter((b) => forwardIn[b] >= 2));
  return { succs, rpo, order, idom, reducible, loops, merges, domDepth };
}

/** Bounds on the structured form, past which a function keeps the dispatcher form. */
export interface StructureLimits {
  /** The deepest dominator tree structured (the emitter recurses along it). */
  readonly maxDomDepth: number;
  /** The deepest nesting of JS blocks and loops written (V8's parser recurses along it). */
  readonly maxNesting: number;
}

/** The default {@link StructureLimits}: well inside V8's and the emitter's stacks. */
export const STRUCTURE_LIMITS: StructureLimits = { maxDomDepth: 1500, maxNesting: 600 };

/**
 * Writes a graph as structured JavaScript: labeled blocks, loops, `if`s and
 * the code's own `switch`es, no dispatcher.
 *
 * @param blocks the blocks (block 0 the entry)
 * @param limits bounds past which the graph is not structured
 * @param analysis the graph's analysis, when already made
 * @returns the body's lines, or `undefined` when the graph is irreducible or
 * past the limits (then {@link emitDispatcher} writes it)
 * @example
 * ```ts
 * import { emitStructured } from "./_js_structure.ts";
 * const lines = emitStructured([
 *   { code: ["i = 0;", { to: 1 }] },
 *   { code: ["i++; if (i < 10) ", { to: 1 }, { to: 2 }] },
 *   { code: ["return i;"] },
 * ])!;
 * if (new Function(`let i; ${lines.join("\n")}`)() !== 10) throw new Error();
 * ```
 */
export function emitStructured(
  blocks: readonly FlowBlock[],
  limits: StructureLimits = STRUCTURE_LIMITS,
  analysis: FlowAnalysis = analyzeFlow(blocks),
): string[] | undefined {
  const { order, idom, loops, merges } = analysis;
  if (!analysis.reducible || analysis.domDepth > limits.maxDomDepth) return undefined;
  const children: number[][] = blocks.map(() => []);
  for (const b of analysis.rpo) if (b !== 0) children[idom[b]].push(b);
  const out: string[] = [];
  const breaks = new Int32Array(blocks.length); // `break B<n>` written, by n
  let nesting = 0;
  let deepest = 0;
  const open = (line: string) => {
    out.push(line);
    deepest = Math.max(deepest, ++nesting);
  };
  /** A block and the blocks it immediately dominates. */
  const tree = (x: number) => {
    // merge children, the latest in reverse postorder outermost (its code comes last)
    const ms = children[x].filter((y) => merges.has(y)).sort((a, b) => order[b] - order[a]);
    const body = loops.get(x);
    if (body === undefined) {
      within(ms, () => code(x));
      return;
    }
    // the loop's exits are written after it, the blocks of its body inside it
    within(ms.filter((y) => !body.has(y)), () => {
      open(`L${x}: for (;;) {`);
      within(ms.filter((y) => body.has(y)), () => code(x));
      out.push("}");
      nesting--;
    });
  };
  /** `inner` inside a labeled block per merge node `ys`, each followed by its code. */
  const within = (ys: number[], inner: () => void) => {
    const at = ys.map((y) => {
      open(`B${y}: {`);
      return out.length - 1;
    });
    inner();
    for (let k = ys.length - 1; k >= 0; k--) {
      const y = ys[k];
      if (out[out.length - 1] === `break B${y};`) {
        out.pop();
        breaks[y]--;
      }
      nesting--;
      if (breaks[y] === 0) out[at[k]] = ""; // no edge leaves early: no block needed
      else out.push("}");
      tree(y);
    }
  };
  /** A block's own code, its edges written out. */
  const code = (x: number) => {
    const pieces = blocks[x].code;
    let text = "";
    pieces.forEach((p, k) => {
      if (!isJump(p)) {
        if (/[;}]$/.test(text)) { // one statement a line
          out.push(text);
          text = "";
        }
        text += p;
        return;
      }
      const tail = k === pieces.length - 1;
      const to = p.to;
      if (tail && text !== "") {
        out.push(text);
        text = "";
      }
      if (order[to] <= order[x]) text += `continue L${to};`;
      else if (merges.has(to)) {
        text += `break B${to};`;
        breaks[to]++;
      } else if (tail) tree(to);
      else {
        open(`${text}{`);
        text = "";
        tree(to);
        out.push("}");
        nesting--;
      }
    });
    if (text !== "") out.push(text);
  };
  tree(0);
  if (deepest > limits.maxNesting) return undefined;
  return out.filter((l) => l !== "");
}

/**
 * Writes a graph as a dispatcher: `let L = entry; loop: for (;;) switch (L)`
 * with one `case` per block; an edge assigns `L` and continues the loop, or
 * falls into the next case when it goes there.
 *
 * @param blocks the blocks (any graph)
 * @param entry the block control starts at (a loop header, to enter a loop mid-way)
 * @returns the body's lines (they declare `L`)
 * @example
 * ```ts
 * import { emitDispatcher } from "./_js_structure.ts";
 * const lines = emitDispatcher([
 *   { code: ["i = 0;", { to: 1 }] },
 *   { code: ["i++; if (i < 10) ", { to: 1 }, { to: 2 }] },
 *   { code: ["return i;"] },
 * ]);
 * if (new Function(`let i; ${lines.join("\n")}`)() !== 10) throw new Error();
 * ```
 */
export function emitDispatcher(blocks: readonly FlowBlock[], entry = 0): string[] {
  const out = [`let L = ${entry};`, `loop: for (;;) switch (L) {`];
  blocks.forEach((b, x) => {
    out.push(`case ${x}:`);
    let text = "";
    b.code.forEach((p, k) => {
      if (!isJump(p)) text += p;
      else if (!(k === b.code.length - 1 && p.to === x + 1)) {
        text += `{ L = ${p.to}; continue loop; }`;
      }
    });
    if (text !== "") out.push(text);
  });
  out.push("}");
  return out;
}
