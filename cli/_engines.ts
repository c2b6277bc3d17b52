/**
 * Chooses the engine behind `capstan wast` (`capstan`, `facade`, `native`)
 * and finds the text format (`parseWat`, `parseWast`) when `@capstan/environ`
 * exports it.
 *
 * @module
 */

import { jsApiEngine } from "./js_api_engine.ts";
import type { TextFormat, WastScript } from "./wast_runner.ts";
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
export async function createEngine(
  name: string,
  print: (line: string) => void,
): Promise<WastEngine> {
  switch (name) {
    case "native":
      return jsApiEngine(WebAssembly, { name, checksMessages: false, print });
    case "facade": {
      const { createWebAssembly } = await import("@capstan/runtime/webassembly");
      const { Engine } = await import("@capstan/runtime");
      return jsApiEngine(
        (features) => createWebAssembly({ engine: new Engine({ ...features }) }),
        { name, checksMessages: true, print },
      );
    }
    case "capstan": {
      const { capstanEngine } = await import("./capstan_engine.ts");
      return capstanEngine({ print });
    }
  }
  throw new Error(`unknown engine ${name}`);
}

/**
 * The text format of `@capstan/environ`, when it exports `parseWat` and `parseWast`.
 *
 * @returns the two parsers, or undefined
 */
export async function loadTextFormat(): Promise<TextFormat | undefined> {
  const exports = await import("@capstan/environ") as Record<string, unknown>;
  const { parseWat, parseWast } = exports;
  if (typeof parseWat !== "function" || typeof parseWast !== "function") return undefined;
  return {
    parseWat: parseWat as TextFormat["parseWat"],
    parseWast: (source) =>
      (parseWast as (s: string, f: string, o: { keepGoing: boolean }) => WastScript)(
        source,
        "input.wast",
        { keepGoing: true },
      ),
  };
}
