/**
 * Module-level validation ({@link validateModule}): index spaces, constant
 * expressions, exports, the start function and segments; function bodies are
 * `validator.ts`'s job, against the {@link ModuleContext} made here.
 *
 * Invariants:
 * - Value types are compared by subtyping ({@link TypeRelation}): an
 *   initialiser's type must be a subtype of its global's, a segment item's
 *   of the segment's element type, a segment's of its table's.
 * - `ref.func` has the type `(ref $t)` of the function's type index.
 * - Errors use the reference interpreter's words, naming the offset.
 *
 * @module
 */

import { fail } from "./errors.ts";
import { MAX_ARRAY_NEW_FIXED, MAX_PARAMS, MAX_RESULTS } from "./limits.ts";
import { checkMemoryType, checkTableLimits } from "./_limits_check.ts";
import type { DecodedDatas, DecodedModule, ParsedConst } from "./decoder.ts";
import { TypeRelation } from "./_subtyping.ts";
import {
  type ConstArith,
  type ConstExpr,
  type ConstGc,
  type ConstInstr,
  type ConstLeaf,
  type DataSegments,
  type ElementMode,
  type ElementSegment,
  type FuncType,
  type GlobalType,
  HeapType,
  isDefaultable,
  isNullable,
  kindCode,
  type MemoryType,
  type RefType,
  type TableType,
  typeIndexRef,
  unpacked,
  ValType,
  withNullable,
} from "./types.ts";
import { isConstGc } from "./const_expr.ts";

const I32 = 0x7f;
const I64 = 0x7e;
const F32 = 0x7d;
const F64 = 0x7c;
const V128 = 0x7b;
const FUNCREF = ValType.funcref;
/** `(ref func)`, the element type of segments of function indices. */
const REF_FUNC = withNullable(ValType.funcref, false);

/** What function bodies and constant expressions are checked against. */
export interface ModuleContext {
  /** The type section. */
  readonly types: readonly FuncType[];
  /** Subtyping over the type section (built from `types` when absent). */
  readonly relation?: TypeRelation;
  /** Type index of every function. */
  readonly funcs: readonly number[];
  /** Every table. */
  readonly tables: readonly TableType[];
  /** How many memories there are. */
  readonly numMemories: number;
  /** Every memory's type, imported first (absent: every memory is 32-bit). */
  readonly memories?: readonly MemoryType[];
  /** Every global's type. */
  readonly globals: readonly GlobalType[];
  /** How many globals are imported. */
  readonly numImportedGlobals: number;
  /** Every tag's type index (absent: no tags). */
  readonly tags?: readonly number[];
  /** Element type of each element segment. */
  readonly elemTypes: readonly RefType[];
  /** The data count section's value, if present. */
  readonly dataCount: number | undefined;
  /** How many data segments the data section holds. */
  readonly numDatas: number;
  /** 1 for each function that `ref.func` may name in a body. */
  readonly declaredFuncs: Uint8Array;
  /** Whether the stack-switching instructions are allowed (absent: not). */
  readonly stackSwitching?: boolean;
}

/** The operand type of each extended-constant arithmetic instruction. */
const ARITH_TYPE: Readonly<Record<ConstArith["op"], number>> = {
  "i32.add": I32,
  "i32.sub": I32,
  "i32.mul": I32,
  "i64.add": I64,
  "i64.sub": I64,
  "i64.mul": I64,
};

/** The type of each constant instruction with a fixed one. */
const CONST_TYPE: Readonly<Record<string, number>> = {
  "i32.const": I32,
  "i64.const": I64,
  "f32.const": F32,
  "f64.const": F64,
  "v128.const": V128,
};

/**
 * The type a non-arithmetic instruction of constant expression `e` pushes,
 * checking its index (see {@link checkConst}).
 */
function leafType(instr: ConstInstr, e: ParsedConst, c: ConstContext, numGlobals: number): number {
  const globals = c.globals;
  switch (instr.op) {
    case "ref.func":
      if (instr.index >= c.funcs.length) fail(`unknown function ${instr.index}`, e.offset);
      c.declaredFuncs[instr.index] = 1;
      return typeIndexRef(c.funcs[instr.index], false);
    case "ref.null":
      return c.relation.check(instr.type, e.offset);
    case "global.get": {
      if (instr.index >= numGlobals) fail(`unknown global ${instr.index}`, e.offset);
      const g = globals[instr.index];
      if (g.mutable) fail("constant expression required", e.offset);
      return g.type;
    }
    default:
      return CONST_TYPE[instr.op] ?? fail("type mismatch", e.offset);
  }
}

