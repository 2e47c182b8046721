// A training stage's token data, built by the data layer from the plan's data nodes: once per stage and run
// (memoised), first in prepare() so data errors stop the run before its directory exists. No
// TensorFlow.js here: a run whose stages are all cached never loads it.
import { chatFormatOf, dataPlanFromPlan, examplesOf, needReferences, promptsOf, buildParam } from "../../data/build.js";
import { locateNoResponseLeft } from "../../data/no-response-left.js";
import { nodeOf } from "../../data/plan-input.js";
import { groupPairs } from "../../data/rankings.js";
import { truncatePolicy, type TruncatePolicy } from "../../data/truncation.js";
import type { ChatFormat, SkippedRows, Tokenizer } from "../../data/types.js";
import type { TokenComparisonGroup, TokenSequence } from "../../train/batch.js";
import { paramsOf } from "../../plan/params.js";
import type { Plan, PlanNode } from "../../plan/types.js";
import { contextOf, tokenizerFor, memoPerNode, type HandlerEnv } from "./env.js";
import { lmData, promptTokens, skippedOf, tokenGroups, type LmData } from "./tokens.js";
import { pushAll } from "../../common/arrays.js";
import { lengthBaselines } from "../evaluation/eval-metrics.js";

/** Stage data, built once per node (prepare() builds it before the run directory exists). */
/** `skipped`: rows the stage's sources left out under on_error = "skip", for the run record. */
export type StageData = { skipped?: SkippedRows[] } & (
  | { kind: "lm"; data: LmData; tok: Tokenizer }
  // heldoutLengthBaseline: the held-out pairs ordered by response length alone, as rm_accuracy's length_baseline
  | { kind: "rm"; train: TokenComparisonGroup[]; heldout: TokenComparisonGroup[]; heldoutLengthBaseline?: number; tok: Tokenizer }
  | { kind: "ppo"; prompts: number[][]; answers: (string | undefined)[]; ptx: TokenSequence[]; tok: Tokenizer; fmt: ChatFormat }
);

export const stageData = memoPerNode(buildStageData);

/**
 * How long a stage's sequences may be and how they are cut: its max_length (resolved by the plan: its
 * own, else the model's context; never above the context, the checker says so; a plan whose model
 * declares no context carries null, and the context alone bounds it) and its `truncate` (sft,
 * reward_model, dpo: kinds.ts). An eval that scores a stage's model on the stage's kind of data
 * (rm_accuracy) cuts as the stage trained, so its figure and the stage's own held-out one agree.
 */
export function sequenceBounds(plan: Plan, node: PlanNode): { context: number; truncate: TruncatePolicy } {
  const maxLength = node.params.max_length;
  const context = typeof maxLength === "number" ? Math.min(contextOf(plan, node), maxLength) : contextOf(plan, node);
  return { context, truncate: truncatePolicy(node.params.truncate) };
}

async function buildStageData(env: HandlerEnv, plan: Plan, node: PlanNode): Promise<StageData> {
  // the examples come from the plan being run: the data nodes this stage's parameters reference
  const dp = dataPlanFromPlan(plan, env.recipe);
  const tok = await tokenizerFor(env, plan, node.id);
  const { context, truncate } = sequenceBounds(plan, node);
  const fmt = chatFormatOf(dp, node.params.format); // the stage's inlined chat format; null: raw
  switch (node.op) {
    case "pretrain":
      return lm(lmData(await examplesOf(dp, node.id, { prop: "data", format: fmt }), tok, context, "all", truncate), tok);
    case "sft": {
      const lossOn = paramsOf(node, "stage.sft").loss_on;
      const built = await examplesOf(dp, node.id, { prop: "data", format: fmt });
      // an example that keeps no response token: AL3030 at the stage's truncate / max_length (check and plan say so first, from their sampled counts)
      return lm(locateNoResponseLeft(dp, nodeOf(dp, node.id), context, () => lmData(built, tok, context, lossOn, truncate)), tok);
    }
    case "reward_model":
    case "dpo": {
      const built = await buildParam(dp, node, node.params.data, {}, `stage \`${node.id}\`.data`);
      if (built.kind !== "comparisons") throw new Error(`${node.id}.data: expected rankings or pairs, got ${built.kind} data`);
      const c = { train: built.train, heldout: built.heldout, ...skippedOf(built) };
      // `pairs = adjacent` trains on neighbouring rank levels only; held-out accuracy keeps every pair
      const mode = node.op === "reward_model" ? paramsOf(node, "stage.reward_model").pairs : "all";
      const train = c.train.map((g) => ({ ...g, pairs: groupPairs(g, mode) })).filter((g) => g.pairs.length > 0);
      const byLength = lengthBaselines(c.heldout).length_baseline;
      return { kind: "rm", train: tokenGroups(train, fmt, tok, context, truncate), heldout: tokenGroups(c.heldout, fmt, tok, context, truncate), ...(byLength !== undefined ? { heldoutLengthBaseline: byLength } : {}), tok, ...(c.skipped ? { skipped: c.skipped } : {}) };
    }
    case "ppo": {
      const p = paramsOf(node, "stage.ppo");
      const maxNew = p.max_new_tokens;
      const ps = await promptsOf(dp, node, "prompts");
      if (p.reward === "rule") needReferences(dp, node, "prompts", ps.train, '`reward = "rule"`');
      const promptIds = ps.train.map((p) => promptTokens(fmt, tok, p.prompt, p.system, Math.max(1, context - maxNew)));
      let ptx: TokenSequence[] = [];
      const skipped = [...(ps.skipped ?? [])];
      if (p.ptx_data !== undefined && p.ptx_data !== null && p.ptx_coef > 0) {
        const built = await examplesOf(dp, node.id, { prop: "ptx_data", format: fmt });
        // the ptx term is an LM loss on the ptx data as SFT scores it: response tokens of examples (a
        // corpus: every token), a long prompt cut first (PPO declares no truncate)
        const d = lmData(built, tok, context, "response", "prompt_first");
        ptx = d.train;
        pushAll(skipped, d.skipped ?? []);
      }
      // the reference answer of each prompt (its best-ranked response), for the rule reward and rule_score
      const answers = ps.train.map((p) => (p.response.trim() ? p.response : undefined));
      return { kind: "ppo", prompts: promptIds, answers, ptx, tok, fmt, ...(skipped.length ? { skipped } : {}) };
    }
    default:
      throw new Error(`stage kind ${node.op} has no executor`);
  }
}

function lm(data: LmData, tok: Tokenizer): StageData {
  return { kind: "lm", data, tok, ...(data.skipped ? { skipped: data.skipped } : {}) };
}
