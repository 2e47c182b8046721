// Adam/AdamW with moments we own (so they serialise with the checkpoint), warmup + decay schedule,
// and global-norm gradient clipping.
import { tf } from "./backend.js";
import { ADAM_CONSTANTS, type TrainConfig } from "./config.js";

export { ADAM_CONSTANTS };

/** Learning rate at optimizer step `step` (0-based): linear warmup, then cosine/linear decay to minLrRatio·lr. */
export function lrAt(step: number, c: Pick<TrainConfig, "lr" | "warmup" | "steps" | "schedule" | "minLrRatio">): number {
  if (c.warmup > 0 && step < c.warmup) return (c.lr * (step + 1)) / c.warmup;
  if (c.schedule === "constant") return c.lr;
  const span = Math.max(1, c.steps - c.warmup);
  const progress = Math.min(1, Math.max(0, (step - c.warmup) / span));
  const min = c.lr * c.minLrRatio;
  const shape = c.schedule === "cosine" ? 0.5 * (1 + Math.cos(Math.PI * progress)) : 1 - progress;
  return min + (c.lr - min) * shape;
}


/**
 * Adam/AdamW. Matrices keep their own moments; the vectors (biases, LayerNorm gains, never decayed)
 * share one flat moment pair, updated with a dozen kernels and split back — wasm pays a fixed cost
 * per kernel, and those tensors are tiny. (Flattening the matrices too was measured slower: a split
 * of a large buffer costs about 1 ms per piece on wasm.) Gradient clipping enters as a scale on g.
 */
/** A non-trainable variable of zeros. In a tidy: the zeros tensor it starts from would otherwise stay
 * registered after the variable is disposed (tf.variable keeps its own reference to the data). */
function zeroVariable(shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.zeros(shape), false));
}

export class Adam {
  /** Trainable parameters with their own moments (rank ≥ 2). */
  readonly matrices: string[] = [];
  /** Trainable rank-1 parameters sharing the flat moments, in order. */
  readonly vectors: string[] = [];
  private readonly vectorSizes: number[] = [];
  readonly mv = new Map<string, { m: tf.Variable; v: tf.Variable }>();
  private readonly flat: { m: tf.Variable; v: tf.Variable } | undefined;
  /** Updates applied so far (bias correction). */
  t = 0;

  constructor(
    readonly params: Map<string, tf.Variable>,
    readonly cfg: Pick<TrainConfig, "optimizer" | "weightDecay">,
  ) {
    for (const [name, p] of params) {
      if (!p.trainable) continue;
      if (p.rank >= 2) {
        this.matrices.push(name);
        this.mv.set(name, { m: zeroVariable(p.shape), v: zeroVariable(p.shape) });
      } else {
        this.vectors.push(name);
        this.vectorSizes.push(p.size);
      }
    }
    const n = this.vectorSizes.reduce((x, y) => x + y, 0);
    if (n > 0) this.flat = { m: zeroVariable([n]), v: zeroVariable([n]) };
  }

  /** Apply per-parameter gradients (summed over micro-batches), multiplied by `scale`, at learning rate lr. */
  apply(grads: Map<string, tf.Tensor>, lr: number, scale = 1): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = ADAM_CONSTANTS;
    const wd = this.cfg.weightDecay;
    // Bias corrections folded into the step size and ε (Kingma & Ba, §2).
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const stepSize = (lr * Math.sqrt(c2)) / c1;
    const epsHat = eps * Math.sqrt(c2);
    const decoupled = this.cfg.optimizer === "adamw";
    const moments = (m: tf.Variable, v: tf.Variable, g: tf.Tensor): tf.Tensor => {
      m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
      v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
      return tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsHat)), stepSize);
    };
    tf.tidy(() => {
      for (const name of this.matrices) {
        const g0 = grads.get(name);
        if (!g0) continue;
        const p = this.params.get(name)!;
        const { m, v } = this.mv.get(name)!;
        let g = scale === 1 ? g0 : tf.mul(g0, scale);
        if (!decoupled && wd > 0) g = tf.add(g, tf.mul(p, wd)); // Adam: L2 in the gradient
        const step = moments(m, v, g);
        const kept = decoupled && wd > 0 ? tf.mul(p, 1 - lr * wd) : p; // AdamW: decay not scaled by the moments
        p.assign(tf.sub(kept, step));
      }
      if (this.flat) {
        // A vector without a gradient (unused this step) contributes zeros and is not moved.
        const g0 = tf.concat(this.vectors.map((n, i) => grads.get(n) ?? tf.zeros([this.vectorSizes[i]!])));
        const step = moments(this.flat.m, this.flat.v, scale === 1 ? g0 : tf.mul(g0, scale));
        const pieces = tf.split(step, this.vectorSizes);
        this.vectors.forEach((n, i) => {
          if (!grads.has(n)) return;
          const p = this.params.get(n)!;
          p.assign(tf.sub(p, pieces[i]!));
        });
      }
    });
  }

  /** The moments per parameter (for checkpoints). */
  moments(which: "m" | "v"): Map<string, { shape: number[]; data: Float32Array }> {
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const n of this.matrices) {
      const t = this.mv.get(n)![which];
      out.set(n, { shape: t.shape, data: t.dataSync() as Float32Array });
    }
    if (this.flat) {
      const all = this.flat[which].dataSync() as Float32Array;
      let off = 0;
      this.vectors.forEach((n, i) => {
        out.set(n, { shape: [this.vectorSizes[i]!], data: all.slice(off, off + this.vectorSizes[i]!) });
        off += this.vectorSizes[i]!;
      });
    }
    return out;
  }

  loadMoments(which: "m" | "v", get: (name: string) => Float32Array): void {
    for (const n of this.matrices) {
      const t = this.mv.get(n)![which];
      const d = get(n);
      if (d.length !== t.size) throw new Error(`optimizer state for ${n} has ${d.length} values, expected ${t.size}`);
      tf.tidy(() => t.assign(tf.tensor(d, t.shape)));
    }
    if (this.flat) {
      const all = new Float32Array(this.flat.m.size);
      let off = 0;
      this.vectors.forEach((n, i) => {
        const d = get(n);
        if (d.length !== this.vectorSizes[i]) throw new Error(`optimizer state for ${n} has ${d.length} values, expected ${this.vectorSizes[i]}`);
        all.set(d, off);
        off += d.length;
      });
      const target = this.flat[which];
      tf.tidy(() => target.assign(tf.tensor1d(all)));
    }
  }

  dispose(): void {
    for (const { m, v } of this.mv.values()) {
      m.dispose();
      v.dispose();
    }
    this.mv.clear();
    if (this.flat) tf.dispose([this.flat.m, this.flat.v]);
  }
}

/** Global L2 norm of the gradients: one concatenation, one reduction, one number read back. */
export function globalNorm(grads: Map<string, tf.Tensor>): number {
  return tf.tidy(() => Math.sqrt(tf.sum(tf.square(tf.concat([...grads.values()].map((g) => tf.reshape(g, [g.size]))))).dataSync()[0]!));
}
