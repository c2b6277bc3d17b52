/**
 * `capstan compile --emit=ir|bytecode FILE`: prints a module's IR (after
 * wasm→IR translation) or its register bytecode (after lowering), with the
 * trap table, relocations and address map, using codegen's printers.
 * `capstan compile FILE -o OUT.cwasm` writes the compiled module as an image
 * that `capstan run OUT.cwasm` loads without compiling (wasmtime's
 * `.cwasm`), for the engine configuration the flags name.
 *
 * Invariants: the module is decoded and validated first, so invalid input is
 * reported as the `CompileError` (exit 1) and never reaches the printers.
 *
 * @module
 */

import { translateModule, tunables } from "@capstan/environ";
import {
  compileModule,
  disassembleModule,
  printModuleIr,
  serializeCompiled,
} from "@capstan/codegen";
import { parseCommandLine, stringOption, UsageError } from "./_args.ts";
import { loadTextFormat } from "./_engines.ts";
import type { CommandOutput } from "./wast_command.ts";

/** The usage text of `capstan compile`. */
export const COMPILE_USAGE = `Usage: capstan compile --emit=ir|bytecode FILE
       capstan compile FILE -o OUT.cwasm

Compiles a WebAssembly module (.wasm, or .wat) and prints, for every defined
function, its IR (--emit=ir) or its bytecode with trap sites, relocations and
wasm offsets (--emit=bytecode); or, with -o, writes the compiled module to
OUT.cwasm, which \`capstan run OUT.cwasm\` loads without compiling again.

Options:
  --emit KIND             ir or bytecode (default: bytecode)
  -o, --output FILE       write the compiled module (an image) to FILE
  --consume-fuel          compile for runs with --fuel
  --epoch-interruption    compile for runs with --timeout
  -h, --help              show this help`;

/**
 * Runs `capstan compile`.
 *
 * @param args the arguments after `compile`
 * @param output where to write
 * @returns the exit code
 */
export async function compileCommand(
  args: readonly string[],
  output: CommandOutput,
): Promise<number> {
  const { values, positionals } = parseCommandLine(args, {
    emit: { type: "string" },
    output: { type: "string", short: "o" },
    "consume-fuel": { type: "boolean" },
    "epoch-interruption": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, false);
  if (values.help) {
    output.out(COMPILE_USAGE);
    return 0;
  }
  const emit = stringOption(values, "emit") ?? "bytecode";
  if (emit !== "ir" && emit !== "bytecode") {
    throw new UsageError(`--emit must be ir or bytecode, found ${emit}`);
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? "no module file given" : "give one file");
  }
  const file = positionals[0];
  let bytes: Uint8Array = await Deno.readFile(file);
  const isBinary = bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0x61 &&
    bytes[2] === 0x73 && bytes[3] === 0x6d;
  if (!isBinary) {
    const text = await loadTextFormat();
    if (text === undefined) throw new Error(`${file} is not a binary module`);
    bytes = text.parseWat(new TextDecoder().decode(bytes), { names: true });
  }
  const translation = translateModule(bytes);
  const out = stringOption(values, "output");
  if (out !== undefined) {
    if (values.emit !== undefined) throw new UsageError("give either --emit or -o, not both");
    const config = tunables({
      consumeFuel: values["consume-fuel"] === true,
      epochInterruption: values["epoch-interruption"] === true,
    });
    await Deno.writeFile(out, serializeCompiled(compileModule(translation, config), bytes));
    return 0;
  }
  const listing = emit === "ir"
    ? printModuleIr(translation)
    : disassembleModule(compileModule(translation));
  output.out(listing.trimEnd());
  return 0;
}
