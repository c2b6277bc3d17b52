/**
 * Values of spec scripts: how the wast2json schema writes arguments and
 * expected results, and how the runner holds and compares them.
 *
 * Invariants:
 * - A {@link WastValue} holds raw bits, never a JS float: `f32` is its u32 bit
 *   pattern, `f64` its u64 bit pattern, so NaN payloads survive and results are
 *   compared bit for bit.
 * - `i32` is held unsigned (`>>> 0`), `i64` as an unsigned `bigint`.
 * - `externref` values named by a number in a script (`ref.extern N`) are the
 *   same JS object every time they are named within one {@link ExternRefs}.
 *
 * @module
 */

/** A value crossing the boundary between a script and an engine, as raw bits. */
export type WastValue =
  | { readonly type: "i32"; readonly bits: number }
  | { readonly type: "i64"; readonly bits: bigint }
  | { readonly type: "f32"; readonly bits: number }
  | { readonly type: "f64"; readonly bits: bigint }
  | { readonly type: "v128"; readonly bytes: Uint8Array }
  | {
    readonly type: RefTypeName;
    readonly ref: unknown;
    /**
     * For a non-null `anyref`: what it is, when the engine can tell (an i31,
     * a struct, an array, a host value); else inferred (a number is an i31,
     * another value an object of some kind).
     */
    readonly gc?: GcKind;
  };

/** The reference types a script value may have (a reference crosses as its hierarchy's top). */
export type RefTypeName = "funcref" | "externref" | "anyref" | "exnref";

/** What a non-null `anyref` is. */
export type GcKind = "i31" | "struct" | "array" | "host";

/** The GC result patterns: a non-null reference of that kind. */
const GC_PATTERN_KINDS: Readonly<Record<string, readonly (GcKind | "object")[]>> = {
  eqref: ["i31", "struct", "array", "object"],
  i31ref: ["i31"],
  structref: ["struct", "object"],
  arrayref: ["array", "object"],
};

const scratch = new DataView(new ArrayBuffer(8));

/**
 * A script value as the JavaScript value wasm APIs take: i32 a number, i64 a
 * BigInt, f32/f64 the numbers their bits encode, references as they are, v128
 * a copy of its 16 bytes.
 *
 * @param value a script value
 * @returns its JavaScript form
 * @example
 * ```ts
 * import { toJsValue } from "./wast_values.ts";
 * if (toJsValue({ type: "f32", bits: 0x3fc00000 }) !== 1.5) throw new Error();
 * ```
 */
export function toJsValue(value: WastValue): unknown {
  switch (value.type) {
    case "i32":
      return value.bits | 0;
    case "i64":
      return BigInt.asIntN(64, value.bits);
    case "f32":
      scratch.setUint32(0, value.bits);
      return scratch.getFloat32(0);
    case "f64":
      scratch.setBigUint64(0, value.bits);
      return scratch.getFloat64(0);
    case "v128":
      return value.bytes.slice();
    default:
      return value.ref;
  }
}

/**
 * A JavaScript value of a wasm type as a script value (the inverse of
 * {@link toJsValue}); floats keep the bits the number carries.
 *
 * @param type the value's wasm type
 * @param value its JavaScript form
 * @returns the script value
 * @example
 * ```ts
 * import { fromJsValue } from "./wast_values.ts";
 * const v = fromJsValue("i32", -1);
 * if (v.type !== "i32" || v.bits !== 0xffffffff) throw new Error();
 * ```
 */
export function fromJsValue(type: WastValue["type"], value: unknown): WastValue {
  switch (type) {
    case "i32":
      return { type, bits: Number(value) >>> 0 };
    case "i64":
      return { type, bits: BigInt.asUintN(64, BigInt(value as bigint)) };
    case "f32":
      scratch.setFloat32(0, Number(value));
      return { type, bits: scratch.getUint32(0) };
    case "f64":
      scratch.setFloat64(0, Number(value));
      return { type, bits: scratch.getBigUint64(0) };
    case "v128":
      return { type, bytes: Uint8Array.from(value as Uint8Array) };
    default:
      return { type, ref: value };
  }
}

/** The number types and vector lanes a script may name. */
export type WastNumType = "i32" | "i64" | "f32" | "f64";

/** One lane of an expected v128, or a scalar number pattern. */
export type NumPattern =
  | { readonly kind: "bits"; readonly type: WastNumType; readonly bits: bigint }
  | {
    readonly kind: "nan";
    readonly type: "f32" | "f64";
    readonly nan: "canonical" | "arithmetic";
  };

