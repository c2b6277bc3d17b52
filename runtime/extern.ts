/**
 * {@link Extern}: any importable/exportable runtime object, and
 * {@link externType} to read its type.
 *
 * @module
 */

import type { ExternType } from "./extern_type.ts";
import { Func } from "./func.ts";
import { Global } from "./global.ts";
import { Memory } from "./memory.ts";
import { Table } from "./table.ts";
import { Tag } from "./tag.ts";

/** A function, table, memory, global or exception tag. */
export type Extern = Func | Table | Memory | Global | Tag;

/**
 * Whether a value is an {@link Extern}.
 *
 * @param v any value
 * @returns true for a Func, Table, Memory or Global
 * @example
 * ```ts
 * import { Engine, isExtern, Memory, Store } from "@capstan/runtime";
 * const store = new Store(new Engine(), undefined);
 * const memory = new Memory(store, { limits: { min: 0, max: undefined } });
 * if (!isExtern(memory) || isExtern({})) throw new Error();
 * ```
 */
export function isExtern(v: unknown): v is Extern {
  return v instanceof Func || v instanceof Table || v instanceof Memory || v instanceof Global ||
    v instanceof Tag;
}

/**
 * The current type of a runtime object (tables and memories report their
 * current size as the minimum, as import matching requires).
 *
 * @param e the object
 * @returns its extern type
 * @example
 * ```ts
 * import { Engine, externType, Memory, Store } from "@capstan/runtime";
 * const memory = new Memory(new Store(new Engine(), undefined), { limits: { min: 1, max: 3 } });
 * memory.grow(1);
 * const t = externType(memory);
 * if (t.kind !== "memory" || t.type.limits.min !== 2) throw new Error();
 * ```
 */
export function externType(e: Extern): ExternType {
  if (e instanceof Func) return { kind: "func", type: e.type };
  if (e instanceof Table) return { kind: "table", type: e.type };
  if (e instanceof Memory) return { kind: "memory", type: e.type };
  if (e instanceof Tag) return { kind: "tag", type: e.type };
  return { kind: "global", type: e.type };
}
