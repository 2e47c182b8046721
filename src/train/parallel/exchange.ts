// The shared memory the replicas exchange weights and gradients through: one float32 block per
// list of parameters, each parameter at a fixed offset. A write copies a tensor's values in, a read
// makes a tensor of them; no message carries them, so nothing is cloned or garbage-collected per step.
import { tf } from "../backend.js";

export class SharedTensors {
  readonly offsets: number[];
  readonly buffer: SharedArrayBuffer;

  constructor(
    readonly shapes: number[][],
    buffer?: SharedArrayBuffer,
  ) {
    let total = 0;
    this.offsets = shapes.map((s) => {
      const at = total;
      total += s.reduce((a, b) => a * b, 1);
      return at;
    });
    this.buffer = buffer ?? new SharedArrayBuffer(total * 4);
    if (this.buffer.byteLength !== total * 4) throw new Error(`shared tensors: buffer of ${this.buffer.byteLength} bytes, expected ${total * 4}`);
  }

  /** The values of entry `i` (a view on the shared memory: read it before the other side writes again). */
  view(i: number): Float32Array {
    const size = this.shapes[i]!.reduce((a, b) => a * b, 1);
    return new Float32Array(this.buffer, this.offsets[i]! * 4, size);
  }

  write(i: number, t: tf.Tensor): void {
    this.view(i).set(t.dataSync() as Float32Array);
  }

  /**
   * A tensor holding a copy of entry `i`. The wasm backend copies values into its heap when a tensor
   * is made; the cpu backend keeps the array it is given, so it gets a copy of the view.
   */
  tensor(i: number): tf.Tensor {
    const v = this.view(i);
    return tf.tensor(tf.getBackend() === "wasm" ? v : v.slice(), this.shapes[i]!);
  }
}
