// Samples sources in the data layer: the prompts a draw answers (`samples(stage)`: the first n of its
// prompts' training share), and ranked samples (`samples(stage) as rankings { labeler = "rule" }`):
// the draw's K responses per prompt ranked by the labeler into comparison groups, like a rankings file.
//
// The draw itself is a cached node the run computes (src/run/nodes/samples.ts); its candidates file
// is handed to this plan's data layer with registerDraw() before anything reads the ranking. Before
// the draw, a ranked source has prompts but no responses: the contamination check and the planner's
// size estimates ask for exactly that (`undrawn: "prompts"`), anything else is told to run it.
//
// The held-out share is a split of the n prompts, made before the draw (seeded by the draw node and
// the share, never by the labeler): which prompts are held out is known without drawing, and a new
// labeler re-ranks the same split. Groups whose K samples all tie carry no comparison: left out and
// counted as skipped rows, as are prompts the draw left out (fewer than K different responses).
import { createHash } from "node:crypto";
import { dirname, relative } from "node:path";
import { refOf } from "../plan/params.js";
import type { Json } from "../plan/types.js";
import { ruleRanking, ruleReference } from "./demo/rule.js";
import { numP, split, strP } from "./build-source.js";
import type { BuildOptions, RawData } from "./build-types.js";
import { CODES, fail, rowSpan } from "./diag.js";
import type { RecipeSite } from "./at-recipe.js";
import { InputFileError, readRegularText, READ_LIMITS } from "../lang/read-file.js";
import { nodeOf, siteOf, valueKey, type DataNode, type DataPlan } from "./plan-input.js";
import { pairsFromRanks, parseRankingString } from "./rankings.js";
import type { ComparisonGroup, PromptResponse, SkippedRows } from "./types.js";

/** The candidate sets in a samples node's cache entry: one JSON object a line (src/run/nodes/samples.ts). */
export const CANDIDATES_FILE = "candidates.jsonl";

type PromptsOf = (dp: DataPlan, owner: DataNode, prop: string) => Promise<{ train: PromptResponse[] }>;

/** Draws whose candidates file this plan's run has (node id → file, and the size and sha256 the draw's
 * cache entry recorded for it when the run read the entry): the run registers them. */
const drawn = new WeakMap<DataPlan, Map<string, Drawn>>();

interface Drawn {
  file: string;
  record?: DrawRecord;
}

/** A draw's candidates file as its cache entry recorded it; `replaced()`: whether the entry was replaced
 * since (else a file that differs changed under the same record: damage). */
export interface DrawRecord {
  bytes: number;
  sha256: string;
  replaced?: () => boolean;
}

/** Why a draw is not in the cache: never drawn, drawn from other outputs than those cached now, or damaged. */
export type UndrawnState = "absent" | "stale" | "damaged";
/** What stands between a draw not handed over and its rows (node id → words for the hint), where the caller knows. */
const undrawnNotes = new WeakMap<DataPlan, Map<string, { note: string; state: UndrawnState }>>();

/** `alignc data` says what a run would have to compute for a draw it did not find (src/run/storage/cached-draws.ts). */
export function noteUndrawn(dp: DataPlan, drawId: string, note: string, state: UndrawnState = "absent"): void {
  const m = undrawnNotes.get(dp) ?? new Map<string, { note: string; state: UndrawnState }>();
  undrawnNotes.set(dp, m);
  m.set(drawId, { note, state });
}

/** The run hands over a finished draw (a `data samples` node's candidates file). `record`: the file's
 * size and sha256 in the entry the run resolved, which the file is held to when it is read (another
 * process's `--force` may replace the entry meanwhile: src/run/storage/entry-file.ts). */
export function registerDraw(dp: DataPlan, drawId: string, file: string, record?: DrawRecord): void {
  const m = drawn.get(dp) ?? new Map<string, Drawn>();
  drawn.set(dp, m);
  m.set(drawId, record ? { file, record } : { file });
}

/** The prompts a draw node answers: the first n of its `prompts`' training share, in the data layer's order. */
export async function drawPrompts(dp: DataPlan, draw: DataNode, promptsOf: PromptsOf): Promise<PromptResponse[]> {
  const n = numP(draw.params.n);
  if (n === undefined) throw new Error(`plan node \`${draw.id}\` lacks its resolved \`n\`: plan the recipe again`);
  return (await promptsOf(dp, draw, "prompts")).train.slice(0, n);
}

