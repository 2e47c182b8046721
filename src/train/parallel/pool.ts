// Data-parallel gradients over worker threads. TensorFlow.js's wasm backend runs one thread in Node
// (its threaded build reports no multithread support there), so a second core idles; a pool of
// workers, each with its own backend and a replica of the network, computes the gradient of a share
// of each micro-batch (src/train/parallel/shard.ts: LM, reward-model and DPO batches) while the main
// thread computes the first share. The main thread adds the shares' gradients in a fixed order
// (share 0, 1, …), and Trainer.update checks, clips and applies them once. Before every task the
// main thread writes its weights into shared memory and each worker loads them, so every replica
// computes with exactly those weights (bit-identical replicas, checked by digests()); gradients come
// back through shared memory too (exchange.ts), so no message carries a tensor.
// Calls are synchronous (Atomics.wait on the main thread is allowed in Node), so the training step
// stays synchronous and Ctrl-C, checkpoints and resume work as with one thread.
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from "node:worker_threads";
import { tf } from "../backend.js";
import type { LmBatch } from "../batch.js";
import { batchNll } from "../evaluate.js";
import type { Gpt } from "../model.js";
import { SharedTensors } from "./exchange.js";
import { CONTROL_INTS, DONE_SEQ, TASK_SEQ, type NetSpec, type Reply, type Task, type WorkerInit } from "./protocol.js";
import { shardGrads, shares, type Shard } from "./shard.js";
import { ShareSum, type ShareResult } from "./share-sum.js";
import { sampleShare, type RolloutShare, type ShareSampleOptions } from "../stages/ppo-rollout.js";
import { shareLogProbs, type ScoreShare, type ShareLogProbs } from "../stages/ppo-score.js";
import { since, threadTimes } from "./thread-time.js";
import { pushAll } from "../../common/arrays.js";

/** How long the main thread waits for one worker's answer before giving up (a worker that died). */
const ANSWER_TIMEOUT_MS = 10 * 60_000;
/** How long a worker may take to load its backend and model. */
const START_TIMEOUT_MS = 120_000;

interface Slot {
  worker: Worker;
  port: MessagePort;
  control: Int32Array;
  grads: SharedTensors;
  seq: number;
}

/** Where the time of the pool's gradient calls went, summed over calls (ms): the bench's breakdown. */
export interface PoolTiming {
  calls: number;
  /** main thread: reading the weights, splitting the batch, posting the tasks */
  prepMs: number;
  /** main thread: its own share's forward/backward pass; of it, on a CPU and waiting for one (thread-time.ts) */
  ownMs: number;
  ownCpuMs: number;
  ownQueuedMs: number;
  /** main thread: idle, waiting for the workers after its own share */
  waitMs: number;
  /** main thread: receiving the workers' gradients and adding them */
  mergeMs: number;
  /** main thread, in Trainer.update after the pool's calls: the gradient norm (clipping) and the optimizer step (recorded by the trainer) */
  normMs: number;
  applyMs: number;
  /** the workers (summed over workers): loading weights, their share's pass, copying gradients out */
  workerLoadMs: number;
  workerComputeMs: number;
  workerComputeCpuMs: number;
  workerComputeQueuedMs: number;
  workerPackMs: number;
}

const zeroTiming = (): PoolTiming => ({
  calls: 0,
  prepMs: 0,
  ownMs: 0,
  ownCpuMs: 0,
  ownQueuedMs: 0,
  waitMs: 0,
  mergeMs: 0,
  normMs: 0,
  applyMs: 0,
  workerLoadMs: 0,
  workerComputeMs: 0,
  workerComputeCpuMs: 0,
  workerComputeQueuedMs: 0,
  workerPackMs: 0,
});

export class GradientPool {
  private closed = false;
  /** Summed timings of grads() since the last resetTiming(). */
  timing: PoolTiming = zeroTiming();

  private constructor(
    private readonly slots: Slot[],
    private readonly names: string[],
    private readonly trainable: string[],
    private readonly weights: SharedTensors,
    private readonly reference: Gpt | null,
  ) {}

