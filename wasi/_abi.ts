/**
 * Constants and struct layouts of `wasi_snapshot_preview1`, as the preview1 witx declares them.
 *
 * Every flag set is written as its bit list in witx order and the numeric values derived from it;
 * struct offsets and sizes are written once here and used by the host functions, never repeated
 * as literals elsewhere.
 *
 * @module
 */

/** `rights` bits, in witx order: bit `i` is `RIGHT_NAMES[i]`. */
const RIGHT_NAMES = [
  "fd_datasync",
  "fd_read",
  "fd_seek",
  "fd_fdstat_set_flags",
  "fd_sync",
  "fd_tell",
  "fd_write",
  "fd_advise",
  "fd_allocate",
  "path_create_directory",
  "path_create_file",
  "path_link_source",
  "path_link_target",
  "path_open",
  "fd_readdir",
  "path_readlink",
  "path_rename_source",
  "path_rename_target",
  "path_filestat_get",
  "path_filestat_set_size",
  "path_filestat_set_times",
  "fd_filestat_get",
  "fd_filestat_set_size",
  "fd_filestat_set_times",
  "path_symlink",
  "path_remove_directory",
  "path_unlink_file",
  "poll_fd_readwrite",
  "sock_shutdown",
  "sock_accept",
] as const;

type RightName = typeof RIGHT_NAMES[number];

/** Each right as a `bigint` mask. */
export const Rights: { readonly [K in RightName]: bigint } = Object.freeze(
  Object.fromEntries(RIGHT_NAMES.map((name, bit) => [name, 1n << BigInt(bit)])),
) as { readonly [K in RightName]: bigint };

function rightsOf(...names: RightName[]): bigint {
  return names.reduce((mask, name) => mask | Rights[name], 0n);
}

/** Every right defined by preview1. */
export const RIGHTS_ALL: bigint = (1n << BigInt(RIGHT_NAMES.length)) - 1n;

/** Rights meaningful on a regular file. */
export const RIGHTS_FILE: bigint = rightsOf(
  "fd_datasync",
  "fd_read",
  "fd_seek",
  "fd_fdstat_set_flags",
  "fd_sync",
  "fd_tell",
  "fd_write",
  "fd_advise",
  "fd_allocate",
  "fd_filestat_get",
  "fd_filestat_set_size",
  "fd_filestat_set_times",
  "poll_fd_readwrite",
);

/** Rights meaningful on a directory (its own base rights). */
export const RIGHTS_DIR: bigint = rightsOf(
  "fd_fdstat_set_flags",
  "fd_sync",
  "fd_advise",
  "path_create_directory",
  "path_create_file",
  "path_link_source",
  "path_link_target",
  "path_open",
  "fd_readdir",
  "path_readlink",
  "path_rename_source",
  "path_rename_target",
  "path_filestat_get",
  "path_filestat_set_size",
  "path_filestat_set_times",
  "fd_filestat_get",
  "fd_filestat_set_times",
  "path_symlink",
  "path_remove_directory",
  "path_unlink_file",
);

/** Rights of stdin. */
export const RIGHTS_STDIN: bigint = rightsOf(
  "fd_read",
  "fd_fdstat_set_flags",
  "fd_filestat_get",
  "poll_fd_readwrite",
);

/** Rights of stdout and stderr. */
export const RIGHTS_STDOUT: bigint = rightsOf(
  "fd_write",
  "fd_fdstat_set_flags",
  "fd_filestat_get",
  "poll_fd_readwrite",
);

/** Rights that need the host file opened for reading. */
export const RIGHTS_NEED_READ: bigint = rightsOf("fd_read", "fd_readdir");

/** Rights that need the host file opened for writing. */
export const RIGHTS_NEED_WRITE: bigint = rightsOf(
  "fd_datasync",
  "fd_write",
  "fd_allocate",
  "fd_filestat_set_size",
);

/** `filetype` values. */
export const Filetype = {
  unknown: 0,
  block_device: 1,
  character_device: 2,
  directory: 3,
  regular_file: 4,
  socket_dgram: 5,
  socket_stream: 6,
  symbolic_link: 7,
} as const;

/** `clockid` values. */
export const Clock = { realtime: 0, monotonic: 1, process_cputime_id: 2, thread_cputime_id: 3 };

/** `whence` values. */
export const Whence = { set: 0, cur: 1, end: 2 } as const;

/** `fdflags` bits. */
export const Fdflags = { append: 1, dsync: 2, nonblock: 4, rsync: 8, sync: 16 } as const;

/** `oflags` bits. */
export const Oflags = { creat: 1, directory: 2, excl: 4, trunc: 8 } as const;

/** `lookupflags` bits. */
export const Lookupflags = { symlink_follow: 1 } as const;

/** `fstflags` bits. */
export const Fstflags = { atim: 1, atim_now: 2, mtim: 4, mtim_now: 8 } as const;

/** `eventtype` values (also the tag of a subscription). */
export const Eventtype = { clock: 0, fd_read: 1, fd_write: 2 } as const;

/** `subclockflags` bits. */
export const Subclockflags = { subscription_clock_abstime: 1 } as const;

/** Largest `advice` value (`noreuse`). */
export const ADVICE_MAX = 5;

/** `preopentype` values. */
export const Preopentype = { dir: 0 } as const;

/** `iovec` / `ciovec`: `buf: u32 @0`, `buf_len: u32 @4`, size 8. */
export const IOVEC_SIZE = 8;

/** `filestat` layout, size 64. */
export const Filestat = {
  size: 64,
  dev: 0,
  ino: 8,
  filetype: 16,
  nlink: 24,
  fileSize: 32,
  atim: 40,
  mtim: 48,
  ctim: 56,
} as const;

/** `fdstat` layout, size 24. */
export const Fdstat = {
  size: 24,
  filetype: 0,
  flags: 2,
  rightsBase: 8,
  rightsInheriting: 16,
} as const;

/** `prestat` layout, size 8: tag `u8 @0`, `pr_name_len: u32 @4`. */
export const Prestat = { size: 8, tag: 0, nameLen: 4 } as const;

/** `dirent` header layout, size 24; the name follows it, not NUL-terminated. */
export const Dirent = { size: 24, next: 0, ino: 8, namlen: 16, type: 20 } as const;

/** `event` layout, size 32. */
export const Event = {
  size: 32,
  userdata: 0,
  error: 8,
  type: 10,
  nbytes: 16,
  flags: 24,
} as const;

/** `subscription` layout, size 48 (the union payload starts at 16). */
export const Subscription = {
  size: 48,
  userdata: 0,
  tag: 8,
  clockId: 16,
  clockTimeout: 24,
  clockPrecision: 32,
  clockFlags: 40,
  fd: 16,
} as const;
