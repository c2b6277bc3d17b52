/**
 * The GC ops on the JS tier: moves and tests of references, struct and
 * array access, `i31`, casts and the extern conversions, as JavaScript over
 * JS locals of kind `R` (`_js_kinds.ts`). A reference is the interpreter's
 * own value (`GcStruct`, `GcArray`, an i31 as a number, a `HostRef`, null:
 * see `interpreter/gc_objects.ts`), so values cross tiers unchanged; the
 * helpers the code calls are `G` (`runtime/_js_gc.ts`).
 *
 * - Struct fields and array elements keep the interpreter's stored
 *   representation (its `Storage`): an i32/f32 as int32 bits, a packed field
 *   wrapped to its width, an i64/f64 as a BigInt of its bits, a reference as
 *   itself, an extern value internalised; they are converted from and to
 *   the kinds of the locals where they are read and written.
 * - Casts are tested in place: a final type by one compare of the object's
 *   canonical id, another by the registry's supertype display (`G.sub`),
 *   abstract heap types by `typeof` and `instanceof`.
 * - Bulk and rare ops (array allocation, fill, copy, segment reads) run the
 *   interpreter's own handler over scratch slots at `S.sp` (`G.run`), so
 *   their traps and limits are the interpreter's exactly; a fixed array is
 *   made from its values in place (`G.fixed`: it may have thousands).
 *
 * Invariants:
 * - A function with a field or element of type v128 is not lowered (a v128
 *   lives in the v128 file on this tier): {@link jsGcShape} says why.
 * - Every null, bounds and cast test traps with the interpreter's code, in
 *   the interpreter's order (null before bounds).
 *
 * @module
 */

import {
  type FieldType,
  HeapType,
  TrapCode,
  TYPE_REGISTRY,
  unpacked,
  ValType,
} from "@capstan/environ";
import { BYTECODE_OPS, Op, Storage, storageOf } from "@capstan/interpreter";
import type { IrFunction, IrInst } from "./ir.ts";
import { isGcRef } from "./_gc_support.ts";
import type { OpShape, RegKind, RegOperand } from "./_js_op_shapes.ts";
import { softKindOf } from "./_js_kinds.ts";
import type { Pair, Val } from "./_js_i64.ts";

/** What a GC op's text sees of its site. */
export interface GcSite {
  /** A `throw` of the trap with this code at the op's offset. */
  trap(code: number): string;
  /** The kind of the register at `slot` (an operand index, or 100 + j: the base register + j). */
  kind(slot: number): RegKind;
  /** The register at `slot` read as kind `to` (a pair for `B`). */
  read(slot: number, to: RegKind): Val;
  /** The local(s) the register at `slot` is written to. */
  def(slot: number): Val;
  /** A statement writing the register at `slot` (its own kind) to VM slot `at`. */
  toSlot(slot: number, at: string): string;
}

/** The GC ops this file lowers, by name. */
const GC_OPS = new Set([
  "ref_mov",
  "ref_select",
  "ref_null",
  "ref_is_null_any",
  "br_ref_nonnull",
  "br_ref_null",
  "ref_eq",
  "ref_global_get",
  "ref_global_set",
  "ref_i31",
  "i31_get",
  "struct_new",
  "struct_new_default",
  "struct_get",
  "struct_set",
  "array_new",
  "array_new_default",
  "array_new_fixed",
  "array_new_data",
  "array_new_elem",
  "array_get",
  "array_set",
  "array_len",
  "array_fill",
  "array_copy",
  "array_init_data",
  "array_init_elem",
  "ref_test",
  "ref_cast",
  "ref_test_func",
  "ref_cast_func",
  "any_convert_extern",
  "extern_convert_any",
  "br_ref_test",
  "br_ref_test_fail",
]);

/**
 * Whether an op is a GC op this file lowers.
 *
 * @param name the op's name
 * @returns true for the ops of `interpreter/_gc_exec.ts`
 */
export function isJsGcOp(name: string): boolean {
  return GC_OPS.has(name);
}

/**
 * The register kinds of each GC op, one token per `r` operand (as the rows
 * of `_js_op_shapes.ts`, `=` a definition); `F` a field or element value,
 * whose kind comes from its type.
 */
