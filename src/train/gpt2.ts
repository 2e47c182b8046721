// Hugging Face GPT-2 checkpoints (model.safetensors): `wte.weight`, `wpe.weight`,
// `h.N.ln_1.weight`, `h.N.attn.c_attn.weight` [d, 3d] in Conv1D orientation (x @ W, like ours),
// `h.N.attn.c_proj`, `h.N.mlp.c_fc`, `h.N.mlp.c_proj`, `ln_f` — optionally prefixed `transformer.`.
// c_attn is split into our separate q/k/v projections. GPT-2's BPE is data's gpt2() tokenizer (src/data/tokenizers.ts).
import { gptConfig } from "./config.js";
import { Gpt, initialValues, type HeadName } from "./model.js";
import { decodeSafetensors, readSafetensors, type NamedTensor } from "./safetensors.js";
import { gpt2ConfigHeads, gpt2Dims } from "../common/weights-shape.js";

export interface Gpt2LoadOptions {
  /** Attention heads (not recoverable from weight shapes); default: n_head of a config.json beside the file. */
  heads?: number;
  /** Heads to build (the LM head is tied to the loaded embedding); extra heads (reward/value) are freshly initialised from seed. */
  withHeads: HeadName[];
  /** Seeds the extra heads (the model node's seed). */
  seed: number;
}

/** Convert HF GPT-2 tensors to our parameter names (q/k/v split). */
export function gpt2ToParams(tensors: Map<string, NamedTensor>, file = "<gpt2>"): { values: Map<string, Float32Array>; vocabSize: number; context: number; dModel: number; layers: number } {
  const get = (name: string): NamedTensor => {
    const t = tensors.get(name) ?? tensors.get(`transformer.${name}`);
    if (!t) throw new Error(`${file}: GPT-2 tensor ${name} is missing`);
    return t;
  };
  const { vocabSize, context, dModel, layers } = gpt2Dims((n) => (tensors.get(n) ?? tensors.get(`transformer.${n}`))?.shape, file);
  const wte = get("wte.weight");
  const wpe = get("wpe.weight");
  const d = dModel;
  const values = new Map<string, Float32Array>();
  values.set("wte", wte.data).set("wpe", wpe.data);
  for (let i = 0; i < layers; i++) {
    const p = `h.${i}.`;
    for (const n of ["ln_1.weight", "ln_1.bias", "ln_2.weight", "ln_2.bias", "attn.c_proj.weight", "attn.c_proj.bias", "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias"])
      values.set(p + n, get(p + n).data);
    const w = get(p + "attn.c_attn.weight");
    const b = get(p + "attn.c_attn.bias");
    if (w.shape[0] !== d || w.shape[1] !== 3 * d) throw new Error(`${file}: ${p}attn.c_attn.weight has shape [${w.shape}], expected [${d}, ${3 * d}] (Conv1D orientation)`);
    ["q", "k", "v"].forEach((x, j) => {
      const out = new Float32Array(d * d);
      for (let r = 0; r < d; r++) out.set(w.data.subarray(r * 3 * d + j * d, r * 3 * d + (j + 1) * d), r * d); // columns j·d..(j+1)·d of [d, 3d]
      values.set(`${p}attn.${x}.weight`, out);
      values.set(`${p}attn.${x}.bias`, b.data.slice(j * d, (j + 1) * d));
    });
  }
  values.set("ln_f.weight", get("ln_f.weight").data).set("ln_f.bias", get("ln_f.bias").data);
  return { values, vocabSize, context, dModel, layers };
}

/**
 * GPT-2's own architecture (Radford et al. 2019; Hugging Face's GPT2Config): what its weights were
 * trained with, so not recipe parameters. Its initStd and dropout are placeholders: the plan's model
 * node carries both (the kinds table's defaults, 0.02 and 0, unless the recipe writes them) and
 * src/plan/engine-configs.ts (fileModelConfigOf) puts them in place of these.
 */
export const GPT2_ARCHITECTURE = { initStd: 0.02, lnEps: 1e-5, gelu: "tanh", tiedHead: true, dropout: 0 } as const;

/** Load a GPT-2 safetensors file as a Gpt with the tied LM head and GPT-2's tanh GELU. */
export function loadGpt2(path: string, opts: Gpt2LoadOptions): Gpt {
  return gpt2From(readSafetensors(path).tensors, path, opts);
}

/** GPT-2 weights from a file's bytes, read and checked by the caller (the run holds them to the plan's sha256). */
export function loadGpt2Bytes(bytes: Uint8Array, path: string, opts: Gpt2LoadOptions): Gpt {
  return gpt2From(decodeSafetensors(bytes, path).tensors, path, opts);
}

function gpt2From(tensors: Map<string, NamedTensor>, path: string, opts: Gpt2LoadOptions): Gpt {
  const p = gpt2ToParams(tensors, path);
  const heads = opts.heads ?? gpt2ConfigHeads(path);
  if (heads === undefined) throw new Error(`${path}: the number of attention heads is not in the weights; pass heads or put GPT-2's config.json beside the file`);
  const config = gptConfig({ vocabSize: p.vocabSize, context: p.context, layers: p.layers, dModel: p.dModel, heads, ...GPT2_ARCHITECTURE });
  const withHeads = opts.withHeads;
  const values = initialValues(config, withHeads, opts.seed, new Set(p.values.keys()));
  for (const [n, v] of p.values) values.set(n, v);
  return new Gpt(config, withHeads, values);
}
