/**
 * A {@link WastEngine} on Capstan's runtime API (`@capstan/runtime`): an
 * `Engine`, one `Store` and one `Linker` per script, with `spectest` defined
 * in the linker. Unlike the JS-API engines it passes v128 values (as 16-byte
 * `Uint8Array`s), so SIMD scripts run in full.
 *
 * Invariants:
 * - Registering a name twice replaces the earlier definitions (the linker
 *   allows shadowing), as spec scripts expect.
 * - Floats go in and out as the runtime represents them (JS numbers), so a
 *   result's bits are those of the number the runtime returned.
 *
 * @module
 */

import {
  CompileError,
  Engine,
  Func,
  gcKindOf,
  Global,
  type Instance,
  Linker,
  LinkError,
  Memory,
  Module,
  Store,
  Table,
  Trap,
  TrapCode,
  type Val,
  ValType,
  WasmException,
} from "@capstan/runtime";
import { isRefType, refTop, valTypeName } from "@capstan/environ";
import type { ClassifiedError, WastEngine, WastFeatures, WastSession } from "./wast_engine.ts";
import { type ExternRefs, fromJsValue, toJsValue, type WastValue } from "./wast_values.ts";

/** An engine configured as `engine` is, with the proposals `features` turns on. */
function withFeatures(engine: Engine, features: WastFeatures): Engine {
  const c = engine.config;
  const stackSwitching = c.stackSwitching || features.stackSwitching === true;
  const customPageSizes = c.customPageSizes || features.customPageSizes === true;
  if (stackSwitching === c.stackSwitching && customPageSizes === c.customPageSizes) return engine;
  // (the resolved configuration is a configuration: every other setting carries over as it is)
  const { cacheDirectory, ...rest } = c;
  return new Engine({
    ...rest,
    cache: cacheDirectory === undefined ? false : { directory: cacheDirectory },
    stackSwitching,
    customPageSizes,
  });
}

/** The engine of `features`, made once per combination. */
function proposalEngine(made: Map<string, Engine>, engine: Engine, features: WastFeatures): Engine {
  const key = `${features.stackSwitching === true},${features.customPageSizes === true}`;
  let e = made.get(key);
  if (e === undefined) made.set(key, e = withFeatures(engine, features));
  return e;
}

/** Options of {@link capstanEngine}. */
export interface CapstanEngineOptions {
  /** Where `spectest.print*` writes; discarded when absent. */
  readonly print?: (line: string) => void;
  /** The engine to compile and run on; a default one when absent. */
  readonly engine?: Engine;
}

/** A script value as the runtime's {@link Val}. */
function toVal(value: WastValue): Val {
  return toJsValue(value) as Val;
}

/** Like {@link toVal}, with f32/f64 as their bit patterns (for `Func.callBits`). */
function toBitsVal(value: WastValue): Val {
  if (value.type === "f32") return value.bits | 0;
  if (value.type === "f64") return BigInt.asIntN(64, value.bits);
  return toVal(value);
}

/** Like {@link fromVal}, with f32/f64 results as their bit patterns. */
function fromBitsVal(type: ValType, v: Val): WastValue {
  if (type === ValType.f32) return { type: "f32", bits: Number(v) >>> 0 };
  if (type === ValType.f64) return { type: "f64", bits: BigInt.asUintN(64, BigInt(v)) };
  return fromVal(type, v);
}

function fromVal(type: ValType, v: Val): WastValue {
  // a reference crosses as the top type of its hierarchy
  const top = isRefType(type) ? refTop(type) : type;
  if (top === ValType.anyref) return { type: "anyref", ref: v, gc: gcKindOf(v) ?? undefined };
  return fromJsValue(valTypeName(top) as WastValue["type"], v);
}

