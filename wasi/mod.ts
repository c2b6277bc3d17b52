/**
 * `@capstan/wasi`: WASI preview1 (`wasi_snapshot_preview1`) for WebAssembly command and reactor
 * modules, on Deno's synchronous APIs, with a sandboxed file system.
 *
 * The guest sees only the directories given as `preopens`; no path can leave them, whether by
 * `..`, an absolute path, or a symbolic link (`EPERM`, as wasmtime). The environment is empty
 * unless given. The API takes any object shaped like the JS API's `Instance`, so the same code
 * runs a module on native `WebAssembly` or on Capstan's `WebAssembly` facade.
 *
 * @example
 * ```ts ignore
 * import { Wasi } from "@capstan/wasi";
 *
 * const wasi = new Wasi({
 *   args: ["hello.wasm", "world"],
 *   env: { LANG: "C" },
 *   preopens: { "/data": "./data" },
 * });
 * const bytes = await Deno.readFile("examples/hello.wasm");
 * const { instance } = await WebAssembly.instantiate(bytes, {
 *   wasi_snapshot_preview1: wasi.imports,
 * });
 * Deno.exit(wasi.start(instance));
 * ```
 *
 * @module
 */

export { runWasiThreads, type WasiThreadsOptions } from "./threads.ts";
export {
  Wasi,
  type WasiHostFunction,
  type WasiInstance,
  type WasiOptions,
  type WasiReader,
  type WasiWriter,
} from "./wasi.ts";
export { WasiExit } from "./exit.ts";
export { Errno, ERRNO_NAMES, type ErrnoName, errnoName } from "./errno.ts";
