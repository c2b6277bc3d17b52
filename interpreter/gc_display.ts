/**
 * Subtype tests on canonical type ids by supertype display, for every tier
 * that runs GC code (the interpreter's casts and `call_indirect` signature
 * checks, and the JS tier's): each canonical id's display is its declared
 * supertype chain, root first, itself last, so its depth is the display's
 * length minus one and `a <: b` is `display(a)[depth(b)] === b`, one index
 * and one compare.
 *
 * Invariants:
 * - The displays are the engine-wide registry's (`TYPE_REGISTRY.display`),
 *   cached here per canonical id on first use; an id is only looked up once
 *   its recursion group is registered for good (code is compiled only from
 *   validated modules), so a cached display never goes stale.
 *
 * @module
 */

import { TYPE_REGISTRY } from "@capstan/environ";

const DISPLAYS: Int32Array[] = [];

/**
 * A canonical type's supertype display (cached; see the module doc).
 *
 * @param id a canonical type id
 * @returns its display: root first, `id` last
 * @example
 * ```ts
 * import { parseWat, translateModule } from "@capstan/environ";
 * import { displayOf } from "./gc_display.ts";
 * const m = translateModule(parseWat("(module (type $a (sub (struct))) (type (sub $a (struct))))"));
 * const [a, b] = m.typeIds!;
 * if (displayOf(b).length !== 2 || displayOf(b)[0] !== a) throw new Error();
 * ```
 */
export function displayOf(id: number): Int32Array {
  return DISPLAYS[id] ?? (DISPLAYS[id] = TYPE_REGISTRY.display(id));
}

/**
 * Whether canonical type `a` is `b` or declared (transitively) under it.
 *
 * @param a a canonical type id
 * @param b a canonical type id
 * @returns true when `a <: b`
 * @example
 * ```ts
 * import { parseWat, translateModule } from "@capstan/environ";
 * import { isSubtypeId } from "./gc_display.ts";
 * const m = translateModule(parseWat("(module (type $a (sub (struct))) (type (sub $a (struct))))"));
 * const [a, b] = m.typeIds!;
 * if (!isSubtypeId(b, a) || isSubtypeId(a, b)) throw new Error();
 * ```
 */
export function isSubtypeId(a: number, b: number): boolean {
  if (a === b) return true;
  const da = DISPLAYS[a] ?? displayOf(a);
  const depth = (DISPLAYS[b] ?? displayOf(b)).length - 1;
  return depth < da.length && da[depth] === b;
}
