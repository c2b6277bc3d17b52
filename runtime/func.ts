/**
 * {@link Func}: a WebAssembly function — defined by an instance or provided
 * by the host — owned by a {@link Store}; and {@link Caller}, what a host
 * function sees of its caller.
 *
 * Invariants:
 * - A `Func` has one fixed {@link FuncType} and the engine-wide signature id
 *   of that type (`_sigId`), which `call_indirect` compares.
 * - `call` checks every argument against the type before anything runs and
 *   returns the results as an array; a wrong argument is a `TypeError`, never
 *   a trap.
 * - A host function's return value is checked the same way: nothing, one
 *   value, or an array of values for several results.
 *
 * @module
 */

import { type FuncType, ValType } from "@capstan/environ";
import { VmFunc } from "@capstan/interpreter";
import type { Instance } from "./instance.ts";
import type { Store, Stored } from "./store.ts";
import type { Extern } from "./extern.ts";
import {
  bitsFuncType,
  formatFuncType,
  funcTypeEquals,
  type FuncTypeInput,
  toFuncType,
  toWasm,
  type Val,
} from "./val.ts";
import { argumentName, callWasmChecking, invokeSync, invokeSyncBits } from "./_entry.ts";
import { invokeAsync } from "./_async.ts";
import { type NumbersInvoke, numbersInvoke, uniformType } from "./_fast_call.ts";

/**
 * What a host function sees of its caller: the store, its data, and the
 * exports of the calling instance (to reach its memory, as WASI does).
 *
 * @typeParam T the store's data type
 * @example
 * ```ts
 * import { parseWat } from "@capstan/environ";
 * import { Engine, Linker, Memory, Module, Store } from "@capstan/runtime";
 * const engine = new Engine();
 * const module = new Module(engine, parseWat(`(module
 *   (import "env" "peek" (func $peek (param i32) (result i32)))
 *   (memory (export "memory") 1)
 *   (data (i32.const 8) "*")
 *   (func (export "run") (result i32) (call $peek (i32.const 8))))`));
 * const linker = new Linker<{ calls: number }>(engine);
 * linker.func("env", "peek", { params: ["i32"], results: ["i32"] }, (caller, addr) => {
 *   caller.data.calls++;
 *   const memory = caller.getExport("memory");
 *   if (!(memory instanceof Memory)) throw new Error("no memory export");
 *   return memory.data()[addr as number];
 * });
 * const store = new Store(engine, { calls: 0 });
 * const run = linker.instantiate(store, module).getFunc("run")!;
 * if (run.call()[0] !== 42 || store.data.calls !== 1) throw new Error();
 * ```
 */
export class Caller<T> {
  /** The store. */
  readonly store: Store<T>;
  /** The instance whose code made the call, when wasm made it. */
  readonly instance: Instance | undefined;

  /**
   * Creates a caller (the runtime does this).
   *
   * @param store the store
   * @param instance the calling instance, if any
   */
  constructor(store: Store<T>, instance: Instance | undefined) {
    this.store = store;
    this.instance = instance;
  }

  /** The store's data. */
  get data(): T {
    return this.store.data;
  }

  /** Replaces the store's data. */
  set data(value: T) {
    this.store.data = value;
  }

  /**
   * An export of the calling instance.
   *
   * @param name the export name
   * @returns the export, or `undefined` when there is none or no calling instance
   */
  getExport(name: string): Extern | undefined {
    return this.instance?.getExport(name);
  }
}

/**
 * A host function that receives its {@link Caller}. It returns nothing for
 * no results, a value for one, an array for several — or a Promise of that,
 * which only `callAsync` (and `instantiateAsync`) can await.
 */
// deno-lint-ignore no-explicit-any
export type HostFunc<T = any> = (caller: Caller<T>, ...args: Val[]) => unknown;

/** A host function without the caller. */
export type HostFuncWrap = (...args: Val[]) => unknown;

/**
 * A function.
 *
 * @example
 * ```ts
 * import { Engine, Func, Store } from "@capstan/runtime";
 * const store = new Store(new Engine(), undefined);
 * const add = Func.wrap(store, { params: ["i32", "i32"], results: ["i32"] }, (a, b) => a + b);
 * if (add.call(0x7fffffff, 1)[0] !== -0x80000000) throw new Error("results wrap to i32");
 * const typed = add.typed<[number, number], number>();
 * if (typed(2, 3) !== 5) throw new Error();
 * ```
 */
