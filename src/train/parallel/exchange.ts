// The shared memory the replicas exchange weights and gradients through: one float32 block per
// list of parameters, each parameter at a fixed offset. A write copies a tensor's values in, a read
// makes a tensor of them; no message carries them, so nothing is cloned per step.
//
// On the wasm backend a tensor's values live in the backend's heap, and a write copies them
// straight from there (BackendWasm.typedArrayFromHeap, a view on the heap): dataSync() would first
// copy them into a fresh array (for the medium bench model 20 MB per step on each side: an
// allocation, page faults and garbage to collect, on the step's critical path). The other way, a
// variable is never overwritten in place through such a view: the wasm backend keeps state per
// tensor id (XNNPACK matmul operators holding packed weights), which would go on computing with
// the old values (a 1 vs 2 replicas test failed so); a new tensor, assigned, gets a new id.
import type { BackendWasm } from "@tensorflow/tfjs-backend-wasm";
import { tf } from "../backend.js";

/** The wasm backend when it is the active one (then tensors' values can be viewed in its heap). */
function wasmBackend(): BackendWasm | null {
  return tf.getBackend() === "wasm" ? (tf.backend() as BackendWasm) : null;
}

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

  /** Copies `t`'s values into entry `i`. */
  write(i: number, t: tf.Tensor): void {
    const wasm = wasmBackend();
    // the heap view is taken right before the copy: the heap's buffer changes when it grows
    this.view(i).set(wasm ? (wasm.typedArrayFromHeap(t) as Float32Array) : (t.dataSync() as Float32Array));
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
