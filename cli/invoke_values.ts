/**
 * Values on the command line of `capstan run --invoke`: parsing arguments by
 * the export's parameter types, and printing results as wasmtime prints them.
 *
 * Invariants:
 * - i32 and i64 print as signed decimals, exactly (i64 through BigInt).
 * - Floats print with the fewest digits that read back to the same value of
 *   their own width (so an f32 `0.1` prints `0.1`, not its f64 expansion),
 *   in plain decimal notation without an exponent, as Rust's `Display` does:
 *   `NaN`, `inf`, `-inf`, `-0`.
 * - A v128 prints as one unsigned 128-bit decimal; references as
 *   `<null funcref>`, `<funcref>`, `<null externref>`, `<externref>`.
 *
 * @module
 */

import { isRefType, refTop, ValType } from "@capstan/environ";

/** A bad argument for `--invoke`. */
export class InvokeArgumentError extends Error {
  /** @param message which argument and why */
  constructor(message: string) {
    super(message);
    this.name = "InvokeArgumentError";
  }
}

const INTEGER = /^[+-]?(0x[0-9a-f_]+|[0-9][0-9_]*)$/i;

function parseInteger(text: string, type: string): bigint {
  if (!INTEGER.test(text)) throw new InvokeArgumentError(`"${text}" is not an ${type} integer`);
  const negative = text.startsWith("-");
  const digits = text.replace(/^[+-]/, "").replaceAll("_", "");
  const magnitude = BigInt(digits);
  return negative ? -magnitude : magnitude;
}

function parseFloatText(text: string, type: string): number {
  const t = text.trim().toLowerCase();
  if (t === "nan" || t === "+nan" || t === "-nan") return NaN;
  if (t === "inf" || t === "+inf" || t === "infinity" || t === "+infinity") return Infinity;
  if (t === "-inf" || t === "-infinity") return -Infinity;
  if (t === "" || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    throw new InvokeArgumentError(`"${text}" is not an ${type} number`);
  }
  return Number(t);
}

/**
 * Parses one command-line argument for a parameter type.
 *
 * @param text the argument as typed
 * @param type the parameter's type
 * @returns the value in the runtime's representation (number, BigInt, ...)
 * @throws {InvokeArgumentError} when the text does not fit the type
 * @example
 * ```ts
 * import { isRefType, refTop, ValType } from "@capstan/environ";
 * import { parseInvokeArgument } from "./invoke_values.ts";
 * if (parseInvokeArgument("4294967295", ValType.i32) !== -1) throw new Error();
 * ```
 */
export function parseInvokeArgument(text: string, type: ValType): unknown {
  switch (isRefType(type) ? refTop(type) : type) {
    case ValType.i32: {
      const v = parseInteger(text, "i32");
      if (v < -(2n ** 31n) || v >= 2n ** 32n) {
        throw new InvokeArgumentError(`${text} is out of range for i32`);
      }
      return Number(BigInt.asIntN(32, v));
    }
    case ValType.i64: {
      const v = parseInteger(text, "i64");
      if (v < -(2n ** 63n) || v >= 2n ** 64n) {
        throw new InvokeArgumentError(`${text} is out of range for i64`);
      }
      return BigInt.asIntN(64, v);
    }
    case ValType.f32:
      return Math.fround(parseFloatText(text, "f32"));
    case ValType.f64:
      return parseFloatText(text, "f64");
    case ValType.v128: {
      const v = parseInteger(text, "v128");
      if (v < 0n || v >= 2n ** 128n) {
        throw new InvokeArgumentError(`${text} is out of range for v128`);
      }
      const bytes = new Uint8Array(16);
      for (let i = 0; i < 16; i++) bytes[i] = Number((v >> BigInt(8 * i)) & 0xffn);
      return bytes;
    }
    case ValType.externref:
    case ValType.funcref:
      if (text === "null") return null;
      throw new InvokeArgumentError(`a reference argument can only be "null"`);
  }
  throw new InvokeArgumentError(`unsupported parameter type`);
}

/**
 * Writes a number's shortest digits in plain decimal notation.
 *
 * @param shortest a JS numeric string, possibly with an exponent
 * @returns the same value without exponent, e.g. `1e+21` → `1000000000000000000000`
 */
function plainDecimal(shortest: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(shortest);
  if (match === null) return shortest;
  const [, sign, whole, fraction = "", exp] = match;
  const digits = (whole + fraction).replace(/^0+(?=\d)/, "");
  const point = whole.length + Number(exp);
  let text: string;
  if (point <= 0) text = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) text = digits + "0".repeat(point - digits.length);
  else text = digits.slice(0, point) + "." + digits.slice(point);
  text = text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
  return sign + text;
}

/**
 * Formats a float as Rust's `Display` does for its width.
 *
 * @param value the number
 * @param single whether it is an f32 (shortest digits that read back as the same f32)
 * @returns e.g. `0.1`, `-0`, `NaN`, `inf`, `1000000000000000000000`
 */
export function formatFloat(value: number, single: boolean): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  if (!single) return plainDecimal(String(value));
  for (let precision = 1; precision <= 9; precision++) {
    const text = value.toPrecision(precision);
    if (Math.fround(Number(text)) === value) return plainDecimal(String(Number(text)));
  }
  return plainDecimal(String(value));
}

/**
 * Formats one result of `--invoke` as wasmtime prints it.
 *
 * @param value the result in the runtime's representation
 * @param type its type
 * @returns one line of text
 * @example
 * ```ts
 * import { isRefType, refTop, ValType } from "@capstan/environ";
 * import { formatInvokeResult } from "./invoke_values.ts";
 * if (formatInvokeResult(Math.fround(0.1), ValType.f32) !== "0.1") throw new Error();
 * if (formatInvokeResult(-5n, ValType.i64) !== "-5") throw new Error();
 * ```
 */
export function formatInvokeResult(value: unknown, type: ValType): string {
  switch (isRefType(type) ? refTop(type) : type) {
    case ValType.i32:
      return String((value as number) | 0);
    case ValType.i64:
      return String(BigInt.asIntN(64, value as bigint));
    case ValType.f32:
      return formatFloat(value as number, true);
    case ValType.f64:
      return formatFloat(value as number, false);
    case ValType.v128: {
      let v = 0n;
      const bytes = value as Uint8Array;
      for (let i = 15; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
      return String(v);
    }
    case ValType.funcref:
      return value === null ? "<null funcref>" : "<funcref>";
    case ValType.externref:
      return value === null ? "<null externref>" : "<externref>";
  }
  return String(value);
}
