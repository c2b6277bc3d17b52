import { Engine, Linker, Module, Store } from "@capstan/runtime";
const bytes = Deno.readFileSync(Deno.args[0]);
const n = Number(Deno.args[1] ?? 20);
const engine = new Engine({ strategy: (Deno.args[2] ?? "auto") as "auto" });
const store = new Store(engine, undefined);
const inst = new Linker(engine).instantiate(store, new Module(engine, bytes));
const run = inst.getFunc("run")!.typed<[number], number>();
for (let i = 0; i < 8; i++) {
  const t = performance.now();
  run(i === 0 ? n >> 3 : n);
  console.log("T", (performance.now() - t).toFixed(1));
}