/** The rank node a parameter value reads (through a stage's format/tokenize chain, heldout(x), train(x)), if any. */
export function rankNodeOf(dp: DataPlan, v: Json | undefined): DataNode | null {
  const call = v !== null && typeof v === "object" && !Array.isArray(v) && typeof v.$call === "string" ? (v as { $call: string; args: Json[] }) : null;
  if (call) return call.$call === "heldout" || call.$call === "train" ? rankNodeOf(dp, call.args[0]) : null;
  const id = refOf(v ?? null);
  const n = id === null ? undefined : dp.nodes.get(id);
  if (!n) return null;
  if (n.op === "format" || n.op === "tokenize") return rankNodeOf(dp, n.params.examples);
  return n.op === "rank" ? n : null;
}

/** The draw node a rank node ranks. */
export function drawOf(dp: DataPlan, rank: DataNode): DataNode {
  const id = refOf(rank.params.draw ?? null);
  if (id === null) throw new Error(`plan node \`${rank.id}\` names no draw`);
  return nodeOf(dp, id);
}

/** Whether the run has handed this rank node's draw over. */
export function isDrawn(dp: DataPlan, rank: DataNode): boolean {
  return drawn.get(dp)?.has(drawOf(dp, rank).id) ?? false;
}

/**
 * The prompts a rank node's labeler ranks against: each needs a reference answer (the rule compares
 * every sample with it). Text is AL2040 (declared) or AL3060 (guessed), demonstrations refuse an empty
 * response and a task an empty target or inverted input (AL3030 at the row), a draw keeps non-empty
 * samples only; a ranking or pair may prefer an empty response (HH-RLHF's harmless set does), which is
 * no reference for the rule: AL3030 at the draw's `prompts`, naming the row.
 */
export async function rankedPrompts(dp: DataPlan, rank: DataNode, promptsOf: PromptsOf): Promise<PromptResponse[]> {
  const labeler = strP(rank.params.labeler);
  const at = siteOf(dp, rank, "labeler");
  if (labeler !== "rule") fail(CODES.unsupported, `\`${rank.block || rank.id}\`: no labeler that ranks (\`labeler = ${JSON.stringify(labeler ?? null)}\`); \`labeler = "rule"\` ranks by the demo rule`, at.file, at.span);
  const items = await drawPrompts(dp, drawOf(dp, rank), promptsOf);
  const without = items.find((x) => x.response.trim() === "");
  if (without) {
    const where = siteOf(dp, drawOf(dp, rank), "prompts");
    const row = without.meta.line !== undefined ? ` (line ${without.meta.line})` : "";
    fail(CODES.emptyResponse, `\`${rank.block || rank.id}\`: the prompt ${JSON.stringify(without.prompt.slice(0, 60))} of \`${without.meta.source}\`${row} prefers an empty response, which gives \`labeler = "rule"\` no reference answer to rank samples against; draw from prompts whose best response says something`, where.file, where.span);
  }
  return items;
}

/** One drawn set as the draw wrote it (the fields read here). */
interface DrawnRow {
  prompt: string;
  system?: string;
  responses: string[];
}

/**
 * The text of a draw's candidates file in the stage cache. Read as a regular file only: a FIFO or a
 * device put under its name blocked readFileSync in a read no signal could stop (`alignc data` and
 * `alignc label` hung); it is a located AL3001 at `at` (the recipe text of the source that reads the
 * draw), naming the file and the entry to remove.
 */
export function readDrawnText(file: string, at: RecipeSite): string {
  try {
    return readRegularText(file, READ_LIMITS.wholeData, "drawn samples file");
  } catch (err) {
    if (err instanceof InputFileError) fail(CODES.fileMissing, `${err.message}; remove its stage cache entry (${dirname(file)}) and run again to draw it anew`, at.file, at.span);
    throw err;
  }
}

/**
 * The rows of a draw's candidates file's text (alignc wrote it whole into the stage cache), each with
 * its line number. A line that is not JSON is damage from outside alignc: AL3002 at the file's line,
 * saying how to draw it anew, not a bare JSON.parse error.
 */