  /** Replicas in all, the main thread's included. */
  get size(): number {
    return this.slots.length + 1;
  }

  /**
   * Starts `replicas − 1` workers holding copies of `model` (and of the frozen `reference` a stage's
   * loss also needs: DPO's) on `backend` (wasm or cpu).
   */
  static async start(model: Gpt, replicas: number, backend: string, reference: Gpt | null = null): Promise<GradientPool> {
    if (!Number.isInteger(replicas) || replicas < 2) throw new Error(`a gradient pool needs at least 2 replicas, got ${replicas}`);
    const spec = (g: Gpt): NetSpec => ({ config: g.config, heads: g.heads, names: [...g.params.keys()], shapes: [...g.params.values()].map((v) => v.shape) });
    const net = spec(model);
    const trainable = net.names.filter((n) => model.params.get(n)!.trainable);
    const weights = new SharedTensors(net.shapes);
    net.names.forEach((n, i) => weights.write(i, model.params.get(n)!));
    const ref = reference ? { ...spec(reference), values: [...reference.params.values()].map((v) => v.dataSync() as Float32Array) } : undefined;
    const url = new URL(import.meta.url.endsWith(".ts") ? "./worker.ts" : "./worker.js", import.meta.url);
    const slots: Slot[] = [];
    try {
      for (let r = 1; r < replicas; r++) {
        const { port1, port2 } = new MessageChannel();
        const control = new SharedArrayBuffer(CONTROL_INTS * 4);
        const grads = new SharedTensors(trainable.map((n) => model.params.get(n)!.shape));
        const data: WorkerInit & { port: MessagePort } = { backend, net, trainable, weights: weights.buffer, grads: grads.buffer, control, port: port2, ...(ref ? { reference: ref } : {}) };
        const worker = new Worker(url, { workerData: data, transferList: [port2], ...(url.pathname.endsWith(".ts") ? { execArgv: ["--import", "tsx"] } : {}) });
        slots.push({ worker, port: port1, control: new Int32Array(control), grads, seq: 0 });
      }
      await Promise.all(slots.map((s) => ready(s)));
    } catch (err) {
      for (const s of slots) void s.worker.terminate();
      throw err;
    }
    return new GradientPool(slots, net.names, trainable, weights, reference);
  }

  /**
   * The loss, the stage's reported values (aux) and the gradients (keyed by `net`'s variable names)
   * of a micro-batch's fixed shares (splitBatch), added in share order: in rounds of `size` shares,
   * replica r computing share (round · size + r), the main thread's first. The result is the sum one
   * thread computing the shares one after the other gives, bit for bit.
   */
  grads(net: Gpt, shards: Shard[]): ShareResult {
    if (this.closed) throw new Error("gradient pool: used after close");
    const vars = this.trainable.map((n) => net.params.get(n)!);
    const sum = new ShareSum(vars);
    try {
      const w0 = performance.now();
      this.names.forEach((n, i) => this.weights.write(i, net.params.get(n)!));
      this.timing.prepMs += performance.now() - w0;
      for (let at = 0; at < shards.length; at += this.size) this.round(net, shards.slice(at, at + this.size), vars, sum);
      return sum.result();
    } catch (err) {
      sum.dispose();
      throw err;
    }
  }

