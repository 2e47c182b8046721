// `alignc plan RECIPE [--json] [--variant NAME] [--backend NAME] [--no-budget]`: compile the recipe and print its
// plan (a table, or JSON valid against `alignc schema plan`). Diagnostics go to stderr.
// Exit 0 ok (warnings allowed), 1 errors found (the plan is still printed when one could be made), 2 usage.
import { compile } from "../../compile.js";
import { hasErrors } from "../../lang/diagnostic.js";
import { diagnosticsJson, renderDiagnostics, summarize, useColor } from "../../lang/render.js";
import { sortKeysDeep } from "../../plan/canonical.js";
import { renderPlan } from "../../plan/render.js";

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  const [path] = args;
  if (!path || args.length > 1) {
    process.stderr.write("usage: alignc plan [--json] [--variant NAME] [--backend NAME] [--no-budget] RECIPE\n");
    return 2;
  }
  const r = await compile(path, {
    ...(typeof opts["backend"] === "string" ? { backend: opts["backend"] } : {}),
    ...(typeof opts["variant"] === "string" ? { variant: opts["variant"] } : {}),
    ...(opts["budget"] === false ? { noBudget: true } : {}), // commander: --no-budget sets budget = false
  });
  if (process.env["ALIGNC_TIMINGS"]) {
    const cpu = process.cpuUsage(); // the whole process so far: on a shared machine, wall time also counts waiting for a core
    const { cpu: phaseCpu, ...wall } = r.timings;
    const phases = Object.entries(wall).map(([k, v]) => `${k.replace(/_ms$/, "")} ${v.toFixed(1)} (cpu ${phaseCpu[k as keyof typeof phaseCpu].toFixed(1)})`);
    process.stderr.write(`timings ms: ${phases.join(" ")} cpu ${((cpu.user + cpu.system) / 1000).toFixed(1)}\n`);
  }
  // with --json, stdout is the plan alone (valid against `alignc schema plan`); diagnostics go to stderr as JSON
  if (opts["json"]) process.stderr.write(r.diagnostics.length > 0 ? `${diagnosticsJson(r.diagnostics)}\n` : "");
  else if (r.diagnostics.length > 0) process.stderr.write(`${renderDiagnostics(r.diagnostics, r.sources, { color: useColor(process.stderr) })}\n\n${summarize(r.diagnostics)}\n`);
  if (r.plan) {
    if (opts["json"]) process.stdout.write(`${JSON.stringify(sortKeysDeep(r.plan), null, 2)}\n`);
    else process.stdout.write(renderPlan(r.plan, { color: useColor(process.stdout) }));
  }
  return r.plan && !hasErrors(r.diagnostics) ? 0 : 1;
}
