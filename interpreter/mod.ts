/**
 * `@capstan/interpreter`: Capstan's bytecode and the virtual machine that
 * runs it. The instruction set is declared once ({@link BYTECODE_OPS}); the
 * opcode numbers ({@link Op}), encoder ({@link BytecodeEncoder}), decoder
 * ({@link decodeInstruction}) and disassembler ({@link disassemble}) are
 * derived from it. The {@link Vm} runs code with `callStart` / `callRun` /
 * `callEnd` and reports a {@link DoneReason}; values go into and come out of
 * its slots through the slot codec ({@link writeSlot}, {@link readSlot}).
 *
 * @module
 */

export * from "./ops.ts";
export { Op, OPCODE_COUNT } from "./_opcodes.ts";
export * from "./encoding.ts";
export * from "./disassemble.ts";
export * from "./vm.ts";
export * from "./vm_objects.ts";
export * from "./slots.ts";
export * from "./wasm_math.ts";
export { simdOpName, v128Registers } from "./simd.ts";
export * from "./gc_objects.ts";
export { displayOf, isSubtypeId } from "./gc_display.ts";
export { copyRefs, loadStored, refRegisters, runGc, storeToSlot } from "./_gc_exec.ts";
export * from "./simd_math.ts";
export { simdLoad, simdLoadLane, simdStore } from "./_simd_memory.ts";
export { exnHandle } from "./_exceptions.ts";
export {
  CONT_BOTTOM,
  type ContLink,
  RESUME_HANDLER,
  type VmContinuations,
} from "./_continuations.ts";
