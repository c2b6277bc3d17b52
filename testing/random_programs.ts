/**
 * Seeded random valid programs for differential tests (the translator, the
 * JS tier): each module exports \`f(i32, i32) -> i32\` and \`mem(i32) -> i32\`;
 * run on two engines they must give the same results and memory.
 *
 * @module
 */

/** A seeded xorshift32 generator. */
export class Rng {
  #s: number;
  /** @param seed the seed (0 becomes 1) */
  constructor(seed: number) {
    this.#s = seed >>> 0 || 1;
  }
  /** @returns the next 32-bit value */
  next(): number {
    let x = this.#s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#s = x >>> 0;
    return this.#s;
  }
  /**
   * @param n a bound
   * @returns a value in [0, n)
   */
  int(n: number): number {
    return this.next() % n;
  }
  /**
   * @param xs choices
   * @returns one of them
   */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

const BINOPS = [
  "i32.add",
  "i32.sub",
  "i32.mul",
  "i32.and",
  "i32.or",
  "i32.xor",
  "i32.shl",
  "i32.shr_u",
  "i32.shr_s",
  "i32.rotl",
  "i32.eq",
  "i32.ne",
  "i32.lt_s",
  "i32.lt_u",
  "i32.gt_u",
  "i32.ge_s",
];
const CONSTS = [0, 1, 2, 3, 4, 8, 16, 31, 255, 1024, -1, -8, 0x7fffffff, -0x80000000];
const I64OPS = [
  "i64.add",
  "i64.sub",
  "i64.mul",
  "i64.and",
  "i64.or",
  "i64.xor",
  "i64.shl",
  "i64.shr_u",
  "i64.shr_s",
  "i64.rotl",
  "i64.rotr",
];
const I64CMP = ["i64.eq", "i64.ne", "i64.lt_s", "i64.lt_u", "i64.ge_u", "i64.gt_s"];
const I64CONSTS = ["0", "1", "-1", "63", "0x9E3779B97F4A7C15", "0x7fffffffffffffff", "0x100000000"];

/**
 * A random valid module: a function \`f(i32, i32) -> i32\` mixing locals,
 * constants, tees, selects, blocks with results, ifs, br_if, bounded loops,
 * calls, i64 arithmetic, loads and stores, and \`mem(addr)\` to read memory.
 *
 * @param r the generator
 * @returns the module's text
 */
export function gen(r: Rng): string {
  let loopDepth = 0;
  const local = () => r.int(4); // locals 0..3 (0, 1 are params); 4.. are loop counters
  const addr = (d: number) =>
    r.pick([
      () => `(i32.and ${expr(d)} (i32.const 0x3ffc))`,
      () => `(i32.shl (i32.and ${expr(d)} (i32.const 0xfff)) (i32.const 2))`,
      () =>
        `(i32.add (i32.shl (i32.and ${expr(d)} (i32.const 0x7ff)) (i32.const 3)) (i32.const 16))`,
    ])();
  function expr64(d: number): string {
    switch (d <= 0 ? r.int(2) : r.int(6)) {
      case 0:
        return `(i64.const ${r.pick(I64CONSTS)})`;
      case 1:
        return `(i64.extend_i32_${r.pick(["s", "u"])} (local.get ${local()}))`;
      case 2:
      case 3:
        return `(${r.pick(I64OPS)} ${expr64(d - 1)} ${expr64(d - 1)})`;
      case 4:
        return `(i64.load offset=${r.pick([0, 8])} ${addr(d - 1)})`;
      default:
        return `(select ${expr64(d - 1)} ${expr64(d - 1)} ${expr(d - 1)})`;
    }
  }
  function expr(d: number): string {
    const k = d <= 0 ? r.int(3) : r.int(15);
    switch (k) {
      case 13:
        return `(i32.wrap_i64 ${expr64(d - 1)})`;
      case 14:
        return `(${r.pick(I64CMP)} ${expr64(d - 1)} ${expr64(d - 1)})`;
      case 0:
        return `(local.get ${local()})`;
      case 1:
        return `(i32.const ${r.pick(CONSTS)})`;
      case 2:
        return `(i32.load offset=${r.pick([0, 4, 8, 64])} ${
          d > 0 ? addr(d - 1) : "(i32.const 32)"
        })`;
      case 3:
      case 4:
      case 5:
        return `(${r.pick(BINOPS)} ${expr(d - 1)} ${expr(d - 1)})`;
      case 6:
        return `(local.tee ${local()} ${expr(d - 1)})`;
      case 7:
        return `(select ${expr(d - 1)} ${expr(d - 1)} ${expr(d - 1)})`;
      case 8:
        return `(block (result i32) ${stmt(d - 1)} (br_if 0 ${expr(d - 1)} ${expr(d - 1)}) (drop) ${
          expr(d - 1)
        })`;
      case 9:
        return `(if (result i32) ${expr(d - 1)} (then ${stmt(d - 1)} ${expr(d - 1)}) (else ${
          expr(d - 1)
        }))`;
      case 10:
        return `(call $g ${expr(d - 1)} ${expr(d - 1)})`;
      case 11:
        return `(i32.add (i32.const ${r.pick(CONSTS)}) ${expr(d - 1)})`;
      default:
        return `(i32.load8_u offset=3 (i32.add ${addr(d - 1)} (i32.const ${r.int(200)})))`;
    }
  }
  function stmt(d: number): string {
    const k = r.int(d <= 0 ? 3 : 7);
    switch (k) {
      case 6:
        return `(i64.store offset=${r.pick([0, 8, 24])} ${addr(d - 1)} ${expr64(d - 1)})`;
      case 0:
        return `(local.set ${local()} ${expr(d)})`;
      case 1:
        return `(i32.store offset=${r.pick([0, 4, 16])} ${addr(d)} ${expr(d)})`;
      case 2:
        return `(drop ${expr(d)})`;
      case 3:
        return `(if ${expr(d - 1)} (then ${stmt(d - 1)}) (else ${stmt(d - 1)}))`;
      case 4: {
        if (loopDepth >= 2) return `(local.set ${local()} ${expr(d - 1)})`;
        const c = 4 + loopDepth++;
        const body = stmt(d - 1);
        loopDepth--;
        return `(local.set ${c} (i32.const 0)) (loop ${body} (br_if 0 (i32.lt_u (local.tee ${c} (i32.add (local.get ${c}) (i32.const 1))) (i32.const 3))))`;
      }
      default:
        return `(block ${stmt(d - 1)} (br_if 0 ${expr(d - 1)}) ${stmt(d - 1)})`;
    }
  }
  const body = [0, 1, 2, 3].map(() => stmt(3)).join("\n    ");
  return `(module (memory 1)
  (func $g (param i32 i32) (result i32) (i32.sub (i32.mul (local.get 0) (i32.const 3)) (local.get 1)))
  (func (export "f") (param i32 i32) (result i32) (local i32 i32 i32 i32)
    ${body}
    ${expr(3)})
  (func (export "mem") (param i32) (result i32) (i32.load (local.get 0))))`;
}
