/**
 * Type definitions of the text format, with GC: `(type $id? subtype)`,
 * `(rec (type ...)*)`, `(sub final? $super? comptype)`, and the composite
 * types `(func ...)`, `(struct (field ...)*)`, `(array fieldtype)` and `(cont $ft)`; and
 * their binary encoding (the type section).
 *
 * Invariants:
 * - A type written without `sub` is final with no supertype, and is encoded
 *   as its bare composite type; `sub final` with no supertype is encoded the
 *   same way (as wasm-tools does). An explicit `(rec ...)` is always
 *   encoded as a group (0x4E), even with one type.
 * - Struct field `$id`s are recorded per type index in `Parser.fieldIds`,
 *   for `struct.get $t $f` and the like.
 *
 * @module
 */

import type { ByteWriter } from "./_bytes.ts";
import type { Parser, Sig } from "./_parser.ts";
import { PackedType } from "../types.ts";

const PACKED: Record<string, number> = { i8: PackedType.i8, i16: PackedType.i16 };

/** Parses a storage type: a value type, `i8` or `i16`. */
function storageType(p: Parser): number {
  const t = p.peek();
  if (t?.kind === "keyword" && Object.hasOwn(PACKED, t.text)) {
    p.pos++;
    return PACKED[t.text];
  }
  return p.valType();
}

/** Parses a field type: a storage type or `(mut storagetype)`. */
function fieldType(p: Parser): { type: number; mutable: boolean } {
  if (p.atOpen("mut")) {
    p.pos += 2;
    const type = storageType(p);
    p.close();
    return { type, mutable: true };
  }
  return { type: storageType(p), mutable: false };
}

/**
 * Parses a composite type `(func ...)`, `(struct ...)`, `(array ...)` or
 * `(cont $ft)`, recording field ids.
 */
function compositeType(p: Parser, index: number): Sig {
  if (p.atOpen("struct")) {
    p.pos += 2;
    const fields: { type: number; mutable: boolean }[] = [];
    const ids = new Map<string, number>();
    while (p.atOpen("field")) {
      p.pos += 2;
      const idTok = p.peek();
      const id = p.optId();
      if (id !== undefined) {
        if (ids.has(id)) throw p.error("duplicate field", idTok);
        ids.set(id, fields.length);
        fields.push(fieldType(p));
      } else {
        while (!p.atClose()) fields.push(fieldType(p));
      }
      p.close();
    }
    p.close();
    if (ids.size > 0) p.fieldIds.set(index, ids);
    return { params: [], results: [], kind: "struct", fields };
  }
  if (p.atOpen("cont")) {
    // A continuation type: `(cont $ft)` ($ft may be named ahead).
    p.pos += 2;
    const cont = p.index("type");
    p.close();
    return { params: [], results: [], kind: "cont", cont };
  }
  if (p.atOpen("array")) {
    p.pos += 2;
    const f = fieldType(p);
    p.close();
    return { params: [], results: [], kind: "array", fields: [f] };
  }
  p.open("func");
  p.optId();
  const { sig } = p.inlineSig(true);
  p.close();
  return sig;
}

/**
 * Parses the rest of a `(type $id? ...)` field (cursor after the `$id`) up
 * to its closing parenthesis (not consumed): a composite type or a `sub`.
 *
 * @param p the parser
 * @param index the type index being defined
 * @returns the type
 */
export function typeDefinition(p: Parser, index: number): Sig {
  if (!p.atOpen("sub")) return compositeType(p, index);
  p.pos += 2;
  const final = p.optKeyword("final");
  const supertype = p.atIndex() ? p.index("type") : undefined;
  const t = compositeType(p, index);
  p.close();
  return {
    ...t,
    ...(final ? {} : { final: false }),
    ...(supertype === undefined ? {} : { supertype }),
  };
}

/** Writes a field type: the storage type and the mutability byte. */
function writeField(w: ByteWriter, f: { type: number; mutable: boolean }): void {
  if (f.type === PackedType.i8 || f.type === PackedType.i16) w.byte(f.type);
  else w.valType(f.type);
  w.byte(f.mutable ? 1 : 0);
}

/** Writes one subtype. */
function writeSubType(w: ByteWriter, t: Sig): void {
  if (t.final === false || t.supertype !== undefined) {
    w.byte(t.final === false ? 0x50 : 0x4f);
    if (t.supertype === undefined) w.u32(0);
    else {
      w.u32(1);
      w.u32(t.supertype);
    }
  }
  if (t.kind === "struct") {
    w.byte(0x5f);
    w.u32(t.fields!.length);
    for (const f of t.fields!) writeField(w, f);
  } else if (t.kind === "array") {
    w.byte(0x5e);
    writeField(w, t.fields![0]);
  } else if (t.kind === "cont") {
    w.byte(0x5d);
    w.s64(BigInt(t.cont!));
  } else {
    w.byte(0x60);
    w.u32(t.params.length);
    for (const v of t.params) w.valType(v);
    w.u32(t.results.length);
    for (const v of t.results) w.valType(v);
  }
}

/**
 * Writes the entries of the type section.
 *
 * @param w where the entries go
 * @param types the module's types in index order
 * @returns how many entries (recursion groups) were written
 */
export function writeTypes(w: ByteWriter, types: readonly Sig[]): number {
  let count = 0;
  for (let i = 0; i < types.length; count++) {
    const t = types[i];
    if (t.rec !== undefined) {
      w.byte(0x4e);
      w.u32(t.rec.size);
      for (let k = 0; k < t.rec.size; k++) writeSubType(w, types[i + k]);
      i += t.rec.size;
    } else {
      writeSubType(w, t);
      i++;
    }
  }
  return count;
}
