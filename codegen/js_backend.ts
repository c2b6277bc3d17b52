/**
 * The JavaScript backend: lowers each IR function to the source of one JS
 * function ({@link JS_BACKEND}), and a module's functions to one factory
 * (`compileJsModule`) that the runtime calls once per instance.
 *
 * The generated code (one `function f<index>` per JS-tier function):
 * - registers are JS locals named by kind and register (`i5`, `f5`, `d5`,
 *   `b5`: see `_js_kinds.ts`); parameters arrive as JS values of their kind,
 *   the first result is returned and the others are left in `RV[1..]`;
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
 *   interpreter's;
 * - the prologue counts the wasm stack (`S.sp`, in interpreter slots) and the
 *   JS depth (`S.d`); past the JS budget the call continues on the
 *   interpreter (`C.viaVm`).
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
import { inferKinds, type KindContext, type KindMap } from "./_js_kinds.ts";
import { i64FromI32, jsOpRow, readKinds, type RegKind, type Site } from "./_js_op_shapes.ts";
import { jsConst32, jsConst64 } from "./_js_literals.ts";
import { emitDispatcher, emitStructured, type FlowBlock, type FlowPiece } from "./_js_structure.ts";

/** One function lowered to JS, or the reason it was not. */
export type JsLoweredFunction =
  | { readonly funcIndex: number; readonly source: string; readonly routed?: undefined }
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
    if (f.handlers !== undefined) {
      return { funcIndex: f.funcIndex, routed: "exception handlers (try_table)" };
    }
    const kinds = this.#options.kindsOf(f.funcIndex) ?? inferKinds(f, this.#ctx);
    if (typeof kinds === "string") return { funcIndex: f.funcIndex, routed: kinds };
    try {
      return { funcIndex: f.funcIndex, source: emitFunction(f, kinds, this.#options) };
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

function emitFunction(f: IrFunction, kinds: KindMap, options: JsLoweringOptions): string {
  const insts = f.insts;
  const declared = new Map<string, RegKind>();
  const use = (k: RegKind, r: number) => {
    const n = local(k, r);
    if (!declared.has(n)) declared.set(n, k);
    return n;
  };
  const { loopHeads } = irLoopHeads(f); // labels some later branch jumps back to
  const pk = kinds.paramKinds;
  const rk = kinds.resultKinds;
  const params = f.params.map((_, r) => use(pk[r], r));
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
  const emit = (...texts: string[]) => {
    if (dead) return;
    const code = blocks[blocks.length - 1];
    for (const text of texts) {
      if (pending.size > 0) {
        // code that jumps may go where the local is read; a return reads only what it names
        const leaves = text === STORE_PENDING || text.includes("GOTO(");
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
  const ret = (resultsFrom: (j: number) => string) => {
    const rs = f.results.map((_, j) => resultsFrom(j));
    const extra = rs.slice(1).map((r, j) => `RV${rk[j + 1]}[${j + 1}] = ${r}; `).join("");
    return `S.d = d - 1; S.sp = sp; ${extra}return ${rs.length > 0 ? rs[0] : "undefined"};`;
  };
  let at = -1; // the instruction being lowered
  const resultLocal = (j: number) => {
    const k = at >= 0 ? kinds.kindAt(at, 100 + j) : rk[j];
    return convert(use(k, j), k, rk[j]);
  };
  // locals known to hold a constant (set since the last label, not written since): their literal
  const known = new Map<string, string>();
  let written: string[] | undefined = []; // the locals the last instruction may have written (all: undefined)
  for (let i = 0; i < insts.length; i++) {
    const ins = insts[i];
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
    /** Register operand `k` read as an i32 (the low half of an i64). */
    const readI = (k: number) => convert(reg(k), kinds.kindAt(i, k), "I");
    const trap = (code: number) => `throw C.trap(${code}, ${off});`;
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
      case "global_get64":
        // an i32 global is read in place (V8 does not inline the helpers reliably)
        emit(
          kinds.kindAt(i, 0) === "I"
            ? `${reg(0)} = vm.globals[V[${o[1]}] << 1];`
            : `${reg(0)} = H.getGlobal${kinds.kindAt(i, 0)}(vm.globals, V[${o[1]}]);`,
        );
        continue;
      case "global_set":
      case "global_set64":
        emit(
          kinds.kindAt(i, 1) === "I"
            ? `vm.globals[V[${o[0]}] << 1] = ${reg(1)};`
            : `H.setGlobal${kinds.kindAt(i, 1)}(vm.globals, V[${o[0]}], ${reg(1)});`,
        );
        continue;
      case "builtin": {
        const base = o[3] as number;
        const b = BUILTINS[o[0] as number];
        const a = b.params.map((_, j) => `, ${use("I", base + j)}`).join("");
        const call = `C.builtin(${o[0]}, ${o[1]}, ${o[2]}, ${off}${a})`;
        emit(b.results.length > 0 ? `${use("I", base)} = ${call};` : `${call};`);
        if (!KEEP_MEMORY_SIZE.has(b.name)) emit(RELOAD);
        continue;
      }
      case "call":
      case "call_fuel":
      case "call_import":
      case "call_indirect": {
        const t = kinds.calls.get(i)!;
        const base = o[name === "call_indirect" ? 2 : 1] as number;
        const ak = t.params.map((_, j) => kinds.kindAt(i, 100 + j));
        const args = t.params.map((_, j) => use(ak[j], base + j));
        const dk = t.results.map((_, j) => kinds.kindAt(i, 1000 + j));
        const rs = t.results.map((_, j) => use(dk[j], base + j));
        if (name === "call_fuel") emit(fuel(o[2] as number, off));
        if (name === "call_indirect") {
          emit(
            `e = ${readI(3)} >>> 0; if (e >= X.tables[${o[0]}].size) ${
              trap(TrapCode.UndefinedElement)
            } e = X.tables[${o[0]}].elems[e]; if (e === 0) ${
              trap(TrapCode.IndirectCallToNull)
            } if (vm.funcs[e].sigId !== V[${o[1]}]) ${trap(TrapCode.BadSignature)}`,
          );
        }
        emit(`S.off[d] = ${off};`);
        const direct = (name === "call" || name === "call_fuel") &&
          options.lowered.has(o[0] as number);
        if (direct) {
          const callee = options.kindsOf(o[0] as number)!;
          const cp = callee.paramKinds;
          const cr = callee.resultKinds;
          const call = `fn${o[0]}(${args.map((a, j) => convert(a, ak[j], cp[j])).join(", ")})`;
          emit(rs.length === 0 ? `${call};` : `${rs[0]} = ${convert(call, cr[0], dk[0])};`);
          rs.slice(1).forEach((r, j) =>
            emit(`${r} = ${convert(`RV${cr[j + 1]}[${j + 1}]`, cr[j + 1], dk[j + 1])};`)
          );
        } else {
          const handle = name === "call_import"
            ? `V[${o[0]}]`
            : name === "call_indirect"
            ? "e"
            : `V[${options.functionWord0 + (o[0] as number)}]`;
          emit(`cb = S.sp;`);
          t.params.forEach((_, j) => emit(writeSlot(ak[j], `cb + ${j}`, args[j])));
          emit(`C.callSlots(${handle}, cb);`);
          rs.forEach((r, j) => emit(`${r} = ${readSlot(dk[j], `cb + ${j}`)};`));
        }
        if (!direct || (options.mayGrowMemory?.(o[0] as number) ?? true)) emit(RELOAD);
        continue;
      }
    }
    const row = jsOpRow(name);
    if (row === undefined) throw new Error(`op ${name}`);
    const wants = readKinds(name);
    /** Register operand `k` read: its local, or the constant it is known to hold. */
    const value = (k: number) => known.get(reg(k)) ?? reg(k);
    const texts = info.operands.map((op, k) => {
      if (op.kind !== "r") return String(o[k]);
      const want = wants[k];
      const have = kinds.kindAt(i, k);
      return want === undefined ? reg(k) : convert(value(k), have, want);
    });
    const site: Site = {
      trap,
      off,
      kind: (k) => kinds.kindAt(i, k),
      conv: (k, to) => convert(value(k), kinds.kindAt(i, k), to),
    };
    const text = row[1](texts, site);
    // a pending constant this instruction overwrites first thing is never stored
    const dest = /^([a-z]\d+) = /.exec(text)?.[1];
    if (dest !== undefined && !names(text.slice(dest.length + 3), dest)) pending.delete(dest);
    emit(text);
    written = info.operands.flatMap((op, k) => op.kind === "r" ? [reg(k)] : []);
  }
  const decls = [...declared].filter(([n]) => !params.includes(n)).map(([n, k]) =>
    `${n} = ${k === "B" ? "0n" : "0"}`
  );
  // falling off the end returns
  emit(STORE_PENDING);
  if (!dead) blocks[blocks.length - 1].push({ to: blocks.length });
  blocks.push([ret(resultLocal)]);
  const frame = f.numRegs + 2;
  // a function without memory accesses neither holds nor reloads the memory's view
  const usesMemory = blocks.some((b) =>
    b.some((p) =>
      typeof p === "string" && /\bML?\b(?!\s*=\s*X\.memory)/.test(p.replaceAll(RELOAD, ""))
    )
  );
  const flow = blocks.map((b) => ({
    code: usesMemory ? b : b.map((p) => typeof p === "string" ? p.replaceAll(RELOAD, "") : p),
  }));
  const start = options.entryLabel === undefined ? 0 : blockOf.get(options.entryLabel);
  if (start === undefined) throw new Error(`no label ${options.entryLabel} to enter at`);
  const structured = options.controlFlow !== "dispatcher";
  const body =
    (structured ? emitStructured(start === 0 ? flow : enteredAt(flow, start)) : undefined) ??
      emitDispatcher(flow, start);
  const epoch = options.epochs ? `if (EC[0] >= vm.epochDeadline) C.epoch(${entryOff});` : "";
  at = -1;
  const viaVm = [
    `cb = S.sp;`,
    ...params.map((p, j) => writeSlot(pk[j], `cb + ${j}`, p)),
    `C.callSlots(V[${options.functionWord0 + f.funcIndex}], cb, true);`,
    ...rk.slice(1).map((k, j) => `RV${k}[${j + 1}] = ${readSlot(k, `cb + ${j + 1}`)};`),
    rk.length > 0 ? `return ${readSlot(rk[0], "cb")};` : "return;",
  ].join(" ");
  // the entry adapter: arguments from VM slots at `base`, results back there
  const entry = [
    `function en${f.funcIndex}(base) {`,
    `const r = fn${f.funcIndex}(${pk.map((k, j) => readSlot(k, `base + ${j}`)).join(", ")});`,
    rk.length > 0 ? writeSlot(rk[0], "base", "r") : "",
    ...rk.slice(1).map((k, j) => writeSlot(k, `base + ${j + 1}`, `RV${k}[${j + 1}]`)),
    `}`,
  ].join("\n");
  return [
    entry,
    `function fn${f.funcIndex}(${params.join(", ")}) {`,
    `let cb = 0;`,
    `const d = S.d + 1, sp = S.sp;`,
    `if (d > S.jsMax) { ${viaVm} }`,
    `if (sp + ${frame} > S.lim) throw C.stackTrap();`,
    `S.d = d; S.sp = sp + ${frame}; S.fr[d] = FR${f.funcIndex}; S.off[d] = ${entryOff};`,
    epoch,
    `let ${usesMemory ? "M = X.memory.view, ML = X.memory.byteLength, " : ""}e = 0${
      decls.length ? ", " + decls.join(", ") : ""
    };`,
    ...body,
    `}`,
  ].join("\n");
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
 * the low 32 bits of a 64-bit value).
 */
function convert(x: string, from: RegKind, to: RegKind): string {
  if (from === to) return x;
  const low32 = from === "B"
    ? `(T64[0] = ${x}, T32[0])` // through memory: V8 does not lower Number(BigInt.asIntN(32, x))
    : from === "D"
    ? `(TD[0] = ${x}, T32[0])`
    : from === "F"
    ? `H.bf32(${x})`
    : x;
  switch (to) {
    case "I":
      return low32;
    case "F":
      return `H.f32b(${low32})`;
    case "B":
      return from === "D"
        ? `(TD[0] = ${x}, T64[0])`
        : from === "I"
        ? i64FromI32(x, true)
        : `BigInt(${low32})`;
    case "D": {
      // through memory, reading the f64 twice rather than calling the helper but for a NaN
      const b = convert(x, from, "B");
      return /^(\(?-?\d+n\)?|[a-z]\d+)$/.test(b)
        ? `(T64[0] = ${b}, TD[0] === TD[0] ? TD[0] : H.bitsd(${b}))`
        : `H.bitsd(${b})`;
    }
  }
}

/** Text for `emit` that stores every pending constant and is itself no code. */
const STORE_PENDING = "";

/** Whether `text` names the identifier `n` (not as part of a longer one). */
function names(text: string, n: string): boolean {
  const ident = (c: number) =>
    c === 95 || c === 36 || (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);
  for (let k = text.indexOf(n); k >= 0; k = text.indexOf(n, k + 1)) {
    if (!ident(text.charCodeAt(k - 1)) && !ident(text.charCodeAt(k + n.length))) return true;
  }
  return false;
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
export function writeSlot(k: RegKind, slot: string, v: string): string {
  switch (k) {
    case "I":
      return `I32[(${slot}) << 1] = ${v};`;
    case "F":
      return `I32[(${slot}) << 1] = H.bf32(${v});`;
    case "D":
      return `F64[${slot}] = ${v};`;
    case "B":
      return `I64[${slot}] = ${v};`;
  }
}

/**
 * An expression reading a value of kind `k` from VM slot `slot`.
 *
 * @param k the value's kind
 * @param slot the slot (an expression)
 * @returns the expression
 */
export function readSlot(k: RegKind, slot: string): string {
  switch (k) {
    case "I":
      return `I32[(${slot}) << 1]`;
    case "F":
      return `H.f32b(I32[(${slot}) << 1])`;
    case "D":
      return `H.quiet(F64[${slot}])`;
    case "B":
      return `I64[${slot}]`;
  }
}

function fuel(n: number, off: number): string {
  return `if (vm.fuel < ${n}) C.fuel(${n}, ${off}); vm.fuel -= ${n};`;
}

/** The first statements of a factory's body: the names its functions use. */
export const JS_FACTORY_PRELUDE: string = [
  `"use strict";`,
  `const vm = S.vm, EC = S.epoch, V = X.vmctx, I32 = vm.i32, F64 = vm.f64, I64 = vm.i64;`,
  `const RVI = S.rvI, RVF = S.rvD, RVD = S.rvD, RVB = S.rvB;`,
  `const T64 = new BigInt64Array(1), T32 = new Int32Array(T64.buffer), TD = new Float64Array(T64.buffer);`,
].join("\n");

/**
 * Whether the JS tier can address a module's memories: it addresses one
 * 32-bit memory of 64 KiB pages (memory 0, through `X.memory`), unshared
 * (its cached length cannot see another thread's growth).
 *
 * @param translation the module
 * @returns true when it has at most one memory, 32-bit with 64 KiB pages
 */
export function jsPlainMemory(translation: ModuleTranslation): boolean {
  const memories = translation.memories;
  return memories.length <= 1 &&
    memories.every((m) => !m.address64 && (m.pageSizeLog2 ?? 16) === 16 && !m.shared);
}

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
 * @returns the factory source and each function's outcome
 */
export function compileJsModule(
  translation: ModuleTranslation,
  tunables: Tunables = DEFAULT_TUNABLES,
  controlFlow: "structured" | "dispatcher" = "structured",
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
      return "several memories, a 64-bit memory, custom page sizes or a shared memory";
    }
    const ty = translation.types[body.typeIndex];
    if ([...ty.params, ...ty.results].includes(ValType.v128)) return "v128 parameters or results";
    try {
      const ir = translator.translate(body);
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
  parts.push(`return { fns: ${list("fn")}, entries: ${list("en")} };`);
  return { source: parts.join("\n"), functions };
}
