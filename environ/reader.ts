/**
 * A cursor over a WebAssembly binary: bytes, LEB128 integers with the spec's
 * length and range rules, raw float bits, and UTF-8 names.
 *
 * Invariants:
 * - The reader never reads at or past `end`; trying to raises
 *   {@link CompileError} with `eofReason` ("unexpected end" by default).
 * - LEB128 follows the binary format exactly: an N-bit integer takes at most
 *   ceil(N/7) bytes ("integer representation too long"), and the unused bits
 *   of the last byte must be zero (unsigned) or copies of the sign bit
 *   (signed) ("integer too large").
 * - Nothing here allocates except {@link BinaryReader.name},
 *   {@link BinaryReader.s64} (a bigint) and {@link BinaryReader.bytesView}.
 *
 * @module
 */

import { fail } from "./errors.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Reads the primitive encodings of the binary format from `bytes[pos..end)`.
 *
 * @example
 * ```ts
 * import { BinaryReader } from "@capstan/environ";
 * const r = new BinaryReader(new Uint8Array([0xe5, 0x8e, 0x26]));
 * if (r.u32() !== 624485) throw new Error();
 * ```
 */
export class BinaryReader {
  /** The whole module. */
  bytes: Uint8Array;
  /** The offset of the next byte to read. */
  pos: number;
  /** One past the last byte this reader may read. */
  end: number;
  /** Low 32 bits (as int32) of the last value read by {@link BinaryReader.s64Halves}. */
  lo = 0;
  /** High 32 bits (as int32) of the last value read by {@link BinaryReader.s64Halves}. */
  hi = 0;
  /**
   * The reason given when a read runs past `end`: the spec says "unexpected
   * end" for the module's framing and "unexpected end of section or
   * function" inside a section or body.
   */
  eofReason = "unexpected end";

  /**
   * Creates a reader over `bytes[pos..end)`.
   *
   * @param bytes the module
   * @param pos where to start
   * @param end where to stop (default: the end of `bytes`)
   */
  constructor(bytes: Uint8Array, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }

  /**
   * Whether every byte up to `end` has been read.
   *
   * @returns true when `pos` has reached `end`
   */
  atEnd(): boolean {
    return this.pos >= this.end;
  }

  /**
   * Throws the "unexpected end" error for this reader's limit.
   *
   * @returns never
   */
  eof(): never {
    return fail(this.eofReason, this.end);
  }

  /**
   * Reads one byte.
   *
   * @returns the byte, 0..=255
   */
  u8(): number {
    const p = this.pos;
    if (p >= this.end) this.eof();
    this.pos = p + 1;
    return this.bytes[p];
  }

  /**
   * Reads a little-endian 32-bit word as an int32 (for f32 bits and the magic/version).
   *
   * @returns the word as an int32
   */
  fixed32(): number {
    const p = this.pos;
    if (p + 4 > this.end) this.eof();
    const b = this.bytes;
    this.pos = p + 4;
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
  }

  /**
   * Reads an unsigned LEB128 32-bit integer (0 ..= 2^32-1).
   *
   * @returns the integer as a non-negative number
   */
  u32(): number {
    const p = this.pos;
    if (p < this.end) {
      const x = this.bytes[p];
      if (x < 0x80) {
        this.pos = p + 1;
        return x;
      }
    }
    return this.u32Slow();
  }

