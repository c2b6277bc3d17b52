/**
 * Helpers for the runtime's tests: loading the fixtures of `testdata/`
 * (built from `.wat` by `testdata/build.sh`), and float bit patterns at the
 * edges (signs, infinities, quiet and signalling NaNs with payloads).
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

/** f32 bit patterns at the edges, as int32: zeros, infinity, NaNs (quiet, signalling, negative), 1, 2^32. */
export const EDGE_F32_BITS: readonly number[] = [
  0,
  -2147483648,
  0x7f800000,
  0x7fc00000,
  0x7fa00001,
  0xffbf0002 | 0,
  0x3f800000,
  0x4f800000,
];

/** f64 bit patterns at the edges, as int64: zeros, infinity, NaNs (quiet, signalling, negative), 1, 2^64. */
export const EDGE_F64_BITS: readonly bigint[] = [
  0n,
  -9223372036854775808n,
  0x7ff0000000000000n,
  0x7ff8000000000000n,
  0x7ff4000000000001n,
  -0x000c000000000002n,
  0x3ff0000000000000n,
  0x43f0000000000000n,
];
