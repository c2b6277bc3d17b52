/**
 * The JavaScript backend: lowers each IR function to the source of one JS
 * function ({@link JS_BACKEND}), and a module's functions to one factory
 * (`compileJsModule`) that the runtime calls once per instance.
 *
 * The generated code (one `function f<index>` per JS-tier function):
 * - registers are JS locals named by kind and register (`i5`, `f5`, `d5`:
 *   see `_js_kinds.ts`), an i64 two int32 locals (`b5` low, `h5` high: see
 *   `_js_i64.ts`); parameters arrive as JS values of their kind (an i64 as
 *   two), the first result is returned (an i64's high half in `RVB[1]`) and
 *   the others are left in `RV[1..]`;
 * - control flow is structured JS (labeled blocks and loops, `if`s, the
 *   code's own `switch` for a `br_table`) rebuilt from the IR's basic blocks
 *   by `_js_structure.ts`, or a `for (;;) switch (L)` over them for a graph
 *   that cannot be structured;
 * - a constant is read as its literal where an op reads it (within its
 *   basic block), and stored to its local only where code names the local
 *   or jumps away: a constant shift amount is a literal V8 can lower;
 * - memory is read through the instance memory's `DataView` (`M`, length
 *   `ML`), re-derived on entry and after each call or builtin that may grow
 *   the memory, with a bounds check on every access;
 * - each call records its wasm offset in the shadow stack (`S.off[d]`) and
 *   each trap names its own, so the runtime builds backtraces like the
 *   interpreter's (a frame's entry writes its function, `S.fr[d]`, and no
 *   offset: only frames that have called are read at theirs);
 * - the prologue counts the wasm stack (`S.sp`, in interpreter slots) and the
 *   JS depth (`S.d`); past the JS budget the call continues on the
 *   interpreter (`vv<index>`, through `C.callSlots`);
 * - a function with tail calls is a body that may leave a tail-call request
 *   and a wrapper that runs it (`_js_tail_calls.ts`); a function with
 *   exception handlers is a dispatcher inside a `try/catch`
 *   (`_js_exceptions.ts`); memories other than memory 0 are addressed as
 *   `_js_memories.ts` says.
 *
 * Invariants:
 * - The factory's parameters are `X` (the `VmInstance`), `S` (the store's JS
 *   tier state), `H` (value helpers) and `C` (the instance's call and trap
 *   helpers), all supplied by the runtime (`runtime/_js_tier.ts`).
 * - A function the backend cannot lower (an op without a row, a value that
 *   needs two kinds) is not in the factory; `routed` says why, and the
 *   runtime runs it on the interpreter.
 *
 * @module
 */

import {
  BUILTINS,
  DEFAULT_TUNABLES,
  type ModuleTranslation,
  TrapCode,
  type Tunables,
  ValType,
} from "@capstan/environ";
import { BYTECODE_OPS } from "@capstan/interpreter";
import type { Backend, FunctionLowering } from "./backend.ts";
import { FuncEnvironment } from "./func_environ.ts";
import { FuncTranslator } from "./func_translator.ts";
import { type IrFunction, irLoopHeads, LABEL } from "./ir.ts";
import { inferKinds, type KindContext, type KindMap, kindOf } from "./_js_kinds.ts";
import { jsOpRow, readKinds, type RegKind, type Site } from "./_js_op_shapes.ts";
import {
  assignVal,
  callResult,
  extraResult,
  flat,
  fromPair,
  hiLocal,
  I64_SCRATCH,
  isSimple,
  type Pair,
  pairedNames,
  returnValue,
  slotPair,
  toPair,
  type Val,
} from "./_js_i64.ts";
import { jsConst32, jsConst64 } from "./_js_literals.ts";
import { dropDeadStores, names, takeLiteralStores } from "./_js_fold.ts";
import { forwardWords } from "./_js_simd_fold.ts";
import { emitDispatcher, emitStructured, type FlowBlock, type FlowPiece } from "./_js_structure.ts";
import {
  isJsSimdOp,
  JS_SIMD_PROLOGUE,
  jsSimdCallArgs,
  jsSimdCallResults,
  jsSimdCheckSize,
  jsSimdDecls,
  jsSimdEntry,
  jsSimdOrderDecls,
  jsSimdParams,
  jsSimdReturn,
  jsSimdScalarDefs,
  jsSimdText,
} from "./_js_simd.ts";
import { isJsGcOp, jsGcIr, jsGcText, throwGcCode } from "./_js_gc.ts";
import { catchingDispatcher, clauseCodes, throwCode, throwRefCode } from "./_js_exceptions.ts";
import { jsAddressableMemories, memoryAccess, memoryNamed, onMemory } from "./_js_memories.ts";
import { hasTailCalls, TAIL_CALL_OPS, tailCallCode, tailCallerAdapters } from "./_js_tail_calls.ts";
import { emitSplit } from "./_js_split.ts";
import { namesCanonicalTypes } from "./type_relocation.ts";

/** One function lowered to JS, or the reason it was not. */
export type JsLoweredFunction =
  | {
    readonly funcIndex: number;
    readonly source: string;
    readonly routed?: undefined;
    /**
     * The same function's source entered at another IR label (as
     * `JsLoweringOptions.entryLabel` would give it), structured from the
     * blocks this lowering already emitted; throws as the lowering would.
     * Absent for a leaf, whose prologue keeps no frame (lower it again with
     * the entry label).
     */
    readonly enteredAt?: (label: number) => string;
  }
  | { readonly funcIndex: number; readonly source?: undefined; readonly routed: string };

/** Options of the JS lowering that come from the engine and the module. */
export interface JsLoweringOptions {
  /** Check the epoch at function entries and loop headers. */
  readonly epochs: boolean;
  /** The functions lowered to JS (a call of one of them is a direct JS call). */
  readonly lowered: ReadonlySet<number>;
  /** The vmctx word of function 0's handle. */
  readonly functionWord0: number;
  /** The kinds inferred for a function of the module (its parameters' and results'). */
  readonly kindsOf: (funcIndex: number) => KindMap | undefined;
  /**
   * How control flow is written: `"structured"` (the default: loops, blocks
   * and `if`s, the dispatcher only for a graph that cannot be structured) or
   * `"dispatcher"` (always a `switch` over the blocks).
   */
  readonly controlFlow?: "structured" | "dispatcher";
  /**
   * The IR label control starts at (a loop header, to enter a loop mid-way),
   * after the prologue; the locals other than the parameters start at zero.
   * The code is structured as seen from that block (the dispatcher when it
   * cannot be). The function's first instruction when absent.
   */
  readonly entryLabel?: number;
  /**
   * Whether a call of the function may grow the memory (then the memory's
   * view is re-derived after it); every call may when absent.
   */
  readonly mayGrowMemory?: (funcIndex: number) => boolean;
  /**
   * Whether the module declares subtypes (a `call_indirect` then accepts a
   * callee whose type is declared under the expected one, as the VM does).
   */
  readonly declaredSubtypes?: boolean;
}

