// What a node handler sees of the run (handler.ts NodeContext): its inputs, its log, progress,
// checkpoints and the greedy-answer cache, built by the executor for each node it computes.
import type { Plan, PlanNode } from "../plan/types.js";
import { ancestors } from "../common/graph.js";
import { escapeControlKeepLines } from "../lang/escape.js";
import type { NodeContext, NodeOutput } from "./handler.js";
import type { Progress } from "./presentation/progress.js";
import type { StageCache } from "./storage/cache.js";
import type { GenerationCache } from "./storage/generation-cache.js";
import type { MetricRow, NodeRecord, SampleRow } from "./storage/rundir.js";
import { writeCheckpointBackend, writeCheckpointInputs, type ResumeBackends } from "./storage/entry-inputs.js";

export interface RunServices {
  plan: Plan;
  backend: string;
  tiny: boolean;
  progress: Progress;
  interrupt: { readonly requested: boolean };
  cache: StageCache;
  generations: GenerationCache;
  /** the output of a node, computing in-memory nodes on first use */
  output(id: string): Promise<NodeOutput>;
  /** a row into the run's logs (held until the run directory exists) */
  writeRow(kind: "metric" | "sample", row: MetricRow | SampleRow): void;
  /** digests of the outputs of the cache nodes n reads (entry-inputs.ts), recorded with its entry and checkpoints */
  inputDigests(n: PlanNode): Record<string, string>;
  /** the backend selected so far (with its tfjs release), recorded with each checkpoint */
  selectedBackend?: () => string | null;
  /** each node's backend label (a resumed attempt's checkpoints carry the chain, so a second resume on
   * yet another backend still names the first) */
  backends?: ResumeBackends;
}

/** The context of node n; `record` counts its generations; `keep` also collects its rows (they travel with its cache entry). */
export function nodeContext(s: RunServices, n: PlanNode, record: NodeRecord, outDir: string, keep?: { metrics: MetricRow[]; samples: SampleRow[] }): NodeContext {
  const started = performance.now();
  const stage = n.block || n.id;
  const writeRow = (kind: "metric" | "sample", row: MetricRow | SampleRow) => {
    if (keep) kind === "metric" ? keep.metrics.push(row as MetricRow) : keep.samples.push(row as SampleRow);
    s.writeRow(kind, row);
  };
  return {
    node: n,
    plan: s.plan,
    backend: s.backend,
    tiny: s.tiny,
    outDir,
    // an input, or a node further up (a draw that a stage reads through its ranking and data chain)
    input: (id) => {
      if (!n.inputs.includes(id) && !ancestors(s.plan.nodes, n.id).has(id)) return Promise.reject(new Error(`node ${n.id} does not read ${id}`));
      return s.output(id);
    },
    log: (row) => writeRow("metric", { stage, time: Number(((performance.now() - started) / 1000).toFixed(3)), ...row } as MetricRow),
    sample: (row) => writeRow("sample", row),
    progress: (total, startStep) => s.progress.stage(stage, total, startStep),
    // notes quote data (a task's name, a constant answer): never raw control characters on a terminal
    info: (line) => s.progress.info(escapeControlKeepLines(`${stage}: ${line}`)),
    interrupted: () => s.interrupt.requested,
    latestCheckpoint: () => s.cache.latestCheckpoint(n.hash),
    checkpointDamage: (ck) => s.cache.checkpointDamage(ck),
    saveCheckpoint: (step, write) =>
      s.cache.saveCheckpoint(n.hash, step, async (dir) => {
        await write(dir);
        writeCheckpointInputs(dir, s.inputDigests(n)); // resumed only from these inputs' outputs
        // a resume on another backend says so, in every checkpoint after it too
        const now = s.selectedBackend?.() ?? undefined;
        writeCheckpointBackend(dir, (s.backends ? s.backends.label(n.id, now) : now) ?? null);
      }),
    generations: {
      getOrGenerate: async (key, rows, generate, model) => {
        const r = await s.generations.getOrGenerate(key, rows, generate, model);
        const counts = (record.generations ??= { cached: 0, generated: 0 });
        if (r.cached) counts.cached++;
        else counts.generated++;
        return r.outputs;
      },
    },
  };
}
