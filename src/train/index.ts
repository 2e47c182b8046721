// The training engine on token arrays: backends, the GPT model, losses, stage trainers, sampling,
// evaluation and checkpoints. It does not read recipes (src/run wires plans to it).
export { tf, WASM_HEAP_BYTES, selectBackend, useBackend, availableBackends, activeBackend, BACKEND_ORDER, BackendUnavailableError, type BackendName } from "./backend.js";
export { gptConfig, trainConfig, parameterCount, trainFlopsPerToken, NATIVE_ARCHITECTURE, type GptConfig, type TrainConfig } from "./config.js";
export { Gpt, parameterShapes, initialValues, type HeadName, type KvCache } from "./model.js";
export * as losses from "./losses.js";
export { lrAt, Adam, ADAM_CONSTANTS } from "./optim.js";
export { Rng, type RngState } from "../common/rng.js";
export { BatchOrder } from "./batch-order.js";
export { packLm, packScore, chunkDocuments, type TokenSequence, type TokenComparisonGroup, type LmBatch } from "./batch.js";
export { Trainer, type StageKind, type StepMetrics, type TrainerState, type RunOptions } from "./trainer.js";
export {
  createTrainer,
  LmTrainer,
  RewardModelTrainer,
  PpoTrainer,
  DpoTrainer,
  pairsOfGroups,
  type StageInput,
  type LmStageInput,
  type RewardStageInput,
  type PpoStageInput,
  type DpoStageInput,
  type PpoOptions,
  type RewardFunction,
  type PreferencePair,
} from "./stages.js";
export { generate, sampleToken, FULL_DISTRIBUTION, type SampleOptions } from "./sample.js";
export { EVAL_BATCH_ROWS, type EvalOptions, lmLoss, constantLoss, scoreSequences, rmAccuracy, generateAll, generateAllAsync, exactMatch } from "./evaluate.js";
export { encodeSafetensors, decodeSafetensors, readSafetensors, writeSafetensors, SafetensorsError, type NamedTensor } from "./safetensors.js";
export { saveModel, loadModel, loadModelBytes, saveTrainerState, loadTrainerState } from "./checkpoint.js";
export { loadGpt2, loadGpt2Bytes, gpt2ToParams, type Gpt2LoadOptions } from "./gpt2.js";
export { NonFiniteError, TrainInputError } from "./errors.js";
export { THROUGHPUT, estimateTokensPerSecond, type ThroughputRow } from "./throughput.js";
