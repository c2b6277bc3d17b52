/**
 * Forwarding of v128 word temporaries in the JS tier's SIMD code (see
 * `_js_simd.ts` for the representation): within a basic block, a word local
 * `w<r><k>` assigned an expression that only computes on locals and read by
 * exactly one later statement before it is assigned again is not stored at
 * all: its expression is written where it is read. A shift and an `or` that
 * make a rotation become one expression, an add feeding an `xor` one
 * statement: fewer statements, fewer locals, less V8 bytecode per op, which
 * decides whether V8 optimises a large SIMD function.
 *
 * Invariants (each forwarding keeps the block's meaning):
 * - The forwarded statement is a top-level `w<r><k> = E;` with `E` pure
 *   (`_js_fold.ts`'s `pure`: no call but `Math.imul`/`Math.clz32` and the
 *   prologue's `MX`/`MN`, no assignment) and reading no typed array (no `[`), so `E` computes the
 *   same value later provided no local it reads is assigned in between,
 *   which is checked (every assignment form).
 * - The one reading statement is straight-line (no `if`, block, label,
 *   jump, `return` or `break`) and assigns nothing inside it but its own
 *   leading target; it reads the local exactly once.
 * - The local is dead after that read: the reading statement itself assigns
 *   it, or the next statement naming it is a top-level assignment to it
 *   that does not read it, or no later statement of its run of code (the
 *   code between two jumps) names it and no run of the function reads it
 *   before assigning it (so it is live where no run starts).
 * - A trap's exit (`break TR`) leaves the function's code, where no local
 *   is read, so it does not make a local live; a function with exception
 *   handlers (whose pads may read any local) is not folded by the caller.
 *
 * @module
 */

import { pure, topLevelStatements } from "./_js_fold.ts";
import type { FlowPiece } from "./_js_structure.ts";

const WORD_DEF = /^\s*(w\d+[abcd]) = ([^]*);\s*$/;
const ASSIGN = /^\s*([A-Za-z_$][\w$]*) = ([^]*);\s*$/;
const IDENT = /(?<![\w$.])[A-Za-z_$][\w$]*/g;
/** The targets of every assignment form in a statement (`x = `, `x |= `, `x <<= `, ...). */
const TARGET = /([A-Za-z_$][\w$]*)\s*(?:[-+*/%&|^]|<<|>>>?)?=(?!=)/g;

/** How many times `text` names identifier `n`. */
function count(text: string, n: string): number {
  let c = 0;
  for (const m of text.matchAll(IDENT)) if (m[0] === n) c++;
  return c;
}

/** `{` minus `}` in a statement: 0 when it is balanced. */
function braces(stmt: string): number {
  let n = 0;
  for (const c of stmt) n += c === "{" ? 1 : c === "}" ? -1 : 0;
  return n;
}

/** The locals a statement assigns (in any form, anywhere in it). */
function targets(stmt: string): Set<string> {
  return new Set([...stmt.matchAll(TARGET)].map((m) => m[1]));
}

/** Whether a statement may read a forwarded expression: straight-line, no inner assignment. */
function straight(stmt: string): boolean {
  const s = stmt.trim();
  if (/[{}]|^(if|else|for|while|switch|do|try)\b|^[A-Za-z_$][\w$]*:/.test(s)) return false;
  if (/\b(return|break|continue|throw)\b/.test(s)) return false;
  const m = ASSIGN.exec(s);
  const rest = m === null ? s : m[2];
  return !/[^=!<>]=(?!=)|\+\+|--/.test(rest) && !rest.includes("=>");
}

/**
 * The word locals no run of code reads before it assigns them (the first
 * statement of every run naming such a local is a plain assignment to it
 * that does not read it): no such local is live where a run starts, so none
 * is live at a run's end either.
 */
