/**
 * Helpers for the runtime's tests: loading the fixtures of `testdata/`
 * (built from `.wat` by `testdata/build.sh`).
 *
 * @module
 */

import { Engine, type EngineConfig } from "./engine.ts";
import { Module } from "./module.ts";

/**
 * Reads a fixture's bytes.
 *
 * @param name the fixture's base name, e.g. `"segments"`
 * @returns the `.wasm` bytes
 */
export function fixture(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`./testdata/${name}.wasm`, import.meta.url));
}

/**
 * Compiles a fixture.
 *
 * @param name the fixture's base name
 * @param engine the engine (a default one when omitted)
 * @returns the module
 */
export function loadModule(name: string, engine: Engine = new Engine()): Module {
  return new Module(engine, fixture(name));
}

/**
 * An engine with options.
 *
 * @param config engine options
 * @returns the engine
 */
export function engineWith(config: EngineConfig): Engine {
  return new Engine(config);
}
