/**
 * A deterministic generator of large, valid WebAssembly 2.0 modules for decode
 * and translate benchmarks: many functions with varied, realistic instruction
 * mixes (locals, i32/i64/f32/f64 arithmetic, loads and stores, blocks, loops
 * with `br_if`, `br_table`, `if`/`else`, direct and indirect calls,
 * multi-value results, globals, and some SIMD) so a validator does real work
 * on every byte.
 *
 * Invariants:
 * - The output is a pure function of `targetBytes` (a fixed-seed PRNG), so
 *   benchmark runs compare like with like.
 * - Code is generated type-directed (every expression is built for the type its
 *   context needs), so the module validates by construction; tests check it
 *   against native `WebAssembly.validate`.
 * - The code section is at least `targetBytes` long.
 *
 * Run it as a script to write the module: `deno run -A bench/big_module.ts [OUT] [BYTES]`.
 *
 * @module
 */

// ---- byte writer ---------------------------------------------------------------------------

class Bytes {
  buf: Uint8Array<ArrayBuffer> = new Uint8Array(1 << 16);
  len = 0;
  byte(b: number): void {
    if (this.len === this.buf.length) {
      const next = new Uint8Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.len++] = b;
  }
  bytes(bs: ArrayLike<number>): void {
    for (let i = 0; i < bs.length; i++) this.byte(bs[i]);
  }
  u32(v: number): void {
    do {
      let b = v & 0x7f;
      v >>>= 7;
      if (v !== 0) b |= 0x80;
      this.byte(b);
    } while (v !== 0);
  }
  s64(v: bigint): void {
    for (;;) {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      const done = (v === 0n && (b & 0x40) === 0) || (v === -1n && (b & 0x40) !== 0);
      this.byte(done ? b : b | 0x80);
      if (done) return;
    }
  }
  s32(v: number): void {
    this.s64(BigInt(v | 0));
  }
  f64(v: number): void {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.byte(dv.getUint8(i));
  }
  f32(v: number): void {
    const dv = new DataView(new ArrayBuffer(4));
    dv.setFloat32(0, v, true);
    for (let i = 0; i < 4; i++) this.byte(dv.getUint8(i));
  }
  result(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.len);
  }
}

/** A fixed-seed xorshift PRNG. */
class Prng {
  #s = 0x2545f491;
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s;
  }
  below(n: number): number {
    return this.next() % n;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)];
  }
}

// ---- types ---------------------------------------------------------------------------------

const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c, V128 = 0x7b;
type Ty = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

interface Sig {
  params: Ty[];
  results: Ty[];
}

const SIGS: Sig[] = [
  { params: [I32, I32], results: [I32] },
  { params: [I64, I64], results: [I64] },
  { params: [F64, F64], results: [F64] },
  { params: [I32], results: [] },
  { params: [], results: [I32] },
  { params: [I32, I64, F64], results: [F64] },
  { params: [I32, I32], results: [I32, I64] },
  { params: [V128, I32], results: [V128] },
  { params: [F32, I32], results: [F32] },
];

/** Globals: mutable i32, i64, f64. */
const GLOBALS: Ty[] = [I32, I64, F64];
const TABLE_SIZE = 512;

// ---- opcodes used (2.0 binary encodings) ----------------------------------------------------

const I32_BIN = [
  0x6a,
  0x6b,
  0x6c,
  0x71,
  0x72,
  0x73,
  0x74,
  0x76,
  0x77,
  0x46,
  0x47,
  0x48,
  0x4b,
  0x4d,
];
const I32_UN = [0x67, 0x68, 0x69, 0x45, 0xc0, 0xc1];
const I64_BIN = [0x7c, 0x7d, 0x7e, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a];
const I64_CMP = [0x51, 0x52, 0x53, 0x55, 0x56, 0x58];
const F64_BIN = [0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6];
const F64_UN = [0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9f];
const F64_CMP = [0x61, 0x62, 0x63, 0x64, 0x65, 0x66];
const F32_BIN = [0x92, 0x93, 0x94, 0x95, 0x96, 0x97];
/** SIMD binary ops on v128 (sub-opcodes after 0xfd): i8x16.add, i16x8.mul, i32x4.add/sub/mul, f32x4.add/mul, f64x2.add, v128.and/or/xor. */
const V128_BIN = [0x6e, 0x95, 0xae, 0xb1, 0xb5, 0xe4, 0xe6, 0xf0, 0x4e, 0x50, 0x51];

