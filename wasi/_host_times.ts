/**
 * File times to the nanosecond, where the host allows it: Deno's `FileInfo`
 * and `utime` carry milliseconds, so with FFI permission on Linux (x86-64 or
 * AArch64, whose `struct stat` put the three `timespec`s at the same offsets)
 * the C library's `utimensat` and `fstatat` are called instead. They also
 * set and read a symlink's own times (`AT_SYMLINK_NOFOLLOW`).
 *
 * Without FFI permission or elsewhere, {@link hostTimes} returns `undefined`
 * and the caller falls back to Deno's APIs: times rounded to the
 * millisecond, and a symlink's own times cannot be set.
 *
 * @module
 */

/** Nanosecond times of a file, with the file's identity (to check it is the one meant). */
export interface NanoTimes {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly atim: bigint;
  readonly mtim: bigint;
  readonly ctim: bigint;
}

/** What to set one time to: nanoseconds since the epoch, the current time, or leave it. */
export type TimeUpdate = bigint | "now" | "omit";

/** Nanosecond file times through the C library. */
export interface HostTimes {
  /**
   * Sets a file's access and modification times.
   *
   * @returns 0, or the host's `errno`
   */
  set(path: string, atim: TimeUpdate, mtim: TimeUpdate, follow: boolean): number;
  /** A file's times, or `undefined` when `fstatat` fails. */
  get(path: string, follow: boolean): NanoTimes | undefined;
}

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const UTIME_NOW = (1n << 30n) - 1n;
const UTIME_OMIT = (1n << 30n) - 2n;
/** `struct stat` as 64-bit words: its size, and where the `timespec`s start (atime, mtime, ctime). */
const STAT_WORDS = 18;
const STAT_ATIME_WORD = 9;

const SYMBOLS = {
  utimensat: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  fstatat: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
} as const;

let loaded: HostTimes | null | undefined;

/**
 * The nanosecond file times of this host, when it has them (see the module doc).
 *
 * @returns them, or `undefined`
 */
export function hostTimes(): HostTimes | undefined {
  if (loaded === undefined) loaded = load();
  return loaded ?? undefined;
}

function load(): HostTimes | null {
  if (Deno.build.os !== "linux" || !["x86_64", "aarch64"].includes(Deno.build.arch)) return null;
  try {
    if (Deno.permissions.querySync({ name: "ffi" }).state !== "granted") return null;
    const lib = Deno.dlopen("libc.so.6", SYMBOLS);
    const encoder = new TextEncoder();
    const cPath = (path: string) => encoder.encode(`${path}\0`);
    const errno = () => {
      const p = lib.symbols.__errno_location();
      return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
    };
    const spec = (u: TimeUpdate): [bigint, bigint] =>
      u === "now"
        ? [0n, UTIME_NOW]
        : u === "omit"
        ? [0n, UTIME_OMIT]
        : [u / 1_000_000_000n, u % 1_000_000_000n];
    return {
      set(path, atim, mtim, follow) {
        const times = new BigInt64Array([...spec(atim), ...spec(mtim)]);
        const flags = follow ? 0 : AT_SYMLINK_NOFOLLOW;
        return lib.symbols.utimensat(AT_FDCWD, cPath(path), times, flags) === 0 ? 0 : errno();
      },
      get(path, follow) {
        const st = new BigInt64Array(STAT_WORDS);
        const flags = follow ? 0 : AT_SYMLINK_NOFOLLOW;
        if (lib.symbols.fstatat(AT_FDCWD, cPath(path), st, flags) !== 0) return undefined;
        const at = (k: number) =>
          st[STAT_ATIME_WORD + 2 * k] * 1_000_000_000n + st[STAT_ATIME_WORD + 2 * k + 1];
        return { dev: st[0], ino: st[1], atim: at(0), mtim: at(1), ctim: at(2) };
      },
    };
  } catch {
    return null;
  }
}