function drawnRows<T>(text: string, file: string): { row: T; line: number }[] {
  const out: { row: T; line: number }[] = [];
  let offset = 0;
  text
    .split("\n")
    .forEach((text, i) => {
      const start = offset;
      offset += text.length + 1;
      if (text.trim() === "") return;
      try {
        out.push({ row: JSON.parse(text) as T, line: i + 1 });
      } catch (err) {
        fail(CODES.brokenLine, `a line of a drawn samples file is not JSON (${(err as Error).message}), which alignc never writes; remove its stage cache entry (${dirname(file)}) and run again to draw it anew`, file, rowSpan(i + 1, start, start + text.length));
      }
    });
  return out;
}

/**
 * The rows of a draw's candidates file held to `record` (its size and sha256 in the entry the reader
 * resolved; none: read as it is): AL5003 when they differ, since another process's `--force` may have
 * replaced the entry meanwhile, or the file was changed outside alignc. `use`: what the reader would
 * do with other samples ("rank", "serve for labeling").
 */
export function readRecordedDrawnRows<T>(file: string, at: RecipeSite, record: DrawRecord | undefined, name: string, use: string): { row: T; line: number }[] {
  const text = readDrawnText(file, at);
  if (record) {
    // the text read is UTF-8 (readRegularText refuses other bytes), so its encoding is the file's bytes
    const bytes = Buffer.from(text, "utf8");
    const sha = createHash("sha256").update(bytes).digest("hex");
    if (bytes.length !== record.bytes || sha !== record.sha256) {
      const replaced = record.replaced?.() ?? true;
      fail(
        "AL5003",
        `the samples of the draw \`${name}\` changed in the stage cache while they were read: ${file} holds ${bytes.length} bytes with sha256 ${sha.slice(0, 12)}…, not the ${record.bytes} bytes with sha256 ${record.sha256.slice(0, 12)}… its entry recorded when alignc read it; ${
          replaced ? `another process replaced the entry since (\`alignc run --force ${name}\`)` : "its entry.json is still the one this run read, so the file changed under it: the entry is damaged (changed outside alignc)"
        }, and alignc stops rather than ${use} other samples than the ones it recorded`,
        at.file,
        at.span,
        replaced
          ? "run the same command again: it reads the draw as its entry is now; a node that runs use is best forced while none is running"
          : // \`alignc data\` has no --force: the run draws anew (audit35 L5)
            `draw it anew and replace its entry with \`alignc run RECIPE --force ${name}\` (or remove the folder ${dirname(file)})`,
      );
    }
  }
  // the rows of the text just checked: a second read of the file could be another generation's
  return drawnRows<T>(text, file);
}

/** Ranks of K responses by the rule against a reference response (0 = best; equal classes tie), via the rankings' string form. */
export function ruleRanks(responses: readonly string[], reference: string): { ranking: string; ranks: number[] } {
  const ranking = ruleRanking(responses, ruleReference(reference));
  return { ranking, ranks: parseRankingString(ranking, responses.length) };
}

/**
 * Drawn sets ranked against their prompts' reference answers, in prompt order: the comparison group of
 * each, or null where the K samples all tie (no comparison). `sets[i]` answers `items[i]` (null: not drawn).
 */
export function rankSets(name: string, items: readonly PromptResponse[], sets: readonly (DrawnRow | null)[]): (ComparisonGroup | null)[] {
  return items.map((x, i) => {
    const s = sets[i];
    if (!s) return null;
    const { ranks } = ruleRanks(s.responses, x.response);
    const pairs = pairsFromRanks(ranks);
    if (pairs.length === 0) return null;
    return {
      id: `${name}:${i}`,
      prompt: x.prompt,
      responses: [...s.responses],
      pairs,
      ranks,
      reference: ruleReference(x.response),
      ...(x.system ? { system: x.system } : {}),
      meta: { source: name, row: i, ...(x.meta.task ? { task: x.meta.task } : {}), ...(x.meta.category ? { category: x.meta.category } : {}) },
    };
  });
}

/** Drawn rows matched to the prompts they answer: the draw writes its sets in prompt order, leaving some out. */
function matchDrawn(items: readonly PromptResponse[], rows: readonly DrawnRow[]): (DrawnRow | null)[] {
  let next = 0;
  const same = (r: DrawnRow, x: PromptResponse) => r.prompt === x.prompt && (r.system ?? "") === (x.system ?? "");
  return items.map((x) => (next < rows.length && same(rows[next]!, x) ? rows[next++]! : null));
}

