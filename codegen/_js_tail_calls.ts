/**
 * Tail calls on the JS tier (`return_call`, `return_call_import`,
 * `return_call_indirect`, `return_call_ref`): a tail call must not grow the
 * JS stack, so a function returns a *tail-call request* to its nearest
 * non-tail caller, which runs the callee in a loop (a trampoline).
 *
 * - A request is the callee's store handle in `S.th` (0: none) and its
 *   arguments in VM slots from the caller's own stack mark (`sp`, the slots
 *   its frame was counted from), written after the caller has released its
 *   frame (`S.d`, `S.sp` restored as a return does). The function then
 *   returns no value.
 * - A function with tail calls (a *tail caller*) is written as its body
 *   `tb<k>`, which may leave a request, and a wrapper `fn<k>` with the body's
 *   parameters and results that never does: when the body leaves one, the
 *   wrapper runs the trampoline (`C.tail`) and reads the results from the
 *   slots. Every other call of a JS function (direct, through slots, from the
 *   host) therefore sees a plain function, and a call of a function without
 *   tail calls costs exactly what it did.
 * - Its entry adapter `en<k>(base, tail)` runs the body; with `tail` (the
 *   trampoline calling it) it leaves a request for the trampoline to run,
 *   else it runs the trampoline itself. `C.tail(to, n)` runs requests until
 *   none is left (each callee through its entry adapter with `tail`, or on
 *   the interpreter or the host) at the slots `S.sp`, then moves the `n`
 *   results to slot `to`.
 * - A tail call of a host function (possible through an import, a table or
 *   a reference) is a plain call, and the IR code after the op returns its
 *   results, as on the interpreter.
 * - The shadow stack matches the interpreter's: the caller's frame is gone
 *   when the callee runs (the callee takes its depth).
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import { BYTECODE_OPS } from "@capstan/interpreter";
import { type IrFunction, LABEL } from "./ir.ts";
import type { RegKind } from "./_js_op_shapes.ts";
import { readSlot, writeSlot } from "./js_backend.ts";
import { assignVal, callResult, extraResult, flat, pairedNames, returnValue } from "./_js_i64.ts";

/** The tail-call ops' names. */
export const TAIL_CALL_OPS: ReadonlySet<string> = new Set([
  "return_call",
  "return_call_import",
  "return_call_indirect",
  "return_call_ref",
]);

/**
 * Whether a function makes tail calls (then it is written as a tail caller).
 *
 * @param f the IR function
 * @returns true when some instruction is a tail-call op
 */
export function hasTailCalls(f: IrFunction): boolean {
  return f.insts.some((ins) => ins.op !== LABEL && TAIL_CALL_OPS.has(BYTECODE_OPS[ins.op].name));
}

/** What {@link tailCallCode} needs of the call site. */
export interface TailCallSite {
  /** The op's name (one of {@link TAIL_CALL_OPS}). */
  readonly name: string;
  /** The op's operands. */
  readonly operands: readonly (number | number[])[];
  /** The vmctx word of function 0's handle. */
  readonly functionWord0: number;
  /** The callee's table index or function reference, read as an i32 (its operand 3). */
  readonly callee: () => string;
  /** A `throw` of the trap with this code at the op's wasm offset. */
  trap(code: number): string;
  /** Statements setting `e` to the function handle at table index `e`'s entry, with its checks. */
  readonly indirect: (table: number, sig: number) => string;
  /** Statements writing the arguments to the slots from the slot expression. */
  argsTo(slot: string): string;
  /** Statements reading the results (of a host callee) from the slots at the slot expression. */
  resultsFrom(slot: string): string;
  /** The op's wasm offset. */
  readonly off: number;
  /** Statements re-deriving the memory's view after a call. */
  readonly reload: string;
}

/**
 * The JS of one tail-call op (see the module doc): a request for a wasm
 * callee, a plain call (its results in their registers) for a host one.
 *
 * @param site the call site
 * @returns the statements
 */
export function tailCallCode(site: TailCallSite): string {
  const o = site.operands;
  const request = (handle: string) =>
    `${site.argsTo("sp")} S.th = ${handle}; S.d = d - 1; S.sp = sp; return;`;
  let resolve: string;
  switch (site.name) {
    case "return_call":
      return request(`V[${site.functionWord0 + (o[0] as number)}]`);
    case "return_call_import":
      resolve = `e = V[${o[0]}];`;
      break;
    case "return_call_indirect":
      resolve = `e = ${site.callee()} >>> 0; ${site.indirect(o[0] as number, o[1] as number)}`;
      break;
    default:
      resolve = `e = ${site.callee()}; if (e === 0) ${site.trap(TrapCode.NullFunctionReference)}`;
  }
  return `${resolve} if (vm.funcs[e].instance !== null) { ${request("e")} } ` +
    `S.off[d] = ${site.off}; cb = S.sp; ${site.argsTo("cb")} C.callSlots(e, cb); ` +
    `${site.resultsFrom("cb")} ${site.reload}`;
}

/**
 * The wrapper `fn<k>` and the entry adapter `en<k>` of a tail caller whose
 * body is `tb<k>` (see the module doc).
 *
 * @param k the function index
 * @param pk its parameters' kinds
 * @param rk its results' kinds
 * @returns the two functions' source
 */
export function tailCallerAdapters(
  k: number,
  pk: readonly RegKind[],
  rk: readonly RegKind[],
): string {
  // an i64 is two JS arguments and its first result's high half is RVB[1] (`_js_i64.ts`)
  const ps = pairedNames(pk, (j) => `p${j}`).map(flat).join(", ");
  const readResults = (base: string) => [
    ...rk.slice(1).map((kind, j) =>
      assignVal(kind, extraResult(kind, j + 1), readSlot(kind, `${base} + ${j + 1}`))
    ),
    rk.length > 0 ? returnValue(rk[0], readSlot(rk[0], base)) : "return;",
  ];
  return [
    `function fn${k}(${ps}) {`,
    `const r = tb${k}(${ps});`,
    `if (S.th === 0) return r;`,
    `const b = S.sp; C.tail(b, 0);`,
    ...readResults("b"),
    `}`,
    `function en${k}(base, tail) {`,
    `const r = tb${k}(${pk.map((kind, j) => flat(readSlot(kind, `base + ${j}`))).join(", ")});`,
    `if (S.th !== 0) { if (tail !== true) C.tail(base, ${rk.length}); return; }`,
    rk.length > 0 ? writeSlot(rk[0], "base", callResult(rk[0], "r")) : "",
    ...rk.slice(1).map((kind, j) => writeSlot(kind, `base + ${j + 1}`, extraResult(kind, j + 1))),
    `}`,
  ].join("\n");
}
