// A GPT-2-style decoder in tf ops: token + position embeddings, pre-LN blocks with causal multi-head
// attention (separate q/k/v projections: splitting a fused QKV is slow on wasm) and a GELU MLP, a
// final LayerNorm, and three heads: LM (tied to the token embedding), scalar reward, per-token value.
// Activations are kept rank 2 ([B·T, C]) so every projection is a fast rank-2 matmul.
import { tf } from "./backend.js";
import type { GptConfig } from "./config.js";
import { causalBias, multiHeadAttention } from "./attention.js";
import { gatherRows, gelu, layerNorm, linear, matmul2d, transpose2d } from "./ops.js";
import { Rng } from "../common/rng.js";


export type HeadName = "lm" | "reward" | "value";

/** Per-layer cached keys and values, each [B, Tpast, C] (heads not split). Owned by the caller (dispose()). */
export interface KvCache {
  layers: { k: tf.Tensor3D; v: tf.Tensor3D }[];
  length: number;
}

export function disposeCache(cache: KvCache | undefined): void {
  if (!cache) return;
  for (const l of cache.layers) {
    l.k.dispose();
    l.v.dispose();
  }
}

export interface ForwardOptions {
  /** Position ids [B, T] (int32); default 0..T-1 offset by the cache length. */
  positions?: tf.Tensor2D;
  /** Additive bias on keys [B, Tk] (0 or a large negative) for left-padded prompts. */
  keyBias?: tf.Tensor2D;
  /** Past keys/values; when given, the result carries the extended cache. */
  cache?: KvCache;
  /** Training forward: apply config.dropout with masks drawn from this seed (absent: no dropout). */
  dropoutSeed?: number;
}

/** Parameter names, HF GPT-2 style except q/k/v (split) and the extra heads. */
export function parameterShapes(c: GptConfig, heads: readonly HeadName[]): Map<string, number[]> {
  const d = c.dModel;
  const m = new Map<string, number[]>();
  m.set("wte", [c.vocabSize, d]);
  m.set("wpe", [c.context, d]);
  for (let i = 0; i < c.layers; i++) {
    const p = `h.${i}.`;
    m.set(p + "ln_1.weight", [d]).set(p + "ln_1.bias", [d]);
    for (const x of ["q", "k", "v", "c_proj"]) m.set(`${p}attn.${x}.weight`, [d, d]).set(`${p}attn.${x}.bias`, [d]);
    m.set(p + "ln_2.weight", [d]).set(p + "ln_2.bias", [d]);
    m.set(p + "mlp.c_fc.weight", [d, 4 * d]).set(p + "mlp.c_fc.bias", [4 * d]);
    m.set(p + "mlp.c_proj.weight", [4 * d, d]).set(p + "mlp.c_proj.bias", [d]);
  }
  m.set("ln_f.weight", [d]).set("ln_f.bias", [d]);
  if (heads.includes("lm") && !c.tiedHead) m.set("lm_head.weight", [d, c.vocabSize]);
  if (heads.includes("reward")) m.set("score.weight", [d, 1]).set("score.bias", [1]);
  if (heads.includes("value")) m.set("value.weight", [d, 1]).set("value.bias", [1]);
  return m;
}

/** GPT-2 init from our own seeded stream (identical on every backend). */
export function initialValues(c: GptConfig, heads: readonly HeadName[], seed: number, skip?: ReadonlySet<string>): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const out = new Map<string, Float32Array>();
  const residualStd = c.initStd / Math.sqrt(2 * c.layers);
  for (const [name, shape] of parameterShapes(c, heads)) {
    if (skip?.has(name)) continue;
    const n = shape.reduce((a, b) => a * b, 1);
    const a = new Float32Array(n);
    if (name.endsWith("ln_1.weight") || name.endsWith("ln_2.weight") || name === "ln_f.weight") a.fill(1);
    else if (name.endsWith(".bias")) a.fill(0);
    else if (name === "score.weight" || name === "value.weight") for (let i = 0; i < n; i++) a[i] = rng.normal() / Math.sqrt(c.dModel + 1);
    else {
      const std = name.endsWith("c_proj.weight") ? residualStd : c.initStd;
      for (let i = 0; i < n; i++) a[i] = rng.normal() * std;
    }
    out.set(name, a);
  }
  return out;
}

