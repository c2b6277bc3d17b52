/**
 * Dynamic opcode and opcode-pair counts of Capstan's bytecode over the
 * benchmark kernels, to choose super-instructions.
 *
 * How it counts, using only the VM's own instruction counter: code compiled
 * with `Tunables.countInstructions` starts every straight-line segment with
 * an `icount n` op (n = instructions in the segment). The tool finds those
 * segments in the compiled code, then runs the kernel once per segment with
 * that segment's `n` set to 1 and every other to 0, so `Vm.instructions` is
 * the number of times the segment ran. Opcode counts are segment counts times
 * the ops decoded in the segment; pairs are adjacent ops inside a segment
 * (pairs across a branch are not counted: the counter cannot see edges).
 *
 * Invariants:
 * - The code array is restored after profiling, whatever happens.
 * - {@link profileKernel} checks the kernel's checksum and that
 *   Σ segment count × segment `n` equals the counter's total of an
 *   unmodified run; a mismatch is reported, never hidden.
 * - It reads two runtime internals (`Module._compiled`, `Store._vm`): a
 *   measurement tool, not an API user.
 *
 * Run: `deno run -A bench/opcode_profile.ts [--kernels a,b] [--top N] [--quick]`
 *
 * @module
 */

import { parseArgs } from "node:util";
import { BYTECODE_OPS, instructionLength, Op } from "@capstan/interpreter";

/** The bytecode op's name, e.g. `"i32_add"`. */
function opcodeName(opcode: number): string {
  return BYTECODE_OPS[opcode]?.name ?? `op${opcode}`;
}

/** One straight-line segment of compiled code, headed by an `icount` op. */
export interface Segment {
  /** Address of the `icount` op. */
  readonly pc: number;
  /** Its operand: how many instructions the VM counts for one pass. */
  readonly weight: number;
  /** Opcodes of the instructions after the `icount`, up to the next one. */
  readonly ops: readonly number[];
}

/** Dynamic counts over one or more runs. */
export interface OpcodeProfile {
  /** Executed instructions counted by the VM (unmodified run). */
  readonly total: number;
  /** Σ segment executions × segment weight: equals `total` when consistent. */
  readonly reconstructed: number;
  /** Executed instructions per opcode name. */
  readonly ops: Map<string, number>;
  /** Executed adjacent pairs `"a b"` inside segments. */
  readonly pairs: Map<string, number>;
}

/**
 * Splits compiled functions into counted segments.
 *
 * @param code the module's bytecode
 * @param functions each function's code range (`entry` inclusive, `end` exclusive)
 * @returns segments in code order; instructions before a function's first
 *   `icount` (its `enter`) belong to none
 * @example
 * ```ts
 * import { findSegments } from "./opcode_profile.ts";
 * if (findSegments(new Int32Array(0), []).length !== 0) throw new Error();
 * ```
 */
export function findSegments(
  code: Int32Array,
  functions: ReadonlyArray<{ readonly entry: number; readonly end: number }>,
): Segment[] {
  const segments: Segment[] = [];
  for (const f of functions) {
    let current: { pc: number; weight: number; ops: number[] } | null = null;
    for (let pc = f.entry; pc < f.end; pc += instructionLength(code, pc)) {
      const op = code[pc];
      if (op === Op.icount) {
        if (current !== null) segments.push(current);
        current = { pc, weight: code[pc + 1], ops: [] };
      } else if (current !== null) {
        current.ops.push(op);
      }
    }
    if (current !== null) segments.push(current);
  }
  return segments;
}

/**
 * How many times each segment ran: one run per segment with only its
 * `icount` operand left at 1.
 *
 * @param code the live code array (the instance executes it)
 * @param segments from {@link findSegments}
 * @param run one run of the workload
 * @param counter reads the VM's executed-instruction counter
 * @returns executions per segment
 */
