/**
 * Tests of the JS tier's control flow (`_js_structure.ts`): the analysis of
 * small graphs, and random graphs run three ways (walked directly, written
 * structured, written as a dispatcher) with the same decisions, visiting the
 * same blocks in the same order; irreducible graphs are refused by the
 * structured form and run through the dispatcher.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  analyzeFlow,
  emitDispatcher,
  emitStructured,
  type FlowBlock,
  type FlowPiece,
} from "./_js_structure.ts";

/** A block of a test graph: how it leaves (by a decision in 0..targets-1, or returns). */
interface TestBlock {
  readonly kind: "return" | "jump" | "if" | "switch";
  readonly targets: readonly number[];
}

/** The graph as blocks of JS that record their visit and ask `next()` for decisions. */
function flowOf(graph: readonly TestBlock[]): FlowBlock[] {
  return graph.map((b, id) => {
    const code: FlowPiece[] = [`if (++steps > 60) return t; t.push(${id});`];
    const ts = b.targets;
    switch (b.kind) {
      case "return":
        code.push("return t;");
        break;
      case "jump":
        code.push({ to: ts[0] });
        break;
      case "if":
        code.push("if (next(2) === 0) ", { to: ts[0] }, { to: ts[1] });
        break;
      case "switch":
        code.push(`switch (next(${ts.length})) {`);
        ts.slice(0, -1).forEach((to, k) => code.push(` case ${k}: `, { to }));
        code.push(" default: ", { to: ts[ts.length - 1] }, " }");
        break;
    }
    return { code };
  });
}

/** The oracle: the graph walked directly with the same decisions. */
function walk(graph: readonly TestBlock[], decisions: readonly number[]): number[] {
  const t: number[] = [];
  let d = 0;
  const next = (n: number) => decisions[d++ % decisions.length] % n;
  let x = 0;
  for (let steps = 1; steps <= 60; steps++) {
    t.push(x);
    const b = graph[x];
    if (b.kind === "return") return t;
    x = b.kind === "jump" ? b.targets[0] : b.targets[next(b.targets.length)];
  }
  return t;
}

function run(lines: readonly string[], decisions: readonly number[]): number[] {
  const f = new Function(
    "decisions",
    `const t = []; let steps = 0, d = 0;
     const next = (n) => decisions[d++ % decisions.length] % n;
     ${lines.join("\n")}`,
  );
  return f(decisions);
}