const local = (k: RegKind, r: number) => `${k.toLowerCase()}${r}`;

/** The JS lowering of one module's functions. */
export class JsLowering implements FunctionLowering<JsLoweredFunction> {
  readonly #ctx: KindContext;
  readonly #options: JsLoweringOptions;

  /**
   * Starts a lowering.
   *
   * @param ctx the module facts
   * @param options engine options
   */
  constructor(ctx: KindContext, options: JsLoweringOptions) {
    this.#ctx = ctx;
    this.#options = options;
  }

  /**
   * Lowers one function.
   *
   * @param f its IR (translated without super-instructions)
   * @returns its JS source, or why it runs on the interpreter
   */
  lower(f: IrFunction): JsLoweredFunction {
    const kinds = this.#options.kindsOf(f.funcIndex) ?? inferKinds(f, this.#ctx);
    if (typeof kinds === "string") return { funcIndex: f.funcIndex, routed: kinds };
    try {
      return { funcIndex: f.funcIndex, ...emitFunction(f, kinds, this.#options) };
    } catch (e) {
      return { funcIndex: f.funcIndex, routed: (e as Error).message };
    }
  }
}

/** The backend that lowers the IR to JavaScript source. */
export const JS_BACKEND: Backend<JsLowering> & {
  newLoweringFor(ctx: KindContext, options: JsLoweringOptions): JsLowering;
} = {
  name: "js",
  newLowering: () => {
    throw new Error("the JS backend needs the module: use newLoweringFor");
  },
  newLoweringFor: (ctx, options) => new JsLowering(ctx, options),
};

/**
 * A function's source, entered where `options.entryLabel` says, and the same
 * function entered at another label from the blocks emitted once.
 */
function emitFunction(
  f: IrFunction,
  kinds: KindMap,
  options: JsLoweringOptions,
): { readonly source: string; readonly enteredAt?: (label: number) => string } {
  const insts = f.insts;
  const declared = new Map<string, RegKind>();
  const use = (k: RegKind, r: number) => {
    const n = local(k, r);
    if (!declared.has(n)) {
      declared.set(n, k);
      if (k === "B") declared.set(hiLocal(n), "I");
    }
    return n;
  };
  /** Register `r` as a value of kind `k`: its local, an i64's two. */
  const useVal = (k: RegKind, r: number): Val => {
    const n = use(k, r);
    return k === "B" ? [n, hiLocal(n)] : n;
  };
  const { loopHeads } = irLoopHeads(f); // labels some later branch jumps back to
  const frame = f.numRegs + 2; // wasm stack slots of the frame (and v128 file vectors)
  const pk = kinds.paramKinds;
  const rk = kinds.resultKinds;
  const paramVals = f.params.map((_, r) => useVal(pk[r], r));
  const params = paramVals.flatMap((v) => typeof v === "string" ? [v] : [...v]);
  // basic blocks: the entry (0), then one per label in order
  const blockOf = new Map<number, number>();
  for (const ins of insts) {
    if (ins.op === LABEL) blockOf.set(ins.operands[0] as number, blockOf.size + 1);
  }
  const blocks: FlowPiece[][] = [[]];
  let dead = false; // after a jump, a return or a trap: nothing runs until the next label
  /** Appends code to the current block, its `GOTO(label)`s as jumps. */
  /**
   * Constants not yet stored to their local, by local: the store is written
   * just before code that names the local or leaves the block, and never when
   * every read used the literal (see `known` below).
   */
  const pending = new Map<string, string>();
  const catches = f.handlers !== undefined;
  const leaf = isLeaf(f, options);
  const emit = (...texts: string[]) => {
    if (dead) return;
    const code = blocks[blocks.length - 1];
    for (const text of texts) {
      if (pending.size > 0) {
        // code that jumps may go where the local is read; a return reads only what it names
        // (in a function with handlers, any code may throw to a pad that reads the local)
        const leaves = text === STORE_PENDING || text.includes("GOTO(") || catches;
        for (const [n, lit] of pending) {
          if (!leaves && !names(text, n)) continue;
          code.push(`${n} = ${lit};`);
          pending.delete(n);
        }
      }
      text.split(/GOTO\((\d+)\)/).forEach((part, k) => {
        if (k % 2 === 1) code.push({ to: blockOf.get(Number(part))! });
        else if (part !== "") code.push(part);
      });
    }
  };
  const entryOff = insts.find((x) => x.op !== LABEL)?.wasmOffset ?? 0;
  const ret = (resultsFrom: (j: number) => Val) => {
    const rs = f.results.map((_, j) => resultsFrom(j));
    const extra = rs.slice(1).map((r, j) =>
      `${assignVal(rk[j + 1], extraResult(rk[j + 1], j + 1), r)} `
    ).join("");
    return `${jsSimdReturn(f.results)}${leaf ? "" : "S.d = d - 1; S.sp = sp; "}${extra}${
      rs.length > 0 ? returnValue(rk[0], rs[0]) : "return undefined;"
    }`;
  };
  let at = -1; // the instruction being lowered
  const resultLocal = (j: number) => {
    // (a reference is one kind wherever it is)
    const k = at >= 0 && rk[j] !== "R" ? kinds.kindAt(at, 100 + j) : rk[j];
    return convert(useVal(k, j), k, rk[j]);
  };
  // locals known to hold a constant (set since the last label, not written since): their literal
  const known = new Map<string, string>();
  let written: string[] | undefined = []; // the locals the last instruction may have written (all: undefined)
  // some v128 op or value: the prologue binds the v128 file (`_js_simd.ts`)
  let usesSimd = [...f.params, ...f.results].includes(ValType.v128);
  let usesIndirect = false; // some call through a table or reference to an `ix<k>` (local `g`)
  for (let i = 0; i < insts.length; i++) {
    // an access to another memory runs as the memory-0 op (see `_js_memories.ts`)
    const access = memoryAccess(insts[i]);
    const ins = access?.ins ?? insts[i];
    const o = ins.operands;
    if (written === undefined) known.clear();
    else for (const n of written) known.delete(n);
    written = undefined;
    if (ins.op === LABEL) {
      const l = o[0] as number;
      emit(`GOTO(${l})`);
      pending.clear();
      blocks.push([]);
      dead = false;
      if (options.epochs && loopHeads.has(l)) {
        emit(`if (EC[0] >= vm.epochDeadline) C.epoch(${ins.wasmOffset});`);
      }
      continue;
    }
    const info = BYTECODE_OPS[ins.op];
    const name = info.name;
    const off = ins.wasmOffset;
    at = i;
    const reg = (k: number) => use(kinds.kindAt(i, k), o[k] as number);
    /** Register operand `k`'s local(s). */
    const regVal = (k: number) => useVal(kinds.kindAt(i, k), o[k] as number);
    /** The local(s) register operand `k` lives in (an i64's two halves: a write sets both). */
    const localsOf = (k: number): string[] => {
      const v = regVal(k);
      return typeof v === "string" ? [v] : [...v];
    };
    /** Register operand `k` read as an i32 (the low half of an i64). */
    const readI = (k: number) => convert(regVal(k), kinds.kindAt(i, k), "I") as string;
    const trap = (code: number) =>
      catches ? `throw C.trap(${code}, ${off});` : `{ tp = ${trapSite(code, off)}; break TR; }`;
    const goto = (l: number) => `GOTO(${l})`;
    switch (name) {
      case "enter":
        continue;
      case "trap":
        emit(trap(o[0] as number));
        dead = true;
        continue;
      case "br":
        emit(goto(o[0] as number));
        dead = true;
        continue;
      case "throw": {
        const writes = Array.from({ length: o[2] as number }, (_, j) => {
          const k = kinds.kindAt(i, 100 + j);
          return writeSlot(k, `cb + ${j}`, useVal(k, (o[1] as number) + j));
        });
        emit(throwCode(o[0] as number, o[2] as number, writes.join(" ")));
        dead = true;
        continue;
      }
      case "throw_gc": {
        const ks = Array.from({ length: o[2] as number }, (_, j) => kinds.kindAt(i, 100 + j));
        emit(throwGcCode(
          o[0] as number,
          ks,
          (j, slot) => writeSlot(ks[j], slot, useVal(ks[j], (o[1] as number) + j)),
        ));
        dead = true;
        continue;
      }
      case "throw_ref":
        emit(throwRefCode(readI(0), trap));
        dead = true;
        continue;
      case "br_if":
        emit(`if (${readI(0)} !== 0) ${goto(o[1] as number)}`);
        continue;
      case "br_unless":
        emit(`if (${readI(0)} === 0) ${goto(o[1] as number)}`);
        continue;
      case "br_table": {
        const ts = o[1] as number[];
        const cases = ts.slice(0, -1).map((l, j) => `case ${j}: ${goto(l)}`).join(" ");
        emit(`switch (${readI(0)} >>> 0) { ${cases} default: ${goto(ts[ts.length - 1])} }`);
        dead = true;
        continue;
      }
      case "return":
        emit(ret(resultLocal));
        dead = true;
        continue;
      case "return_fuel":
        emit(fuel(o[0] as number, off), ret(resultLocal));
        dead = true;
        continue;
      case "fuel":
        emit(fuel(o[0] as number, off));
        continue;
      case "icount":
        emit(`vm.instructions += ${o[0]};`);
        continue;
      case "const32":
      case "const64": {
        const k = kinds.kindAt(i, 0);
        if (name === "const64" && k === "B") {
          // an i64 constant: each half's literal, stored to its local only where needed
          const d = regVal(0) as Pair;
          written = [];
          [(o[1] as number) | 0, (o[2] as number) | 0].forEach((v, h) => {
            known.set(d[h], v < 0 ? `(${v})` : String(v));
            if (!dead) pending.set(d[h], String(v));
          });
          continue;
        }
        const lit = name === "const32"
          ? jsConst32(o[1] as number, k)
          : jsConst64(o[1] as number, o[2] as number, k);
        written = [];
        known.delete(reg(0));
        if (!/^-?[\d.e+]+n?$/.test(lit)) {
          emit(`${reg(0)} = ${lit};`);
          continue;
        }
        known.set(reg(0), lit.startsWith("-") ? `(${lit})` : lit);
        if (!dead) pending.set(reg(0), lit);
        continue;
      }
      case "global_get":
      case "global_get64": {
        // an i32 or i64 global is read in place (V8 does not inline the helpers reliably)
        const k = kinds.kindAt(i, 0);
        emit(
          k === "I" || k === "B"
            ? assignVal(k, regVal(0), globalWords(k, o[1] as number))
            : `${reg(0)} = H.getGlobal${k}(vm.globals, V[${o[1]}]);`,
        );
        continue;
      }
      case "global_set":
      case "global_set64": {
        const k = kinds.kindAt(i, 1);
        emit(
          k === "I" || k === "B"
            ? assignVal(k, globalWords(k, o[0] as number), regVal(1))
            : `H.setGlobal${k}(vm.globals, V[${o[0]}], ${reg(1)});`,
        );
        continue;
      }
      case "builtin": {
        const base = o[3] as number;
        const b = BUILTINS[o[0] as number];
        // an i64 argument (a 64-bit memory's address or size): its high word written to the
        // slot first, its low word passed (the helper writes the low words and reads both)
        const ak = b.params.map((_, j) => kinds.kindAt(i, 100 + j));
        const av = ak.map((k, j) => useVal(k, base + j));
        av.forEach((v, j) => {
          if (typeof v !== "string") emit(`I32[((S.sp + ${j}) << 1) + 1] = ${v[1]};`);
          // (a reference, for a table of the `any` hierarchy, goes to the ref file)
          else if (ak[j] === "R") emit(writeSlot("R", `S.sp + ${j}`, v));
        });
        const a = av.map((v, j) => `, ${typeof v !== "string" ? v[0] : ak[j] === "R" ? 0 : v}`)
          .join("");
        const call = `C.builtin(${o[0]}, ${o[1]}, ${o[2]}, ${off}${a})`;
        const rk = b.results.map((_, j) => kinds.kindAt(i, 1000 + j));
        emit(
          rk.length === 0
            ? `${call};`
            : rk[0] === "B"
            ? `${use("B", base)} = ${call}; ${hiLocal(use("B", base))} = I32[(S.sp << 1) + 1];`
            : `${use("I", base)} = ${call};`,
        );
        if (!KEEP_MEMORY_SIZE.has(b.name)) emit(RELOAD);
        continue;
      }
      case "call":
      case "call_fuel":
      case "call_import":
      case "call_indirect":
      case "call_ref":
      case "return_call":
      case "return_call_import":
      case "return_call_indirect":
      case "return_call_ref": {
        const t = kinds.calls.get(i)!;
        const base = o[name.endsWith("_indirect") || name.endsWith("_ref") ? 2 : 1] as number;
        const ak = t.params.map((_, j) => kinds.kindAt(i, 100 + j));
        const args = t.params.map((_, j) => useVal(ak[j], base + j));
        const dk = name === "return_call" ? [] : t.results.map((_, j) => kinds.kindAt(i, 1000 + j));
        const rs = dk.map((k, j) => useVal(k, base + j));
        const indirect = (table: number, sig: number) =>
          indirectCallee(table, sig, trap, options.declaredSubtypes === true);
        if (TAIL_CALL_OPS.has(name)) {
          emit(tailCallCode({
            name,
            operands: o,
            functionWord0: options.functionWord0,
            callee: () => readI(3),
            trap,
            indirect,
            argsTo: (slot) => args.map((a, j) => writeSlot(ak[j], `${slot} + ${j}`, a)).join(" "),
            resultsFrom: (slot) =>
              rs.map((r, j) => assignVal(dk[j], r, readSlot(dk[j], `${slot} + ${j}`))).join(" "),
            off,
            reload: RELOAD,
          }));
          if (name === "return_call") dead = true;
          continue;
        }
        if (name === "call_fuel") emit(fuel(o[2] as number, off));
        if (name === "call_indirect") {
          emit(`e = ${readI(3)} >>> 0; ${indirect(o[0] as number, o[1] as number)}`);
        }
        if (name === "call_ref") {
          emit(`e = ${readI(3)}; if (e === 0) ${trap(TrapCode.NullFunctionReference)}`);
        }
        emit(`S.off[d] = ${off};`);
        const v128Args = jsSimdCallArgs(t.params, base, frame);
        const v128Results = jsSimdCallResults(t.results, base, frame);
        if (v128Args !== "" || v128Results !== "") usesSimd = true;
        if (v128Args !== "") emit(v128Args);
        const direct = (name === "call" || name === "call_fuel") &&
          options.lowered.has(o[0] as number);
        /** The statements of a JS call `fn(...)` of a callee with these kinds. */
        const jsCall = (fn: string, cp: readonly RegKind[], cr: readonly RegKind[]) => {
          const call = `${fn}(${args.map((a, j) => flat(convert(a, ak[j], cp[j]))).join(", ")})`;
          return [
            rs.length === 0
              ? `${call};`
              : assignVal(dk[0], rs[0], convert(callResult(cr[0], call), cr[0], dk[0])),
            ...rs.slice(1).map((r, j) =>
              assignVal(dk[j + 1], r, convert(extraResult(cr[j + 1], j + 1), cr[j + 1], dk[j + 1]))
            ),
          ].join(" ");
        };
        if (direct) {
          const callee = options.kindsOf(o[0] as number)!;
          emit(jsCall(`fn${o[0]}`, callee.paramKinds, callee.resultKinds));
        } else {
          const handle = name === "call_import"
            ? `V[${o[0]}]`
            : name === "call_indirect" || name === "call_ref"
            ? "e"
            : `V[${options.functionWord0 + (o[0] as number)}]`;
          const viaSlots = [
            `cb = S.sp;`,
            ...t.params.map((_, j) => writeSlot(ak[j], `cb + ${j}`, args[j])),
            `C.callSlots(${handle}, cb);`,
            ...rs.map((r, j) => assignVal(dk[j], r, readSlot(dk[j], `cb + ${j}`))),
          ].join(" ");
          if (handle === "e" && v128Args === "" && v128Results === "") {
            // a callee with JS code is called through its adapter of the type's kinds (`ix<k>`)
            usesIndirect = true;
            const call = jsCall("g", t.params.map(indirectKind), t.results.map(indirectKind));
            emit(`g = IX[e]; if (g !== undefined) { ${call} } else { ${viaSlots} }`);
          } else emit(viaSlots);
        }
        if (v128Results !== "") emit(v128Results);
        if (!direct || (options.mayGrowMemory?.(o[0] as number) ?? true)) emit(RELOAD);
        continue;
      }
    }
    /** Register operand `k` read: its local(s), or the constant it is known to hold. */
    const value = (k: number): Val => {
      const v = regVal(k);
      return typeof v === "string"
        ? known.get(v) ?? v
        : [known.get(v[0]) ?? v[0], known.get(v[1]) ?? v[1]];
    };
    if (isJsSimdOp(name)) {
      usesSimd = true;
      // (an i64 operand or result is a pair of halves: `_js_simd_lanes.ts` takes them so)
      const site: Site = {
        trap,
        off,
        kind: (k) => kinds.kindAt(i, k),
        conv: (k, to) => convert(value(k), kinds.kindAt(i, k), to) as string,
        pair: (k) => convert(value(k), kinds.kindAt(i, k), "B") as Pair,
      };
      emit(jsSimdText(name, { o, local: reg, site }));
      written = jsSimdScalarDefs(ins).flatMap(localsOf);
      continue;
    }
    if (isJsGcOp(name)) {
      // (the registers from a base, for a new struct or fixed array: slot 100 + j)
      const base = info.operands.findIndex((x) => x.name === "base");
      const at = (slot: number): Val => {
        if (slot < 100) return value(slot);
        const v = useVal(kinds.kindAt(i, slot), (o[base] as number) + slot - 100);
        return typeof v === "string" ? known.get(v) ?? v : v;
      };
      emit(jsGcText(name, o, {
        trap,
        kind: (slot) => kinds.kindAt(i, slot),
        read: (slot, to) => convert(at(slot), kinds.kindAt(i, slot), to),
        def: (slot) => regVal(slot),
        toSlot: (slot, to) => writeSlot(kinds.kindAt(i, slot), to, at(slot)),
      }));
      written = undefined;
      continue;
    }
    const row = jsOpRow(name);
    if (row === undefined) throw new Error(`op ${name}`);
    const wants = readKinds(name);
    const low = (v: Val) => typeof v === "string" ? v : v[0];
    const texts = info.operands.map((op, k) => {
      if (op.kind !== "r") return String(o[k]);
      const want = wants[k];
      const have = kinds.kindAt(i, k);
      // (a reference, of a GC table's row: the row's kinds are the module's, see `opShape`)
      return want === undefined || have === "R" ? reg(k) : low(convert(value(k), have, want));
    });
    const defines = definedOperands(name);
    /** Statements a template's pair operands need before it (halves kept in scratch locals). */
    const before: string[] = [];
    const site: Site = {
      trap,
      off,
      kind: (k) => kinds.kindAt(i, k),
      conv: (k, to) => convert(value(k), kinds.kindAt(i, k), to) as string,
      pair: (k) => {
        if (defines[k]) return regVal(k) as Pair;
        const p = convert(value(k), kinds.kindAt(i, k), "B") as Pair;
        if (isSimple(p[0]) && isSimple(p[1])) return p;
        const scratch: Pair = [`p${k}l`, `p${k}h`];
        for (const n of scratch) declared.set(n, "I");
        before.push(`${scratch[0]} = ${p[0]}; ${scratch[1]} = ${p[1]};`);
        return scratch;
      },
    };
    const memory = memoryNamed(insts[i]) ?? 0;
    const text = access?.pastEnd
      ? trap(TrapCode.MemoryOutOfBounds)
      : onMemory(row[1](texts, site), memory);
    // the literals it leaves in its destinations are known constants from here on
    const defined = new Set(info.operands.flatMap((_, k) => defines[k] ? localsOf(k) : []));
    const { code: left, stores } = takeLiteralStores(text, intLocals(defined));
    const full = before.length === 0 ? left : `${before.join(" ")} ${left}`;
    // a pending constant this instruction overwrites first thing is never stored
    const dest = /^([a-z]\d+) = /.exec(full)?.[1];
    if (dest !== undefined && !names(full.slice(dest.length + 3), dest)) pending.delete(dest);
    if (full !== "") emit(full);
    for (const n of defined) known.delete(n);
    written = [];
    for (const [n, v] of stores) {
      known.set(n, v < 0 ? `(${v})` : String(v));
      if (!dead) pending.set(n, String(v));
    }
  }
  // falling off the end returns
  emit(STORE_PENDING);
  if (!dead) blocks[blocks.length - 1].push({ to: blocks.length });
  blocks.push([ret(resultLocal)]);
  const decls = [...declared].filter(([n]) => !params.includes(n)).map(([n, k]) =>
    `${n} = ${k === "R" ? "null" : "0"}`
  );
  if (blocks.some((b) => b.some((p) => typeof p === "string" && /\bt[lhux]\b/.test(p)))) {
    decls.push(I64_SCRATCH);
  }
  const traps = blocks.some((b) => b.some((p) => typeof p === "string" && p.includes("break TR;")));
  // a function without memory accesses neither holds nor reloads the memory's view
  const usesMemory = blocks.some((b) =>
    b.some((p) =>
      typeof p === "string" && /\bML?\b(?!\s*=\s*X\.memory)/.test(p.replaceAll(RELOAD, ""))
    )
  );
  // (a SIMD function's v128 word temporaries forwarded to their one read: `_js_simd_fold.ts`)
  const folded = usesSimd && !catches ? forwardWords(blocks) : blocks;
  const flow = folded.map((b) => {
    const code = usesMemory
      ? b
      : b.map((p) => typeof p === "string" ? p.replaceAll(RELOAD, "") : p);
    // (a handler's pad may read any local a throw leaves: stores stay in such a function)
    return { code: catches ? code : dropDeadStores(code) };
  });
  const structured = options.controlFlow !== "dispatcher";
  // the locals a split function's part may declare itself (the scratch ones are written before
  // they are read within each op's code)
  const splitLocals = [...decls.join(", ").matchAll(/(\w+) = /g)].map((m) => m[1])
    .concat("e", "g", "cb");
  const bodyAt = (entryLabel: number | undefined): string[] => {
    const start = entryLabel === undefined ? 0 : blockOf.get(entryLabel);
    if (start === undefined) throw new Error(`no label ${entryLabel} to enter at`);
    if (catches) {
      if (start !== 0) throw new Error("exception handlers (entered at the start only)");
      const clauses = clauseCodes({
        f,
        blockOf,
        numBlocks: flow.length,
        liveInAt: (i) => kinds.liveInAt(i),
        local: useVal,
      });
      return catchingDispatcher(flow, clauses, frame, usesMemory ? RELOAD : "");
    }
    // (a leaf's trap names its frame itself: it has none on the shadow stack)
    const leafFrame = leaf ? `FR${f.funcIndex}` : undefined;
    const split = usesSimd || hasTailCalls(f)
      ? undefined
      : emitSplit(flow, start, (l) => trapsInPlace(l, leafFrame), splitLocals);
    if (split !== undefined) return split;
    const body =
      (structured ? emitStructured(start === 0 ? flow : enteredAt(flow, start)) : undefined) ??
        emitDispatcher(flow, start);
    return traps ? trapExits(body, leafFrame) : body;
  };
  const body = bodyAt(options.entryLabel);
  // the v128 registers' word locals (`_js_simd.ts`); the parameters' read from the file
  const v128Params = usesSimd ? jsSimdParams(f.params) : "";
  if (usesSimd) decls.push(...jsSimdDecls([v128Params, ...body].join("\n")));
  // a body whose traps leave through one exit reads `tp` (an entered variant's may too)
  if (traps) decls.push("tp = 0");
  // (a SIMD function has many locals: the most used get the short register operands)
  if (usesSimd) decls.splice(0, decls.length, ...jsSimdOrderDecls(decls, body.join("\n")));
  const epoch = options.epochs ? `if (EC[0] >= vm.epochDeadline) C.epoch(${entryOff});` : "";
  at = -1;
  // past the JS depth budget: the call continues on the interpreter, out of line (`vv<k>`) so
  // that the function's own bytecode stays small enough for V8 to inline it
  const viaVm = [
    `function vv${f.funcIndex}(${params.join(", ")}) {`,
    `const cb = S.sp;`,
    ...paramVals.map((p, j) => writeSlot(pk[j], `cb + ${j}`, p)),
    `C.callSlots(V[${options.functionWord0 + f.funcIndex}], cb, true);`,
    ...rk.slice(1).map((k, j) => assignVal(k, extraResult(k, j + 1), readSlot(k, `cb + ${j + 1}`))),
    rk.length > 0 ? returnValue(rk[0], readSlot(rk[0], "cb")) : "return;",
    `}`,
  ].join("\n");
  // the entry adapter: arguments from VM slots at `base`, results back there
  const [v128In, v128Out] = jsSimdEntry(f.params, f.results);
  const entry = [
    `function en${f.funcIndex}(base) {`,
    ...(v128In === "" ? [] : [v128In]),
    `const r = fn${f.funcIndex}(${pk.map((k, j) => flat(readSlot(k, `base + ${j}`))).join(", ")});`,
    ...(v128Out === "" ? [] : [v128Out]),
    rk.length > 0 ? writeSlot(rk[0], "base", callResult(rk[0], "r")) : "",
    ...rk.slice(1).map((k, j) => writeSlot(k, `base + ${j + 1}`, extraResult(k, j + 1))),
    `}`,
  ].join("\n");
  const tail = hasTailCalls(f);
  const prologue = [
    tail ? tailCallerAdapters(f.funcIndex, pk, rk) : entry,
    indirectAdapter(f, pk, rk),
    leaf ? "" : viaVm,
    `function ${tail ? "tb" : "fn"}${f.funcIndex}(${params.join(", ")}) {`,
    ...(leaf
      // a leaf's frame is only counted against the wasm stack's limit (see `isLeaf`)
      ? [`if (S.sp + ${frame} > S.lim) throw C.stackTrap();`]
      : [
        `let cb = 0;`,
        `const d = S.d + 1, sp = S.sp;`,
        `if (d > S.jsMax) return vv${f.funcIndex}(${params.join(", ")});`,
        `if (sp + ${frame} > S.lim) throw C.stackTrap();`,
        // (the frame's call offset is written at each call: only a frame that has called is
        // read at it, the innermost frame's offset is the trap's own)
        `S.d = d; S.sp = sp + ${frame}; S.fr[d] = FR${f.funcIndex};`,
      ]),
    epoch,
    ...(usesSimd ? [JS_SIMD_PROLOGUE] : []),
    `let ${usesMemory ? "M = X.memory.view, ML = X.memory.byteLength, " : ""}e = 0${
      usesIndirect ? ", g = undefined" : ""
    }${decls.length ? ", " + decls.join(", ") : ""};`,
    ...(v128Params === "" ? [] : [v128Params]),
  ];
  const withBody = (lines: readonly string[]) => {
    const source = [...prologue, ...lines, `}`].join("\n");
    if (usesSimd) jsSimdCheckSize(source);
    return source;
  };
  // (a leaf's prologue keeps no frame, which an entry at a loop needs: it is lowered afresh)
  return {
    source: withBody(body),
    enteredAt: leaf ? undefined : (label) => withBody(bodyAt(label)),
  };
}

/**
 * Whether a function is a leaf the JS tier runs without a shadow-stack frame:
 * it calls nothing (no call, builtin or throw, so no frame is ever read
 * below it and it never reaches the JS depth budget's end), has no
 * handlers, no v128 code or value (whose file is addressed from `S.sp`), no fuel or
 * epoch checks, and is entered at its start. Its prologue only checks the
 * wasm stack's limit; its traps name its frame themselves (`C.leafTrap`).
 *
 * @param f the function's IR
 * @param options the lowering's options
 * @returns true for a leaf
 */
function isLeaf(f: IrFunction, options: JsLoweringOptions): boolean {
  if (f.handlers !== undefined || options.epochs || options.entryLabel !== undefined) return false;
  if ([...f.params, ...f.results].includes(ValType.v128)) return false;
  return f.insts.every((ins) => {
    if (ins.op === LABEL) return true;
    const name = BYTECODE_OPS[ins.op].name;
    return !LEAF_BREAKERS.test(name) && !isJsSimdOp(name);
  });
}

/** The ops a leaf has none of: calls of every kind, builtins, fuel charges, throws. */
const LEAF_BREAKERS = /^(call|return_call|builtin|fuel|return_fuel|throw|rethrow)/;

/**
 * The kind of a value of type `t` in a call through a table or a reference
 * (the callee is not known, so its kinds are not): its kind, an f64 as its bits.
 *
 * @param t a value type (not v128: such calls go through slots)
 * @returns the kind
 */
function indirectKind(t: ValType): RegKind {
  return t === ValType.f64 ? "B" : kindOf(t);
}

/**
 * `ix<k>`, function `k` called with its type's kinds ({@link indirectKind}):
 * `fn<k>` itself when its own kinds are those, else an adapter converting
 * its arguments and results; none (an `undefined` element) for a function
 * with a v128 parameter or result.
 *
 * @param f the function's IR
 * @param pk its parameters' kinds
 * @param rk its results' kinds
 * @returns the adapter's source
 */
function indirectAdapter(f: IrFunction, pk: readonly RegKind[], rk: readonly RegKind[]): string {
  const k = f.funcIndex;
  if ([...f.params, ...f.results].includes(ValType.v128)) return `const ix${k} = undefined;`;
  const ck = f.params.map(indirectKind);
  const cr = f.results.map(indirectKind);
  if (ck.every((c, j) => c === pk[j]) && cr.every((c, j) => c === rk[j])) {
    return `const ix${k} = fn${k};`;
  }
  const args = pairedNames(ck, (j) => `a${j}`);
  const call = `fn${k}(${args.map((a, j) => flat(convert(a, ck[j], pk[j]))).join(", ")})`;
  if (rk.length === 0) return `function ix${k}(${args.map(flat).join(", ")}) { ${call}; }`;
  // the first result into locals first (converting the extras may not touch `RVB[1]`), named
  // as registers are so that a conversion reads them in any order (`isSimple`)
  const first: Val = rk[0] === "B" ? ["r0", "r1"] : "r0";
  return [
    `function ix${k}(${args.map(flat).join(", ")}) {`,
    `const r0 = ${call};${rk[0] === "B" ? " const r1 = RVB[1];" : ""}`,
    ...rk.slice(1).map((kind, j) =>
      cr[j + 1] === kind ? "" : assignVal(
        cr[j + 1],
        extraResult(cr[j + 1], j + 1),
        convert(extraResult(kind, j + 1), kind, cr[j + 1]),
      )
    ),
    returnValue(cr[0], convert(first, rk[0], cr[0])),
    `}`,
  ].join("\n");
}

/**
 * Statements that set `e`, a table index into table `table`, to the handle
 * of the function there, trapping as `call_indirect` does when it is out of
 * bounds, null or of another signature than the vmctx word `sig` names.
 *
 * @param table the table
 * @param sig the vmctx word of the expected signature
 * @param trap a `throw` of the trap with a code at the op's offset
 * @param subtypes whether the module declares subtypes (a subtype's function passes)
 * @returns the statements
 */
function indirectCallee(
  table: number,
  sig: number,
  trap: (code: number) => string,
  subtypes: boolean,
): string {
  const bad = subtypes
    ? `vm.funcs[e].sigId !== V[${sig}] && !G.sigSub(vm, vm.funcs[e].sigId, V[${sig}])`
    : `vm.funcs[e].sigId !== V[${sig}]`;
  return `if (e >= X.tables[${table}].size) ${
    trap(TrapCode.UndefinedElement)
  } e = X.tables[${table}].elems[e]; if (e === 0) ${
    trap(TrapCode.IndirectCallToNull)
  } if (${bad}) ${trap(TrapCode.BadSignature)}`;
}

/**
 * The same graph with block `start` as its entry (block 0): `start` and 0
 * swap places and every jump follows. Edges are explicit jumps, so the order
 * of the blocks means nothing else.
 *
 * @param blocks the blocks (block 0 the entry)
 * @param start the block to enter at
 * @returns the blocks, `start` first
 */
function enteredAt(blocks: readonly FlowBlock[], start: number): FlowBlock[] {
  const swap = (b: number) => b === start ? 0 : b === 0 ? start : b;
  const out = blocks.map((b) => ({
    code: b.code.map((p) => typeof p === "string" ? p : { to: swap(p.to) }),
  }));
  [out[0], out[start]] = [out[start], out[0]];
  return out;
}

/**
 * A value of kind `from` as kind `to`, its bits kept (a reinterpretation, or
 * the low 32 bits of a 64-bit value); an i64 (`B`) is a pair.
 */
function convert(x: Val, from: RegKind, to: RegKind): Val {
  if (from === to) return x;
  if (from === "R" || to === "R") throw new Error("a GC reference read as a number");
  if (to === "B") return toPair(x, from);
  if (from === "B") return fromPair(x as Pair, to);
  const v = x as string;
  const low32 = from === "D" ? `(TD[0] = ${v}, T32[0])` : from === "F" ? `H.bf32(${v})` : v;
  switch (to) {
    case "I":
      return low32;
    case "F":
      return `H.f32b(${low32})`;
    default:
      return fromPair(toPair(v, from), "D");
  }
}

/** The words of global `word` (a vmctx word) as a value of kind `k` (`I` or `B`). */
function globalWords(k: RegKind, word: number): Val {
  const at = `V[${word}] << 1`;
  return k === "B" ? [`vm.globals[${at}]`, `vm.globals[(${at}) + 1]`] : `vm.globals[${at}]`;
}

/**
 * Which operands of op `name` its row defines (written: their locals, not a
 * value read), by operand index.
 */
function definedOperands(name: string): boolean[] {
  let out = DEFINED.get(name);
  if (out !== undefined) return out;
  const row = jsOpRow(name)!;
  const toks = row[0] === "" ? [] : row[0].split(" ");
  let t = 0;
  out = BYTECODE_OPS.find((op) => op.name === name)!.operands.map((op) =>
    op.kind === "r" && /^[=+]/.test(toks[t++])
  );
  DEFINED.set(name, out);
  return out;
}

const DEFINED = new Map<string, boolean[]>();

/** Text for `emit` that stores every pending constant and is itself no code. */
const STORE_PENDING = "";

/** The int32 locals of a set (an i32's, an i64's halves): those a literal store may be kept of. */
function intLocals(locals: ReadonlySet<string>): Set<string> {
  return new Set([...locals].filter((n) => /^[ibh]\d/.test(n)));
}

/** Builtins that never change the memory's size (no view to re-derive after them). */
const KEEP_MEMORY_SIZE = new Set([
  "memory_fill",
  "memory_copy",
  "memory_init",
  "data_drop",
  "table_grow",
  "table_fill",
  "table_copy",
  "table_init",
  "elem_drop",
]);

/**
 * The functions a call of which may grow the memory: those that run
 * `memory.grow` (or a builtin not known to keep the size), call an import or
 * through a table, run on the interpreter, or call one that may.
 *
 * @param translation the module
 * @param irs each defined function's IR, or why it is routed
 * @returns function indices (imported functions included)
 */
function memoryGrowers(
  translation: ModuleTranslation,
  irs: readonly (IrFunction | string)[],
): Set<number> {
  const grows = new Set<number>();
  for (let f = 0; f < translation.numImportedFunctions; f++) grows.add(f);
  const callees = new Map<number, number[]>();
  translation.bodies.forEach((body, k) => {
    const ir = irs[k];
    if (typeof ir === "string") {
      grows.add(body.funcIndex);
      return;
    }
    const cs: number[] = [];
    for (const ins of ir.insts) {
      if (ins.op === LABEL) continue;
      const name = BYTECODE_OPS[ins.op].name;
      if (name === "call" || name === "call_fuel") cs.push(ins.operands[0] as number);
      else if (
        name.startsWith("call") || name.startsWith("return_call") ||
        (name === "builtin" && !KEEP_MEMORY_SIZE.has(BUILTINS[ins.operands[0] as number].name))
      ) grows.add(body.funcIndex);
    }
    callees.set(body.funcIndex, cs);
  });
  for (let changed = true; changed;) {
    changed = false;
    for (const [f, cs] of callees) {
      if (!grows.has(f) && cs.some((c) => grows.has(c))) {
        grows.add(f);
        changed = true;
      }
    }
  }
  return grows;
}

/**
 * A trap site as one number for `tp`: a trap leaves the function's body by
 * `break TR` with `tp` set, and the one `throw` after the body makes the
 * trap (a third of the bytecode of a `throw` at each site, which counts
 * against the size V8 still optimises).
 */
const trapSite = (code: number, off: number) => off * 32 + code;

/**
 * A body's trap sites (`{ tp = N; break TR; }`) as they are written: in a
 * body of more than {@link TRAP_EXITS_FROM} characters, a `TR` block around
 * it and one `throw` after; in a smaller one, each a `throw` in place (V8
 * compiles a hot loop with inline throws better: sieve ran ~20% slower
 * with trap exits). With one exit, each site sets `tp` to its own small
 * number, in order of appearance, which the exit looks up in a table of the
 * sites (an array literal built only when a trap is taken): a small integer
 * is a 2-byte `LdaSmi` where a trap site's number (`offset * 32 + code`) is a
 * 6-byte one, in the functions whose size V8's limit is about. A leaf's
 * traps name its frame (`leafFrame`), which is not on the shadow stack.
 */
function trapExits(body: string[], leafFrame?: string): string[] {
  const make = trapThrow(leafFrame);
  if (body.reduce((n, l) => n + l.length, 0) > TRAP_EXITS_FROM) {
    const sites: string[] = [];
    const numbered = body.map((l) =>
      l.replace(TRAP_SITE, (_, n) => `{ tp = ${sites.push(n) - 1}; break TR; }`)
    );
    return [
      TRAP_BLOCK,
      ...numbered,
      "}",
      `tp = [${sites.join(", ")}][tp];`,
      make("tp % 32", "(tp - tp % 32) / 32"),
    ];
  }
  return body.map((l) => trapsInPlace(l, leafFrame));
}

/** The `throw` of a trap with the given code and offset (expressions). */
const trapThrow = (leafFrame: string | undefined) => (code: string, off: string) =>
  leafFrame === undefined
    ? `throw C.trap(${code}, ${off});`
    : `throw C.leafTrap(${code}, ${off}, ${leafFrame});`;

/** A line's trap sites (`{ tp = N; break TR; }`) each a `throw` in place. */
function trapsInPlace(line: string, leafFrame: string | undefined): string {
  const make = trapThrow(leafFrame);
  return line.replace(
    TRAP_SITE,
    (_, n) => make(String(Number(n) % 32), String(Math.floor(Number(n) / 32))),
  );
}

/** A trap site as the lowering writes it, its number captured. */
const TRAP_SITE = /\{ tp = (\d+); break TR; \}/g;

/**
 * The body size (characters of JS) from which traps leave through one exit:
 * past about 100,000 characters a function's bytecode nears the 60 KiB V8
 * still optimises (shootout-keccak's permutation: 62.4 KiB with a `throw` at
 * each trap site, 61.1 KiB with the exits).
 */
const TRAP_EXITS_FROM = 60_000;

/** The first line of a body whose traps leave through one exit. */
const TRAP_BLOCK = "TR: {";

/** Re-derives the memory's view after anything that may grow it (a call, a builtin). */
const RELOAD = "M = X.memory.view; ML = X.memory.byteLength;";

/**
 * A statement writing `v` (of kind `k`) to VM slot `slot`.
 *
 * @param k the value's kind
 * @param slot the slot (an expression)
 * @param v the value (an expression)
 * @returns the statement
 */
export function writeSlot(k: RegKind, slot: string, v: Val): string {
  if (k === "B") return assignVal(k, slotPair(slot), v);
  switch (k) {
    case "R":
      return `G.refs(vm)[${slot}] = ${v};`;
    case "I":
      return `I32[(${slot}) << 1] = ${v};`;
    case "F":
      return `I32[(${slot}) << 1] = H.bf32(${v});`;
    case "D":
      return `F64[${slot}] = ${v};`;
  }
}

/**
 * An expression reading a value of kind `k` from VM slot `slot`.
 *
 * @param k the value's kind
 * @param slot the slot (an expression)
 * @returns the expression
 */
export function readSlot(k: RegKind, slot: string): Val {
  if (k === "B") return slotPair(slot);
  switch (k) {
    case "R":
      return `G.refs(vm)[${slot}]`;
    case "I":
      return `I32[(${slot}) << 1]`;
    case "F":
      return `H.f32b(I32[(${slot}) << 1])`;
    case "D":
      return `H.quiet(F64[${slot}])`;
  }
}

function fuel(n: number, off: number): string {
  return `if (vm.fuel < ${n}) C.fuel(${n}, ${off}); vm.fuel -= ${n};`;
}

/** The first statements of a factory's body: the names its functions use. */
export const JS_FACTORY_PRELUDE: string = [
  `"use strict";`,
  `const vm = S.vm, EC = S.epoch, V = X.vmctx, I32 = vm.i32, F64 = vm.f64, HP = H.P;`,
  `const RVI = S.rvI, RVF = S.rvD, RVD = S.rvD, RVB = S.rvB, RVR = S.rvR, IX = S.ix;`,
  // the GC helpers (`_js_gc.ts`)
  `const G = H.gc;`,
  `const T64 = new BigInt64Array(1), T32 = new Int32Array(T64.buffer), TD = new Float64Array(T64.buffer);`,
].join("\n");

/**
 * Whether the JS tier can address a module's memories: memories of 64 KiB
 * pages, unshared (a cached length cannot see another thread's growth);
 * memory 0 through `X.memory` with 32- or 64-bit addresses (see
 * `_js_memory64.ts`), and when there are several, each 32-bit (the others as
 * `_js_memories.ts` says).
 *
 * @param translation the module
 * @returns true when the JS tier addresses them all
 */
export function jsPlainMemory(translation: ModuleTranslation): boolean {
  const memories = translation.memories;
  if (!memories.every((m) => (m.pageSizeLog2 ?? 16) === 16 && !m.shared)) return false;
  return memories.length <= 1 || jsAddressableMemories(translation);
}

/** Why a function naming GC types runs on the interpreter in an ahead-of-time module. */
const PORTABLE_GC =
  "GC type ids are the compiling process's: ahead of time, GC code runs on the interpreter " +
  "(relocated when loaded)";

/** A module's functions in JS: the factory's source and what runs on the interpreter. */
export interface JsModule {
  /**
   * The body of the factory `(X, S, H, C) => { fns, entries }`: by defined
   * function index, its JS function and its entry adapter (arguments read from
   * VM slots at a base, results written back there), `undefined` if routed.
   */
  readonly source: string;
  /** Each defined function, lowered or routed (index `funcIndex - numImportedFunctions`). */
  readonly functions: readonly JsLoweredFunction[];
}

/**
 * Lowers every defined function of a module to JavaScript.
 *
 * @param translation a validated module
 * @param tunables the engine's tunables (super-instructions are turned off here)
 * @param controlFlow how control flow is written (see {@link JsLoweringOptions})
 * @param portable whether the code is for another process (an ahead-of-time
 *   module): a function naming canonical type ids, which are this process's,
 *   is then routed to the interpreter, whose code is relocated when loaded
 * @returns the factory source and each function's outcome
 */
export function compileJsModule(
  translation: ModuleTranslation,
  tunables: Tunables = DEFAULT_TUNABLES,
  controlFlow: "structured" | "dispatcher" = "structured",
  portable = false,
): JsModule {
  const t: Tunables = { ...tunables, superInstructions: false };
  const env = new FuncEnvironment(translation, t);
  const translator = new FuncTranslator(env, false, true);
  const ctx: KindContext = { translation, offsets: env.offsets };
  // first which functions can be lowered, so that calls between them are direct
  const kindMaps = new Map<number, KindMap>();
  const plainMemory = jsPlainMemory(translation);
  const irs: (IrFunction | string)[] = translation.bodies.map((body) => {
    if (!plainMemory) {
      return "custom page sizes, a shared memory, or a 64-bit memory beside others";
    }
    try {
      const translated = translator.translate(body);
      if (portable && namesCanonicalTypes(translated)) return PORTABLE_GC;
      const ir = jsGcIr(translated, (tag) => translation.types[translation.tags[tag]].params);
      const kinds = inferKinds(ir, ctx);
      if (typeof kinds === "string") return kinds;
      kindMaps.set(body.funcIndex, kinds);
      return ir;
    } catch (e) {
      return (e as Error).message;
    }
  });
  const lowered = new Set<number>();
  translation.bodies.forEach((b, k) => {
    if (typeof irs[k] !== "string") lowered.add(b.funcIndex);
  });
  const growers = memoryGrowers(translation, irs);
  let functions: JsLoweredFunction[];
  for (;;) {
    const lowering = JS_BACKEND.newLoweringFor(ctx, {
      epochs: t.epochInterruption,
      lowered,
      functionWord0: env.offsets.functionWord(0),
      kindsOf: (i) => kindMaps.get(i),
      controlFlow,
      mayGrowMemory: (f) => growers.has(f),
      declaredSubtypes: translation.types.some((t) => t.supertype !== undefined),
    });
    functions = translation.bodies.map((body, k) => {
      const ir = irs[k];
      return typeof ir === "string"
        ? { funcIndex: body.funcIndex, routed: ir }
        : lowering.lower(ir);
    });
    // a function that failed to emit is called through the VM: lower the others again
    const failed = functions.filter((f) => f.routed !== undefined && lowered.has(f.funcIndex));
    if (failed.length === 0) break;
    for (const f of failed) lowered.delete(f.funcIndex);
  }
  const parts = [JS_FACTORY_PRELUDE];
  for (const f of functions) {
    if (f.source === undefined) continue;
    parts.push(`const FR${f.funcIndex} = C.frame[${f.funcIndex}];`, f.source);
  }
  const list = (p: string) =>
    `[${
      functions.map((f) => f.source !== undefined ? `${p}${f.funcIndex}` : "undefined").join(", ")
    }]`;
  parts.push(`return { fns: ${list("fn")}, entries: ${list("en")}, ixs: ${list("ix")} };`);
  return { source: parts.join("\n"), functions };
}
