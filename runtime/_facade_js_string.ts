/**
 * The JS-API compile options (`builtins`, `importedStringConstants`) and the
 * `js-string` builtin set: imports from `"wasm:js-string"` that the facade
 * provides itself (`cast`, `test`, `fromCharCodeArray`, `intoCharCodeArray`,
 * `fromCharCode`, `fromCodePoint`, `charCodeAt`, `codePointAt`, `length`,
 * `concat`, `substring`, `equals`, `compare`), and string constants imported
 * as globals from the module the options name.
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
  HeapType,
  isCanonicalSubtype,
  translateModule,
  TrapCode,
  typeIndexRef,
  ValType,
  withNullable,
} from "@capstan/environ";
import { GcArray } from "@capstan/interpreter";
import { gcToInternal } from "./_gc_values.ts";
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
/**
 * `(ref null (array (mut i16)))` with the type's canonical id (the engine-wide
 * registry's, so it compares with any module's canonical types): the array
 * type of `fromCharCodeArray` and `intoCharCodeArray`. The id comes from
 * translating a module of that one type: `(type (array (mut i16)))`.
 */
const I16_ARRAY = typeIndexRef(
  translateModule(new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x5e, 0x77, 1]))
    .typeIds![0],
  true,
  HeapType.array,
);

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

/**
 * The elements of a js-string builtin's i16 array argument (their char
 * codes), trapping as V8 does on null.
 */
function charCodes(v: Val): Uint16Array {
  if (v === null) throw trap(TrapCode.NullArrayReference, "dereferencing a null pointer");
  const a = gcToInternal(v);
  // (the import's type is checked at compile time: only such an array arrives)
  if (!(a instanceof GcArray) || !(a.data instanceof Uint16Array)) {
    throw trap(TrapCode.CastFailure, "illegal cast");
  }
  return a.data;
}

/** `[start, end)` of `length` elements, trapping as V8 does when it does not fit. */
function checkRange(start: number, end: number, length: number): void {
  if (start > end || end > length) {
    throw trap(TrapCode.ArrayOutOfBounds, "array element access out of bounds");
  }
}

/** The string of char codes `codes[start..end)`, built in chunks (no spread of a large array). */
function fromCharCodes(codes: Uint16Array, start: number, end: number): string {
  let out = "";
  for (let at = start; at < end; at += 8192) {
    out += String.fromCharCode(...codes.subarray(at, Math.min(end, at + 8192)));
  }
  return out;
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
  [
    "fromCharCodeArray",
    fn([I16_ARRAY, I32, I32], [STRING], (a, s, e) => {
      const codes = charCodes(a);
      const start = (s as number) >>> 0;
      const end = (e as number) >>> 0;
      checkRange(start, end, codes.length);
      return fromCharCodes(codes, start, end);
    }),
  ],
  [
    "intoCharCodeArray",
    fn([EXTERN, I16_ARRAY, I32], [I32], (s, a, at) => {
      const str = unwrap(s);
      const codes = charCodes(a);
      const start = (at as number) >>> 0;
      checkRange(start, start + str.length, codes.length);
      for (let i = 0; i < str.length; i++) codes[start + i] = str.charCodeAt(i);
      return str.length;
    }),
  ],
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

/** Whether an import's type (`canon` gives its value types canonical) is a builtin's. */
function sameFuncType(a: FuncType, b: FuncType, canon: (t: ValType) => ValType): boolean {
  return a.params.length === b.params.length && a.results.length === b.results.length &&
    a.params.every((t, i) => canon(t) === b.params[i]) &&
    a.results.every((t, i) => canon(t) === b.results[i]);
}

/**
 * Checks a module's imports against its compile options (see the module doc).
 *
 * @param imports the module's imports
 * @param options its compile options
 * @param canon a value type of the module made canonical (concrete types by
 *   their registry ids: the array builtins' type compares so)
 * @throws the facade's `CompileError` naming the first import that does not fit
 */
export function checkCompileOptions(
  imports: readonly ImportType[],
  options: CompileOptions,
  canon: (t: ValType) => ValType = (t) => t,
): void {
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
    if (imp.type.kind !== "func" || !sameFuncType(imp.type.type, b.type, canon)) {
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
const builtinFuncs = new WeakMap<Facade, Map<Builtin | string, Func>>();

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
  if (imp.type.kind !== "func") return undefined;
  // (with a concrete array type, the function takes the import's own type: its key names the
  // type's canonical id, which import matching compares)
  const type = b.type.params.includes(I16_ARRAY) ? imp.type.type : b.type;
  const key = type === b.type ? b : `${imp.name} ${type.key ?? ""}`;
  let f = funcs.get(key);
  if (f === undefined) {
    f = Func.wrap(facade.store, type, b.run);
    f._awaits = false;
    funcs.set(key, f);
  }
  return f;
}
