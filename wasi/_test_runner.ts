/**
 * Test support: runs a WASI command module on a given `WebAssembly` implementation with captured
 * stdio, so one test body serves native `WebAssembly` and Capstan's facade.
 *
 * @module
 */

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

/**
 * The engines to test on: native `WebAssembly` always, and Capstan's facade when
 * `runtime/webassembly.ts` exists and exports `WebAssembly`.
 */
export async function engines(): Promise<Engine[]> {
  const list: Engine[] = [{ name: "native", wasm: WebAssembly as unknown as WebAssemblyLike }];
  const facadeUrl = new URL("../runtime/webassembly.ts", import.meta.url);
  let exists = false;
  try {
    exists = Deno.statSync(facadeUrl).isFile;
  } catch {
    exists = false;
  }
  if (exists) {
    const mod = await import(facadeUrl.href);
    if (mod.WebAssembly !== undefined) {
      list.push({ name: "capstan", wasm: mod.WebAssembly as WebAssemblyLike });
    }
  }
  return list;
}
