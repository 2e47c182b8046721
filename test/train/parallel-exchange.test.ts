// The shared weight/gradient blocks of src/train/parallel: entries at fixed offsets, written from
// tensors and read back as tensors that own their values (on the cpu backend, which keeps the array
// a tensor is made from, a tensor read from shared memory must not change when the block is rewritten).
import { test } from "node:test";
import assert from "node:assert/strict";
import { tf, useBackend } from "../../src/train/backend.js";
import { SharedTensors } from "../../src/train/parallel/exchange.js";

for (const backend of ["cpu", "wasm"] as const) {
  test(`SharedTensors (${backend}): round trip, fixed offsets, reads do not alias the shared block`, async () => {
    await useBackend(backend);
    const shapes = [[2, 3], [4], [1, 1, 2]];
    const a = new SharedTensors(shapes);
    assert.deepEqual(a.offsets, [0, 6, 10]);
    assert.equal(a.buffer.byteLength, 12 * 4);
    const src = shapes.map((s, i) => tf.tensor(Array.from({ length: s.reduce((x, y) => x * y, 1) }, (_, k) => i * 10 + k), s));
    src.forEach((t, i) => a.write(i, t));
    const b = new SharedTensors(shapes, a.buffer); // the other side of the exchange
    const read = shapes.map((_, i) => b.tensor(i));
    read.forEach((t, i) => {
      assert.deepEqual(t.shape, shapes[i]);
      assert.deepEqual([...t.dataSync()], [...src[i]!.dataSync()]);
    });
    b.view(0).fill(-1);
    assert.deepEqual([...read[0]!.dataSync()], [0, 1, 2, 3, 4, 5], "a tensor read from the block keeps its values");
    assert.throws(() => new SharedTensors(shapes, new SharedArrayBuffer(8)), /expected 48/);
    tf.dispose([...src, ...read]);
  });
}
