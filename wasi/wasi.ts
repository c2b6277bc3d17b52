/**
 * `Wasi`: the host side of `wasi_snapshot_preview1` on Deno's synchronous APIs.
 *
 * Written against the shape of the JS API only (an instance with `exports.memory` and
 * `exports._start`), so it serves native `WebAssembly` and Capstan's facade alike.
 *
 * Invariants:
 * - Every host function is synchronous and returns an errno (0 on success); `proc_exit` throws
 *   {@linkcode WasiExit}. Failures inside a host function become errnos only when they are an
 *   `ErrnoError`, a `Deno.errors.*` exception (mapped by its POSIX code) or a `RangeError` from an
 *   out-of-bounds guest pointer (`EFAULT`); anything else propagates.
 * - Guest memory is re-read on every call, since it may grow: a Capstan memory's bytes through
 *   `memoryBytes` (a view of exactly its size, so reading it never moves the bytes to an exact
 *   buffer), any other memory's from `exports.memory.buffer`.
 * - i32 arguments are unsigned (`>>> 0`); u64 arguments arrive as `bigint` and are read unsigned,
 *   except `filedelta` (signed).
 * - The file system is reachable only through preopened directories; all path handling goes
 *   through `_sandbox.ts`, which refuses any path that leaves the directory fd it is relative to.
 *
 * @module
 */

import {
  ADVICE_MAX,
  Dirent,
  Event,
  Eventtype,
  Fdflags,
  Fdstat,
  Filetype,
  Fstflags,
  IOVEC_SIZE,
  Lookupflags,
  Oflags,
  Preopentype,
  Prestat,
  Rights,
  RIGHTS_ALL,
  RIGHTS_DIR,
  RIGHTS_FILE,
  RIGHTS_NEED_READ,
  RIGHTS_NEED_WRITE,
  RIGHTS_STDIN,
  RIGHTS_STDOUT,
  Subclockflags,
  Subscription,
  Whence,
} from "./_abi.ts";
import { memoryBytes } from "@capstan/runtime";
import { clockNow, clockResolution, sleepSync } from "./_clock.ts";
import { Errno } from "./errno.ts";
import { WasiExit } from "./exit.ts";
import { errnoOfHostError, fail } from "./_fail.ts";
import {
  type DirentRecord,
  type FdEntry,
  FdTable,
  type WasiReader,
  type WasiWriter,
} from "./_fd_table.ts";
import { filetypeOf, writeFilestat, writeStreamFilestat } from "./_filestat.ts";
import { type HostTimes, hostTimes, type NanoTimes, type TimeUpdate } from "./_host_times.ts";
import { lstatOrNull, resolveEntry, resolvePath, symlinkTargetEscapes } from "./_sandbox.ts";

export type { WasiReader, WasiWriter } from "./_fd_table.ts";

/** Options of {@linkcode Wasi}. */
export interface WasiOptions {
  /** The guest's `argv`, program name first. Default `[]`. */
  args?: readonly string[];
  /** The guest's environment. Default empty (nothing of the host leaks in). */
  env?: Readonly<Record<string, string>>;
  /**
   * Directories the guest may reach: guest path → host path. Each becomes a preopened fd, from 3
   * upwards in insertion order. The host directory must exist.
   */
  preopens?: Readonly<Record<string, string>>;
  /** fd 0. Default `Deno.stdin`. */
  stdin?: WasiReader;
  /** fd 1. Default `Deno.stdout`. */
  stdout?: WasiWriter;
  /** fd 2. Default `Deno.stderr`. */
  stderr?: WasiWriter;
}

/** The part of a WebAssembly instance that `Wasi` uses (native and Capstan instances fit). */
export interface WasiInstance {
  /** The instance's exports: `memory` and `_start` or `_initialize`. */
  readonly exports: Readonly<Record<string, unknown>>;
}

/** A host function of the import object: numbers and bigints in, an errno out. */
// deno-lint-ignore no-explicit-any
export type WasiHostFunction = (...args: any[]) => number;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const RANDOM_CHUNK = 65536;

/**
 * A WASI preview1 environment for one guest instance.
 *
 * @example
 * ```ts
 * import { parseWat } from "@capstan/environ";
 * import { WebAssembly } from "@capstan/runtime";
 * import { Wasi } from "@capstan/wasi";
 * import assert from "node:assert/strict";
 *
 * // A command that writes "hi\n" to stdout, then exits with status 7.
 * const bytes = parseWat(`(module
 *   (import "wasi_snapshot_preview1" "fd_write"
 *     (func $fd_write (param i32 i32 i32 i32) (result i32)))
 *   (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
 *   (memory (export "memory") 1)
 *   (data (i32.const 16) "hi\\n")
 *   (func (export "_start")
 *     (i32.store (i32.const 0) (i32.const 16)) ;; one iovec: 3 bytes at 16
 *     (i32.store (i32.const 4) (i32.const 3))
 *     (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
 *     (call $proc_exit (i32.const 7))))`);
 * let out = "";
 * const stdout = { writeSync: (p: Uint8Array) => (out += new TextDecoder().decode(p), p.length) };
 * const wasi = new Wasi({ args: ["demo"], stdout });
 * // Capstan's WebAssembly facade; the native `WebAssembly` works the same way.
 * const { instance } = await WebAssembly.instantiate(bytes, {
 *   wasi_snapshot_preview1: wasi.imports,
 * });
 * assert.equal(wasi.start(instance), 7);
 * assert.equal(out, "hi\n");
 * ```
 */
