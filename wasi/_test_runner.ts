/**
 * Test support: runs a WASI command module on a given `WebAssembly` implementation with captured
 * stdio, so one test body serves native `WebAssembly` and Capstan's facade.
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { Wasi, type WasiInstance, type WasiReader, type WasiWriter } from "./wasi.ts";

/** The part of the JS API's `WebAssembly` namespace the runner needs. */
export interface WebAssemblyLike {
  /** `WebAssembly.instantiate(bytes, imports)`. */
  instantiate(
    bytes: Uint8Array<ArrayBuffer>,
    imports: Record<string, Record<string, unknown>>,
  ): Promise<{ instance: WasiInstance }>;
}

/** A named `WebAssembly` implementation to run the fixtures on. */
export interface Engine {
  name: string;
  wasm: WebAssemblyLike;
}

/** A writer that keeps what it is given. */
export class CaptureWriter implements WasiWriter {
  #chunks: Uint8Array[] = [];
  /** Copies `p` and reports it all written. */
  writeSync(p: Uint8Array): number {
    this.#chunks.push(p.slice());
    return p.length;
  }
  /** Everything written so far. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.#chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
  /** Everything written so far, as UTF-8 text. */
  text(): string {
    return new TextDecoder().decode(this.bytes());
  }
}

/** A reader over fixed bytes, handing them out in pieces of at most `chunk` bytes. */
export class BytesReader implements WasiReader {
  #data: Uint8Array;
  #at = 0;
  #chunk: number;
  constructor(data: Uint8Array, chunk = 5) {
    this.#data = data;
    this.#chunk = chunk;
  }
  /** Copies the next bytes into `p`; `null` at the end. */
  readSync(p: Uint8Array): number | null {
    if (this.#at >= this.#data.length) return null;
    const n = Math.min(p.length, this.#chunk, this.#data.length - this.#at);
    p.set(this.#data.subarray(this.#at, this.#at + n));
    this.#at += n;
    return n;
  }
}

/** What a run produced. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  stdoutBytes: Uint8Array;
}

/** Options of {@linkcode runWasi}. */
export interface RunOptions {
  args?: string[];
  env?: Record<string, string>;
  preopens?: Record<string, string>;
  stdin?: Uint8Array;
}

const TESTDATA = new URL("./testdata/", import.meta.url);

/** Reads a fixture from `wasi/testdata/` (or an absolute/URL path). */
export function fixture(name: string): Uint8Array<ArrayBuffer> {
  return Deno.readFileSync(new URL(name, TESTDATA)) as Uint8Array<ArrayBuffer>;
}

/** Instantiates `bytes` on `wasm` with a fresh `Wasi` and runs `_start`. */
export async function runWasi(
  wasm: WebAssemblyLike,
  bytes: Uint8Array<ArrayBuffer>,
  options: RunOptions = {},
): Promise<RunResult> {
  const stdout = new CaptureWriter();
  const stderr = new CaptureWriter();
  const wasi = new Wasi({
    args: options.args,
    env: options.env,
    preopens: options.preopens,
    stdin: new BytesReader(options.stdin ?? new Uint8Array()),
    stdout,
    stderr,
  });
  const { instance } = await wasm.instantiate(bytes, { wasi_snapshot_preview1: wasi.imports });
  const code = wasi.start(instance);
  return { code, stdout: stdout.text(), stderr: stderr.text(), stdoutBytes: stdout.bytes() };
}

/** A named `WebAssembly` implementation and whether it can run the fixtures. */
export interface EngineStatus extends Engine {
  /** `undefined` when usable; otherwise why not (the probe's error). */
  unavailable?: string;
}

/** A command that exits with 7: what the Capstan probe must report. */
const PROBE = parseWat(`
  (module (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
    (memory (export "memory") 1) (func (export "_start") (call 0 (i32.const 7))))`);

/**
 * The engines to test on: native `WebAssembly`, and Capstan's facade when `@capstan/runtime`
 * exports `WebAssembly`. The facade is probed with a module that calls `proc_exit(7)`; if that
 * does not return 7 the engine is listed with the reason, and its tests are registered as
 * ignored rather than run.
 */
export async function engines(): Promise<EngineStatus[]> {
  const list: EngineStatus[] = [{
    name: "native",
    wasm: WebAssembly as unknown as WebAssemblyLike,
  }];
  // A computed specifier keeps the runtime out of this file's type-check graph: the wasi tests
  // must not fail to compile while the runtime is mid-change; a runtime that does not load is
  // reported as unavailable instead.
  const specifier = ["@capstan", "runtime"].join("/");
  let facade: WebAssemblyLike | undefined;
  let unavailable: string | undefined;
  try {
    const runtime: Record<string, unknown> = await import(specifier);
    facade = runtime.WebAssembly as WebAssemblyLike | undefined;
  } catch (err) {
    return [...list, { name: "capstan", wasm: list[0].wasm, unavailable: `${err}` }];
  }
  if (facade === undefined) return list;
  try {
    const wasi = new Wasi({ stdout: new CaptureWriter(), stderr: new CaptureWriter() });
    const { instance } = await facade.instantiate(PROBE.slice(), {
      wasi_snapshot_preview1: wasi.imports,
    });
    const code = wasi.start(instance);
    if (code !== 7) unavailable = `probe exited with ${code}, expected 7`;
  } catch (err) {
    unavailable = err instanceof Error ? err.message : String(err);
  }
  list.push({ name: "capstan", wasm: facade, unavailable });
  return list;
}
