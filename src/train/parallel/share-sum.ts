// The sum of a micro-batch's shares, taken in share order 0, 1, 2, … whichever thread computed each
// share: losses and reported values as numbers, gradients as tensors keyed by variable name. The
// order is the whole guarantee: float32 addition is not associative, so a fixed order of fixed
// shares gives the same bits for any number of worker threads (README.md, "Both cores").
import { tf } from "../backend.js";
import type { SharedTensors } from "./exchange.js";

export interface ShareResult {
  loss: number;
  aux: Record<string, number>;
  grads: tf.NamedTensorMap;
}

export class ShareSum {
  private loss = 0;
  private aux: Record<string, number> = {};
  private readonly acc = new Map<string, tf.Tensor>();
  /** shares added so far: the next one added must be share `added` */
  added = 0;

  constructor(private readonly vars: tf.Variable[]) {}

  /** Adds the next share computed on this thread; takes ownership of its gradient tensors. */
  addTensors(r: ShareResult): void {
    this.addNumbers(r.loss, r.aux);
    for (const v of this.vars) {
      const g = r.grads[v.name];
      if (g) this.addGrad(v.name, g);
    }
    // gradients of variables this sum does not track (none today) are not leaked
    for (const [k, g] of Object.entries(r.grads)) if (!this.vars.some((v) => v.name === k)) g.dispose();
    this.added++;
  }

  /** Adds the next share computed by a worker: its gradients sit in `block`, one entry per variable in order. */
  addShared(loss: number, aux: Record<string, number>, block: SharedTensors): void {
    this.addNumbers(loss, aux);
    this.vars.forEach((v, i) => this.addGrad(v.name, block.tensor(i)));
    this.added++;
  }

  /** The sums; the gradient tensors now belong to the caller. */
  result(): ShareResult {
    return { loss: this.loss, aux: { ...this.aux }, grads: Object.fromEntries(this.acc) };
  }

  dispose(): void {
    tf.dispose([...this.acc.values()]);
    this.acc.clear();
  }

  private addNumbers(loss: number, aux: Record<string, number>): void {
    this.loss += loss;
    for (const [k, x] of Object.entries(aux)) this.aux[k] = (this.aux[k] ?? 0) + x;
  }

  private addGrad(name: string, g: tf.Tensor): void {
    const prev = this.acc.get(name);
    if (!prev) {
      this.acc.set(name, g);
      return;
    }
    this.acc.set(name, tf.tidy(() => tf.add(prev, g)));
    prev.dispose();
    g.dispose();
  }
}
