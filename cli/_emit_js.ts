/**
 * `capstan compile --emit=js FILE [-o OUT.mjs]`: the module written as an ES
 * module ahead of time (`writeJsModule` of `@capstan/codegen`): its
 * functions as JS code, `export function instantiate(imports, options)`
 * resolving to the exports, the runtime imported from `@capstan/runtime`
 * (or `--runtime-specifier`); with `--wasi`, also `main(args)`, run when the
 * module is the program, which runs it as a WASI command with
 * `@capstan/wasi` (or `--wasi-specifier`) as `capstan run` does.
 *
 * Invariants: the code is written for the engine configuration the flags
 * name (`--consume-fuel`, `--epoch-interruption`), as an image is; each
 * function left to the interpreter is named on stderr with why.
 *
 * @module
 */

import type { ModuleTranslation, Tunables } from "@capstan/environ";
import { writeJsModule } from "@capstan/codegen";
import type { CommandOutput } from "./wast_command.ts";

/** What `--emit=js` is told. */
export interface EmitJsOptions {
  /** The module file it was compiled from (the `main`'s `argv[0]` is its base name). */
  readonly file: string;
  /** Where to write the ES module; stdout when absent. */
  readonly output: string | undefined;
  /** The tunables the code is for. */
  readonly tunables: Tunables;
  /** The runtime's specifier, when not `@capstan/runtime`. */
  readonly runtimeSpecifier: string | undefined;
  /** Write the WASI command flavour, `Wasi` imported from this specifier (or the default). */
  readonly wasi: { readonly specifier: string | undefined } | undefined;
}

/**
 * Writes a module's ES module.
 *
 * @param translation the validated module
 * @param options the file names, tunables and specifiers
 * @param output where notes (and, without a file, the module) go
 */
export async function emitJs(
  translation: ModuleTranslation,
  options: EmitJsOptions,
  output: CommandOutput,
): Promise<void> {
  const program = options.file.split(/[\\/]/).pop()!;
  const written = writeJsModule(translation, options.tunables, {
    runtimeSpecifier: options.runtimeSpecifier,
    wasi: options.wasi === undefined ? undefined : { specifier: options.wasi.specifier, program },
    origin: program,
  });
  const names = translation.names.functions;
  for (const [k, why] of written.routed) {
    const name = names.get(k);
    output.err(
      `note: func ${k}${name === undefined ? "" : ` (${name})`} runs on the interpreter: ${why}`,
    );
  }
  if (options.output === undefined) output.out(written.source.trimEnd());
  else await Deno.writeTextFile(options.output, written.source);
}
