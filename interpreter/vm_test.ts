/**
 * Tests of the VM on hand-encoded bytecode: op families against references (i64 against BigInt),
 * edge cases (INT_MIN/-1, division by zero, NaN payloads, truncation bounds, bounds checks at the
 * last byte), stack exhaustion, host calls and re-entry, fuel/epoch exits, backtraces.
 *
 * @module
 */
import assert from "node:assert/strict";
import { TrapCode } from "@capstan/environ";
import {
  BYTECODE_OPS,
  BytecodeEncoder,
  type DoneReason,
  Op,
  Vm,
  VmFunc,
  VmInstance,
  VmMemory,
  VmTable,
} from "./mod.ts";

type Build = (e: BytecodeEncoder) => void;

/** A VM with one instance whose code is built by `build`; function 1 starts at address 0. */
function setup(
  build: Build,
  options: { maxWasmStack?: number; vmctx?: number[]; metered?: boolean; epochs?: boolean } = {},
) {
  const e = new BytecodeEncoder();
  build(e);
  const vm = new Vm({
    maxWasmStack: options.maxWasmStack,
    metered: options.metered,
    epochs: options.epochs,
  });
  const vmctx = Int32Array.from(options.vmctx ?? new Array(16).fill(0));
  const inst = new VmInstance(e.finish(), vmctx, new VmMemory(1, 2), [new VmTable(4)], [], []);
  vm.addInstance(inst);
  const handle = vm.addFunc(new VmFunc(1, inst, 0, -1, 4));
  return { vm, inst, handle };
}

/** Calls `handle` with raw 64-bit args; returns the DoneReason and the 4 result slots. */
function call(vm: Vm, handle: number, args: bigint[]): { r: DoneReason; out: bigint[] } {
  const base = vm.callStart(handle);
  args.forEach((a, i) => (vm.i64[base + i] = BigInt.asIntN(64, a)));
  const r = vm.callRun();
  const out = [0, 1, 2, 3].map((i) => BigInt.asUintN(64, vm.i64[base + i]));
  vm.callEnd();
  return { r, out };
}

/** Runs the binary (or unary, when b is undefined) op `op` on raw bits; returns raw result or a trap code. */
function runOp(op: number, a: bigint, b?: bigint): bigint | { trap: number } {
  const { vm, handle } = setup((e) => {
    e.emit(Op.enter, 2, 2, 8);
    if (b === undefined) e.emit(op, 2, 0);
    else e.emit(op, 2, 0, 1);
    e.emit(Op.mov64, 0, 2);
    e.emit(Op.return);
  });
  const { r, out } = call(vm, handle, b === undefined ? [a] : [a, b]);
  if (r.kind === "trap") return { trap: r.code };
  assert.equal(r.kind, "return");
  return out[0];
}

const M64 = (1n << 64n) - 1n;
const s64 = (x: bigint) => BigInt.asIntN(64, x);
const u64 = (x: bigint) => BigInt.asUintN(64, x);
const I64_SAMPLES = [
  0n,
  1n,
  2n,
  3n,
  7n,
  31n,
  32n,
  33n,
  63n,
  64n,
  65n,
  0x7fffffffn,
  0x80000000n,
  0xffffffffn,
  0x100000000n,
  0x123456789abcdefn,
  0x7fffffffffffffffn,
  0x8000000000000000n,
  M64,
  M64 - 1n,
  0xfedcba9876543210n,
  0x00000001fffffffen,
];

