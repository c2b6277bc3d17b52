/**
 * Chooses the engine behind `capstan wast` (`capstan`, `facade`, `native`)
 * and finds the text format, if `@capstan/environ` exports it yet.
 *
 * @module
 */

import { jsApiEngine } from "./js_api_engine.ts";
import type { TextFormat } from "./wast_runner.ts";
import type { WastEngine } from "./wast_engine.ts";

/** The engine names `--engine` accepts. */
export const ENGINE_NAMES: readonly string[] = ["capstan", "facade", "native"];

/**
 * Builds an engine by name.
 *
 * @param name one of {@link ENGINE_NAMES}
 * @param print where `spectest.print*` writes
 * @returns the engine
 */
export function createEngine(name: string, print: (line: string) => void): Promise<WastEngine> {
  switch (name) {
    case "native":
      return Promise.resolve(jsApiEngine(WebAssembly, { name, checksMessages: false, print }));
  }
  return Promise.reject(new Error(`the ${name} engine is not available yet`));
}

/**
 * The text format of `@capstan/environ`, when it exports `parseWat` and `parseWast`.
 *
 * @returns the two parsers, or undefined
 */
export function loadTextFormat(): Promise<TextFormat | undefined> {
  return Promise.resolve(undefined);
}
