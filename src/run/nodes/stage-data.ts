// A training stage's token data, built from the recipe by the data layer: once per stage and run
// (memoised), first in prepare() so data errors stop the run before its directory exists. No
// TensorFlow.js here: a run whose stages are all cached never loads it.
import type { CheckedBlock } from "../../check/ir.js";
import { buildExamples } from "../../data/build.js";
import { groupPairs } from "../../data/rankings.js";
import type { ChatFormat, Tokenizer } from "../../data/types.js";
import type { TokenComparisonGroup, TokenSequence } from "../../train/batch.js";
import { contextOf, numProp, stageFormat, tokenizerFor, memoPerBlock, type HandlerEnv } from "./env.js";
import { comparisons, lmData, prompts, promptTokens, stageLmData, tokenGroups, type LmData } from "./tokens.js";

/** Stage data, built once per node (prepare() builds it before the run directory exists). */
export type StageData =
  | { kind: "lm"; data: LmData; tok: Tokenizer }
  | { kind: "rm"; train: TokenComparisonGroup[]; heldout: TokenComparisonGroup[]; tok: Tokenizer }
  | { kind: "ppo"; prompts: number[][]; answers: (string | undefined)[]; ptx: TokenSequence[]; tok: Tokenizer; fmt: ChatFormat };

export const stageData = memoPerBlock(buildStageData);

async function buildStageData(env: HandlerEnv, b: CheckedBlock): Promise<StageData> {
  const tok = await tokenizerFor(env, b.name);
  // a stage's max_length truncates its sequences below the model's context (never above it: the checker says so)
  const context = Math.min(contextOf(env, b.name), numProp(b, "max_length", Infinity));
  const fmt = stageFormat(env, b);
  switch (b.kind) {
    case "pretrain":
      return { kind: "lm", data: await stageLmData(env, b, "data", fmt, tok, context, "all"), tok };
    case "sft": {
      const lossOn = b.props.loss_on === "all" ? "all" : "response";
      return { kind: "lm", data: await stageLmData(env, b, "data", fmt, tok, context, lossOn), tok };
    }
    case "reward_model":
    case "dpo": {
      const c = await comparisons(env, b, "data");
      // `pairs = adjacent` trains on neighbouring rank levels only; held-out accuracy keeps every pair
      const mode = b.props.pairs === "adjacent" ? "adjacent" : "all";
      const train = c.train.map((g) => ({ ...g, pairs: groupPairs(g, mode) })).filter((g) => g.pairs.length > 0);
      return { kind: "rm", train: tokenGroups(train, fmt, tok, context), heldout: tokenGroups(c.heldout, fmt, tok, context), tok };
    }
    case "ppo": {
      const maxNew = numProp(b, "max_new_tokens", 24);
      const ps = await prompts(env, b, "prompts");
      const promptIds = ps.train.map((p) => promptTokens(fmt, tok, p.prompt, p.system, Math.max(1, context - maxNew)));
      let ptx: TokenSequence[] = [];
      if (b.props.ptx_data !== undefined && numProp(b, "ptx_coef", 0) > 0) {
        const built = await buildExamples(env.recipe, b.name, { prop: "ptx_data", format: fmt });
        ptx = lmData(built, tok, context).train;
      }
      // the reference answer of each prompt (its best-ranked response), for the rule reward and rule_score
      const answers = ps.train.map((p) => (p.response.trim() ? p.response : undefined));
      return { kind: "ppo", prompts: promptIds, answers, ptx, tok, fmt };
    }
    default:
      throw new Error(`stage kind ${b.kind} has no executor`);
  }
}

