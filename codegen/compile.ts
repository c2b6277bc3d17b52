/**
 * `compileModule`: every defined function of a translated module through
 * `FuncTranslator` (wasm → IR) and the bytecode backend (IR → bytecode), into one
 * code array with call targets resolved, plus each function's side tables;
 * with `lazy`, each function is lowered on its first call instead (see
 * `_lazy_lowering.ts`).
 *
 * Invariants:
 * - Compiled eagerly, `code` holds the defined functions in index order;
 *   function `i` starts at `functions[i - numImportedFunctions].entry` with
 *   its `enter` op.
 * - Every `call` operand is resolved to its callee's entry; calls to imports
 *   go through the vmctx (`call_import`) and need no resolution.
 * - With fuel on, a `call_fuel`/`call_add_i_fuel` charge includes its callee's
 *   entry charge (the callee's `fuel` op right after `enter`, which the call
 *   skips); the callee's own op still charges when it is entered otherwise.
 *
 * @module
 */

import {
  DEFAULT_TUNABLES,
  type ModuleTranslation,
  type Tunables,
  type VMOffsets,
} from "@capstan/environ";
import { decodeInstruction, disassemble } from "@capstan/interpreter";
import { FuncEnvironment } from "./func_environ.ts";
import { FuncTranslator } from "./func_translator.ts";
import { type IrFunction, printIr } from "./ir.ts";
import { BYTECODE_BACKEND } from "./lower.ts";
import { lookupAddress, type Reloc, type StackMap, type TrapEntry } from "./sinks.ts";
import { trapCodeName } from "@capstan/environ";
import { compiledFunction, LazyLowering, resolveCallSite } from "./_lazy_lowering.ts";

/** One compiled function. */
export interface CompiledFunction {
  /** Index in the function index space. */
  readonly funcIndex: number;
  /** Its type index. */
  readonly typeIndex: number;
  /** Code address of its `enter` op (its `VmFunc.entry`). */
  readonly entry: number;
  /** One past its last instruction. */
  readonly end: number;
  /** Frame size in slots. */
  readonly frameSize: number;
  /** Trap sites (code address → trap code). */
  readonly traps: readonly TrapEntry[];
  /** Relocations (resolved `func` ones included, for inspection). */
  readonly relocs: readonly Reloc[];
  /** Reference registers live at calls. */
  readonly stackMaps: readonly StackMap[];
  /** (code address, wasm offset) pairs, sorted. */
  readonly addressMap: Int32Array;
  /** Its exception handlers (see `LoweredFunction.handlers`). */
  readonly handlers: Int32Array;
  /** The IR, when compiled with `keepIr`. */
  readonly ir: IrFunction | undefined;
}

/** Options of {@link compileModule}. */
export interface CompileOptions {
  /** Keep each function's IR (for `--emit=ir`). */
  readonly keepIr?: boolean;
  /**
   * With fuel on, whether charges are fused (default true): a charge right
   * before a branch becomes its `fuel_<br>` prefix, and the common part of
   * the charges on every way into a join is charged once after it. With
   * false, each block pays its own `fuel` charge: the reference the fuel
   * tests compare against.
   */
  readonly fuseFuelCharges?: boolean;
  /**
   * Lower each function on its first call (default false): the code starts
   * as one stub per function, whose `lazy` op asks the VM's `lazyLower` hook
   * (see {@link CompiledModule.lower}).
   */
  readonly lazy?: boolean;
}

/** A compiled module: code plus per-function tables. */
export class CompiledModule {
  /** The module it was compiled from. */
  readonly translation: ModuleTranslation;
  /** The vmctx layout the code assumes. */
  readonly offsets: VMOffsets;
  /** The tunables it was compiled with. */
  readonly tunables: Tunables;
  readonly #code: Int32Array | undefined;
  readonly #lazy: LazyLowering | undefined;
  /**
   * Defined functions, index `funcIndex - numImportedFunctions`; lowered
   * lazily, a function not lowered yet is its stub (no tables).
   */
  readonly functions: readonly CompiledFunction[];
  /** The functions by entry address (stubs first), for {@link CompiledModule.funcAt}. */
  readonly #byEntry: CompiledFunction[];
  #handlers: Int32Array;

