// The executor: runs a plan's nodes in topological order against the stage cache.
//
//   prepare()  decides, before anything is written, what this run must compute: cache hits, misses
//              (and `--force`d nodes), nodes beyond `--until`; then computes the in-memory nodes the
//              misses need (data, tokenizers), so bad data stops the run with a located error
//              before a run directory exists.
//   run()      computes the misses in order, each under a lock on its hash, and writes each output
//              into the cache atomically. After each node, the `expect` conditions whose blocks are
//              all done are evaluated; a failed one blocks every node downstream of those blocks.
//              Ctrl-C: the running node checkpoints and the run stops with exit 130; the next run
//              resumes that node from its checkpoint.
import type { PlanNode } from "../plan/types.js";
import type { KeptFiles } from "./storage/remove-own.js";
import { checkpointMatches, ResumeBackends } from "./storage/entry-inputs.js";
import { InputTracker } from "./storage/input-tracker.js";
import { GenerationCache } from "./storage/generation-cache.js";
import { Gates } from "./gates.js";
import { handlerFor, type NodeContext, type NodeHandler, type NodeOutput, type NodeResult } from "./handler.js";
import type { Manifest, MetricRow, NodeRecord, RunDir, SampleRow } from "./storage/rundir.js";
import { stopPoint, whileStoppable } from "../common/stop-point.js";
import { LockWaitStopped, type Lock } from "./storage/lock.js";
import { signalWordsDuring, yieldToSignals } from "./storage/interrupt.js";
import { peakRssBytes } from "./storage/rundir.js";
import { DamagedEntryError, recordSkipped, summaryOf, writeEntryRows, type EntryRows } from "./storage/entry-rows.js";
import { loggedEvery, planOrderReplay, readHit, recordHitOn, replayRows, type Hit } from "./cache-hits.js";
import { ancestors } from "../common/graph.js";
import { settlePending } from "./pending-nodes.js";
import { nodeContext, type RunServices } from "./node-context.js";
import { checkForced, checkNodeNames, EXIT, Interrupted, PlanError, type ExecutorOptions } from "./executor-options.js";

export { EXIT, PlanError, type ExecutorOptions };

const label = (n: PlanNode) => n.block || n.id;

export class Executor {
  private readonly byId: Map<string, PlanNode>;
  private readonly records = new Map<string, NodeRecord>();
  private readonly outputs = new Map<string, Promise<NodeOutput>>();
  /** ids and labels of nodes whose metrics are registered (what `expect` may read) */
  private readonly gates: Gates;
  private readonly services: RunServices;
  /** each node's backend label, a chain when it resumes on another backend than its checkpoint's */
  private readonly backends = new ResumeBackends();
  private readonly pendingRows: (["metric", MetricRow] | ["sample", SampleRow])[] = [];
  private readonly cachedRows = new Map<string, EntryRows>(); // the hits' logged rows, read in prepare()
  private replayRest: () => void = () => {}; // logs the reused nodes' rows not logged yet (execute())
  private run_: RunDir | null = null;
  private misses: PlanNode[] = [];
  private readonly wanted: Set<string>;
  private readonly force: Set<string>;
  private readonly generations: GenerationCache;
  private readonly running = new Map<string, Lock>(); // nodes being computed now, and their locks (stopNow)
  /** what each entry is computed from: stale entries, and misses that wait on an input (storage/input-tracker.ts) */
  readonly inputs: InputTracker;
  /** misses whose data is built when they run (they read a draw this run makes), not in prepare() */
  private readonly dataLater = new Set<string>();
  /** called after every change, to rewrite manifest.json */
  onChange: () => void = () => {};

  constructor(private readonly o: ExecutorOptions) {
    this.byId = new Map(o.plan.nodes.map((n) => [n.id, n]));
    const ids = checkNodeNames(o);
    this.force = new Set(o.force ?? []);
    this.gates = new Gates(o.expects, o.plan.nodes, (line) => o.progress.info(line));
    this.generations = new GenerationCache(o.cache.root, (line) => o.progress.info(line));
    this.inputs = new InputTracker(this.byId, (n) => this.handler(n).storage === "cache");
    this.services = { ...o, generations: this.generations, output: (id) => this.output(id), writeRow: (kind, row) => this.writeRow(kind, row), inputDigests: (n) => this.inputs.digests(n), backends: this.backends };
    this.wanted = o.until ? ancestors(o.plan.nodes, o.until) : new Set(ids);
    for (const n of o.plan.nodes) {
      if (!handlerFor(o.handlers, n)) throw new PlanError(`node ${n.id}: no executor for ${n.kind}.${n.op} in this build`);
      this.records.set(n.id, { id: n.id, kind: `${n.kind}.${n.op}`, label: label(n), hash: n.hash, status: "pending", seconds: 0 });
    }
    checkForced(this.force, this.wanted, o.until, (id) => this.handler(this.byId.get(id)!).storage === "memory");
  }

