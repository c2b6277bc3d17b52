/**
 * The large module of the translate and instantiate benches:
 * `buildBigModule(targetBytes)` from `bench/big_module.ts` (≥ 5 MB), loaded
 * dynamically so that, when the generator fails to load or to run, the
 * harness runs on and shows the reason instead of the module's figures.
 *
 * Invariants:
 * - The module is built once per process and cached.
 * - {@link stubImports} satisfies any import list with inert values
 *   (functions returning zero, fresh memories/tables/globals of the declared
 *   kinds), so instantiation can be timed without a real host.
 *
 * @module
 */

/** Target size of the big module: 5 MiB plus a little, so it is ≥ 5 MB. */
export const BIG_MODULE_BYTES = 5 * 1024 * 1024 + 4096;

/** The generator's module, a variable so the import stays dynamic. */
const BIG_MODULE_SPECIFIER = "./big_module.ts";

let cached: Promise<Uint8Array | string> | undefined;

/**
 * Builds (once) the ≥ 5 MB module.
 *
 * @returns its bytes, or a string saying why it is unavailable
 */
export function loadBigModule(): Promise<Uint8Array | string> {
  cached ??= (async () => {
    try {
      const mod = await import(BIG_MODULE_SPECIFIER) as Record<string, unknown>;
      const build = mod.buildBigModule as ((target: number) => Uint8Array) | undefined;
      if (typeof build !== "function") return "bench/big_module.ts has no buildBigModule";
      const bytes = build(BIG_MODULE_BYTES);
      if (!(bytes instanceof Uint8Array)) return "buildBigModule did not return a Uint8Array";
      return bytes;
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      return `cannot build the big module: ${text.split("\n")[0]}`;
    }
  })();
  return cached;
}

/**
 * Inert imports for every import a module declares, using native
 * `WebAssembly` reflection (so it needs a module native V8 accepts).
 *
 * @param bytes the module
 * @returns an import object: functions return 0; memories, tables and
 *   globals are fresh native objects of minimal size
 * @example
 * ```ts
 * import { stubImports } from "./_big.ts";
 * const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
 * if (Object.keys(stubImports(empty)).length !== 0) throw new Error();
 * ```
 */
export function stubImports(bytes: Uint8Array): Record<string, Record<string, unknown>> {
  const imports: Record<string, Record<string, unknown>> = {};
  for (
    const imp of WebAssembly.Module.imports(
      new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>),
    )
  ) {
    const ns = imports[imp.module] ??= {};
    switch (imp.kind) {
      case "function":
        ns[imp.name] = () => 0;
        break;
      case "memory":
        ns[imp.name] = new WebAssembly.Memory({ initial: 1 });
        break;
      case "table":
        ns[imp.name] = new WebAssembly.Table({ initial: 1, element: "anyfunc" });
        break;
      case "global":
        ns[imp.name] = 0;
        break;
    }
  }
  return imports;
}

/** A module buffer whose bytes can be made new before each compilation. */
export interface FreshModule {
  /** The module, ending with a 4-byte custom section `"x"` holding a counter. */
  readonly bytes: Uint8Array;
  /** Changes the counter, so the bytes differ from every earlier compilation. */
  bump(): void;
}

/**
 * Appends a tiny custom section with a counter to a module, so repeated
 * compilations of "the same" module are not served from an engine's cache
 * (V8 reuses native modules compiled from identical bytes).
 *
 * @param bytes a module
 * @returns the extended copy and a way to change it in place
 * @example
 * ```ts
 * import { freshModule } from "./_big.ts";
 * const empty = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
 * const m = freshModule(empty);
 * const before = m.bytes.slice();
 * m.bump();
 * if (m.bytes.every((b, i) => b === before[i])) throw new Error();
 * ```
 */
export function freshModule(bytes: Uint8Array): FreshModule {
  const out = new Uint8Array(bytes.length + 8);
  out.set(bytes);
  // custom section: id 0, size 6, name length 1, "x", 4 counter bytes
  out.set([0x00, 0x06, 0x01, 0x78, 0, 0, 0, 0], bytes.length);
  const counter = new DataView(out.buffer, bytes.length + 4, 4);
  let n = 0;
  return {
    bytes: out,
    bump() {
      counter.setUint32(0, ++n, true);
    },
  };
}
