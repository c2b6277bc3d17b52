/**
 * Tests of the stack-switching vocabulary in environ: `cont $ft` types and
 * the abstract `cont`/`nocont` heap types through the text format, the
 * binary encoding of the seven instructions (a text module and its hand
 * encoding), and the typing rules with their messages.
 *
 * @module
 */

import assert from "node:assert/strict";
import { CompileError } from "./errors.ts";
import { translateModule } from "./translate.ts";
import { parseWat } from "./text/mod.ts";
import { HeapType, refType, typeIndexRef, valTypeName } from "./types.ts";
import { TypeRelation } from "./_subtyping.ts";

/** The reason a text module is rejected (stack switching on unless told), or "ok". */
function reason(text: string, stackSwitching = true): string {
  try {
    translateModule(parseWat(text), { stackSwitching });
  } catch (e) {
    assert.ok(e instanceof CompileError, `not a CompileError: ${e}`);
    return e.reason;
  }
  return "ok";
}

const GEN = `(module
  (type $ft (func (param i32) (result i32)))
  (type $ct (cont $ft))
  (type $ft0 (func (result i32)))
  (type $ct0 (cont $ft0))
  (tag $yield (param i32) (result i32))
  (tag $e (param i32))
  (tag $sw (result i32))
  (func $g (param i32) (result i32) (suspend $yield (local.get 0)))
  (elem declare func $g)
  (func (export "run") (result i32)
    (block $on (result i32 (ref $ct))
      (drop (resume $ct (on $yield $on) (i32.const 1) (cont.new $ct (ref.func $g))))
      (return (resume_throw $ct $e (on $yield $on) (i32.const 2) (cont.new $ct (ref.func $g)))))
    (drop)
    (drop)
    (resume $ct0 (on $sw switch) (cont.bind $ct $ct0 (i32.const 3) (cont.new $ct (ref.func $g)))))
)`;

Deno.test("cont types and instructions: text to binary, decoded and validated", () => {
  const bytes = parseWat(GEN);
  const m = translateModule(bytes, { stackSwitching: true });
  assert.equal(m.types[1].kind, "cont");
  assert.equal(m.types[1].cont, 0);
  assert.deepEqual(m.types[1].params, [], "a continuation type has no signature of its own");
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.ok(hex.includes("5d00"), "cont $ft is 0x5d 0");
  assert.ok(hex.includes("e301" + "01" + "0000" + "00"), "resume $ct (on $yield 0)");
  assert.ok(hex.includes("e40101" + "01" + "0000"), "resume_throw $ct $e (on $yield ...)");
  assert.ok(hex.includes("e10103"), "cont.bind $ct $ct0");
  assert.ok(hex.includes("e303" + "01" + "0102"), "resume $ct0 (on $sw switch)");
  assert.ok(hex.includes("e001"), "cont.new $ct");
  assert.ok(hex.includes("e200"), "suspend $yield");
});

Deno.test("cont subtyping: nocont <: (ref $ct) <: cont, and not back", () => {
  const rel = new TypeRelation(
    [{ params: [], results: [] }, { params: [], results: [], kind: "cont", cont: 0 }],
    0,
    true,
  );
  const ct = typeIndexRef(1, false, HeapType.cont);
  const cont = refType(HeapType.cont, false);
  const nocont = refType(HeapType.nocont, false);
  assert.ok(rel.isSubtype(nocont, ct));
  assert.ok(rel.isSubtype(ct, cont));
  assert.ok(rel.isSubtype(nocont, cont));
  assert.ok(!rel.isSubtype(cont, ct));
  assert.ok(!rel.isSubtype(ct, refType(HeapType.func, true)), "a continuation is no function");
  assert.ok(!rel.isSubtype(typeIndexRef(0, false), cont), "a function is no continuation");
  assert.equal(valTypeName(refType(HeapType.nocont, true)), "nullcontref");
  assert.equal(valTypeName(cont), "(ref cont)");
});

Deno.test("cont validation: the proposal's messages", () => {
  assert.equal(reason(GEN), "ok");
  assert.equal(reason(`(module (type $ct (cont $ct)))`), "non-function type 0");
  assert.equal(
    reason(`(module (type $ft (func)) (func (drop (cont.new $ft (ref.null $ft)))))`),
    "non-continuation type 0",
  );
  assert.equal(
    reason(`(module (type $ft (func)) (type $ct (cont $ft)) (tag $t)
      (func (block $h (result (ref cont)) (resume $ct (on $t $h) (ref.null $ct)) (unreachable))
        (drop)))`),
    "type mismatch: instruction requires concrete continuation reference type " +
      "but label has [(ref cont)]",
  );
  assert.equal(
    reason(`(module (type $ft0 (func)) (type $ct0 (cont $ft0))
      (type $ft (func (param (ref $ct0)))) (type $ct (cont $ft))
      (tag $t (param i32)) (func (param (ref $ct)) (switch $ct $t (local.get 0))))`),
    "type mismatch in switch tag",
  );
  assert.equal(
    reason(`(module (type $ft (func)) (type $ct (cont $ft)) (tag $t (result i32))
      (func (throw $t)))`),
    "non-empty tag result type",
  );
  assert.equal(
    reason(`(module (type $ft (func)) (type $ct (cont $ft)) (func (call_ref $ct (ref.null $ct))))`),
    "type mismatch",
  );
  assert.equal(
    reason(`(module (type $ft (func (param i64 i32) (result i32))) (type $ct (cont $ft))
      (type $ft1 (func (param i64) (result i32))) (type $ct1 (cont $ft1))
      (func (result (ref $ct1)) (cont.bind $ct $ct1 (i64.const 1) (ref.null $ct))))`),
    "type mismatch",
  );
});

