/**
 * The hot dispatch function must stay optimisable by TurboFan (under V8's
 * max-optimized-bytecode-size; DESIGN.md "Performance stance"). Needs V8
 * natives syntax, so it runs in its own invocation:
 *
 *     deno test -A --v8-flags=--allow-natives-syntax interpreter/dispatch_opt_test.ts
 *
 * Without the flag the test is reported as ignored, not passed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { run } from "./_dispatch.ts";
import { BytecodeEncoder, Op, Vm, VmFunc, VmInstance, VmMemory, VmTable } from "./mod.ts";
import { optimizationStatus, turbofanBits } from "./_v8_natives_test_util.ts";

const status = optimizationStatus;

Deno.test({
  name: "the dispatch function is optimised by TurboFan after warm-up",
  ignore: status === undefined,
  fn() {
    // sum = 0; for (i = n; i != 0; i--) sum += i * 3 ^ i; with a load/store each round
    const e = new BytecodeEncoder();
    e.emit(Op.enter, 1, 4, 6);
    const loop = e.pos;
    e.emit(Op.i32_mul_i, 2, 0, 3);
    e.emit(Op.i32_xor, 2, 2, 0);
    e.emit(Op.i32_add, 1, 1, 2);
    e.emit(Op.store32, 3, 1, 0, 16);
    e.emit(Op.load32, 3, 3, 0, 16);
    e.emit(Op.i64_add, 4, 4, 4);
    e.emit(Op.f64_add, 5, 5, 5);
    e.emit(Op.i32_add_i, 0, 0, -1);
    const br = e.pos;
    e.emit(Op.br_ne_i, 0, 0, loop - br);
    e.emit(Op.mov, 0, 1);
    e.emit(Op.return);
    const vm = new Vm();
    const inst = new VmInstance(
      e.finish(),
      new Int32Array(4),
      new VmMemory(1),
      [new VmTable(0)],
      [],
      [],
    );
    vm.addInstance(inst);
    const h = vm.addFunc(new VmFunc(1, inst, 0, -1, 1));
    let sum = 0;
    for (let i = 0; i < 5000; i++) {
      const base = vm.callStart(h);
      vm.i32[2 * base] = 200;
      assert.equal(vm.callRun().kind, "return");
      sum += vm.i32[2 * base];
      vm.callEnd();
    }
    assert.ok(sum !== 0);
    // install finished concurrent compile jobs, then run once more
    new Function("%FinalizeOptimization()")();
    const base = vm.callStart(h);
    vm.i32[2 * base] = 10;
    vm.callRun();
    vm.callEnd();
    const s = status!(run);
    const tf = turbofanBits();
    assert.notEqual(tf & ~1, 0);
    assert.equal(
      s & tf,
      tf,
      `run() status 0b${s.toString(2)} lacks TurboFan's 0b${tf.toString(2)}`,
    );
  },
});
