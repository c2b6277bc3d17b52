/**
 * Compiled-module images (wasmtime's `.cwasm`): a {@link CompiledModule}
 * written to bytes by {@link serializeCompiled} and read back by
 * {@link deserializeCompiled} without lowering anything again.
 *
 * The image, little-endian:
 *
 * | bytes | what |
 * | --- | --- |
 * | 8 | the magic `\0cwasm\x01\0` (the last but one byte is the format version) |
 * | 32 | SHA-256 of what the code depends on ({@link imageConfigDigest}): Capstan's version, the bytecode op table, the tunables |
 * | 32 | SHA-256 of the payload |
 * | 4 | the payload's length |
 * | … | the payload: 32-bit words (below) |
 *
 * The payload: the wasm bytes (length, then the bytes padded to a word; or,
 * in a detached image such as a cache entry, the word -1 then the bytes'
 * SHA-256, the loader supplying the bytes), the module's translation as
 * plain data (`TranslationSnapshot`, in V8's serialization format: length,
 * then the bytes padded to a word), whether the module is lowered lazily, the code (length, words), and per
 * defined function whether it is lowered, its index, type index, entry, end,
 * frame size, count of legacy `try`s, trap sites, relocations (a `type`
 * relocation names a module type index, the code's word being patched with
 * that type's canonical id on loading), stack maps,
 * address map and exception handlers (each a count then its words). A module lowered lazily keeps the functions lowered
 * so far; loaded, it lowers the others on their first call.
 *
 * Invariants:
 * - Reading checks everything before using it: the magic and format, the
 *   configuration digest (another Capstan or another engine configuration is
 *   an {@link ImageError} naming which), the payload digest (any corruption),
 *   and every length against what is left. The translation is restored
 *   from its snapshot (the module's types registered again in this
 *   process), or, when the loading engine's proposals are not the ones the
 *   image was made with, the wasm bytes are translated again with the
 *   engine's (decoded and validated, but for the function bodies, which were
 *   validated when the image was made and which the checksum vouches for).
 *   Either way the module's metadata is exactly what compiling gives.
 * - The configuration digest covers the snapshot's shape (every field name
 *   of a small module's snapshot), so an image from a Capstan whose
 *   translations hold other fields is refused, not misread.
 * - An image is trusted as far as its digests go: like wasmtime's
 *   `Module::deserialize`, it is meant for images this program or its cache
 *   wrote, not for images from strangers.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { deserialize as v8Deserialize, serialize as v8Serialize } from "node:v8";
import {
  CompileError,
  type FunctionBody,
  type ModuleTranslation,
  restoreTranslation,
  sameFeatures,
  snapshotTranslation,
  translateModule,
  type TranslationSnapshot,
  type Tunables,
  VMOffsets,
  type WasmFeatures,
} from "@capstan/environ";
import { BYTECODE_OPS } from "@capstan/interpreter";
import { type CompiledFunction, CompiledModule } from "./compile.ts";
import { STUB_WORDS } from "./_lazy_lowering.ts";
import { relocateTypes, typeRelocsAsIndices } from "./type_relocation.ts";
import type { Reloc, RelocKind, StackMap } from "./sinks.ts";
import denoJson from "./deno.json" with { type: "json" };

/** The image format's version (the magic's seventh byte). */
export const IMAGE_FORMAT = 6;

const MAGIC = [0x00, 0x63, 0x77, 0x61, 0x73, 0x6d, IMAGE_FORMAT, 0x00]; // "\0cwasm", the format, 0
const HEADER = 8 + 32 + 32 + 4;
const RELOC_KINDS: readonly RelocKind[] = ["func", "import", "builtin", "type"];

/** A compiled-module image that cannot be loaded, and why. */
export class ImageError extends Error {
  /** @param message why */
  constructor(message: string) {
    super(message);
    this.name = "ImageError";
  }
}

/**
 * The digest of everything a module's code depends on besides the module:
 * Capstan's version, the bytecode op table (names and operand shapes) and
 * the tunables. Two engines with the same digest run each other's images.
 *
 * @param tunables the engine's tunables
 * @returns 32 bytes
 */