Deno.test("i64 arithmetic, bitwise, shift and compare ops match a BigInt reference", () => {
  const bool = (c: boolean) => (c ? 1n : 0n);
  const ref: Record<string, (a: bigint, b: bigint) => bigint> = {
    i64_add: (a, b) => u64(a + b),
    i64_sub: (a, b) => u64(a - b),
    i64_mul: (a, b) => u64(a * b),
    i64_and: (a, b) => a & b,
    i64_or: (a, b) => a | b,
    i64_xor: (a, b) => a ^ b,
    i64_shl: (a, b) => u64(a << (b & 63n)),
    i64_shr_u: (a, b) => a >> (b & 63n),
    i64_shr_s: (a, b) => u64(s64(a) >> (b & 63n)),
    i64_rotl: (a, b) => u64((a << (b & 63n)) | (a >> ((64n - (b & 63n)) & 63n))),
    i64_rotr: (a, b) => u64((a >> (b & 63n)) | (a << ((64n - (b & 63n)) & 63n))),
    i64_eq: (a, b) => bool(a === b),
    i64_ne: (a, b) => bool(a !== b),
    i64_lt_s: (a, b) => bool(s64(a) < s64(b)),
    i64_lt_u: (a, b) => bool(a < b),
    i64_gt_s: (a, b) => bool(s64(a) > s64(b)),
    i64_gt_u: (a, b) => bool(a > b),
    i64_le_s: (a, b) => bool(s64(a) <= s64(b)),
    i64_le_u: (a, b) => bool(a <= b),
    i64_ge_s: (a, b) => bool(s64(a) >= s64(b)),
    i64_ge_u: (a, b) => bool(a >= b),
  };
  for (const [name, f] of Object.entries(ref)) {
    for (const a of I64_SAMPLES) {
      for (const b of I64_SAMPLES) {
        const got = runOp(Op[name as keyof typeof Op], a, b);
        const want = f(a, b);
        const isCmp = /_(eq|ne|[lg][te]_[su])$/.test(name);
        const g = isCmp && typeof got === "bigint" ? got & 0xffffffffn : got;
        assert.equal(g, want, `${name}(${a}, ${b})`);
      }
    }
  }
});

Deno.test("i64 division and remainder match BigInt and trap on zero and overflow", () => {
  for (const a of I64_SAMPLES) {
    for (const b of I64_SAMPLES) {
      if (b === 0n) {
        for (const op of [Op.i64_div_s, Op.i64_div_u, Op.i64_rem_s, Op.i64_rem_u]) {
          assert.deepEqual(runOp(op, a, b), { trap: TrapCode.IntegerDivisionByZero });
        }
        continue;
      }
      assert.equal(runOp(Op.i64_div_u, a, b), a / b);
      assert.equal(runOp(Op.i64_rem_u, a, b), a % b);
      assert.equal(runOp(Op.i64_rem_s, a, b), u64(s64(a) % s64(b)));
      if (s64(a) === -(1n << 63n) && s64(b) === -1n) {
        assert.deepEqual(runOp(Op.i64_div_s, a, b), { trap: TrapCode.IntegerOverflow });
      } else assert.equal(runOp(Op.i64_div_s, a, b), u64(s64(a) / s64(b)));
    }
  }
});

Deno.test("i64 clz, ctz, popcnt and sign extensions match BigInt", () => {
  for (const a of I64_SAMPLES) {
    const bits = a.toString(2).padStart(64, "0");
    assert.equal(runOp(Op.i64_clz, a), BigInt(a === 0n ? 64 : bits.indexOf("1")));
    assert.equal(runOp(Op.i64_ctz, a), BigInt(a === 0n ? 64 : 63 - bits.lastIndexOf("1")));
    assert.equal(runOp(Op.i64_popcnt, a), BigInt([...bits].filter((c) => c === "1").length));
    assert.equal(runOp(Op.i64_extend8_s, a), u64(BigInt.asIntN(8, a)));
    assert.equal(runOp(Op.i64_extend16_s, a), u64(BigInt.asIntN(16, a)));
    assert.equal(runOp(Op.i64_extend32_s, a), u64(BigInt.asIntN(32, a)));
  }
});