export function segmentCounts(
  code: Int32Array,
  segments: readonly Segment[],
  run: () => void,
  counter: () => number,
): Float64Array {
  const counts = new Float64Array(segments.length);
  try {
    for (const s of segments) code[s.pc + 1] = 0;
    for (let i = 0; i < segments.length; i++) {
      code[segments[i].pc + 1] = 1;
      const before = counter();
      run();
      counts[i] = counter() - before;
      code[segments[i].pc + 1] = 0;
    }
  } finally {
    for (const s of segments) code[s.pc + 1] = s.weight;
  }
  return counts;
}

/**
 * Folds segment counts into opcode and pair counts.
 *
 * @param segments the segments
 * @param counts executions per segment
 * @param total the counter's total for one unmodified run
 * @returns the profile
 */
export function buildProfile(
  segments: readonly Segment[],
  counts: Float64Array,
  total: number,
): OpcodeProfile {
  const ops = new Map<string, number>();
  const pairs = new Map<string, number>();
  let reconstructed = 0;
  for (let i = 0; i < segments.length; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const s = segments[i];
    reconstructed += c * s.weight;
    for (let k = 0; k < s.ops.length; k++) {
      const a = opcodeName(s.ops[k]);
      ops.set(a, (ops.get(a) ?? 0) + c);
      if (k + 1 < s.ops.length) {
        const key = `${a} ${opcodeName(s.ops[k + 1])}`;
        pairs.set(key, (pairs.get(key) ?? 0) + c);
      }
    }
  }
  return { total, reconstructed, ops, pairs };
}

/** What {@link profileKernel} needs from `@capstan/runtime` (plus two internals). */
interface ProfilingRuntime {
  Engine: new (config: { strategy?: string; tunables?: Record<string, unknown> }) => object;
  Module: new (engine: object, bytes: Uint8Array) => {
    readonly _compiled: {
      lowerAll(): unknown;
      readonly code: Int32Array;
      readonly functions: ReadonlyArray<{ readonly entry: number; readonly end: number }>;
    };
  };
  Store: new (engine: object, data: undefined) => { readonly _vm: { instructions: number } };
  Linker: new (engine: object) => {
    instantiate(store: object, module: object): {
      getFunc(name: string): { typed(): (n: number) => number } | undefined;
    };
  };
}

/**
 * Profiles one kernel's `run(n)` on Capstan.
 *
 * @param runtime the `@capstan/runtime` module
 * @param bytes an import-free module exporting `run(n: i32) -> i32`
 * @param n the argument
 * @param expect the checksum `run(n) >>> 0` must return
 * @returns the profile and the number of segments
 */
export function profileKernel(
  runtime: unknown,
  bytes: Uint8Array,
  n: number,
  expect: number,
): OpcodeProfile & { segments: number } {
  const rt = runtime as ProfilingRuntime;
  const engine = new rt.Engine({ strategy: "interpreter", tunables: { countInstructions: true } });
  const module = new rt.Module(engine, bytes);
  module._compiled.lowerAll(); // one code array, every function in it, before instantiating
  const store = new rt.Store(engine, undefined);
  const run = new rt.Linker(engine).instantiate(store, module).getFunc("run")?.typed();
  if (run === undefined) throw new TypeError("module has no exported function run");
  const vm = store._vm;
  const code = module._compiled.code;
  const before = vm.instructions;
  const got = run(n) >>> 0;
  if (got !== expect) throw new Error(`run(${n}) returned ${got}, expected ${expect}`);
  const total = vm.instructions - before;
  const segments = findSegments(code, module._compiled.functions);
  const counts = segmentCounts(code, segments, () => void run(n), () => vm.instructions);
  return { ...buildProfile(segments, counts, total), segments: segments.length };
}

