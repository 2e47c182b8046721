// A gradient worker: its own TensorFlow.js backend (a worker thread has its own wasm instance) and a
// replica of the network (and of the frozen reference DPO's loss and PPO's scoring read). For each
// task it loads the main thread's weights from shared memory (so it always holds exactly them),
// then computes the gradient of one share of a batch's loss (written to its shared gradient block),
// held-out losses of whole batches, or PPO rollout shares (samples, and their log-probabilities
// under the policy and the reference). It never applies an update itself: the main thread does,
// once, for everyone.
import { createHash } from "node:crypto";
import { receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { tf, useBackend, type BackendName } from "../backend.js";
import { batchNll } from "../evaluate.js";
import { Gpt } from "../model.js";
import { sampleShare } from "../stages/ppo-rollout.js";
import { shareLogProbs } from "../stages/ppo-score.js";
import { SharedTensors } from "./exchange.js";
import { CONTROL_INTS, DONE_SEQ, TASK_SEQ, type NetSpec, type Reply, type Task, type WorkerInit } from "./protocol.js";
import { shardGrads } from "./shard.js";
import { since, threadTimes } from "./thread-time.js";

const init = workerData as WorkerInit & { port: MessagePort };
const control = new Int32Array(init.control, 0, CONTROL_INTS);

await useBackend(init.backend as BackendName);
const shared = new SharedTensors(init.net.shapes, init.weights);
const model = new Gpt(init.net.config, init.net.heads, new Map(init.net.names.map((n, i) => [n, shared.view(i).slice()])));
const params = init.net.names.map((n) => model.params.get(n)!);
const vars = init.trainable.map((n) => model.params.get(n)!);
const grads = new SharedTensors(vars.map((v) => v.shape), init.grads);
const reference = init.reference ? frozen(init.reference) : null;
init.port.postMessage({ seq: 0, ok: true } satisfies Reply); // ready

function frozen(spec: NetSpec & { values: Float32Array[] }): Gpt {
  const g = new Gpt(spec.config, spec.heads, new Map(spec.names.map((n, i) => [n, spec.values[i]!])));
  for (const v of g.params.values()) v.trainable = false;
  return g;
}

function load(): void {
  params.forEach((v, i) => tf.tidy(() => v.assign(shared.tensor(i))));
}

function handle(task: Task): Reply {
  if (task.type === "digest") {
    const h = createHash("sha256");
    for (const v of params) h.update(v.dataSync() as Float32Array);
    return { seq: task.seq, ok: true, digest: h.digest("hex") };
  }
  if (task.type === "close") return { seq: task.seq, ok: true };
  if (task.type === "nll") {
    load();
    return { seq: task.seq, ok: true, nlls: task.batches.map((b) => batchNll(model, b)) };
  }
  if (task.type === "sample") {
    load();
    return { seq: task.seq, ok: true, samples: task.shares.map((s) => sampleShare(model, s, task.options)) };
  }
  if (task.type === "score") {
    if (!reference) throw new Error("gradient worker: scoring needs the reference network");
    load();
    return { seq: task.seq, ok: true, scored: task.shares.map((s) => shareLogProbs(model, reference, s)) };
  }
  const t0 = performance.now();
  load();
  const t1 = performance.now();
  const c1 = threadTimes();
  const r = shardGrads(model, reference, task.shard, vars);
  const t2 = performance.now();
  const compute = since(c1);
  try {
    vars.forEach((v, i) => grads.write(i, r.grads[v.name]!));
  } finally {
    tf.dispose(Object.values(r.grads));
  }
  return { seq: task.seq, ok: true, loss: r.loss, aux: r.aux, timing: { loadMs: t1 - t0, computeMs: t2 - t1, computeCpuMs: compute.cpuMs, computeQueuedMs: compute.queuedMs, packMs: performance.now() - t2 } };
}

let seen = 0;
for (;;) {
  Atomics.wait(control, TASK_SEQ, seen);
  const seq = Atomics.load(control, TASK_SEQ);
  if (seq === seen) continue;
  seen = seq;
  const got = receiveMessageOnPort(init.port);
  const task = got?.message as Task | undefined;
  let reply: Reply;
  try {
    if (!task || task.seq !== seq) throw new Error(`gradient worker: task ${seq} did not arrive`);
    reply = handle(task);
  } catch (err) {
    reply = { seq, ok: false, error: (err as Error).stack ?? String(err) };
  }
  init.port.postMessage(reply);
  Atomics.store(control, DONE_SEQ, seq);
  Atomics.notify(control, DONE_SEQ);
  if (task?.type === "close") break;
}
init.port.close();
