// Read nodes (`source X = jsonl("…") as demonstrations { … }`, a task's `X/data`, a stage's
// `S/data` text file) → rows, and a source's rows → demonstrations, comparison groups or text.
// Every value comes from the node's parameters; seeds from its seed key (plan-input.ts).
import { basename } from "node:path";
import type { Json } from "../plan/types.js";
import type { Span } from "../lang/ast.js";
import { BadRows, failOrSkip, mergeSkipped, type OnError } from "./bad-rows.js";
import { readDemonstrations } from "./demos.js";
import { CODES, DataError, dataDiag, fail } from "./diag.js";
import { atRecipe, atRecipeAsync } from "./at-recipe.js";
import { cached, fileSiteOf, keyOf, pathOf, siteOf, type DataNode, type DataPlan } from "./plan-input.js";
import { readRankings } from "./rankings.js";
import { READER_KINDS, fieldString, readRows, type ReaderKind, type Row, type RowSet } from "./readers.js";
import { rngFor } from "../common/rng.js";
import { splitKeepingTexts } from "./split.js";
import type { DataNotes, SkippedRows } from "./types.js";
import type { RawData } from "./build-types.js";

export { cached }; // defined beside the memo (plan-input.ts), where modules that load no builder reach it

// Readers of parameter values: the node's JSON as the plan carries it (typed by the kinds table).
/** The share a node holds out, from its resolved `holdout` parameter (filled by the checker from
 * kinds.ts). A stage's `S/data` text read and a task's `X/data` read (derived nodes) have no such
 * parameter and hold nothing out (the stage or task splits); a source's node without it was not
 * planned by this alignc. Read by the build and by `data --stats` (stats.ts) alike. */
export function holdoutOf(dp: DataPlan, node: DataNode): number {
  const h = numP(node.params.holdout);
  if (h !== undefined) return h;
  if (node.block !== node.id) return 0;
  const at = siteOf(dp, node);
  fail(CODES.unsupported, `plan node \`${node.id}\` lacks its resolved \`holdout\`: plan the recipe again`, at.file, at.span);
}

export const numP = (v: Json | undefined): number | undefined => (typeof v === "number" ? v : undefined);
export const strP = (v: Json | undefined): string | undefined => (typeof v === "string" ? v : undefined);
export const strListP = (v: Json | undefined): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : undefined);
/** A `k = 2..9` range parameter, or null when the node has none (no bound on K). */
export function rangeP(v: Json | undefined): [number, number] | null {
  if (typeof v === "number") return [v, v];
  if (v !== null && typeof v === "object" && !Array.isArray(v) && Array.isArray(v.$range)) return [v.$range[0] as number, v.$range[1] as number];
  return null;
}


/** A node's bad-row policy (`on_error`). */
export function onErrorOf(node: DataNode): OnError {
  return failOrSkip(node.params.on_error);
}

/** Rows of a read node (`limit`: previews and estimates read at most this many, besides the node's own). */
export function readNodeRows(dp: DataPlan, node: DataNode, opts: { limit?: number; onError?: OnError; source?: string } = {}): Promise<RowSet> {
  if (node.op !== "read") fail(CODES.unsupported, `\`${node.id}\` is not a data source`, siteOf(dp, node).file, siteOf(dp, node).span);
  const p = node.params;
  const reader = strP(p.reader) ?? "";
  if (!(READER_KINDS as readonly string[]).includes(reader)) fail(CODES.unsupported, `\`${node.id}\` has no reader \`${reader}\``, siteOf(dp, node).file, siteOf(dp, node).span);
  const file = pathOf(dp, p.path, `\`${node.id}\``);
  const own = numP(p.limit);
  const limit = opts.limit !== undefined && own !== undefined ? Math.min(opts.limit, own) : (opts.limit ?? own);
  // a task's own `X/data` read takes the task's policy; a source its own
  const onError = opts.onError ?? onErrorOf(node);
  const encoding = strP(p.encoding); // kinds.ts ENCODINGS; left out means UTF-8 (no default, so no hash changes)
  const pattern = strP(p.pattern); // a text source's line pattern (kinds.ts); left out: each line is `text`
  const source = opts.source ?? node.block ?? node.id;
  // a file that cannot be read at all is reported where the recipe names it (at-recipe.ts)
  const key = `rows:${reader}:${file}:${limit ?? ""}:${onError}:${encoding ?? ""}:${pattern ?? ""}`;
  const rows = cached(dp, key, () => readRows(file, reader as ReaderKind, { limit, onError, source, ...(encoding ? { encoding } : {}), ...(pattern !== undefined ? { pattern } : {}) }));
  return atRecipeAsync(fileSiteOf(dp, node), file, dp.dir, rows);
}

