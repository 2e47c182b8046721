// Networks for the handlers: a model block's initial weights, or a finished stage's weights read
// from its cache entry (`model.safetensors`).
import { join } from "node:path";
import { gptConfig, Gpt, loadModel, loadGpt2 } from "../../train/index.js";
import type { NodeOutput } from "../handler.js";
import type { HandlerEnv } from "./env.js";
import { numProp, tokenizerFor } from "./env.js";
import { findBlock, isCall, pathArg } from "../../data/ir.js";

export const MODEL_FILE = "model.safetensors";

/** The network a node output stands for: a model block's initial weights or a stage's trained ones. */
export async function networkOf(env: HandlerEnv, out: NodeOutput): Promise<Gpt> {
  if (out.dir) return loadModel(join(out.dir, MODEL_FILE));
  if (out.node.kind === "model") return initialModel(env, out.node.block || out.node.id);
  throw new Error(`node ${out.node.id} holds no network`);
}

/** A model block's weights: from its `weights = safetensors(...)` file, else a seeded initialisation. */
export async function initialModel(env: HandlerEnv, name: string): Promise<Gpt> {
  const b = findBlock(env.recipe, name);
  const tok = await tokenizerFor(env, name);
  const w = b.props.weights;
  if (isCall(w) && w.$call === "safetensors") {
    const file = pathArg(env.recipe, w.args[0]);
    try {
      return loadModel(file);
    } catch {
      return loadGpt2(file);
    }
  }
  const config = gptConfig({
    vocabSize: tok.vocabSize,
    context: numProp(b, "context", 64),
    layers: numProp(b, "layers", 2),
    dModel: numProp(b, "d_model", 128),
    heads: numProp(b, "heads", 4),
    initStd: numProp(b, "init_std", 0.02),
  });
  return Gpt.init(config, ["lm"], env.recipe.seed);
}