  get nodeRecords(): NodeRecord[] {
    return this.o.plan.nodes.map((n) => this.records.get(n.id)!);
  }

  get expectations(): Manifest["expectations"] {
    return this.gates.outcomes;
  }

  /** The manifest's counts: hits; misses, the cache nodes (stages, evals) computed in this run (in-memory
   * data nodes are not counted); sets of greedy answers read back from the generation cache, and generated. */
  get cacheCounts(): Omit<Manifest["cache"], "root"> {
    const recs = this.nodeRecords;
    const generations = { cached: 0, generated: 0 };
    for (const r of recs) {
      generations.cached += r.generations?.cached ?? 0;
      generations.generated += r.generations?.generated ?? 0;
    }
    const misses = this.o.plan.nodes.filter((n, i) => this.handler(n).storage === "cache" && ["computed", "resumed"].includes(recs[i]!.status)).length;
    return { hits: recs.filter((r) => r.status === "cached").length, misses, generations };
  }

  private handler(n: PlanNode): NodeHandler {
    return handlerFor(this.o.handlers, n)!;
  }

  /** Decide hits and misses; build the in-memory inputs of the misses. Throws (DiagnosticError …) on bad input. */
  async prepare(): Promise<{ hits: PlanNode[]; misses: PlanNode[] }> {
    const hits: PlanNode[] = [];
    for (const n of this.o.plan.nodes) {
      const rec = this.records.get(n.id)!;
      if (!this.wanted.has(n.id)) {
        rec.status = "skipped";
        rec.reason = `not needed for --until ${this.o.until}`;
        continue;
      }
      if (this.handler(n).storage === "memory") continue;
      let hit: Hit | null;
      try {
        hit = this.force.has(n.id) ? null : this.readHit(n);
      } catch (err) {
        // a damaged entry stops the run before it writes, with its code (`alignc explain AL5003`), exit 1
        throw err instanceof DamagedEntryError ? new PlanError(`AL5003: ${err.message}`) : err;
      }
      if (hit) {
        hits.push(n);
        this.recordHit(n, hit);
        this.cachedRows.set(n.id, hit.value);
      } else this.misses.push(n);
    }
    // the data the misses read, built now: a data error stops the run before it writes anything; a
    // Ctrl-C stops it between blocks, sources and rows (StopRequested: there is no step to finish)
    await whileStoppable(
      () => this.o.interrupt.requested,
      async () => {
        for (const m of this.misses)
          for (const i of m.inputs)
            if (this.handler(this.byId.get(i)!).storage === "memory") {
              await stopPoint();
              await this.output(i);
            }
        for (const m of this.misses) {
          await stopPoint();
          if ((await this.handler(m).prepare?.(this.context(m, ""))) === "later") this.dataLater.add(m.id);
        }
        await stopPoint();
        // what was read is what the plan hashed: else the entries would be stored under the hash of other content
        this.o.plannedFiles?.check(new Set(this.misses.flatMap((m) => [...ancestors(this.o.plan.nodes, m.id)])));
      },
    );
    return { hits, misses: this.misses };
  }

  /** Run the misses; `run` is the run directory created after prepare() succeeded. */
  async execute(run: RunDir): Promise<number> {
    this.run_ = run;
    for (const [k, row] of this.pendingRows.splice(0)) k === "metric" ? run.appendMetric(row) : run.appendSample(row);
    // conditions over cached nodes only can be decided before any compute
    const hits = this.o.plan.nodes.filter((n) => this.records.get(n.id)!.status === "cached");
    for (const n of hits) this.nodeDone(n);
    this.onChange();
    // reused nodes' rows at their place in plan order, all of them on every way out (cache-hits.ts)
    const replay = planOrderReplay(run, this.o.plan.nodes, hits, (id) => this.cachedRows.get(id));
    this.replayRest = replay.rest;
    try {
      return await this.computeMisses(replay.before);
    } finally {
      this.replayRest();
    }
  }

