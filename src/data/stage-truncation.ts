// One stage's truncation count, measured by building its data exactly as the stage will
// (truncation-report.ts says what the counts mean and warns; this file does the counting): the
// examples formatted with the stage's chat format, tokenized with its model's tokenizer, cut at its
// max_length by its `truncate` policy. Imported only where a count is not cached, since building
// data loads the whole data layer.
import type { CheckedRecipe } from "../check/ir.js";
import { refOf } from "../plan/params.js";
import type { Json } from "../plan/types.js";
import { isDrawn, rankNodeOf } from "./build-samples.js";
import { chatFormatOf, examplesOf, needReferences, promptsOf } from "./build.js";
import { componentsOf } from "./build-mix.js";
import { cached, numP } from "./build-source.js";
import { dataPlanOf, keyOf, nodeOf, valueKey, type DataNode, type DataPlan } from "./plan-input.js";
import { defaultModelId } from "../plan/default-tokenizer.js";
import { recipeTokenizer, tokenizerOf } from "./recipe-tokenizer.js";
import type { ChatFormat, Tokenizer } from "./types.js";
import { TRUNCATING_STAGES, type StageTruncation } from "./truncation-report.js";
import { countGroups, countSft, truncatePolicy, type TruncatePolicy } from "./truncation.js";

/** The model node a stage trains: its `init`, followed through stages. */
function modelOf(dp: DataPlan, stage: DataNode): DataNode | undefined {
  const seen = new Set<string>();
  let cur: DataNode | undefined = stage;
  while (cur && cur.kind === "stage" && !seen.has(cur.id)) {
    seen.add(cur.id);
    const init = refOf(cur.params.init);
    cur = init === null ? undefined : dp.nodes.get(init);
  }
  return cur?.kind === "model" ? cur : undefined;
}

/**
 * The truncation count of stage node `stageId` on the examples of `blockName` (default: the stage's
 * own data), formatted with the stage's inlined format; null for stages that do not truncate by
 * `truncate`. Every value from the plan's nodes (max_length resolved by the lowering: declared, else
 * the model context; truncate filled by the checker).
 */
export async function measureTruncation(recipe: CheckedRecipe, stageId: string, blockName = stageId, sample?: number): Promise<StageTruncation | null> {
  const dp = dataPlanOf(recipe);
  const stage = nodeOf(dp, stageId);
  // PPO cuts no example by `truncate`, but its prompts (and ptx data) are built here all the same, so
  // that `check` meets a bad row where `plan` would (formatsP42: a prompts file no eval reads passed
  // check); the null is memoised by the stage's hash like a count, so a warm check builds nothing
  if (stage.kind === "stage" && stage.op === "ppo" && blockName === stageId) {
    const ps = await promptsOf(dp, stage, "prompts", { undrawn: "prompts" });
    // the rule reward reads each prompt's reference answer: a ranking whose best response is empty has
    // none, known from the rows only (a prompts source is AL2040 before this): said by check as by the run
    if (stage.params.reward === "rule") needReferences(dp, stage, "prompts", ps.train, '`reward = "rule"`');
    if (stage.params.ptx_data !== undefined && stage.params.ptx_data !== null && numP(stage.params.ptx_coef) !== 0) await examplesOf(dp, stageId, { prop: "ptx_data" });
    return null;
  }
  if (stage.kind !== "stage" || !(TRUNCATING_STAGES as readonly string[]).includes(stage.op) || stage.params.data === undefined || stage.params.data === null) return null;
  // ranked samples before their draw: no responses to count yet (the run truncates them as it trains)
  const rank = rankNodeOf(dp, blockName === stageId ? stage.params.data : { $ref: blockName });
  if (rank && !isDrawn(dp, rank)) return null;
  const model = modelOf(dp, stage);
  const context = model ? numP(model.params.context) : undefined;
  if (!model || context === undefined) return null;
  const declared = numP(stage.params.max_length);
  const maxLength = declared === undefined ? context : Math.min(context, declared);
  const policy = truncatePolicy(stage.params.truncate);
  if (blockName !== stageId) return count(dp, stage, blockName, maxLength, policy, sample);
  // a count is a function of what it reads, all resolved here: the data node the stage trains on (its
  // tokenize node, whose seed key covers the data, its format and tokenizer), the format and tokenizer
  // again (read here from the stage and its model), the window, the policy and the sample. Keyed by
  // those, hashed as the plan hashes parameters (valueKey), so stages that differ only in other
  // parameters (a learning-rate sweep's variants, which share this memo: shared-builds.ts) count once.
  const key = countKey(dp, { data: stage.params.data, format: stage.params.format ?? null, tokenizer: model.params.tokenizer ?? null, max_length: maxLength, truncate: policy, sample: sample ?? null });
  if (key === null) return count(dp, stage, stageId, maxLength, policy, sample);
  const t = await cached(dp, `truncation:${key}`, () => count(dp, stage, stageId, maxLength, policy, sample));
  return t && { ...t, stage: stageId };
}

/** The memo key of a count; null where a file it names cannot be hashed (the count then reports the
 * data layer's located error, uncached, as it did before it was memoised). */
