// The training engine as the node handlers use it (one import point, so this is the only module
// of src/run/nodes that loads TensorFlow.js; it is imported lazily by the handlers).
export {
  tf,
  createTrainer,
  loadTrainerState,
  saveTrainerState,
  saveModel,
  loadModel,
  rmAccuracy,
  constantLoss,
  scoreSequences,
  generateAll,
  generateAllAsync,
  FULL_DISTRIBUTION,
  Gpt,
  type StepMetrics,
  type Trainer,
  type TrainConfig,
  type PpoOptions,
} from "../../train/index.js";
export { lmLoss as evaluateLm } from "../../train/index.js";
