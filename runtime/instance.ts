/**
 * {@link Instance}: an instantiated module — its functions, tables,
 * memories and globals (imported and defined) and its exports — created by
 * the spec's instantiation algorithm.
 *
 * Instantiation, in the spec's order:
 * 1. the store's instance limit, the import count, and each import's type
 *    (with subtyping of limits) are checked — failures are `LinkError`s (or an
 *    `Error` for the limit) and nothing is created;
 * 2. defined functions, tables, memories and globals are allocated (global
 *    initialisers and element items are constant expressions), and the VM's
 *    context for the instance is built: code, memory 0, tables, segments, and
 *    a vmctx laid out by `VMOffsets` holding every function's handle, every
 *    global's storage slot (imported ones share the exporter's slot) and the
 *    canonical signature id of every type;
 * 3. active element segments are written to their tables, then active data
 *    segments to their memories, each in module order; a segment out of
 *    bounds traps ("out of bounds table access" / "out of bounds memory
 *    access"): the instance is not returned, but earlier writes stay;
 *    active and declarative element segments and active data segments are
 *    dropped;
 * 4. the start function runs.
 *
 * @module
 */

import { constGc, gcToInternal } from "./_gc_values.ts";
import {
  type ConstEnv,
  type ConstExpr,
  type ConstLeaf,
  evaluateConstExpr,
  type GlobalType,
  refTop,
  TrapCode,
  ValType,
  VMCTX_MAGIC,
} from "@capstan/environ";
import { copyRefs, VmInstance } from "@capstan/interpreter";
import type { Extern } from "./extern.ts";
import { externType, isExtern } from "./extern.ts";
import { formatExternType, matchExternType } from "./extern_type.ts";
import { type Caller, Func } from "./func.ts";
import { Global } from "./global.ts";
import { LinkError } from "./link_error.ts";
import { Memory, StoreVmMemory } from "./memory.ts";
import type { Module } from "./module.ts";
import type { Store, Stored } from "./store.ts";
import { refToHandle, Table, tableToInitialise } from "./table.ts";
import { Tag } from "./tag.ts";
import { Trap } from "./trap.ts";
import type { FuncTypeInput, Val } from "./val.ts";
import { invokeAsync } from "./_async.ts";
import { invokeSync } from "./_entry.ts";
import { attachJsTier } from "./_js_tier.ts";
import { attachAutoTier } from "./_auto_tier.ts";
import { installLazyLowering } from "./_lazy.ts";

const EMPTY_ELEMS = new Int32Array(0);
const EMPTY_BYTES = new Uint8Array(0);
const f32Bits = new Float32Array(1);
const f32BitsI = new Int32Array(f32Bits.buffer);
const f64Bits = new Float64Array(1);
const f64BitsI = new BigInt64Array(f64Bits.buffer);

/**
 * The float whose f32 bits are given.
 *
 * @param bits the raw bits
 * @returns the number
 */
export function f32FromBits(bits: number): number {
  f32BitsI[0] = bits;
  return f32Bits[0];
}

/**
 * The float whose f64 bits are given.
 *
 * @param bits the raw bits
 * @returns the number
 */
export function f64FromBits(bits: bigint): number {
  f64BitsI[0] = bits;
  return f64Bits[0];
}

/** An export of an instance: its name and the object. */
export interface InstanceExport {
  /** The export name. */
  readonly name: string;
  /** The exported object. */
  readonly value: Extern;
}

/** Set by {@link Instance.newAsync} so the constructor leaves the start function to it. */
let deferStart = false;

/**
 * An instance of a module.
 *
 * @example
 * ```ts
 * import { Engine, Instance, Module, Store } from "@capstan/runtime";
 * // (module (memory (export "mem") 1) (data (i32.const 8) "hi"))
 * const bytes = new Uint8Array([
 *   0, 97, 115, 109, 1, 0, 0, 0, 5, 3, 1, 0, 1, 7, 7, 1, 3, 109, 101, 109, 2, 0,
 *   11, 8, 1, 0, 65, 8, 11, 2, 104, 105,
 * ]);
 * const engine = new Engine();
 * const store = new Store(engine, undefined);
 * const instance = new Instance(store, new Module(engine, bytes), []);
 * if (instance.getMemory("mem")!.data()[9] !== 105) throw new Error();
 * ```
 */
