/**
 * Tests of the JS lowering of exceptions: the order in which a function's
 * clauses are tried (`clausesCovering`, delegate included), the shape of a
 * function with handlers, and the caught values the kind analysis sees.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DEFAULT_TUNABLES, parseWat, translateModule } from "@capstan/environ";
import { compileJsModule } from "./js_backend.ts";
import { FuncEnvironment } from "./func_environ.ts";
import { FuncTranslator } from "./func_translator.ts";
import { DELEGATE, type IrFunction, LABEL } from "./ir.ts";
import { clausesCovering } from "./_js_exceptions.ts";
import { inferKinds } from "./_js_kinds.ts";

function irOf(
  wat: string,
  funcIndex: number,
): { ir: IrFunction; kinds: ReturnType<typeof inferKinds> } {
  const t = translateModule(parseWat(wat));
  const env = new FuncEnvironment(t, { ...DEFAULT_TUNABLES, superInstructions: false });
  const ir = new FuncTranslator(env, false, true).translate(t.bodies[funcIndex]);
  return { ir, kinds: inferKinds(ir, { translation: t, offsets: env.offsets }) };
}

const NESTED = `(module
  (tag $a) (tag $b (param f64))
  (func $f (param i32) (result i32)
    (try (result i32)
      (do
        (try (result i32)
          (do
            (try (result i32) (do (call $f (local.get 0))) (delegate 1)))
          (catch $a (i32.const 1))))
      (catch $b (drop) (i32.const 2))
      (catch_all (i32.const 3)))))`;

Deno.test("clausesCovering() tries the innermost handler first; a delegate skips to its target", () => {
  const { ir } = irOf(NESTED, 0);
  const hs = ir.handlers!;
  assert.equal(hs.length, 3);
  const delegate = hs.findIndex((h) => h.clauses[0].tag === DELEGATE);
  // the delegate's body: its handler, then past the middle try to the outer one
  const fromDelegate = clausesCovering(ir, () => true);
  assert.deepEqual(fromDelegate.map((c) => c.tag), [1, -1]);
  // outside the delegate's body, the middle try's catch comes first
  const outside = clausesCovering(ir, (k) => k !== delegate);
  assert.deepEqual(outside.map((c) => c.tag), [0, 1, -1]);
});

Deno.test("a function with handlers is a dispatcher in a try/catch trying the clauses by tag", () => {
  const m = compileJsModule(translateModule(parseWat(NESTED)));
  const src = m.functions[0].source!;
  assert.ok(src !== undefined, m.functions[0].routed);
  assert.match(src, /try \{\nloop: for \(;;\) switch \(L\) \{/);
  assert.match(src, /const exn = C\.caught\(thrown\);\nif \(exn === null\) throw thrown;/);
  assert.match(src, /if \(exn\.tag === X\.tags\[1\]\) \{ I32\.set\(exn\.words, S\.sp << 1\);/);
  assert.doesNotThrow(() => new Function("X", "S", "H", "C", m.source));
});

Deno.test("the kind analysis gives a pad's caught values their tag's types", () => {
  const { ir, kinds } = irOf(
    `(module (tag $e (param i64 f32))
      (func (param i32) (result i64)
        (block $h (result i64 f32)
          (try_table (catch $e $h) (throw $e (i64.const 1) (f32.const 2)))
          (unreachable))
        (drop)))`,
    0,
  );
  assert.ok(typeof kinds !== "string", kinds as string);
  const c = ir.handlers![0].clauses[0];
  const pad = ir.insts.findIndex((ins) => ins.op === LABEL && ins.operands[0] === c.pad);
  const live = new Map(kinds.liveInAt(pad) ?? []);
  assert.equal(live.get(c.dst), "B", "the i64 value");
});
