/**
 * The JS tier ahead of time: a whole module written as one ES module
 * ({@link writeJsModule}), for hosts that forbid generating code from strings
 * (`eval`, `new Function`).
 *
 * The ES module holds:
 * - every function the JS tier lowers, as real code: the body of
 *   `compileJsModule`'s factory, written as the function `factory(X, S, H, C)`
 *   (the runtime binds it to each instance as it binds the factory it
 *   loads with `new Function` under the `"js"` strategy);
 * - the compiled-module image (`serializeCompiled`, base64) with the
 *   bytecode of the functions the JS tier routes to the interpreter, and
 *   the wasm bytes the runtime makes the module from;
 * - the tunables the code was compiled with and each routed function's
 *   reason;
 * - `export function instantiate(imports, options)`, which hands all of it
 *   to `instantiateAot` of the runtime (imported from `runtimeSpecifier`) and
 *   resolves to the instance's exports as the JS-API facade makes them;
 * - with `wasi`, also `export function main(args)` (and a call of it when the
 *   module is run as a program): the module run as a WASI command with
 *   `@capstan/wasi`, as `capstan run` runs it.
 *
 * Invariants:
 * - The code of a lowered function is exactly what `compileJsModule` gives
 *   for the same translation and tunables (the `"js"` strategy's code), but
 *   a function naming GC types by canonical id runs on the interpreter (ids
 *   are a process's: the image's bytecode is relocated when loaded, the JS
 *   could not be).
 * - The image's configuration digest ties the module to one Capstan version
 *   and these tunables; the runtime refuses another (see `runtime/aot.ts`),
 *   as it refuses an image of another version.
 *
 * @module
 */

import { DEFAULT_TUNABLES, type ModuleTranslation, type Tunables } from "@capstan/environ";
import { compileModule } from "./compile.ts";
import { compileJsModule } from "./js_backend.ts";
import { serializeCompiled } from "./serialize.ts";

/**
 * The version of the contract between a written ES module and the runtime's
 * `instantiateAot` (the shape of the code record it passes).
 */
export const JS_MODULE_FORMAT = 1;

/** Options of {@link writeJsModule}. */
export interface JsModuleWriterOptions {
  /** The specifier the module imports `instantiateAot` from (default `@capstan/runtime`). */
  readonly runtimeSpecifier?: string;
  /**
   * Also write `main(args)`, running the module as a WASI command with `Wasi`
   * imported from `specifier` (default `@capstan/wasi`) and `program` as its
   * `argv[0]`.
   */
  readonly wasi?: { readonly specifier?: string; readonly program: string };
  /** A line for the module's header comment (e.g. what it was written from). */
  readonly origin?: string;
}

/** A module written as an ES module, with what it holds. */
export interface WrittenJsModule {
  /** The ES module's source. */
  readonly source: string;
  /** The defined functions written as JS code. */
  readonly lowered: number;
  /** The defined functions that run on the interpreter, with why. */
  readonly routed: ReadonlyMap<number, string>;
}

/**
 * Writes a module's JS code, and what the runtime needs with it, as an ES module.
 *
 * @param translation a validated module (its `bytes` are embedded)
 * @param tunables the engine configuration the code is for (fuel, epochs, NaN canonicalisation)
 * @param options specifiers and the WASI flavour
 * @returns the ES module's source and what it holds
 * @example
 * ```ts
 * import { translateModule } from "@capstan/environ";
 * import { writeJsModule } from "./js_module_writer.ts";
 * // (module (func (export "f") (param i32) (result i32) local.get 0))
 * const bytes = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0,
 *   7, 5, 1, 1, 102, 0, 0, 10, 6, 1, 4, 0, 32, 0, 11,
 * ]);
 * const out = writeJsModule(translateModule(bytes));
 * if (out.lowered !== 1 || !out.source.includes("function fn0(")) throw new Error();
 * ```
 */
