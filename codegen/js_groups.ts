/**
 * The JS lowering a few functions at a time ({@link JsGroupLowering}): what
 * the runtime's promotion by hotness compiles, one small group of a module's
 * functions when one of them gets hot, instead of the whole module up front
 * (`compileJsModule`).
 *
 * A group's factory (`(X, S, H, C, P) => { fns, entries, ixs, stubs }`, the same
 * `X`, `S`, `H`, `C` as a module's, see `js_backend.ts`) holds its members'
 * functions and entry adapters. A member calls another member directly; it
 * calls a function outside the group that the JS tier can run through a
 * trampoline, `fn<k>(...) → P[k](...)`, where `P` (one array per instance, by
 * function index) holds that function's JS code once promoted and until then
 * the group's stub for it, which runs it on the interpreter (`C.callSlots`).
 * Any other call goes through `C.callSlots` as in a module's factory.
 *
 * Invariants:
 * - A function's IR and kinds are computed once per module and are the same
 *   in every group (the trampoline of one group and the code another group
 *   installs in `P` agree on parameter and result kinds).
 * - A member that fails to lower is left out of the group (`routed` says
 *   why) and the others are lowered again without it.
 * - Groups are bound to an instance in the order they were lowered, so a
 *   group's `P` entries exist before a later group's trampolines need them.
 *
 * @module
 */

import { jsGcIr } from "./_js_gc.ts";
import { DEFAULT_TUNABLES, type ModuleTranslation, type Tunables, ValType } from "@capstan/environ";
import { Op } from "@capstan/interpreter";
import { FuncEnvironment } from "./func_environ.ts";
import { FuncTranslator } from "./func_translator.ts";
import { type IrFunction, irLoopHeads } from "./ir.ts";
import { inferKinds, type KindContext, type KindMap, kindOf } from "./_js_kinds.ts";
import {
  JS_BACKEND,
  JS_FACTORY_PRELUDE,
  type JsLowering,
  jsPlainMemory,
  readSlot,
  writeSlot,
} from "./js_backend.ts";
import { irEntryFuel, jsEntryAt, osrVariant } from "./_js_osr.ts";
import { hasTailCalls } from "./_js_tail_calls.ts";
import { assignVal, extraResult, flat, pairedNames, returnValue } from "./_js_i64.ts";

/** One lowered group of functions. */
export interface JsGroup {
  /** The factory's body: `(X, S, H, C, P) => { fns, entries, ixs, stubs }`, each in member order. */
  readonly source: string;
  /** The functions lowered, by function index (in the factory's order). */
  readonly members: readonly number[];
  /** Functions asked for but left out, with why. */
  readonly routed: ReadonlyMap<number, string>;
  /** The functions outside the group it calls through `P`, in the order of `stubs`. */
  readonly stubs: readonly number[];
}

interface Prepared {
  readonly ir: IrFunction;
  readonly kinds: KindMap;
}

/** A module's JS lowering, function by function, with each function's IR and kinds kept. */
export class JsGroupLowering {
  readonly #translation: ModuleTranslation;
  readonly #tunables: Tunables;
  readonly #env: FuncEnvironment;
  readonly #translator: FuncTranslator;
  readonly #ctx: KindContext;
  readonly #plainMemory: boolean;
  readonly #prepared = new Map<number, Prepared | string>();
  /**
   * The members with loops of the groups lowered: each one's source entered
   * at a label, from the blocks its group's lowering emitted, and the
   * functions it calls as `fn<k>` there (itself and its direct callees the
   * JS tier could run then).
   */
  readonly #enteredAt = new Map<
    number,
    { readonly enter: (label: number) => string; readonly callees: readonly number[] }
  >();

  /**
   * Starts the lowering of a module.
   *
   * @param translation a validated module
   * @param tunables the engine's tunables (super-instructions are turned off here)
   */
  constructor(translation: ModuleTranslation, tunables: Tunables = DEFAULT_TUNABLES) {
    this.#translation = translation;
    this.#tunables = { ...tunables, superInstructions: false };
    this.#env = new FuncEnvironment(translation, this.#tunables);
    this.#translator = new FuncTranslator(this.#env, false, true);
    this.#ctx = { translation, offsets: this.#env.offsets };
    this.#plainMemory = jsPlainMemory(translation);
  }

  /**
   * Why the JS tier cannot run a defined function (its IR, or its kinds), if it can't.
   *
   * @param funcIndex a defined function's index
   * @returns the reason, or undefined when it can be lowered
   */
  reasonOf(funcIndex: number): string | undefined {
    const p = this.#prepare(funcIndex);
    return typeof p === "string" ? p : undefined;
  }

