/**
 * Tests of the forwarding of v128 word temporaries (`_js_simd_fold.ts`):
 * what is forwarded, what is kept (a second read, an operand assigned in
 * between, a read in a branch, a local live into another run of code), and
 * that folded code computes what the original does.
 *
 * @module
 */

import assert from "node:assert/strict";
import { forwardWords } from "./_js_simd_fold.ts";
import type { FlowPiece } from "./_js_structure.ts";

const one = (...code: FlowPiece[]) => forwardWords([code])[0];

Deno.test("a word temporary read once and assigned again is written where it is read", () => {
  assert.deepEqual(
    one("w5a = w1a << 20; w6a = w1a >>> 12; w7a = w5a | w6a; w5a = 0; w6a = 0;", { to: 1 }),
    [" w7a = (w1a << 20) | (w1a >>> 12); w5a = 0; w6a = 0;", { to: 1 }],
  );
  // the reading statement assigns the temporary itself
  assert.deepEqual(one("w5a = w1a ^ w2a; w5a = (w5a << 16) | w3a;", { to: 1 }), [
    " w5a = ((w1a ^ w2a) << 16) | w3a;",
    { to: 1 },
  ]);
  // a store reads it
  assert.deepEqual(one("w5a = w1a ^ w2a; M.setInt32(e, w5a, true); w5a = 0;"), [
    " M.setInt32(e, (w1a ^ w2a), true); w5a = 0;",
  ]);
});

Deno.test("a temporary is kept where forwarding could change what is read", () => {
  const kept: FlowPiece[][] = [
    ["w5a = w1a + 1; w6a = w5a; w7a = w5a; w5a = 0;"], // read twice
    ["w5a = w1a + 1; w1a = 3; w6a = w5a; w5a = 0;"], // its operand assigned in between
    ["w5a = w1a + 1; w1a |= 3; w6a = w5a; w5a = 0;"], // (a compound assignment)
    ["w5a = w1a + 1; if (i1) w6a = w5a; w5a = 0;"], // read in a branch
    ["w5a = VW[vw + 4]; w6a = w5a; w5a = 0;"], // a typed array's element
    ["w5a = H.f(w1a); w6a = w5a; w5a = 0;"], // a call
    ["w5a = w1a + 1; w6a = w5a;", { to: 1 }], // live out of the run: read by the next
    ["w5a = w1a + 1; if (i1) ", { to: 1 }, " w6a = w5a; w5a = 0;"], // across a jump
    ["w5a = w1a + 1; vt0 = 1; } else { w6a = w5a; w5a = 0;"], // into another branch
  ];
  for (const code of kept) {
    const blocks = [code, ["w8a = w5a;"]]; // a run reading w5a first: it may be live there
    assert.deepEqual(forwardWords(blocks)[0].join(""), code.join(""), JSON.stringify(code));
  }
});

Deno.test("a temporary no run reads before assigning is forwarded at its run's end", () => {
  const blocks: FlowPiece[][] = [
    ["w5a = w1a + 1; w6a = w5a ^ w2a;", { to: 1 }],
    ["w5a = w2a; w7a = w5a;"],
  ];
  assert.deepEqual(forwardWords(blocks), [[" w6a = (w1a + 1) ^ w2a;", { to: 1 }], [
    " w7a = (w2a);",
  ]]);
  // a local a run reads first (a parameter, a value across a loop) stays
  const live: FlowPiece[][] = [["w5a = w1a + 1; w6a = w5a ^ w2a;", { to: 1 }], ["w7a = w5a;"]];
  assert.deepEqual(forwardWords(live)[0][0], "w5a = w1a + 1; w6a = w5a ^ w2a;");
});

Deno.test("folded code computes what the original computes", () => {
  const code = "w5a = w1a << 20; w6a = w1a >>> 12; w7a = w5a | w6a; w5a = (w7a + w2a) | 0; " +
    "w6a = w5a ^ w3a; w8a = MX(-128, MN(127, w6a)); w5a = 0; w6a = 0;";
  // (the next run of code reads w7a and w8a: they are live at this one's end)
  const folded = forwardWords([[code], ["out(w7a, w8a);"]])[0][0] as string;
  assert.ok(folded.length < code.length, folded);
  const run = (text: string, a: number, b: number, c: number) =>
    new Function(
      "w1a",
      "w2a",
      "w3a",
      `const MX = Math.max, MN = Math.min; let w5a = 0, w6a = 0, w7a = 0, w8a = 0; ${text}
      return [w7a, w8a];`,
    )(a, b, c);
  for (const [a, b, c] of [[1, 2, 3], [-1, 0x7fffffff, 5], [0x12345678, -0x1000, 0]]) {
    assert.deepEqual(run(folded, a, b, c), run(code, a, b, c));
  }
});
