// Reading a node's cache entry as a hit (executor.ts): the entry and its logged rows read together (a
// --force elsewhere may replace it: cache.read), held to the outputs of its inputs this run has, and
// recorded in the node's record with what a reader of the run must know of it.
import type { PlanNode } from "../plan/types.js";
import type { Progress } from "./presentation/progress.js";
import type { CacheEntry, StageCache } from "./storage/cache.js";
import { entryDamage } from "./storage/entry-check.js";
import { readEntryRows, recordSkipped, summaryOf, type EntryRows } from "./storage/entry-rows.js";
import type { InputTracker } from "./storage/input-tracker.js";
import type { NodeRecord, RunDir } from "./storage/rundir.js";

export type Hit = { entry: CacheEntry; value: EntryRows };

const label = (n: PlanNode) => n.block || n.id;

/** A stage's log_every, recorded in its entry beside its rows (a hit at another cadence is said: recordHitOn). */
export function loggedEvery(n: PlanNode): { logged_every?: number } {
  const v = n.params.log_every;
  return n.kind === "stage" && typeof v === "number" ? { logged_every: v } : {};
}

/** n's entry and its logged rows; null: a miss, as is an entry computed from another output of an input
 * than this run's, or one still to compute (input-tracker.ts). A damaged entry is said (once: sayDamage). */
export function readHit(s: { cache: StageCache; inputs: InputTracker; progress: Progress; nodeLabel: (id: string) => string }, n: PlanNode, sayDamage: boolean): Hit | null {
  const hit = s.cache.read(n.hash, (e) => readEntryRows(e.dir, label(n), n.id, e.meta.files));
  if (!hit) {
    const why = sayDamage ? entryDamage(s.cache.entryDir(n.hash), n.hash) : null; // said once, in prepare()
    if (why) s.progress.info(`${label(n)}: its cached entry [${n.hash.slice(0, 8)}] is damaged (${why}): computing it again`);
    return null;
  }
  const v = s.inputs.judge(n, hit.entry.meta.inputs);
  if (v.status === "same") return hit;
  if (v.status === "stale" && v.first)
    s.progress.info(`${label(n)}: its cached entry [${n.hash.slice(0, 8)}] was computed from another output of ${s.nodeLabel(v.input)} than the one cached now (computed again since, on another backend or by --force): computing it again`);
  return null;
}

/** n is reused from its entry: its record says so, with the entry's figures and what they were made with. */
export function recordHitOn(rec: NodeRecord, n: PlanNode, hit: Hit, progress: Progress): void {
  rec.status = "cached";
  rec.entry = hit.entry.dir;
  rec.savedSeconds = hit.entry.meta.seconds;
  rec.computedOn = hit.entry.meta.backend;
  rec.summary = summaryOf(hit.entry.meta.data);
  recordSkipped(rec, hit.entry.meta.data);
  // log_every is not hashed (editing it retrains nothing): a hit's rows are those of the run that computed
  // it, at its cadence, which this plan may not share (huntG40 M1: one recipe, 5 or 51 rows); said, not hidden
  const was = (hit.entry.meta.data as { logged_every?: unknown } | null)?.logged_every;
  const now = loggedEvery(n).logged_every;
  if (typeof was === "number" && now !== undefined && was !== now) {
    rec.loggedEvery = was;
    progress.info(`${label(n)}: cached; its metric rows are those of the run that computed it, logged every ${was} steps (this plan: log_every = ${now}, which is not hashed; --force ${label(n)} logs them anew)`);
  }
}

/** A reused node's logged rows into this run's logs, marked cached (a hit, or one another run made meanwhile),
 * under this plan's name of the node: an entry is found by hash, and the run that computed it may have
 * called the block otherwise (a rename keeps the hash), so its rows named another block, or none (hunt K41:
 * a renamed eval's samples were reported under its old name; two swapped names, each under the other's).
 * The rows are the node's own, named as node-context.ts names fresh ones. */
export function replayRows(run: Pick<RunDir, "appendMetric" | "appendSample">, n: PlanNode, rows: EntryRows): void {
  const stage = label(n);
  for (const r of rows.metrics) run.appendMetric({ ...r, stage, cached: 1 });
  for (const r of rows.samples) run.appendSample({ ...r, eval: n.id, cached: true });
}

/**
 * The hits' rows, replayed into the run's logs at their place in plan order, among the rows of the nodes
 * computed now, so the logs hold the rows in the order a cold run writes them whatever the cache held
 * (they were all written first: a warm run's metrics.jsonl and samples.jsonl had another order than a
 * cold run's, and so had the report's stage sections; determD42 F1). `before(n)` logs the hits that come
 * before node n; `rest()` the ones not logged yet (an interrupted, stopped or failed run logs them all).
 */
export function planOrderReplay(run: Pick<RunDir, "appendMetric" | "appendSample">, nodes: readonly PlanNode[], hits: readonly PlanNode[], rowsOf: (id: string) => EntryRows | undefined): { before: (n: PlanNode) => void; rest: () => void } {
  const position = new Map(nodes.map((n, i) => [n.id, i]));
  let replayed = 0;
  const upTo = (limit: number): void => {
    for (; replayed < hits.length && position.get(hits[replayed]!.id)! < limit; replayed++) {
      const n = hits[replayed]!;
      replayRows(run, n, rowsOf(n.id) ?? { metrics: [], samples: [] });
    }
  };
  return { before: (n) => upTo(position.get(n.id)!), rest: () => upTo(Infinity) };
}
