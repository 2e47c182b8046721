// What the main thread and a gradient worker say to each other. Tasks and replies travel over one
// MessageChannel per worker, read synchronously (receiveMessageOnPort); a shared Int32Array per
// worker signals them (Atomics.wait/notify), so the training step stays synchronous: the main
// thread computes its own share while the workers compute theirs, then waits for them.
import type { GptConfig } from "../config.js";
import type { HeadName } from "../model.js";
import type { LmShard } from "./shard.js";

/** Int32 slots of the shared control array: the last task posted, the last task answered. */
export const TASK_SEQ = 0;
export const DONE_SEQ = 1;
export const CONTROL_INTS = 2;

export interface WorkerInit {
  backend: string;
  config: GptConfig;
  heads: readonly HeadName[];
  /** every parameter's name, in the order weights travel */
  names: string[];
  /** the trainable parameters' names, in the order gradients travel */
  trainable: string[];
  values: Float32Array[];
  control: SharedArrayBuffer;
}

export type Task =
  | { type: "grads"; seq: number; weights: Float32Array[]; shard: LmShard; dropoutSeed?: number }
  | { type: "digest"; seq: number }
  | { type: "close"; seq: number };

export type Reply =
  | { seq: number; ok: true; loss?: number; grads?: Float32Array[]; digest?: string }
  | { seq: number; ok: false; error: string };
