import assert from "node:assert/strict";
import { capstan } from "./_subprocess_test_util.ts";

const INVOKE = new URL("./testdata/run/invoke.wasm", import.meta.url).pathname;
const INVOKE_WAT = new URL("./testdata/run/invoke.wat", import.meta.url).pathname;
const ARGS_ENV = new URL("../wasi/testdata/args_env.wasm", import.meta.url).pathname;
const CAT = new URL("../wasi/testdata/cat.wasm", import.meta.url).pathname;
const PLAIN_START = new URL("./testdata/run/plain_start.wasm", import.meta.url).pathname;
const HELLO = new URL("../examples/hello.wasm", import.meta.url).pathname;

/**
 * Tests that execute wasm are ignored (and reported as ignored) only while the
 * runtime says it cannot execute at all; any other failure fails them.
 */
function runs(name: string, fn: () => Promise<void>): void {
  Deno.test(name, fn);
}

runs("capstan run --invoke prints an export's result and exits 0", async () => {
  const { code, stdout, stderr } = await capstan(["run", "--invoke", "add", INVOKE, "2", "-7"]);
  assert.equal(stderr, "");
  assert.equal(stdout, "-5\n");
  assert.equal(code, 0);
});

runs("capstan run --invoke calls _initialize first", async () => {
  const { stdout } = await capstan(["run", "--invoke", "count", INVOKE]);
  assert.equal(stdout, "5\n");
});

runs(
  "capstan run --invoke prints i64 exactly and floats shortest, one result per line",
  async () => {
    const fac = await capstan(["run", "--invoke", "fac", INVOKE, "20"]);
    assert.equal(fac.stdout, "2432902008176640000\n");
    const floats = await capstan(["run", "--invoke", "floats", INVOKE, "0.1", "1e21"]);
    assert.equal(floats.stdout, "0.1\n1000000000000000000000\n");
    const special = await capstan(["run", "--invoke", "floats", INVOKE, "-0", "nan"]);
    assert.equal(special.stdout, "-0\nNaN\n");
  },
);

runs("capstan run reads .wat files through the text format", async () => {
  const { code, stdout } = await capstan(["run", "--invoke", "add", INVOKE_WAT, "40", "2"]);
  assert.equal(stdout, "42\n");
  assert.equal(code, 0);
});

runs("a trap prints its message and wasm backtrace to stderr and exits 134", async () => {
  const { code, stdout, stderr } = await capstan(["run", "--invoke", "calls_div", INVOKE, "1"]);
  assert.equal(code, 134);
  assert.equal(stdout, "");
  assert.match(stderr, /wasm trap: integer divide by zero/);
  assert.match(stderr, /wasm backtrace:\n\s+0: .*\n\s+1: /, "two frames: div and calls_div");
});

runs("--fuel, --timeout and --max-wasm-stack stop a run with a trap", async () => {
  const fuel = await capstan(["run", "--fuel", "1000", "--invoke", "spin", INVOKE]);
  assert.equal(fuel.code, 134);
  assert.match(fuel.stderr, /all fuel consumed/);
  const timeout = await capstan(["run", "--timeout", "200ms", "--invoke", "spin", INVOKE]);
  assert.equal(timeout.code, 134);
  assert.match(timeout.stderr, /wasm trap: interrupt/);
  const stack = await capstan(["run", "--max-wasm-stack", "65536", "--invoke", "deep", INVOKE]);
  assert.equal(stack.code, 134);
  assert.match(stack.stderr, /call stack exhausted/);
});

runs("capstan run runs a WASI command with its args and env, and exits with its code", async () => {
  const { code, stdout } = await capstan([
    "run",
    "--env",
    "A=1",
    ARGS_ENV,
    "exit",
    "3",
  ]);
  assert.equal(code, 3);
  assert.match(stdout, /^argc=3\n/);
  assert.match(stdout, /argv\[1\]=exit\nargv\[2\]=3\n/);
  assert.match(stdout, /env\[0\]=A=1\n/);
  assert.match(stdout, /HOME=\(unset\)/, "nothing of the host's environment leaks in");
});

runs("capstan run calls _start of a module without WASI directly", async () => {
  const { code, stderr } = await capstan(["run", PLAIN_START]);
  assert.equal(code, 134);
  assert.match(stderr, /wasm trap: unreachable/);
});

runs("capstan run runs examples/hello.wasm", async () => {
  const { code, stdout } = await capstan(["run", HELLO, "x"]);
  assert.equal(stdout, "Hello, world!\narg 1: x\n");
  assert.equal(code, 0);
});

