// What `alignc label RECIPE --source NAME` serves: the candidate sets of a `candidates` source (a file
// of {prompt, responses: [K strings]} rows, or the sets a `samples(stage)` node drew) and where their
// labels go (the file of the rankings source that `labels = …` names, so it reads them as written).
import { createHash } from "node:crypto";
import type { CheckedBlock, CheckedRecipe } from "../check/ir.js";
import { CANDIDATE_DEFAULTS } from "../check/kinds.js";
import { readData } from "../data/build.js";
import { mappingTemplate } from "../data/demos.js";
import { CODES, DataError, dataDiag, fail, rowSpan } from "../data/diag.js";
import { atRecipe, atRecipeAsync, type RecipeSite } from "../data/at-recipe.js";
import { readRecordedDrawnRows, type DrawRecord } from "../data/build-samples.js";
import { fieldsOf } from "../data/flan/render.js";
import { findBlock, isRef, num, pathArg, range, str } from "../data/ir.js";
import { describe, fieldString } from "../data/readers.js";
import type { Diagnostic } from "../lang/diagnostic.js";
import type { CandidateRow } from "../run/nodes/samples.js";

/** Letters name responses in the written ranking ("B > A = C"), as the rankings reader reads it. */
export const MAX_K = 26;

export interface CandidateSet {
  id: string; // sha256 of the prompt and the responses: the same set keeps its id whatever the row order
  prompt: string;
  responses: string[];
  model: string | null; // hash of the model that wrote the responses, when the row says (`model`)
  /** fields copied into each label so the rankings source and `--stats` see them: the demo's reference answer, task, category, system text */
  extra: Record<string, string>;
  line: number; // where the set is in the candidates file
}

export interface LabelConfig {
  source: string; // the candidates source
  candidatesFile: string;
  sets: CandidateSet[];
  labelsFile: string; // the rankings source's file: labels are appended here
  rankingsSource: string;
  guidelines: string;
  overlap: number;
  seed: number;
}

/** The id of a candidate set: sha256 over the canonical JSON of [prompt, responses]. */
export function candidateSetId(prompt: string, responses: readonly string[]): string {
  return createHash("sha256").update(JSON.stringify([prompt, responses])).digest("hex");
}

// system: the system text the model was asked with (the page shows it; a label line keeps it as a record)
const COPIED_FIELDS = ["answer", "task", "category", "system"] as const;

/** Where a candidates source's labels go: the rankings source its `labels` names, and that source's file. */
export interface LabelTarget {
  block: CheckedBlock; // the candidates source
  rankings: CheckedBlock;
  labelsFile: string;
}

/** The candidates source and its labels' target, checked before anything is read or drawn. Bad input throws DataError. */
export function labelTarget(recipe: CheckedRecipe, sourceName: string): LabelTarget {
  const b = findBlock(recipe, sourceName);
  if (b.keyword !== "source" || b.role !== "candidates")
    fail(CODES.unsupported, `\`${sourceName}\` is ${b.keyword === "source" ? `a ${b.role ?? "role-less"} source` : `a ${b.keyword}`}, not a candidates source`, recipe.file, b.decl.span, `declare it as \`source ${sourceName} = jsonl("c.jsonl") as candidates { labels = prefs }\` or \`source ${sourceName} = samples(sft) as candidates { prompts = …  labels = prefs }\``);
  const labels = b.props.labels;
  if (!isRef(labels))
    fail(CODES.missingField, `candidates source \`${sourceName}\` does not say where its labels go`, recipe.file, b.decl.span, "add `labels = prefs`, where `source prefs = jsonl(\"labels.jsonl\") as rankings { … }` reads them");
  const target = findBlock(recipe, labels.$ref);
  if (target.kind !== "jsonl") fail(CODES.unsupported, `\`${target.name}\` reads ${target.kind}; \`alignc label\` appends JSON lines, so the labels source must be jsonl("…")`, recipe.file, b.propSpans.labels ?? b.decl.span);
  const labelsFile = pathArg(recipe, target.args[0]);
  if (labelsFile.endsWith(".gz")) fail(CODES.unsupported, `\`${target.name}\` reads a .gz file; labels are appended to a plain .jsonl file`, recipe.file, b.propSpans.labels ?? b.decl.span);
  refuseForeignReading(recipe, target);
  if (b.kind === "samples") {
    // K is the source's own: a rankings source that would refuse it is known before anything is drawn
    const K = num(b.props.k)!;
    const [lo, hi] = range(target.props.k, [2, MAX_K]);
    if (K < lo || K > hi) fail(CODES.rankingK, `\`${sourceName}\` draws k = ${K} responses per prompt, but \`${target.name}\` reads rankings of ${lo}..${hi}`, recipe.file, b.propSpans.k ?? target.propSpans.k ?? b.decl.span, `set \`k = ${lo}..${Math.max(hi, K)}\` in \`${target.name}\`, or k = ${Math.min(Math.max(K, lo), hi)} here`);
  }
  return { block: b, rankings: target, labelsFile };
}

