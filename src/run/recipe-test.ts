// `alignc test [DIR|FILE]`: each example recipe is a regression test.
//   1. its plan, compiled machine-independently, equals its golden `NAME.plan.json` (PLAN's golden
//      functions; `--update` rewrites the goldens instead);
//   2. a --tiny run (src/run/tiny.ts) meets its `expect` block.
// A recipe that sweeps is compared with its golden, then every variant gets its own tiny run (the
// stages upstream of the swept property have one hash in all of them: computed once, then cached).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { compile } from "../compile.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import { compareGolden, GoldenError, goldenPath, readGolden, writeGolden } from "../plan/golden.js";
import type { Progress } from "./presentation/progress.js";
import { runRecipe } from "./run-recipe.js";
import type { Manifest } from "./storage/rundir.js";
import { fsError } from "../common/fs-error.js";
import { specialKind } from "../lang/read-file.js";
import { missingReason } from "../common/fs-probe.js";

/** One --tiny run: of the recipe (variant null) or of one variant of a sweep. */
export interface TinyRun {
  variant: string | null;
  exitCode: number;
  runDir: string | null;
  manifest: Manifest | null;
  message: string | null;
}

export interface RecipeTestResult {
  file: string;
  golden: "equal" | "differs" | "missing" | "updated" | "unreadable" | "kept" | "unwritable" | "error";
  goldenDetail: string[]; // changed nodes or the errors
  runs: TinyRun[]; // one, or one per variant; [] with --no-run or when the plan does not compile
  skippedRun: string | null;
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
}

export interface RecipeTestOptions {
  update?: boolean;
  run?: boolean;
  backend?: string;
  runsDir?: string;
  cacheRoot?: string;
  progress?: Progress;
  interrupt?: { readonly requested: boolean };
}

/** The .align files a path names: itself, or those directly inside a folder, sorted. A path that is
 * neither a regular file nor a folder (`/dev/null`, a FIFO, a socket) is an Error that says what it is
 * and what `alignc test` takes (it reached the user as readdir's raw "ENOTDIR: not a directory, scandir"). */
export function recipeFiles(path: string): string[] {
  const p = resolve(path);
  // as other commands say it: a dangling link or a link loop named, not just "missing"
  if (!existsSync(p)) throw new Error(`${path}: ${missingReason(p)}`);
  const st = statSync(p);
  // a golden is the recipe's output, not a recipe: read as one it was a parse error (AL1012) at its first brace
  if (st.isFile() && p.endsWith(".plan.json")) throw new Error(`${path} is a golden plan: alignc test takes its recipe, ${path.slice(0, -".plan.json".length)}.align, which it compares with it`);
  if (st.isFile()) return [p];
  if (!st.isDirectory()) throw new Error(`${path} is ${specialKind(st)}: alignc test takes a recipe (an .align file) or a folder of recipes`);
  let names: string[];
  try {
    names = readdirSync(p);
  } catch (err) {
    throw new Error(`${path}: the folder cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return names
    .filter((f) => f.endsWith(".align"))
    .sort()
    .map((f) => join(p, f));
}

export async function testRecipe(file: string, o: RecipeTestOptions = {}): Promise<RecipeTestResult> {
  const r: RecipeTestResult = { file, golden: "error", goldenDetail: [], runs: [], skippedRun: null, diagnostics: [], sources: new Map() };
  const compiled = await compile(file, { machine: false });
  r.diagnostics = compiled.diagnostics.filter((d) => d.severity === "error");
  r.sources = compiled.sources;
  if (!compiled.plan) {
    r.goldenDetail = ["the recipe does not compile"];
    return r;
  }
  const plan = compiled.plan;
  if (o.update) {
    try {
      writeGolden(file, plan);
      r.golden = "updated";
    } catch (err) {
      if (err instanceof GoldenError) {
        r.golden = "kept"; // a file that is not alignc's plan: left as it was
        r.goldenDetail = [err.message];
        return r;
      }
      const e = fsError(err); // a read-only or full disk: reported as this recipe's failure, not exit 70
      if (!e) throw err;
      r.golden = "unwritable"; // it compiled: said as what it is, not "does not compile"
      r.goldenDetail = [`cannot write ${goldenPath(file)}: ${e.message}`];
      return r;
    }
  } else if (!existsSync(goldenPath(file))) {
    r.golden = "missing";
    r.goldenDetail = [`no ${goldenPath(file)}; \`alignc test --update\` writes it`];
  } else {
    let golden;
    try {
      golden = readGolden(file);
    } catch (err) {
      if (!(err instanceof GoldenError)) throw err;
      r.golden = "unreadable";
      r.goldenDetail = [`${err.message}; \`alignc test --update\` rewrites it`];
      return r; // this recipe fails, the others are still tested
    }
    const cmp = compareGolden(plan, golden);
    r.golden = cmp.equal ? "equal" : "differs";
    if (!cmp.equal) {
      r.goldenDetail = cmp.diff.entries
        .filter((e) => e.action !== "=")
        .map((e) => `${e.action} ${e.id}${e.changes?.length ? `: ${e.changes.map((c) => c.path).join(", ")}` : ""}`);
      r.goldenDetail.push(...cmp.diff.gates.map((g) => `${g.action} expect ${g.text}`));
      if (cmp.estimates.length) r.goldenDetail.push(`estimates differ: ${cmp.estimates.join(", ")}`);
      if (r.goldenDetail.length === 0) r.goldenDetail.push("the plans differ (see `alignc diff` against the golden)");
    }
  }
  if (o.run === false) return r;
  const variants = plan.variants?.map((v) => v.name) ?? [null];
  for (const variant of variants) {
    if (o.interrupt?.requested) break;
    // one thread: the figures are the same for any --workers (parallel_shares fixes them), and tiny
    // runs are too small for worker threads to pay for starting (alignc test runs many of them)
    const res = await runRecipe(file, { tiny: true, workers: 1, backend: o.backend, runsDir: o.runsDir, cacheRoot: o.cacheRoot, progress: o.progress, interrupt: o.interrupt, ...(variant !== null ? { variant } : {}) });
    if (!res.ok) {
      r.diagnostics.push(...res.diagnostics.filter((d) => d.severity === "error"));
      for (const [k, v] of res.sources) r.sources.set(k, v);
      r.runs.push({ variant, exitCode: 1, runDir: null, manifest: null, message: res.message ?? "the tiny run did not start" });
    } else {
      r.runs.push({ variant, exitCode: res.outcome.exitCode, runDir: res.outcome.runDir, manifest: res.outcome.manifest, message: res.outcome.error?.message ?? null });
    }
  }
  return r;
}

/** Passed: plan equal to (or written as) its golden, and every tiny run exited 0. */
export function passed(r: RecipeTestResult): boolean {
  return (r.golden === "equal" || r.golden === "updated") && r.runs.every((x) => x.exitCode === 0);
}
