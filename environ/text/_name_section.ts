/**
 * Encodes the `name` custom section (the spec's "Name Section" appendix) from
 * a {@link NameSection}: the inverse of `environ/names.ts`, used by the text
 * parser to keep the `$id`s a user wrote.
 *
 * Invariants:
 * - Subsections appear in increasing id order (0 module, 1 functions,
 *   2 locals), each only when it has something to say; an empty input gives
 *   a section with no subsections.
 * - Every name map is written in increasing index order (the spec requires
 *   it), whatever the order of the input maps; a function whose local map is
 *   empty gets no entry in subsection 2.
 * - Names are written as UTF-8; LEB128s are minimal.
 *
 * @module
 */

import { ByteWriter } from "./_bytes.ts";
import type { NameSection } from "../types.ts";

const UTF8 = new TextEncoder();

function nameMap(w: ByteWriter, map: ReadonlyMap<number, string>): void {
  const indices = [...map.keys()].sort((a, b) => a - b);
  w.u32(indices.length);
  for (const i of indices) {
    w.u32(i);
    w.name(UTF8.encode(map.get(i)!));
  }
}

function subsection(out: ByteWriter, id: number, body: ByteWriter): void {
  out.byte(id);
  out.sized(body);
}

/**
 * Encodes a whole `name` custom section: section id 0, its size, the name
 * `"name"`, then the subsections.
 *
 * @param names the names to write
 * @returns the section's bytes, ready to append to a module
 * @example
 * ```ts
 * import { encodeNameSection } from "./_name_section.ts";
 * const bytes = encodeNameSection({
 *   module: "m",
 *   functions: new Map([[0, "f"]]),
 *   locals: new Map(),
 * });
 * // 0 (custom), size 15, "name", sub 0 (size 2: "m"), sub 1 (size 4: [0 → "f"])
 * if (bytes.length !== 17 || bytes[1] !== 15 || bytes[7] !== 0 || bytes[11] !== 1) {
 *   throw new Error();
 * }
 * ```
 */
export function encodeNameSection(names: NameSection): Uint8Array<ArrayBuffer> {
  const payload = new ByteWriter();
  payload.name(UTF8.encode("name"));
  if (names.module !== undefined) {
    const body = new ByteWriter();
    body.name(UTF8.encode(names.module));
    subsection(payload, 0, body);
  }
  if (names.functions.size > 0) {
    const body = new ByteWriter();
    nameMap(body, names.functions);
    subsection(payload, 1, body);
  }
  const funcs = [...names.locals.keys()].filter((f) => names.locals.get(f)!.size > 0)
    .sort((a, b) => a - b);
  if (funcs.length > 0) {
    const body = new ByteWriter();
    body.u32(funcs.length);
    for (const f of funcs) {
      body.u32(f);
      nameMap(body, names.locals.get(f)!);
    }
    subsection(payload, 2, body);
  }
  const out = new ByteWriter();
  out.byte(0);
  out.sized(payload);
  return out.bytes();
}