export class Instance implements Stored {
  /**
   * A short description for `console.log` / `Deno.inspect` (the VM behind it is large).
   *
   * @returns one line naming the object
   */
  [Symbol.for("Deno.customInspect")](): string {
    return `Instance of ${this.module.name ?? "<unknown>"} (store #${this.store.id})`;
  }

  /** The owning store. */
  readonly store: Store<unknown>;
  /** The module it instantiates. */
  readonly module: Module;
  /**
   * Every function, imported first.
   *
   * @ignore
   */
  readonly _funcs: Func[] = [];
  /**
   * Every table, imported first.
   *
   * @ignore
   */
  readonly _tables: Table[] = [];
  /**
   * Every memory, imported first.
   *
   * @ignore
   */
  readonly _memories: Memory[] = [];
  /**
   * Every global, imported first.
   *
   * @ignore
   */
  readonly _globals: Global[] = [];
  /** Every exception tag, imported first. */
  readonly _tags: Tag[] = [];
  /**
   * Element segments' items as handles (shared with the VM); a dropped segment is empty.
   *
   * @ignore
   */
  readonly _elems: Int32Array[] = [];
  /**
   * Data segments' bytes (shared with the VM); a dropped segment is empty.
   *
   * @ignore
   */
  readonly _datas: Uint8Array[] = [];
  /**
   * Exports by name.
   *
   * @ignore
   */
  readonly _exports: Map<string, Extern> = new Map();
  /**
   * The `Caller` handed to host functions this instance calls (made on first use).
   *
   * @ignore
   */
  _caller: Caller<unknown> | undefined = undefined;
  /**
   * The VM's context for this instance (code, vmctx, memory 0, tables, segments).
   *
   * @ignore
   */
  readonly _vmInstance: VmInstance;

  /**
   * Instantiates a module with imports given in the module's import order,
   * running its start function synchronously.
   *
   * @param store the store
   * @param module the module (compiled for the store's engine)
   * @param imports one object per import, in order
   * @throws LinkError for missing or mismatched imports; `Trap` when a
   *   segment is out of bounds or the start function traps
   */
  // deno-lint-ignore no-explicit-any
  constructor(store: Store<any>, module: Module, imports: readonly Extern[]) {
    const deferred = deferStart;
    deferStart = false;
    store.checkNotBusy("instantiating a module");
    const s = store as Store<unknown>;
    Instance.#checkImports(s, module, imports);
    this.store = s;
    this.module = module;
    this._vmInstance = this.#allocate(imports);
    this.#initialize();
    const start = module.translation.start;
    if (start !== undefined && !deferred) invokeSync(this._funcs[start], []);
  }

  /**
   * Instantiates a module, awaiting host Promises in its start function.
   *
   * @param store the store
   * @param module the module
   * @param imports one object per import, in order
   * @returns a Promise of the instance
   */
  static async newAsync(
    // deno-lint-ignore no-explicit-any
    store: Store<any>,
    module: Module,
    imports: readonly Extern[],
  ): Promise<Instance> {
    store.checkCanStartAsync("instantiating a module");
    deferStart = true;
    let inst: Instance;
    try {
      inst = new Instance(store, module, imports);
    } finally {
      deferStart = false;
    }
    const start = module.translation.start;
    if (start !== undefined) await invokeAsync(inst._funcs[start], []);
    return inst;
  }

