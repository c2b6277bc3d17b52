/**
 * WebAssembly scripts (`.wast`) → a list of commands in the shape that
 * `wast2json` writes, with each module carried as bytes instead of a file name.
 *
 * The shape is a contract with the script runner: {@link WastScript} is
 * `{ source_filename, commands }`; every command has `type` and `line` and the
 * fields wast2json gives it (`name`, `as`, `action`, `expected`, `text`,
 * `module_type`); values are `{ type, value }` with `value` the decimal string
 * of the raw bits (`"nan:canonical"` / `"nan:arithmetic"` patterns, `"null"`
 * references; v128 has a `lane_type` and one string per lane). A
 * module-carrying command has `bytes` (the binary module) or, when the text
 * did not parse, `error` (the message): that is how a malformed text module
 * (`assert_malformed` with `module_type: "text"`) arrives.
 *
 * Invariants:
 * - `(assert_trap (module ...))` becomes `assert_uninstantiable`, and a bare
 *   `(invoke ...)` / `(get ...)` becomes an `action` command, as in wast2json.
 * - The `expected` of `assert_trap`, `assert_exhaustion` and `action` lists
 *   the result types of the invoked export (no values); for a binary module
 *   that does not translate it is empty.
 *
 * @module
 */

import { type Annotation, tokenize } from "./lexer.ts";
import { Parser } from "./_parser.ts";
import {
  FIELDS,
  guardDepth,
  type ParsedModule,
  parseModuleAt,
  parseModuleFields,
  parseWat,
} from "./wat.ts";
import { f32Literal, f64Literal, intLiteral } from "./instructions.ts";
import { parseF32, parseF64, parseInteger } from "./numbers.ts";
import { TextError } from "./text_error.ts";
import { CompileError } from "../errors.ts";
import { translateModule } from "../translate.ts";
import { valTypeName } from "../types.ts";
import type { ValType } from "../types.ts";

/** The value type of a null of each heap type a script may write, by the heap type's name. */
const NULL_TOPS: Record<string, string> = {
  func: "funcref",
  nofunc: "funcref",
  extern: "externref",
  noextern: "externref",
  exn: "exnref",
  noexn: "exnref",
  any: "anyref",
  eq: "anyref",
  i31: "anyref",
  struct: "anyref",
  array: "anyref",
  none: "anyref",
};

/** GC result patterns (a reference of the kind, any value): `(ref.struct)` and the like. */
const GC_PATTERNS: Record<string, string> = {
  "ref.any": "anyref",
  "ref.eq": "eqref",
  "ref.i31": "i31ref",
  "ref.struct": "structref",
  "ref.array": "arrayref",
};

/** A value in a script: an argument or an expected result. */
export interface WastValue {
  /**
   * `i32`, `i64`, `f32`, `f64`, `v128`, `funcref`, `externref`, `exnref`,
   * `anyref` (also `ref.host N`), `either`, or (a pattern only) `ref`: a
   * reference of any type, or `eqref`, `i31ref`, `structref`, `arrayref`:
   * a reference of that kind.
   */
  type: string;
  /**
   * Decimal bits, a NaN pattern, `"null"`; for v128 one string per lane;
   * absent when only the type is known.
   */
  value?: string | string[];
  /** For v128: `i8`, `i16`, `i32`, `i64`, `f32` or `f64`. */
  lane_type?: string;
  /** For `either`: the accepted alternatives. */
  values?: WastValue[];
}

/** An action: invoke an export or read an exported global. */
export interface WastAction {
  /** `invoke` or `get`. */
  type: "invoke" | "get";
  /** The `$name` of the module, when not the latest one. */
  module?: string;
  /** The export name. */
  field: string;
  /** The arguments (absent for `get`). */
  args?: WastValue[];
}

/** The fields shared by every command. */
export interface CommandBase {
  /** 1-based line of the command's `(`. */
  line: number;
}

/** Fields of a command that carries a module: `bytes`, or `error` when its text did not parse. */
export interface ModuleCarrier {
  /** The binary module (absent when the text did not parse). */
  bytes?: Uint8Array<ArrayBuffer>;
  /** Why the module's text did not parse (absent when it did). */
  error?: string;
}

