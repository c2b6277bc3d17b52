/**
 * Folding of the JS backend's generated code within a basic block:
 * - literal stores taken out of an op's code, so that the backend keeps them
 *   as constants it knows (`js_backend.ts`: read as literals by the ops that
 *   follow in the block, stored to the local only where code names it or the
 *   block is left). Most are the high halves of i64 results (`_js_i64.ts`):
 *   an unsigned shift by 32 or more, a zero extension, an `and` with a mask
 *   of the low word all leave `h<r> = 0`, and the ops that read it fold;
 * - dead stores dropped: a local's pure assignment that a later one in the
 *   same block overwrites before anything reads it (the high half of an i64
 *   whose low half alone is used, a constant stored and never read).
 *
 * Invariants:
 * - Only a statement at the top level of the code (not inside a block or
 *   after an `if`'s condition) of the exact form `x = <int32 literal>;` is
 *   taken, for a local `x` of the given set, and only when no later statement
 *   of the same code names `x`: what remains runs as before, `x` aside.
 * - A dropped store is a top-level `x = <expression>;` to a register or
 *   scratch local whose expression calls nothing but `Math.imul`/`Math.clz32`
 *   and assigns nothing, followed in its block by an unconditional
 *   assignment to `x` with no read of `x`, no jump and no `return` between
 *   (a throw leaves the function, where no local is read: the caller drops
 *   nothing in a function with exception handlers).
 * - The remaining code is the other statements, unchanged and in order.
 *
 * @module
 */

import type { FlowPiece } from "./_js_structure.ts";

/** The code with its literal stores taken out, and those stores. */
export interface LiteralStores {
  /** The remaining code. */
  readonly code: string;
  /** The locals stored, each with its literal (an int32, as written). */
  readonly stores: ReadonlyMap<string, number>;
}

const STORE = /^\s*([a-z]\d+) = \(?(-?\d+)\)?;$/;

/**
 * Takes the literal stores to locals of `locals` out of `code`.
 *
 * @param code an op's statements
 * @param locals the locals that may be taken (the op's destinations)
 * @returns the code without them, and them
 */
export function takeLiteralStores(code: string, locals: ReadonlySet<string>): LiteralStores {
  const stores = new Map<string, number>();
  if (!/ = \(?-?\d+\)?;/.test(code)) return { code, stores };
  const parts = topLevelStatements(code);
  const keep = parts.map(() => true);
  for (let k = parts.length - 1; k >= 0; k--) {
    const m = STORE.exec(parts[k]);
    if (m === null || !locals.has(m[1]) || stores.has(m[1])) continue;
    const v = Number(m[2]);
    if ((v | 0) !== v) continue;
    if (parts.slice(k + 1).some((p, j) => keep[k + 1 + j] && names(p, m[1]))) continue;
    stores.set(m[1], v);
    keep[k] = false;
  }
  if (stores.size === 0) return { code, stores };
  return { code: parts.filter((_, k) => keep[k]).join("").trim(), stores };
}

/**
 * `code` cut after each `;` or `}` at nesting depth 0 (so that joining the
 * pieces gives `code` back); a piece is one statement or a part of one.
 *
 * @param code statements
 * @returns the pieces
 */
export function topLevelStatements(code: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let from = 0;
  for (let k = 0; k < code.length; k++) {
    const c = code[k];
    if (c === "(" || c === "{" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (c === "}") {
      if (--depth === 0) {
        out.push(code.slice(from, k + 1));
        from = k + 1;
      }
    } else if (c === ";" && depth === 0) {
      out.push(code.slice(from, k + 1));
      from = k + 1;
    } else if (c === '"' || c === "'" || c === "`") {
      k = code.indexOf(c, k + 1);
      if (k < 0) return [code];
    }
  }
  if (from < code.length) out.push(code.slice(from));
  return out;
}

/**
 * Whether `text` names the identifier `n` (not as part of a longer one).
 *
 * @param text code
 * @param n an identifier
 * @returns true when it appears
 */
export function names(text: string, n: string): boolean {
  const ident = (c: number) =>
    c === 95 || c === 36 || (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122);
  for (let k = text.indexOf(n); k >= 0; k = text.indexOf(n, k + 1)) {
    if (!ident(text.charCodeAt(k - 1)) && !ident(text.charCodeAt(k + n.length))) return true;
  }
  return false;
}

/** A local whose dead stores may be dropped: a register's, an i64 scratch, the address temporary. */
const DROPPABLE = /^([bhifd]\d+|t[lhux]|e)$/;
const ASSIGN = /^\s*([A-Za-z_$][\w$]*) = ([^]*);\s*$/;
const IDENT = /(?<![\w$.])[A-Za-z_$][\w$]*/g;

/**
 * Whether an expression only computes: no call but `Math.imul`/`Math.clz32`, no assignment.
 *
 * @param expr an expression
 * @returns true when it only computes
 */
export function pure(expr: string): boolean {
  const rest = expr.replace(/Math\.(imul|clz32)\(/g, "(");
  return !/[\w$\]]\s*\(/.test(rest) && !/[^=!<>]=(?!=)|\+\+|--/.test(rest);
}

/**
 * A block's code without the stores that a later store to the same local in
 * the block makes dead (see the module's invariants).
 *
 * @param code the block's pieces (text and jumps)
 * @returns the pieces, dead stores dropped (the same array when none is)
 */
export function dropDeadStores(code: readonly FlowPiece[]): FlowPiece[] {
  const dead = new Set<string>();
  const out: FlowPiece[] = [];
  let dropped = false;
  for (let k = code.length - 1; k >= 0; k--) {
    const piece = code[k];
    if (typeof piece !== "string") {
      dead.clear();
      out.push(piece);
      continue;
    }
    const parts = topLevelStatements(piece);
    const keep: string[] = [];
    for (let j = parts.length - 1; j >= 0; j--) {
      const p = parts[j];
      const m = ASSIGN.exec(p);
      if (m !== null && DROPPABLE.test(m[1]) && !m[2].includes("=>")) {
        if (dead.has(m[1]) && pure(m[2])) {
          dropped = true;
          continue;
        }
        dead.add(m[1]);
        for (const id of m[2].match(IDENT) ?? []) dead.delete(id);
      } else if (/\breturn\b/.test(p)) {
        dead.clear();
      } else {
        for (const id of p.match(IDENT) ?? []) dead.delete(id);
      }
      keep.push(p);
    }
    out.push(keep.length === parts.length ? piece : keep.reverse().join("").trim());
  }
  return dropped ? out.reverse().filter((p) => p !== "") : code.slice();
}
