// A ppo stage's trainer from its block: the reward (a reward-model stage, or the demo rule scoring
// decoded responses against the prompts' reference answers), the advantage estimator, and the
// greedy probe on a fixed set of PPO's own (training) prompts: before and after, and during training
// the policy's rule-judged win rate over the starting model there (a learning curve, not a held-out figure).
import { refOf, type StagePpoParams } from "../../plan/params.js";
import { ruleOutcome, ruleReward } from "../evaluation/rule-judge.js";
import { ruleReference } from "../evaluation/eval-metrics.js";
import { winRate } from "../evaluation/stats.js";
import type { NodeContext, NodeOutput } from "../handler.js";
import { decodeResponse } from "./decode.js";
import { ppoConfigOf } from "../../plan/engine-configs.js";
import type { HandlerEnv } from "./env.js";
import { networkOf } from "./models.js";
import type { StageData } from "./stage-data.js";
import { createTrainer, FULL_DISTRIBUTION, generateAll, scoreSequences, type Gpt, type Trainer, type TrainConfig } from "./train-api.js";
import { greedyAnswers } from "./greedy.js";
import { rewardReader, type RewardReader } from "./reward-reader.js";

/** PPO prompts whose greedy answers are scored before and after the stage (evenly spaced, fixed). */
const PPO_PROBE = 64;

type PpoData = Extract<StageData, { kind: "ppo" }>;

export interface PpoSetup {
  trainer: Trainer;
  evalBefore: Record<string, number>;
  evalAfter: () => Record<string, number>;
  /** logged during training (null without reference answers): the probe's rule win rate over the start */
  during: (() => Record<string, number>) | null;
  owned: { dispose(): void }[];
}

/**
 * The demo rule as a reward function over decoded responses; null when some prompt has no reference
 * answer. A reference written with the preamble (a demonstration's `Sure! Here is 7`) means its concise
 * answer, as the rule judge and the rule labeler read it (ruleReference): else the concise right answer
 * would be scored wrong and the preamble one right.
 */
export function ruleScorer(data: Pick<PpoData, "answers" | "tok" | "fmt">): ((idx: readonly number[], resp: readonly number[][]) => number[]) | null {
  if (data.answers.some((a) => a === undefined)) return null;
  const refs = data.answers.map((a) => ruleReference(a!));
  return (idx, resp) => idx.map((i, j) => ruleReward(decodeResponse(resp[j]!, data.tok, data.fmt), refs[i]!));
}


/** `init`: the starting network, loaded from `initOut` (its node output, which names it in the generation cache). */
export async function ppoSetup(env: HandlerEnv, ctx: NodeContext, p: StagePpoParams, init: Gpt, initOut: NodeOutput, data: PpoData, cfg: TrainConfig): Promise<PpoSetup> {
  const owned: { dispose(): void }[] = [];
  try {
    return await setup(env, ctx, p, init, initOut, data, cfg, owned);
  } catch (err) {
    // runStage frees what the setup returns; a throw before that (the trainer refusing its input, the
    // greedy probe failing) frees the reward model and the trainer here (leakL41)
    for (const d of owned.reverse()) d.dispose();
    throw err;
  }
}

