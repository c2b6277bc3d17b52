/**
 * Tests of the errno table against values fixed by `wasi_snapshot_preview1.witx`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Errno, ERRNO_NAMES, errnoFromPosixCode, errnoName } from "./errno.ts";

Deno.test("Errno has the witx values", () => {
  assert.equal(ERRNO_NAMES.length, 77);
  const witx: [keyof typeof Errno, number][] = [
    ["success", 0],
    ["2big", 1],
    ["acces", 2],
    ["badf", 8],
    ["exist", 20],
    ["fault", 21],
    ["inval", 28],
    ["isdir", 31],
    ["loop", 32],
    ["nametoolong", 37],
    ["noent", 44],
    ["nosys", 52],
    ["notdir", 54],
    ["notempty", 55],
    ["notsup", 58],
    ["perm", 63],
    ["spipe", 70],
    ["xdev", 75],
    ["notcapable", 76],
  ];
  for (const [name, value] of witx) assert.equal(Errno[name], value, name);
});

Deno.test("errnoName() gives C names", () => {
  assert.equal(errnoName(44), "ENOENT");
  assert.equal(errnoName(0), "ESUCCESS");
  assert.equal(errnoName(500), "E?500");
});

Deno.test("errnoFromPosixCode() maps host codes, including the spelling differences", () => {
  assert.equal(errnoFromPosixCode("ENOENT"), Errno.noent);
  assert.equal(errnoFromPosixCode("ENOTEMPTY"), Errno.notempty);
  assert.equal(errnoFromPosixCode("EACCES"), Errno.acces);
  assert.equal(errnoFromPosixCode("EOPNOTSUPP"), Errno.notsup);
  assert.equal(errnoFromPosixCode("EWHATEVER"), undefined);
});
