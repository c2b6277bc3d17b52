/**
 * Host-call tests: calls the import functions directly on a bare memory and checks the bytes
 * they write against the preview1 struct layouts (filestat 64, fdstat 24, prestat 8, dirent
 * 24 + name, event 32, subscription 48) and the errnos of edge cases the C fixtures do not reach.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Errno } from "./errno.ts";
import { Wasi } from "./wasi.ts";
import { CaptureWriter } from "./_test_runner.ts";
import { Filetype, Oflags, Rights, RIGHTS_DIR } from "./_abi.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

interface Harness {
  call: Record<string, (...args: (number | bigint)[]) => number>;
  view: () => DataView;
  bytes: () => Uint8Array;
  put: (at: number, s: string) => number;
  tmp: string;
  stdout: CaptureWriter;
  memory: WebAssembly.Memory;
}

function withWasi(fn: (h: Harness) => void): void {
  const tmp = Deno.realPathSync(Deno.makeTempDirSync({ prefix: "capstan_wasi_abi_" }));
  try {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const stdout = new CaptureWriter();
    const wasi = new Wasi({ args: ["a", "bc"], env: { K: "V" }, preopens: { "/p": tmp }, stdout });
    wasi.initialize({ exports: { memory } });
    const put = (at: number, s: string) => {
      const b = enc.encode(s);
      new Uint8Array(memory.buffer).set(b, at);
      return b.length;
    };
    fn({
      call: wasi.imports as Harness["call"],
      view: () => new DataView(memory.buffer),
      bytes: () => new Uint8Array(memory.buffer),
      put,
      tmp,
      stdout,
      memory,
    });
  } finally {
    Deno.removeSync(tmp, { recursive: true });
  }
}

const ALL = (1n << 30n) - 1n;
const PATH = 1000;
const OUT = 2000;

/** Opens `path` under fd 3 and returns the new fd. */
function open(h: Harness, path: string, oflags = 0, rights = ALL, fdflags = 0): number {
  const len = h.put(PATH, path);
  const e = h.call.path_open(3, 1, PATH, len, oflags, rights, ALL, fdflags, OUT);
  assert.equal(e, 0, `path_open ${path}`);
  return h.view().getUint32(OUT, true);
}

Deno.test("args and environ are NUL-terminated strings behind a pointer array", () => {
  withWasi((h) => {
    assert.equal(h.call.args_sizes_get(0, 4), 0);
    assert.equal(h.view().getUint32(0, true), 2);
    assert.equal(h.view().getUint32(4, true), 5);
    assert.equal(h.call.args_get(100, 200), 0);
    assert.equal(h.view().getUint32(100, true), 200);
    assert.equal(h.view().getUint32(104, true), 202);
    assert.equal(dec.decode(h.bytes().subarray(200, 205)), "a\0bc\0");
    assert.equal(h.call.environ_sizes_get(0, 4), 0);
    assert.deepEqual([h.view().getUint32(0, true), h.view().getUint32(4, true)], [1, 4]);
    assert.equal(h.call.environ_get(100, 300), 0);
    assert.equal(dec.decode(h.bytes().subarray(300, 304)), "K=V\0");
  });
});

Deno.test("fd_prestat_get and fd_prestat_dir_name describe the preopen", () => {
  withWasi((h) => {
    h.bytes().fill(0xee, 0, 8);
    assert.equal(h.call.fd_prestat_get(3, 0), 0);
    assert.equal(h.view().getUint8(0), 0); // preopentype dir
    assert.equal(h.view().getUint32(4, true), 2);
    assert.equal(h.call.fd_prestat_dir_name(3, 16, 2), 0);
    assert.equal(dec.decode(h.bytes().subarray(16, 18)), "/p");
    assert.equal(h.call.fd_prestat_dir_name(3, 16, 1), Errno.nametoolong);
    assert.equal(h.call.fd_prestat_get(1, 0), Errno.badf);
    assert.equal(h.call.fd_prestat_get(4, 0), Errno.badf);
  });
});

