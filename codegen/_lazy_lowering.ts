/**
 * Lazy lowering: a module's functions lowered to bytecode one at a time, on
 * their first call, so that a large module starts without lowering code it
 * never runs. Validation has covered every function when the module was
 * translated, so lowering one later cannot reject the module.
 *
 * The code starts as one stub per defined function, in index order:
 *
 *     enter  params params 0     ; the callee's `enter`: clears no local, checks no frame
 *     lazy   funcIndex           ; lower it, continue at its code's `enter`
 *
 * A `call` performs its callee's `enter` from the callee's first words and
 * continues after them, so a stub must read as an `enter`: its first operand
 * (where tail calls read how many arguments to move) is the real one, and
 * the real `enter` at the code's entry then clears the locals and checks the
 * frame. Lowering a function appends its code, points the calls of it
 * lowered so far at its code (adding its entry fuel charge to `call_fuel`
 * sites, as eager compilation does), points its own calls at their callees'
 * code or stubs, and turns its stub's `lazy` into a `br` to its code.
 *
 * Invariants:
 * - Code is only appended, and patched only where a call of a stub becomes
 *   a call of the code or a stub's `lazy` becomes a `br`. The code runs from
 *   the encoder's whole buffer, which sees every append and patch until the
 *   code outgrows it; a buffer left behind then stays a correct program (it
 *   meets stubs where the new one meets code).
 * - Fuel: a call of a stub pays only its own charge and reaches the callee's
 *   own entry `fuel` op through the stub; a call patched to the code adds
 *   the callee's entry charge and skips that op, so totals are the same.
 *
 * @module
 */

import type { FunctionBody, ModuleTranslation, Tunables, VMOffsets } from "@capstan/environ";
import { type BytecodeEncoder, Op } from "@capstan/interpreter";
import type { CompiledFunction } from "./compile.ts";
import { FuncEnvironment } from "./func_environ.ts";
import { FuncTranslator } from "./func_translator.ts";
import type { IrFunction } from "./ir.ts";
import { BYTECODE_BACKEND, type BytecodeLowering, type LoweredFunction } from "./lower.ts";

/** Words of a stub: `enter` (4) and `lazy` (2). */
export const STUB_WORDS = 6;

/**
 * Points a call site at `target` (a function's code or stub); when the
 * target is code with an entry `fuel` op and the call is a `call_fuel` or
 * `call_add_i_fuel`, the call's charge takes over the callee's entry charge
 * (the VM then skips that op).
 *
 * @param enc the module's encoder
 * @param site the call's target operand
 * @param target the code address it calls
 * @param fuel whether the code meters fuel
 */
export function resolveCallSite(
  enc: BytecodeEncoder,
  site: number,
  target: number,
  fuel: boolean,
): void {
  enc.patch(site, target);
  if (!fuel) return;
  const call = site - 1; // the target is the first operand
  const op = enc.word(call);
  const n = op === Op.call_fuel ? call + 3 : op === Op.call_add_i_fuel ? call + 6 : -1;
  if (n < 0 || enc.word(target + 4) !== Op.fuel) return;
  enc.patch(n, enc.word(n) + enc.word(target + 5));
}

/**
 * The record of one lowered function.
 *
 * @param body its body
 * @param low what lowering it gave
 * @param ir its IR, when kept
 * @returns the record
 */
export function compiledFunction(
  body: FunctionBody,
  low: LoweredFunction,
  ir: IrFunction | undefined,
): CompiledFunction {
  return {
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
    ir,
  };
}

/** The state of a module lowered lazily. */
export class LazyLowering {
  /** The vmctx layout. */
  readonly offsets: VMOffsets;
  readonly #translation: ModuleTranslation;
  readonly #fuel: boolean;
  readonly #translator: FuncTranslator;
  readonly #lowering: BytecodeLowering;
  /** Call sites (target operand addresses) waiting for each function's code. */
  readonly #waiting: number[][];
  /** Each lowered function's entry, by defined index (absent: not lowered). */
  readonly #entries: (number | undefined)[] = [];