Deno.test("i32 div/rem: INT_MIN / -1 traps overflow, INT_MIN % -1 is 0, x / 0 traps", () => {
  const low = (r: bigint | { trap: number }) =>
    typeof r === "bigint" ? Number(r & 0xffffffffn) | 0 : r;
  assert.deepEqual(runOp(Op.i32_div_s, 0x80000000n, 0xffffffffn), {
    trap: TrapCode.IntegerOverflow,
  });
  assert.equal(low(runOp(Op.i32_rem_s, 0x80000000n, 0xffffffffn)), 0);
  assert.deepEqual(runOp(Op.i32_div_u, 5n, 0n), { trap: TrapCode.IntegerDivisionByZero });
  assert.deepEqual(runOp(Op.i32_rem_s, 5n, 0n), { trap: TrapCode.IntegerDivisionByZero });
  assert.equal(low(runOp(Op.i32_div_s, BigInt(-7 >>> 0), 2n)), -3);
  assert.equal(low(runOp(Op.i32_rem_s, BigInt(-7 >>> 0), 2n)), -1);
  assert.equal(low(runOp(Op.i32_div_u, 0xfffffff9n, 2n)), 0x7ffffffc);
  assert.equal(low(runOp(Op.i32_rotl, 0x80000001n, 1n)), 3);
  assert.equal(low(runOp(Op.i32_rotr, 1n, 33n)), 0x80000000 | 0);
});

Deno.test("moves, neg, abs and copysign keep NaN payload bits", () => {
  const snan64 = 0x7ff4000000000001n;
  assert.equal(runOp(Op.mov64, snan64), snan64);
  assert.equal(runOp(Op.f64_neg, snan64), snan64 | (1n << 63n));
  assert.equal(runOp(Op.f64_abs, snan64 | (1n << 63n)), snan64);
  assert.equal(runOp(Op.f64_copysign, snan64, 1n << 63n), snan64 | (1n << 63n));
  const snan32 = 0x7fa00001n;
  assert.equal(runOp(Op.mov, snan32)! as bigint & 0xffffffffn, snan32);
  assert.equal((runOp(Op.f32_neg, snan32) as bigint) & 0xffffffffn, snan32 | 0x80000000n);
  assert.equal((runOp(Op.f32_abs, snan32 | 0x80000000n) as bigint) & 0xffffffffn, snan32);
});

Deno.test("f64 rounding ops give arithmetic NaNs for a signalling NaN", () => {
  for (const op of [Op.f64_floor, Op.f64_ceil, Op.f64_trunc, Op.f64_nearest]) {
    const r = runOp(op, 0x7ff4000000000001n) as bigint;
    assert.equal((r >> 51n) & 0xfffn, 0xfffn, `quiet bit set by op ${op}`);
  }
});

const f64bits = (x: number) => new BigUint64Array(new Float64Array([x]).buffer)[0];
const f32bits = (x: number) => BigInt(new Uint32Array(new Float32Array([x]).buffer)[0]);

Deno.test("float→int truncation traps exactly outside the target range", () => {
  const T = (op: number, x: number) => runOp(op, f64bits(x));
  const low = (r: bigint | { trap: number }) =>
    typeof r === "bigint" ? Number(r & 0xffffffffn) | 0 : r;
  assert.equal(low(T(Op.i32_trunc_f64_s, 2147483647.9)), 2147483647);
  assert.equal(low(T(Op.i32_trunc_f64_s, -2147483648.9)), -2147483648);
  assert.deepEqual(T(Op.i32_trunc_f64_s, 2147483648), { trap: TrapCode.IntegerOverflow });
  assert.deepEqual(T(Op.i32_trunc_f64_s, -2147483649), { trap: TrapCode.IntegerOverflow });
  assert.deepEqual(T(Op.i32_trunc_f64_s, NaN), { trap: TrapCode.BadConversionToInteger });
  assert.equal(low(T(Op.i32_trunc_f64_u, -0.9)), 0);
  assert.deepEqual(T(Op.i32_trunc_f64_u, -1), { trap: TrapCode.IntegerOverflow });
  assert.equal(T(Op.i64_trunc_f64_s, -9223372036854775808), 1n << 63n);
  assert.deepEqual(T(Op.i64_trunc_f64_s, 9223372036854775808), { trap: TrapCode.IntegerOverflow });
  assert.equal(T(Op.i64_trunc_f64_u, 18446744073709549568), 18446744073709549568n);
  assert.deepEqual(T(Op.i64_trunc_f64_u, 18446744073709551616), { trap: TrapCode.IntegerOverflow });
  assert.equal(T(Op.i64_trunc_f64_s, -1.5), u64(-1n));
  const F = (op: number, x: number) => runOp(op, f32bits(x));
  assert.deepEqual(F(Op.i32_trunc_f32_s, 2147483648), { trap: TrapCode.IntegerOverflow });
  assert.equal(low(F(Op.i32_trunc_f32_s, -2147483648)), -2147483648);
  // saturating
  assert.equal(low(T(Op.i32_trunc_sat_f64_s, 1e10)), 2147483647);
  assert.equal(low(T(Op.i32_trunc_sat_f64_s, -1e10)), -2147483648);
  assert.equal(low(T(Op.i32_trunc_sat_f64_u, NaN)), 0);
  assert.equal(low(T(Op.i32_trunc_sat_f64_u, 1e10)), -1);
  assert.equal(T(Op.i64_trunc_sat_f64_s, Infinity), (1n << 63n) - 1n);
  assert.equal(T(Op.i64_trunc_sat_f64_s, -Infinity), 1n << 63n);
  assert.equal(T(Op.i64_trunc_sat_f64_u, -5), 0n);
  assert.equal(T(Op.i64_trunc_sat_f64_u, 1e30), M64);
});

