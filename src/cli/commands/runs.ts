// `alignc runs [DIR]`: list run directories (default runs/), oldest first, with their outcome.
import { existsSync, statSync } from "node:fs";
import { escapeControl } from "../../lang/escape.js";
import { listRuns } from "../../run/presentation/list.js";
import { fmtDuration } from "../../run/presentation/progress.js";

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  const dir = args[0] ?? "runs";
  // a folder named that is not there is a mistyped name (exit 2); runs/ absent is a project not run yet
  if (args[0] !== undefined && !existsSync(dir)) {
    process.stderr.write(`alignc runs: ${escapeControl(dir)}: no such folder\n`);
    return 2;
  }
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    process.stderr.write(`alignc runs: ${escapeControl(dir)} is not a folder (runs are listed from a folder such as runs/)\n`);
    return 2;
  }
  const runs = listRuns(dir);
  if (opts.json) {
    process.stdout.write(JSON.stringify(runs, null, 2) + "\n");
    return 0;
  }
  if (runs.length === 0) {
    process.stdout.write(`no runs under ${escapeControl(dir)}\n`);
    return 0;
  }
  const rows = runs.map((r) => [
    r.id,
    r.status + (r.tiny ? " (tiny)" : ""),
    r.seconds === null ? "-" : fmtDuration(r.seconds),
    r.backend,
    `${r.cacheHits} cached / ${r.computed} run`,
    // a tiny run checks the plain gates only: said, so "9/9" is not read as the recipe's claims (figures38 #10)
    r.expectations.total ? `${r.expectations.passed}/${r.expectations.total} expectations${r.tiny ? " (tiny: full-size ones skipped)" : ""}` : "",
  ]);
  const head = ["run", "status", "time", "backend", "nodes", "expect"];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const unreadable = runs.filter((r) => r.reason !== undefined).map((r) => `  ${r.id}: ${escapeControl(r.reason!)}`);
  process.stdout.write([line(head), ...rows.map(line), ...(unreadable.length ? ["", "unreadable:", ...unreadable] : [])].join("\n") + "\n");
  return 0;
}
