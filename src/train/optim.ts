// Adam/AdamW with moments we own (so they serialise with the checkpoint), warmup + decay schedule,
// and global-norm gradient clipping.
import { tf } from "./backend.js";
import type { TrainConfig } from "./config.js";

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
 * Adam/AdamW over all trainable tensors at once: gradients are flattened into one vector [P] and the
 * moments are single [P] variables, so an update is about a dozen kernels plus one split, instead of
 * a dozen per parameter tensor (wasm pays a fixed cost per kernel). Decay applies to matrices only.
 */
export class Adam {
  readonly names: string[] = [];
  readonly shapes: number[][] = [];
  readonly sizes: number[] = [];
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  /** Per-entry L2 coefficient for plain Adam (weight decay on matrices, 0 elsewhere). */
  private readonly l2: tf.Tensor1D | undefined;
  /** Updates applied so far (bias correction). */
  t = 0;

  constructor(
    readonly params: Map<string, tf.Variable>,
    readonly cfg: Pick<TrainConfig, "optimizer" | "weightDecay" | "beta1" | "beta2" | "eps">,
  ) {
    for (const [name, p] of params) {
      if (!p.trainable) continue;
      this.names.push(name);
      this.shapes.push(p.shape);
      this.sizes.push(p.size);
    }
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.m = tf.variable(tf.zeros([total]), false);
    this.v = tf.variable(tf.zeros([total]), false);
    if (cfg.optimizer === "adam" && cfg.weightDecay > 0) {
      const l2 = new Float32Array(total);
      let off = 0;
      this.names.forEach((n, i) => {
        if (this.shapes[i]!.length >= 2) l2.fill(cfg.weightDecay, off, off + this.sizes[i]!);
        off += this.sizes[i]!;
      });
      this.l2 = tf.tensor1d(l2);
    }
  }

  /** One flat gradient [P] in parameter order (a parameter without a gradient contributes zeros). */
  flatten(grads: Map<string, tf.Tensor>): tf.Tensor1D {
    return tf.tidy(() => tf.concat(this.names.map((n, i) => (grads.has(n) ? tf.reshape(grads.get(n)!, [this.sizes[i]!]) : tf.zeros([this.sizes[i]!]))))) as tf.Tensor1D; // each [..] -> [size]
  }

  /** Apply the flat gradient g (already averaged), multiplied by `scale` (clipping), at learning rate lr. */
  apply(g0: tf.Tensor1D, lr: number, scale = 1): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd } = this.cfg;
    // Bias corrections folded into the step size and ε (Kingma & Ba, §2).
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const stepSize = (lr * Math.sqrt(c2)) / c1;
    const epsHat = eps * Math.sqrt(c2);
    const decoupled = this.cfg.optimizer === "adamw";
    tf.tidy(() => {
      let g: tf.Tensor = scale === 1 ? g0 : tf.mul(g0, scale);
      if (this.l2) g = tf.add(g, tf.mul(this.flatParams(), this.l2)); // Adam: L2 in the gradient
      this.m.assign(tf.add(tf.mul(this.m, b1), tf.mul(g, 1 - b1)));
      this.v.assign(tf.add(tf.mul(this.v, b2), tf.mul(tf.square(g), 1 - b2)));
      const step = tf.mul(tf.div(this.m, tf.add(tf.sqrt(this.v), epsHat)), stepSize); // [P]
      const pieces = tf.split(step, this.sizes);
      this.names.forEach((n, i) => {
        const p = this.params.get(n)!;
        const kept = decoupled && wd > 0 && p.rank >= 2 ? tf.mul(p, 1 - lr * wd) : p; // AdamW: decay not scaled by the moments
        p.assign(tf.sub(kept, tf.reshape(pieces[i]!, p.shape)));
      });
    });
  }

  private flatParams(): tf.Tensor1D {
    return tf.concat(this.names.map((n, i) => tf.reshape(this.params.get(n)!, [this.sizes[i]!]))) as tf.Tensor1D;
  }

  /** The moments per parameter (for checkpoints). */
  moments(which: "m" | "v"): Map<string, { shape: number[]; data: Float32Array }> {
    const flat = (which === "m" ? this.m : this.v).dataSync() as Float32Array;
    const out = new Map<string, { shape: number[]; data: Float32Array }>();
    let off = 0;
    this.names.forEach((n, i) => {
      out.set(n, { shape: this.shapes[i]!, data: flat.slice(off, off + this.sizes[i]!) });
      off += this.sizes[i]!;
    });
    return out;
  }

  loadMoments(which: "m" | "v", get: (name: string) => Float32Array): void {
    const flat = new Float32Array(this.sizes.reduce((a, b) => a + b, 0));
    let off = 0;
    this.names.forEach((n, i) => {
      const d = get(n);
      if (d.length !== this.sizes[i]) throw new Error(`optimizer state for ${n} has ${d.length} values, expected ${this.sizes[i]}`);
      flat.set(d, off);
      off += this.sizes[i]!;
    });
    tf.tidy(() => (which === "m" ? this.m : this.v).assign(tf.tensor1d(flat)));
  }

  dispose(): void {
    this.m.dispose();
    this.v.dispose();
    this.l2?.dispose();
  }
}

/** L2 norm of a flat gradient (one number read back). */
export function flatNorm(g: tf.Tensor1D): number {
  return tf.tidy(() => Math.sqrt(tf.sum(tf.square(g)).dataSync()[0]!));
}
