/**
 * Checks DESIGN.md's import rules on every TypeScript file of the repository
 * (sources, tests, bench, tools and examples), from the module graph
 * `deno info --json` resolves (so workspace names are resolved exactly as Deno
 * resolves them). Each import from one directory into another must obey:
 *
 * - **layer**: a file of member X (its tests included) may import only X and
 *   the members X may import ({@link ALLOWED}); a test of X may also import a
 *   test-support member ({@link TEST_SUPPORT}) whose own imports X may make.
 *   Bench, tools and examples ({@link CONSUMERS}) may import every member in
 *   {@link ALLOWED} and the test-support members, and nothing of each other.
 * - **private**: no file imports another member's `_`-prefixed file.
 * - **exports**: a file imports another member only as `@capstan/<member>`,
 *   resolving to one of the member's `exports` (never by a relative path).
 *
 * Imports inside one directory are not checked. Because every member's
 * allowed list already holds what its allowed members may import, checking
 * each direct import is enough: no file can reach a member it may not import.
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

/**
 * Unpublished members that only tests may import, with the members each may
 * import itself.
 */
export const TEST_SUPPORT: Readonly<Record<string, readonly string[]>> = {
  testing: ["environ"],
};

/** Directories outside the layers that may import any member of {@link ALLOWED}. */
export const CONSUMERS: readonly string[] = ["bench", "tools", "examples"];

/** Directories never walked: data, not code of ours. */
const SKIPPED_DIRS = new Set(["testdata", "fixtures", "corpus", "node_modules"]);

/** Which rule an import breaks (see the module doc). */
export type LayerRule = "layer" | "private" | "exports";

/** One forbidden import. */
export interface LayerViolation {
  /** The rule it breaks. */
  readonly rule: LayerRule;
  /** The directory (member, test support or consumer) of the importing file. */
  readonly member: string;
  /** The directory of the imported file. */
  readonly reaches: string;
  /** The importing file, relative to the repository. */
  readonly from: string;
  /** The import's specifier as written. */
  readonly specifier: string;
  /** The imported file, relative to the repository. */
  readonly module: string;
}

/** The repository root this tool belongs to. */
const REPOSITORY = new URL("../", import.meta.url);

/** The part of the module graph of `deno info --json` read here. */
interface ModuleGraph {
  modules: {
    specifier: string;
    dependencies?: {
      specifier: string;
      code?: { specifier?: string };
      type?: { specifier?: string };
    }[];
  }[];
}

/** Whether a file is test code: `*_test.ts`, or a test helper such as `_test_harness.ts`. */
export function isTestFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return /(^|_)test(_|\.ts$)/.test(name);
}

/** Every `.ts` file under `dir` (a URL ending in `/`), skipping data directories. */
function tsFiles(dir: URL): URL[] {
  const out: URL[] = [];
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return out;
  }
  for (const e of entries) {
    if (e.isDirectory && !SKIPPED_DIRS.has(e.name) && !e.name.startsWith(".")) {
      out.push(...tsFiles(new URL(`${e.name}/`, dir)));
    } else if (e.isFile && e.name.endsWith(".ts")) {
      out.push(new URL(e.name, dir));
    }
  }
  return out;
}

/** The module graph of every file in `files`, resolved from `root`'s workspace. */
async function moduleGraph(root: URL, files: readonly URL[]): Promise<ModuleGraph> {
  const entry = await Deno.makeTempFile({ prefix: "check_layers_", suffix: ".ts" });
  try {
    await Deno.writeTextFile(entry, files.map((f) => `import "${f.href}";\n`).join(""));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root.pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(`deno info failed: ${new TextDecoder().decode(out.stderr)}`);
    }
    return JSON.parse(new TextDecoder().decode(out.stdout)) as ModuleGraph;
  } finally {
    await Deno.remove(entry);
  }
}

/** The files a member's `deno.json` exports, as URLs. */
function exportedFiles(root: URL, member: string): Set<string> {
  const dir = new URL(`${member}/`, root);
  try {
    const config = JSON.parse(Deno.readTextFileSync(new URL("deno.json", dir))) as {
      exports?: string | Record<string, string>;
    };
    const exports = config.exports ?? {};
    const targets = typeof exports === "string" ? [exports] : Object.values(exports);
    return new Set(targets.map((t) => new URL(t, dir).href));
  } catch {
    return new Set();
  }
}

