/**
 * The vocabulary of a WebAssembly 2.0 module, as `environ` hands it to the
 * rest of the engine: value types, function/table/memory/global types,
 * imports, exports, segments, constant expressions, and the
 * {@link ModuleTranslation} that bundles them.
 *
 * Invariants:
 * - Value types are numbered by their binary encoding (`0x7f` is i32), so a
 *   decoded byte is already a {@link ValType} once checked.
 * - Index spaces hold imported entities first, then defined ones, exactly as
 *   the spec numbers them (`functions[i]` is the type index of function `i`).
 * - Function bodies are byte ranges into {@link ModuleTranslation.bytes}; a
 *   body present in a translation has been validated.
 *
 * @module
 */

/** Value types, numbered by their binary encoding. */
export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
} as const;

/** A value type: one of the numbers of {@link ValType}. */
export type ValType = typeof ValType[keyof typeof ValType];

/** A reference type: `funcref` or `externref`. */
export type RefType = typeof ValType.funcref | typeof ValType.externref;

const VAL_TYPE_NAMES: Record<number, string> = {
  [ValType.i32]: "i32",
  [ValType.i64]: "i64",
  [ValType.f32]: "f32",
  [ValType.f64]: "f64",
  [ValType.v128]: "v128",
  [ValType.funcref]: "funcref",
  [ValType.externref]: "externref",
};

/**
 * The text-format name of a value type.
 *
 * @param type a value type
 * @returns its name, e.g. `"i32"`
 * @example
 * ```ts
 * import { ValType, valTypeName } from "@capstan/environ";
 * if (valTypeName(ValType.f64) !== "f64") throw new Error();
 * ```
 */
export function valTypeName(type: ValType): string {
  return VAL_TYPE_NAMES[type] ?? `<0x${(type as number).toString(16)}>`;
}

/**
 * Whether a byte is the encoding of a value type.
 *
 * @param byte a byte read from a module
 * @returns true for the seven value-type encodings
 * @example
 * ```ts
 * import { isValType } from "@capstan/environ";
 * if (!isValType(0x7f) || isValType(0x40)) throw new Error("i32 is, the empty block type is not");
 * ```
 */
export function isValType(byte: number): byte is ValType {
  return byte in VAL_TYPE_NAMES;
}

/**
 * Whether a value type is a reference type.
 *
 * @param type a value type
 * @returns true for funcref and externref
 * @example
 * ```ts
 * import { isRefType, ValType } from "@capstan/environ";
 * if (!isRefType(ValType.externref) || isRefType(ValType.i32)) throw new Error();
 * ```
 */
export function isRefType(type: ValType): type is RefType {
  return type === ValType.funcref || type === ValType.externref;
}

/** A function signature. */
export interface FuncType {
  /** Parameter types, in order. */
  readonly params: readonly ValType[];
  /** Result types, in order (several with multi-value). */
  readonly results: readonly ValType[];
}

/** Size limits of a table (in elements) or a memory (in 64 KiB pages). */
export interface Limits {
  /** The initial size. */
  readonly min: number;
  /** The maximum size, if declared. */
  readonly max: number | undefined;
}

/** The type of a table. */
export interface TableType {
  /** The reference type of its elements. */
  readonly element: RefType;
  /** Its size limits, in elements. */
  readonly limits: Limits;
  /** Whether it is indexed by i64 (table64); absent means i32. */
  readonly address64?: boolean;
}

/** The type of a linear memory. */
export interface MemoryType {
  /** Its size limits, in pages (64 KiB unless `pageSizeLog2` says otherwise). */
  readonly limits: Limits;
  /** Whether it is addressed by i64 (memory64); absent means i32. */
  readonly address64?: boolean;
  /** log2 of its page size in bytes: 16 (64 KiB, when absent) or 0 (custom page sizes). */
  readonly pageSizeLog2?: number;
  /** Whether threads share it (threads proposal); absent means unshared. */
  readonly shared?: boolean;
}

/** The type of a global. */
export interface GlobalType {
  /** The type of its value. */
  readonly type: ValType;
  /** Whether `global.set` may change it. */
  readonly mutable: boolean;
}

/** The four kinds of importable and exportable entities. */
export type ExternKind = "func" | "table" | "memory" | "global";

/** What an import expects, by kind. */
export type ImportDesc =
  | { readonly kind: "func"; readonly typeIndex: number }
  | { readonly kind: "table"; readonly type: TableType }
  | { readonly kind: "memory"; readonly type: MemoryType }
  | { readonly kind: "global"; readonly type: GlobalType };

/** One entry of the import section. */
export interface Import {
  /** The module name. */
  readonly module: string;
  /** The field name. */
  readonly name: string;
  /** What is imported. */
  readonly desc: ImportDesc;
}

/** One entry of the export section. */
export interface Export {
  /** The export name (unique within the module). */
  readonly name: string;
  /** The kind of the exported entity. */
  readonly kind: ExternKind;
  /** Its index in the index space of that kind. */
  readonly index: number;
}

/**
 * An instruction of a constant expression that pushes one value: a constant,
 * `ref.null`, `ref.func` or `global.get`. Float constants keep their raw bits
 * so NaN payloads survive.
 */
