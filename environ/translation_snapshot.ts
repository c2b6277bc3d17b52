/**
 * A module translation as plain data, to be kept and restored without
 * decoding the module again: {@link snapshotTranslation} and
 * {@link restoreTranslation}. Compiled-module images carry one (see
 * `codegen/serialize.ts`), so a module loaded from the compilation cache
 * skips decoding and validating its sections.
 *
 * What a snapshot leaves out, because it belongs to the process or to the
 * bytes:
 * - the module's bytes (the loader has them; custom sections are kept as
 *   ranges into them);
 * - canonical type ids and the type keys derived from them: ids are given
 *   by this process's type registry, so restoring registers the module's
 *   recursion groups again ({@link TypeRelation}), exactly as translating
 *   does.
 *
 * Invariants:
 * - `restoreTranslation(snapshotTranslation(t, f), t.bytes)` has every
 *   field of `t`, equal (the type keys and ids as this process's registry
 *   gives them).
 * - A snapshot keeps the proposals the module was translated with
 *   (`ModuleTranslation.features`); a loader with other proposals should
 *   translate again ({@link sameFeatures}).
 * - A snapshot is trusted as far as whatever carries it vouches for it (an
 *   image's checksum): it is not validated again.
 *
 * @module
 */

import { TypeRelation } from "./_subtyping.ts";
import type { WasmFeatures } from "./translate.ts";
import type { CustomSection, FuncType, ModuleTranslation } from "./types.ts";

/** A translation as plain data (structured-cloneable), without its bytes. */
export interface TranslationSnapshot {
  /** The proposals the module was translated with. */
  readonly features: ModuleTranslation["features"];
  /** The translation's other fields but `bytes`, `typeIds` and `customSections`; types without keys. */
  readonly fields: Omit<ModuleTranslation, "bytes" | "typeIds" | "customSections" | "features">;
  /** The custom sections: name, and where their data is in the module's bytes. */
  readonly customSections: readonly { name: string; start: number; length: number }[];
}

/** The proposals of a set of options, every one given (absent ones off). */
function allFeatures(features: WasmFeatures): Required<WasmFeatures> {
  return {
    stackSwitching: features.stackSwitching ?? false,
    customPageSizes: features.customPageSizes ?? false,
  };
}

/**
 * Whether two sets of proposals are the same.
 *
 * @param a one
 * @param b the other
 * @returns true when every proposal is on in both or off in both
 */
export function sameFeatures(a: WasmFeatures, b: WasmFeatures): boolean {
  const x = allFeatures(a);
  const y = allFeatures(b);
  return (Object.keys(x) as (keyof WasmFeatures)[]).every((k) => x[k] === y[k]);
}

/**
 * A translation as plain data.
 *
 * @param t the translation
 * @returns its snapshot
 * @example
 * ```ts
 * import { parseWat, restoreTranslation, snapshotTranslation, translateModule } from "@capstan/environ";
 * const wasm = parseWat('(module (func (export "f") (result i32) i32.const 7))');
 * const t = translateModule(wasm);
 * const back = restoreTranslation(structuredClone(snapshotTranslation(t)), wasm);
 * if (back.exports[0].name !== "f" || back.bodies.length !== 1) throw new Error();
 * ```
 */
export function snapshotTranslation(t: ModuleTranslation): TranslationSnapshot {
  const { bytes, typeIds: _ids, customSections, types, features, ...rest } = t;
  return {
    features,
    fields: { ...rest, types: types.map(withoutKey) },
    customSections: customSections.map(({ name, data }) => ({
      name,
      start: data.byteOffset - bytes.byteOffset,
      length: data.length,
    })),
  };
}

/** A type as decoded: without the key its module's type relation gives it. */
function withoutKey(t: FuncType): FuncType {
  if (t.key === undefined) return t;
  const { key: _key, ...rest } = t;
  return rest;
}

/**
 * The translation a snapshot was made from, for the same module bytes.
 *
 * @param s the snapshot
 * @param bytes the module's bytes
 * @returns the translation, its types registered in this process
 * @throws {RangeError} when a custom section lies outside the bytes (the
 *   snapshot is not of these bytes)
 */
export function restoreTranslation(s: TranslationSnapshot, bytes: Uint8Array): ModuleTranslation {
  const relation = new TypeRelation(s.fields.types, 8, s.features.stackSwitching);
  const customSections: CustomSection[] = s.customSections.map(({ name, start, length }) => {
    if (!(start >= 0 && length >= 0 && start + length <= bytes.length)) {
      throw new RangeError(`custom section "${name}" lies outside the module's bytes`);
    }
    return { name, data: bytes.subarray(start, start + length) };
  });
  const f = s.fields;
  // the fields in the order `translateModule` gives them (one object shape for both)
  return {
    bytes,
    types: relation.types,
    typeIds: relation.canon,
    imports: f.imports,
    functions: f.functions,
    tables: f.tables,
    memories: f.memories,
    globals: f.globals,
    globalInits: f.globalInits,
    numImportedFunctions: f.numImportedFunctions,
    numImportedTables: f.numImportedTables,
    numImportedMemories: f.numImportedMemories,
    numImportedGlobals: f.numImportedGlobals,
    tags: f.tags,
    numImportedTags: f.numImportedTags,
    exports: f.exports,
    start: f.start,
    elements: f.elements,
    datas: f.datas,
    dataCount: f.dataCount,
    bodies: f.bodies,
    customSections,
    names: f.names,
    features: s.features,
  };
}
