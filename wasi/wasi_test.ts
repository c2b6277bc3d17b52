/**
 * End-to-end tests of `Wasi`: the C programs in `testdata/` (built by `testdata/build.sh`) run
 * on every available `WebAssembly` implementation (native, and Capstan's facade once
 * `runtime/webassembly.ts` exports one), comparing stdout, stderr, exit code and the effects on
 * the host file system.
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import assert from "node:assert/strict";
import { engines, fixture, runWasi } from "./_test_runner.ts";
import { Errno } from "./errno.ts";
import { Wasi } from "./wasi.ts";
import { WasiExit } from "./exit.ts";

const ENGINES = await engines();

/**
 * Deno.test for one engine. An engine that cannot run wasm fails every one of
 * its tests with the reason, so a broken runtime never hides as skipped tests.
 */
function engineTest(
  engine: { name: string; unavailable?: string },
  name: string,
  fn: () => Promise<void>,
): void {
  Deno.test(
    `[${engine.name}] ${name}`,
    engine.unavailable === undefined ? fn : () => {
      throw new Error(`${engine.name} cannot run wasm: ${engine.unavailable}`);
    },
  );
}

function names(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).sort();
}

for (const engine of ENGINES) {
  const { wasm } = engine;
  engineTest(engine, "args_env prints argv and environ and returns 0 from _start", async () => {
    const r = await runWasi(wasm, fixture("args_env.wasm"), {
      args: ["prog", "a", "b c", "ünï"],
      env: { A: "1", HOME: "/home/guest", EMPTY: "" },
    });
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      "argc=4\nargv[0]=prog\nargv[1]=a\nargv[2]=b c\nargv[3]=ünï\n" +
        "env[0]=A=1\nenv[1]=HOME=/home/guest\nenv[2]=EMPTY=\nHOME=/home/guest\n",
    );
    assert.equal(r.stderr, "");
  });

  engineTest(engine, "args_env sees no host environment by default", async () => {
    const r = await runWasi(wasm, fixture("args_env.wasm"), { args: ["prog"] });
    assert.equal(r.stdout, "argc=1\nargv[0]=prog\nHOME=(unset)\n");
  });

  engineTest(engine, "exit codes: exit(), proc_exit and return from main", async () => {
    for (const [mode, n, expected] of [["exit", "7", 7], ["raw", "300", 300], ["return", "3", 3]]) {
      const r = await runWasi(wasm, fixture("args_env.wasm"), { args: ["p", `${mode}`, `${n}`] });
      assert.equal(r.code, expected, mode as string);
      assert.match(r.stdout, /^argc=3\n/);
    }
  });

  engineTest(engine, "echo copies stdin to stdout byte for byte", async () => {
    const input = new Uint8Array(1000);
    for (let i = 0; i < input.length; i++) input[i] = (i * 7 + 3) & 0xff;
    const r = await runWasi(wasm, fixture("echo.wasm"), { args: ["echo"], stdin: input });
    assert.equal(r.code, 0);
    assert.deepEqual(r.stdoutBytes, input);
    assert.equal(r.stderr, "poll=2 in=1 out=1\nread 1000 bytes\n");
  });

  engineTest(engine, "echo of empty stdin writes nothing", async () => {
    const r = await runWasi(wasm, fixture("echo.wasm"), { args: ["echo"] });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "poll=2 in=1 out=1\nread 0 bytes\n");
  });

  engineTest(engine, "files: file I/O in a preopened directory", async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "capstan_wasi_files_" });
    try {
      Deno.writeTextFileSync(`${tmp}/existing.txt`, "already here");
      const r = await runWasi(wasm, fixture("files.wasm"), {
        args: ["files"],
        preopens: { "/sandbox": tmp },
      });
      assert.equal(r.stderr, "");
      assert.equal(r.code, 0);
      const { inval, exist, noent, isdir, notdir, notempty, badf } = Errno;
      assert.equal(
        r.stdout,
        [
          "read at 6: world",
          "tell: 11",
          "seek end-3: 9",
          "read rest: 3",
          "read at eof: 0",
          `seek before start: rc=-1 errno=${inval}`,
          "pread 0..4: hell, offset still 2",
          "stat a.txt: size=12 reg=1 dir=0 nlink=1",
          `mkdir existing: rc=-1 errno=${exist}`,
          "stat dir: dir=1",
          `stat old name: rc=-1 errno=${noent}`,
          "renamed contents: hello World",
          "after append: size=26",
          "after truncate: size=20",
          // wasi-libc reports a missing fd_write right (ENOTCAPABLE) as EBADF.
          `write to read-only fd: rc=-1 errno=${badf}`,
          `open missing: rc=-1 errno=${noent}`,
          `create exclusive existing: rc=-1 errno=${exist}`,
          `open dir for writing: rc=-1 errno=${isdir}`,
          `open file as directory: rc=-1 errno=${notdir}`,
          `rmdir non-empty: rc=-1 errno=${notempty}`,
          `unlink a directory: rc=-1 errno=${isdir}`,
          `close bad fd: rc=-1 errno=${badf}`,
          "readlink: 11 renamed.txt",
          "lstat link: lnk=1",
          "stat through link: reg=1 size=12",
          "through link: hello World",
          "nlink after link: 2",
          `link to a name with a trailing slash: rc=-1 errno=${noent}`,
          `symlink to a name with a trailing slash: rc=-1 errno=${noent}`,
          `link of a file named with a trailing slash: rc=-1 errno=${notdir}`,
          "stamp: atime=999999999 mtime=1000000000",
          "stamp ns: atime=1000000000.123456789 mtime=1000000000.999999800",
          "futimens: atime=1000000000.123456789 mtime=1000000000.000000007",
          "link's own mtime=1234567890.000000005",
          "its target's mtime unchanged: 1",
          "many: 150 entries, 150 distinct",
          `stat removed dir: rc=-1 errno=${noent}`,
          "relative stat: size=12",
          "list /sandbox: 4 entries, 2 dots: dir existing.txt keep.txt stamp",
          "list /sandbox/dir: 3 entries, 2 dots: hard.txt link renamed.txt",
          "done",
          "",
        ].join("\n"),
      );
      // The effects, seen from the host.
      assert.deepEqual(names(tmp), ["dir", "existing.txt", "keep.txt", "stamp"]);
      assert.deepEqual(names(`${tmp}/dir`), ["hard.txt", "link", "renamed.txt"]);
      assert.equal(Deno.readTextFileSync(`${tmp}/keep.txt`), "0123456789ABCDEF\napp");
      assert.equal(Deno.readTextFileSync(`${tmp}/dir/renamed.txt`), "hello World\n");
      assert.equal(Deno.readTextFileSync(`${tmp}/existing.txt`), "already here");
      assert.equal(Deno.readLinkSync(`${tmp}/dir/link`), "renamed.txt");
      assert.equal(
        Deno.statSync(`${tmp}/dir/hard.txt`).ino,
        Deno.statSync(`${tmp}/dir/renamed.txt`).ino,
      );
      assert.equal(Deno.statSync(`${tmp}/stamp`).mtime?.getTime(), 1_000_000_000_000);
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  });

  engineTest(engine, "clock_random: clocks, sleeps, random bytes and stubs", async () => {
    const before = Math.floor(Date.now() / 1000);
    const r = await runWasi(wasm, fixture("clock_random.wasm"), { args: ["clock_random"] });
    const after = Math.ceil(Date.now() / 1000);
    assert.equal(r.code, 0);
    const realtime = Number(/^realtime=(\d+)$/m.exec(r.stdout)?.[1]);
    assert.ok(realtime >= before && realtime <= after, `realtime ${realtime}`);
    const { badf, inval, nosys, notsock } = Errno;
    assert.equal(
      r.stdout.replace(/^realtime=\d+\n/m, ""),
      [
        "res monotonic: ok",
        "res realtime: ok",
        "nanosleep: ok",
        "slept >= 30ms: ok",
        "slept < 2s: ok",
        "abs sleep: ok",
        "woke after deadline: ok",
        "poll two clocks: errno=0 n=1 userdata=22 type=0 error=0",
        "clock_time_get realtime: errno=0",
        "poll past deadline: errno=0 n=1 userdata=33",
        `poll nothing: errno=${inval}`,
        "clock_time_get cputime: errno=0",
        "cputime advances: ok",
        "thread cputime: ok",
        `bad clock: errno=${inval}`,
        "getentropy: ok",
        "random differs: ok",
        "random_get big: errno=0",
        "random big covers all bytes: ok, tail filled: ok",
        "sched_yield: 0",
        `proc_raise: errno=${nosys}`,
        ...[1, 99].flatMap((fd) =>
          ["sock_accept", "sock_recv", "sock_send", "sock_shutdown"].map((f) =>
            `${f} ${fd}: errno=${fd === 1 ? notsock : badf}`
          )
        ),
        "",
      ].join("\n"),
    );
  });

  engineTest(engine, "escape: no path leaves the preopened directory", async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "capstan_wasi_escape_" });
    try {
      const s = `${tmp}/sandbox`;
      Deno.mkdirSync(s);
      Deno.mkdirSync(`${tmp}/outside`);
      Deno.writeTextFileSync(`${tmp}/outside/secret.txt`, "top secret\n");
      Deno.utimeSync(`${tmp}/outside/secret.txt`, 1_500_000_000, 1_500_000_000);
      Deno.mkdirSync(`${s}/sub`);
      Deno.writeTextFileSync(`${s}/sub/ok.txt`, "inside\n");
      Deno.symlinkSync("../outside", `${s}/out_dir`);
      Deno.symlinkSync(`${tmp}/outside`, `${s}/out_abs`);
      Deno.symlinkSync("../outside/secret.txt", `${s}/out_file`);
      Deno.symlinkSync("sub/../../outside", `${s}/chain`);
      Deno.symlinkSync("sub", `${s}/inner`);
      Deno.symlinkSync("loop_b", `${s}/loop_a`);
      Deno.symlinkSync("loop_a", `${s}/loop_b`);
      const r = await runWasi(wasm, fixture("escape.wasm"), {
        args: ["escape"],
        preopens: { "/sandbox": s },
      });
      assert.equal(r.code, 0);
      const { perm, loop, notcapable } = Errno;
      assert.equal(
        r.stdout,
        [
          "open sub/ok.txt: errno=0",
          "open inner/ok.txt: errno=0",
          "open sub/../sub/ok.txt: errno=0",
          "open . as directory: errno=0",
          `open ..: errno=${perm}`,
          `open ../outside/secret.txt: errno=${perm}`,
          `open sub/../../outside/secret.txt: errno=${perm}`,
          `create ../outside/new.txt: errno=${perm}`,
          `open /etc/passwd: errno=${perm}`,
          `open /: errno=${perm}`,
          `open out_dir/secret.txt: errno=${perm}`,
          `open out_abs/secret.txt: errno=${perm}`,
          `open out_file (follow): errno=${perm}`,
          `open out_file (nofollow): errno=${loop}`,
          `open chain/secret.txt: errno=${perm}`,
          `create out_dir/new.txt: errno=${perm}`,
          `truncate out_file: errno=${perm}`,
          `open loop_a: errno=${loop}`,
          `filestat ..: errno=${perm}`,
          `filestat out_file (follow): errno=${perm}`,
          "filestat out_file (nofollow): errno=0",
          "  nofollow filetype=7",
          `mkdir ../evil: errno=${perm}`,
          `mkdir out_dir/evil: errno=${perm}`,
          `rename sub/ok.txt -> ../outside/stolen: errno=${perm}`,
          `rename ../outside/secret.txt -> here: errno=${perm}`,
          `unlink ../outside/secret.txt: errno=${perm}`,
          `unlink out_dir/secret.txt: errno=${perm}`,
          `rmdir ../outside: errno=${perm}`,
          `link ../outside/secret.txt -> hard: errno=${perm}`,
          `link out_file (follow) -> hard: errno=${perm}`,
          `symlink /etc/passwd: errno=${perm}`,
          `symlink ../outside: errno=${perm}`,
          `symlink sub/../../outside: errno=${perm}`,
          "symlink sub/ok.txt (inside): errno=0",
          "open fine: errno=0",
          `set times ../outside/secret.txt: errno=${perm}`,
          "unlink out_file (the link itself): errno=0",
          "open sub as dir: errno=0",
          "from sub: open ok.txt: errno=0",
          `from sub: open ../sub/ok.txt: errno=${perm}`,
          `from sub: create (no right): errno=${notcapable}`,
          `from sub: ask for write (not inherited): errno=${notcapable}`,
          "close sub: errno=0",
          `libc open /sandbox/../outside/secret.txt: failed errno=${perm}`,
          `libc open /sandbox/out_dir/secret.txt: failed errno=${perm}`,
          // wasi-libc finds no preopen for /etc and fails before calling the host.
          `libc open /etc/passwd: failed errno=${notcapable}`,
          `libc stat /sandbox/..: failed errno=${perm}`,
          `libc opendir /sandbox/out_dir: failed errno=${perm}`,
          `libc after chdir: open ../../outside/secret.txt: failed errno=${perm}`,
          "libc after chdir: open ok.txt: SUCCEEDED errno=0",
          "",
        ].join("\n"),
      );
      // Nothing outside the sandbox changed.
      assert.deepEqual(names(tmp), ["outside", "sandbox"]);
      assert.deepEqual(names(`${tmp}/outside`), ["secret.txt"]);
      assert.equal(Deno.readTextFileSync(`${tmp}/outside/secret.txt`), "top secret\n");
      assert.equal(
        Deno.statSync(`${tmp}/outside/secret.txt`).mtime?.getTime(),
        1_500_000_000_000,
      );
      // Inside, only the allowed changes happened.
      assert.deepEqual(names(s), [
        "chain",
        "fine",
        "inner",
        "loop_a",
        "loop_b",
        "out_abs",
        "out_dir",
        "sub",
      ]);
      assert.equal(Deno.readLinkSync(`${s}/fine`), "sub/ok.txt");
      assert.deepEqual(names(`${s}/sub`), ["ok.txt"]);
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  });

  engineTest(engine, 'cat reads through two preopens, one of them named "."', async () => {
    const tmp = Deno.makeTempDirSync({ prefix: "capstan_wasi_cat_" });
    try {
      Deno.mkdirSync(`${tmp}/cwd/sub`, { recursive: true });
      Deno.mkdirSync(`${tmp}/data`);
      Deno.writeTextFileSync(`${tmp}/cwd/rel.txt`, "relative\n");
      Deno.writeTextFileSync(`${tmp}/cwd/sub/nested.txt`, "nested\n");
      Deno.writeTextFileSync(`${tmp}/secret.txt`, "outside\n");
      const big = Array.from({ length: 20000 }, (_, i) => `${i}`).join(",") + "\n";
      Deno.writeTextFileSync(`${tmp}/data/big.txt`, big);
      const r = await runWasi(wasm, fixture("cat.wasm"), {
        args: ["cat", "rel.txt", "sub/nested.txt", "/data/big.txt", "missing.txt", "../secret.txt"],
        preopens: { ".": `${tmp}/cwd`, "/data": `${tmp}/data` },
      });
      assert.equal(r.code, 1);
      assert.equal(r.stdout, "relative\nnested\n" + big);
      assert.equal(
        r.stderr,
        `cat: missing.txt: errno=${Errno.noent}\ncat: ../secret.txt: errno=${Errno.perm}\n`,
      );
    } finally {
      Deno.removeSync(tmp, { recursive: true });
    }
  });

  engineTest(engine, "cat with no arguments copies stdin", async () => {
    const r = await runWasi(wasm, fixture("cat.wasm"), {
      args: ["cat"],
      stdin: new TextEncoder().encode("line one\nline two\n"),
    });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "line one\nline two\n");
  });

  engineTest(engine, "examples/hello.wasm greets and lists its arguments", async () => {
    const bytes = Deno.readFileSync(
      new URL("../examples/hello.wasm", import.meta.url),
    ) as Uint8Array<ArrayBuffer>;
    const r = await runWasi(wasm, bytes, { args: ["hello.wasm", "one", "two words"] });
    assert.equal(r.code, 0);
    assert.equal(r.stdout, "Hello, world!\narg 1: one\narg 2: two words\n");
  });
}

