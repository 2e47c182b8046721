// The reward model: the SFT trunk with a scalar head, trained on K-way rankings (InstructGPT §3.5):
// all K responses of a prompt in one forward, a pairwise log-sigmoid loss per ranked pair.
import { checkTokens, type TokenComparisonGroup } from "../batch.js";
import { trainConfig, type TrainConfig } from "../config.js";
import { TrainInputError } from "../errors.js";
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
        return { tokens, shard: { kind: "rm", groups: gs, pad: this.pad, dropoutSeed: seed } };
      },
      (aux) => ({ batch_accuracy: aux.accuracy! }), // the training batch's (its summary's `accuracy` is the held-out pairs')
    );
  }
}

