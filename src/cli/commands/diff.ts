// `alignc diff A B [--json] [--variant-a NAME] [--variant-b NAME]`: A and B are recipes, plan.json
// files, or run directories holding a plan.json. Two run directories also get their final metrics
// side by side. Exit 0 equal plans, 1 different (as diff(1)), 2 error.
import { existsSync, statSync } from "node:fs";
import { escapeControl, escapeControlKeepLines } from "../../lang/escape.js";
import { missingReason } from "../../common/fs-probe.js";
import { ManifestError } from "../../run/storage/rundir.js";
import { join } from "node:path";
import { compile } from "../../compile.js";
import { hasErrors, type Diagnostic } from "../../lang/diagnostic.js";
import { diagnosticsJson, renderDiagnostics, useColor } from "../../lang/render.js";
import { diffPlans } from "../../plan/diff.js";
import { renderDiff } from "../../plan/render.js";
import { PlanFileError, readPlanFile } from "../../plan/load.js";
import type { Plan } from "../../plan/types.js";
import { diffRunMetrics, renderRunMetricDiff } from "../../run/evaluation/metrics-diff.js";

/** A side that cannot be loaded; `diagnostics`: a recipe's, which --json writes as JSON (as check and plan do). */
class LoadError extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[] = []) {
    super(message);
  }
}

async function load(arg: string, variant: string | undefined): Promise<Plan> {
  let path = arg;
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new LoadError(`${escapeControl(arg)}: ${escapeControl(missingReason(arg))}`);
  }
  if (st.isDirectory()) {
    path = join(arg, "plan.json");
    if (!existsSync(path)) throw new LoadError(`${escapeControl(arg)} is a folder without a plan.json, not a run folder (diff compares recipes, plan.json files and run folders)`);
  }
  if (path.endsWith(".json")) {
    if (variant !== undefined) throw new LoadError(`${escapeControl(path)}: --variant applies to recipes, not plan files`);
    try {
      return readPlanFile(path);
    } catch (err) {
      throw err instanceof PlanFileError ? new LoadError(err.message) : err;
    }
  }
  // a diff compares plans: no contamination or truncation check (alignc plan and alignc data do them)
  const r = await compile(path, { ...(variant !== undefined ? { variant } : {}), machine: false, leaks: false, truncation: false });
  if (!r.plan) {
    const errors = r.diagnostics.filter((d) => d.severity === "error");
    throw new LoadError(hasErrors(errors) ? renderDiagnostics(errors, r.sources, { color: useColor(process.stderr) }) : `${escapeControl(path)}: no plan`, errors);
  }
  return r.plan;
}

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  if (args.length !== 2) {
    process.stderr.write("usage: alignc diff [--json] [--variant-a NAME] [--variant-b NAME] A B\n");
    return 2;
  }
  const va = typeof opts["variantA"] === "string" ? opts["variantA"] : undefined;
  const vb = typeof opts["variantB"] === "string" ? opts["variantB"] : undefined;
  let a: Plan;
  let b: Plan;
  try {
    [a, b] = await Promise.all([load(args[0]!, va), load(args[1]!, vb)]);
  } catch (err) {
    if (!(err instanceof LoadError)) throw err;
    if (opts["json"] && err.diagnostics.length) process.stderr.write(`${diagnosticsJson(err.diagnostics)}\n`);
    else process.stderr.write(`alignc diff: ${escapeControlKeepLines(err.message)}\n`);
    return 2;
  }
  const label = (arg: string, p: Plan) => (p.recipe.variant ? `${arg} (${p.recipe.variant})` : arg);
  const d = diffPlans(a, b, { a: label(args[0]!, a), b: label(args[1]!, b) });
  const isRun = (arg: string) => existsSync(join(arg, "manifest.json"));
  // a run folder (its plan.json) without a manifest compares plans only: said, not dropped silently (huntD39 M4)
  const planOnly = args.filter((arg) => existsSync(join(arg, "plan.json")) && !isRun(arg));
  if (planOnly.length && args.some(isRun)) process.stderr.write(`alignc diff: ${planOnly.map(escapeControl).join(", ")} holds no manifest.json (a run killed before it wrote one, or not a run): plans compared, no metrics\n`);
  let metrics: ReturnType<typeof diffRunMetrics> | null = null;
  try {
    metrics = isRun(args[0]!) && isRun(args[1]!) ? diffRunMetrics(args[0]!, args[1]!) : null;
  } catch (err) {
    if (!(err instanceof ManifestError)) throw err;
    process.stderr.write(`alignc diff: ${escapeControl(err.message)}\n`);
    return 2;
  }
  if (opts["json"]) process.stdout.write(`${JSON.stringify(metrics ? { ...d, metrics } : d, null, 2)}\n`);
  else process.stdout.write(renderDiff(d, { color: useColor(process.stdout) }) + (metrics ? `\nmetrics\n${renderRunMetricDiff(metrics)}` : ""));
  return d.equal ? 0 : 1;
}
