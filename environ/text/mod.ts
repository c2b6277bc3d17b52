/**
 * The WebAssembly text format: {@link parseWat} turns a `.wat` module into its
 * binary encoding, {@link parseWast} turns a `.wast` script into commands in
 * the shape wast2json writes (modules carried as bytes). Malformed text raises
 * {@link TextError}, a `CompileError` with the spec's wording, line and column.
 *
 * ```ts
 * import { parseWast, parseWat } from "./mod.ts";
 * const bytes = parseWat('(module (func (export "answer") (result i32) (i32.const 42)))');
 * const { instance } = await WebAssembly.instantiate(bytes);
 * if ((instance.exports.answer as () => number)() !== 42) throw new Error();
 * const script = parseWast('(module) (assert_malformed (module quote "(func bogus)") "unknown operator")');
 * if (script.commands[1].type !== "assert_malformed") throw new Error();
 * ```
 *
 * @module
 */

export { parseWat } from "./wat.ts";
export type { WatOptions } from "./wat.ts";
export { parseWast } from "./wast.ts";
export type {
  CommandBase,
  ModuleCarrier,
  ParseWastOptions,
  WastAction,
  WastActionCommand,
  WastCommand,
  WastExceptionCommand,
  WastModuleAssertion,
  WastModuleCommand,
  WastModuleInstanceCommand,
  WastRegisterCommand,
  WastScript,
  WastTrapCommand,
  WastUnreadCommand,
  WastValue,
} from "./wast.ts";
export { TextError } from "./text_error.ts";
