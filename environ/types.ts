/**
 * The vocabulary of a WebAssembly module, as `environ` hands it to the
 * rest of the engine: value types, function/table/memory/global types,
 * imports, exports, segments, constant expressions, and the
 * {@link ModuleTranslation} that bundles them.
 *
 * Invariants:
 * - A value type is one small integer, so comparing two is one number
 *   comparison. The number types and `v128` are their binary encoding
 *   (`0x7f` is i32); a reference type `(ref null? ht)` packs three fields:
 *   bits 0-7 the heap type's code (an abstract heap type's binary encoding,
 *   or for a concrete type index the code of its kind: `func`, `struct`,
 *   `array` or `cont`), bit 8
 *   ({@link NON_NULL}) set when null is excluded, and bits 9-30 the concrete
 *   type index plus one (0 for an abstract heap type). So every nullable
 *   abstract reference is its one-byte shorthand (`funcref` is 0x70), and the
 *   low byte alone names the hierarchy ({@link refTop}). The index field is
 *   module-relative; equivalence of type indices across modules goes through
 *   the engine-wide type registry (`_type_registry.ts`), whose canonical ids
 *   take the index field's place, with no change to the layout, where the
 *   runtime keeps types of several modules.
 * - Index spaces hold imported entities first, then defined ones, exactly as
 *   the spec numbers them (`functions[i]` is the type index of function `i`).
 * - Function bodies are byte ranges into {@link ModuleTranslation.bytes}; a
 *   body present in a translation has been validated.
 *
 * @module
 */

/**
 * Value types, numbered by their binary encoding: the number types, `v128`,
 * and the nullable references written with one byte (`funcref` is
 * `(ref null func)`).
 */
export const ValType = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
  funcref: 0x70,
  externref: 0x6f,
  exnref: 0x69,
  nullfuncref: 0x73,
  nullexternref: 0x72,
  nullexnref: 0x74,
  anyref: 0x6e,
  eqref: 0x6d,
  i31ref: 0x6c,
  structref: 0x6b,
  arrayref: 0x6a,
  nullref: 0x71,
  contref: 0x68,
  nullcontref: 0x75,
} as const;

/**
 * A value type, as one small integer (see the module doc for the layout):
 * comparisons of value types stay number comparisons.
 */
export type ValType = number;

/** A reference type: a {@link ValType} for which {@link isRefType} holds. */
export type RefType = number;

/**
 * The abstract heap types Capstan knows, by their binary encoding (the low
 * byte of a reference type).
 */
export const HeapType = {
  func: 0x70,
  extern: 0x6f,
  exn: 0x69,
  nofunc: 0x73,
  noextern: 0x72,
  noexn: 0x74,
  any: 0x6e,
  eq: 0x6d,
  i31: 0x6c,
  struct: 0x6b,
  array: 0x6a,
  none: 0x71,
  cont: 0x68,
  nocont: 0x75,
} as const;

/** Bit of a reference type set when the reference cannot be null. */
export const NON_NULL = 0x100;
/** Shift of the concrete type index (plus one) in a reference type. */
const INDEX_SHIFT = 9;

const HEAP_NAMES: Record<number, string> = {
  [HeapType.func]: "func",
  [HeapType.extern]: "extern",
  [HeapType.exn]: "exn",
  [HeapType.nofunc]: "nofunc",
  [HeapType.noextern]: "noextern",
  [HeapType.noexn]: "noexn",
  [HeapType.any]: "any",
  [HeapType.eq]: "eq",
  [HeapType.i31]: "i31",
  [HeapType.struct]: "struct",
  [HeapType.array]: "array",
  [HeapType.none]: "none",
  [HeapType.cont]: "cont",
  [HeapType.nocont]: "nocont",
};

/** The top of each abstract heap type's hierarchy (its low byte → top code). */
const TOP_OF: Record<number, number> = {
  [HeapType.func]: HeapType.func,
  [HeapType.nofunc]: HeapType.func,
  [HeapType.extern]: HeapType.extern,
  [HeapType.noextern]: HeapType.extern,
  [HeapType.exn]: HeapType.exn,
  [HeapType.noexn]: HeapType.exn,
  [HeapType.any]: HeapType.any,
  [HeapType.eq]: HeapType.any,
  [HeapType.i31]: HeapType.any,
  [HeapType.struct]: HeapType.any,
  [HeapType.array]: HeapType.any,
  [HeapType.none]: HeapType.any,
  [HeapType.cont]: HeapType.cont,
  [HeapType.nocont]: HeapType.cont,
};