Deno.test("fd_fdstat_get writes filetype, flags and rights", () => {
  withWasi((h) => {
    assert.equal(h.call.fd_fdstat_get(3, 0), 0);
    assert.equal(h.view().getUint8(0), Filetype.directory);
    assert.equal(h.view().getUint16(2, true), 0);
    assert.equal(h.view().getBigUint64(8, true), RIGHTS_DIR);
    assert.equal(h.view().getBigUint64(16, true), ALL);
    assert.equal(h.call.fd_fdstat_get(1, 0), 0);
    assert.equal(h.view().getUint8(0), Filetype.unknown);
    assert.equal(h.view().getBigUint64(8, true) & Rights.fd_write, Rights.fd_write);
    assert.equal(h.view().getBigUint64(8, true) & Rights.fd_seek, 0n);
    assert.equal(h.call.fd_fdstat_get(9, 0), Errno.badf);
  });
});

Deno.test("fd_filestat_get and path_filestat_get write a 64-byte filestat", () => {
  withWasi((h) => {
    Deno.writeTextFileSync(`${h.tmp}/f`, "hello");
    Deno.utimeSync(`${h.tmp}/f`, 1_600_000_000, 1_700_000_000);
    const info = Deno.statSync(`${h.tmp}/f`);
    const fd = open(h, "f", 0, Rights.fd_read | Rights.fd_filestat_get);
    h.bytes().fill(0xee, 0, 64);
    assert.equal(h.call.fd_filestat_get(fd, 0), 0);
    const v = h.view();
    assert.equal(v.getBigUint64(0, true), BigInt(info.dev));
    assert.equal(v.getBigUint64(8, true), BigInt(info.ino!));
    assert.equal(v.getUint8(16), Filetype.regular_file);
    assert.deepEqual([...h.bytes().subarray(17, 24)], [0, 0, 0, 0, 0, 0, 0]);
    assert.equal(v.getBigUint64(24, true), 1n);
    assert.equal(v.getBigUint64(32, true), 5n);
    assert.equal(v.getBigUint64(40, true), 1_600_000_000_000_000_000n);
    assert.equal(v.getBigUint64(48, true), 1_700_000_000_000_000_000n);
    const len = h.put(PATH, "f");
    h.bytes().fill(0, 100, 164);
    assert.equal(h.call.path_filestat_get(3, 0, PATH, len, 100), 0);
    assert.deepEqual(h.bytes().slice(100, 164), h.bytes().slice(0, 64));
    const missing = h.put(PATH, "nope");
    assert.equal(h.call.path_filestat_get(3, 0, PATH, missing, 100), Errno.noent);
  });
});

Deno.test("fd_readdir writes dirents and continues from a cookie", () => {
  withWasi((h) => {
    for (const name of ["alpha", "beta", "gamma"]) Deno.writeTextFileSync(`${h.tmp}/${name}`, "");
    Deno.mkdirSync(`${h.tmp}/dir`);
    // A buffer too small for one entry is filled completely: the caller must grow it.
    assert.equal(h.call.fd_readdir(3, 0, 30, 0n, 500), 0);
    assert.equal(h.view().getUint32(500, true), 30);
    assert.equal(h.view().getBigUint64(0, true), 1n); // d_next
    assert.equal(h.view().getUint32(16, true), 1); // d_namlen of "."
    assert.equal(h.view().getUint8(20), Filetype.directory);
    assert.equal(h.bytes()[24], ".".charCodeAt(0));
    // Read one entry at a time through cookies.
    const seen = new Map<string, number>();
    let cookie = 0n;
    for (;;) {
      assert.equal(h.call.fd_readdir(3, 0, 24 + 16, cookie, 500), 0);
      const used = h.view().getUint32(500, true);
      if (used === 0) break;
      const namlen = h.view().getUint32(16, true);
      assert.ok(used >= 24 + namlen);
      seen.set(dec.decode(h.bytes().slice(24, 24 + namlen)), h.view().getUint8(20));
      cookie = h.view().getBigUint64(0, true);
    }
    assert.deepEqual([...seen.keys()].sort(), [".", "..", "alpha", "beta", "dir", "gamma"]);
    assert.equal(seen.get("dir"), Filetype.directory);
    assert.equal(seen.get("beta"), Filetype.regular_file);
    assert.equal(cookie, 6n);
    assert.equal(h.call.fd_readdir(3, 0, 100, 99n, 500), 0);
    assert.equal(h.view().getUint32(500, true), 0);
    assert.equal(h.call.fd_readdir(1, 0, 100, 0n, 500), Errno.notdir);
  });
});