/** The f32 nearest to an integer, by exact BigInt arithmetic (ties to even). */
function refF32(v: bigint): number {
  const neg = v < 0n;
  let m = neg ? -v : v;
  const len = m.toString(2).length;
  let scale = 1;
  if (len > 24) {
    const shift = BigInt(len - 24);
    const rem = m & ((1n << shift) - 1n);
    const half = 1n << (shift - 1n);
    m >>= shift;
    if (rem > half || (rem === half && (m & 1n) === 1n)) m += 1n;
    scale = 2 ** (len - 24);
  }
  const r = Math.fround(Number(m) * scale);
  return neg ? -r : r;
}

Deno.test("f32.convert_i64_s/u round once (no double rounding)", () => {
  const samples = [
    ...I64_SAMPLES,
    (1n << 53n) + (1n << 29n) + 1n,
    (1n << 60n) + (1n << 36n),
    (1n << 60n) + (1n << 36n) + 1n,
    0x0020000020000001n,
    0xffffff7fffffffffn,
    0x8000008000000001n,
  ];
  const f32 = (r: bigint | { trap: number }) =>
    new Float32Array(new Uint32Array([Number((r as bigint) & 0xffffffffn)]).buffer)[0];
  for (const v of samples) {
    assert.equal(f32(runOp(Op.f32_convert_i64_u, v)), refF32(u64(v)), `u ${v}`);
    assert.equal(f32(runOp(Op.f32_convert_i64_s, v)), refF32(s64(v)), `s ${v}`);
  }
});

Deno.test("loads and stores: bounds checked at the last byte, effective address beyond 2^32 traps", () => {
  const mem = (build: Build) => {
    const s = setup((e) => {
      e.emit(Op.enter, 2, 2, 8);
      build(e);
      e.emit(Op.return);
    });
    return s;
  };
  const { vm, handle, inst } = mem((e) => e.emit(Op.load32, 0, 0, 0, 0));
  inst.memory.view.setInt32(65532, 0x11223344, true);
  assert.equal(call(vm, handle, [65532n]).out[0] & 0xffffffffn, 0x11223344n);
  assert.equal(call(vm, handle, [65533n]).r.kind, "trap");
  assert.deepEqual(call(vm, handle, [65533n]).r, {
    kind: "trap",
    code: TrapCode.MemoryOutOfBounds,
    pc: 4,
  });
  const b = mem((e) => e.emit(Op.load8_u, 0, 0, 0, -1)); // offset 0xffffffff
  assert.equal(call(b.vm, b.handle, [0n]).r.kind, "trap");
  assert.equal(call(b.vm, b.handle, [1n]).r.kind, "trap");
  const c = mem((e) => e.emit(Op.store64, 0, 1, 0, 0));
  const snan = 0x7ff4000000000001n;
  assert.equal(call(c.vm, c.handle, [65528n, snan]).r.kind, "return");
  assert.equal(c.inst.memory.view.getBigUint64(65528, true), snan);
  assert.equal(call(c.vm, c.handle, [65529n, snan]).r.kind, "trap");
  // a folded addend wraps at 2^32 like i32.add: 0xffffffff + 5 → address 4
  const w = mem((e) => e.emit(Op.load8_u, 0, 0, 5, 0));
  w.inst.memory.bytes[4] = 99;
  assert.equal(call(w.vm, w.handle, [0xffffffffn]).out[0] & 0xffn, 99n);
});

