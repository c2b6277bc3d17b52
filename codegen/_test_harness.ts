/**
 * A minimal instantiate-and-call path for codegen/interpreter tests only
 * (the real one is `@capstan/runtime`): memory 0, globals, tables, active and
 * passive segments, host function imports given as JS callbacks over raw
 * slots, and typed calls of exports. i64 values cross as bigint, f32/f64 as
 * numbers.
 *
 * @module
 */

import {
  type ConstExpr,
  type ConstLeaf,
  dataSegment,
  evaluateConstExpr,
  type FuncType,
  parseWat,
  translateModule,
  trapMessage,
  tunables,
  ValType,
  VMCTX_MAGIC,
} from "@capstan/environ";
import {
  decodeInstruction,
  isNumberType,
  readI32Slot,
  readI64Slot,
  readNumberSlot,
  Vm,
  VmFunc,
  VmInstance,
  VmMemory,
  VmTable,
  writeI64Slot,
  writeSlot,
} from "@capstan/interpreter";
import { type CompiledModule, compileModule, type CompileOptions } from "./compile.ts";
import type { Tunables } from "@capstan/environ";

/**
 * Checks that export `f` of `wat`, called with each of `args` (i32 and f64
 * arguments as numbers), gives on Capstan what it gives on native V8.
 *
 * @param wat a module in the text format, exporting `f`
 * @param args the argument lists
 */
export function sameAsNative(wat: string, args: number[][]): void {
  const bytes = parseWat(wat);
  const native = new WebAssembly.Instance(new WebAssembly.Module(bytes as BufferSource));
  const f = native.exports.f as (...a: number[]) => unknown;
  const capstan = new TestInstance(bytes);
  const show = (v: unknown) =>
    JSON.stringify(v, (_, x) => typeof x === "bigint" ? `${x}n` : Object.is(x, -0) ? "-0" : x);
  for (const a of args) {
    const got = show(capstan.call("f", ...a));
    const want = show(f(...a));
    if (got !== want) throw new Error(`f(${a}): ${got}, native ${want}`);
  }
}

/**
 * The op names of one function's bytecode, in code order.
 *
 * @param wat a module in the text format
 * @param index the defined function's index
 * @param t the tunables to compile with
 * @returns its ops' names
 */
export function bytecodeOpNames(wat: string, index = 0, t: Tunables = tunables()): string[] {
  const cm = compileModule(translateModule(parseWat(wat)), t);
  const f = cm.functions[index];
  const names: string[] = [];
  for (let pc = f.entry; pc < f.end;) {
    const ins = decodeInstruction(cm.code, pc);
    names.push(ins.op.name);
    pc += ins.length;
  }
  return names;
}

/** A wasm value as tests see it. */
export type TestValue = number | bigint;

/** A host function for tests: raw typed values in, raw typed values out. */
export type TestHostFn = (...args: TestValue[]) => TestValue | TestValue[] | void;

/** A trap surfaced to tests. */
export class TestTrap extends Error {
  /** The trap code. */
  readonly code: number;
  /**
   * @param code the trap code
   */
  constructor(code: number) {
    super(trapMessage(code));
    this.code = code;
  }
}

const sigIds = new Map<string, number>();
function sigId(t: FuncType): number {
  const k = `${t.params.join(",")}:${t.results.join(",")}`;
  let id = sigIds.get(k);
  if (id === undefined) sigIds.set(k, id = sigIds.size + 1);
  return id;
}

/** An instantiated test module. */
export class TestInstance {
  /** The VM. */
  readonly vm: Vm;
  /** The compiled module. */
  readonly compiled: CompiledModule;
  /** The instance context. */
  readonly inst: VmInstance;
  readonly #hosts: { fn: TestHostFn; type: FuncType }[] = [];
  readonly #handles: number[] = [];

  /** Fuel added at each out-of-fuel stop of {@link call} before resuming (0: such a stop fails the call). */
  refuel = 0;
  /** Out-of-fuel stops {@link call} resumed from. */
  fuelExits = 0;

