/**
 * The JS-API compile options (`builtins`, `importedStringConstants`) and the
 * `js-string` builtin set: imports from `"wasm:js-string"` that the facade
 * provides itself (`cast`, `test`, `fromCharCode`, `fromCodePoint`,
 * `charCodeAt`, `codePointAt`, `length`, `concat`, `substring`, `equals`,
 * `compare`), and string constants imported as globals from the module the
 * options name.
 *
 * Invariants (the js-string-builtins proposal's, with V8's signatures and
 * trap messages):
 * - Options are checked when the module is compiled (and by `validate`): a
 *   builtin import whose type is not the builtin's exact type, a string
 *   constant import that is not an immutable global of a supertype of
 *   `(ref extern)`, or a builtin set named twice is a `CompileError`.
 * - Builtin and string-constant imports are not imports to the embedder:
 *   `Module.imports` leaves them out and instantiation supplies them (an
 *   unknown name under `"wasm:js-string"` is an ordinary import).
 * - A builtin given a non-string where a string is required traps
 *   ("illegal cast"), as do out-of-range indices and code points: traps, not
 *   exceptions, so wasm cannot catch them.
 * - One host function per builtin per facade, made on first use.
 *
 * @module
 */

import {
  type FuncType,
  isCanonicalSubtype,
  TrapCode,
  ValType,
  withNullable,
} from "@capstan/environ";
import { CompileError } from "./_facade_errors.ts";
import type { ExternType, ImportType } from "./extern_type.ts";
import type { Facade } from "./_facade.ts";
import { Func } from "./func.ts";
import { Global } from "./global.ts";
import { Trap } from "./trap.ts";
import type { Val } from "./val.ts";

/** The compile options of a facade module. */
export interface CompileOptions {
  /** The builtin sets asked for (`"js-string"` is the one there is). */
  readonly builtins: readonly string[];
  /** The import module name whose imports are string constants, or null. */
  readonly importedStringConstants: string | null;
}

/** No builtins, no string constants. */
export const NO_COMPILE_OPTIONS: CompileOptions = { builtins: [], importedStringConstants: null };

/**
 * Reads the `WebAssemblyCompileOptions` dictionary.
 *
 * @param options the argument (undefined or null for none)
 * @returns the options
 * @throws TypeError when it is not a dictionary of the right members
 */
export function readCompileOptions(options: unknown): CompileOptions {
  if (options === undefined || options === null) return NO_COMPILE_OPTIONS;
  if (typeof options !== "object" && typeof options !== "function") {
    throw new TypeError("WebAssembly: the compile options must be an object");
  }
  const o = options as Record<string, unknown>;
  let builtins: string[] = [];
  if (o.builtins !== undefined) {
    if (o.builtins === null || typeof o.builtins !== "object" || !(Symbol.iterator in o.builtins)) {
      throw new TypeError("WebAssembly: builtins must be a sequence of strings");
    }
    builtins = [...(o.builtins as Iterable<unknown>)].map(String);
  }
  const s = o.importedStringConstants;
  return {
    builtins,
    importedStringConstants: s === undefined || s === null ? null : String(s),
  };
}

const EXTERN = ValType.externref;
const STRING = withNullable(ValType.externref, false); // (ref extern)
const I32 = ValType.i32;

/** A builtin: its type and what it does, on values as the runtime passes them. */
interface Builtin {
  readonly type: FuncType;
  readonly run: (...args: Val[]) => Val;
}

function trap(code: number, message: string): Trap {
  return new Trap(code, [], message);
}

/** UnwrapString: the value when it is a string, else a trap. */
function unwrap(v: unknown): string {
  if (typeof v !== "string") throw trap(TrapCode.CastFailure, "illegal cast");
  return v;
}

/** `at(string, index)` for a string and an in-bounds u32 index, else a trap. */
function indexed(s: unknown, i: unknown, at: (str: string, index: number) => number): number {
  const str = unwrap(s);
  const index = (i as number) >>> 0;
  if (index >= str.length) throw trap(TrapCode.StringOutOfBounds, "string offset out of bounds");
  return at(str, index);
}

function fn(params: ValType[], results: ValType[], run: (...args: Val[]) => Val): Builtin {
  return { type: { params, results }, run };
}

