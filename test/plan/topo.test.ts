import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { topoSortNodes as topoSort, descendants } from "../../src/common/graph.js";
import { planRecipe } from "../../src/plan/compile.js";
import { QUICK_FILES, quickRecipe, tempFiles } from "./fixture.js";

/** A random DAG: node i may read any node j < i (so acyclic by construction), ids shuffled. */
const dag = fc
  .integer({ min: 1, max: 25 })
  .chain((n) =>
    fc.tuple(
      fc.array(fc.array(fc.nat({ max: 24 }), { maxLength: 4 }), { minLength: n, maxLength: n }),
      fc.shuffledSubarray([...Array(n).keys()].map((i) => `n${String(i).padStart(2, "0")}`), { minLength: n, maxLength: n }),
    ),
  )
  .map(([edges, ids]) => edges.map((reads, i) => ({ id: ids[i]!, inputs: [...new Set(reads.filter((j) => j < i).map((j) => ids[j]!))] })));

test("for any DAG, topoSort puts every input before its consumer and is independent of input order", () => {
  fc.assert(
    fc.property(dag, fc.integer(), (nodes, seed) => {
      const order = topoSort(nodes);
      const pos = new Map(order.map((n, i) => [n.id, i]));
      assert.equal(order.length, nodes.length);
      for (const n of nodes) for (const i of n.inputs) assert.ok(pos.get(i)! < pos.get(n.id)!, `${i} before ${n.id}`);
      const shuffled = [...nodes].sort((a, b) => ((a.id.charCodeAt(2) * seed) % 7) - ((b.id.charCodeAt(2) * seed) % 7));
      assert.deepEqual(topoSort(shuffled).map((n) => n.id), order.map((n) => n.id));
    }),
  );
});

test("topoSort rejects a cycle and a dangling input", () => {
  assert.throws(() => topoSort([{ id: "a", inputs: ["b"] }, { id: "b", inputs: ["a"] }]), /cycle/);
  assert.throws(() => topoSort([{ id: "a", inputs: ["zz"] }]), /unknown node zz/);
});

test("descendants follow edges transitively", () => {
  const nodes = [{ id: "a", inputs: [] }, { id: "b", inputs: ["a"] }, { id: "c", inputs: ["b"] }, { id: "d", inputs: [] }];
  assert.deepEqual([...descendants(nodes, "a")].sort(), ["b", "c"]);
  assert.deepEqual([...descendants(nodes, "d")], []);
});

test("the compiled plan is acyclic, topologically ordered, and its inputs are exactly its params' references", () => {
  const plan = planRecipe(quickRecipe({ root: tempFiles(QUICK_FILES) })).plan!;
  const pos = new Map(plan.nodes.map((n, i) => [n.id, i]));
  assert.equal(pos.size, plan.nodes.length, "ids are unique");
  for (const n of plan.nodes) {
    for (const i of n.inputs) assert.ok(pos.get(i)! < pos.get(n.id)!, `${i} before ${n.id}`);
    const refs = new Set<string>();
    JSON.stringify(n.params, (k, v) => (k === "$ref" && refs.add(v), v));
    assert.deepEqual([...refs].sort(), n.inputs);
  }
  // the data chain of the quickstart shape
  const ids = plan.nodes.map((n) => n.id);
  for (const id of ["sentiment/data", "sentiment", "sft_data", "sft_data/format", "sft_data/tokenize", "pre/data", "pre/data/tokenize", "prefs.prompts/format"]) assert.ok(ids.includes(id), id);
  assert.deepEqual(plan.nodes.find((n) => n.id === "policy")!.inputs, ["prefs.prompts/tokenize", "rm", "sft", "sft_data/tokenize"]);
});
