/**
 * Tests of the text-format lexer: token kinds, comments, annotations, strings
 * and their escapes, and parenthesis matching.
 *
 * @module
 */

import assert from "node:assert/strict";
import { tokenize } from "./lexer.ts";
import { TextError } from "./text_error.ts";

const kinds = (s: string) => tokenize(s).map((t) => `${t.kind}:${t.text}`);

Deno.test("tokenize() classifies keywords, ids, atoms and strings", () => {
  assert.deepEqual(kinds('(func $f i32.add 0x1_0 -1.5e3 "s" nan:0x1)'), [
    "lparen:(",
    "keyword:func",
    "id:$f",
    "keyword:i32.add",
    "atom:0x1_0",
    "atom:-1.5e3",
    'string:"s"',
    "keyword:nan:0x1",
    "rparen:)",
  ]);
});

Deno.test("tokenize() makes one reserved token of text glued to a string", () => {
  assert.deepEqual(kinds('$l"a" "a""b" 0$l'), ['reserved:$l"a"', 'reserved:"a""b"', "atom:0$l"]);
  assert.deepEqual(kinds("$l$l"), ["id:$l$l"]);
  assert.deepEqual(kinds("$"), ["atom:$"]);
});

Deno.test("tokenize() skips line, nested block comments and annotations", () => {
  const src = '(; a (; nested ;) b ;)(module;; line\n(@custom "x" (a ( b)) ")")nop)';
  assert.deepEqual(kinds(src), ["lparen:(", "keyword:module", "keyword:nop", "rparen:)"]);
});

Deno.test("tokenize() matches parentheses", () => {
  const toks = tokenize("(a (b) (c (d)))");
  assert.equal(toks[0].match, toks.length - 1);
  assert.equal(toks[2].match, 4);
  assert.equal(toks[5].match, 10);
  assert.equal(toks[7].match, 9);
});

Deno.test("tokenize() decodes string escapes and UTF-8", () => {
  const [t] = tokenize('"\\t\\n\\r\\"\\\'\\\\\\00\\ff\\u{41}\\u{10_FFFF}é"');
  assert.deepEqual(
    [...t.bytes!],
    [9, 10, 13, 34, 39, 92, 0, 255, 0x41, 0xf4, 0x8f, 0xbf, 0xbf, 0xc3, 0xa9],
  );
});

Deno.test("tokenize() rejects bad escapes, control characters and unclosed text", () => {
  for (
    const bad of ['"\\u{D800}"', '"\\u{110000}"', '"\\x"', '"\\0"', '"a\tb"', '"abc', "(; x", "(a"]
  ) {
    assert.throws(() => tokenize(bad), TextError, bad);
  }
});

Deno.test("TextError names the line and column of the problem", () => {
  try {
    tokenize('(module\n  (func "\\q"))');
    assert.fail("no error");
  } catch (e) {
    assert.ok(e instanceof TextError);
    assert.equal(e.line, 2);
    assert.equal(e.column, 10);
    assert.match(e.message, /\(at line 2, column 10\)$/);
  }
});
