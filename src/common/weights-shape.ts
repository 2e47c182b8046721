// The shape of a weights file (`weights = safetensors(...)`), read from its header alone: no tensor
// data and no TensorFlow.js, so `plan` can hold a model block to its file before any compute
// (AL4023) and loading reads the same facts the plan was checked with.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { InputFileError, readRegularText, READ_LIMITS } from "../lang/read-file.js";
import { readSafetensorsHeader, SafetensorsError } from "./safetensors-header.js";

/** The metadata `format` of a model saved by alignc (src/train/checkpoint.ts). */
export const ALIGNC_MODEL_FORMAT = "alignc-gpt-1";

export interface WeightsShape {
  layout: "alignc" | "gpt2";
  vocabSize: number;
  context: number;
  layers: number;
  dModel: number;
  /** Attention heads; a GPT-2 file does not hold them, only a config.json beside it (else undefined). */
  heads: number | undefined;
}

/** A tensor's shape by GPT-2 name, with or without Hugging Face's `transformer.` prefix. */
export type Gpt2ShapeOf = (name: string) => readonly number[] | undefined;

/** GPT-2's dimensions from its tensors' shapes: wte [vocab, d], wpe [context, d], blocks h.0 … h.(L-1). */
export function gpt2Dims(shapeOf: Gpt2ShapeOf, file: string): { vocabSize: number; context: number; dModel: number; layers: number } {
  const wte = shapeOf("wte.weight");
  const wpe = shapeOf("wpe.weight");
  if (!wte || wte.length !== 2) throw new SafetensorsError(file, "GPT-2 tensor wte.weight is missing or not 2-D");
  if (!wpe || wpe.length !== 2) throw new SafetensorsError(file, "GPT-2 tensor wpe.weight is missing or not 2-D");
  let layers = 0;
  while (shapeOf(`h.${layers}.ln_1.weight`)) layers++;
  if (layers === 0) throw new SafetensorsError(file, "no GPT-2 blocks (h.0.ln_1.weight) found");
  return { vocabSize: wte[0]!, dModel: wte[1]!, context: wpe[0]!, layers };
}

/** GPT-2's `n_head` from the config.json beside its weights, if there is one. */
export function gpt2ConfigHeads(weightsPath: string): number | undefined {
  const cfg = join(dirname(weightsPath), "config.json");
  if (!existsSync(cfg)) return undefined;
  let text: string;
  try {
    // a regular file only: a FIFO or a device named config.json beside the weights blocked check and
    // plan in a read no signal stops; a real config.json is a few KB, so the recipe cap is ample
    text = readRegularText(cfg, READ_LIMITS.recipe, "model config");
  } catch (e) {
    if (e instanceof InputFileError) throw new SafetensorsError(cfg, e.withoutPath.replace(/^model config /, ""));
    throw e;
  }
  let heads: unknown;
  try {
    heads = (JSON.parse(text) as { n_head?: unknown } | null)?.n_head;
  } catch (e) {
    throw new SafetensorsError(cfg, `is not JSON: ${(e as Error).message}`);
  }
  if (heads === undefined) return undefined;
  if (!Number.isSafeInteger(heads) || (heads as number) < 1) throw new SafetensorsError(cfg, `n_head is ${JSON.stringify(heads)}, not a positive integer`);
  return heads as number;
}

/** The shape of an alignc checkpoint (its config metadata) or a GPT-2 file (its tensors' shapes). */
export function readWeightsShape(path: string): WeightsShape {
  const { entries, metadata } = readSafetensorsHeader(path);
  if (metadata.format === ALIGNC_MODEL_FORMAT) {
    let c: Partial<Record<"vocabSize" | "context" | "layers" | "dModel" | "heads", unknown>>;
    try {
      c = JSON.parse(metadata.config ?? "") as typeof c;
    } catch {
      throw new SafetensorsError(path, `an alignc checkpoint whose config metadata is not JSON`);
    }
    const dims = [c.vocabSize, c.context, c.layers, c.dModel, c.heads];
    if (!dims.every((d) => Number.isSafeInteger(d) && (d as number) > 0)) throw new SafetensorsError(path, "an alignc checkpoint whose config lacks vocabSize, context, layers, dModel or heads");
    const [vocabSize, context, layers, dModel, heads] = dims as number[];
    return { layout: "alignc", vocabSize: vocabSize!, context: context!, layers: layers!, dModel: dModel!, heads };
  }
  const shapeOf: Gpt2ShapeOf = (n) => (entries.get(n) ?? entries.get(`transformer.${n}`))?.shape;
  return { layout: "gpt2", ...gpt2Dims(shapeOf, path), heads: gpt2ConfigHeads(path) };
}