/**
 * `(module ...)`: instantiate a module (and name it); `(module definition
 * ...)`: only compile it, for `module_instance` commands to instantiate.
 */
export interface WastModuleCommand extends CommandBase, ModuleCarrier {
  /** The command kind. */
  type: "module";
  /** The module's `$name` (for a definition: the definition's), if it has one. */
  name?: string;
  /** True for `(module definition ...)`: compiled, not instantiated. */
  definition?: boolean;
}

/**
 * `(module instance $instance? $definition?)`: instantiate a module
 * definition (the named one, else the latest), which becomes the current
 * module (and is named `$instance`).
 */
export interface WastModuleInstanceCommand extends CommandBase {
  /** The command kind. */
  type: "module_instance";
  /** The new instance's `$name`, if it has one. */
  instance?: string;
  /** The definition's `$name` (absent: the latest definition). */
  module?: string;
}

/** `(register "as" $name?)`. */
export interface WastRegisterCommand extends CommandBase {
  /** The command kind. */
  type: "register";
  /** The module's `$name` (absent: the latest module). */
  name?: string;
  /** The name to register it under. */
  as: string;
}

/** `(assert_return action result*)`, or a bare action (`type: "action"`). */
export interface WastActionCommand extends CommandBase {
  /** The command kind. */
  type: "assert_return" | "action";
  /** What to do. */
  action: WastAction;
  /** The expected results (for `action`: the result types). */
  expected: WastValue[];
}

/**
 * `(assert_trap action "text")`, `(assert_exhaustion action "text")` and
 * `(assert_suspension action "text")` (stack switching: the action suspends
 * with no handler).
 */
export interface WastTrapCommand extends CommandBase {
  /** The command kind. */
  type: "assert_trap" | "assert_exhaustion" | "assert_suspension";
  /** What to do. */
  action: WastAction;
  /** The expected trap message. */
  text: string;
  /** The result types of the invoked export (values absent). */
  expected: WastValue[];
}

/** `(assert_exception action)`: the action throws a wasm exception. */
export interface WastExceptionCommand extends CommandBase {
  /** The command kind. */
  type: "assert_exception";
  /** What to do. */
  action: WastAction;
  /** The result types of the invoked export (values absent). */
  expected: WastValue[];
}

/** Assertions about a module that must fail. */
export interface WastModuleAssertion extends CommandBase, ModuleCarrier {
  /** The command kind (`assert_trap` of a module is `assert_uninstantiable`). */
  type:
    | "assert_malformed"
    | "assert_invalid"
    | "assert_malformed_custom"
    | "assert_invalid_custom"
    | "assert_unlinkable"
    | "assert_uninstantiable";
  /** The expected error message. */
  text: string;
  /** `text` for malformed text (quoted or plain), `binary` otherwise. */
  module_type: "text" | "binary";
}

/**
 * A command the parser could not read (a command or syntax the text format
 * does not know): running it fails with `error`, and the script goes on with
 * the next command.
 */
export interface WastUnreadCommand extends CommandBase {
  /** The command kind. */
  type: "unread";
  /** The command's keyword (`assert_exception`, `module`, ...). */
  keyword: string;
  /** Why it could not be read. */
  error: string;
}

/** One command of a script. */
export type WastCommand =
  | WastModuleCommand
  | WastModuleInstanceCommand
  | WastRegisterCommand
  | WastActionCommand
  | WastTrapCommand
  | WastExceptionCommand
  | WastModuleAssertion
  | WastUnreadCommand;

/** A parsed script. */
export interface WastScript {
  /** The script's file name (as given to {@link parseWast}). */
  source_filename: string;
  /** Its commands, in order. */
  commands: WastCommand[];
}

/** What a script remembers of a module: the result types of its exports. */
interface ModuleInfo {
  funcResults: ReadonlyMap<string, readonly number[]>;
  globalTypes: ReadonlyMap<string, number>;
}

const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });
/** A quoted module's text must be well-formed UTF-8. */
const UTF8_FATAL = new TextDecoder("utf-8", { ignoreBOM: true, fatal: true });

class ScriptParser {
  readonly p: Parser;
  readonly commands: WastCommand[] = [];
  latest: ModuleInfo | undefined;
  /** What the latest `(module definition ...)` exports. */
  definition: ModuleInfo | undefined;
  readonly named = new Map<string, ModuleInfo>();
  private lineAt = 0;
  private lineNo = 1;

