/**
 * Async host functions: a wasm export calls an import that returns a Promise,
 * the call suspends at that point, and resumes with the awaited value —
 * something native WebAssembly cannot do without JSPI. Also fuel: an endless
 * loop stopped cleanly, the store usable afterwards.
 *
 * Run: `deno run -A examples/async_host.ts`
 *
 * @module
 */

import { parseWat } from "@capstan/environ";
import { Engine, Linker, Module, Store, Trap } from "@capstan/runtime";

const wat = `
(module
  (import "env" "fetch_price" (func $fetch (param i32) (result i32)))
  (func (export "total") (param $item i32) (param $count i32) (result i32)
    (i32.mul (call $fetch (local.get $item)) (local.get $count)))
  (func (export "spin") (loop $l (br $l))))`;

/**
 * Runs the example and returns what it printed, line by line.
 *
 * @returns the printed lines
 */
export async function main(): Promise<string[]> {
  const lines: string[] = [];
  const engine = new Engine({ consumeFuel: true });
  const module = new Module(engine, parseWat(wat));
  const linker = new Linker(engine);
  // The import answers after an await: a timer stands in for a fetch or a database.
  linker.funcWrap("env", "fetch_price", { params: ["i32"], results: ["i32"] }, async (item) => {
    await new Promise((resolve) => setTimeout(resolve, 10));
    return 100 + (item as number);
  });
  const store = new Store(engine, undefined);
  store.setFuel(1_000_000);
  const instance = await linker.instantiateAsync(store, module);

  const [total] = await instance.getFunc("total")!.callAsync(7, 3);
  lines.push(`total(7, 3) = ${total}`); // (100 + 7) * 3 = 321

  try {
    instance.getFunc("spin")!.call();
  } catch (e) {
    if (!(e instanceof Trap)) throw e;
    lines.push(`spin: ${e.message}`); // "all fuel consumed"; e.backtrace has the wasm frames
  }
  store.setFuel(1_000_000);
  const [again] = await instance.getFunc("total")!.callAsync(1, 2);
  lines.push(`after the trap, total(1, 2) = ${again}`); // the store still works
  return lines;
}

if (import.meta.main) {
  for (const line of await main()) console.log(line);
}
