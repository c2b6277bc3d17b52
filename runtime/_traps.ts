/**
 * Traps raised for wasm execution and their backtraces: the VM's frames
 * turned into function indices, names and module offsets.
 *
 * Invariants:
 * - A trap made here is remembered as a wasm trap; only those grow: when one
 *   unwinds through a host call, the frames of the wasm call stopped at that
 *   host call are appended ({@link extendBacktrace}), so the backtrace spans
 *   every wasm frame between the trap and the host entry. A `Trap` a host
 *   function throws itself passes through unchanged.
 * - Backtraces are read from the VM before `callEnd` restores its state.
 *
 * @module
 */

import { TrapCode } from "@capstan/environ";
import type { VmFrame } from "@capstan/interpreter";
import type { Store } from "./store.ts";
import { type FrameInfo, Trap } from "./trap.ts";

/**
 * Turns the VM's frames into backtrace entries (function index, name,
 * module offset).
 *
 * @param store the store
 * @param frames the VM's frames, innermost first
 * @returns the backtrace
 */
export function backtraceOf(store: Store<unknown>, frames: readonly VmFrame[]): FrameInfo[] {
  const out: FrameInfo[] = [];
  let boundary = false;
  for (const { instance, pc, stackBoundary } of frames) {
    if (stackBoundary === true) {
      boundary = true; // a continuation's stack ended: the next frame is its parent's
      continue;
    }
    const inst = store._instances[instance.id];
    const cm = inst.module._compiled;
    const names = inst.module.translation.names;
    const funcIndex = cm.funcAt(pc)?.funcIndex ?? -1;
    const offset = cm.wasmOffsetAt(pc);
    const frame: FrameInfo = {
      funcIndex,
      funcName: names.functions.get(funcIndex),
      moduleName: names.module,
      moduleOffset: offset < 0 ? undefined : offset,
    };
    out.push(boundary ? { ...frame, parentStack: true } : frame);
    boundary = false;
  }
  return out;
}

/** Traps the runtime raised for wasm execution (their backtraces grow as they unwind). */
const wasmTraps = new WeakSet<Trap>();

/**
 * The trap of the VM's current state, with the backtrace of its frames.
 *
 * @param store the store
 * @param code the trap code
 * @returns the trap, to throw
 */
export function trapHere(store: Store<unknown>, code: number): Trap {
  const trap = new Trap(code, backtraceOf(store, store._vm.backtrace()));
  wasmTraps.add(trap);
  return trap;
}

/**
 * The trap of an entry refused because too many are active: no frames of
 * its own; each host call it unwinds through adds its wasm frames.
 *
 * @returns the trap, to throw
 */
export function entryStackOverflow(): Trap {
  const trap = new Trap(TrapCode.StackOverflow);
  wasmTraps.add(trap);
  return trap;
}

/**
 * Adds the frames of the call stopped at a host call to a wasm trap that
 * unwinds through that host call, so the backtrace spans every wasm frame.
 *
 * @param store the store
 * @param e what the host call threw
 */
export function extendBacktrace(store: Store<unknown>, e: unknown): void {
  if (!(e instanceof Trap) || !wasmTraps.has(e)) return;
  // The innermost frame stopped after its call instruction: point inside it.
  const frames = store._vm.backtrace().map((f, i) => i === 0 ? { ...f, pc: f.pc - 1 } : f);
  e._appendFrames(backtraceOf(store, frames));
}

/**
 * A wasm trap with the given frames (code of another tier builds its own
 * backtrace); it grows as {@link extendBacktrace} says.
 *
 * @param code the trap code
 * @param frames its backtrace, innermost first
 * @returns the trap, to throw
 */
export function wasmTrap(code: number, frames: FrameInfo[]): Trap {
  const trap = new Trap(code, frames);
  wasmTraps.add(trap);
  return trap;
}

/**
 * Adds frames to a wasm trap unwinding through a call (what
 * {@link extendBacktrace} does with the VM's frames, for another tier's).
 *
 * @param e what the call threw
 * @param frames the frames stopped at that call, innermost first
 */
export function appendWasmFrames(e: unknown, frames: readonly FrameInfo[]): void {
  if (e instanceof Trap && wasmTraps.has(e)) e._appendFrames(frames);
}
