/**
 * The fuzzer's seed corpus: every `.wasm` under `shared/spec/json/` and
 * `shared/bench/wasm/` (the read-only shared folder beside the checkout), in a
 * fixed order so a seed always picks the same modules.
 *
 * Invariants:
 * - Files are sorted by their path relative to `shared/`, so the order does not
 *   depend on the file system.
 * - Paths resolve from this file (`../../shared/`), the same in the checkout and
 *   in CI.
 *
 * @module
 */

/** The shared folder (`/work/shared` beside the `/work/main` checkout). */
export const SHARED_DIR: URL = new URL("../../shared/", import.meta.url);

/** The folders whose `.wasm` files seed the fuzzer, relative to {@link SHARED_DIR}. */
export const CORPUS_DIRS: readonly string[] = ["spec/json/", "bench/wasm/"];

/** One corpus module. */
export interface CorpusEntry {
  /** Its path relative to `shared/`, e.g. `spec/json/binary/binary.0.wasm`. */
  readonly name: string;
  /** Its bytes. */
  readonly bytes: Uint8Array;
  /** Whether native `WebAssembly.validate` accepts it (mutants start mostly from these). */
  readonly valid: boolean;
}

function walk(dir: URL, rel: string, out: string[]): void {
  for (const entry of Deno.readDirSync(dir)) {
    if (entry.isDirectory) {
      walk(new URL(`${entry.name}/`, dir), `${rel}${entry.name}/`, out);
    } else if (entry.name.endsWith(".wasm")) {
      out.push(`${rel}${entry.name}`);
    }
  }
}

/**
 * Loads the whole seed corpus.
 *
 * @returns the modules, sorted by name
 */
export function loadCorpus(): CorpusEntry[] {
  const names: string[] = [];
  for (const dir of CORPUS_DIRS) walk(new URL(dir, SHARED_DIR), dir, names);
  names.sort();
  return names.map((name) => {
    const bytes = Deno.readFileSync(new URL(name, SHARED_DIR));
    return { name, bytes, valid: WebAssembly.validate(bytes) };
  });
}
