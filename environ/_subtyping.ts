/**
 * Subtyping of value types (typed function references and GC), for one
 * module: {@link TypeRelation} checks the type section (recursion groups,
 * declared supertypes, field types), registers it in the engine-wide
 * {@link TYPE_REGISTRY}, answers `a <: b` and checks that every type index a
 * value type names is defined.
 *
 * Invariants:
 * - Equal numbers are equal types; `isSubtype` is only consulted when two
 *   value types differ, so the validator's hot path stays a number comparison.
 * - `canon[i]` is type index `i`'s canonical id; two concrete references are
 *   related exactly as their canonical ids are in the registry (declared
 *   subtyping, iso-recursive equivalence), within a module and across
 *   modules alike ({@link isCanonicalSubtype} on canonical value types).
 * - The abstract heap types form these hierarchies: `any` over `eq` over
 *   `i31`, `struct` and `array` (concrete struct and array types under the
 *   last two), `func` over concrete function types, `extern`, `exn`, and
 *   with stack switching `cont` over concrete continuation types (`cont $a`
 *   under `cont $b` when `$a` is under `$b`). The
 *   bottom of each (`none`, `nofunc`, `noextern`, `noexn`, `nocont`) is under every
 *   heap type of its hierarchy, and `(ref ht)` under `(ref null ht)`.
 *
 * @module
 */

import { fail } from "./errors.ts";
import { TYPE_REGISTRY } from "./_type_registry.ts";
import { STACK_SWITCHING_DISABLED } from "./_cont_validator.ts";
import { MAX_SUBTYPING_DEPTH } from "./limits.ts";
import {
  type FieldType,
  type FuncType,
  funcTypeKey,
  HeapType,
  isRefType,
  isValType,
  kindCode,
  NON_NULL,
  PackedType,
  refBottom,
  refTop,
  refTypeIndex,
  type ValType,
  withTypeIndex,
} from "./types.ts";

/** The operand type the validator gives to the polymorphic stack: a subtype of everything. */
export const BOTTOM = 0;

/**
 * The heap-type part of `a <: b` when at most one of them is concrete (the
 * low byte of a concrete one is its kind's code).
 */
function abstractHeapSub(a: number, b: number, ia: number, ib: number): boolean {
  const ca = a & 0xff;
  const cb = b & 0xff;
  if (ia >= 0) {
    // A concrete type is under its kind and, for struct and array, eq and any.
    return ca === cb ||
      (ca !== HeapType.func && ca !== HeapType.cont && (cb === HeapType.eq || cb === HeapType.any));
  }
  if (ca === refBottom(a)) return refTop(a) === refTop(b);
  if (ib >= 0) return false;
  if (ca === cb) return true;
  if (cb === HeapType.any) return refTop(a) === HeapType.any;
  return cb === HeapType.eq &&
    (ca === HeapType.i31 || ca === HeapType.struct || ca === HeapType.array);
}

/**
 * Whether `a` is a subtype of `b`, for value types whose type indices are
 * canonical ids of the engine's type registry, as the runtime keeps them for
 * globals and tables shared between modules.
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
  if (ia >= 0 && ib >= 0) return TYPE_REGISTRY.isSubtype(ia, ib);
  return abstractHeapSub(a, b, ia, ib);
}

/**
 * Whether function type `a` matches function type `b` as an import: for
 * types keyed by a canonical id (`#id`: those with GC subtyping or
 * recursion groups, see `FuncType.key`), `a` declared under `b` in the
 * registry; otherwise the same type.
 *
 * @param a the provided type
 * @param b the expected type
 * @returns true when a function of type `a` may stand for one of type `b`
 * @example
 * ```ts
 * import { isFuncTypeSubtype, ValType } from "@capstan/environ";
 * const t = { params: [ValType.i32], results: [] };
 * if (!isFuncTypeSubtype(t, { params: [ValType.i32], results: [] })) throw new Error();
 * ```
 */
