// Static cost estimates per plan node, before any compute. All figures are upper-bound-ish
// back-of-the-envelope numbers meant to catch "this will not fit / will take hours", not to bill:
//
// - parameters N: the GPT trunk + tied LM head (src/train/config.ts parameterCount), plus d+1 for
//   a scalar reward or value head.
// - sequence length S: the longest example of the stage's data, capped at max_length (default: the
//   model context); the model context when data sizes are unknown. Batches are padded to S.
//   Pretraining packs its corpus into windows: S = max_length.
// - tokens processed T: every token that passes through a network, forward or backward:
//   pretrain/sft: steps·B·A·S; reward_model: steps·B·A·K·S (K responses per prompt, each scored
//   once); dpo: steps·B·A·2·S (+ the frozen reference's forward on the same tokens); ppo per step:
//   R = B·A rollouts of max_new_tokens, then policy, reference, reward and value forwards, ppo_epochs
//   training passes of the policy and of the value network (a separate, reward-model-shaped network),
//   and the ptx batch when ptx_coef > 0; evals: forward passes (+ generation).
// - FLOPs: training 6·N·T plus attention 12·L·S·d per token (PaLM, appendix B; trainFlopsPerToken),
//   forward-only passes a third of that.
// - peak memory (fp32): weights 4N + gradients 4N + Adam moments 8N = 16N per trained network (PPO:
//   policy and value network), 4N per frozen one (PPO's reference and reward model, DPO's
//   reference), plus activations of one micro-batch: B·S·(L·(68·d + 8·h·S) + 12·V) bytes (per
//   layer and token ≈ 17 saved d-vectors and the h·S attention scores and probabilities; logits,
//   softmax and their gradient over V).
//   The wasm backend cannot exceed a 4 GiB heap (WASM_HEAP_BYTES): checks.ts compares against it.
// - time: FLOPs / the achieved FLOP/s of the backend for a model of this shape, from the training
//   engine's measured table (src/plan/throughput.ts over src/train/throughput.ts), divided for a
//   training stage by the speed-up measured on 2 threads when it has parallel_shares >= 2.
// None of these enter a hash; `time_s` and `backend` depend on the machine and are left out of goldens.
// Every hyperparameter is read from the node's resolved, typed parameters (src/plan/params.ts): the
// checker filled each default from the kinds table, and a node that lacks one throws naming it.
// the one mapping from a model node's parameters to its network shape, the one the run builds with
import { ACCURACY_MAX_NEW_TOKENS, modelConfigOf } from "./engine-configs.js";
import { parameterCount, trainFlopsPerToken, type GptConfig } from "../train/config.js";
import type { LoweredNode } from "./lower.js";
import { paramsOf, refOf, stageParams, stepsOrEpochs, type PlanCall, type PlanRef } from "./params.js";
import type { Throughput } from "./throughput.js";
import { parallelSpeedup } from "../train/throughput.js";
import type { DataSize, Estimates, Json, TruncationEstimate } from "./types.js";

/** The wasm backend's heap ceiling: 4 GiB (32-bit addressing; `RuntimeError: Aborted()` past it). */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;

/** Vocabulary sizes of the built-in tokenizers (byte_level: 256 bytes + EOS + PAD + BOS, as src/data/tokenizers.ts). */
export const TOKENIZER_VOCAB: Record<string, number> = { byte_level: 259, gpt2: 50257 };

export interface EstimateContext {
  sizes: ReadonlyMap<string, DataSize>; // measured sizes by node id (data nodes)
  truncation?: ReadonlyMap<string, TruncationEstimate>; // counted by the data layer, by stage block name
  flopsPerSecond: number | Throughput | null; // achieved training FLOP/s of the selected backend (by model shape), null when unknown
  backend: string;
}

type Params = { [k: string]: Json };