/** What an `assert_return` expects of one result. */
export type Expected =
  | { readonly kind: "num"; readonly pattern: NumPattern }
  | {
    readonly kind: "v128";
    readonly laneType: "i8" | "i16" | "i32" | "i64" | "f32" | "f64";
    readonly lanes: readonly NumPattern[];
  }
  | {
    readonly kind: "ref";
    /**
     * The reference type, `"ref"` for a reference of any type, or a GC
     * pattern's kind (`eqref`, `i31ref`, `structref`, `arrayref`).
     */
    readonly type: RefTypeName | "ref" | "eqref" | "i31ref" | "structref" | "arrayref";
    /** `null`: the null reference; `"any"`: any non-null one; an object: that extern. */
    readonly ref: null | "any" | object;
  }
  | { readonly kind: "either"; readonly options: readonly Expected[] };

/** A value as wast2json writes it: `{type, value}` plus `lane_type` for v128. */
export interface JsonValue {
  /** The value type, or `"either"`. */
  readonly type: string;
  /** Decimal bits, a NaN pattern, `"null"`, or lane strings for v128. */
  readonly value?: string | readonly string[];
  /** For v128: the lane shape. */
  readonly lane_type?: string;
  /** For `either`: the alternatives. */
  readonly values?: readonly JsonValue[];
}

/** Error for a script whose JSON does not follow the wast2json schema. */
export class WastSyntaxError extends Error {
  /**
   * Creates the error.
   *
   * @param message what was wrong
   */
  constructor(message: string) {
    super(message);
    this.name = "WastSyntaxError";
  }
}

/**
 * The host objects that `ref.extern N` denotes, one per number, kept for the
 * life of a run so identity comparisons work across modules.
 */
export class ExternRefs {
  #objects = new Map<number, object>();

  /**
   * The object for `ref.extern n`.
   *
   * @param n the number written in the script
   * @returns the same frozen object for the same `n`
   */
  get(n: number): object {
    let object = this.#objects.get(n);
    if (object === undefined) {
      object = Object.freeze({ externref: n });
      this.#objects.set(n, object);
    }
    return object;
  }

