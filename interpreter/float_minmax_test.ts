/**
 * f32/f64 `min` and `max` of a canonical NaN must give a canonical NaN in
 * every tier of V8, including after TurboFan has compiled the dispatch
 * function (its `Math.min`/`Math.max` lowering can produce the all-ones NaN).
 * With `--allow-natives-syntax` (the test task sets it) the dispatch function
 * is forced through TurboFan; without it, a long warm-up stands in.
 *
 * @module
 */
import assert from "node:assert/strict";
import { run } from "./_dispatch.ts";
import { BytecodeEncoder, Op, Vm, VmFunc, VmInstance, VmMemory, VmTable } from "./mod.ts";

const CANONICAL_F64_HI = 0x7ff80000;
const CANONICAL_F32 = 0x7fc00000;

function natives(source: string): ((f: unknown) => unknown) | undefined {
  try {
    return new Function("f", source) as (f: unknown) => unknown;
  } catch {
    return undefined;
  }
}
const prepare = natives("%PrepareFunctionForOptimization(f)");
const optimize = natives("%OptimizeFunctionOnNextCall(f)");

/** A VM running one two-operand function `r0 = op(r0, r1)`. */
function binaryFunction(op: number): { vm: Vm; call: (a: number, b: number) => Int32Array } {
  const e = new BytecodeEncoder();
  e.emit(Op.enter, 2, 2, 4);
  e.emit(op, 0, 0, 1);
  e.emit(Op.return);
  const vm = new Vm();
  const inst = new VmInstance(
    e.finish(),
    new Int32Array(4),
    new VmMemory(0),
    [new VmTable(0)],
    [],
    [],
  );
  vm.addInstance(inst);
  const h = vm.addFunc(new VmFunc(1, inst, 0, -1, 2));
  const f64 = new Float64Array(vm.i32.buffer, vm.i32.byteOffset);
  const f32 = new Float32Array(vm.i32.buffer, vm.i32.byteOffset);
  const is32 = op === Op.f32_min || op === Op.f32_max;
  return {
    vm,
    call(a, b) {
      const base = vm.callStart(h);
      if (is32) {
        f32[2 * base] = a;
        f32[2 * base + 2] = b;
      } else {
        f64[base] = a;
        f64[base + 1] = b;
      }
      assert.equal(vm.callRun().kind, "return");
      const bits = vm.i32.slice(2 * base, 2 * base + 2);
      vm.callEnd();
      return bits;
    },
  };
}

for (const name of ["f32_min", "f32_max", "f64_min", "f64_max"] as const) {
  Deno.test(`${name} of a canonical NaN is canonical, also once the VM is optimised`, () => {
    const { call } = binaryFunction(Op[name]);
    const is32 = name.startsWith("f32");
    const check = (bits: Int32Array, when: string) => {
      if (is32) {
        assert.equal(
          bits[0] & 0x7fffffff,
          CANONICAL_F32,
          `${when}: 0x${(bits[0] >>> 0).toString(16)}`,
        );
      } else {
        assert.equal(bits[0], 0, `${when}: low half 0x${(bits[0] >>> 0).toString(16)}`);
        assert.equal(
          bits[1] & 0x7fffffff,
          CANONICAL_F64_HI,
          `${when}: 0x${(bits[1] >>> 0).toString(16)}`,
        );
      }
    };
    check(call(NaN, 1), "cold");
    prepare?.(run);
    for (let i = 0; i < 20_000; i++) {
      call(i, -i); // ordinary values keep the optimised code on its fast path
      if ((i & 1023) === 0) check(call(NaN, i), `warm-up ${i}`);
    }
    optimize?.(run);
    check(call(NaN, 2), "optimised, NaN first");
    check(call(3, NaN), "optimised, NaN second");
    const plain = call(1.5, -2.5);
    assert.equal(
      is32 ? new Float32Array(plain.buffer)[0] : new Float64Array(plain.buffer)[0],
      name.endsWith("min") ? -2.5 : 1.5,
    );
  });
}