  /**
   * The defined functions a function calls directly (`call`), each once.
   *
   * @param funcIndex a defined function's index
   * @returns their indices (none when it cannot be lowered)
   */
  directCallees(funcIndex: number): number[] {
    const p = this.#prepare(funcIndex);
    if (typeof p === "string") return [];
    const out = new Set<number>();
    for (const ins of p.ir.insts) {
      if (ins.op !== Op.call && ins.op !== Op.call_fuel) continue;
      const k = ins.operands[0] as number;
      if (k >= this.#translation.numImportedFunctions && k !== funcIndex) out.add(k);
    }
    return [...out];
  }

  /**
   * Lowers a group of functions.
   *
   * @param funcs defined functions' indices (those that cannot be lowered are left out)
   * @returns the group
   */
  lowerGroup(funcs: readonly number[]): JsGroup {
    const routed = new Map<number, string>();
    let members = [...new Set(funcs)].filter((k) => {
      const why = this.reasonOf(k);
      if (why !== undefined) routed.set(k, why);
      return why === undefined;
    });
    for (;;) {
      const inGroup = new Set(members);
      // the functions called directly: members, and others the JS tier can run (through `P`)
      const outside = new Set<number>();
      for (const m of members) {
        for (const k of this.directCallees(m)) {
          // one not analysed yet is taken as one the JS tier can run: its stub runs it anyway
          if (
            !inGroup.has(k) && (this.#fixedKinds(k) !== undefined || this.reasonOf(k) === undefined)
          ) {
            outside.add(k);
          }
        }
      }
      const calledJs = new Set([...members, ...outside]);
      const lowering = this.#newLowering(calledJs);
      const parts = [JS_FACTORY_PRELUDE];
      const failed: number[] = [];
      for (const m of members) {
        const ir = (this.#prepare(m) as Prepared).ir;
        const out = lowering.lower(ir);
        if (out.source === undefined) {
          failed.push(m);
          routed.set(m, out.routed);
          this.#prepared.set(m, out.routed);
        } else {
          parts.push(`const FR${m} = C.frame[${m}];`, out.source);
          // kept for an on-stack replacement into one of its loops
          if (out.enteredAt !== undefined && irLoopHeads(ir).loopHeads.size > 0) {
            const callees = [m, ...this.directCallees(m).filter((k) => calledJs.has(k))];
            this.#enteredAt.set(m, { enter: out.enteredAt, callees });
          }
        }
      }
      if (failed.length > 0) {
        members = members.filter((m) => !failed.includes(m));
        continue;
      }
      const stubs = [...outside];
      for (const k of stubs) parts.push(this.#trampoline(k), this.#stub(k));
      const list = (p: string, ks: readonly number[]) => `[${ks.map((k) => p + k).join(", ")}]`;
      parts.push(
        `return { fns: ${list("fn", members)}, entries: ${list("en", members)}, ixs: ${
          list("ix", members)
        }, stubs: ${list("st", stubs)} };`,
      );
      return { source: parts.join("\n"), members, routed, stubs };
    }
  }

  /**
   * The on-stack-replacement entry of a function at the block that starts
   * with the wasm code at `wasmOffset` (see `_js_osr.ts`): a factory body
   * `(X, S, H, C, P) => oe<k>`, `oe<k>(base)` running the function from that
   * block with its locals read from slots `base + r`, its results written
   * from `base`.
   *
   * @param funcIndex a defined function's index
   * @param wasmOffset the wasm offset of the bytecode's instruction at a loop header
   * @returns the factory body and the fuel its code charges from the entry
   *   to its first conditional branch, call or return (`irEntryFuel`), or why there is none
   */
  lowerOsr(
    funcIndex: number,
    wasmOffset: number,
  ): string | { readonly source: string; readonly entryFuel: number } {
    const p = this.#prepare(funcIndex);
    if (typeof p === "string") return p;
    if (hasTailCalls(p.ir)) return "tail calls (the JS code is entered at its start only)";
    const head = jsEntryAt(p.ir, wasmOffset);
    if (head === undefined) return `no block of the JS code starts at wasm offset ${wasmOffset}`;
    const live = p.kinds.liveInAt(head.inst) ?? [];
    if (live.some(([r]) => r >= p.ir.locals.length)) {
      return "a value other than a local is live into the loop";
    }
    const emitted = this.#enteredAt.get(funcIndex);
    const callees = emitted?.callees ??
      [funcIndex, ...this.directCallees(funcIndex)].filter((k) => this.reasonOf(k) === undefined);
    let source: string;
    try {
      // a member of a group lowered: its blocks structured again from the header
      if (emitted !== undefined) source = emitted.enter(head.label);
      else {
        const out = this.#newLowering(new Set(callees), head.label).lower(p.ir);
        if (out.source === undefined) return out.routed;
        source = out.source;
      }
      const parts = [
        JS_FACTORY_PRELUDE,
        `const FR${funcIndex} = C.frame[${funcIndex}];`,
        osrVariant(source, funcIndex, live, p.kinds.resultKinds, p.ir.results),
      ];
      for (const k of callees) parts.push(this.#trampoline(k), this.#stub(k));
      parts.push(`return oe${funcIndex};`);
      return { source: parts.join("\n"), entryFuel: irEntryFuel(p.ir, head.inst) };
    } catch (e) {
      return (e as Error).message;
    }
  }

  #newLowering(lowered: ReadonlySet<number>, entryLabel?: number): JsLowering {
    return JS_BACKEND.newLoweringFor(this.#ctx, {
      epochs: this.#tunables.epochInterruption,
      lowered,
      entryLabel,
      functionWord0: this.#env.offsets.functionWord(0),
      declaredSubtypes: this.#ctx.translation.types.some((t) => t.supertype !== undefined),
      kindsOf: (i) => {
        const p = this.#fixedKinds(i) ?? this.#prepare(i);
        return typeof p === "string" ? undefined : p.kinds;
      },
    });
  }

  /**
   * A function not analysed yet whose type fixes its parameters' and
   * results' kinds (no f64, whose kind its code decides, and no v128): those
   * kinds, as its analysis will find them. Its other kinds are not known
   * (the lowering of a caller asks for these only).
   */
  #fixedKinds(k: number): { readonly kinds: KindMap } | undefined {
    if (this.#prepared.has(k)) return undefined;
    const t = this.#translation;
    if (k < t.numImportedFunctions) return undefined;
    const type = t.types[t.functions[k]];
    const types = [...type.params, ...type.results];
    if (types.some((v) => v === ValType.f64 || v === ValType.v128)) return undefined;
    const unknown = () => {
      throw new Error(`function ${k} is not analysed`);
    };
    return {
      kinds: {
        paramKinds: type.params.map(kindOf),
        resultKinds: type.results.map(kindOf),
        calls: new Map(),
        kindAt: unknown,
        liveInAt: unknown,
      },
    };
  }

  /** `fn<k>`: a call of function `k` through the instance's `P[k]`. */
  #trampoline(k: number): string {
    const kinds = (this.#fixedKinds(k) ?? this.#prepare(k) as Prepared).kinds;
    const ps = pairedNames(kinds.paramKinds, (j) => `a${j}`).map(flat).join(", ");
    return `function fn${k}(${ps}) { return P[${k}](${ps}); }`;
  }

  /** `st<k>`: function `k` run through `C.callSlots` (the interpreter, or its entry adapter). */
  #stub(k: number): string {
    const { paramKinds: pk, resultKinds: rk } =
      (this.#fixedKinds(k) ?? this.#prepare(k) as Prepared).kinds;
    const word = this.#env.offsets.functionWord(k);
    const args = pairedNames(pk, (j) => `a${j}`);
    return [
      `function st${k}(${args.map(flat).join(", ")}) {`,
      `const cb = S.sp;`,
      ...pk.map((kind, j) => writeSlot(kind, `cb + ${j}`, args[j])),
      `C.callSlots(V[${word}], cb);`,
      ...rk.slice(1).map((kind, j) =>
        assignVal(kind, extraResult(kind, j + 1), readSlot(kind, `cb + ${j + 1}`))
      ),
      rk.length > 0 ? returnValue(rk[0], readSlot(rk[0], "cb")) : "return;",
      `}`,
    ].join("\n");
  }

  #prepare(funcIndex: number): Prepared | string {
    const known = this.#prepared.get(funcIndex);
    if (known !== undefined) return known;
    const t = this.#translation;
    let p: Prepared | string;
    if (funcIndex < t.numImportedFunctions) p = "an import";
    else if (!this.#plainMemory) p = "custom page sizes or a shared memory";
    else {
      const body = t.bodies[funcIndex - t.numImportedFunctions];
      try {
        const ir = jsGcIr(this.#translator.translate(body), (tag) => t.types[t.tags[tag]].params);
        const kinds = inferKinds(ir, this.#ctx);
        p = typeof kinds === "string" ? kinds : { ir, kinds };
      } catch (e) {
        p = (e as Error).message;
      }
    }
    this.#prepared.set(funcIndex, p);
    return p;
  }
}
