// safetensors round trips, model and GPT-2 checkpoints (a tiny random GPT-2-format file built here).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { tf, useBackend } from "../../src/train/backend.js";
import { loadModel, saveModel } from "../../src/train/checkpoint.js";
import { testGptConfig } from "./configs.js";
import { loadGpt2 } from "../../src/train/gpt2.js";
import { readWeightsShape } from "../../src/common/weights-shape.js";
import { Gpt } from "../../src/train/model.js";
import { Rng } from "../../src/common/rng.js";
import { decodeSafetensors, encodeSafetensors, readSafetensors, writeSafetensors, type NamedTensor } from "../../src/train/safetensors.js";
import { gelu, layerNorm } from "../../src/train/ops.js";

await useBackend("cpu");

const tmp = () => mkdtempSync(join(tmpdir(), "alignc-ckpt-"));

test("safetensors: for any named float32 tensors and metadata, decode(encode(x)) = x", () => {
  const tensor = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 3 }).chain((shape) =>
    fc.float32Array({ minLength: shape.reduce((a, b) => a * b, 1), maxLength: shape.reduce((a, b) => a * b, 1), noNaN: true }).map((data) => ({ shape, data })),
  );
  fc.assert(
    fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s !== "__metadata__"), tensor, { maxKeys: 5 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), (named, meta) => {
      const m = new Map<string, NamedTensor>(Object.entries(named));
      const bytes = encodeSafetensors(m, meta);
      const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
      assert.equal((8 + n) % 8, 0, "data starts 8-byte aligned");
      const back = decodeSafetensors(bytes);
      assert.deepEqual([...back.tensors.keys()].sort(), [...m.keys()].sort());
      for (const [k, t] of m) {
        assert.deepEqual(back.tensors.get(k)!.shape, t.shape);
        assert.deepEqual(back.tensors.get(k)!.data, t.data);
      }
      if (Object.keys(meta).length) assert.deepEqual(back.metadata, { ...meta }); // fast-check dictionaries have a null prototype
    }),
    { numRuns: 60 },
  );
});

test("safetensors: reads F16 and BF16, rejects bad offsets with the file name", () => {
  const header = JSON.stringify({ a: { dtype: "F16", shape: [2], data_offsets: [0, 4] }, b: { dtype: "BF16", shape: [1], data_offsets: [4, 6] } });
  const head = Buffer.from(header);
  const bytes = new Uint8Array(8 + head.length + 6);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(head.length), true);
  bytes.set(head, 8);
  const dv = new DataView(bytes.buffer, 8 + head.length);
  dv.setUint16(0, 0x3c00, true); // 1.0
  dv.setUint16(2, 0xc000, true); // -2.0
  dv.setUint16(4, 0x4040, true); // bf16 3.0
  const r = decodeSafetensors(bytes, "x.safetensors");
  assert.deepEqual([...r.tensors.get("a")!.data], [1, -2]);
  assert.deepEqual([...r.tensors.get("b")!.data], [3]);
  const bad = bytes.slice(0, bytes.length - 2);
  assert.throws(() => decodeSafetensors(bad, "x.safetensors"), /x\.safetensors: tensor b: data_offsets/);
});