Deno.test("1,000,000-deep recursion traps 'call stack exhausted' and the VM stays usable", () => {
  // f(n) = n == 0 ? 0 : f(n - 1) + 1
  const { vm, handle } = setup((e) => {
    e.emit(Op.enter, 1, 1, 4); // 0
    e.emit(Op.br_if, 0, 6); // 4 -> 10
    e.emit(Op.return); // 7 (r0 = 0 already)
    e.emit(Op.nop); // 8
    e.emit(Op.nop); // 9
    e.emit(Op.i32_add_i, 1, 0, -1); // 10
    e.emit(Op.call, 0, 1); // 14: callee frame at r1, result in r1
    e.emit(Op.i32_add_i, 0, 1, 1); // 17
    e.emit(Op.return); // 21
  });
  const deep = call(vm, handle, [1_000_000n]);
  assert.equal(deep.r.kind, "trap");
  assert.equal((deep.r as { code: number }).code, TrapCode.StackOverflow);
  assert.equal(vm.depth, 0);
  const ok = call(vm, handle, [1000n]);
  assert.equal(ok.r.kind, "return");
  assert.equal(ok.out[0] & 0xffffffffn, 1000n);
});

/** Emits, at the encoder's position, a function computing r0 = host(r0 + 1) * 2 (vmctx[2] = host). */
function emitHostCaller(e: BytecodeEncoder): void {
  e.emit(Op.enter, 1, 1, 4);
  e.emit(Op.i32_add_i, 1, 0, 1);
  e.emit(Op.call_import, 2, 1);
  e.emit(Op.i32_mul_i, 0, 1, 2);
  e.emit(Op.return);
}

Deno.test("host calls exit callRun with the args' base and resume; host code may re-enter the VM", () => {
  // function 1 (at 0): r0 = host(r0 + 1) * 2 ; function 2 (wasm, at `inner`): r0 = r0 + 100
  let inner = 0;
  const { vm, handle, inst } = setup((e) => {
    emitHostCaller(e);
    inner = e.pos;
    e.emit(Op.enter, 1, 1, 2);
    e.emit(Op.i32_add_i, 0, 0, 100);
    e.emit(Op.return);
  });
  const host = vm.addFunc(new VmFunc(2, null, -1, 7, 1));
  const innerHandle = vm.addFunc(new VmFunc(1, inst, inner, -1, 1));
  inst.vmctx[2] = host;
  const base = vm.callStart(handle);
  vm.i32[2 * base] = 5;
  let r = vm.callRun();
  assert.equal(r.kind, "host");
  if (r.kind !== "host") return;
  assert.equal(r.func.hostId, 7);
  assert.equal(vm.i32[2 * r.base], 6);
  // the host calls back into wasm on the same VM
  const hostBase = r.base;
  const b2 = vm.callStart(innerHandle);
  assert.ok(b2 > hostBase);
  vm.i32[2 * b2] = vm.i32[2 * hostBase];
  assert.equal(vm.callRun().kind, "return");
  const innerResult = vm.i32[2 * b2];
  vm.callEnd();
  vm.i32[2 * hostBase] = innerResult; // 106
  r = vm.callRun();
  assert.equal(r.kind, "return");
  assert.equal(vm.i32[2 * base], 212);
  vm.callEnd();
  assert.equal(vm.depth, 0);
});