export function estimateNodes(nodes: readonly LoweredNode[], ctx: EstimateContext): Map<string, Estimates> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Map<string, Estimates>();
  const size = (id: string | undefined): DataSize | undefined => (id === undefined ? undefined : out.get(id)?.size);
  const models = new Map<string, GptConfig>(); // model-bearing node → its network shape

  for (const n of nodes) {
    const e: Estimates = {};
    if (n.kind === "data") {
      const measured = ctx.sizes.get(n.id);
      if (measured) e.size = measured;
      else if (n.op === "format" || n.op === "tokenize") {
        const up = size(refId(n.params.examples));
        if (up) e.size = up; // same examples; the formatted overhead is not measured here
      } else if (n.op === "mix") {
        const parts = (Array.isArray(n.params.components) ? n.params.components : []).map((c) => size(refId((c as Params).input)));
        if (parts.length > 0 && parts.every((p): p is DataSize => p !== undefined)) {
          e.size = {
            examples: parts.reduce((s, p) => s + p.examples, 0),
            tokens: parts.reduce((s, p) => s + p.tokens, 0),
            max_tokens: Math.max(...parts.map((p) => p.max_tokens)),
          };
        }
      }
    } else if (n.kind === "model") {
      const cfg = modelConfig(n, byId);
      if (cfg) {
        models.set(n.id, cfg);
        e.parameters = parameterCount(cfg);
        e.memory_bytes = 4 * e.parameters;
      }
    } else if (n.kind === "stage") {
      const cfg = models.get(refId(n.params.init) ?? "");
      if (cfg) {
        models.set(n.id, cfg);
        Object.assign(e, stageEstimate(n, cfg, size, models));
      }
      const cut = ctx.truncation?.get(n.block);
      if (cut) e.truncation = cut;
    } else if (n.kind === "eval") {
      Object.assign(e, evalEstimate(n, size, models, byId));
      const first = [n.params.model, n.params.a, n.params.judge].map(refId).find((id) => id !== undefined && models.has(id));
      if (first !== undefined) models.set(n.id, models.get(first)!);
    }
    const cfg = models.get(n.id);
    const fps = typeof ctx.flopsPerSecond === "function" ? (cfg ? ctx.flopsPerSecond(cfg) : null) : ctx.flopsPerSecond;
    if (e.flops !== undefined && fps) {
      e.time_s = e.flops / fps / threadSpeedup(n, cfg, ctx.backend);
      e.backend = ctx.backend;
    }
    out.set(n.id, e);
  }
  return out;
}

/**
 * A training stage splits each batch into `parallel_shares` shares, computed on that many threads when
 * the machine has the cores (`--workers auto`): its time is the one-thread figure divided by the
 * speed-up measured on 2 threads. The estimate assumes a machine like the development one (2 cores);
 * on one core (`--workers 1`) a stage takes the one-thread time, up to 1.74x the estimate.
 */
function threadSpeedup(n: LoweredNode, cfg: GptConfig | undefined, backend: string | undefined): number {
  if (n.kind !== "stage" || !cfg || (backend !== "wasm" && backend !== "cpu")) return 1;
  const shares = (stageParams(n) as { parallel_shares?: number }).parallel_shares ?? 1;
  return shares >= 2 ? parallelSpeedup(cfg, backend, n.op) : 1;
}

