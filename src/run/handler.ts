// What the executor asks of the code that computes one kind of plan node (src/run/nodes/). A
// handler either keeps its output in memory (cheap, deterministic nodes: data, tokenizers, initial
// weights; computed lazily, only when a consumer that is not cached needs them) or writes files
// into a cache entry (training stages and evals: expensive, reused across runs by hash).
import type { Plan, PlanNode } from "../plan/types.js";
import type { Checkpoint, FileRecord } from "./storage/cache.js";
import type { MetricRow, SampleRow } from "./storage/rundir.js";
import type { StageProgress } from "./presentation/progress.js";

/** The output of a finished node as its consumers see it. */
export interface NodeOutput {
  node: PlanNode;
  /** cache entry folder (cached nodes) */
  dir: string | null;
  /** the files of the entry generation this run resolved (its entry.json's record): the folder may be
   * replaced meanwhile (`--force` in another run), so its files are read through readEntryFile
   * (storage/entry-file.ts), held to this record */
  files?: Record<string, FileRecord>;
  /** in-memory value (memory nodes; for cached nodes, loaded on demand by the consumer) */
  value: unknown;
  /** final metrics (what `expect` reads) */
  summary: Record<string, number>;
}

export interface NodeContext {
  node: PlanNode;
  plan: Plan;
  /** the run's settings */
  backend: string;
  tiny: boolean;
  /** outputs of this node's inputs, or of nodes further up (computed on first use for memory nodes) */
  input(id: string): Promise<NodeOutput>;
  /** cached nodes: the folder to write the output into (becomes the cache entry) */
  outDir: string;
  /** append a metrics row (the executor adds stage/time) and advance the progress bar */
  log(row: Omit<MetricRow, "stage" | "time">): void;
  sample(row: SampleRow): void;
  /** a progress bar for this node's steps */
  progress(total: number, startStep?: number): StageProgress;
  info(line: string): void;
  /** true once Ctrl-C was pressed: finish the current step, save a checkpoint, return `interrupted` */
  interrupted(): boolean;
  /** the newest checkpoint of this node (left by an interrupted run), or null */
  latestCheckpoint(): Checkpoint | null;
  /** which file of a checkpoint differs from what was written (size, sha256), null when whole */
  checkpointDamage(ck: Checkpoint): { file: string; why: string } | null;
  saveCheckpoint(step: number, write: (dir: string) => void | Promise<void>): Promise<Checkpoint>;
  /** greedy answers by key (src/run/storage/generation-cache.ts): read back when stored, else
   * generated and stored, naming the model's node (`alignc cache prune` keeps it while a run names that node); the executor counts this node's hits and generations for the manifest */
  generations: { getOrGenerate(key: string, rows: number, generate: () => number[][] | Promise<number[][]>, model: string): Promise<number[][]> };
}

export type NodeResult =
  | { status: "done"; summary: Record<string, number>; value?: unknown; data?: unknown; resumedFromStep?: number }
  | { status: "interrupted"; step: number };

export interface NodeHandler {
  /** "memory": recomputed when needed, never cached; "cache": stored under the node's hash */
  storage: "memory" | "cache";
  /** Cached nodes about to be computed: build and check their inputs (data) before the run
   * directory exists, so bad input stops the run with nothing written. "later": the node's data is
   * built when it runs (it reads a draw this run makes first), not now. */
  prepare?(ctx: NodeContext): Promise<void | "later">;
  run(ctx: NodeContext): Promise<NodeResult>;
}

/** Handlers by `<kind>.<op>` ("stage.sft", "data.tokenize"), falling back to `<kind>` ("data"). */
export type HandlerTable = Record<string, NodeHandler>;

export function handlerFor(table: HandlerTable, node: PlanNode): NodeHandler | undefined {
  return table[`${node.kind}.${node.op}`] ?? table[node.kind];
}
