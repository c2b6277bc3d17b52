/**
 * A tolerant, dependency-free reader of the WebAssembly binary framing, for the
 * fuzzer's mutators and its disagreement classifier. It is NOT a validator: it
 * reads just enough structure (header, sections, LEB128 numbers, vectors of
 * function bodies) to mutate inside a structure and to look for Wasm 3.0
 * constructs, and it never throws on bad input.
 *
 * Invariants:
 * - Every reader returns `undefined` (or a partial result) instead of throwing
 *   when the bytes run out or a number is malformed.
 * - LEB128 readers report the number of bytes used and whether the encoding is
 *   within the limits of the requested width, so callers can tell a 2.0
 *   `u32` apart from a 3.0 `u64`.
 *
 * @module
 */

/** The eight bytes every module starts with: `\0asm` and version 1. */
export const WASM_HEADER: Uint8Array = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
]);

/** The section ids, numbered as in the binary format (13 is 3.0's tag section). */
export const SectionId = {
  custom: 0,
  type: 1,
  import: 2,
  function: 3,
  table: 4,
  memory: 5,
  global: 6,
  export: 7,
  start: 8,
  element: 9,
  code: 10,
  data: 11,
  dataCount: 12,
  tag: 13,
} as const;

/** A section located in a module: where its id byte, size and payload sit. */
export interface SectionSpan {
  /** The section id byte. */
  readonly id: number;
  /** Offset of the id byte. */
  readonly start: number;
  /** Offset of the first payload byte (after the size LEB). */
  readonly payloadStart: number;
  /** Offset just past the payload. */
  readonly end: number;
}

/** A decoded unsigned LEB128 number. */
export interface Leb {
  /** The value (exact below 2^53; rounded beyond, which callers only treat as huge). */
  readonly value: number;
  /** Bytes the encoding used. */
  readonly length: number;
  /** Whether the encoding is a valid `u32` (at most 5 bytes, no excess bits). */
  readonly u32: boolean;
  /** Whether the encoding is a valid `u64` (at most 10 bytes, no excess bits). */
  readonly u64: boolean;
}

/**
 * Reads an unsigned LEB128 number of up to 10 bytes.
 *
 * @param bytes the module
 * @param pos offset of the first byte
 * @returns the number, or undefined if the bytes end first or it is longer than 10 bytes
 */
export function readLeb(bytes: Uint8Array, pos: number): Leb | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos + i >= bytes.length) return undefined;
    const b = bytes[pos + i];
    value += (b & 0x7f) * scale;
    scale *= 128;
    if ((b & 0x80) === 0) {
      const length = i + 1;
      const u32 = length < 5 || (length === 5 && (b & 0x70) === 0);
      const u64 = length < 10 || (length === 10 && (b & 0x7e) === 0);
      return { value, length, u32, u64 };
    }
  }
  return undefined;
}

/**
 * Encodes an unsigned number as LEB128, optionally padded to `minLength` bytes
 * (an over-long but well-formed encoding when padding is needed).
 *
 * @param value a non-negative integer below 2^53
 * @param minLength the least number of bytes to emit
 * @returns the encoding
 */
export function encodeLeb(value: number, minLength = 1): Uint8Array {
  const out: number[] = [];
  let v = value;
  do {
    const low = v % 128;
    v = Math.floor(v / 128);
    out.push(low);
  } while (v > 0);
  while (out.length < minLength) out.push(0);
  for (let i = 0; i < out.length - 1; i++) out[i] |= 0x80;
  return new Uint8Array(out);
}

/** Joins byte arrays. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The sections of a module, and whether the framing was intact to the end. */
export interface SectionScan {
  /** The sections whose framing could be read, in order. */
  readonly sections: readonly SectionSpan[];
  /** True when the header is right and the sections tile the rest exactly. */
  readonly intact: boolean;
}

/**
 * Splits a module into sections by their framing only.
 *
 * @param bytes the module
 * @returns the sections found before the first framing error
 */
export function scanSections(bytes: Uint8Array): SectionScan {
  const sections: SectionSpan[] = [];
  if (bytes.length < 8) return { sections, intact: false };
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== WASM_HEADER[i]) return { sections, intact: false };
  }
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const size = readLeb(bytes, pos + 1);
    if (size === undefined || !size.u32) return { sections, intact: false };
    const payloadStart = pos + 1 + size.length;
    const end = payloadStart + size.value;
    if (end > bytes.length) return { sections, intact: false };
    sections.push({ id, start: pos, payloadStart, end });
    pos = end;
  }
  return { sections, intact: true };
}

/** A function body located in the code section. */
export interface BodySpan {
  /** Offset of the body's size LEB. */
  readonly sizeStart: number;
  /** Offset of the first byte of the body (its local declarations). */
  readonly start: number;
  /** Offset just past the body. */
  readonly end: number;
}

/**
 * Lists the function bodies of a code section, stopping at the first one whose
 * size runs past the section.
 *
 * @param bytes the module
 * @param code the code section
 * @returns the bodies that could be framed
 */
export function scanBodies(bytes: Uint8Array, code: SectionSpan): BodySpan[] {
  const bodies: BodySpan[] = [];
  const count = readLeb(bytes, code.payloadStart);
  if (count === undefined) return bodies;
  let pos = code.payloadStart + count.length;
  for (let i = 0; i < count.value && pos < code.end; i++) {
    const size = readLeb(bytes, pos);
    if (size === undefined) break;
    const start = pos + size.length;
    const end = start + size.value;
    if (end > code.end) break;
    bodies.push({ sizeStart: pos, start, end });
    pos = end;
  }
  return bodies;
}

/**
 * Replaces `bytes[from, to)` with `insert` and re-encodes the size LEB of every
 * enclosing frame listed in `sizes` (outermost last), so a change inside a
 * function body or a section keeps the framing around it consistent.
 *
 * @param bytes the module
 * @param from start of the replaced range
 * @param to end of the replaced range
 * @param insert the new bytes
 * @param frames the enclosing frames: offset of the size LEB and end of the frame,
 *   ordered innermost first; each must enclose `[from, to)`
 * @returns the new module
 */
export function replaceInFrames(
  bytes: Uint8Array,
  from: number,
  to: number,
  insert: Uint8Array,
  frames: readonly { sizeAt: number; end: number }[],
): Uint8Array {
  let out = concatBytes([bytes.subarray(0, from), insert, bytes.subarray(to)]);
  let delta = insert.length - (to - from);
  // Innermost first: each re-encoding shifts every outer frame's end, never its size offset.
  for (const frame of frames) {
    const old = readLeb(out, frame.sizeAt);
    if (old === undefined) return out;
    const newEnd = frame.end + delta;
    const payloadStart = frame.sizeAt + old.length;
    const enc = encodeLeb(Math.max(0, newEnd - payloadStart));
    out = concatBytes([out.subarray(0, frame.sizeAt), enc, out.subarray(payloadStart)]);
    delta += enc.length - old.length;
  }
  return out;
}
