/**
 * Explains the fuzzer's disagreements between environ (a WebAssembly 2.0
 * validator with the 3.0 features Capstan implements, threads, and custom page sizes)
 * and the native `WebAssembly.validate` of V8 (Wasm 3.0 plus threads and
 * relaxed SIMD, with implementation limits, without custom page sizes).
 *
 * Each rule inspects the mutant itself: a rejection by environ is explained
 * only when a 3.0-only construct sits at (or spans) the byte offset environ
 * blamed, found by re-reading the module with a 3.0-aware rule (and, for an
 * instruction, confirmed by V8: the construct's first byte must be where V8
 * decodes an instruction, see {@link isInstructionStart}); an
 * acceptance by environ that V8 rejects is explained only when the module
 * exceeds a V8 implementation limit, counted in the bytes, or uses an
 * operator V8 ships without (wide arithmetic), named in V8's message. Relaxed
 * SIMD, which environ validates, explains nothing. Anything else is
 * unexplained and reported, never silenced.
 *
 * Invariants:
 * - Classification never throws and never looks at environ's wording alone:
 *   a rule needs structural evidence in the mutant.
 * - A site "matches" an error offset when the offset lies inside the site's span
 *   widened by {@link SLACK} bytes (decoders may blame the start of an
 *   immediate or of the instruction).
 *
 * @module
 */

import { type Leb, readLeb, scanBodies, scanSections, SectionId } from "./_fuzz_wasm.ts";
import { MAX_LOCALS, MAX_TABLE_ELEMENTS_ALLOCATABLE } from "./limits.ts";

/** How far (in bytes) an error offset may sit outside a feature's span and still match it. */
export const SLACK = 3;

/** What environ said about a module. */
export interface EnvironVerdict {
  /** Whether `translateModule` accepted it. */
  readonly accepted: boolean;
  /** The `CompileError` offset when rejected. */
  readonly offset?: number;
  /** The `CompileError` reason when rejected. */
  readonly reason?: string;
}

/** A 3.0-only construct found in a module, with the bytes it spans. */
export interface FeatureSite {
  /** The disagreement class it explains, e.g. `"3.0 gc instruction"`. */
  readonly feature: string;
  /** First byte of the construct. */
  readonly start: number;
  /** Just past its last byte. */
  readonly end: number;
  /**
   * For sites found by looking at the bytes around the blamed offset: the
   * offset must lie inside the span itself (no slack), and when set, environ's
   * reason must match (so a stray byte inside an immediate is not taken for an
   * opcode).
   */
  readonly exact?: {
    readonly reasons?: RegExp;
    /** The span starts with an instruction; confirmed with {@link isInstructionStart}. */
    readonly instruction?: boolean;
  };
}

/**
 * Value-type bytes environ reads: Wasm 2.0's, `exnref` and the bottom
 * references (`nullfuncref`, `nullexternref`, `nullexnref`).
 */
const V2_VALTYPES = new Set([0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f, 0x69, 0x72, 0x73, 0x74]);
/** GC's abstract value/heap-type bytes (environ reads them). */
const V3_TYPE_BYTES = new Set([0x65, 0x66, 0x67, 0x68, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x71]);
/** The value-type bytes that introduce `(ref null? ht)`. */
const REF_TYPE_BYTES = new Set([0x63, 0x64]);

/** A cursor that stops (returns undefined) instead of throwing. */
class Reader {
  constructor(readonly bytes: Uint8Array, public pos: number, readonly end: number) {}
  byte(): number | undefined {
    return this.pos < this.end ? this.bytes[this.pos++] : undefined;
  }
  leb(): Leb | undefined {
    const l = readLeb(this.bytes, this.pos);
    if (l === undefined || this.pos + l.length > this.end) return undefined;
    this.pos += l.length;
    return l;
  }
  skip(n: number): boolean {
    if (this.pos + n > this.end) return false;
    this.pos += n;
    return true;
  }
}

