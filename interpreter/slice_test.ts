/**
 * Tests of `run`'s slices (`Vm.sliceSteps`, `EXIT_SLICE`): a wasm call cut
 * into slices of any size, down to one step, computes the same results, makes
 * the same host calls and reports the same traps as one uncut run.
 *
 * @module
 */
import assert from "node:assert/strict";
import { TrapCode } from "@capstan/environ";
import {
  BytecodeEncoder,
  DEFAULT_SLICE_STEPS,
  Op,
  Vm,
  VmFunc,
  VmInstance,
  VmMemory,
  VmTable,
} from "./mod.ts";

/**
 * f(n, d) = Σ_{i=n..1} (g(i) + 22/d + h(i)) with g(x) = 3x a wasm call,
 * 22/d an i64 division (an extended op) and h(x) = x + 1000 a host call.
 * Taken branches, calls, extended ops and host exits in every iteration.
 */
function setup(sliceSteps: number) {
  const e = new BytecodeEncoder();
  const g = e.pos;
  e.emit(Op.enter, 1, 1, 2);
  e.emit(Op.i32_mul_i, 0, 0, 3);
  e.emit(Op.return);
  const f = e.pos;
  e.emit(Op.enter, 2, 8, 16); // r0 n, r1 d (i64), r2 sum, r3 22 (i64), r4 quotient
  e.emit(Op.const64, 3, 22, 0);
  const loop = e.pos;
  e.emit(Op.mov, 8, 0);
  e.emit(Op.call, g, 8);
  e.emit(Op.i32_add, 2, 2, 8);
  e.emit(Op.i64_div_s, 4, 3, 1);
  e.emit(Op.i32_add, 2, 2, 4);
  e.emit(Op.mov, 9, 0);
  e.emit(Op.call_import, 0, 9);
  e.emit(Op.i32_add, 2, 2, 9);
  e.emit(Op.i32_add_i, 0, 0, -1);
  const br = e.pos;
  e.emit(Op.br_ne_i, 0, 0, loop - br);
  e.emit(Op.mov, 0, 2);
  e.emit(Op.return);
  const vm = new Vm();
  vm.sliceSteps = sliceSteps;
  const vmctx = new Int32Array(4);
  const inst = new VmInstance(e.finish(), vmctx, new VmMemory(1), [new VmTable(0)], [], []);
  vm.addInstance(inst);
  vmctx[0] = vm.addFunc(new VmFunc(2, null, -1, 7, 1));
  const handle = vm.addFunc(new VmFunc(1, inst, f, -1, 2));
  return { vm, handle };
}

/** Calls f(n, d); answers host calls; returns the result or the trap, and the host calls made. */
function callF(vm: Vm, handle: number, n: number, d: bigint) {
  const base = vm.callStart(handle);
  vm.i32[2 * base] = n;
  vm.i64[base + 1] = d;
  let hostCalls = 0;
  let r = vm.callRun();
  while (r.kind === "host") {
    assert.equal(r.func.hostId, 7);
    hostCalls++;
    vm.i32[2 * r.base] += 1000;
    r = vm.callRun();
  }
  const out = r.kind === "return" ? { value: vm.i32[2 * base] } : { trap: r };
  vm.callEnd();
  return { ...out, hostCalls };
}

Deno.test("a wasm call cut into slices of any size computes what one uncut run computes", () => {
  const n = 300;
  const expected = 4 * (n * (n + 1) / 2) + 1003 * n;
  for (const steps of [0, 1, 2, 3, 7, 64, DEFAULT_SLICE_STEPS, 2 ** 30]) {
    const { vm, handle } = setup(steps);
    const got = callF(vm, handle, n, 7n);
    assert.deepEqual(got, { value: expected, hostCalls: n }, `sliceSteps ${steps}`);
    assert.equal(vm.depth, 0);
  }
});

Deno.test("a trap after many slices is reported with its code and pc, as without slices", () => {
  const traps = [1, 5, 2 ** 30].map((steps) => {
    const { vm, handle } = setup(steps);
    const got = callF(vm, handle, 50, 0n);
    assert.equal(got.hostCalls, 0);
    return got.trap;
  });
  assert.equal(traps[0]?.kind, "trap");
  assert.equal(traps[0]?.kind === "trap" && traps[0].code, TrapCode.IntegerDivisionByZero);
  assert.deepEqual(traps[1], traps[0]);
  assert.deepEqual(traps[2], traps[0]);
});

Deno.test("the slice counter lives past the last register slot: the stack limit is unchanged", () => {
  const vm = new Vm({ maxWasmStack: 64 * 1024 });
  assert.equal(vm.regLimit, 8192);
  // the counter word is the high half of a slot that no frame can reach
  assert.ok(vm.i32.length - 1 >= 2 * (vm.regLimit + 65536));
});