  /** One round: the first share on this thread, the others on workers 1, 2, …; added in that order. */
  private round(net: Gpt, round: Shard[], vars: tf.Variable[], sum: ShareSum): void {
    const tm = this.timing;
    const t0 = performance.now();
    const busy = this.slots.slice(0, round.length - 1);
    busy.forEach((s, i) => this.post(s, { type: "grads", seq: 0, shard: round[i + 1]! }));
    const t1 = performance.now();
    const c1 = threadTimes();
    const own = this.settledOnThrow(busy, () => shardGrads(net, this.reference, round[0]!, vars));
    const ownTimes = since(c1);
    sum.addTensors(own);
    const t2 = performance.now();
    let waitMs = 0;
    let failure: Error | null = null;
    for (const s of busy) {
      // every answer is collected (even after a failure) so that no worker is left mid-task
      const w0 = performance.now();
      const reply = this.await(s);
      waitMs += performance.now() - w0;
      if (!reply.ok) {
        failure ??= new Error(`gradient worker failed: ${reply.error}`);
        continue;
      }
      if (failure) continue;
      if (reply.timing) {
        tm.workerLoadMs += reply.timing.loadMs;
        tm.workerComputeMs += reply.timing.computeMs;
        tm.workerComputeCpuMs += reply.timing.computeCpuMs;
        tm.workerComputeQueuedMs += reply.timing.computeQueuedMs;
        tm.workerPackMs += reply.timing.packMs;
      }
      sum.addShared(reply.loss!, reply.aux ?? {}, s.grads);
    }
    if (failure) throw failure;
    tm.calls++;
    tm.prepMs += t1 - t0;
    tm.ownMs += t2 - t1;
    tm.ownCpuMs += ownTimes.cpuMs;
    tm.ownQueuedMs += ownTimes.queuedMs;
    tm.waitMs += waitMs;
    tm.mergeMs += performance.now() - t2 - waitMs;
  }

  /**
   * batchNll of each batch with `net`'s weights (held-out loss, src/train/evaluate.ts): contiguous
   * runs of batches across the replicas, the main thread's first. Each batch's figure is computed
   * as one thread computes it, so the result is bit-identical to one thread's.
   */
  batchNlls(net: Gpt, batches: LmBatch[]): number[] {
    if (this.closed) throw new Error("gradient pool: used after close");
    let at = 0;
    const runs = shares(batches.length, this.size).map((k) => batches.slice(at, (at += k)));
    this.names.forEach((n, i) => this.weights.write(i, net.params.get(n)!));
    const busy = this.slots.slice(0, runs.length - 1);
    busy.forEach((s, i) => this.post(s, { type: "nll", seq: 0, batches: runs[i + 1]! }));
    const out = this.settledOnThrow(busy, () => runs[0]!.map((b) => batchNll(net, b)));
    let failure: Error | null = null;
    for (const s of busy) {
      const reply = this.await(s); // every answer is collected, so that no worker is left mid-task
      if (!reply.ok) failure ??= new Error(`gradient worker failed: ${reply.error}`);
      else pushAll(out, reply.nlls!);
    }
    if (failure) throw failure;
    return out;
  }

  /**
   * PPO rollout shares' responses (src/train/stages/ppo-rollout.ts) with `net`'s weights, in share
   * order, each share sampled from its own seeded stream: the samples one thread draws.
   */
  sample(net: Gpt, parts: RolloutShare[], options: ShareSampleOptions): number[][][] {
    return this.spread(net, parts.length, (js) => ({ type: "sample", seq: 0, shares: js.map((j) => parts[j]!), options }), (j) => sampleShare(net, parts[j]!, options), (r) => r.samples!);
  }

  /** PPO rollout shares' log-probabilities under `net` and the pool's reference (src/train/stages/ppo-score.ts), in share order. */
  logProbs(net: Gpt, parts: ScoreShare[]): ShareLogProbs[] {
    const reference = this.reference;
    if (!reference) throw new Error("gradient pool: scoring needs the reference network (start the pool with it)");
    return this.spread(net, parts.length, (js) => ({ type: "score", seq: 0, shares: js.map((j) => parts[j]!) }), (j) => shareLogProbs(net, reference, parts[j]!), (r) => r.scored!);
  }

