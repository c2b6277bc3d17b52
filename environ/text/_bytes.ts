/**
 * A growable byte buffer with the binary format's encodings: bytes, unsigned
 * and signed LEB128 (minimal length), little-endian floats, names and vectors.
 *
 * Invariants:
 * - LEB128 output is always the shortest encoding (what wat2wasm writes).
 * - `bytes()` returns a copy of exactly the written bytes.
 *
 * @module
 */

import { isNullable, isRefType, NON_NULL, refTypeIndex } from "../types.ts";

/** A growable byte buffer. */
export class ByteWriter {
  private buf: Uint8Array<ArrayBuffer> = new Uint8Array(64);
  /** Number of bytes written. */
  length = 0;

  private grow(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.grow(1);
    this.buf[this.length++] = b & 0xff;
  }

  /** Appends raw bytes. */
  raw(bytes: Uint8Array): void {
    this.grow(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Appends an unsigned LEB128 of a non-negative integer below 2^53. */
  u32(v: number): void {
    do {
      let b = v % 128;
      v = Math.floor(v / 128);
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }

  /** Appends an unsigned LEB128 of a non-negative bigint. */
  u64(v: bigint): void {
    do {
      let b = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) b |= 0x80;
      this.byte(b);
    } while (v !== 0n);
  }

  /** Appends a signed LEB128 of a bigint. */
  s64(v: bigint): void {
    while (true) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      if ((v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  /** Appends a signed LEB128 of a 32-bit signed integer. */
  s32(v: number): void {
    v |= 0;
    while (true) {
      const b = v & 0x7f;
      v >>= 7;
      if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
        this.byte(b);
        return;
      }
      this.byte(b | 0x80);
    }
  }

  /**
   * Appends a value type: one byte for the number types, `v128` and the
   * nullable abstract references (their shorthand), else 0x63/0x64 and the
   * heap type.
   */
  valType(t: number): void {
    if (!isRefType(t) || t < NON_NULL) {
      this.byte(t);
      return;
    }
    this.byte(isNullable(t) ? 0x63 : 0x64);
    this.heapType(t);
  }

  /** Appends the heap type of a reference type (an abstract code or an s33 type index). */
  heapType(t: number): void {
    const index = refTypeIndex(t);
    if (index >= 0) this.s32(index);
    else this.byte(t & 0xff);
  }

  /** Appends a 32-bit little-endian value. */
  u32le(v: number): void {
    this.byte(v);
    this.byte(v >>> 8);
    this.byte(v >>> 16);
    this.byte(v >>> 24);
  }

  /** Appends a 64-bit little-endian value. */
  u64le(v: bigint): void {
    this.u32le(Number(v & 0xffffffffn));
    this.u32le(Number((v >> 32n) & 0xffffffffn));
  }

  /** Appends a name or byte string: its length, then its bytes. */
  name(bytes: Uint8Array): void {
    this.u32(bytes.length);
    this.raw(bytes);
  }

  /** Appends another writer's bytes, preceded by their length. */
  sized(w: ByteWriter): void {
    this.u32(w.length);
    this.raw(w.view());
  }

  /**
   * Moves the bytes `[start, mid)` after the bytes `[mid, length)`: how an
   * operator parsed before its folded operands ends up after their code.
   */
  moveToEnd(start: number, mid: number): void {
    if (mid === this.length || start === mid) return;
    const head = this.buf.slice(start, mid);
    this.buf.copyWithin(start, mid, this.length);
    this.buf.set(head, this.length - head.length);
  }

  /** The written bytes, without copying (valid until the next write). */
  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the written bytes. */
  bytes(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}
