/**
 * The VM's dispatch loop, as written by hand: `run` (the hot function, one
 * dense `switch`) and `runExt` (the cold, extended ops); the SIMD ops are in
 * `_dispatch_simd_src.ts`. Each op's case is in the function its row of the
 * op table (`ops.ts`) names. This file is the source of `_dispatch.ts`, which
 * `_gen.ts` derives from it by replacing each `Op.<name>` (and the SIMD range
 * bounds) with its literal opcode so V8 compiles the switch to a jump table.
 * Edit this file, then run `deno run -A interpreter/_gen.ts`.
 *
 * Invariants:
 * - Register `r` of the current frame is slot `fp + r`; its 32-bit half
 *   index is `(fp + r) << 1` (i32/f32 views), its f64 index `fp + r`.
 * - VM fields are copied into locals on entry and written back on every exit
 *   (return to host, host call, trap).
 * - A control-stack frame is three words: return pc, caller fp, caller
 *   instance id. A host-entry frame has pc -1 and instance -1.
 * - Memory locals (`dv`, `memLen`) are reloaded after any extended op
 *   and any instance switch.
 * - Lines of `run` starting with `//+` exist only in its generated metered
 *   copies `runMetered` (code compiled with fuel) and `runEpochs` (with
 *   epochs, and maybe fuel): `call_add_i_fuel` and the fuel kept in a local
 *   (there `vm.fuel` reads the local); lines starting with `//%` only in
 *   `runEpochs` (its entry check). `_gen.ts` also adds to both, before the
 *   case of each branch op that has one (the table's `fuelPrefixOf` column),
 *   the case of its `fuel_<br>` prefix op, which falls through into that
 *   branch's case, and to `runEpochs` an epoch check after each slice count
 *   (below).
 * - Epochs: `runEpochs` checks the epoch deadline when it is
 *   entered and at every slice count: every taken branch (so every loop's
 *   back edge), call and extended op. A passed deadline stops it with
 *   `EXIT_EPOCH` where it would have gone on (a loop header, a callee's
 *   first op), so running again resumes there; the code has no epoch ops.
 * - Slices: the last word of the register file (`I32[I32.length - 1]`, never
 *   a register) counts down at every taken branch, wasm call and extended op;
 *   when it goes below zero `run` stops (`EXIT_SLICE`, state written back as
 *   at any exit), and `Vm.callRun` resets it and calls `run` again. So even
 *   one long wasm call re-enters `run` every few thousand steps, and V8 runs
 *   it in its non-OSR optimised code (faster than the on-stack-replacement
 *   code a long-running loop would otherwise stay in) as soon as that exists.
 *   Every loop and recursion passes a taken branch or a call, so no
 *   execution escapes the count. The counter is below zero only right after
 *   a check fired, so the exit path tells a slice end from other exits by it.
 *
 * @module
 */

import { BuiltinFunctionIndex as B, TrapCode } from "@capstan/environ";
import { FIRST_SIMD_OP, LAST_SIMD_OP, Op } from "./_opcodes.ts";
import { runSimd } from "./_dispatch_simd.ts";
import { simdLoad, simdLoadLane, simdStore } from "./_simd_memory.ts";
import { throwAt } from "./_exceptions.ts";
import { contCreate, switchStacks } from "./_continuations.ts";
import { v128Registers } from "./simd.ts";
import { runAtomic } from "./atomics.ts";
import {
  arrayElement,
  copyRefs,
  isSigSubtype,
  loadStored,
  refRegisters,
  runGc,
  setArrayElement,
  setI32,
  storeToSlot,
} from "./_gc_exec.ts";
import { defaultStored, type GcArray, gcLayout, GcStruct, isOfHeapType } from "./gc_objects.ts";
import type { Vm } from "./vm.ts";
import type { VmFunc, VmInstance } from "./vm_objects.ts";
import {
  add128,
  ctz32,
  f32FromI64,
  f32FromU64,
  mulWide,
  nearest,
  popcnt32,
  sub128,
  truncFits,
  truncSat32,
  truncSat64,
  writeI64,
} from "./wasm_math.ts";

const T_UNREACHABLE = TrapCode.Unreachable;
const T_DIV0 = TrapCode.IntegerDivisionByZero;
const T_OVERFLOW = TrapCode.IntegerOverflow;
const T_BADCONV = TrapCode.BadConversionToInteger;
const T_MEM = TrapCode.MemoryOutOfBounds;
const T_TABLE = TrapCode.TableOutOfBounds;
const T_NULL = TrapCode.IndirectCallToNull;
const T_UNDEF = TrapCode.UndefinedElement;
const T_SIG = TrapCode.BadSignature;
const T_NULL_FUNC = TrapCode.NullFunctionReference;
const T_STACK = TrapCode.StackOverflow;
const T_FUEL = TrapCode.OutOfFuel;
const T_INTERRUPT = TrapCode.Interrupt;
const T_CAST = TrapCode.CastFailure;
const T_NULL_STRUCT = TrapCode.NullStructReference;
const T_NULL_ARRAY = TrapCode.NullArrayReference;
const T_ARRAY_BOUNDS = TrapCode.ArrayOutOfBounds;
const T_NULL_I31 = TrapCode.NullI31Reference;

/** `run` returned because the outermost wasm frame returned to the host. */
export const EXIT_RETURN = 0;
/** `run` returned because a host function is to be called. */
export const EXIT_HOST = 1;
/** `run` returned because of a trap (`vm.trapCode`; `vm.pc` is the trapping op). */
export const EXIT_TRAP = 2;
/**
 * `runEpochs` stopped because the epoch deadline has passed (checked on entry
 * and after every taken branch, call and extended op); `vm.pc` is where it
 * goes on, so running again resumes there (after the host raised
 * `vm.epochDeadline`, else it stops again at the next check).
 */
export const EXIT_EPOCH = 3;
/**
 * `run` stopped at a `fuel` op that needs more fuel than `vm.fuel`; `vm.pc` is
 * that op and nothing was deducted, so running again retries it.
 */
export const EXIT_FUEL = 4;
/**
 * `run` used up its slice (`vm.i32[vm.i32.length - 1]` went below zero at a
 * taken branch, a call or an extended op); `vm.pc` is the next op: reset the
 * counter and call `run` again. See the module doc.
 */
export const EXIT_SLICE = 5;
/**
 * `run` stopped because a wasm exception left the activation uncaught
 * (`vm.thrown`; the VM's state is the frame that entered from the host).
 */
export const EXIT_THROW = 6;
/**
 * `run` reached an `enter_tier` op (a function the runtime promoted to another
 * tier): `vm.pc` is that op, `vm.fp` the function's frame with its arguments;
 * `Vm.callRunCode` runs it there or, if that tier declines, as its `enter`.
 */
export const EXIT_TIER = 7;
/**
 * The frame-size word of an `enter_tier` op has this bit set (over the frame
 * size of the `enter` it replaced), so that the calls that perform their
 * callee's `enter` themselves fail their stack check and take the slow path,
 * which enters the callee at its `enter_tier` op instead.
 */
export const TIER_ENTRY_BIT = 0x40000000;
const FRAME_MASK = TIER_ENTRY_BIT - 1;

const EMPTY_BYTES = new Uint8Array(0);
const EMPTY_ELEMS = new Int32Array(0);

/**
 * Runs from `vm.pc` until the entry frame returns, a host call is needed, or
 * a trap. State is read from and written back to `vm`.
 *
 * @param vm the VM
 * @returns one of the `EXIT_*` codes
 */