runs("--dir HOST::GUEST lets the guest read a preopened directory, and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/note.txt`, "hi there\n");
    const ok = await capstan(["run", "--dir", `${dir}::/data`, CAT, "/data/note.txt"]);
    assert.equal(ok.stdout, "hi there\n");
    assert.equal(ok.code, 0);
    const denied = await capstan(["run", CAT, `${dir}/note.txt`]);
    assert.equal(denied.code, 1);
    assert.equal(denied.stdout, "");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

runs("--strategy auto runs hot functions on the JS tier; --tier-log says which", async () => {
  const fac = await capstan(["run", "--strategy", "auto", "--invoke", "fac", INVOKE, "20"]);
  assert.equal(fac.stdout, "2432902008176640000\n");
  const deep = await capstan([
    "run",
    "--strategy",
    "auto",
    "--tier-log",
    "--invoke",
    "deep",
    INVOKE,
  ]);
  assert.equal(deep.code, 134);
  assert.match(deep.stderr, /^tier: promoted func 8 after 1 sample$/m);
  assert.match(deep.stderr, /wasm trap: call stack exhausted/);
  const trap = await capstan(["run", "--strategy", "auto", "--invoke", "calls_div", INVOKE, "1"]);
  assert.equal(trap.code, 134);
  assert.match(trap.stderr, /wasm trap: integer divide by zero/);
});

runs("--strategy js runs the same program on the JS tier, traps and fuel included", async () => {
  const add = await capstan(["run", "--strategy", "js", "--invoke", "fac", INVOKE, "20"]);
  assert.equal(add.stdout, "2432902008176640000\n");
  const trap = await capstan(["run", "--strategy", "js", "--invoke", "calls_div", INVOKE, "1"]);
  assert.equal(trap.code, 134);
  assert.match(trap.stderr, /wasm trap: integer divide by zero/);
  assert.match(trap.stderr, /wasm backtrace:\n\s+0: .*\n\s+1: /, "two frames: div and calls_div");
  const fuel = await capstan([
    "run",
    "--strategy",
    "js",
    "--fuel",
    "1000",
    "--invoke",
    "spin",
    INVOKE,
  ]);
  assert.equal(fuel.code, 134);
  assert.match(fuel.stderr, /all fuel consumed/);
});

Deno.test("capstan run usage errors say what was wrong and exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [["run"], /no module file given/],
    [["run", "--invoke", "add", INVOKE, "1"], /takes 2 argument\(s\), found 1/],
    [["run", "--invoke", "add", INVOKE, "one", "2"], /"one" is not an i32 integer/],
    [["run", "--timeout", "soon", INVOKE], /not a duration/],
    [["run", "--fuel", "-3", INVOKE], /--fuel/],
    [["run", "--dir", "::x", INVOKE], /HOST\[::GUEST\]/],
    [["run", "--frobnicate", INVOKE], /frobnicate/],
    [["run", "--strategy", "fast", INVOKE], /--strategy must be interpreter, js or auto/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await capstan(args);
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message);
    assert.match(stderr, /Usage: capstan run/);
  }
});