const KINDS: Readonly<Record<string, string>> = {
  ref_mov: "=R R",
  ref_select: "=R I R R",
  ref_null: "=R",
  ref_is_null_any: "=I R",
  br_ref_nonnull: "R",
  br_ref_null: "R",
  ref_eq: "=I R R",
  ref_global_get: "=R",
  ref_global_set: "R",
  ref_i31: "=R I",
  i31_get: "=I R",
  struct_new: "=R",
  struct_new_default: "=R",
  struct_get: "=F R",
  struct_set: "R F",
  array_new: "=R F I",
  array_new_default: "=R I",
  array_new_fixed: "=R",
  array_new_data: "=R I I",
  array_new_elem: "=R I I",
  array_get: "=F R I",
  array_set: "R I F",
  array_len: "=I R",
  array_fill: "R I F I",
  array_copy: "R I R I I",
  array_init_data: "R I I I",
  array_init_elem: "R I I I",
  ref_test: "=I R",
  ref_cast: "R",
  ref_test_func: "=I I",
  ref_cast_func: "I",
  any_convert_extern: "=R I",
  extern_convert_any: "=I R",
  br_ref_test: "R",
  br_ref_test_fail: "R",
};

/** Operand `name` of op `op`'s instruction `o`. */
function operand(op: string, o: readonly (number | number[])[], name: string): number {
  const k = BYTECODE_OPS.find((x) => x.name === op)!.operands.findIndex((x) => x.name === name);
  return o[k] as number;
}

/** The fields of canonical struct or array type `id` (an array's one element). */
function fieldsOf(id: number): readonly FieldType[] {
  return TYPE_REGISTRY.type(id).fields ?? [];
}

/** A register operand of a value of storage type `type` (a field or element). */
function fieldOperand(reg: number, type: number, slot: number, def: boolean): RegOperand {
  const [k, wide] = softKindOf(unpacked(type));
  return def ? [reg, k, slot, wide] : [reg, k, slot, wide, k !== "R"];
}

/**
 * The registers a GC op reads and writes, with their kinds, or why the JS
 * tier does not lower it.
 *
 * @param ins the instruction
 * @returns its shape, or the reason
 */
export function jsGcShape(ins: IrInst): OpShape | string {
  const info = BYTECODE_OPS[ins.op];
  const name = info.name;
  const o = ins.operands;
  const uses: RegOperand[] = [];
  const defs: RegOperand[] = [];
  const type = info.operands.some((x) => x.name === "type") ? operand(name, o, "type") : -1;
  const fields = type >= 0 ? fieldsOf(type) : [];
  if (fields.some((f) => f.type === ValType.v128)) {
    return "a GC field or element of type v128 runs on the interpreter";
  }
  const toks = KINDS[name].split(" ");
  let t = 0;
  info.operands.forEach((op, k) => {
    if (op.kind !== "r" || op.name === "base") return;
    const tok = toks[t++];
    const def = tok.startsWith("=");
    const kind = tok.replace("=", "");
    if (kind === "F") {
      const f = name.startsWith("struct") ? fields[operand(name, o, "field")] : fields[0];
      (def ? defs : uses).push(fieldOperand(o[k] as number, f.type, k, def));
    } else if (def) defs.push([o[k] as number, kind as RegKind, k, false]);
    else uses.push([o[k] as number, kind as RegKind, k, false, kind !== "R"]);
  });
  // the values of a new struct or fixed array, from the base register up
  if (name === "struct_new" || name === "array_new_fixed") {
    const base = operand(name, o, "base");
    const n = name === "struct_new" ? fields.length : operand(name, o, "n");
    for (let j = 0; j < n; j++) {
      uses.push(fieldOperand(base + j, (fields[j] ?? fields[0]).type, 100 + j, false));
    }
  }
  return { uses, defs, same: [], soft: [] };
}

/** A value of operand `slot` as storage `st` stores it (an expression). */
function toStored(st: number, s: GcSite, slot: number): string {
  switch (st) {
    case Storage.I32:
      return s.read(slot, "I") as string;
    case Storage.I8:
      return `(${s.read(slot, "I")}) & 255`;
    case Storage.I16:
      return `(${s.read(slot, "I")}) & 65535`;
    case Storage.I64: {
      const p = s.read(slot, "B") as Pair;
      return `(T32[0] = ${p[0]}, T32[1] = ${p[1]}, T64[0])`;
    }
    case Storage.Ref:
      return s.read(slot, "R") as string;
    default: // an extern value: internalised
      return `G.anyOf(vm, ${s.read(slot, "I")})`;
  }
}

