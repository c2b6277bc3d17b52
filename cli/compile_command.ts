/**
 * `capstan compile --emit=ir|bytecode FILE`: prints a module's IR (after
 * wasm→IR translation) or its register bytecode (after lowering), with the
 * trap table, relocations and address map, using codegen's printers.
 * `capstan compile FILE -o OUT.cwasm` writes the compiled module as an image
 * that `capstan run OUT.cwasm` loads without compiling (wasmtime's
 * `.cwasm`), for the engine configuration the flags name.
 * `capstan compile --emit=js FILE -o OUT.mjs` writes the module's JS code
 * ahead of time as an ES module (`_emit_js.ts`).
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
import { parseCommandLine, stringOption, UsageError, wasmFeaturesOf } from "./_args.ts";
import { loadTextFormat } from "./_engines.ts";
import { emitJs } from "./_emit_js.ts";
import type { CommandOutput } from "./wast_command.ts";

/** The usage text of `capstan compile`. */
export const COMPILE_USAGE = `Usage: capstan compile --emit=ir|bytecode FILE
       capstan compile FILE -o OUT.cwasm
       capstan compile --emit=js [--wasi] FILE [-o OUT.mjs]

Compiles a WebAssembly module (.wasm, or .wat) and prints, for every defined
function, its IR (--emit=ir) or its bytecode with trap sites, relocations and
wasm offsets (--emit=bytecode); or, with -o, writes the compiled module to
OUT.cwasm, which \`capstan run OUT.cwasm\` loads without compiling again.

--emit=js writes the module as an ES module (to OUT.mjs, or stdout) whose
functions are JavaScript code, for hosts that forbid eval: it exports
instantiate(imports, options), resolving to the instance's exports, and
imports the runtime from @capstan/runtime (run it inside the Capstan
workspace, with --config CAPSTAN/deno.json, or give another specifier).
With --wasi it also exports main(args), run when the module is the program:
the module as a WASI command (options --dir HOST[::GUEST] and --env KEY=VALUE
before the guest's arguments; exit code as capstan run's).

Options:
  --emit KIND             ir, bytecode or js (default: bytecode)
  -o, --output FILE       write the compiled module (an image; with --emit=js, the
                          ES module) to FILE
  --consume-fuel          compile for runs with --fuel (js: store.setFuel)
  --epoch-interruption    compile for runs with --timeout (js: epoch deadlines)
  -W stack-switching      accept the stack-switching proposal's modules (off by default)
  -W custom-page-sizes    accept a memory's custom page size (off by default)
  --stack-switching       the same as -W stack-switching
  --wasi                  js: also write main(), running the module with WASI
  --runtime-specifier S   js: import the runtime from S (default @capstan/runtime)
  --wasi-specifier S      js: import WASI from S (default @capstan/wasi)
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
    wasi: { type: "boolean" },
    "runtime-specifier": { type: "string" },
    "wasi-specifier": { type: "string" },
    wasm: { type: "string", multiple: true, short: "W" },
    "stack-switching": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, false);
  if (values.help) {
    output.out(COMPILE_USAGE);
    return 0;
  }
  const emit = stringOption(values, "emit") ?? "bytecode";
  if (emit !== "ir" && emit !== "bytecode" && emit !== "js") {
    throw new UsageError(`--emit must be ir, bytecode or js, found ${emit}`);
  }
  const jsOnly = ["wasi", "runtime-specifier", "wasi-specifier"].find((o) =>
    values[o] !== undefined
  );
  if (emit !== "js" && jsOnly !== undefined) throw new UsageError(`--${jsOnly} needs --emit=js`);
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
  const translation = translateModule(bytes, wasmFeaturesOf(values));
  const out = stringOption(values, "output");
  const config = tunables({
    consumeFuel: values["consume-fuel"] === true,
    epochInterruption: values["epoch-interruption"] === true,
  });
  if (emit === "js") {
    const wasiSpecifier = stringOption(values, "wasi-specifier");
    if (wasiSpecifier !== undefined && !values.wasi) {
      throw new UsageError("--wasi-specifier needs --wasi");
    }
    await emitJs(translation, {
      file,
      output: out,
      tunables: config,
      runtimeSpecifier: stringOption(values, "runtime-specifier"),
      wasi: values.wasi ? { specifier: wasiSpecifier } : undefined,
    }, output);
    return 0;
  }
  if (out !== undefined) {
    if (values.emit !== undefined) {
      throw new UsageError("give either --emit=ir|bytecode or -o, not both");
    }
    await Deno.writeFile(out, serializeCompiled(compileModule(translation, config), bytes));
    return 0;
  }
  const listing = emit === "ir"
    ? printModuleIr(translation)
    : disassembleModule(compileModule(translation));
  output.out(listing.trimEnd());
  return 0;
}
