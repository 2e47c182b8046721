// `alignc run RECIPE [--backend B] [--workers N] [--force NODE…] [--until NODE] [--tiny] [--no-budget] [--variant V | --all-variants]`:
// check and plan the recipe, then execute it against the stage cache into runs/<recipe>-<time>-<hash8>/.
// `alignc run PLAN.json [--recipe R]` executes a saved plan exactly (src/run/run-saved-plan.ts).
// Exit 0 ok, 1 errors (bad input: nothing written; a failed node: recorded in the run), 2 usage,
// 3 an expectation failed, 130 interrupted (run again to resume; 129 when by SIGHUP, a closed terminal).
import { DiagnosticError } from "../../lang/diagnostic.js";
import { renderDiagnostics, summarize, useColor } from "../../lang/render.js";
import { Interrupt, isInterruptedCode } from "../../run/storage/interrupt.js";
import { createProgress, fmtDuration } from "../../run/presentation/progress.js";
import { fmtBytes } from "../../run/presentation/format.js";
import { runRecipe, type RunRecipeResult } from "../../run/run-recipe.js";
import { isPlanFile, runSavedPlan } from "../../run/run-saved-plan.js";
import { runAllVariants, variantsSummary } from "../../run/run-variants.js";
import { RunDir, type Manifest, type SampleRow } from "../../run/storage/rundir.js";
import { evalCaveats } from "../../run/presentation/caveats.js";
import { escapeControl, escapeControlKeepLines } from "../../lang/escape.js";
import { fsError } from "../../common/fs-error.js";
import { defaultCacheRoot } from "../../run/storage/cache.js";
import { resolve } from "node:path";
import { mixedBackendsNote } from "../../run/presentation/backends.js";
import { evalHeadline, summaryText as keyValues } from "../../run/presentation/eval-headline.js";
import { stageHeadline } from "../../run/presentation/stage-headline.js";
import { interruptedHint } from "../../run/presentation/interrupted-hint.js";

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : [];
}