  /**
   * The number an object stands for, if it is one of these.
   *
   * @param object a value returned by an engine
   * @returns its number, or undefined
   */
  numberOf(object: unknown): number | undefined {
    for (const [n, o] of this.#objects) if (o === object) return n;
    return undefined;
  }
}

const LANES: Record<string, { count: number; bytes: number; num: WastNumType }> = {
  i8: { count: 16, bytes: 1, num: "i32" },
  i16: { count: 8, bytes: 2, num: "i32" },
  i32: { count: 4, bytes: 4, num: "i32" },
  i64: { count: 2, bytes: 8, num: "i64" },
  f32: { count: 4, bytes: 4, num: "f32" },
  f64: { count: 2, bytes: 8, num: "f64" },
};

function parseBits(text: unknown, width: number): bigint {
  if (typeof text !== "string" || !/^-?[0-9]+$/.test(text)) {
    throw new WastSyntaxError(`expected a decimal number, found ${JSON.stringify(text)}`);
  }
  return BigInt.asUintN(width, BigInt(text));
}

function parseNumPattern(type: WastNumType, text: unknown, width: number): NumPattern {
  if (text === "nan:canonical" || text === "nan:arithmetic") {
    if (type !== "f32" && type !== "f64") {
      throw new WastSyntaxError(`a NaN pattern needs a float type, found ${type}`);
    }
    return { kind: "nan", type, nan: text === "nan:canonical" ? "canonical" : "arithmetic" };
  }
  return { kind: "bits", type, bits: parseBits(text, width) };
}

function laneBytes(laneType: string, values: unknown): Uint8Array {
  const shape = LANES[laneType];
  if (shape === undefined) throw new WastSyntaxError(`unknown lane type ${laneType}`);
  if (!Array.isArray(values) || values.length !== shape.count) {
    throw new WastSyntaxError(`v128 of ${laneType} needs ${shape.count} lanes`);
  }
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  values.forEach((text, i) => {
    const bits = parseBits(text, shape.bytes * 8);
    if (shape.bytes === 8) view.setBigUint64(i * 8, bits, true);
    else {
      for (let b = 0; b < shape.bytes; b++) {
        bytes[i * shape.bytes + b] = Number((bits >> BigInt(b * 8)) & 0xffn);
      }
    }
  });
  return bytes;
}

/**
 * Reads an argument of an action.
 *
 * @param json the value as wast2json wrote it
 * @param externs the objects `ref.extern N` stands for
 * @returns the raw value
 * @throws {WastSyntaxError} for a value that is not in the schema
 */
export function parseArgument(json: JsonValue, externs: ExternRefs): WastValue {
  switch (json.type) {
    case "i32":
      return { type: "i32", bits: Number(parseBits(json.value, 32)) };
    case "i64":
      return { type: "i64", bits: parseBits(json.value, 64) };
    case "f32":
      return { type: "f32", bits: Number(parseBits(json.value, 32)) };
    case "f64":
      return { type: "f64", bits: parseBits(json.value, 64) };
    case "v128":
      return { type: "v128", bytes: laneBytes(json.lane_type ?? "", json.value) };
    case "funcref":
    case "externref":
    case "anyref":
    case "exnref": {
      if (json.value === "null") return { type: json.type, ref: null };
      if (json.type === "externref" || json.type === "anyref") {
        // `ref.host N` is the host object `ref.extern N` names, passed as anyref
        return { type: json.type, ref: externs.get(Number(parseBits(json.value, 32))) };
      }
      throw new WastSyntaxError(`a ${json.type} argument must be null`);
    }
  }
  throw new WastSyntaxError(`unknown value type ${JSON.stringify(json.type)}`);
}

/**
 * Reads an expected result of an `assert_return`.
 *
 * @param json the value as wast2json wrote it
 * @param externs the objects `ref.extern N` stands for
 * @returns the pattern the result must match
 * @throws {WastSyntaxError} for a value that is not in the schema
 */
export function parseExpected(json: JsonValue, externs: ExternRefs): Expected {
  switch (json.type) {
    case "i32":
    case "f32":
      return { kind: "num", pattern: parseNumPattern(json.type, json.value, 32) };
    case "i64":
    case "f64":
      return { kind: "num", pattern: parseNumPattern(json.type, json.value, 64) };
    case "v128": {
      const laneType = json.lane_type ?? "";
      const shape = LANES[laneType];
      if (shape === undefined) throw new WastSyntaxError(`unknown lane type ${laneType}`);
      const values = json.value;
      if (!Array.isArray(values) || values.length !== shape.count) {
        throw new WastSyntaxError(`v128 of ${laneType} needs ${shape.count} lanes`);
      }
      return {
        kind: "v128",
        laneType: laneType as "i8",
        lanes: values.map((v) => parseNumPattern(shape.num, v, shape.bytes * 8)),
      };
    }
    case "ref":
    case "funcref":
    case "externref":
    case "anyref":
    case "exnref":
    case "eqref":
    case "i31ref":
    case "structref":
    case "arrayref": {
      if (json.value === "null") return { kind: "ref", type: json.type, ref: null };
      if (json.value === undefined || json.type === "funcref" || json.type === "exnref") {
        return { kind: "ref", type: json.type, ref: "any" };
      }
      return {
        kind: "ref",
        type: json.type,
        ref: externs.get(Number(parseBits(json.value, 32))),
      };
    }
    case "either":
      return {
        kind: "either",
        options: (json.values ?? []).map((v) => parseExpected(v, externs)),
      };
  }
  throw new WastSyntaxError(`unknown value type ${JSON.stringify(json.type)}`);
}

function matchesNum(pattern: NumPattern, bits: bigint): boolean {
  if (pattern.kind === "bits") return pattern.bits === bits;
  if (pattern.type === "f32") {
    const b = Number(bits);
    return pattern.nan === "canonical"
      ? (b & 0x7fffffff) === 0x7fc00000
      : (b & 0x7fc00000) === 0x7fc00000;
  }
  return pattern.nan === "canonical"
    ? (bits & 0x7fffffffffffffffn) === 0x7ff8000000000000n
    : (bits & 0x7ff8000000000000n) === 0x7ff8000000000000n;
}

function numBits(value: WastValue): bigint | undefined {
  switch (value.type) {
    case "i32":
    case "f32":
      return BigInt(value.bits >>> 0);
    case "i64":
    case "f64":
      return BigInt.asUintN(64, value.bits);
  }
  return undefined;
}

/**
 * Whether a result matches what the script expects.
 *
 * @param expected the pattern from the script
 * @param actual the result an engine returned
 * @returns true when types agree and the bits (or NaN class, or reference) match
 */
export function matches(expected: Expected, actual: WastValue): boolean {
  switch (expected.kind) {
    case "num": {
      if (actual.type !== expected.pattern.type) return false;
      const bits = numBits(actual);
      return bits !== undefined && matchesNum(expected.pattern, bits);
    }
    case "v128": {
      if (actual.type !== "v128") return false;
      const shape = LANES[expected.laneType];
      const view = new DataView(actual.bytes.buffer, actual.bytes.byteOffset, 16);
      return expected.lanes.every((pattern, i) => {
        const at = i * shape.bytes;
        const bits = shape.bytes === 1
          ? BigInt(view.getUint8(at))
          : shape.bytes === 2
          ? BigInt(view.getUint16(at, true))
          : shape.bytes === 4
          ? BigInt(view.getUint32(at, true))
          : view.getBigUint64(at, true);
        return matchesNum(pattern, bits);
      });
    }
    case "ref": {
      const kinds = GC_PATTERN_KINDS[expected.type];
      if (kinds !== undefined) {
        if (actual.type !== "anyref" || actual.ref === null || actual.ref === undefined) {
          return false;
        }
        const kind = actual.gc ?? (typeof actual.ref === "number" ? "i31" : "object");
        return kinds.includes(kind);
      }
      if (expected.type === "ref") {
        if (!REF_TYPES.includes(actual.type)) return false;
      } else if (actual.type !== expected.type) return false;
      if (!("ref" in actual)) return false;
      if (expected.ref === null) return actual.ref === null;
      if (expected.ref === "any") return actual.ref !== null && actual.ref !== undefined;
      return actual.ref === expected.ref;
    }
    case "either":
      return expected.options.some((option) => matches(option, actual));
  }
}

const REF_TYPES: readonly string[] = ["funcref", "externref", "anyref", "exnref"];

function hex(bits: bigint, digits: number): string {
  return "0x" + bits.toString(16).padStart(digits, "0");
}

function floatOf(type: "f32" | "f64", bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  if (type === "f32") {
    view.setUint32(0, Number(bits));
    return view.getFloat32(0);
  }
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

function describeNum(type: WastNumType, bits: bigint): string {
  switch (type) {
    case "i32":
      return `i32:${BigInt.asIntN(32, bits)}`;
    case "i64":
      return `i64:${BigInt.asIntN(64, bits)}`;
    case "f32":
      return `f32:${floatOf("f32", bits)} (${hex(bits, 8)})`;
    case "f64":
      return `f64:${floatOf("f64", bits)} (${hex(bits, 16)})`;
  }
}

function describeRef(ref: unknown, externs?: ExternRefs): string {
  if (ref === null || ref === undefined) return "null";
  const n = externs?.numberOf(ref);
  return n === undefined ? "<ref>" : `extern ${n}`;
}

/**
 * A short text for a value, for failure reports.
 *
 * @param value a raw value
 * @param externs to name `ref.extern N` objects by number
 * @returns e.g. `i32:-1`, `f32:NaN (0x7fc00000)`, `v128:0x00...`
 */
export function describeValue(value: WastValue, externs?: ExternRefs): string {
  switch (value.type) {
    case "v128":
      return "v128:" + [...value.bytes].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    case "funcref":
    case "externref":
    case "exnref":
      return `${value.type}:${describeRef(value.ref, externs)}`;
    case "anyref":
      return `anyref:${
        value.gc === undefined || value.gc === "host" || value.ref === null
          ? describeRef(value.ref, externs)
          : value.gc === "i31"
          ? `i31 ${value.ref}`
          : value.gc
      }`;
    default:
      return describeNum(value.type, numBits(value)!);
  }
}

function describePattern(pattern: NumPattern): string {
  return pattern.kind === "nan"
    ? `${pattern.type}:nan:${pattern.nan}`
    : describeNum(pattern.type, pattern.bits);
}

/**
 * A short text for an expected result, for failure reports.
 *
 * @param expected a pattern from a script
 * @param externs to name `ref.extern N` objects by number
 * @returns e.g. `f64:nan:canonical`, `v128 i32x4:[i32:1 ...]`
 */
export function describeExpected(expected: Expected, externs?: ExternRefs): string {
  switch (expected.kind) {
    case "num":
      return describePattern(expected.pattern);
    case "v128":
      return `v128 ${expected.laneType}:[${
        expected.lanes.map((l) => describePattern(l).replace(/^[a-z0-9]+:/, "")).join(" ")
      }]`;
    case "ref":
      return `${expected.type}:${
        expected.ref === "any" ? "non-null" : describeRef(expected.ref, externs)
      }`;
    case "either":
      return `either(${expected.options.map((o) => describeExpected(o, externs)).join(", ")})`;
  }
}

/**
 * The type of value a pattern expects, to tell which invocations need v128.
 *
 * @param expected a pattern from a script
 * @returns its value type name (`"either"` patterns report their first option's)
 */
export function expectedType(expected: Expected): string {
  switch (expected.kind) {
    case "num":
      return expected.pattern.type;
    case "v128":
      return "v128";
    case "ref":
      return expected.type;
    case "either":
      return expected.options.length > 0 ? expectedType(expected.options[0]) : "either";
  }
}