function stageEstimate(n: LoweredNode, c: GptConfig, size: (id: string | undefined) => DataSize | undefined, models: Map<string, GptConfig>): Estimates {
  const p = stageParams(n);
  const B = p.batch_size;
  const A = p.accumulate;
  const maxLen = Math.min(p.max_length, c.context);
  const dataId = refId("prompts" in p ? p.prompts : p.data);
  const data = size(dataId);
  // pretraining packs the corpus into windows of max_length; example data pads to its longest example
  const S = data && n.op !== "pretrain" ? Math.max(1, Math.min(maxLen, data.max_tokens)) : maxLen;
  const N = parameterCount(c) + (n.op === "reward_model" || n.op === "ppo" ? c.dModel + 1 : 0);
  const train = trainFlopsPerToken(c, S);
  const fwd = train / 3;
  const e: Estimates = { parameters: N };
  // as the run counts them (src/plan/engine-configs.ts trainConfigOf): `steps`, else epochs over the data
  const length = stepsOrEpochs(p);
  const steps = length.steps ?? (data ? Math.max(1, Math.ceil((length.epochs * data.examples) / (B * A))) : undefined);
  if (steps === undefined) {
    e.memory_bytes = memory(c, 16 * N, B, S);
    return e;
  }
  e.steps = steps;
  switch (n.op) {
    case "reward_model": {
      const K = kMean(data);
      e.tokens = steps * B * A * K * S;
      e.flops = e.tokens * train;
      e.memory_bytes = memory(c, 16 * N, B * K, S);
      break;
    }
    case "dpo": {
      e.tokens = steps * B * A * 2 * S;
      e.flops = e.tokens * (train + fwd); // policy trained + frozen reference forward
      e.memory_bytes = memory(c, 20 * N, 2 * B, S);
      break;
    }
    case "ppo": {
      const pp = paramsOf(n, "stage.ppo");
      const G = pp.max_new_tokens;
      const R = B * A;
      const Sp = Math.min(c.context, S + G);
      const epochs = pp.ppo_epochs;
      const rm = models.get(refId(pp.reward) ?? "") ?? c;
      const rmN = parameterCount(rm) + rm.dModel + 1;
      const rmTrain = trainFlopsPerToken(rm, Sp);
      const gen = R * G * fwd; // sampling with a KV cache: one forward token each
      // old log-probs, frozen reference, reward model, value network (reward-model shaped)
      const score = R * Sp * (2 * fwd + (2 * rmTrain) / 3);
      const learn = epochs * R * Sp * (trainFlopsPerToken(c, Sp) + rmTrain); // policy + value network
      const ptxId = refId(pp.ptx_data);
      const ptx = pp.ptx_coef > 0 && ptxId !== undefined ? R * Math.min(maxLen, size(ptxId)?.max_tokens ?? maxLen) : 0;
      e.tokens = steps * (R * G + 4 * R * Sp + 2 * epochs * R * Sp + ptx);
      e.flops = steps * (gen + score + learn + ptx * trainFlopsPerToken(c, S));
      // trained policy 16N + frozen reference 4N + frozen reward model 4·rmN + trained value network 16·rmN
      e.memory_bytes = memory(c, 16 * N + 4 * N + 20 * rmN, B + (ptx > 0 ? B : 0), Sp);
      break;
    }
    default: {
      e.tokens = steps * B * A * S;
      e.flops = e.tokens * train;
      e.memory_bytes = memory(c, 16 * N, B, S);
    }
  }
  return e;
}

function evalEstimate(n: LoweredNode, size: (id: string | undefined) => DataSize | undefined, models: Map<string, GptConfig>, byId: Map<string, LoweredNode>): Estimates {
  const p = n.params; // references only; each kind's numbers are read typed below
  const refs = [p.a, p.b, p.judge, p.model].map(refId).filter((id): id is string => id !== undefined && models.has(id));
  if (refs.length === 0) return {};
  const cfgs = refs.map((id) => models.get(id)!);
  const c = cfgs[0]!;
  const fwd = (cfg: GptConfig, S: number): number => trainFlopsPerToken(cfg, S) / 3;
  const dataValue = n.op === "win_rate" ? p.prompts : n.op === "accuracy" ? p.task : p.data;
  const heldout = isSplit(dataValue, "heldout") || (n.op === "accuracy" && paramsOf(n, "eval.accuracy").split !== "train");
  const { data, heldoutRows } = scoredData(refId(splitRef(dataValue)), size, byId);
  const S = data ? Math.min(c.context, data.max_tokens) : c.context;
  const available = data ? (heldout ? (heldoutRows ?? data.heldout ?? data.examples) : data.examples) : undefined;
  // n of the sampling evals, or fewer when the split is smaller
  const count = (wanted: number): number => Math.min(wanted, available ?? Infinity);
  const memory_bytes = cfgs.reduce((s, cfg) => s + 4 * parameterCount(cfg), 0) + activationBytes(c, 16, S);
  let tokens = 0;
  let flops = 0;
  if (n.op === "win_rate") {
    const w = paramsOf(n, "eval.win_rate");
    const [N, G] = [count(w.n), w.max_new_tokens];
    const [a, b, judge] = [models.get(refId(w.a) ?? ""), models.get(refId(w.b) ?? ""), models.get(refId(w.judge) ?? "")];
    for (const m of [a, b]) if (m) (tokens += N * G), (flops += N * G * fwd(m, S));
    if (judge) (tokens += 2 * N * S), (flops += 2 * N * S * fwd(judge, S));
  } else if (n.op === "accuracy") {
    // the run generates the longest target answer + 4 tokens, at most the cap: counted at the cap
    tokens = count(paramsOf(n, "eval.accuracy").n) * (S + ACCURACY_MAX_NEW_TOKENS);
    flops = tokens * fwd(c, S);
  } else {
    // rm_accuracy and lm_loss have no `n`: they score the whole split, so without its measured size
    // there is no token count to estimate (the memory figure needs none)
    if (available === undefined) return { memory_bytes };
    const K = n.op === "rm_accuracy" ? kMean(data) : 1;
    tokens = available * K * S;
    flops = tokens * fwd(c, S);
  }
  return { tokens, flops, memory_bytes };
}

