/**
 * `@capstan/cli`: the `capstan` command (`run`, `wast`, `compile`) and the
 * spec-script runner it is built on, usable on its own: hand
 * {@link runScript} a wast2json script and an engine ({@link jsApiEngine}
 * over any `WebAssembly`-shaped object, or Capstan's runtime).
 *
 * @module
 */

export { main, MAIN_USAGE } from "./main.ts";
export { type CommandOutput, WAST_USAGE, wastCommand } from "./wast_command.ts";
export {
  describeCommand,
  messageMatches,
  runScript,
  type RunScriptOptions,
  type ScriptResult,
  type TextFormat,
  type WastAction,
  type WastCommand,
  type WastFailure,
  type WastScript,
} from "./wast_runner.ts";
export type {
  ClassifiedError,
  FailureKind,
  WastEngine,
  WastSession,
  WastValueType,
} from "./wast_engine.ts";
export { jsApiEngine, type JsApiEngineOptions, type WebAssemblyLike } from "./js_api_engine.ts";
export { type SpectestHost, spectestImports } from "./spectest.ts";
export * from "./wast_values.ts";