/** Seeded train/held-out split, every copy of one text (`textOf`: what the contamination check compares) on one side (split.ts); `key` is a seed key (plan-input.ts), never a block name. */
export function split<T>(dp: DataPlan, key: string, xs: T[], share: number, textOf: (x: T) => string, groupOf?: (x: T) => string): { train: T[]; heldout: T[] } {
  const s = splitKeepingTexts(xs.length, share, rngFor(dp.seed, key, "holdout"), (i) => textOf(xs[i]!), groupOf && ((i) => groupOf(xs[i]!)));
  return { train: s.train.map((i) => xs[i]!), heldout: s.heldout.map((i) => xs[i]!) };
}

/** Text lines split by a share; `key` seeds the split. */
export function textData(dp: DataPlan, name: string, key: string, lines: string[], holdout: number, file?: string): RawData {
  const s = split(dp, key, lines, holdout, (l) => l);
  const meta = { source: name, ...(file ? { file } : {}) };
  return { kind: "text", name, train: { id: `${name}:train`, lines: s.train, meta }, heldout: { id: `${name}:heldout`, lines: s.heldout, meta } };
}

/** The field names a source's rows are read by (`field` of text, `responses`/`ranking` of rankings, `chosen`/`rejected` of pairs). */
export interface RowFields {
  field: string;
  responses: string;
  ranking: string;
  chosen: string;
  rejected: string;
}

/** The one column of the rows a text reader produces (src/data/readers.ts). */
const TEXT_READER_COLUMN = "text";

/**
 * The field names of a read node's rows. A source's node carries them resolved: the checker filled
 * each from the kinds table (src/check/kinds/source.ts), which holds their defaults. A file a stage
 * reads in place (`data = text("corpus.txt")`, node `S/data`) is no source and declares no fields:
 * it is text, read from the text reader's column (a jsonl corpus names its lines the same).
 */
function rowFields(dp: DataPlan, node: DataNode, role: string): RowFields | { field: string } {
  if (node.id !== node.block) {
    if (role === "text") return { field: TEXT_READER_COLUMN };
    const at = siteOf(dp, node);
    fail(CODES.unsupported, `\`${node.id}\` is a file \`${node.block ?? node.id}\` reads in place, not a source: it is built as part of that block`, at.file, at.span);
  }
  const p = node.params;
  const names = ["field", "responses", "ranking", "chosen", "rejected"] as const;
  const missing = names.filter((k) => typeof p[k] !== "string");
  if (missing.length) {
    const at = siteOf(dp, node);
    fail(CODES.unsupported, `source \`${node.id}\` lacks its resolved ${missing.map((k) => `\`${k}\``).join(", ")}: plan the recipe again`, at.file, at.span);
  }
  return Object.fromEntries(names.map((k) => [k, p[k] as string])) as unknown as RowFields;
}

/** The role of a source: declared (`as rankings`), else (`records`) guessed from its first row's fields. */
export function roleOf(declared: string | undefined, rows: readonly Row[], dp: DataPlan, node: DataNode): string {
  if (declared && declared !== "records") return declared;
  const f = rows[0]?.data ?? {};
  const fields = rowFields(dp, node, "records") as RowFields;
  if (fields.responses in f || "responses_ranked" in f) return "rankings"; // responses_ranked: OASST's layout
  if (fields.chosen in f) return "pairs";
  if (Object.keys(f).length === 1 && fields.field in f) return "text";
  return "demonstrations";
}

/** Where prompts are read (a PPO stage's, a draw's, a win-rate eval's `prompts`), a block read as text has
 * none: the error, at the block's declaration (a source without `as ROLE` whose rows have one text field
 * is read as text). */
export function textHasNoPrompts(dp: DataPlan, name: string): DataError {
  const b = dp.recipe.blocks.find((x) => x.name === name);
  return new DataError([
    dataDiag(CODES.unsupported, `\`${name}\` is text; it has no prompts`, b?.file ?? dp.recipe.file, b?.decl.span ?? null, "prompts come from a demonstrations, rankings or task block (a source without `as ROLE` whose rows have one text field is read as text)"),
  ]);
}