Deno.test("fd_renumber moves a descriptor onto another open one", () => {
  withWasi((h) => {
    Deno.writeTextFileSync(`${h.tmp}/one`, "1");
    Deno.writeTextFileSync(`${h.tmp}/two`, "2");
    const a = open(h, "one");
    assert.equal(h.call.fd_renumber(a, 42), Errno.badf);
    const b = open(h, "two");
    assert.equal(h.call.fd_renumber(a, b), 0);
    assert.equal(h.call.fd_close(a), Errno.badf);
    h.view().setUint32(0, 100, true);
    h.view().setUint32(4, 8, true);
    assert.equal(h.call.fd_read(b, 0, 1, 8), 0);
    assert.equal(h.view().getUint32(8, true), 1);
    assert.equal(String.fromCharCode(h.bytes()[100]), "1");
    // The lowest free number is reused.
    assert.equal(open(h, "two"), a);
  });
});

Deno.test("fd_seek, fd_tell, fd_pread and fd_pwrite", () => {
  withWasi((h) => {
    Deno.writeTextFileSync(`${h.tmp}/f`, "0123456789");
    const fd = open(h, "f");
    assert.equal(h.call.fd_seek(fd, 4n, 0, 0), 0);
    assert.equal(h.view().getBigUint64(0, true), 4n);
    assert.equal(h.call.fd_seek(fd, -2n, 1, 0), 0);
    assert.equal(h.view().getBigUint64(0, true), 2n);
    assert.equal(h.call.fd_seek(fd, -1n, 2, 0), 0);
    assert.equal(h.view().getBigUint64(0, true), 9n);
    assert.equal(h.call.fd_seek(fd, -20n, 1, 0), Errno.inval);
    assert.equal(h.call.fd_seek(fd, 0n, 3, 0), Errno.inval);
    assert.equal(h.call.fd_tell(fd, 0), 0);
    assert.equal(h.view().getBigUint64(0, true), 9n);
    assert.equal(h.call.fd_seek(1, 0n, 0, 0), Errno.spipe);
    // pread at 3, 4 bytes; the offset stays at 9
    h.view().setUint32(16, 100, true);
    h.view().setUint32(20, 4, true);
    assert.equal(h.call.fd_pread(fd, 16, 1, 3n, 8), 0);
    assert.equal(dec.decode(h.bytes().subarray(100, 104)), "3456");
    h.put(100, "ab");
    h.view().setUint32(20, 2, true);
    assert.equal(h.call.fd_pwrite(fd, 16, 1, 1n, 8), 0);
    assert.equal(h.view().getUint32(8, true), 2);
    assert.equal(h.call.fd_tell(fd, 0), 0);
    assert.equal(h.view().getBigUint64(0, true), 9n);
    assert.equal(Deno.readTextFileSync(`${h.tmp}/f`), "0ab3456789");
  });
});

Deno.test("fd_fdstat_set_flags(append) makes writes go to the end", () => {
  withWasi((h) => {
    Deno.writeTextFileSync(`${h.tmp}/f`, "abc");
    const fd = open(h, "f");
    assert.equal(h.call.fd_fdstat_set_flags(fd, 1), 0);
    h.put(100, "XY");
    h.view().setUint32(16, 100, true);
    h.view().setUint32(20, 2, true);
    assert.equal(h.call.fd_write(fd, 16, 1, 8), 0);
    assert.equal(Deno.readTextFileSync(`${h.tmp}/f`), "abcXY");
    assert.equal(h.call.fd_fdstat_get(fd, 0), 0);
    assert.equal(h.view().getUint16(2, true), 1);
  });
});

