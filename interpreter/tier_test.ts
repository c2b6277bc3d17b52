/**
 * V8 must run the dispatch loop of a long wasm call in `run`'s own TurboFan
 * code, not in on-stack-replacement (OSR) code, which is 20-35% slower: the
 * VM cuts a call into slices (`Vm.sliceSteps`), and each slice is a fresh
 * `run` call that enters the newest optimised code. Without slices, one long
 * call from a cold start leaves `run` itself unoptimised (the loop runs in
 * OSR code only). Needs V8 natives syntax and a fresh isolate (its own test
 * file, no other test warms `run` first):
 *
 *     deno test -A --v8-flags=--allow-natives-syntax interpreter/tier_test.ts
 *
 * Without the flag the test is reported as ignored, not passed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { run } from "./_dispatch.ts";
import { BytecodeEncoder, Op, Vm, VmFunc, VmInstance, VmMemory, VmTable } from "./mod.ts";
import { native, optimizationStatus, turbofanBits } from "./_v8_natives_test_util.ts";

const status = optimizationStatus;
const finalize = native("%FinalizeOptimization(); return 0");

Deno.test({
  name: "one long wasm call from a cold start gets run() compiled by TurboFan (not only OSR code)",
  ignore: status === undefined,
  fn() {
    // sum = 0; for (i = n; i != 0; i--) { sum += i * 3 ^ i; store/load sum }
    const e = new BytecodeEncoder();
    e.emit(Op.enter, 1, 4, 6);
    const loop = e.pos;
    e.emit(Op.i32_mul_i, 2, 0, 3);
    e.emit(Op.i32_xor, 2, 2, 0);
    e.emit(Op.i32_add, 1, 1, 2);
    e.emit(Op.store32, 3, 1, 0, 16);
    e.emit(Op.load32, 1, 3, 0, 16);
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
    const sum = (n: number) => {
      const base = vm.callStart(h);
      vm.i32[2 * base] = n;
      assert.equal(vm.callRun().kind, "return");
      const got = vm.i32[2 * base];
      vm.callEnd();
      return got;
    };
    // two short calls (every path of the program taken once, as any real
    // program does before its long loop), then one long call
    const ref = (n: number) => {
      let s = 0;
      for (let i = n; i !== 0; i--) s = (s + (Math.imul(i, 3) ^ i)) | 0;
      return s;
    };
    assert.equal(sum(3), 16);
    assert.equal(sum(4), ref(4));
    assert.equal(sum(40_000_000), ref(40_000_000));
    finalize!();
    const s = status!(run);
    const tf = turbofanBits();
    assert.notEqual(tf & ~1, 0);
    assert.equal(
      s & tf,
      tf,
      `after one long call run() status 0b${s.toString(2)} lacks TurboFan's 0b${tf.toString(2)}`,
    );
  },
});
