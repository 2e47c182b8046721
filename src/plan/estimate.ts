// Static cost estimates per plan node, before any compute: what the trainers will compute, counted as
// they pack it, so that the time a plan prints can be believed (checked against measured runs in the
// README; test/plan/padding.test.ts holds the token counts to the real packed batches):
//
// - parameters N: the GPT trunk + tied LM head (src/train/config.ts parameterCount), plus d+1 for
//   a scalar reward or value head.
// - sequence length: a batch is padded to its own longest row (src/train/batch.ts), so a stage's
//   token positions per micro-batch are B × the expected longest of B rows, from the row-length
//   quantiles the data layer measured (DataSize.lengths; src/plan/padding.ts), capped at max_length
//   (default: the model context); without them, the data's longest example (capped); without sizes,
//   max_length. Pretraining packs its corpus into full windows: max_length. The reward model and DPO
//   pack each data-parallel share (parallel_shares) apart: Σ over shares of its rows × its expected longest.
// - tokens processed T: every token position that passes through a network, forward or backward:
//   pretrain/sft: steps·A·B·E[longest of B]; reward_model: steps·A·Σ_shares g·K·E[longest of g groups]
//   (K = the data's responses per group, each scored once); dpo: the same with 2 rows a pair (+ the
//   frozen reference's forward on the same tokens); ppo per step: R = batch_size rollouts, the prompts'
//   prefill (R·Tp, Tp the expected longest of R prompts) and max_new_tokens one-token forwards, the
//   rollout rows (R·Sp, Sp = Tp + max_new_tokens − 1: responses counted at their cap) scored by
//   policy, reference, reward model and (gae only) value network, then ppo_epochs training passes of
//   the policy on them, each with a ptx batch of batch_size rows when ptx_coef > 0 (and of the value
//   network, gae); evals: forward passes (+ generation).
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
//   training stage by the speed-up measured on 2 threads when it has parallel_shares >= 2. PPO's
//   one-token forwards count at GENERATION_EFFICIENCY of that rate (latency-bound). A stage's own
//   held-out measurements are included: pretrain/SFT val_loss (on the stage's threads), the reward
//   model's held-out accuracy (one thread, not divided). Reward-model and value networks have no LM head.
// None of these enter a hash; `time_s` and `backend` depend on the machine and are left out of goldens.
// Every hyperparameter is read from the node's resolved, typed parameters (src/plan/params.ts): the
// checker filled each default from the kinds table, and a node that lacks one throws naming it.
// the one mapping from a model node's parameters to its network shape, the one the run builds with
import { ACCURACY_MAX_NEW_TOKENS, modelConfigOf } from "./engine-configs.js";
import { LENGTH_WINDOW_BATCHES, parameterCount, trainFlopsPerToken, VAL_DURING, VAL_FINAL, type GptConfig } from "../train/config.js";
import type { LoweredNode } from "./lower.js";
import { paramsOf, refOf, stageParams, stepsOrEpochs, type PlanCall, type PlanRef } from "./params.js";
import type { Throughput } from "./throughput.js";
import { GENERATION_EFFICIENCY, parallelSpeedup } from "../train/throughput.js";
import { expectedLongest, groupedPaddedTokens, paddedTokens } from "./padding.js";
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
        Object.assign(e, stageEstimate(n, cfg, size, models, (id) => heldoutRows(id, byId, size), (id) => isTextChain(id, byId)));
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
    const { timeFlops, serialFlops, ...estimates } = e as StageEstimates;
    if (estimates.flops !== undefined && fps) {
      estimates.time_s = (timeFlops ?? estimates.flops) / fps / threadSpeedup(n, cfg, ctx.backend) + (serialFlops ?? 0) / fps;
      estimates.backend = ctx.backend;
    }
    out.set(n.id, estimates);
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
  const shares = stageParams(n).parallel_shares;
  return shares >= 2 ? parallelSpeedup(cfg, backend, n.op) : 1;
}

/**
 * A stage's estimates, and what its time is reckoned from: `timeFlops`, the training and the
 * held-out measurement it runs before and after (generation counted at its lower measured rate),
 * spread over the stage's threads; `serialFlops`, work on one thread (the reward model's held-out accuracy).
 */
type StageEstimates = Estimates & { timeFlops?: number; serialFlops?: number };

/** Held-out rows of the data a stage's `data` reads (through its format/tokenize chain), when measured. */
/** Is a stage's data chain text (a corpus, train(pre)): lowering puts the split on its tokenize node. */
function isTextChain(id: string | undefined, byId: Map<string, LoweredNode>): boolean {
  const node = id === undefined ? undefined : byId.get(id);
  return node?.op === "tokenize" && node.params.split !== undefined;
}