Deno.test("fd_allocate, fd_filestat_set_size, fd_advise", () => {
  withWasi((h) => {
    const fd = open(h, "f", Oflags.creat);
    assert.equal(h.call.fd_allocate(fd, 10n, 90n), 0);
    assert.equal(Deno.statSync(`${h.tmp}/f`).size, 100);
    assert.equal(h.call.fd_filestat_set_size(fd, 7n), 0);
    assert.equal(Deno.statSync(`${h.tmp}/f`).size, 7);
    assert.equal(h.call.fd_advise(fd, 0n, 0n, 5), 0);
    assert.equal(h.call.fd_advise(fd, 0n, 0n, 6), Errno.inval);
    assert.equal(h.call.fd_allocate(3, 0n, 1n), Errno.notcapable);
    assert.equal(h.call.fd_filestat_set_times(fd, 0n, 0n, 1 | 2), Errno.inval);
    assert.equal(h.call.fd_filestat_set_times(fd, 0n, 5_000_000_000n, 4), 0);
    assert.equal(Deno.statSync(`${h.tmp}/f`).mtime?.getTime(), 5000);
  });
});

Deno.test("rights: set_rights only narrows, and missing rights give ENOTCAPABLE", () => {
  withWasi((h) => {
    Deno.writeTextFileSync(`${h.tmp}/f`, "x");
    const fd = open(h, "f", 0, Rights.fd_read);
    h.view().setUint32(16, 100, true);
    h.view().setUint32(20, 1, true);
    assert.equal(h.call.fd_write(fd, 16, 1, 8), Errno.notcapable);
    assert.equal(
      h.call.fd_fdstat_set_rights(fd, Rights.fd_read | Rights.fd_write, 0n),
      Errno.notcapable,
    );
    assert.equal(h.call.fd_fdstat_set_rights(fd, 0n, 0n), 0);
    assert.equal(h.call.fd_read(fd, 16, 1, 8), Errno.notcapable);
    assert.equal(h.call.fd_fdstat_set_rights(3, RIGHTS_DIR & ~Rights.path_open, ALL), 0);
    const len = h.put(PATH, "f");
    assert.equal(h.call.path_open(3, 0, PATH, len, 0, 0n, 0n, 0, OUT), Errno.notcapable);
  });
});

Deno.test("path_open: oflags and requested rights beyond the directory's inheriting ones", () => {
  withWasi((h) => {
    const len = h.put(PATH, "new");
    assert.equal(h.call.path_open(3, 0, PATH, len, 0, 0n, 0n, 0, OUT), Errno.noent);
    assert.equal(h.call.path_open(3, 0, PATH, len, Oflags.creat | Oflags.excl, 2n, 0n, 0, OUT), 0);
    assert.equal(
      h.call.path_open(3, 0, PATH, len, Oflags.creat | Oflags.excl, 2n, 0n, 0, OUT),
      Errno.exist,
    );
    // Creating read-only still creates the file.
    const len2 = h.put(PATH, "ro");
    assert.equal(h.call.path_open(3, 0, PATH, len2, Oflags.creat, Rights.fd_read, 0n, 0, OUT), 0);
    assert.equal(Deno.statSync(`${h.tmp}/ro`).isFile, true);
    const fd = h.view().getUint32(OUT, true);
    assert.equal(h.call.fd_fdstat_set_rights(3, RIGHTS_DIR, Rights.fd_read), 0);
    assert.equal(
      h.call.path_open(3, 0, PATH, len2, 0, Rights.fd_write, 0n, 0, OUT),
      Errno.notcapable,
    );
    assert.equal(h.call.fd_close(fd), 0);
    h.put(PATH, "new");
    assert.equal(h.call.path_open(3, 0, PATH, len, Oflags.directory, 0n, 0n, 0, OUT), Errno.notdir);
    assert.equal(h.call.path_open(3, 0, PATH, len, 0, 0n, 0n, 0x20, OUT), Errno.inval);
    h.bytes()[PATH] = 0xff; // not UTF-8
    assert.equal(h.call.path_open(3, 0, PATH, 1, 0, 0n, 0n, 0, OUT), Errno.ilseq);
  });
});

