/**
 * Throwing and catching wasm exceptions on the VM's own stack: no JS
 * exception is raised per wasm throw. {@link throwAt} runs a `throw`,
 * `throw_gc` (values of the `any` hierarchy too: `VmException.refs`) or
 * `throw_ref` op; {@link unwind} walks the control stack from a frame to the
 * innermost handler (`VmInstance.handlers`) whose clause catches the
 * exception, writes the clause's values into the handler's registers, and
 * leaves the VM there; when it reaches the frame that entered from the host,
 * the exception leaves the activation (`vm.thrown`, `EXIT_THROW`).
 *
 * Invariants:
 * - A handler covers the code addresses `[start, end)` of one function; a
 *   frame's address is its pc (the throwing op) or, for a caller, the
 *   return address minus one (inside its call op).
 * - Within a function, handlers are listed innermost first, so the first
 *   covering handler with a matching clause is the right one; a `delegate`
 *   clause (tag -2) names a frame depth, and the search goes on among the
 *   handlers of that depth and below only.
 * - Traps never come here: they cannot be caught.
 * - A clause's values go to its registers whole: the raw words to the
 *   numeric file and, for an exception with values of the `any` hierarchy,
 *   `VmException.refs` to the ref file (null for the other values).
 * - An exception leaving a running continuation (its bottom frame,
 *   `CONT_BOTTOM`) goes on in its parent at the resume op; the handler records
 *   of resume ops' clauses (negative depth) catch nothing.
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import type { Vm } from "./vm.ts";
import { VmException, type VmInstance } from "./vm_objects.ts";
import { Op } from "./_opcodes.ts";
import { CONT_BOTTOM, continuationUnwound } from "./_continuations.ts";
import { refRegisters } from "./_gc_exec.ts";

/** The tag of a handler clause that delegates (a legacy `delegate`). */
const DELEGATE = -2;

/**
 * Runs the `throw`, `throw_gc` or `throw_ref` op at `pc`: makes (or finds) the exception
 * and unwinds to its handler.
 *
 * @param vm the VM
 * @param pc the op's address
 * @param fp the frame pointer
 * @param csp the control-stack depth
 * @param inst the running instance
 * @returns 0 when caught (the VM's `pc`, `fp`, `csp` and `inst` are the
 *   handler's), -1 when it leaves the activation (`vm.thrown`), or a trap code
 */
export function throwAt(vm: Vm, pc: number, fp: number, csp: number, inst: VmInstance): number {
  const code = inst.code;
  let exn: VmException | undefined;
  if (code[pc] !== Op.throw_ref) {
    const base = fp + code[pc + 2];
    const n = code[pc + 3];
    const words = vm.i32.slice(base << 1, (base + n) << 1);
    const refs = code[pc] === Op.throw_gc ? refRegisters(vm).slice(base, base + n) : null;
    exn = new VmException(inst.tags[code[pc + 1]], words, undefined, refs);
  } else {
    exn = vm.exns[vm.i32[(fp + code[pc + 1]) << 1]];
    if (exn === undefined) return TrapCode.NullExceptionReference;
  }
  return unwind(vm, exn, pc, fp, csp, inst);
}

/**
 * Unwinds from the frame at `fp` (running `inst` at `pc`) to the innermost
 * handler of `exn`.
 *
 * @param vm the VM
 * @param exn the exception
 * @param pc the address the exception comes from in the frame
 * @param fp the frame pointer
 * @param csp the control-stack depth
 * @param inst the frame's instance
 * @returns 0 when caught (the VM's `pc`, `fp`, `csp` and `inst` are the
 *   handler's), -1 when it leaves the activation (`vm.thrown`)
 */
export function unwind(
  vm: Vm,
  exn: VmException,
  pc: number,
  fp: number,
  csp: number,
  inst: VmInstance,
): number {
  const I32 = vm.i32;
  while (true) {
    const h = inst.handlers;
    // a delegate lowers this: handlers of deeper frames are passed over
    let maxDepth = Infinity;
    records: for (let k = 0; k < h.length; k += 4 + 5 * h[k + 3]) {
      // (a resume's handler clauses, depth RESUME_HANDLER, catch no exception)
      if (pc < h[k] || pc >= h[k + 1] || h[k + 2] > maxDepth || h[k + 2] < 0) continue;
      for (let c = k + 4; c < k + 4 + 5 * h[k + 3]; c += 5) {
        const tag = h[c];
        if (tag === DELEGATE) {
          maxDepth = h[c + 2];
          continue records;
        }
        if (tag >= 0 && inst.tags[tag] !== exn.tag) continue;
        const n = h[c + 4];
        if (n > 0) I32.set(exn.words.subarray(0, 2 * n), (fp + h[c + 3]) << 1);
        const refs = exn.refs;
        if (n > 0 && refs !== null) {
          const R = refRegisters(vm);
          for (let i = 0, d = fp + h[c + 3]; i < n; i++) R[d + i] = refs[i];
        }
        const refDst = h[c + 1];
        if (refDst >= 0) {
          I32[(fp + refDst) << 1] = exnHandle(vm, exn);
          I32[((fp + refDst) << 1) + 1] = 0;
        }
        vm.pc = h[c + 2];
        vm.fp = fp;
        vm.csp = csp;
        vm.inst = inst;
        return 0;
      }
    }
    // no handler here: leave the frame as a return would
    const cs = vm.cs;
    const id = cs[csp - 1];
    if (id === CONT_BOTTOM) {
      // a continuation's bottom frame: on in its parent, at the resume op
      inst = continuationUnwound(vm);
      csp -= 3;
      pc = cs[csp] - 1;
      fp = cs[csp + 1];
      continue;
    }
    if (id < 0) {
      vm.thrown = exn;
      vm.pc = pc;
      vm.fp = fp;
      vm.csp = csp;
      vm.inst = inst;
      return -1;
    }
    csp -= 3;
    pc = cs[csp] - 1;
    fp = cs[csp + 1];
    inst = vm.instances[id];
  }
}

/**
 * A reference handle to an exception (an `exnref`), allocated on first use.
 *
 * @param vm the VM
 * @param exn the exception
 * @returns its handle (never 0)
 */
export function exnHandle(vm: Vm, exn: VmException): number {
  let h = exnHandles.get(exn);
  if (h === undefined || vm.exns[h] !== exn) {
    h = vm.exns.length;
    vm.exns.push(exn);
    exnHandles.set(exn, h);
  }
  return h;
}

/** The handle each exception got, so a rethrown one keeps its reference. */
const exnHandles = new WeakMap<VmException, number>();
