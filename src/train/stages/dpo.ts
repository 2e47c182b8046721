// DPO: a trainable copy of SFT against a frozen one, on preference pairs (Rafailov et al. 2023).
import { checkTokens, type TokenComparisonGroup } from "../batch.js";
import { trainConfig, type TrainConfig } from "../config.js";
import { TrainInputError } from "../errors.js";
import type { Gpt } from "../model.js";
import { Trainer, type StepMetrics } from "../trainer.js";
import { pairCredit } from "../../common/pair-credit.js";
import { dpoMargins, packPairs, type PreferencePair } from "./dpo-loss.js";

export type { PreferencePair } from "./dpo-loss.js";

export interface DpoStageInput {
  /** SFT network: the policy is a trainable copy, the reference a frozen one. */
  init: Gpt;
  /** Preference pairs, or comparison groups flattened into their pairs. */
  pairs?: PreferencePair[];
  groups?: TokenComparisonGroup[];
  /** DPO β (the recipe's `beta`): strength of the implicit KL constraint. */
  beta: number;
  train: TrainConfig;
  /** The tokenizer's padding token. */
  pad: number;
}

export function pairsOfGroups(groups: TokenComparisonGroup[]): PreferencePair[] {
  return groups.flatMap((g) => g.pairs.map(([w, l]) => ({ prompt: g.prompt, chosen: g.responses[w]!, rejected: g.responses[l]! })));
}

export class DpoTrainer extends Trainer {
  readonly kind = "dpo" as const;
  readonly model: Gpt;
  readonly reference: Gpt;
  private readonly pairs: PreferencePair[];
  private readonly beta: number;
  private readonly pad: number;

  constructor(input: DpoStageInput) {
    super(trainConfig(input.train));
    this.pairs = [...(input.pairs ?? []), ...pairsOfGroups(input.groups ?? [])];
    if (this.pairs.length === 0) throw new TrainInputError("dpo: no preference pairs");
    for (const p of this.pairs) for (const s of [p.prompt, p.chosen, p.rejected]) checkTokens(s, input.init.config.vocabSize, "dpo");
    this.beta = input.beta;
    this.pad = input.pad;
    this.model = input.init.clone(["lm"]);
    this.reference = input.init.clone(["lm"], 0, false);
    this.initOptimizer(this.pairs.length);
  }

  step(): StepMetrics {
    return this.accumulatedStep(
      (_, seed) => {
        const ps = this.order.next(this.cfg.batchSize).map((i) => this.pairs[i]!);
        const b = packPairs(ps, this.model.config.context, this.pad);
        // each share scores its own pairs under the reference (shard.ts: dpoShardLoss)
        return { tokens: b.tokens, shard: { kind: "dpo", pairs: ps, beta: this.beta, pad: this.pad, dropoutSeed: seed } };
      },
      (aux) => ({ batch_accuracy: aux.accuracy!, margin: aux.margin! }), // the training batch's (its summary's `accuracy` is the held-out pairs')
    );
  }

  /** Share of the groups' pairs (pooled: DPO trains on pairs, each alike, where a reward model weighs groups) whose implicit reward
   * margin orders them as labelled; a tie counts ½, so the untrained policy (the reference) scores 0.5. */
  heldoutAccuracy(groups: TokenComparisonGroup[]): number {
    const ps = pairsOfGroups(groups);
    if (ps.length === 0) return NaN;
    const margins = dpoMargins(this.model, this.reference, ps, this.beta, this.pad);
    return margins.reduce((s, m) => s + pairCredit(m, 0), 0) / margins.length;
  }

  protected override frozenFor(net: Gpt): Gpt | null {
    return net === this.model ? this.reference : null;
  }

  override dispose(): void {
    super.dispose();
    this.reference.dispose();
  }
}