export function imageConfigDigest(tunables: Tunables): Uint8Array {
  const ops = BYTECODE_OPS.map((o) => `${o.name}(${o.operands.map((x) => x.kind).join("")})`);
  const keys = Object.keys(tunables).sort() as (keyof Tunables)[];
  const config = JSON.stringify({
    format: IMAGE_FORMAT,
    version: denoJson.version,
    ops,
    tunables: keys.map((k) => [k, tunables[k]]),
    translation: translationShape(),
  });
  return sha256(new TextEncoder().encode(config));
}

let shape: string | undefined;

/**
 * The shape of a translation snapshot: the field names, at every depth, of
 * the snapshot of a small module that has one of each section. An image
 * keeps a snapshot, so a change to what a translation holds changes the
 * configuration digest and old images are refused rather than misread.
 */
function translationShape(): string {
  if (shape !== undefined) return shape;
  const names = new Set<string>();
  const walk = (v: unknown, path: string) => {
    if (v === null || typeof v !== "object" || ArrayBuffer.isView(v)) return;
    if (v instanceof Map) {
      for (const x of v.values()) walk(x, `${path}.*`);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      const at = Array.isArray(v) ? `${path}[]` : `${path}.${k}`;
      names.add(at);
      walk(x, at);
    }
  };
  walk(snapshotTranslation(translateModule(SHAPE_MODULE)), "");
  return shape = [...names].sort().join();
}

/**
 * `(module (type (func (param i32))) (import "m" "f" (func (type 0)))
 * (table 1 funcref) (memory 1) (global i32 (i32.const 0)) (export "g" (global 0))
 * (elem (i32.const 0) func 0) (func (type 0) (local i64)) (data (i32.const 0) "a"))`
 * and a custom section "c".
 */
const SHAPE_MODULE = new Uint8Array([
  0,
  97,
  115,
  109,
  1,
  0,
  0,
  0,
  1,
  5,
  1,
  96,
  1,
  127,
  0,
  2,
  7,
  1,
  1,
  109,
  1,
  102,
  0,
  0,
  3,
  2,
  1,
  0,
  4,
  4,
  1,
  112,
  0,
  1,
  5,
  3,
  1,
  0,
  1,
  6,
  6,
  1,
  127,
  0,
  65,
  0,
  11,
  7,
  5,
  1,
  1,
  103,
  3,
  0,
  9,
  7,
  1,
  0,
  65,
  0,
  11,
  1,
  0,
  10,
  6,
  1,
  4,
  1,
  1,
  126,
  11,
  11,
  7,
  1,
  0,
  65,
  0,
  11,
  1,
  97,
  0,
  2,
  1,
  99,
]);

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

/** A growable list of 32-bit words. */
class Words {
  buf = new Int32Array(1024);
  len = 0;
  /** Makes room for `n` more words. */
  reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Int32Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
  push(w: number): void {
    if (this.len === this.buf.length) this.reserve(1);
    this.buf[this.len++] = w;
  }
  /** A count, then the words. */
  pushAll(ws: ArrayLike<number>): void {
    this.push(ws.length);
    this.reserve(ws.length);
    this.buf.set(ws, this.len);
    this.len += ws.length;
  }
  /** A count of bytes, then the bytes in words (the last one padded with zeros). */
  pushBytes(bytes: Uint8Array): void {
    this.push(bytes.length);
    const n = (bytes.length + 3) >> 2;
    this.reserve(n);
    new Uint8Array(this.buf.buffer, this.len * 4, n * 4).set(bytes);
    this.len += n;
  }
}

/** Options of {@link serializeCompiled}. */
export interface SerializeOptions {
  /** Lower every function first (default: a lazy module's image keeps what is lowered so far). */
  readonly all?: boolean;
  /**
   * Write a detached image: the wasm bytes left out, this SHA-256 of them
   * recorded instead (a cache entry, named by that digest: its loader has
   * the bytes, so the image need not hold, read and checksum them again).
   */
  readonly wasmDigest?: Uint8Array;
}

/** The first payload word of a detached image (in place of the wasm bytes' length). */
const DETACHED = -1;

/** The module bytes a detached image was written for, and their SHA-256. */
export interface DetachedWasm {
  /** The bytes (the loaded module's translation keeps them). */
  readonly bytes: Uint8Array;
  /** Their SHA-256. */
  readonly digest: Uint8Array;
}

