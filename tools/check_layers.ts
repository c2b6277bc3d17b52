/**
 * Checks DESIGN.md's import rules between workspace members: for each member,
 * the module graph of its `mod.ts` (from `deno info --json`, so workspace
 * names are resolved exactly as Deno resolves them) may reach only the members
 * it is allowed to depend on.
 *
 * Run: `deno run -A tools/check_layers.ts` (exit 1 and one line per violation).
 *
 * @module
 */

/** Which members each member may import (itself always allowed). */
export const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  environ: [],
  interpreter: ["environ"],
  codegen: ["environ", "interpreter"],
  runtime: ["environ", "interpreter", "codegen"],
  wasi: ["environ", "interpreter", "codegen", "runtime"],
  cli: ["environ", "interpreter", "codegen", "runtime", "wasi"],
};

/** One forbidden edge: `from` reaches a module of member `to`. */
export interface LayerViolation {
  /** The member whose graph was walked. */
  readonly member: string;
  /** The member it must not reach. */
  readonly reaches: string;
  /** The offending module's path, relative to the repository. */
  readonly module: string;
}

const ROOT = new URL("../", import.meta.url);

function memberOf(specifier: string): string | undefined {
  if (!specifier.startsWith(ROOT.href)) return undefined;
  const rel = specifier.slice(ROOT.href.length);
  const first = rel.split("/")[0];
  return first in ALLOWED ? first : undefined;
}

/**
 * Walks every member's `mod.ts` graph and lists the forbidden edges.
 *
 * @returns the violations found (empty when the layers are clean), and the
 *   members that have no `mod.ts` yet
 */
export async function checkLayers(): Promise<
  { violations: LayerViolation[]; missing: string[] }
> {
  const violations: LayerViolation[] = [];
  const missing: string[] = [];
  for (const member of Object.keys(ALLOWED)) {
    const entry = new URL(`${member}/mod.ts`, ROOT);
    try {
      Deno.statSync(entry);
    } catch {
      missing.push(member);
      continue;
    }
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry.pathname],
      cwd: ROOT.pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`deno info failed for ${member}: ${new TextDecoder().decode(out.stderr)}`);
    }
    const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: { specifier: string }[];
    };
    const allowed = new Set([member, ...ALLOWED[member]]);
    for (const { specifier } of graph.modules) {
      const owner = memberOf(specifier);
      if (owner !== undefined && !allowed.has(owner)) {
        violations.push({
          member,
          reaches: owner,
          module: specifier.slice(ROOT.href.length),
        });
      }
    }
  }
  return { violations, missing };
}

if (import.meta.main) {
  const { violations, missing } = await checkLayers();
  for (const m of missing) console.log(`note: ${m}/mod.ts does not exist yet`);
  for (const v of violations) {
    console.log(`${v.member} must not import ${v.reaches}: reaches ${v.module}`);
  }
  console.log(violations.length === 0 ? "layers clean" : `${violations.length} violation(s)`);
  Deno.exit(violations.length === 0 ? 0 : 1);
}