/**
 * Merges per-kernel profiles by averaging shares, so every kernel weighs the
 * same whatever its instruction count.
 *
 * @param profiles the per-kernel profiles
 * @param pick which table to merge
 * @returns mean share (0..1) per key, largest first
 * @example
 * ```ts
 * import { meanShares } from "./opcode_profile.ts";
 * const p = (m: [string, number][]) =>
 *   ({ total: 0, reconstructed: 0, ops: new Map(m), pairs: new Map() });
 * const s = meanShares([p([["a", 3], ["b", 1]]), p([["a", 1], ["b", 1]])], "ops");
 * if (s[0][0] !== "a" || Math.abs(s[0][1] - 0.625) > 1e-12) throw new Error();
 * ```
 */
export function meanShares(
  profiles: readonly OpcodeProfile[],
  pick: "ops" | "pairs",
): [string, number][] {
  const sums = new Map<string, number>();
  for (const p of profiles) {
    let total = 0;
    for (const c of p[pick].values()) total += c;
    if (total === 0) continue;
    for (const [k, c] of p[pick]) sums.set(k, (sums.get(k) ?? 0) + c / total);
  }
  const count = profiles.length;
  return [...sums].map(([k, s]) => [k, s / count] as [string, number]).sort((a, b) =>
    b[1] - a[1] || (a[0] < b[0] ? -1 : 1)
  );
}

/**
 * The top entries of a count table, largest first.
 *
 * @param table counts by key
 * @param top how many
 * @returns `[key, count]` pairs
 */
export function topEntries(table: Map<string, number>, top: number): [string, number][] {
  return [...table].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, top);
}

if (import.meta.main) {
  const { loadKernels, QUICK } = await import("./_kernels.ts");
  const { loadMicroKernels } = await import("./_micro.ts");
  const { markdownTable, fmtNum } = await import("./_report.ts");
  const args = parseArgs({
    args: Deno.args,
    options: {
      kernels: { type: "string" },
      top: { type: "string", default: "30" },
      quick: { type: "boolean", default: false },
      micro: { type: "boolean", default: false },
    },
  });
  const quick = args.values.quick || QUICK;
  const top = Number.parseInt(args.values.top ?? "30", 10) || 30;
  const only = args.values.kernels?.split(",");
  const runtime = await import("@capstan/runtime");
  const targets = [
    ...loadKernels().map((k) => ({ name: k.name, bytes: k.bytes, n: k.quickN })),
    ...(args.values.micro ? loadMicroKernels().map((k) => ({ ...k, n: quick ? 100 : 1000 })) : []),
  ].filter((t) => only === undefined || only.includes(t.name));
  const profiles: OpcodeProfile[] = [];
  for (const t of targets) {
    const { instance } = await WebAssembly.instantiate(t.bytes as Uint8Array<ArrayBuffer>);
    const expect = ((instance.exports.run as (n: number) => number)(t.n)) >>> 0;
    try {
      const p = profileKernel(runtime, t.bytes, t.n, expect);
      profiles.push(p);
      const ok = p.reconstructed === p.total ? "consistent" : `MISMATCH ${p.reconstructed}`;
      const head = topEntries(p.ops, 6).map(([k, c]) => `${k} ${fmtNum((100 * c) / p.total)}%`);
      console.log(`${t.name} n=${t.n}: ${p.total} instrs, ${p.segments} segments, ${ok}`);
      console.log(`  ${head.join(", ")}`);
    } catch (e) {
      console.log(`${t.name}: FAILED ${e instanceof Error ? e.message : e}`);
    }
  }
  const table = (pick: "ops" | "pairs") =>
    markdownTable(
      [pick === "ops" ? "op" : "pair", "mean share %"],
      meanShares(profiles, pick).slice(0, top).map(([k, s]) => [`\`${k}\``, fmtNum(100 * s)]),
    );
  console.log(`\nTop ops (mean share over ${profiles.length} kernels):\n\n${table("ops")}`);
  console.log(`Top adjacent pairs inside segments:\n\n${table("pairs")}`);
}
