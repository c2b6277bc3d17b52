/**
 * Subtyping of value types (the typed function references' rules), for one
 * module: {@link TypeRelation} answers `a <: b` and checks that every type
 * index a value type names is defined.
 *
 * Invariants:
 * - Equal numbers are equal types; `isSubtype` is only consulted when two
 *   value types differ, so the validator's hot path stays a number comparison.
 * - Every defined type is a function type or a continuation type `cont $ft`
 *   (stack switching; its own recursion group of one, naming an earlier
 *   function type), so two type indices are equivalent exactly when their structural keys
 *   ({@link funcTypeKey}) are; `canon[i]` is the first index equivalent to
 *   `i`, and a concrete reference is a subtype of its kind's top (`func` or
 *   `cont`) and of equivalent concrete references only.
 * - The bottom of each hierarchy (`nofunc`, `noextern`, `noexn`) is a
 *   subtype of every heap type of its hierarchy, and `(ref ht)` of
 *   `(ref null ht)`.
 *
 * @module
 */

import { fail } from "./errors.ts";
import {
  type FuncType,
  funcTypeKey,
  HeapType,
  isRefType,
  NON_NULL,
  refBottom,
  refTop,
  refTypeIndex,
  type ValType,
} from "./types.ts";

/** The operand type the validator gives to the polymorphic stack: a subtype of everything. */
export const BOTTOM = 0;

/**
 * The heap-type part of `a <: b` when at most one of them is concrete:
 * a concrete type is under `func`; a bottom is under its whole hierarchy;
 * otherwise the abstract types must be the same.
 */
function abstractHeapSub(a: number, b: number, ia: number, ib: number): boolean {
  if (ia >= 0) return (b & 0xff) === HeapType.func;
  const code = a & 0xff;
  if (code === refBottom(a)) return refTop(a) === refTop(b);
  return ib < 0 && code === (b & 0xff);
}

/**
 * Whether `a` is a subtype of `b`, for value types whose type indices are
 * canonical (equal exactly when the types are equivalent), as the runtime
 * keeps them for globals and tables shared between modules.
 *
 * @param a a value type
 * @param b a value type
 * @returns true when a value of `a` is a value of `b`
 * @example
 * ```ts
 * import { isCanonicalSubtype, ValType, withNullable } from "@capstan/environ";
 * if (!isCanonicalSubtype(withNullable(ValType.funcref, false), ValType.funcref)) {
 *   throw new Error();
 * }
 * ```
 */
export function isCanonicalSubtype(a: ValType, b: ValType): boolean {
  if (a === b) return true;
  if (!isRefType(a) || !isRefType(b)) return false;
  if ((b & NON_NULL) !== 0 && (a & NON_NULL) === 0) return false;
  const ia = refTypeIndex(a);
  const ib = refTypeIndex(b);
  if (ia >= 0 && ib >= 0) return ia === ib;
  return abstractHeapSub(a, b, ia, ib);
}

/** Subtyping and type-index checks over one module's type section. */
export class TypeRelation {
  /** The module's types, each carrying its key when it names a type index. */
  readonly types: readonly FuncType[];
  /** `canon[i]`: the first type index equivalent to `i`. */
  readonly canon: Int32Array;

  /**
   * Checks the type section (a type may name only itself and the types
   * before it) and computes each type's equivalence class.
   *
   * @param types the type section
   * @param at the offset to report errors at
   * @throws {CompileError} for an unknown type index
   */
  constructor(types: readonly FuncType[], at: number) {
    const n = types.length;
    const keys: string[] = [];
    const first = new Map<string, number>();
    const canon = new Int32Array(n);
    const annotated: FuncType[] = [];
    for (let i = 0; i < n; i++) {
      const t = types[i];
      if (t.cont !== undefined) {
        const ft = annotated[t.cont];
        if (t.cont > i) fail(`unknown type ${t.cont}`, at);
        if (ft === undefined || ft.cont !== undefined) fail(`non-function type ${t.cont}`, at);
        const key = funcTypeKey(types, i, keys);
        keys.push(key);
        const c = first.get(key);
        canon[i] = c ?? i;
        if (c === undefined) first.set(key, i);
        annotated.push({ params: ft.params, results: ft.results, cont: t.cont, key });
        continue;
      }
      let concrete = false;
      for (const v of [...t.params, ...t.results]) {
        const index = refTypeIndex(v);
        if (!isRefType(v) || index < 0) continue;
        if (index > i) fail(`unknown type ${index}`, at);
        concrete = true;
      }
      const key = funcTypeKey(types, i, keys);
      keys.push(key);
      const c = first.get(key);
      canon[i] = c ?? i;
      if (c === undefined) first.set(key, i);
      annotated.push(concrete ? { params: t.params, results: t.results, key } : t);
    }
    this.types = annotated;
    this.canon = canon;
  }

  /**
   * Checks that a value type names only defined types.
   *
   * @param t the value type
   * @param at the offset to report an error at
   * @returns `t`
   * @throws {CompileError} "unknown type" otherwise
   */
  check(t: ValType, at: number): ValType {
    const index = refTypeIndex(t);
    if (isRefType(t) && index >= this.types.length) fail(`unknown type ${index}`, at);
    return t;
  }

  /**
   * Whether `a` is a subtype of `b`.
   *
   * @param a a value type (or {@link BOTTOM})
   * @param b a value type
   * @returns true when a value of `a` is a value of `b`
   */
  isSubtype(a: number, b: number): boolean {
    if (a === b || a === BOTTOM) return true;
    if (!isRefType(a) || !isRefType(b)) return false;
    if ((b & NON_NULL) !== 0 && (a & NON_NULL) === 0) return false;
    return this.heapSub(a, b);
  }

  /** Whether the heap type of `a` is a subtype of the heap type of `b`. */
  private heapSub(a: number, b: number): boolean {
    const ia = refTypeIndex(a);
    const ib = refTypeIndex(b);
    if (ia >= 0 && ib >= 0) return this.canon[ia] === this.canon[ib];
    if (ia >= 0) return (b & 0xff) === this.kindOf(ia);
    if (ib >= 0) return (a & 0xff) === refBottom(this.kindOf(ib));
    return abstractHeapSub(a, b, ia, ib);
  }

  /**
   * The abstract heap type a defined type falls under: `cont` for a
   * continuation type, else `func`.
   *
   * @param index a defined type index
   * @returns its hierarchy's top heap-type code
   */
  kindOf(index: number): number {
    return this.types[index]?.cont !== undefined ? HeapType.cont : HeapType.func;
  }

  /**
   * Whether a type index names a continuation type.
   *
   * @param index a type index
   * @returns true for `cont $ft`
   */
  isCont(index: number): boolean {
    return this.types[index]?.cont !== undefined;
  }

  /**
   * The top of a reference type's hierarchy, with concrete continuation types
   * under `contref` (the module-free {@link refTop} puts every concrete type
   * under `funcref`).
   *
   * @param t a reference type
   * @returns its hierarchy's nullable top
   */
  topOf(t: ValType): ValType {
    const i = refTypeIndex(t);
    return i >= 0 ? this.kindOf(i) : refTop(t);
  }

  /**
   * Whether two value types are equivalent (each a subtype of the other).
   *
   * @param a a value type
   * @param b a value type
   * @returns true when they denote the same type
   */
  equivalent(a: number, b: number): boolean {
    return a === b || (a !== BOTTOM && b !== BOTTOM && this.isSubtype(a, b) &&
      this.isSubtype(b, a));
  }
}