  /**
   * Assembles a compiled module (use {@link compileModule}).
   *
   * @param translation the module
   * @param offsets its vmctx layout
   * @param tunables the tunables used
   * @param code the code
   * @param functions the functions
   */
  constructor(
    translation: ModuleTranslation,
    offsets: VMOffsets,
    tunables: Tunables,
    code: Int32Array | LazyLowering,
    functions: readonly CompiledFunction[],
  ) {
    this.translation = translation;
    this.offsets = offsets;
    this.tunables = tunables;
    if (code instanceof Int32Array) this.#code = code;
    else this.#lazy = code;
    this.functions = functions;
    this.#byEntry = [...functions].sort((a, b) => a.entry - b.entry);
    const all: number[] = [];
    for (const f of functions) all.push(...f.handlers);
    this.#handlers = Int32Array.from(all);
  }

  /**
   * Every lowered function's exception handlers, concatenated (read through
   * `VmInstance.handlers`); lowering a function lazily adds its own.
   */
  get handlers(): Int32Array {
    return this.#handlers;
  }

  /**
   * All defined functions' code. Lowered lazily, the code so far: a later
   * {@link CompiledModule.lower} may return a longer array (the old one
   * stays valid).
   */
  get code(): Int32Array {
    return this.#code ?? this.#lazy!.code();
  }

  /**
   * The array to run the code from: {@link CompiledModule.code}, or lowered
   * lazily, the buffer it lives in (the code, then unused words), which
   * sees the functions lowered later until the code outgrows it.
   */
  get executable(): Int32Array {
    return this.#code ?? this.#lazy!.executable();
  }

  /**
   * Whether function `funcIndex` has been lowered (always, compiled eagerly).
   *
   * @param funcIndex a defined function's index
   * @returns true when its code exists
   */
  isLowered(funcIndex: number): boolean {
    return this.#lazy?.isLowered(funcIndex) ?? true;
  }