  /**
   * `count` independent share tasks with `net`'s weights: replica r takes shares r, r + size, … (one
   * message each), the main thread its own; the answers in share order.
   */
  private spread<T>(net: Gpt, count: number, task: (shares: number[]) => Task, own: (j: number) => T, answers: (r: Reply & { ok: true }) => T[]): T[] {
    if (this.closed) throw new Error("gradient pool: used after close");
    const mine = (r: number) => Array.from({ length: count }, (_, j) => j).filter((j) => j % this.size === r);
    this.names.forEach((n, i) => this.weights.write(i, net.params.get(n)!));
    const busy = this.slots.slice(0, Math.min(count, this.size) - 1);
    busy.forEach((s, i) => this.post(s, task(mine(i + 1))));
    const out: T[] = new Array(count);
    const ours = this.settledOnThrow(busy, () => mine(0).map(own));
    mine(0).forEach((j, k) => (out[j] = ours[k]!));
    let failure: Error | null = null;
    busy.forEach((s, i) => {
      const reply = this.await(s); // every answer is collected, so that no worker is left mid-task
      if (!reply.ok) failure ??= new Error(`gradient worker failed: ${reply.error}`);
      else {
        const got = answers(reply);
        mine(i + 1).forEach((j, k) => (out[j] = got[k]!));
      }
    });
    if (failure) throw failure;
    return out;
  }

  resetTiming(): void {
    this.timing = zeroTiming();
  }

  /** sha256 of each worker replica's weights (tests: replicas hold exactly the main thread's weights). */
  digests(): string[] {
    for (const s of this.slots) this.post(s, { type: "digest", seq: 0 });
    return this.slots.map((s) => {
      const r = this.await(s);
      if (!r.ok) throw new Error(`gradient worker failed: ${r.error}`);
      return r.digest!;
    });
  }

  /** sha256 of `net`'s weights, computed as a worker computes its digest. */
  static digestOf(net: Gpt): string {
    const h = createHash("sha256");
    for (const v of net.params.values()) h.update(v.dataSync() as Float32Array);
    return h.digest("hex");
  }

  /** Stops the workers (their backends and replicas go with them). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.slots) {
      try {
        this.post(s, { type: "close", seq: 0 });
        this.await(s, 5_000);
      } catch {
        // a worker that does not answer is terminated below all the same
      }
      s.port.close();
      void s.worker.terminate();
    }
  }

  /** Runs the main thread's share; if it throws, first collects the busy workers' answers, so that none is read as the next task's. */
  private settledOnThrow<T>(busy: Slot[], f: () => T): T {
    try {
      return f();
    } catch (err) {
      for (const s of busy) {
        try {
          this.await(s);
        } catch {
          // the main thread's error is the one to report
        }
      }
      throw err;
    }
  }

  private post(s: Slot, task: Task): void {
    s.seq++;
    s.port.postMessage({ ...task, seq: s.seq });
    Atomics.store(s.control, TASK_SEQ, s.seq);
    Atomics.notify(s.control, TASK_SEQ);
  }

  private await(s: Slot, timeoutMs = ANSWER_TIMEOUT_MS): Reply {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const done = Atomics.load(s.control, DONE_SEQ);
      if (done === s.seq) break;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`gradient worker ${s.worker.threadId}: no answer in ${timeoutMs / 1000} s (did it die?)`);
      Atomics.wait(s.control, DONE_SEQ, done, Math.min(left, 1000));
    }
    const got = receiveMessageOnPort(s.port);
    const reply = got?.message as Reply | undefined;
    if (!reply || reply.seq !== s.seq) throw new Error(`gradient worker ${s.worker.threadId}: answer ${s.seq} missing`);
    return reply;
  }
}

/** Waits for a worker's ready message (polled: the port must not get a listener, or replies would be dispatched asynchronously). */
async function ready(s: Slot): Promise<void> {
  let failed: Error | null = null;
  const onError = (e: Error) => (failed = e);
  const onExit = (code: number) => (failed ??= new Error(`gradient worker exited with code ${code} while starting`));
  s.worker.on("error", onError).on("exit", onExit);
  const deadline = Date.now() + START_TIMEOUT_MS;
  try {
    for (;;) {
      const got = receiveMessageOnPort(s.port);
      if (got) {
        const r = got.message as Reply;
        if (!r.ok) throw new Error(`gradient worker failed to start: ${r.error}`);
        return;
      }
      if (failed) throw new Error(`gradient worker failed to start: ${(failed as Error).message}`);
      if (Date.now() > deadline) throw new Error(`gradient worker: not ready after ${START_TIMEOUT_MS / 1000} s`);
      await sleep(5);
    }
  } finally {
    s.worker.off("error", onError).off("exit", onExit);
  }
}
