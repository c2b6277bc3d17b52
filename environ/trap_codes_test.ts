/**
 * Tests of the trap-code table: each code carries the spec's message, and
 * codes are dense small integers with 0 meaning no trap.
 *
 * @module
 */

import assert from "node:assert/strict";
import { TRAP_CODE_COUNT, TrapCode, trapCodeName, trapMessage } from "./trap_codes.ts";

Deno.test("trap codes carry the spec's messages", () => {
  assert.equal(trapMessage(TrapCode.Unreachable), "unreachable");
  assert.equal(trapMessage(TrapCode.IntegerDivisionByZero), "integer divide by zero");
  assert.equal(trapMessage(TrapCode.IntegerOverflow), "integer overflow");
  assert.equal(trapMessage(TrapCode.BadConversionToInteger), "invalid conversion to integer");
  assert.equal(trapMessage(TrapCode.MemoryOutOfBounds), "out of bounds memory access");
  assert.equal(trapMessage(TrapCode.TableOutOfBounds), "out of bounds table access");
  assert.equal(trapMessage(TrapCode.BadSignature), "indirect call type mismatch");
  assert.equal(trapMessage(TrapCode.UndefinedElement), "undefined element");
  assert.equal(trapMessage(TrapCode.IndirectCallToNull), "uninitialized element");
  assert.equal(trapMessage(TrapCode.StackOverflow), "call stack exhausted");
  assert.equal(trapMessage(TrapCode.OutOfFuel), "all fuel consumed");
  assert.equal(trapMessage(TrapCode.Interrupt), "interrupt");
});

Deno.test("trap codes are dense small integers, 0 meaning no trap", () => {
  const codes = Object.values(TrapCode).sort((a, b) => a - b);
  assert.deepEqual(codes, [...Array(TRAP_CODE_COUNT).keys()]);
  assert.equal(TrapCode.None, 0);
  for (const [name, code] of Object.entries(TrapCode)) assert.equal(trapCodeName(code), name);
  assert.match(trapMessage(999), /unknown trap/);
});
