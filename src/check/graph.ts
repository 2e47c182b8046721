// The block dependency graph: cycles (Tarjan's strongly connected components) and the
// dependencies-first order of the IR (Kahn's algorithm, ready blocks taken by name).

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

/** Dependencies before dependents; among blocks ready at the same time, by name. Assumes no cycles. */
export function topoSort(nodes: readonly string[], deps: (n: string) => readonly string[]): string[] {
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

/** A binary min-heap of strings (code-unit order, as `<`), for deterministic ties; also the plan's topological sort. */
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
