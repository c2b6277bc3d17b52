import { Engine, Module } from "../runtime/mod.ts";
const bytes = Deno.readFileSync(Deno.args[0]);
const m = new Module(new Engine({ strategy: "js" }), bytes);
const n = m.translation.numImportedFunctions + m.translation.bodies.length;
for (let i = 0; i < n; i++) { const t = m.tierOf(i); if (t !== "js") console.log(i, t); }