  /**
   * Checks the imports against the module (nothing is created on failure).
   *
   * @param store the store
   * @param module the module
   * @param imports the imports, in order
   */
  static #checkImports(store: Store<unknown>, module: Module, imports: readonly Extern[]): void {
    if (module.engine !== store.engine) {
      throw new TypeError("the module was compiled for a different Engine than the store's");
    }
    const limiter = store.resourceLimiter;
    if (limiter && store._counts.instances + 1 > (limiter.instances ?? Infinity)) {
      throw new Error(
        `resource limit exceeded: instance count too high at ${store._counts.instances + 1}`,
      );
    }
    const t = module.translation;
    if (!Array.isArray(imports) || imports.length !== t.imports.length) {
      throw new LinkError(
        `expected ${t.imports.length} imports, found ${
          Array.isArray(imports) ? imports.length : "none"
        }`,
      );
    }
    const expected = module._importTypes;
    for (let i = 0; i < expected.length; i++) {
      const want = expected[i];
      const item = imports[i];
      const where = `\`${want.module}::${want.name}\``;
      if (!isExtern(item)) {
        throw new LinkError(
          `incompatible import type for ${where}: expected ${
            formatExternType(want.type)
          }, found a value that is not a Func, Table, Memory, Global or Tag`,
        );
      }
      // (a tag without a store, the JS tag, belongs to every store)
      if (!(item instanceof Tag) || item.store !== null) {
        store.checkOwns(item as { readonly store: Store<unknown> }, `import ${where}`);
      }
      const why = matchExternType(externType(item), want.type);
      if (why !== undefined) throw new LinkError(`incompatible import type for ${where}: ${why}`);
    }
  }

  /**
   * Allocates the instance's entities and builds its VM context.
   *
   * @param imports the (checked) imports, in order
   * @returns the VM context
   */
  #allocate(imports: readonly Extern[]): VmInstance {
    const store = this.store;
    const module = this.module;
    const t = module.translation;
    const cm = module._compiled;
    const vm = store._vm;
    for (const item of imports) {
      if (item instanceof Func) this._funcs.push(item);
      else if (item instanceof Table) this._tables.push(item);
      else if (item instanceof Memory) this._memories.push(item);
      else if (item instanceof Tag) this._tags.push(item);
      else this._globals.push(item as Global);
    }
    for (let i = t.numImportedTables; i < t.tables.length; i++) {
      const type = module._canonTable(t.tables[i]);
      this._tables.push(
        type.init === undefined ? new Table(store, type, null) : tableToInitialise(store, type),
      );
    }
    for (let i = t.numImportedMemories; i < t.memories.length; i++) {
      this._memories.push(new Memory(store, t.memories[i]));
    }
    const offsets = cm.offsets;
    const vmctx = new Int32Array(offsets.words);
    vmctx[0] = VMCTX_MAGIC;
    vmctx[1] = t.functions.length;
    for (let i = 0; i < t.types.length; i++) vmctx[offsets.signatureWord(i)] = module._sigIds[i];
    const memory0 = this._memories.length > 0 ? this._memories[0]._vm : new StoreVmMemory(0, 0);
    const vmInst = new VmInstance(
      cm.executable,
      vmctx,
      memory0,
      this._tables.map((tb) => tb._vm),
      this._datas,
      this._elems,
      this._memories.length > 0 ? this._memories.map((m) => m._vm) : [memory0],
    );
    for (let i = t.numImportedTags; i < t.tags.length; i++) {
      this._tags.push(new Tag(store, module._canonFuncType(t.tags[i])));
    }
    vmInst.tags = this._tags;
    vmInst.handlerSource = cm; // its handlers grow as functions are lowered lazily
    vm.addInstance(vmInst);
    installLazyLowering(store);
    store._instances[vmInst.id] = this;
    return vmInst;
  }

  /**
   * Creates functions and globals, evaluates segments, fills the vmctx,
   * then writes the active segments (which may trap).
   */
  #initialize(): void {
    const store = this.store;
    const t = this.module.translation;
    const cm = this.module._compiled;
    const vmInst = this._vmInstance;
    const vmctx = vmInst.vmctx;
    const offsets = cm.offsets;
    for (let i = t.numImportedFunctions; i < t.functions.length; i++) {
      const entry = cm.functions[i - t.numImportedFunctions].entry;
      const typeIndex = t.functions[i];
      const sigId = this.module._sigIds[typeIndex];
      const type = this.module._canonFuncType(typeIndex);
      this._funcs.push(new Func(store, type, undefined, this, i, entry, sigId));
    }
    for (let i = 0; i < this._funcs.length; i++) {
      vmctx[offsets.functionWord(i)] = this._funcs[i]._handle;
    }
    attachJsTier(this);
    attachAutoTier(this);
    for (let i = t.numImportedGlobals; i < t.globals.length; i++) {
      const type: GlobalType = this.module._canonGlobal(t.globals[i]);
      const init = t.globalInits[i - t.numImportedGlobals];
      const g = new Global(store, type, this.evalConst(init));
      this.#writeFloatBits(g, init);
      this._globals.push(g);
    }
    for (let i = 0; i < this._globals.length; i++) {
      vmctx[offsets.globalWord(i)] = this._globals[i]._slot;
    }
    for (let i = t.numImportedTables; i < t.tables.length; i++) {
      // a table with an initialiser expression starts with every element its value
      const { element, init } = t.tables[i];
      if (init === undefined) continue;
      const table = this._tables[i]._vm;
      if (table.refs !== null) table.refs.fill(gcToInternal(this.evalConst(init)));
      else table.elems.fill(refToHandle(store, element, this.evalConst(init)), 0, table.size);
    }
    for (const seg of t.elements) {
      // a segment of the any hierarchy holds ref-file values (see `_gc_values.ts`)
      const gc = refTop(seg.type) === ValType.anyref;
      vmInst.refElems.push(gc ? seg.items.map((e) => gcToInternal(this.evalConst(e))) : []);
      this._elems.push(
        gc
          ? EMPTY_ELEMS
          : Int32Array.from(seg.items, (e) => refToHandle(store, seg.type, this.evalConst(e))),
      );
    }
    // Active segments are copied below and dropped: only passive ones need their bytes kept
    // (taken by range: a translation posted to another thread keeps its fields, not getters).
    const datas = t.datas;
    const segments = this._datas;
    for (let i = 0; i < datas.count; i++) {
      const start = datas.start[i];
      segments.push(
        datas.memory[i] < 0 ? t.bytes.subarray(start, start + datas.length[i]) : EMPTY_BYTES,
      );
    }
    for (const e of t.exports) {
      const list: Extern[] = e.kind === "func"
        ? this._funcs
        : e.kind === "table"
        ? this._tables
        : e.kind === "memory"
        ? this._memories
        : e.kind === "tag"
        ? this._tags
        : this._globals;
      this._exports.set(e.name, list[e.index]);
    }
    store._counts.instances++;

    // Element segments, then data segments, in order.
    for (let i = 0; i < t.elements.length; i++) {
      const mode = t.elements[i].mode;
      if (mode.kind === "active") {
        const table = this._tables[mode.table]._vm;
        const offset = segmentOffset(this.evalConst(mode.offset));
        const items = table.refs !== null ? vmInst.refElems[i] : this._elems[i];
        if (offset + items.length > table.size) throw new Trap(TrapCode.TableOutOfBounds);
        if (table.refs !== null) copyRefs(table.refs, offset, vmInst.refElems[i], 0, items.length);
        else table.elems.set(items as Int32Array, offset);
      }
      if (mode.kind !== "passive") {
        this._elems[i] = EMPTY_ELEMS;
        vmInst.refElems[i] = [];
      }
    }
    const general = datas.offsets.size > 0; // else every offset is an i32.const
    for (let i = 0; i < datas.count; i++) {
      const index = datas.memory[i];
      if (index < 0) continue;
      const memory = this._memories[index]._vm;
      if (memory.shared !== undefined) memory.refresh(); // another thread may have grown it
      const e = general ? datas.offsets.get(i) : undefined;
      const offset = e === undefined ? datas.i32Offset[i] >>> 0 : segmentOffset(this.evalConst(e));
      const length = datas.length[i];
      if (offset + length > memory.byteLength) throw new Trap(TrapCode.MemoryOutOfBounds);
      copyBytes(memory.bytes, offset, t.bytes, datas.start[i], length);
    }
  }

  /**
   * Evaluates a constant expression in this instance.
   *
   * @param e the expression
   * @returns its value
   */
  evalConst(e: ConstExpr): Val {
    return evaluateConstExpr<Val>(e, this.#constEnv) as Val;
  }

  /** What a constant expression reads in this instance (made once: thousands of items use it). */
  readonly #constEnv: ConstEnv<Val> = {
    leaf: (instr) => this.#constLeaf(instr),
    gc: (instr, stack) => constGc(this.store, this.module.translation, instr, stack),
  };

  /**
   * Gives a float global the exact bits of its initialiser: a float `Val` is
   * a JS number, through which an f32 signalling NaN would come out quieted.
   * A float initialiser is one leaf (only integers have arithmetic), so the
   * bits are the constant's or the other global's words.
   */
  #writeFloatBits(g: Global, init: ConstExpr): void {
    const t = g.type.type;
    if ((t !== ValType.f32 && t !== ValType.f64) || init.length !== 1) return;
    const words = this.store._vm.globals;
    const w = g._slot << 1;
    const leaf = init[0] as ConstLeaf;
    if (leaf.op === "f32.const") {
      words[w] = leaf.bits;
    } else if (leaf.op === "f64.const") {
      words[w] = Number(BigInt.asIntN(32, leaf.bits));
      words[w + 1] = Number(BigInt.asIntN(32, leaf.bits >> 32n));
    } else if (leaf.op === "global.get") {
      const from = this._globals[leaf.index]._slot << 1;
      words[w] = words[from];
      words[w + 1] = words[from + 1];
    }
  }

  /** The value of one non-arithmetic instruction of a constant expression. */
  #constLeaf(e: ConstLeaf): Val {
    switch (e.op) {
      case "i32.const":
        return e.value | 0;
      case "i64.const":
        return BigInt.asIntN(64, e.value);
      case "f32.const":
        return f32FromBits(e.bits);
      case "f64.const":
        return f64FromBits(e.bits);
      case "v128.const":
        return e.bytes.slice();
      case "ref.null":
        return null;
      case "ref.func":
        return this._funcs[e.index];
      case "global.get":
        return this._globals[e.index].get();
    }
  }

  /**
   * An export by name.
   *
   * @param name the export name
   * @returns the exported object, or `undefined`
   */
  getExport(name: string): Extern | undefined {
    return this._exports.get(name);
  }

  /**
   * An exported function.
   *
   * @param name the export name
   * @returns the function, or `undefined` when absent or not a function
   */
  getFunc(name: string): Func | undefined {
    const e = this._exports.get(name);
    return e instanceof Func ? e : undefined;
  }

  /**
   * An exported function as a plain JavaScript function (see `Func.typed`),
   * like wasmtime's `get_typed_func`.
   *
   * @typeParam P the parameter tuple
   * @typeParam R the result (undefined, one value, or an array for several)
   * @param name the export name
   * @param type when given, the function's type must equal it
   * @returns the typed function
   * @throws TypeError when there is no such function export, or its type differs
   */
  getTypedFunc<P extends Val[] = Val[], R = Val>(
    name: string,
    type?: FuncTypeInput,
  ): (...args: P) => R {
    const f = this.getFunc(name);
    if (f === undefined) throw new TypeError(`no function export named "${name}"`);
    return f.typed<P, R>(type);
  }

  /**
   * An exported memory.
   *
   * @param name the export name
   * @returns the memory, or `undefined` when absent or not a memory
   */
  getMemory(name: string): Memory | undefined {
    const e = this._exports.get(name);
    return e instanceof Memory ? e : undefined;
  }

  /**
   * An exported table.
   *
   * @param name the export name
   * @returns the table, or `undefined` when absent or not a table
   */
  getTable(name: string): Table | undefined {
    const e = this._exports.get(name);
    return e instanceof Table ? e : undefined;
  }

  /**
   * An exported global.
   *
   * @param name the export name
   * @returns the global, or `undefined` when absent or not a global
   */
  getGlobal(name: string): Global | undefined {
    const e = this._exports.get(name);
    return e instanceof Global ? e : undefined;
  }

  /**
   * All exports, in module order.
   *
   * @returns name and object of each export
   */
  exports(): InstanceExport[] {
    return [...this._exports].map(([name, value]) => ({ name, value }));
  }
}

/**
 * An active segment's offset as a number: an i32 offset read as unsigned, an
 * i64 one (a 64-bit memory or table) exact up to 2^53 and beyond every
 * memory's or table's size above.
 */
function segmentOffset(value: unknown): number {
  return typeof value === "bigint" ? Number(BigInt.asUintN(64, value)) : (value as number) >>> 0;
}

/**
 * Copies `length` bytes of `src` from `start` to `dst` at `offset`: short
 * runs byte by byte, longer ones through a view (a module may have tens of
 * thousands of small data segments, and a view per segment is most of the
 * cost of copying them).
 */
function copyBytes(
  dst: Uint8Array,
  offset: number,
  src: Uint8Array,
  start: number,
  length: number,
) {
  if (length <= 64) {
    for (let k = 0; k < length; k++) dst[offset + k] = src[start + k];
  } else {
    dst.set(src.subarray(start, start + length), offset);
  }
}
