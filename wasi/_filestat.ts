/**
 * Conversions from Deno's `FileInfo` to preview1's `filetype` and `filestat`.
 *
 * Times are nanoseconds since the epoch as `bigint`: the host's own where `_host_times.ts` reads
 * them, else Deno's milliseconds (the sub-millisecond digits zero). Missing fields (`ino`, `nlink` on some platforms) become 0.
 *
 * @module
 */

import { Filestat, Filetype } from "./_abi.ts";
import type { NanoTimes } from "./_host_times.ts";

/** The preview1 filetype of a host file. FIFOs have no preview1 type and report `unknown`. */
export function filetypeOf(info: Deno.FileInfo): number {
  if (info.isSymlink) return Filetype.symbolic_link;
  if (info.isDirectory) return Filetype.directory;
  if (info.isFile) return Filetype.regular_file;
  if (info.isBlockDevice) return Filetype.block_device;
  if (info.isCharDevice) return Filetype.character_device;
  if (info.isSocket) return Filetype.socket_stream;
  return Filetype.unknown;
}

/** Nanoseconds since the epoch of a Deno timestamp (0 when absent). */
export function nanos(date: Date | null | undefined): bigint {
  return date ? BigInt(date.getTime()) * 1_000_000n : 0n;
}

/**
 * Writes a 64-byte `filestat` for `info` at `ptr`, with the nanosecond times
 * `ns` when the host gave them (see `_host_times.ts`).
 */
export function writeFilestat(
  view: DataView,
  ptr: number,
  info: Deno.FileInfo,
  ns?: NanoTimes,
): void {
  view.setBigUint64(ptr + Filestat.dev, BigInt(info.dev ?? 0), true);
  view.setBigUint64(ptr + Filestat.ino, BigInt(info.ino ?? 0), true);
  for (let i = Filestat.filetype; i < Filestat.nlink; i++) view.setUint8(ptr + i, 0);
  view.setUint8(ptr + Filestat.filetype, filetypeOf(info));
  view.setBigUint64(ptr + Filestat.nlink, BigInt(info.nlink ?? 1), true);
  view.setBigUint64(ptr + Filestat.fileSize, BigInt(info.size), true);
  view.setBigUint64(ptr + Filestat.atim, ns?.atim ?? nanos(info.atime), true);
  view.setBigUint64(ptr + Filestat.mtim, ns?.mtim ?? nanos(info.mtime), true);
  view.setBigUint64(ptr + Filestat.ctim, ns?.ctim ?? nanos(info.ctime ?? info.mtime), true);
}

/** Writes a `filestat` for a stream with no host file (stdio): only its filetype is set. */
export function writeStreamFilestat(view: DataView, ptr: number, filetype: number): void {
  for (let i = 0; i < Filestat.size; i++) view.setUint8(ptr + i, 0);
  view.setUint8(ptr + Filestat.filetype, filetype);
}
