// Who labels what. Several labelers work at once and each gets different candidate sets, except a
// share `overlap` of them that two labelers see, so that inter-labeler agreement can be measured
// (as InstructGPT did). Everything is deterministic from the seed and the labels on disk, so a
// restarted server hands out the same sets: the order of the sets and which of them are shared are
// hashes of (seed, set id), and the in-memory leases are only tie-breakers between live labelers.
import { createHash } from "node:crypto";

/** A set handed to a labeler is kept from the others this long after their last request; then it is free again. */
export const LEASE_MS = 30 * 60 * 1000;

export interface Progress {
  labeler: { labeled: number; skipped: number };
  /** labels given towards the wanted count (each set once, a shared set twice) */
  labels: { done: number; wanted: number };
  sets: number;
}

const rank = (seed: number, what: string, id: string): string => createHash("sha256").update(`${seed}:${what}:${id}`).digest("hex");

export class Assigner {
  private readonly order: string[];
  private readonly known: ReadonlySet<string>;
  readonly shared: ReadonlySet<string>;
  private readonly labeled = new Map<string, Set<string>>(); // set → labelers who ranked it
  private readonly skipped = new Map<string, Set<string>>(); // set → labelers who skipped it
  private readonly leases = new Map<string, { set: string; at: number }>(); // labeler → set

  constructor(setIds: readonly string[], overlap: number, seed: number) {
    const keyed = (what: string) => setIds.map((id) => ({ id, key: rank(seed, what, id) })).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.order = keyed("order").map((x) => x.id);
    this.known = new Set(setIds);
    const m = Math.round(overlap * setIds.length);
    this.shared = new Set(keyed("shared").slice(0, m).map((x) => x.id));
  }

  target(set: string): number {
    return this.shared.has(set) ? 2 : 1;
  }

  recordLabel(set: string, labeler: string): void {
    (this.labeled.get(set) ?? this.labeled.set(set, new Set()).get(set)!).add(labeler);
    if (this.leases.get(labeler)?.set === set) this.leases.delete(labeler);
  }

  recordSkip(set: string, labeler: string): void {
    (this.skipped.get(set) ?? this.skipped.set(set, new Set()).get(set)!).add(labeler);
    if (this.leases.get(labeler)?.set === set) this.leases.delete(labeler);
  }

  /** Labeled or skipped by this labeler: either way it is not theirs to answer again. */
  seen(set: string, labeler: string): boolean {
    return (this.labeled.get(set)?.has(labeler) ?? false) || (this.skipped.get(set)?.has(labeler) ?? false);
  }

  /**
   * The set this labeler should label now, or null when none is left for them. Their current set
   * first (a reload resumes it), then `prefer` (the set the page was showing before a restart), then
   * a second label for a shared set someone else labeled (agreement pairs complete early), then the
   * next set nobody holds, in the seeded order.
   */
  next(labeler: string, now: number, prefer?: string): string | null {
    const held = new Map<string, number>(); // set → live leases of other labelers
    for (const [who, l] of this.leases) {
      if (now - l.at > LEASE_MS) this.leases.delete(who);
      else if (who !== labeler) held.set(l.set, (held.get(l.set) ?? 0) + 1);
    }
    const open = (set: string): boolean => !this.seen(set, labeler) && (this.labeled.get(set)?.size ?? 0) + (held.get(set) ?? 0) < this.target(set);
    const lease = (set: string): string => {
      this.leases.set(labeler, { set, at: now });
      return set;
    };
    const mine = this.leases.get(labeler);
    if (mine && !this.seen(mine.set, labeler)) return lease(mine.set);
    if (prefer && this.known.has(prefer) && open(prefer)) return lease(prefer);
    for (const set of this.order) if (this.shared.has(set) && (this.labeled.get(set)?.size ?? 0) === 1 && open(set)) return lease(set);
    for (const set of this.order) if (open(set)) return lease(set);
    this.leases.delete(labeler);
    return null;
  }

  progress(labeler: string): Progress {
    let labeled = 0;
    let skipped = 0;
    let done = 0;
    let wanted = 0;
    for (const set of this.order) {
      const by = this.labeled.get(set);
      if (by?.has(labeler)) labeled++;
      if (this.skipped.get(set)?.has(labeler)) skipped++;
      done += Math.min(by?.size ?? 0, this.target(set));
      wanted += this.target(set);
    }
    return { labeler: { labeled, skipped }, labels: { done, wanted }, sets: this.order.length };
  }
}