function countKey(dp: DataPlan, inputs: { [k: string]: Json }): string | null {
  try {
    return valueKey(dp, inputs);
  } catch {
    return null;
  }
}

/** The count of measureTruncation, built and tokenized. */
async function count(dp: DataPlan, stage: DataNode, blockName: string, maxLength: number, policy: TruncatePolicy, sample: number | undefined): Promise<StageTruncation | null> {
  const stageId = stage.id;
  const tok = await tokenizerOf(dp, stageId);
  const fmt = chatFormatOf(dp, stage.params.format);
  const built = blockName === stageId ? await examplesOf(dp, stageId, { prop: "data", format: fmt }) : await examplesOf(dp, blockName, { format: fmt });
  const base = { stage: stageId, maxLength, policy };
  if (built.kind === "sft") {
    const xs = sample !== undefined ? built.train.slice(0, sample) : built.train;
    // an LM stage's sequences hold max_length inputs and one more target token (run/nodes/tokens.ts lmData)
    return { ...base, ...countSft(xs, tok, maxLength + 1, policy), sampled: xs.length < built.train.length };
  }
  if (built.kind === "comparisons") {
    const gs = sample !== undefined ? built.train.slice(0, sample) : built.train;
    return { ...base, ...countGroups(gs, fmt, tok, maxLength, policy), sampled: gs.length < built.train.length };
  }
  return null;
}

/** The data node a stage's data parameter trains on whole (a plain reference through its format/tokenize chain), if any. */
function plainDataOf(dp: DataPlan, v: Json | undefined): string | null {
  const id = refOf(v);
  if (id === null || (v as { member?: unknown }).member !== undefined) return null;
  const n = dp.nodes.get(id);
  // a chain node says its split where it splits (format; tokenize of text); `all` is a plain reference
  if (n && (n.op === "format" || n.op === "tokenize")) return n.params.split === undefined || n.params.split === "all" ? plainDataOf(dp, n.params.examples) : null;
  return id;
}

/** The data node a stage's `prompts` reads, whole or a split of it (PPO asks it in its format: `alignc data` shows it so). */
function promptsDataOf(dp: DataPlan, v: Json | undefined): string | null {
  const id = refOf(v);
  const n = id === null ? undefined : dp.nodes.get(id);
  if (!n) return null;
  return n.op === "format" || n.op === "tokenize" ? promptsDataOf(dp, n.params.examples) : n.id;
}

/** Stage nodes that train on `blockName`: directly, through a mixture, as PPO's prompts, or the stage itself (plan order). */
export function consumingStages(recipe: CheckedRecipe, blockName: string): string[] {
  const dp = dataPlanOf(recipe);
  const users = new Set([blockName]);
  for (const m of dp.nodes.values()) if (m.op === "mix" && componentsOf(dp, m).some((c) => c.id === blockName)) users.add(m.id);
  return [...dp.nodes.values()].filter((n) => n.kind === "stage" && (n.id === blockName || users.has(plainDataOf(dp, n.params.data) ?? "") || (n.op === "ppo" && promptsDataOf(dp, n.params.prompts) === blockName))).map((n) => n.id);
}

/**
 * The stage `alignc data` shows a block as (its chat format, tokenizer and context): `chosen` when
 * given (null when that stage does not train on the block), else the first stage (plan order) that
 * trains on it; `others`: the other stages that train on it, which may read it otherwise. For a block
 * no stage trains on: the recipe's default tokenizer and the context of a model on it, raw (stage null). `format` is undefined
 * where the block's own plan node carries it (a stage's data) or there is none.
 */
export async function shownAs(recipe: CheckedRecipe, blockName: string, chosen?: string): Promise<{ stage: string | null; others: string[]; tok: Tokenizer; context: number | undefined; format: ChatFormat | undefined } | null> {
  const dp = dataPlanOf(recipe);
  const readers = consumingStages(recipe, blockName);
  if (chosen !== undefined && !readers.includes(chosen)) return null;
  const stage = chosen ?? readers[0];
  // a block no stage trains on: the context of a model on the recipe's default tokenizer, chosen as it is
  // (blind to names), so its lengths and the context they are held to come from one model (review34 M2)
  const unread = stage === undefined ? defaultModelId(dp.nodes.values(), (id) => keyOf(dp, id)) : undefined;
  const model = stage !== undefined ? modelOf(dp, nodeOf(dp, stage)) : unread !== undefined ? nodeOf(dp, unread) : undefined;
  const context = model ? numP(model.params.context) : undefined;
  if (stage === undefined) return { stage: null, others: [], tok: await recipeTokenizer(recipe), context, format: undefined };
  // the stage's format as the plan resolved it (written, or inherited from its init); a stage's own
  // data carries it already, and is built before its template is read (a bad row is said first)
  const format = stage === blockName ? undefined : chatFormatOf(dp, nodeOf(dp, stage).params.format);
  return { stage, others: readers.filter((x) => x !== stage), tok: await tokenizerOf(dp, stage), context, format };
}