export function isFuncTypeSubtype(a: FuncType, b: FuncType): boolean {
  const ka = a.key ?? "";
  const kb = b.key ?? "";
  if (ka.startsWith("#") && kb.startsWith("#")) {
    return TYPE_REGISTRY.isSubtype(Number(ka.slice(1)), Number(kb.slice(1)));
  }
  if (ka !== "" || kb !== "") return ka === kb;
  return a.params.length === b.params.length && a.results.length === b.results.length &&
    a.params.every((p, i) => p === b.params[i]) && a.results.every((r, i) => r === b.results[i]);
}

/**
 * The canonical id of a function type as the runtime keeps it: the id in
 * its `#id` key, or (a final function type alone in its group, naming no
 * type index) the id of that type, registered on first use.
 *
 * @param t a function type
 * @returns its canonical id in the engine-wide registry
 * @example
 * ```ts
 * import { funcTypeId, ValType } from "@capstan/environ";
 * const t = { params: [ValType.i32], results: [] };
 * if (funcTypeId(t) !== funcTypeId({ params: [ValType.i32], results: [] })) throw new Error();
 * ```
 */
export function funcTypeId(t: FuncType): number {
  const k = t.key;
  if (k !== undefined && k.startsWith("#")) return Number(k.slice(1));
  return TYPE_REGISTRY.canonicalize([{ params: t.params, results: t.results }], () => {})[0];
}

/** Whether a storage type is packed (i8 or i16). */
function isPacked(t: number): boolean {
  return t === PackedType.i8 || t === PackedType.i16;
}

/**
 * Whether field `a` may stand for field `b` in a declared subtype: the same
 * mutability, and a covariant type when immutable, the same when mutable.
 */
function fieldSub(a: FieldType, b: FieldType): boolean {
  if (a.mutable !== b.mutable) return false;
  if (isPacked(a.type) || isPacked(b.type)) return a.type === b.type;
  return isCanonicalSubtype(a.type, b.type) &&
    (!a.mutable || isCanonicalSubtype(b.type, a.type));
}

/** Whether canonical composite type `a` may be declared under canonical type `b`. */
function compositeSub(a: FuncType, b: FuncType): boolean {
  if ((a.kind ?? "func") !== (b.kind ?? "func")) return false;
  if (a.kind === "cont") return TYPE_REGISTRY.isSubtype(a.cont!, b.cont!);
  if (a.kind === "struct" || a.kind === "array") {
    const fa = a.fields!;
    const fb = b.fields!;
    if (fa.length < fb.length || (a.kind === "array" && fa.length !== fb.length)) return false;
    return fb.every((f, i) => fieldSub(fa[i], f));
  }
  if (a.params.length !== b.params.length || a.results.length !== b.results.length) return false;
  return b.params.every((p, i) => isCanonicalSubtype(p, a.params[i])) &&
    a.results.every((r, i) => isCanonicalSubtype(r, b.results[i]));
}

/** Whether a type is a final function type alone in its group naming no type index. */
function isPlainFunc(t: FuncType): boolean {
  return (t.kind ?? "func") === "func" && t.final !== false && t.supertype === undefined &&
    t.rec === undefined && ![...t.params, ...t.results].some((v) => refTypeIndex(v) >= 0);
}

/** Subtyping and type-index checks over one module's type section. */
export class TypeRelation {
  /** The module's types, each carrying its key when it needs one (see {@link FuncType.key}). */
  readonly types: readonly FuncType[];
  /** `canon[i]`: the canonical id of type index `i`. */
  readonly canon: Int32Array;
  /** Whether continuation types and references are allowed (stack switching). */
  readonly stackSwitching: boolean;

