// `alignc data RECIPE [--variant NAME] [--source NAME [--stage NAME]] [--preview N] [--export FILE.jsonl [--force]] [--stats]`: the examples a
// recipe (one variant of a swept recipe: --variant, else the first) trains on, as the model sees them (the response, which the loss covers, marked ⟦…⟧).
// Without --source it shows the data of every training stage; a block is shown as one stage that trains
// on it reads it (--stage, else the first in plan order; the others named). --export never overwrites the recipe
// or a file it reads, nor a file alignc did not write unless --force (src/data/export-file.ts). Exit 0 ok, 1 errors, 2 usage.
// `alignc data RECIPE --leaks`: the contamination check (src/data/leaks.ts) instead: every evaluated
// prompt found verbatim in a training pool, per pair of pools, ending with `leaks: N` (exit 0 either
// way: leaks are a finding, not an error; `alignc check` and `plan` warn about them). `--ngram N` adds
// the near duplicates before that line (src/data/ngram-overlap.ts): texts sharing a run of N words.
// `--json`: one JSON document on stdout instead — { diagnostics, data: [{ name, kind, tokenizer,
// stats?, truncation?, preview?, exported? }] } or, with --leaks, { diagnostics, leaks, near_duplicates? } — with the
// same exit codes; usage errors (exit 2) stay plain text on stderr.
import { existsSync, readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { checkRecipeFile } from "../../check/index.js";
import type { CheckedRecipe } from "../../check/ir.js";
import { DiagnosticError, hasErrors, sortDiagnostics, type Diagnostic } from "../../lang/diagnostic.js";
import { diagnosticObjects, renderDiagnostics, summarize, useColor } from "../../lang/render.js";
import { buildExamples } from "../../data/index.js";
import { formatFor } from "../../data/build.js";
import { gzipBytes } from "../../data/gunzip.js";
import { isRef } from "../../data/ir.js";
import { findLeaks, type LeakReport } from "../../data/leaks.js";
import { leakText } from "../../data/leak-text.js";
import { nearDuplicateText, nearDuplicates, type NearDuplicateReport } from "../../data/ngram-overlap.js";
import { emptySplitDiagnostics } from "../../data/empty-splits.js";
import { tasksReadingRows } from "../../data/task-rows.js";
import { consumingStages, measureTruncation, shownAs } from "../../data/stage-truncation.js";
import { linesInTokenizerCorpora } from "../../data/tokenizer-corpora.js";
import { dataPlanOf } from "../../data/plan-input.js";
import { truncationLine, type StageTruncation } from "../../data/truncation-report.js";
import { EXPORT_SPLITS, exportRows, previewGroups, splitsOf, previewSft, statsJson, statsText, type ExportSplit } from "../../data/view.js";
import { escapeControlKeepLines } from "../../lang/escape.js";
import { missingReason } from "../../common/fs-probe.js";
import { DataExportError, exportNameProblem, exportRefusal, recipeInputs, writeDataExport } from "../../data/export-file.js";
import { PLAN_CODES } from "../../plan/codes.js";
import { expandVariants, findVariant } from "../../plan/variants.js";
import { registerCachedDraws } from "../../run/storage/cached-draws.js";
import { escapeControl } from "../../lang/escape.js";

/** With --json the diagnostics go into the JSON document on stdout, else rendered to stderr. */
function report(ds: Diagnostic[], sources: Map<string, string>, json = false): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ diagnostics: diagnosticObjects(sortDiagnostics(ds)) }, null, 2)}\n`);
    return;
  }
  // data diagnostics point into data and template files: give the renderer their text (small files only)
  for (const d of ds) {
    if (d.file && !sources.has(d.file) && existsSync(d.file) && statSync(d.file).isFile() && statSync(d.file).size < 8 << 20) {
      const bytes = readFileSync(d.file);
      if (!gzipBytes(bytes)) sources.set(d.file, bytes.toString("utf8")); // a gzip file has no lines to show
    }
  }
  const sorted = sortDiagnostics(ds);
  process.stderr.write(`${renderDiagnostics(sorted, sources, { color: useColor(process.stderr) })}\n\n${summarize(sorted)}\n`);
}

/** The keywords of blocks that hold examples (what --source names in a recipe without stages). */
const DATA_KEYWORDS = new Set(["source", "task", "mixture"]);

/** The data blocks to show: --source, else the data of each training stage. */
function targets(recipe: CheckedRecipe, source: string | undefined): string[] {
  if (source) return [source];
  return recipe.blocks.filter((b) => b.keyword === "stage" && (isRef(b.props.data) || typeof b.props.data === "object")).map((b) => b.name);
}

/** What truncation does to a block's examples at each stage that trains on them (every example counted). */
async function truncationCounts(recipe: CheckedRecipe, name: string): Promise<StageTruncation[]> {
  const out: StageTruncation[] = [];
  for (const stage of consumingStages(recipe, name)) {
    const t = await measureTruncation(recipe, stage, name);
    if (t) out.push(t);
  }
  return out;
}

/** The recipe of the variant to show: --variant by full name or label; without it, the first (with a note). */
function pickVariant(recipe: CheckedRecipe, name: string | undefined): { recipe: CheckedRecipe; variant: string | null; note?: string } | { error: Diagnostic } {
  const variants = expandVariants(recipe);
  if (variants.length === 0) {
    if (name === undefined) return { recipe, variant: null };
    return { error: { code: "AL4011", severity: "error", message: `${PLAN_CODES.AL4011}: ${name} (${recipe.name} has no sweep, so no variants)`, file: recipe.file, span: null } };
  }
  if (name === undefined) {
    const first = variants[0]!;
    return { recipe: first.recipe, variant: first.name, note: `alignc data: ${recipe.name} sweeps ${variants.length} variants; showing ${first.name} (choose one with --variant: ${variants.map((v) => v.label).join(", ")})` };
  }
  const v = findVariant(variants, name);
  if (!v) return { error: { code: "AL4011", severity: "error", message: `${PLAN_CODES.AL4011}: ${name} (variants: ${variants.map((x) => x.name).join(", ")})`, file: recipe.file, span: null } };
  return { recipe: v.recipe, variant: v.name };
}

/** Longest n-gram --ngram takes: longer runs than a paragraph's find nothing a verbatim check would miss. */
const MAX_NGRAM = 200;

/** The near-duplicate report as data (`--ngram`), pairs as the leak report's. */
function nearJson(d: NearDuplicateReport): Record<string, unknown> {
  return {
    n: d.n,
    total: d.total,
    shorter_than_n: d.short,
    pairs: d.pairs.map((p) => ({ evaluated: p.evalPool.name, training: p.trainPool.name, count: p.count, of: p.evalPool.texts.length, examples: p.examples })),
  };
}

/** The leak report as data: pools by name, each leaking pair with its count and a few examples. */
function leaksJson(r: LeakReport): Record<string, unknown> {
  return {
    total: r.total,
    evaluated_pools: r.evalPools.map((p) => p.name),
    training_pools: r.trainPools.map((p) => p.name),
    not_checked: r.notChecked,
    pairs: r.leaks.map((l) => ({ evaluated: l.evalPool.name, training: l.trainPool.name, count: l.count, of: l.evalPool.texts.length, examples: l.examples })),
    // not counted in total: no model trains on a tokenizer's corpus (src/data/tokenizer-corpora.ts)
    tokenizer_corpora: r.tokenizerCorpora.map((l) => ({ evaluated: l.evalPool.name, tokenizer: l.trainPool.block, count: l.count, of: l.evalPool.texts.length, examples: l.examples })),
  };
}

export async function run(args: string[], opts: Record<string, unknown>): Promise<number> {
  const file = args[0];
  if (!file) {
    process.stderr.write("usage: alignc data RECIPE [--source NAME] [--preview N] [--export FILE.jsonl [--split SPLIT]] [--stats]\n");
    return 2;
  }
  if (!existsSync(file)) {
    process.stderr.write(`alignc data: ${escapeControl(file)}: ${escapeControl(missingReason(file))}\n`);
    return 2;
  }
  const preview = Number(opts.preview ?? 3);
  if (!Number.isInteger(preview) || preview < 0) {
    process.stderr.write(`alignc data: --preview must be a whole number, got ${String(opts.preview)}\n`);
    return 2;
  }
  const json = opts.json === true;
  // digits only: Number() would take 0x8, 1e1 and " 8 "
  const ngram = opts.ngram === undefined ? undefined : /^[0-9]+$/.test(String(opts.ngram)) ? Number(opts.ngram) : NaN;
  if (ngram !== undefined && (!Number.isInteger(ngram) || ngram < 1 || ngram > MAX_NGRAM)) {
    process.stderr.write(`alignc data: --ngram must be a whole number of words from 1 to ${MAX_NGRAM} (GPT-3 used 13), got ${escapeControl(String(opts.ngram))}\n`);
    return 2;
  }
  if (ngram !== undefined && !opts.leaks) {
    process.stderr.write("alignc data: --ngram adds near duplicates to the contamination check; give it with --leaks\n");
    return 2;
  }
  const checked = await checkRecipeFile(file);
  const { diagnostics, sources } = checked;
  if (!checked.recipe || hasErrors(diagnostics)) {
    report(diagnostics, sources, json);
    return 1;
  }
  // a swept recipe's data is the data of one variant: --variant (its full name or label, as `alignc
  // plan --variant` takes it), else the first variant, said on stderr
  const chosen = pickVariant(checked.recipe, typeof opts.variant === "string" ? opts.variant : undefined);
  if ("error" in chosen) {
    report([chosen.error], sources, json);
    return 1;
  }
  const recipe = chosen.recipe;
  if (chosen.note && !json) process.stderr.write(`${chosen.note}\n`);
  // warnings of a recipe that checks clean are shown by `alignc check`; the JSON document carries them too
  const warnings = json ? diagnosticObjects(sortDiagnostics(diagnostics)) : [];
  if (opts.leaks) {
    if (opts.source !== undefined || opts.export !== undefined || opts.stats) {
      process.stderr.write("alignc data: --leaks checks the whole recipe; it does not combine with --source, --export or --stats\n");
      return 2;
    }
    try {
      const r = await findLeaks(recipe);
      const near = ngram === undefined ? undefined : nearDuplicates(r, ngram);
      // an eval with nothing to evaluate is no pool to compare: said beside the report (AL3071 fails the command)
      const empty = emptySplitDiagnostics(recipe, r.empty);
      const doc = { diagnostics: [...warnings, ...diagnosticObjects(sortDiagnostics(empty))], leaks: leaksJson(r), ...(near ? { near_duplicates: nearJson(near) } : {}) };
      process.stdout.write(json ? `${JSON.stringify(doc, null, 2)}\n` : `${leakText(r, near ? nearDuplicateText(near) : [])}\n`);
      if (!json && empty.length) report(empty, sources, false);
      return hasErrors(empty) ? 1 : 0;
    } catch (err) {
      if (err instanceof DiagnosticError) {
        report(err.diagnostics, sources, json);
        return 1;
      }
      throw err;
    }
  }
  const source = typeof opts.source === "string" ? opts.source : undefined;
  if (source && !recipe.blocks.some((b) => b.name === source)) {
    process.stderr.write(`alignc data: no block named \`${source}\` (data blocks: ${recipe.blocks.filter((b) => ["task", "source", "mixture", "stage"].includes(b.keyword)).map((b) => b.name).join(", ")})\n`);
    return 2;
  }
  const readers = source ? tasksReadingRows(recipe, source) : null;
  if (readers) {
    const by = readers.length === 0 ? "a task would render (none reads it yet)" : `${readers.length > 1 ? "tasks" : "task"} ${readers.map((t) => `\`${t}\``).join(", ")} ${readers.length > 1 ? "render" : "renders"}`;
    process.stderr.write(`alignc data: \`${source}\` holds rows that ${by}, not examples of its own${readers.length ? `: --source ${readers[0]} shows them as examples` : ""}\n`);
    return 2;
  }
  const names = targets(recipe, source);
  const stageOpt = typeof opts.stage === "string" ? opts.stage : undefined;
  if (stageOpt !== undefined && !source) {
    process.stderr.write("alignc data: --stage shows one block as that stage reads it; name the block with --source\n");
    return 2;
  }
  const typed = typeof opts.export === "string" ? opts.export : undefined;
  const misnamed = typed === undefined ? undefined : exportNameProblem(typed);
  if (misnamed) {
    process.stderr.write(`alignc data: --export: ${misnamed}; nothing written\n`);
    return 2;
  }
  const exportFile = typed === undefined ? undefined : resolve(typed);
  if (exportFile && names.length !== 1) {
    // the blocks stages read, else (a recipe of data alone) every data block
    const choices = names.length ? names : recipe.blocks.filter((b) => DATA_KEYWORDS.has(b.keyword)).map((b) => b.name);
    process.stderr.write(`alignc data: --export writes one block's examples; name it with --source (one of: ${choices.join(", ") || "none: the recipe declares no source, task or mixture"})\n`);
    return 2;
  }
  // --split picks what --export writes; alone it was accepted and ignored, the training split shown (huntA39 F4)
  if (opts.split !== undefined && exportFile === undefined) {
    process.stderr.write("alignc data: --split chooses the split --export writes; give --export FILE.jsonl with it\n");
    return 2;
  }
  const split = typeof opts.split === "string" ? opts.split : "train";
  if (!(EXPORT_SPLITS as readonly string[]).includes(split)) {
    process.stderr.write(`alignc data: --split must be one of ${EXPORT_SPLITS.join(", ")}, got ${split}\n`);
    return 2;
  }
  const inputs = recipeInputs(recipe, sources.keys());
  const force = opts.force === true;
  const refusal = exportFile ? exportRefusal(exportFile, inputs, force) : undefined;
  if (refusal) {
    process.stderr.write(`alignc data: --export: ${refusal}; nothing written\n`);
    return 2;
  }
  const color = useColor(process.stdout);
  const doc: Record<string, unknown>[] = [];
  try {
    // ranked samples show the rows of a draw a run has cached (the same plan hash); one not drawn
    // yet is a located error (AL3061) naming the stage and the command to run first
    registerCachedDraws(recipe);
    for (const name of names) {
      // the block as one stage that trains on it reads it (--stage, else the first in plan order): its
      // chat format (as the plan resolved it), tokenizer and context; the others are named
      const shown = await shownAs(recipe, name, stageOpt);
      if (!shown) {
        process.stderr.write(`alignc data: --stage: stage \`${stageOpt}\` does not train on \`${name}\` (stages that do: ${consumingStages(recipe, name).join(", ") || "none"})\n`);
        return 2;
      }
      const { stage, others, tok, context, format } = shown;
      const built = await buildExamples(recipe, name, format ? { format } : {});
      const kind = built.kind === "sft" && built.promptsOnly ? "prompts" : built.kind;
      const entry: Record<string, unknown> = { name, kind, tokenizer: tok.name, ...(stage !== null ? { stage } : {}), ...(others.length ? { also_read_by: others } : {}), ...(chosen.variant !== null ? { variant: chosen.variant } : {}) };
      const also = others.length ? `; also read by ${others.join(", ")}: --stage NAME shows it as one of them reads it` : "";
      if (!json) process.stdout.write(`\n# ${name}  (${kind}; tokenizer ${tok.name}${stage !== null && stage !== name ? `, as stage ${stage} reads it` : ""}${also})\n`);
      if (opts.stats) {
        const truncation = await truncationCounts(recipe, name);
        // comparisons counted as the stage reads them: its chat format (none read: the raw one, as the plan's sizes)
        const fmt = format ?? formatFor(recipe, name);
        // held out from every model, not from a tokenizer's merges: said where a BPE corpus holds the lines
        const heldLines = built.kind === "text" ? built.heldout.lines : [];
        const inCorpora = heldLines.length ? await linesInTokenizerCorpora(dataPlanOf(recipe), heldLines) : [];
        const corpusLines = inCorpora.map((c) => `  ${c.count} of the ${heldLines.length} held-out lines are in tokenizer \`${c.tokenizer}\`'s corpus: held out from every model, not from its merges`);
        if (json) Object.assign(entry, { stats: statsJson(built, tok, fmt, context), truncation, ...(inCorpora.length ? { heldout_in_tokenizer_corpora: inCorpora } : {}) });
        else process.stdout.write(`${statsText(built, tok, fmt, context, [...corpusLines, ...truncation.map(truncationLine)])}\n`);
      }
      if (preview > 0) {
        if (json) entry.preview = exportRows(built, "train").slice(0, preview);
        else {
          const body = built.kind === "sft" ? previewSft(built.train, preview, tok, { color }) : built.kind === "comparisons" ? previewGroups(built.train, preview, { color }) : escapeControlKeepLines(built.train.lines.slice(0, preview).join("\n"));
          process.stdout.write(`\n${body}\n`);
        }
      }
      if (exportFile) {
        const rows = exportRows(built, split as ExportSplit);
        // a split that holds nothing is said, never written as an empty file (it wrote "0 rows", exit 0)
        if (rows.length === 0) {
          const has = splitsOf(built);
          const why = split !== "all" && !has.includes(split) ? `: ${built.kind === "text" ? "a text corpus has" : "comparisons have"} the splits ${has.join(" and ")}` : ` (${split === "all" ? "no rows at all" : `its ${split} share is empty`})`;
          const message = `--split ${split} of \`${escapeControl(name)}\` holds no row${why}: nothing written to ${escapeControl(exportFile)}`;
          process.stderr.write(`alignc data: ${message}\n`);
          // with --json the document still comes, saying what was not written (it came as text alone)
          if (json) process.stdout.write(`${JSON.stringify({ diagnostics: warnings, data: [...doc, { ...entry, exported: { file: exportFile, split, rows: 0, written: false, reason: message } }] }, null, 2)}\n`);
          return 1;
        }
        // a row at a time: one string of every row passed V8's limit on a large data set (exit 70)
        writeDataExport(exportFile, (function* () { for (const r of rows) yield `${JSON.stringify(r)}\n`; })(), inputs, force);
        if (json) entry.exported = { file: exportFile, split, rows: rows.length, written: true };
        else process.stdout.write(`\nwrote ${rows.length} rows to ${escapeControl(exportFile)}\n`);
      }
      doc.push(entry);
    }
    if (json) process.stdout.write(`${JSON.stringify({ diagnostics: warnings, data: doc }, null, 2)}\n`);
  } catch (err) {
    if (err instanceof DiagnosticError) {
      report(err.diagnostics, sources, json);
      return 1;
    }
    if (err instanceof DataExportError) {
      process.stderr.write(`alignc data: --export: ${escapeControlKeepLines(err.message)}; nothing written\n`);
      return 2;
    }
    throw err;
  }
  return 0;
}