  /** u32 beyond the one-byte fast path. */
  private u32Slow(): number {
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const x = this.u8();
      result |= (x & 0x7f) << shift;
      if (x < 0x80) return result >>> 0;
    }
    const x = this.u8();
    if (x & 0x70) fail("integer too large", this.pos - 1);
    if (x & 0x80) fail("integer representation too long", this.pos);
    return (result | (x << 28)) >>> 0;
  }

  /**
   * Reads a signed LEB128 32-bit integer, as an int32.
   *
   * @returns the integer
   */
  s32(): number {
    const p = this.pos;
    if (p < this.end) {
      const x = this.bytes[p];
      if (x < 0x80) {
        this.pos = p + 1;
        return (x << 25) >> 25;
      }
    }
    return this.s32Slow();
  }

  /** s32 beyond the one-byte fast path. */
  private s32Slow(): number {
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const x = this.u8();
      result |= (x & 0x7f) << shift;
      if (x < 0x80) {
        const unused = 32 - 7 - shift;
        return (result << unused) >> unused;
      }
    }
    const x = this.u8();
    const high = x & 0x78;
    if (high !== 0 && high !== 0x78) fail("integer too large", this.pos - 1);
    if (x & 0x80) fail("integer representation too long", this.pos);
    return result | (x << 28);
  }

  /**
   * Reads a signed LEB128 33-bit integer (used by block types), as a number
   * in -2^32 ..= 2^32-1.
   *
   * @returns the integer
   */
  s33(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 4; i++) {
      const x = this.u8();
      result += (x & 0x7f) * mul;
      mul *= 128;
      if (x < 0x80) return x & 0x40 ? result - mul : result;
    }
    const x = this.u8();
    const high = x & 0x70;
    if (high !== 0 && high !== 0x70) fail("integer too large", this.pos - 1);
    if (x & 0x80) fail("integer representation too long", this.pos);
    result += (x & 0x1f) * mul;
    return x & 0x10 ? result - 2 ** 33 : result;
  }

  /**
   * Reads a signed LEB128 64-bit integer into {@link BinaryReader.lo} and
   * {@link BinaryReader.hi} (two int32 halves), without allocating.
   */
  s64Halves(): void {
    this.leb64Halves(true);
  }

  /**
   * Reads an unsigned LEB128 64-bit integer into {@link BinaryReader.lo} and
   * {@link BinaryReader.hi} (two int32 halves), without allocating.
   */
  u64Halves(): void {
    this.leb64Halves(false);
  }

  /** A 64-bit LEB128 integer, signed or not, into `lo` and `hi`. */
  private leb64Halves(signed: boolean): void {
    let lo = 0;
    let hi = 0;
    let shift = 0;
    for (;;) {
      const x = this.u8();
      const v = x & 0x7f;
      if (shift === 63) {
        // Tenth byte: only bit 0 is a value bit; the rest must copy it (signed) or be 0.
        if (signed ? v !== 0 && v !== 0x7f : v > 1) fail("integer too large", this.pos - 1);
        if (x & 0x80) fail("integer representation too long", this.pos);
        hi |= v << 31;
        break;
      }
      if (shift + 7 <= 32) lo |= v << shift;
      else if (shift >= 32) hi |= v << (shift - 32);
      else {
        lo |= v << shift;
        hi |= v >>> (32 - shift);
      }
      shift += 7;
      if (x < 0x80) {
        if (signed && x & 0x40) {
          // Sign-extend above the last bit read.
          if (shift < 32) {
            lo |= -1 << shift;
            hi = -1;
          } else if (shift < 64) {
            hi |= -1 << (shift - 32);
          }
        }
        break;
      }
    }
    this.lo = lo | 0;
    this.hi = hi | 0;
  }

  /**
   * Reads an unsigned LEB128 64-bit integer as a number: exact up to 2^53,
   * rounded above (sizes that large are out of every limit anyway).
   *
   * @returns the integer, in 0 ..= 2^64
   */
  u64Number(): number {
    this.u64Halves();
    return (this.hi >>> 0) * 4294967296 + (this.lo >>> 0);
  }

  /**
   * Reads a signed LEB128 64-bit integer as a bigint.
   *
   * @returns the integer, in -2^63 ..= 2^63-1
   */
  s64(): bigint {
    this.s64Halves();
    return (BigInt(this.hi) << 32n) | BigInt(this.lo >>> 0);
  }

  /**
   * Reads a little-endian 64-bit word into {@link BinaryReader.lo} and
   * {@link BinaryReader.hi} (for f64 bits).
   */
  fixed64(): void {
    const lo = this.fixed32();
    this.hi = this.fixed32();
    this.lo = lo;
  }

  /**
   * Reads a vector length. As in the spec's reference decoder, a length
   * larger than the bytes left in the whole module, counted from the length's
   * own first byte, is rejected at once ("length out of bounds"); smaller
   * ones are left to fail at the first item that runs past `end`, so callers
   * must not preallocate from the count alone.
   *
   * @returns the count
   */
  count(): number {
    const p = this.pos;
    const n = this.u32();
    if (n > this.bytes.length - p) fail("length out of bounds", p);
    return n;
  }

  /**
   * Skips the next `n` bytes.
   *
   * @param n how many bytes
   */
  skip(n: number): void {
    const p = this.pos;
    if (n > this.end - p) {
      if (n > this.bytes.length) fail("length out of bounds", p);
      this.eof();
    }
    this.pos = p + n;
  }

  /**
   * Returns a view of the next `n` bytes and skips them.
   *
   * @param n how many bytes
   * @returns a subarray of the module bytes (no copy)
   */
  bytesView(n: number): Uint8Array {
    const p = this.pos;
    this.skip(n);
    return this.bytes.subarray(p, p + n);
  }

  /**
   * Reads a name: a byte vector that must be valid UTF-8.
   *
   * @returns the decoded string
   */
  name(): string {
    const start = this.pos;
    const n = this.u32();
    if (n > this.end - this.pos) {
      // The reference decoder measures the length against the rest of the
      // module from the length's first byte, whatever section it is in.
      if (n > this.bytes.length - start) fail("length out of bounds", start);
      this.pos = this.end;
      this.eof();
    }
    const p = this.pos;
    this.pos = p + n;
    const bytes = this.bytes;
    if (n <= 64) {
      // Short ASCII names (nearly all of them) without a call into the decoder.
      let i = p;
      while (i < p + n && bytes[i] < 0x80) i++;
      if (i === p + n) {
        let s = "";
        for (let k = p; k < i; k++) s += String.fromCharCode(bytes[k]);
        return s;
      }
    }
    try {
      return UTF8.decode(bytes.slice(p, p + n)); // a copy: the decoder refuses shared buffers;
    } catch {
      return fail("malformed UTF-8 encoding", start);
    }
  }
}