function defineSpectest(
  linker: Linker<undefined>,
  store: Store<undefined>,
  print: (line: string) => void,
) {
  const fn = (name: string, params: ("i32" | "i64" | "f32" | "f64")[]) =>
    linker.funcWrap("spectest", name, { params, results: [] }, (...args: Val[]) => {
      print(args.map((a, i) => `${a} : ${params[i]}`).join(" "));
    });
  fn("print", []);
  fn("print_i32", ["i32"]);
  fn("print_i64", ["i64"]);
  fn("print_f32", ["f32"]);
  fn("print_f64", ["f64"]);
  fn("print_i32_f32", ["i32", "f32"]);
  fn("print_f64_f64", ["f64", "f64"]);
  const global = (type: ValType, value: Val) => new Global(store, { type, mutable: false }, value);
  linker.define("spectest", "global_i32", global(ValType.i32, 666));
  linker.define("spectest", "global_i64", global(ValType.i64, 666n));
  linker.define("spectest", "global_f32", global(ValType.f32, 666.6));
  linker.define("spectest", "global_f64", global(ValType.f64, 666.6));
  linker.define(
    "spectest",
    "table",
    new Table(store, { element: ValType.funcref, limits: { min: 10, max: 20 } }, null),
  );
  linker.define(
    "spectest",
    "table64",
    new Table(
      store,
      { element: ValType.funcref, limits: { min: 10, max: 20 }, address64: true },
      null,
    ),
  );
  linker.define("spectest", "memory", new Memory(store, { limits: { min: 1, max: 2 } }));
  linker.define(
    "spectest",
    "shared_memory",
    new Memory(store, { limits: { min: 1, max: 2 }, shared: true }),
  );
}

class CapstanSession implements WastSession {
  #engine: Engine;
  #store: Store<undefined>;
  #linker: Linker<undefined>;

  constructor(engine: Engine, print: (line: string) => void) {
    this.#engine = engine;
    this.#store = new Store(engine, undefined);
    // Metering, when the engine has it, must never stop a spec command.
    if (engine.config.consumeFuel) this.#store.setFuel(Number.MAX_SAFE_INTEGER);
    if (engine.config.epochInterruption) this.#store.setEpochDeadline(2 ** 30);
    this.#linker = new Linker<undefined>(engine).allowShadowing(true);
    defineSpectest(this.#linker, this.#store, print);
  }

  compile(bytes: Uint8Array): unknown {
    return new Module(this.#engine, bytes);
  }

  instantiate(module: unknown): unknown {
    return this.#linker.instantiate(this.#store, module as Module);
  }

  register(name: string, instance: unknown): void {
    this.#linker.instance(this.#store, name, instance as Instance);
  }

  invoke(instance: unknown, field: string, args: readonly WastValue[]): WastValue[] {
    const func = (instance as Instance).getFunc(field);
    if (!(func instanceof Func)) throw new Error(`no exported function "${field}"`);
    // floats as bit patterns (callBits), so signalling NaN arguments/results survive
    const results = func.callBits(...args.map(toBitsVal));
    return func.type.results.map((t, i) => fromBitsVal(t, results[i]));
  }

  get(instance: unknown, field: string): WastValue {
    const global = (instance as Instance).getGlobal(field);
    if (global === undefined) throw new Error(`no exported global "${field}"`);
    return fromVal(global.type.type, global.get());
  }
}

/**
 * Builds an engine on Capstan's runtime API.
 *
 * @param options print sink and engine configuration
 * @returns an engine for the spec-script runner
 * @example
 * ```ts
 * import { capstanEngine } from "./capstan_engine.ts";
 * const engine = capstanEngine();
 * if (engine.name !== "capstan" || !engine.checksMessages) throw new Error();
 * ```
 */
export function capstanEngine(options: CapstanEngineOptions = {}): WastEngine {
  const print = options.print ?? (() => {});
  const engine = options.engine ?? new Engine();
  const withProposals = new Map<string, Engine>(); // by the features' key
  return {
    name: "capstan",
    checksMessages: true,
    newSession: (_externs: ExternRefs, features: WastFeatures = {}) =>
      new CapstanSession(
        proposalEngine(withProposals, engine, features),
        print,
      ),
    classify(error: unknown): ClassifiedError {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof CompileError) return { kind: "compile", message };
      if (error instanceof LinkError) return { kind: "link", message };
      if (error instanceof WasmException) return { kind: "exception", message };
      if (error instanceof Trap && error.code === TrapCode.UnhandledTag) {
        return { kind: "suspension", message }; // a suspend left the call
      }
      if (error instanceof Trap) {
        const exhausted = error.code === TrapCode.StackOverflow ||
          message.includes("call stack exhausted");
        return { kind: exhausted ? "exhaustion" : "trap", message };
      }
      return {
        kind: "other",
        message: error instanceof Error ? `${error.name}: ${message}` : message,
      };
    },
  };
}