/** The bottom of each hierarchy, by its top. */
const BOTTOM_OF: Record<number, number> = {
  [HeapType.func]: HeapType.nofunc,
  [HeapType.extern]: HeapType.noextern,
  [HeapType.exn]: HeapType.noexn,
  [HeapType.any]: HeapType.none,
  [HeapType.cont]: HeapType.nocont,
};

const VAL_TYPE_NAMES: Record<number, string> = {
  [ValType.i32]: "i32",
  [ValType.i64]: "i64",
  [ValType.f32]: "f32",
  [ValType.f64]: "f64",
  [ValType.v128]: "v128",
  [ValType.funcref]: "funcref",
  [ValType.externref]: "externref",
  [ValType.exnref]: "exnref",
  [ValType.nullfuncref]: "nullfuncref",
  [ValType.nullexternref]: "nullexternref",
  [ValType.nullexnref]: "nullexnref",
  [ValType.anyref]: "anyref",
  [ValType.eqref]: "eqref",
  [ValType.i31ref]: "i31ref",
  [ValType.structref]: "structref",
  [ValType.arrayref]: "arrayref",
  [ValType.nullref]: "nullref",
  [ValType.contref]: "contref",
  [ValType.nullcontref]: "nullcontref",
};

/**
 * The reference type `(ref null? ht)` for an abstract heap type.
 *
 * @param heap a {@link HeapType} code
 * @param nullable whether null is a value of the type
 * @returns the value type
 * @example
 * ```ts
 * import { HeapType, refType, ValType } from "@capstan/environ";
 * if (refType(HeapType.func, true) !== ValType.funcref) throw new Error();
 * ```
 */
export function refType(heap: number, nullable: boolean): RefType {
  return nullable ? heap : heap | NON_NULL;
}

/**
 * The reference type `(ref null? $t)` for a type index.
 *
 * @param typeIndex the type index
 * @param nullable whether null is a value of the type
 * @param kind the code of the type's kind: `HeapType.func` (the default),
 *   `HeapType.struct` or `HeapType.array`
 * @returns the value type
 * @example
 * ```ts
 * import { isRefType, refTypeIndex, typeIndexRef } from "@capstan/environ";
 * const t = typeIndexRef(3, false);
 * if (!isRefType(t) || refTypeIndex(t) !== 3) throw new Error();
 * ```
 */
export function typeIndexRef(
  typeIndex: number,
  nullable: boolean,
  kind: number = HeapType.func,
): RefType {
  return ((typeIndex + 1) << INDEX_SHIFT) | kind | (nullable ? 0 : NON_NULL);
}

/**
 * A value type with the index field of a concrete reference replaced (the
 * rest, kind and nullability, kept); other value types unchanged.
 *
 * @param t a value type
 * @param index the new type index
 * @returns the value type naming `index`
 * @example
 * ```ts
 * import { refTypeIndex, typeIndexRef, withTypeIndex } from "@capstan/environ";
 * if (refTypeIndex(withTypeIndex(typeIndexRef(3, true), 7)) !== 7) throw new Error();
 * ```
 */
export function withTypeIndex(t: ValType, index: number): ValType {
  if (refTypeIndex(t) < 0) return t;
  return ((index + 1) << INDEX_SHIFT) | (t & (NON_NULL | 0xff));
}

/**
 * The type index of a concrete reference type.
 *
 * @param t a reference type
 * @returns its type index, or -1 for an abstract heap type
 * @example
 * ```ts
 * import { refTypeIndex, ValType } from "@capstan/environ";
 * if (refTypeIndex(ValType.funcref) !== -1) throw new Error();
 * ```
 */
export function refTypeIndex(t: RefType): number {
  return (t >>> INDEX_SHIFT) - 1;
}

/**
 * Whether null is a value of a reference type.
 *
 * @param t a reference type
 * @returns true for `(ref null ...)`
 * @example
 * ```ts
 * import { isNullable, ValType } from "@capstan/environ";
 * if (!isNullable(ValType.externref)) throw new Error();
 * ```
 */
export function isNullable(t: RefType): boolean {
  return (t & NON_NULL) === 0;
}