/** Statements setting the definition at `slot` to stored value `x` of storage `st`. */
function fromStored(st: number, s: GcSite, slot: number, x: string, signed: boolean): string {
  const d = s.def(slot);
  switch (st) {
    case Storage.I32:
      return s.kind(slot) === "F" ? `${d} = H.f32b(${x});` : `${d} = ${x};`;
    case Storage.I8:
      return signed ? `${d} = (${x} << 24) >> 24;` : `${d} = ${x};`;
    case Storage.I16:
      return signed ? `${d} = (${x} << 16) >> 16;` : `${d} = ${x};`;
    case Storage.I64:
      switch (s.kind(slot)) {
        case "B":
          return `T64[0] = ${x}; ${d[0]} = T32[0]; ${d[1]} = T32[1];`;
        case "D":
          // (a D number never holds a signalling NaN: quieted as a load's is)
          return `T64[0] = ${x}; ${d} = TD[0]; if (${d} !== ${d}) ${d} = H.quiet(${d});`;
        default: // only its low half is read
          return `T64[0] = ${x}; ${d} = T32[0];`;
      }
    case Storage.Ref:
      return `${d} = ${x};`;
    default:
      return `${d} = G.externOf(vm, ${x});`;
  }
}

/** The stored default of storage `st` (an expression). */
function defaultStored(st: number): string {
  return st === Storage.I64 ? "0n" : st === Storage.Ref || st === Storage.Extern ? "null" : "0";
}

/**
 * A test that non-null reference `a` is of heap type `ht` (a canonical id,
 * or minus an abstract heap type's code): an expression.
 *
 * @param a the reference (a local)
 * @param ht the heap type operand
 * @returns the expression
 */
export function heapTypeTest(a: string, ht: number): string {
  if (ht >= 0) {
    const exact = `typeof ${a} === "object" && ${a}.type === ${ht}`;
    if (TYPE_REGISTRY.type(ht).final !== false) return `(${exact})`;
    return `(${exact} || ${a} instanceof G.O && G.sub(${a}.type, ${ht}))`;
  }
  switch (-ht) {
    case HeapType.any:
      return "true";
    case HeapType.eq:
      return `(typeof ${a} === "number" || ${a} instanceof G.O)`;
    case HeapType.i31:
      return `typeof ${a} === "number"`;
    case HeapType.struct:
      return `${a} instanceof G.S`;
    case HeapType.array:
      return `${a} instanceof G.A`;
    default: // none and the bottoms of other hierarchies: only null
      return "false";
  }
}

/** `ref.test`'s expression: reference `a` (or null when `nul`) is of heap type `ht`. */
function refTest(a: string, ht: number, nul: number): string {
  return `(${a} === null ? ${nul !== 0} : ${heapTypeTest(a, ht)})`;
}

/** The traps a GC op run by the interpreter's handler may end with. */
const RUN_TRAPS = [
  TrapCode.NullArrayReference,
  TrapCode.ArrayOutOfBounds,
  TrapCode.MemoryOutOfBounds,
  TrapCode.TableOutOfBounds,
  TrapCode.AllocationFailure,
];

/**
 * Runs op `name` by the interpreter's handler (`G.run`): its register
 * operands written to the scratch slots from `S.sp` in order (a base's
 * values after them), its definition read back from the first.
 */
