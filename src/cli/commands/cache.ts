// `alignc cache prune [RUNS…] [--dry-run] [--json]`: remove the stage cache's entries that no run folder
// names (src/run/storage/prune.ts decides; this file parses arguments and renders).
import { cacheRootProblem } from "../../run/storage/cache-root.js";
import { existsSync, statSync } from "node:fs";
import { fsError } from "../../common/fs-error.js";
import { missingReason } from "../../common/fs-probe.js";
import { join, resolve } from "node:path";
import { escapeControl } from "../../lang/escape.js";
import { fmtBytes } from "../../run/presentation/format.js";
import { defaultCacheRoot } from "../../run/storage/cache.js";
import { pruneCache, PruneRootError, type Pruned, type PruneReport } from "../../run/storage/prune.js";

const USAGE = "usage: alignc cache prune [RUNS…] [--dry-run] [--forget-gone] [--json]   (RUNS: the runs folders whose runs' entries are kept; default runs; the cache is ALIGNC_CACHE, else the first one's .cache)\n";

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  const [action, ...named] = args;
  if (action !== "prune") {
    process.stderr.write(`alignc cache: ${action === undefined ? "name an action" : `unknown action ${escapeControl(action)}`}\n${USAGE}`);
    return 2;
  }
  // a runs folder named that is not one is a mistyped name: pruning without its runs would remove their entries
  for (const d of named)
    if (!existsSync(d) || !statSync(d).isDirectory()) {
      process.stderr.write(`alignc cache: ${escapeControl(d)}: ${existsSync(d) ? "not a folder" : escapeControl(missingReason(d))} (a runs folder, such as runs/)\n`);
      return 2;
    }
  const runsDirs = named.length ? named : ["runs"];
  const root = defaultCacheRoot(runsDirs[0]);
  // ALIGNC_CACHE may be shared by run folders anywhere: the ones that use it must be named, never assumed
  if (process.env.ALIGNC_CACHE && named.length === 0 && root !== resolve(join("runs", ".cache"))) {
    process.stderr.write(`alignc cache: the cache is ${escapeControl(root)} (ALIGNC_CACHE), which run folders other than runs/ may use: name every runs folder whose entries must be kept (alignc cache prune runs ../other/runs)\n`);
    return 2;
  }
  // a file or a link loop where the cache should be is said as `alignc run` says it (it was a raw ENOTDIR,
  // and a loop read as "no stage cache": huntD39 L4)
  const problem = cacheRootProblem(root);
  if (problem) {
    process.stderr.write(`alignc cache: ${escapeControl(problem)}\n`);
    return 1;
  }
  if (!existsSync(root)) {
    process.stdout.write(`no stage cache at ${escapeControl(root)}: nothing to prune\n`);
    return 0;
  }
  let report: PruneReport;
  try {
    report = await pruneCache(root, runsDirs, { dryRun: opts.dryRun === true, forgetGone: opts.forgetGone === true });
  } catch (err) {
    // a folder it cannot read, or one removed under it: the user's environment (exit 1), never exit 70
    const e = err instanceof PruneRootError ? err : fsError(err);
    if (!e) throw err;
    process.stderr.write(`alignc cache: ${escapeControl(e.message)}\n`);
    return 1;
  }
  if (opts.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else process.stdout.write(render(report, opts.dryRun === true));
  return 0;
}

function line(p: Pruned): string {
  const what = p.kind === null ? "checkpoints" : `${p.kind} ${p.label ?? "?"}`;
  return `  - ${p.hash.slice(0, 8)}  ${escapeControl(what)}  ${fmtBytes(p.bytes)}${p.created ? `  ${p.created.slice(0, 16).replace("T", " ")}` : ""}\n`;
}

function render(r: PruneReport, dry: boolean): string {
  const total = (xs: Pruned[]) => fmtBytes(xs.reduce((a, p) => a + p.bytes, 0));
  const verb = dry ? "would remove" : "removed";
  let out = `cache ${escapeControl(r.cacheRoot)}: kept what ${r.runs} run folder${r.runs === 1 ? "" : "s"} under ${r.folders.map(escapeControl).join(", ")} name (${r.roots} node hashes)\n`;
  if (r.gone.length) out += `runs folders that used this cache and are gone: ${r.gone.map(escapeControl).join(", ")}\n`;
  for (const p of [...r.removed, ...r.checkpoints]) out += line(p);
  out += `${verb} ${r.removed.length} entr${r.removed.length === 1 ? "y" : "ies"} (${total(r.removed)}) and ${r.checkpoints.length} checkpoint folder${r.checkpoints.length === 1 ? "" : "s"} (${total(r.checkpoints)}); kept ${r.kept.entries} entr${r.kept.entries === 1 ? "y" : "ies"} (${fmtBytes(r.kept.bytes)})\n`;
  if (r.busy.length) out += `locked (by a running alignc, or something that is no lock of alignc's sits at the lock's path), left: ${r.busy.map((b) => b.slice(0, 19)).join(", ")}\n`;
  if (r.strangers.length) out += `not alignc's entries, left as they were: ${r.strangers.map(escapeControl).join(", ")}\n`;
  for (const k of r.keptFiles) out += `kept files alignc did not write, found in what it removed: ${k.files.map(escapeControl).join(", ")} (in ${escapeControl(k.path)})\n`;
  const g = r.generations;
  const files = (n: number) => `${n} file${n === 1 ? "" : "s"}`;
  if (g.removed.length + g.kept.files) out += `greedy answers (.generations): ${verb} ${files(g.removed.length)} (${fmtBytes(g.removed.reduce((a, x) => a + x.bytes, 0))}) of models no run names; kept ${files(g.kept.files)} (${fmtBytes(g.kept.bytes)})\n`;
  if (g.unnamed.files) out += `greedy answers that name no model (written by an earlier alignc, or damaged): ${files(g.unnamed.files)}, ${fmtBytes(g.unnamed.bytes)}, left (removing .generations/ while no run is in progress drops them: answers are generated again when needed)\n`;
  if (dry) out += "nothing removed (--dry-run)\n";
  return out;
}