  private async computeMisses(replayBefore: (n: PlanNode) => void): Promise<number> {
    for (const n of this.misses) {
      replayBefore(n);
      // a node that never awaits (an eval's scoring) holds a signal until it ends: read it here, before the
      // next node starts (every remaining eval ran, the run recorded ok, and then the process exited 130: huntG40 M2)
      await yieldToSignals();
      if (this.o.interrupt.requested) return this.finish(this.interruptedCode);
      const rec = this.records.get(n.id)!;
      const blocked = this.blockedReason(n);
      if (blocked) {
        rec.status = "blocked";
        rec.reason = blocked;
        this.o.progress.info(`${label(n)}: not run (${blocked})`);
        this.onChange();
        continue;
      }
      let result: NodeResult;
      // a stage checkpoints on Ctrl-C; anything else finishes first (its cached answers kept), then the run stops
      const words = n.kind === "stage" ? null : signalWordsDuring({ first: `finishing ${label(n)}, then stopping`, again: `stopping now (${label(n)} runs again next time; what is cached stays)` });
      try {
        result = await this.computeCached(n);
      } catch (err) {
        if (err instanceof LockWaitStopped) {
          // Ctrl-C while another run computes this node: stop waiting (nothing of ours to checkpoint)
          rec.status = "interrupted";
          rec.reason = `stopped while pid ${err.owner?.pid ?? "?"} was computing it; run again to reuse or resume it`;
          rec.waitedForPid = err.owner?.pid ?? null;
          return this.finish(this.interruptedCode);
        }
        rec.status = "failed";
        rec.reason = (err as Error).message.split("\n")[0];
        this.onChange();
        throw err;
      } finally {
        words?.();
      }
      if (result.status === "interrupted") {
        rec.status = "interrupted";
        rec.reason = `checkpoint at step ${result.step}; run again to resume`;
        rec.checkpointStep = result.step;
        this.o.progress.info(`${label(n)}: interrupted, checkpoint saved at step ${result.step}; run the same command again to resume`);
        return this.finish(this.interruptedCode);
      }
      this.nodeDone(n);
      this.onChange();
    }
    settlePending(this.o.plan.nodes, this.records, (n) => this.handler(n).storage === "memory", label);
    const failed = this.expectations.filter((e) => !e.ok);
    const unevaluated = this.o.until ? 0 : this.gates.closeUnevaluated(); // reported as "did not run"
    return this.finish(failed.length || unevaluated ? EXIT.expectations : EXIT.ok);
  }

  /** A cache entry of n and its logged rows, read together; null: a miss (cache-hits.ts). */
  private readHit(n: PlanNode, sayDamage = true): Hit | null {
    return readHit({ cache: this.o.cache, inputs: this.inputs, progress: this.o.progress, nodeLabel: (id) => label(this.byId.get(id)!) }, n, sayDamage);
  }

  /** n is reused from its entry: its record and its output (a hit, or one another run made meanwhile). */
  private recordHit(n: PlanNode, hit: Hit): void {
    const rec = this.records.get(n.id)!;
    recordHitOn(rec, n, hit, this.o.progress);
    this.outputs.set(n.id, Promise.resolve({ node: n, dir: hit.entry.dir, files: hit.entry.meta.files, value: undefined, summary: rec.summary ?? {} }));
    this.inputs.resolved(n.id, hit.entry.meta.files);
  }

  private get interruptedCode(): number {
    return this.o.interrupt.exitCode ?? EXIT.interrupted;
  }

  /** A Ctrl-C stopped prepare(): the nodes this run would have computed are recorded as not started. */
  stoppedPreparing(): PlanNode[] {
    for (const n of this.misses) {
      const rec = this.records.get(n.id)!;
      rec.status = "interrupted";
      rec.reason = "not started: stopped during data preparation (nothing computed, nothing saved)";
    }
    return this.misses;
  }

