/**
 * The descriptor table of one `Wasi` instance: what each guest fd refers to on the host, with
 * its preview1 rights and flags.
 *
 * Invariants: fds 0-2 start as stdio, preopened directories follow from 3 in the order given;
 * a newly opened fd takes the lowest free number; every lookup that acts on a descriptor names
 * the rights it needs and fails with `EBADF` (no such fd) or `ENOTCAPABLE` (right missing).
 *
 * @module
 */

import { Errno } from "./errno.ts";
import { fail } from "./_fail.ts";

/** A synchronous byte source for stdin (`Deno.stdin` fits). */
export interface WasiReader {
  /** Reads into `p`; returns the count read, or `null` at end of input. */
  readSync(p: Uint8Array): number | null;
  /** Whether the stream is a terminal (optional). */
  isTerminal?(): boolean;
}

/** A synchronous byte sink for stdout/stderr (`Deno.stdout` fits). */
export interface WasiWriter {
  /** Writes some of `p`; returns the count written. */
  writeSync(p: Uint8Array): number;
  /** Whether the stream is a terminal (optional). */
  isTerminal?(): boolean;
}

/** One cached directory entry for `fd_readdir`. */
export interface DirentRecord {
  name: Uint8Array;
  ino: bigint;
  filetype: number;
}

/** What a guest fd refers to. */
export type FdKind = "stdin" | "stdout" | "file" | "dir";

/** One open descriptor. */
export interface FdEntry {
  kind: FdKind;
  /** preview1 `filetype` reported by `fd_fdstat_get`. */
  filetype: number;
  rightsBase: bigint;
  rightsInheriting: bigint;
  /** preview1 `fdflags`; `append` is emulated by seeking to the end before each write. */
  fdflags: number;
  /** Host file of a `file` descriptor. */
  file?: Deno.FsFile;
  /** Source of a `stdin` descriptor. */
  reader?: WasiReader;
  /** Sink of a `stdout` descriptor (stdout or stderr). */
  writer?: WasiWriter;
  /** Absolute host path of a `dir` (its sandbox root) or `file` (at open time). */
  host?: string;
  /** Guest name of a preopened directory. */
  preopen?: string;
  /** Listing taken by `fd_readdir` at cookie 0, reused for later cookies. */
  dirents?: DirentRecord[];
}

/** The fd → entry map with rights-checked lookups. */
export class FdTable {
  #entries = new Map<number, FdEntry>();

  /** Puts `entry` at `fd`, replacing nothing (the caller chose a free number). */
  set(fd: number, entry: FdEntry): void {
    this.#entries.set(fd, entry);
  }

  /** Installs `entry` at the lowest free fd and returns that fd. */
  add(entry: FdEntry): number {
    let fd = 0;
    while (this.#entries.has(fd)) fd++;
    this.#entries.set(fd, entry);
    return fd;
  }

  /** The entry at `fd` holding all of `rights`; `EBADF` / `ENOTCAPABLE` otherwise. */
  get(fd: number, rights = 0n): FdEntry {
    const entry = this.#entries.get(fd);
    if (entry === undefined) fail(Errno.badf);
    if ((entry.rightsBase & rights) !== rights) fail(Errno.notcapable);
    return entry;
  }

  /** The directory at `fd` holding `rights`; `ENOTDIR` if `fd` is not a directory. */
  dir(fd: number, rights = 0n): FdEntry & { host: string } {
    const entry = this.get(fd);
    if (entry.kind !== "dir") fail(Errno.notdir);
    if ((entry.rightsBase & rights) !== rights) fail(Errno.notcapable);
    return entry as FdEntry & { host: string };
  }

  /** The open file at `fd` holding `rights`; `EBADF` if it is stdio or a directory. */
  file(fd: number, rights = 0n): FdEntry & { file: Deno.FsFile } {
    const entry = this.get(fd, rights);
    if (entry.kind !== "file") fail(entry.kind === "dir" ? Errno.isdir : Errno.badf);
    return entry as FdEntry & { file: Deno.FsFile };
  }

  /** Whether `fd` is open. */
  has(fd: number): boolean {
    return this.#entries.has(fd);
  }

  /** Removes `fd`, closing its host file; `EBADF` if it is not open. */
  close(fd: number): void {
    const entry = this.get(fd);
    this.#entries.delete(fd);
    entry.file?.close();
  }

  /** Moves `from` onto `to` (closing what `to` held); both must be open. */
  renumber(from: number, to: number): void {
    const entry = this.get(from);
    this.get(to);
    if (from === to) return;
    this.close(to);
    this.#entries.delete(from);
    this.#entries.set(to, entry);
  }

  /** Closes every host file. */
  closeAll(): void {
    for (const entry of this.#entries.values()) entry.file?.close();
    this.#entries.clear();
  }
}