Deno.test("a call detached at a host call resumes elsewhere on the stacks, in any order", () => {
  // function 1 (at 0): r0 = host(r0 + 1) * 2 ; function 2 (at `outer`): r0 = f1(r0) + 1000
  let outer = 0;
  const { vm, handle, inst } = setup((e) => {
    emitHostCaller(e);
    outer = e.pos;
    e.emit(Op.enter, 1, 1, 4);
    e.emit(Op.mov, 2, 0);
    e.emit(Op.call, 0, 2); // the function at 0, its frame from r2
    e.emit(Op.i32_add_i, 0, 2, 1000);
    e.emit(Op.return);
  });
  const host = vm.addFunc(new VmFunc(2, null, -1, 7, 1));
  const outerHandle = vm.addFunc(new VmFunc(1, inst, outer, -1, 1));
  inst.vmctx[2] = host;
  const start = (h: number, x: number) => {
    const base = vm.callStart(h);
    vm.i32[2 * base] = x;
    const r = vm.callRun();
    assert.equal(r.kind, "host");
    return vm.detachEntry();
  };
  // two calls stopped at the host, both taken off: the VM is empty between them
  const a = start(outerHandle, 5);
  assert.equal(vm.depth, 0);
  const b = start(handle, 20);
  assert.equal(vm.depth, 0);
  // another call runs in between, then `a` resumes on top of a live call (moved up)
  const live = vm.callStart(handle);
  assert.equal(vm.callRun().kind, "host");
  const baseA = vm.attachEntry(a);
  assert.ok(baseA > live);
  assert.equal(vm.i32[2 * vm.hostBase], 6);
  vm.i32[2 * vm.hostBase] = 50;
  assert.equal(vm.callRun().kind, "return");
  assert.equal(vm.i32[2 * baseA], 1100);
  vm.callEnd();
  vm.callEnd(); // the live one (still at its host call)
  // `b` resumes last, at the bottom
  assert.equal(vm.attachEntry(b), 0);
  assert.equal(vm.i32[2 * vm.hostBase], 21);
  vm.i32[2 * vm.hostBase] = 7;
  assert.equal(vm.callRun().kind, "return");
  assert.equal(vm.i32[0], 14);
  vm.callEnd();
  assert.equal(vm.depth, 0);
});

Deno.test("fuel checks exit resumably, at the check", () => {
  const { vm, handle } = setup((e) => {
    e.emit(Op.enter, 1, 1, 4);
    e.emit(Op.fuel, 10);
    e.emit(Op.const32, 0, 42);
    e.emit(Op.return);
  }, { metered: true });
  vm.fuel = 5;
  const base = vm.callStart(handle);
  let r = vm.callRun();
  assert.deepEqual(r, { kind: "fuel", pc: 4 });
  assert.equal(vm.fuel, 5);
  vm.fuel += 10;
  r = vm.callRun();
  assert.equal(r.kind, "return");
  assert.equal(vm.i32[2 * base], 42);
  assert.equal(vm.fuel, 5);
  vm.callEnd();
});

Deno.test("a VM with epochs stops for a passed epoch deadline on entry and at a loop's back edge, resumably", () => {
  // r1 counts up to r0: the loop header is at 4
  const build = (e: BytecodeEncoder) => {
    e.emit(Op.enter, 1, 2, 4); // 0
    e.emit(Op.i32_add_i, 1, 1, 1); // 4
    e.emit(Op.br_ne, 1, 0, -4); // 8
    e.emit(Op.mov, 0, 1); // 12
    e.emit(Op.return); // 15
  };
  const { vm, handle } = setup(build, { epochs: true });
  const base = vm.callStart(handle);
  vm.i32[2 * base] = 10;
  // on entry: nothing runs
  vm.epochCounter[0] = 7;
  vm.epochDeadline = 7;
  assert.deepEqual(vm.callRun(), { kind: "epoch", pc: 0 });
  assert.equal(vm.i32[2 * base + 2], 0);
  // the loop's own counter stands in for the engine's: the deadline passes inside the loop,
  // and the check after the back edge stops it at the header
  vm.epochCounter = vm.i32.subarray(2 * base + 2, 2 * base + 3);
  vm.epochDeadline = 3;
  assert.deepEqual(vm.callRun(), { kind: "epoch", pc: 4 });
  assert.equal(vm.i32[2 * base + 2], 3);
  vm.epochDeadline = Infinity;
  assert.equal(vm.callRun().kind, "return");
  assert.equal(vm.i32[2 * base], 10);
  vm.callEnd();
  // without epochs (metered for fuel, or not at all) it never looks at the deadline
  for (const metered of [false, true]) {
    const other = setup(build, { metered });
    other.vm.epochDeadline = 0;
    assert.equal(call(other.vm, other.handle, [10n]).out[0], 10n);
  }
});

