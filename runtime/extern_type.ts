/**
 * The types of importable and exportable entities ({@link ExternType}),
 * the import/export descriptors a {@link Module} reports, and the spec's
 * import-matching rules (with subtyping of limits).
 *
 * Invariants: {@link matchExternType} returns `undefined` exactly when the
 * spec's "import matching" accepts the provided type for the expected one;
 * otherwise it returns a sentence saying what was expected and found.
 *
 * @module
 */

import {
  type FuncType,
  type GlobalType,
  isCanonicalSubtype,
  isFuncTypeSubtype,
  type Limits,
  type MemoryType,
  type TableType,
  valTypeName,
} from "@capstan/environ";
import { formatFuncType, funcTypeEquals } from "./val.ts";

/** The type of an external entity, by kind. */
export type ExternType =
  | { readonly kind: "func"; readonly type: FuncType }
  | { readonly kind: "table"; readonly type: TableType }
  | { readonly kind: "memory"; readonly type: MemoryType }
  | { readonly kind: "global"; readonly type: GlobalType }
  | { readonly kind: "tag"; readonly type: FuncType };

/** An import a module needs: its two-level name and its type. */
export interface ImportType {
  /** The module name. */
  readonly module: string;
  /** The field name. */
  readonly name: string;
  /** What it must be. */
  readonly type: ExternType;
}

/** An export a module provides: its name and type. */
export interface ExportType {
  /** The export name. */
  readonly name: string;
  /** What it is. */
  readonly type: ExternType;
}

function formatLimits(l: Limits): string {
  return `(min: ${l.min}, max: ${l.max === undefined ? "none" : l.max})`;
}

/**
 * Formats an extern type for error messages, e.g. `func (i32) -> ()`.
 *
 * @param t an extern type
 * @returns its text
 * @example
 * ```ts
 * import { formatExternType, ValType } from "@capstan/runtime";
 * const text = formatExternType({ kind: "global", type: { type: ValType.i64, mutable: true } });
 * if (text !== "global mut i64") throw new Error();
 * ```
 */
export function formatExternType(t: ExternType): string {
  switch (t.kind) {
    case "func":
      return `func ${formatFuncType(t.type)}`;
    case "table":
      return `table${t.type.address64 ? " i64" : ""} of ${valTypeName(t.type.element)} ${
        formatLimits(t.type.limits)
      }`;
    case "memory":
      return `memory${t.type.address64 ? " i64" : ""} ${formatLimits(t.type.limits)}${
        (t.type.pageSizeLog2 ?? 16) === 16 ? "" : ` (pagesize ${2 ** t.type.pageSizeLog2!})`
      }${t.type.shared ? " shared" : ""}`;
    case "global":
      return `global ${t.type.mutable ? "mut " : ""}${valTypeName(t.type.type)}`;
    case "tag":
      return `tag ${formatFuncType(t.type)}`;
  }
}

/**
 * Whether provided limits match expected ones: at least the minimum, and a
 * maximum no larger than the expected maximum when one is expected.
 *
 * @param provided the limits of the provided entity (its current size as min)
 * @param expected the limits the import declares
 * @returns true when they match
 */
export function limitsMatch(provided: Limits, expected: Limits): boolean {
  if (provided.min < expected.min) return false;
  if (expected.max === undefined) return true;
  return provided.max !== undefined && provided.max <= expected.max;
}

/**
 * Applies the spec's import matching.
 *
 * @param provided the type of the entity offered
 * @param expected the type the import declares
 * @returns `undefined` when it matches, otherwise why not
 * @example
 * ```ts
 * import { matchExternType } from "@capstan/runtime";
 * const provided = { kind: "memory", type: { limits: { min: 1, max: 3 } } } as const;
 * const atLeast = (min: number) =>
 *   ({ kind: "memory", type: { limits: { min, max: undefined } } }) as const;
 * if (matchExternType(provided, atLeast(1))) {
 *   throw new Error("a memory of 1..3 pages satisfies an import of at least 1 page");
 * }
 * const why = matchExternType(provided, atLeast(2));
 * if (why !== "expected memory (min: 2, max: none), found memory (min: 1, max: 3)") {
 *   throw new Error();
 * }
 * ```
 */
export function matchExternType(provided: ExternType, expected: ExternType): string | undefined {
  return externTypeMatches(provided, expected)
    ? undefined
    : `expected ${formatExternType(expected)}, found ${formatExternType(provided)}`;
}

function externTypeMatches(provided: ExternType, expected: ExternType): boolean {
  if (provided.kind !== expected.kind) return false;
  switch (expected.kind) {
    case "func":
      // a function type matches its declared supertypes (GC)
      return isFuncTypeSubtype(provided.type as FuncType, expected.type);
    case "table": {
      const p = provided.type as TableType;
      // element types are invariant (and canonical: equal numbers are equal types)
      return p.element === expected.type.element && limitsMatch(p.limits, expected.type.limits) &&
        (p.address64 === true) === (expected.type.address64 === true);
    }
    case "memory": {
      // the address type, the page size and sharing must be the same
      const p = provided.type as MemoryType;
      return limitsMatch(p.limits, expected.type.limits) &&
        (p.address64 === true) === (expected.type.address64 === true) &&
        (p.shared === true) === (expected.type.shared === true) &&
        (p.pageSizeLog2 ?? 16) === (expected.type.pageSizeLog2 ?? 16);
    }
    case "tag":
      return funcTypeEquals(provided.type as FuncType, expected.type);
    case "global": {
      const p = provided.type as GlobalType;
      // an immutable global's type is covariant, a mutable one's invariant
      if (p.mutable !== expected.type.mutable) return false;
      return p.mutable
        ? p.type === expected.type.type
        : isCanonicalSubtype(p.type, expected.type.type);
    }
  }
}
