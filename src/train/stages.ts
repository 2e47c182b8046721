// The five stages as Trainers, one file each under stages/; this module is their factory and the
// import point the rest of the engine uses. Inputs are token arrays; recipes are read by src/run.
import { TrainInputError } from "./errors.js";
import { DpoTrainer, type DpoStageInput } from "./stages/dpo.js";
import { LmTrainer, type LmStageInput } from "./stages/lm.js";
import { PpoTrainer, type PpoStageInput } from "./stages/ppo.js";
import { RewardModelTrainer, type RewardStageInput } from "./stages/reward-model.js";
import type { StageKind, Trainer } from "./trainer.js";

export { batchLogProbs, lmLossOf } from "./stages/common.js";
export { LmTrainer, type LmStageInput } from "./stages/lm.js";
export { RewardModelTrainer, type RewardStageInput } from "./stages/reward-model.js";
export { DpoTrainer, pairsOfGroups, type DpoStageInput, type PreferencePair } from "./stages/dpo.js";
export { PpoTrainer, type PpoOptions, type PpoStageInput, type RewardFunction } from "./stages/ppo.js";
export { leaveOneOut, rmsScale, rolloutAdvantages, RMS_FLOOR, type AdvantageMode, type AdvantageScale } from "./stages/advantages.js";

export type StageInput = {
  pretrain: LmStageInput;
  sft: LmStageInput;
  reward_model: RewardStageInput;
  ppo: PpoStageInput;
  dpo: DpoStageInput;
};

export function createTrainer<K extends StageKind>(kind: K, input: StageInput[K]): Trainer {
  switch (kind) {
    case "pretrain":
    case "sft":
      return new LmTrainer(kind, input as LmStageInput);
    case "reward_model":
      return new RewardModelTrainer(input as RewardStageInput);
    case "ppo":
      return new PpoTrainer(input as PpoStageInput);
    case "dpo":
      return new DpoTrainer(input as DpoStageInput);
    default:
      throw new TrainInputError(`unknown stage kind ${String(kind)}`);
  }
}