function viaVm(name: string, o: readonly (number | number[])[], s: GcSite): string {
  const info = BYTECODE_OPS.find((x) => x.name === name)!;
  const words: number[] = [info.code];
  const writes: string[] = [];
  let next = 0;
  let def = -1;
  let base = -1;
  const defined = KINDS[name].startsWith("=");
  info.operands.forEach((op, k) => {
    if (op.kind !== "r") {
      words.push(o[k] as number);
      return;
    }
    if (op.name === "base") {
      base = words.length;
      words.push(0);
      return;
    }
    if (defined && def < 0) def = next;
    else writes.push(s.toSlot(k, `S.sp + ${next}`));
    words.push(next++);
  });
  if (base >= 0) {
    words[base] = next;
    const n = operand(name, o, "n");
    for (let j = 0; j < n; j++) writes.push(s.toSlot(100 + j, `S.sp + ${next + j}`));
  }
  const traps = RUN_TRAPS.map((c) => `if (e === ${-c}) ${s.trap(c)}`).join(" ");
  const run = `e = G.run(vm, X, [${words.join(", ")}], S.sp); if (e !== 0) { ${traps} }`;
  const result = def >= 0 ? ` ${s.def(0)} = G.refs(vm)[S.sp + ${def}];` : "";
  return `${writes.join(" ")} ${run}${result}`;
}

/**
 * The JavaScript of a GC op.
 *
 * @param name the op's name
 * @param o its operands
 * @param s its site
 * @returns the statements
 */
export function jsGcText(name: string, o: readonly (number | number[])[], s: GcSite): string {
  const d = () => s.def(0) as string;
  const r = (k: number) => s.read(k, "R") as string;
  const i = (k: number) => s.read(k, "I") as string;
  const T = TrapCode;
  switch (name) {
    case "ref_mov":
      return `${d()} = ${r(1)};`;
    case "ref_select":
      return `${d()} = ${i(1)} !== 0 ? ${r(2)} : ${r(3)};`;
    case "ref_null":
      return `${d()} = null;`;
    case "ref_is_null_any":
      return `${d()} = ${r(1)} === null ? 1 : 0;`;
    case "br_ref_nonnull":
      return `if (${r(0)} !== null) GOTO(${o[1]})`;
    case "br_ref_null":
      return `if (${r(0)} === null) GOTO(${o[1]})`;
    case "ref_eq":
      return `${d()} = ${r(1)} === ${r(2)} ? 1 : 0;`;
    case "ref_global_get":
      return `${d()} = vm.refGlobals[V[${o[1]}]] ?? null;`;
    case "ref_global_set":
      return `vm.refGlobals[V[${o[0]}]] = ${r(1)};`;
    case "ref_i31":
      return `${d()} = (${i(1)} << 1) >> 1;`;
    case "i31_get": {
      const a = r(1);
      return `if (${a} === null) ${s.trap(T.NullI31Reference)} ${d()} = ${
        o[2] !== 0 ? a : `${a} & 2147483647`
      };`;
    }
    case "struct_new": {
      const st = fieldsOf(o[1] as number).map((f) => storageOf(f.type));
      return `${d()} = new G.S(${o[1]}, [${
        st.map((x, j) => toStored(x, s, 100 + j)).join(", ")
      }]);`;
    }
    case "array_new_fixed": {
      // (its values in place: a large one would reach past the scratch slots)
      const st = storageOf(fieldsOf(o[1] as number)[0].type);
      const vs = Array.from({ length: o[3] as number }, (_, j) => toStored(st, s, 100 + j));
      return `${d()} = G.fixed(${o[1]}, ${st}, [${vs.join(", ")}]);`;
    }
    case "struct_new_default": {
      const st = fieldsOf(o[1] as number).map((f) => storageOf(f.type));
      return `${d()} = new G.S(${o[1]}, [${st.map(defaultStored).join(", ")}]);`;
    }
    case "struct_get": {
      const a = r(1);
      const st = storageOf(fieldsOf(o[2] as number)[o[3] as number].type);
      return `if (${a} === null) ${s.trap(T.NullStructReference)} ${
        fromStored(st, s, 0, `${a}.fields[${o[3]}]`, o[4] === 1)
      }`;
    }
    case "struct_set": {
      const a = r(0);
      const st = storageOf(fieldsOf(o[1] as number)[o[2] as number].type);
      return `if (${a} === null) ${s.trap(T.NullStructReference)} ${a}.fields[${o[2]}] = ${
        toStored(st, s, 3)
      };`;
    }
    case "array_get": {
      const a = r(1);
      const st = storageOf(fieldsOf(o[3] as number)[0].type);
      return `if (${a} === null) ${s.trap(T.NullArrayReference)} e = ${
        i(2)
      } >>> 0; if (e >= ${a}.length) ${s.trap(T.ArrayOutOfBounds)} ${
        fromStored(st, s, 0, `${a}.data[e]`, o[4] === 1)
      }`;
    }
    case "array_set": {
      const a = r(0);
      const st = storageOf(fieldsOf(o[3] as number)[0].type);
      return `if (${a} === null) ${s.trap(T.NullArrayReference)} e = ${
        i(1)
      } >>> 0; if (e >= ${a}.length) ${s.trap(T.ArrayOutOfBounds)} ${a}.data[e] = ${
        toStored(st, s, 2)
      };`;
    }
    case "array_len": {
      const a = r(1);
      return `if (${a} === null) ${s.trap(T.NullArrayReference)} ${d()} = ${a}.length;`;
    }
    case "ref_test":
      return `${d()} = ${refTest(r(1), o[2] as number, o[3] as number)} ? 1 : 0;`;
    case "ref_cast":
      return `if (!${refTest(r(0), o[1] as number, o[2] as number)}) ${s.trap(T.CastFailure)}`;
    case "br_ref_test":
      return `if (${refTest(r(0), o[1] as number, o[2] as number)}) GOTO(${o[3]})`;
    case "br_ref_test_fail":
      return `if (!${refTest(r(0), o[1] as number, o[2] as number)}) GOTO(${o[3]})`;
    case "ref_test_func":
      return `${d()} = G.handleIs(vm, ${i(1)}, ${o[2]}, ${o[3]}) ? 1 : 0;`;
    case "ref_cast_func":
      return `if (!G.handleIs(vm, ${i(0)}, ${o[1]}, ${o[2]})) ${s.trap(T.CastFailure)}`;
    case "any_convert_extern":
      return `${d()} = G.anyOf(vm, ${i(1)});`;
    case "extern_convert_any":
      return `${d()} = G.externOf(vm, ${r(1)});`;
    default: // allocation of arrays, bulk and segment ops
      return viaVm(name, o, s);
  }
}

