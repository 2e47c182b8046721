// `alignc export RECIPE --to trl|openrlhf|axolotl --out DIR [--nodes N] [--gpus-per-node G]
// [--target-version V] [--drop-ptx] [--variant V] [--until STAGE] [--trim-rows N] [--force]`: write the plan
// compiled for a distributed engine. DIR must be new, empty, or an earlier alignc export (its
// .alignc-export.json lists the files alignc wrote; only those, unchanged, are replaced or removed).
// Prints every diagnostic and every approximation (what the
// target does differently), then the folder. Exit 0 written, 1 errors (nothing written), 2 usage.
import { existsSync } from "node:fs";
import { exportRecipeFile, ExportWriteError, launchPath, TARGETS, TARGET_VERSIONS, writeExportDirLocked, type Target } from "../../export/index.js";
import { hasErrors, sortDiagnostics } from "../../lang/diagnostic.js";
import { renderDiagnostics, summarize, useColor } from "../../lang/render.js";
import { escapeControl, escapeControlKeepLines } from "../../lang/escape.js";
import { missingReason } from "../../common/fs-probe.js";
import { inputClash } from "../../data/export-file.js";

const USAGE = "usage: alignc export RECIPE --to trl|openrlhf|axolotl --out DIR [--nodes N] [--gpus-per-node G] [--target-version V] [--drop-ptx] [--variant V] [--until STAGE] [--force]\n";

function positiveInt(v: unknown, name: string): number | string {
  const s = String(v);
  return /^[1-9]\d*$/.test(s) ? Number(s) : `${name} must be a positive integer, got ${JSON.stringify(s)}`;
}

/** Export diagnostics about the command line, not the recipe. */
const COMMAND_LINE_CODES = new Set(["AL4609", "AL4610"]);

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  const usage = (msg: string) => {
    process.stderr.write(`alignc export: ${msg}\n${USAGE}`);
    return 2;
  };
  const [recipe] = args;
  if (!recipe) return usage("no recipe given");
  if (!existsSync(recipe)) return usage(`${escapeControl(recipe)}: ${escapeControl(missingReason(recipe))}`);
  const to = opts["to"];
  if (typeof to !== "string" || !(TARGETS as readonly string[]).includes(to)) return usage(`--to must be one of ${TARGETS.join(", ")}`);
  const out = opts["out"];
  if (typeof out !== "string" || !out) return usage("--out DIR is required");
  const nodes = positiveInt(opts["nodes"] ?? 1, "--nodes");
  const gpus = positiveInt(opts["gpusPerNode"] ?? 8, "--gpus-per-node");
  if (typeof nodes === "string") return usage(nodes);
  if (typeof gpus === "string") return usage(gpus);
  let trimRows: number | undefined;
  if (opts["trimRows"] !== undefined) {
    const t = positiveInt(opts["trimRows"], "--trim-rows");
    if (typeof t === "string") return usage(t);
    trimRows = t;
  }
  const version = typeof opts["targetVersion"] === "string" ? opts["targetVersion"] : undefined;
  if (version !== undefined && !TARGET_VERSIONS[to as Target].includes(version))
    return usage(`--target-version for ${to}: one of ${TARGET_VERSIONS[to as Target].join(", ")}`);

  const r = await exportRecipeFile(recipe, {
    to: to as Target,
    nodes,
    gpusPerNode: gpus,
    dropPtx: opts["dropPtx"] === true,
    ...(version !== undefined ? { targetVersion: version } : {}),
    ...(typeof opts["variant"] === "string" ? { variant: opts["variant"] } : {}),
    ...(typeof opts["until"] === "string" ? { until: opts["until"] } : {}),
    ...(trimRows !== undefined ? { trimRows } : {}),
  });
  const ds = sortDiagnostics(r.diagnostics);
  if (ds.length) process.stderr.write(`${renderDiagnostics(ds, r.sources, { color: useColor(process.stderr) })}\n\n${summarize(ds)}\n`);
  if (hasErrors(ds)) {
    process.stderr.write("alignc export: nothing written\n");
    // what only the command line got wrong (a sweep without --variant, --until naming no stage) is usage,
    // exit 2, as `alignc run` says the same two (it was 1 here)
    return ds.filter((d) => d.severity === "error").every((d) => COMMAND_LINE_CODES.has(d.code)) ? 2 : 1;
  }
  const clash = inputClash(out, r.inputs);
  if (clash) {
    process.stderr.write(`alignc export: ${escapeControl(clash)} (--force does not change that); nothing written\n`);
    return 2;
  }
  try {
    // one export at a time per folder: a second one waits, then writes against the first's result
    const w = await writeExportDirLocked(out, r.files, {
      force: opts["force"] === true,
      inputs: r.inputs,
      purpose: `alignc export --to ${to}`,
      onWait: (owner) => process.stderr.write(`alignc export: waiting for pid ${owner.pid} (${escapeControl(owner.purpose)}), which is writing ${escapeControl(out)}\n`),
    });
    if (w.kept.length) process.stderr.write(`alignc export: kept ${w.kept.length} file(s) of the earlier export that were changed since or that this recipe reads (no longer listed in its manifest): ${w.kept.join(", ")}\n`);
  } catch (err) {
    if (err instanceof ExportWriteError) {
      process.stderr.write(`alignc export: ${escapeControlKeepLines(err.message)}\n`);
      return err.usage ? 2 : 1; // --out naming a file or a broken link is the command line's (export37)
    }
    throw err;
  }
  // Warnings already carry the lossy steps that matter most; the full list is what EXPORT.md holds.
  if (r.approximations.length) {
    process.stdout.write(`approximations (also in ${escapeControl(out)}/EXPORT.md):\n`);
    for (const a of r.approximations) process.stdout.write(`  - ${a.stage ? `${a.stage}: ` : ""}${a.text}\n`);
  }
  const bytes = r.files.reduce((n, f) => n + Buffer.byteLength(f.content), 0);
  // the one launch script, for the nodes the configs are sized for (src/export/launch.ts)
  const script = `${escapeControl(out)}/${launchPath({ nodes })}`;
  process.stdout.write(`wrote ${r.files.length} files (${(bytes / 1e6).toFixed(1)} MB) to ${escapeControl(out)}: ${nodes === 1 ? `bash ${script}` : `bash ${script} on each of the ${nodes} nodes (NODE_RANK, MASTER_ADDR set)`}\n`);
  return 0;
}
