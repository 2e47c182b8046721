// A training stage's token data, built from the recipe by the data layer: once per stage and run
// (memoised), first in prepare() so data errors stop the run before its directory exists. No
// TensorFlow.js here: a run whose stages are all cached never loads it.
import { buildExamples } from "../../data/build.js";
import { groupPairs } from "../../data/rankings.js";
import { truncatePolicy } from "../../data/truncation.js";
import type { ChatFormat, SkippedRows, Tokenizer } from "../../data/types.js";
import type { TokenComparisonGroup, TokenSequence } from "../../train/batch.js";
import { paramsOf } from "../../plan/params.js";
import type { Plan, PlanNode } from "../../plan/types.js";
import { blockOf, contextOf, stageFormat, tokenizerFor, memoPerNode, type HandlerEnv } from "./env.js";
import { comparisons, lmData, prompts, promptTokens, stageLmData, tokenGroups, type LmData } from "./tokens.js";

/** Stage data, built once per node (prepare() builds it before the run directory exists). */
/** `skipped`: rows the stage's sources left out under on_error = "skip", for the run record. */
export type StageData = { skipped?: SkippedRows[] } & (
  | { kind: "lm"; data: LmData; tok: Tokenizer }
  | { kind: "rm"; train: TokenComparisonGroup[]; heldout: TokenComparisonGroup[]; tok: Tokenizer }
  | { kind: "ppo"; prompts: number[][]; answers: (string | undefined)[]; ptx: TokenSequence[]; tok: Tokenizer; fmt: ChatFormat }
);

export const stageData = memoPerNode(buildStageData);

async function buildStageData(env: HandlerEnv, plan: Plan, node: PlanNode): Promise<StageData> {
  const b = blockOf(env, node);
  const tok = await tokenizerFor(env, b.name);
  // a stage's max_length (resolved by the plan: its own, else the model's context) truncates its
  // sequences; never above the context (the checker says so)
  const context = Math.min(contextOf(plan, node), (node.params.max_length as number | undefined) ?? Infinity);
  const fmt = stageFormat(env, b);
  const truncate = truncatePolicy(node.params.truncate); // sft, reward_model, dpo (kinds.ts)
  switch (node.op) {
    case "pretrain":
      return lm(await stageLmData(env, b, "data", fmt, tok, context, "all"), tok);
    case "sft": {
      const lossOn = paramsOf(node, "stage.sft").loss_on;
      return lm(await stageLmData(env, b, "data", fmt, tok, context, lossOn, truncate), tok);
    }
    case "reward_model":
    case "dpo": {
      const c = await comparisons(env, b, "data");
      // `pairs = adjacent` trains on neighbouring rank levels only; held-out accuracy keeps every pair
      const mode = node.op === "reward_model" ? paramsOf(node, "stage.reward_model").pairs : "all";
      const train = c.train.map((g) => ({ ...g, pairs: groupPairs(g, mode) })).filter((g) => g.pairs.length > 0);
      return { kind: "rm", train: tokenGroups(train, fmt, tok, context, truncate), heldout: tokenGroups(c.heldout, fmt, tok, context, truncate), tok, ...(c.skipped ? { skipped: c.skipped } : {}) };
    }
    case "ppo": {
      const p = paramsOf(node, "stage.ppo");
      const maxNew = p.max_new_tokens;
      const ps = await prompts(env, b, "prompts");
      const promptIds = ps.train.map((p) => promptTokens(fmt, tok, p.prompt, p.system, Math.max(1, context - maxNew)));
      let ptx: TokenSequence[] = [];
      const skipped = [...(ps.skipped ?? [])];
      if (p.ptx_data !== undefined && p.ptx_coef > 0) {
        const built = await buildExamples(env.recipe, b.name, { prop: "ptx_data", format: fmt });
        const d = lmData(built, tok, context);
        ptx = d.train;
        skipped.push(...(d.skipped ?? []));
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
