// The step loop shared by every stage: micro-batch gradients (each micro-batch in the recipe's fixed
// `parallel_shares` shares, added in share order: src/train/parallel/shard.ts), accumulation, a
// NaN/Inf check before anything is applied, global-norm clipping, Adam(W) at the scheduled lr, and
// the exact state (weights, moments, step, batch order) for resume. Every random draw of a step is
// seeded from (seed, step, …), so the state holds no generator.
import { tf } from "./backend.js";
import type { TrainConfig } from "./config.js";
import { NonFiniteError } from "./errors.js";
import type { Gpt } from "./model.js";
import { Adam, globalNorm, lrAt } from "./optim.js";
import { Rng } from "../common/rng.js";
import { BatchOrder } from "./batch-order.js";
import type { GradientPool } from "./parallel/pool.js";
import { microBatchGrads, type BatchSpec } from "./parallel/shard.js";

export type StageKind = "pretrain" | "sft" | "reward_model" | "ppo" | "dpo";

/** One step's metrics. `tokens_per_s` and `ms` are timings; every other field reproduces exactly on resume. */
export interface StepMetrics {
  stage: StageKind;
  step: number;
  loss: number;
  lr: number;
  grad_norm: number;
  tokens: number;
  tokens_per_s: number;
  ms: number;
  [metric: string]: number | string;
}

/** Everything a resumed trainer needs besides its inputs: plain data, serialisable (see checkpoint.ts). */
export interface TrainerState {
  kind: StageKind;
  step: number;
  optimizerT: number;
  order: { epoch: number; cursor: number };
  /** "model.<param>", "opt.m.<param>", "opt.v.<param>". */
  tensors: Map<string, { shape: number[]; data: Float32Array }>;
}

/** A micro-batch: what it is made of, computed in fixed shares whose losses, reported values
 * (averaged over micro-batches) and gradients add up to the batch's (src/train/parallel/shard.ts). */
export interface MicroBatch {
  tokens: number;
  shard: BatchSpec;
}

export interface RunOptions {
  /** Stop after this many completed steps (default: the config's steps). */
  untilStep?: number;
  onStep?: (m: StepMetrics) => void | Promise<void>;
  /** Checked between steps: Ctrl-C sets it and the loop returns after the current step. */
  signal?: { aborted: boolean };
}

export abstract class Trainer {
  abstract readonly kind: StageKind;
  /** The network being trained. */
  abstract readonly model: Gpt;
  protected opt!: Adam;
  protected order!: BatchOrder;
  /** Completed optimizer steps. */
  stepCount = 0;
  /** Data parallelism (src/train/parallel): the worker threads that compute some of each micro-batch's shares; null: this thread computes them all (the same figures). */
  parallel: GradientPool | null = null;

  constructor(readonly cfg: TrainConfig) {}

  /** `lengths`: group batches by them (`group_by_length`, src/train/batch-order.ts); absent: random batches. */
  protected initOptimizer(itemCount: number, lengths?: readonly number[]): void {
    this.opt = new Adam(this.model.params, this.cfg);
    this.order = new BatchOrder(itemCount, Rng.derive(this.cfg.seed, 0xba7c), 0, 0, lengths ? { lengths, batch: this.cfg.batchSize } : null);
  }

  /** Whether the batch order groups by length (what `group_by_length` asked for, read back from the order itself). */
  get groupedByLength(): boolean {
    return this.order.grouping !== null;
  }

  /** Run one full optimizer step (PPO: one rollout batch and its epochs). */
  abstract step(): StepMetrics;

  /** The pool that computes `net`'s gradients, if any: the stage network's (PPO's value network has its own). */
  protected poolFor(net: Gpt): GradientPool | null {
    return net === this.model ? this.parallel : null;
  }

  /** The frozen network `net`'s loss also reads (DPO's reference), if any. */
  protected frozenFor(_net: Gpt): Gpt | null {
    return null;
  }

  /** Dropout seed of micro-batch `micro` of the coming step: a function of (seed, step), so resume redraws the same masks. */
  protected dropoutSeed(micro: number): number {
    return Rng.derive(this.cfg.seed, 0xd70, this.stepCount, micro);
  }

  /** The learning rate the schedule gives the coming step (cfg.lr is its peak). */
  scheduledLr(): number {
    return lrAt(this.stepCount, this.cfg);
  }

  /**
   * A supervised step (pretrain, SFT, reward model, DPO): `accumulate` micro-batches, each made by
   * `microBatch(index, dropoutSeed)`, one update, then the step's metrics with `extra` drawn from
   * the averaged aux values. PPO has its own step (rollouts, then epochs over them).
   */
  protected accumulatedStep(microBatch: (micro: number, dropoutSeed: number) => MicroBatch, extra: (aux: Record<string, number>) => Record<string, number> = () => ({})): StepMetrics {
    const t0 = performance.now();
    const lr = this.scheduledLr();
    const micro: MicroBatch[] = [];
    for (let a = 0; a < this.cfg.accumulate; a++) micro.push(microBatch(a, this.dropoutSeed(a)));
    const r = this.update(micro);
    this.stepCount++;
    return this.metrics(r, t0, lr, extra(r.aux));
  }

