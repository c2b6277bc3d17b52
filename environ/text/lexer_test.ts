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
  assert.deepEqual(kinds("$"), ["reserved:$"]); // an empty identifier
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

Deno.test("tokenize() marks bad escapes and stray characters on their token", () => {
  const cases: [string, string][] = [
    ['"\\u{D800}"', "illegal escape"],
    ['"\\u{110000}"', "illegal escape"],
    ['"\\u{41"', "illegal escape"],
    ['"\\x"', "illegal escape"],
    ['"\\0"', "illegal escape"],
    ['"a\tb"', "illegal character in string"],
    ["\u00e9", "unexpected character"],
  ];
  for (const [text, reason] of cases) {
    const toks = tokenize(text);
    assert.equal(toks.length, 1, text);
    assert.equal(toks[0].error?.reason, reason, text);
  }
  assert.equal(tokenize("a,b")[0].kind, "reserved");
  assert.deepEqual(kinds("{x}"), ["reserved:{x}"]);
});

Deno.test("tokenize() fails on text that never ends", () => {
  for (const bad of ['"abc', "(; x", "(a", '(@x "']) {
    assert.throws(() => tokenize(bad), TextError, bad);
  }
});

Deno.test("TextError names the line and column of the problem", () => {
  const source = '(module\n  (func "\\q"))';
  const tok = tokenize(source).find((t) => t.error !== undefined)!;
  const e = new TextError(tok.error!.reason, source, tok.error!.offset);
  assert.equal(e.line, 2);
  assert.equal(e.column, 10);
  assert.equal(e.message, "illegal escape (at line 2, column 10)");
  assert.equal(e.name, "CompileError");
});

Deno.test("tokenize() ends a line comment at LF, CR and CR LF", () => {
  for (const nl of ["\n", "\r", "\r\n"]) {
    const toks = tokenize(`;; comment${nl}(func)`);
    assert.deepEqual(toks.map((t) => t.text), ["(", "func", ")"], JSON.stringify(nl));
  }
});

Deno.test('tokenize() reads $"name" as the identifier $name', () => {
  const [a, b] = tokenize('$fh $"fh"');
  assert.equal(a.kind, "id");
  assert.equal(b.kind, "id");
  assert.equal(a.text, b.text);
  assert.equal(tokenize('$"\\41B"')[0].text, "$AB");
  assert.equal(tokenize('$" a b "')[0].text, "$ a b ");
  for (
    const [text, reason] of [["$", "empty identifier"], ['$""', "empty identifier"], [
      '$"\\ef"',
      "malformed UTF-8 encoding",
    ]]
  ) {
    const [t] = tokenize(text);
    assert.equal(t.kind, "reserved", text);
    assert.equal(t.error?.reason, reason, text);
  }
});

Deno.test("tokenize() skips annotations and rejects malformed ones with the spec's wording", () => {
  assert.deepEqual(tokenize('(@a x "y" (z (;c;)) ;; d\n) (@"b") (func)').map((t) => t.text), [
    "(",
    "func",
    ")",
  ]);
  for (
    const [text, reason] of [
      ["(@)", "empty annotation id"],
      ["(@ x)", "empty annotation id"],
      ['(@"")', "empty annotation id"],
      ["(@x (y)", "unclosed annotation"],
      ['(@x ")', "unclosed string"],
      ["(@a \u0007)", "illegal character"],
      ["(@a Heiße)", "illegal character"],
    ]
  ) {
    assert.throws(() => tokenize(text), (e: unknown) => {
      assert.ok(e instanceof TextError, text);
      assert.equal(e.reason, reason, text);
      return true;
    });
  }
});