  /**
   * Instantiates `bytes`.
   *
   * @param bytes a wasm binary
   * @param imports host functions by "module.name"
   * @param options VM and tunables options
   */
  constructor(
    bytes: Uint8Array,
    imports: Record<string, TestHostFn> = {},
    options: {
      maxWasmStack?: number;
      tunables?: Tunables;
      vm?: Vm;
      compile?: CompileOptions;
    } = {},
  ) {
    const t = translateModule(bytes);
    const cm = compileModule(t, options.tunables, options.compile);
    this.compiled = cm;
    const tun = options.tunables;
    const metered = tun !== undefined && (tun.consumeFuel || tun.epochInterruption);
    const vm = options.vm ??
      new Vm({ maxWasmStack: options.maxWasmStack, metered, epochs: tun?.epochInterruption });
    this.vm = vm;
    const off = cm.offsets;
    const vmctx = new Int32Array(off.words);
    vmctx[0] = VMCTX_MAGIC;
    vmctx[1] = t.functions.length;
    const memories = t.memories.map((mt) =>
      new VmMemory(mt.limits.min, mt.limits.max, mt.pageSizeLog2, mt.address64)
    );
    const memory = memories[0] ?? new VmMemory(0, 0);
    const tables = t.tables.map((tt) => new VmTable(tt.limits.min, tt.limits.max));
    const all = memories.length > 0 ? memories : [memory];
    const inst = new VmInstance(cm.code, vmctx, memory, tables, [], [], all);
    this.inst = inst;
    vm.addInstance(inst);
    for (let i = 0; i < t.types.length; i++) vmctx[off.signatureWord(i)] = sigId(t.types[i]);
    let fi = 0;
    for (const imp of t.imports) {
      if (imp.desc.kind !== "func") throw new Error("test harness: only function imports");
      const type = t.types[imp.desc.typeIndex];
      const fn = imports[`${imp.module}.${imp.name}`];
      if (fn === undefined) throw new Error(`missing import ${imp.module}.${imp.name}`);
      this.#hosts.push({ fn, type });
      const h = vm.addFunc(
        new VmFunc(sigId(type), null, -1, this.#hosts.length - 1, arity(type)),
      );
      vmctx[off.functionWord(fi)] = h;
      this.#handles[fi++] = h;
    }
    for (const f of cm.functions) {
      const type = t.types[f.typeIndex];
      const h = vm.addFunc(new VmFunc(sigId(type), inst, f.entry, -1, arity(type)));
      vmctx[off.functionWord(f.funcIndex)] = h;
      this.#handles[f.funcIndex] = h;
    }
    for (let g = 0; g < t.globals.length; g++) {
      const slot = vm.allocGlobal();
      vmctx[off.globalWord(g)] = slot;
      const [lo, hi] = this.#constBits(t.globalInits[g - t.numImportedGlobals]);
      vm.globals[2 * slot] = lo;
      vm.globals[2 * slot + 1] = hi;
    }
    for (const [i, seg] of t.elements.entries()) {
      const items = Int32Array.from(seg.items.map((e) => this.#constBits(e)[0]));
      inst.elems[i] = items;
      if (seg.mode.kind === "active") {
        const o = this.#constBits(seg.mode.offset)[0] >>> 0;
        const tab = tables[seg.mode.table];
        if (o + items.length > tab.size) throw new TestTrap(6);
        tab.elems.set(items, o);
      }
      if (seg.mode.kind !== "passive") inst.elems[i] = new Int32Array(0);
    }
    for (let i = 0; i < t.datas.count; i++) {
      const seg = dataSegment(t.bytes, t.datas, i);
      inst.datas[i] = seg.data;
      if (seg.mode.kind === "active") {
        const o = this.#constBits(seg.mode.offset)[0] >>> 0;
        if (o + seg.data.length > memory.byteLength) throw new TestTrap(5);
        memory.bytes.set(seg.data, o);
        inst.datas[i] = new Uint8Array(0);
      }
    }
    if (t.start !== undefined) this.#callIndex(t.start, []);
  }

  #constBits(e: ConstExpr): [number, number] {
    const v = evaluateConstExpr<number>(e, { leaf: (instr) => this.#leafValue(instr) });
    return typeof v === "bigint"
      ? [Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n))]
      : [v, 0];
  }

  /** A constant's value as raw bits: 32-bit ones a number, 64-bit ones a bigint. */
  #leafValue(e: ConstLeaf): number | bigint {
    switch (e.op) {
      case "i32.const":
        return e.value;
      case "i64.const":
        return e.value;
      case "f32.const":
        return e.bits;
      case "f64.const":
        return e.bits;
      case "ref.null":
        return 0;
      case "ref.func":
        return this.#handles[e.index];
      case "global.get": {
        const slot = this.inst.vmctx[this.compiled.offsets.globalWord(e.index)];
        const lo = this.vm.globals[2 * slot];
        const type = this.compiled.translation.globals[e.index].type;
        if (type !== ValType.i64 && type !== ValType.f64) return lo;
        return (BigInt(this.vm.globals[2 * slot + 1]) << 32n) | BigInt(lo >>> 0);
      }
      default:
        throw new Error(`test harness: ${e.op}`);
    }
  }

  /**
   * Calls an export.
   *
   * @param name the export's name
   * @param args its arguments
   * @returns its results (one value, an array for several, undefined for none)
   */
  call(name: string, ...args: TestValue[]): TestValue | TestValue[] | undefined {
    const ex = this.compiled.translation.exports.find((e) => e.name === name);
    if (ex === undefined || ex.kind !== "func") throw new Error(`no function export ${name}`);
    const r = this.#callIndex(ex.index, args);
    return r.length === 0 ? undefined : r.length === 1 ? r[0] : r;
  }

  /**
   * Calls an export with raw bit patterns: i32/f32/references as their low 32
   * bits, i64/f64 as 64 bits (NaN payloads survive both ways).
   *
   * @param name the export's name
   * @param args raw argument bits
   * @returns raw result bits
   */
  callRaw(name: string, args: bigint[]): bigint[] {
    const ex = this.compiled.translation.exports.find((e) => e.name === name);
    if (ex === undefined || ex.kind !== "func") throw new Error(`no function export ${name}`);
    const t = this.compiled.translation;
    const type = t.types[t.functions[ex.index]];
    const vm = this.vm;
    const base = vm.callStart(this.#handles[ex.index]);
    try {
      for (let i = 0; i < args.length; i++) writeI64Slot(vm, base + i, BigInt.asIntN(64, args[i]));
      let r = vm.callRun();
      while (r.kind === "host") {
        const h = this.#hosts[r.func.hostId];
        const at = r.base;
        const hargs = h.type.params.map((p, i) => readValue(vm, at + i, p));
        const out = h.fn(...hargs);
        const outs = out === undefined ? [] : Array.isArray(out) ? out : [out];
        for (let i = 0; i < outs.length; i++) writeValue(vm, at + i, h.type.results[i], outs[i]);
        r = vm.callRun();
      }
      if (r.kind === "trap") throw new TestTrap(r.code);
      if (r.kind !== "return") throw new Error(`unexpected ${r.kind}`);
      return type.results.map((rt, i) =>
        rt === ValType.i64 || rt === ValType.f64
          ? BigInt.asUintN(64, readI64Slot(vm, base + i))
          : BigInt(readI32Slot(vm, base + i) >>> 0)
      );
    } finally {
      vm.callEnd();
    }
  }

  #callIndex(index: number, args: TestValue[]): TestValue[] {
    const vm = this.vm;
    const t = this.compiled.translation;
    const type = t.types[t.functions[index]];
    const base = vm.callStart(this.#handles[index]);
    try {
      for (let i = 0; i < args.length; i++) writeValue(vm, base + i, type.params[i], args[i]);
      let r = vm.callRun();
      while (r.kind === "host" || (r.kind === "fuel" && this.refuel > 0)) {
        if (r.kind === "fuel") {
          vm.fuel += this.refuel;
          this.fuelExits++;
          r = vm.callRun();
          continue;
        }
        const h = this.#hosts[r.func.hostId];
        const hargs = h.type.params.map((p, i) =>
          readValue(vm, r.kind === "host" ? r.base + i : 0, p)
        );
        const out = h.fn(...hargs);
        const outs = out === undefined ? [] : Array.isArray(out) ? out : [out];
        for (let i = 0; i < outs.length; i++) {
          writeValue(vm, r.base + i, h.type.results[i], outs[i]);
        }
        r = vm.callRun();
      }
      if (r.kind === "trap") throw new TestTrap(r.code);
      if (r.kind !== "return") throw new Error(`unexpected ${r.kind}`);
      return type.results.map((rt, i) => readValue(vm, base + i, rt));
    } finally {
      vm.callEnd();
    }
  }
}

function arity(t: FuncType): number {
  return Math.max(t.params.length, t.results.length);
}

/**
 * Writes a test value into a register slot, converted for its type (i64 as
 * a BigInt wrapped to 64 bits, the rest as numbers; references as handles).
 *
 * @param vm the VM
 * @param slot absolute slot
 * @param type its type
 * @param v the value
 */
export function writeValue(vm: Vm, slot: number, type: ValType, v: TestValue): void {
  writeSlot(vm, slot, type, type === ValType.i64 ? BigInt.asIntN(64, BigInt(v)) : Number(v));
}

/**
 * Reads a value from a register slot (references as handles).
 *
 * @param vm the VM
 * @param slot absolute slot
 * @param type its type
 * @returns the value
 */
export function readValue(vm: Vm, slot: number, type: ValType): TestValue {
  return isNumberType(type) ? readNumberSlot(vm, slot, type) : readI32Slot(vm, slot);
}
