/**
 * The engine-wide type registry: iso-recursive canonicalisation of
 * recursion groups. Every validated module's type section is registered
 * group by group; structurally identical groups (their types' references to
 * members of the group written relative to the group, references outside it
 * by canonical id) get the same canonical ids, in any module, so type
 * equivalence across modules is one number comparison and a subtype check is
 * a lookup in the supertype display of the canonical type.
 *
 * Invariants:
 * - A canonical id names one type for the life of the process (one registry
 *   serves every engine, so ids never need translating between engines).
 *   Ids are dense from 0 and fit the 22-bit index field of a value type.
 * - The canonical form of a type ({@link TypeRegistry.type}) has every
 *   concrete reference's index, and a continuation type's function type
 *   index, replaced by its canonical id.
 * - `display(c)` lists c's declared supertype chain from its root to c
 *   itself, so `a <: b` for canonical ids is
 *   `display(a)[depth(b)] === b` (the "Cohen display" of wasmtime and V8).
 * - Only groups that passed validation are kept: a group is registered
 *   tentatively, checked, and dropped again if the check throws.
 *
 * @module
 */

import {
  type FieldType,
  type FuncType,
  isRefType,
  kindCode,
  refTypeIndex,
  type ValType,
  withTypeIndex,
} from "./types.ts";

/** The canonical types of every registered recursion group. */
export class TypeRegistry {
  /** Group key → canonical id of its first type. */
  readonly #groups = new Map<string, number>();
  /** Per canonical id: the type in canonical form. */
  readonly #types: FuncType[] = [];
  /** Per canonical id: its supertype chain, root first, itself last. */
  readonly #displays: Int32Array[] = [];
  /** Per canonical id: the heap-type code of its kind. */
  readonly #kinds: number[] = [];

  /** How many canonical types there are. */
  get size(): number {
    return this.#types.length;
  }

  /**
   * The canonical ids of a module's types, registering its recursion groups.
   * `check(group, ids)` runs on each group seen for the first time, after its
   * ids are assigned and before they are kept; if it throws, the group is
   * forgotten and the error propagates.
   *
   * @param types the type section (each type's `rec` says its group)
   * @param check validates one new group, given the canonical ids so far
   * @returns the canonical id of every type index
   */
  canonicalize(
    types: readonly FuncType[],
    check: (start: number, size: number, ids: Int32Array) => void,
  ): Int32Array {
    const ids = new Int32Array(types.length);
    for (let start = 0; start < types.length;) {
      const size = types[start].rec?.size ?? 1;
      const key = this.#groupKey(types, start, size, ids);
      const known = this.#groups.get(key);
      if (known !== undefined) {
        for (let k = 0; k < size; k++) ids[start + k] = known + k;
      } else {
        const base = this.#types.length;
        for (let k = 0; k < size; k++) ids[start + k] = base + k;
        for (let k = 0; k < size; k++) this.#add(types[start + k], ids);
        try {
          check(start, size, ids);
        } catch (e) {
          this.#types.length = this.#displays.length = this.#kinds.length = base;
          throw e;
        }
        this.#groups.set(key, base);
      }
      start += size;
    }
    return ids;
  }

  /** Appends one type of a new group, in canonical form. */
  #add(t: FuncType, ids: Int32Array): void {
    const canon = (v: ValType): ValType => {
      const i = isRefType(v) ? refTypeIndex(v) : -1;
      return i < 0 || i >= ids.length ? v : withTypeIndex(v, ids[i]);
    };
    const c = this.#types.length;
    const sup = t.supertype;
    const superId = sup === undefined || sup >= ids.length ? -1 : ids[sup];
    const parent = superId >= 0 && superId < c ? this.#displays[superId] : undefined;
    const display = new Int32Array((parent?.length ?? 0) + 1);
    if (parent !== undefined) display.set(parent);
    display[display.length - 1] = c;
    this.#displays.push(display);
    this.#kinds.push(kindCode(t));
    this.#types.push({
      ...t,
      params: t.params.map(canon),
      results: t.results.map(canon),
      fields: t.fields?.map((f): FieldType => ({ type: canon(f.type), mutable: f.mutable })),
      ...(t.cont === undefined ? {} : { cont: t.cont < ids.length ? ids[t.cont] : t.cont }),
      supertype: superId >= 0 ? superId : undefined,
      rec: undefined,
    });
  }

  /**
   * The key of a recursion group: equal for, and only for, iso-recursively
   * equivalent groups (given the canonical ids of the types before it).
   */
  #groupKey(types: readonly FuncType[], start: number, size: number, ids: Int32Array): string {
    const ref = (v: ValType): string => {
      const i = isRefType(v) ? refTypeIndex(v) : -1;
      if (i < 0) return String(v);
      const inner = i >= start ? `r${i - start}` : `c${ids[i]}`;
      return `${v & 0x1ff}:${inner}`;
    };
    const parts: string[] = [];
    for (let k = 0; k < size; k++) {
      const t = types[start + k];
      const s = t.supertype;
      const sup = s === undefined ? "" : s >= start ? `r${s - start}` : `c${ids[s]}`;
      const c = t.cont;
      const cont = c === undefined ? "" : c >= start ? `@r${c - start}` : `@c${ids[c]}`;
      const fields = t.fields?.map((f) => (f.mutable ? "m" : "") + ref(f.type)).join(",") ?? "";
      parts.push(
        `${t.kind ?? "func"}${t.final === false ? "" : "f"}<${sup}>` +
          `${t.params.map(ref).join(",")}>${t.results.map(ref).join(",")}{${fields}}${cont}`,
      );
    }
    return parts.join(";");
  }

  /**
   * A canonical type.
   *
   * @param id a canonical id
   * @returns the type, its references naming canonical ids
   */
  type(id: number): FuncType {
    return this.#types[id];
  }

  /**
   * The heap-type code of a canonical type's kind.
   *
   * @param id a canonical id
   * @returns `HeapType.func`, `HeapType.struct` or `HeapType.array`
   */
  kind(id: number): number {
    return this.#kinds[id];
  }

  /**
   * Whether canonical type `a` is `b` or declared (transitively) under it.
   *
   * @param a a canonical id
   * @param b a canonical id
   * @returns true when `a <: b`
   */
  isSubtype(a: number, b: number): boolean {
    if (a === b) return true;
    const da = this.#displays[a];
    const depth = this.#displays[b].length - 1;
    return depth < da.length && da[depth] === b;
  }

  /**
   * A canonical type's supertype display: its declared supertype chain, root
   * first, itself last (so its depth is the length minus one). The array is
   * the registry's own: callers must not write to it.
   *
   * @param id a canonical id
   * @returns the display
   */
  display(id: number): Int32Array {
    return this.#displays[id];
  }

  /**
   * The length of a canonical type's supertype chain (0 for a root).
   *
   * @param id a canonical id
   * @returns how many declared supertypes are above it
   */
  depth(id: number): number {
    return this.#displays[id].length - 1;
  }
}

/** The one registry of the process. */
export const TYPE_REGISTRY: TypeRegistry = new TypeRegistry();
