/**
 * The `spectest` host module that spec scripts import: print functions, four
 * globals (666 as i32/i64, 666.6 as f32/f64), a table of 10..20 funcref (and
 * its 64-bit twin `table64`, indexed by i64) and a memory of 1..2 pages. Built on any object shaped like the global
 * `WebAssembly`, so the same module serves the native engine and Capstan's
 * facade.
 *
 * Invariants:
 * - Each call builds fresh objects: scripts never share a table or memory.
 * - The print functions write through the `print` callback only; the runner
 *   passes one that discards output unless asked to be verbose.
 *
 * @module
 */

/** The parts of a `WebAssembly`-shaped object that `spectest` needs. */
export interface SpectestHost {
  /** A `WebAssembly.Global` constructor. */
  readonly Global: new (descriptor: WebAssembly.GlobalDescriptor, value?: unknown) => unknown;
  /** A `WebAssembly.Table` constructor. */
  readonly Table: new (descriptor: WebAssembly.TableDescriptor) => unknown;
  /** A `WebAssembly.Memory` constructor. */
  readonly Memory: new (descriptor: WebAssembly.MemoryDescriptor) => unknown;
}

/**
 * Builds the exports of the `spectest` module.
 *
 * @param wa the `WebAssembly`-shaped object whose constructors to use
 * @param print where the print functions write their line
 * @returns an object usable as `importObject.spectest`
 * @example
 * ```ts
 * import { spectestImports } from "./spectest.ts";
 * const lines: string[] = [];
 * const spectest = spectestImports(WebAssembly, (line) => lines.push(line));
 * (spectest.print_i32 as (x: number) => void)(7);
 * if (lines[0] !== "7 : i32") throw new Error(lines[0]);
 * ```
 */
export function spectestImports(
  wa: SpectestHost,
  print: (line: string) => void,
): Record<string, unknown> {
  return {
    print: () => print(""),
    print_i32: (x: number) => print(`${x} : i32`),
    print_i64: (x: bigint) => print(`${x} : i64`),
    print_f32: (x: number) => print(`${x} : f32`),
    print_f64: (x: number) => print(`${x} : f64`),
    print_i32_f32: (x: number, y: number) => print(`${x} : i32 ${y} : f32`),
    print_f64_f64: (x: number, y: number) => print(`${x} : f64 ${y} : f64`),
    global_i32: new wa.Global({ value: "i32", mutable: false }, 666),
    global_i64: new wa.Global({ value: "i64", mutable: false }, 666n),
    global_f32: new wa.Global({ value: "f32", mutable: false }, 666.6),
    global_f64: new wa.Global({ value: "f64", mutable: false }, 666.6),
    table: new wa.Table({ element: "anyfunc", initial: 10, maximum: 20 }),
    // a table64 descriptor (`address: "i64"`, BigInt sizes) is newer than the DOM typings
    table64: new wa.Table(
      {
        address: "i64",
        element: "anyfunc",
        initial: 10n,
        maximum: 20n,
      } as unknown as WebAssembly.TableDescriptor,
    ),
    memory: new wa.Memory({ initial: 1, maximum: 2 }),
    shared_memory: new wa.Memory({ initial: 1, maximum: 2, shared: true }),
  };
}
