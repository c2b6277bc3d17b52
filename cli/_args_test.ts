import assert from "node:assert/strict";
import {
  parseCommandLine,
  parseWasmFeatures,
  stringList,
  stringOption,
  UsageError,
  wasmFeaturesOf,
} from "./_args.ts";

const RUN = {
  invoke: { type: "string" as const },
  dir: { type: "string" as const, multiple: true },
  verbose: { type: "boolean" as const },
  help: { type: "boolean" as const, short: "h" },
};

Deno.test("parseCommandLine() stops at the first positional: the rest belongs to the module", () => {
  const { values, positionals } = parseCommandLine(
    ["--invoke", "f", "--dir=a", "--dir", "b::c", "m.wasm", "--invoke", "-5"],
    RUN,
    true,
  );
  assert.equal(stringOption(values, "invoke"), "f");
  assert.deepEqual(stringList(values, "dir"), ["a", "b::c"]);
  assert.deepEqual(positionals, ["m.wasm", "--invoke", "-5"]);
});

Deno.test("parseCommandLine() treats -- as the end of options", () => {
  const { positionals } = parseCommandLine(["--verbose", "--", "--odd-name.wasm", "x"], RUN, true);
  assert.deepEqual(positionals, ["--odd-name.wasm", "x"]);
});

Deno.test("parseCommandLine() reports unknown options and missing values as UsageError", () => {
  assert.throws(() => parseCommandLine(["--nope", "m.wasm"], RUN, true), UsageError);
  assert.throws(() => parseCommandLine(["--invoke"], RUN, true), UsageError);
  assert.throws(() => parseCommandLine(["--verbose=yes"], RUN, false), UsageError);
});

Deno.test("stringOption() refuses an option given twice", () => {
  const { values } = parseCommandLine(["--dir", "a", "--dir", "b"], RUN, false);
  assert.throws(() => stringOption(values, "dir"), UsageError);
});

Deno.test("parseWasmFeatures() reads wasmtime's -W values: FEATURE, FEATURE=y|n, comma-separated", () => {
  assert.deepEqual(parseWasmFeatures([]), new Map());
  assert.deepEqual(parseWasmFeatures(["stack-switching"]), new Map([["stack-switching", true]]));
  assert.deepEqual(parseWasmFeatures(["stack-switching=n"]), new Map([["stack-switching", false]]));
  assert.deepEqual(
    parseWasmFeatures(["stack-switching=y,stack-switching=no"]),
    new Map([["stack-switching", false]]),
  );
  assert.throws(() => parseWasmFeatures(["gc"]), UsageError);
  assert.throws(() => parseWasmFeatures(["stack-switching=maybe"]), UsageError);
});

Deno.test("wasmFeaturesOf() maps -W and --stack-switching to the engine's proposal switches", () => {
  const of = (args: string[]) =>
    wasmFeaturesOf(
      parseCommandLine(args, {
        wasm: { type: "string", multiple: true, short: "W" },
        "stack-switching": { type: "boolean" },
      }, false).values,
    );
  assert.deepEqual(of([]), {});
  assert.deepEqual(of(["-W", "custom-page-sizes"]), { customPageSizes: true });
  assert.deepEqual(of(["-W", "stack-switching=n"]), { stackSwitching: false });
  assert.deepEqual(of(["--stack-switching", "-W", "custom-page-sizes=n"]), {
    stackSwitching: true,
    customPageSizes: false,
  });
  assert.throws(() => of(["-W", "gc"]), UsageError);
});
