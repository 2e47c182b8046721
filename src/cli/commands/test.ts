// `alignc test [DIR|FILE] [--update] [--no-run] [--backend B]`: every recipe in DIR (default
// recipes/) against its golden plan and, with a --tiny run, against its `expect` block.
// Exit 0 all passed, 1 a plan differs from its golden (or a recipe/run failed), 3 only expectations failed.
import { renderDiagnostics, useColor } from "../../lang/render.js";
import { Interrupt } from "../../run/storage/interrupt.js";
import { createProgress, fmtDuration } from "../../run/presentation/progress.js";
import { passed, recipeFiles, testRecipe, type RecipeTestResult, type TinyRun } from "../../run/recipe-test.js";
import { relative } from "node:path";
import { escapeControl, escapeControlKeepLines } from "../../lang/escape.js";
import { handlePendingSignals } from "../../common/temp-cleanup.js";

function describe(r: RecipeTestResult): string[] {
  const name = relative(process.cwd(), r.file) || r.file;
  const lines: string[] = [];
  const golden = { equal: "plan matches its golden", updated: "golden written", missing: "no golden plan", differs: "plan differs from its golden", unreadable: "golden plan unreadable", kept: "golden not overwritten", unwritable: "golden plan cannot be written", error: "does not compile" }[r.golden];
  const runText = (x: TinyRun): string => {
    const m = x.manifest;
    const exp = m ? `${m.expectations.filter((e) => e.ok).length}/${m.expectations.length} expectations` : "";
    const secs = m?.finished ? fmtDuration((Date.parse(m.finished) - Date.parse(m.created)) / 1000) : "";
    const what = x.variant ? `tiny run of ${x.variant}` : "tiny run";
    return x.exitCode === 0 ? `${what} ok (${[exp, secs].filter(Boolean).join(", ")})` : `${what} exit ${x.exitCode}${exp ? ` (${exp})` : ""}${x.message ? `: ${escapeControlKeepLines(x.message)}` : ""}`;
  };
  const single = r.runs.length === 1 && r.runs[0]!.variant === null;
  const run = r.skippedRun ? `; ${r.skippedRun}` : single ? `; ${runText(r.runs[0]!)}` : r.runs.length ? `; ${r.runs.length} variants` : "";
  lines.push(`${passed(r) ? "ok  " : "FAIL"} ${name}: ${golden}${run}`);
  for (const d of r.goldenDetail) lines.push(`       ${d}`);
  for (const x of r.runs) {
    if (!single) lines.push(`       ${runText(x)}`);
    for (const e of x.manifest?.expectations ?? []) if (!e.ok) lines.push(`       expect ${e.message}`);
    if (x.runDir) lines.push(`       run: ${x.runDir}`);
  }
  return lines;
}

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  let files: string[];
  try {
    files = recipeFiles(args[0] ?? "recipes");
  } catch (err) {
    process.stderr.write(`alignc test: ${escapeControl((err as Error).message)}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`alignc test: no .align files in ${args[0] ?? "recipes"}\n`);
    return 2;
  }
  const progress = createProgress();
  // with --no-run nothing trains: a stop ends after the recipe being checked, with no checkpoint to save
  const words = opts.run === false ? { first: `stopping once the recipe being checked is done${opts.update === true ? " and its golden plan written" : ""}`, again: "stopping now" } : {};
  const interrupt = new Interrupt(undefined, words).install();
  const results: RecipeTestResult[] = [];
  try {
    for (const f of files) {
      // with --no-run a recipe is checked and planned without one turn of the event loop: without this
      // turn a Ctrl-C would be read only after the last recipe (or never: see Interrupt.uninstall)
      await handlePendingSignals();
      if (interrupt.requested) break;
      const r = await testRecipe(f, {
        update: opts.update === true,
        run: opts.run !== false,
        backend: typeof opts.backend === "string" ? opts.backend : undefined,
        progress,
        interrupt,
      });
      results.push(r);
      if (r.diagnostics.length) process.stderr.write(`${renderDiagnostics(r.diagnostics, r.sources, { color: useColor(process.stderr) })}\n`);
      process.stdout.write(describe(r).join("\n") + "\n");
    }
    await handlePendingSignals(); // a Ctrl-C during the last recipe still makes the exit 130
  } finally {
    interrupt.uninstall();
  }
  if (interrupt.requested) return interrupt.exitCode;
  const failed = results.filter((r) => !passed(r));
  process.stdout.write(`${results.length - failed.length}/${results.length} recipes passed\n`);
  if (failed.length === 0) return 0;
  const onlyExpectations = failed.every((r) => (r.golden === "equal" || r.golden === "updated") && r.runs.every((x) => x.exitCode === 0 || x.exitCode === 3));
  return onlyExpectations ? 3 : 1;
}