/**
 * The type a GC instruction of constant expression `e` pushes, popping its
 * operands' types with `pop` (which fails on a mismatch).
 */
function gcConstType(
  instr: ConstGc,
  e: ParsedConst,
  c: ConstContext,
  pop: (t: number) => number,
): number {
  if (instr.op === "ref.i31") {
    pop(I32);
    return withNullable(ValType.i31ref, false);
  }
  if (instr.op === "any.convert_extern" || instr.op === "extern.convert_any") {
    // The result is nullable exactly when the operand is.
    const toAny = instr.op === "any.convert_extern";
    const a = pop(toAny ? ValType.externref : ValType.anyref);
    return withNullable(toAny ? ValType.anyref : ValType.externref, isNullable(a));
  }
  const t = c.types[instr.type];
  if (t === undefined) fail(`unknown type ${instr.type}`, e.offset);
  const kind = instr.op.startsWith("struct") ? "struct" : "array";
  if (t.kind !== kind) fail("type mismatch", e.offset);
  const fields = t.fields!;
  switch (instr.op) {
    case "struct.new":
      for (let i = fields.length - 1; i >= 0; i--) pop(unpacked(fields[i].type));
      break;
    case "array.new":
      pop(I32);
      pop(unpacked(fields[0].type));
      break;
    case "array.new_fixed":
      if (instr.count > MAX_ARRAY_NEW_FIXED) fail("too many array.new_fixed operands", e.offset);
      for (let i = 0; i < instr.count; i++) pop(unpacked(fields[0].type));
      break;
    case "array.new_default":
      pop(I32);
      if (!isDefaultable(fields[0].type)) fail("type mismatch", e.offset);
      break;
    default:
      if (!fields.every((f) => isDefaultable(f.type))) fail("type mismatch", e.offset);
  }
  return typeIndexRef(instr.type, false, kindCode(t));
}

/** What constant expressions are checked against. */
interface ConstContext {
  /** Subtyping over the type section. */
  readonly relation: TypeRelation;
  /** The type section. */
  readonly types: readonly FuncType[];
  /** Every global's type (those an expression may read come first). */
  readonly globals: readonly GlobalType[];
  /** Type index of every function. */
  readonly funcs: readonly number[];
  /** Marks each function a `ref.func` names. */
  readonly declaredFuncs: Uint8Array;
}

/**
 * Checks a constant expression against its expected type, as the spec's
 * operand-stack typing: each constant instruction pushes its type, each
 * arithmetic one pops two of its type and pushes one, and exactly one value
 * of a subtype of the expected type must remain. A `global.get` reads an
 * immutable global below `numGlobals` (a global initialiser: the imported
 * and earlier defined globals; a segment: every global).
 *
 * @param e the decoded expression
 * @param expected the type it must produce
 * @param c the module's context
 * @param numGlobals how many globals it may read
 * @returns the expression
 */
function checkConst(
  e: ParsedConst,
  expected: number,
  c: ConstContext,
  numGlobals: number = c.globals.length,
): ConstExpr {
  const expr = e.expr;
  if (expr === undefined) return fail(e.invalid ?? "constant expression required", e.offset);
  // One instruction (the common case): its type, no operand stack.
  if (expr.length === 1) {
    const first = expr[0];
    if (first.op === "ref.func" && (expected === REF_FUNC || expected === FUNCREF)) {
      // a function's reference is under func, whatever its type: only the index to check
      if (first.index >= c.funcs.length) fail(`unknown function ${first.index}`, e.offset);
      c.declaredFuncs[first.index] = 1;
      return expr;
    }
    const t = isConstGc(first)
      ? gcConstType(first, e, c, () => fail("type mismatch", e.offset))
      : leafType(first, e, c, numGlobals);
    if (t !== expected && !c.relation.isSubtype(t, expected)) fail("type mismatch", e.offset);
    return expr;
  }
  const stack: number[] = [];
  const pop = (t: number): number => {
    const a = stack.pop();
    if (a === undefined || !c.relation.isSubtype(a, t)) fail("type mismatch", e.offset);
    return a;
  };
  for (const instr of expr) {
    if (isConstGc(instr)) {
      stack.push(gcConstType(instr, e, c, pop));
      continue;
    }
    const t = ARITH_TYPE[instr.op as ConstArith["op"]];
    if (t === undefined) {
      stack.push(leafType(instr as ConstLeaf, e, c, numGlobals));
      continue;
    }
    pop(t);
    pop(t);
    stack.push(t);
  }
  if (stack.length !== 1 || !c.relation.isSubtype(stack[0], expected)) {
    fail("type mismatch", e.offset);
  }
  return expr;
}

