// What this run's cache entries are computed from: the output files of every cache node resolved so far
// (a hit, or computed), and which misses have an entry that waits on an input still to be computed in
// this run, or is stale (computed from another output of an input than the one this run has). The rule
// itself, and the digests entries and checkpoints record, are entry-inputs.ts's.
import type { PlanNode } from "../../plan/types.js";
import type { FileRecord } from "./cache.js";
import { checkInputs, outputDigest } from "./entry-inputs.js";

export type EntryVerdict = { status: "same" } | { status: "pending"; inputs: string[] } | { status: "stale"; input: string; first: boolean };

export class InputTracker {
  private readonly outputFiles = new Map<string, Record<string, FileRecord>>();
  /** misses whose entry exists but was computed from an input this run computes again: a hit only if that input comes out the same */
  private readonly awaitingInput = new Map<string, string[]>();
  /** misses whose entry was computed from another output of an input (named) than the one in place: computed again, replacing it */
  private readonly staleOn = new Map<string, string>();
  private readonly memo = new Map<string, PlanNode[]>();

  constructor(
    private readonly byId: ReadonlyMap<string, PlanNode>,
    private readonly isCached: (n: PlanNode) => boolean,
  ) {}

  /** Node `id`'s output is the entry with these files (a hit, or just computed). */
  resolved(id: string, files: Record<string, FileRecord>): void {
    this.outputFiles.set(id, files);
  }

  /** Whether n's entry, which records `recorded`, was computed from the outputs this run has. */
  judge(n: PlanNode, recorded: Record<string, string> | undefined): EntryVerdict {
    const check = checkInputs(recorded, this.cachedInputs(n).map((i) => ({ id: i.id, hash: i.hash, files: this.outputFiles.get(i.id) })));
    if (check.status === "same") this.awaitingInput.delete(n.id);
    else if (check.status === "pending") this.awaitingInput.set(n.id, check.inputs);
    else {
      this.awaitingInput.delete(n.id);
      const first = !this.staleOn.has(n.id);
      this.staleOn.set(n.id, check.input);
      return { status: "stale", input: check.input, first };
    }
    return check;
  }

  /** The inputs miss `id`'s entry waits on (a hit if they come out the same), if any. */
  awaiting(id: string): string[] | undefined {
    return this.awaitingInput.get(id);
  }

  isStale(id: string): boolean {
    return this.staleOn.has(id);
  }

  /** n's digests if every one of its cache inputs is resolved yet, else undefined. */
  knownDigests(n: PlanNode): Record<string, string> | undefined {
    return this.cachedInputs(n).every((i) => this.outputFiles.has(i.id)) ? this.digests(n) : undefined;
  }

  /** Digests of the outputs of n's cache inputs as this run has them (each resolved before n computes). */
  digests(n: PlanNode): Record<string, string> {
    return Object.fromEntries(this.cachedInputs(n).map((i) => [i.hash, outputDigest(this.outputFiles.get(i.id)!)]));
  }

  /** The cache nodes whose outputs n reads: its inputs, and through in-memory nodes (data) theirs. */
  private cachedInputs(n: PlanNode): PlanNode[] {
    let out = this.memo.get(n.id);
    if (!out) {
      const found = new Map<string, PlanNode>();
      for (const id of n.inputs) {
        const i = this.byId.get(id)!;
        if (this.isCached(i)) found.set(i.id, i);
        else for (const j of this.cachedInputs(i)) found.set(j.id, j);
      }
      out = [...found.values()];
      this.memo.set(n.id, out);
    }
    return out;
  }
}
