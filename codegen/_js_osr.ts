/**
 * On-stack replacement into the JS tier: the JS variant of a function that
 * is entered at one of its loop headers, its registers read from an
 * interpreter frame's slots, so that a long-running loop of a function
 * already executing on the interpreter (`_start`'s main loop) goes on in JS.
 *
 * - Where: {@link bytecodeLoopHeads} lists the bytecode addresses some
 *   later branch jumps back to (loop headers, and the blocks a threaded
 *   dispatch's copies jump back to); each is matched to the IR block that
 *   starts with the same wasm code ({@link jsEntryAt}). A slice of the
 *   interpreter ends at such a target right after the branch, so the frame
 *   is exactly at the block's start.
 * - Only locals may be live into the header (the JS lowering translates
 *   without super-instructions, so its temporaries need not be the
 *   bytecode's registers; a local is register `r` in both): their kinds come
 *   from the JS lowering's kind map, their values from slot `fp + r`.
 * - The variant is the function's JS source lowered as entered at the
 *   header's label (`JsLoweringOptions.entryLabel`: structured as seen from
 *   there, the dispatcher when it cannot be), given
 *   another entry ({@link osrVariant}): it takes the frame's base slot,
 *   declares the parameters as locals and reads the live registers; it pays
 *   no entry fuel (the interpreter did) and counts its JS frame and wasm
 *   stack as the function's own entry does. The form it rewrites
 *   (`function fn<k>(...)`, the JS-depth line, the `let ... e = 0` line) is
 *   checked: another form is refused, never guessed.
 *
 * @module
 */

import { BYTECODE_OPS, instructionLength } from "@capstan/interpreter";
import { type IrFunction, irLoopHeads, LABEL } from "./ir.ts";
import type { RegKind } from "./_js_kinds.ts";
import { readSlot, writeSlot } from "./js_backend.ts";
import { jsSimdEntry, jsSimdOsrCopy } from "./_js_simd.ts";
import type { ValType } from "@capstan/environ";
import { assignVal, callResult, extraResult } from "./_js_i64.ts";

/**
 * The loop headers of a function's bytecode: addresses that a branch at or
 * after them jumps to, in increasing order.
 *
 * @param code the module's code
 * @param entry the function's `enter` address
 * @param end one past its last instruction
 * @returns the headers' addresses
 */
export function bytecodeLoopHeads(code: Int32Array, entry: number, end: number): number[] {
  const heads = new Set<number>();
  for (let pc = entry; pc < end; pc += instructionLength(code, pc)) {
    const op = BYTECODE_OPS[code[pc]];
    let at = pc + 1;
    for (const o of op.operands) {
      if (o.kind === "o") {
        if (code[at] <= 0) heads.add(pc + code[at]);
        at++;
      } else if (o.kind === "t") {
        const n = code[at];
        for (let j = 1; j <= n; j++) if (code[at + j] <= 0) heads.add(pc + code[at + j]);
        at += 1 + n;
      } else at++;
    }
  }
  return [...heads].sort((a, b) => a - b);
}

/**
 * Where the IR enters at a branch target of the bytecode: the run of labels
 * whose block starts with the code at `wasmOffset` (its first instruction
 * at or before that offset, and no label or branch from there up to it: the
 * bytecode fuses a constant into the op after it, keeping that op's offset;
 * an unconditional `br` after nothing but fuel charges is followed, as the
 * bytecode threads such a jump into the block it leads to, its charge merged). Of several, a loop header (a label some
 * later branch jumps back to) is preferred: the bytecode's target is one.
 *
 * @param f the IR function
 * @param wasmOffset the wasm offset of the bytecode's instruction at the target
 * @returns the label to start at and the index of its run's first label, or undefined
 */
export function jsEntryAt(
  f: IrFunction,
  wasmOffset: number,
): { readonly inst: number; readonly label: number } | undefined {
  const insts = f.insts;
  const { labelAt: at, loopHeads } = irLoopHeads(f);
  let found: { inst: number; label: number; loop: boolean } | undefined;
  for (let i = 0; i < insts.length; i++) {
    if (insts[i].op !== LABEL) continue;
    const start = i;
    let loop = false;
    for (;; i++) {
      if (loopHeads.has(insts[i].operands[0] as number)) loop = true;
      if (i + 1 >= insts.length || insts[i + 1].op !== LABEL) break;
    }
    const label = insts[i].operands[0] as number;
    let j = i + 1;
    if (j >= insts.length || insts[j].wasmOffset > wasmOffset) continue;
    let onlyFuel = true; // a jump is followed only from code that charges fuel and does nothing else
    for (let hops = 0; j < insts.length && insts[j].wasmOffset < wasmOffset; j++) {
      const name = BYTECODE_OPS[insts[j].op]?.name;
      if (name === "br" && onlyFuel && hops++ < 8) {
        // on into the block it jumps to, past that block's labels
        j = at.get(insts[j].operands[0] as number)!;
        while (j + 1 < insts.length && insts[j + 1].op === LABEL) j++;
        continue;
      }
      const op = BYTECODE_OPS[insts[j].op];
      if (insts[j].op === LABEL || op.operands.some((o) => o.kind === "o" || o.kind === "t")) break;
      if (name !== "fuel") onlyFuel = false;
    }
    if (j < insts.length && insts[j].op !== LABEL && insts[j].wasmOffset >= wasmOffset) {
      if (found === undefined || loop || !found.loop) found = { inst: start, label, loop };
    }
  }
  return found === undefined ? undefined : { inst: found.inst, label: found.label };
}

