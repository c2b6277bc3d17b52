/**
 * Test helper: builds WebAssembly binaries by hand from small pieces
 * (LEB128 numbers, names, vectors, sections), so tests can state the exact
 * bytes they feed the decoder. Test-only; not exported from `mod.ts`.
 *
 * @module
 */

/** Unsigned LEB128 of a non-negative integer below 2^53. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

/** Signed LEB128 of an integer in the safe range. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = ((n % 128) + 128) % 128;
    n = Math.floor(n / 128);
    const done = (n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0);
    out.push(done ? b : b | 0x80);
    if (done) return out;
  }
}

/** A name: length and UTF-8 bytes. */
export function name(s: string): number[] {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
}

/** A vector: count, then the items' bytes. */
export function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** A section: id, size, payload. */
export function section(id: number, payload: number[]): number[] {
  return [id, ...uleb(payload.length), ...payload];
}

/** A function body: size, local groups, code (which must include the final `end`). */
export function body(locals: [number, number][], code: number[]): number[] {
  const inner = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...code];
  return [...uleb(inner.length), ...inner];
}

/** A function type. */
export function functype(params: number[], results: number[]): number[] {
  return [0x60, ...vec(params.map((t) => [t])), ...vec(results.map((t) => [t]))];
}

/** The module header followed by the given sections. */
export function wasm(...sections: number[][]): Uint8Array<ArrayBuffer> {
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...sections.flat()]);
}

/** Value type bytes. */
export const T = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
};

/**
 * A module with one type `(params) -> (results)`, one function of that type
 * with the given code, and optionally a memory and extra sections placed in
 * order by id.
 */
export function oneFunc(
  params: number[],
  results: number[],
  code: number[],
  opts: { locals?: [number, number][]; memory?: boolean; extra?: Record<number, number[]> } = {},
): Uint8Array {
  const extra = opts.extra ?? {};
  const parts: Record<number, number[]> = {
    1: section(1, vec([functype(params, results)])),
    3: section(3, vec([[0]])),
    10: section(10, vec([body(opts.locals ?? [], code)])),
  };
  if (opts.memory) parts[5] = section(5, vec([[0x00, 0x01]]));
  for (const [id, bytes] of Object.entries(extra)) parts[Number(id)] = section(Number(id), bytes);
  const order = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 10, 11];
  return wasm(...order.filter((id) => parts[id]).map((id) => parts[id]));
}