function heldoutRows(id: string | undefined, byId: ReadonlyMap<string, LoweredNode>, size: (id: string | undefined) => DataSize | undefined): number {
  const node = heldoutNode(id, byId);
  return node ? (size(node.id)?.heldout ?? 0) : 0;
}

/** The node whose measured size holds a stage's held-out count: its data, through format and tokenize nodes that split nothing. */
export function heldoutNode(id: string | undefined, byId: ReadonlyMap<string, LoweredNode>): LoweredNode | undefined {
  let node = id === undefined ? undefined : byId.get(id);
  while (node && (node.op === "format" || node.op === "tokenize") && node.params.split === undefined) node = byId.get(refId(node.params.examples) ?? "");
  return node;
}

/** Held-out sequences a pretrain/SFT stage scores (src/train/config.ts: VAL_FINAL before and after, VAL_DURING at each of ~10 logs). */
const LM_VAL_ROWS = (heldout: number): number => 2 * Math.min(VAL_FINAL, heldout) + 10 * Math.min(VAL_DURING, heldout);

function stageEstimate(n: LoweredNode, c: GptConfig, size: (id: string | undefined) => DataSize | undefined, models: Map<string, GptConfig>, heldout: (id: string | undefined) => number, isText: (id: string | undefined) => boolean): StageEstimates {
  const p = stageParams(n);
  const B = p.batch_size;
  const A = p.accumulate;
  const shares = p.parallel_shares;
  const maxLen = Math.min(p.max_length, c.context);
  const dataId = refId("prompts" in p ? p.prompts : p.data);
  const data = size(dataId);
  // the longest row a stage trains on (what memory is sized for): the data's longest example, capped;
  // pretraining packs its corpus into full windows of max_length
  const S = data && n.op !== "pretrain" ? Math.max(1, Math.min(maxLen, data.max_tokens)) : maxLen;
  // a next-token row of `len` tokens has len − 1 inputs (src/train/batch.ts packLm); a scored row keeps all
  const lmRow = (len: number): number => Math.max(1, Math.min(maxLen, len - 1));
  const scoreRow = (len: number): number => Math.max(1, Math.min(maxLen, len));
  const N = parameterCount(c) + (n.op === "reward_model" || n.op === "ppo" ? c.dModel + 1 : 0);
  const e: StageEstimates = { parameters: N };
  // as the run counts them (src/plan/engine-configs.ts trainConfigOf): `steps`, else epochs over the data
  // (DPO's over its pairs: its batch counts pairs, a reward model's prompts)
  const length = stepsOrEpochs(p);
  const items = data && n.op === "dpo" ? (data.comparisons ?? data.examples) : data?.examples;
  const steps = length.steps ?? (items !== undefined ? Math.max(1, Math.ceil((length.epochs * items) / (B * A))) : undefined);
  if (steps === undefined) {
    e.memory_bytes = memory(c, 16 * N, B, S);
    return e;
  }
  e.steps = steps;
  switch (n.op) {
    case "reward_model": {
      // each share packs its groups' K responses together, padded to the share's longest (reward-model-loss.ts)
      const K = kMean(data);
      const micro = paddedTokens(data, B, K, shares, scoreRow, S);
      e.tokens = steps * A * micro;
      e.flops = e.tokens * scoreTrainFlopsPerToken(c, micro / (B * K));
      // held-out accuracy before and after, a group (its K responses) at a time on the main thread
      const held = heldout(dataId) * K * expectedLongest(data, 1, scoreRow, S);
      e.serialFlops = (2 * held * scoreTrainFlopsPerToken(c, held / Math.max(1, heldout(dataId) * K))) / 3;
      e.memory_bytes = memory(c, 16 * N, B * K, S);
      break;
    }
    case "dpo": {
      // each share packs its pairs' chosen and rejected next-token rows (dpo-loss.ts packPairs), drawn
      // here from the groups' longest rows: an upper side (a pair's longer row is at most its group's)
      const micro = paddedTokens(data, B, 2, shares, lmRow, S);
      const Sm = micro / (2 * B);
      e.tokens = steps * A * micro;
      e.flops = e.tokens * (trainFlopsPerToken(c, Sm) * (4 / 3)); // policy trained + frozen reference forward
      // held-out accuracy before and after (dpo.ts heldoutAccuracy): every held-out pair's two rows through
      // the policy and the reference, forward only (a third of a training step's FLOPs), on the main thread
      const K = kMean(data);
      const heldRows = 2 * ((heldout(dataId) * K * (K - 1)) / 2) * expectedLongest(data, 1, lmRow, S);
      e.serialFlops = (2 * 2 * heldRows * trainFlopsPerToken(c, Sm)) / 3;
      e.memory_bytes = memory(c, 20 * N, 2 * B, S);
      break;
    }
    case "ppo":
      Object.assign(e, ppoEstimate(n, c, steps, data, size, models, isText));
      break;
    default: {
      // pretraining's windows are all full; an SFT batch is padded to its own longest example, which
      // group_by_length makes one of a few similar lengths
      const micro =
        n.op === "pretrain" ? B * maxLen : paramsOf(n, "stage.sft").group_by_length ? groupedPaddedTokens(data, B, LENGTH_WINDOW_BATCHES, lmRow, S) : paddedTokens(data, B, 1, 1, lmRow, S);
      e.tokens = steps * A * micro;
      e.flops = e.tokens * trainFlopsPerToken(c, micro / B);
      // val_loss on held-out rows before, during and after (forward only, padded like training)
      // pretraining holds out corpus lines, which it cuts into windows of max_length like its training text
      const held = heldout(dataId);
      const valRows = LM_VAL_ROWS(n.op === "pretrain" && data && data.examples > 0 ? Math.ceil((held * data.tokens) / data.examples / maxLen) : held);
      const Sv = n.op === "pretrain" ? maxLen : expectedLongest(data, 32, lmRow, S);
      e.timeFlops = e.flops + (valRows * Sv * trainFlopsPerToken(c, Sv)) / 3;
      e.memory_bytes = memory(c, 16 * N, B, S);
    }
  }
  return e;
}

