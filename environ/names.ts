/**
 * Decodes the `name` custom section (module, function and local names),
 * leniently: a malformed subsection is ignored, never an error, because the
 * spec makes custom sections unable to invalidate a module.
 *
 * Invariants:
 * - Never throws. Subsections decoded before a malformed one are kept.
 * - Names that are not valid UTF-8 make their subsection malformed.
 *
 * @module
 */

import { BinaryReader } from "./reader.ts";
import type { NameSection } from "./types.ts";

/** The name section of a module that has none (or only a malformed one). */
export const EMPTY_NAMES: NameSection = Object.freeze({
  module: undefined,
  functions: new Map<number, string>(),
  locals: new Map<number, ReadonlyMap<number, string>>(),
});

function readNameMap(r: BinaryReader): Map<number, string> {
  const map = new Map<number, string>();
  const n = r.count();
  for (let i = 0; i < n; i++) {
    const index = r.u32();
    map.set(index, r.name());
  }
  return map;
}

/**
 * Decodes a `name` section payload.
 *
 * @param bytes the module bytes
 * @param start offset of the payload (after the section's name)
 * @param end one past its last byte
 * @returns the names found; absent ones are absent keys
 * @example
 * ```ts
 * import { decodeNameSection } from "./names.ts";
 * // subsection 0 (module name), size 4, name "abc"
 * const names = decodeNameSection(new Uint8Array([0, 4, 3, 0x61, 0x62, 0x63]), 0, 6);
 * if (names.module !== "abc") throw new Error();
 * ```
 */
export function decodeNameSection(bytes: Uint8Array, start: number, end: number): NameSection {
  let module: string | undefined;
  let functions = new Map<number, string>();
  const locals = new Map<number, ReadonlyMap<number, string>>();
  const r = new BinaryReader(bytes, start, end);
  try {
    while (!r.atEnd()) {
      const id = r.u8();
      const size = r.u32();
      if (size > end - r.pos) break;
      const subEnd = r.pos + size;
      const sub = new BinaryReader(bytes, r.pos, subEnd);
      r.pos = subEnd;
      try {
        if (id === 0) {
          const name = sub.name();
          if (sub.atEnd()) module = name;
        } else if (id === 1) {
          const map = readNameMap(sub);
          if (sub.atEnd()) functions = map;
        } else if (id === 2) {
          const found = new Map<number, Map<number, string>>();
          const n = sub.count();
          for (let i = 0; i < n; i++) {
            const func = sub.u32();
            found.set(func, readNameMap(sub));
          }
          if (sub.atEnd()) { for (const [k, v] of found) locals.set(k, v); }
        }
      } catch {
        // A malformed subsection is skipped.
      }
    }
  } catch {
    // A malformed subsection header ends decoding; what was found is kept.
  }
  return { module, functions, locals };
}
