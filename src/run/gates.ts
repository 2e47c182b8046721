// The run's `expect` gates: each condition is evaluated as soon as every block it names has finished,
// and a failed one blocks every node downstream of those blocks (the others still run; exit 3).
import type { IRCondition } from "../check/ir.js";
import type { PlanNode } from "../plan/types.js";
import { conditionBlocks, evaluateCondition, readyConditions, type MetricTable } from "./evaluation/expect.js";
import type { Manifest } from "./storage/rundir.js";
import { descendants } from "../common/graph.js";

const label = (n: PlanNode) => n.block || n.id;

export class Gates {
  private readonly metrics: MetricTable = new Map();
  private readonly evaluated = new Set<IRCondition>();
  private readonly finished = new Set<string>();
  private readonly blockedBy = new Map<string, string>(); // node id → failed condition text

  constructor(
    private readonly expects: readonly IRCondition[],
    private readonly nodes: readonly PlanNode[],
    private readonly say: (line: string) => void,
  ) {}

  /** The conditions evaluated so far, with their outcome. */
  get outcomes(): Manifest["expectations"] {
    return this.expects.filter((c) => this.evaluated.has(c)).map((c) => evaluateCondition(c, this.metrics));
  }

  /** The failed condition that blocks node `id`, or undefined. */
  blocking(id: string): string | undefined {
    return this.blockedBy.get(id);
  }

  /** A finished node's summary becomes visible to the conditions; those now ready are evaluated. */
  nodeDone(n: PlanNode, summary: Record<string, number>): void {
    if (n.block) this.metrics.set(n.block, summary);
    this.metrics.set(n.id, summary);
    this.finished.add(n.id).add(label(n));
    for (const c of readyConditions(this.expects, this.finished, this.evaluated)) {
      this.evaluated.add(c);
      const r = evaluateCondition(c, this.metrics);
      this.say(`expect ${r.message}`);
      if (!r.ok) {
        const sources = this.nodes.filter((x) => conditionBlocks(c).includes(label(x)) || conditionBlocks(c).includes(x.id)).map((x) => x.id);
        for (const d of descendants(this.nodes, sources)) if (!this.blockedBy.has(d)) this.blockedBy.set(d, c.text);
      }
    }
  }

  /** At the end of a whole run: the conditions whose blocks never finished, now counted as evaluated
   * (reported as "did not run"); returns how many there were. */
  closeUnevaluated(): number {
    const unevaluated = this.expects.filter((c) => !this.evaluated.has(c));
    for (const c of unevaluated) this.evaluated.add(c);
    return unevaluated.length;
  }
}