  /** A second Ctrl-C exits at once: record the nodes being computed as interrupted and release their locks. */
  stopNow(): void {
    this.replayRest();
    for (const [id, lock] of this.running) {
      const rec = this.records.get(id)!;
      const ck = this.o.cache.latestCheckpoint(rec.hash);
      rec.status = "interrupted";
      rec.reason = ck ? `stopped at once; resumes from the checkpoint at step ${ck.step}` : "stopped at once before its first checkpoint; run again to start it anew";
      if (ck) rec.checkpointStep = ck.step;
      lock.release();
    }
    this.running.clear();
  }

  private finish(code: number): number {
    this.onChange();
    return code;
  }

  private blockedReason(n: PlanNode): string | null {
    const gate = this.gates.blocking(n.id);
    if (gate) return `expectation failed: ${gate}`;
    for (const i of ancestors(this.o.plan.nodes, n.id)) {
      if (i === n.id) continue;
      const s = this.records.get(i)!.status;
      if (s === "blocked" || s === "failed") return `input ${i} ${s}`;
    }
    return null;
  }

  /** Metrics of a finished node become visible to `expect`; failed gates block what depends on them. */
  private nodeDone(n: PlanNode): void {
    this.gates.nodeDone(n, this.records.get(n.id)!.summary ?? {});
  }

  /** The output of node `id`, computing memory nodes on first use. */
  output(id: string): Promise<NodeOutput> {
    let p = this.outputs.get(id);
    if (!p) {
      const n = this.byId.get(id);
      if (!n) return Promise.reject(new Error(`unknown node ${id}`));
      if (this.handler(n).storage !== "memory") return Promise.reject(new Error(`node ${id} has not run yet`));
      p = this.computeMemory(n);
      this.outputs.set(id, p);
    }
    return p;
  }

  private async computeMemory(n: PlanNode): Promise<NodeOutput> {
    const rec = this.records.get(n.id)!;
    const t0 = performance.now();
    const result = await this.handler(n).run(this.context(n, ""));
    if (result.status !== "done") throw new Error(`node ${n.id} (in memory) cannot be interrupted`);
    rec.status = "computed";
    rec.seconds = (performance.now() - t0) / 1000;
    rec.peakRssBytes = peakRssBytes();
    rec.summary = summaryOf({ summary: result.summary });
    return { node: n, dir: null, value: result.value, summary: rec.summary };
  }