/**
 * Checks a tag's type index: a function type. With stack switching its
 * results are what a `suspend` of it receives back (only a tag without
 * results may be thrown or caught, which body validation checks); without,
 * it has none.
 *
 * @returns the type index
 */
function checkTagType(
  types: readonly FuncType[],
  index: number,
  at: number,
  stackSwitching: boolean,
): number {
  if (index >= types.length) fail(`unknown type ${index}`, at);
  if (kindCode(types[index]) !== HeapType.func) fail("type mismatch", at);
  if (!stackSwitching && types[index].results.length !== 0) fail("non-empty tag result type", at);
  return index;
}

/** The module-level result of validation, input to body validation and translation. */
export interface ValidatedModule {
  /** Context for body validation. */
  readonly context: ModuleContext;
  /** The type section, each type carrying its key when it names a type index. */
  readonly types: readonly FuncType[];
  /** Every table type, imported first. */
  readonly tables: TableType[];
  /** Every memory type, imported first. */
  readonly memories: MemoryType[];
  /** Every global type, imported first. */
  readonly globals: GlobalType[];
  /** Defined globals' initialisers. */
  readonly globalInits: ConstExpr[];
  /** Every function's type index, imported first. */
  readonly funcs: number[];
  /** Number of imported functions. */
  readonly numImportedFunctions: number;
  /** Number of imported tables. */
  readonly numImportedTables: number;
  /** Number of imported memories. */
  readonly numImportedMemories: number;
  /** Number of imported globals. */
  readonly numImportedGlobals: number;
  /** Every tag's type index, imported first. */
  readonly tags: number[];
  /** Number of imported tags. */
  readonly numImportedTags: number;
  /** Element segments. */
  readonly elements: ElementSegment[];
  /** Data segments. */
  readonly datas: DataSegments;
}

/** The expression of data segment `i`, which the decoder read as a plain `i32.const` offset. */
function plainOffsetExpr(d: DecodedDatas, i: number): ParsedConst {
  return {
    expr: [{ op: "i32.const", value: d.i32Offset[i] }],
    invalid: undefined,
    offset: d.at[i] + 1,
  };
}

/**
 * Validates everything in a decoded module except function bodies.
 *
 * @param m the decoded module
 * @param stackSwitching whether the stack-switching proposal is enabled
 *   (continuation types and instructions, tags with results)
 * @returns the index spaces and context for body validation
 * @throws {CompileError} if the module is invalid
 */
