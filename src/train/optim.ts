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

export class Adam {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Updates applied so far (bias correction). */
  t = 0;

  constructor(
    readonly params: Map<string, tf.Variable>,
    readonly cfg: Pick<TrainConfig, "optimizer" | "weightDecay" | "beta1" | "beta2" | "eps">,
  ) {
    for (const [name, p] of params) {
      if (!p.trainable) continue;
      this.m.set(name, tf.variable(tf.zerosLike(p), false));
      this.v.set(name, tf.variable(tf.zerosLike(p), false));
    }
  }

  /** Apply grads (already averaged and clipped) at learning rate lr. Decay applies to matrices only. */
  apply(grads: Map<string, tf.Tensor>, lr: number): void {
    this.t++;
    const { beta1: b1, beta2: b2, eps } = this.cfg;
    // Bias corrections folded into the step size and ε (Kingma & Ba, §2): fewer kernels per tensor.
    const c1 = 1 - b1 ** this.t;
    const c2 = 1 - b2 ** this.t;
    const stepSize = (lr * Math.sqrt(c2)) / c1;
    const epsHat = eps * Math.sqrt(c2);
    const decoupled = this.cfg.optimizer === "adamw";
    tf.tidy(() => {
      for (const [name, g0] of grads) {
        const p = this.params.get(name)!;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        const decay = p.rank >= 2 ? this.cfg.weightDecay : 0;
        const g = !decoupled && decay > 0 ? tf.add(g0, tf.mul(p, decay)) : g0; // Adam: L2 in the gradient
        m.assign(tf.add(tf.mul(m, b1), tf.mul(g, 1 - b1)));
        v.assign(tf.add(tf.mul(v, b2), tf.mul(tf.square(g), 1 - b2)));
        const step = tf.mul(tf.div(m, tf.add(tf.sqrt(v), epsHat)), stepSize);
        const kept = decoupled && decay > 0 ? tf.mul(p, 1 - lr * decay) : p; // AdamW: decay not scaled by the moments
        p.assign(tf.sub(kept, step));
      }
    });
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
    this.m.clear();
    this.v.clear();
  }
}

/** Global L2 norm of the gradients (one number read back). */
export function globalNorm(grads: Map<string, tf.Tensor>): number {
  return tf.tidy(() => {
    const parts = [...grads.values()].map((g) => tf.sum(tf.square(g)));
    return Math.sqrt(tf.addN(parts).dataSync()[0]!);
  });
}

/** Scale every gradient in place by s (disposing the old tensors). */
export function scaleGrads(grads: Map<string, tf.Tensor>, s: number): void {
  if (s === 1) return;
  for (const [name, g] of grads) {
    grads.set(name, tf.tidy(() => tf.mul(g, s)));
    g.dispose();
  }
}