/**
 * A reference type with its nullability changed.
 *
 * @param t a reference type
 * @param nullable the nullability wanted
 * @returns the same heap type with that nullability
 * @example
 * ```ts
 * import { isNullable, withNullable, ValType } from "@capstan/environ";
 * if (isNullable(withNullable(ValType.funcref, false))) throw new Error();
 * ```
 */
export function withNullable(t: RefType, nullable: boolean): RefType {
  return nullable ? t & ~NON_NULL : t | NON_NULL;
}

/**
 * The nullable top type of a reference type's hierarchy: `funcref` for
 * every function reference (concrete ones included), `externref`, or
 * `exnref`. All references of one hierarchy share a runtime representation.
 *
 * @param t a reference type
 * @returns its hierarchy's top, as a value type
 * @example
 * ```ts
 * import { refTop, typeIndexRef, ValType } from "@capstan/environ";
 * if (refTop(typeIndexRef(0, false)) !== ValType.funcref) throw new Error();
 * ```
 */
export function refTop(t: RefType): RefType {
  return TOP_OF[t & 0xff];
}

/**
 * The nullable bottom type of a reference type's hierarchy
 * (`nullfuncref`, `nullexternref` or `nullexnref`).
 *
 * @param t a reference type
 * @returns its hierarchy's bottom, as a value type
 * @example
 * ```ts
 * import { refBottom, ValType } from "@capstan/environ";
 * if (refBottom(ValType.funcref) !== ValType.nullfuncref) throw new Error();
 * ```
 */
export function refBottom(t: RefType): RefType {
  return BOTTOM_OF[TOP_OF[t & 0xff]];
}

/**
 * The text-format name of a value type.
 *
 * @param type a value type
 * @returns its name, e.g. `"i32"` or `"(ref null 2)"`
 * @example
 * ```ts
 * import { ValType, valTypeName } from "@capstan/environ";
 * if (valTypeName(ValType.f64) !== "f64") throw new Error();
 * ```
 */
export function valTypeName(type: ValType): string {
  const name = VAL_TYPE_NAMES[type];
  if (name !== undefined) return name;
  if (!isValType(type)) return `<0x${(type as number).toString(16)}>`;
  const index = refTypeIndex(type);
  const heap = index >= 0 ? String(index) : HEAP_NAMES[type & 0xff];
  return isNullable(type) ? `(ref null ${heap})` : `(ref ${heap})`;
}

/**
 * Whether a number is a value type (see the module doc for the layout). A
 * type index in it is not checked against any module.
 *
 * @param t a number read as a value type
 * @returns true for the value types
 * @example
 * ```ts
 * import { isValType } from "@capstan/environ";
 * if (!isValType(0x7f) || isValType(0x40)) throw new Error("i32 is, the empty block type is not");
 * ```
 */
export function isValType(t: number): boolean {
  if (t >= 0x7b && t <= 0x7f) return true;
  if (t < 0 || t >= 2 ** 31) return false;
  const low = t & 0xff;
  if (t >>> INDEX_SHIFT !== 0) {
    return low === HeapType.func || low === HeapType.struct || low === HeapType.array ||
      low === HeapType.cont;
  }
  return low in TOP_OF;
}

/**
 * Whether a value type is a reference type.
 *
 * @param type a value type
 * @returns true for every reference type, false for numbers and `v128`
 * @example
 * ```ts
 * import { isRefType, ValType } from "@capstan/environ";
 * if (!isRefType(ValType.externref) || isRefType(ValType.i32)) throw new Error();
 * ```
 */
export function isRefType(type: ValType): boolean {
  return type < 0x7b || type > 0x7f;
}

/**
 * Whether a value type has a default value (every type but a non-nullable
 * reference): a local of it needs no initialisation.
 *
 * @param type a value type
 * @returns false for `(ref ht)`
 * @example
 * ```ts
 * import { isDefaultable, ValType, withNullable } from "@capstan/environ";
 * if (!isDefaultable(ValType.i32) || isDefaultable(withNullable(ValType.funcref, false))) {
 *   throw new Error();
 * }
 * ```
 */
export function isDefaultable(type: ValType): boolean {
  return (type & NON_NULL) === 0;
}

/**
 * The packed storage types of struct fields and array elements, by their
 * binary encoding (stored as i32 values: `i8` and `i16`).
 */
export const PackedType = {
  i8: 0x78,
  i16: 0x77,
} as const;