export function writeJsModule(
  translation: ModuleTranslation,
  tunables: Tunables = DEFAULT_TUNABLES,
  options: JsModuleWriterOptions = {},
): WrittenJsModule {
  const js = compileJsModule(translation, tunables, "structured", true);
  const routed = new Map<number, string>();
  for (const f of js.functions) if (f.routed !== undefined) routed.set(f.funcIndex, f.routed);
  // the image: the routed functions' bytecode (the others lower on the interpreter only if asked)
  const compiled = compileModule(translation, tunables, { lazy: true });
  for (const k of routed.keys()) compiled.lower(k);
  const image = serializeCompiled(compiled, translation.bytes);
  const runtime = options.runtimeSpecifier ?? "@capstan/runtime";
  const lines = [
    `// Written by \`capstan compile --emit=js\`${
      options.origin ? ` from ${options.origin}` : ""
    }.`,
    `// Generated code: do not edit. It runs only with the Capstan runtime it was written for.`,
    `import { instantiateAot } from ${JSON.stringify(runtime)};`,
    ...(options.wasi === undefined ? [] : [
      `import { Wasi, WasiExit } from ${
        JSON.stringify(options.wasi.specifier ?? "@capstan/wasi")
      };`,
    ]),
    ``,
    `/** The module's functions in JS: the runtime binds this to each instance. */`,
    `function factory(X, S, H, C) {`,
    js.source,
    `}`,
    ``,
    `const CODE = {`,
    `  format: ${JS_MODULE_FORMAT},`,
    `  tunables: ${JSON.stringify(tunables)},`,
    `  routed: ${JSON.stringify(Object.fromEntries(routed))},`,
    `  factory,`,
    `  image: ${JSON.stringify(base64(image))},`,
    `};`,
    ``,
    `/**`,
    ` * Instantiates the module (the JS-API's \`WebAssembly.instantiate\`, on Capstan).`,
    ` *`,
    ` * @param imports the import object: module name → name → value`,
    ` * @param options \`maxWasmStack\` (bytes), \`setup(store)\` (called before instantiation: fuel, epoch deadline)`,
    ` * @returns the instance's exports`,
    ` */`,
    `export function instantiate(imports = {}, options = {}) {`,
    `  return instantiateAot(CODE, imports, options);`,
    `}`,
  ];
  if (options.wasi !== undefined) lines.push(``, ...wasiMain(options.wasi.program));
  return {
    source: lines.join("\n") + "\n",
    lowered: js.functions.length - routed.size,
    routed,
  };
}

/**
 * `main(args)`: the module run as a WASI command, its options (`--dir
 * HOST[::GUEST]`, `--env KEY[=VALUE]`, before the guest's arguments) and exit
 * codes as `capstan run`'s.
 */
function wasiMain(program: string): string[] {
  return [
    `/**`,
    ` * Runs the module as a WASI command: \`--dir HOST[::GUEST]\` and \`--env KEY[=VALUE]\``,
    ` * options first, then the guest's arguments (\`--\` ends the options).`,
    ` *`,
    ` * @param args the command line (default \`Deno.args\`)`,
    ` * @param options passed to \`instantiate\``,
    ` * @returns the exit code: the guest's, 134 when it traps`,
    ` */`,
    `export async function main(args = Deno.args, options = {}) {`,
    `  const preopens = {}, env = {};`,
    `  let i = 0;`,
    `  for (; i + 1 < args.length && (args[i] === "--dir" || args[i] === "--env"); i += 2) {`,
    `    const value = args[i + 1];`,
    `    if (args[i] === "--dir") {`,
    `      const [host, guest = host] = value.split("::");`,
    `      preopens[guest] = host;`,
    `    } else if (value.includes("=")) {`,
    `      env[value.slice(0, value.indexOf("="))] = value.slice(value.indexOf("=") + 1);`,
    `    } else if (Deno.env.get(value) !== undefined) env[value] = Deno.env.get(value);`,
    `  }`,
    `  if (args[i] === "--") i++;`,
    `  const wasi = new Wasi({ args: [${
      JSON.stringify(program)
    }, ...args.slice(i)], env, preopens });`,
    `  try {`,
    `    const exports = await instantiate({ wasi_snapshot_preview1: wasi.imports }, options);`,
    `    return wasi.start({ exports });`,
    `  } catch (error) {`,
    `    if (error instanceof WasiExit) return error.code;`,
    `    if (error?.name !== "RuntimeError") throw error;`,
    `    console.error("error: failed to run main module \`" + ${JSON.stringify(program)} + "\`");`,
    `    console.error(String(error.cause ?? error));`,
    `    return 134;`,
    `  }`,
    `}`,
    ``,
    `if (import.meta.main) Deno.exit(await main());`,
  ];
}

/** Bytes as base64 (`btoa` over a binary string, in chunks that fit an argument list). */
function base64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}