Deno.test("backtrace() lists the trapping pc, then each caller's call site", () => {
  const { vm, handle } = setup((e) => {
    e.emit(Op.enter, 0, 0, 2); // 0
    e.emit(Op.call, 8, 0); // 4
    e.emit(Op.return); // 7
    e.emit(Op.enter, 0, 0, 2); // 8
    e.emit(Op.trap, TrapCode.Unreachable); // 12
  });
  vm.callStart(handle);
  const r = vm.callRun();
  assert.deepEqual(r, { kind: "trap", code: TrapCode.Unreachable, pc: 12 });
  assert.deepEqual(vm.backtrace().map((f) => f.pc), [12, 6]);
  vm.callEnd();
  assert.equal(vm.csp, 0);
});

Deno.test("call_indirect traps: out of range, null, signature mismatch", () => {
  const { vm, handle, inst } = setup((e) => {
    e.emit(Op.enter, 1, 1, 4);
    e.emit(Op.call_indirect, 0, 3, 1, 0); // sig id in vmctx[3]
    e.emit(Op.return);
  }, { vmctx: [0, 0, 0, 1] });
  const t = inst.tables[0];
  t.elems[1] = handle; // sig 1
  const other = vm.addFunc(new VmFunc(9, inst, 0, -1, 1));
  t.elems[2] = other;
  const code = (i: bigint) => (call(vm, handle, [i]).r as { code: number }).code;
  assert.equal(code(4n), TrapCode.UndefinedElement);
  assert.equal(code(0n), TrapCode.IndirectCallToNull);
  assert.equal(code(2n), TrapCode.BadSignature);
});

/** Runs a register-immediate op on raw bits; returns the raw result. */
function runOpImm(op: number, a: bigint, imms: number[]): bigint {
  const { vm, handle } = setup((e) => {
    e.emit(Op.enter, 1, 1, 8);
    e.emit(op, 2, 0, ...imms);
    e.emit(Op.mov64, 0, 2);
    e.emit(Op.return);
  });
  const { r, out } = call(vm, handle, [a]);
  assert.equal(r.kind, "return");
  return out[0];
}

Deno.test("i64 ops with immediates match a BigInt reference", () => {
  const halves = (b: bigint) => [Number(BigInt.asIntN(32, b)), Number(BigInt.asIntN(32, b >> 32n))];
  for (const a of I64_SAMPLES) {
    for (const b of I64_SAMPLES) {
      assert.equal(runOpImm(Op.i64_add_k, a, halves(b)), u64(a + b));
      assert.equal(runOpImm(Op.i64_mul_k, a, halves(b)), u64(a * b));
      assert.equal(runOpImm(Op.i64_and_k, a, halves(b)), a & b);
      assert.equal(runOpImm(Op.i64_or_k, a, halves(b)), a | b);
      assert.equal(runOpImm(Op.i64_xor_k, a, halves(b)), a ^ b);
    }
    for (let n = 0; n < 64; n++) {
      const N = BigInt(n);
      assert.equal(runOpImm(Op.i64_shl_i, a, [n]), u64(a << N));
      assert.equal(runOpImm(Op.i64_shr_u_i, a, [n]), a >> N);
      assert.equal(runOpImm(Op.i64_shr_s_i, a, [n]), u64(s64(a) >> N));
      assert.equal(runOpImm(Op.i64_rotl_i, a, [n]), u64((a << N) | (a >> ((64n - N) & 63n))));
    }
    assert.equal(runOpImm(Op.i64_add_i, a, [-5]), u64(a - 5n));
  }
});