/** A field of a struct type, or the element of an array type. */
export interface FieldType {
  /** Its storage type: a value type, or a {@link PackedType}. */
  readonly type: number;
  /** Whether `struct.set` / `array.set` may change it. */
  readonly mutable: boolean;
}

/**
 * The kind of a composite type: a function type, a GC struct or array type,
 * or a continuation type `cont $ft` (stack switching; binary form 0x5d).
 */
export type CompositeKind = "func" | "struct" | "array" | "cont";

/**
 * A defined type (an entry of the type section): a function signature, or
 * with GC a struct or array type, or with stack switching a continuation
 * type, with its place in its recursion group and its declared supertype. A
 * struct, array or continuation type has empty `params` and `results`, so
 * code that reads signatures of function types only never needs to ask the
 * kind.
 */
export interface FuncType {
  /** Parameter types, in order. */
  readonly params: readonly ValType[];
  /** Result types, in order (several with multi-value). */
  readonly results: readonly ValType[];
  /**
   * Its structural key when it names a type index or is anything but a final
   * function type alone in its recursion group (whose number alone means
   * nothing outside its module): {@link funcTypeKey} for a function type of
   * 2.0's kind, else `#` and its canonical id in the engine's type registry;
   * absent otherwise.
   */
  readonly key?: string;
  /** Its kind; absent means `"func"`. */
  readonly kind?: CompositeKind;
  /** A struct's fields, or an array's one element type; absent for functions. */
  readonly fields?: readonly FieldType[];
  /** A continuation type's function type index (`$ft` of `cont $ft`); absent otherwise. */
  readonly cont?: number;
  /** Whether it may not be declared a supertype; absent means final. */
  readonly final?: boolean;
  /** Its declared supertype's index (at most one); absent means none. */
  readonly supertype?: number;
  /**
   * The index of the first type of its recursion group and the group's size;
   * absent for a group of one.
   */
  readonly rec?: { readonly start: number; readonly size: number };
}

/**
 * The heap-type code of a defined type's kind (`HeapType.func`,
 * `HeapType.struct`, `HeapType.array` or `HeapType.cont`): the low byte of a reference to it.
 *
 * @param t a defined type
 * @returns its kind's code
 * @example
 * ```ts
 * import { HeapType, kindCode } from "@capstan/environ";
 * if (kindCode({ params: [], results: [], kind: "struct", fields: [] }) !== HeapType.struct) {
 *   throw new Error();
 * }
 * ```
 */
export function kindCode(t: FuncType): number {
  return t.kind === "struct"
    ? HeapType.struct
    : t.kind === "array"
    ? HeapType.array
    : t.kind === "cont"
    ? HeapType.cont
    : HeapType.func;
}

/**
 * The value type a field's storage type reads as: i32 for the packed types.
 *
 * @param storage a storage type (a value type or a {@link PackedType})
 * @returns its unpacked value type
 * @example
 * ```ts
 * import { PackedType, unpacked, ValType } from "@capstan/environ";
 * if (unpacked(PackedType.i8) !== ValType.i32) throw new Error();
 * ```
 */
export function unpacked(storage: number): ValType {
  return storage === PackedType.i8 || storage === PackedType.i16 ? ValType.i32 : storage;
}

/**
 * The structural key of a function type: equal for, and only for, equivalent
 * types, in any module. Its parameter and result types are written as
 * numbers, except that a concrete reference is written with the key of the
 * type it names (`~` for the type itself), so a type with no concrete
 * reference has the key `params.join(",") + ">" + results.join(",")`.
 *
 * @param types the module's type section
 * @param index the type index
 * @param keys the keys of the types before `index` (a type may name only
 *   those and itself)
 * @returns its key
 * @example
 * ```ts
 * import { funcTypeKey, ValType } from "@capstan/environ";
 * if (funcTypeKey([{ params: [ValType.i32], results: [] }], 0, []) !== "127>") throw new Error();
 * ```
 */
export function funcTypeKey(
  types: readonly FuncType[],
  index: number,
  keys: readonly string[],
): string {
  const t = types[index];
  const one = (v: ValType): string => {
    const i = refTypeIndex(v);
    if (i < 0) return String(v);
    const inner = i === index ? "~" : `{${keys[i] ?? i}}`;
    return `${isNullable(v) ? "n" : "r"}${inner}`;
  };
  return t.params.map(one).join(",") + ">" + t.results.map(one).join(",");
}