// What `alignc label` writes: UTF-8 lines with the fields prompt, responses and ranking. A rankings source
// that reads its file another way would read the labels garbled (latin1 decodes "Café" as "CafÃ©") or
// not at all (a missing field) only when the recipe next runs, after a session of labeling.
const WRITTEN_SHAPE: Record<string, (v: unknown) => boolean> = {
  encoding: (v) => v === "utf-8",
  responses: (v) => v === "responses",
  ranking: (v) => v === "ranking",
  prompt: (v) => v === "{{prompt}}",
  shape: (v) => v === "auto" || v === "plain",
};

function refuseForeignReading(recipe: CheckedRecipe, target: CheckedBlock): void {
  for (const [prop, ok] of Object.entries(WRITTEN_SHAPE)) {
    const v = target.props[prop];
    if (v === undefined || ok(v)) continue;
    fail(
      CODES.unsupported,
      `\`${target.name}\` reads its file with ${prop} = ${JSON.stringify(v)}, but \`alignc label\` writes UTF-8 lines with the fields prompt, responses and ranking`,
      recipe.file,
      target.propSpans[prop] ?? target.decl.span,
      `leave \`${prop}\` out of \`${target.name}\` (its labels file is alignc's own)`,
    );
  }
  if (target.props.context !== undefined)
    fail(CODES.unsupported, `\`${target.name}\` appends a context to each prompt, but the labels hold each prompt exactly as it was shown`, recipe.file, target.propSpans.context ?? target.decl.span, `leave \`context\` out of \`${target.name}\``);
}

/**
 * The candidates source's configuration and its candidate sets. A `samples(…)` source is read from the
 * file its plan node wrote (`drawn`: src/label/samples.ts draws it); a file source from its file.
 * Bad input throws DataError (file:line).
 */
export async function loadLabelConfig(recipe: CheckedRecipe, sourceName: string, drawn?: { file: string; record?: DrawRecord }): Promise<LabelConfig> {
  const { block: b, rankings: target, labelsFile } = labelTarget(recipe, sourceName);
  let file: string;
  let sets: CandidateSet[];
  if (b.kind === "samples") {
    if (!drawn) fail(CODES.unsupported, `\`${sourceName}\` is drawn from a trained stage; draw it first (\`alignc label\` does)`, recipe.file, b.decl.span);
    file = drawn.file;
    sets = drawnSets(file, { file: b.file ?? recipe.file, span: b.decl.span }, drawn.record, sourceName);
  } else {
    // a file that cannot be read, or has no rows, is reported at the path the source names (src/data/at-recipe.ts)
    const site = { file: b.file ?? recipe.file, span: b.decl.args?.[0]?.span ?? b.decl.span };
    const path = typeof b.args[0] === "string" ? b.args[0] : "";
    const rs = await atRecipeAsync(site, path, recipe.dir, readData(recipe, { $ref: sourceName }, { what: `source \`${sourceName}\`` }));
    file = rs.file;
    sets = atRecipe(site, path, recipe.dir, () => candidateSets(recipe, b, rs.rows, rs.file, target));
  }
  return {
    source: sourceName,
    candidatesFile: file,
    sets,
    labelsFile,
    rankingsSource: target.name,
    guidelines: str(b.props.guidelines) ?? CANDIDATE_DEFAULTS.guidelines,
    overlap: num(b.props.overlap) ?? CANDIDATE_DEFAULTS.overlap,
    seed: headerSeed(recipe),
  };
}

/** The sets a samples node wrote (src/run/nodes/samples.ts): their ids and model hash are the node's.
 * `record`: the file as the entry the draw resolved records it (a `--force` elsewhere may replace the
 * entry between the draw and this read: AL5003 rather than serve sets the draw did not record). */