Deno.test("cont heap types: binary shorthands 0x68/0x75 and (ref null? cont) decode; text names", () => {
  // (module (func (param contref nullcontref (ref cont)))): type section by hand
  const bytes = new Uint8Array([
    0,
    0x61,
    0x73,
    0x6d,
    1,
    0,
    0,
    0,
    1,
    8,
    1,
    0x60,
    3,
    0x68,
    0x75,
    0x64,
    0x68,
    0,
  ]);
  const m = translateModule(bytes, { stackSwitching: true });
  assert.deepEqual(m.types[0].params, [
    refType(HeapType.cont, true),
    refType(HeapType.nocont, true),
    refType(HeapType.cont, false),
  ]);
  const text = translateModule(parseWat(`(module (func (param contref nullcontref (ref cont))))`), {
    stackSwitching: true,
  });
  assert.deepEqual(text.types[0].params, m.types[0].params);
  // 0x67 is no heap type
  assert.throws(
    () => translateModule(new Uint8Array([...bytes.slice(0, 15), 0x64, 0x67, 0])),
    CompileError,
  );
});

Deno.test("stack switching is off by default: continuation types, instructions, tag results", () => {
  const off = "stack switching support is not enabled";
  assert.equal(reason(`(module (type $ft (func)) (type $ct (cont $ft)))`, false), off);
  assert.equal(reason(GEN, false), off);
  assert.equal(
    reason(`(module (tag $t (param i32)) (func (param i32) (suspend $t (local.get 0))))`, false),
    off,
  );
  assert.equal(reason(`(module (tag (result i32)))`, false), "non-empty tag result type");
  for (
    const use of [
      "(func (param contref))",
      "(func (local nullcontref))",
      "(global (ref null cont) (ref.null cont))",
      "(table 1 contref)",
      "(func (drop (ref.null nocont)))",
    ]
  ) {
    assert.equal(reason(`(module ${use})`, false), off, use);
    assert.equal(reason(`(module ${use})`), "ok", use);
  }
  assert.equal(reason(`(module (tag (result i32)))`), "ok");
  assert.equal(reason(`(module (tag (param i32)))`, false), "ok");
});

Deno.test("continuation types in GC's model: declared subtypes, recursion groups, the registry", () => {
  // cont $a <: cont $b exactly when $a <: $b
  const sub = `(module
    (type $fb (sub (func (result anyref))))
    (type $fa (sub $fb (func (result eqref))))
    (type $cb (sub (cont $fb)))
    (type $ca (sub $cb (cont $fa)))
    (func (param (ref $ca)) (result (ref $cb)) (local.get 0)))`;
  assert.equal(reason(sub), "ok");
  assert.equal(
    reason(`(module
      (type $fb (sub (func (result anyref))))
      (type $fa (sub (func (result funcref))))
      (type $cb (sub (cont $fb)))
      (type $ca (sub $cb (cont $fa))))`),
    "sub type 3 does not match super type 2",
  );
  // a cont type may name a later function type of its own recursion group
  assert.equal(
    reason(`(module (rec (type $c (cont $f)) (type $f (func (param (ref $c))))))`),
    "ok",
  );
  assert.equal(reason(`(module (type $c (cont 1)) (type $f (func)))`), "unknown type 1");
  assert.equal(reason(`(module (type $s (struct)) (type $c (cont $s)))`), "non-function type 0");
  // equal continuation types of two modules are one canonical type
  const text = `(module (type $f (func (param i32))) (type $c (cont $f)))`;
  const a = translateModule(parseWat(text), { stackSwitching: true });
  const b = translateModule(parseWat(`(module (type (struct)) ${text.slice(8)}`), {
    stackSwitching: true,
  });
  assert.equal(a.typeIds![1], b.typeIds![2]);
  const other = translateModule(parseWat(`(module (type $f (func)) (type $c (cont $f)))`), {
    stackSwitching: true,
  });
  assert.notEqual(a.typeIds![1], other.typeIds![1]);
  // a continuation is not in the any hierarchy
  assert.match(
    reason(`(module (type $f (func)) (type $c (cont $f))
      (func (param (ref $c)) (result anyref) (local.get 0)))`),
    /^type mismatch/,
  );
});