/** Reads a 3.0 value type (environ validates them all: no site to record). */
function valType(r: Reader, _sites: FeatureSite[]): boolean {
  const at = r.pos;
  const b = r.byte();
  if (b === undefined) return false;
  if (V2_VALTYPES.has(b)) return true;
  if (REF_TYPE_BYTES.has(b)) {
    const heap = r.bytes[r.pos];
    const ht = readLeb(r.bytes, r.pos); // heap type: an s33 (abstract byte or type index)
    if (ht === undefined) return false;
    r.pos += ht.length;
    return heap !== undefined;
  }
  // GC's abstract reference types: environ validates them (nothing to explain).
  return V3_TYPE_BYTES.has(b) && r.pos > at;
}

/** The class of a module environ accepts with a custom page size, which V8 lacks. */
export const CUSTOM_PAGE_SIZES = "custom page sizes (V8 has none)";

/** V8's limit on a 64-bit memory's size, in 64 KiB pages (16 GiB; `wasm-limits.h`). */
const V8_MAX_MEMORY64_PAGES = 262144;

/** The class of a 64-bit memory above V8's size limit. */
export const V8_MEMORY64_LIMIT = `V8 limit: memory64 size above ${V8_MAX_MEMORY64_PAGES} pages`;

/** The class of a 64-bit table whose initial size is above V8's limit. */
export const V8_TABLE64_LIMIT =
  `V8 limit: table64 initial size above ${MAX_TABLE_ELEMENTS_ALLOCATABLE}`;

/**
 * The class of 32-bit limits whose number is a LEB128 longer than five bytes: 3.0
 * encodes limits as u64 for either address type, V8 reads a 32-bit one's as u32.
 */
export const V8_LIMITS_U32 = "V8 reads 32-bit limits as u32 (3.0: u64 for either address type)";

/** The classes of modules environ accepts and V8 does not, found by {@link moduleFeatureSites}. */
const ACCEPTED_CLASSES = new Set([
  CUSTOM_PAGE_SIZES,
  V8_MEMORY64_LIMIT,
  V8_TABLE64_LIMIT,
  V8_LIMITS_U32,
]);

/**
 * Reads limits, recording a memory's custom page size (environ reads it, V8 does not),
 * 64-bit sizes above V8's implementation limits, and 32-bit limits written in more than
 * five bytes.
 */
function limits(r: Reader, sites: FeatureSite[], kind: "memory" | "table"): boolean {
  const at = r.pos;
  const flags = r.byte();
  if (flags === undefined) return false;
  const count = flags & 1 ? 2 : 1;
  for (let i = 0; i < count; i++) {
    const start = r.pos;
    const n = r.leb();
    if (n === undefined) return false;
    if (!(flags & 0x04) && n.length > 5) {
      // 3.0 encodes either address type's limits as u64; V8 reads a 32-bit one's as u32
      sites.push({ feature: V8_LIMITS_U32, start, end: r.pos });
    }
    if (flags & 0x04 && !(flags & 0x08)) {
      // V8 caps a 64-bit memory's minimum and maximum, and a 64-bit table's minimum
      if (kind === "memory" && n.value > V8_MAX_MEMORY64_PAGES) {
        sites.push({ feature: V8_MEMORY64_LIMIT, start, end: r.pos });
      }
      if (kind === "table" && i === 0 && n.value > MAX_TABLE_ELEMENTS_ALLOCATABLE) {
        sites.push({ feature: V8_TABLE64_LIMIT, start, end: r.pos });
      }
    }
  }
  if (kind === "memory" && (flags & 0x08) !== 0 && flags < 0x10) {
    if (r.leb() === undefined) return false;
    sites.push({ feature: CUSTOM_PAGE_SIZES, start: at, end: r.pos });
  }
  return true;
}

/**
 * Reads a constant expression up to its `end` (environ validates every
 * instruction a constant expression may hold: nothing in one explains a
 * disagreement).
 */
