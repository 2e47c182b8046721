// Topological order with deterministic ties (Kahn's algorithm, ready nodes taken in id order), and
// the descendants of a node: the two graph facts the plan needs.
import { MinHeap } from "../check/graph.js"; // Kahn's ready set stays O(log n) per node at FLAN scale

export interface GraphNode {
  id: string;
  inputs: readonly string[];
}

/** Nodes with every input before its consumers; among ready nodes the smallest id first. Throws on a cycle or a dangling input. */
export function topoSort<T extends GraphNode>(nodes: readonly T[]): T[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const pending = new Map<string, number>();
  const consumers = new Map<string, string[]>();
  for (const n of nodes) {
    pending.set(n.id, new Set(n.inputs).size);
    for (const i of new Set(n.inputs)) {
      if (!byId.has(i)) throw new Error(`plan: node ${n.id} reads unknown node ${i}`);
      (consumers.get(i) ?? consumers.set(i, []).get(i)!).push(n.id);
    }
  }
  const ready = new MinHeap();
  for (const [id, c] of pending) if (c === 0) ready.push(id);
  const out: T[] = [];
  while (ready.size > 0) {
    const id = ready.pop();
    out.push(byId.get(id)!);
    for (const c of consumers.get(id) ?? []) {
      const left = pending.get(c)! - 1;
      pending.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  if (out.length !== nodes.length) {
    const done = new Set(out.map((n) => n.id));
    const stuck = nodes.filter((n) => !done.has(n.id)).map((n) => n.id);
    throw new Error(`plan: cycle among ${stuck.join(", ")}`);
  }
  return out;
}

/** The ids of every node that reads `id`, directly or not (not including `id`). */
export function descendants(nodes: readonly GraphNode[], id: string): Set<string> {
  const consumers = new Map<string, string[]>();
  for (const n of nodes) for (const i of n.inputs) (consumers.get(i) ?? consumers.set(i, []).get(i)!).push(n.id);
  const out = new Set<string>();
  const stack = [id];
  while (stack.length > 0) {
    for (const c of consumers.get(stack.pop()!) ?? []) {
      if (!out.has(c)) {
        out.add(c);
        stack.push(c);
      }
    }
  }
  return out;
}
