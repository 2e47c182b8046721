// Whether and how a training stage spreads its shares over threads (src/train/parallel): pretrain,
// SFT, the reward model, DPO, PPO's rollouts (sampling) and its policy and value-network updates on
// the wasm or cpu backend, over min(workers, parallel_shares, batch_size) replicas (a micro-batch
// has at most parallel_shares shares, and no more than its sequences, comparison groups, preference
// pairs or rollouts). The stage's figures are the same for any count: the shares are the recipe's.
// Native TensorFlow already uses every core. PPO's reward-model scores and values run on this thread.
import { availableParallelism } from "node:os";
import type { Gpt, Trainer } from "./train-api.js";

/**
 * `--workers`: a positive integer, or auto (the number of cores), the default: on this project's
 * 2-core machine, quiet, 2 replicas train 1.36–1.72× as fast as 1 and the quickstart runs 26 %
 * shorter (README.md, "Both cores"). Speed only: a stage's figures depend on its `parallel_shares`,
 * never on the worker count, so a stage uses min(workers, parallel_shares) replicas.
 */
export function resolveWorkers(asked: number | "auto" | undefined): number {
  return asked === undefined || asked === "auto" ? availableParallelism() : asked;
}

/** Starts a gradient pool on `trainer` when it pays; returns the replicas the stage runs on. */
export async function parallelize(trainer: Trainer, workers: number, backend: string | null, say: (line: string) => void): Promise<number> {
  const replicas = Math.min(workers, trainer.cfg.parallelShares, trainer.cfg.batchSize);
  if (replicas < 2 || (backend !== "wasm" && backend !== "cpu")) return 1;
  const { GradientPool } = await import("../../train/parallel/pool.js");
  // DPO's loss and PPO's rollout scoring also read the frozen reference: every replica holds one
  const reference = (trainer.kind === "dpo" || trainer.kind === "ppo") && "reference" in trainer ? (trainer.reference as Gpt) : null;
  // PPO's value network (gae) is updated too: a second pool holds its replicas (its workers wait while the policy's compute)
  const value = trainer.kind === "ppo" && "value" in trainer ? (trainer.value as Gpt | null) : null;
  try {
    trainer.parallel = await GradientPool.start(trainer.model, replicas, backend, reference);
    if (value) (trainer as Trainer & { valueParallel: unknown }).valueParallel = await GradientPool.start(value, replicas, backend);
  } catch (err) {
    trainer.parallel?.close(); // the policy's pool, when only the value network's failed
    trainer.parallel = null;
    // worker threads that cannot start (a sandbox, no memory) cost speed, not the run: say so and use one thread
    say(`could not start worker threads (${(err as Error).message.split("\n")[0]}); training on one thread`);
    return 1;
  }
  const threads = (replicas - 1) * (value ? 2 : 1);
  say(`data-parallel over ${replicas} replicas (${threads} worker thread${threads > 1 ? "s" : ""}${value ? ": policy and value network" : ""}, ${backend})`);
  return replicas;
}
