/**
 * The WASI preview1 error numbers, declared once.
 *
 * {@linkcode ERRNO_NAMES} lists the `errno` enum of `wasi_snapshot_preview1.witx` in order, so a
 * name's index is its numeric value. Everything else here ({@linkcode Errno}, {@linkcode errnoName},
 * the POSIX-code lookup used to translate host errors) is derived from that one list.
 *
 * @module
 */

/** The `errno` enum of preview1, in witx order: `ERRNO_NAMES[n]` is the name of errno `n`. */
export const ERRNO_NAMES = [
  "success",
  "2big",
  "acces",
  "addrinuse",
  "addrnotavail",
  "afnosupport",
  "again",
  "already",
  "badf",
  "badmsg",
  "busy",
  "canceled",
  "child",
  "connaborted",
  "connrefused",
  "connreset",
  "deadlk",
  "destaddrreq",
  "dom",
  "dquot",
  "exist",
  "fault",
  "fbig",
  "hostunreach",
  "idrm",
  "ilseq",
  "inprogress",
  "intr",
  "inval",
  "io",
  "isconn",
  "isdir",
  "loop",
  "mfile",
  "mlink",
  "msgsize",
  "multihop",
  "nametoolong",
  "netdown",
  "netreset",
  "netunreach",
  "nfile",
  "nobufs",
  "nodev",
  "noent",
  "noexec",
  "nolck",
  "nolink",
  "nomem",
  "nomsg",
  "noprotoopt",
  "nospc",
  "nosys",
  "notconn",
  "notdir",
  "notempty",
  "notrecoverable",
  "notsock",
  "notsup",
  "notty",
  "nxio",
  "overflow",
  "ownerdead",
  "perm",
  "pipe",
  "proto",
  "protonosupport",
  "prototype",
  "range",
  "rofs",
  "spipe",
  "srch",
  "stale",
  "timedout",
  "txtbsy",
  "xdev",
  "notcapable",
] as const;

/** One errno name of preview1 (`"noent"`, `"perm"`, ...). */
export type ErrnoName = typeof ERRNO_NAMES[number];

function buildErrno(): { readonly [K in ErrnoName]: number } {
  const table: Record<string, number> = {};
  ERRNO_NAMES.forEach((name, value) => table[name] = value);
  return Object.freeze(table) as { readonly [K in ErrnoName]: number };
}

/**
 * Errno values by name, derived from {@linkcode ERRNO_NAMES}.
 *
 * @example
 * ```ts
 * import { Errno } from "@capstan/wasi";
 * import assert from "node:assert/strict";
 * assert.equal(Errno.noent, 44);
 * assert.equal(Errno.notcapable, 76);
 * ```
 */
export const Errno: { readonly [K in ErrnoName]: number } = buildErrno();

/**
 * The conventional C name of an errno value (`44` → `"ENOENT"`), or `"E?<n>"` when `n` is out of
 * range.
 *
 * @param value an errno number
 * @returns its upper-case name with the `E` prefix (`"ESUCCESS"` for 0)
 * @example
 * ```ts
 * import { Errno, errnoName } from "@capstan/wasi";
 * import assert from "node:assert/strict";
 * assert.equal(errnoName(Errno.noent), "ENOENT");
 * assert.equal(errnoName(999), "E?999");
 * ```
 */
export function errnoName(value: number): string {
  const name = ERRNO_NAMES[value];
  return name === undefined ? `E?${value}` : `E${name.toUpperCase()}`;
}

const BY_POSIX_CODE: ReadonlyMap<string, number> = new Map(
  ERRNO_NAMES.map((name, value) => [`E${name.toUpperCase()}`, value]),
);

/**
 * The preview1 errno for a POSIX error code string as Deno reports it (`err.code`, e.g.
 * `"ENOENT"`), or `undefined` when preview1 has no such errno.
 *
 * @param code a POSIX code such as `"ENOTEMPTY"`
 * @returns the matching errno value
 */
export function errnoFromPosixCode(code: string): number | undefined {
  if (code === "EACCES") return Errno.acces;
  if (code === "ENOTSUP" || code === "EOPNOTSUPP") return Errno.notsup;
  if (code === "EWOULDBLOCK") return Errno.again;
  return BY_POSIX_CODE.get(code);
}