/** A seeded generator (xorshift32). */
function rng(seed: number): (n: number) => number {
  let s = seed | 1;
  return (n) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

function randomGraph(r: (n: number) => number): TestBlock[] {
  const n = 2 + r(11);
  const graph: TestBlock[] = [];
  for (let id = 0; id < n; id++) {
    // mostly forward edges, some backward, so that loops nest and cross
    const target = () => r(4) === 0 ? r(id + 1) : Math.min(n - 1, id + 1 + r(3));
    const k = id === n - 1 ? 0 : r(10);
    if (k === 0 && id !== 0) graph.push({ kind: "return", targets: [] });
    else if (k < 4) graph.push({ kind: "jump", targets: [target()] });
    else if (k < 8) graph.push({ kind: "if", targets: [target(), target()] });
    else graph.push({ kind: "switch", targets: [target(), target(), target(), target()] });
  }
  return graph;
}

Deno.test("analyzeFlow finds the reverse postorder, dominators, loops and merge nodes", () => {
  // 0 -> 1; 1: loop header, 1 -> 2 | 3; 2 -> 1 (back edge); 3 -> 4 | 5; 4 -> 5; 5 returns
  const a = analyzeFlow(flowOf([
    { kind: "jump", targets: [1] },
    { kind: "if", targets: [2, 3] },
    { kind: "jump", targets: [1] },
    { kind: "if", targets: [4, 5] },
    { kind: "jump", targets: [5] },
    { kind: "return", targets: [] },
    { kind: "return", targets: [] }, // unreachable
  ]));
  assert.ok(a.reducible);
  assert.deepEqual([...a.loops.keys()], [1]);
  assert.deepEqual([...a.loops.get(1)!].sort(), [1, 2]);
  assert.deepEqual([...a.merges], [5]);
  assert.deepEqual([...a.idom], [0, 0, 1, 1, 3, 3, -1]);
  assert.equal(a.order[6], -1, "an unreachable block has no place in the order");
  assert.equal(a.domDepth, 4);
});

Deno.test("random graphs run the same structured, as a dispatcher and walked directly", () => {
  const r = rng(20261207);
  let structured = 0;
  for (let k = 0; k < 3000; k++) {
    const graph = randomGraph(r);
    const flow = flowOf(graph);
    const lines = emitStructured(flow);
    const dispatcher = emitDispatcher(flow);
    if (lines !== undefined) {
      structured++;
      assert.ok(!lines.join("\n").includes("switch (L)"), "no dispatcher");
    }
    for (let j = 0; j < 4; j++) {
      const decisions = Array.from({ length: 7 }, () => r(1000));
      const want = walk(graph, decisions);
      const context = () => JSON.stringify({ graph, decisions, lines });
      if (lines !== undefined) assert.deepEqual(run(lines, decisions), want, context());
      assert.deepEqual(run(dispatcher, decisions), want, context());
    }
  }
  assert.ok(structured > 1500, `${structured} of 3000 graphs structured`);
});

Deno.test("an irreducible graph is refused by the structured form and runs as a dispatcher", () => {
  // two blocks that jump to each other, each entered from the entry
  const graph: TestBlock[] = [
    { kind: "if", targets: [1, 2] },
    { kind: "if", targets: [2, 3] },
    { kind: "if", targets: [1, 3] },
    { kind: "return", targets: [] },
  ];
  const flow = flowOf(graph);
  assert.equal(analyzeFlow(flow).reducible, false);
  assert.equal(emitStructured(flow), undefined);
  for (const decisions of [[0, 0, 1, 0, 1], [1, 1], [0, 1, 0, 0, 0, 0, 0]]) {
    assert.deepEqual(run(emitDispatcher(flow), decisions), walk(graph, decisions));
  }
});

Deno.test("the dispatcher can be entered at a loop header", () => {
  const flow: FlowBlock[] = [
    { code: ["i = 0;", { to: 1 }] },
    { code: ["i++; if (i < 10) ", { to: 1 }, { to: 2 }] },
    { code: ["return i;"] },
  ];
  const body = (entry: number) => `let i = 5;\n${emitDispatcher(flow, entry).join("\n")}`;
  assert.equal(new Function(body(0))(), 10);
  assert.equal(new Function(body(1))(), 10);
  assert.equal(new Function(`let i = 20;\n${emitDispatcher(flow, 1).join("\n")}`)(), 21);
});

Deno.test("graphs past the limits keep the dispatcher form", () => {
  const n = 50;
  // a chain: block k to block k + 1 by both arms of an if (the dominator tree is as deep)
  const chain: FlowBlock[] = Array.from({ length: n }, (_, k) => ({
    code: k === n - 1 ? ["return x;"] : ["x++; if (y) ", { to: k + 1 }, { to: k + 1 }],
  }));
  const lines = emitStructured(chain)!;
  assert.equal(new Function("x", "y", lines.join("\n"))(0, true), n - 1);
  assert.equal(analyzeFlow(chain).domDepth, n);
  assert.equal(emitStructured(chain, { maxDomDepth: n - 1, maxNesting: 600 }), undefined);
  // a switch to every block, each also falling into the next: one labeled block per target
  const fan: FlowBlock[] = [{
    code: [
      "switch (y) {",
      ...Array.from({ length: n - 2 }, (_, k): FlowPiece[] => [` case ${k}: `, { to: k + 1 }])
        .flat(),
      " default: ",
      { to: n - 1 },
      " }",
    ],
  }];
  for (let k = 1; k < n; k++) {
    fan.push({ code: k === n - 1 ? ["return x;"] : ["x++;", { to: k + 1 }] });
  }
  const nested = emitStructured(fan)!;
  assert.equal(new Function("x", "y", nested.join("\n"))(0, 10), n - 1 - 11);
  assert.equal(emitStructured(fan, { maxDomDepth: 1500, maxNesting: n - 3 }), undefined);
});