Deno.test("poll_oneoff: ready descriptors answer at once, ahead of a distant clock", () => {
  withWasi((h) => {
    Deno.writeTextFileSync(`${h.tmp}/f`, "0123456789");
    const fd = open(h, "f");
    const v = h.view();
    const sub = (i: number, userdata: bigint, tag: number, fdOrClock: number, timeout = 0n) => {
      const at = 100 + 48 * i;
      v.setBigUint64(at, userdata, true);
      v.setUint8(at + 8, tag);
      v.setUint32(at + 16, fdOrClock, true);
      v.setBigUint64(at + 24, timeout, true);
      v.setUint16(at + 40, 0, true);
    };
    sub(0, 7n, 0, 1, 10_000_000_000n); // monotonic clock, 10 s
    sub(1, 8n, 1, fd); // fd_read on the file
    sub(2, 9n, 2, 1); // fd_write on stdout
    sub(3, 10n, 1, 77); // fd_read on a closed fd
    const t0 = performance.now();
    assert.equal(h.call.poll_oneoff(100, 400, 4, 90), 0);
    assert.ok(performance.now() - t0 < 1000);
    assert.equal(v.getUint32(90, true), 3);
    const events = [0, 1, 2].map((i) => ({
      userdata: v.getBigUint64(400 + 32 * i, true),
      error: v.getUint16(400 + 32 * i + 8, true),
      type: v.getUint8(400 + 32 * i + 10),
      nbytes: v.getBigUint64(400 + 32 * i + 16, true),
    }));
    assert.deepEqual(events, [
      { userdata: 8n, error: 0, type: 1, nbytes: 10n },
      { userdata: 9n, error: 0, type: 2, nbytes: 0n },
      { userdata: 10n, error: Errno.badf, type: 1, nbytes: 0n },
    ]);
    // A lone relative clock sleeps for its timeout.
    sub(0, 5n, 0, 1, 20_000_000n);
    const t1 = performance.now();
    assert.equal(h.call.poll_oneoff(100, 400, 1, 90), 0);
    assert.ok(performance.now() - t1 >= 19);
    assert.equal(v.getBigUint64(400, true), 5n);
    assert.equal(v.getUint8(410), 0);
  });
});

Deno.test("out-of-bounds guest pointers give EFAULT", () => {
  withWasi((h) => {
    assert.equal(h.call.random_get(65530, 100), Errno.fault);
    assert.equal(h.call.args_sizes_get(65535, 0), Errno.fault);
    assert.equal(h.call.clock_time_get(0, 1n, 65532), Errno.fault);
    assert.equal(h.call.random_get(0xfffffff0, 1), Errno.fault);
  });
});

Deno.test("stdout receives fd_write bytes across several iovecs", () => {
  withWasi((h) => {
    h.put(100, "Hello, ");
    h.put(200, "world\n");
    h.view().setUint32(0, 100, true);
    h.view().setUint32(4, 7, true);
    h.view().setUint32(8, 200, true);
    h.view().setUint32(12, 6, true);
    assert.equal(h.call.fd_write(1, 0, 2, 20), 0);
    assert.equal(h.view().getUint32(20, true), 13);
    assert.equal(h.stdout.text(), "Hello, world\n");
    assert.equal(h.call.fd_write(0, 0, 2, 20), Errno.notcapable);
  });
});

Deno.test("host calls see memory that grew after earlier calls", () => {
  withWasi((h) => {
    assert.equal(h.call.random_get(0, 16), 0);
    assert.equal(h.call.random_get(70000, 16), Errno.fault);
    h.memory.grow(1);
    assert.equal(h.call.random_get(70000, 16), 0);
    assert.ok(new Uint8Array(h.memory.buffer, 70000, 16).some((b) => b !== 0));
    h.put(70100, "grown\n");
    h.view().setUint32(70200, 70100, true);
    h.view().setUint32(70204, 6, true);
    assert.equal(h.call.fd_write(1, 70200, 1, 70208), 0);
    assert.equal(h.stdout.text(), "grown\n");
  });
});

Deno.test("path_open with an out-of-bounds result pointer creates nothing", () => {
  withWasi((h) => {
    const len = h.put(PATH, "created");
    assert.equal(
      h.call.path_open(3, 0, PATH, len, Oflags.creat, ALL, ALL, 0, 65534),
      Errno.fault,
    );
    assert.deepEqual([...Deno.readDirSync(h.tmp)], []);
    // The lowest free fd is still 4: nothing was left in the table.
    assert.equal(open(h, "created", Oflags.creat), 4);
  });
});