  /**
   * Checks the type section (a type may name the types of its own recursion
   * group and those before it; a declared supertype must come before it, be
   * non-final, of the same kind and a structural supertype) and registers
   * its groups.
   *
   * @param types the type section
   * @param at the offset to report errors at
   * @param stackSwitching whether continuation types and references are
   *   allowed (else they are refused: {@link STACK_SWITCHING_DISABLED})
   * @throws {CompileError} "unknown type", "sub type", ...
   */
  constructor(types: readonly FuncType[], at: number, stackSwitching = false) {
    this.stackSwitching = stackSwitching;
    const n = types.length;
    for (let start = 0; start < n;) {
      const size = types[start].rec?.size ?? 1;
      for (let i = start; i < start + size; i++) {
        const t = types[i];
        if (t.kind === "cont" && !stackSwitching) fail(STACK_SWITCHING_DISABLED, at);
        const refs = [...t.params, ...t.results, ...(t.fields ?? []).map((f) => f.type)];
        for (const v of refs) {
          this.checkFeature(v, at);
          if (isRefType(v) && refTypeIndex(v) >= start + size) {
            fail(`unknown type ${refTypeIndex(v)}`, at);
          }
        }
        if (t.supertype !== undefined && t.supertype >= i) fail(`unknown type ${t.supertype}`, at);
        if (t.cont !== undefined) {
          if (t.cont >= start + size) fail(`unknown type ${t.cont}`, at);
          if ((types[t.cont].kind ?? "func") !== "func") fail(`non-function type ${t.cont}`, at);
        }
      }
      start += size;
    }
    const canon = TYPE_REGISTRY.canonicalize(types, (start, size, ids) => {
      for (let i = start; i < start + size; i++) {
        const sup = types[i].supertype;
        if (sup === undefined) continue;
        const s = TYPE_REGISTRY.type(ids[sup]);
        if (s.final !== false || !compositeSub(TYPE_REGISTRY.type(ids[i]), s)) {
          fail(`sub type ${i} does not match super type ${sup}`, at);
        }
        if (TYPE_REGISTRY.depth(ids[i]) > MAX_SUBTYPING_DEPTH) {
          fail("subtyping depth too large", at);
        }
      }
    });
    const keys: string[] = [];
    const annotated: FuncType[] = [];
    for (let i = 0; i < n; i++) {
      const t = types[i];
      const plain = isPlainFunc(t);
      const key = plain ? funcTypeKey(types, i, keys) : `#${canon[i]}`;
      keys.push(key);
      const concrete = !plain || [...t.params, ...t.results].some((v) => refTypeIndex(v) >= 0);
      annotated.push(concrete ? { ...t, key } : t);
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
    this.checkFeature(t, at);
    const index = refTypeIndex(t);
    if (isRefType(t) && index >= this.types.length) fail(`unknown type ${index}`, at);
    return t;
  }

  /** Refuses a continuation reference type when stack switching is off. */
  private checkFeature(t: ValType, at: number): void {
    if (!this.stackSwitching && isRefType(t) && (refTop(t) & 0xff) === HeapType.cont) {
      fail(STACK_SWITCHING_DISABLED, at);
    }
  }

  /**
   * A value type with its type index replaced by the canonical id.
   *
   * @param t a value type of this module
   * @returns the same type as the registry names it
   */
  canonical(t: ValType): ValType {
    const index = isRefType(t) ? refTypeIndex(t) : -1;
    return index < 0 ? t : withTypeIndex(t, this.canon[index]);
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
    const ia = refTypeIndex(a);
    const ib = refTypeIndex(b);
    if (ia >= 0 && ib >= 0) return TYPE_REGISTRY.isSubtype(this.canon[ia], this.canon[ib]);
    return abstractHeapSub(a, b, ia, ib);
  }

  /**
   * Whether a type index names a continuation type.
   *
   * @param index a type index
   * @returns true for `cont $ft`
   */
  isCont(index: number): boolean {
    return this.types[index]?.kind === "cont";
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

/**
 * The value type of a reference to type index `index` of a type section, its
 * low byte the code of the type's kind (for value types read before the
 * types' kinds were known).
 *
 * @param types the type section
 * @param t a value type
 * @returns `t` with its kind code set, or `t` unchanged
 */
export function withKind(types: readonly FuncType[], t: ValType): ValType {
  const i = isRefType(t) ? refTypeIndex(t) : -1;
  if (i < 0 || i >= types.length || !isValType(t)) return t;
  return (t & ~0xff) | kindCode(types[i]);
}