/** The `js-string` set, by import name. */
const JS_STRING: ReadonlyMap<string, Builtin> = new Map([
  ["cast", fn([EXTERN], [STRING], (v) => unwrap(v))],
  ["test", fn([EXTERN], [I32], (v) => typeof v === "string" ? 1 : 0)],
  ["fromCharCode", fn([I32], [STRING], (c) => String.fromCharCode((c as number) & 0xffff))],
  [
    "fromCodePoint",
    fn([I32], [STRING], (c) => {
      const cp = (c as number) >>> 0;
      if (cp > 0x10ffff) throw trap(TrapCode.InvalidCodePoint, `invalid code point ${cp}`);
      return String.fromCodePoint(cp);
    }),
  ],
  ["charCodeAt", fn([EXTERN, I32], [I32], (s, i) => indexed(s, i, (str, k) => str.charCodeAt(k)))],
  [
    "codePointAt",
    fn([EXTERN, I32], [I32], (s, i) => indexed(s, i, (str, k) => str.codePointAt(k)!)),
  ],
  ["length", fn([EXTERN], [I32], (s) => unwrap(s).length)],
  ["concat", fn([EXTERN, EXTERN], [STRING], (a, b) => unwrap(a) + unwrap(b))],
  [
    "substring",
    fn([EXTERN, I32, I32], [STRING], (s, a, b) => {
      const str = unwrap(s);
      const start = (a as number) >>> 0;
      const end = (b as number) >>> 0;
      if (start > end || start > str.length) return "";
      return str.substring(start, end);
    }),
  ],
  [
    "equals",
    fn([EXTERN, EXTERN], [I32], (a, b) => {
      if (a !== null && typeof a !== "string") throw trap(TrapCode.CastFailure, "illegal cast");
      if (b !== null && typeof b !== "string") throw trap(TrapCode.CastFailure, "illegal cast");
      return a === b ? 1 : 0;
    }),
  ],
  [
    "compare",
    fn([EXTERN, EXTERN], [I32], (a, b) => {
      const x = unwrap(a);
      const y = unwrap(b);
      return x === y ? 0 : x < y ? -1 : 1;
    }),
  ],
]);

/** The builtin sets by name. */
const BUILTIN_SETS: ReadonlyMap<string, ReadonlyMap<string, Builtin>> = new Map([
  ["js-string", JS_STRING],
]);

/**
 * The builtin an import names under the options, if any.
 *
 * @param options the module's compile options
 * @param imp an import
 * @returns the builtin, or undefined for an ordinary import
 */
function findBuiltin(options: CompileOptions, imp: ImportType): Builtin | undefined {
  for (const set of options.builtins) {
    if (imp.module === `wasm:${set}`) {
      const b = BUILTIN_SETS.get(set)?.get(imp.name);
      if (b !== undefined) return b;
    }
  }
  return undefined;
}

function sameFuncType(a: FuncType, b: FuncType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length &&
    a.params.every((t, i) => t === b.params[i]) && a.results.every((t, i) => t === b.results[i]);
}

/**
 * Checks a module's imports against its compile options (see the module doc).
 *
 * @param imports the module's imports
 * @param options its compile options
 * @throws the facade's `CompileError` naming the first import that does not fit
 */
export function checkCompileOptions(imports: readonly ImportType[], options: CompileOptions): void {
  if (new Set(options.builtins).size !== options.builtins.length) {
    throw new CompileError("WebAssembly: a builtin set is named more than once");
  }
  imports.forEach((imp, i) => {
    if (isStringConstant(options, imp)) {
      const t: ExternType = imp.type;
      if (t.kind !== "global" || t.type.mutable || !isCanonicalSubtype(STRING, t.type.type)) {
        throw new CompileError(
          `WebAssembly: string constant import #${i} "${imp.name}" must be an immutable global subtyping externref`,
        );
      }
      return;
    }
    const b = findBuiltin(options, imp);
    if (b === undefined) return;
    if (imp.type.kind !== "func" || !sameFuncType(b.type, imp.type.type)) {
      throw new CompileError(
        `WebAssembly: imported builtin function "${imp.module}" "${imp.name}" has incorrect signature`,
      );
    }
  });
}

function isStringConstant(options: CompileOptions, imp: ImportType): boolean {
  return options.importedStringConstants !== null && imp.module === options.importedStringConstants;
}

/**
 * Whether the facade supplies an import itself (a builtin or a string constant).
 *
 * @param options the module's compile options
 * @param imp an import
 * @returns true when the embedder does not see it
 */
export function isSuppliedImport(options: CompileOptions, imp: ImportType): boolean {
  return isStringConstant(options, imp) || findBuiltin(options, imp) !== undefined;
}

/** Each facade's builtin functions, by builtin. */
const builtinFuncs = new WeakMap<Facade, Map<Builtin, Func>>();

/**
 * What the facade supplies for an import (see {@link isSuppliedImport}).
 *
 * @param facade the facade
 * @param options the module's compile options
 * @param imp the import
 * @returns the builtin function or the string constant global, or undefined
 */
export function suppliedImport(
  facade: Facade,
  options: CompileOptions,
  imp: ImportType,
): Func | Global | undefined {
  if (isStringConstant(options, imp)) {
    if (imp.type.kind !== "global") return undefined;
    return new Global(facade.store, imp.type.type, imp.name);
  }
  const b = findBuiltin(options, imp);
  if (b === undefined) return undefined;
  let funcs = builtinFuncs.get(facade);
  if (funcs === undefined) builtinFuncs.set(facade, funcs = new Map());
  let f = funcs.get(b);
  if (f === undefined) {
    f = Func.wrap(facade.store, b.type, b.run);
    f._awaits = false;
    funcs.set(b, f);
  }
  return f;
}
