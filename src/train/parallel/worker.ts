// A gradient worker: its own TensorFlow.js backend (a worker thread has its own wasm instance) and a
// replica of the model. It waits for a task, loads the weights it is sent (so it always holds
// exactly the main thread's weights), computes the gradient of its share of the batch's loss and
// sends it back. It never applies an update itself: the main thread does, once, for everyone.
import { createHash } from "node:crypto";
import { receiveMessageOnPort, workerData, type MessagePort } from "node:worker_threads";
import { tf, useBackend, type BackendName } from "../backend.js";
import { Gpt } from "../model.js";
import { CONTROL_INTS, DONE_SEQ, TASK_SEQ, type Reply, type Task, type WorkerInit } from "./protocol.js";
import { lmShardLoss } from "./shard.js";

const init = workerData as WorkerInit & { port: MessagePort };
const control = new Int32Array(init.control, 0, CONTROL_INTS);

await useBackend(init.backend as BackendName);
const model = new Gpt(init.config, init.heads, new Map(init.names.map((n, i) => [n, init.values[i]!])));
const vars = init.trainable.map((n) => model.params.get(n)!);
init.port.postMessage({ seq: 0, ok: true } satisfies Reply); // ready

function load(weights: Float32Array[]): void {
  init.names.forEach((n, i) => {
    const v = model.params.get(n)!;
    tf.tidy(() => v.assign(tf.tensor(weights[i]!, v.shape)));
  });
}

function handle(task: Task): { reply: Reply; transfer: ArrayBuffer[] } {
  if (task.type === "digest") {
    const h = createHash("sha256");
    for (const n of init.names) h.update(model.params.get(n)!.dataSync() as Float32Array);
    return { reply: { seq: task.seq, ok: true, digest: h.digest("hex") }, transfer: [] };
  }
  if (task.type === "close") return { reply: { seq: task.seq, ok: true }, transfer: [] };
  load(task.weights);
  const { value, grads } = tf.variableGrads(() => lmShardLoss(model, task.shard, task.dropoutSeed), vars);
  const loss = value.dataSync()[0]!;
  // copies: a typed array read from the wasm backend may view its heap, which must not be transferred
  const out = vars.map((v) => new Float32Array(grads[v.name]!.dataSync() as Float32Array));
  value.dispose();
  tf.dispose(Object.values(grads));
  return { reply: { seq: task.seq, ok: true, loss, grads: out }, transfer: out.map((g) => g.buffer as ArrayBuffer) };
}

let seen = 0;
for (;;) {
  Atomics.wait(control, TASK_SEQ, seen);
  const seq = Atomics.load(control, TASK_SEQ);
  if (seq === seen) continue;
  seen = seq;
  const got = receiveMessageOnPort(init.port);
  const task = got?.message as Task | undefined;
  let answer: { reply: Reply; transfer: ArrayBuffer[] };
  try {
    if (!task || task.seq !== seq) throw new Error(`gradient worker: task ${seq} did not arrive`);
    answer = handle(task);
  } catch (err) {
    answer = { reply: { seq, ok: false, error: (err as Error).stack ?? String(err) }, transfer: [] };
  }
  init.port.postMessage(answer.reply, answer.transfer);
  Atomics.store(control, DONE_SEQ, seq);
  Atomics.notify(control, DONE_SEQ);
  if (task?.type === "close") break;
}
init.port.close();