/**
 * The fuel a function's IR charges from instruction `from` (a label) on
 * through straight-line code and unconditional `br`s, up to and including
 * the first conditional branch's, call's or return's charge.
 *
 * @param f the IR function
 * @param from an instruction index
 * @returns the units
 */
export function irEntryFuel(f: IrFunction, from: number): number {
  const insts = f.insts;
  const at = irLoopHeads(f).labelAt;
  let fuel = 0;
  for (let j = from, steps = 0; j < insts.length && steps < 10_000; j++, steps++) {
    const ins = insts[j];
    if (ins.op === LABEL) continue;
    const op = BYTECODE_OPS[ins.op];
    const o = ins.operands;
    if (op.name === "fuel") fuel += o[0] as number;
    else if (op.name === "br") j = at.get(o[0] as number)!;
    else if (op.name === "call_fuel") return fuel + (o[2] as number);
    else if (op.name === "return_fuel") return fuel + (o[0] as number);
    else if (ends(op.name, op.operands)) return fuel;
  }
  return fuel;
}

/**
 * The fuel the bytecode charges from address `pc` on, as {@link irEntryFuel}
 * counts it for the IR (a `fuel_<br>` prefix's charge is its branch's).
 *
 * @param code the module's code
 * @param pc an address
 * @returns the units
 */
export function bytecodeEntryFuel(code: Int32Array, pc: number): number {
  let fuel = 0;
  for (let steps = 0; steps < 10_000; steps++) {
    const op = BYTECODE_OPS[code[pc]];
    if (op.name === "br") {
      pc += code[pc + 1];
      continue;
    }
    if (op.name === "fuel") fuel += code[pc + 1];
    else if (op.name.startsWith("fuel_")) {
      fuel += code[pc + 1];
      pc += instructionLength(code, pc);
      if (BYTECODE_OPS[code[pc]].name !== "br") return fuel;
      continue;
    } else if (op.name === "call_fuel") return fuel + code[pc + 3];
    else if (op.name === "return_fuel") return fuel + code[pc + 1];
    else if (ends(op.name, op.operands)) return fuel;
    pc += instructionLength(code, pc);
  }
  return fuel;
}

/** Whether an op ends a straight-line run (a branch, a call, a return, a trap). */
function ends(name: string, operands: readonly { readonly kind: string }[]): boolean {
  return operands.some((o) => o.kind === "o" || o.kind === "t") || name.startsWith("call") ||
    name.startsWith("return") || name === "trap" || name.startsWith("throw");
}

/**
 * Rewrites a function's JS source (as `JsLowering.lower` emits it) into its
 * on-stack-replacement entry: `oe<k>(base)` runs `os<k>`, the function
 * entered at label `label` with registers `live` read from slots `base + r`,
 * and writes its results from `base` as the entry adapter does.
 *
 * @param source the function's source (entry adapter and function), lowered as
 *   entered at the loop's label
 * @param funcIndex its index `k`
 * @param live the live registers with their kinds
 * @param resultKinds the kinds of its results
 * @param resultTypes its result types (the v128 ones are copied back to `base`)
 * @returns the source of `os<k>` and `oe<k>`
 * @throws Error when the source is not of the form this rewrites
 */
export function osrVariant(
  source: string,
  funcIndex: number,
  live: readonly (readonly [number, RegKind])[],
  resultKinds: readonly RegKind[],
  resultTypes: readonly ValType[] = [],
): string {
  const lines = source.split("\n");
  const head = lines.findIndex((l) => l.startsWith(`function fn${funcIndex}(`));
  const depth = lines.findIndex((l, i) => i > head && l.startsWith("if (d > S.jsMax) "));
  const decl = lines.findIndex((l, i) => i > head && /^let (.*, )?e = 0\b/.test(l));
  if (head < 0 || depth < 0 || decl < 0) {
    throw new Error("the JS function's form is not the one on-stack replacement rewrites");
  }
  const params = lines[head].slice(`function fn${funcIndex}(`.length, lines[head].indexOf(")"));
  const paramDecls = params === "" ? [] : params.split(", ").map((p) => `${p} = 0`);
  const body = lines.slice(head + 1);
  body[depth - head - 1] = ""; // the JS depth was checked before entering
  body[decl - head - 1] = lines[decl] +
    (paramDecls.length > 0 ? `\nlet ${paramDecls.join(", ")};` : "") + "\n" +
    live.map(([r, k]) => {
      const lo = `${k.toLowerCase()}${r}`;
      return assignVal(k, k === "B" ? [lo, `h${r}`] : lo, readSlot(k, `base + ${r}`));
    }).join(" ") +
    jsSimdOsrCopy(source);
  const [v128Before, v128After] = jsSimdEntry([], resultTypes);
  const results = [
    resultKinds.length > 0
      ? writeSlot(resultKinds[0], "base", callResult(resultKinds[0], "r"))
      : "",
    ...resultKinds.slice(1).map((k, j) => writeSlot(k, `base + ${j + 1}`, extraResult(k, j + 1))),
  ];
  return [
    `function os${funcIndex}(base) {`,
    ...body,
    `function oe${funcIndex}(base) {`,
    ...(v128Before === "" ? [] : [v128Before]),
    `const r = os${funcIndex}(base);`,
    ...(v128After === "" ? [] : [v128After]),
    ...results,
    `}`,
  ].join("\n");
}