/** A read node's examples: demonstrations, comparison groups or text, split by its `holdout`. */
export async function buildRead(dp: DataPlan, node: DataNode, limit?: number): Promise<RawData> {
  const rs = await readNodeRows(dp, node, { limit });
  // a file without rows is reported where the recipe names it (at-recipe.ts)
  return atRecipe(fileSiteOf(dp, node), rs.file, dp.dir, () => examplesOfRows(dp, node, rs));
}

/** The rows a `categories` filter left out, as skipped rows with their categories (largest first), so
 * `alignc data --stats` and the run record say why a source has fewer examples than rows (a filter on
 * a field the file leaves null kept none, and nothing said so). */
function categoryNote(source: string, file: string, categories: string[] | undefined, drops: Map<string, number>): SkippedRows[] {
  const count = [...drops.values()].reduce((a, n) => a + n, 0);
  if (!categories || count === 0) return [];
  const by = [...drops].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([c, n]) => `${c} ${n.toLocaleString("en-US")}`);
  return [{ source, file, count, reasons: [`category not in categories = ${JSON.stringify(categories)}: ${by.slice(0, 8).join(", ")}${by.length > 8 ? ", …" : ""}`] }];
}

/** A read node's rows as demonstrations, comparison groups or text, split by its `holdout`. */
function examplesOfRows(dp: DataPlan, node: DataNode, rs: RowSet): RawData {
  const p = node.params;
  const name = node.block || node.id;
  const at = siteOf(dp, node);
  // where a property was written: its file too (an extending recipe's override is in its own file)
  const writtenAt = (prop: string): { file: string; span?: Span } => {
    const s = siteOf(dp, node, prop);
    return s.span ? { file: s.file, span: s.span } : { file: s.file };
  };
  const holdout = holdoutOf(dp, node);
  const role = roleOf(strP(p.role), rs.rows, dp, node);
  const bad = new BadRows(name, rs.file, onErrorOf(node));
  const skippedNotes = (extra: SkippedRows[] = []): { notes?: DataNotes } => {
    const skipped = mergeSkipped([rs.skipped, bad.finish(), ...extra].filter((x): x is SkippedRows => x !== undefined));
    return skipped.length ? { notes: { skipped } } : {};
  };
  // rows skipped to the last one leave a source of nothing: said at the policy that skipped them (huntA39
  // F2: check and `data --stats` passed a rankings file of which every row was skipped, "0 prompts", exit 0).
  // Bad rows (the reader's and the mapping's, on_error) and K outside k (k_outside) count; rows a
  // `categories` selection left out are not skipped but not read either, and a group of same-text pairs is
  // the stage's AL4020 ("every group is fully tied"), which names that cause (reviewC39 L3–L5).
  const nothingLeft = (kept: number, kOutside = 0, categoryDropped = 0): void => {
    if (kept > 0) return;
    const skipped = mergeSkipped([rs.skipped, bad.finish()].filter((x): x is SkippedRows => x !== undefined));
    const badCount = skipped.reduce((a, x) => a + x.count, 0);
    if (badCount + kOutside === 0) return;
    const byK = kOutside > badCount;
    const policy = byK ? "k_outside" : "on_error";
    const where = policy in p ? siteOf(dp, node, policy) : at;
    const rows = rs.rows.length + (rs.skipped?.count ?? 0) - categoryDropped;
    const of = categoryDropped ? `the ${rows} rows \`categories\` kept` : `its ${rows} row${rows === 1 ? "" : "s"} of ${basename(rs.file)}`;
    const causes = [badCount ? `${badCount} bad (on_error = "skip")` : "", kOutside ? `${kOutside} with K outside k = ${(rangeP(p.k) ?? []).join("..")} (k_outside = "skip")` : ""].filter(Boolean).join(", ");
    const reasons = skipped.flatMap((x) => x.reasons).slice(0, 3);
    const hint = byK ? "widen `k` to the K the rows hold (`alignc data --stats` with `k_outside` left out names each row's K)" : "how the recipe reads the rows (the source's shape, fields or templates) is likely at fault, not every row; `alignc data --stats` with `on_error` left out lists them";
    fail(CODES.emptyData, `\`${name}\`: every one of ${of} was skipped, leaving nothing: ${causes}${reasons.length ? `; first reasons: ${reasons.join("; ")}` : ""}`, where.file, where.span, hint);
  };
  // a file whose every line the reader skipped (none is a JSON object, say) said "the file has no rows"
  if (rs.rows.length === 0) nothingLeft(0);
  if (role === "demonstrations" || role === "prompts") {
    const categoryDrops = new Map<string, number>();
    const exs = readDemonstrations({
      name,
      file: rs.file,
      rows: rs.rows,
      shape: strP(p.shape),
      prompt: strP(p.prompt),
      response: strP(p.response),
      context: strP(p.context),
      system: strP(p.system),
      categories: strListP(p.categories),
      categoryDrops,
      bad,
      templateSite: { prompt: writtenAt("prompt"), response: writtenAt("response"), context: writtenAt("context") },
      ...(role === "prompts" ? { promptOnly: true } : {}),
    });
    const notes = skippedNotes(categoryNote(name, rs.file, strListP(p.categories), categoryDrops));
    nothingLeft(exs.length, 0, [...categoryDrops.values()].reduce((a, b) => a + b, 0));
    const s = split(dp, keyOf(dp, node.id), exs, holdout, (e) => e.prompt, holdoutBy(p, rs));
    return { kind: "sft", name, train: s.train, heldout: s.heldout.map((e) => ({ ...e, meta: { ...e.meta, heldout: true } })), heldoutTemplates: [], heldoutTasks: [], ...(role === "prompts" ? { promptsOnly: true as const } : {}), ...notes };
  }
  if (role === "rankings" || role === "pairs") {
    const kSkipped = { count: 0 };
    const sameSkipped = { count: 0 };
    const k = rangeP(p.k);
    const fields = rowFields(dp, node, role) as RowFields;
    const groups = readRankings({
      name,
      file: rs.file,
      rows: rs.rows,
      shape: strP(p.shape),
      role,
      promptTemplate: strP(p.prompt),
      templateSite: writtenAt("prompt"),
      pairSites: { chosen: writtenAt("chosen"), rejected: writtenAt("rejected") },
      responses: fields.responses,
      ranking: fields.ranking,
      chosen: fields.chosen,
      rejected: fields.rejected,
      k: k ?? undefined,
      kOutside: failOrSkip(p.k_outside),
      kSkipped,
      sameSkipped,
      bad,
      system: strP(p.system),
    });
    const kNote: SkippedRows[] = kSkipped.count && k ? [{ source: name, file: rs.file, count: kSkipped.count, reasons: [`K outside k = ${k.join("..")} (k_outside = "skip")`] }] : [];
    const sameNote: SkippedRows[] = sameSkipped.count ? [{ source: name, file: rs.file, count: sameSkipped.count, reasons: ["every pair ranked apart compares two copies of one text: no comparison"] }] : [];
    const notes = skippedNotes([...kNote, ...sameNote]);
    nothingLeft(groups.length, kSkipped.count);
    const s = split(dp, keyOf(dp, node.id), groups, holdout, (g) => g.prompt, holdoutBy(p, rs));
    return { kind: "comparisons", name, train: s.train, heldout: s.heldout, ...notes };
  }
  const { field } = rowFields(dp, node, role);
  const lines = rs.rows.map((r) => fieldString(r, field, rs.file));
  return textData(dp, node.block === "" || node.id !== name ? basename(rs.file) : name, keyOf(dp, node.id), lines, holdout, rs.file);
}