export function run(vm: Vm): number {
  const I32 = vm.i32;
  const F32 = vm.f32;
  const F64 = vm.f64;
  let inst = vm.inst as VmInstance;
  let code = inst.code;
  let dv = inst.memory.view;
  let memLen = inst.memory.byteLength;
  let pc = vm.pc;
  let fp = vm.fp;
  let csp = vm.csp;
  let trap = 0;
  let exit = EXIT_TRAP;
  //+ let fuel = vm.fuel; // metered: kept in a local while running; written back on exit
  //% if (vm.epochCounter[0] >= vm.epochDeadline) return EXIT_EPOCH; // nothing done yet
  const slice = I32.length - 1;
  dispatch: for (;;) {
    switch (code[pc]) {
      case Op.nop:
        pc += 1;
        break;
      case Op.trap:
        trap = code[pc + 1];
        break dispatch;
      case Op.br:
        pc += code[pc + 1];
        if (--I32[slice] < 0) break dispatch;
        break;
      case Op.br_if:
        if (I32[(fp + code[pc + 1]) << 1] !== 0) {
          pc += code[pc + 2];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 3;
        break;
      case Op.br_unless:
        if (I32[(fp + code[pc + 1]) << 1] === 0) {
          pc += code[pc + 2];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 3;
        break;
      case Op.br_table: {
        const i = I32[(fp + code[pc + 1]) << 1] >>> 0;
        const n = code[pc + 2];
        pc += code[pc + 3 + (i < n - 1 ? i : n - 1)];
        if (--I32[slice] < 0) break dispatch;
        break;
      }
      case Op.enter: {
        if (fp + code[pc + 3] > vm.regLimit) {
          trap = T_STACK;
          break dispatch;
        }
        for (let i = (fp + code[pc + 1]) << 1, e = (fp + code[pc + 2]) << 1; i < e; i++) I32[i] = 0;
        pc += 4;
        break;
      }
      case Op.call_mov2: {
        // a move (both words of the slot: exact for i32, i64, f32 and f64
        // values alike, without a BigInt in V8's unoptimised tiers), then on
        // as `call_mov1` from the next one (see the op table)
        const to = (fp + code[pc + 1]) << 1;
        const from = (fp + code[pc + 2]) << 1;
        I32[to] = I32[from];
        I32[to + 1] = I32[from + 1];
        pc += 2;
      }
      // falls through
      case Op.call_mov1: {
        // a move, then on as `call` from the op's last three words (`pc`
        // points inside the op until the call is made: a stack overflow's
        // `vm.pc`, whose address maps to the call, as the op's own does)
        const to = (fp + code[pc + 1]) << 1;
        const from = (fp + code[pc + 2]) << 1;
        I32[to] = I32[from];
        I32[to + 1] = I32[from + 1];
        pc += 2;
      }
      // falls through
      case Op.call: {
        // Performs the callee's `enter` too (same module: its operands are
        // at the target), saving one dispatch per call.
        const t = code[pc + 1];
        const nfp = fp + code[pc + 2];
        const cs = vm.cs;
        if (csp >= vm.csLimit || nfp + code[t + 3] > vm.regLimit) {
          if (csp >= vm.csLimit || nfp + (code[t + 3] & FRAME_MASK) > vm.regLimit) {
            trap = T_STACK;
            break dispatch;
          }
          // a promoted callee (TIER_ENTRY_BIT): entered at its `enter_tier` op
          cs[csp] = pc + 3;
          cs[csp + 1] = fp;
          cs[csp + 2] = inst.id;
          csp += 3;
          fp = nfp;
          pc = t;
          break;
        }
        cs[csp] = pc + 3;
        cs[csp + 1] = fp;
        cs[csp + 2] = inst.id;
        csp += 3;
        fp = nfp;
        for (let i = (fp + code[t + 1]) << 1, e = (fp + code[t + 2]) << 1; i < e; i++) I32[i] = 0;
        pc = t + 4;
        if (--I32[slice] < 0) break dispatch;
        break;
      }
      case Op.return_call: {
        // The callee takes over this frame: its arguments move down to
        // registers 0.., then its `enter` runs here (same module).
        const t = code[pc + 1];
        if (fp + code[t + 3] > vm.regLimit) {
          if (fp + (code[t + 3] & FRAME_MASK) > vm.regLimit) {
            trap = T_STACK;
            break dispatch;
          }
          // a promoted callee (see `call`): its arguments moved, entered at its `enter_tier`
          const from = (fp + code[pc + 2]) << 1;
          for (let i = fp << 1, s = from, e = from + (code[t + 1] << 1); s < e;) {
            I32[i++] = I32[s++];
          }
          pc = t;
          break;
        }
        const src = (fp + code[pc + 2]) << 1;
        for (let i = fp << 1, s = src, e = src + (code[t + 1] << 1); s < e;) I32[i++] = I32[s++];
        for (let i = (fp + code[t + 1]) << 1, e = (fp + code[t + 2]) << 1; i < e; i++) I32[i] = 0;
        pc = t + 4;
        if (--I32[slice] < 0) break dispatch;
        break;
      }
      case Op.return_call_import: {
        // A wasm callee takes over this frame (its `enter` checks the stack);
        // a host callee is called as by call_import, below.
        const f = vm.funcs[inst.vmctx[code[pc + 1]]];
        const callee = f.instance;
        if (callee !== null) {
          const src = (fp + code[pc + 2]) << 1;
          const e = src + (callee.code[f.entry + 1] << 1);
          for (let i = fp << 1, s = src; s < e;) I32[i++] = I32[s++];
          pc = f.entry;
          if (callee !== inst) {
            inst = callee;
            code = inst.code;
            dv = inst.memory.view;
            memLen = inst.memory.byteLength;
          }
          if (--I32[slice] < 0) break dispatch;
          break;
        }
      }
      // falls through
      case Op.call_import: {
        const f = vm.funcs[inst.vmctx[code[pc + 1]]];
        const base = fp + code[pc + 2];
        const callee = f.instance;
        if (callee === null) {
          vm.sp = base + f.arity;
          pc += 3;
          const hostCall = vm.hostCall;
          if (hostCall !== null) {
            // Call the host right here: state written back first (it may re-enter).
            vm.pc = pc;
            vm.fp = fp;
            vm.csp = csp;
            vm.inst = inst;
            //+ vm.fuel = fuel; // metered: the host may read or set the fuel, or call wasm
            if (hostCall(f, base)) {
              //+ fuel = vm.fuel;
              dv = inst.memory.view;
              memLen = inst.memory.byteLength;
              break;
            }
          }
          vm.hostFunc = f;
          vm.hostBase = base;
          exit = EXIT_HOST;
          break dispatch;
        }
        if (csp >= vm.csLimit) {
          trap = T_STACK;
          break dispatch;
        }
        vm.cs[csp] = pc + 3;
        vm.cs[csp + 1] = fp;
        vm.cs[csp + 2] = inst.id;
        csp += 3;
        fp = base;
        pc = f.entry;
        if (callee !== inst) {
          inst = callee;
          code = inst.code;
          dv = inst.memory.view;
          memLen = inst.memory.byteLength;
        }
        if (--I32[slice] < 0) break dispatch;
        break;
      }
      case Op.call_ref:
      case Op.call_indirect: {
        // A wasm callee of the exact signature with room for its frame: its
        // `enter` is performed here (as `call` does), saving one dispatch.
        // Anything else (a trap, a host callee, a subtype's signature, a
        // promoted callee, a stack overflow) takes the general path below.
        let h: number;
        if (code[pc] === Op.call_indirect) {
          const table = inst.tables[code[pc + 1]];
          const i = I32[(fp + code[pc + 4]) << 1] >>> 0;
          h = i < table.size ? table.elems[i] : 0;
        } else h = I32[(fp + code[pc + 4]) << 1];
        const f = vm.funcs[h];
        const callee = f.instance;
        if (
          callee !== null &&
          (code[pc] === Op.call_ref || f.sigId === inst.vmctx[code[pc + 2]])
        ) {
          const t = f.entry;
          const target = callee.code;
          const nfp = fp + code[pc + 3];
          if (csp < vm.csLimit && nfp + target[t + 3] <= vm.regLimit) {
            const cs = vm.cs;
            cs[csp] = pc + 5;
            cs[csp + 1] = fp;
            cs[csp + 2] = inst.id;
            csp += 3;
            fp = nfp;
            for (let i = (fp + target[t + 1]) << 1, e = (fp + target[t + 2]) << 1; i < e; i++) {
              I32[i] = 0;
            }
            pc = t + 4;
            if (callee !== inst) {
              inst = callee;
              code = target;
              dv = inst.memory.view;
              memLen = inst.memory.byteLength;
            }
            if (--I32[slice] < 0) break dispatch;
            break;
          }
        }
      }
      // falls through
      case Op.return_call_ref:
      case Op.return_call_indirect: {
        if (code[pc] === Op.return_call_ref || code[pc] === Op.return_call_indirect) {
          // As return_call_import, after call_indirect's checks (which it
          // repeats below for a host callee); return_call_ref's callee is the
          // reference in register i, of the right type by validation.
          const byRef = code[pc] === Op.return_call_ref;
          let h: number;
          if (byRef) h = I32[(fp + code[pc + 4]) << 1];
          else {
            const table = inst.tables[code[pc + 1]];
            const i = I32[(fp + code[pc + 4]) << 1] >>> 0;
            h = i < table.size ? table.elems[i] : 0;
          }
          const f = vm.funcs[h];
          // (a callee of a declared subtype of the expected type is a tail call too)
          const callee = h === 0 ||
              (!byRef && f.sigId !== inst.vmctx[code[pc + 2]] &&
                !isSigSubtype(vm, f.sigId, inst.vmctx[code[pc + 2]]))
            ? null
            : f.instance;
          if (callee !== null) {
            const src = (fp + code[pc + 3]) << 1;
            const e = src + (callee.code[f.entry + 1] << 1);
            for (let i = fp << 1, s = src; s < e;) I32[i++] = I32[s++];
            pc = f.entry;
            if (callee !== inst) {
              inst = callee;
              code = inst.code;
              dv = inst.memory.view;
              memLen = inst.memory.byteLength;
            }
            if (--I32[slice] < 0) break dispatch;
            break;
          }
        }
        // the general path: call_ref's and call_indirect's slow path, a tail
        // call's host callee
        const op = code[pc];
        let f: VmFunc;
        if (op === Op.call_ref || op === Op.return_call_ref) {
          const h = I32[(fp + code[pc + 4]) << 1];
          if (h === 0) {
            trap = T_NULL_FUNC;
            break dispatch;
          }
          f = vm.funcs[h];
        } else {
          const table = inst.tables[code[pc + 1]];
          const i = I32[(fp + code[pc + 4]) << 1] >>> 0;
          if (i >= table.size) {
            trap = T_UNDEF;
            break dispatch;
          }
          const h = table.elems[i];
          if (h === 0) {
            trap = T_NULL;
            break dispatch;
          }
          f = vm.funcs[h];
          if (
            f.sigId !== inst.vmctx[code[pc + 2]] &&
            !isSigSubtype(vm, f.sigId, inst.vmctx[code[pc + 2]])
          ) {
            trap = T_SIG;
            break dispatch;
          }
        }
        const base = fp + code[pc + 3];
        const callee = f.instance;
        if (callee === null) {
          vm.sp = base + f.arity;
          pc += 5;
          const hostCall = vm.hostCall;
          if (hostCall !== null) {
            // Call the host right here: state written back first (it may re-enter).
            vm.pc = pc;
            vm.fp = fp;
            vm.csp = csp;
            vm.inst = inst;
            //+ vm.fuel = fuel; // metered: the host may read or set the fuel, or call wasm
            if (hostCall(f, base)) {
              //+ fuel = vm.fuel;
              dv = inst.memory.view;
              memLen = inst.memory.byteLength;
              break;
            }
          }
          vm.hostFunc = f;
          vm.hostBase = base;
          exit = EXIT_HOST;
          break dispatch;
        }
        if (csp >= vm.csLimit) {
          trap = T_STACK;
          break dispatch;
        }
        vm.cs[csp] = pc + 5;
        vm.cs[csp + 1] = fp;
        vm.cs[csp + 2] = inst.id;
        csp += 3;
        fp = base;
        pc = f.entry;
        if (callee !== inst) {
          inst = callee;
          code = inst.code;
          dv = inst.memory.view;
          memLen = inst.memory.byteLength;
        }
        if (--I32[slice] < 0) break dispatch;
        break;
      }
      case Op.throw:
      case Op.throw_gc:
      case Op.throw_ref:
      case Op.suspend:
      case Op.resume:
      case Op.resume_throw:
      case Op.resume_throw_gc:
      case Op.resume_throw_ref:
      case Op.switch: {
        // a throw unwinds to its handler; a stack switch goes on in another stack
        const caught =
          code[pc] === Op.throw || code[pc] === Op.throw_ref || code[pc] === Op.throw_gc
            ? throwAt(vm, pc, fp, csp, inst)
            : switchStacks(vm, pc, fp, csp, inst);
        if (caught !== 0) {
          if (caught > 0) trap = caught;
          else exit = EXIT_THROW;
          break dispatch;
        }
        pc = vm.pc;
        fp = vm.fp;
        csp = vm.csp;
        inst = vm.inst!;
        code = inst.code;
        dv = inst.memory.view;
        memLen = inst.memory.byteLength;
        break;
      }
      case Op.return_fuel:
        // a block's charge folded into its return: only moves ran since it
        if (vm.fuel < code[pc + 1]) {
          exit = EXIT_FUEL;
          break dispatch;
        }
        vm.fuel -= code[pc + 1];
      // falls through
      case Op.return: {
        csp -= 3;
        const id = vm.cs[csp + 2];
        pc = vm.cs[csp];
        fp = vm.cs[csp + 1];
        if (id !== inst.id) {
          if (id < 0) {
            exit = EXIT_RETURN;
            break dispatch;
          }
          inst = vm.instances[id];
          code = inst.code;
          dv = inst.memory.view;
          memLen = inst.memory.byteLength;
        }
        break;
      }
      case Op.call_fuel: {
        // `fuel n` (the caller's charge plus the callee's entry charge, added by
        // the compiler; out of fuel stops here, nothing done), `call`, then past
        // the callee's entry `fuel` op (if it has one), already paid.
        if (vm.fuel < code[pc + 3]) {
          exit = EXIT_FUEL;
          break dispatch;
        }
        vm.fuel -= code[pc + 3];
        const t = code[pc + 1];
        const nfp = fp + code[pc + 2];
        const cs = vm.cs;
        if (csp >= vm.csLimit || nfp + code[t + 3] > vm.regLimit) {
          if (csp >= vm.csLimit || nfp + (code[t + 3] & FRAME_MASK) > vm.regLimit) {
            trap = T_STACK;
            break dispatch;
          }
          // a promoted callee (see `call`), which charges its entry itself: refunded
          if (code[t + 4] === Op.fuel) vm.fuel += code[t + 5];
          cs[csp] = pc + 4;
          cs[csp + 1] = fp;
          cs[csp + 2] = inst.id;
          csp += 3;
          fp = nfp;
          pc = t;
          break;
        }
        cs[csp] = pc + 4;
        cs[csp + 1] = fp;
        cs[csp + 2] = inst.id;
        csp += 3;
        fp = nfp;
        for (let i = (fp + code[t + 1]) << 1, e = (fp + code[t + 2]) << 1; i < e; i++) I32[i] = 0;
        pc = t + 4;
        if (code[pc] === Op.fuel) pc += 2;
        if (--I32[slice] < 0) break dispatch;
        break;
      }
      //+ case Op.call_add_i_fuel: {
      //+   // `call_add_i` with `call_fuel`'s charge: the caller's
      //+   // and the callee's entry charge (out of fuel stops here, nothing done),
      //+   // then past the callee's entry `fuel` op, already paid
      //+   if (fuel < code[pc + 6]) {
      //+     exit = EXIT_FUEL;
      //+     break dispatch;
      //+   }
      //+   fuel -= code[pc + 6];
      //+   const t = code[pc + 1];
      //+   const nfp = fp + code[pc + 2];
      //+   const cs = vm.cs;
      //+   if (csp >= vm.csLimit || nfp + code[t + 3] > vm.regLimit) {
      //+     if (csp >= vm.csLimit || nfp + (code[t + 3] & FRAME_MASK) > vm.regLimit) {
      //+       trap = T_STACK;
      //+       break dispatch;
      //+     }
      //+     // a promoted callee (see `call_fuel`)
      //+     if (code[t + 4] === Op.fuel) fuel += code[t + 5];
      //+     I32[(fp + code[pc + 3]) << 1] = I32[(fp + code[pc + 4]) << 1] + code[pc + 5];
      //+     cs[csp] = pc + 7;
      //+     cs[csp + 1] = fp;
      //+     cs[csp + 2] = inst.id;
      //+     csp += 3;
      //+     fp = nfp;
      //+     pc = t;
      //+     break;
      //+   }
      //+   I32[(fp + code[pc + 3]) << 1] = I32[(fp + code[pc + 4]) << 1] + code[pc + 5];
      //+   cs[csp] = pc + 7;
      //+   cs[csp + 1] = fp;
      //+   cs[csp + 2] = inst.id;
      //+   csp += 3;
      //+   fp = nfp;
      //+   for (let i = (fp + code[t + 1]) << 1, e = (fp + code[t + 2]) << 1; i < e; i++) I32[i] = 0;
      //+   pc = t + 4;
      //+   if (code[pc] === Op.fuel) pc += 2;
      //+   if (--I32[slice] < 0) break dispatch;
      //+   break;
      //+ }
      case Op.fuel:
        if (vm.fuel < code[pc + 1]) {
          exit = EXIT_FUEL;
          break dispatch;
        }
        vm.fuel -= code[pc + 1];
        pc += 2;
        break;
      case Op.icount:
        vm.instructions += code[pc + 1];
        pc += 2;
        break;
      // moves and constants
      case Op.mov:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1];
        pc += 3;
        break;
      case Op.mov64: {
        // one 64-bit move: a consumer reading the slot as one 64-bit word (BigInt64, f64)
        // then gets it by store forwarding, which two 32-bit stores would defeat
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = I64[fp + code[pc + 2]];
        pc += 3;
        break;
      }
      case Op.const32:
        I32[(fp + code[pc + 1]) << 1] = code[pc + 2];
        pc += 3;
        break;
      case Op.const64: {
        const d = (fp + code[pc + 1]) << 1;
        I32[d] = code[pc + 2];
        I32[d + 1] = code[pc + 3];
        pc += 4;
        break;
      }
      case Op.select:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] !== 0
          ? I32[(fp + code[pc + 3]) << 1]
          : I32[(fp + code[pc + 4]) << 1];
        pc += 5;
        break;
      case Op.select64: {
        const d = (fp + code[pc + 1]) << 1;
        const s = I32[(fp + code[pc + 2]) << 1] !== 0
          ? (fp + code[pc + 3]) << 1
          : (fp + code[pc + 4]) << 1;
        I32[d] = I32[s];
        I32[d + 1] = I32[s + 1];
        pc += 5;
        break;
      }
      case Op.global_get:
        I32[(fp + code[pc + 1]) << 1] = vm.globals[inst.vmctx[code[pc + 2]] << 1];
        pc += 3;
        break;
      case Op.global_get64: {
        const d = (fp + code[pc + 1]) << 1;
        const G = vm.globals;
        const g = inst.vmctx[code[pc + 2]] << 1;
        I32[d] = G[g];
        I32[d + 1] = G[g + 1];
        pc += 3;
        break;
      }
      case Op.global_set:
        vm.globals[inst.vmctx[code[pc + 1]] << 1] = I32[(fp + code[pc + 2]) << 1];
        pc += 3;
        break;
      case Op.global_set64: {
        const G = vm.globals;
        const g = inst.vmctx[code[pc + 1]] << 1;
        const s = (fp + code[pc + 2]) << 1;
        G[g] = I32[s];
        G[g + 1] = I32[s + 1];
        pc += 3;
        break;
      }
      case Op.vmctx_load:
        I32[(fp + code[pc + 1]) << 1] = inst.vmctx[code[pc + 2]];
        pc += 3;
        break;
      // i32
      case Op.i32_add:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] +
          I32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.i32_sub:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] -
          I32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.i32_mul:
        I32[(fp + code[pc + 1]) << 1] = Math.imul(
          I32[(fp + code[pc + 2]) << 1],
          I32[(fp + code[pc + 3]) << 1],
        );
        pc += 4;
        break;
      case Op.i32_div_s: {
        const a = I32[(fp + code[pc + 2]) << 1];
        const b = I32[(fp + code[pc + 3]) << 1];
        if (b === 0) {
          trap = T_DIV0;
          break dispatch;
        }
        if (a === -2147483648 && b === -1) {
          trap = T_OVERFLOW;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = (a / b) | 0;
        pc += 4;
        break;
      }
      case Op.i32_div_u: {
        const b = I32[(fp + code[pc + 3]) << 1] >>> 0;
        if (b === 0) {
          trap = T_DIV0;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = ((I32[(fp + code[pc + 2]) << 1] >>> 0) / b) | 0;
        pc += 4;
        break;
      }
      case Op.i32_rem_s: {
        const b = I32[(fp + code[pc + 3]) << 1];
        if (b === 0) {
          trap = T_DIV0;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] % b) | 0;
        pc += 4;
        break;
      }
      case Op.i32_rem_u: {
        const b = I32[(fp + code[pc + 3]) << 1] >>> 0;
        if (b === 0) {
          trap = T_DIV0;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] >>> 0) % b;
        pc += 4;
        break;
      }
      case Op.i32_and:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] &
          I32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.i32_or:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] |
          I32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.i32_xor:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] ^
          I32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.i32_shl:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] <<
          I32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.i32_shr_s:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] >>
          I32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.i32_shr_u:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] >>>
          I32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.i32_rotl: {
        const a = I32[(fp + code[pc + 2]) << 1];
        const n = I32[(fp + code[pc + 3]) << 1] & 31;
        I32[(fp + code[pc + 1]) << 1] = (a << n) | (a >>> (32 - n));
        pc += 4;
        break;
      }
      case Op.i32_rotl_i: {
        const a = I32[(fp + code[pc + 2]) << 1];
        const n = code[pc + 3];
        I32[(fp + code[pc + 1]) << 1] = (a << n) | (a >>> (32 - n));
        pc += 4;
        break;
      }
      case Op.i32_rotr: {
        const a = I32[(fp + code[pc + 2]) << 1];
        const n = I32[(fp + code[pc + 3]) << 1] & 31;
        I32[(fp + code[pc + 1]) << 1] = (a >>> n) | (a << (32 - n));
        pc += 4;
        break;
      }
      case Op.i32_eq:
        I32[(fp + code[pc + 1]) << 1] =
          I32[(fp + code[pc + 2]) << 1] === I32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_ne:
        I32[(fp + code[pc + 1]) << 1] =
          I32[(fp + code[pc + 2]) << 1] !== I32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_lt_s:
        I32[(fp + code[pc + 1]) << 1] =
          I32[(fp + code[pc + 2]) << 1] < I32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_lt_u:
        I32[(fp + code[pc + 1]) << 1] =
          (I32[(fp + code[pc + 2]) << 1] >>> 0) < (I32[(fp + code[pc + 3]) << 1] >>> 0) ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_gt_s:
        I32[(fp + code[pc + 1]) << 1] =
          I32[(fp + code[pc + 2]) << 1] > I32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_gt_u:
        I32[(fp + code[pc + 1]) << 1] =
          (I32[(fp + code[pc + 2]) << 1] >>> 0) > (I32[(fp + code[pc + 3]) << 1] >>> 0) ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_le_s:
        I32[(fp + code[pc + 1]) << 1] =
          I32[(fp + code[pc + 2]) << 1] <= I32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_le_u:
        I32[(fp + code[pc + 1]) << 1] =
          (I32[(fp + code[pc + 2]) << 1] >>> 0) <= (I32[(fp + code[pc + 3]) << 1] >>> 0) ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_ge_s:
        I32[(fp + code[pc + 1]) << 1] =
          I32[(fp + code[pc + 2]) << 1] >= I32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_ge_u:
        I32[(fp + code[pc + 1]) << 1] =
          (I32[(fp + code[pc + 2]) << 1] >>> 0) >= (I32[(fp + code[pc + 3]) << 1] >>> 0) ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_add_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] + code[pc + 3];
        pc += 4;
        break;
      case Op.i32_mul_i:
        I32[(fp + code[pc + 1]) << 1] = Math.imul(I32[(fp + code[pc + 2]) << 1], code[pc + 3]);
        pc += 4;
        break;
      case Op.i32_and_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] & code[pc + 3];
        pc += 4;
        break;
      case Op.i32_or_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] | code[pc + 3];
        pc += 4;
        break;
      case Op.i32_xor_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] ^ code[pc + 3];
        pc += 4;
        break;
      case Op.i32_shl_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] << code[pc + 3];
        pc += 4;
        break;
      case Op.i32_shr_s_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] >> code[pc + 3];
        pc += 4;
        break;
      case Op.i32_shr_u_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] >>> code[pc + 3];
        pc += 4;
        break;
      case Op.i32_eq_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] === code[pc + 3] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_ne_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] !== code[pc + 3] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_lt_s_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] < code[pc + 3] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_lt_u_i:
        I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] >>> 0) < (code[pc + 3] >>> 0)
          ? 1
          : 0;
        pc += 4;
        break;
      case Op.i32_gt_s_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] > code[pc + 3] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_gt_u_i:
        I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] >>> 0) > (code[pc + 3] >>> 0)
          ? 1
          : 0;
        pc += 4;
        break;
      case Op.i32_le_s_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] <= code[pc + 3] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_le_u_i:
        I32[(fp + code[pc + 1]) << 1] =
          (I32[(fp + code[pc + 2]) << 1] >>> 0) <= (code[pc + 3] >>> 0) ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_ge_s_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] >= code[pc + 3] ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_ge_u_i:
        I32[(fp + code[pc + 1]) << 1] =
          (I32[(fp + code[pc + 2]) << 1] >>> 0) >= (code[pc + 3] >>> 0) ? 1 : 0;
        pc += 4;
        break;
      case Op.i32_eqz:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] === 0 ? 1 : 0;
        pc += 3;
        break;
      case Op.i32_clz:
        I32[(fp + code[pc + 1]) << 1] = Math.clz32(I32[(fp + code[pc + 2]) << 1]);
        pc += 3;
        break;
      case Op.i32_ctz: {
        const a = I32[(fp + code[pc + 2]) << 1];
        I32[(fp + code[pc + 1]) << 1] = a === 0 ? 32 : 31 - Math.clz32(a & -a);
        pc += 3;
        break;
      }
      case Op.i32_popcnt:
        I32[(fp + code[pc + 1]) << 1] = popcnt32(I32[(fp + code[pc + 2]) << 1]);
        pc += 3;
        break;
      case Op.i32_extend8_s:
        I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] << 24) >> 24;
        pc += 3;
        break;
      case Op.i32_extend16_s:
        I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] << 16) >> 16;
        pc += 3;
        break;
      // compare and branch
      case Op.br_eq:
        if (I32[(fp + code[pc + 1]) << 1] === I32[(fp + code[pc + 2]) << 1]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_ne:
        if (I32[(fp + code[pc + 1]) << 1] !== I32[(fp + code[pc + 2]) << 1]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_lt_s:
        if (I32[(fp + code[pc + 1]) << 1] < I32[(fp + code[pc + 2]) << 1]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_lt_u:
        if ((I32[(fp + code[pc + 1]) << 1] >>> 0) < (I32[(fp + code[pc + 2]) << 1] >>> 0)) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_gt_s:
        if (I32[(fp + code[pc + 1]) << 1] > I32[(fp + code[pc + 2]) << 1]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_gt_u:
        if ((I32[(fp + code[pc + 1]) << 1] >>> 0) > (I32[(fp + code[pc + 2]) << 1] >>> 0)) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_le_s:
        if (I32[(fp + code[pc + 1]) << 1] <= I32[(fp + code[pc + 2]) << 1]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_le_u:
        if ((I32[(fp + code[pc + 1]) << 1] >>> 0) <= (I32[(fp + code[pc + 2]) << 1] >>> 0)) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_ge_s:
        if (I32[(fp + code[pc + 1]) << 1] >= I32[(fp + code[pc + 2]) << 1]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_ge_u:
        if ((I32[(fp + code[pc + 1]) << 1] >>> 0) >= (I32[(fp + code[pc + 2]) << 1] >>> 0)) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_eq_i:
        if (I32[(fp + code[pc + 1]) << 1] === code[pc + 2]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_ne_i:
        if (I32[(fp + code[pc + 1]) << 1] !== code[pc + 2]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_lt_s_i:
        if (I32[(fp + code[pc + 1]) << 1] < code[pc + 2]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_lt_u_i:
        if ((I32[(fp + code[pc + 1]) << 1] >>> 0) < (code[pc + 2] >>> 0)) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_inc_ne_i: {
        const a = (fp + code[pc + 1]) << 1;
        const v = (I32[a] + code[pc + 2]) | 0;
        I32[a] = v;
        if (v !== code[pc + 3]) {
          pc += code[pc + 4];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 5;
        break;
      }
      case Op.br_inc_lt_u_i: {
        const a = (fp + code[pc + 1]) << 1;
        const v = (I32[a] + code[pc + 2]) | 0;
        I32[a] = v;
        if ((v >>> 0) < (code[pc + 3] >>> 0)) {
          pc += code[pc + 4];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 5;
        break;
      }
      case Op.br_add_le_u: {
        const a = (fp + code[pc + 1]) << 1;
        const v = (I32[a] + I32[(fp + code[pc + 2]) << 1]) | 0;
        I32[a] = v;
        if ((v >>> 0) <= (I32[(fp + code[pc + 3]) << 1] >>> 0)) {
          pc += code[pc + 4];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 5;
        break;
      }
      case Op.br_inc2_ne_i: {
        const p = (fp + code[pc + 5]) << 1;
        I32[p] = (I32[p] + code[pc + 6]) | 0;
        const a = (fp + code[pc + 1]) << 1;
        const v = (I32[a] + code[pc + 2]) | 0;
        I32[a] = v;
        if (v !== code[pc + 3]) {
          pc += code[pc + 4];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 7;
        break;
      }
      case Op.br_inc2_lt_u_i: {
        const p = (fp + code[pc + 5]) << 1;
        I32[p] = (I32[p] + code[pc + 6]) | 0;
        const a = (fp + code[pc + 1]) << 1;
        const v = (I32[a] + code[pc + 2]) | 0;
        I32[a] = v;
        if ((v >>> 0) < (code[pc + 3] >>> 0)) {
          pc += code[pc + 4];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 7;
        break;
      }
      case Op.br_inc_lt_s_i: {
        const a = (fp + code[pc + 1]) << 1;
        const v = (I32[a] + code[pc + 2]) | 0;
        I32[a] = v;
        if (v < code[pc + 3]) {
          pc += code[pc + 4];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 5;
        break;
      }
      case Op.br_gt_s_i:
        if (I32[(fp + code[pc + 1]) << 1] > code[pc + 2]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_gt_u_i:
        if ((I32[(fp + code[pc + 1]) << 1] >>> 0) > (code[pc + 2] >>> 0)) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_le_s_i:
        if (I32[(fp + code[pc + 1]) << 1] <= code[pc + 2]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_le_u_i:
        if ((I32[(fp + code[pc + 1]) << 1] >>> 0) <= (code[pc + 2] >>> 0)) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_ge_s_i:
        if (I32[(fp + code[pc + 1]) << 1] >= code[pc + 2]) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      case Op.br_ge_u_i:
        if ((I32[(fp + code[pc + 1]) << 1] >>> 0) >= (code[pc + 2] >>> 0)) {
          pc += code[pc + 3];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 4;
        break;
      // i64: add/sub/mul/bitwise through the BigInt64Array view, each result
      // wrapped by BigInt.asIntN(64, ...) so that optimised code does the
      // arithmetic in 64-bit machine registers without allocating a BigInt
      // (measured: hash64 ~40% faster than 16-bit-limb halves, same GC count);
      // shifts, rotates, compares and extensions on the two 32-bit halves.
      case Op.i64_add: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(64, I64[fp + code[pc + 2]] + I64[fp + code[pc + 3]]);
        pc += 4;
        break;
      }
      case Op.i64_sub: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(64, I64[fp + code[pc + 2]] - I64[fp + code[pc + 3]]);
        pc += 4;
        break;
      }
      case Op.i64_mul: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(64, I64[fp + code[pc + 2]] * I64[fp + code[pc + 3]]);
        pc += 4;
        break;
      }
      case Op.i64_and: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(64, I64[fp + code[pc + 2]] & I64[fp + code[pc + 3]]);
        pc += 4;
        break;
      }
      case Op.i64_or: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(64, I64[fp + code[pc + 2]] | I64[fp + code[pc + 3]]);
        pc += 4;
        break;
      }
      case Op.i64_xor: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(64, I64[fp + code[pc + 2]] ^ I64[fp + code[pc + 3]]);
        pc += 4;
        break;
      }
      case Op.i64_shl: {
        const a = (fp + code[pc + 2]) << 1;
        const n = I32[(fp + code[pc + 3]) << 1] & 63;
        const al = I32[a];
        const ah = I32[a + 1];
        const d = (fp + code[pc + 1]) << 1;
        if (n === 0) {
          I32[d] = al;
          I32[d + 1] = ah;
        } else if (n < 32) {
          I32[d + 1] = (ah << n) | (al >>> (32 - n));
          I32[d] = al << n;
        } else {
          I32[d + 1] = al << (n - 32);
          I32[d] = 0;
        }
        pc += 4;
        break;
      }
      case Op.i64_shr_s: {
        const a = (fp + code[pc + 2]) << 1;
        const n = I32[(fp + code[pc + 3]) << 1] & 63;
        const al = I32[a];
        const ah = I32[a + 1];
        const d = (fp + code[pc + 1]) << 1;
        if (n === 0) {
          I32[d] = al;
          I32[d + 1] = ah;
        } else if (n < 32) {
          I32[d] = (al >>> n) | (ah << (32 - n));
          I32[d + 1] = ah >> n;
        } else {
          I32[d] = ah >> (n - 32);
          I32[d + 1] = ah >> 31;
        }
        pc += 4;
        break;
      }
      case Op.i64_shr_u: {
        const a = (fp + code[pc + 2]) << 1;
        const n = I32[(fp + code[pc + 3]) << 1] & 63;
        const al = I32[a];
        const ah = I32[a + 1];
        const d = (fp + code[pc + 1]) << 1;
        if (n === 0) {
          I32[d] = al;
          I32[d + 1] = ah;
        } else if (n < 32) {
          I32[d] = (al >>> n) | (ah << (32 - n));
          I32[d + 1] = ah >>> n;
        } else {
          I32[d] = ah >>> (n - 32);
          I32[d + 1] = 0;
        }
        pc += 4;
        break;
      }
      case Op.i64_rotl:
      case Op.i64_rotr: {
        const a = (fp + code[pc + 2]) << 1;
        let n = I32[(fp + code[pc + 3]) << 1] & 63;
        if (code[pc] === Op.i64_rotr) n = (64 - n) & 63;
        let al = I32[a];
        let ah = I32[a + 1];
        if (n >= 32) {
          const t = al;
          al = ah;
          ah = t;
          n -= 32;
        }
        const d = (fp + code[pc + 1]) << 1;
        if (n === 0) {
          I32[d] = al;
          I32[d + 1] = ah;
        } else {
          I32[d] = (al << n) | (ah >>> (32 - n));
          I32[d + 1] = (ah << n) | (al >>> (32 - n));
        }
        pc += 4;
        break;
      }
      case Op.i64_eq: {
        const a = (fp + code[pc + 2]) << 1;
        const b = (fp + code[pc + 3]) << 1;
        I32[(fp + code[pc + 1]) << 1] = I32[a] === I32[b] && I32[a + 1] === I32[b + 1] ? 1 : 0;
        pc += 4;
        break;
      }
      case Op.i64_ne: {
        const a = (fp + code[pc + 2]) << 1;
        const b = (fp + code[pc + 3]) << 1;
        I32[(fp + code[pc + 1]) << 1] = I32[a] !== I32[b] || I32[a + 1] !== I32[b + 1] ? 1 : 0;
        pc += 4;
        break;
      }
      case Op.i64_lt_s:
      case Op.i64_lt_u:
      case Op.i64_gt_s:
      case Op.i64_gt_u:
      case Op.i64_le_s:
      case Op.i64_le_u:
      case Op.i64_ge_s:
      case Op.i64_ge_u: {
        const op = code[pc];
        const a = (fp + code[pc + 2]) << 1;
        const b = (fp + code[pc + 3]) << 1;
        const signed = op === Op.i64_lt_s || op === Op.i64_gt_s || op === Op.i64_le_s ||
          op === Op.i64_ge_s;
        const ah = signed ? I32[a + 1] : I32[a + 1] >>> 0;
        const bh = signed ? I32[b + 1] : I32[b + 1] >>> 0;
        // c: -1, 0, 1 as a <=> b
        const c = ah < bh
          ? -1
          : ah > bh
          ? 1
          : (I32[a] >>> 0) < (I32[b] >>> 0)
          ? -1
          : (I32[a] >>> 0) > (I32[b] >>> 0)
          ? 1
          : 0;
        let r: boolean;
        if (op === Op.i64_lt_s || op === Op.i64_lt_u) r = c < 0;
        else if (op === Op.i64_gt_s || op === Op.i64_gt_u) r = c > 0;
        else if (op === Op.i64_le_s || op === Op.i64_le_u) r = c <= 0;
        else r = c >= 0;
        I32[(fp + code[pc + 1]) << 1] = r ? 1 : 0;
        pc += 4;
        break;
      }
      case Op.i64_add_i: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(64, I64[fp + code[pc + 2]] + BigInt(code[pc + 3]));
        pc += 4;
        break;
      }
      case Op.i64_add_k: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(
          64,
          I64[fp + code[pc + 2]] +
            BigInt.asIntN(64, (BigInt(code[pc + 4]) << 32n) | BigInt(code[pc + 3] >>> 0)),
        );
        pc += 5;
        break;
      }
      case Op.i64_mul_k: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(
          64,
          I64[fp + code[pc + 2]] *
            BigInt.asIntN(64, (BigInt(code[pc + 4]) << 32n) | BigInt(code[pc + 3] >>> 0)),
        );
        pc += 5;
        break;
      }
      case Op.i64_mul_k_add: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(
          64,
          I64[fp + code[pc + 2]] *
              BigInt.asIntN(64, (BigInt(code[pc + 5]) << 32n) | BigInt(code[pc + 4] >>> 0)) +
            I64[fp + code[pc + 3]],
        );
        pc += 6;
        break;
      }
      case Op.i64_and_k: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(
          64,
          I64[fp + code[pc + 2]] &
            BigInt.asIntN(64, (BigInt(code[pc + 4]) << 32n) | BigInt(code[pc + 3] >>> 0)),
        );
        pc += 5;
        break;
      }
      case Op.i64_or_k: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(
          64,
          I64[fp + code[pc + 2]] |
            BigInt.asIntN(64, (BigInt(code[pc + 4]) << 32n) | BigInt(code[pc + 3] >>> 0)),
        );
        pc += 5;
        break;
      }
      case Op.i64_xor_k: {
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(
          64,
          I64[fp + code[pc + 2]] ^
            BigInt.asIntN(64, (BigInt(code[pc + 4]) << 32n) | BigInt(code[pc + 3] >>> 0)),
        );
        pc += 5;
        break;
      }
      case Op.i64_shl_i: {
        const a = (fp + code[pc + 2]) << 1;
        const n = code[pc + 3];
        const al = I32[a];
        const ah = I32[a + 1];
        const d = (fp + code[pc + 1]) << 1;
        if (n === 0) {
          I32[d] = al;
          I32[d + 1] = ah;
        } else if (n < 32) {
          I32[d + 1] = (ah << n) | (al >>> (32 - n));
          I32[d] = al << n;
        } else {
          I32[d + 1] = al << (n - 32);
          I32[d] = 0;
        }
        pc += 4;
        break;
      }
      case Op.i64_shr_s_i: {
        const a = (fp + code[pc + 2]) << 1;
        const n = code[pc + 3];
        const al = I32[a];
        const ah = I32[a + 1];
        const d = (fp + code[pc + 1]) << 1;
        if (n === 0) {
          I32[d] = al;
          I32[d + 1] = ah;
        } else if (n < 32) {
          I32[d] = (al >>> n) | (ah << (32 - n));
          I32[d + 1] = ah >> n;
        } else {
          I32[d] = ah >> (n - 32);
          I32[d + 1] = ah >> 31;
        }
        pc += 4;
        break;
      }
      case Op.i64_shr_u_i: {
        const a = (fp + code[pc + 2]) << 1;
        const n = code[pc + 3];
        const al = I32[a];
        const ah = I32[a + 1];
        const d = (fp + code[pc + 1]) << 1;
        if (n === 0) {
          I32[d] = al;
          I32[d + 1] = ah;
        } else if (n < 32) {
          I32[d] = (al >>> n) | (ah << (32 - n));
          I32[d + 1] = ah >>> n;
        } else {
          I32[d] = ah >>> (n - 32);
          I32[d + 1] = 0;
        }
        pc += 4;
        break;
      }
      case Op.i64_rotl_i: {
        const I64 = vm.i64;
        const a = fp + code[pc + 2];
        const n = code[pc + 3];
        if (n < 32) {
          I64[fp + code[pc + 1]] = BigInt.asIntN(
            64,
            BigInt.asIntN(64, I64[a] * BigInt((1 << n) >>> 0)) |
              BigInt((I32[(a << 1) + 1] >>> 1) >>> (31 - n)),
          );
        } else {
          const xl = I32[a << 1];
          const sw = BigInt.asIntN(64, (BigInt(xl) << 32n) | BigInt(I32[(a << 1) + 1] >>> 0));
          I64[fp + code[pc + 1]] = BigInt.asIntN(
            64,
            BigInt.asIntN(64, sw * BigInt((1 << (n - 32)) >>> 0)) | BigInt((xl >>> 1) >>> (63 - n)),
          );
        }
        pc += 4;
        break;
      }
      case Op.i64_rotl_mul_k: {
        const I64 = vm.i64;
        const a = fp + code[pc + 3];
        const n = code[pc + 4];
        const t = fp + code[pc + 2];
        const d = fp + code[pc + 1];
        // t = rotl(a, n) as in i64_rotl_i; each branch stores both results (no BigInt phi)
        if (n < 32) {
          const r = BigInt.asIntN(
            64,
            BigInt.asIntN(64, I64[a] * BigInt((1 << n) >>> 0)) |
              BigInt((I32[(a << 1) + 1] >>> 1) >>> (31 - n)),
          );
          I64[t] = r;
          I64[d] = BigInt.asIntN(
            64,
            r * BigInt.asIntN(64, (BigInt(code[pc + 6]) << 32n) | BigInt(code[pc + 5] >>> 0)),
          );
        } else {
          const xl = I32[a << 1];
          const sw = BigInt.asIntN(64, (BigInt(xl) << 32n) | BigInt(I32[(a << 1) + 1] >>> 0));
          const r = BigInt.asIntN(
            64,
            BigInt.asIntN(64, sw * BigInt((1 << (n - 32)) >>> 0)) | BigInt((xl >>> 1) >>> (63 - n)),
          );
          I64[t] = r;
          I64[d] = BigInt.asIntN(
            64,
            r * BigInt.asIntN(64, (BigInt(code[pc + 6]) << 32n) | BigInt(code[pc + 5] >>> 0)),
          );
        }
        pc += 7;
        break;
      }
      case Op.i64_eqz: {
        const a = (fp + code[pc + 2]) << 1;
        I32[(fp + code[pc + 1]) << 1] = (I32[a] | I32[a + 1]) === 0 ? 1 : 0;
        pc += 3;
        break;
      }
      case Op.i64_extend32_s:
      case Op.i64_extend_i32_s:
        vm.i64[fp + code[pc + 1]] = BigInt(I32[(fp + code[pc + 2]) << 1]);
        pc += 3;
        break;
      case Op.i64_extend_i32_u:
        vm.i64[fp + code[pc + 1]] = BigInt(I32[(fp + code[pc + 2]) << 1] >>> 0);
        pc += 3;
        break;
      // f32
      case Op.f32_add:
        F32[(fp + code[pc + 1]) << 1] = F32[(fp + code[pc + 2]) << 1] +
          F32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.f32_sub:
        F32[(fp + code[pc + 1]) << 1] = F32[(fp + code[pc + 2]) << 1] -
          F32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.f32_mul:
        F32[(fp + code[pc + 1]) << 1] = F32[(fp + code[pc + 2]) << 1] *
          F32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.f32_div:
        F32[(fp + code[pc + 1]) << 1] = F32[(fp + code[pc + 2]) << 1] /
          F32[(fp + code[pc + 3]) << 1];
        pc += 4;
        break;
      case Op.f32_abs:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] & 0x7fffffff;
        pc += 3;
        break;
      case Op.f32_neg:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] ^ -2147483648;
        pc += 3;
        break;
      case Op.f32_sqrt:
        F32[(fp + code[pc + 1]) << 1] = Math.sqrt(F32[(fp + code[pc + 2]) << 1]);
        pc += 3;
        break;
      case Op.f32_eq:
        I32[(fp + code[pc + 1]) << 1] =
          F32[(fp + code[pc + 2]) << 1] === F32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.f32_ne:
        I32[(fp + code[pc + 1]) << 1] =
          F32[(fp + code[pc + 2]) << 1] !== F32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.f32_lt:
        I32[(fp + code[pc + 1]) << 1] =
          F32[(fp + code[pc + 2]) << 1] < F32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.f32_gt:
        I32[(fp + code[pc + 1]) << 1] =
          F32[(fp + code[pc + 2]) << 1] > F32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.f32_le:
        I32[(fp + code[pc + 1]) << 1] =
          F32[(fp + code[pc + 2]) << 1] <= F32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      case Op.f32_ge:
        I32[(fp + code[pc + 1]) << 1] =
          F32[(fp + code[pc + 2]) << 1] >= F32[(fp + code[pc + 3]) << 1] ? 1 : 0;
        pc += 4;
        break;
      // f64
      case Op.f64_add:
        F64[fp + code[pc + 1]] = F64[fp + code[pc + 2]] + F64[fp + code[pc + 3]];
        pc += 4;
        break;
      case Op.f64_sub:
        F64[fp + code[pc + 1]] = F64[fp + code[pc + 2]] - F64[fp + code[pc + 3]];
        pc += 4;
        break;
      case Op.f64_mul:
        F64[fp + code[pc + 1]] = F64[fp + code[pc + 2]] * F64[fp + code[pc + 3]];
        pc += 4;
        break;
      case Op.f64_div:
        F64[fp + code[pc + 1]] = F64[fp + code[pc + 2]] / F64[fp + code[pc + 3]];
        pc += 4;
        break;
      case Op.f64_mul_add:
        F64[fp + code[pc + 1]] = F64[fp + code[pc + 2]] * F64[fp + code[pc + 3]] +
          F64[fp + code[pc + 4]];
        pc += 5;
        break;
      case Op.f64_abs: {
        const a = (fp + code[pc + 2]) << 1;
        const d = (fp + code[pc + 1]) << 1;
        I32[d] = I32[a];
        I32[d + 1] = I32[a + 1] & 0x7fffffff;
        pc += 3;
        break;
      }
      case Op.f64_neg: {
        const a = (fp + code[pc + 2]) << 1;
        const d = (fp + code[pc + 1]) << 1;
        I32[d] = I32[a];
        I32[d + 1] = I32[a + 1] ^ -2147483648;
        pc += 3;
        break;
      }
      case Op.f64_sqrt:
        F64[fp + code[pc + 1]] = Math.sqrt(F64[fp + code[pc + 2]]);
        pc += 3;
        break;
      case Op.f64_eq:
        I32[(fp + code[pc + 1]) << 1] = F64[fp + code[pc + 2]] === F64[fp + code[pc + 3]] ? 1 : 0;
        pc += 4;
        break;
      case Op.f64_ne:
        I32[(fp + code[pc + 1]) << 1] = F64[fp + code[pc + 2]] !== F64[fp + code[pc + 3]] ? 1 : 0;
        pc += 4;
        break;
      case Op.f64_lt:
        I32[(fp + code[pc + 1]) << 1] = F64[fp + code[pc + 2]] < F64[fp + code[pc + 3]] ? 1 : 0;
        pc += 4;
        break;
      case Op.f64_gt:
        I32[(fp + code[pc + 1]) << 1] = F64[fp + code[pc + 2]] > F64[fp + code[pc + 3]] ? 1 : 0;
        pc += 4;
        break;
      case Op.f64_le:
        I32[(fp + code[pc + 1]) << 1] = F64[fp + code[pc + 2]] <= F64[fp + code[pc + 3]] ? 1 : 0;
        pc += 4;
        break;
      case Op.f64_ge:
        I32[(fp + code[pc + 1]) << 1] = F64[fp + code[pc + 2]] >= F64[fp + code[pc + 3]] ? 1 : 0;
        pc += 4;
        break;
      // conversions
      case Op.f32_convert_i32_s:
        F32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1];
        pc += 3;
        break;
      case Op.f32_convert_i32_u:
        F32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] >>> 0;
        pc += 3;
        break;
      case Op.f64_convert_i32_s:
        F64[fp + code[pc + 1]] = I32[(fp + code[pc + 2]) << 1];
        pc += 3;
        break;
      case Op.f64_convert_i32_u:
        F64[fp + code[pc + 1]] = I32[(fp + code[pc + 2]) << 1] >>> 0;
        pc += 3;
        break;
      case Op.f64_convert_i64_s: {
        const a = (fp + code[pc + 2]) << 1;
        F64[fp + code[pc + 1]] = I32[a + 1] * 4294967296 + (I32[a] >>> 0);
        pc += 3;
        break;
      }
      case Op.f64_convert_i64_u: {
        const a = (fp + code[pc + 2]) << 1;
        F64[fp + code[pc + 1]] = (I32[a + 1] >>> 0) * 4294967296 + (I32[a] >>> 0);
        pc += 3;
        break;
      }
      case Op.f32_demote_f64:
        F32[(fp + code[pc + 1]) << 1] = F64[fp + code[pc + 2]];
        pc += 3;
        break;
      case Op.f64_promote_f32:
        F64[fp + code[pc + 1]] = F32[(fp + code[pc + 2]) << 1];
        pc += 3;
        break;
      case Op.f32_canon: {
        const x = (fp + code[pc + 1]) << 1;
        if ((I32[x] & 0x7fffffff) > 0x7f800000) I32[x] = 0x7fc00000;
        pc += 2;
        break;
      }
      case Op.f64_canon: {
        const x = fp + code[pc + 1];
        if (F64[x] !== F64[x]) {
          I32[x << 1] = 0;
          I32[(x << 1) + 1] = 0x7ff80000;
        }
        pc += 2;
        break;
      }
      // memory
      case Op.load32: {
        const ea = ((I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea + 4 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getInt32(ea, true);
        pc += 5;
        break;
      }
      case Op.load8_s: {
        const ea = ((I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getInt8(ea);
        pc += 5;
        break;
      }
      case Op.load8_u: {
        const ea = ((I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getUint8(ea);
        pc += 5;
        break;
      }
      case Op.load16_s: {
        const ea = ((I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea + 2 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getInt16(ea, true);
        pc += 5;
        break;
      }
      case Op.load16_u: {
        const ea = ((I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea + 2 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getUint16(ea, true);
        pc += 5;
        break;
      }
      case Op.load64: {
        const ea = ((I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        // one 8-byte move through BigInt64 (exact bits; lowered without
        // allocation in optimised code). A float64 move would quiet sNaNs.
        vm.i64[fp + code[pc + 1]] = dv.getBigInt64(ea, true);
        pc += 5;
        break;
      }
      case Op.load64_mul_k_add: {
        const ea = ((I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        const I64 = vm.i64;
        I64[fp + code[pc + 1]] = BigInt.asIntN(
          64,
          dv.getBigInt64(ea, true) *
              BigInt.asIntN(64, (BigInt(code[pc + 7]) << 32n) | BigInt(code[pc + 6] >>> 0)) +
            I64[fp + code[pc + 5]],
        );
        pc += 8;
        break;
      }
      case Op.load64_mul_k_add_rotl_mul_k: {
        const ea = ((I32[(fp + code[pc + 3]) << 1] + code[pc + 4]) >>> 0) + (code[pc + 5] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        const I64 = vm.i64;
        // (the op repeats i64_rotl_mul_k's work on purpose: falling through into that case, the
        // sum passed in a register, measured 18% slower on hash64)
        let x = BigInt.asUintN(
          64,
          dv.getBigInt64(ea, true) *
              BigInt.asIntN(64, (BigInt(code[pc + 9]) << 32n) | BigInt(code[pc + 8] >>> 0)) +
            I64[fp + code[pc + 6]],
        );
        let n = code[pc + 7];
        if (n >= 32) {
          // rotl by 32 + k is rotl by k of the halves swapped
          x = BigInt.asUintN(64, (x << 32n) | (x >> 32n));
          n -= 32;
        }
        // rotl(x, n), n < 32, in operations V8 lowers to machine words (shifts by constants
        // only): x * 2^n, or'ed with the top n bits, (x >> 32) * 2^n >> 32
        const p = BigInt((1 << n) >>> 0);
        const r = BigInt.asIntN(
          64,
          BigInt.asUintN(64, x * p) | (BigInt.asUintN(64, (x >> 32n) * p) >> 32n),
        );
        I64[fp + code[pc + 2]] = r;
        I64[fp + code[pc + 1]] = BigInt.asIntN(
          64,
          r * BigInt.asIntN(64, (BigInt(code[pc + 11]) << 32n) | BigInt(code[pc + 10] >>> 0)),
        );
        pc += 12;
        break;
      }
      // super-instructions
      case Op.i32_sbit_and_i:
        I32[(fp + code[pc + 1]) << 1] = ((I32[(fp + code[pc + 2]) << 1] << code[pc + 3]) >> 31) &
          code[pc + 4];
        pc += 5;
        break;
      case Op.store64_madd: {
        const ea = ((I32[(fp + code[pc + 1]) << 1] + code[pc + 2]) >>> 0) + (code[pc + 3] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        const p = F64[fp + code[pc + 4]] * F64[fp + code[pc + 5]];
        dv.setFloat64(ea, dv.getFloat64(ea, true) + p, true);
        pc += 6;
        break;
      }
      case Op.store64_msub: {
        const ea = ((I32[(fp + code[pc + 1]) << 1] + code[pc + 2]) >>> 0) + (code[pc + 3] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        const p = F64[fp + code[pc + 4]] * F64[fp + code[pc + 5]];
        dv.setFloat64(ea, dv.getFloat64(ea, true) - p, true);
        pc += 6;
        break;
      }
      case Op.store64_madd_m: {
        const eb = ((I32[(fp + code[pc + 5]) << 1] + code[pc + 6]) >>> 0) + (code[pc + 7] >>> 0);
        if (eb + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        const ea = ((I32[(fp + code[pc + 1]) << 1] + code[pc + 2]) >>> 0) + (code[pc + 3] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        const p = F64[fp + code[pc + 4]] * dv.getFloat64(eb, true);
        dv.setFloat64(ea, dv.getFloat64(ea, true) + p, true);
        pc += 8;
        break;
      }
      case Op.i32_shr_u_and_i:
        I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] >>> code[pc + 3]) &
          code[pc + 4];
        pc += 5;
        break;
      case Op.i32_xor_shr_u_i:
        I32[(fp + code[pc + 1]) << 1] = I32[(fp + code[pc + 2]) << 1] ^
          (I32[(fp + code[pc + 3]) << 1] >>> code[pc + 4]);
        pc += 5;
        break;
      case Op.i32_mul_add_i:
        I32[(fp + code[pc + 1]) << 1] = Math.imul(I32[(fp + code[pc + 2]) << 1], code[pc + 3]) +
          code[pc + 4];
        pc += 5;
        break;
      case Op.br_inc_gt_u_i: {
        const a = (fp + code[pc + 1]) << 1;
        const v = (I32[a] + code[pc + 2]) | 0;
        I32[a] = v;
        if ((v >>> 0) > (code[pc + 3] >>> 0)) {
          pc += code[pc + 4];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 5;
        break;
      }
      case Op.br_inc_lt_u_r: {
        const a = (fp + code[pc + 1]) << 1;
        const v = (I32[a] + code[pc + 2]) | 0;
        I32[a] = v;
        if ((v >>> 0) < (I32[(fp + code[pc + 3]) << 1] >>> 0)) {
          pc += code[pc + 4];
          if (--I32[slice] < 0) break dispatch;
        } else pc += 5;
        break;
      }
      case Op.load64_f64_sub: {
        const ea = ((I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        F64[fp + code[pc + 1]] = F64[fp + code[pc + 5]] - dv.getFloat64(ea, true);
        pc += 6;
        break;
      }
      case Op.call_add_i: {
        I32[(fp + code[pc + 3]) << 1] = I32[(fp + code[pc + 4]) << 1] + code[pc + 5];
        const t = code[pc + 1];
        const nfp = fp + code[pc + 2];
        const cs = vm.cs;
        if (csp >= vm.csLimit || nfp + code[t + 3] > vm.regLimit) {
          if (csp >= vm.csLimit || nfp + (code[t + 3] & FRAME_MASK) > vm.regLimit) {
            trap = T_STACK;
            break dispatch;
          }
          // a promoted callee (see `call`)
          cs[csp] = pc + 6;
          cs[csp + 1] = fp;
          cs[csp + 2] = inst.id;
          csp += 3;
          fp = nfp;
          pc = t;
          break;
        }
        cs[csp] = pc + 6;
        cs[csp + 1] = fp;
        cs[csp + 2] = inst.id;
        csp += 3;
        fp = nfp;
        for (let i = (fp + code[t + 1]) << 1, e = (fp + code[t + 2]) << 1; i < e; i++) I32[i] = 0;
        pc = t + 4;
        if (--I32[slice] < 0) break dispatch;
        break;
      }
      case Op.store32: {
        const ea = ((I32[(fp + code[pc + 1]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea + 4 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt32(ea, I32[(fp + code[pc + 2]) << 1], true);
        pc += 5;
        break;
      }
      case Op.store8: {
        const ea = ((I32[(fp + code[pc + 1]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt8(ea, I32[(fp + code[pc + 2]) << 1]);
        pc += 5;
        break;
      }
      case Op.store16: {
        const ea = ((I32[(fp + code[pc + 1]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea + 2 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt16(ea, I32[(fp + code[pc + 2]) << 1], true);
        pc += 5;
        break;
      }
      case Op.store64: {
        const ea = ((I32[(fp + code[pc + 1]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setBigInt64(ea, vm.i64[fp + code[pc + 2]], true);
        pc += 5;
        break;
      }
      // memory 0, 64-bit addresses: the high half adds only when it is not 0
      case Op.load32_a64: {
        const a = (fp + code[pc + 2]) << 1;
        const hi = I32[a + 1];
        const ea = (I32[a] >>> 0) + (code[pc + 3] >>> 0) + (hi === 0 ? 0 : (hi >>> 0) * 4294967296);
        if (ea + 4 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getInt32(ea, true);
        pc += 4;
        break;
      }
      case Op.load8_u_a64: {
        const a = (fp + code[pc + 2]) << 1;
        const hi = I32[a + 1];
        const ea = (I32[a] >>> 0) + (code[pc + 3] >>> 0) + (hi === 0 ? 0 : (hi >>> 0) * 4294967296);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getUint8(ea);
        pc += 4;
        break;
      }
      case Op.load64_a64: {
        const a = (fp + code[pc + 2]) << 1;
        const hi = I32[a + 1];
        const ea = (I32[a] >>> 0) + (code[pc + 3] >>> 0) + (hi === 0 ? 0 : (hi >>> 0) * 4294967296);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        vm.i64[fp + code[pc + 1]] = dv.getBigInt64(ea, true);
        pc += 4;
        break;
      }
      case Op.store32_a64: {
        const a = (fp + code[pc + 1]) << 1;
        const hi = I32[a + 1];
        const ea = (I32[a] >>> 0) + (code[pc + 3] >>> 0) + (hi === 0 ? 0 : (hi >>> 0) * 4294967296);
        if (ea + 4 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt32(ea, I32[(fp + code[pc + 2]) << 1], true);
        pc += 4;
        break;
      }
      case Op.store8_a64: {
        const a = (fp + code[pc + 1]) << 1;
        const hi = I32[a + 1];
        const ea = (I32[a] >>> 0) + (code[pc + 3] >>> 0) + (hi === 0 ? 0 : (hi >>> 0) * 4294967296);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt8(ea, I32[(fp + code[pc + 2]) << 1]);
        pc += 4;
        break;
      }
      case Op.store64_a64: {
        const a = (fp + code[pc + 1]) << 1;
        const hi = I32[a + 1];
        const ea = (I32[a] >>> 0) + (code[pc + 3] >>> 0) + (hi === 0 ? 0 : (hi >>> 0) * 4294967296);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setBigInt64(ea, vm.i64[fp + code[pc + 2]], true);
        pc += 4;
        break;
      }
      case Op.load32_x: {
        const ea = (((I32[(fp + code[pc + 2]) << 1] << code[pc + 3]) + code[pc + 4]) >>> 0) +
          (code[pc + 5] >>> 0);
        if (ea + 4 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getInt32(ea, true);
        pc += 6;
        break;
      }
      case Op.load8_u_x: {
        const ea = (((I32[(fp + code[pc + 2]) << 1] << code[pc + 3]) + code[pc + 4]) >>> 0) +
          (code[pc + 5] >>> 0);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getUint8(ea);
        pc += 6;
        break;
      }
      case Op.load64_x: {
        const ea = (((I32[(fp + code[pc + 2]) << 1] << code[pc + 3]) + code[pc + 4]) >>> 0) +
          (code[pc + 5] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        vm.i64[fp + code[pc + 1]] = dv.getBigInt64(ea, true);
        pc += 6;
        break;
      }
      case Op.store32_x: {
        const ea = (((I32[(fp + code[pc + 1]) << 1] << code[pc + 3]) + code[pc + 4]) >>> 0) +
          (code[pc + 5] >>> 0);
        if (ea + 4 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt32(ea, I32[(fp + code[pc + 2]) << 1], true);
        pc += 6;
        break;
      }
      case Op.store8_x: {
        const ea = (((I32[(fp + code[pc + 1]) << 1] << code[pc + 3]) + code[pc + 4]) >>> 0) +
          (code[pc + 5] >>> 0);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt8(ea, I32[(fp + code[pc + 2]) << 1]);
        pc += 6;
        break;
      }
      case Op.store64_x: {
        const ea = (((I32[(fp + code[pc + 1]) << 1] << code[pc + 3]) + code[pc + 4]) >>> 0) +
          (code[pc + 5] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setBigInt64(ea, vm.i64[fp + code[pc + 2]], true);
        pc += 6;
        break;
      }
      // register-indexed accesses: address u32(a + (b << s)) + offset
      case Op.load32_r: {
        const ea =
          ((I32[(fp + code[pc + 2]) << 1] + (I32[(fp + code[pc + 3]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea + 4 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getInt32(ea, true);
        pc += 6;
        break;
      }
      case Op.load8_u_r: {
        const ea =
          ((I32[(fp + code[pc + 2]) << 1] + (I32[(fp + code[pc + 3]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getUint8(ea);
        pc += 6;
        break;
      }
      case Op.load8_s_r: {
        const ea =
          ((I32[(fp + code[pc + 2]) << 1] + (I32[(fp + code[pc + 3]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getInt8(ea);
        pc += 6;
        break;
      }
      case Op.load16_u_r: {
        const ea =
          ((I32[(fp + code[pc + 2]) << 1] + (I32[(fp + code[pc + 3]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea + 2 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getUint16(ea, true);
        pc += 6;
        break;
      }
      case Op.load16_s_r: {
        const ea =
          ((I32[(fp + code[pc + 2]) << 1] + (I32[(fp + code[pc + 3]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea + 2 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        I32[(fp + code[pc + 1]) << 1] = dv.getInt16(ea, true);
        pc += 6;
        break;
      }
      case Op.load64_r: {
        const ea =
          ((I32[(fp + code[pc + 2]) << 1] + (I32[(fp + code[pc + 3]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        vm.i64[fp + code[pc + 1]] = dv.getBigInt64(ea, true);
        pc += 6;
        break;
      }
      case Op.store32_r: {
        const ea =
          ((I32[(fp + code[pc + 1]) << 1] + (I32[(fp + code[pc + 2]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea + 4 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt32(ea, I32[(fp + code[pc + 3]) << 1], true);
        pc += 6;
        break;
      }
      case Op.store8_r: {
        const ea =
          ((I32[(fp + code[pc + 1]) << 1] + (I32[(fp + code[pc + 2]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea >= memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt8(ea, I32[(fp + code[pc + 3]) << 1]);
        pc += 6;
        break;
      }
      case Op.store16_r: {
        const ea =
          ((I32[(fp + code[pc + 1]) << 1] + (I32[(fp + code[pc + 2]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea + 2 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setInt16(ea, I32[(fp + code[pc + 3]) << 1], true);
        pc += 6;
        break;
      }
      case Op.store64_r: {
        const ea =
          ((I32[(fp + code[pc + 1]) << 1] + (I32[(fp + code[pc + 2]) << 1] << code[pc + 4])) >>>
            0) + (code[pc + 5] >>> 0);
        if (ea + 8 > memLen) {
          trap = T_MEM;
          break dispatch;
        }
        dv.setBigInt64(ea, vm.i64[fp + code[pc + 3]], true);
        pc += 6;
        break;
      }
      case Op.enter_tier:
        // a promoted function's entry: the VM runs it on the runtime's tier (see EXIT_TIER)
        exit = EXIT_TIER;
        break dispatch;
      default: {
        const op = code[pc];
        if (op >= FIRST_SIMD_OP && op <= LAST_SIMD_OP) {
          // SIMD ops (no runExt op lies between them in ops.ts) go straight to runSimd, which runs
          // the whole straight-line SIMD sequence from here (no SIMD op changes the memory)
          const next = runSimd(vm, inst, code, pc, fp);
          if (next < 0) {
            trap = -next;
            pc = vm.pc;
            break dispatch;
          }
          pc = next;
          if (--I32[slice] < 0) break dispatch;
          break;
        }
        //+ vm.fuel = fuel; // metered: an extended op may run host code (a limiter) that reads or sets it
        const next = runExt(vm, inst, code, pc, fp);
        //+ fuel = vm.fuel;
        if (next < 0) {
          trap = -next;
          break dispatch;
        }
        pc = next;
        code = inst.code; // `lazy` may have lowered code: the instance has the new array
        dv = inst.memory.view;
        memLen = inst.memory.byteLength;
        if (--I32[slice] < 0) break dispatch;
        break;
      }
    }
  }
  vm.pc = pc;
  vm.fp = fp;
  vm.csp = csp;
  vm.inst = inst;
  //+ vm.fuel = fuel;
  if (I32[slice] < 0) return EXIT_SLICE;
  if (exit === EXIT_TRAP) vm.trapCode = trap === 0 ? T_UNREACHABLE : trap;
  return exit;
}

/**
 * Executes one extended (cold) op at `pc`.
 *
 * @param vm the VM
 * @param inst the current instance
 * @param code its code
 * @param pc the op's address
 * @param fp the frame pointer
 * @returns the next pc, or minus a trap code
 */
export function runExt(
  vm: Vm,
  inst: VmInstance,
  code: Int32Array,
  pc: number,
  fp: number,
): number {
  const I32 = vm.i32;
  const F32 = vm.f32;
  const F64 = vm.f64;
  const I64 = vm.i64;
  const U64 = vm.u64;
  const op = code[pc];
  switch (op) {
    case Op.lazy:
      // no step of the program: it gives back the slice step `run` takes for an extended op,
      // so slices end where eager code's would
      I32[I32.length - 1]++;
      return vm.lazyLower!(inst, code[pc + 1]);
    case Op.cont_new:
    case Op.cont_bind:
      return contCreate(vm, code, pc, fp);
    case Op.i64_div_s:
    case Op.i64_div_u:
    case Op.i64_rem_s:
    case Op.i64_rem_u: {
      const a = fp + code[pc + 2];
      const b = fp + code[pc + 3];
      const d = fp + code[pc + 1];
      if (I32[b << 1] === 0 && I32[(b << 1) + 1] === 0) return -T_DIV0;
      if (op === Op.i64_div_s) {
        if (I64[b] === -1n && I64[a] === -9223372036854775808n) return -T_OVERFLOW;
        I64[d] = I64[a] / I64[b];
      } else if (op === Op.i64_rem_s) {
        I64[d] = I64[b] === -1n ? 0n : I64[a] % I64[b];
      } else if (op === Op.i64_div_u) {
        U64[d] = U64[a] / U64[b];
      } else {
        U64[d] = U64[a] % U64[b];
      }
      return pc + 4;
    }
    case Op.i64_add128:
    case Op.i64_sub128: {
      const alo = U64[fp + code[pc + 3]];
      const ahi = U64[fp + code[pc + 4]];
      const blo = U64[fp + code[pc + 5]];
      const bhi = U64[fp + code[pc + 6]];
      const r = op === Op.i64_add128 ? add128(alo, ahi, blo, bhi) : sub128(alo, ahi, blo, bhi);
      U64[fp + code[pc + 1]] = r;
      U64[fp + code[pc + 2]] = r >> 64n;
      return pc + 7;
    }
    case Op.i64_mul_wide_s:
    case Op.i64_mul_wide_u: {
      const signed = op === Op.i64_mul_wide_s;
      const r = mulWide(U64[fp + code[pc + 3]], U64[fp + code[pc + 4]], signed);
      U64[fp + code[pc + 1]] = r;
      U64[fp + code[pc + 2]] = r >> 64n;
      return pc + 5;
    }
    case Op.i64_clz: {
      const a = (fp + code[pc + 2]) << 1;
      const d = (fp + code[pc + 1]) << 1;
      const r = I32[a + 1] !== 0 ? Math.clz32(I32[a + 1]) : 32 + Math.clz32(I32[a]);
      I32[d] = r;
      I32[d + 1] = 0;
      return pc + 3;
    }
    case Op.i64_ctz: {
      const a = (fp + code[pc + 2]) << 1;
      const d = (fp + code[pc + 1]) << 1;
      const r = I32[a] !== 0 ? ctz32(I32[a]) : 32 + ctz32(I32[a + 1]);
      I32[d] = r;
      I32[d + 1] = 0;
      return pc + 3;
    }
    case Op.i64_popcnt: {
      const a = (fp + code[pc + 2]) << 1;
      const d = (fp + code[pc + 1]) << 1;
      const r = popcnt32(I32[a]) + popcnt32(I32[a + 1]);
      I32[d] = r;
      I32[d + 1] = 0;
      return pc + 3;
    }
    case Op.i64_extend8_s:
    case Op.i64_extend16_s: {
      const s = op === Op.i64_extend8_s ? 24 : 16;
      const v = (I32[(fp + code[pc + 2]) << 1] << s) >> s;
      const d = (fp + code[pc + 1]) << 1;
      I32[d] = v;
      I32[d + 1] = v >> 31;
      return pc + 3;
    }
    case Op.f32_min:
      F32[(fp + code[pc + 1]) << 1] = canonical(Math.min(
        F32[(fp + code[pc + 2]) << 1],
        F32[(fp + code[pc + 3]) << 1],
      ));
      return pc + 4;
    case Op.f32_max:
      F32[(fp + code[pc + 1]) << 1] = canonical(Math.max(
        F32[(fp + code[pc + 2]) << 1],
        F32[(fp + code[pc + 3]) << 1],
      ));
      return pc + 4;
    case Op.f32_copysign:
      I32[(fp + code[pc + 1]) << 1] = (I32[(fp + code[pc + 2]) << 1] & 0x7fffffff) |
        (I32[(fp + code[pc + 3]) << 1] & -2147483648);
      return pc + 4;
    case Op.f32_ceil:
      F32[(fp + code[pc + 1]) << 1] = Math.ceil(F32[(fp + code[pc + 2]) << 1]);
      return pc + 3;
    case Op.f32_floor:
      F32[(fp + code[pc + 1]) << 1] = Math.floor(F32[(fp + code[pc + 2]) << 1]);
      return pc + 3;
    case Op.f32_trunc:
      F32[(fp + code[pc + 1]) << 1] = Math.trunc(F32[(fp + code[pc + 2]) << 1]);
      return pc + 3;
    case Op.f32_nearest:
      F32[(fp + code[pc + 1]) << 1] = nearest(F32[(fp + code[pc + 2]) << 1]);
      return pc + 3;
    case Op.f64_min:
      F64[fp + code[pc + 1]] = canonical(Math.min(F64[fp + code[pc + 2]], F64[fp + code[pc + 3]]));
      return pc + 4;
    case Op.f64_max:
      F64[fp + code[pc + 1]] = canonical(Math.max(F64[fp + code[pc + 2]], F64[fp + code[pc + 3]]));
      return pc + 4;
    case Op.f64_copysign: {
      const a = (fp + code[pc + 2]) << 1;
      const b = (fp + code[pc + 3]) << 1;
      const d = (fp + code[pc + 1]) << 1;
      const hi = (I32[a + 1] & 0x7fffffff) | (I32[b + 1] & -2147483648);
      I32[d] = I32[a];
      I32[d + 1] = hi;
      return pc + 4;
    }
    case Op.f64_ceil:
      F64[fp + code[pc + 1]] = quiet(Math.ceil(F64[fp + code[pc + 2]]));
      return pc + 3;
    case Op.f64_floor:
      F64[fp + code[pc + 1]] = quiet(Math.floor(F64[fp + code[pc + 2]]));
      return pc + 3;
    case Op.f64_trunc:
      F64[fp + code[pc + 1]] = quiet(Math.trunc(F64[fp + code[pc + 2]]));
      return pc + 3;
    case Op.f64_nearest:
      F64[fp + code[pc + 1]] = quiet(nearest(F64[fp + code[pc + 2]]));
      return pc + 3;
    case Op.i32_trunc_f32_s:
    case Op.i32_trunc_f32_u:
    case Op.i32_trunc_f64_s:
    case Op.i32_trunc_f64_u:
    case Op.i64_trunc_f32_s:
    case Op.i64_trunc_f32_u:
    case Op.i64_trunc_f64_s:
    case Op.i64_trunc_f64_u: {
      const fromF32 = op === Op.i32_trunc_f32_s || op === Op.i32_trunc_f32_u ||
        op === Op.i64_trunc_f32_s || op === Op.i64_trunc_f32_u;
      const x = fromF32 ? F32[(fp + code[pc + 2]) << 1] : F64[fp + code[pc + 2]];
      if (x !== x) return -T_BADCONV;
      const kind = op === Op.i32_trunc_f32_s || op === Op.i32_trunc_f64_s
        ? "32s"
        : op === Op.i32_trunc_f32_u || op === Op.i32_trunc_f64_u
        ? "32u"
        : op === Op.i64_trunc_f32_s || op === Op.i64_trunc_f64_s
        ? "64s"
        : "64u";
      if (!truncFits(x, kind)) return -T_OVERFLOW;
      const t = Math.trunc(x) + 0;
      const d = (fp + code[pc + 1]) << 1;
      if (kind === "32s" || kind === "32u") I32[d] = t;
      else writeI64(I32, d, t);
      return pc + 3;
    }
    case Op.i32_trunc_sat_f32_s:
      I32[(fp + code[pc + 1]) << 1] = truncSat32(F32[(fp + code[pc + 2]) << 1], true);
      return pc + 3;
    case Op.i32_trunc_sat_f32_u:
      I32[(fp + code[pc + 1]) << 1] = truncSat32(F32[(fp + code[pc + 2]) << 1], false);
      return pc + 3;
    case Op.i32_trunc_sat_f64_s:
      I32[(fp + code[pc + 1]) << 1] = truncSat32(F64[fp + code[pc + 2]], true);
      return pc + 3;
    case Op.i32_trunc_sat_f64_u:
      I32[(fp + code[pc + 1]) << 1] = truncSat32(F64[fp + code[pc + 2]], false);
      return pc + 3;
    case Op.i64_trunc_sat_f32_s:
      truncSat64(I32, (fp + code[pc + 1]) << 1, F32[(fp + code[pc + 2]) << 1], true);
      return pc + 3;
    case Op.i64_trunc_sat_f32_u:
      truncSat64(I32, (fp + code[pc + 1]) << 1, F32[(fp + code[pc + 2]) << 1], false);
      return pc + 3;
    case Op.i64_trunc_sat_f64_s:
      truncSat64(I32, (fp + code[pc + 1]) << 1, F64[fp + code[pc + 2]], true);
      return pc + 3;
    case Op.i64_trunc_sat_f64_u:
      truncSat64(I32, (fp + code[pc + 1]) << 1, F64[fp + code[pc + 2]], false);
      return pc + 3;
    case Op.f32_convert_i64_s: {
      const a = (fp + code[pc + 2]) << 1;
      F32[(fp + code[pc + 1]) << 1] = f32FromI64(I32[a], I32[a + 1]);
      return pc + 3;
    }
    case Op.f32_convert_i64_u: {
      const a = (fp + code[pc + 2]) << 1;
      F32[(fp + code[pc + 1]) << 1] = f32FromU64(I32[a], I32[a + 1]);
      return pc + 3;
    }
    case Op.load64_8_s:
    case Op.load64_8_u:
    case Op.load64_16_s:
    case Op.load64_16_u:
    case Op.load64_32_s:
    case Op.load64_32_u: {
      const mem = inst.memory;
      const ea = ((I32[(fp + code[pc + 2]) << 1] + code[pc + 3]) >>> 0) + (code[pc + 4] >>> 0);
      const size = op === Op.load64_8_s || op === Op.load64_8_u
        ? 1
        : op === Op.load64_16_s || op === Op.load64_16_u
        ? 2
        : 4;
      if (ea + size > mem.byteLength) return -T_MEM;
      const dv = mem.view;
      let v: number;
      let hi: number;
      switch (op) {
        case Op.load64_8_s:
          v = dv.getInt8(ea);
          hi = v >> 31;
          break;
        case Op.load64_8_u:
          v = dv.getUint8(ea);
          hi = 0;
          break;
        case Op.load64_16_s:
          v = dv.getInt16(ea, true);
          hi = v >> 31;
          break;
        case Op.load64_16_u:
          v = dv.getUint16(ea, true);
          hi = 0;
          break;
        case Op.load64_32_s:
          v = dv.getInt32(ea, true);
          hi = v >> 31;
          break;
        default:
          v = dv.getInt32(ea, true);
          hi = 0;
      }
      const d = (fp + code[pc + 1]) << 1;
      I32[d] = v;
      I32[d + 1] = hi;
      return pc + 5;
    }
    case Op.memory_size: {
      const m = inst.memories[code[pc + 2]];
      const d = (fp + code[pc + 1]) << 1;
      if (m.shared !== undefined) m.refresh();
      const pages = m.byteLength / m.pageSize;
      I32[d] = pages;
      if (m.address64) I32[d + 1] = pages / 4294967296;
      return pc + 3;
    }
    case Op.mem_load: {
      const m = inst.memories[code[pc + 3]];
      const kind = code[pc + 4];
      const ea = address(I32, (fp + code[pc + 2]) << 1, m.address64) +
        ((code[pc + 6] >>> 0) * 4294967296 + (code[pc + 5] >>> 0));
      if (ea + accessSize(kind) > m.byteLength) return -T_MEM;
      loadAs(kind, m.view, ea, I32, (fp + code[pc + 1]) << 1);
      return pc + 7;
    }
    case Op.mem_store: {
      const m = inst.memories[code[pc + 3]];
      const kind = code[pc + 4];
      const ea = address(I32, (fp + code[pc + 1]) << 1, m.address64) +
        ((code[pc + 6] >>> 0) * 4294967296 + (code[pc + 5] >>> 0));
      if (ea + accessSize(kind) > m.byteLength) return -T_MEM;
      const v = (fp + code[pc + 2]) << 1;
      const dv = m.view;
      if (kind === Op.store8) dv.setInt8(ea, I32[v]);
      else if (kind === Op.store16) dv.setInt16(ea, I32[v], true);
      else {
        dv.setInt32(ea, I32[v], true);
        if (kind === Op.store64) dv.setInt32(ea + 4, I32[v + 1], true);
      }
      return pc + 7;
    }
    case Op.mem_v128_load: {
      const m = inst.memories[code[pc + 4]];
      const ea = address(I32, (fp + code[pc + 3]) << 1, m.address64) +
        ((code[pc + 6] >>> 0) * 4294967296 + (code[pc + 5] >>> 0));
      const V = vm.v128File ?? v128Registers(vm);
      return simdLoad(V, m, code[pc + 2], fp + code[pc + 1], ea) ? pc + 7 : -T_MEM;
    }
    case Op.mem_v128_load_lane: {
      const m = inst.memories[code[pc + 5]];
      const ea = address(I32, (fp + code[pc + 3]) << 1, m.address64) +
        ((code[pc + 7] >>> 0) * 4294967296 + (code[pc + 6] >>> 0));
      const V = vm.v128File ?? v128Registers(vm);
      const d = fp + code[pc + 1];
      return simdLoadLane(V, m, code[pc + 2], d, fp + code[pc + 4], ea, code[pc + 8])
        ? pc + 9
        : -T_MEM;
    }
    case Op.mem_v128_store: {
      const m = inst.memories[code[pc + 4]];
      const ea = address(I32, (fp + code[pc + 2]) << 1, m.address64) +
        ((code[pc + 6] >>> 0) * 4294967296 + (code[pc + 5] >>> 0));
      const V = vm.v128File ?? v128Registers(vm);
      const s = fp + code[pc + 3];
      return simdStore(V, m, code[pc + 1], s, ea, code[pc + 7]) ? pc + 8 : -T_MEM;
    }
    case Op.table_index64: {
      const a = (fp + code[pc + 2]) << 1;
      I32[(fp + code[pc + 1]) << 1] = I32[a + 1] === 0 ? I32[a] : -1;
      return pc + 3;
    }
    case Op.table_get: {
      const t = inst.tables[code[pc + 2]];
      const i = I32[(fp + code[pc + 3]) << 1] >>> 0;
      if (i >= t.size) return -T_TABLE;
      // a GC table's value goes to the ref file
      if (t.refs !== null) refRegisters(vm)[fp + code[pc + 1]] = t.refs[i];
      else I32[(fp + code[pc + 1]) << 1] = t.elems[i];
      return pc + 4;
    }
    case Op.table_set: {
      const t = inst.tables[code[pc + 1]];
      const i = I32[(fp + code[pc + 2]) << 1] >>> 0;
      if (i >= t.size) return -T_TABLE;
      if (t.refs !== null) t.refs[i] = refRegisters(vm)[fp + code[pc + 3]];
      else t.elems[i] = I32[(fp + code[pc + 3]) << 1];
      return pc + 4;
    }
    case Op.table_size:
      I32[(fp + code[pc + 1]) << 1] = inst.tables[code[pc + 2]].size;
      return pc + 3;
    case Op.builtin: {
      const r = callBuiltin(vm, inst, code[pc + 1], code[pc + 2], code[pc + 3], fp + code[pc + 4]);
      return r === 0 ? pc + 5 : -r;
    }
    case Op.atomic: {
      const t = runAtomic(vm, inst, code, pc, fp, true);
      return t === 0 ? pc + 9 : -t;
    }
    case Op.atomic_store: {
      const t = runAtomic(vm, inst, code, pc, fp, false);
      return t === 0 ? pc + 7 : -t;
    }
    // GC: the hot ops here (their cases are in this jump table), the rest in `_gc_exec.ts`
    case Op.ref_mov: {
      const R = vm.refs ?? refRegisters(vm);
      R[fp + code[pc + 1]] = R[fp + code[pc + 2]];
      return pc + 3;
    }
    case Op.br_ref_nonnull:
      return (vm.refs ?? refRegisters(vm))[fp + code[pc + 1]] !== null ? pc + code[pc + 2] : pc + 3;
    case Op.br_ref_null:
      return (vm.refs ?? refRegisters(vm))[fp + code[pc + 1]] === null ? pc + code[pc + 2] : pc + 3;
    case Op.ref_test: {
      const v = (vm.refs ?? refRegisters(vm))[fp + code[pc + 2]];
      const d = (fp + code[pc + 1]) << 1;
      I32[d] = (v === null ? code[pc + 4] !== 0 : isOfHeapType(v, code[pc + 3])) ? 1 : 0;
      I32[d + 1] = 0;
      return pc + 5;
    }
    case Op.br_ref_test:
    case Op.br_ref_test_fail: {
      const v = (vm.refs ?? refRegisters(vm))[fp + code[pc + 1]];
      const ok = v === null ? code[pc + 3] !== 0 : isOfHeapType(v, code[pc + 2]);
      return ok === (code[pc] === Op.br_ref_test) ? pc + code[pc + 4] : pc + 5;
    }
    case Op.ref_cast: {
      const v = (vm.refs ?? refRegisters(vm))[fp + code[pc + 1]];
      const ok = v === null ? code[pc + 3] !== 0 : isOfHeapType(v, code[pc + 2]);
      return ok ? pc + 4 : -T_CAST;
    }
    case Op.struct_get: {
      const o = (vm.refs ?? refRegisters(vm))[fp + code[pc + 2]] as GcStruct | null;
      if (o === null) return -T_NULL_STRUCT;
      const k = code[pc + 4];
      const st = gcLayout(code[pc + 3]).storage[k];
      storeToSlot(vm, st, fp + code[pc + 1], o.fields[k], code[pc + 5] === 1);
      return pc + 6;
    }
    case Op.array_get: {
      const a = (vm.refs ?? refRegisters(vm))[fp + code[pc + 2]] as GcArray | null;
      if (a === null) return -T_NULL_ARRAY;
      const i = I32[(fp + code[pc + 3]) << 1] >>> 0;
      if (i >= a.length) return -T_ARRAY_BOUNDS;
      const st = gcLayout(code[pc + 4]).storage[0];
      storeToSlot(vm, st, fp + code[pc + 1], arrayElement(a.data, st, i), code[pc + 5] === 1);
      return pc + 6;
    }
    case Op.ref_select: {
      const R = vm.refs ?? refRegisters(vm);
      R[fp + code[pc + 1]] = I32[(fp + code[pc + 2]) << 1] !== 0
        ? R[fp + code[pc + 3]]
        : R[fp + code[pc + 4]];
      return pc + 5;
    }
    case Op.ref_null: {
      const R = vm.refs ?? refRegisters(vm);
      R[fp + code[pc + 1]] = null;
      return pc + 2;
    }
    case Op.ref_is_null_any: {
      const R = vm.refs ?? refRegisters(vm);
      setI32(I32, fp + code[pc + 1], R[fp + code[pc + 2]] === null ? 1 : 0);
      return pc + 3;
    }
    case Op.ref_eq: {
      const R = vm.refs ?? refRegisters(vm);
      setI32(I32, fp + code[pc + 1], R[fp + code[pc + 2]] === R[fp + code[pc + 3]] ? 1 : 0);
      return pc + 4;
    }
    case Op.ref_global_get: {
      const R = vm.refs ?? refRegisters(vm);
      R[fp + code[pc + 1]] = vm.refGlobals[inst.vmctx[code[pc + 2]]] ?? null;
      return pc + 3;
    }
    case Op.ref_global_set: {
      const R = vm.refs ?? refRegisters(vm);
      vm.refGlobals[inst.vmctx[code[pc + 1]]] = R[fp + code[pc + 2]];
      return pc + 3;
    }
    case Op.ref_i31: {
      const R = vm.refs ?? refRegisters(vm);
      R[fp + code[pc + 1]] = (I32[(fp + code[pc + 2]) << 1] << 1) >> 1;
      return pc + 3;
    }
    case Op.i31_get: {
      const R = vm.refs ?? refRegisters(vm);
      const v = R[fp + code[pc + 2]];
      if (v === null) return -T_NULL_I31;
      setI32(I32, fp + code[pc + 1], code[pc + 3] !== 0 ? v as number : (v as number) & 0x7fffffff);
      return pc + 4;
    }
    case Op.struct_new:
    case Op.struct_new_default: {
      const R = vm.refs ?? refRegisters(vm);
      const type = code[pc + 2];
      const st = gcLayout(type).storage;
      const fields = new Array<unknown>(st.length);
      if (code[pc] === Op.struct_new) {
        const base = fp + code[pc + 3];
        for (let k = 0; k < st.length; k++) fields[k] = loadStored(vm, st[k], base + k);
      } else {
        for (let k = 0; k < st.length; k++) fields[k] = defaultStored(st[k]);
      }
      R[fp + code[pc + 1]] = new GcStruct(type, fields);
      return pc + (code[pc] === Op.struct_new ? 4 : 3);
    }
    case Op.struct_set: {
      const R = vm.refs ?? refRegisters(vm);
      const o = R[fp + code[pc + 1]];
      if (o === null) return -T_NULL_STRUCT;
      const k = code[pc + 3];
      const st = gcLayout(code[pc + 2]).storage[k];
      (o as GcStruct).fields[k] = loadStored(vm, st, fp + code[pc + 4]);
      return pc + 5;
    }
    case Op.array_set: {
      const R = vm.refs ?? refRegisters(vm);
      const a = R[fp + code[pc + 1]] as GcArray | null;
      if (a === null) return -T_NULL_ARRAY;
      const i = I32[(fp + code[pc + 2]) << 1] >>> 0;
      if (i >= a.length) return -T_ARRAY_BOUNDS;
      const st = gcLayout(code[pc + 4]).storage[0];
      setArrayElement(a.data, st, i, loadStored(vm, st, fp + code[pc + 3]));
      return pc + 5;
    }
    case Op.array_len: {
      const R = vm.refs ?? refRegisters(vm);
      const a = R[fp + code[pc + 2]] as GcArray | null;
      if (a === null) return -T_NULL_ARRAY;
      setI32(I32, fp + code[pc + 1], a.length);
      return pc + 3;
    }
    case Op.array_new:
    case Op.array_new_default:
    case Op.array_new_fixed:
    case Op.array_new_data:
    case Op.array_new_elem:
    case Op.array_fill:
    case Op.array_copy:
    case Op.array_init_data:
    case Op.array_init_elem:
    case Op.ref_test_func:
    case Op.ref_cast_func:
    case Op.any_convert_extern:
    case Op.extern_convert_any:
      return runGc(vm, inst, code, pc, fp);
  }
  if (op >= FIRST_SIMD_OP && op <= LAST_SIMD_OP) {
    // not reached from `run`, which sends these to runSimd itself
    return runSimd(vm, inst, code, pc, fp);
  }
  throw new RangeError(`bad opcode ${op} at ${pc}`);
}

/**
 * A NaN made quiet (arithmetic), other values unchanged: `Math` functions may
 * return a signalling NaN operand as it is, but wasm requires an arithmetic NaN.
 *
 * @param x a float
 * @returns x, or a quiet NaN
 */
function quiet(x: number): number {
  return x === x ? x : x + x;
}

/**
 * A NaN replaced by the canonical NaN, other values unchanged. For `min` and
 * `max`: V8's optimised `Math.min`/`Math.max` may build their NaN result by
 * or-ing a mask, giving the all-ones NaN, which is arithmetic but not
 * canonical; wasm requires a canonical result when every NaN operand is
 * canonical, and a canonical NaN is always an allowed result.
 *
 * @param x a float
 * @returns x, or the canonical NaN
 */
function canonical(x: number): number {
  return x === x ? x : NaN;
}

/**
 * An address, length or page count in a register, as a number: an i32 read
 * as unsigned, an i64 (a 64-bit memory's) exact up to 2^53 and, above, past
 * every memory's size.
 *
 * @param I32 the register file's int32 view
 * @param at the int32 index of the slot's low half
 * @param is64 whether the value is an i64
 * @returns the value, in 0 ..= 2^64
 */
function address(I32: Int32Array, at: number, is64: boolean): number {
  return is64 ? (I32[at + 1] >>> 0) * 4294967296 + (I32[at] >>> 0) : I32[at] >>> 0;
}

/**
 * The bytes a memory access of kind `kind` (the memory-0 op with the same
 * access) reads or writes.
 */
function accessSize(kind: number): number {
  switch (kind) {
    case Op.load8_s:
    case Op.load8_u:
    case Op.load64_8_s:
    case Op.load64_8_u:
    case Op.store8:
      return 1;
    case Op.load16_s:
    case Op.load16_u:
    case Op.load64_16_s:
    case Op.load64_16_u:
    case Op.store16:
      return 2;
    case Op.load64:
    case Op.store64:
      return 8;
    default:
      return 4;
  }
}

/**
 * Loads as the memory-0 op `kind` does, from a checked address, into the
 * slot whose low int32 is `d`.
 */
function loadAs(kind: number, dv: DataView, ea: number, I32: Int32Array, d: number): void {
  switch (kind) {
    case Op.load32:
      I32[d] = dv.getInt32(ea, true);
      return;
    case Op.load8_s:
      I32[d] = dv.getInt8(ea);
      return;
    case Op.load8_u:
      I32[d] = dv.getUint8(ea);
      return;
    case Op.load16_s:
      I32[d] = dv.getInt16(ea, true);
      return;
    case Op.load16_u:
      I32[d] = dv.getUint16(ea, true);
      return;
    case Op.load64:
      I32[d] = dv.getInt32(ea, true);
      I32[d + 1] = dv.getInt32(ea + 4, true);
      return;
  }
  // the i64 loads of 1, 2 or 4 bytes, extended
  let v: number;
  let signed = true;
  switch (kind) {
    case Op.load64_8_s:
      v = dv.getInt8(ea);
      break;
    case Op.load64_8_u:
      v = dv.getUint8(ea);
      signed = false;
      break;
    case Op.load64_16_s:
      v = dv.getInt16(ea, true);
      break;
    case Op.load64_16_u:
      v = dv.getUint16(ea, true);
      signed = false;
      break;
    case Op.load64_32_s:
      v = dv.getInt32(ea, true);
      break;
    default:
      v = dv.getInt32(ea, true);
      signed = false;
  }
  I32[d] = v;
  I32[d + 1] = signed ? v >> 31 : 0;
}

/**
 * Runs a builtin function (see `@capstan/environ` `BUILTINS`, whose order
 * the cases follow).
 *
 * @param vm the VM
 * @param inst the current instance
 * @param id the builtin index
 * @param s0 first static operand
 * @param s1 second static operand
 * @param base absolute slot of the first run-time operand (and of the result)
 * @returns 0, or a trap code
 */
export function callBuiltin(
  vm: Vm,
  inst: VmInstance,
  id: number,
  s0: number,
  s1: number,
  base: number,
): number {
  const I32 = vm.i32;
  const b = base << 1;
  const a0 = I32[b] >>> 0;
  const a1 = I32[b + 2] >>> 0;
  const a2 = I32[b + 4] >>> 0;
  switch (id) {
    // memory builtins: s0 = the memory (memory.copy: s0 the destination, s1 the source);
    // a 64-bit memory's addresses and sizes are i64
    case B.memory_grow: {
      const m = inst.memories[s0];
      const old = m.grow(address(I32, b, m.address64));
      I32[b] = old;
      if (m.address64) I32[b + 1] = old < 0 ? -1 : old / 4294967296;
      return 0;
    }
    case B.memory_fill: {
      const m = inst.memories[s0];
      const d = address(I32, b, m.address64);
      const n = address(I32, b + 4, m.address64);
      if (d + n > m.byteLength) return T_MEM;
      m.bytes.fill(a1 & 0xff, d, d + n);
      return 0;
    }
    case B.memory_copy: {
      const dm = inst.memories[s0];
      const sm = inst.memories[s1];
      const d = address(I32, b, dm.address64);
      const s = address(I32, b + 2, sm.address64);
      const n = address(I32, b + 4, dm.address64 && sm.address64);
      if (d + n > dm.byteLength || s + n > sm.byteLength) return T_MEM;
      if (dm === sm) dm.bytes.copyWithin(d, s, s + n);
      else dm.bytes.set(sm.bytes.subarray(s, s + n), d);
      return 0;
    }
    case B.memory_init: {
      const m = inst.memories[s0];
      const seg = inst.datas[s1];
      const d = address(I32, b, m.address64);
      if (a1 + a2 > seg.length || d + a2 > m.byteLength) return T_MEM;
      m.bytes.set(seg.subarray(a1, a1 + a2), d);
      return 0;
    }
    case B.data_drop:
      inst.datas[s0] = EMPTY_BYTES;
      return 0;
    // table builtins: a GC table's values (`VmTable.refs`) are in the ref file
    case B.table_grow: {
      const t = inst.tables[s0];
      I32[b] = t.grow(a1, t.refs === null ? I32[b] : refRegisters(vm)[base]);
      I32[b + 1] = 0;
      return 0;
    }
    case B.table_fill: {
      const t = inst.tables[s0];
      if (a0 + a2 > t.size) return T_TABLE;
      if (t.refs !== null) t.refs.fill(refRegisters(vm)[base + 1], a0, a0 + a2);
      else t.elems.fill(I32[b + 2], a0, a0 + a2);
      return 0;
    }
    case B.table_copy: {
      const dt = inst.tables[s0];
      const st = inst.tables[s1];
      if (a0 + a2 > dt.size || a1 + a2 > st.size) return T_TABLE;
      if (dt.refs !== null) copyRefs(dt.refs, a0, st.refs!, a1, a2);
      else if (dt === st) dt.elems.copyWithin(a0, a1, a1 + a2);
      else dt.elems.set(st.elems.subarray(a1, a1 + a2), a0);
      return 0;
    }
    case B.table_init: {
      const t = inst.tables[s0];
      if (t.refs !== null) {
        const seg = inst.refElems[s1];
        if (a1 + a2 > seg.length || a0 + a2 > t.size) return T_TABLE;
        copyRefs(t.refs, a0, seg, a1, a2);
        return 0;
      }
      const seg = inst.elems[s1];
      if (a1 + a2 > seg.length || a0 + a2 > t.size) return T_TABLE;
      t.elems.set(seg.subarray(a1, a1 + a2), a0);
      return 0;
    }
    case B.elem_drop:
      inst.elems[s0] = EMPTY_ELEMS;
      if (s0 < inst.refElems.length) inst.refElems[s0] = [];
      return 0;
    case B.out_of_gas:
      return T_FUEL;
    case B.new_epoch:
      return T_INTERRUPT;
    case B.raise:
      return a0;
  }
  throw new RangeError(`bad builtin ${id}`);
}