Deno.test("capstan run of a missing file or a bad module exits 1 with the reason", async () => {
  const missing = await capstan(["run", "/nonexistent/x.wasm"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read \/nonexistent\/x.wasm/);
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/bad.wasm`, new Uint8Array([0, 97, 115, 109, 2, 0, 0, 0]));
    const bad = await capstan(["run", `${dir}/bad.wasm`]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: .*version/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("capstan run --help prints the usage and exits 0", async () => {
  const { code, stdout } = await capstan(["run", "--help"]);
  assert.equal(code, 0);
  assert.match(stdout, /--max-wasm-stack BYTES/);
});

Deno.test("capstan run of a file that is neither wasm nor WAT names the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "shopping: eggs, milk\n");
    const r = await capstan(["run", `${dir}/notes.txt`]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /notes\.txt is neither a WebAssembly binary nor a valid \.wat module: unexpected token \(at line 1, column 1\)/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("capstan run --dir of a missing directory says which --dir", async () => {
  const r = await capstan(["run", "--dir", "/nonexistent-capstan::/data", HELLO]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--dir \/nonexistent-capstan::\/data: no such directory/);
  assert.doesNotMatch(r.stderr, /os error|realpath/);
});

runs("capstan run links a WASI function imported twice", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/twice.wat`,
      `(module
        (import "wasi_snapshot_preview1" "fd_write" (func $w1 (param i32 i32 i32 i32) (result i32)))
        (import "wasi_snapshot_preview1" "fd_write" (func $w2 (param i32 i32 i32 i32) (result i32)))
        (memory (export "memory") 1)
        (data (i32.const 16) "twice\\n")
        (func (export "_start")
          (i32.store (i32.const 0) (i32.const 16))
          (i32.store (i32.const 4) (i32.const 6))
          (drop (call $w1 (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
          (drop (call $w2 (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`,
    );
    const r = await capstan(["run", `${dir}/twice.wat`]);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "twice\ntwice\n");
    assert.equal(r.code, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

runs("compile -o writes an image that run loads: same output, no compiling", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const image = `${dir}/hello.cwasm`;
    const c = await capstan(["compile", HELLO, "-o", image]);
    assert.equal(c.code, 0, c.stderr);
    const direct = await capstan(["run", "--no-cache", HELLO]);
    const loaded = await capstan(["run", "--no-cache", image]);
    assert.equal(loaded.stderr, "");
    assert.equal(loaded.stdout, direct.stdout);
    assert.equal(loaded.code, direct.code);
    // a truncated image: one line, exit 1
    const bytes = await Deno.readFile(image);
    await Deno.writeFile(`${dir}/cut.cwasm`, bytes.subarray(0, bytes.length >> 1));
    const cut = await capstan(["run", `${dir}/cut.cwasm`]);
    assert.equal(cut.code, 1);
    assert.match(
      cut.stderr,
      /^error: .*cut\.cwasm: corrupt image: the payload should be \d+ bytes, found \d+\n$/,
    );
    // an image for another configuration says which flag makes one that fits
    const fuel = await capstan(["run", "--fuel", "100000", image]);
    assert.equal(fuel.code, 1);
    assert.match(fuel.stderr, /another engine configuration.*--consume-fuel/);
    const withFuel = await capstan(["compile", "--consume-fuel", HELLO, "-o", `${dir}/fuel.cwasm`]);
    assert.equal(withFuel.code, 0);
    const fueled = await capstan(["run", "--fuel", "100000000", `${dir}/fuel.cwasm`]);
    assert.equal(fueled.stdout, direct.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

runs("run keeps compiled modules in --cache-dir and loads them the second time", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await capstan(["run", "--cache-dir", dir, HELLO]);
    const entries = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(entries.length, 1);
    const before = Deno.statSync(`${dir}/${entries[0]}`);
    const second = await capstan(["run", "--cache-dir", dir, HELLO]);
    assert.equal(second.stdout, first.stdout);
    // the entry was read, not written again (a write replaces the file)
    assert.equal(Deno.statSync(`${dir}/${entries[0]}`).ino, before.ino);
    const none = await capstan(["run", "--no-cache", "--cache-dir", dir, HELLO]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /either --cache-dir or --no-cache/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

runs(
  "capstan run accepts a tag with results only with -W stack-switching (or --stack-switching)",
  async () => {
    const dir = await Deno.makeTempDir();
    try {
      const wat = `${dir}/tagged.wat`;
      await Deno.writeTextFile(
        wat,
        `(module (tag (param i32) (result i32)) (func (export "f") (result i32) (i32.const 7)))`,
      );
      const off = await capstan(["run", "--no-cache", "--invoke", "f", wat]);
      assert.equal(off.code, 1);
      assert.match(off.stderr, /non-empty tag result type/);
      for (
        const flag of [["-W", "stack-switching"], ["--stack-switching"], [
          "--wasm=stack-switching=y",
        ]]
      ) {
        const on = await capstan(["run", "--no-cache", ...flag, "--invoke", "f", wat]);
        assert.equal(on.stderr, "", flag.join(" "));
        assert.equal(on.stdout, "7\n");
      }
      const bad = await capstan(["run", "-W", "frobs", wat]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unknown feature frobs/);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
);

Deno.test("capstan run accepts a memory's page size only with -W custom-page-sizes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const wat = `${dir}/bytes.wat`;
    await Deno.writeTextFile(
      wat,
      `(module (memory 3 (pagesize 1)) (func (export "size") (result i32) (memory.size)))`,
    );
    const off = await capstan(["run", "--no-cache", "--invoke", "size", wat]);
    assert.equal(off.code, 1);
    assert.match(off.stderr, /malformed limits flags/);
    const on = await capstan([
      "run",
      "--no-cache",
      "-W",
      "custom-page-sizes",
      "--invoke",
      "size",
      wat,
    ]);
    assert.equal(on.stderr, "");
    assert.equal(on.stdout, "3\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
