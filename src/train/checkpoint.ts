// Checkpoints in safetensors: a model (weights + its config and heads in the metadata) or a whole
// trainer state (weights, Adam moments, step and batch position) for an exact resume.
import { gptConfig, type GptConfig } from "./config.js";
import { Gpt, type HeadName } from "./model.js";
import { decodeSafetensors, readSafetensors, writeSafetensors, type NamedTensor } from "./safetensors.js";
import type { TrainerState } from "./trainer.js";
import { ALIGNC_MODEL_FORMAT } from "../common/weights-shape.js";


export function saveModel(path: string, model: Gpt, extra: Record<string, string> = {}): void {
  const tensors = new Map<string, NamedTensor>();
  for (const [n, v] of model.params) tensors.set(n, { shape: v.shape, data: v.dataSync() as Float32Array });
  writeSafetensors(path, tensors, { ...extra, format: ALIGNC_MODEL_FORMAT, config: JSON.stringify(model.config), heads: JSON.stringify(model.heads) });
}

/** Load a model saved by saveModel (use loadGpt2 for Hugging Face GPT-2 files). */
export function loadModel(path: string): Gpt {
  return modelFrom(readSafetensors(path), path);
}

/** A model from the bytes of a file saveModel wrote (read and checked by the caller: a cache entry's
 * weights, held to the sha256 its entry recorded); `path` names it in errors. */
export function loadModelBytes(bytes: Uint8Array, path: string): Gpt {
  return modelFrom(decodeSafetensors(bytes, path), path);
}

function modelFrom({ tensors, metadata }: { tensors: Map<string, NamedTensor>; metadata: Record<string, string> }, path: string): Gpt {
  if (metadata.format !== ALIGNC_MODEL_FORMAT || !metadata.config) throw new Error(`${path}: not an alignc model checkpoint (no "${ALIGNC_MODEL_FORMAT}" metadata); for GPT-2 weights use loadGpt2`);
  const saved = JSON.parse(metadata.config) as Omit<GptConfig, "dropout"> & { dropout?: number };
  // checkpoints written before GptConfig had `dropout` trained without it: a file-format migration, not a default
  const config: GptConfig = gptConfig({ ...saved, dropout: saved.dropout ?? 0 });
  const heads = JSON.parse(metadata.heads ?? '["lm"]') as HeadName[];
  const values = new Map<string, Float32Array>();
  for (const [n, t] of tensors) values.set(n, t.data);
  return new Gpt(config, heads, values);
}

export function saveTrainerState(path: string, s: TrainerState, extra: Record<string, string> = {}): void {
  writeSafetensors(path, s.tensors, {
    ...extra,
    format: "alignc-trainer-1",
    state: JSON.stringify({ kind: s.kind, step: s.step, optimizerT: s.optimizerT, order: s.order }),
  });
}

export function loadTrainerState(path: string): TrainerState {
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.format !== "alignc-trainer-1" || !metadata.state) throw new Error(`${path}: not an alignc trainer state`);
  const s = JSON.parse(metadata.state) as Omit<TrainerState, "tensors">;
  return { ...s, tensors };
}
