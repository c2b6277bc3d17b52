/**
 * The benchmark corpus: the twelve compute kernels of `bench/corpus/`
 * (a copy of the team's shared corpus, so a fresh clone can run the benches),
 * read from `kernels.json`, plus the sizes of `n` each harness uses.
 *
 * Invariants:
 * - Every kernel exports `run(n: i32) -> i32` and `memory`, and imports nothing.
 * - `expect` is the checksum of `run(n)` at the manifest's `n`, as an unsigned
 *   32-bit integer; at any other `n` the reference checksum is a native run.
 * - `quickN` is tiny (microseconds to a few ms native) so CI can prove every
 *   harness still runs (`CAPSTAN_BENCH_QUICK=1`); `benchN` makes one native
 *   iteration take about 1-10 ms, so an interpreter 10-40x slower stays in
 *   the 50-500 ms range per iteration.
 *
 * @module
 */

/** One kernel of the corpus, with its bytes loaded. */
export interface Kernel {
  /** The kernel's name in `kernels.json` (`"fib"`, `"loop_wat"`, ...). */
  readonly name: string;
  /** Absolute path of its `.wasm` file. */
  readonly path: string;
  /** The module's bytes. */
  readonly bytes: Uint8Array;
  /** The manifest's `n` (native V8 takes about 50-200 ms). */
  readonly n: number;
  /** `run(n) >>> 0` at the manifest's `n`. */
  readonly expect: number;
  /** What the kernel stresses, from the manifest. */
  readonly stresses: string;
  /** A tiny `n` for CI smoke runs. */
  readonly quickN: number;
  /** The `n` of one `deno bench` iteration (about 1-10 ms native). */
  readonly benchN: number;
}

/** True when `CAPSTAN_BENCH_QUICK=1`: every harness uses tiny sizes. */
export const QUICK: boolean = readQuickFlag();

function readQuickFlag(): boolean {
  try {
    return Deno.env.get("CAPSTAN_BENCH_QUICK") === "1";
  } catch {
    return false;
  }
}

/** Directory of the vendored corpus (`bench/corpus/`). */
export const CORPUS_DIR: string = new URL("./corpus/", import.meta.url).pathname;

/** Tiny sizes for smoke runs: each kernel runs in well under 10 ms natively. */
const QUICK_N: Readonly<Record<string, number>> = {
  fib: 15,
  loop: 20_000,
  sieve: 1,
  nbody: 500,
  matmul: 1,
  hash64: 4,
  qsort: 3_000,
  interp: 5_000,
  bulkmem: 20,
  crc32: 1,
  fib_wat: 15,
  loop_wat: 20_000,
};

/**
 * Sizes for `deno bench` iterations, chosen from native timings on the
 * reference 2-core VM (Deno 2.9.6) so one native iteration takes 1-10 ms.
 */
const BENCH_N: Readonly<Record<string, number>> = {
  fib: 30,
  loop: 4_000_000,
  sieve: 3,
  nbody: 100_000,
  matmul: 4,
  hash64: 600,
  qsort: 60_000,
  interp: 200_000,
  bulkmem: 800,
  crc32: 60,
  fib_wat: 29,
  loop_wat: 4_000_000,
};

interface ManifestEntry {
  name: string;
  wasm: string;
  n: number;
  expect: number;
  stresses: string;
}

/**
 * Reads the corpus manifest and every kernel's bytes.
 *
 * @param dir directory holding `kernels.json` (defaults to the vendored corpus)
 * @returns the kernels in manifest order
 * @example
 * ```ts
 * import { loadKernels } from "./_kernels.ts";
 * const kernels = loadKernels();
 * if (!kernels.some((k) => k.name === "fib")) throw new Error("no fib");
 * ```
 */
export function loadKernels(dir: string = CORPUS_DIR): Kernel[] {
  const base = dir.endsWith("/") ? dir : dir + "/";
  const manifest = JSON.parse(Deno.readTextFileSync(base + "kernels.json")) as {
    kernels: ManifestEntry[];
  };
  return manifest.kernels.map((entry) => {
    const path = base + entry.wasm;
    return {
      name: entry.name,
      path,
      bytes: Deno.readFileSync(path),
      n: entry.n,
      expect: entry.expect >>> 0,
      stresses: entry.stresses,
      quickN: QUICK_N[entry.name] ?? 1,
      benchN: BENCH_N[entry.name] ?? Math.max(1, Math.floor(entry.n / 20)),
    };
  });
}