  /**
   * Starts a module's lazy lowering: writes its stubs.
   *
   * @param translation the module (validated)
   * @param tunables code-shaping switches
   * @param fuseFuelCharges as `CompileOptions.fuseFuelCharges`
   */
  constructor(
    translation: ModuleTranslation,
    tunables: Tunables,
    fuseFuelCharges: boolean,
    resume?: { readonly code: Int32Array; readonly functions: readonly CompiledFunction[] },
  ) {
    const env = new FuncEnvironment(translation, tunables);
    this.offsets = env.offsets;
    this.#translation = translation;
    this.#fuel = tunables.consumeFuel;
    this.#translator = new FuncTranslator(env, fuseFuelCharges);
    this.#lowering = BYTECODE_BACKEND.newLowering();
    const n = translation.bodies.length;
    this.#waiting = Array.from({ length: n }, () => []);
    const enc = this.#lowering.encoder;
    if (resume !== undefined) {
      this.#resume(resume.code, resume.functions);
      return;
    }
    for (const body of translation.bodies) {
      const params = translation.types[body.typeIndex].params.length;
      enc.emit(Op.enter, params, params, 0);
      enc.emit(Op.lazy, body.funcIndex);
    }
  }

  /**
   * Takes up code this lowering wrote before (an image's): the functions
   * whose entry is not their stub are lowered; the calls they make of a stub
   * wait for that function.
   */
  #resume(code: Int32Array, functions: readonly CompiledFunction[]): void {
    const nImported = this.#translation.numImportedFunctions;
    this.#lowering.encoder.append(code);
    functions.forEach((f, k) => {
      if (f.entry === k * STUB_WORDS) return;
      this.#entries[k] = f.entry;
    });
    for (const f of functions) {
      for (const r of f.relocs) {
        if (r.kind !== "func") continue;
        const c = r.index - nImported;
        if (this.#entries[c] === undefined) this.#waiting[c].push(r.pc);
      }
    }
  }

  /**
   * The stubs as functions (no tables: nothing in them traps or calls).
   *
   * @returns one per defined function
   */
  stubs(): CompiledFunction[] {
    return this.#translation.bodies.map((body, k) => ({
      funcIndex: body.funcIndex,
      typeIndex: body.typeIndex,
      entry: k * STUB_WORDS,
      end: (k + 1) * STUB_WORDS,
      frameSize: 0,
      traps: [],
      relocs: [],
      stackMaps: [],
      addressMap: new Int32Array(0),
      handlers: new Int32Array(0),
      ir: undefined,
    }));
  }

  /**
   * The code so far.
   *
   * @returns a view as long as the code
   */
  code(): Int32Array {
    return this.#lowering.encoder.view();
  }

  /**
   * The array to run (see `CompiledModule.executable`).
   *
   * @returns the encoder's buffer
   */
  executable(): Int32Array {
    return this.#lowering.encoder.buffer();
  }

  /**
   * Whether a function has been lowered.
   *
   * @param funcIndex a defined function's index
   * @returns true when its code exists
   */
  isLowered(funcIndex: number): boolean {
    return this.#entries[funcIndex - this.#translation.numImportedFunctions] !== undefined;
  }

  /**
   * Lowers one function (not lowered yet) and links it (see the module doc).
   *
   * @param funcIndex a defined function's index
   * @returns the function
   */
  lower(funcIndex: number): CompiledFunction {
    const nImported = this.#translation.numImportedFunctions;
    const k = funcIndex - nImported;
    const body = this.#translation.bodies[k];
    const enc = this.#lowering.encoder;
    const low = this.#lowering.lower(this.#translator.translate(body));
    this.#entries[k] = low.entry;
    for (const r of low.relocs.entries) {
      if (r.kind !== "func") continue;
      const c = r.index - nImported;
      const target = this.#entries[c];
      if (target !== undefined) {
        resolveCallSite(enc, r.pc, target, this.#fuel);
      } else {
        enc.patch(r.pc, c * STUB_WORDS);
        this.#waiting[c].push(r.pc);
      }
    }
    for (const site of this.#waiting[k]) resolveCallSite(enc, site, low.entry, this.#fuel);
    this.#waiting[k] = [];
    const lazyOp = k * STUB_WORDS + 4;
    enc.patch(lazyOp, Op.br);
    enc.patch(lazyOp + 1, low.entry - lazyOp);
    return compiledFunction(body, low, undefined);
  }
}
