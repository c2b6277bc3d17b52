/**
 * The image fuzzer: mutated compiled-module images must be refused with a
 * clear error, never loaded wrong and never crash the loader.
 *
 * Each case takes the image of one module (the bench kernels and a few
 * small modules), whole or detached (a cache entry's: the module bytes'
 * digest in place of the bytes, which the loader supplies), and mutates it: flipped bytes, truncation, extension, a
 * copied range, a changed length word. Half the cases then recompute the
 * payload's checksum, so the mutation reaches the structural checks behind
 * it. What must hold:
 * - without a recomputed checksum, loading throws `ImageError` (a mutation
 *   that changes nothing loads and is counted apart);
 * - with one, loading throws `ImageError` or `CompileError` (a translation
 *   snapshot whose proposals are not the engine's: the wasm bytes in the
 *   payload are decoded and validated again), or yields a module (a
 *   re-checksummed image is trusted like one this Capstan wrote: the
 *   snapshot and the code are taken as they read); any other exception (a
 *   `TypeError`, a `RangeError`) is a failure.
 *
 * Run: `deno task fuzz:image [--count N] [--seed S]`.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import { CompileError, parseWat } from "@capstan/environ";
import { deserializeCompiled, serializeCompiled } from "@capstan/codegen";
import { Engine, ImageError, Module } from "@capstan/runtime";
import { Rng } from "@capstan/testing/random_programs";

/** What a fuzzing run saw. */
export interface FuzzImageSummary {
  /** Mutated images tried. */
  cases: number;
  /** Refused with `ImageError`, by message (digits removed). */
  readonly refused: Map<string, number>;
  /** Refused with `CompileError` (a re-checksummed payload with bad wasm). */
  compileErrors: number;
  /** Loaded (only possible with a recomputed checksum or a mutation that changed nothing). */
  loaded: number;
  /** What went wrong: cases that threw anything else, or loaded without a valid checksum. */
  readonly failures: string[];
}

const HEADER = 76;

function seeds(): Uint8Array[] {
  const kernels = new URL("../bench/corpus/wasm/", import.meta.url);
  const out = ["fib", "sieve", "hash64", "qsort"].map((n) =>
    Deno.readFileSync(new URL(`${n}.wasm`, kernels))
  );
  out.push(parseWat(`(module (memory 1) (table 2 funcref) (global (mut i64) (i64.const 5))
    (func $a (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
    (elem (i32.const 0) $a) (export "a" (func $a)) (data (i32.const 8) "hi"))`));
  return out;
}

/** An image to mutate, and how to load one of its mutants. */
interface Seed {
  readonly image: Uint8Array;
  readonly load: (image: Uint8Array) => unknown;
}

function withChecksum(image: Uint8Array): Uint8Array {
  const out = image.slice();
  const payload = out.subarray(HEADER);
  out.set(createHash("sha256").update(payload).digest(), 40);
  new DataView(out.buffer).setUint32(72, payload.length, true);
  return out;
}

function mutate(r: Rng, image: Uint8Array): Uint8Array {
  let b = image.slice();
  const at = (n: number) => r.int(Math.max(1, n));
  switch (r.int(6)) {
    case 0:
      for (let k = 1 + r.int(4); k > 0; k--) b[at(b.length)] ^= 1 << r.int(8);
      break;
    case 1:
      b = b.subarray(0, at(b.length));
      break;
    case 2: {
      const more = new Uint8Array(b.length + 1 + r.int(64));
      more.set(b);
      for (let i = b.length; i < more.length; i++) more[i] = r.int(256);
      b = more;
      break;
    }
    case 3: {
      const from = at(b.length);
      const to = at(b.length);
      b.copyWithin(to, from, from + 1 + r.int(32));
      break;
    }
    case 4: {
      // a payload word: a length or a count, set to something large, small or negative
      const w = HEADER + 4 * at((b.length - HEADER) >> 2);
      if (w + 4 <= b.length) {
        new DataView(b.buffer).setInt32(
          w,
          r.pick([0, 1, -1, 0x7fffffff, 1 << 20, r.next() | 0]),
          true,
        );
      }
      break;
    }
    default:
      b[at(HEADER)] ^= 1 << r.int(8);
  }
  return b;
}

/**
 * Runs `count` mutated images from `seed`.
 *
 * @param seed the first case's seed
 * @param count how many cases
 * @returns what the run saw
 */
export function fuzzImage(seed: number, count: number): FuzzImageSummary {
  const engine = new Engine();
  // each seed's image, and its detached image (a cache entry's: the module bytes' digest in
  // place of the bytes, which the loader supplies)
  const images: Seed[] = seeds().flatMap((bytes) => {
    const m = new Module(engine, bytes);
    const digest = new Uint8Array(createHash("sha256").update(bytes).digest());
    const detached = serializeCompiled(m._compiled, bytes, { wasmDigest: digest });
    return [
      { image: m.serialize(), load: (image: Uint8Array) => Module.deserialize(engine, image) },
      {
        image: detached,
        load: (image: Uint8Array) =>
          deserializeCompiled(image, engine.config.tunables, { wasm: { bytes, digest } }),
      },
    ];
  });
  const s: FuzzImageSummary = {
    cases: 0,
    refused: new Map(),
    compileErrors: 0,
    loaded: 0,
    failures: [],
  };
  for (let i = 0; i < count; i++) {
    const r = new Rng(seed + i);
    const seedImage = r.pick(images);
    const original = seedImage.image;
    const rechecksum = r.int(2) === 0;
    let image = mutate(r, original);
    if (rechecksum && image.length >= HEADER) image = withChecksum(image);
    s.cases++;
    try {
      seedImage.load(image);
      s.loaded++;
      const same = image.length === original.length && image.every((x, k) => x === original[k]);
      if (!rechecksum && !same) {
        s.failures.push(`case ${seed + i}: a mutated image without its checksum loaded`);
      }
    } catch (e) {
      if (e instanceof ImageError) {
        const m = e.message.replace(/\d+/g, "N");
        s.refused.set(m, (s.refused.get(m) ?? 0) + 1);
      } else if (e instanceof CompileError && rechecksum) {
        s.compileErrors++;
      } else {
        s.failures.push(`case ${seed + i}: ${(e as Error)?.stack ?? e}`);
      }
    }
  }
  return s;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      count: { type: "string", default: "10000" },
      seed: { type: "string", default: "1" },
    },
  });
  const count = Number(values.count);
  const seed = Number(values.seed);
  const s = fuzzImage(seed, count);
  for (const f of s.failures.slice(0, 5)) console.log(f);
  const refused = [...s.refused].sort((a, b) => b[1] - a[1]).map(([m, n]) => `  ${n} ${m}`);
  console.log(
    `${s.cases} mutated images: ${s.cases - s.loaded - s.compileErrors} refused with ImageError, ` +
      `${s.compileErrors} with CompileError, ${s.loaded} loaded (checksum recomputed), ` +
      `${s.failures.length} failures\n${refused.join("\n")}`,
  );
  Deno.exit(s.failures.length ? 1 : 0);
}