export function summaryText(m: Manifest, runDir: string): string {
  const lines: string[] = [];
  // what the report says beside an eval's figure (not held out, not an independent judge), said here too
  let samples: SampleRow[] = [];
  try {
    samples = RunDir.open(runDir).readSamples();
  } catch {
    samples = []; // a run folder without its samples (an interrupted run): figures without judge notes
  }
  const caveats = evalCaveats(m, samples);
  for (const n of m.nodes) {
    // in-memory nodes are not worth a line; a samples draw is cached like a stage and is
    if ((n.kind.startsWith("data.") && n.kind !== "data.samples") || n.kind.startsWith("tokenizer") || n.kind.startsWith("model")) continue;
    const what =
      n.status === "cached"
        ? `cached [${n.hash.slice(0, 8)}] (saved ${fmtDuration(n.savedSeconds ?? 0)}${n.computedOn ? `, computed on ${n.computedOn}` : ""})`
        : n.status === "computed" || n.status === "resumed"
          ? `${n.status}${n.resumedFromStep ? ` from step ${n.resumedFromStep}` : ""} in ${fmtDuration(n.seconds)}${n.generations?.cached ? ` (greedy answers: ${n.generations.cached} of ${n.generations.cached + n.generations.generated} sets read back)` : ""}`
          : `${n.status}${n.reason ? ` (${n.reason})` : ""}`;
    // an eval's figure with its baseline, counts and p-value (as the report prints it); per-task figures
    // (`accuracy/<task>`, `wins/<task>` …) are the report's: a line per node stays a line
    const metrics = !n.summary
      ? ""
      : n.kind.startsWith("eval.")
        ? evalHeadline(n.kind, n.summary, { perTask: false })
        : n.kind.startsWith("stage.")
          ? stageHeadline(n.summary)
          : keyValues(n.summary);
    const marks = n.kind.startsWith("eval.") && n.summary ? caveats(n.id).map((x) => ` ${x.text}`).join("") : "";
    lines.push(`  ${n.label.padEnd(18)} ${what}${metrics ? `  ${metrics}` : ""}${marks}`);
  }
  for (const e of m.expectations) lines.push(`  expect ${e.message}`);
  const secs = m.finished ? (Date.parse(m.finished) - Date.parse(m.created)) / 1000 : 0;
  const g = m.cache.generations;
  const answers = g && g.cached + g.generated ? `; greedy answer sets: ${g.cached} read back, ${g.generated} generated` : "";
  lines.push(`${m.status} in ${fmtDuration(secs)}: ${m.cache.hits} cached, ${m.cache.misses} computed${answers}; backend ${m.backend}${m.workers !== undefined ? `, workers ${m.workers}` : ""}${m.peakRssBytes !== undefined ? `; peak RSS ${fmtBytes(m.peakRssBytes)}` : ""}`);
  const mixed = mixedBackendsNote(m);
  if (mixed) lines.push(mixed);
  lines.push(`run: ${runDir}`);
  lines.push(`report: ${runDir}/report.html`);
  return lines.join("\n") + "\n";
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The command to run again after Ctrl-C: every flag that chose this plan (not --force, which would
 * recompute instead of resuming). */
export function resumeCommand(path: string, o: { tiny?: boolean; backend?: string | undefined; until?: string | null; variant?: string | undefined; allVariants?: boolean; workers?: number | "auto"; recipe?: string | undefined; noBudget?: boolean }): string {
  return [
    "alignc run",
    o.tiny ? "--tiny" : "",
    o.noBudget ? "--no-budget" : "",
    o.variant ? `--variant ${shellQuote(o.variant)}` : "",
    o.allVariants ? "--all-variants" : "",
    o.backend ? `--backend ${shellQuote(o.backend)}` : "",
    o.until ? `--until ${shellQuote(o.until)}` : "",
    // a resumed stage is exact with the same replica count: an explicit count is repeated, auto is the default
    o.workers !== undefined && o.workers !== "auto" ? `--workers ${o.workers}` : "",
    o.recipe ? `--recipe ${shellQuote(o.recipe)}` : "",
    shellQuote(path),
  ]
    .filter(Boolean)
    .join(" ");
}


/** Print one run's diagnostics, summary and error; return its exit code. */
function report(result: RunRecipeResult, resumeHint: string): number {
  const color = useColor(process.stderr);
  if (result.diagnostics.length) process.stderr.write(`${renderDiagnostics(result.diagnostics, result.sources, { color })}\n\n${summarize(result.diagnostics)}\n`);
  if (!result.ok) {
    if (result.message) process.stderr.write(`alignc run: ${escapeControlKeepLines(result.message)}\n`);
    // from what the library says failed, never from the message's words: a damaged cache entry's message
    // names `--force` as its fix, and exited 2, as a usage error (audit35 L2; the README says 1)
    return result.usage ? 2 : 1;
  }
  const { outcome } = result;
  process.stdout.write(summaryText(outcome.manifest, outcome.runDir));
  if (outcome.error) {
    const e = outcome.error;
    process.stderr.write(e instanceof DiagnosticError ? `${renderDiagnostics(e.diagnostics, result.sources, { color })}\n` : `alignc run: ${escapeControlKeepLines(fsError(e) ? writeFailure(fsError(e)!) : e.message)}\n`);
    if (!(e instanceof DiagnosticError) && process.env.ALIGNC_DEBUG) process.stderr.write(`${e.stack}\n`);
  }
  if (isInterruptedCode(outcome.exitCode)) process.stderr.write(interruptedHint(outcome.manifest, resumeHint));
  return outcome.exitCode;
}

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  const [path] = args;
  if (!path || args.length > 1) {
    process.stderr.write("usage: alignc run [--backend B] [--workers N] [--force NODE…] [--until NODE] [--tiny] [--variant V | --all-variants] RECIPE\n       alignc run [--backend B] [--workers N] [--force NODE…] [--until NODE] [--recipe R] PLAN.json\n");
    return 2;
  }
  const w = opts.workers;
  if (w !== undefined && w !== "auto" && !/^[1-9]\d*$/.test(String(w))) {
    process.stderr.write(`alignc run: --workers must be a positive whole number or auto, got ${JSON.stringify(String(w))}\n`);
    return 2;
  }
  const o = {
    backend: typeof opts.backend === "string" ? opts.backend : undefined,
    tiny: opts.tiny === true,
    workers: w === undefined || w === "auto" ? ("auto" as const) : Number(w), // the default is resolveWorkers's (src/run/nodes/parallel.ts)
    force: list(opts.force),
    until: typeof opts.until === "string" ? opts.until : null,
    variant: typeof opts.variant === "string" ? opts.variant : undefined,
    noBudget: opts.budget === false, // commander: --no-budget sets budget = false
    progress: createProgress(),
  };
  const all = opts.allVariants === true;
  if (all && o.variant !== undefined) {
    process.stderr.write("alignc run: --variant and --all-variants exclude each other\n");
    return 2;
  }
  if (typeof opts.recipe === "string" && !isPlanFile(path)) {
    process.stderr.write("alignc run: --recipe names the recipe of a saved plan (alignc run PLAN.json --recipe R)\n");
    return 2;
  }
  const again = (variant?: string, allVariants?: boolean) => resumeCommand(path, { tiny: o.tiny, backend: o.backend, until: o.until, variant, allVariants, workers: o.workers, recipe: typeof opts.recipe === "string" ? opts.recipe : undefined, noBudget: o.noBudget });
  const interrupt = new Interrupt().install();
  try {
    if (isPlanFile(path)) return report(await runSavedPlan(path, { ...o, interrupt, ...(typeof opts.recipe === "string" ? { recipe: opts.recipe } : {}) }), again());
    if (!all) return report(await runRecipe(path, { ...o, interrupt }), again(o.variant));
    let worst = 0;
    const { total, runs } = await runAllVariants(path, { ...o, interrupt }, ({ variant, result }) => {
      process.stdout.write(`\nvariant ${variant}\n`);
      // the sweep again, not the one variant: the variants after it were never started (huntG40: following
      // `--variant V` left them unrun); the variants already done are read back from the cache
      worst = Math.max(worst, report(result, again(undefined, true)));
    });
    if (total === 0) {
      process.stderr.write(`alignc run: ${path} sweeps nothing (or does not check); run it without --all-variants\n`);
      return 2;
    }
    process.stdout.write(`\n${escapeControl(variantsSummary(total, runs))}\n`);
    return worst;
  } catch (err) {
    // the runs folder or the cache on a read-only or full disk: the user's to fix, not exit 70
    const e = fsError(err);
    if (!e) throw err;
    process.stderr.write(`alignc run: ${writeFailure(e)}\n`);
    return 1;
  } finally {
    interrupt.uninstall();
  }
}

/** A failed write, where it was: a write through an open file names no path (ENOSPC mid-write of a
 * checkpoint or weights), so the folders alignc writes a run into are named instead. */
function writeFailure(e: NodeJS.ErrnoException): string {
  const where = e.path ?? `the run folder (under ${resolve("runs")}) or the stage cache (${defaultCacheRoot()})`;
  return `cannot write ${escapeControl(where)}: ${escapeControl(e.message)}`;
}
