// Model kinds: the architecture a stage trains.
// One keyword of the kinds table (src/check/kinds.ts, which says what a schema here means).
import { bound, callSchema, int, MAX_CONTEXT, num, refSchema, str, type KindSpec } from "../kind-schemas.js";

export const MODEL_KINDS: Record<string, KindSpec> = {
  gpt: {
    props: {
      tokenizer: refSchema(["tokenizer"], "tokenizer whose vocabulary sizes the embedding"),
      layers: int("transformer blocks; 2 fits the 10-minute quickstart on 2 cores", { minimum: 1, default: 2 }),
      d_model: int("residual width; 128 keeps wasm matmuls efficient", { minimum: 1, default: 128 }),
      heads: int("attention heads; d_model must divide by it", { minimum: 1, default: 4 }),
      context: int("maximum sequence length in tokens", { minimum: 2, ...MAX_CONTEXT, default: 64 }),
      dropout: num("0: tiny models on tiny data underfit before they overfit; pretrain, SFT, reward model and DPO train with it, PPO without (its old and new log-probabilities must be comparable)", { minimum: 0, exclusiveMaximum: 1, default: 0 }),
      init_std: num("normal init std (GPT-2)", { exclusiveMinimum: 0, ...bound(10, "an init std past 10 is 500 times GPT-2's 0.02: the first forward pass overflows"), default: 0.02 }),
      weights: callSchema(["safetensors"], "start from a safetensors checkpoint (alignc's or GPT-2's layout)"),
      hf: str("Hugging Face model id or local directory that `alignc export` starts from"),
    },
    required: ["tokenizer"],
  },
};
