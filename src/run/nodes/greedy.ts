// Greedy answers through the generation cache (src/run/storage/generation-cache.ts), for every
// handler that decodes greedily: the win-rate judges, accuracy, PPO's probe before training. The key
// is built here, where the model's node output, the backend and the plan's engine are known; the
// model itself is loaded only when the answers are not stored.
import type { NodeContext, NodeOutput } from "../handler.js";
import { readEntryMeta } from "../storage/cache.js";
import { generationKey, type GreedyDecode } from "../storage/generation-cache.js";
import type { HandlerEnv } from "./env.js";
import { MODEL_FILE } from "./models.js";
import { backendLabel } from "../../common/tfjs-version.js";
import { FULL_DISTRIBUTION, generateAllAsync, type Gpt } from "./train-api.js";

/** The settings of a greedy decode besides the distribution (greedy reads no top-k/p: kept in the key anyway). */
export type GreedySettings = Pick<GreedyDecode, "maxNewTokens" | "eos" | "pad" | "batchSize">;

/** The model a node output stands for, as a generation key names it: its node and, for a trained one, its
 * weights' sha256, as the entry generation this run resolved records it: the generation networkOf loads
 * (or refuses, AL5003), not what entry.json says now (another run's --force may have replaced it since,
 * and answers of one model were then stored under the other's sha256). */
function modelIdentity(out: NodeOutput): { node: string; weights: string | null } {
  if (!out.dir) return { node: out.node.hash, weights: null }; // initial weights, built from the node's parameters
  const rec = (out.files ?? readEntryMeta(out.dir)?.files)?.[MODEL_FILE];
  if (!rec) throw new Error(`node ${out.node.id}: its cache entry records no ${MODEL_FILE}`);
  return { node: out.node.hash, weights: rec.sha256 };
}

/**
 * The greedy answers (token ids, EOS included when emitted) of the model behind `out` to `prompts`,
 * exactly as generateAll would give them. `model`: the loaded network (the caller keeps it), or a
 * loader called only on a miss (the network is then disposed here).
 */
export async function greedyAnswers(env: HandlerEnv, ctx: NodeContext, out: NodeOutput, model: Gpt | (() => Promise<Gpt>), prompts: number[][], s: GreedySettings): Promise<number[][]> {
  const decode: GreedyDecode = { ...s, temperature: 0, ...FULL_DISTRIBUTION };
  // the backend with its TensorFlow.js release: answers of another release are not these
  const backend = backendLabel(env.backend.selected ?? (await env.backend.ensure()));
  const identity = modelIdentity(out);
  const key = generationKey({ model: identity, prompts, decode, engine: ctx.plan.engine, backend });
  return ctx.generations.getOrGenerate(key, prompts.length, async () => {
    const m = typeof model === "function" ? await model() : model;
    try {
      return await generateAllAsync(m, prompts, decode);
    } finally {
      if (typeof model === "function") m.dispose();
    }
  }, identity.node);
}