  /**
   * Lowers a function now, when it is not yet (compiled lazily); the code
   * array then holds it, calls of it already lowered go straight to it, and
   * its stub jumps to it.
   *
   * @param funcIndex a defined function's index
   * @returns the function
   */
  lower(funcIndex: number): CompiledFunction {
    const k = funcIndex - this.translation.numImportedFunctions;
    if (this.#lazy === undefined || this.#lazy.isLowered(funcIndex)) return this.functions[k];
    const f = this.#lazy.lower(funcIndex);
    (this.functions as CompiledFunction[])[k] = f;
    this.#byEntry.push(f); // appended code: the highest entry so far
    if (f.handlers.length > 0) {
      const more = new Int32Array(this.#handlers.length + f.handlers.length);
      more.set(this.#handlers);
      more.set(f.handlers, this.#handlers.length);
      this.#handlers = more;
    }
    return f;
  }

  /**
   * Whether this module lowers its functions on their first call (its code
   * starts with one stub per function).
   */
  get isLazy(): boolean {
    return this.#lazy !== undefined;
  }

  /**
   * A module lowered lazily, taken up from its code and functions as an
   * image kept them (some lowered, the others their stubs).
   *
   * @param translation the module
   * @param tunables the tunables it was compiled with
   * @param code the code (stubs first)
   * @param functions the functions, a stub's entry its stub's
   * @returns the module, lowering the rest on their first call
   */
  static resumeLazy(
    translation: ModuleTranslation,
    tunables: Tunables,
    code: Int32Array,
    functions: readonly CompiledFunction[],
  ): CompiledModule {
    const lazy = new LazyLowering(translation, tunables, true, { code, functions });
    return new CompiledModule(translation, lazy.offsets, tunables, lazy, [...functions]);
  }

  /**
   * Lowers every function not lowered yet.
   *
   * @returns this module
   */
  lowerAll(): this {
    const n = this.translation.numImportedFunctions;
    for (let k = 0; k < this.functions.length; k++) this.lower(n + k);
    return this;
  }

  /**
   * The function whose code contains `pc`.
   *
   * @param pc a code address
   * @returns the function, or undefined
   */
  funcAt(pc: number): CompiledFunction | undefined {
    const fs = this.#byEntry;
    let lo = 0;
    let hi = fs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const f = fs[mid];
      if (pc < f.entry) hi = mid - 1;
      else if (pc >= f.end) lo = mid + 1;
      else return f;
    }
    return undefined;
  }

  /**
   * The wasm offset (module-relative) of the instruction at `pc`.
   *
   * @param pc a code address
   * @returns the offset, or -1
   */
  wasmOffsetAt(pc: number): number {
    const f = this.funcAt(pc);
    return f === undefined ? -1 : lookupAddress(f.addressMap, pc);
  }

  /**
   * The name of function `i` for listings (from the name section, else `func<i>`).
   *
   * @param i a function index
   * @returns its name
   */
  funcName(i: number): string {
    return this.translation.names.functions.get(i) ?? `func${i}`;
  }
}

/**
 * Compiles every defined function of a module.
 *
 * @param translation a validated module
 * @param tunables code-shaping switches
 * @param options what to keep
 * @returns the compiled module
 * @throws {CompileError} for operators Capstan does not execute (SIMD)
 * @example
 * ```ts
 * import { translateModule } from "@capstan/environ";
 * import { compileModule } from "./compile.ts";
 * // (module (func (result i32) i32.const 7))
 * const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,5,1,96,0,1,127,3,2,1,0,10,6,1,4,0,65,7,11]);
 * const cm = compileModule(translateModule(bytes));
 * if (cm.functions.length !== 1) throw new Error();
 * ```
 */
export function compileModule(
  translation: ModuleTranslation,
  tunables: Tunables = DEFAULT_TUNABLES,
  options: CompileOptions = {},
): CompiledModule {
  if (options.lazy) {
    const lazy = new LazyLowering(translation, tunables, options.fuseFuelCharges !== false);
    return new CompiledModule(translation, lazy.offsets, tunables, lazy, lazy.stubs());
  }
  const env = new FuncEnvironment(translation, tunables);
  const translator = new FuncTranslator(env, options.fuseFuelCharges !== false);
  const lowering = BYTECODE_BACKEND.newLowering();
  const enc = lowering.encoder;
  const functions: CompiledFunction[] = [];
  for (const body of translation.bodies) {
    const ir = translator.translate(body);
    const low = lowering.lower(ir);
    functions.push(compiledFunction(body, low, options.keepIr ? ir : undefined));
  }
  const nImported = translation.numImportedFunctions;
  for (const f of functions) {
    for (const r of f.relocs) {
      if (r.kind !== "func") continue;
      resolveCallSite(enc, r.pc, functions[r.index - nImported].entry, tunables.consumeFuel);
    }
  }
  return new CompiledModule(translation, env.offsets, tunables, enc.finish(), functions);
}

/**
 * The IR of every function, as text (`capstan compile --emit=ir`).
 *
 * @param translation a validated module
 * @param tunables code-shaping switches
 * @returns the listing
 */
export function printModuleIr(
  translation: ModuleTranslation,
  tunables: Tunables = DEFAULT_TUNABLES,
): string {
  const cm = compileModule(translation, tunables, { keepIr: true });
  return cm.functions.map((f) => printIr(f.ir as IrFunction, cm.funcName(f.funcIndex))).join(
    "\n\n",
  );
}

/**
 * The bytecode of every function with its trap table, relocations and address
 * map, as text (`capstan compile --emit=bytecode`).
 *
 * @param cm a compiled module
 * @returns the listing
 */
export function disassembleModule(cm: CompiledModule): string {
  const out: string[] = [];
  for (const f of cm.functions) {
    const traps = new Map(f.traps.map((t) => [t.pc, t.code]));
    const relocs = new Map<number, string>();
    for (const r of f.relocs) {
      relocs.set(r.pc, r.kind === "func" ? cm.funcName(r.index) : `${r.kind} ${r.index}`);
    }
    out.push(`function ${cm.funcName(f.funcIndex)} (index ${f.funcIndex}, frame ${f.frameSize})`);
    out.push(disassemble(cm.code, f.entry, f.end, {
      annotate(pc) {
        const notes: string[] = [];
        const off = lookupAddress(f.addressMap, pc);
        if (off >= 0) notes.push(`wasm 0x${off.toString(16)}`);
        const t = traps.get(pc);
        if (t !== undefined) notes.push(`trap ${trapCodeName(t)}`);
        const len = decodeInstruction(cm.code, pc).length;
        for (let w = pc + 1; w < pc + len; w++) {
          const r = relocs.get(w);
          if (r !== undefined) notes.push(`reloc ${r}`);
        }
        return notes.join(", ");
      },
    }));
    out.push("");
  }
  return out.join("\n");
}