/** One function being generated: its signature, its locals by type, and the code writer. */
class FuncGen {
  readonly locals: Ty[];
  readonly byType = new Map<Ty, number[]>();
  depth = 0; // current block nesting, for branch labels

  constructor(
    readonly out: Bytes,
    readonly rng: Prng,
    readonly sig: Sig,
    readonly funcSigs: readonly number[],
  ) {
    const extra: Ty[] = [];
    const n = 2 + rng.below(8);
    for (let i = 0; i < n; i++) {
      extra.push(rng.pick([I32, I32, I32, I64, I64, F64, F64, F32, V128]));
    }
    extra.push(I32); // an i32 local that is not a loop counter, always
    this.locals = [...sig.params, ...extra];
    this.locals.forEach((t, i) => {
      const list = this.byType.get(t) ?? [];
      list.push(i);
      this.byType.set(t, list);
    });
    // One loop counter per nesting level (statements nest at most 4 deep), declared last and
    // never written by other statements, so the loops terminate if the code is ever run.
    this.locals.push(I32, I32, I32, I32);
  }

  /** The loop counter for statements at nesting budget `d` (3 outermost .. 0). */
  counter(d: number): number {
    return this.locals.length - 1 - d;
  }

  /** Local declarations: one group per run of equal types (after the params). */
  writeLocals(): void {
    const extra = this.locals.slice(this.sig.params.length);
    const groups: [number, Ty][] = [];
    for (const t of extra) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    this.out.u32(groups.length);
    for (const [n, t] of groups) {
      this.out.u32(n);
      this.out.byte(t);
    }
  }

  localOf(t: Ty): number | undefined {
    const list = this.byType.get(t); // loop counters are not in byType
    return list && list.length > 0 ? this.rng.pick(list) : undefined;
  }

  /** An i32 address kept in the first page, 16-aligned. */
  address(d: number): void {
    this.expr(I32, d);
    this.out.bytes([0x41]);
    this.out.s32(0xfff0);
    this.out.byte(0x71); // i32.and
  }

  /** Emits code that pushes exactly one value of type `t`. */
  expr(t: Ty, d: number): void {
    const o = this.out;
    const r = this.rng;
    const leaf = d <= 0 || r.below(4) === 0;
    const local = this.localOf(t);
    if (leaf) {
      if (local !== undefined && r.below(3) !== 0) {
        o.byte(0x20);
        o.u32(local);
        return;
      }
      this.constant(t);
      return;
    }
    d--;
    switch (t) {
      case I32:
        return this.i32Expr(d);
      case I64:
        return this.i64Expr(d);
      case F64:
        return this.f64Expr(d);
      case F32:
        return this.f32Expr(d);
      case V128:
        return this.v128Expr(d);
    }
  }

  /** A non-leaf i32 expression. */
  i32Expr(d: number): void {
    const o = this.out;
    const r = this.rng;
    switch (r.below(12)) {
      case 0:
      case 1:
      case 2:
        this.expr(I32, d);
        this.expr(I32, d);
        o.byte(r.pick(I32_BIN));
        return;
      case 3:
        this.expr(I32, d);
        o.byte(r.pick(I32_UN));
        return;
      case 4:
        this.address(d);
        o.byte(r.pick([0x28, 0x2c, 0x2d, 0x2e, 0x2f]));
        o.bytes([0x00, r.below(64)]);
        return;
      case 5:
        this.expr(I64, d);
        o.byte(r.below(2) ? 0xa7 : 0x50); // i32.wrap_i64 / i64.eqz
        return;
      case 6:
        this.expr(I64, d);
        this.expr(I64, d);
        o.byte(r.pick(I64_CMP));
        return;
      case 7:
        this.expr(F64, d);
        this.expr(F64, d);
        o.byte(r.pick(F64_CMP));
        return;
      case 8: // select
        this.expr(I32, d);
        this.expr(I32, d);
        this.expr(I32, d);
        o.byte(0x1b);
        return;
      case 9: // block with an early exit carrying a value
        o.bytes([0x02, I32]);
        this.depth++;
        this.expr(I32, d);
        this.expr(I32, d);
        o.bytes([0x0d, 0x00]); // br_if 0 (value stays as the block result)
        o.byte(0x1a);
        this.expr(I32, d);
        this.depth--;
        o.byte(0x0b);
        return;
      case 10: // SIMD lane extract / trunc_sat
        if (r.below(2)) {
          this.expr(V128, d);
          o.bytes([0xfd, 0x1b, r.below(4)]); // i32x4.extract_lane
        } else {
          this.expr(F64, d);
          o.bytes([0xfc, 0x02]); // i32.trunc_sat_f64_s
        }
        return;
      default:
        o.bytes([0x23, 0]); // global.get 0 (i32)
        return;
    }
  }

