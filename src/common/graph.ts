// Graph helpers, the one copy: cycles (Tarjan's strongly connected components), dependencies-first
// order with deterministic ties (Kahn's algorithm, ready nodes taken in id order) for the checker's
// blocks and the plan's nodes, and a node's ancestors and descendants (the executor's --until and
// blocking, the plan tests' invalidation sets).

/** A node that reads other nodes by id (plan nodes). */
export interface GraphNode {
  id: string;
  inputs: readonly string[];
}

/** One cycle per strongly connected component that loops: the path from its first node (in `nodes` order) back to it. */
export function findCycles(nodes: readonly string[], succ: (n: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  let next = 0;
  // iterative Tarjan: a FLAN-scale recipe must not exhaust the call stack
  for (const root of nodes) {
    if (index.has(root)) continue;
    const work: { node: string; i: number }[] = [{ node: root, i: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const out = succ(top.node);
      if (top.i < out.length) {
        const w = out[top.i++]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.node, Math.min(low.get(top.node)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          scc.push(w);
        } while (w !== top.node);
        if (scc.length > 1 || succ(top.node).includes(top.node)) sccs.push(scc);
      }
    }
  }
  const order = new Map(nodes.map((n, i) => [n, i]));
  return sccs
    .map((scc) => cyclePath(scc, succ, order))
    .sort((a, b) => order.get(a[0]!)! - order.get(b[0]!)!);
}

/** A shortest path from the SCC's first node back to itself, inside the SCC (breadth first). */
function cyclePath(scc: string[], succ: (n: string) => readonly string[], order: Map<string, number>): string[] {
  const members = new Set(scc);
  const start = [...scc].sort((a, b) => order.get(a)! - order.get(b)!)[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  for (let qi = 0; qi < queue.length; qi++) {
    const n = queue[qi]!;
    for (const w of succ(n)) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [n];
        for (let p = n; p !== start; ) {
          p = prev.get(p)!;
          path.push(p);
        }
        return path.reverse();
      }
      if (!prev.has(w)) {
        prev.set(w, n);
        queue.push(w);
      }
    }
  }
  return [start];
}

/** Dependencies before dependents; among nodes ready at the same time, by id (code-unit order).
 * Dependencies outside `nodes` and on itself are ignored; nodes on (or behind) a cycle are left out. */
export function topoOrder(nodes: readonly string[], deps: (n: string) => readonly string[]): string[] {
  const indegree = new Map<string, number>(nodes.map((n) => [n, 0]));
  const dependents = new Map<string, string[]>();
  for (const n of nodes)
    for (const d of new Set(deps(n))) {
      if (!indegree.has(d) || d === n) continue;
      indegree.set(n, indegree.get(n)! + 1);
      (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(n);
    }
  const heap = new MinHeap();
  for (const [n, k] of indegree) if (k === 0) heap.push(n);
  const out: string[] = [];
  while (heap.size) {
    const n = heap.pop();
    out.push(n);
    for (const m of dependents.get(n) ?? []) {
      const k = indegree.get(m)! - 1;
      indegree.set(m, k);
      if (k === 0) heap.push(m);
    }
  }
  return out;
}

/** Plan nodes with every input before its consumers; among ready nodes the smallest id first. Throws on a cycle or a dangling input. */
export function topoSortNodes<T extends GraphNode>(nodes: readonly T[]): T[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const n of nodes) {
    for (const i of n.inputs) if (!byId.has(i)) throw new Error(`plan: node ${n.id} reads unknown node ${i}`);
    if (n.inputs.includes(n.id)) throw new Error(`plan: cycle among ${n.id}`);
  }
  const order = topoOrder([...byId.keys()], (id) => byId.get(id)!.inputs);
  if (order.length !== nodes.length) {
    const done = new Set(order);
    throw new Error(`plan: cycle among ${nodes.filter((n) => !done.has(n.id)).map((n) => n.id).join(", ")}`);
  }
  return order.map((id) => byId.get(id)!);
}

/** The ids of every node that reads one of `from`, directly or not (`from` itself only when another of them leads to it). */
export function descendants(nodes: readonly GraphNode[], from: string | Iterable<string>): Set<string> {
  const consumers = new Map<string, string[]>();
  for (const n of nodes) for (const i of n.inputs) (consumers.get(i) ?? consumers.set(i, []).get(i)!).push(n.id);
  const out = new Set<string>();
  const stack = [...(typeof from === "string" ? [from] : from)];
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

/** `id` and every node it reads, directly or not. */
export function ancestors(nodes: readonly GraphNode[], id: string): Set<string> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const out = new Set<string>();
  const stack = [id];
  while (stack.length) {
    const cur = stack.pop()!;
    if (out.has(cur)) continue;
    out.add(cur);
    stack.push(...(byId.get(cur)?.inputs ?? []));
  }
  return out;
}

/** A binary min-heap of strings (code-unit order, as `<`), for deterministic ties. */
export class MinHeap {
  private readonly a: string[] = [];
  get size(): number {
    return this.a.length;
  }
  push(s: string): void {
    const a = this.a;
    a.push(s);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (a[p]! <= a[i]!) break;
      [a[p], a[i]] = [a[i]!, a[p]!];
      i = p;
    }
  }
  pop(): string {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}
