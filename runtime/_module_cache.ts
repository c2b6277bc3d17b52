/**
 * The compilation cache of an engine (`Engine({ cache })`): compiled-module
 * images on disk, one file per module and configuration, so that compiling
 * the same bytes again loads the image instead of lowering every function.
 *
 * Invariants:
 * - An entry's name is the SHA-256 of the module's bytes and the digest of
 *   the configuration its code depends on (`imageConfigDigest`): another
 *   Capstan version or engine configuration never reads it.
 * - An entry is written to a temporary file in the same directory, then
 *   renamed over its name: readers see a whole image or none, and processes
 *   writing the same entry at once each leave a whole one.
 * - An entry is a detached image: it records the module bytes' SHA-256
 *   rather than the bytes (the compiling caller has them), so loading reads,
 *   checksums and keeps no second copy; an entry found under another
 *   module's name is refused as written for another module.
 * - The cache never makes compiling fail: an unreadable, corrupt or stale
 *   entry is compiled afresh and rewritten; a directory that cannot be
 *   written is skipped ({@link ModuleCache.lastError} says why).
 * - An entry holds what was lowered when it was written (modules are lowered
 *   lazily): {@link ModuleCache.flush} — called when the process unloads, and
 *   by the CLI when a run ends — rewrites the entry of each module the
 *   engine compiled or loaded whose functions lowered since, so the next
 *   start finds the code the last run needed.
 *
 * @module
 */

import { createHash } from "node:crypto";
import {
  type CompiledModule,
  deserializeCompiled,
  imageConfigDigest,
  serializeCompiled,
} from "@capstan/codegen";
import type { Tunables, WasmFeatures } from "@capstan/environ";

const sha256 = (bytes: Uint8Array) => new Uint8Array(createHash("sha256").update(bytes).digest());

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

/**
 * The default cache directory, as wasmtime chooses one: `$CAPSTAN_CACHE_DIR`,
 * else `$XDG_CACHE_HOME/capstan`, else `~/.cache/capstan` (`%LOCALAPPDATA%`
 * on Windows); `undefined` when the environment cannot be read.
 *
 * @returns the directory
 */
export function defaultCacheDirectory(): string | undefined {
  try {
    const env = (name: string) => Deno.env.get(name);
    const own = env("CAPSTAN_CACHE_DIR");
    if (own) return own;
    if (Deno.build.os === "windows") {
      const local = env("LOCALAPPDATA");
      return local ? `${local}\\capstan\\cache` : undefined;
    }
    const xdg = env("XDG_CACHE_HOME");
    if (xdg) return `${xdg}/capstan`;
    const home = env("HOME");
    return home ? `${home}/.cache/capstan` : undefined;
  } catch {
    return undefined; // no --allow-env
  }
}

/**
 * What the cache keeps of a module it tracks: its compiled module, and the
 * compiled module to write (the code as it was before this process
 * promoted any function to the JS tier: a promoted entry is this process's
 * business).
 */
export interface CachedModule {
  /** The compiled module, as it runs. */
  readonly _compiled: CompiledModule;
  /** The compiled module to write to an image. */
  _forImage(): CompiledModule;
}

/** One engine's compilation cache. */
export class ModuleCache {
  /** The directory holding the entries. */
  readonly directory: string;
  /** Why the last read or write of an entry failed, if one did (for diagnostics). */
  lastError: unknown = undefined;
  /** Entries loaded and written, for tests and diagnostics. */
  readonly stats = { hits: 0, misses: 0, writes: 0 };
  readonly #tunables: Tunables;
  readonly #features: WasmFeatures;
  readonly #config: string;
  /** Modules to write back: their bytes, and how many functions their entry holds. */
  readonly #tracked: { wasm: Uint8Array; module: WeakRef<CachedModule>; written: number }[] = [];
  #listening = false;

  /**
   * A cache in `directory` for an engine with these tunables.
   *
   * @param directory where the entries live (created on the first write)
   * @param tunables the engine's tunables
   * @param features the proposals the engine accepts (an entry is translated
   *   again with them)
   */
  constructor(directory: string, tunables: Tunables, features: WasmFeatures = {}) {
    this.directory = directory;
    this.#tunables = tunables;
    this.#features = features;
    this.#config = hex(imageConfigDigest(tunables)).slice(0, 16);
  }

  /**
   * The file of a module's entry.
   *
   * @param wasm the module's bytes
   * @returns its path
   */
  entryPath(wasm: Uint8Array): string {
    return this.#path(sha256(wasm));
  }

  #path(digest: Uint8Array): string {
    return `${this.directory}/${hex(digest)}-${this.#config}.cwasm`;
  }

  /**
   * The compiled module of these bytes, if the cache holds a good one.
   *
   * @param wasm the module's bytes
   * @returns it, or `undefined`
   */
  get(wasm: Uint8Array): CompiledModule | undefined {
    let image: Uint8Array;
    const digest = sha256(wasm);
    try {
      image = Deno.readFileSync(this.#path(digest));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) this.lastError = e;
      this.stats.misses++;
      return undefined;
    }
    try {
      const cm = deserializeCompiled(image, this.#tunables, {
        ...this.#features,
        wasm: { bytes: wasm, digest },
      });
      this.stats.hits++;
      return cm;
    } catch (e) {
      this.lastError = e;
      this.stats.misses++;
      return undefined;
    }
  }

  /**
   * Keeps a module to write back to the cache when more of it is lowered
   * (see {@link ModuleCache.flush}).
   *
   * @param wasm the module's bytes
   * @param module the module (held weakly)
   * @param written how many of its functions its entry holds (-1: no entry)
   */
  track(wasm: Uint8Array, module: CachedModule, written: number): void {
    this.#tracked.push({ wasm, module: new WeakRef(module), written });
    if (this.#listening || typeof globalThis.addEventListener !== "function") return;
    this.#listening = true;
    globalThis.addEventListener("unload", () => this.flush());
  }

  /**
   * Writes the entry of every tracked module whose functions lowered since
   * its entry was written (or that has none yet).
   */
  flush(): void {
    for (const t of this.#tracked) {
      const module = t.module.deref();
      if (module === undefined) continue;
      const lowered = ModuleCache.loweredCount(module._compiled);
      if (lowered <= t.written) continue;
      this.put(t.wasm, module._forImage());
      t.written = lowered;
    }
  }

  /**
   * Counts a module's lowered functions.
   *
   * @param cm a compiled module
   * @returns how many of its functions are lowered
   */
  static loweredCount(cm: CompiledModule): number {
    const n = cm.translation.numImportedFunctions;
    let lowered = 0;
    for (let k = 0; k < cm.functions.length; k++) if (cm.isLowered(n + k)) lowered++;
    return lowered;
  }

  /**
   * Stores a module's compiled code.
   *
   * @param wasm the module's bytes
   * @param cm its compiled module
   */
  put(wasm: Uint8Array, cm: CompiledModule): void {
    const digest = sha256(wasm);
    const path = this.#path(digest);
    const temp = `${path}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
    try {
      Deno.mkdirSync(this.directory, { recursive: true });
      // detached: the module's bytes are the loader's (the entry's name is their digest)
      Deno.writeFileSync(temp, serializeCompiled(cm, wasm, { wasmDigest: digest }));
      Deno.renameSync(temp, path);
      this.stats.writes++;
    } catch (e) {
      this.lastError = e;
      try {
        Deno.removeSync(temp);
      } catch {
        // nothing was written
      }
    }
  }
}