/**
 * The structural key of a function type: its own ({@link FuncType.key}) when
 * it names a type index, else the one {@link funcTypeKey} gives a type
 * without concrete references.
 *
 * @param t a function type
 * @returns its key
 * @example
 * ```ts
 * import { funcTypeKeyOf, ValType } from "@capstan/environ";
 * if (funcTypeKeyOf({ params: [], results: [ValType.i32] }) !== ">127") throw new Error();
 * ```
 */
export function funcTypeKeyOf(t: FuncType): string {
  return t.key ?? t.params.join(",") + ">" + t.results.join(",");
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
  /**
   * Its elements' initial value, when the table section gives one (a
   * non-nullable element type requires it); absent means null.
   */
  readonly init?: ConstExpr;
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

/** The five kinds of importable and exportable entities. */
export type ExternKind = "func" | "table" | "memory" | "global" | "tag";

/** What an import expects, by kind. */
export type ImportDesc =
  | { readonly kind: "func"; readonly typeIndex: number }
  | { readonly kind: "table"; readonly type: TableType }
  | { readonly kind: "memory"; readonly type: MemoryType }
  | { readonly kind: "global"; readonly type: GlobalType }
  | { readonly kind: "tag"; readonly typeIndex: number };

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

/**
 * A GC instruction of a constant expression: allocates (or converts) from
 * the values below it. `type` is the struct or array type index (-1 for the
 * conversions and `ref.i31`); `count` is `array.new_fixed`'s element count.
 */
export type ConstGc = {
  readonly op:
    | "struct.new"
    | "struct.new_default"
    | "array.new"
    | "array.new_default"
    | "array.new_fixed"
    | "ref.i31"
    | "any.convert_extern"
    | "extern.convert_any";
  readonly type: number;
  readonly count: number;
};

/** One instruction of a constant expression. */
export type ConstInstr = ConstLeaf | ConstArith | ConstGc;

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

/**
 * A module's data segments, as parallel arrays: a large module can have
 * tens of thousands of them (Go writes one per static datum), and an object
 * graph per segment would cost more to build and to keep than the segments'
 * bytes. Plain data, so a translation stays structured-cloneable; read one
 * segment as a {@link DataSegment} with `dataSegment` (`data_segments.ts`).
 */
export interface DataSegments {
  /** How many segments there are. */
  readonly count: number;
  /** Each segment's memory index; -1 for a passive segment. */
  readonly memory: Int32Array;
  /** Offset of each segment's bytes in the module bytes. */
  readonly start: Uint32Array;
  /** How many bytes each segment has. */
  readonly length: Uint32Array;
  /**
   * An active segment's offset when it is one `i32.const` (then
   * {@link offsets} has no entry for the segment).
   */
  readonly i32Offset: Int32Array;
  /** Every other active segment's offset expression, by segment index. */
  readonly offsets: ReadonlyMap<number, ConstExpr>;
}

/** One data segment, as {@link DataSegments} describes it. */
export interface DataSegment {
  /** Passive, or active in a memory at an offset. */
  readonly mode: DataMode;
  /** The bytes: a view into the module bytes. */
  readonly data: Uint8Array;
  /** Offset of the segment's bytes in the module bytes. */
  readonly start: number;
  /** How many bytes it has. */
  readonly length: number;
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
  /** How many legacy `try` instructions it has (absent: none). */
  readonly legacyTries?: number;
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
  /**
   * The canonical id of each type index in the engine-wide type registry
   * (equal ids: equivalent types, in any module); absent in translations
   * made by hand.
   */
  readonly typeIds?: Int32Array;
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
  /**
   * Every exception tag's type index (a function type without results):
   * imported first, then defined.
   */
  readonly tags: readonly number[];
  /** How many tags are imported. */
  readonly numImportedTags: number;
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
  readonly datas: DataSegments;
  /** The data count section's value, if present. */
  readonly dataCount: number | undefined;
  /** Bodies of the defined functions, in order. */
  readonly bodies: readonly FunctionBody[];
  /** Every custom section, in order (the `name` section included). */
  readonly customSections: readonly CustomSection[];
  /** The decoded `name` section (empty when absent or malformed). */
  readonly names: NameSection;
  /** The proposals beyond core 3.0 it was translated with (each on or off). */
  readonly features: { readonly stackSwitching: boolean; readonly customPageSizes: boolean };
}