export class Wasi {
  /** The `wasi_snapshot_preview1` import object: pass it as that module's imports. */
  readonly imports: Readonly<Record<string, WasiHostFunction>>;

  #args: Uint8Array[];
  #env: Uint8Array[];
  #fds = new FdTable();
  #instance: WasiInstance | undefined;
  #started = false;
  #viewed: Uint8Array | ArrayBuffer | undefined;
  #dataView: DataView | undefined;
  #u8: Uint8Array | undefined;

  /**
   * Sets up the descriptor table: stdio on fds 0-2, then one fd per preopen.
   *
   * @param options arguments, environment, preopened directories and stdio
   */
  constructor(options: WasiOptions = {}) {
    this.#args = (options.args ?? []).map((a) => encoder.encode(`${a}\0`));
    this.#env = Object.entries(options.env ?? {}).map(([k, v]) => encoder.encode(`${k}=${v}\0`));
    const stdin = options.stdin ?? Deno.stdin;
    const stdout = options.stdout ?? Deno.stdout;
    const stderr = options.stderr ?? Deno.stderr;
    this.#fds.set(0, stdioEntry("stdin", RIGHTS_STDIN, stdin, undefined));
    this.#fds.set(1, stdioEntry("stdout", RIGHTS_STDOUT, undefined, stdout));
    this.#fds.set(2, stdioEntry("stdout", RIGHTS_STDOUT, undefined, stderr));
    for (const [guest, host] of Object.entries(options.preopens ?? {})) {
      const real = Deno.realPathSync(host);
      if (!Deno.statSync(real).isDirectory) {
        throw new TypeError(`wasi: preopen ${host} is not a directory`);
      }
      this.#fds.add({
        kind: "dir",
        filetype: Filetype.directory,
        rightsBase: RIGHTS_DIR,
        rightsInheriting: RIGHTS_ALL,
        fdflags: 0,
        host: real,
        preopen: guest,
      });
    }
    this.imports = Object.freeze(this.#buildImports());
  }

  /**
   * Runs a command module: calls its `_start` export and returns the exit code (the argument of
   * `proc_exit`, or 0 when `_start` returns). Traps and other exceptions propagate.
   *
   * @param instance the instance created with {@linkcode Wasi.imports}
   * @returns the exit code
   */
  start(instance: WasiInstance): number {
    const start = instance.exports._start;
    if (typeof start !== "function") throw new TypeError("wasi: the module exports no _start");
    this.#attach(instance);
    try {
      start();
      return 0;
    } catch (err) {
      if (err instanceof WasiExit) return err.code;
      throw err;
    } finally {
      this.#fds.closeAll();
    }
  }

  /**
   * Runs one spawned thread of a `wasm32-wasip1-threads` module (wasi-threads):
   * calls its `wasi_thread_start(tid, startArg)` export. The instance is this
   * thread's instance of the module, over the memory all threads share.
   *
   * @param instance the thread's instance, created with {@linkcode Wasi.imports}
   * @param tid the thread's id (what `thread-spawn` returned)
   * @param startArg the argument the spawning thread passed to `thread-spawn`
   * @returns the exit code when the thread called `proc_exit`, else undefined (the thread ended)
   */
  startThread(instance: WasiInstance, tid: number, startArg: number): number | undefined {
    const entry = instance.exports.wasi_thread_start;
    if (typeof entry !== "function") {
      throw new TypeError("wasi: the module exports no wasi_thread_start");
    }
    this.#attach(instance);
    try {
      entry(tid, startArg);
      return undefined;
    } catch (err) {
      if (err instanceof WasiExit) return err.code;
      throw err;
    }
  }

  /**
   * Prepares a reactor module: calls its `_initialize` export if it has one. Its other exports
   * may be called afterwards.
   *
   * @param instance the instance created with {@linkcode Wasi.imports}
   */
  initialize(instance: WasiInstance): void {
    const init = instance.exports._initialize;
    if (instance.exports._start !== undefined) {
      throw new TypeError("wasi: initialize() is for reactors; this module exports _start");
    }
    this.#attach(instance);
    if (typeof init === "function") init();
  }

  #attach(instance: WasiInstance): void {
    if (this.#started) throw new Error("wasi: this Wasi was already started");
    const memory = instance.exports.memory as { buffer?: unknown } | undefined;
    if (
      !(memory?.buffer instanceof ArrayBuffer) && !(memory?.buffer instanceof SharedArrayBuffer)
    ) {
      throw new TypeError("wasi: the module exports no memory");
    }
    this.#started = true;
    this.#instance = instance;
  }

  /** Guest memory's bytes now, with `#dataView` over the same bytes. */
  #memoryBytes(): Uint8Array {
    const memory = this.#instance?.exports.memory as { buffer: ArrayBuffer } | undefined;
    if (memory === undefined) throw new Error("wasi: host function called before start()");
    const live = memoryBytes(memory);
    const seen = live ?? memory.buffer;
    if (seen !== this.#viewed) {
      // First call, or the memory grew (or its bytes moved): view them again.
      this.#viewed = seen;
      const u8 = live ?? new Uint8Array(seen as ArrayBuffer);
      this.#u8 = u8;
      this.#dataView = new DataView(u8.buffer, u8.byteOffset, u8.length);
    }
    return this.#u8!;
  }

  #view(): DataView {
    this.#memoryBytes();
    return this.#dataView!;
  }

  /** `len` bytes of guest memory at `ptr`, as a live view; `EFAULT` when out of bounds. */
  #bytes(ptr: number, len: number): Uint8Array {
    const u8 = this.#memoryBytes();
    if (ptr + len > u8.length) fail(Errno.fault);
    return u8.subarray(ptr, ptr + len);
  }

  #string(ptr: number, len: number): string {
    const bytes = this.#bytes(ptr, len);
    try {
      return decoder.decode(bytes);
    } catch {
      fail(Errno.ilseq);
    }
  }

  /** The iovec list at `ptr` as views of guest memory. */
  #iovecs(ptr: number, count: number): Uint8Array[] {
    const view = this.#view();
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const at = ptr + i * IOVEC_SIZE;
      out.push(this.#bytes(view.getUint32(at, true), view.getUint32(at + 4, true)));
    }
    return out;
  }

  #buildImports(): Record<string, WasiHostFunction> {
    const fns: Record<string, WasiHostFunction> = {
      args_get: (argv, buf) => this.#writeStrings(this.#args, argv, buf),
      args_sizes_get: (countPtr, sizePtr) => this.#writeSizes(this.#args, countPtr, sizePtr),
      environ_get: (envp, buf) => this.#writeStrings(this.#env, envp, buf),
      environ_sizes_get: (countPtr, sizePtr) => this.#writeSizes(this.#env, countPtr, sizePtr),
      clock_res_get: (id, out) => {
        this.#view().setBigUint64(out, clockResolution(id), true);
        return 0;
      },
      clock_time_get: (id, _precision, out) => {
        this.#view().setBigUint64(out, clockNow(id), true);
        return 0;
      },
      random_get: (ptr, len) => {
        const bytes = this.#bytes(ptr, len);
        for (let at = 0; at < len; at += RANDOM_CHUNK) {
          crypto.getRandomValues(bytes.subarray(at, Math.min(len, at + RANDOM_CHUNK)));
        }
        return 0;
      },
      proc_exit: (code) => {
        throw new WasiExit(code);
      },
      proc_raise: () => Errno.nosys,
      sched_yield: () => 0,
      poll_oneoff: (inPtr, outPtr, count, countOut) =>
        this.#pollOneoff(inPtr, outPtr, count, countOut),

      fd_advise: (fd, _offset, _len, advice) => {
        this.#fds.get(fd, Rights.fd_advise);
        if (advice > ADVICE_MAX) fail(Errno.inval);
        return 0;
      },
      fd_allocate: (fd, offset, len) => {
        const { file } = this.#fds.file(fd, Rights.fd_allocate);
        const end = BigInt.asUintN(64, offset) + BigInt.asUintN(64, len);
        if (end > BigInt(Number.MAX_SAFE_INTEGER)) fail(Errno.fbig);
        if (end > BigInt(file.statSync().size)) file.truncateSync(Number(end));
        return 0;
      },
      fd_close: (fd) => {
        this.#fds.close(fd);
        return 0;
      },
      fd_datasync: (fd) => {
        const entry = this.#fds.get(fd, Rights.fd_datasync);
        entry.file?.syncDataSync();
        return 0;
      },
      fd_sync: (fd) => {
        const entry = this.#fds.get(fd, Rights.fd_sync);
        entry.file?.syncSync();
        return 0;
      },
      fd_fdstat_get: (fd, out) => {
        const entry = this.#fds.get(fd);
        const view = this.#view();
        view.setUint8(out + Fdstat.filetype, entry.filetype);
        view.setUint8(out + 1, 0);
        view.setUint16(out + Fdstat.flags, entry.fdflags, true);
        view.setUint32(out + 4, 0, true);
        view.setBigUint64(out + Fdstat.rightsBase, entry.rightsBase, true);
        view.setBigUint64(out + Fdstat.rightsInheriting, entry.rightsInheriting, true);
        return 0;
      },
      fd_fdstat_set_flags: (fd, flags) => {
        const entry = this.#fds.get(fd, Rights.fd_fdstat_set_flags);
        if (flags & ~0x1f) fail(Errno.inval);
        if (entry.kind === "dir" && (flags & Fdflags.append)) fail(Errno.isdir);
        entry.fdflags = flags;
        return 0;
      },
      fd_fdstat_set_rights: (fd, base, inheriting) => {
        const entry = this.#fds.get(fd);
        const b = BigInt.asUintN(64, base);
        const i = BigInt.asUintN(64, inheriting);
        if ((b & ~entry.rightsBase) !== 0n || (i & ~entry.rightsInheriting) !== 0n) {
          fail(Errno.notcapable);
        }
        entry.rightsBase = b;
        entry.rightsInheriting = i;
        return 0;
      },
      fd_filestat_get: (fd, out) => {
        const entry = this.#fds.get(fd, Rights.fd_filestat_get);
        const view = this.#view();
        if (entry.kind === "file") {
          const info = entry.file!.statSync();
          writeFilestat(view, out, info, sameFileTimes(info, entry.host, true));
        } else if (entry.kind === "dir") {
          const info = Deno.statSync(entry.host!);
          writeFilestat(view, out, info, sameFileTimes(info, entry.host, true));
        } else writeStreamFilestat(view, out, entry.filetype);
        return 0;
      },
      fd_filestat_set_size: (fd, size) => {
        const { file } = this.#fds.file(fd, Rights.fd_filestat_set_size);
        const n = BigInt.asUintN(64, size);
        if (n > BigInt(Number.MAX_SAFE_INTEGER)) fail(Errno.fbig);
        file.truncateSync(Number(n));
        return 0;
      },
      fd_filestat_set_times: (fd, atim, mtim, flags) => {
        const entry = this.#fds.get(fd, Rights.fd_filestat_set_times);
        const ht = hostTimes();
        if (ht !== undefined && entry.host !== undefined) {
          const info = entry.file?.statSync() ?? Deno.statSync(entry.host);
          if (sameFileTimes(info, entry.host, true) !== undefined) {
            setTimes(ht, entry.host, atim, mtim, flags, true);
            return 0;
          }
        }
        if (entry.kind === "file") {
          const [a, m] = newTimes(() => entry.file!.statSync(), atim, mtim, flags);
          entry.file!.utimeSync(a, m);
        } else if (entry.kind === "dir") {
          const [a, m] = newTimes(() => Deno.statSync(entry.host!), atim, mtim, flags);
          Deno.utimeSync(entry.host!, a, m);
        } else {
          fail(Errno.badf);
        }
        return 0;
      },
      fd_pread: (fd, iovs, count, offset, nreadPtr) => {
        const { file } = this.#fds.file(fd, Rights.fd_read | Rights.fd_seek);
        const saved = file.seekSync(0, Deno.SeekMode.Current);
        file.seekSync(BigInt.asUintN(64, offset), Deno.SeekMode.Start);
        try {
          this.#view().setUint32(nreadPtr, readInto(file, this.#iovecs(iovs, count)), true);
        } finally {
          file.seekSync(saved, Deno.SeekMode.Start);
        }
        return 0;
      },
      fd_pwrite: (fd, iovs, count, offset, nwrittenPtr) => {
        const { file } = this.#fds.file(fd, Rights.fd_write | Rights.fd_seek);
        const saved = file.seekSync(0, Deno.SeekMode.Current);
        file.seekSync(BigInt.asUintN(64, offset), Deno.SeekMode.Start);
        try {
          this.#view().setUint32(nwrittenPtr, writeAll(file, this.#iovecs(iovs, count)), true);
        } finally {
          file.seekSync(saved, Deno.SeekMode.Start);
        }
        return 0;
      },
      fd_read: (fd, iovs, count, nreadPtr) => {
        const entry = this.#fds.get(fd, Rights.fd_read);
        const source = entry.kind === "file" ? entry.file! : entry.reader;
        if (source === undefined) fail(entry.kind === "dir" ? Errno.isdir : Errno.badf);
        this.#view().setUint32(nreadPtr, readInto(source, this.#iovecs(iovs, count)), true);
        return 0;
      },
      fd_write: (fd, iovs, count, nwrittenPtr) => {
        const entry = this.#fds.get(fd, Rights.fd_write);
        let sink: WasiWriter;
        if (entry.kind === "file") {
          if (entry.fdflags & Fdflags.append) entry.file!.seekSync(0, Deno.SeekMode.End);
          sink = entry.file!;
        } else if (entry.writer !== undefined) {
          sink = entry.writer;
        } else {
          fail(entry.kind === "dir" ? Errno.isdir : Errno.badf);
        }
        const written = writeAll(sink, this.#iovecs(iovs, count));
        if (entry.file !== undefined) {
          if (entry.fdflags & (Fdflags.sync | Fdflags.rsync)) entry.file.syncSync();
          else if (entry.fdflags & Fdflags.dsync) entry.file.syncDataSync();
        }
        this.#view().setUint32(nwrittenPtr, written, true);
        return 0;
      },
      fd_prestat_get: (fd, out) => {
        const name = this.#preopenName(fd);
        const view = this.#view();
        view.setUint32(out, 0, true);
        view.setUint8(out + Prestat.tag, Preopentype.dir);
        view.setUint32(out + Prestat.nameLen, name.length, true);
        return 0;
      },
      fd_prestat_dir_name: (fd, ptr, len) => {
        const name = this.#preopenName(fd);
        if (len < name.length) fail(Errno.nametoolong);
        this.#bytes(ptr, name.length).set(name);
        return 0;
      },
      fd_readdir: (fd, buf, len, cookie, usedPtr) => {
        const entry = this.#fds.dir(fd, Rights.fd_readdir);
        this.#view().setUint32(usedPtr, this.#readdir(entry, buf, len, cookie), true);
        return 0;
      },
      fd_renumber: (from, to) => {
        this.#fds.renumber(from, to);
        return 0;
      },
      fd_seek: (fd, offset, whence, out) => {
        const entry = this.#fds.get(fd);
        if (entry.kind === "stdin" || entry.kind === "stdout") fail(Errno.spipe);
        const delta = BigInt.asIntN(64, offset);
        const right = whence === Whence.cur && delta === 0n ? Rights.fd_tell : Rights.fd_seek;
        const { file } = this.#fds.file(fd, right);
        const mode = whence === Whence.set
          ? Deno.SeekMode.Start
          : whence === Whence.cur
          ? Deno.SeekMode.Current
          : whence === Whence.end
          ? Deno.SeekMode.End
          : fail(Errno.inval);
        const base = mode === Deno.SeekMode.Start
          ? 0n
          : mode === Deno.SeekMode.Current
          ? BigInt(file.seekSync(0, Deno.SeekMode.Current))
          : BigInt(file.statSync().size);
        if (base + delta < 0n) fail(Errno.inval);
        const position = file.seekSync(delta, mode);
        this.#view().setBigUint64(out, BigInt(position), true);
        return 0;
      },
      fd_tell: (fd, out) => {
        const entry = this.#fds.get(fd);
        if (entry.kind === "stdin" || entry.kind === "stdout") fail(Errno.spipe);
        const { file } = this.#fds.file(fd, Rights.fd_tell);
        this.#view().setBigUint64(out, BigInt(file.seekSync(0, Deno.SeekMode.Current)), true);
        return 0;
      },

      path_create_directory: (fd, ptr, len) => {
        const dir = this.#fds.dir(fd, Rights.path_create_directory);
        const target = resolveEntry(dir.host, this.#string(ptr, len));
        if (lstatOrNull(target.host) !== null) fail(Errno.exist);
        Deno.mkdirSync(target.host);
        return 0;
      },
      path_filestat_get: (fd, flags, ptr, len, out) => {
        const dir = this.#fds.dir(fd, Rights.path_filestat_get);
        const follow = (flags & Lookupflags.symlink_follow) !== 0;
        const target = resolvePath(dir.host, this.#string(ptr, len), follow);
        const info = Deno.lstatSync(target.host);
        if (target.mustBeDir && !info.isDirectory) fail(Errno.notdir);
        writeFilestat(this.#view(), out, info, sameFileTimes(info, target.host, false));
        return 0;
      },
      path_filestat_set_times: (fd, flags, ptr, len, atim, mtim, fstFlags) => {
        const dir = this.#fds.dir(fd, Rights.path_filestat_set_times);
        const follow = (flags & Lookupflags.symlink_follow) !== 0;
        const target = resolvePath(dir.host, this.#string(ptr, len), follow);
        const info = Deno.lstatSync(target.host);
        const ht = hostTimes();
        if (ht !== undefined) {
          setTimes(ht, target.host, atim, mtim, fstFlags, false);
          return 0;
        }
        if (info.isSymlink) fail(Errno.notsup, "cannot set the times of a symlink itself");
        const [a, m] = newTimes(() => info, atim, mtim, fstFlags);
        Deno.utimeSync(target.host, a, m);
        return 0;
      },
      path_link: (oldFd, oldFlags, oldPtr, oldLen, newFd, newPtr, newLen) => {
        const oldDir = this.#fds.dir(oldFd, Rights.path_link_source);
        const newDir = this.#fds.dir(newFd, Rights.path_link_target);
        const oldPath = this.#string(oldPtr, oldLen);
        const source = (oldFlags & Lookupflags.symlink_follow) !== 0
          ? resolvePath(oldDir.host, oldPath, true)
          : resolveEntry(oldDir.host, oldPath);
        const target = resolveEntry(newDir.host, this.#string(newPtr, newLen));
        const info = Deno.lstatSync(source.host);
        if (info.isDirectory) fail(Errno.perm, "hard link to a directory");
        if (source.mustBeDir) fail(Errno.notdir);
        if (lstatOrNull(target.host) !== null) fail(Errno.exist);
        // a new name with a trailing slash asks for a directory, which a link is not (Linux)
        if (target.mustBeDir) fail(Errno.noent);
        Deno.linkSync(source.host, target.host);
        return 0;
      },
      path_open: (fd, dirflags, ptr, len, oflags, base, inheriting, fdflags, out) =>
        this.#pathOpen(fd, dirflags, ptr, len, oflags, base, inheriting, fdflags, out),
      path_readlink: (fd, ptr, len, buf, bufLen, usedPtr) => {
        const dir = this.#fds.dir(fd, Rights.path_readlink);
        const target = resolveEntry(dir.host, this.#string(ptr, len));
        const contents = encoder.encode(Deno.readLinkSync(target.host));
        const n = Math.min(contents.length, bufLen);
        this.#bytes(buf, n).set(contents.subarray(0, n));
        this.#view().setUint32(usedPtr, n, true);
        return 0;
      },
      path_remove_directory: (fd, ptr, len) => {
        const dir = this.#fds.dir(fd, Rights.path_remove_directory);
        const target = resolveEntry(dir.host, this.#string(ptr, len));
        if (!Deno.lstatSync(target.host).isDirectory) fail(Errno.notdir);
        Deno.removeSync(target.host);
        return 0;
      },
      path_rename: (fd, oldPtr, oldLen, newFd, newPtr, newLen) => {
        const oldDir = this.#fds.dir(fd, Rights.path_rename_source);
        const newDir = this.#fds.dir(newFd, Rights.path_rename_target);
        const source = resolveEntry(oldDir.host, this.#string(oldPtr, oldLen));
        const target = resolveEntry(newDir.host, this.#string(newPtr, newLen));
        const info = Deno.lstatSync(source.host);
        if ((source.mustBeDir || target.mustBeDir) && !info.isDirectory) fail(Errno.notdir);
        Deno.renameSync(source.host, target.host);
        return 0;
      },
      path_symlink: (oldPtr, oldLen, fd, newPtr, newLen) => {
        const dir = this.#fds.dir(fd, Rights.path_symlink);
        const contents = this.#string(oldPtr, oldLen);
        const target = resolveEntry(dir.host, this.#string(newPtr, newLen));
        if (contents.length === 0) fail(Errno.noent);
        if (symlinkTargetEscapes(target.parts, contents)) {
          fail(Errno.perm, "symlink leaves the sandbox");
        }
        if (lstatOrNull(target.host) !== null) fail(Errno.exist);
        if (target.mustBeDir) fail(Errno.noent);
        Deno.symlinkSync(contents, target.host);
        return 0;
      },
      path_unlink_file: (fd, ptr, len) => {
        const dir = this.#fds.dir(fd, Rights.path_unlink_file);
        const target = resolveEntry(dir.host, this.#string(ptr, len));
        const info = Deno.lstatSync(target.host);
        if (info.isDirectory) fail(Errno.isdir);
        if (target.mustBeDir) fail(Errno.notdir);
        Deno.removeSync(target.host);
        return 0;
      },

      // no descriptor is a socket: a bad one is EBADF, any other ENOTSOCK (as wasmtime)
      sock_accept: (fd) => this.#notSocket(fd),
      sock_recv: (fd) => this.#notSocket(fd),
      sock_send: (fd) => this.#notSocket(fd),
      sock_shutdown: (fd) => this.#notSocket(fd),
    };
    const wrapped: Record<string, WasiHostFunction> = {};
    for (const [name, fn] of Object.entries(fns)) wrapped[name] = guard(fn);
    return wrapped;
  }

  #writeSizes(list: Uint8Array[], countPtr: number, sizePtr: number): number {
    const view = this.#view();
    view.setUint32(countPtr, list.length, true);
    view.setUint32(sizePtr, list.reduce((n, s) => n + s.length, 0), true);
    return 0;
  }

  #writeStrings(list: Uint8Array[], pointers: number, buf: number): number {
    const view = this.#view();
    let at = buf;
    list.forEach((s, i) => {
      view.setUint32(pointers + 4 * i, at, true);
      this.#bytes(at, s.length).set(s);
      at += s.length;
    });
    return 0;
  }

  #notSocket(fd: number): number {
    this.#fds.get(fd);
    return Errno.notsock;
  }

  #preopenName(fd: number): Uint8Array {
    const entry = this.#fds.get(fd);
    if (entry.preopen === undefined) fail(Errno.badf);
    return encoder.encode(entry.preopen);
  }

  #readdir(entry: FdEntry & { host: string }, buf: number, len: number, cookie: bigint): number {
    const start = BigInt.asUintN(64, cookie);
    if (start === 0n || entry.dirents === undefined) entry.dirents = listDirectory(entry.host);
    const dirents = entry.dirents;
    const out = this.#bytes(buf, len);
    const header = new Uint8Array(Dirent.size);
    const headerView = new DataView(header.buffer);
    let used = 0;
    for (let i = Number(start); i < dirents.length && used < len; i++) {
      const d = dirents[i];
      header.fill(0);
      headerView.setBigUint64(Dirent.next, BigInt(i + 1), true);
      headerView.setBigUint64(Dirent.ino, d.ino, true);
      headerView.setUint32(Dirent.namlen, d.name.length, true);
      headerView.setUint8(Dirent.type, d.filetype);
      for (const part of [header, d.name]) {
        const n = Math.min(part.length, len - used);
        out.set(part.subarray(0, n), used);
        used += n;
      }
    }
    return used;
  }

  #pathOpen(
    fd: number,
    dirflags: number,
    ptr: number,
    len: number,
    oflags: number,
    rawBase: bigint,
    rawInheriting: bigint,
    fdflags: number,
    out: number,
  ): number {
    const dir = this.#fds.dir(fd, Rights.path_open);
    this.#bytes(out, 4); // EFAULT now rather than after the file is opened or created
    const create = (oflags & Oflags.creat) !== 0;
    const exclusive = (oflags & Oflags.excl) !== 0;
    const truncate = (oflags & Oflags.trunc) !== 0;
    const wantDir = (oflags & Oflags.directory) !== 0;
    if (create && (dir.rightsBase & Rights.path_create_file) === 0n) fail(Errno.notcapable);
    if (truncate && (dir.rightsBase & Rights.path_filestat_set_size) === 0n) {
      fail(Errno.notcapable);
    }
    const base = BigInt.asUintN(64, rawBase);
    const inheriting = BigInt.asUintN(64, rawInheriting);
    if ((base & ~dir.rightsInheriting) !== 0n || (inheriting & ~dir.rightsInheriting) !== 0n) {
      fail(Errno.notcapable);
    }
    if (fdflags & ~0x1f) fail(Errno.inval);
    const follow = (dirflags & Lookupflags.symlink_follow) !== 0;
    const target = resolvePath(dir.host, this.#string(ptr, len), follow);
    const info = lstatOrNull(target.host);
    let entry: FdEntry;
    if (info === null) {
      if (!create) fail(Errno.noent);
      if (wantDir) fail(Errno.inval, "O_CREAT with O_DIRECTORY");
      if (target.mustBeDir) fail(Errno.isdir);
      entry = openFile(target.host, base, inheriting, fdflags, { create, exclusive, truncate });
    } else {
      if (create && exclusive) fail(Errno.exist);
      if (info.isSymlink) fail(Errno.loop, "last component is a symlink and not followed");
      if ((wantDir || target.mustBeDir) && !info.isDirectory) fail(Errno.notdir);
      if (info.isDirectory) {
        if (truncate || (base & Rights.fd_write) !== 0n) fail(Errno.isdir);
        entry = {
          kind: "dir",
          filetype: Filetype.directory,
          rightsBase: base & RIGHTS_DIR,
          rightsInheriting: inheriting,
          fdflags,
          host: target.host,
        };
      } else {
        entry = openFile(target.host, base, inheriting, fdflags, {
          create: false,
          exclusive: false,
          truncate,
        });
      }
    }
    this.#view().setUint32(out, this.#fds.add(entry), true);
    return 0;
  }

  #pollOneoff(inPtr: number, outPtr: number, count: number, countOut: number): number {
    if (count === 0) fail(Errno.inval);
    const view = this.#view();
    this.#bytes(inPtr, count * Subscription.size);
    this.#bytes(outPtr, count * Event.size);
    interface Ready {
      userdata: bigint;
      error: number;
      type: number;
      nbytes: bigint;
    }
    const ready: Ready[] = [];
    const clocks: { userdata: bigint; left: bigint; error: number }[] = [];
    for (let i = 0; i < count; i++) {
      const at = inPtr + i * Subscription.size;
      const userdata = view.getBigUint64(at + Subscription.userdata, true);
      const tag = view.getUint8(at + Subscription.tag);
      if (tag === Eventtype.clock) {
        const id = view.getUint32(at + Subscription.clockId, true);
        const timeout = view.getBigUint64(at + Subscription.clockTimeout, true);
        const flags = view.getUint16(at + Subscription.clockFlags, true);
        let left: bigint;
        let error = 0;
        try {
          left = flags & Subclockflags.subscription_clock_abstime
            ? timeout - clockNow(id)
            : (clockResolution(id), timeout);
        } catch (err) {
          const errno = errnoOfHostError(err);
          if (errno === undefined) throw err;
          left = 0n;
          error = errno;
        }
        clocks.push({ userdata, left, error });
      } else if (tag === Eventtype.fd_read || tag === Eventtype.fd_write) {
        const fd = view.getUint32(at + Subscription.fd, true);
        ready.push({ userdata, type: tag, ...this.#fdReadiness(fd, tag) });
      } else {
        fail(Errno.inval);
      }
    }
    if (ready.length === 0 && clocks.length > 0) {
      const soonest = clocks.reduce((m, c) => c.left < m ? c.left : m, clocks[0].left);
      sleepSync(soonest);
      for (const c of clocks) {
        if (c.left <= soonest) ready.push({ ...c, type: Eventtype.clock, nbytes: 0n });
      }
    } else {
      for (const c of clocks) {
        if (c.left <= 0n) ready.push({ ...c, type: Eventtype.clock, nbytes: 0n });
      }
    }
    const bytes = this.#bytes(outPtr, ready.length * Event.size);
    bytes.fill(0);
    ready.forEach((e, i) => {
      const at = outPtr + i * Event.size;
      view.setBigUint64(at + Event.userdata, e.userdata, true);
      view.setUint16(at + Event.error, e.error, true);
      view.setUint8(at + Event.type, e.type);
      view.setBigUint64(at + Event.nbytes, e.nbytes, true);
    });
    view.setUint32(countOut, ready.length, true);
    return 0;
  }

  /**
   * Readiness of `fd` for one fd subscription. Files, stdout and stderr are always ready; stdin
   * is reported ready too, because its synchronous read cannot be probed without blocking.
   */
  #fdReadiness(fd: number, tag: number): { error: number; nbytes: bigint } {
    let entry: FdEntry;
    try {
      entry = this.#fds.get(fd, Rights.poll_fd_readwrite);
    } catch (err) {
      const errno = errnoOfHostError(err);
      if (errno === undefined) throw err;
      return { error: errno, nbytes: 0n };
    }
    if (entry.kind === "dir") return { error: Errno.isdir, nbytes: 0n };
    if (tag === Eventtype.fd_read && entry.kind === "stdout") {
      return { error: Errno.badf, nbytes: 0n };
    }
    if (tag === Eventtype.fd_write && entry.kind === "stdin") {
      return { error: Errno.badf, nbytes: 0n };
    }
    if (tag === Eventtype.fd_read && entry.kind === "file") {
      const size = BigInt(entry.file!.statSync().size);
      const position = BigInt(entry.file!.seekSync(0, Deno.SeekMode.Current));
      return { error: 0, nbytes: size > position ? size - position : 0n };
    }
    return { error: 0, nbytes: tag === Eventtype.fd_read ? 1n : 0n };
  }
}

function stdioEntry(
  kind: "stdin" | "stdout",
  rights: bigint,
  reader: WasiReader | undefined,
  writer: WasiWriter | undefined,
): FdEntry {
  const stream = reader ?? writer;
  let tty = false;
  try {
    tty = stream?.isTerminal?.() ?? false;
  } catch {
    tty = false;
  }
  return {
    kind,
    filetype: tty ? Filetype.character_device : Filetype.unknown,
    rightsBase: rights,
    rightsInheriting: 0n,
    fdflags: 0,
    reader,
    writer,
  };
}

/**
 * Wraps a host function: makes its i32 arguments unsigned (V8 hands them over signed) and turns
 * an `ErrnoError`, a `Deno.errors.*` or a `RangeError` (guest pointer out of bounds) into an
 * errno result. (Measured: a rest array here is cheaper than nine fixed parameters passed on to
 * functions of smaller arity.)
 */
function guard(fn: WasiHostFunction): WasiHostFunction {
  return (...args: unknown[]): number => {
    for (let i = 0; i < args.length; i++) {
      const x = args[i];
      if (typeof x === "number") args[i] = x >>> 0;
    }
    try {
      return fn(...args);
    } catch (err) {
      const errno = errnoOfHostError(err);
      if (errno !== undefined) return errno;
      if (err instanceof RangeError) return Errno.fault;
      throw err;
    }
  };
}

function readInto(source: WasiReader, iovecs: Uint8Array[]): number {
  let total = 0;
  for (const iov of iovecs) {
    if (iov.length === 0) continue;
    const n = source.readSync(iov);
    if (n === null || n === 0) break;
    total += n;
    if (n < iov.length) break;
  }
  return total;
}

function writeAll(sink: WasiWriter, iovecs: Uint8Array[]): number {
  let total = 0;
  for (const iov of iovecs) {
    let at = 0;
    while (at < iov.length) at += sink.writeSync(iov.subarray(at));
    total += iov.length;
  }
  return total;
}

function openFile(
  host: string,
  base: bigint,
  inheriting: bigint,
  fdflags: number,
  mode: { create: boolean; exclusive: boolean; truncate: boolean },
): FdEntry {
  const read = (base & RIGHTS_NEED_READ) !== 0n;
  const write = (base & RIGHTS_NEED_WRITE) !== 0n;
  if ((mode.create || mode.truncate) && !write) {
    // Deno refuses create/truncate without write access; do them first, then reopen.
    Deno.openSync(host, {
      write: true,
      create: mode.create,
      createNew: mode.create && mode.exclusive,
      truncate: mode.truncate,
    }).close();
    mode = { create: false, exclusive: false, truncate: false };
  }
  const file = Deno.openSync(host, {
    read: read || !write,
    write,
    create: mode.create,
    createNew: mode.create && mode.exclusive,
    truncate: mode.truncate,
  });
  let filetype: number;
  try {
    filetype = filetypeOf(file.statSync());
  } catch (err) {
    file.close();
    throw err;
  }
  return {
    kind: "file",
    filetype,
    rightsBase: base & RIGHTS_FILE,
    rightsInheriting: inheriting,
    fdflags,
    file,
    host,
  };
}

function listDirectory(host: string): DirentRecord[] {
  const record = (name: string, path: string): DirentRecord => {
    const info = lstatOrNull(path);
    return {
      name: encoder.encode(name),
      ino: BigInt(info?.ino ?? 0),
      filetype: info ? filetypeOf(info) : Filetype.unknown,
    };
  };
  // ".." gets inode 0 ("unknown", which wasi-libc accepts for ".."): the parent of a preopen
  // lies outside the sandbox and is not looked at.
  const out = [record(".", host), {
    name: encoder.encode(".."),
    ino: 0n,
    filetype: Filetype.directory,
  }];
  for (const e of Deno.readDirSync(host)) out.push(record(e.name, `${host}/${e.name}`));
  return out;
}

/** The access and modification times to set, in seconds, from `fstflags`. */
/**
 * The host's nanosecond times of the file at `path` when it is still the file
 * `info` describes (a file's path is the one it was opened by).
 */
function sameFileTimes(
  info: Deno.FileInfo,
  path: string | undefined,
  follow: boolean,
): NanoTimes | undefined {
  if (path === undefined) return undefined;
  const t = hostTimes()?.get(path, follow);
  if (t === undefined || info.ino === null || info.dev === null) return undefined;
  return t.ino === BigInt(info.ino) && t.dev === BigInt(info.dev) ? t : undefined;
}

/** Sets times to the nanosecond through the host (`utimensat`), validating `flags` as preview1 does. */
function setTimes(
  ht: HostTimes,
  path: string,
  atim: bigint,
  mtim: bigint,
  flags: number,
  follow: boolean,
): void {
  checkFstflags(flags);
  const update = (value: bigint, set: number, setNow: number): TimeUpdate =>
    flags & setNow ? "now" : flags & set ? BigInt.asUintN(64, value) : "omit";
  const errno = ht.set(
    path,
    update(atim, Fstflags.atim, Fstflags.atim_now),
    update(mtim, Fstflags.mtim, Fstflags.mtim_now),
    follow,
  );
  if (errno !== 0) fail(LINUX_ERRNO.get(errno) ?? Errno.io);
}

/** preview1 errnos of the Linux errnos `utimensat` can give. */
const LINUX_ERRNO: ReadonlyMap<number, number> = new Map([
  [1, Errno.perm],
  [2, Errno.noent],
  [13, Errno.acces],
  [20, Errno.notdir],
  [22, Errno.inval],
  [30, Errno.rofs],
  [40, Errno.loop],
]);

/** `EINVAL` for `fstflags` that set a time both to a value and to now, or unknown bits. */
function checkFstflags(flags: number): void {
  if ((flags & Fstflags.atim) && (flags & Fstflags.atim_now)) fail(Errno.inval);
  if ((flags & Fstflags.mtim) && (flags & Fstflags.mtim_now)) fail(Errno.inval);
  if (flags & ~0xf) fail(Errno.inval);
}

function newTimes(
  current: () => Deno.FileInfo,
  atim: bigint,
  mtim: bigint,
  flags: number,
): [number, number] {
  checkFstflags(flags);
  const now = Date.now() / 1000;
  let info: Deno.FileInfo | undefined;
  const pick = (value: bigint, set: number, setNow: number, keep: "atime" | "mtime") => {
    if (flags & setNow) return now;
    if (flags & set) return Number(BigInt.asUintN(64, value)) / 1e9;
    info ??= current();
    return (info[keep]?.getTime() ?? 0) / 1000;
  };
  return [
    pick(atim, Fstflags.atim, Fstflags.atim_now, "atime"),
    pick(mtim, Fstflags.mtim, Fstflags.mtim_now, "mtime"),
  ];
}
