// One memo of data builds shared by the data plans of a sweep's variants (`alignc check`). A data
// plan memoises its builds by content keys only (build.ts, build-source.ts: a node's seed key, which
// is its plan hash under a fixed engine, src/plan/hash.ts; a file's path), never by a variant's name,
// so a build is the same whichever variant asked for it: a learning-rate sweep's variants lower to
// data nodes of the same seed keys and share every build, and a sweep over a data parameter (a
// holdout, a template count, `shots`) gives its nodes other seed keys, so each distinct node is still
// built and checked. Before, every variant built everything again (~100 ms a variant on the
// quickstart: a 4,096-variant sweep took minutes).
//
// Memory: one variant's builds were held at a time (huntZ40: holding all 1,000 variants' ended in an
// out-of-memory crash), so this memo is bounded: least recently used entries go once it holds more
// than KEEP_VARIANTS times the most entries one variant has used. What every variant reads stays
// (each variant uses it again); a sweep of many distinct data values rebuilds the ones it evicted,
// as before this memo, and never holds more than a few variants' data.
/** How many variants' worth of builds the memo may hold. */
export const KEEP_VARIANTS = 4;
/** The least it may hold, whatever one variant uses. */
const MIN_ENTRIES = 64;

/** A Map (the shape DataPlan.memo has) with least-recently-used eviction and a count of the builds
 * made, by key (a test counts them: a hyperparameter sweep builds each data node once). */
export class SharedBuilds extends Map<string, Promise<unknown>> {
  /** Builds started, by memo key (a miss in `cached`, build-source.ts). */
  readonly made = new Map<string, number>();
  private used = new Set<string>(); // keys the current variant has read or made
  private most = 0; // the most keys one variant has used

  override get(key: string): Promise<unknown> | undefined {
    const p = super.get(key);
    if (p !== undefined) {
      // most recently used last: Map iterates in insertion order, so eviction takes the first
      super.delete(key);
      super.set(key, p);
      this.used.add(key);
    }
    return p;
  }

  override set(key: string, p: Promise<unknown>): this {
    // `super` calls this during construction, before the fields exist
    if (this.made !== undefined) {
      this.made.set(key, (this.made.get(key) ?? 0) + 1);
      this.used.add(key);
    }
    super.delete(key);
    super.set(key, p);
    this.evict();
    return this;
  }

  /** The next variant starts: the bound grows to fit the largest variant seen. */
  nextVariant(): void {
    this.most = Math.max(this.most, this.used.size);
    this.used = new Set();
  }

  /** Builds made more than once (evicted, or failed and forgotten, and asked for again). */
  get rebuilt(): number {
    let n = 0;
    for (const c of this.made.values()) n += c - 1;
    return n;
  }

  private evict(): void {
    const limit = Math.max(MIN_ENTRIES, KEEP_VARIANTS * Math.max(this.most, this.used.size));
    for (const key of this.keys()) {
      if (this.size <= limit) return;
      if (this.used.has(key)) continue; // the current variant's: never evicted under it
      super.delete(key);
    }
  }
}