  constructor(readonly source: string, readonly keepGoing: boolean) {
    const annotations: Annotation[] = [];
    this.p = new Parser(source, tokenize(source, annotations), annotations);
  }

  /** The line of a source offset (offsets are asked in increasing order). */
  line(offset: number): number {
    if (offset < this.lineAt) {
      this.lineAt = 0;
      this.lineNo = 1;
    }
    for (let i = this.lineAt; i < offset; i++) {
      if (this.source.charCodeAt(i) === 10) this.lineNo++;
    }
    this.lineAt = offset;
    return this.lineNo;
  }

  run(): void {
    const p = this.p;
    const first = p.peek(1);
    if (first !== undefined && first.kind === "keyword" && Object.hasOwn(FIELDS, first.text)) {
      // A script that is just a module's fields: one inline module.
      let end = p.pos;
      while (end < p.toks.length) {
        const k = p.toks[end + 1];
        if (p.toks[end].kind !== "lparen") break;
        if (k === undefined || k.kind !== "keyword" || !Object.hasOwn(FIELDS, k.text)) break;
        end = p.toks[end].match + 1;
      }
      const line = this.line(first.start);
      const sub = new Parser(p.source, p.toks, p.annotations);
      const m = parseModuleFields(sub, end);
      this.latest = m;
      this.commands.push({ type: "module", line, bytes: m.bytes });
      p.pos = end;
    }
    while (p.pos < p.toks.length) {
      const t = p.peek()!;
      const k = p.peek(1);
      if (t.kind !== "lparen" || k === undefined || k.kind !== "keyword") {
        throw p.error("unexpected token", t);
      }
      const before = this.commands.length;
      try {
        this.command(k.text);
        if (p.pos !== t.match + 1) throw p.error("unexpected token");
      } catch (error) {
        if (!this.keepGoing || !(error instanceof TextError)) throw error;
        // One unreadable command fails alone: skip to its closing paren.
        this.commands.length = before;
        const line = this.line(k.start);
        this.commands.push({ type: "unread", line, keyword: k.text, error: error.message });
        p.pos = t.match + 1;
      }
    }
  }