  /** A non-leaf i64 expression. */
  i64Expr(d: number): void {
    const o = this.out;
    const r = this.rng;
    switch (r.below(7)) {
      case 0:
      case 1:
      case 2:
        this.expr(I64, d);
        this.expr(I64, d);
        o.byte(r.pick(I64_BIN));
        return;
      case 3:
        this.expr(I32, d);
        o.byte(r.below(2) ? 0xac : 0xad); // i64.extend_i32_s/u
        return;
      case 4:
        this.address(d);
        o.bytes([0x29, 0x03, r.below(64) & ~7]); // i64.load
        return;
      case 5:
        o.bytes([0x23, 1]);
        return;
      default:
        this.expr(F64, d);
        o.bytes([0xfc, 0x06]); // i64.trunc_sat_f64_s
        return;
    }
  }

  /** A non-leaf f64 expression. */
  f64Expr(d: number): void {
    const o = this.out;
    const r = this.rng;
    switch (r.below(7)) {
      case 0:
      case 1:
      case 2:
        this.expr(F64, d);
        this.expr(F64, d);
        o.byte(r.pick(F64_BIN));
        return;
      case 3:
        this.expr(F64, d);
        o.byte(r.pick(F64_UN));
        return;
      case 4:
        this.expr(I32, d);
        o.byte(0xb7); // f64.convert_i32_s
        return;
      case 5:
        this.address(d);
        o.bytes([0x2b, 0x03, 0x08]); // f64.load offset=8
        return;
      default:
        this.expr(F32, d);
        o.byte(0xbb); // f64.promote_f32
        return;
    }
  }

  /** A non-leaf f32 expression. */
  f32Expr(d: number): void {
    const o = this.out;
    const r = this.rng;
    switch (r.below(3)) {
      case 0:
        this.expr(F32, d);
        this.expr(F32, d);
        o.byte(r.pick(F32_BIN));
        return;
      case 1:
        this.expr(F64, d);
        o.byte(0xb6); // f32.demote_f64
        return;
      default:
        this.expr(I32, d);
        o.byte(0xb2); // f32.convert_i32_s
        return;
    }
  }

  /** A non-leaf v128 expression. */
  v128Expr(d: number): void {
    const o = this.out;
    const r = this.rng;
    switch (r.below(5)) {
      case 0:
      case 1:
        this.expr(V128, d);
        this.expr(V128, d);
        o.byte(0xfd);
        o.u32(r.pick(V128_BIN));
        return;
      case 2:
        this.expr(I32, d);
        o.bytes([0xfd, 0x11]); // i32x4.splat
        return;
      case 3:
        this.address(d);
        o.bytes([0xfd, 0x00, 0x04, 0x00]); // v128.load
        return;
      default:
        this.expr(V128, d);
        this.expr(I32, d);
        o.bytes([0xfd, 0x1c, r.below(4)]); // i32x4.replace_lane
        return;
    }
  }

  constant(t: Ty): void {
    const o = this.out;
    const r = this.rng;
    switch (t) {
      case I32:
        o.byte(0x41);
        o.s32(r.below(3) ? r.below(256) : r.next() | 0);
        return;
      case I64:
        o.byte(0x42);
        o.s64(BigInt(r.next()) * BigInt(r.below(1000) - 500));
        return;
      case F32:
        o.byte(0x43);
        o.f32(r.below(10000) / 16);
        return;
      case F64:
        o.byte(0x44);
        o.f64(r.below(100000) / 64);
        return;
      case V128:
        o.bytes([0xfd, 0x0c]);
        for (let i = 0; i < 16; i++) o.byte(r.below(256));
        return;
    }
  }

  /** Pushes arguments for `sig`. */
  args(sig: Sig, d: number): void {
    for (const p of sig.params) this.expr(p, d);
  }