/**
 * The data an eval scores. A data node: its measured size. A stage (`heldout(pre)`): the data it
 * trained on, of which a pretraining stage holds out its own `holdout` share (src/data/build.ts).
 */
function scoredData(id: string | undefined, size: (id: string | undefined) => DataSize | undefined, byId: Map<string, LoweredNode>): { data?: DataSize; heldoutRows?: number } {
  const node = id === undefined ? undefined : byId.get(id);
  if (node?.kind !== "stage") return { data: size(id) };
  const p = stageParams(node);
  const data = size(refId("prompts" in p ? p.prompts : p.data));
  if (!data) return {};
  return node.op === "pretrain" ? { data, heldoutRows: Math.round(data.examples * paramsOf(node, "stage.pretrain").holdout) } : { data };
}

/** Weights/optimizer state plus the activations of one micro-batch of `seqs` sequences of length S. */
function memory(c: GptConfig, stateBytes: number, seqs: number, S: number): number {
  return stateBytes + activationBytes(c, seqs, S);
}

function activationBytes(c: GptConfig, seqs: number, S: number): number {
  return seqs * S * (c.layers * (68 * c.dModel + 8 * c.heads * S) + 12 * c.vocabSize);
}

/**
 * Mean K of ranking groups: from pairs per group when measured (C(K,2) = pairs). Unmeasured data has
 * no K to read (K is the data's, not a parameter): counted as 4, the fewest InstructGPT's labelers ranked.
 */
function kMean(data: DataSize | undefined): number {
  if (!data?.comparisons || data.examples <= 0) return 4;
  return (1 + Math.sqrt(1 + (8 * data.comparisons) / data.examples)) / 2;
}

/** The network shape of a model node: its params and its tokenizer's vocabulary. */
function modelConfig(n: LoweredNode, byId: Map<string, LoweredNode>): GptConfig | null {
  const p = paramsOf(n, "model.gpt");
  const tok = byId.get(p.tokenizer.$ref);
  const vocab = tok ? (tok.op === "bpe" ? paramsOf(tok, "tokenizer.bpe").vocab_size : TOKENIZER_VOCAB[tok.op]) : undefined;
  if (vocab === undefined) return null;
  return modelConfigOf(p, vocab);
}

/** A parameter as the plan carries it: plain JSON, or its typed form (a reference, a call). */
type Param = Json | PlanRef | PlanCall | undefined;

/** The node id a `{ $ref }` param names. */
export function refId(v: Param): string | undefined {
  return refOf(v) ?? undefined;
}

/** A `{ $call, args }` parameter (`heldout(x)`), or null. */
function callOf(v: Param): PlanCall | null {
  return typeof v === "object" && v !== null && !Array.isArray(v) && "$call" in v && typeof v.$call === "string" && Array.isArray(v.args) ? (v as PlanCall) : null;
}

function isSplit(v: Param, callee: string): boolean {
  return callOf(v)?.$call === callee;
}

/** `heldout(x)` / `train(x)` → x's ref; a plain ref stays. */
function splitRef(v: Param): Param {
  return callOf(v)?.args[0] ?? v;
}