  command(kw: string): void {
    const p = this.p;
    const line = this.line(p.peek(1)!.start);
    switch (kw) {
      case "module": {
        if (isKeyword(p.peek(2), "instance")) {
          // `(module instance $instance? $definition?)`
          p.pos += 3;
          const first = p.optId();
          const second = p.optId();
          p.close();
          const cmd: WastModuleInstanceCommand = { type: "module_instance", line };
          const module = second ??
            (first !== undefined && this.named.has(first) ? first : undefined);
          const instance = second !== undefined ? first : module === undefined ? first : undefined;
          if (instance !== undefined) cmd.instance = instance;
          if (module !== undefined) cmd.module = module;
          const info = module !== undefined ? this.named.get(module) : this.definition;
          this.latest = info;
          if (instance !== undefined && info !== undefined) this.named.set(instance, info);
          this.commands.push(cmd);
          return;
        }
        const definition = isKeyword(p.peek(2), "definition");
        const m = this.module(false);
        const cmd: WastModuleCommand = { type: "module", line };
        if (definition) cmd.definition = true;
        if (m.id !== undefined) cmd.name = m.id;
        if (m.error !== undefined) cmd.error = m.error;
        else cmd.bytes = m.bytes;
        // a definition is not the current module; instances of it will be
        if (definition) this.definition = m.info;
        else this.latest = m.info;
        if (m.id !== undefined) this.named.set(m.id, m.info);
        this.commands.push(cmd);
        return;
      }
      case "register": {
        p.pos += 2;
        const as = UTF8.decode(p.string());
        const name = p.optId();
        p.close();
        const cmd: WastRegisterCommand = { type: "register", line, as };
        if (name !== undefined) {
          this.commands.push({ type: "register", line, name, as });
        } else this.commands.push(cmd);
        return;
      }
      case "invoke":
      case "get": {
        const action = this.action();
        this.commands.push({ type: "action", line, action, expected: this.resultTypes(action) });
        return;
      }
      case "assert_return": {
        p.pos += 2;
        const line = this.line(p.peek(1)?.start ?? 0);
        const action = this.action();
        const expected: WastValue[] = [];
        while (!p.atClose()) expected.push(this.value(true));
        p.close();
        this.commands.push({ type: "assert_return", line, action, expected });
        return;
      }
      case "assert_exception": {
        p.pos += 2;
        const line = this.line(p.peek(1)?.start ?? 0);
        const action = this.action();
        p.close();
        this.commands.push({
          type: "assert_exception",
          line,
          action,
          expected: this.resultTypes(action),
        });
        return;
      }
      case "assert_trap":
      case "assert_exhaustion":
      case "assert_suspension": {
        p.pos += 2;
        if (kw === "assert_trap" && p.atOpen("module")) {
          const line = this.line(p.peek(1)!.start);
          const m = this.module(false);
          const text = UTF8.decode(p.string());
          p.close();
          this.commands.push(withModule({
            type: "assert_uninstantiable",
            line,
            text,
            module_type: "binary",
          }, m));
          return;
        }
        const line = this.line(p.peek(1)?.start ?? 0);
        const action = this.action();
        const text = UTF8.decode(p.string());
        p.close();
        this.commands.push({
          type: kw,
          line,
          action,
          text,
          expected: this.resultTypes(action),
        });
        return;
      }
      case "assert_malformed":
      case "assert_invalid":
      case "assert_malformed_custom":
      case "assert_invalid_custom":
      case "assert_unlinkable":
      case "assert_uninstantiable": {
        p.pos += 2;
        if (!p.atOpen("module")) throw p.error("unexpected token");
        const line = this.line(p.peek(1)!.start);
        // a text module's errors are kept where they are the expected outcome
        const m = this.module(kw.startsWith("assert_malformed") || kw.endsWith("_custom"));
        const text = UTF8.decode(p.string());
        p.close();
        const moduleType = kw.startsWith("assert_malformed") && m.kind !== "binary"
          ? "text"
          : "binary";
        this.commands.push(withModule({ type: kw, line, text, module_type: moduleType }, m));
        return;
      }
      default:
        throw p.error("unexpected token", p.peek(1));
    }
  }

  /** Parses a `(module ...)` of any of its three forms; errors in the text are kept, not thrown. */
  module(keepErrors: boolean): ScriptModule {
    const p = this.p;
    const open = p.peek()!;
    // `(module definition ...)`: the keyword after `module`, then as usual
    const def = isKeyword(p.peek(2), "definition") ? 1 : 0;
    const k2 = p.peek(2 + def);
    const k3 = p.peek(3 + def);
    let formTok = k2;
    let id: string | undefined;
    if (k2 !== undefined && k2.kind === "id") {
      id = k2.text;
      formTok = k3;
    }
    const empty: ModuleInfo = { funcResults: new Map(), globalTypes: new Map() };
    if (formTok !== undefined && formTok.kind === "keyword" && formTok.text === "binary") {
      p.pos += (id === undefined ? 3 : 4) + def;
      const parts: Uint8Array[] = [];
      while (!p.atClose()) parts.push(p.string());
      p.close();
      const bytes = concat(parts);
      return { id, bytes, kind: "binary", info: binaryInfo(bytes) };
    }
    if (formTok !== undefined && formTok.kind === "keyword" && formTok.text === "quote") {
      p.pos += (id === undefined ? 3 : 4) + def;
      const parts: Uint8Array[] = [];
      while (!p.atClose()) parts.push(p.string());
      p.close();
      let text: string;
      try {
        text = UTF8_FATAL.decode(concat(parts));
      } catch {
        return { id, error: "malformed UTF-8 encoding", kind: "quote", info: empty };
      }
      try {
        return { id, bytes: parseWat(text), kind: "quote", info: empty };
      } catch (e) {
        if (!(e instanceof TextError)) throw e;
        return { id, error: e.message, kind: "quote", info: empty };
      }
    }
    try {
      const m: ParsedModule = parseModuleAt(p, {}, def === 1);
      return { id, bytes: m.bytes, kind: "text", info: m };
    } catch (e) {
      if (!(e instanceof TextError)) throw e;
      void keepErrors;
      p.pos = open.match + 1;
      return { id, error: e.message, kind: "text", info: empty };
    }
  }