  /**
   * One optimizer update over micro-batches: gradients summed then averaged, checked finite, clipped,
   * applied. Throws NonFiniteError (nothing applied) on a NaN/Inf loss or gradient. `net` and `opt`
   * default to the stage's network and optimizer (PPO also updates its value network this way).
   */
  protected update(micro: MicroBatch[], net: Gpt = this.model, opt: Adam = this.opt): { loss: number; gradNorm: number; aux: Record<string, number>; tokens: number } {
    const vars = net.trainableVariables();
    const names = new Map<tf.Variable, string>();
    for (const [n, v] of net.params) names.set(v, n);
    let acc: Map<string, tf.Tensor> | undefined;
    let lossSum = 0;
    let tokens = 0;
    const auxSum: Record<string, number> = {};
    try {
      for (const mb of micro) {
        const r = microBatchGrads(net, this.frozenFor(net), mb.shard, this.cfg.parallelShares, this.poolFor(net));
        const { loss, grads } = r;
        for (const [k, a] of Object.entries(r.aux)) auxSum[k] = (auxSum[k] ?? 0) + a;
        if (!Number.isFinite(loss)) {
          tf.dispose(Object.values(grads));
          throw new NonFiniteError(this.kind, this.stepCount + 1, "loss", loss);
        }
        lossSum += loss;
        tokens += mb.tokens;
        // variableGrads keys gradients by variable name; keep them by parameter name, summed.
        if (!acc) acc = new Map();
        for (const v of vars) {
          const g = grads[v.name];
          if (!g) continue;
          const n = names.get(v)!;
          const prev = acc.get(n);
          if (prev) {
            acc.set(n, tf.tidy(() => tf.add(prev, g)));
            prev.dispose();
            g.dispose();
          } else acc.set(n, g);
        }
      }
      const t0 = performance.now();
      const norm = globalNorm(acc!) / micro.length;
      if (!Number.isFinite(norm)) throw new NonFiniteError(this.kind, this.stepCount + 1, "gradient", norm);
      const clip = this.cfg.gradClip > 0 && norm > this.cfg.gradClip ? this.cfg.gradClip / (norm + 1e-6) : 1;
      const t1 = performance.now();
      opt.apply(acc!, this.scheduledLr(), clip / micro.length);
      const timing = this.poolFor(net)?.timing; // the parallel bench's breakdown: the serial part of a step
      if (timing) {
        timing.normMs += t1 - t0;
        timing.applyMs += performance.now() - t1;
      }
      const aux: Record<string, number> = {};
      for (const [k, s] of Object.entries(auxSum)) aux[k] = s / micro.length;
      return { loss: lossSum / micro.length, gradNorm: norm, aux, tokens };
    } finally {
      if (acc) tf.dispose([...acc.values()]);
    }
  }

  /** Run steps until `untilStep` (default cfg.steps) or the signal; returns whether the stage completed. */
  async run(opts: RunOptions = {}): Promise<{ completed: boolean; metrics: StepMetrics[] }> {
    const until = opts.untilStep ?? this.cfg.steps;
    const metrics: StepMetrics[] = [];
    while (this.stepCount < until) {
      if (opts.signal?.aborted) return { completed: false, metrics };
      const m = this.step();
      metrics.push(m);
      await opts.onStep?.(m);
    }
    return { completed: this.stepCount >= this.cfg.steps, metrics };
  }

  /** A snapshot from which restore() continues exactly (same batches, same samples, same numbers). */
  state(): TrainerState {
    const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [n, v] of this.model.params) tensors.set(`model.${n}`, { shape: v.shape, data: v.dataSync() as Float32Array });
    for (const which of ["m", "v"] as const) for (const [n, t] of this.opt.moments(which)) tensors.set(`opt.${which}.${n}`, t);
    return { kind: this.kind, step: this.stepCount, optimizerT: this.opt.t, order: this.order.state(), tensors };
  }

  restore(s: TrainerState): void {
    if (s.kind !== this.kind) throw new Error(`cannot restore a ${s.kind} state into a ${this.kind} trainer`);
    const assign = (target: Map<string, tf.Variable>, prefix: string) => {
      for (const [n, v] of target) {
        const t = s.tensors.get(prefix + n);
        if (!t) throw new Error(`state has no tensor ${prefix}${n}`);
        if (t.data.length !== v.size) throw new Error(`state tensor ${prefix}${n} has ${t.data.length} values, expected ${v.size}`);
        tf.tidy(() => v.assign(tf.tensor(t.data, v.shape)));
      }
    };
    assign(this.model.params, "model.");
    for (const which of ["m", "v"] as const)
      this.opt.loadMoments(which, (n) => {
        const t = s.tensors.get(`opt.${which}.${n}`);
        if (!t) throw new Error(`state has no tensor opt.${which}.${n}`);
        return t.data;
      });
    this.stepCount = s.step;
    this.opt.t = s.optimizerT;
    this.order = new BatchOrder(this.order.n, this.order.seed, s.order.epoch, s.order.cursor, this.order.grouping);
  }

  /** Free the trained network's variables and the optimizer moments (and any frozen copies). */
  dispose(): void {
    this.parallel?.close();
    this.parallel = null;
    this.opt.dispose();
    this.model.dispose();
  }

  protected metrics(r: { loss: number; gradNorm: number; tokens: number }, t0: number, lr: number, extra: Record<string, number>): StepMetrics {
    const ms = performance.now() - t0;
    return {
      stage: this.kind,
      step: this.stepCount,
      loss: r.loss,
      lr,
      grad_norm: r.gradNorm,
      tokens: r.tokens,
      tokens_per_s: r.tokens / (ms / 1000),
      ms,
      ...extra,
    };
  }
}