export class Func implements Stored {
  /**
   * A short description for `console.log` / `Deno.inspect` (the VM behind it is large).
   *
   * @returns one line naming the object
   */
  [Symbol.for("Deno.customInspect")](): string {
    return `Func ${formatFuncType(this.type)} (store #${this.store.id})`;
  }

  /** The owning store. */
  readonly store: Store<unknown>;
  /** The function's type. */
  readonly type: FuncType;
  /**
   * The engine-wide signature id of {@link type}.
   *
   * @ignore
   */
  readonly _sigId: number;
  /**
   * The host implementation, for host functions.
   *
   * @ignore
   */
  readonly _host: HostFunc | undefined;
  /**
   * The plain implementation of a host function made by {@link Func.wrap}
   * (called without a caller).
   *
   * @ignore
   */
  _plain: HostFuncWrap | undefined = undefined;
  /**
   * Whether a thenable this host function returns is a Promise to await (in
   * an async call; an error in a synchronous one), as for every function
   * made by {@link Func.fromHost} or {@link Func.wrap}; false when it is
   * simply the result value (the facade's imported JS functions, whose
   * Promises are externrefs as in the JS API).
   *
   * @ignore
   */
  _awaits = true;
  /**
   * Whether every parameter is i32 and there is at most one result, an i32
   * (the host-call hook reads and writes such values inline).
   *
   * @ignore
   */
  readonly _i32Only: boolean;
  /**
   * The same for f64: every parameter f64, at most one result, an f64.
   *
   * @ignore
   */
  readonly _f64Only: boolean;
  /**
   * The defining instance, for wasm functions.
   *
   * @ignore
   */
  readonly _instance: Instance | undefined;
  /**
   * The function index within its instance's module, for wasm functions.
   *
   * @ignore
   */
  readonly _index: number;
  /**
   * The function's handle: its funcref value and its index in the store VM's `funcs`.
   *
   * @ignore
   */
  readonly _handle: number;

  /**
   * Creates a function (use {@link Func.fromHost} or {@link Func.wrap}).
   *
   * @param store the owning store
   * @param type its type
   * @param host the host implementation, or undefined for a wasm function
   * @param instance the defining instance, for a wasm function
   * @param index the function index in that instance's module
   * @param entry the code address of a wasm function's entry (-1 for host functions)
   * @param sigId the engine's signature id of `type` (computed when omitted)
   */
  constructor(
    // deno-lint-ignore no-explicit-any
    store: Store<any>,
    type: FuncType,
    host: HostFunc | undefined,
    instance: Instance | undefined,
    index: number,
    entry = -1,
    sigId: number = store.engine.signatureId(type),
  ) {
    const s = store as Store<unknown>;
    this.store = s;
    this.type = type;
    this._sigId = sigId;
    this._host = host;
    this._i32Only = onlyOf(type, ValType.i32);
    this._f64Only = onlyOf(type, ValType.f64);
    this._instance = instance;
    this._index = index;
    const vm = s._vm;
    const arity = Math.max(type.params.length, type.results.length);
    this._handle = host !== undefined
      ? vm.addFunc(new VmFunc(this._sigId, null, -1, vm.funcs.length, arity))
      : vm.addFunc(new VmFunc(this._sigId, instance!._vmInstance, entry, -1, arity));
    s._funcs[this._handle] = this;
  }

  /**
   * Creates a host function that receives its {@link Caller} first.
   *
   * @param store the owning store
   * @param type its type (value types by number or name)
   * @param fn the implementation
   * @returns the function
   */
  static fromHost<T>(store: Store<T>, type: FuncTypeInput, fn: HostFunc<T>): Func {
    if (typeof fn !== "function") throw new TypeError("a host function must be a function");
    return new Func(store, toFuncType(type), fn as HostFunc, undefined, -1);
  }

  /**
   * Creates a host function from a plain JavaScript function (no caller).
   *
   * @param store the owning store
   * @param type its type (value types by number or name)
   * @param fn the implementation
   * @returns the function
   */
  // deno-lint-ignore no-explicit-any
  static wrap(store: Store<any>, type: FuncTypeInput, fn: HostFuncWrap): Func {
    if (typeof fn !== "function") throw new TypeError("a host function must be a function");
    const f = new Func(store, toFuncType(type), (_c, ...args) => fn(...args), undefined, -1);
    f._plain = fn;
    return f;
  }

  /** Whether this function is provided by the host. */
  get isHost(): boolean {
    return this._host !== undefined;
  }