/**
 * A source's `holdout_by` (kinds.ts): the key of an example's row in that field, so the split keeps rows
 * that share it on one side; where the source does not write it, the row itself (a row of one example
 * splits as by prompt text alone: its seeds and sides are what they always were). A row without the field is a located
 * error: a split that quietly grouped it alone would leak what the field was named to keep together.
 */
function holdoutBy(p: DataNode["params"], rs: RowSet): ((x: { meta: { row?: number } }) => string) | undefined {
  const field = strP(p.holdout_by);
  // a row is one group either way: a conversation's several examples (one per assistant turn, whose
  // later prompts hold the earlier answers) on one side; a row of one example is its own group, which
  // splits exactly as no key does (split.ts)
  if (field === undefined) {
    let lone = 0; // an item from no row (never for a file's source) is a group of its own
    return (x) => (x.meta.row === undefined ? `\u0000lone ${lone++}` : `\u0000row ${x.meta.row}`);
  }
  const byIndex = new Map(rs.rows.map((r) => [r.index, r]));
  return (x) => {
    const row = x.meta.row === undefined ? undefined : byIndex.get(x.meta.row);
    if (!row) return `\u0000item ${x.meta.row ?? "?"}`; // not from one row (never for a file's source)
    return JSON.stringify(fieldString(row, field, rs.file));
  };
}