export class Gpt {
  readonly params: Map<string, tf.Variable>;

  constructor(
    readonly config: GptConfig,
    readonly heads: readonly HeadName[],
    values: Map<string, Float32Array>,
  ) {
    this.params = new Map();
    const shapes = parameterShapes(config, heads);
    // every value checked before any variable is made: a refused file (a missing or misshapen
    // parameter) would otherwise leave the variables made before it registered (leakL41)
    for (const [name, shape] of shapes) {
      const v = values.get(name);
      if (!v) throw new Error(`model: missing parameter ${name}`);
      if (v.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`model: parameter ${name} has ${v.length} values, expected shape [${shape}]`);
    }
    for (const [name, shape] of shapes) {
      const v = values.get(name)!;
      // in a tidy: tf.variable keeps its own reference to the data, and the initial tensor would
      // otherwise stay registered after the variable is disposed (half a model's tensors leaked)
      this.params.set(name, tf.tidy(() => tf.variable(tf.tensor(v, shape), true, undefined, "float32")));
    }
  }

  static init(config: GptConfig, heads: readonly HeadName[], seed: number): Gpt {
    return new Gpt(config, heads, initialValues(config, heads, seed));
  }

  p<R extends tf.Rank>(name: string): tf.Tensor<R> {
    const v = this.params.get(name);
    if (!v) throw new Error(`model: no parameter ${name}`);
    return v as unknown as tf.Tensor<R>;
  }