/**
 * A PPO step as the trainer runs it (src/train/stages/ppo.ts): R = batch_size rollouts sampled with a
 * KV cache (the prompts' prefill, then one forward per new token, up to max_new_tokens: counted in
 * full, as the batch runs until its last row ends); the rollout rows (prompt + response, padded to
 * the longest) scored by the policy and the frozen reference, the reward model (when the reward is
 * one) and the value network (gae only); then ppo_epochs training passes of the policy on those rows,
 * each with a ptx batch of batch_size rows of ptx_data when ptx_coef > 0, and of the value network (gae).
 * Sampling one token for R rows is latency-bound, not FLOP-bound: its FLOPs count at the measured
 * GENERATION_EFFICIENCY of the training rate in the time estimate (timeFlops), not in `flops`.
 */
function ppoEstimate(n: LoweredNode, c: GptConfig, steps: number, prompts: DataSize | undefined, size: (id: string | undefined) => DataSize | undefined, models: Map<string, GptConfig>, isText: (id: string | undefined) => boolean): StageEstimates {
  const pp = paramsOf(n, "stage.ppo");
  const maxLen = Math.min(pp.max_length, c.context);
  const G = Math.min(pp.max_new_tokens, Math.max(1, c.context - 1));
  const R = pp.batch_size; // rollouts per step: PPO takes no accumulate (kinds.ts; src/train/stages/ppo.ts samples batch_size)
  const epochs = pp.ppo_epochs;
  const gae = pp.advantages === "gae";
  // prompts are cut to leave room for max_new_tokens (src/run/nodes/stage-data.ts)
  const promptCap = Math.max(1, maxLen - G);
  const Tp = expectedLongest(prompts, R, (len) => Math.max(1, Math.min(promptCap, len)), promptCap);
  const Sp = Math.max(1, Math.min(c.context, Tp + G) - 1); // rollout rows: prompt + response, inputs
  const rmId = refId(pp.reward);
  const rm = rmId !== undefined ? (models.get(rmId) ?? c) : null; // reward = "rule": no network
  const value = gae ? (rm ?? c) : null; // the value network starts from the reward model (or SFT's trunk)
  const fwd = (m: GptConfig, S: number, head = true): number => (head ? trainFlopsPerToken(m, S) : scoreTrainFlopsPerToken(m, S)) / 3;
  // sampling: the prompts' prefill, then G forwards of R single tokens attending to ≈ Tp + G/2 cached positions
  const prefill = R * Tp * fwd(c, Tp);
  const decode = R * G * fwd(c, Tp + G / 2);
  // scoring the rollout rows: policy and reference log-probs, reward model, value network
  const score = R * Sp * (2 * fwd(c, Sp) + (rm ? fwd(rm, Sp + 1, false) : 0) + (value ? fwd(value, Sp, false) : 0));
  const ptxId = refId(pp.ptx_data);
  const ptxData = pp.ptx_coef > 0 && ptxId !== undefined ? size(ptxId) : undefined;
  // ptx rows: text (a corpus, train(pre)) is cut into full windows of max_length as pretraining's is;
  // examples are padded to the batch's longest
  const ptxRow = isText(ptxId) ? maxLen : expectedLongest(ptxData, pp.batch_size, (len) => Math.max(1, Math.min(c.context, len - 1)), c.context);
  const ptxRows = pp.ptx_coef > 0 && ptxId !== undefined ? pp.batch_size * ptxRow : 0;
  const learn = epochs * (R * Sp * trainFlopsPerToken(c, Sp) + ptxRows * trainFlopsPerToken(c, ptxRows / pp.batch_size) + (value ? R * Sp * scoreTrainFlopsPerToken(value, Sp) : 0));
  const rmN = rm ? parameterCount(rm) + rm.dModel + 1 : 0;
  const valueN = value ? parameterCount(value) + value.dModel + 1 : 0;
  const ptxMicro = ptxRows > 0 ? pp.batch_size : 0;
  return {
    tokens: steps * (R * Tp + R * G + (2 + (rm ? 1 : 0) + (value ? 1 : 0)) * R * Sp + epochs * (R * Sp + ptxRows + (value ? R * Sp : 0))),
    flops: steps * (prefill + decode + score + learn),
    timeFlops: steps * (prefill + decode / GENERATION_EFFICIENCY + score + learn),
    // trained policy 16N + frozen reference 4N + frozen reward model 4·rmN + trained value network 16·valueN
    memory_bytes: memory(c, 20 * parameterCount(c) + 4 * rmN + 16 * valueN, R + ptxMicro, Sp + 1),
  };
}