function drawnSets(file: string, at: RecipeSite, record: DrawRecord | undefined, name: string): CandidateSet[] {
  // a FIFO or device under the file's name is a located error, not a read that never ends
  return readRecordedDrawnRows<CandidateRow>(file, at, record, name, "serve for labeling").map(({ row: r, line }) => {
    const extra: Record<string, string> = {};
    for (const f of COPIED_FIELDS) if (typeof r[f] === "string") extra[f] = r[f];
    return { id: r.id, prompt: r.prompt, responses: r.responses, model: r.model, extra, line };
  });
}

function candidateSets(recipe: CheckedRecipe, b: CheckedBlock, rows: Awaited<ReturnType<typeof readData>>["rows"], file: string, rankings: CheckedBlock): CandidateSet[] {
  if (rows.length === 0) fail(CODES.emptyData, `the file has no rows (source \`${b.name}\`)`, file);
  const promptTpl = str(b.props.prompt) !== undefined ? mappingTemplate(str(b.props.prompt)!, "prompt", fieldsOf(rows), file, { file: recipe.file, span: b.propSpans.prompt }) : null;
  const respField = str(b.props.responses)!; // the kinds table fills "responses"
  // the rankings source's k range applies: a set it would reject is not worth labeling
  const [kLo, kHi] = range(rankings.props.k ?? b.props.k, [2, MAX_K]);
  const errors: Diagnostic[] = [];
  const out: CandidateSet[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const err = (code: string, msg: string) => errors.push(dataDiag(code, `${msg}`, file, rowSpan(row.line, row.start, row.end)));
    try {
      const prompt = promptTpl ? promptTpl.render(row.data) : fieldString(row, "prompt" in row.data || !("instruction" in row.data) ? "prompt" : "instruction", file);
      const rs = row.data[respField];
      if (!Array.isArray(rs) || !rs.every((x) => typeof x === "string")) {
        err(rs === undefined ? CODES.missingField : CODES.wrongType, rs === undefined ? `missing field \`${respField}\`` : `field \`${respField}\` must be a list of strings, got ${describe(rs)}`);
        continue;
      }
      const responses = rs as string[];
      const K = responses.length;
      if (K < Math.max(2, kLo) || K > Math.min(MAX_K, kHi)) {
        err(CODES.rankingK, `${K} responses; labels need ${Math.max(2, kLo)}..${Math.min(MAX_K, kHi)} (the rankings source's k${K > MAX_K ? `, and letters A–Z name at most ${MAX_K}` : ""})`);
        continue;
      }
      // the same text twice: the labeler would rank a response against itself, and a preference between
      // identical texts is a training pair that teaches nothing (a samples source draws them distinct)
      const twice = responses.findIndex((r, i) => responses.indexOf(r) !== i);
      if (twice >= 0) {
        err(CODES.rankingInvalid, `responses ${responses.indexOf(responses[twice]!) + 1} and ${twice + 1} are the same text: a set to rank needs distinct responses`);
        continue;
      }
      const id = candidateSetId(prompt, responses);
      if (seen.has(id)) continue; // the same prompt and responses twice: one set to label
      seen.add(id);
      const model = row.data.model;
      if (model !== undefined && typeof model !== "string") {
        err(CODES.wrongType, `field \`model\` (the hash of the model that wrote the responses) must be a string, got ${describe(model)}`);
        continue;
      }
      const extra: Record<string, string> = {};
      for (const f of COPIED_FIELDS) if (typeof row.data[f] === "string") extra[f] = row.data[f] as string;
      out.push({ id, prompt, responses, model: model ?? null, extra, line: row.line });
    } catch (e) {
      if (e instanceof DataError) errors.push(...e.diagnostics);
      else throw e;
    }
    if (errors.length >= 50) break;
  }
  if (errors.length) throw new DataError(errors);
  return out;
}

/** The recipe's seed: the checker fills the header's default from HEADER_PROPS, so a missing one is a bug. */
function headerSeed(recipe: CheckedRecipe): number {
  const seed = num(recipe.header.seed);
  if (seed === undefined) throw new Error(`internal: recipe ${recipe.name} has no resolved \`seed\` (the checker fills it from HEADER_PROPS)`);
  return seed;
}