  /** Parses `(invoke $m? "name" const*)` or `(get $m? "name")`. */
  action(): WastAction {
    const p = this.p;
    const t = p.next();
    const k = p.next();
    if (t.kind !== "lparen" || k.kind !== "keyword" || (k.text !== "invoke" && k.text !== "get")) {
      throw p.error("unexpected token", k);
    }
    const module = p.optId();
    const field = UTF8.decode(p.string());
    const args: WastValue[] = [];
    if (k.text === "invoke") { while (!p.atClose()) args.push(this.value(false)); }
    p.close();
    const action: WastAction = module === undefined
      ? { type: k.text, field }
      : { type: k.text, module, field };
    if (k.text === "invoke") action.args = args;
    return action;
  }

  /** The result types of an action's target, as values without `value`. */
  resultTypes(action: WastAction): WastValue[] {
    const info = action.module === undefined ? this.latest : this.named.get(action.module);
    if (info === undefined) return [];
    if (action.type === "get") {
      const g = info.globalTypes.get(action.field);
      return g === undefined ? [] : [{ type: valTypeName(g as ValType) }];
    }
    const r = info.funcResults.get(action.field);
    return r === undefined ? [] : r.map((t) => ({ type: valTypeName(t as ValType) }));
  }

  /** Parses a constant (argument) or a result pattern. */
  value(pattern: boolean): WastValue {
    const p = this.p;
    const t = p.next();
    const k = p.next();
    if (t.kind !== "lparen" || k.kind !== "keyword") throw p.error("unexpected token", k);
    let v: WastValue;
    switch (k.text) {
      case "i32.const":
        v = { type: "i32", value: BigInt.asUintN(32, intLiteral(p, 32)).toString() };
        break;
      case "i64.const":
        v = { type: "i64", value: BigInt.asUintN(64, intLiteral(p, 64)).toString() };
        break;
      case "f32.const":
        v = { type: "f32", value: this.nanPattern(pattern) ?? String(f32Literal(p)) };
        break;
      case "f64.const":
        v = { type: "f64", value: this.nanPattern(pattern) ?? String(f64Literal(p)) };
        break;
      case "v128.const":
        v = this.v128(pattern);
        break;
      case "ref.null": {
        if (pattern && p.atClose()) {
          v = { type: "ref", value: "null" }; // any null reference
          break;
        }
        const h = p.next();
        const top = h.kind === "keyword" ? NULL_TOPS[h.text] : undefined;
        if (top === undefined) throw p.error("unexpected token", h);
        v = { type: top, value: "null" };
        break;
      }
      case "ref.extern": {
        v = p.atClose()
          ? { type: "externref" }
          : { type: "externref", value: String(Number(BigInt.asUintN(32, intLiteral(p, 32)))) };
        break;
      }
      case "ref.func":
        v = p.atClose() ? { type: "funcref" } : { type: "funcref", value: p.next().text };
        break;
      case "ref.host": // a host reference internalised into the any hierarchy
        v = { type: "anyref", value: String(Number(BigInt.asUintN(32, intLiteral(p, 32)))) };
        break;
      case "ref.any":
      case "ref.eq":
      case "ref.i31":
      case "ref.struct":
      case "ref.array":
        if (!pattern) throw p.error("unexpected token", k);
        v = { type: GC_PATTERNS[k.text] };
        break;
      case "either": {
        if (!pattern) throw p.error("unexpected token", k);
        const values: WastValue[] = [];
        while (!p.atClose()) values.push(this.value(true));
        v = { type: "either", values };
        break;
      }
      default:
        throw p.error("unexpected token", k);
    }
    p.close();
    return v;
  }

  nanPattern(pattern: boolean): string | undefined {
    const t = this.p.peek();
    if (pattern && t !== undefined && t.kind === "keyword") {
      if (t.text === "nan:canonical" || t.text === "nan:arithmetic") {
        this.p.pos++;
        return t.text;
      }
    }
    return undefined;
  }