/** Training FLOPs per token of a network with a scalar head (reward model, value network): no LM-head matmul. */
function scoreTrainFlopsPerToken(c: GptConfig, S: number): number {
  return trainFlopsPerToken(c, S) - 6 * c.vocabSize * c.dModel;
}

function evalEstimate(n: LoweredNode, size: (id: string | undefined) => DataSize | undefined, models: Map<string, GptConfig>, byId: Map<string, LoweredNode>): Estimates {
  const p = n.params; // references only; each kind's numbers are read typed below
  const refs = [p.a, p.b, p.judge, p.select, p.model].map(refId).filter((id): id is string => id !== undefined && models.has(id));
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
    const [a, b, judge, select] = [w.a, w.b, w.judge, w.select].map((r) => models.get(refId(r) ?? ""));
    // a samples best_of answers per prompt (greedy: one); a reward model that picks scores each of them
    for (const [m, k] of [[a, w.best_of], [b, 1]] as const) if (m) (tokens += k * N * G), (flops += k * N * G * fwd(m, S));
    if (judge) (tokens += 2 * N * S), (flops += 2 * N * S * fwd(judge, S));
    if (select && w.best_of > 1) (tokens += w.best_of * N * S), (flops += w.best_of * N * S * fwd(select, S));
  } else if (n.op === "accuracy") {
    // the run generates the longest target answer + 4 tokens, at most the cap: counted at the cap
    tokens = count(paramsOf(n, "eval.accuracy").n) * (S + ACCURACY_MAX_NEW_TOKENS);
    flops = tokens * fwd(c, S);
  } else {
    // rm_accuracy scores the whole split, lm_loss its first n sequences: without the split's measured
    // size there is no token count to estimate (the memory figure needs none)
    if (available === undefined) return { memory_bytes };
    const K = n.op === "rm_accuracy" ? kMean(data) : 1;
    tokens = (n.op === "lm_loss" ? count(paramsOf(n, "eval.lm_loss").n) : available) * K * S;
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
 * Mean K of ranking groups: responses per group when measured; else from pairs per group (C(K,2) =
 * pairs, fewer when some responses tie: an undercount). Unmeasured data has no K to read (K is the
 * data's, not a parameter): counted as 4, the fewest InstructGPT's labelers ranked.
 */
function kMean(data: DataSize | undefined): number {
  if (!data || data.examples <= 0) return 4;
  if (data.responses) return data.responses / data.examples;
  if (!data.comparisons) return 4;
  return (1 + Math.sqrt(1 + (8 * data.comparisons) / data.examples)) / 2;
}

/** The network shape of a model node: its params and its tokenizer's vocabulary. */
export function modelConfig(n: LoweredNode, byId: Map<string, LoweredNode>): GptConfig | null {
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