// The WASI benchmark kernels of bench/corpus. With small arguments the expected line comes from
// the plain kernel's run(n) export on native WebAssembly; with the manifest's arguments, from the
// manifest.
const BENCH = new URL("../bench/corpus/", import.meta.url).pathname;
const manifest = JSON.parse(Deno.readTextFileSync(`${BENCH}kernels.json`)) as {
  kernels: { name: string; wasm: string }[];
  wasi: { name: string; wasm: string; args: string[]; stdout: string }[];
};
const SMALL: Record<string, number> = { "fib.wasi": 20, "nbody.wasi": 1000, "qsort.wasi": 1000 };

for (const engine of ENGINES) {
  const { wasm } = engine;
  for (const kernel of manifest.wasi) {
    Deno.test({
      name: `[${engine.name}] bench ${kernel.name} prints run(n) for a small n`,
      fn: async () => {
        assert.equal(engine.unavailable, undefined, `${engine.name} cannot run wasm`);
        const n = SMALL[kernel.name];
        assert.ok(n !== undefined, `no small argument for ${kernel.name}`);
        const plain = manifest.kernels.find((k) => `${k.name}.wasi` === kernel.name)!;
        const { instance } = await WebAssembly.instantiate(Deno.readFileSync(BENCH + plain.wasm));
        const expected = ((instance.exports.run as (n: number) => number)(n) >>> 0).toString();
        const bytes = Deno.readFileSync(BENCH + kernel.wasm) as Uint8Array<ArrayBuffer>;
        const r = await runWasi(wasm, bytes, { args: [kernel.name, `${n}`] });
        assert.equal(r.code, 0);
        assert.equal(r.stdout, `${expected}\n`);
      },
    });
  }
}