function runLocals(runs: readonly (readonly string[])[]): Set<string> {
  const local = new Set<string>();
  const live = new Set<string>();
  for (const run of runs) {
    const seen = new Set<string>();
    for (const stmt of run) {
      const def = WORD_DEF.exec(stmt);
      for (const m of stmt.matchAll(/\bw\d+[abcd]\b/g)) {
        const x = m[0];
        if (seen.has(x)) continue;
        seen.add(x);
        if (def !== null && def[1] === x && count(def[2], x) === 0) local.add(x);
        else live.add(x);
      }
    }
  }
  for (const x of live) local.delete(x);
  return local;
}

/** The statements of one run of code with its word temporaries forwarded. */
function forwardRun(stmts: readonly string[], runLocal: ReadonlySet<string>): string[] {
  const out = stmts.slice();
  const gone = out.map(() => false);
  for (let i = 0; i < out.length; i++) {
    const def = WORD_DEF.exec(out[i]);
    if (def === null) continue;
    const [, x, e] = def;
    if (e.includes("[") || !pure(e.replace(/\bM[XN]\(/g, "(")) || count(e, x) > 0) continue;
    const reads = new Set((e.match(IDENT) ?? []).filter((n) => n !== "Math"));
    // the one statement reading x, no local of e assigned before it
    let j = i + 1;
    let ok = true;
    for (; j < out.length; j++) {
      if (gone[j]) continue;
      if (count(out[j], x) > 0) break;
      // (a brace left open or closed here is a branch's edge: the read may be in another branch)
      if (braces(out[j]) !== 0) ok = false;
      for (const t of targets(out[j])) if (reads.has(t)) ok = false;
      if (!ok) break;
    }
    if (!ok || j >= out.length || !straight(out[j])) continue;
    // the one read: in the reading statement's right-hand side (its target is no read)
    const use = ASSIGN.exec(out[j]);
    const read = use === null ? out[j] : use[2];
    if (count(read, x) !== 1) continue;
    // dead after the read: assigned by the reading statement or the next naming it, or
    // named no more in the run and read by no run before it is assigned there
    let dead = use?.[1] === x;
    for (let k = j + 1; !dead; k++) {
      if (k >= out.length) {
        dead = runLocal.has(x);
        break;
      }
      if (gone[k] || count(out[k], x) === 0) continue;
      const m = ASSIGN.exec(out[k]);
      dead = m !== null && m[1] === x && count(m[2], x) === 0;
      break;
    }
    if (!dead) continue;
    const forwarded = read.replace(new RegExp(`(?<![\\w$.])${x}(?![\\w$])`), `(${e.trim()})`);
    out[j] = use === null ? forwarded : `${out[j].match(/^\s*/)![0]}${use[1]} = ${forwarded};`;
    gone[i] = true;
  }
  return out.filter((_, k) => !gone[k]);
}

/** A block's code cut at its jumps: the runs of text between them (as statements). */
type Runs = (string[] | FlowPiece)[];

function runsOf(code: readonly FlowPiece[]): Runs {
  const out: Runs = [];
  let run: string[] = [];
  for (const piece of code) {
    if (typeof piece === "string") run.push(piece);
    else {
      if (run.length > 0) out.push(topLevelStatements(run.join(" ")));
      run = [];
      out.push(piece);
    }
  }
  if (run.length > 0) out.push(topLevelStatements(run.join(" ")));
  return out;
}

/**
 * A function's blocks with their v128 word temporaries forwarded (see the
 * module's invariants): each run of code between jumps is folded on its
 * own, with what the whole function says of which locals are live between
 * runs.
 *
 * @param blocks the function's blocks (text and jumps)
 * @returns the blocks, temporaries forwarded
 */
export function forwardWords(blocks: readonly (readonly FlowPiece[])[]): FlowPiece[][] {
  const cut = blocks.map(runsOf);
  const runs = cut.flatMap((b) => b.filter((r): r is string[] => Array.isArray(r)));
  const runLocal = runLocals(runs);
  return cut.map((b) =>
    b.flatMap((r) => {
      if (!Array.isArray(r)) return [r];
      const text = forwardRun(r, runLocal).join("");
      return text.trim() === "" ? [] : [text];
    })
  );
}