async function setup(env: HandlerEnv, ctx: NodeContext, p: StagePpoParams, init: Gpt, initOut: NodeOutput, data: PpoData, cfg: TrainConfig, owned: { dispose(): void }[]): Promise<PpoSetup> {
  const rule = ruleScorer(data);
  const rewardProp = p.reward;
  let reward: Gpt | NonNullable<typeof rule>;
  let rm: Gpt | null = null;
  let readRm: RewardReader | undefined;
  if (rewardProp === "rule") {
    if (!rule) throw new Error(`${ctx.node.id}: reward = "rule" needs a reference answer for every prompt (${data.answers.filter((a) => a === undefined).length} of ${data.answers.length} have none)`);
    reward = rule;
  } else {
    const rewardName = refOf(rewardProp);
    if (!rewardName) throw new Error(`${ctx.node.id}: no reward model`);
    rm = await networkOf(env, ctx.plan, await ctx.input(rewardName));
    owned.push(rm);
    reward = rm;
    readRm = rewardReader(ctx.plan, rewardName);
  }
  const maxNew = p.max_new_tokens;
  const trainer = createTrainer("ppo", {
    init,
    reward,
    // the rule score of every rollout, logged beside the reward (cheap: string comparisons)
    monitor: rule ?? undefined,
    prompts: data.prompts,
    ptx: data.ptx,
    pad: data.tok.pad,
    ...(readRm ? { rewardSequences: readRm } : {}),
    train: cfg,
    ppo: ppoConfigOf(p, data.tok.eos),
  });
  owned.push(trainer);
  // greedy answers to a fixed probe of PPO's own prompts (training prompts, not held out): the
  // reward model's mean score and/or the mean rule reward, before and after, and as greedy_reward
  // the one of the two the stage optimises
  const stride = Math.max(1, Math.floor(data.prompts.length / PPO_PROBE));
  const probeIdx = data.prompts.map((_, i) => i).filter((i) => i % stride === 0).slice(0, PPO_PROBE);
  const ps = probeIdx.map((i) => data.prompts[i]!);
  const greedy = { maxNewTokens: maxNew, eos: data.tok.eos, pad: data.tok.pad, batchSize: 32 };
  const probeScores = (answers: number[][]): Record<string, number> => {
    const out: Record<string, number> = {};
    if (rm) {
      const s = scoreSequences(rm, ps.map((p, i) => readRm!(p, [answers[i]!])[0]!), { pad: data.tok.pad }); // one answer a prompt
      out.greedy_rm_score = s.reduce((a, x) => a + x, 0) / s.length;
    }
    if (rule) {
      const s = rule(probeIdx, answers);
      out.greedy_rule_score = s.reduce((a, x) => a + x, 0) / s.length;
    }
    // the reward this stage optimises, whichever it is: the gate a no-op PPO fails reads this one
    out.greedy_reward = rm ? out.greedy_rm_score! : out.greedy_rule_score!;
    return out;
  };
  // before: the starting network's answers, shared with every run that starts PPO from it (the
  // generation cache); after: the trained policy's, which nothing else reads
  const startAnswers = await greedyAnswers(env, ctx, initOut, init, ps, greedy);
  const before = probeScores(startAnswers);
  const policyAnswers = () => generateAll(trainer.model, ps, { ...greedy, temperature: 0, ...FULL_DISTRIBUTION });
  // the curve issue 12 asks for: greedy answers judged by the rule against the starting model's on the
  // same probe prompts, every tenth of the run (greedy decoding draws nothing from the rollouts' stream)
  const texts = (answers: number[][]) => answers.map((a) => decodeResponse(a, data.tok, data.fmt));
  const startTexts = texts(startAnswers);
  const refs = probeIdx.map((i) => ruleReference(data.answers[i] ?? ""));
  // ties ½, as the rule judge counts them (the starting model against itself: exactly 0.5)
  const probeVerdict = (answers: number[][]) => winRate(texts(answers).map((x, j) => ruleOutcome(x, startTexts[j]!, refs[j]!)));
  // every point of the curve with its counts and sign test, the end's included: a win rate is never given bare
  const verdict = (answers: number[][]): Record<string, number> => {
    const v = probeVerdict(answers);
    return { greedy_rule_win_rate: v.win_rate, greedy_rule_wins: v.wins, greedy_rule_ties: v.ties, greedy_rule_losses: v.losses, greedy_rule_p_value: v.p_value };
  };
  const during = rule ? () => verdict(policyAnswers()) : null;
  const after = () => {
    const answers = policyAnswers();
    return { ...probeScores(answers), ...(rule ? verdict(answers) : {}) };
  };
  return { trainer, evalBefore: before, evalAfter: after, during, owned: owned.filter((d) => d !== trainer) };
}
