/**
 * `compileModule`: every defined function of a translated module through
 * `FuncTranslator` (wasm → IR) and the bytecode backend (IR → bytecode), into one
 * code array with call targets resolved, plus each function's side tables.
 *
 * Invariants:
 * - `code` holds the defined functions in index order; function `i` starts
 *   at `functions[i - numImportedFunctions].entry` with its `enter` op.
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
import { type BytecodeEncoder, decodeInstruction, disassemble, Op } from "@capstan/interpreter";
import { FuncEnvironment } from "./func_environ.ts";
import { FuncTranslator } from "./func_translator.ts";
import { type IrFunction, printIr } from "./ir.ts";
import { BYTECODE_BACKEND } from "./lower.ts";
import { lookupAddress, type Reloc, type StackMap, type TrapEntry } from "./sinks.ts";
import { trapCodeName } from "@capstan/environ";

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
}

/** A compiled module: code plus per-function tables. */
export class CompiledModule {
  /** The module it was compiled from. */
  readonly translation: ModuleTranslation;
  /** The vmctx layout the code assumes. */
  readonly offsets: VMOffsets;
  /** The tunables it was compiled with. */
  readonly tunables: Tunables;
  /** All defined functions' code. */
  readonly code: Int32Array;
  /** Defined functions, index `funcIndex - numImportedFunctions`. */
  readonly functions: readonly CompiledFunction[];
  /** Every function's exception handlers, concatenated (`VmInstance.handlers`). */
  readonly handlers: Int32Array;

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
    code: Int32Array,
    functions: readonly CompiledFunction[],
  ) {
    this.translation = translation;
    this.offsets = offsets;
    this.tunables = tunables;
    this.code = code;
    this.functions = functions;
    const all: number[] = [];
    for (const f of functions) all.push(...f.handlers);
    this.handlers = Int32Array.from(all);
  }

  /**
   * The function whose code contains `pc`.
   *
   * @param pc a code address
   * @returns the function, or undefined
   */
  funcAt(pc: number): CompiledFunction | undefined {
    const fs = this.functions;
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
  const env = new FuncEnvironment(translation, tunables);
  const translator = new FuncTranslator(env, options.fuseFuelCharges !== false);
  const lowering = BYTECODE_BACKEND.newLowering();
  const enc = lowering.encoder;
  const functions: CompiledFunction[] = [];
  for (const body of translation.bodies) {
    const ir = translator.translate(body);
    const low = lowering.lower(ir);
    functions.push({
      funcIndex: body.funcIndex,
      typeIndex: body.typeIndex,
      entry: low.entry,
      end: low.end,
      frameSize: low.frameSize,
      traps: low.traps.entries,
      relocs: low.relocs.entries,
      stackMaps: low.stackMaps.entries,
      addressMap: low.addressMap,
      handlers: low.handlers,
      ir: options.keepIr ? ir : undefined,
    });
  }
  const nImported = translation.numImportedFunctions;
  for (const f of functions) {
    for (const r of f.relocs) {
      if (r.kind === "func") enc.patch(r.pc, functions[r.index - nImported].entry);
    }
  }
  if (tunables.consumeFuel) addEntryCharges(enc, functions);
  return new CompiledModule(translation, env.offsets, tunables, enc.finish(), functions);
}

/**
 * Fuel: a `call_fuel`/`call_add_i_fuel` also pays its callee's
 * entry charge (the `fuel m` right after the callee's `enter`), which the VM
 * then skips: one fuel check per call instead of two. A call the sum cannot
 * pay stops before anything of it runs (never later than without this).
 *
 * @param enc the encoder holding every function, relocations resolved
 * @param functions the compiled functions
 */
function addEntryCharges(enc: BytecodeEncoder, functions: readonly CompiledFunction[]): void {
  for (const f of functions) {
    for (const r of f.relocs) {
      if (r.kind !== "func") continue;
      const call = r.pc - 1; // the target is the first operand
      const op = enc.word(call);
      const n = op === Op.call_fuel ? call + 3 : op === Op.call_add_i_fuel ? call + 6 : -1;
      const t = enc.word(r.pc);
      if (n < 0 || enc.word(t + 4) !== Op.fuel) continue;
      enc.patch(n, enc.word(n) + enc.word(t + 5));
    }
  }
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