  private async computeCached(n: PlanNode): Promise<NodeResult> {
    const rec = this.records.get(n.id)!;
    const cache = this.o.cache;
    // while waiting for another run's lock a Ctrl-C stops the wait at once: nothing of this node to finish or save (reviewR40 L4)
    let waiting: (() => void) | null = null;
    const lock = await cache
      .lock(n.hash, {
        purpose: `alignc run: ${label(n)}`,
        onWait: (owner) => {
          waiting ??= signalWordsDuring({ first: `stopping the wait for pid ${owner.pid} (nothing of ${label(n)} computed here)`, again: "stopping now" });
          this.o.progress.info(`${label(n)}: waiting for pid ${owner.pid} (${owner.purpose}), which is computing the same node`);
        },
        stop: () => this.o.interrupt.requested,
      })
      .finally(() => waiting?.());
    const heartbeat = setInterval(() => lock.touch(), 30_000);
    heartbeat.unref();
    this.running.set(n.id, lock);
    try {
      // another run may have finished it while we waited for the lock
      const awaited = this.inputs.awaiting(n.id);
      const done = this.force.has(n.id) ? null : this.readHit(n, false);
      if (done) {
        // recorded as a hit is, its curves and samples included: the same metrics.jsonl rows
        this.recordHit(n, done);
        replayRows(this.run_!, n, done.value);
        this.o.progress.info(awaited && !this.inputs.awaiting(n.id) ? `= ${label(n)}  cached [${n.hash.slice(0, 8)}] (${awaited.map((i) => label(this.byId.get(i)!)).join(" and ")} unchanged)` : `${label(n)}: cached by another run meanwhile [${n.hash.slice(0, 8)}]`);
        return { status: "done", summary: rec.summary ?? {} };
      }
      // replaced: a forced entry may be damaged (why one forces a node), a stale one was computed from another input
      const replace = this.force.has(n.id) || this.inputs.isStale(n.id);
      const inputs = this.inputs.digests(n);
      // under the lock: a forced node starts anew (its checkpoint may be damaged too), as does one trained from other inputs
      const ck = cache.latestCheckpoint(n.hash);
      if (this.force.has(n.id)) this.clearCheckpoints(n);
      else if (ck && !checkpointMatches(ck.dir, inputs)) {
        this.clearCheckpoints(n);
        this.o.progress.info(`${label(n)}: its checkpoint at step ${ck.step} was trained from other outputs of its inputs than this run's: starting anew`);
      } else if (ck) this.backends.resumes(n.id, ck.dir, ck.step);
      // data built now (from a draw made in this run) is read from files that must still be as planned
      if (this.dataLater.has(n.id)) this.o.plannedFiles?.check(ancestors(this.o.plan.nodes, n.id));
      const t0 = performance.now();
      // something at the entry's path that alignc did not write: refused before the node is computed (it was
      // refused after, the compute wasted), or under --force moved aside, kept (it was deleted: audit35 L4)
      const aside = cache.makeWay(n.hash, this.force.has(n.id));
      if (aside) this.o.progress.info(`${label(n)}: ${cache.entryDir(n.hash)} holds no entry alignc wrote: moved aside to ${aside}, kept`);
      const box: { result: NodeResult; value: unknown } = { result: { status: "interrupted", step: 0 }, value: undefined };
      const entry = await cache.put(n.hash, { kind: `${n.kind}.${n.op}`, label: label(n), seconds: 0 }, async (dir) => {
        const rows: EntryRows = { metrics: [], samples: [] };
        const result = await this.handler(n).run(this.context(n, dir, rows));
        box.result = result;
        if (result.status === "interrupted") throw new Interrupted(result.step);
        box.value = result.value;
        // the node's own log travels with its entry, so a run that reuses it still reports its curves
        writeEntryRows(dir, rows);
        return { seconds: (performance.now() - t0) / 1000, data: { summary: result.summary, data: result.data ?? null, ...loggedEvery(n) }, backend: this.backends.label(n.id, this.o.selectedBackend?.() ?? undefined), inputs };
      }, { replace }).catch((err: unknown) => {
        if (err instanceof Interrupted) return null;
        throw err;
      });
      const result = box.result;
      if (!entry || result.status !== "done") return result;
      if (entry.kept) this.sayKept(n, [entry.kept]);
      this.clearCheckpoints(n);
      // computedOn: the entry's (a complete entry another run put first is that run's)
      const summary = summaryOf({ summary: result.summary }); // as a hit reads it back: finite numbers only
      const finished = { status: result.resumedFromStep ? "resumed" : "computed", seconds: (performance.now() - t0) / 1000, peakRssBytes: peakRssBytes(), entry: entry.dir, computedOn: entry.meta.backend, summary } satisfies Partial<NodeRecord>;
      Object.assign(rec, finished, result.resumedFromStep ? { resumedFromStep: result.resumedFromStep } : {});
      recordSkipped(rec, { data: result.data });
      this.outputs.set(n.id, Promise.resolve({ node: n, dir: entry.dir, files: entry.meta.files, value: box.value, summary }));
      this.inputs.resolved(n.id, entry.meta.files);
      return result;
    } finally {
      this.running.delete(n.id);
      clearInterval(heartbeat);
      lock.release();
    }
  }

  /** A node's checkpoints removed (it finished, or starts anew); a user's file among them kept and said. */
  private clearCheckpoints = (n: PlanNode): void => this.sayKept(n, this.o.cache.clearCheckpoints(n.hash));

  private sayKept(n: PlanNode, kept: readonly KeptFiles[]): void {
    for (const k of kept) this.o.progress.info(`${label(n)}: kept files alignc did not write, found where it removed its own: ${k.files.join(", ")} (in ${k.path})`);
  }

  private context = (n: PlanNode, outDir: string, keep?: { metrics: MetricRow[]; samples: SampleRow[] }): NodeContext => nodeContext(this.services, n, this.records.get(n.id)!, outDir, keep);

  /** a row into the run's logs, held until the run directory exists */
  private writeRow(kind: "metric" | "sample", row: MetricRow | SampleRow): void {
    if (!this.run_) this.pendingRows.push([kind, row] as ["metric", MetricRow] | ["sample", SampleRow]);
    else if (kind === "metric") this.run_.appendMetric(row as MetricRow);
    else this.run_.appendSample(row as SampleRow);
  }
}