function constExpr(r: Reader, _sites: FeatureSite[]): boolean {
  for (let guard = 0; guard < 10000; guard++) {
    const op = r.byte();
    if (op === undefined) return false;
    switch (op) {
      case 0x0b:
        return true;
      case 0x41:
      case 0x42:
      case 0xd2:
        if (!r.leb()) return false;
        break;
      case 0x43:
        if (!r.skip(4)) return false;
        break;
      case 0x44:
        if (!r.skip(8)) return false;
        break;
      case 0x23:
        if (!r.leb()) return false;
        break;
      case 0xd0: // ref.null of any heap type (GC's included, validated by environ)
        if (!r.leb()) return false;
        break;
      case 0x6a: // extended constants (validated by environ: nothing to explain)
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break;
      case 0xfd: {
        const sub = r.leb();
        if (!sub || sub.value !== 0x0c || !r.skip(16)) return false;
        break;
      }
      case 0xfb: // GC allocations (validated by environ); immediates vary: stop reading
        return false;
      default:
        return false;
    }
  }
  return false;
}

/** The class of a tag whose attribute byte 0 is written as a longer LEB128, which V8 reads. */
export const V8_TAG_ATTRIBUTE_LEB = "V8 reads a tag's attribute 0 as a LEB128 (the spec: one byte)";

/**
 * Reads the tag section, recording each tag whose attribute is a zero written
 * in more than one byte: the spec's attribute is the byte 0x00 (environ, like
 * wabt, says "malformed tag attribute"), V8 reads a u32 LEB128.
 */
function tagSection(r: Reader, sites: FeatureSite[]): void {
  const count = r.leb();
  for (let i = 0; count !== undefined && i < count.value; i++) {
    const at = r.pos;
    const attribute = r.leb();
    if (attribute === undefined) return;
    if (attribute.value === 0 && attribute.length > 1) {
      sites.push({
        feature: V8_TAG_ATTRIBUTE_LEB,
        start: at,
        end: r.pos,
        exact: { reasons: /^malformed tag attribute$/ },
      });
    }
    if (r.leb() === undefined) return;
  }
}

/** Reads a table type: reference type then limits. */
function tableType(r: Reader, sites: FeatureSite[]): boolean {
  return valType(r, sites) && limits(r, sites, "table");
}

/**
 * Finds the module-level 3.0 constructs of a module: in its section order and
 * ids, types, imports, tables, memories, globals, exports, element and data
 * segments, and local declarations. Reading stops quietly at the first byte it
 * cannot make sense of.
 *
 * @param bytes the module
 * @returns the sites found
 */