/** Whether a file of `from` (a test file when `test`) may import directory `to`. */
function mayImport(from: string, test: boolean, to: string): boolean {
  if (from in ALLOWED) {
    if (ALLOWED[from].includes(to)) return true;
    const own = new Set([from, ...ALLOWED[from]]);
    return test && to in TEST_SUPPORT && TEST_SUPPORT[to].every((m) => own.has(m));
  }
  if (from in TEST_SUPPORT) return TEST_SUPPORT[from].includes(to);
  return CONSUMERS.includes(from) && (to in ALLOWED || to in TEST_SUPPORT);
}

/**
 * Walks the imports of every file of the repository at `root` and lists the
 * forbidden ones.
 *
 * @param root the repository root (a URL ending in `/`); this tool's own by default
 * @returns the violations found (empty when the layers are clean), and the
 *   members that have no `mod.ts`
 */
export async function checkLayers(root: URL = REPOSITORY): Promise<
  { violations: LayerViolation[]; missing: string[] }
> {
  const dirs = [...Object.keys(ALLOWED), ...Object.keys(TEST_SUPPORT), ...CONSUMERS];
  const missing = Object.keys(ALLOWED).filter((member) => {
    try {
      Deno.statSync(new URL(`${member}/mod.ts`, root));
      return false;
    } catch {
      return true;
    }
  });
  const files = dirs.flatMap((d) => tsFiles(new URL(`${d}/`, root)));
  const graph = await moduleGraph(root, files);
  const ownerOf = (url: string): string | undefined => {
    if (!url.startsWith(root.href)) return undefined;
    const first = url.slice(root.href.length).split("/")[0];
    return dirs.includes(first) ? first : undefined;
  };
  const exports = new Map<string, Set<string>>();
  const exportsOf = (member: string) => {
    if (!exports.has(member)) exports.set(member, exportedFiles(root, member));
    return exports.get(member)!;
  };
  const violations: LayerViolation[] = [];
  for (const mod of graph.modules) {
    const member = ownerOf(mod.specifier);
    if (member === undefined) continue;
    const from = mod.specifier.slice(root.href.length);
    for (const dep of mod.dependencies ?? []) {
      const targets = new Set([dep.code?.specifier, dep.type?.specifier]);
      for (const target of targets) {
        const reaches = target === undefined ? undefined : ownerOf(target);
        if (target === undefined || reaches === undefined || reaches === member) continue;
        const module = target.slice(root.href.length);
        const found = (rule: LayerRule) =>
          violations.push({ rule, member, reaches, from, specifier: dep.specifier, module });
        if (!mayImport(member, isTestFile(from), reaches)) found("layer");
        if (module.slice(module.lastIndexOf("/") + 1).startsWith("_")) found("private");
        else if (!dep.specifier.startsWith("@capstan/") || !exportsOf(reaches).has(target)) {
          found("exports");
        }
      }
    }
  }
  return { violations, missing };
}

/**
 * A violation as one line of the report.
 *
 * @param v a violation
 * @returns what was imported, from where, and which rule it breaks
 */
export function describeViolation(v: LayerViolation): string {
  const what = `${v.from} imports "${v.specifier}" (${v.module})`;
  switch (v.rule) {
    case "layer":
      return `${what}: ${v.member}${
        isTestFile(v.from) ? " tests" : ""
      } must not import ${v.reaches}`;
    case "private":
      return `${what}: a private file of ${v.reaches}`;
    case "exports":
      return `${what}: import ${v.reaches} only as @capstan/${v.reaches} (its exports)`;
  }
}

if (import.meta.main) {
  const { violations, missing } = await checkLayers();
  for (const m of missing) console.log(`note: ${m} has no mod.ts`);
  for (const v of violations) console.log(describeViolation(v));
  console.log(violations.length === 0 ? "layers clean" : `${violations.length} violation(s)`);
  Deno.exit(violations.length === 0 ? 0 : 1);
}
