// The reward model: the SFT trunk with a scalar head, trained on K-way rankings (InstructGPT §3.5):
// all K responses of a prompt in one forward, a pairwise log-sigmoid loss per ranked pair.
import { tf } from "../backend.js";
import { checkTokens, packScore, type TokenComparisonGroup } from "../batch.js";
import { trainConfig, type TrainConfig } from "../config.js";
import { TrainInputError } from "../errors.js";
import { rewardModelLoss } from "../losses.js";
import type { Gpt } from "../model.js";
import { Rng } from "../../common/rng.js";
import { Trainer, type StepMetrics } from "../trainer.js";

export interface RewardStageInput {
  /** SFT network: the trainer copies its trunk and replaces the LM head by a scalar head. */
  init: Gpt;
  groups: TokenComparisonGroup[];
  /** batchSize counts prompts (each with its K responses). */
  train: TrainConfig;
  /** The tokenizer's padding token. */
  pad: number;
}

function checkGroup(g: TokenComparisonGroup, vocab: number): void {
  checkTokens(g.prompt, vocab, "reward_model prompt");
  g.responses.forEach((r) => checkTokens(r, vocab, "reward_model response"));
  for (const [w, l] of g.pairs)
    if (!(w >= 0 && l >= 0 && w < g.responses.length && l < g.responses.length && w !== l))
      throw new TrainInputError(`comparison pair [${w}, ${l}] does not index two of the ${g.responses.length} responses`);
}

/** Each group's pair losses and margins, from one forward over all the groups' K responses (inside a tidy). */
function rmGroups(rm: Gpt, groups: TokenComparisonGroup[], pad: number, dropoutSeed?: number): { losses: tf.Scalar[]; margins: tf.Tensor1D; tokens: number } {
  const seqs = groups.flatMap((g) => g.responses.map((r) => [...g.prompt, ...r]));
  const b = packScore(seqs, rm.config.context, pad);
  const { h } = rm.hidden(tf.tensor2d(b.inputs, [b.B, b.T], "int32"), { dropoutSeed });
  const scores = rm.rewards(h, b.T, b.last); // [ΣK]
  let offset = 0;
  const losses: tf.Scalar[] = [];
  const margins: tf.Tensor1D[] = [];
  for (const g of groups) {
    const K = g.responses.length;
    const r = rewardModelLoss(tf.slice(scores, [offset], [K]) as tf.Tensor1D, g.pairs);
    losses.push(r.loss);
    margins.push(r.margins);
    offset += K;
  }
  return { losses, margins: tf.concat(margins), tokens: b.tokens };
}

/** Scores [K·G] of the K responses of each group (one forward over all of them) and the pair losses. */
function rmGroupLoss(rm: Gpt, groups: TokenComparisonGroup[], pad: number, dropoutSeed?: number): { loss: tf.Scalar; accuracy: tf.Scalar; tokens: number } {
  const { losses, margins, tokens } = rmGroups(rm, groups, pad, dropoutSeed);
  return {
    loss: tf.mean(tf.stack(losses)) as tf.Scalar,
    accuracy: tf.mean(tf.cast(tf.greater(margins, 0), "float32")) as tf.Scalar,
    tokens,
  };
}

/**
 * A data-parallel share of a reward-model batch (src/train/parallel): its groups' part of the batch
 * loss and accuracy, over the whole batch's group and pair counts, so the shares add up to the batch's.
 */
export function rmShardLoss(rm: Gpt, groups: TokenComparisonGroup[], pad: number, totals: { groups: number; pairs: number }, dropoutSeed?: number): { loss: tf.Scalar; aux: Record<string, tf.Scalar> } {
  const { losses, margins } = rmGroups(rm, groups, pad, dropoutSeed);
  return {
    loss: tf.div(tf.sum(tf.stack(losses)), totals.groups) as tf.Scalar,
    aux: { accuracy: tf.div(tf.sum(tf.cast(tf.greater(margins, 0), "float32")), totals.pairs) as tf.Scalar },
  };
}

export class RewardModelTrainer extends Trainer {
  readonly kind = "reward_model" as const;
  readonly model: Gpt;
  private readonly groups: TokenComparisonGroup[];
  private readonly pad: number;

  constructor(input: RewardStageInput) {
    super(trainConfig(input.train));
    this.groups = input.groups.filter((g) => g.pairs.length > 0);
    if (this.groups.length === 0) throw new TrainInputError("reward_model: no comparison group has a pair (all tied or empty)");
    for (const g of this.groups) checkGroup(g, input.init.config.vocabSize);
    this.model = input.init.clone(["reward"], Rng.derive(this.cfg.seed, 0x5c0e));
    this.pad = input.pad;
    this.initOptimizer(this.groups.length);
  }

  step(): StepMetrics {
    return this.accumulatedStep(
      (_, seed) => {
        const gs = this.order.next(this.cfg.batchSize).map((i) => this.groups[i]!);
        const tokens = gs.reduce((n, g) => n + g.responses.reduce((m, r) => m + g.prompt.length + r.length, 0), 0);
        return {
          tokens,
          shard: { kind: "rm", groups: gs, pad: this.pad, dropoutSeed: seed },
          loss: () => {
            const r = rmGroupLoss(this.model, gs, this.pad, seed);
            return { loss: r.loss, aux: { accuracy: r.accuracy } };
          },
        };
      },
      (aux) => ({ accuracy: aux.accuracy! }),
    );
  }
}

