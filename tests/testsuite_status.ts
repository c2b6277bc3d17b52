/**
 * Where Capstan stands on the WebAssembly test suite: every script that does
 * not fully pass, and the feature it waits for. `cli/testsuite_test.ts`
 * asserts that exactly these files fail (and, per file, exactly which
 * commands); each issue that adds a feature turns its files green, removes
 * them here and re-records the expectations.
 *
 * @module
 */

/** The features later work adds, which the failing files wait for. */
export type Feature =
  | "threads" // (implemented: the proposal's imports.wast and memory.wast expect 1.0's "multiple memories" and "multiple tables", which 3.0 allows)
  | "custom descriptors";

/**
 * Every file that does not fully pass, and what it waits for (the first
 * feature named is the one its first failure needs).
 */
export const WAITS_FOR: Readonly<Record<string, readonly Feature[]>> = {
  "proposals/custom-descriptors/array_new_exact.wast": ["custom descriptors"],
  "proposals/custom-descriptors/binary-descriptors.wast": ["custom descriptors"],
  "proposals/custom-descriptors/br_on_cast.wast": ["custom descriptors"],
  "proposals/custom-descriptors/br_on_cast_desc_eq.wast": ["custom descriptors"],
  "proposals/custom-descriptors/br_on_cast_desc_eq_fail.wast": ["custom descriptors"],
  "proposals/custom-descriptors/br_on_cast_fail.wast": ["custom descriptors"],
  "proposals/custom-descriptors/descriptors.wast": ["custom descriptors"],
  "proposals/custom-descriptors/exact-casts.wast": ["custom descriptors"],
  "proposals/custom-descriptors/exact-func-import.wast": ["custom descriptors"],
  "proposals/custom-descriptors/exact.wast": ["custom descriptors"],
  "proposals/custom-descriptors/ref_cast_desc_eq.wast": ["custom descriptors"],
  "proposals/custom-descriptors/ref_get_desc.wast": ["custom descriptors"],
  "proposals/custom-descriptors/struct_new_desc.wast": ["custom descriptors"],
  "proposals/threads/imports.wast": ["threads"],
  "proposals/threads/memory.wast": ["threads"],
};
