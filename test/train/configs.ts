// Engine configs for tests, built the way `alignc run` builds them: the kinds table's defaults
// (src/check/kinds/, the one source of truth) put through the one mapping of src/plan/engine-configs.ts,
// then a test's own overrides. The engine has no defaults of its own, so a test that leaves a field
// out trains with what a recipe that leaves the property out would train with.
import { HEADER_PROPS, KINDS } from "../../src/check/kinds.js";
import type { ModelGptParams, StagePpoParams, TrainingParams } from "../../src/plan/params.js";
import { modelConfigOf, ppoConfigOf, trainConfigOf } from "../../src/plan/engine-configs.js";
import { gptConfig, trainConfig, type GptConfig, type TrainConfig } from "../../src/train/config.js";
import type { PpoOptions } from "../../src/train/stages/ppo.js";
import type { StageKind } from "../../src/train/trainer.js";

/** The properties of `<keyword>.<kind>` that the kinds table defaults, with their defaults (and the recipe's seed). */
function kindDefaults(keyword: string, kind: string): Record<string, unknown> {
  const spec = KINDS[keyword]?.[kind];
  if (!spec) throw new Error(`the kinds table has no ${keyword} ${kind}`);
  const out: Record<string, unknown> = { seed: HEADER_PROPS.seed!.default };
  for (const [name, schema] of Object.entries(spec.props)) if (schema.default !== undefined) out[name] = schema.default;
  return out;
}

/** A GPT config: `model … = gpt` with its defaults, then `over`. */
export function testGptConfig(over: Partial<GptConfig> & { vocabSize: number }): GptConfig {
  return gptConfig({ ...modelConfigOf(kindDefaults("model", "gpt") as unknown as ModelGptParams, over.vocabSize), ...over });
}

/**
 * A stage's training config: `stage … = <kind>` with its defaults (per kind: PPO's lr is 1e-5, the
 * reward model's batch_size 4 …), then `over`. `steps` is a test's own (the kinds table gives it no
 * default): 1 unless given.
 */
export function testTrainConfig(kind: StageKind, over: Partial<TrainConfig> = {}): TrainConfig {
  const params = { steps: 1, ...kindDefaults("stage", kind) } as unknown as TrainingParams;
  return trainConfig({ ...trainConfigOf(params, 1), ...over });
}

/** PPO's options: `stage … = ppo` with its defaults, then `over` (eos: none unless given). */
export function testPpoOptions(over: Partial<PpoOptions> = {}): PpoOptions {
  return { ...ppoConfigOf(kindDefaults("stage", "ppo") as unknown as StagePpoParams, undefined), ...over };
}
