// How alignc's batch and length of training become a data-parallel engine's. alignc counts one
// optimizer step as `batch_size × accumulate` sequences, in `accumulate` micro-batches of
// `batch_size` on one device (PPO: `batch_size` rollouts); an engine on
// W GPUs sees per-device micro-batch × accumulation × W sequences per step. We keep the global batch
// (what the optimizer sees) exact whenever W allows it and say so when it cannot.

export interface BatchSplit {
  perDevice: number; // micro-batch per GPU
  accumulation: number; // gradient accumulation steps
  global: number; // perDevice × accumulation × world: sequences per optimizer step on the target
  exact: boolean; // global === alignc's sequences per step
}

/** Split `batch` sequences per optimizer step over `world` GPUs, preferring alignc's own `accumulate`. */
export function splitBatch(batch: number, accumulate: number, world: number): BatchSplit {
  const candidates: number[] = [accumulate];
  for (let a = 1; a <= batch; a++) if (a !== accumulate) candidates.push(a);
  for (const a of candidates) {
    const perDevice = batch / (a * world);
    if (Number.isInteger(perDevice) && perDevice >= 1) return { perDevice, accumulation: a, global: batch, exact: true };
  }
  // The world is larger than the batch (or does not divide it): one sequence per GPU per micro-step,
  // the nearest global batch from above.
  const perDevice = Math.max(1, Math.floor(batch / world));
  const accumulation = Math.max(1, Math.round(batch / (perDevice * world)));
  return { perDevice, accumulation, global: perDevice * accumulation * world, exact: false };
}

export interface Duration {
  /** the engine's epochs over the exported rows (integer for engines that only take whole epochs) */
  epochs: number;
  /** rows to read (OpenRLHF `max_samples`), when the run uses fewer than one pass */
  maxSamples: number | null;
  /** sequences the target will train on, against alignc's `steps × batch` */
  sequences: number;
  exact: boolean;
}

/**
 * For engines without a step count (OpenRLHF): alignc's `steps × batch` sequences over `rows`
 * examples become whole epochs, or a `max_samples` cut when less than one pass. The engine reads rows
 * in units of `unit` (its loaders drop each epoch's last incomplete one: drop_last), so an epoch trains
 * `⌊rows / unit⌋ × unit` of them; a cut is rounded up to whole units (more than one pass holds: epochs).
 */
export function stepsToEpochs(steps: number, batch: number, rows: number, unit = 1): Duration {
  const wanted = steps * batch;
  const whole = (n: number) => Math.floor(n / unit) * unit;
  if (whole(rows) <= 0) return { epochs: 1, maxSamples: null, sequences: 0, exact: wanted === 0 };
  const cut = Math.ceil(wanted / unit) * unit;
  if (cut <= rows) return { epochs: 1, maxSamples: cut, sequences: cut, exact: cut === wanted };
  const epochs = Math.ceil(wanted / whole(rows));
  return { epochs, maxSamples: null, sequences: epochs * whole(rows), exact: epochs * whole(rows) === wanted };
}