  v128(pattern: boolean): WastValue {
    const p = this.p;
    const s = p.next();
    const shapes: Record<string, [string, number]> = {
      i8x16: ["i8", 16],
      i16x8: ["i16", 8],
      i32x4: ["i32", 4],
      i64x2: ["i64", 2],
      f32x4: ["f32", 4],
      f64x2: ["f64", 2],
    };
    const shape = s.kind === "keyword" ? shapes[s.text] : undefined;
    if (shape === undefined) throw p.error("unexpected token", s);
    const [lane, n] = shape;
    const value: string[] = [];
    for (let i = 0; i < n; i++) {
      const t = p.peek();
      if (t === undefined || t.kind === "rparen" || t.kind === "lparen") {
        throw p.error("wrong number of lane literals", t);
      }
      const nan = lane[0] === "f" ? this.nanPattern(pattern) : undefined;
      if (nan !== undefined) {
        value.push(nan);
        continue;
      }
      p.pos++;
      let r: bigint | number | undefined | "range";
      if (lane === "f32") r = parseF32(t.text);
      else if (lane === "f64") r = parseF64(t.text);
      else {
        const bits = Number(lane.slice(1));
        const iv = parseInteger(t.text, bits);
        r = typeof iv === "bigint" ? BigInt.asUintN(bits, iv) : iv;
      }
      if (r === undefined) throw p.error("unexpected token", t);
      if (r === "range") throw p.error("constant out of range", t);
      value.push(String(r));
    }
    return { type: "v128", lane_type: lane, value };
  }
}

/** A module of a script, parsed: its bytes, or why its text did not parse. */
interface ScriptModule {
  /** Its `$name`, if any. */
  id: string | undefined;
  /** The binary module (absent when the text did not parse). */
  bytes?: Uint8Array<ArrayBuffer>;
  /** Why the text did not parse. */
  error?: string;
  /** Its form. */
  kind: "text" | "binary" | "quote";
  /** What assertions on it need to know. */
  info: ModuleInfo;
}

/** The export result types of a binary module (empty if it does not translate). */
function binaryInfo(bytes: Uint8Array): ModuleInfo {
  const funcResults = new Map<string, readonly number[]>();
  const globalTypes = new Map<string, number>();
  try {
    const t = translateModule(bytes);
    for (const e of t.exports) {
      if (e.kind === "func") funcResults.set(e.name, t.types[t.functions[e.index]].results);
      else if (e.kind === "global") globalTypes.set(e.name, t.globals[e.index].type);
    }
  } catch (e) {
    if (!(e instanceof CompileError)) throw e;
  }
  return { funcResults, globalTypes };
}

function isKeyword(t: { kind: string; text: string } | undefined, text: string): boolean {
  return t !== undefined && t.kind === "keyword" && t.text === text;
}

function withModule(
  cmd: WastModuleAssertion,
  m: { bytes?: Uint8Array<ArrayBuffer>; error?: string },
): WastModuleAssertion {
  if (m.error !== undefined) cmd.error = m.error;
  else cmd.bytes = m.bytes;
  return cmd;
}

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Options of {@link parseWast}. */
export interface ParseWastOptions {
  /**
   * Read past a command that does not parse (a command or syntax the text
   * format does not know): it becomes one `unread` command, and parsing goes
   * on with the next one. Off by default: such a script is a `TextError`.
   */
  readonly keepGoing?: boolean;
}

/**
 * Parses a WebAssembly script into its commands.
 *
 * @param source the script's text
 * @param filename the name recorded as `source_filename` (default `"input.wast"`)
 * @param options see {@link ParseWastOptions}
 * @returns the commands, in wast2json's shape, modules as bytes
 * @throws {TextError} if the script itself (outside malformed-module assertions) is malformed,
 *   unless `keepGoing`
 * @example
 * ```ts
 * import { parseWast } from "@capstan/environ";
 * const script = parseWast(`(module (func (export "f") (result i32) i32.const 7))
 * (assert_return (invoke "f") (i32.const 7))`);
 * if (script.commands.length !== 2 || script.commands[1].type !== "assert_return") {
 *   throw new Error();
 * }
 * ```
 */
export function parseWast(
  source: string,
  filename = "input.wast",
  options: ParseWastOptions = {},
): WastScript {
  const sp = new ScriptParser(source, options.keepGoing === true);
  guardDepth(sp.p, () => sp.run());
  return { source_filename: filename, commands: sp.commands };
}
