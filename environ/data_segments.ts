/**
 * Reading a module's data segments ({@link DataSegments}: parallel arrays,
 * as the validator builds them) one segment at a time.
 *
 * @module
 */

import type { ConstExpr, DataSegment, DataSegments } from "./types.ts";

/** No data segments. */
export const NO_DATA_SEGMENTS: DataSegments = Object.freeze({
  count: 0,
  memory: new Int32Array(0),
  start: new Uint32Array(0),
  length: new Uint32Array(0),
  i32Offset: new Int32Array(0),
  offsets: new Map<number, ConstExpr>(),
});

/**
 * The offset expression of active data segment `i`.
 *
 * @param d the segments
 * @param i a segment index whose `memory` is not -1
 * @returns its expression (one `i32.const` for the common form)
 */
export function dataSegmentOffset(d: DataSegments, i: number): ConstExpr {
  return d.offsets.get(i) ?? [{ op: "i32.const", value: d.i32Offset[i] }];
}

/**
 * Data segment `i` as an object (for inspection and tests; instantiation
 * reads the arrays directly).
 *
 * @param bytes the module bytes the segments' ranges point into
 * @param d the segments
 * @param i a segment index below `d.count`
 * @returns the segment
 * @example
 * ```ts
 * import { dataSegment, translateModule } from "@capstan/environ";
 * // (module (memory 1) (data (i32.const 8) "hi"))
 * const t = translateModule(new Uint8Array([
 *   0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 5, 3, 1, 0, 1,
 *   11, 8, 1, 0, 0x41, 8, 0x0b, 2, 0x68, 0x69,
 * ]));
 * const seg = dataSegment(t.bytes, t.datas, 0);
 * if (seg.mode.kind !== "active" || seg.length !== 2 || seg.data[1] !== 0x69) throw new Error();
 * ```
 */
export function dataSegment(bytes: Uint8Array, d: DataSegments, i: number): DataSegment {
  const memory = d.memory[i];
  const start = d.start[i];
  const length = d.length[i];
  return {
    mode: memory < 0
      ? { kind: "passive" }
      : { kind: "active", memory, offset: dataSegmentOffset(d, i) },
    data: bytes.subarray(start, start + length),
    start,
    length,
  };
}