/**
 * The IR the JS tier lowers of a function that throws exceptions carrying
 * GC values: the `ref_null`s the translator puts before a `throw_gc` (they
 * null the ref-file entries of the values outside the `any` hierarchy, which
 * the interpreter's exception copies) become `nop`s. On this tier those
 * values stay in their numeric locals and the exception's references are
 * written whole where it is thrown (see `throwGcCode`).
 *
 * @param f a function's IR
 * @param tagParams the value types of a tag of the module
 * @returns the IR to lower (`f` itself when it has no such throw)
 */
export function jsGcIr(f: IrFunction, tagParams: (tag: number) => readonly ValType[]): IrFunction {
  const insts = f.insts;
  if (!insts.some((x) => x.op === Op.throw_gc)) return f;
  const out = insts.slice();
  for (let i = 0; i < out.length; i++) {
    if (out[i].op !== Op.throw_gc) continue;
    const [tag, base, n] = out[i].operands as number[];
    const params = tagParams(tag);
    for (let k = i - 1; k >= 0 && out[k].op === Op.ref_null; k--) {
      const r = out[k].operands[0] as number;
      if (r < base || r >= base + n || isGcRef(params[r - base])) break;
      out[k] = { op: Op.nop, operands: [], wasmOffset: out[k].wasmOffset };
    }
  }
  return { ...f, insts: out };
}

/**
 * The JS of a `throw_gc` (a `throw` of a tag with values of the `any`
 * hierarchy): every value written to the slots from `S.sp`, a reference to
 * the ref file and every other value's ref-file entry nulled, then thrown
 * with the ref-file entries (`C.exnGc`).
 *
 * @param tag the tag (of this instance)
 * @param kinds each value's kind
 * @param write a statement writing value `j` (of its kind) to slot `slot`
 * @returns the statements
 */
export function throwGcCode(
  tag: number,
  kinds: readonly RegKind[],
  write: (j: number, slot: string) => string,
): string {
  const writes = kinds.map((k, j) =>
    `${write(j, `cb + ${j}`)}${k === "R" ? "" : ` G.refs(vm)[cb + ${j}] = null;`}`
  );
  return `cb = S.sp; ${writes.join(" ")} throw C.exnGc(${tag}, cb, ${kinds.length});`;
}