export function validateModule(m: DecodedModule, stackSwitching = false): ValidatedModule {
  for (const t of m.types) {
    // The JS API's implementation limits, which keep validation linear in practice.
    if (t.params.length > MAX_PARAMS) fail("too many parameters", 8);
    if (t.results.length > MAX_RESULTS) fail("too many results", 8);
  }
  const relation = new TypeRelation(m.types, 8, stackSwitching);
  const types = relation.types;
  const funcs: number[] = [];
  const tables: TableType[] = [];
  const memories: MemoryType[] = [];
  const globals: GlobalType[] = [];
  const tags: number[] = [];
  for (const imp of m.imports) {
    const d = imp.desc;
    switch (d.kind) {
      case "func":
        if (d.typeIndex >= types.length) fail(`unknown type ${d.typeIndex}`, imp.at);
        if (kindCode(types[d.typeIndex]) !== HeapType.func) fail("type mismatch", imp.at);
        funcs.push(d.typeIndex);
        break;
      case "table":
        relation.check(d.type.element, imp.at);
        checkTableLimits(d.type.limits, d.type.address64 === true, imp.at);
        tables.push(d.type);
        break;
      case "memory":
        checkMemoryType(d.type, imp.at);
        memories.push(d.type);
        break;
      case "global":
        relation.check(d.type.type, imp.at);
        globals.push(d.type);
        break;
      case "tag":
        tags.push(checkTagType(types, d.typeIndex, imp.at, stackSwitching));
        break;
    }
  }
  const numImportedTags = tags.length;
  for (let i = 0; i < m.tags.length; i++) {
    tags.push(checkTagType(types, m.tags[i], m.tagAt[i], stackSwitching));
  }
  const numImportedFunctions = funcs.length;
  const numImportedTables = tables.length;
  const numImportedMemories = memories.length;
  const numImportedGlobals = globals.length;
  for (let i = 0; i < m.funcDecls.length; i++) {
    const t = m.funcDecls[i];
    if (t >= types.length) fail(`unknown type ${t}`, m.funcDeclAt[i]);
    if (kindCode(types[t]) !== HeapType.func) fail("type mismatch", m.funcDeclAt[i]);
    funcs.push(t);
  }
  const numFuncs = funcs.length;
  const declaredFuncs = new Uint8Array(numFuncs);
  const cc: ConstContext = { relation, types, globals, funcs, declaredFuncs };
  for (let i = 0; i < m.tables.length; i++) {
    const t = m.tables[i];
    const at = m.tableAt[i];
    relation.check(t.element, at);
    checkTableLimits(t.limits, t.address64 === true, at);
    const init = m.tableInits[i];
    if (init === undefined) {
      if (!isDefaultable(t.element)) fail("type mismatch", at);
      tables.push(t);
    } else {
      tables.push({ ...t, init: checkConst(init, t.element, cc) });
    }
  }
  for (let i = 0; i < m.memories.length; i++) {
    checkMemoryType(m.memories[i], m.memoryAt[i]);
    memories.push(m.memories[i]);
  }
  // Globals: an initialiser may read the imported globals and the defined ones before it.
  const globalInits: ConstExpr[] = [];
  for (let i = 0; i < m.globals.length; i++) {
    const init = m.globalInits[i];
    const type = relation.check(m.globals[i].type, init.offset);
    globalInits.push(checkConst(init, type, cc));
    globals.push(m.globals[i]);
  }

  // Exports.
  const names = new Set<string>();
  for (const e of m.exports) {
    if (names.has(e.name)) fail("duplicate export name", e.at);
    names.add(e.name);
    const space = e.kind === "func"
      ? numFuncs
      : e.kind === "table"
      ? tables.length
      : e.kind === "memory"
      ? memories.length
      : e.kind === "tag"
      ? tags.length
      : globals.length;
    if (e.index >= space) {
      fail(`unknown ${e.kind === "func" ? "function" : e.kind} ${e.index}`, e.at);
    }
    if (e.kind === "func") declaredFuncs[e.index] = 1;
  }

  // Start.
  if (m.start !== undefined) {
    if (m.start >= numFuncs) fail(`unknown function ${m.start}`, m.startAt);
    const t = types[funcs[m.start]];
    if (t.params.length !== 0 || t.results.length !== 0) fail("start function", m.startAt);
  }

  // Elements.
  const elements: ElementSegment[] = [];
  const elemTypes: RefType[] = [];
  for (const seg of m.elements) {
    let mode: ElementMode;
    if (seg.kind === "active") {
      if (seg.table >= tables.length) fail(`unknown table ${seg.table}`, seg.at);
      const at = tables[seg.table].address64 ? I64 : I32;
      const offset = checkConst(seg.offset!, at, cc);
      if (!relation.isSubtype(seg.type, tables[seg.table].element)) fail("type mismatch", seg.at);
      mode = { kind: "active", table: seg.table, offset };
    } else {
      mode = { kind: seg.kind };
    }
    const items: ConstExpr[] = [];
    relation.check(seg.type, seg.at);
    for (const item of seg.items) items.push(checkConst(item, seg.type, cc));
    elements.push({ type: seg.type, mode, items });
    elemTypes.push(seg.type);
  }

  // Data: the decoder's arrays, with each offset expression checked.
  const d = m.datas;
  const offsets = new Map<number, ConstExpr>();
  for (let i = 0; i < d.count; i++) {
    const memory = d.memory[i];
    if (memory < 0) continue;
    if (memory >= memories.length) fail(`unknown memory ${memory}`, d.at[i]);
    const at = memories[memory].address64 ? I64 : I32;
    const e = d.exprs.get(i);
    if (e !== undefined) offsets.set(i, checkConst(e, at, cc));
    else if (at !== I32) checkConst(plainOffsetExpr(d, i), at, cc); // fails: an i32 offset
  }
  const datas: DataSegments = {
    count: d.count,
    memory: d.memory,
    start: d.start,
    length: d.length,
    i32Offset: d.i32Offset,
    offsets,
  };

  const context: ModuleContext = {
    types,
    relation,
    funcs,
    tables,
    numMemories: memories.length,
    memories,
    globals,
    numImportedGlobals,
    tags,
    elemTypes,
    dataCount: m.dataCount,
    numDatas: d.count,
    declaredFuncs,
    stackSwitching,
  };
  return {
    context,
    types,
    tables,
    memories,
    globals,
    globalInits,
    funcs,
    numImportedFunctions,
    numImportedTables,
    numImportedMemories,
    numImportedGlobals,
    tags,
    numImportedTags,
    elements,
    datas,
  };
}
