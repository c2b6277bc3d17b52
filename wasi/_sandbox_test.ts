/**
 * Unit tests of the sandboxed path resolver, on a real temporary directory tree.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Errno } from "./errno.ts";
import { ErrnoError } from "./_fail.ts";
import { resolveEntry, resolvePath, symlinkTargetEscapes } from "./_sandbox.ts";

function withTree(fn: (root: string, tmp: string) => void): void {
  const tmp = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "capstan_sandbox_" }));
  try {
    const root = `${tmp}/root`;
    Deno.mkdirSync(`${root}/a/b`, { recursive: true });
    Deno.writeTextFileSync(`${root}/a/file`, "x");
    Deno.mkdirSync(`${tmp}/outside`);
    Deno.symlinkSync("a/b", `${root}/to_b`);
    Deno.symlinkSync("../..", `${root}/a/b/up2`); // -> root
    Deno.symlinkSync("../../..", `${root}/a/b/up3`); // -> tmp: outside
    Deno.symlinkSync(`${tmp}/outside`, `${root}/abs`);
    Deno.symlinkSync("self", `${root}/self`);
    Deno.symlinkSync("a/file", `${root}/to_file`);
    fn(root, tmp);
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
}

function errnoOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof ErrnoError) return err.errno;
    throw err;
  }
  return 0;
}

Deno.test("resolvePath() resolves .. lexically inside the root", () => {
  withTree((root) => {
    assert.deepEqual(resolvePath(root, "a/b/../file", false).parts, ["a", "file"]);
    assert.equal(resolvePath(root, "a/./b/..", false).host, `${root}/a`);
    assert.equal(resolvePath(root, ".", false).host, root);
    assert.equal(resolvePath(root, "a/..", false).host, root);
  });
});

Deno.test("resolvePath() refuses climbing above the root with EPERM", () => {
  withTree((root) => {
    assert.equal(errnoOf(() => resolvePath(root, "..", false)), Errno.perm);
    assert.equal(errnoOf(() => resolvePath(root, "a/../../root/a", false)), Errno.perm);
    assert.equal(errnoOf(() => resolvePath(root, "a/b/../../..", false)), Errno.perm);
  });
});

Deno.test("resolvePath() refuses absolute paths with EPERM", () => {
  withTree((root) => {
    assert.equal(errnoOf(() => resolvePath(root, "/", false)), Errno.perm);
    assert.equal(errnoOf(() => resolvePath(root, `${root}/a`, false)), Errno.perm);
  });
});

Deno.test("resolvePath() follows symlinks in the middle, and at the end only when asked", () => {
  withTree((root) => {
    assert.deepEqual(resolvePath(root, "to_b/x", false).parts, ["a", "b", "x"]);
    assert.deepEqual(resolvePath(root, "to_b", false).parts, ["to_b"]);
    assert.deepEqual(resolvePath(root, "to_b", true).parts, ["a", "b"]);
    assert.deepEqual(resolvePath(root, "to_b/", false).parts, ["a", "b"]);
    assert.deepEqual(resolvePath(root, "a/b/up2/a", false).parts, ["a"]);
  });
});

Deno.test("resolvePath() refuses symlinks that point outside", () => {
  withTree((root) => {
    assert.equal(errnoOf(() => resolvePath(root, "a/b/up3/outside", false)), Errno.perm);
    assert.equal(errnoOf(() => resolvePath(root, "a/b/up3", true)), Errno.perm);
    assert.equal(errnoOf(() => resolvePath(root, "abs/x", false)), Errno.perm);
    assert.equal(errnoOf(() => resolvePath(root, "abs", true)), Errno.perm);
    // Not following the last component leaves the link alone, which is safe.
    assert.deepEqual(resolvePath(root, "abs", false).parts, ["abs"]);
  });
});

Deno.test("resolvePath() reports loops, missing and non-directory components", () => {
  withTree((root) => {
    assert.equal(errnoOf(() => resolvePath(root, "self", true)), Errno.loop);
    assert.equal(errnoOf(() => resolvePath(root, "missing/x", false)), Errno.noent);
    assert.equal(errnoOf(() => resolvePath(root, "a/file/x", false)), Errno.notdir);
    assert.equal(errnoOf(() => resolvePath(root, "a/file/", false)), Errno.notdir);
    assert.equal(errnoOf(() => resolvePath(root, "to_file/", false)), Errno.notdir);
    assert.equal(errnoOf(() => resolvePath(root, "a/file/..", false)), Errno.notdir);
    assert.equal(errnoOf(() => resolvePath(root, "", false)), Errno.noent);
    assert.equal(errnoOf(() => resolvePath(root, "a\0b", false)), Errno.inval);
    // A missing last component is fine: it may be created.
    assert.equal(resolvePath(root, "a/new", true).host, `${root}/a/new`);
  });
});

Deno.test("resolveEntry() keeps the last component and refuses . and ..", () => {
  withTree((root) => {
    assert.deepEqual(resolveEntry(root, "to_b").parts, ["to_b"]);
    const dir = resolveEntry(root, "to_b/");
    assert.deepEqual(dir.parts, ["to_b"]);
    assert.equal(dir.mustBeDir, true);
    assert.equal(errnoOf(() => resolveEntry(root, ".")), Errno.inval);
    assert.equal(errnoOf(() => resolveEntry(root, "a/..")), Errno.inval);
    assert.equal(errnoOf(() => resolveEntry(root, "..")), Errno.perm);
    assert.equal(errnoOf(() => resolveEntry(root, "/")), Errno.perm);
    assert.equal(errnoOf(() => resolveEntry(root, "abs/x")), Errno.perm);
  });
});

Deno.test("symlinkTargetEscapes() judges link contents from the link's directory", () => {
  assert.equal(symlinkTargetEscapes(["link"], "a/b"), false);
  assert.equal(symlinkTargetEscapes(["link"], ".."), true);
  assert.equal(symlinkTargetEscapes(["d", "link"], ".."), false);
  assert.equal(symlinkTargetEscapes(["d", "link"], "../.."), true);
  assert.equal(symlinkTargetEscapes(["d", "link"], "x/../../y"), false);
  assert.equal(symlinkTargetEscapes(["link"], "/etc"), true);
});

Deno.test("resolvePath() never yields a path outside the root (seeded random paths)", () => {
  withTree((root, tmp) => {
    // More links, some escaping, some chained, some to files, some dangling.
    Deno.symlinkSync("../../outside", `${root}/a/esc`);
    Deno.symlinkSync("b/up2/to_b", `${root}/a/chain`);
    Deno.symlinkSync("../a/b/..", `${root}/a/b/back`);
    Deno.symlinkSync("nowhere/else", `${root}/dangling`);
    Deno.mkdirSync(`${tmp}/outside/deep`);
    const realRoot = Deno.realPathSync(root);
    const names = [
      "a",
      "b",
      "file",
      "to_b",
      "up2",
      "up3",
      "abs",
      "self",
      "to_file",
      "esc",
      "chain",
      "back",
      "dangling",
      "outside",
      "deep",
      "root",
      "..",
      ".",
      "",
    ];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let resolved = 0;
    let refused = 0;
    for (let i = 0; i < 4000; i++) {
      const count = 1 + Math.floor(next() * 6);
      const path = Array.from({ length: count }, () => names[Math.floor(next() * names.length)])
        .join("/");
      const follow = next() < 0.5;
      let host: string;
      try {
        host = resolvePath(root, path, follow).host;
      } catch (err) {
        if (!(err instanceof ErrnoError)) throw err;
        refused++;
        continue;
      }
      resolved++;
      assert.ok(host === root || host.startsWith(`${root}/`), `${path} -> ${host}`);
      // Whatever the host path names now, following it from the root stays inside.
      let real: string | undefined;
      try {
        real = Deno.realPathSync(host);
      } catch {
        real = undefined; // missing or dangling: nothing to reach
      }
      if (real !== undefined && follow) {
        assert.ok(real === realRoot || real.startsWith(`${realRoot}/`), `${path} -> ${real}`);
      }
    }
    assert.ok(resolved > 500 && refused > 500, `resolved ${resolved}, refused ${refused}`);
  });
});