for (const kernel of manifest.wasi) {
  Deno.test({
    name: `[native] bench ${kernel.name} with the manifest's arguments prints the manifest's line`,
    fn: async () => {
      const bytes = Deno.readFileSync(BENCH + kernel.wasm) as Uint8Array<ArrayBuffer>;
      const native = WebAssembly as unknown as Parameters<typeof runWasi>[0];
      const r = await runWasi(native, bytes, { args: [kernel.name, ...kernel.args] });
      assert.equal(r.code, 0);
      assert.equal(r.stdout, `${kernel.stdout}\n`);
    },
  });
}

Deno.test("default stdio is the process's own stdin, stdout and stderr", async () => {
  const mod = new URL("./mod.ts", import.meta.url).href;
  const echo = new URL("./testdata/echo.wasm", import.meta.url).href;
  const script = `
    import { Wasi } from "${mod}";
    const wasi = new Wasi({ args: ["echo"] });
    const bytes = Deno.readFileSync(new URL("${echo}"));
    const { instance } = await WebAssembly.instantiate(bytes, {
      wasi_snapshot_preview1: wasi.imports,
    });
    Deno.exit(wasi.start(instance));
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("piped through\nthe real stdin\n"));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  assert.equal(decode(stderr), "poll=2 in=1 out=1\nread 29 bytes\n");
  assert.equal(decode(stdout), "piped through\nthe real stdin\n");
  assert.equal(code, 0);
});

Deno.test("Wasi.start() rejects a module without _start", () => {
  const wasi = new Wasi({ args: [] });
  assert.throws(
    () => wasi.start({ exports: { memory: new WebAssembly.Memory({ initial: 1 }) } }),
    TypeError,
  );
});

Deno.test("Wasi.start() lets a trap propagate unchanged", async () => {
  const bytes = parseWat(
    `(module (memory (export "memory") 1) (func (export "_start") unreachable))`,
  );
  const wasi = new Wasi();
  const { instance } = await WebAssembly.instantiate(bytes, {});
  assert.throws(() => wasi.start(instance), WebAssembly.RuntimeError);
});

Deno.test("proc_exit throws WasiExit with the unsigned code", () => {
  const wasi = new Wasi();
  assert.throws(
    () => wasi.imports.proc_exit(-1),
    (e) => e instanceof WasiExit && e.code === 0xffffffff,
  );
});

Deno.test("Wasi imports cover every preview1 function", () => {
  const preview1 = [
    "args_get",
    "args_sizes_get",
    "environ_get",
    "environ_sizes_get",
    "clock_res_get",
    "clock_time_get",
    "fd_advise",
    "fd_allocate",
    "fd_close",
    "fd_datasync",
    "fd_fdstat_get",
    "fd_fdstat_set_flags",
    "fd_fdstat_set_rights",
    "fd_filestat_get",
    "fd_filestat_set_size",
    "fd_filestat_set_times",
    "fd_pread",
    "fd_prestat_get",
    "fd_prestat_dir_name",
    "fd_pwrite",
    "fd_read",
    "fd_readdir",
    "fd_renumber",
    "fd_seek",
    "fd_sync",
    "fd_tell",
    "fd_write",
    "path_create_directory",
    "path_filestat_get",
    "path_filestat_set_times",
    "path_link",
    "path_open",
    "path_readlink",
    "path_remove_directory",
    "path_rename",
    "path_symlink",
    "path_unlink_file",
    "poll_oneoff",
    "proc_exit",
    "proc_raise",
    "sched_yield",
    "random_get",
    "sock_accept",
    "sock_recv",
    "sock_send",
    "sock_shutdown",
  ];
  assert.deepEqual(Object.keys(new Wasi().imports).sort(), preview1.sort());
});

Deno.test("Wasi rejects a preopen that is not a directory", () => {
  const tmp = Deno.makeTempFileSync();
  try {
    assert.throws(() => new Wasi({ preopens: { "/f": tmp } }), TypeError);
  } finally {
    Deno.removeSync(tmp);
  }
});