export function moduleFeatureSites(bytes: Uint8Array): FeatureSite[] {
  const sites: FeatureSite[] = [];
  const { sections } = scanSections(bytes);
  for (const s of sections) {
    const r = new Reader(bytes, s.payloadStart, s.end);
    if (s.id === SectionId.tag) {
      tagSection(r, sites);
      continue;
    }
    if (s.id === SectionId.custom || s.id > SectionId.tag) continue;
    if (s.id === SectionId.start || s.id === SectionId.dataCount) continue;
    const count = r.leb();
    if (count === undefined) continue;
    for (let i = 0; i < count.value && r.pos < s.end; i++) {
      if (!readEntry(s.id, r, sites)) break;
    }
  }
  return sites;

  function readEntry(id: number, r: Reader, sites: FeatureSite[]): boolean {
    switch (id) {
      case SectionId.type:
        return typeEntry(r, sites);
      case SectionId.import:
        return importEntry(r, sites);
      case SectionId.function:
        return r.leb() !== undefined;
      case SectionId.table:
        if (r.bytes[r.pos] === 0x40) {
          const at = r.pos;
          // a table with an initialiser: environ reads it
          return r.skip(2) && tableType(r, sites) && constExpr(r, sites) && r.pos > at;
        }
        return tableType(r, sites);
      case SectionId.memory:
        return limits(r, sites, "memory");
      case SectionId.global: {
        if (!valType(r, sites) || r.byte() === undefined) return false;
        return constExpr(r, sites);
      }
      case SectionId.export: {
        const n = r.leb();
        if (!n || !r.skip(n.value)) return false;
        // (kind 4, a tag, is read by environ)
        return r.byte() !== undefined && r.leb() !== undefined;
      }
      case SectionId.element:
        return elemEntry(r, sites);
      case SectionId.code:
        return codeEntry(r, sites);
      case SectionId.data: {
        const flags = r.leb();
        if (!flags) return false;
        if (flags.value === 2 && !r.leb()) return false;
        if (flags.value !== 1 && !constExpr(r, sites)) return false;
        const n = r.leb();
        return n !== undefined && r.skip(n.value);
      }
    }
    return false;
  }

  function typeEntry(r: Reader, sites: FeatureSite[]): boolean {
    const form = r.byte();
    if (form === 0x60) {
      for (let k = 0; k < 2; k++) {
        const n = r.leb();
        if (!n) return false;
        for (let j = 0; j < n.value; j++) if (!valType(r, sites)) return false;
      }
      return true;
    }
    // GC type definitions (recursion groups, subtypes, structs, arrays) are
    // validated by environ: nothing to explain; stop reading.
    return false;
  }

  function importEntry(r: Reader, sites: FeatureSite[]): boolean {
    for (let k = 0; k < 2; k++) {
      const n = r.leb();
      if (!n || !r.skip(n.value)) return false;
    }
    const kind = r.byte();
    switch (kind) {
      case 0:
        return r.leb() !== undefined;
      case 1:
        return tableType(r, sites);
      case 2:
        return limits(r, sites, "memory");
      case 3:
        return valType(r, sites) && r.byte() !== undefined;
      case 4: // a tag: read by environ
        return r.byte() !== undefined && r.leb() !== undefined;
    }
    return false;
  }

  function elemEntry(r: Reader, sites: FeatureSite[]): boolean {
    const flags = r.leb();
    if (!flags || flags.value > 7) return false;
    const f = flags.value;
    if (f === 2 || f === 6) {
      if (!r.leb()) return false;
    }
    if ((f & 1) === 0 && !constExpr(r, sites)) return false;
    if (f & 3) {
      if (f & 4) {
        if (!valType(r, sites)) return false;
      } else if (r.byte() === undefined) return false;
    }
    const n = r.leb();
    if (!n) return false;
    for (let j = 0; j < n.value; j++) {
      if (f & 4) {
        if (!constExpr(r, sites)) return false;
      } else if (!r.leb()) return false;
    }
    return true;
  }

  function codeEntry(r: Reader, sites: FeatureSite[]): boolean {
    const size = r.leb();
    if (!size) return false;
    const end = r.pos + size.value;
    const groups = r.leb();
    if (!groups) return false;
    for (let j = 0; j < groups.value && r.pos < end; j++) {
      if (!r.leb() || !valType(r, sites)) return false;
    }
    r.pos = end;
    return end <= r.end;
  }
}

/**
 * Finds 3.0 constructs in a function body near an offset: instructions from
 * the proposals environ does not implement, and new value types in block
 * types or `select`.
 *
 * @param bytes the module
 * @param offset the offset environ blamed
 * @returns the sites that start within {@link SLACK} bytes before `offset`
 */
export function instructionSitesNear(bytes: Uint8Array, offset: number): FeatureSite[] {
  return instructionSitesIn(bytes, Math.max(0, offset - 20), offset);
}

/**
 * Finds 3.0 instruction constructs (as {@link instructionSitesNear} does) that
 * start anywhere in `[from, to]`.
 *
 * @param bytes the module
 * @param from first offset to look at
 * @param to last offset to look at
 * @returns the sites, in offset order
 */
export function instructionSitesIn(_bytes: Uint8Array, _from: number, _to: number): FeatureSite[] {
  // Every 3.0 instruction V8 accepts (GC's included) environ validates too:
  // no instruction construct explains a disagreement any more.
  return [];
}

/**
 * Asks V8 whether an instruction starts at `at` in a module V8 accepts: with that
 * byte replaced by the unassigned opcode `0xff`, V8 must fail with "Invalid opcode
 * 0xff" exactly there. A byte inside an immediate or a data payload fails
 * elsewhere or not at all. This keeps a stray `0x14` inside an immediate from
 * passing for a `call_ref`.
 *
 * @param bytes a module native V8 accepts
 * @param at the offset to test
 * @returns whether V8 decodes an instruction starting at `at`
 */
