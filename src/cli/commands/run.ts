// `alignc run RECIPE [--backend B] [--force NODE…] [--until NODE] [--tiny] [--variant V]`: check and
// plan the recipe, then execute it against the stage cache into runs/<recipe>-<time>-<hash8>/.
// Exit 0 ok, 1 errors (bad input: nothing written; a failed node: recorded in the run), 2 usage,
// 3 an expectation failed, 130 interrupted (run again to resume).
import { DiagnosticError } from "../../lang/diagnostic.js";
import { renderDiagnostics, summarize, useColor } from "../../lang/render.js";
import { Interrupt } from "../../run/interrupt.js";
import { createProgress, fmtDuration, fmtNum } from "../../run/progress.js";
import { fmtBytes } from "../../run/format.js";
import { runRecipe } from "../../run/run-recipe.js";
import type { Manifest } from "../../run/rundir.js";

function list(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : [];
}

export function summaryText(m: Manifest, runDir: string): string {
  const lines: string[] = [];
  for (const n of m.nodes) {
    if (n.kind.startsWith("data.") || n.kind.startsWith("tokenizer") || n.kind.startsWith("model")) continue;
    const what =
      n.status === "cached"
        ? `cached [${n.hash.slice(0, 8)}] (saved ${fmtDuration(n.savedSeconds ?? 0)})`
        : n.status === "computed" || n.status === "resumed"
          ? `${n.status}${n.resumedFromStep ? ` from step ${n.resumedFromStep}` : ""} in ${fmtDuration(n.seconds)}`
          : `${n.status}${n.reason ? ` (${n.reason})` : ""}`;
    const metrics = n.summary ? Object.entries(n.summary).filter(([k]) => !["steps", "n", "tokens_per_s", "wins", "ties", "losses", "groups"].includes(k)).map(([k, v]) => `${k} ${fmtNum(v)}`).join(", ") : "";
    lines.push(`  ${n.label.padEnd(18)} ${what}${metrics ? `  ${metrics}` : ""}`);
  }
  for (const e of m.expectations) lines.push(`  expect ${e.message}`);
  const secs = m.finished ? (Date.parse(m.finished) - Date.parse(m.created)) / 1000 : 0;
  lines.push(`${m.status} in ${fmtDuration(secs)}: ${m.cache.hits} cached, ${m.cache.misses} computed; backend ${m.backend}${m.workers !== undefined ? `, workers ${m.workers}` : ""}${m.peakRssBytes !== undefined ? `; peak RSS ${fmtBytes(m.peakRssBytes)}` : ""}`);
  lines.push(`run: ${runDir}`);
  lines.push(`report: ${runDir}/report.html`);
  return lines.join("\n") + "\n";
}

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  const [path] = args;
  if (!path || args.length > 1) {
    process.stderr.write("usage: alignc run [--backend B] [--workers N] [--force NODE…] [--until NODE] [--tiny] [--variant V] RECIPE\n");
    return 2;
  }
  const w = opts.workers;
  if (w !== undefined && w !== "auto" && !/^[1-9]\d*$/.test(String(w))) {
    process.stderr.write(`alignc run: --workers must be a positive whole number or auto, got ${JSON.stringify(String(w))}\n`);
    return 2;
  }
  const progress = createProgress();
  const interrupt = new Interrupt().install();
  let result;
  try {
    result = await runRecipe(path, {
      backend: typeof opts.backend === "string" ? opts.backend : undefined,
      tiny: opts.tiny === true,
      workers: w === undefined || w === "auto" ? "auto" : Number(w),
      force: list(opts.force),
      until: typeof opts.until === "string" ? opts.until : null,
      variant: typeof opts.variant === "string" ? opts.variant : undefined,
      progress,
      interrupt,
    });
  } finally {
    interrupt.uninstall();
  }
  const color = useColor(process.stderr);
  if (result.diagnostics.length) process.stderr.write(`${renderDiagnostics(result.diagnostics, result.sources, { color })}\n\n${summarize(result.diagnostics)}\n`);
  if (!result.ok) {
    if (result.message) process.stderr.write(`alignc run: ${result.message}\n`);
    return result.message && /--force|--until|--variant|--backend/.test(result.message) ? 2 : 1;
  }
  const { outcome } = result;
  process.stdout.write(summaryText(outcome.manifest, outcome.runDir));
  if (outcome.error) {
    const e = outcome.error;
    process.stderr.write(e instanceof DiagnosticError ? `${renderDiagnostics(e.diagnostics, result.sources, { color })}\n` : `alignc run: ${e.message}\n`);
    if (!(e instanceof DiagnosticError) && process.env.ALIGNC_DEBUG) process.stderr.write(`${e.stack}\n`);
  }
  if (outcome.exitCode === 130) process.stderr.write(`interrupted: run \`alignc run ${path}\` again to resume from the checkpoint\n`);
  return outcome.exitCode;
}
