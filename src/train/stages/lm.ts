// Pretraining and SFT: next-token loss on packed sequences (SFT on response tokens only).
import { packLm, type TokenSequence } from "../batch.js";
import { trainConfig, type TrainConfig } from "../config.js";
import type { Gpt } from "../model.js";
import { Trainer, type StepMetrics } from "../trainer.js";
import { prepareSequences } from "./common.js";

export interface LmStageInput {
  /** Network trained in place (pass a clone to keep the original). Needs the LM head. */
  model: Gpt;
  examples: TokenSequence[];
  train: TrainConfig;
  /** "response": loss where lossMask is 1 (InstructGPT/LIMA); "all": every token (pretrain). */
  lossOn: "response" | "all";
  /** The tokenizer's padding token. */
  pad: number;
  /** Batches of similar lengths (SFT's `group_by_length`: less padding); false: random batches. */
  groupByLength: boolean;
}

export class LmTrainer extends Trainer {
  readonly model: Gpt;
  private readonly examples: TokenSequence[];
  private readonly pad: number;

  constructor(
    readonly kind: "pretrain" | "sft",
    input: LmStageInput,
  ) {
    super(trainConfig(input.train));
    this.model = input.model;
    this.examples = prepareSequences(input.examples, input.model, kind, input.lossOn);
    this.pad = input.pad;
    // a row pads its batch to its input length: tokens − 1, at most the context (packLm)
    const context = input.model.config.context;
    this.initOptimizer(this.examples.length, input.groupByLength ? this.examples.map((e) => Math.min(e.tokens.length - 1, context)) : undefined);
  }

  step(): StepMetrics {
    return this.accumulatedStep((_, seed) => {
      const b = packLm(this.order.next(this.cfg.batchSize).map((i) => this.examples[i]!), this.model.config.context, this.pad);
      return { tokens: b.tokens, shard: { kind: "lm", batch: b, dropoutSeed: seed } };
    });
  }
}
