/**
 * `FuncTranslator`: turns one validated wasm function body into IR.
 *
 * The translator is a visitor per operator family over one shared state
 * (`_translator_core.ts`: the typed operand stack of `_operand_stack.ts`,
 * the control frames, emission): control flow (`_control.ts`), variables
 * (`_variables.ts`), memory (`_memory.ts`), numeric (`_numeric.ts`),
 * references and tables (`_references.ts`) and SIMD (`simd_translate.ts`),
 * dispatched by operator key from one table. Super-instruction fusions are
 * rules (`_fusion_rules.ts`); after the body, passes over the IR place fuel
 * charges (`_fuel_placement.ts`), give hoisted constants their registers,
 * and shorten return paths (`_return_paths.ts`).
 *
 * Invariants:
 * - Only validated bodies are translated; stack types are not re-checked.
 * - Code after an unconditional transfer is skipped up to its block's end.
 * - Translation allocates nothing per operator beyond the IR it emits.
 *
 * @module
 */

import { DELEGATE } from "./ir.ts";
import {
  CONTROL_OPERATORS,
  elseBranch,
  endBlock,
  legacyCatch,
  legacyDelegate,
} from "./_control.ts";
import { fuseFuelCharges } from "./_fuel_placement.ts";
import { fuseLoopClosers } from "./_fusion_rules.ts";
import { MEMORY_OPERATORS, translateSimdAccess } from "./_memory.ts";
import { CONSTANT_OPERATORS, numeric } from "./_numeric.ts";
import { REFERENCE_OPERATORS } from "./_references.ts";
import { GC_OPERATORS } from "./_gc.ts";
import { simplifyReturnPaths } from "./_return_paths.ts";
import { type OperatorHandler, TranslatorCore } from "./_translator_core.ts";
import { VARIABLE_OPERATORS } from "./_variables.ts";
import { ATOMIC_OPERATORS } from "./_atomics.ts";
import { CONTINUATION_OPERATORS } from "./_continuations.ts";
import { type FunctionBody, Op as W } from "@capstan/environ";
import type { FuncEnvironment } from "./func_environ.ts";
import type { IrFunction } from "./ir.ts";
import { isSimdKey, translateSimd } from "./simd_translate.ts";

/** Wasm operators that cost no fuel (as wasmtime). */
const FREE = new Set<number>([W.nop, W.drop, W.block, W.loop, W.end, W.else]);

/** The operator families' translations, by operator key. */
const FAMILIES: readonly ReadonlyMap<number, OperatorHandler>[] = [
  CONTROL_OPERATORS,
  VARIABLE_OPERATORS,
  MEMORY_OPERATORS,
  CONSTANT_OPERATORS,
  REFERENCE_OPERATORS,
  GC_OPERATORS,
  ATOMIC_OPERATORS,
  CONTINUATION_OPERATORS,
];

/** Handlers of one-byte operators, indexed by opcode (a dense array: no hashing per operator). */
const ONE_BYTE: (OperatorHandler | undefined)[] = new Array(256).fill(undefined);
/** Handlers of prefixed operators, by key. */
const PREFIXED = new Map<number, OperatorHandler>();
for (const family of FAMILIES) {
  for (const [key, handler] of family) {
    if (key < 256) ONE_BYTE[key] = handler;
    else PREFIXED.set(key, handler);
  }
}

/**
 * Translates one operator: its family's handler, else SIMD, else numeric.
 *
 * @param t the translator state, the reader past the operator's immediates
 * @param key the operator's key
 */
function translateOperator(t: TranslatorCore, key: number): void {
  const handler = key < 256 ? ONE_BYTE[key] : PREFIXED.get(key);
  if (handler !== undefined) handler(t, key);
  else if (isSimdKey(key)) {
    if (!translateSimdAccess(t, key)) translateSimd(t, key, t.r);
  } else numeric(t, key);
}

/** Translates validated function bodies of one module into IR. */
export class FuncTranslator {
  readonly #t: TranslatorCore;

  /**
   * Creates a translator for the functions of one module.
   *
   * @param env the module's environment
   * @param fuseFuelCharges with fuel on, fuse charges into branch prefixes and share join
   *   charges (false: one `fuel` charge per block; see `CompileOptions.fuseFuelCharges`)
   * @param keepSelfMoves keep a move onto itself (a wrap or reinterpretation in place),
   *   where the JS backend changes the value's representation (the bytecode needs none)
   */
  constructor(env: FuncEnvironment, fuseFuelCharges = true, keepSelfMoves = false) {
    this.#t = new TranslatorCore(env, fuseFuelCharges, keepSelfMoves);
  }

  /**
   * Translates one body.
   *
   * @param body a validated function body of the environment's module
   * @returns its IR
   */
  translate(body: FunctionBody): IrFunction {
    const t = this.#t;
    t.start(body);
    const r = t.r;
    let skip = 0;
    while (t.frames.length > 0) {
      const key = r.read();
      t.offset = r.offset;
      const top = t.frames[t.frames.length - 1];
      if (top.unreachable) {
        if (
          key === W.block || key === W.loop || key === W.if || key === W.try_table ||
          key === W.try
        ) skip++;
        else if (key === W.end) {
          if (skip > 0) skip--;
          else endBlock(t);
        } else if (key === W.delegate) {
          if (skip > 0) skip--;
          else legacyDelegate(t);
        } else if (skip === 0) {
          if (key === W.else) elseBranch(t);
          else if (key === W.catch || key === W.catch_all) legacyCatch(t, key);
        }
        continue;
      }
      if (!FREE.has(key)) t.fuel++;
      translateOperator(t, key);
    }
    // (epochs need nothing here: the VM checks them at taken branches and calls)
    const fusedCharges = t.consumeFuel && t.fuseFuelCharges;
    if (t.superInstructions && !t.countInstructions) fuseLoopClosers(t.insts, t, fusedCharges);
    if (fusedCharges) fuseFuelCharges(t.insts, t);
    const numRegs = t.placeConstants();
    if (t.superInstructions) {
      const handlerLabels = new Set<number>();
      for (const h of t.handlers) {
        handlerLabels.add(h.start).add(h.end);
        for (const c of h.clauses) if (c.tag !== DELEGATE) handlerLabels.add(c.pad);
      }
      const simple = simplifyReturnPaths(t.insts, t.refSlots, t.results.length, handlerLabels);
      t.insts = simple.insts;
      t.refSlots = simple.refSlotsAt;
    }
    (t.insts[0].operands as number[])[2] = numRegs;
    return {
      funcIndex: body.funcIndex,
      params: t.env.funcType(body.funcIndex).params,
      results: t.results,
      locals: t.localTypes,
      numRegs,
      numLabels: t.numLabels,
      insts: t.insts,
      refSlotsAt: t.refSlots,
      handlers: t.handlers.length > 0 ? t.handlers : undefined,
    };
  }
}
