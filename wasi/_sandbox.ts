/**
 * Sandboxed path resolution: turns a guest path relative to a directory descriptor into a host
 * path that is guaranteed to lie inside that directory.
 *
 * Invariants:
 * - Each directory descriptor is its own root, as in cap-std: a path may never climb above it.
 * - Absolute guest paths are refused (`EPERM`, as wasmtime).
 * - `..` is resolved lexically against the components walked so far; going above the root fails
 *   with `EPERM`.
 * - Every component except the last is checked with `Deno.lstatSync`; a symbolic link is expanded
 *   by reading it and splicing its target into the walk, so the target is held to the same rules
 *   (absolute targets and targets climbing above the root fail with `EPERM`). The last component
 *   is expanded only when the caller asks to follow it (`lookupflags.symlink_follow`) or when the
 *   path ends with `/` or `/.`, which names a directory.
 * - At most {@linkcode MAX_SYMLINKS} expansions per resolution (`ELOOP` beyond).
 *
 * The resolver touches the host only through `lstatSync` and `readLinkSync`.
 *
 * @module
 */

import { Errno } from "./errno.ts";
import { fail } from "./_fail.ts";

/** Most symbolic links expanded while resolving one path, as Linux's `MAXSYMLINKS`. */
export const MAX_SYMLINKS = 40;

/** The outcome of resolving a guest path. */
export interface ResolvedPath {
  /** Absolute host path, inside the root. */
  host: string;
  /** Components below the root (empty for the root itself). */
  parts: string[];
  /** Whether the path must name a directory (it ended with `/`, `/.` or `/..`). */
  mustBeDir: boolean;
}

/** Joins a root and components into a host path. */
export function hostPath(root: string, parts: readonly string[]): string {
  if (parts.length === 0) return root;
  return root.endsWith("/") ? root + parts.join("/") : `${root}/${parts.join("/")}`;
}

/**
 * The host file's own metadata (a symlink is not followed), or null when
 * nothing is there.
 *
 * @param path a host path
 * @returns its lstat, or null
 */
export function lstatOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.lstatSync(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/**
 * Resolves `path` below the directory `root` (an absolute host path).
 *
 * @param root host directory the path is relative to; nothing above it is reachable
 * @param path the guest path
 * @param followLast expand a symbolic link in the last component
 * @returns the host path and components; throws an `ErrnoError` on escape or a bad component
 */
export function resolvePath(root: string, path: string, followLast: boolean): ResolvedPath {
  if (path.length === 0) fail(Errno.noent, "empty path");
  if (path.includes("\0")) fail(Errno.inval, "NUL in path");
  if (path.startsWith("/")) fail(Errno.perm, "absolute path");
  const parts: string[] = [];
  // Pending components, last element first to pop.
  const queue = path.split("/").reverse();
  let mustBeDir = endsAsDirectory(path);
  let expansions = 0;
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (name === "" || name === ".") continue;
    if (name === "..") {
      if (parts.length === 0) fail(Errno.perm, "path climbs above its directory");
      parts.pop();
      continue;
    }
    const isLast = queue.every((rest) => rest === "" || rest === ".");
    if (!isLast || followLast || mustBeDir) {
      const candidate = hostPath(root, [...parts, name]);
      const info = lstatOrNull(candidate);
      if (info === null) {
        if (!isLast) fail(Errno.noent);
      } else if (info.isSymlink) {
        if (++expansions > MAX_SYMLINKS) fail(Errno.loop);
        const target = Deno.readLinkSync(candidate);
        if (target.length === 0) fail(Errno.noent, "empty symlink");
        if (target.startsWith("/")) fail(Errno.perm, "symlink to an absolute path");
        if (isLast && endsAsDirectory(target)) mustBeDir = true;
        const targetParts = target.split("/");
        for (let i = targetParts.length - 1; i >= 0; i--) queue.push(targetParts[i]);
        continue;
      } else if (!info.isDirectory && (!isLast || mustBeDir)) {
        fail(Errno.notdir);
      }
    }
    parts.push(name);
  }
  return { host: hostPath(root, parts), parts, mustBeDir };
}

function endsAsDirectory(path: string): boolean {
  return path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..") || path === "." ||
    path === "..";
}

/**
 * Resolves `path` for an operation on the entry itself (unlink, rmdir, rename, link, symlink):
 * the last component is never followed, even with a trailing `/` (then `mustBeDir` is set and the
 * caller checks the entry is a real directory), and it must be a name, not `.` or `..`.
 *
 * @returns the resolved path; its `parts` are never empty
 */
export function resolveEntry(root: string, path: string): ResolvedPath {
  const trimmed = path.replace(/\/+$/, "");
  if (trimmed.length === 0) return resolvePath(root, path, false); // "" or "/": ENOENT / EPERM
  const resolved = resolvePath(root, trimmed, false);
  const last = trimmed.split("/").pop();
  if (last === "." || last === ".." || resolved.parts.length === 0) {
    fail(Errno.inval, "path names no entry");
  }
  return { ...resolved, mustBeDir: trimmed !== path };
}

/**
 * Whether a symbolic link with contents `target`, created at `linkParts` below a root, would
 * point outside the root when read lexically (absolute, or climbing above the root).
 */
export function symlinkTargetEscapes(linkParts: readonly string[], target: string): boolean {
  if (target.startsWith("/")) return true;
  let depth = linkParts.length - 1;
  for (const name of target.split("/")) {
    if (name === "" || name === ".") continue;
    if (name === "..") {
      if (--depth < 0) return true;
    } else {
      depth++;
    }
  }
  return false;
}