/**
 * Writes a compiled module as an image.
 *
 * @param cm the compiled module
 * @param wasm the module's bytes
 * @param options whether to lower every function first
 * @returns the image
 * @example
 * ```ts
 * import { translateModule, DEFAULT_TUNABLES } from "@capstan/environ";
 * import { compileModule, deserializeCompiled, serializeCompiled } from "@capstan/codegen";
 * const wasm = new Uint8Array([0,97,115,109,1,0,0,0,1,5,1,96,0,1,127,3,2,1,0,10,6,1,4,0,65,7,11]);
 * const image = serializeCompiled(compileModule(translateModule(wasm)), wasm);
 * const back = deserializeCompiled(image, DEFAULT_TUNABLES);
 * if (back.functions.length !== 1) throw new Error();
 * ```
 */
export function serializeCompiled(
  cm: CompiledModule,
  wasm: Uint8Array,
  options: SerializeOptions = {},
): Uint8Array {
  if (options.all) cm.lowerAll();
  const w = new Words();
  const digest = options.wasmDigest;
  if (digest !== undefined) {
    if (digest.length !== 32) throw new RangeError("a wasm digest is 32 bytes (SHA-256)");
    w.push(DETACHED);
    for (let i = 0; i < 32; i += 4) {
      w.push(digest[i] | digest[i + 1] << 8 | digest[i + 2] << 16 | digest[i + 3] << 24);
    }
  } else {
    w.pushBytes(wasm);
  }
  w.pushBytes(v8Serialize(snapshotTranslation(cm.translation)));
  w.push(cm.isLazy ? 1 : 0);
  w.pushAll(cm.code);
  w.push(cm.functions.length);
  // canonical type ids are this process's: the image names module type indices
  for (const f of typeRelocsAsIndices(cm.functions, cm.translation.typeIds)) {
    w.push(cm.isLowered(f.funcIndex) ? 1 : 0);
    for (const x of [f.funcIndex, f.typeIndex, f.entry, f.end, f.frameSize]) w.push(x);
    w.push(
      cm.translation.bodies[f.funcIndex - cm.translation.numImportedFunctions].legacyTries ?? 0,
    );
    w.push(f.traps.length);
    for (const t of f.traps) w.push(t.pc), w.push(t.code);
    w.push(f.relocs.length);
    for (const r of f.relocs) w.push(r.pc), w.push(RELOC_KINDS.indexOf(r.kind)), w.push(r.index);
    w.push(f.stackMaps.length);
    for (const s of f.stackMaps) w.push(s.pc), w.pushAll(s.slots);
    w.pushAll(f.addressMap);
    w.pushAll(f.handlers);
  }
  const payload = new Uint8Array(w.buf.buffer, 0, w.len * 4);
  const image = new Uint8Array(HEADER + payload.length);
  image.set(MAGIC, 0);
  image.set(imageConfigDigest(cm.tunables), 8);
  image.set(sha256(payload), 40);
  new DataView(image.buffer).setUint32(72, payload.length, true);
  image.set(payload, HEADER);
  return image;
}

/**
 * Whether bytes start like an image (not whether it is a good one).
 *
 * @param bytes a file's bytes
 * @returns true when the magic matches
 */
export function isImage(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && MAGIC.slice(0, 6).every((b, i) => bytes[i] === b);
}

/** Whether bytes hold the whole magic of this format. */
function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
}

/** The empty list of a function without traps, relocations or stack maps. */
const NONE: readonly never[] = Object.freeze([]);

/** The empty word list (never written). */
const NO_WORDS = new Int32Array(0);

