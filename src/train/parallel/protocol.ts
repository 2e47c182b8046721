// What the main thread and a gradient worker say to each other. Tasks and replies travel over one
// MessageChannel per worker, read synchronously (receiveMessageOnPort); a shared Int32Array per
// worker signals them (Atomics.wait/notify), so the training step stays synchronous: the main
// thread computes its own share while the workers compute theirs, then waits for them.
// Weights and gradients do not travel in messages: they sit in SharedArrayBuffers (exchange.ts),
// written by one side and read by the other between a task's signal and its answer.
import type { LmBatch } from "../batch.js";
import type { GptConfig } from "../config.js";
import type { HeadName } from "../model.js";
import type { RolloutShare, ShareSampleOptions } from "../stages/ppo-rollout.js";
import type { ScoreShare, ShareLogProbs } from "../stages/ppo-score.js";
import type { Shard } from "./shard.js";

/** Int32 slots of the shared control array: the last task posted, the last task answered. */
export const TASK_SEQ = 0;
export const DONE_SEQ = 1;
export const CONTROL_INTS = 2;

/** A network as a worker rebuilds it. */
export interface NetSpec {
  config: GptConfig;
  heads: readonly HeadName[];
  names: string[];
  shapes: number[][];
}

export interface WorkerInit {
  backend: string;
  /** the trained network; its weights are read from `weights` (every parameter, in `names` order) */
  net: NetSpec;
  /** the trainable parameters' names, in the order gradients are laid out in `grads` */
  trainable: string[];
  /** the main thread's weights, rewritten before every gradient task */
  weights: SharedArrayBuffer;
  /** this worker's gradient of its share, written before it answers */
  grads: SharedArrayBuffer;
  control: SharedArrayBuffer;
  /** a frozen network the losses or scores also need (DPO's and PPO's reference), sent once */
  reference?: NetSpec & { values: Float32Array[] };
}

export type Task =
  | { type: "grads"; seq: number; shard: Shard }
  | { type: "nll"; seq: number; batches: LmBatch[] }
  | { type: "sample"; seq: number; shares: RolloutShare[]; options: ShareSampleOptions }
  | { type: "score"; seq: number; shares: ScoreShare[] }
  | { type: "digest"; seq: number }
  | { type: "close"; seq: number };

/** Where a worker's time on one gradient task went (ms): loading the weights, the forward/backward pass, copying the gradients out. */
export interface WorkerTiming {
  loadMs: number;
  computeMs: number;
  /** of computeMs: on a CPU, and runnable but waiting for one (0 where the kernel does not say: thread-time.ts) */
  computeCpuMs: number;
  computeQueuedMs: number;
  packMs: number;
}

export type Reply =
  | { seq: number; ok: true; loss?: number; aux?: Record<string, number>; nlls?: number[]; samples?: number[][][]; scored?: ShareLogProbs[]; digest?: string; timing?: WorkerTiming }
  | { seq: number; ok: false; error: string };