  /** Emits stack-neutral code. */
  stmt(d: number): void {
    const o = this.out;
    const r = this.rng;
    const nest = d > 0;
    switch (r.below(nest ? 12 : 6)) {
      case 0:
      case 1: { // local.set / local.tee + drop
        const idx = r.below(this.locals.length - 4); // never a loop counter
        const t = this.locals[idx];
        this.expr(t, 3);
        if (r.below(4)) {
          o.byte(0x21);
          o.u32(idx);
        } else {
          o.byte(0x22);
          o.u32(idx);
          o.byte(0x1a);
        }
        return;
      }
      case 2: { // store
        const t = r.pick<Ty>([I32, I32, I64, F64, V128]);
        this.address(2);
        this.expr(t, 2);
        if (t === V128) o.bytes([0xfd, 0x0b, 0x04, 0x00]);
        else o.bytes([t === I32 ? 0x36 : t === I64 ? 0x37 : 0x39, t === I32 ? 2 : 3, 0]);
        return;
      }
      case 3: { // direct call, results dropped
        const f = r.below(this.funcSigs.length);
        const sig = SIGS[this.funcSigs[f]];
        this.args(sig, 2);
        o.byte(0x10);
        o.u32(f);
        for (let i = 0; i < sig.results.length; i++) o.byte(0x1a);
        return;
      }
      case 4: { // call_indirect
        const ti = r.below(SIGS.length);
        this.args(SIGS[ti], 2);
        this.expr(I32, 1);
        o.bytes([0x41]);
        o.s32(TABLE_SIZE - 1);
        o.byte(0x71);
        o.byte(0x11);
        o.u32(ti);
        o.byte(0x00);
        for (let i = 0; i < SIGS[ti].results.length; i++) o.byte(0x1a);
        return;
      }
      case 5: { // global.set
        const g = r.below(GLOBALS.length);
        this.expr(GLOBALS[g], 3);
        o.byte(0x24);
        o.u32(g);
        return;
      }
      case 6:
      case 7: { // if / else
        this.expr(I32, 2);
        o.bytes([0x04, 0x40]);
        this.depth++;
        this.stmts(d - 1, 1 + r.below(3));
        if (r.below(2)) {
          o.byte(0x05);
          this.stmts(d - 1, 1 + r.below(3));
        }
        this.depth--;
        o.byte(0x0b);
        return;
      }
      case 8: { // counted loop: counter = n; loop { body; counter -= 1; br_if counter }
        o.byte(0x41);
        o.s32(1 + r.below(16));
        o.byte(0x21);
        o.u32(this.counter(d));
        o.bytes([0x03, 0x40]);
        this.depth++;
        this.stmts(d - 1, 1 + r.below(4));
        o.byte(0x20);
        o.u32(this.counter(d));
        o.bytes([0x41, 0x01, 0x6b, 0x22]);
        o.u32(this.counter(d));
        o.bytes([0x0d, 0x00]);
        this.depth--;
        o.byte(0x0b);
        return;
      }
      case 9: { // block with br_if out
        o.bytes([0x02, 0x40]);
        this.depth++;
        this.stmts(d - 1, 1 + r.below(2));
        this.expr(I32, 2);
        o.bytes([0x0d, 0x00]);
        this.stmts(d - 1, 1 + r.below(2));
        this.depth--;
        o.byte(0x0b);
        return;
      }
      case 10: { // br_table over three nested blocks
        o.bytes([0x02, 0x40, 0x02, 0x40, 0x02, 0x40]);
        this.depth += 3;
        this.expr(I32, 2);
        const n = 2 + r.below(6);
        o.byte(0x0e);
        o.u32(n);
        for (let i = 0; i < n; i++) o.u32(r.below(3));
        o.u32(r.below(3));
        o.byte(0x0b);
        this.depth--;
        this.stmts(d - 1, 1);
        o.byte(0x0b);
        this.depth--;
        this.stmts(d - 1, 1);
        o.byte(0x0b);
        this.depth--;
        return;
      }
      default: { // multi-value call, both results used
        const f = this.funcSigs.indexOf(6);
        if (f < 0) return;
        this.args(SIGS[6], 2);
        o.byte(0x10);
        o.u32(f);
        o.byte(0xa7); // i32.wrap_i64 of the i64 result
        o.byte(0x6a); // i32.add with the i32 result
        o.byte(0x21);
        o.u32(this.byType.get(I32)![0]);
        return;
      }
    }
  }

