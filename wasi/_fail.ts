/**
 * Internal error plumbing: host functions throw {@linkcode ErrnoError} to return an errno, and
 * {@linkcode errnoOfHostError} translates an exception from a `Deno.*` call into an errno.
 *
 * Invariant: only these two kinds of failure are turned into errno results by the import
 * wrappers; anything else (a `WasiExit`, an engine trap) propagates unchanged.
 *
 * @module
 */

import { Errno, errnoFromPosixCode } from "./errno.ts";

/** A failure of a host function that the guest sees as an errno result. */
export class ErrnoError extends Error {
  /** The preview1 errno to return. */
  readonly errno: number;

  /**
   * @param errno the errno value
   * @param message an optional note for debugging
   */
  constructor(errno: number, message?: string) {
    super(message ?? `errno ${errno}`);
    this.name = "ErrnoError";
    this.errno = errno;
  }
}

/** Throws an {@linkcode ErrnoError} for `errno`. */
export function fail(errno: number, message?: string): never {
  throw new ErrnoError(errno, message);
}

const BY_DENO_CLASS: [new (...args: never[]) => Error, number][] = [
  [Deno.errors.NotFound, Errno.noent],
  [Deno.errors.PermissionDenied, Errno.acces],
  [Deno.errors.NotCapable, Errno.acces],
  [Deno.errors.AlreadyExists, Errno.exist],
  [Deno.errors.IsADirectory, Errno.isdir],
  [Deno.errors.NotADirectory, Errno.notdir],
  [Deno.errors.FilesystemLoop, Errno.loop],
  [Deno.errors.InvalidData, Errno.inval],
  [Deno.errors.BadResource, Errno.badf],
  [Deno.errors.NotSupported, Errno.notsup],
  [Deno.errors.Busy, Errno.busy],
  [Deno.errors.WouldBlock, Errno.again],
  [Deno.errors.Interrupted, Errno.intr],
  [Deno.errors.BrokenPipe, Errno.pipe],
  [Deno.errors.TimedOut, Errno.timedout],
];

/**
 * The errno for an exception thrown by a `Deno.*` file-system call, or `undefined` when `err` is
 * not such an exception (it must then propagate).
 */
export function errnoOfHostError(err: unknown): number | undefined {
  if (err instanceof ErrnoError) return err.errno;
  if (!(err instanceof Error)) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === "string") {
    const errno = errnoFromPosixCode(code);
    if (errno !== undefined) return errno;
  }
  for (const [cls, errno] of BY_DENO_CLASS) {
    if (err instanceof cls) return errno;
  }
  if (Object.values(Deno.errors).some((cls) => err instanceof cls)) return Errno.io;
  return undefined;
}