export type ConstLeaf =
  | { readonly op: "i32.const"; readonly value: number }
  | { readonly op: "i64.const"; readonly value: bigint }
  | { readonly op: "f32.const"; readonly bits: number }
  | { readonly op: "f64.const"; readonly bits: bigint }
  | { readonly op: "v128.const"; readonly bytes: Uint8Array }
  | { readonly op: "ref.null"; readonly type: RefType }
  | { readonly op: "ref.func"; readonly index: number }
  | { readonly op: "global.get"; readonly index: number };

/** An extended-constant arithmetic instruction: pops two values, pushes one. */
export type ConstArith = {
  readonly op: "i32.add" | "i32.sub" | "i32.mul" | "i64.add" | "i64.sub" | "i64.mul";
};

/** One instruction of a constant expression. */
export type ConstInstr = ConstLeaf | ConstArith;

/**
 * A constant expression (WebAssembly 3.0, extended constants included): its
 * instructions in order, the trailing `end` implied. A validated one leaves
 * exactly one value of its expected type; `evaluateConstExpr` computes it.
 */
export type ConstExpr = readonly ConstInstr[];

/** A defined global: its type and initialiser. */
export interface GlobalDef {
  /** Its type. */
  readonly type: GlobalType;
  /** Its initial value. */
  readonly init: ConstExpr;
}

/** How an element segment is used. */
export type ElementMode =
  | { readonly kind: "passive" }
  | { readonly kind: "declarative" }
  | { readonly kind: "active"; readonly table: number; readonly offset: ConstExpr };

/**
 * An element segment. Segments written as function indices (encodings 0-3)
 * have their items given as `ref.func` expressions, so all six encodings read
 * the same.
 */
export interface ElementSegment {
  /** The reference type of the items. */
  readonly type: RefType;
  /** Passive, declarative, or active in a table at an offset. */
  readonly mode: ElementMode;
  /** The items. */
  readonly items: readonly ConstExpr[];
}

/** How a data segment is used. */
export type DataMode =
  | { readonly kind: "passive" }
  | { readonly kind: "active"; readonly memory: number; readonly offset: ConstExpr };

/** A data segment. */
export interface DataSegment {
  /** Passive, or active in a memory at an offset. */
  readonly mode: DataMode;
  /** The bytes (a view into the module bytes). */
  readonly data: Uint8Array;
}

/** A defined function's body, validated, kept as a byte range. */
export interface FunctionBody {
  /** Index of this function in the function index space. */
  readonly funcIndex: number;
  /** Its type index. */
  readonly typeIndex: number;
  /** Declared locals (parameters excluded), one entry per local. */
  readonly locals: readonly ValType[];
  /** Offset in the module bytes of the body's size field. */
  readonly bodyStart: number;
  /** Offset of the first instruction, after the local declarations. */
  readonly codeStart: number;
  /** Offset one past the body's final `end` opcode. */
  readonly codeEnd: number;
}

/** The `name` custom section, decoded. Absent names are absent keys. */
export interface NameSection {
  /** The module's name. */
  readonly module: string | undefined;
  /** Function index → name. */
  readonly functions: ReadonlyMap<number, string>;
  /** Function index → (local index → name). */
  readonly locals: ReadonlyMap<number, ReadonlyMap<number, string>>;
}

/** A custom section, by name, in module order. */
export interface CustomSection {
  /** The section's name. */
  readonly name: string;
  /** Its payload (a view into the module bytes). */
  readonly data: Uint8Array;
}

/**
 * Everything `environ` learns about a module: decoded once, validated, and
 * ready for codegen and the runtime.
 */
export interface ModuleTranslation {
  /** The module's bytes. Body ranges and segment views point into them. */
  readonly bytes: Uint8Array;
  /** The type section. */
  readonly types: readonly FuncType[];
  /** The import section, in order. */
  readonly imports: readonly Import[];
  /** Type index of every function: imported first, then defined. */
  readonly functions: readonly number[];
  /** Every table: imported first, then defined. */
  readonly tables: readonly TableType[];
  /** Every memory: imported first, then defined. */
  readonly memories: readonly MemoryType[];
  /** Every global's type: imported first, then defined. */
  readonly globals: readonly GlobalType[];
  /** Initialisers of the defined globals (index `i` is global `numImportedGlobals + i`). */
  readonly globalInits: readonly ConstExpr[];
  /** How many functions are imported. */
  readonly numImportedFunctions: number;
  /** How many tables are imported. */
  readonly numImportedTables: number;
  /** How many memories are imported. */
  readonly numImportedMemories: number;
  /** How many globals are imported. */
  readonly numImportedGlobals: number;
  /** The export section, in order. */
  readonly exports: readonly Export[];
  /** The start function, if any. */
  readonly start: number | undefined;
  /** The element section. */
  readonly elements: readonly ElementSegment[];
  /** The data section. */
  readonly datas: readonly DataSegment[];
  /** The data count section's value, if present. */
  readonly dataCount: number | undefined;
  /** Bodies of the defined functions, in order. */
  readonly bodies: readonly FunctionBody[];
  /** Every custom section, in order (the `name` section included). */
  readonly customSections: readonly CustomSection[];
  /** The decoded `name` section (empty when absent or malformed). */
  readonly names: NameSection;
}