/** Reads words from a payload, each read checked against its end. */
class Reader {
  #w: Int32Array;
  #at = 0;
  constructor(words: Int32Array) {
    this.#w = words;
  }
  word(): number {
    if (this.#at >= this.#w.length) throw new ImageError("corrupt image: it ends too early");
    return this.#w[this.#at++];
  }
  count(max = this.#w.length - this.#at): number {
    const n = this.word();
    if (n < 0 || n > max) throw new ImageError("corrupt image: a length is out of range");
    return n;
  }
  get remaining(): number {
    return this.#w.length - this.#at;
  }
  /** Steps over `n` words (the caller checked they are there); returns where they start. */
  skip(n: number): number {
    const at = this.#at;
    this.#at += n;
    return at;
  }
  /** A count, then that many items read by `item` (one shared empty list for none). */
  list<T>(item: () => T): readonly T[] {
    const n = this.count();
    if (n === 0) return NONE;
    const out: T[] = [];
    for (let k = 0; k < n; k++) out.push(item());
    return out;
  }
  words(n: number): Int32Array {
    if (n === 0) return NO_WORDS; // a function not lowered has no maps: share one
    const out = this.#w.slice(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }
  get done(): boolean {
    return this.#at === this.#w.length;
  }
}

/** Options of {@link deserializeCompiled}. */
export interface DeserializeOptions extends WasmFeatures {
  /** The module bytes of a detached image (ignored for an image that holds its own). */
  readonly wasm?: DetachedWasm;
}

/**
 * The translation of an image's module: its snapshot restored, or, for an
 * engine with other proposals than the image's, the module translated again
 * with the engine's. Either way its checksum matched: the bodies were
 * validated when the image was made.
 */
function translationOf(
  snapshot: Uint8Array,
  wasm: Uint8Array,
  features: WasmFeatures,
): ModuleTranslation {
  // (a snapshot that does not read is an ImageError: see deserializeCompiled)
  const s = v8Deserialize(snapshot) as TranslationSnapshot;
  if (sameFeatures(s.features, features)) return restoreTranslation(s, wasm);
  const { stackSwitching, customPageSizes } = features;
  return translateModule(wasm, { stackSwitching, customPageSizes, validateBodies: false });
}

/**
 * Reads an image written by {@link serializeCompiled} for an engine with
 * these tunables.
 *
 * @param image the image
 * @param tunables the loading engine's tunables (they must be the image's)
 * @param options the loading engine's proposals (the module is translated
 *   again with them), and a detached image's module bytes
 * @returns the compiled module, its translation made again from the wasm bytes:
 *   its bytes are a view of the image, which must not change afterwards
 * @throws ImageError when the image is not one, is another Capstan's or
 *   another configuration's, or is corrupt; CompileError if its wasm is invalid
 */
export function deserializeCompiled(
  image: Uint8Array,
  tunables: Tunables,
  options: DeserializeOptions = {},
): CompiledModule {
  if (!isImage(image)) throw new ImageError("not a compiled module image (bad magic)");
  if (image.length < HEADER) throw new ImageError("corrupt image: truncated header");
  if (image[6] !== IMAGE_FORMAT) {
    throw new ImageError(`image format ${image[6]}, this Capstan reads format ${IMAGE_FORMAT}`);
  }
  if (!hasMagic(image)) throw new ImageError("not a compiled module image (bad magic)");
  const config = imageConfigDigest(tunables);
  if (!config.every((b, i) => image[8 + i] === b)) {
    throw new ImageError(
      "the image was compiled by another Capstan version or for another engine configuration " +
        "(fuel, epochs, instruction counting, super-instructions, NaN canonicalisation)",
    );
  }
  const length = new DataView(image.buffer, image.byteOffset).getUint32(72, true);
  if (length !== image.length - HEADER || length % 4 !== 0) {
    throw new ImageError(
      `corrupt image: the payload should be ${length} bytes, found ${image.length - HEADER}`,
    );
  }
  const payload = image.subarray(HEADER);
  if (!sha256(payload).every((b, i) => image[40 + i] === b)) {
    throw new ImageError("corrupt image: the payload's checksum does not match");
  }
  try {
    return readPayload(payload, tunables, options);
  } catch (e) {
    // a payload whose checksum matches but which is not one this Capstan wrote
    if (e instanceof ImageError || e instanceof CompileError) throw e;
    throw new ImageError(`corrupt image: its contents do not read (${(e as Error).message})`);
  }
}

/** The compiled module of an image's payload (its checksum checked). */
function readPayload(
  payload: Uint8Array,
  tunables: Tunables,
  options: DeserializeOptions,
): CompiledModule {
  const detached = options.wasm;
  // The payload read in place when it is word-aligned (a file's or a copy's buffer is).
  const aligned = payload.byteOffset % 4 === 0;
  const words = aligned
    ? new Int32Array(payload.buffer, payload.byteOffset, payload.length >> 2)
    : new Int32Array(payload.slice().buffer);
  const r = new Reader(words);
  let wasm: Uint8Array;
  if (words.length > 0 && words[0] === DETACHED) {
    r.skip(1);
    if (r.remaining < 8) throw new ImageError("corrupt image: it ends too early");
    const digest = new Uint8Array(r.words(8).buffer, 0, 32);
    if (detached === undefined) {
      throw new ImageError("the image holds no module bytes (a cache entry): give them");
    }
    if (!digest.every((b, i) => detached.digest[i] === b)) {
      throw new ImageError("the image was written for another module");
    }
    wasm = detached.bytes;
  } else {
    const wasmLength = r.count((r.remaining - 1) * 4); // bytes, after this length word
    const wasmAt = r.skip((wasmLength + 3) >> 2) * 4;
    wasm = aligned
      ? payload.subarray(wasmAt, wasmAt + wasmLength)
      : new Uint8Array(words.buffer, words.byteOffset + wasmAt, wasmLength);
  }
  const snapshotLength = r.count((r.remaining - 1) * 4);
  const snapshotAt = r.skip((snapshotLength + 3) >> 2) * 4;
  const translation = translationOf(
    new Uint8Array(words.buffer, words.byteOffset + snapshotAt, snapshotLength),
    wasm,
    options,
  );
  const lazy = r.word();
  if (lazy !== 0 && lazy !== 1) throw new ImageError("corrupt image: a bad lazy flag");
  const code = r.words(r.count());
  const n = r.count();
  if (n !== translation.bodies.length) {
    throw new ImageError(
      `corrupt image: ${n} functions for a module with ${translation.bodies.length}`,
    );
  }
  if (lazy === 1 && code.length < n * STUB_WORDS) {
    throw new ImageError("corrupt image: the code is shorter than its stubs");
  }
  const functions: CompiledFunction[] = [];
  let allLowered = true;
  for (let i = 0; i < n; i++) {
    const lowered = r.word();
    const funcIndex = r.word();
    const typeIndex = r.word();
    const entry = r.word();
    const end = r.word();
    const frameSize = r.word();
    const legacyTries = r.count(); // the validator counts them; the bodies were not validated
    if (lowered === 0) {
      allLowered = false;
      if (lazy === 0 || entry !== i * STUB_WORDS || end !== entry + STUB_WORDS) {
        throw new ImageError(`corrupt image: function ${funcIndex} is neither lowered nor a stub`);
      }
    } else if (lowered !== 1) throw new ImageError("corrupt image: a bad lowered flag");
    const body = translation.bodies[i];
    if (funcIndex !== body.funcIndex || typeIndex !== body.typeIndex) {
      throw new ImageError(`corrupt image: function ${i} is not the module's`);
    }
    if (entry < 0 || end < entry || end > code.length) {
      throw new ImageError(`corrupt image: function ${funcIndex}'s code is out of range`);
    }
    const traps = r.list(() => ({ pc: r.word(), code: r.word() }));
    const relocs = r.list((): Reloc => {
      const pc = r.word();
      const kind = RELOC_KINDS[r.word()];
      if (kind === undefined) throw new ImageError("corrupt image: an unknown relocation kind");
      return { pc, kind, index: r.word() };
    });
    const stackMaps = r.list((): StackMap => ({ pc: r.word(), slots: [...r.words(r.count())] }));
    const addressMap = r.words(r.count());
    const handlers = r.words(r.count());
    if (legacyTries > 0) {
      (translation.bodies as FunctionBody[])[i] = { ...body, legacyTries };
    }
    functions.push({
      funcIndex,
      typeIndex,
      entry,
      end,
      frameSize,
      traps,
      relocs,
      stackMaps,
      addressMap,
      handlers,
      ir: undefined,
    });
  }
  if (!r.done) throw new ImageError("corrupt image: bytes after the last function");
  // the code's canonical type ids as this process's registry gives them
  const relocated = relocateTypes(code, functions, translation.typeIds);
  if (!allLowered) return CompiledModule.resumeLazy(translation, tunables, code, relocated);
  return new CompiledModule(
    translation,
    VMOffsets.forModule(translation),
    tunables,
    code,
    relocated,
  );
}