/** A rank node's comparison groups, split into training and held-out prompts. */
export async function buildRanked(dp: DataPlan, node: DataNode, opts: BuildOptions, promptsOf: PromptsOf): Promise<RawData> {
  const name = node.block || node.id;
  const items = await rankedPrompts(dp, node, promptsOf);
  const draw = drawOf(dp, node);
  const holdout = numP(node.params.holdout); // lowered with RANKED_SAMPLES_DEFAULTS (kinds.ts) filled
  if (holdout === undefined) throw new Error(`plan node \`${node.id}\` lacks its resolved \`holdout\`: plan the recipe again`);
  // a split of the prompts, seeded by the draw and the share: known before the draw, kept by a new labeler
  const parts = split(dp, valueKey(dp, { draw: { $ref: draw.id }, holdout }), items.map((_, i) => i), holdout, (i) => items[i]!.prompt);
  const handed = drawn.get(dp)?.get(draw.id);
  if (handed === undefined) {
    if (opts.undrawn === "prompts") {
      const bare = (i: number): ComparisonGroup => ({ id: `${name}:${i}`, prompt: items[i]!.prompt, responses: [], pairs: [], meta: { source: name, row: i } });
      return { kind: "comparisons", name, train: parts.train.map(bare), heldout: parts.heldout.map(bare) };
    }
    const at = siteOf(dp, node);
    const stage = refOf(draw.params.stage) ?? "its stage";
    const recipe = relative(process.cwd(), dp.recipe.file) || dp.recipe.file;
    const noted = undrawnNotes.get(dp)?.get(draw.id);
    fail(
      CODES.notDrawn,
      `\`${name}\` ranks ${numP(draw.params.k) ?? "K"} samples per prompt drawn from stage \`${stage}\`, and ${noted?.state === "stale" ? "the draw in the cache is stale" : noted?.state === "damaged" ? "the draw in the cache is damaged" : "no run has drawn them into the cache yet"}`,
      at.file,
      at.span,
      `run \`alignc run ${recipe} --until ${draw.id}\` first (${noted?.note ?? `it trains \`${stage}\` unless cached, then draws`}; \`alignc data\` then reads the draw from the cache)`,
    );
  }
  const { file, record } = handed;
  const sets = matchDrawn(items, readRecordedDrawnRows<DrawnRow>(file, siteOf(dp, node), record, draw.id, "rank").map((r) => r.row));
  const groups = rankSets(name, items, sets);
  const pick = (ids: number[]) => ids.map((i) => groups[i]).filter((g): g is ComparisonGroup => g !== null && g !== undefined);
  // counted per split: a stage trains on the training share, heldout(x) evaluates the other, and a
  // count over both would overstate what either lost
  const skipped: SkippedRows[] = [];
  for (const [split, ids] of [["train", parts.train], ["heldout", parts.heldout]] as const) {
    const notDrawn = ids.filter((i) => !sets[i]).length;
    const ties = ids.filter((i) => sets[i] && !groups[i]).length;
    if (ties) skipped.push({ source: name, file, count: ties, split, reasons: [`all ${numP(draw.params.k) ?? "K"} samples of a prompt tie under labeler = "rule": no comparison`] });
    if (notDrawn) skipped.push({ source: name, file, count: notDrawn, split, reasons: ["the draw left the prompt out (fewer than K different non-empty responses)"] });
  }
  const train = pick(parts.train);
  if (train.length === 0 && parts.train.length > 0) {
    const at = siteOf(dp, node);
    fail(
      CODES.emptyData,
      `\`${name}\`: no comparison to train on: of ${parts.train.length} training prompts, ${parts.train.filter((i) => sets[i]).length} were drawn and every one's ${numP(draw.params.k) ?? "K"} samples tie under labeler = "rule"`,
      at.file,
      at.span,
      `samples of one rule class cannot be ranked: train \`${refOf(draw.params.stage) ?? "the stage"}\` further (so that some samples are right), raise n, or draw more samples per prompt (k)`,
    );
  }
  return { kind: "comparisons", name, train, heldout: pick(parts.heldout), ...(skipped.length ? { notes: { skipped } } : {}) };
}