  /** Copies of the weights (read back from the backend). */
  values(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.params) out.set(name, v.dataSync() as Float32Array);
    return out;
  }

  /** Overwrite weights present in `values` (shapes must match). */
  load(values: Map<string, Float32Array>): void {
    for (const [name, v] of this.params) {
      const a = values.get(name);
      if (!a) continue;
      if (a.length !== v.size) throw new Error(`model: parameter ${name} has ${a.length} values, expected ${v.size}`);
      tf.tidy(() => v.assign(tf.tensor(a, v.shape)));
    }
  }

  /** A frozen (non-trainable) copy with the given heads; heads absent here are freshly initialised from `seed`. */
  clone(heads: readonly HeadName[] = this.heads, seed = 0, trainable = true): Gpt {
    const vals = this.values();
    const init = initialValues(this.config, heads, seed, new Set(vals.keys()));
    for (const [name, v] of vals) if (parameterShapes(this.config, heads).has(name)) init.set(name, v);
    const g = new Gpt(this.config, heads, init);
    if (!trainable) for (const v of g.params.values()) v.trainable = false;
    return g;
  }

  trainableVariables(): tf.Variable[] {
    return [...this.params.values()].filter((v) => v.trainable);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }

  /**
   * Final hidden states [B·T, C] of ids [B, T] (int32). With opts.cache, the new keys and values
   * are appended and returned as `cache` (the caller disposes the old one).
   */
  hidden(ids: tf.Tensor2D, opts: ForwardOptions = {}): { h: tf.Tensor2D; cache?: KvCache } {
    const c = this.config;
    const [B, T] = ids.shape;
    const H = c.heads;
    const C = c.dModel;
    const past = opts.cache?.length ?? 0;
    if (past + T > c.context) throw new Error(`model: sequence of ${past + T} tokens exceeds the context of ${c.context}`);
    const tok = gatherRows(this.p("wte"), ids) as tf.Tensor3D; // [B, T, C]
    // Default positions past..past+T-1 are a contiguous slice of wpe, broadcast over the batch
    // (cheaper than a gather and its scatter gradient).
    const pos = opts.positions
      ? (gatherRows(this.p("wpe"), opts.positions) as tf.Tensor3D) // [B, T, C]
      : (tf.reshape(tf.slice(this.p<tf.Rank.R2>("wpe"), [past, 0], [T, C]), [1, T, C]) as tf.Tensor3D); // [T, C] -> [1, T, C]
    const rate = opts.dropoutSeed !== undefined ? c.dropout : 0;
    // Seeded masks, one stream per site, so a resumed step draws the same masks.
    const drop = (t: tf.Tensor2D, site: number): tf.Tensor2D => (rate > 0 ? (tf.dropout(t, rate, undefined, Rng.derive(opts.dropoutSeed!, site)) as tf.Tensor2D) : t);
    let x = drop(tf.reshape(tf.add(tok, pos), [B * T, C]) as tf.Tensor2D, 0); // [B, T, C] -> [B·T, C]
    const Tk = past + T;
    const causal = causalBias(T, Tk); // [T, 1, 1, Tk]
    const bias = opts.keyBias ? (tf.add(causal, tf.reshape(opts.keyBias, [1, B, 1, Tk])) as tf.Tensor4D) : causal; // [B, Tk] -> [1, B, 1, Tk]; sum [T, B, 1, Tk]
    const newLayers: { k: tf.Tensor3D; v: tf.Tensor3D }[] = [];
    for (let i = 0; i < c.layers; i++) {
      const p = `h.${i}.`;
      const a = layerNorm(x, this.p(p + "ln_1.weight"), this.p(p + "ln_1.bias"), c.lnEps);
      const q = linear(a, this.p(p + "attn.q.weight"), this.p(p + "attn.q.bias")); // [B·T, C]
      let k = tf.reshape(linear(a, this.p(p + "attn.k.weight"), this.p(p + "attn.k.bias")), [B, T, C]) as tf.Tensor3D; // [B·T, C] -> [B, T, C]
      let v = tf.reshape(linear(a, this.p(p + "attn.v.weight"), this.p(p + "attn.v.bias")), [B, T, C]) as tf.Tensor3D; // [B·T, C] -> [B, T, C]
      if (opts.cache) {
        const old = opts.cache.layers[i];
        if (old) {
          k = tf.concat([old.k, k], 1); // [B, Tk, C]
          v = tf.concat([old.v, v], 1); // [B, Tk, C]
        }
        newLayers.push({ k, v });
      }
      const merged = multiHeadAttention(q, k, v, H, bias); // [B·T, C]
      x = tf.add(x, drop(linear(merged, this.p(p + "attn.c_proj.weight"), this.p(p + "attn.c_proj.bias")), 2 * i + 1));
      const m = layerNorm(x, this.p(p + "ln_2.weight"), this.p(p + "ln_2.bias"), c.lnEps);
      const f = gelu(linear(m, this.p(p + "mlp.c_fc.weight"), this.p(p + "mlp.c_fc.bias")), c.gelu) as tf.Tensor2D; // [B·T, 4C]
      x = tf.add(x, drop(linear(f, this.p(p + "mlp.c_proj.weight"), this.p(p + "mlp.c_proj.bias")), 2 * i + 2));
    }
    const h = layerNorm(x, this.p("ln_f.weight"), this.p("ln_f.bias"), c.lnEps); // [B·T, C]
    return opts.cache ? { h, cache: { layers: newLayers, length: Tk } } : { h };
  }

  /** LM logits [N, V] from hidden states [N, C]; tied head: h · wteᵀ (explicit transpose, rank-2 matmul). */
  lmLogits(h: tf.Tensor2D): tf.Tensor2D {
    if (!this.heads.includes("lm")) throw new Error("model: this network has no LM head (a reward model's was replaced by the scalar head)");
    const w = this.config.tiedHead ? transpose2d(this.p<tf.Rank.R2>("wte")) : this.p<tf.Rank.R2>("lm_head.weight");
    return matmul2d(h, w);
  }

  /** Scalar reward [B] read at each row's last non-pad token: h [B·T, C], lastIndex[b] in [0, T). */
  rewards(h: tf.Tensor2D, T: number, lastIndex: number[]): tf.Tensor1D {
    if (!this.heads.includes("reward")) throw new Error("model: this network has no reward head");
    const rows = tf.tensor1d(lastIndex.map((t, b) => b * T + t), "int32"); // [B]
    const picked = gatherRows(h, rows) as tf.Tensor2D; // [B, C]
    return tf.reshape(linear(picked, this.p("score.weight"), this.p("score.bias")), [lastIndex.length]) as tf.Tensor1D; // [B, 1] -> [B]
  }

  /** Per-token values [B·T] from h [B·T, C]. */
  tokenValues(h: tf.Tensor2D): tf.Tensor1D {
    if (!this.heads.includes("value")) throw new Error("model: this network has no value head");
    return tf.reshape(linear(h, this.p("value.weight"), this.p("value.bias")), [h.shape[0]]) as tf.Tensor1D; // [B·T, 1] -> [B·T]
  }
}