  /**
   * Checks arguments against the type.
   *
   * @param args the arguments
   * @returns the normalised arguments
   * @ignore
   */
  _checkArgs(args: readonly unknown[]): Val[] {
    const params = this.type.params;
    if (args.length !== params.length) {
      throw new TypeError(
        `function ${formatFuncType(this.type)} expects ${params.length} argument(s), ` +
          `found ${args.length}`,
      );
    }
    const out = new Array(params.length);
    for (let i = 0; i < params.length; i++) {
      out[i] = toWasm(this.store, params[i], args[i], argumentName(i));
    }
    return out;
  }

  /**
   * Calls the function synchronously.
   *
   * @param args one value per parameter
   * @returns the results, as an array
   * @throws TypeError for wrong arguments, `Trap` when execution traps, and
   *   whatever a host function throws, unchanged
   */
  call(...args: Val[]): Val[] {
    this.store.checkNotBusy("calling a function");
    if (this._host === undefined) return callWasmChecking(this, args);
    return invokeSync(this, this._checkArgs(args));
  }

  /**
   * Calls the function synchronously with floats as bit patterns: each f32
   * argument and result is its IEEE bits as an i32 number, each f64 its bits
   * as an i64 BigInt. Unlike {@link call}, NaN payloads (signalling NaNs
   * included) survive exactly, which JavaScript numbers cannot guarantee.
   *
   * @param args one value per parameter (floats as bit patterns)
   * @returns the results, as an array (floats as bit patterns)
   * @example
   * ```ts
   * import { Engine, Func, Store } from "@capstan/runtime";
   * const store = new Store(new Engine(), undefined);
   * const id = Func.wrap(store, { params: ["f64"], results: ["f64"] }, (x) => x);
   * if (id.callBits(0x3ff0000000000000n)[0] !== 0x3ff0000000000000n) throw new Error();
   * ```
   */
  callBits(...args: Val[]): Val[] {
    this.store.checkNotBusy("calling a function");
    const t = this._bitsType();
    if (this._host === undefined) return callWasmChecking(this, args, t);
    if (args.length !== t.params.length) {
      throw new TypeError(
        `function ${formatFuncType(this.type)} expects ${t.params.length} argument(s), ` +
          `found ${args.length}`,
      );
    }
    const checked = t.params.map((p, i) => toWasm(this.store, p, args[i], argumentName(i)));
    return invokeSyncBits(this, checked);
  }

  #bits: FuncType | undefined = undefined;

  /**
   * The type {@link callBits} sees: `bitsFuncType(type)`, made once.
   *
   * @returns the bit-pattern type
   * @ignore
   */
  _bitsType(): FuncType {
    return this.#bits ??= bitsFuncType(this.type);
  }