Deno.test("64-bit loads and stores keep signalling-NaN bits in optimised code too", () => {
  // for (i = n; i != 0; i--) mem[8..16) = mem[0..8)  — hot enough to be optimised
  const { vm, handle, inst } = setup((e) => {
    e.emit(Op.enter, 1, 3, 4);
    e.emit(Op.const32, 1, 0);
    const loop = e.pos;
    e.emit(Op.load64, 2, 1, 0, 0);
    e.emit(Op.store64, 1, 2, 0, 8);
    e.emit(Op.i32_add_i, 0, 0, -1);
    const br = e.pos;
    e.emit(Op.br_ne_i, 0, 0, loop - br);
    e.emit(Op.return);
  });
  const dv = inst.memory.view;
  for (const bits of [0x7ff0000000000001n, 0xfff4000000000123n, 0x7ff8000000000000n]) {
    dv.setBigUint64(0, bits, true);
    for (let r = 0; r < 20; r++) {
      dv.setBigUint64(8, 0n, true);
      assert.equal(call(vm, handle, [20000n]).r.kind, "return");
      assert.equal(dv.getBigUint64(8, true), bits);
    }
  }
});

Deno.test("fuel_<br> prefix ops charge, then branch exactly as the branch alone; a failed charge stops at the prefix", () => {
  const prefixes = BYTECODE_OPS.filter((op) => /^fuel_br/.test(op.name));
  assert.equal(prefixes.length, 31);
  for (const prefix of prefixes) {
    const br = BYTECODE_OPS.find((op) => op.name === prefix.name.replace(/^[a-z]+_/, ""))!;
    // r0 = the argument, r1 = 0; the branch's immediates are small, its offset
    // leads past `const32 r0, 1; return` to `const32 r0, 2; return`
    const imms = [7, 1, 100];
    const operands = (len: number) =>
      br.operands.map((o, k) =>
        o.kind === "r"
          ? (k === 1 && br.operands[0].kind === "r") || o.name === "p" ? 1 : 0
          : o.kind === "o"
          ? len + 4
          : o.kind === "t"
          ? [len + 4]
          : imms[k - 1] ?? 3
      );
    const len = 1 + br.operands.length + (br.operands.some((o) => o.kind === "t") ? 1 : 0);
    const build = (fused: boolean) => (e: BytecodeEncoder) => {
      e.emit(Op.enter, 1, 2, 4);
      if (fused) e.emit(prefix.code, 5);
      else (e.emit(Op.nop), e.emit(Op.nop));
      e.emit(br.code, ...operands(len));
      e.emit(Op.const32, 0, 1);
      e.emit(Op.return);
      e.emit(Op.const32, 0, 2);
      e.emit(Op.return);
    };
    const plain = setup(build(false));
    const fused = setup(build(true), { metered: true });
    for (const arg of [7, -7, 0, 6, 8, 100, -100]) {
      plain.vm.fuel = 0;
      const want = call(plain.vm, plain.handle, [BigInt(arg)]).out[0];
      // too little fuel: stops at the prefix, nothing charged or done
      const vm = fused.vm;
      vm.fuel = 4;
      const base = vm.callStart(fused.handle);
      vm.i64[base] = BigInt(arg);
      assert.deepEqual(vm.callRun(), { kind: "fuel", pc: 4 }, prefix.name);
      assert.equal(vm.fuel, 4);
      assert.equal(vm.i64[base], BigInt(arg), `${prefix.name}: the branch did not run`);
      // exactly enough: resumes there, charges 5, branches as the plain op
      vm.fuel += 1;
      assert.equal(vm.callRun().kind, "return");
      assert.equal(BigInt.asUintN(64, vm.i64[base]), want, `${prefix.name}(${arg})`);
      assert.equal(vm.fuel, 0);
      vm.callEnd();
    }
  }
});