export function isInstructionStart(bytes: Uint8Array, at: number): boolean {
  if (at < 0 || at >= bytes.length) return false;
  const patched = bytes.slice();
  patched[at] = 0xff;
  try {
    new WebAssembly.Module(patched);
    return false;
  } catch (e) {
    const msg = e instanceof Error ? e.message : "";
    return msg.includes(`Invalid opcode 0xff @+${at}`);
  }
}

/**
 * V8's br_table label cap, an implementation limit the spec does not have
 * (v8/src/wasm/wasm-limits.h). V8's caps on locals and table entries are the
 * JS API's, {@link MAX_LOCALS} and {@link MAX_TABLE_ELEMENTS_ALLOCATABLE}.
 */
const V8_MAX_BR_TABLE = 65520;

/** Explains a module that environ accepted and V8 rejected, by a V8 limit it exceeds. */
/**
 * Explains a module environ accepts and V8 rejects for an operator V8 ships
 * without: wide arithmetic (`0xFC` 19-22), which V8 only decodes behind a
 * flag. V8's own message must name that opcode.
 */
function v8MissingFeatureClass(bytes: Uint8Array): string | undefined {
  try {
    new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    if (/Invalid opcode 0xfc1[3-6] /.test(String(e))) return "wide arithmetic (V8 lacks it)";
  }
  return undefined;
}

function v8LimitClass(bytes: Uint8Array): string | undefined {
  const { sections } = scanSections(bytes);
  for (const s of sections) {
    if (s.id === SectionId.code) {
      for (const body of scanBodies(bytes, s)) {
        const r = new Reader(bytes, body.start, body.end);
        const groups = r.leb();
        let total = 0;
        for (let j = 0; groups && j < groups.value; j++) {
          const n = r.leb();
          if (!n || r.byte() === undefined) break;
          total += n.value;
        }
        if (total > MAX_LOCALS) return `V8 limit: more than ${MAX_LOCALS} locals`;
        // A br_table whose label count is over V8's cap and whose labels fit in the body.
        for (let p = r.pos; p < body.end; p++) {
          if (bytes[p] !== 0x0e) continue;
          const n = readLeb(bytes, p + 1);
          if (n && n.value > V8_MAX_BR_TABLE && p + 1 + n.length + n.value <= body.end) {
            return "V8 limit: br_table with more than 65520 labels";
          }
        }
      }
    }
    if (s.id === SectionId.table || s.id === SectionId.import) {
      // Any table limits minimum above V8's cap (found by its reftype + flags + LEB shape).
      for (let p = s.payloadStart; p + 2 < s.end; p++) {
        if ((bytes[p] === 0x70 || bytes[p] === 0x6f) && bytes[p + 1] <= 1) {
          const min = readLeb(bytes, p + 2);
          if (min && min.u32 && min.value > MAX_TABLE_ELEMENTS_ALLOCATABLE) {
            return `V8 limit: table initial size above ${MAX_TABLE_ELEMENTS_ALLOCATABLE}`;
          }
        }
      }
    }
  }
  return undefined;
}

/**
 * Classifies one disagreement between environ and V8.
 *
 * @param bytes the mutant
 * @param environ environ's verdict
 * @returns the class, or undefined when no rule explains it
 */
export function classifyDisagreement(
  bytes: Uint8Array,
  environ: EnvironVerdict,
): string | undefined {
  if (environ.accepted) {
    return v8LimitClass(bytes) ?? v8MissingFeatureClass(bytes) ??
      moduleFeatureSites(bytes).find((s) => ACCEPTED_CLASSES.has(s.feature))?.feature;
  }
  const offset = environ.offset;
  if (offset === undefined) return undefined;
  const sites = [...moduleFeatureSites(bytes), ...instructionSitesNear(bytes, offset)];
  const reason = environ.reason ?? "";
  const hit = sites.find((s) =>
    s.exact === undefined
      ? offset >= s.start - SLACK && offset < s.end + SLACK
      : offset >= s.start && offset < s.end && (s.exact.reasons?.test(reason) ?? true) &&
        (!s.exact.instruction || isInstructionStart(bytes, s.start))
  );
  return hit?.feature;
}