  stmts(d: number, n: number): void {
    for (let i = 0; i < n; i++) this.stmt(d);
  }

  /** A whole body of about `size` bytes (locals, statements, result, end). */
  body(size: number): void {
    const start = this.out.len;
    this.writeLocals();
    while (this.out.len - start < size) this.stmt(3);
    for (const t of this.sig.results) this.expr(t, 3);
    this.out.byte(0x0b);
  }
}

function section(out: Bytes, id: number, payload: Uint8Array): void {
  out.byte(id);
  out.u32(payload.length);
  out.bytes(payload);
}

/**
 * Builds a valid module whose code section holds at least `targetBytes` bytes.
 *
 * @param targetBytes the least size of the code section (e.g. `6_000_000`)
 * @returns the module's bytes (the same for the same `targetBytes`)
 * @example
 * ```ts
 * import { buildBigModule } from "./big_module.ts";
 * const bytes = buildBigModule(100_000);
 * if (!WebAssembly.validate(bytes)) throw new Error("invalid");
 * ```
 */
export function buildBigModule(targetBytes: number): Uint8Array<ArrayBuffer> {
  const rng = new Prng();
  // Bodies of 300..4000 bytes: decide the count by the running total.
  const sizes: number[] = [];
  let total = 0;
  while (total < targetBytes) {
    const s = 300 + rng.below(3700);
    sizes.push(s);
    total += s + 3;
  }
  const funcSigs = sizes.map(() => rng.below(SIGS.length));

  const out = new Bytes();
  out.bytes([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
  // type
  let p = new Bytes();
  p.u32(SIGS.length);
  for (const s of SIGS) {
    p.byte(0x60);
    p.u32(s.params.length);
    p.bytes(s.params);
    p.u32(s.results.length);
    p.bytes(s.results);
  }
  section(out, 1, p.result());
  // function
  p = new Bytes();
  p.u32(funcSigs.length);
  for (const t of funcSigs) p.u32(t);
  section(out, 3, p.result());
  // table
  p = new Bytes();
  p.bytes([1, 0x70, 0x00]);
  p.u32(TABLE_SIZE);
  section(out, 4, p.result());
  // memory: 1..16 pages
  section(out, 5, new Uint8Array([1, 0x01, 1, 16]));
  // globals
  p = new Bytes();
  p.u32(GLOBALS.length);
  p.bytes([I32, 1, 0x41, 0, 0x0b, I64, 1, 0x42, 0, 0x0b, F64, 1, 0x44]);
  p.f64(0);
  p.byte(0x0b);
  section(out, 6, p.result());
  // export the first function
  section(out, 7, new Uint8Array([1, 4, ...new TextEncoder().encode("main"), 0, 0]));
  // element: table[0..TABLE_SIZE) = functions 0..
  p = new Bytes();
  p.bytes([1, 0x00, 0x41, 0x00, 0x0b]);
  const n = Math.min(TABLE_SIZE, funcSigs.length);
  p.u32(n);
  for (let i = 0; i < n; i++) p.u32(i);
  section(out, 9, p.result());
  // code
  const code = new Bytes();
  code.u32(funcSigs.length);
  for (let f = 0; f < funcSigs.length; f++) {
    const body = new Bytes();
    new FuncGen(body, rng, SIGS[funcSigs[f]], funcSigs).body(sizes[f]);
    const b = body.result();
    code.u32(b.length);
    code.bytes(b);
  }
  section(out, 10, code.result());
  return out.result();
}

/** The size of the code section of a module built by {@link buildBigModule}. */
export function codeSectionSize(bytes: Uint8Array): number {
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos++];
    let size = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++];
      size += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if ((b & 0x80) === 0) break;
    }
    if (id === 10) return size;
    pos += size;
  }
  return 0;
}

if (import.meta.main) {
  const outPath = Deno.args[0] ?? "big.wasm";
  const target = Number(Deno.args[1] ?? 6_000_000);
  const bytes = buildBigModule(target);
  Deno.writeFileSync(outPath, bytes);
  console.log(
    `${outPath}: ${bytes.length} bytes, code section ${codeSectionSize(bytes)} bytes, ` +
      `native validate: ${WebAssembly.validate(bytes)}`,
  );
}
