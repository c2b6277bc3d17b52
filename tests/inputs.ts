/**
 * Where the tests find the inputs that are not Capstan's own files: the
 * WebAssembly test suite and the stack-switching scripts.
 *
 * The suite is looked up in order: `$CAPSTAN_TESTSUITE`; `tests/testsuite/`
 * (the git submodule, when initialised); `../shared/spec/testsuite/` beside
 * the checkout. When none holds it, {@link testsuiteDir} throws one line that
 * says how to get it: a test that needs the suite fails with that line, it is
 * never skipped or passed.
 *
 * @module
 */

/** The commit of WebAssembly/testsuite the expectations were recorded against. */
export const TESTSUITE_COMMIT = "193e551ff22663995b1ac95dc62344133669e14b";

/** The message of a test that cannot find the suite. */
export const TESTSUITE_MISSING =
  "the WebAssembly test suite is missing: run `git submodule update --init` " +
  "(or set CAPSTAN_TESTSUITE to a checkout of WebAssembly/testsuite at " +
  `${TESTSUITE_COMMIT.slice(0, 12)})`;

const SUBMODULE = new URL("./testsuite/", import.meta.url);
const SHARED = new URL("../../shared/spec/testsuite/", import.meta.url);

/** The stack-switching proposal's scripts (kept in the repository). */
export const STACK_SWITCHING_DIR: string = new URL("./stack-switching/", import.meta.url).pathname;

function holdsSuite(dir: string): boolean {
  try {
    return Deno.statSync(`${dir.replace(/\/$/, "")}/address.wast`).isFile;
  } catch {
    return false;
  }
}

/**
 * The directory of the WebAssembly test suite, without a trailing slash.
 *
 * @returns an absolute path
 * @throws {Error} with {@link TESTSUITE_MISSING} when no copy is found
 */
export function testsuiteDir(): string {
  const candidates = [Deno.env.get("CAPSTAN_TESTSUITE"), SUBMODULE.pathname, SHARED.pathname];
  for (const dir of candidates) {
    if (dir !== undefined && dir !== "" && holdsSuite(dir)) return dir.replace(/\/+$/, "");
  }
  throw new Error(TESTSUITE_MISSING);
}

/**
 * Every `.wast` under a directory, recursively, as paths relative to it,
 * sorted.
 *
 * @param dir a directory
 * @returns the relative paths (`address.wast`, `legacy/throw.wast`, ...)
 */
export function wastFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of Deno.readDirSync(`${dir}/${rel}`)) {
      const path = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory) walk(path);
      else if (e.name.endsWith(".wast")) out.push(path);
    }
  };
  walk("");
  return out.sort();
}

/**
 * The wasi-threads conformance tests (`X.wasm` with an optional `X.json`,
 * in the wasi-testsuite format), without a trailing slash; undefined when
 * they are not beside the repository (`../shared/wasi-threads`, or
 * `CAPSTAN_WASI_THREADS`).
 *
 * @returns an absolute path, or undefined
 */
export function wasiThreadsDir(): string | undefined {
  const candidates = [
    Deno.env.get("CAPSTAN_WASI_THREADS"),
    new URL("../../shared/wasi-threads/", import.meta.url).pathname,
  ];
  for (const dir of candidates) {
    if (dir === undefined || dir === "") continue;
    try {
      if (Deno.statSync(`${dir.replace(/\/$/, "")}/README.md`).isFile) {
        return dir.replace(/\/+$/, "");
      }
    } catch {
      // not here
    }
  }
  return undefined;
}