  /**
   * Calls the function, letting host functions return Promises: execution
   * suspends at such a call and resumes when the Promise settles.
   *
   * @param args one value per parameter
   * @returns a Promise of the results, as an array
   */
  callAsync(...args: Val[]): Promise<Val[]> {
    try {
      this.store.checkCanStartAsync("calling a function");
      return invokeAsync(this, this._checkArgs(args));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * A plain JavaScript function calling this one: it returns `undefined` for
   * no results, the value for one, an array for several.
   *
   * @typeParam P the parameter tuple
   * @typeParam R the result
   * @param type when given, the function's type must equal it
   * @returns the typed caller
   * @throws TypeError when `type` is given and differs
   */
  typed<P extends Val[] = Val[], R = Val>(type?: FuncTypeInput): (...args: P) => R {
    if (type !== undefined) {
      const want = toFuncType(type);
      if (!funcTypeEquals(want, this.type)) {
        throw new TypeError(
          `type mismatch: expected ${formatFuncType(want)}, found ${formatFuncType(this.type)}`,
        );
      }
    }
    const fast = typedNumbers(this);
    if (fast !== undefined) return fast as (...args: P) => R;
    const n = this.type.results.length;
    const store = this.store;
    const wasm = this._host === undefined;
    return (...args: P): R => {
      store.checkNotBusy("calling a function");
      const r = wasm ? callWasmChecking(this, args) : invokeSync(this, this._checkArgs(args));
      return (n === 0 ? undefined : n === 1 ? r[0] : r) as R;
    };
  }
}

/**
 * Whether every parameter of a type is `t` and it has at most one result, a `t`.
 *
 * @param type a function type
 * @param t a value type
 * @returns true when the type uses only `t`, with at most one result
 */
function onlyOf(type: FuncType, t: ValType): boolean {
  return type.params.every((p) => p === t) && type.results.length <= 1 &&
    type.results.every((r) => r === t);
}

/**
 * The allocation-free `typed()` caller of a wasm function with up to three
 * parameters and at most one result, all number types: each argument is
 * checked (as `call` checks it) into a local, then handed to the shared fast
 * call path (`numbersInvoke`), which writes it straight into the VM's
 * registers and reads the result straight out.
 *
 * @param func the function
 * @returns the caller, or `undefined` when the type does not qualify
 */
function typedNumbers(func: Func): ((...args: Val[]) => unknown) | undefined {
  const invoke = numbersInvoke(func); // errors reach the caller as they are
  if (invoke === undefined) return undefined;
  const params = func.type.params;
  const n = params.length;
  const uniform = uniformType(func.type);
  if (uniform !== undefined) return typedUniform(func, uniform, n, invoke);
  const store = func.store;
  const [p0, p1, p2] = params;
  const check = (t: ValType, v: unknown, i: number) =>
    t === ValType.i32 && typeof v === "number" && (v | 0) === v
      ? v
      : toWasm(store, t, v, argumentName(i)) as number | bigint;
  const countError = (found: number) => func._checkArgs(new Array(found));
  switch (n) {
    case 0:
      return function (...rest: unknown[]) {
        store.checkNotBusy("calling a function");
        if (rest.length !== 0) countError(rest.length);
        return invoke(0, 0, 0);
      };
    case 1:
      return function (a: unknown) {
        store.checkNotBusy("calling a function");
        if (arguments.length !== 1) countError(arguments.length);
        return invoke(check(p0, a, 0), 0, 0);
      };
    case 2:
      return function (a: unknown, b: unknown) {
        store.checkNotBusy("calling a function");
        if (arguments.length !== 2) countError(arguments.length);
        return invoke(check(p0, a, 0), check(p1, b, 1), 0);
      };
    default:
      return function (a: unknown, b: unknown, c: unknown) {
        store.checkNotBusy("calling a function");
        if (arguments.length !== 3) countError(arguments.length);
        return invoke(check(p0, a, 0), check(p1, b, 1), check(p2, c, 2));
      };
  }
}

/**
 * `typedNumbers` for up to three parameters and at most one result all i32
 * or all f64.
 *
 * @param func the function
 * @param t `ValType.i32` or `ValType.f64`
 * @param n its parameter count
 * @param invoke its fast call
 * @returns the caller
 */
function typedUniform(
  func: Func,
  t: ValType,
  n: number,
  invoke: NumbersInvoke,
): (...args: Val[]) => unknown {
  const store = func.store;
  const f64 = t === ValType.f64;
  const check = (v: unknown, i: number): number =>
    typeof v === "number" && (f64 || (v | 0) === v)
      ? v
      : toWasm(store, t, v, argumentName(i)) as number;
  const countError = (found: number) => func._checkArgs(new Array(found));
  switch (n) {
    case 0:
      return function (...rest: unknown[]) {
        store.checkNotBusy("calling a function");
        if (rest.length !== 0) countError(rest.length);
        return invoke(0, 0, 0);
      };
    case 1:
      return function (a: unknown) {
        store.checkNotBusy("calling a function");
        if (arguments.length !== 1) countError(arguments.length);
        return invoke(check(a, 0), 0, 0);
      };
    case 2:
      return function (a: unknown, b: unknown) {
        store.checkNotBusy("calling a function");
        if (arguments.length !== 2) countError(arguments.length);
        return invoke(check(a, 0), check(b, 1), 0);
      };
    default:
      return function (a: unknown, b: unknown, c: unknown) {
        store.checkNotBusy("calling a function");
        if (arguments.length !== 3) countError(arguments.length);
        return invoke(check(a, 0), check(b, 1), check(c, 2));
      };
  }
}

/**
 * Converts what a host function returned into checked results.
 *
 * @param func the host function
 * @param ret its return value (not a Promise)
 * @returns one checked value per result
 */
export function hostResults(func: Func, ret: unknown): Val[] {
  const results = func.type.results;
  if (results.length === 0) return [];
  if (results.length === 1) return [toWasm(func.store, results[0], ret, "host function result")];
  if (!Array.isArray(ret) || ret.length !== results.length) {
    throw new TypeError(
      `host function ${formatFuncType(func.type)} must return an array of ` +
        `${results.length} values`,
    );
  }
  return results.map((t, i) => toWasm(func.store, t, ret[i], `host function result ${i}`));
}