test("writes are atomic: no temp file is left and the target holds the new content", () => {
  const dir = tmp();
  try {
    const p = join(dir, "w.safetensors");
    writeFileSync(p, "old");
    writeSafetensors(p, new Map([["x", { shape: [2], data: new Float32Array([1, 2]) }]]));
    assert.deepEqual(readdirSync(dir), ["w.safetensors"]);
    assert.deepEqual([...readSafetensors(p).tensors.get("x")!.data], [1, 2]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a saved model loads back with the same config, heads and outputs", () => {
  const dir = tmp();
  try {
    const cfg = testGptConfig({ vocabSize: 20, context: 8, layers: 2, dModel: 16, heads: 4 });
    const m = Gpt.init(cfg, ["lm", "value"], 5);
    saveModel(join(dir, "m.safetensors"), m);
    const back = loadModel(join(dir, "m.safetensors"));
    assert.deepEqual(back.config, cfg);
    assert.deepEqual(back.heads, ["lm", "value"]);
    const ids = tf.tensor2d([[1, 2, 3, 4]], [1, 4], "int32");
    const a = tf.tidy(() => m.lmLogits(m.hidden(ids).h).dataSync());
    const b = tf.tidy(() => back.lmLogits(back.hidden(ids).h).dataSync());
    assert.deepEqual(b, a);
    ids.dispose();
    m.dispose();
    back.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A reference GPT-2 forward written independently, in plain JS over the HF tensors (fused c_attn, tanh GELU). */
function referenceGpt2Logits(t: Map<string, NamedTensor>, ids: number[], layers: number, heads: number): number[] {
  const d = t.get("wte.weight")!.shape[1]!;
  const V = t.get("wte.weight")!.shape[0]!;
  const T = ids.length;
  const hd = d / heads;
  const W = (n: string) => t.get(n)!.data;
  const mm = (x: number[][], w: Float32Array, b: Float32Array, out: number) => x.map((row) => Array.from({ length: out }, (_, j) => row.reduce((s, xi, i) => s + xi * w[i * out + j]!, b[j]!)));
  const ln = (x: number[][], g: Float32Array, b: Float32Array) =>
    x.map((row) => {
      const mu = row.reduce((a, v) => a + v, 0) / d;
      const va = row.reduce((a, v) => a + (v - mu) ** 2, 0) / d;
      return row.map((v, i) => ((v - mu) / Math.sqrt(va + 1e-5)) * g[i]! + b[i]!);
    });
  const gl = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
  let x = ids.map((id, p) => Array.from({ length: d }, (_, i) => W("wte.weight")[id * d + i]! + W("wpe.weight")[p * d + i]!));
  for (let l = 0; l < layers; l++) {
    const p = `h.${l}.`;
    const qkv = mm(ln(x, W(p + "ln_1.weight"), W(p + "ln_1.bias")), W(p + "attn.c_attn.weight"), W(p + "attn.c_attn.bias"), 3 * d);
    const y = x.map(() => new Array<number>(d).fill(0));
    for (let h = 0; h < heads; h++)
      for (let i = 0; i < T; i++) {
        const s = Array.from({ length: i + 1 }, (_, j) => {
          let acc = 0;
          for (let e = 0; e < hd; e++) acc += qkv[i]![h * hd + e]! * qkv[j]![d + h * hd + e]!;
          return acc / Math.sqrt(hd);
        });
        const mx = Math.max(...s);
        const ex = s.map((v) => Math.exp(v - mx));
        const z = ex.reduce((a, v) => a + v, 0);
        for (let j = 0; j <= i; j++) for (let e = 0; e < hd; e++) y[i]![h * hd + e]! += (ex[j]! / z) * qkv[j]![2 * d + h * hd + e]!;
      }
    const proj = mm(y, W(p + "attn.c_proj.weight"), W(p + "attn.c_proj.bias"), d);
    x = x.map((row, i) => row.map((v, k) => v + proj[i]![k]!));
    const f = mm(ln(x, W(p + "ln_2.weight"), W(p + "ln_2.bias")), W(p + "mlp.c_fc.weight"), W(p + "mlp.c_fc.bias"), 4 * d).map((r) => r.map(gl));
    const o = mm(f, W(p + "mlp.c_proj.weight"), W(p + "mlp.c_proj.bias"), d);
    x = x.map((row, i) => row.map((v, k) => v + o[i]![k]!));
  }
  const hf = ln(x, W("ln_f.weight"), W("ln_f.bias"));
  const last = hf[T - 1]!;
  return Array.from({ length: V }, (_, v) => last.reduce((s, xi, i) => s + xi * W("wte.weight")[v * d + i]!, 0));
}

test("a tiny random GPT-2 checkpoint in HF layout loads and matches an independent forward", () => {
  const dir = tmp();
  try {
    const V = 30, C = 8, ctx = 10, L = 2, H = 2;
    const rng = new Rng(1);
    const t = new Map<string, NamedTensor>();
    const put = (n: string, shape: number[], std = 0.3, mean = 0) =>
      t.set(n, { shape, data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => mean + std * rng.normal()) });
    put("wte.weight", [V, C]);
    put("wpe.weight", [ctx, C]);
    for (let l = 0; l < L; l++) {
      const p = `h.${l}.`;
      put(p + "ln_1.weight", [C], 0.1, 1);
      put(p + "ln_1.bias", [C], 0.1);
      put(p + "attn.c_attn.weight", [C, 3 * C]); // Conv1D orientation [in, out]
      put(p + "attn.c_attn.bias", [3 * C], 0.1);
      put(p + "attn.c_proj.weight", [C, C]);
      put(p + "attn.c_proj.bias", [C], 0.1);
      put(p + "ln_2.weight", [C], 0.1, 1);
      put(p + "ln_2.bias", [C], 0.1);
      put(p + "mlp.c_fc.weight", [C, 4 * C]);
      put(p + "mlp.c_fc.bias", [4 * C], 0.1);
      put(p + "mlp.c_proj.weight", [4 * C, C]);
      put(p + "mlp.c_proj.bias", [C], 0.1);
      put(p + "attn.bias", [1, 1, ctx, ctx], 0, 1); // HF's causal-mask buffer: ignored
    }
    put("ln_f.weight", [C], 0.1, 1);
    put("ln_f.bias", [C], 0.1);
    const file = join(dir, "model.safetensors");
    writeSafetensors(file, t, { format: "pt" });
    writeFileSync(join(dir, "config.json"), JSON.stringify({ n_head: H, n_layer: L, n_embd: C }));
    // the shape `plan` checks a block against, from the header alone
    assert.deepEqual(readWeightsShape(file), { layout: "gpt2", vocabSize: V, context: ctx, layers: L, dModel: C, heads: H });
    const g = loadGpt2(file, { withHeads: ["lm"], seed: 0 });
    assert.equal(g.config.layers, L);
    assert.equal(g.config.heads, H);
    assert.equal(g.config.gelu, "tanh");
    const ids = [3, 7, 1, 29, 0];
    const ours = tf.tidy(() => {
      const logits = g.lmLogits(g.hidden(tf.tensor2d(ids, [1, ids.length], "int32")).h);
      return tf.slice(logits, [ids.length - 1, 0], [1, V]).dataSync();
    });
    const ref = referenceGpt2Logits(t, ids, L, H);
    ref.forEach((r, i) => assert.ok(Math.abs(r - ours[i]!) < 1e-3, `logit ${i}: ${ours[i]} vs reference ${r}`));
    g.dispose();
    assert.throws(() => loadGpt2(file.replace("model", "missing"), { withHeads: ["lm"], seed: 0 }), /ENOENT/);
    rmSync(join(dir, "config.json"));
    assert.throws(() => loadGpt2(file, { withHeads: ["lm"], seed: 0 }), /number of attention heads/);
    assert.equal(readWeightsShape(file).heads, undefined); // a run takes the block's heads then
    writeFileSync(join(dir, "config.json"), "{not json");
    assert.throws(() => readWeightsShape(file), /config\.json: is not JSON/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("ops: sigmoid GELU approximates GPT-2's tanh GELU; LayerNorm normalises rows", () => {
  const x = tf.linspace(-4, 4, 33);
  const a = tf.tidy(() => gelu(x, "sigmoid").dataSync());
  const b = tf.tidy(() => gelu(x, "tanh").dataSync());
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 0.03));
  const y = Array.from(tf.tidy(() => layerNorm(tf.tensor2d([[1, 2, 3, 6]]), tf.ones([4]) as tf.Tensor1D, tf.zeros([4]) as tf.Tensor1D, 1e-5).dataSync()));
  assert.ok(Math.abs(y.reduce((s, v) => s + v, 0)) < 1e-5);
  x.dispose();
});
